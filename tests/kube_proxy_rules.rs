//! kube-proxy renders the nat table of the iptables proxier from the Services and
//! EndpointSlices it watches, byte for byte as `iptables-save -t nat` prints it.

use kubestep::apiserver::request::HttpRequest;
use kubestep::kube_proxy::iptables::service_chain;
use kubestep::kube_proxy::KubeProxy;
use kubestep::sim::{Addr, Message, Sim, SimConfig, SimDuration};
use serde_json::json;

fn admin(sim: &mut Sim, req: HttpRequest) {
    let id = 2_000_000 + sim.trace().len() as u64;
    sim.inject(
        Addr::Client("admin".into()),
        Addr::ApiServer,
        Message::HttpRequest {
            id,
            request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
        },
    );
    sim.advance(SimDuration::from_millis(50));
}

#[test]
fn chain_names_are_kube_proxys_hashes() {
    assert_eq!(
        service_chain("default/kubernetes:https", "TCP"),
        "KUBE-SVC-NPX46M4PTMTKRN6Y"
    );
    assert_eq!(
        service_chain("ns1/svc1:p80", "tcp"),
        "KUBE-SVC-XPGD46QRK7WJZT7O"
    );
}

#[test]
fn cluster_ip_and_node_port_services_with_two_endpoints() {
    let seed = 31;
    let mut sim = Sim::new(SimConfig::default(), seed);
    sim.advance(SimDuration::from_secs(2));
    admin(&mut sim, HttpRequest::new("POST", "/api/v1/namespaces/default/services").json_body(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"clusterIP": "10.96.100.10", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}})));
    admin(&mut sim, HttpRequest::new("POST", "/api/v1/namespaces/default/services").json_body(json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "shop"},
        "spec": {"type": "NodePort", "clusterIP": "10.96.100.20", "selector": {"app": "shop"}, "ports": [{"name": "http", "port": 8080, "targetPort": 80, "nodePort": 30080}]}})));
    for (name, svc, port_name, port) in [
        ("web-abcde", "web", "", 80),
        ("shop-fghij", "shop", "http", 80),
    ] {
        admin(&mut sim, HttpRequest::new("POST", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices").json_body(json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4",
            "endpoints": [
                {"addresses": ["10.244.1.2"], "conditions": {"ready": true}, "nodeName": "worker-1"},
                {"addresses": ["10.244.2.2"], "conditions": {"ready": true}, "nodeName": "worker-2"}],
            "ports": [{"name": port_name, "port": port, "protocol": "TCP"}]})));
    }
    let proxy = sim
        .actor::<KubeProxy>(&Addr::KubeProxy("worker-1".into()))
        .unwrap();
    assert!(proxy.synced(), "seed {seed}");
    let got = proxy.iptables_save();
    let want = include_str!("golden/kube_proxy_nat.txt");
    assert_eq!(got, want, "seed {seed}\n{got}");
}
