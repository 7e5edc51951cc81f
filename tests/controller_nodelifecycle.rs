//! The node lifecycle and taint eviction controllers: a node whose lease stops being renewed
//! goes Unknown, is tainted unreachable, and loses its pods when their toleration runs out;
//! the ReplicaSet replaces them.

mod controller_support;

use controller_support::*;
use kubestep::apiserver::request::HttpRequest;
use serde_json::{json, Value};

fn node(h: &mut Harness, name: &str) {
    let now = h.sim.now().rfc3339();
    h.create(
        "/api/v1/nodes",
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}),
    );
    let (s, b) = h.call(
        HttpRequest::new("PATCH", &format!("/api/v1/nodes/{name}/status"))
            .header("Content-Type", "application/merge-patch+json")
            .body(
                json!({"status": {"conditions": [{
                    "type": "Ready", "status": "True", "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                    "lastHeartbeatTime": now, "lastTransitionTime": now
                }]}})
                .to_string(),
            ),
    );
    assert_eq!(s, 200, "{b}");
    h.create(
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
        json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
               "metadata": {"name": name},
               "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                        "renewTime": h.sim.now().rfc3339_micros()}}),
    );
}

fn renew(h: &mut Harness, name: &str) {
    let t = h.sim.now().rfc3339_micros();
    h.patch(
        &format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}"),
        json!({"spec": {"renewTime": t}}),
    );
}

fn ready(node: &Value) -> Value {
    node["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap()
        .clone()
}

#[test]
fn a_node_whose_lease_stops_is_unreachable_and_its_pods_are_evicted_after_300s() {
    let seed = 21;
    let mut h = Harness::new(seed);
    node(&mut h, "node-1");
    h.create(
        "/apis/apps/v1/namespaces/default/deployments",
        deployment("web", 2, "nginx"),
    );
    h.run_pods("default", "node-1");
    // The kubelet renews every 10 s for a while: the node stays Ready.
    for _ in 0..6 {
        h.advance(10);
        renew(&mut h, "node-1");
    }
    let (_, n) = h.get("/api/v1/nodes/node-1");
    assert_eq!(ready(&n)["status"], "True", "seed {seed}");
    // Then it stops. Within the 50 s grace period nothing happens...
    h.advance(45);
    let (_, n) = h.get("/api/v1/nodes/node-1");
    assert_eq!(ready(&n)["status"], "True", "seed {seed}");
    // ...after it, the node is Unknown and tainted.
    h.advance(10);
    let (_, n) = h.get("/api/v1/nodes/node-1");
    let r = ready(&n);
    assert_eq!(r["status"], "Unknown", "seed {seed}: {n}");
    assert_eq!(r["reason"], "NodeStatusUnknown");
    assert_eq!(r["message"], "Kubelet stopped posting node status.");
    let taints: Vec<(String, String)> = n["spec"]["taints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_string(),
                t["effect"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        taints.contains(&("node.kubernetes.io/unreachable".into(), "NoExecute".into())),
        "{taints:?}"
    );
    assert!(
        taints.contains(&("node.kubernetes.io/unreachable".into(), "NoSchedule".into())),
        "{taints:?}"
    );
    let before = names(&live_pods(&mut h, "default"));
    assert_eq!(before.len(), 2);
    // The pods tolerate unreachable for 300 s (DefaultTolerationSeconds).
    h.advance(290);
    assert_eq!(names(&live_pods(&mut h, "default")), before, "seed {seed}");
    h.advance(15);
    let after = live_pods(&mut h, "default");
    assert_eq!(after.len(), 2, "seed {seed}: replaced");
    for p in &after {
        let n = p["metadata"]["name"].as_str().unwrap().to_string();
        assert!(
            !before.contains(&n),
            "seed {seed}: {n} was evicted and replaced"
        );
    }
    let evicted = h
        .pods("default")
        .into_iter()
        .find(|p| before.contains(&p["metadata"]["name"].as_str().unwrap().to_string()));
    if let Some(p) = evicted {
        assert!(p["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "DisruptionTarget" && c["reason"] == "DeletionByTaintManager"));
    }
}
