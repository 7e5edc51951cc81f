//! One scheduling cycle on a large cache: `percentageOfNodesToScore` with the round-robin
//! start index, the node tree's zone-by-zone order, and a decision that stays compact at
//! 5,000 nodes.

use std::sync::Arc;

use kubestep::scheduler::cache::Cache;
use kubestep::scheduler::framework::{PodInfo, Profile};
use kubestep::scheduler::nominator::NominatingInfo;
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
fn preemption_reports_never_and_nominates_the_node_whose_victims_make_room() {
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
        json!([{"node": "node-0", "victims": ["default/filler"], "numPDBViolations": 0}])
    );
    // node-1's pod has the same priority: no victims there. Both potential nodes are tried,
    // from the random offset.
    let pf = &r.decision["postFilter"];
    assert_eq!(pf["potentialNodes"], 2);
    assert_eq!(pf["numCandidates"], 2);
    let on_node_0 = json!({"node": "node-0", "victims": ["default/filler"], "numPDBViolations": 0});
    let on_node_1 = json!({"node": "node-1", "status": {"code": "UnschedulableAndUnresolvable",
        "reasons": ["No preemption victims found for incoming pod"]}});
    let tried = if pf["offset"] == 0 {
        json!([on_node_0, on_node_1])
    } else {
        json!([on_node_1, on_node_0])
    };
    assert_eq!(pf["nodes"], tried);
    assert_eq!(r.decision["postFilter"]["nominatedNodeName"], "node-0");
    assert_eq!(r.nominating, NominatingInfo::Override("node-0".into()));
    let chosen = r.preemption.expect("a candidate");
    assert_eq!(chosen.node, "node-0");
    let victims: Vec<&str> = chosen.victims.pods.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(victims, ["default/filler"]);
}

#[test]
fn nominated_pods_count_on_their_node_for_pods_of_equal_or_lower_priority() {
    use kubestep::scheduler::nominator::Nominator;
    use kubestep::scheduler::schedule_one::{schedule_pod_with, CycleInputs};
    let mut c = Cache::default();
    c.add_or_update_node(Arc::new(json!({
        "metadata": {"name": "node-0", "labels": {"kubernetes.io/hostname": "node-0"}},
        "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}},
    })));
    c.update_snapshot();
    let mk = |name: &str, prio: i64, cpu: &str, extra: serde_json::Value| {
        let mut spec = json!({"priority": prio, "containers": [{"name": "c", "image": "nginx",
            "resources": {"requests": {"cpu": cpu}}}]});
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        Arc::new(PodInfo::new(Arc::new(json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "db"}},
            "spec": spec,
        }))))
    };
    // A 3-cpu pod of priority 10 waits for node-0.
    let mut nominator = Nominator::default();
    let waiting = mk("waiting", 10, "3", json!({}));
    nominator.add(
        waiting.clone(),
        &NominatingInfo::Override("node-0".into()),
        Some(&waiting.obj),
    );
    let profile = Profile::default_profile();
    let mut rng = Rng::seed_from_u64(1);
    let mut next = 0;
    let mut run = |p: &PodInfo| {
        let inputs = CycleInputs {
            nominator: &nominator,
            ..CycleInputs::default()
        };
        schedule_pod_with(&profile, &c, p, inputs, 0, &mut next, &mut rng)
    };
    // Equal or lower priority: its 3 cpu count, so 2 more do not fit.
    for prio in [0, 10] {
        let r = run(&mk("other", prio, "2", json!({})));
        assert_eq!(r.selected, None, "priority {prio}");
        assert_eq!(
            r.decision["nominatedPods"],
            json!({"node-0": ["default/waiting"]})
        );
        assert_eq!(
            r.decision["filters"][0]["filters"]["NodeResourcesFit"]["reasons"],
            json!(["Insufficient cpu"])
        );
        // Nothing to preempt: the waiting pod is not on the node.
        assert_eq!(
            r.message.as_deref(),
            Some("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")
        );
    }
    // Higher priority: the room is not reserved against it.
    let r = run(&mk("urgent", 11, "2", json!({})));
    assert_eq!(r.selected.as_deref(), Some("node-0"));
    assert!(r.decision.get("nominatedPods").is_none());
    // Its labels count too: a lower-priority pod with anti-affinity to them is kept off
    // (InterPodAffinity's PreFilter state learns of the nominated pod through AddPod).
    let anti = json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}});
    let r = run(&mk("replica", 0, "100m", anti));
    assert_eq!(
        r.decision["filters"][0]["filters"]["InterPodAffinity"]["reasons"],
        json!(["node(s) didn't match pod anti-affinity rules"])
    );
}
