//! The kubelet as a client of the API server: it registers its Node, renews its Lease, runs
//! the pods bound to it through the simulated container runtime, reports their status and
//! Events, backs off failing pulls and crashing containers, and terminates pods gracefully.

use std::sync::Arc;

use kubestep::apiserver::request::HttpRequest;
use kubestep::apiserver::server::KubeApiServer;
use kubestep::kubelet::Kubelet;
use kubestep::sim::{Addr, Message, Sim, SimConfig, SimDuration};
use serde_json::{json, Value};

fn admin(sim: &mut Sim, req: HttpRequest) {
    let id = 1_000_000 + sim.trace().len() as u64;
    sim.inject(
        Addr::Client("admin".into()),
        Addr::ApiServer,
        Message::HttpRequest {
            id,
            request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
        },
    );
}

fn cached(sim: &Sim, prefix: &str, key: &str) -> Option<Arc<Value>> {
    let api = sim.actor::<KubeApiServer>(&Addr::ApiServer).unwrap();
    api.caches().get(prefix)?.objects.get(key).cloned()
}

fn events(sim: &Sim, pod: &str) -> Vec<(String, String)> {
    let api = sim.actor::<KubeApiServer>(&Addr::ApiServer).unwrap();
    let mut evs: Vec<&Arc<Value>> = api.caches()["/registry/events/"]
        .objects
        .values()
        .filter(|e| e["involvedObject"]["name"] == pod)
        .collect();
    evs.sort_by_key(|e| e["metadata"]["name"].as_str().unwrap_or("").to_string());
    evs.iter()
        .map(|e| {
            (
                e["reason"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The one Event with `reason` about `pod`.
fn event(sim: &Sim, pod: &str, reason: &str) -> Arc<Value> {
    let api = sim.actor::<KubeApiServer>(&Addr::ApiServer).unwrap();
    let found: Vec<&Arc<Value>> = api.caches()["/registry/events/"]
        .objects
        .values()
        .filter(|e| e["involvedObject"]["name"] == pod && e["reason"] == reason)
        .collect();
    assert_eq!(found.len(), 1, "one {reason} event for {pod}");
    found[0].clone()
}

fn cluster(seed: u64) -> Sim {
    let mut sim = Sim::new(SimConfig::default(), seed);
    sim.advance(SimDuration::from_secs(2));
    sim
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

fn create(sim: &mut Sim, body: Value) {
    admin(
        sim,
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(body),
    );
}

#[test]
fn each_kubelet_registers_its_node_with_the_real_shape() {
    let seed = 11;
    let sim = cluster(seed);
    let node = cached(&sim, "/registry/minions/", "/registry/minions/worker-1")
        .unwrap_or_else(|| panic!("worker-1 registered (seed {seed})"));
    assert_eq!(
        node["metadata"]["labels"]["topology.kubernetes.io/zone"],
        "a-zone"
    );
    assert_eq!(
        node["metadata"]["labels"]["kubernetes.io/hostname"],
        "worker-1"
    );
    assert_eq!(node["spec"]["podCIDR"], "10.244.1.0/24");
    assert_eq!(node["status"]["capacity"]["cpu"], "4");
    assert_eq!(node["status"]["allocatable"]["pods"], "110");
    assert_eq!(
        node["status"]["addresses"][0],
        json!({"type": "InternalIP", "address": "172.18.0.3"})
    );
    assert_eq!(node["status"]["nodeInfo"]["kubeletVersion"], "v1.33.1");
    let ready = node["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap();
    assert_eq!(ready["status"], "True");
    assert_eq!(ready["reason"], "KubeletReady");
    let w2 = cached(&sim, "/registry/minions/", "/registry/minions/worker-2").unwrap();
    assert_eq!(
        w2["metadata"]["labels"]["topology.kubernetes.io/zone"],
        "b-zone"
    );
    let cp = cached(
        &sim,
        "/registry/minions/",
        "/registry/minions/control-plane",
    )
    .unwrap();
    assert_eq!(
        cp["spec"]["taints"][0]["key"],
        "node-role.kubernetes.io/control-plane"
    );
    assert_eq!(cp["spec"]["taints"][0]["effect"], "NoSchedule");
    let k = sim
        .actor::<Kubelet>(&Addr::Kubelet("worker-1".into()))
        .unwrap();
    assert!(k.registered, "seed {seed}");
}

#[test]
fn the_lease_is_renewed_every_ten_seconds_and_stops_when_the_kubelet_stops() {
    let seed = 12;
    let mut sim = cluster(seed);
    let key = "/registry/leases/kube-node-lease/worker-1";
    let lease = cached(&sim, "/registry/leases/", key)
        .unwrap_or_else(|| panic!("lease created (seed {seed})"));
    assert_eq!(lease["spec"]["holderIdentity"], "worker-1");
    assert_eq!(lease["spec"]["leaseDurationSeconds"], 40);
    let node = cached(&sim, "/registry/minions/", "/registry/minions/worker-1").unwrap();
    assert_eq!(lease["metadata"]["ownerReferences"][0]["kind"], "Node");
    assert_eq!(
        lease["metadata"]["ownerReferences"][0]["uid"],
        node["metadata"]["uid"]
    );
    let first = lease["spec"]["renewTime"].as_str().unwrap().to_string();
    assert!(
        first.ends_with('Z') && first.contains('.'),
        "MicroTime: {first}"
    );
    let renewals = |sim: &Sim| {
        sim.actor::<Kubelet>(&Addr::Kubelet("worker-1".into()))
            .unwrap()
            .lease_renewals
    };
    let before = renewals(&sim);
    sim.advance(SimDuration::from_secs(30));
    assert_eq!(
        renewals(&sim),
        before + 3,
        "three renewals in 30 s (seed {seed})"
    );
    let renewed = cached(&sim, "/registry/leases/", key).unwrap();
    assert_ne!(renewed["spec"]["renewTime"], lease["spec"]["renewTime"]);

    sim.stop_actor(&Addr::Kubelet("worker-1".into()));
    let stale = cached(&sim, "/registry/leases/", key).unwrap();
    sim.advance(SimDuration::from_secs(60));
    assert_eq!(
        cached(&sim, "/registry/leases/", key).unwrap()["spec"],
        stale["spec"],
        "seed {seed}"
    );
    sim.start_actor(&Addr::Kubelet("worker-1".into()));
    sim.advance(SimDuration::from_secs(11));
    assert_ne!(
        cached(&sim, "/registry/leases/", key).unwrap()["spec"]["renewTime"],
        stale["spec"]["renewTime"],
        "seed {seed}"
    );
}

#[test]
fn a_partitioned_node_stops_renewing_its_lease() {
    let seed = 13;
    let mut sim = cluster(seed);
    let key = "/registry/leases/kube-node-lease/worker-2";
    sim.partition(&Addr::Kubelet("worker-2".into()), &Addr::ApiServer);
    sim.advance(SimDuration::from_secs(1));
    let stale = cached(&sim, "/registry/leases/", key).unwrap();
    sim.advance(SimDuration::from_secs(45));
    assert_eq!(
        cached(&sim, "/registry/leases/", key).unwrap()["spec"],
        stale["spec"],
        "seed {seed}"
    );
    sim.heal(&Addr::Kubelet("worker-2".into()), &Addr::ApiServer);
    sim.advance(SimDuration::from_secs(25));
    assert_ne!(
        cached(&sim, "/registry/leases/", key).unwrap()["spec"]["renewTime"],
        stale["spec"]["renewTime"],
        "seed {seed}"
    );
}

#[test]
fn a_bound_pod_goes_from_pending_to_running_with_its_status_and_events() {
    let seed = 21;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "web",
            json!({"nodeName": "worker-1", "containers": [{"name": "nginx", "image": "nginx:1.27"}]}),
        ),
    );
    sim.advance(SimDuration::from_millis(20));
    let p = cached(&sim, "/registry/pods/", "/registry/pods/default/web").unwrap();
    assert_eq!(p["status"]["phase"], "Pending", "seed {seed}");
    assert_eq!(
        p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
        "ContainerCreating"
    );
    sim.advance(SimDuration::from_secs(5));
    let p = cached(&sim, "/registry/pods/", "/registry/pods/default/web").unwrap();
    let st = &p["status"];
    assert_eq!(st["phase"], "Running", "seed {seed}: {st}");
    assert_eq!(st["podIP"], "10.244.1.2");
    assert_eq!(st["podIPs"], json!([{"ip": "10.244.1.2"}]));
    assert_eq!(st["hostIP"], "172.18.0.3");
    assert_eq!(st["hostIPs"], json!([{"ip": "172.18.0.3"}]));
    assert!(st["startTime"].is_string());
    assert_eq!(st["qosClass"], "BestEffort");
    let types: Vec<&str> = st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled"
        ]
    );
    assert!(st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "True"));
    let cs = &st["containerStatuses"][0];
    assert_eq!(cs["image"], "docker.io/library/nginx:1.27");
    assert!(cs["imageID"]
        .as_str()
        .unwrap()
        .starts_with("docker.io/library/nginx@sha256:"));
    assert!(cs["containerID"]
        .as_str()
        .unwrap()
        .starts_with("containerd://"));
    assert_eq!(cs["ready"], true);
    assert_eq!(cs["started"], true);
    assert_eq!(cs["restartCount"], 0);
    assert!(cs["state"]["running"]["startedAt"].is_string());
    let evs = events(&sim, "web");
    let reasons: Vec<&str> = evs.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        reasons,
        ["Pulling", "Pulled", "Created", "Started"],
        "seed {seed}"
    );
    assert_eq!(evs[0].1, "Pulling image \"nginx:1.27\"");
    assert_eq!(evs[1].1, "Successfully pulled image \"nginx:1.27\" in 1.458s (1.458s including waiting). Image size: 72938434 bytes.");
    assert_eq!(evs[2].1, "Created container: nginx");
    assert_eq!(evs[3].1, "Started container nginx");
    // The step-10 status write is in the trace.
    assert!(sim
        .trace()
        .entries()
        .iter()
        .any(|e| e.step == Some(10) && e.from == Addr::Kubelet("worker-1".into())));
    // The kubelet keeps the container's log.
    let k = sim
        .actor::<Kubelet>(&Addr::Kubelet("worker-1".into()))
        .unwrap();
    let log = k.logs("default", "web", None).unwrap();
    assert!(
        log.contains("Configuration complete; ready for start up"),
        "{log}"
    );
    // The node reports its new image within a node-status beat (ImageLocality reads it).
    sim.advance(SimDuration::from_secs(10));
    let node = cached(&sim, "/registry/minions/", "/registry/minions/worker-1").unwrap();
    let images = node["status"]["images"].as_array().unwrap();
    assert_eq!(
        images[0]["names"][1], "docker.io/library/nginx:1.27",
        "seed {seed}"
    );
    assert_eq!(images[0]["sizeBytes"], 72938434);
    // A second pod with the same image finds it cached.
    create(
        &mut sim,
        pod(
            "web2",
            json!({"nodeName": "worker-1", "containers": [{"name": "nginx", "image": "nginx:1.27"}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(2));
    assert_eq!(
        events(&sim, "web2")[0].1,
        "Container image \"nginx:1.27\" already present on machine"
    );
    let p2 = cached(&sim, "/registry/pods/", "/registry/pods/default/web2").unwrap();
    assert_eq!(p2["status"]["podIP"], "10.244.1.3");
}

#[test]
fn an_image_that_cannot_be_pulled_backs_off() {
    let seed = 22;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "bad",
            json!({"nodeName": "worker-2", "containers": [{"name": "c", "image": "nginx:doesnotexist"}]}),
        ),
    );
    sim.advance(SimDuration::from_millis(800));
    let waiting = |sim: &Sim| {
        cached(sim, "/registry/pods/", "/registry/pods/default/bad").unwrap()["status"]
            ["containerStatuses"][0]["state"]["waiting"]
            .clone()
    };
    assert_eq!(waiting(&sim)["reason"], "ErrImagePull", "seed {seed}");
    assert!(waiting(&sim)["message"]
        .as_str()
        .unwrap()
        .contains("docker.io/library/nginx:doesnotexist: not found"));
    sim.advance(SimDuration::from_secs(2));
    assert_eq!(waiting(&sim)["reason"], "ImagePullBackOff", "seed {seed}");
    assert!(waiting(&sim)["message"]
        .as_str()
        .unwrap()
        .starts_with("Back-off pulling image \"nginx:doesnotexist\""));
    // 10 s after the first failure it pulls again, fails, and waits 20 s.
    sim.advance(SimDuration::from_secs(9));
    let pulls = |sim: &Sim| event(sim, "bad", "Pulling")["count"].as_u64().unwrap();
    assert_eq!(pulls(&sim), 2, "seed {seed}");
    sim.advance(SimDuration::from_secs(15));
    assert_eq!(pulls(&sim), 2, "still backing off (seed {seed})");
    sim.advance(SimDuration::from_secs(10));
    assert_eq!(pulls(&sim), 3, "seed {seed}");
    let evs = events(&sim, "bad");
    assert!(evs.contains(&("Failed".into(), "Error: ErrImagePull".into())));
    assert!(evs.contains(&("Failed".into(), "Error: ImagePullBackOff".into())));
    assert!(evs.contains(&(
        "BackOff".into(),
        "Back-off pulling image \"nginx:doesnotexist\"".into()
    )));
    assert_eq!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/bad").unwrap()["status"]["phase"],
        "Pending"
    );
}

#[test]
fn a_crashing_container_goes_into_crash_loop_back_off() {
    let seed = 23;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "crash",
            json!({"nodeName": "worker-1", "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sh", "-c", "exit 1"]}]}),
        ),
    );
    let status = |sim: &Sim| {
        cached(sim, "/registry/pods/", "/registry/pods/default/crash").unwrap()["status"]
            ["containerStatuses"][0]
            .clone()
    };
    sim.advance(SimDuration::from_secs(2));
    // The first exit restarts at once; the second waits 10 s.
    let cs = status(&sim);
    assert_eq!(cs["restartCount"], 1, "seed {seed}: {cs}");
    assert_eq!(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert!(cs["state"]["waiting"]["message"]
        .as_str()
        .unwrap()
        .starts_with("back-off 10s restarting failed container=c pod=crash_default("));
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(cs["lastState"]["terminated"]["reason"], "Error");
    sim.advance(SimDuration::from_secs(10));
    let cs = status(&sim);
    assert_eq!(cs["restartCount"], 2, "seed {seed}: {cs}");
    assert!(cs["state"]["waiting"]["message"]
        .as_str()
        .unwrap()
        .starts_with("back-off 20s"));
    sim.advance(SimDuration::from_secs(20));
    assert_eq!(status(&sim)["restartCount"], 3, "seed {seed}");
    assert!(events(&sim, "crash").iter().any(|(r, m)| r == "BackOff"
        && m.starts_with("Back-off restarting failed container c in pod crash_default(")));
    // Repeated events are one Event with a count, as the recorder's correlator makes them.
    let started = event(&sim, "crash", "Started");
    assert_eq!(started["count"], 4, "seed {seed}");
    assert_eq!(
        started["source"],
        json!({"component": "kubelet", "host": "worker-1"})
    );
    assert_eq!(started["reportingComponent"], "kubelet");
    assert_eq!(started["reportingInstance"], "worker-1");
    assert_eq!(started["involvedObject"]["fieldPath"], "spec.containers{c}");
    assert_eq!(started["type"], "Normal");
    assert_eq!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/crash").unwrap()["status"]["phase"],
        "Running"
    );
}

#[test]
fn a_failing_readiness_probe_keeps_the_pod_unready() {
    let seed = 24;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "unready",
            json!({"nodeName": "worker-1", "containers": [{"name": "c", "image": "nginx:1.27", "readinessProbe": {"exec": {"command": ["false"]}}}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(5));
    let st = cached(&sim, "/registry/pods/", "/registry/pods/default/unready").unwrap()["status"]
        .clone();
    assert_eq!(st["phase"], "Running", "seed {seed}");
    let ready = st["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap()
        .clone();
    assert_eq!(ready["status"], "False");
    assert_eq!(ready["reason"], "ContainersNotReady");
    assert_eq!(ready["message"], "containers with unready status: [c]");
    assert_eq!(st["containerStatuses"][0]["ready"], false);
}

#[test]
fn a_deleted_pod_is_terminated_gracefully_then_removed() {
    let seed = 25;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "web",
            json!({"nodeName": "worker-1", "containers": [{"name": "nginx", "image": "nginx:1.27"}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(5));
    admin(
        &mut sim,
        HttpRequest::new("DELETE", "/api/v1/namespaces/default/pods/web"),
    );
    sim.advance(SimDuration::from_millis(20));
    let p = cached(&sim, "/registry/pods/", "/registry/pods/default/web").unwrap();
    assert!(
        p["metadata"]["deletionTimestamp"].is_string(),
        "seed {seed}"
    );
    sim.advance(SimDuration::from_secs(1));
    assert!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/web").is_none(),
        "seed {seed}"
    );
    assert!(events(&sim, "web").contains(&("Killing".into(), "Stopping container nginx".into())));
    let del = sim.trace().entries().iter().find(|e| {
        e.from == Addr::Kubelet("worker-1".into()) && e.method.as_deref() == Some("DELETE")
    });
    assert!(del.is_some(), "the kubelet deleted the pod (seed {seed})");
}

#[test]
fn a_process_ignoring_sigterm_is_killed_after_the_grace_period() {
    let seed = 26;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "sleepy",
            json!({"nodeName": "worker-2", "terminationGracePeriodSeconds": 5, "containers": [{"name": "c", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(3));
    admin(
        &mut sim,
        HttpRequest::new("DELETE", "/api/v1/namespaces/default/pods/sleepy"),
    );
    sim.advance(SimDuration::from_secs(4));
    assert!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/sleepy").is_some(),
        "seed {seed}"
    );
    sim.advance(SimDuration::from_secs(2));
    assert!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/sleepy").is_none(),
        "seed {seed}"
    );
}

#[test]
fn the_control_plane_kubelet_keeps_the_static_pods_mirrors_running() {
    let seed = 27;
    let sim = cluster(seed);
    for c in [
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
    ] {
        let key = format!("/registry/pods/kube-system/{c}-control-plane");
        let p =
            cached(&sim, "/registry/pods/", &key).unwrap_or_else(|| panic!("{key} (seed {seed})"));
        assert_eq!(p["status"]["phase"], "Running");
        assert!(p["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string());
    }
}

#[test]
fn pod_logs_are_read_from_the_kubelet_through_the_api_server() {
    let seed = 28;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "web",
            json!({"nodeName": "worker-1", "containers": [{"name": "nginx", "image": "nginx:1.27"}]}),
        ),
    );
    create(
        &mut sim,
        pod(
            "bad",
            json!({"nodeName": "worker-2", "containers": [{"name": "c", "image": "nginx:doesnotexist"}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(5));
    let ask = |sim: &mut Sim, path: &str| {
        let id = 7_000_000 + sim.trace().len() as u64;
        sim.inject(
            Addr::Client("admin".into()),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: HttpRequest::new("GET", path)
                    .certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
            },
        );
        sim.advance(SimDuration::from_millis(50));
        sim.trace()
            .entries()
            .iter()
            .rev()
            .find(|e| e.to == Addr::Client("admin".into()) && e.kind == "http-response")
            .map(|e| (e.status, e.summary.clone()))
            .unwrap()
    };
    let (status, _) = ask(&mut sim, "/api/v1/namespaces/default/pods/web/log");
    assert_eq!(status, Some(200), "seed {seed}");
    assert!(sim
        .trace()
        .entries()
        .iter()
        .any(|e| e.from == Addr::ApiServer
            && e.to == Addr::Kubelet("worker-1".into())
            && e.path.as_deref() == Some("/containerLogs/default/web/nginx")));
    let (status, summary) = ask(&mut sim, "/api/v1/namespaces/default/pods/bad/log");
    assert_eq!(status, Some(400), "seed {seed}");
    assert!(
        summary.contains("is waiting to start: trying and failing to pull image"),
        "{summary}"
    );
}

#[test]
fn a_restarted_kubelet_relists_and_runs_what_was_bound_while_it_was_down() {
    let seed = 29;
    let mut sim = cluster(seed);
    let kubelet = Addr::Kubelet("worker-1".into());
    sim.stop_actor(&kubelet);
    create(
        &mut sim,
        pod(
            "late",
            json!({"nodeName": "worker-1", "containers": [{"name": "nginx", "image": "nginx:1.27"}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(5));
    let phase = |sim: &Sim| {
        cached(sim, "/registry/pods/", "/registry/pods/default/late").unwrap()["status"]["phase"]
            .clone()
    };
    assert_ne!(phase(&sim), "Running", "nobody ran it (seed {seed})");
    assert!(sim
        .trace()
        .entries()
        .iter()
        .any(|e| e.to == kubelet && e.summary.starts_with("dropped: ")));
    sim.start_actor(&kubelet);
    sim.advance(SimDuration::from_secs(5));
    assert_eq!(phase(&sim), "Running", "seed {seed}");
}

#[test]
fn a_pod_deleted_during_a_partition_is_terminated_once_the_node_reconnects() {
    let seed = 30;
    let mut sim = cluster(seed);
    create(
        &mut sim,
        pod(
            "web",
            json!({"nodeName": "worker-2", "containers": [{"name": "nginx", "image": "nginx:1.27"}]}),
        ),
    );
    sim.advance(SimDuration::from_secs(5));
    kubestep::cluster::partition_node(&mut sim, "worker-2");
    admin(
        &mut sim,
        HttpRequest::new("DELETE", "/api/v1/namespaces/default/pods/web"),
    );
    sim.advance(SimDuration::from_secs(30));
    assert!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/web").is_some(),
        "seed {seed}"
    );
    kubestep::cluster::heal_node(&mut sim, "worker-2");
    sim.advance(SimDuration::from_secs(20));
    assert!(
        cached(&sim, "/registry/pods/", "/registry/pods/default/web").is_none(),
        "seed {seed}"
    );
}
