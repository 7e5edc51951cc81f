//! Table tests of the scheduler's plugins and framework helpers against what the real 1.33
//! plugins compute for the same inputs (cases from the upstream plugin tests where they exist).

use std::collections::BTreeMap;
use std::sync::Arc;

use kubestep::scheduler::framework::types::{NodeInfo, PodInfo};
use kubestep::scheduler::framework::{
    default_normalize_score, fit_error_message, Code, CycleState, Plugin, Snapshot, Status, Volumes,
};
use kubestep::scheduler::plugins::{
    image_locality, node_affinity::NodeAffinity, node_ports::NodePorts,
    node_resources_balanced_allocation::NodeResourcesBalancedAllocation,
    node_resources_fit::NodeResourcesFit, node_unschedulable::NodeUnschedulable,
    taint_toleration::TaintToleration, volume_binding,
};
use kubestep::scheduler::queue::SchedulingQueue;
use kubestep::scheduler::schedule_one::{num_feasible_nodes_to_find, select_host};
use kubestep::sim::{Rng, SimDuration};
use serde_json::{json, Value};

fn pod(spec: Value) -> PodInfo {
    PodInfo::new(Arc::new(
        json!({"metadata": {"name": "p", "namespace": "default"}, "spec": spec}),
    ))
}

fn node(name: &str, cpu: &str, memory: &str, extra: Value) -> NodeInfo {
    let mut obj = json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {}, "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"}}});
    if let Some(m) = extra.as_object() {
        for (k, v) in m {
            match k.as_str() {
                "labels" => obj["metadata"]["labels"] = v.clone(),
                "taints" => obj["spec"]["taints"] = v.clone(),
                "unschedulable" => obj["spec"]["unschedulable"] = v.clone(),
                "images" => obj["status"]["images"] = v.clone(),
                "pods" => obj["status"]["allocatable"]["pods"] = v.clone(),
                _ => panic!("unknown node field {k}"),
            }
        }
    }
    let mut n = NodeInfo::new(name);
    n.set_node(Arc::new(obj));
    n
}

fn container(cpu: &str, memory: &str) -> Value {
    json!({"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu, "memory": memory}}})
}

fn filter(p: &dyn Plugin, pod: &PodInfo, node: &NodeInfo) -> (Code, Vec<String>) {
    let s = p.filter(&CycleState::default(), pod, node);
    (s.code, s.reasons)
}

#[test]
fn node_resources_fit_filter_counts_init_containers_and_overhead() {
    let n = node("n", "2", "4Gi", json!({}));
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "fits",
            json!({"containers": [container("1", "1Gi")]}),
            vec![],
        ),
        (
            "too much cpu",
            json!({"containers": [container("3", "1Gi")]}),
            vec!["Insufficient cpu"],
        ),
        (
            "cpu and memory",
            json!({"containers": [container("3", "5Gi")]}),
            vec!["Insufficient cpu", "Insufficient memory"],
        ),
        (
            "an init container larger than the containers counts alone",
            json!({"initContainers": [container("2500m", "1Gi")], "containers": [container("1", "1Gi")]}),
            vec!["Insufficient cpu"],
        ),
        (
            "overhead adds up",
            json!({"containers": [container("1900m", "1Gi")], "overhead": {"cpu": "200m"}}),
            vec!["Insufficient cpu"],
        ),
        (
            "a sidecar runs alongside the containers",
            json!({"initContainers": [{"name": "s", "image": "envoy", "restartPolicy": "Always",
                "resources": {"requests": {"cpu": "1500m"}}}], "containers": [container("1", "1Gi")]}),
            vec!["Insufficient cpu"],
        ),
    ];
    for (name, spec, want) in cases {
        let (code, reasons) = filter(&NodeResourcesFit, &pod(spec), &n);
        assert_eq!(reasons, want, "{name}");
        if !want.is_empty() {
            assert_eq!(code, Code::Unschedulable, "{name}");
        }
    }
}

#[test]
fn node_resources_fit_filter_counts_pods_on_the_node() {
    let mut n = node("n", "2", "4Gi", json!({"pods": "1"}));
    let existing = pod(json!({"containers": [container("100m", "100Mi")]}));
    n.add_pod(Arc::new(PodInfo {
        key: "default/existing".into(),
        ..existing
    }));
    let (code, reasons) = filter(
        &NodeResourcesFit,
        &pod(json!({"containers": [container("100m", "100Mi")]})),
        &n,
    );
    assert_eq!(
        (code, reasons),
        (Code::Unschedulable, vec!["Too many pods".to_string()])
    );
}

#[test]
fn least_allocated_and_balanced_allocation_scores_match_upstream() {
    // Upstream's "nothing scheduled, resources requested, differently sized nodes".
    let p = pod(json!({"containers": [
        {"name": "a", "image": "x", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
        {"name": "b", "image": "x", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}}]}));
    let n1 = node("node1", "4000m", "10000", json!({}));
    let n2 = node("node2", "6000m", "10000", json!({}));
    let map: BTreeMap<String, usize> = BTreeMap::new();
    let snap = Snapshot {
        nodes: vec![&n1, &n2],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let state = CycleState::default();
    let fit: Vec<i64> = [&n1, &n2]
        .iter()
        .map(|n| NodeResourcesFit.score(&state, &p, n, &snap))
        .collect();
    assert_eq!(fit, [37, 50]);
    let balanced: Vec<i64> = [&n1, &n2]
        .iter()
        .map(|n| NodeResourcesBalancedAllocation.score(&state, &p, n, &snap))
        .collect();
    assert_eq!(balanced, [87, 100]);
}

#[test]
fn least_allocated_counts_default_requests_for_containers_without_any() {
    // 100m and 200Mi for a container without requests: (4000-100)*100/4000 = 97,
    // (10Gi-200Mi)*100/10Gi = 98 → 97.
    let p = pod(json!({"containers": [{"name": "c", "image": "nginx"}]}));
    let n = node("n", "4", "10Gi", json!({}));
    let map = BTreeMap::new();
    let snap = Snapshot {
        nodes: vec![&n],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    assert_eq!(
        NodeResourcesFit.score(&CycleState::default(), &p, &n, &snap),
        97
    );
    // BalancedAllocation skips a pod that requests nothing.
    let mut state = CycleState::default();
    let s = NodeResourcesBalancedAllocation.pre_score(&mut state, &p, &[&n], &snap);
    assert_eq!(s.code, Code::Skip);
}

#[test]
fn taint_toleration_filter_and_score() {
    let tainted = node(
        "n",
        "2",
        "4Gi",
        json!({"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}),
    );
    let cases = [
        (json!([]), Code::UnschedulableAndUnresolvable),
        (
            json!([{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]),
            Code::Success,
        ),
        (
            json!([{"key": "dedicated", "operator": "Exists"}]),
            Code::Success,
        ),
        (
            json!([{"key": "dedicated", "value": "cpu", "effect": "NoSchedule"}]),
            Code::UnschedulableAndUnresolvable,
        ),
        (json!([{"operator": "Exists"}]), Code::Success),
        (
            json!([{"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}]),
            Code::UnschedulableAndUnresolvable,
        ),
    ];
    for (tolerations, want) in cases {
        let p = pod(json!({"containers": [], "tolerations": tolerations}));
        let (code, reasons) = filter(&TaintToleration, &p, &tainted);
        assert_eq!(code, want, "{tolerations}");
        if code != Code::Success {
            assert_eq!(reasons, ["node(s) had untolerated taint {dedicated: gpu}"]);
        }
    }
    // Score: untolerated PreferNoSchedule taints, reversed.
    let prefer = node(
        "a",
        "2",
        "4Gi",
        json!({"taints": [
        {"key": "a", "value": "1", "effect": "PreferNoSchedule"},
        {"key": "b", "value": "1", "effect": "PreferNoSchedule"}]}),
    );
    let clean = node("b", "2", "4Gi", json!({}));
    let p = pod(
        json!({"containers": [], "tolerations": [{"key": "a", "operator": "Exists", "effect": "PreferNoSchedule"}]}),
    );
    let map = BTreeMap::new();
    let snap = Snapshot {
        nodes: vec![&prefer, &clean],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let mut state = CycleState::default();
    TaintToleration.pre_score(&mut state, &p, &[&prefer, &clean], &snap);
    let mut scores: Vec<i64> = [&prefer, &clean]
        .iter()
        .map(|n| TaintToleration.score(&state, &p, n, &snap))
        .collect();
    assert_eq!(scores, [1, 0]);
    TaintToleration.normalize_score(&state, &["a", "b"], &mut scores);
    assert_eq!(scores, [0, 100]);
}

#[test]
fn node_affinity_filter_and_score() {
    let n = node(
        "n1",
        "2",
        "4Gi",
        json!({"labels": {"zone": "a", "gen": "5"}}),
    );
    let term = |exprs: Value| json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": exprs}]}}}});
    let cases = [
        (json!({"nodeSelector": {"zone": "a"}}), true),
        (json!({"nodeSelector": {"zone": "b"}}), false),
        (
            term(json!([{"key": "zone", "operator": "In", "values": ["a", "b"]}])),
            true,
        ),
        (
            term(json!([{"key": "zone", "operator": "NotIn", "values": ["a"]}])),
            false,
        ),
        (
            term(json!([{"key": "gen", "operator": "Gt", "values": ["4"]}])),
            true,
        ),
        (
            term(json!([{"key": "gen", "operator": "Lt", "values": ["4"]}])),
            false,
        ),
        (
            term(json!([{"key": "gpu", "operator": "DoesNotExist"}])),
            true,
        ),
        (
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}}),
            true,
        ),
        (
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}}}}),
            false,
        ),
    ];
    for (spec, fits) in cases {
        let (code, reasons) = filter(&NodeAffinity, &pod(spec.clone()), &n);
        if fits {
            assert_eq!(code, Code::Success, "{spec}");
        } else {
            assert_eq!(code, Code::UnschedulableAndUnresolvable, "{spec}");
            assert_eq!(
                reasons,
                ["node(s) didn't match Pod's node affinity/selector"]
            );
        }
    }
    let p = pod(
        json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 5, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}},
        {"weight": 2, "preference": {"matchExpressions": [{"key": "gen", "operator": "Exists"}]}}]}}}),
    );
    let other = node("n2", "2", "4Gi", json!({"labels": {"gen": "4"}}));
    let map = BTreeMap::new();
    let snap = Snapshot {
        nodes: vec![&n, &other],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let state = CycleState::default();
    let mut scores: Vec<i64> = [&n, &other]
        .iter()
        .map(|x| NodeAffinity.score(&state, &p, x, &snap))
        .collect();
    assert_eq!(scores, [7, 2]);
    NodeAffinity.normalize_score(&state, &["n1", "n2"], &mut scores);
    assert_eq!(scores, [100, 28]);
}

#[test]
fn node_ports_and_node_unschedulable() {
    let mut n = node("n", "2", "4Gi", json!({}));
    let with_port = |port: i64, ip: &str| {
        pod(
            json!({"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 80, "hostPort": port, "hostIP": ip}]}]}),
        )
    };
    let existing = with_port(8080, "");
    n.add_pod(Arc::new(PodInfo {
        key: "default/e".into(),
        ..existing
    }));
    assert_eq!(
        filter(&NodePorts, &with_port(8080, "10.0.0.1"), &n).0,
        Code::Unschedulable
    );
    assert_eq!(
        filter(&NodePorts, &with_port(8081, ""), &n).0,
        Code::Success
    );
    let cordoned = node("c", "2", "4Gi", json!({"unschedulable": true}));
    let (code, reasons) = filter(&NodeUnschedulable, &pod(json!({})), &cordoned);
    assert_eq!(
        (code, reasons),
        (
            Code::UnschedulableAndUnresolvable,
            vec!["node(s) were unschedulable".to_string()]
        )
    );
    let tolerant = pod(
        json!({"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]}),
    );
    assert_eq!(
        filter(&NodeUnschedulable, &tolerant, &cordoned).0,
        Code::Success
    );
}

#[test]
fn image_locality_scales_by_spread() {
    // 250 MB present on 1 of 1 nodes, one container: 100 × (250 − 23) / (1000 − 23) = 23.
    assert_eq!(image_locality::calculate_priority(250 * 1024 * 1024, 1), 23);
    assert_eq!(image_locality::calculate_priority(10 * 1024 * 1024, 1), 0);
    assert_eq!(
        image_locality::calculate_priority(2000 * 1024 * 1024, 1),
        100
    );
    let n = node(
        "n",
        "2",
        "4Gi",
        json!({"images": [{"names": ["nginx:latest", "docker.io/library/nginx:latest"], "sizeBytes": 500 * 1024 * 1024}]}),
    );
    let empty = node("m", "2", "4Gi", json!({}));
    let mut map = BTreeMap::new();
    map.insert("nginx:latest".to_string(), 1);
    let snap = Snapshot {
        nodes: vec![&n, &empty],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let p = pod(json!({"containers": [{"name": "c", "image": "nginx"}]}));
    // 500 MB × 1/2 nodes = 250 MB → 23.
    assert_eq!(
        image_locality::ImageLocality.score(&CycleState::default(), &p, &n, &snap),
        23
    );
    assert_eq!(
        image_locality::ImageLocality.score(&CycleState::default(), &p, &empty, &snap),
        0
    );
}

#[test]
fn default_normalize_score_matches_the_helper() {
    let mut s = vec![2, 4, 0];
    default_normalize_score(100, false, &mut s);
    assert_eq!(s, [50, 100, 0]);
    let mut s = vec![0, 0];
    default_normalize_score(100, true, &mut s);
    assert_eq!(s, [100, 100]);
}

#[test]
fn fit_error_sorts_reasons_as_strings() {
    let st = |r: &str| Status::new(Code::Unschedulable, r);
    let mut statuses = vec![st("node(s) had untolerated taint {a: }")];
    statuses.extend((0..10).map(|_| st("Insufficient cpu")));
    statuses.extend((0..2).map(|_| st("Insufficient memory")));
    assert_eq!(
        fit_error_message(13, statuses.iter(), None, Some("preemption: x.")),
        "0/13 nodes are available: 1 node(s) had untolerated taint {a: }, 10 Insufficient cpu, 2 Insufficient memory. preemption: x."
    );
}

#[test]
fn percentage_of_nodes_to_score_is_adaptive() {
    let cases = [
        (3, 3),
        (99, 99),
        (100, 100),
        (200, 100),
        (1000, 420),
        (5000, 500),
        (6000, 300),
    ];
    for (nodes, want) in cases {
        assert_eq!(num_feasible_nodes_to_find(0, nodes), want, "{nodes} nodes");
    }
    assert_eq!(num_feasible_nodes_to_find(10, 5000), 500);
}

#[test]
fn ties_are_broken_by_reservoir_sampling_from_the_seed() {
    let totals: Vec<(String, i64)> = (0..4)
        .map(|i| (format!("n{i}"), if i == 3 { 10 } else { 20 }))
        .collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut rng = Rng::seed_from_u64(42);
    for _ in 0..3000 {
        *counts
            .entry(select_host(&totals, &mut rng).unwrap())
            .or_default() += 1;
    }
    assert!(!counts.contains_key("n3"));
    for n in ["n0", "n1", "n2"] {
        assert!((800..1200).contains(&counts[n]), "{counts:?}");
    }
    let mut a = Rng::seed_from_u64(7);
    let mut b = Rng::seed_from_u64(7);
    assert_eq!(select_host(&totals, &mut a), select_host(&totals, &mut b));
}

#[test]
fn backoff_doubles_from_one_second_to_ten() {
    let got: Vec<u64> = (1..=6)
        .map(|a| SchedulingQueue::backoff_duration(a).as_millis())
        .collect();
    assert_eq!(got, [1000, 2000, 4000, 8000, 10000, 10000]);
    assert_eq!(
        SchedulingQueue::backoff_duration(1),
        SimDuration::from_secs(1)
    );
}

fn labelled_pod(name: &str, labels: Value, spec: Value) -> Arc<PodInfo> {
    Arc::new(PodInfo::new(Arc::new(json!({
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": spec,
    }))))
}

fn zoned(name: &str, zone: &str) -> NodeInfo {
    node(
        name,
        "4",
        "8Gi",
        json!({"labels": {"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone}}),
    )
}

#[test]
fn pod_topology_spread_scores_emptier_zones_higher() {
    use kubestep::scheduler::plugins::pod_topology_spread::PodTopologySpread;
    let mut n1 = zoned("n1", "a");
    let n2 = zoned("n2", "a");
    let mut n3 = zoned("n3", "b");
    for i in 0..2 {
        n1.add_pod(labelled_pod(
            &format!("w{i}"),
            json!({"app": "web"}),
            json!({}),
        ));
    }
    n3.add_pod(labelled_pod("w2", json!({"app": "web"}), json!({})));
    n3.add_pod(labelled_pod("other", json!({"app": "db"}), json!({})));
    let p = labelled_pod(
        "new",
        json!({"app": "web"}),
        json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"app": "web"}}}]}),
    );
    let map = BTreeMap::new();
    let nodes = vec![&n1, &n2, &n3];
    let snap = Snapshot {
        nodes: nodes.clone(),
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let mut state = CycleState::default();
    assert!(PodTopologySpread
        .pre_score(&mut state, &p, &nodes, &snap)
        .is_success());
    // Two zones: weight ln(2 + 2); zone a holds 2 matching pods, zone b 1.
    let mut scores: Vec<i64> = nodes
        .iter()
        .map(|n| PodTopologySpread.score(&state, &p, n, &snap))
        .collect();
    assert_eq!(scores, [3, 3, 1]);
    PodTopologySpread.normalize_score(&state, &["n1", "n2", "n3"], &mut scores);
    assert_eq!(scores, [33, 33, 100]);
}

#[test]
fn pod_topology_spread_filter_enforces_max_skew() {
    use kubestep::scheduler::plugins::pod_topology_spread::PodTopologySpread;
    let mut n1 = zoned("n1", "a");
    let n2 = zoned("n2", "b");
    let unlabelled = node("n3", "4", "8Gi", json!({}));
    n1.add_pod(labelled_pod("w0", json!({"app": "web"}), json!({})));
    let p = labelled_pod(
        "new",
        json!({"app": "web"}),
        json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]}),
    );
    let map = BTreeMap::new();
    let snap = Snapshot {
        nodes: vec![&n1, &n2, &unlabelled],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let mut state = CycleState::default();
    assert!(PodTopologySpread
        .pre_filter(&mut state, &p, &snap)
        .is_success());
    let verdict = |n: &NodeInfo| {
        let s = PodTopologySpread.filter(&state, &p, n);
        (s.code, s.reasons)
    };
    // Zone a: 1 + 1 − 0 = 2 > 1.
    assert_eq!(
        verdict(&n1),
        (
            Code::Unschedulable,
            vec!["node(s) didn't match pod topology spread constraints".to_string()]
        )
    );
    assert_eq!(verdict(&n2).0, Code::Success);
    assert_eq!(
        verdict(&unlabelled),
        (
            Code::UnschedulableAndUnresolvable,
            vec![
                "node(s) didn't match pod topology spread constraints (missing required label)"
                    .to_string()
            ]
        )
    );
}

#[test]
fn inter_pod_affinity_filter_verdicts() {
    use kubestep::scheduler::plugins::inter_pod_affinity::InterPodAffinity;
    let mut n1 = zoned("n1", "a");
    let mut n2 = zoned("n2", "b");
    let n3 = zoned("n3", "b");
    // An existing pod that keeps `app=web` off its host.
    n1.add_pod(labelled_pod(
        "guard",
        json!({"app": "guard"}),
        json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}}),
    ));
    n2.add_pod(labelled_pod("cache", json!({"app": "cache"}), json!({})));
    let map = BTreeMap::new();
    let snap = Snapshot {
        nodes: vec![&n1, &n2, &n3],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Default::default(),
    };
    let run = |p: &PodInfo| -> Vec<(Code, Vec<String>)> {
        let mut state = CycleState::default();
        assert!(InterPodAffinity
            .pre_filter(&mut state, p, &snap)
            .is_success());
        [&n1, &n2, &n3]
            .iter()
            .map(|n| {
                let s = InterPodAffinity.filter(&state, p, n);
                (s.code, s.reasons)
            })
            .collect()
    };
    let web = labelled_pod("web", json!({"app": "web"}), json!({}));
    let got = run(&web);
    assert_eq!(
        got[0],
        (
            Code::Unschedulable,
            vec!["node(s) didn't satisfy existing pods anti-affinity rules".to_string()]
        )
    );
    assert_eq!(got[1].0, Code::Success);
    // Affinity to `app=cache` in the same zone: zone b only.
    let near_cache = labelled_pod(
        "near",
        json!({"app": "x"}),
        json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "topology.kubernetes.io/zone"}]}}}),
    );
    let got = run(&near_cache);
    assert_eq!(
        got[0],
        (
            Code::UnschedulableAndUnresolvable,
            vec!["node(s) didn't match pod affinity rules".to_string()]
        )
    );
    assert_eq!(got[1].0, Code::Success);
    assert_eq!(got[2].0, Code::Success);
    // Anti-affinity to `app=cache` per zone: zone a only.
    let away = labelled_pod(
        "away",
        json!({"app": "x"}),
        json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "topology.kubernetes.io/zone"}]}}}),
    );
    let got = run(&away);
    assert_eq!(got[0].0, Code::Success);
    assert_eq!(
        got[2],
        (
            Code::Unschedulable,
            vec!["node(s) didn't match pod anti-affinity rules".to_string()]
        )
    );
}

/// A claim as the API server stores it: unbound and Pending, or bound by the PV controller.
fn claim(name: &str, class: Option<&str>, bound_to: Option<&str>) -> (String, Arc<Value>) {
    let mut c = json!({"metadata": {"name": name, "namespace": "default"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        "status": {"phase": "Pending"}});
    if let Some(class) = class {
        c["spec"]["storageClassName"] = json!(class);
    }
    if let Some(pv) = bound_to {
        c["spec"]["volumeName"] = json!(pv);
        c["metadata"]["annotations"] = json!({"pv.kubernetes.io/bind-completed": "yes"});
        c["status"]["phase"] = json!("Bound");
    }
    (format!("default/{name}"), Arc::new(c))
}

fn volume(name: &str, class: &str, node: Option<&str>) -> (String, Arc<Value>) {
    let mut pv = json!({"metadata": {"name": name},
        "spec": {"storageClassName": class, "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "5Gi"}, "hostPath": {"path": "/data"}},
        "status": {"phase": "Available"}});
    if let Some(n) = node {
        pv["spec"]["nodeAffinity"] = json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [n]}]}]}});
    }
    (name.to_string(), Arc::new(pv))
}

fn class(name: &str, mode: &str, provisioner: &str) -> (String, Arc<Value>) {
    (
        name.to_string(),
        Arc::new(
            json!({"metadata": {"name": name}, "provisioner": provisioner, "volumeBindingMode": mode}),
        ),
    )
}

#[test]
fn volume_binding_rejects_pods_whose_claims_are_missing_or_unbound() {
    let with_claim = |claim: &str| {
        pod(json!({"containers": [container("100m", "100Mi")],
            "volumes": [{"name": "www", "persistentVolumeClaim": {"claimName": claim}}]}))
    };
    let n1 = node("n1", "2", "4Gi", json!({}));
    let n2 = node("n2", "2", "4Gi", json!({}));
    let map = BTreeMap::new();
    let mut deleting = claim("going", None, None);
    Arc::make_mut(&mut deleting.1)["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    let mut lost = claim("lost", None, Some("pv-gone"));
    Arc::make_mut(&mut lost.1)["status"]["phase"] = json!("Lost");
    let claims: BTreeMap<String, Arc<Value>> = [
        claim("plain", None, None),
        claim("www-web-0", Some("my-storage-class"), None),
        claim("late", Some("local"), None),
        claim("lazy", Some("fast"), None),
        claim("bound", Some("local"), Some("pv-n1")),
        claim("dangling", Some("local"), Some("pv-missing")),
        deleting,
        lost,
    ]
    .into_iter()
    .collect();
    // pv-n1 is bound to `bound`; pv-late-n2 is free, usable on n2 only.
    let mut pv_n1 = volume("pv-n1", "local", Some("n1"));
    Arc::make_mut(&mut pv_n1.1)["spec"]["claimRef"] =
        json!({"namespace": "default", "name": "bound"});
    Arc::make_mut(&mut pv_n1.1)["status"]["phase"] = json!("Bound");
    let volumes: BTreeMap<String, Arc<Value>> = [pv_n1, volume("pv-late-n2", "local", Some("n2"))]
        .into_iter()
        .collect();
    let classes: BTreeMap<String, Arc<Value>> = [
        class(
            "local",
            "WaitForFirstConsumer",
            "kubernetes.io/no-provisioner",
        ),
        class("fast", "WaitForFirstConsumer", "csi.example.com"),
    ]
    .into_iter()
    .collect();
    let snap = Snapshot {
        nodes: vec![&n1, &n2],
        image_num_nodes: &map,
        default_spread_selector: None,
        volumes: Volumes {
            claims: &claims,
            volumes: &volumes,
            storage_classes: &classes,
        },
    };
    let vb = volume_binding::VolumeBinding;
    let pre = |p: &PodInfo| {
        let mut st = CycleState::default();
        let s = vb.pre_filter(&mut st, p, &snap);
        (s.code, s.message(), st)
    };
    let unresolvable = Code::UnschedulableAndUnresolvable;
    // PreFilter: the whole pod is rejected, whatever the node.
    let cases: Vec<(&str, Code, &str)> = vec![
        (
            "nothing",
            unresolvable,
            "persistentvolumeclaim \"nothing\" not found",
        ),
        (
            "plain",
            unresolvable,
            "pod has unbound immediate PersistentVolumeClaims",
        ),
        // A class that does not exist binds immediately: the website StatefulSet's case.
        (
            "www-web-0",
            unresolvable,
            "pod has unbound immediate PersistentVolumeClaims",
        ),
        (
            "going",
            unresolvable,
            "persistentvolumeclaim \"going\" is being deleted",
        ),
        (
            "lost",
            unresolvable,
            "persistentvolumeclaim \"lost\" bound to non-existent persistentvolume \"pv-gone\"",
        ),
        ("bound", Code::Success, ""),
        ("late", Code::Success, ""),
    ];
    for (claim_name, code, message) in cases {
        let (c, m, _) = pre(&with_claim(claim_name));
        assert_eq!((c, m.as_str()), (code, message), "{claim_name}");
    }
    let (c, _, _) = pre(&pod(json!({"containers": [container("100m", "100Mi")]})));
    assert_eq!(c, Code::Skip, "a pod without claims skips the plugin");
    let ephemeral = pod(json!({"containers": [container("100m", "100Mi")],
        "volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}}]}));
    assert_eq!(
        pre(&ephemeral).1,
        "waiting for ephemeral volume controller to create the persistentvolumeclaim \"p-scratch\""
    );
    // Filter, node by node.
    let verdicts = |claim_name: &str| -> Vec<(Code, String)> {
        let p = with_claim(claim_name);
        let (_, _, st) = pre(&p);
        [&n1, &n2]
            .iter()
            .map(|n| {
                let s = vb.filter(&st, &p, n);
                (s.code, s.message())
            })
            .collect()
    };
    let ok = (Code::Success, String::new());
    let no = |r: &str| (unresolvable, r.to_string());
    assert_eq!(
        verdicts("bound"),
        [
            ok.clone(),
            no("node(s) didn't match PersistentVolume's node affinity")
        ]
    );
    assert_eq!(
        verdicts("dangling"),
        [
            no("node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"),
            no("node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)")
        ]
    );
    // WaitForFirstConsumer without a provisioner: only where an available volume fits.
    assert_eq!(
        verdicts("late"),
        [
            no("node(s) didn't find available persistent volumes to bind"),
            ok.clone()
        ]
    );
    // With a provisioner, every node could get a new volume.
    assert_eq!(verdicts("lazy"), [ok.clone(), ok]);
    assert_eq!(
        fit_error_message(
            3,
            std::iter::empty(),
            Some("pod has unbound immediate PersistentVolumeClaims"),
            Some("preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
        ),
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    );
}
