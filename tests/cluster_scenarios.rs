//! Whole-cluster scenarios: every real component (etcd, kube-apiserver, kube-scheduler,
//! kube-controller-manager, a kubelet and a kube-proxy per node) on the booted cluster of
//! `kubestep::cluster`, driven by an admin through the API server as kubectl would. Each runs
//! from a few seeds and names its seed when it fails.

mod cluster_support;

use std::collections::BTreeSet;

use cluster_support::*;
use kubestep::apiserver::request::HttpRequest;
use serde_json::{json, Value};

const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

/// The pods of Deployment `web` (by its selector), in name order.
fn web_pods(c: &mut Cluster) -> Vec<Value> {
    c.items("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")
}

fn live(pods: &[Value]) -> Vec<Value> {
    pods.iter().filter(|p| !deleting(p)).cloned().collect()
}

/// A Deployment of three nginx pods, all Running and Ready.
fn three_running(seed: u64) -> Cluster {
    let mut c = Cluster::booted(seed);
    c.create(DEPLOYMENTS, deployment("web", 3, "nginx"));
    c.wait_until(60, "three web pods Running and Ready", |c| {
        let pods = web_pods(c);
        pods.len() == 3 && pods.iter().all(running_and_ready)
    });
    c
}

fn node_ready(c: &mut Cluster, node: &str) -> Value {
    let (_, n) = c.get(&format!("/api/v1/nodes/{node}"));
    condition(&n, "Ready")
        .cloned()
        .unwrap_or_else(|| panic!("seed {}: {node} has a Ready condition", c.seed))
}

fn taints(c: &mut Cluster, node: &str) -> Vec<(String, String)> {
    let (_, n) = c.get(&format!("/api/v1/nodes/{node}"));
    n["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["key"].as_str().unwrap_or("").to_string(),
                t["effect"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_three_replica_deployment_ends_running_and_ready_across_both_zones() {
    for seed in [1, 2, 3] {
        let mut c = three_running(seed);
        let pods = web_pods(&mut c);
        let mut zones = BTreeSet::new();
        for p in &pods {
            let node = node_of(p).to_string();
            assert!(
                node.starts_with("worker-"),
                "seed {seed}: {} runs on {node}, not the tainted control plane",
                name(p)
            );
            zones.insert(c.zone(&node));
        }
        // PodTopologySpread's system default constraints (zone skew 5, hostname skew 3,
        // ScheduleAnyway) score the emptier zone higher.
        assert_eq!(
            zones,
            BTreeSet::from(["a-zone".to_string(), "b-zone".to_string()]),
            "seed {seed}"
        );
        let (_, d) = c.get(&format!("{DEPLOYMENTS}/web"));
        assert_eq!(
            d["status"]["readyReplicas"], 3,
            "seed {seed}: {}",
            d["status"]
        );
        assert_eq!(d["status"]["availableReplicas"], 3, "seed {seed}");
        assert_eq!(d["status"]["updatedReplicas"], 3, "seed {seed}");
    }
}

#[test]
fn a_node_failure_taints_the_node_and_its_pods_are_evicted_and_rescheduled() {
    for seed in [5, 6] {
        let mut c = three_running(seed);
        // The worker that fails: worker-2 (b-zone), which runs at least one of the pods.
        let failed = "worker-2";
        let healthy = "worker-1";
        let stranded: Vec<String> = web_pods(&mut c)
            .iter()
            .filter(|p| node_of(p) == failed)
            .map(|p| name(p).to_string())
            .collect();
        assert!(!stranded.is_empty(), "seed {seed}: a pod runs on {failed}");
        kubestep::cluster::partition_node(&mut c.sim, failed);

        // Its lease stops: after the 50 s grace period the node is Unknown and tainted.
        let waited = c.wait_until(90, "the node Unknown", |c| {
            node_ready(c, failed)["status"] == "Unknown"
        });
        assert!(
            waited >= 40,
            "seed {seed}: not before the grace period ({waited} s)"
        );
        let ready = node_ready(&mut c, failed);
        assert_eq!(ready["reason"], "NodeStatusUnknown", "seed {seed}");
        assert_eq!(ready["message"], "Kubelet stopped posting node status.");
        c.wait_until(5, "the unreachable taints", |c| {
            let t = taints(c, failed);
            t.contains(&("node.kubernetes.io/unreachable".into(), "NoExecute".into()))
                && t.contains(&("node.kubernetes.io/unreachable".into(), "NoSchedule".into()))
        });
        // Its pods are no longer Ready, so Services stop sending them traffic.
        c.wait_until(5, "the stranded pods not Ready", |c| {
            web_pods(c)
                .iter()
                .filter(|p| stranded.contains(&name(p).to_string()))
                .all(|p| condition(p, "Ready").is_some_and(|r| r["status"] == "False"))
        });

        // The pods tolerate `unreachable` for 300 s (DefaultTolerationSeconds): not evicted
        // before...
        c.advance(280);
        let pods = web_pods(&mut c);
        for p in pods
            .iter()
            .filter(|p| stranded.contains(&name(p).to_string()))
        {
            assert!(!deleting(p), "seed {seed}: {} evicted too early", name(p));
        }
        // ...and evicted after.
        c.wait_until(40, "the stranded pods evicted", |c| {
            web_pods(c)
                .iter()
                .filter(|p| stranded.contains(&name(p).to_string()))
                .all(deleting)
        });
        for p in web_pods(&mut c)
            .iter()
            .filter(|p| stranded.contains(&name(p).to_string()))
        {
            let target = condition(p, "DisruptionTarget")
                .unwrap_or_else(|| panic!("seed {seed}: DisruptionTarget on {}", name(p)));
            assert_eq!(target["reason"], "DeletionByTaintManager", "seed {seed}");
            assert_eq!(
                target["message"],
                "Taint manager: deleting due to NoExecute taint"
            );
        }
        // The ReplicaSet replaces them, and they run on the healthy worker.
        c.wait_until(60, "three live pods Running and Ready again", |c| {
            let pods = live(&web_pods(c));
            pods.len() == 3 && pods.iter().all(running_and_ready)
        });
        let pods = live(&web_pods(&mut c));
        for p in &pods {
            assert_eq!(node_of(p), healthy, "seed {seed}: {}", name(p));
            assert!(!stranded.contains(&name(p).to_string()), "seed {seed}");
        }
        let (_, d) = c.get(&format!("{DEPLOYMENTS}/web"));
        assert_eq!(
            d["status"]["availableReplicas"], 3,
            "seed {seed}: {}",
            d["status"]
        );
    }
}

#[test]
fn deleting_a_deployment_deletes_its_replicasets_and_pods_gracefully() {
    for seed in [7, 8] {
        let mut c = three_running(seed);
        let start = c.sim.trace().len();
        let pods: Vec<String> = web_pods(&mut c)
            .iter()
            .map(|p| name(p).to_string())
            .collect();
        // `kubectl delete deployment web`: background cascading deletion.
        let (status, body) = c.call(
            HttpRequest::new("DELETE", &format!("{DEPLOYMENTS}/web"))
                .json_body(json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})),
        );
        assert_eq!(status, 200, "seed {seed}: {body}");
        // The garbage collector deletes the ReplicaSet, then its pods: each is first marked
        // (deletionTimestamp, its 30 s grace period) and terminated by its kubelet.
        let mut marked = BTreeSet::new();
        c.run_watching(10, |c| {
            for p in c.cached("/registry/pods/") {
                if pods.contains(&name(&p).to_string()) && deleting(&p) {
                    assert_eq!(p["metadata"]["deletionGracePeriodSeconds"], 30);
                    marked.insert(name(&p).to_string());
                }
            }
        });
        assert_eq!(marked.len(), 3, "seed {seed}: every pod deleted gracefully");
        c.wait_until(60, "the ReplicaSets and pods gone", |c| {
            web_pods(c).is_empty()
                && c.items("/apis/apps/v1/namespaces/default/replicasets")
                    .is_empty()
        });
        let (status, _) = c.get(&format!("{DEPLOYMENTS}/web"));
        assert_eq!(status, 404, "seed {seed}");
        let entries = &c.sim.trace().entries()[start..];
        for pod in &pods {
            let path = format!("/api/v1/namespaces/default/pods/{pod}");
            let at = |pred: &dyn Fn(&&kubestep::sim::TraceEntry) -> bool| {
                entries.iter().position(|e| pred(&e))
            };
            // The kubelet stopped the container, reported the final status, and only once
            // that was stored removed the pod for good.
            let stop =
                at(&|e| e.summary.contains("StopContainer") && e.summary.contains(pod.as_str()));
            let status_answered = at(&|e| {
                e.kind == "http-response"
                    && e.to.name().starts_with("kubelet/")
                    && e.summary == format!("200 OK: Pod {pod}")
            });
            let kubelet_delete = at(&|e| {
                e.kind == "http-request"
                    && e.method.as_deref() == Some("DELETE")
                    && e.path.as_deref() == Some(path.as_str())
                    && e.from.name().starts_with("kubelet/")
            });
            match (stop, status_answered, kubelet_delete) {
                (Some(s), Some(a), Some(d)) => {
                    assert!(s < a && a < d, "seed {seed}: {pod}: {s} {a} {d}")
                }
                other => panic!("seed {seed}: {pod}: StopContainer, status, DELETE: {other:?}"),
            }
            // Its status was never refused as if the pod were gone.
            assert!(
                !entries.iter().any(|e| e.to.name().starts_with("kubelet/")
                    && e.summary == format!("404 Not Found: pods \"{pod}\" not found")),
                "seed {seed}: {pod}"
            );
        }
    }
}
