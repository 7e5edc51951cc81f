//! kube-controller-manager's DaemonSet controller in a whole cluster: one pod per eligible
//! node, placed by kube-scheduler through the node affinity the controller pins it with, its
//! history in ControllerRevisions, rolling and on-delete updates, nodes joining and changing
//! labels, and the garbage collector cleaning up after the DaemonSet.

mod workload_support;

use kubestep::apiserver::request::HttpRequest;
use kubestep::cluster::NodeConfig;
use kubestep::kubelet::Kubelet;
use serde_json::{json, Value};
use workload_support::*;

const DS: &str = "/apis/apps/v1/namespaces/default/daemonsets";

fn daemonset(name: &str, image: &str, spec_extra: Value) -> Value {
    let mut spec = json!({"containers": [{"name": "c", "image": image}]});
    for (k, v) in spec_extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec}
        }
    })
}

/// Pods of DaemonSet `ds` by node (`""` for a pod not yet scheduled).
fn pods_by_node(c: &Cluster, ns: &str, ds: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = c
        .live_pods(ns)
        .iter()
        .filter(|p| p["metadata"]["ownerReferences"][0]["name"] == ds)
        .map(|p| {
            (
                p["spec"]["nodeName"].as_str().unwrap_or("").to_string(),
                name(p).to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn nodes_of(c: &Cluster, ns: &str, ds: &str) -> Vec<String> {
    pods_by_node(c, ns, ds)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

fn ds_status(c: &Cluster, ns: &str, ds: &str) -> Value {
    c.get("/registry/daemonsets/", &format!("{ns}/{ds}"))
        .map(|d| d["status"].clone())
        .unwrap_or(Value::Null)
}

fn revisions(c: &Cluster, ns: &str) -> Vec<std::sync::Arc<Value>> {
    c.cached("/registry/controllerrevisions/")
        .into_iter()
        .filter(|r| r["metadata"]["namespace"] == ns)
        .collect()
}

#[test]
fn the_website_fluentd_daemonset_runs_one_pod_on_each_worker_and_none_on_the_control_plane() {
    let seed = 51;
    let mut c = Cluster::new(seed);
    c.apply_file("website-examples/controllers/daemonset.yaml");
    c.advance(5);
    let ds = "fluentd-elasticsearch";
    let placed = pods_by_node(&c, "kube-system", ds);
    assert_eq!(
        placed.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["worker-1", "worker-2"],
        "seed {seed}: it tolerates node-role.kubernetes.io/master, not the control plane's taint"
    );
    let revs = revisions(&c, "kube-system");
    assert_eq!(revs.len(), 1, "seed {seed}");
    let rev = &revs[0];
    let hash = rev["metadata"]["labels"]["controller-revision-hash"]
        .as_str()
        .unwrap();
    assert_eq!(name(rev), format!("{ds}-{hash}"), "seed {seed}");
    assert_eq!(rev["revision"], 1);
    assert_eq!(rev["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
    assert_eq!(rev["data"]["spec"]["template"]["$patch"], "replace");
    for (node, pod_name) in &placed {
        assert!(
            pod_name.starts_with(&format!("{ds}-")),
            "seed {seed}: {pod_name}"
        );
        assert_eq!(pod_name.len(), ds.len() + 6, "seed {seed}: {pod_name}");
        let pod = c
            .get("/registry/pods/", &format!("kube-system/{pod_name}"))
            .unwrap();
        assert_eq!(pod["metadata"]["labels"]["controller-revision-hash"], hash);
        assert_eq!(pod["metadata"]["labels"]["pod-template-generation"], "1");
        // Scheduled by kube-scheduler, pinned by the required node affinity.
        assert_eq!(
            pod["spec"]["affinity"]["nodeAffinity"]
                ["requiredDuringSchedulingIgnoredDuringExecution"],
            json!({"nodeSelectorTerms": [{"matchFields": [
                {"key": "metadata.name", "operator": "In", "values": [node]}]}]}),
            "seed {seed}"
        );
        let tolerations: Vec<String> = pod["spec"]["tolerations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                format!(
                    "{}:{}",
                    t["key"].as_str().unwrap(),
                    t["effect"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            tolerations,
            [
                "node-role.kubernetes.io/master:NoSchedule",
                "node.kubernetes.io/not-ready:NoExecute",
                "node.kubernetes.io/unreachable:NoExecute",
                "node.kubernetes.io/disk-pressure:NoSchedule",
                "node.kubernetes.io/memory-pressure:NoSchedule",
                "node.kubernetes.io/pid-pressure:NoSchedule",
                "node.kubernetes.io/unschedulable:NoSchedule",
            ],
            "seed {seed}"
        );
        let scheduled = c.events("kube-system", pod_name);
        assert!(
            scheduled.iter().any(|(r, m)| r == "Scheduled"
                && m == &format!("Successfully assigned kube-system/{pod_name} to {node}")),
            "seed {seed}: {scheduled:?}"
        );
    }
    let mut created: Vec<String> = c
        .events("kube-system", ds)
        .into_iter()
        .filter(|(r, _)| r == "SuccessfulCreate")
        .map(|(_, m)| m)
        .collect();
    created.sort();
    let mut want: Vec<String> = placed
        .iter()
        .map(|(_, p)| format!("Created pod: {p}"))
        .collect();
    want.sort();
    assert_eq!(created, want, "seed {seed}");
    // The controller writes as its own service account, allowed by its bootstrap role.
    assert!(c
        .get(
            "/registry/serviceaccounts/",
            "kube-system/daemon-set-controller"
        )
        .is_some());
    assert!(
        c.sim.trace().entries().iter().any(|e| e
            .summary
            .contains("allowed by ClusterRoleBinding \"system:controller:daemon-set-controller\"")),
        "seed {seed}"
    );
    let status = ds_status(&c, "kube-system", ds);
    assert_eq!(status["desiredNumberScheduled"], 2, "seed {seed}: {status}");
    assert_eq!(status["currentNumberScheduled"], 2, "seed {seed}: {status}");
    assert_eq!(status["numberMisscheduled"], 0, "seed {seed}: {status}");
    assert_eq!(status["updatedNumberScheduled"], 2, "seed {seed}: {status}");
    assert_eq!(status["observedGeneration"], 1, "seed {seed}: {status}");
}

#[test]
fn daemon_pods_become_ready_and_a_rolling_update_keeps_max_unavailable() {
    let seed = 52;
    let mut c = Cluster::new(seed);
    c.create(&daemonset("agent", "nginx:1.26", json!({})));
    c.advance(10);
    let status = ds_status(&c, "default", "agent");
    assert_eq!(status["numberReady"], 2, "seed {seed}: {status}");
    assert_eq!(status["numberAvailable"], 2, "seed {seed}: {status}");
    assert!(
        status.get("numberUnavailable").is_none(),
        "seed {seed}: {status}"
    );
    let before = pods_by_node(&c, "default", "agent");

    c.send(
        HttpRequest::new("PATCH", &format!("{DS}/agent"))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}).to_string()),
    );
    // maxUnavailable 1: at every moment at least one of the two nodes has a ready pod, and
    // one node at a time goes without.
    let mut replaced = false;
    let mut saw_one_down = false;
    for _ in 0..600 {
        c.sim.advance(kubestep::sim::SimDuration::from_millis(50));
        let ready_nodes: std::collections::BTreeSet<String> = c
            .live_pods("default")
            .iter()
            .filter(|p| is_ready(p))
            .map(|p| p["spec"]["nodeName"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(
            !ready_nodes.is_empty(),
            "seed {seed}: both nodes lost their pod at {}",
            c.sim.now()
        );
        saw_one_down |= ready_nodes.len() == 1;
        let st = ds_status(&c, "default", "agent");
        if st["updatedNumberScheduled"] == 2 && st["numberAvailable"] == 2 {
            replaced = true;
            break;
        }
    }
    assert!(
        replaced,
        "seed {seed}: {}",
        ds_status(&c, "default", "agent")
    );
    assert!(
        saw_one_down,
        "seed {seed}: the update was watched while in progress"
    );
    let after = pods_by_node(&c, "default", "agent");
    assert_eq!(after.len(), 2, "seed {seed}");
    for ((n1, p1), (n2, p2)) in before.iter().zip(&after) {
        assert_eq!(n1, n2);
        assert_ne!(p1, p2, "seed {seed}: every pod was replaced");
    }
    let mut revs = revisions(&c, "default");
    revs.sort_by_key(|r| r["revision"].as_i64());
    assert_eq!(revs.len(), 2, "seed {seed}");
    assert_eq!(revs[1]["revision"], 2);
    let new_hash = revs[1]["metadata"]["labels"]["controller-revision-hash"].clone();
    for (_, p) in &after {
        let pod = c.get("/registry/pods/", &format!("default/{p}")).unwrap();
        assert_eq!(
            pod["metadata"]["labels"]["controller-revision-hash"],
            new_hash
        );
        assert_eq!(pod["spec"]["containers"][0]["image"], "nginx:1.27");
    }
    let deleted: Vec<String> = c
        .events("default", "agent")
        .into_iter()
        .filter(|(r, _)| r == "SuccessfulDelete")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(deleted.len(), 2, "seed {seed}: {deleted:?}");
    assert!(deleted.iter().all(|m| m.starts_with("Deleted pod: agent-")));
}

#[test]
fn a_new_node_gets_a_daemon_pod() {
    let seed = 53;
    let mut c = Cluster::new(seed);
    c.create(&daemonset("agent", "nginx", json!({})));
    c.advance(5);
    assert_eq!(
        nodes_of(&c, "default", "agent"),
        ["worker-1", "worker-2"],
        "seed {seed}"
    );
    c.sim.add_actor(Box::new(Kubelet::new(NodeConfig {
        name: "worker-3".into(),
        control_plane: false,
        zone: Some("a-zone".into()),
        internal_ip: "172.18.0.5".into(),
        pod_cidr: "10.244.3.0/24".into(),
        cpu: "4".into(),
        memory: "8148020Ki".into(),
        pods: 110,
    })));
    c.advance(10);
    assert_eq!(
        nodes_of(&c, "default", "agent"),
        ["worker-1", "worker-2", "worker-3"],
        "seed {seed}"
    );
    let status = ds_status(&c, "default", "agent");
    assert_eq!(status["desiredNumberScheduled"], 3, "seed {seed}: {status}");
    assert_eq!(status["numberReady"], 3, "seed {seed}: {status}");
}

#[test]
fn node_labels_decide_where_a_selecting_daemonset_runs() {
    let seed = 54;
    let mut c = Cluster::new(seed);
    c.create(&daemonset(
        "ssd",
        "nginx",
        json!({"nodeSelector": {"disk": "ssd"}}),
    ));
    c.advance(3);
    assert!(nodes_of(&c, "default", "ssd").is_empty(), "seed {seed}");
    assert_eq!(ds_status(&c, "default", "ssd")["desiredNumberScheduled"], 0);
    let label = |c: &mut Cluster, v: Value| {
        let (s, b) = c.call(
            HttpRequest::new("PATCH", "/api/v1/nodes/worker-2")
                .header("Content-Type", "application/merge-patch+json")
                .body(json!({"metadata": {"labels": {"disk": v}}}).to_string()),
        );
        assert_eq!(s, 200, "{b}");
    };
    label(&mut c, json!("ssd"));
    c.advance(5);
    assert_eq!(nodes_of(&c, "default", "ssd"), ["worker-2"], "seed {seed}");
    // The label goes: the pod must go (it no longer matches its node).
    label(&mut c, Value::Null);
    c.advance(1);
    assert!(nodes_of(&c, "default", "ssd").is_empty(), "seed {seed}");
    assert!(
        c.events("default", "ssd")
            .iter()
            .any(|(r, m)| r == "SuccessfulDelete" && m.starts_with("Deleted pod: ssd-")),
        "seed {seed}"
    );
}

#[test]
fn on_delete_replaces_a_pod_only_when_it_is_deleted() {
    let seed = 55;
    let mut c = Cluster::new(seed);
    let mut ds = daemonset("agent", "nginx:1.26", json!({}));
    ds["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
    c.create(&ds);
    c.advance(5);
    let (s, _) = c.call(
        HttpRequest::new("PATCH", &format!("{DS}/agent"))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}).to_string()),
    );
    assert_eq!(s, 200);
    c.advance(5);
    let status = ds_status(&c, "default", "agent");
    assert!(
        status.get("updatedNumberScheduled").is_none(),
        "seed {seed}: {status}"
    );
    let (_, victim) = pods_by_node(&c, "default", "agent")[0].clone();
    let (s, _) = c.call(HttpRequest::new(
        "DELETE",
        &format!("/api/v1/namespaces/default/pods/{victim}"),
    ));
    assert_eq!(s, 200);
    c.advance(40);
    let status = ds_status(&c, "default", "agent");
    assert_eq!(status["updatedNumberScheduled"], 1, "seed {seed}: {status}");
    assert_eq!(status["currentNumberScheduled"], 2, "seed {seed}: {status}");
}

#[test]
fn deleting_a_daemonset_deletes_its_pods_and_revisions() {
    let seed = 56;
    let mut c = Cluster::new(seed);
    c.create(&daemonset("agent", "nginx", json!({})));
    c.advance(5);
    assert_eq!(nodes_of(&c, "default", "agent").len(), 2, "seed {seed}");
    assert_eq!(revisions(&c, "default").len(), 1, "seed {seed}");
    let (s, _) = c.call(HttpRequest::new("DELETE", &format!("{DS}/agent")));
    assert_eq!(s, 200);
    c.advance(40);
    assert!(nodes_of(&c, "default", "agent").is_empty(), "seed {seed}");
    assert!(
        c.cached("/registry/pods/")
            .iter()
            .all(|p| p["metadata"]["ownerReferences"][0]["name"] != "agent"),
        "seed {seed}: the pods are gone, not only terminating"
    );
    assert!(revisions(&c, "default").is_empty(), "seed {seed}");
}

#[test]
fn a_daemon_pod_outlives_its_node_going_unreachable() {
    let seed = 57;
    let mut c = Cluster::new(seed);
    c.create(&daemonset("agent", "nginx", json!({})));
    c.advance(5);
    let on_worker_2 = pods_by_node(&c, "default", "agent")
        .into_iter()
        .find(|(n, _)| n == "worker-2")
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("seed {seed}: a pod on worker-2"));
    kubestep::cluster::partition_node(&mut c.sim, "worker-2");
    // Past the 50 s grace period the node is tainted unreachable:NoExecute; the daemon pod
    // tolerates that forever (no tolerationSeconds), where other pods go after 300 s.
    c.advance(420);
    let node = c.get("/registry/minions/", "worker-2").unwrap();
    assert!(
        node["spec"]["taints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["effect"] == "NoExecute"),
        "seed {seed}: {}",
        node["spec"]
    );
    let pod = c
        .get("/registry/pods/", &format!("default/{on_worker_2}"))
        .unwrap_or_else(|| panic!("seed {seed}: {on_worker_2} was evicted"));
    assert!(
        pod.pointer("/metadata/deletionTimestamp").is_none(),
        "seed {seed}"
    );
    // The node's unreachable:NoSchedule taint is not tolerated: the node no longer should
    // run a daemon pod, but may keep the one it has, which now counts as misscheduled.
    let status = ds_status(&c, "default", "agent");
    assert_eq!(status["desiredNumberScheduled"], 1, "seed {seed}: {status}");
    assert_eq!(status["currentNumberScheduled"], 1, "seed {seed}: {status}");
    assert_eq!(status["numberMisscheduled"], 1, "seed {seed}: {status}");
}
