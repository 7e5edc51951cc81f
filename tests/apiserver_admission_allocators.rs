//! Specification of the Service ClusterIP and NodePort allocators and of the Service create
//! allocation step, with the real error texts.

use kubestep::apiserver::admission::ipallocator::{
    ClusterIpAllocator, IpAllocError, KUBERNETES_SERVICE_IP,
};
use kubestep::apiserver::admission::portallocator::{NodePortAllocator, PortAllocError};
use kubestep::apiserver::admission::service_alloc::{allocate_create, release};
use kubestep::sim::Rng;
use serde_json::{json, Value};

#[test]
fn cluster_ip_range_and_offset() {
    let mut ips = ClusterIpAllocator::default();
    assert_eq!(ips.cidr(), "10.96.0.0/12");
    assert_eq!(ips.size(), (1 << 20) - 2);
    assert_eq!(ips.range_offset(), 256);
    ips.allocate(KUBERNETES_SERVICE_IP).unwrap();
    assert_eq!(ips.allocate("10.96.0.1"), Err(IpAllocError::Allocated));
    assert_eq!(
        ips.allocate("10.96.0.1").unwrap_err().to_string(),
        "provided IP is already allocated"
    );
    assert_eq!(
        ips.allocate("10.95.0.1").unwrap_err().to_string(),
        "the provided IP (10.95.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
    );
    assert!(
        ips.allocate("10.96.0.0").is_err(),
        "the network address is not usable"
    );
    assert!(
        ips.allocate("10.111.255.255").is_err(),
        "the broadcast address is not usable"
    );
    ips.allocate("10.111.255.254").unwrap();

    // Dynamic allocation avoids the lowest 256 addresses (10.96.0.1 - 10.96.1.0).
    let mut rng = Rng::seed_from_u64(7);
    for _ in 0..200 {
        let ip = ips.allocate_next(&mut rng).unwrap();
        let v = kubestep::apiserver::admission::ipallocator::parse_ipv4(&ip).unwrap();
        assert!(
            v > kubestep::apiserver::admission::ipallocator::parse_ipv4("10.96.1.0").unwrap(),
            "{ip}"
        );
        assert!(
            v < kubestep::apiserver::admission::ipallocator::parse_ipv4("10.111.255.255").unwrap(),
            "{ip}"
        );
    }
    assert_eq!(ips.used(), 202);

    // Deterministic: same seed, same addresses.
    let a: Vec<String> = {
        let mut r = Rng::seed_from_u64(3);
        let mut s = ClusterIpAllocator::default();
        (0..5).map(|_| s.allocate_next(&mut r).unwrap()).collect()
    };
    let b: Vec<String> = {
        let mut r = Rng::seed_from_u64(3);
        let mut s = ClusterIpAllocator::default();
        (0..5).map(|_| s.allocate_next(&mut r).unwrap()).collect()
    };
    assert_eq!(a, b);

    ips.release("10.111.255.254");
    assert!(!ips.has("10.111.255.254"));
}

#[test]
fn small_ranges_fill_up_then_use_the_lower_block() {
    // A /28 has 14 usable addresses and no reserved block; a /24 reserves 16.
    let mut ips = ClusterIpAllocator::new("10.0.0.0/28").unwrap();
    assert_eq!(ips.range_offset(), 0);
    let mut rng = Rng::seed_from_u64(1);
    let mut got: Vec<String> = (0..14)
        .map(|_| ips.allocate_next(&mut rng).unwrap())
        .collect();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 14);
    assert_eq!(ips.allocate_next(&mut rng), Err(IpAllocError::Full));
    assert_eq!(IpAllocError::Full.to_string(), "range is full");

    let mut ips = ClusterIpAllocator::new("10.0.0.0/24").unwrap();
    assert_eq!(ips.range_offset(), 16);
    for _ in 0..(254 - 16) {
        let ip = ips.allocate_next(&mut rng).unwrap();
        let last: u32 = ip.rsplit('.').next().unwrap().parse().unwrap();
        assert!(last > 16, "upper block first: {ip}");
    }
    let ip = ips.allocate_next(&mut rng).unwrap();
    let last: u32 = ip.rsplit('.').next().unwrap().parse().unwrap();
    assert!((1..=16).contains(&last), "then the lower block: {ip}");
}

#[test]
fn node_ports() {
    let mut ports = NodePortAllocator::default();
    assert_eq!(ports.range(), "30000-32767");
    assert_eq!(ports.range_offset(), 86);
    ports.allocate(30080).unwrap();
    assert_eq!(
        ports.allocate(30080).unwrap_err().to_string(),
        "provided port is already allocated"
    );
    assert_eq!(
        ports.allocate(8080).unwrap_err(),
        PortAllocError::NotInRange {
            valid_ports: "30000-32767".into()
        }
    );
    assert_eq!(
        ports.allocate(8080).unwrap_err().to_string(),
        "provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    let mut rng = Rng::seed_from_u64(9);
    for _ in 0..100 {
        let p = ports.allocate_next(&mut rng).unwrap();
        assert!((30086..=32767).contains(&p), "{p}");
    }
    let mut tiny = NodePortAllocator::new(30000, 30001);
    tiny.allocate_next(&mut rng).unwrap();
    tiny.allocate_next(&mut rng).unwrap();
    assert_eq!(tiny.allocate_next(&mut rng), Err(PortAllocError::Full));
}

fn svc(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

#[test]
fn service_create_allocation() {
    let mut ips = ClusterIpAllocator::default();
    let mut ports = NodePortAllocator::default();
    let mut rng = Rng::seed_from_u64(5);

    let mut s = svc(
        "web",
        json!({"type": "ClusterIP", "selector": {"app": "web"}, "ports": [{"port": 80}]}),
    );
    let note = allocate_create(&mut s, &mut ips, &mut ports, &mut rng).unwrap();
    let ip = s["spec"]["clusterIP"].as_str().unwrap().to_string();
    assert_eq!(s["spec"]["clusterIPs"], json!([ip]));
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(s["spec"]["ipFamilyPolicy"], "SingleStack");
    assert_eq!(note, format!("allocated clusterIP {ip}"));

    let mut dns = svc(
        "kube-dns",
        json!({"clusterIP": "10.96.0.10", "ports": [{"port": 53}]}),
    );
    allocate_create(&mut dns, &mut ips, &mut ports, &mut rng).unwrap();
    assert_eq!(dns["spec"]["clusterIPs"], json!(["10.96.0.10"]));
    let mut clash = svc(
        "other",
        json!({"clusterIP": "10.96.0.10", "ports": [{"port": 53}]}),
    );
    let e = allocate_create(&mut clash, &mut ips, &mut ports, &mut rng).unwrap_err();
    assert_eq!(e.code, 422);
    assert_eq!(
        e.message,
        r#"Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"#
    );
    assert_eq!(
        e.to_status()["details"]["causes"][0]["field"],
        "spec.clusterIPs"
    );

    let mut np = svc(
        "np",
        json!({"type": "NodePort", "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}, {"port": 80, "nodePort": 30080}]}),
    );
    allocate_create(&mut np, &mut ips, &mut ports, &mut rng).unwrap();
    let p0 = np["spec"]["ports"][0]["nodePort"].as_i64().unwrap();
    assert_eq!(
        np["spec"]["ports"][1]["nodePort"], p0,
        "ports with the same number share a node port"
    );
    assert_eq!(np["spec"]["ports"][2]["nodePort"], 30080);
    assert!(ports.has(30080) && ports.has(p0));

    let used_before = (ips.used(), ports.used());
    let mut dup = svc(
        "dup",
        json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}),
    );
    let e = allocate_create(&mut dup, &mut ips, &mut ports, &mut rng).unwrap_err();
    assert_eq!(
        e.message,
        r#"Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"#
    );
    assert_eq!(
        (ips.used(), ports.used()),
        used_before,
        "a failed create releases what it took"
    );

    let mut headless = svc(
        "db",
        json!({"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 5432}]}),
    );
    allocate_create(&mut headless, &mut ips, &mut ports, &mut rng).unwrap();
    assert_eq!(headless["spec"]["clusterIPs"], json!(["None"]));
    assert_eq!(headless["spec"]["ipFamilyPolicy"], "SingleStack");
    let mut selectorless = svc(
        "ext",
        json!({"clusterIP": "None", "ports": [{"port": 5432}]}),
    );
    allocate_create(&mut selectorless, &mut ips, &mut ports, &mut rng).unwrap();
    assert_eq!(selectorless["spec"]["ipFamilyPolicy"], "RequireDualStack");

    let mut dual = svc(
        "dual",
        json!({"ipFamilyPolicy": "RequireDualStack", "selector": {"a": "b"}, "ports": [{"port": 80}]}),
    );
    assert_eq!(
        allocate_create(&mut dual, &mut ips, &mut ports, &mut rng)
            .unwrap_err()
            .message,
        r#"Service "dual" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services"#
    );

    let mut lb = svc(
        "lb",
        json!({"type": "LoadBalancer", "externalTrafficPolicy": "Local", "allocateLoadBalancerNodePorts": true, "ports": [{"port": 443}]}),
    );
    allocate_create(&mut lb, &mut ips, &mut ports, &mut rng).unwrap();
    assert!(lb["spec"]["healthCheckNodePort"].as_i64().is_some());

    release(&np, &mut ips, &mut ports);
    assert!(!ports.has(30080) && !ports.has(p0));
    assert!(!ips.has(np["spec"]["clusterIP"].as_str().unwrap()));

    let serialized = serde_json::to_string(&ips).unwrap();
    let restored: ClusterIpAllocator = serde_json::from_str(&serialized).unwrap();
    assert_eq!(restored, ips, "allocator state is serialisable");
}
