//! One scheduling cycle on a large cache: `percentageOfNodesToScore` with the round-robin
//! start index, the node tree's zone-by-zone order, and a decision that stays compact at
//! 5,000 nodes.

use std::sync::Arc;

use kubestep::scheduler::cache::Cache;
use kubestep::scheduler::framework::{PodInfo, Profile};
use kubestep::scheduler::schedule_one::schedule_pod;
use kubestep::sim::Rng;
use serde_json::json;

fn cache(nodes: usize) -> Cache {
    let mut c = Cache::default();
    for i in 0..nodes {
        let zone = if i % 2 == 0 { "a-zone" } else { "b-zone" };
        c.add_or_update_node(Arc::new(json!({
            "metadata": {"name": format!("node-{i}"), "labels": {"topology.kubernetes.io/zone": zone}},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}},
        })));
    }
    c.update_snapshot();
    c
}

fn pod(cpu: &str) -> PodInfo {
    PodInfo::new(Arc::new(json!({
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]},
    })))
}

#[test]
fn the_node_tree_lists_zones_in_turn() {
    let mut c = Cache::default();
    for (name, zone) in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")] {
        c.add_or_update_node(Arc::new(
            json!({"metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}}}),
        ));
    }
    assert_eq!(c.tree.list(), ["a1", "b1", "a2", "a3"]);
    c.update_snapshot();
    let names: Vec<&str> = c.snapshot().nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["a1", "b1", "a2", "a3"]);
}

#[test]
fn only_a_share_of_a_large_cluster_is_scored_from_a_rotating_start() {
    let c = cache(5000);
    let profile = Profile::default_profile();
    let mut rng = Rng::seed_from_u64(1);
    let mut next = 0;
    let p = pod("100m");
    // 5,000 nodes: 50 − 5000/125 = 10% → 500 nodes are enough.
    let first = schedule_pod(&profile, &c, &p, None, 0, &mut next, &mut rng);
    assert_eq!(first.decision["numNodesToFind"], 500);
    assert_eq!(first.decision["startIndex"], 0);
    assert_eq!(first.decision["evaluatedNodes"], 500);
    assert_eq!(
        first.decision["scores"]["nodes"].as_array().unwrap().len(),
        500
    );
    assert!(
        first.decision.get("filters").is_none(),
        "no per-node filter list at 5,000 nodes"
    );
    let size = serde_json::to_string(&first.decision).unwrap().len();
    assert!(size < 60_000, "decision is {size} bytes");
    assert_eq!(next, 500);
    let second = schedule_pod(&profile, &c, &p, None, 0, &mut next, &mut rng);
    assert_eq!(second.decision["startIndex"], 500);
    assert_eq!(next, 1000);
}

#[test]
fn a_failure_on_a_large_cluster_groups_reasons_with_a_few_node_names() {
    let c = cache(5000);
    let profile = Profile::default_profile();
    let mut rng = Rng::seed_from_u64(1);
    let mut next = 0;
    let r = schedule_pod(&profile, &c, &pod("5"), None, 0, &mut next, &mut rng);
    assert_eq!(r.selected, None);
    assert_eq!(
        r.message.as_deref(),
        Some("0/5000 nodes are available: 5000 Insufficient cpu. preemption: 0/5000 nodes are available: 5000 No preemption victims found for incoming pod.")
    );
    let failures = r.decision["filterFailures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["count"], 5000);
    assert_eq!(failures[0]["nodes"].as_array().unwrap().len(), 5);
    // Every node was looked at, so the next cycle starts where this one did.
    assert_eq!(next, 0);
}

#[test]
fn preemption_reports_never_and_names_candidates_without_evicting() {
    let mut c = cache(2);
    let profile = Profile::default_profile();
    let mut rng = Rng::seed_from_u64(1);
    let mut next = 0;
    let never = PodInfo::new(Arc::new(json!({
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"preemptionPolicy": "Never", "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "5"}}}]},
    })));
    let r = schedule_pod(&profile, &c, &never, None, 0, &mut next, &mut rng);
    assert_eq!(
        r.message.as_deref(),
        Some("0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.")
    );
    // A low-priority pod fills node-0; an urgent pod could fit there by evicting it.
    let filler = Arc::new(PodInfo::new(Arc::new(json!({
        "metadata": {"name": "filler", "namespace": "default"},
        "spec": {"priority": -10, "containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "3"}}}]},
    }))));
    c.add_pod(filler, "node-0");
    c.add_pod(
        Arc::new(PodInfo::new(Arc::new(json!({
            "metadata": {"name": "busy", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "3"}}}]},
        })))),
        "node-1",
    );
    let urgent = pod("2");
    let r = schedule_pod(&profile, &c, &urgent, None, 0, &mut next, &mut rng);
    assert_eq!(r.selected, None);
    assert_eq!(
        r.message.as_deref(),
        Some("0/2 nodes are available: 2 Insufficient cpu.")
    );
    assert_eq!(
        r.decision["postFilter"]["candidates"],
        json!([{"node": "node-0", "victims": ["default/filler"]}])
    );
    assert_eq!(r.decision["postFilter"]["evicted"], false);
}
