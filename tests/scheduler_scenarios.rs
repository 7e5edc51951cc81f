//! kube-scheduler end to end on the kernel: nodes and pods created through the API server by an
//! admin test client, the scheduler placing pods as kube-scheduler 1.33 would, reporting the
//! ones that fit nowhere with the real message, retrying on cluster changes, and catching up
//! after a restart.

use std::any::Any;
use std::collections::BTreeMap;

use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::scheduler::KubeScheduler;
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim, SimConfig, SimDuration};
use serde_json::{json, Value};

#[derive(Clone, Default)]
struct Admin {
    responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Admin {
    fn addr(&self) -> Addr {
        Addr::Client("admin".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if let Message::HttpResponse { id, response } = &env.message {
            self.responses.insert(*id, response.clone());
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct Cluster {
    sim: Sim,
    seed: u64,
    next: u64,
    /// Every SchedulingDecision delivered, in order: (pod, decision).
    decisions: Vec<(String, Value)>,
}

impl Cluster {
    /// A cluster whose only kubelet is the control plane's: each test creates the worker Node
    /// objects it needs as an admin (nodes without kubelets, so nothing runs the pods).
    fn new(seed: u64) -> Cluster {
        let mut sim = Sim::empty(SimConfig::default(), seed);
        let mut config = kubestep::cluster::ClusterConfig::default();
        config.nodes.retain(|n| n.name == "control-plane");
        kubestep::cluster::bootstrap_with(&mut sim, &config);
        // The scheduler alone: kube-controller-manager's node lifecycle controller would taint
        // the kubelet-less test nodes unreachable after 50 s.
        sim.stop_actor(&kubestep::sim::Addr::ControllerManager);
        sim.add_actor(Box::new(Admin::default()));
        sim.run_until_idle();
        Cluster {
            sim,
            seed,
            next: 0,
            decisions: vec![],
        }
    }

    /// `run_until_idle`, keeping each scheduling decision as it is delivered.
    fn run(&mut self) {
        loop {
            match self.sim.peek() {
                None => return,
                Some(env) if env.message.is_timer() && env.deliver_at > self.sim.now() => return,
                Some(env) => {
                    if let Message::SchedulingDecision { pod, decision } = &env.message {
                        self.decisions.push((pod.clone(), (**decision).clone()));
                    }
                }
            }
            self.sim.step();
        }
    }

    fn advance(&mut self, secs: u64) {
        let until = self.sim.now().as_millis() + secs * 1000;
        while self.sim.now().as_millis() < until {
            self.sim.advance(SimDuration::from_millis(100));
            self.run();
        }
    }

    fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let id = self.next;
        self.next += 1;
        self.sim.inject(
            Addr::Client("admin".into()),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
            },
        );
        self.run();
        let r = &self
            .sim
            .actor::<Admin>(&Addr::Client("admin".into()))
            .unwrap()
            .responses[&id];
        (
            r.status,
            r.body_json().map(|b| (*b).clone()).unwrap_or(Value::Null),
        )
    }

    fn create(&mut self, path: &str, obj: Value) {
        let (status, body) = self.call(HttpRequest::new("POST", path).json_body(obj));
        assert_eq!(status, 201, "create {path}: {body} (seed {})", self.seed);
    }

    /// A worker Node as an admin registers it: cpu 2, memory 4Gi, 110 pods unless given.
    fn node(&mut self, name: &str, zone: &str, cpu: &str, taints: Value) {
        self.create(
            "/api/v1/nodes",
            json!({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "topology.kubernetes.io/zone": zone,
                }},
                "spec": {"taints": taints},
                "status": {
                    "capacity": {"cpu": cpu, "memory": "4Gi", "pods": "110"},
                    "allocatable": {"cpu": cpu, "memory": "4Gi", "pods": "110"},
                },
            }),
        );
    }

    fn workers(&mut self) {
        self.node("worker-1", "a-zone", "2", json!([]));
        self.node("worker-2", "b-zone", "2", json!([]));
    }

    fn pod(&mut self, name: &str, spec_extra: Value, labels: Value) {
        let mut spec = json!({"containers": [{"name": "c", "image": "nginx",
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]});
        for (k, v) in spec_extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.create(
            "/api/v1/namespaces/default/pods",
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "labels": labels}, "spec": spec}),
        );
    }

    fn get_pod(&mut self, name: &str) -> Value {
        let (status, body) = self.call(HttpRequest::new(
            "GET",
            &format!("/api/v1/namespaces/default/pods/{name}"),
        ));
        assert_eq!(status, 200, "seed {}", self.seed);
        body
    }

    fn node_of(&mut self, name: &str) -> String {
        self.get_pod(name)["spec"]["nodeName"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn events(&mut self) -> Vec<Value> {
        let (_, body) = self.call(HttpRequest::new("GET", "/api/v1/namespaces/default/events"));
        body["items"].as_array().cloned().unwrap_or_default()
    }

    fn scheduler(&self) -> &KubeScheduler {
        self.sim.actor::<KubeScheduler>(&Addr::Scheduler).unwrap()
    }
}

const TOO_BIG: &str = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";

fn big_pod() -> Value {
    json!({"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "3"}}}]})
}

#[test]
fn a_pod_is_bound_to_a_worker_with_its_decision_in_the_trace() {
    let seed = 1;
    let mut c = Cluster::new(seed);
    c.workers();
    c.pod("web-abc", json!({}), json!({"app": "web"}));
    let node = c.node_of("web-abc");
    assert!(
        node == "worker-1" || node == "worker-2",
        "got {node:?} (seed {seed})"
    );
    let pod = c.get_pod("web-abc");
    let scheduled = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .cloned()
        .unwrap();
    assert_eq!(scheduled["status"], "True", "seed {seed}");

    let trace = c.sim.trace().entries();
    let decision = trace
        .iter()
        .position(|e| e.kind == "scheduling-decision")
        .expect("a decision in the trace");
    assert_eq!(trace[decision].step, Some(6), "seed {seed}");
    let bind = trace
        .iter()
        .position(|e| {
            e.kind == "http-request" && e.path.as_deref().is_some_and(|p| p.ends_with("/binding"))
        })
        .expect("a binding request");
    assert!(bind > decision, "step 7 follows step 6 (seed {seed})");
    assert_eq!(trace[bind].step, Some(7), "seed {seed}");

    let events = c.events();
    let scheduled_event = events
        .iter()
        .find(|e| e["reason"] == "Scheduled")
        .expect("a Scheduled event");
    assert_eq!(
        scheduled_event["message"],
        format!("Successfully assigned default/web-abc to {node}"),
        "seed {seed}"
    );
    assert_eq!(scheduled_event["source"]["component"], "default-scheduler");
}

#[test]
fn the_decision_shows_each_filter_verdict_and_the_weighted_scores() {
    let seed = 2;
    let mut c = Cluster::new(seed);
    c.workers();
    c.pod("web", json!({}), json!({"app": "web"}));
    assert_eq!(c.decisions.len(), 1, "seed {seed}");
    let (pod, d) = &c.decisions[0];
    assert_eq!(pod, "default/web");
    assert_eq!(d["nodes"], 3);
    assert_eq!(d["evaluatedNodes"], 3);
    assert_eq!(d["feasibleNodes"], 2);
    // The control-plane node fails at TaintToleration after passing the plugins before it.
    let cp = d["filters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == "control-plane")
        .unwrap();
    assert_eq!(
        cp["filters"],
        json!({"NodeUnschedulable": "Success", "NodeName": "Success", "TaintToleration":
            {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]}})
    );
    assert_eq!(
        d["filterFailures"],
        json!([{"plugin": "TaintToleration", "reason": "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", "count": 1, "nodes": ["control-plane"]}])
    );
    // Skipped at PreScore: NodeAffinity (no preferred terms), PodTopologySpread (no
    // constraints, no owner), InterPodAffinity (no affinity anywhere).
    assert_eq!(
        d["scorePlugins"],
        json!([
            "TaintToleration",
            "NodeResourcesFit",
            "NodeResourcesBalancedAllocation",
            "ImageLocality"
        ])
    );
    assert_eq!(d["weights"], json!([3, 1, 1, 1]));
    // 100m/128Mi on empty 2-cpu/4Gi nodes: LeastAllocated (95 + 96) / 2 = 95, balanced
    // 1 − |0.05 − 0.03125| / 2 → 99, no PreferNoSchedule taints → 100 × 3.
    let scores = &d["scores"];
    assert_eq!(scores["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(
        scores["raw"],
        json!({"TaintToleration": [0, 0], "NodeResourcesFit": [95, 95],
            "NodeResourcesBalancedAllocation": [99, 99], "ImageLocality": [0, 0]}),
        "seed {seed}"
    );
    assert_eq!(scores["normalized"]["TaintToleration"], json!([100, 100]));
    assert_eq!(scores["total"], json!([494, 494]), "seed {seed}");
    let selected = d["selectedNode"].as_str().unwrap().to_string();
    assert_eq!(c.node_of("web"), selected, "seed {seed}");
}

#[test]
fn pods_of_a_replicaset_spread_across_both_zones() {
    for seed in [3, 4, 5] {
        let mut c = Cluster::new(seed);
        c.workers();
        c.create(
            "/apis/apps/v1/namespaces/default/replicasets",
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": "web"},
                "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
        );
        let (_, rs) = c.call(HttpRequest::new(
            "GET",
            "/apis/apps/v1/namespaces/default/replicasets/web",
        ));
        let uid = rs["metadata"]["uid"].clone();
        for i in 0..4 {
            c.create(
                "/api/v1/namespaces/default/pods",
                json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": format!("web-{i}"), "labels": {"app": "web"},
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                            "name": "web", "uid": uid, "controller": true}]},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
            );
        }
        let mut per_node: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..4 {
            *per_node.entry(c.node_of(&format!("web-{i}"))).or_default() += 1;
        }
        assert_eq!(
            per_node,
            BTreeMap::from([("worker-1".to_string(), 2), ("worker-2".to_string(), 2)]),
            "seed {seed}"
        );
    }
}

#[test]
fn a_node_selector_picks_the_zone() {
    let seed = 6;
    let mut c = Cluster::new(seed);
    c.workers();
    for i in 0..3 {
        c.pod(
            &format!("b-{i}"),
            json!({"nodeSelector": {"topology.kubernetes.io/zone": "b-zone"}}),
            json!({}),
        );
        assert_eq!(c.node_of(&format!("b-{i}")), "worker-2", "seed {seed}");
    }
}

#[test]
fn taints_keep_pods_off_unless_tolerated() {
    let seed = 7;
    let mut c = Cluster::new(seed);
    c.node(
        "gpu-1",
        "a-zone",
        "2",
        json!([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]),
    );
    c.node("worker-2", "b-zone", "2", json!([]));
    for i in 0..3 {
        c.pod(&format!("plain-{i}"), json!({}), json!({}));
        assert_eq!(c.node_of(&format!("plain-{i}")), "worker-2", "seed {seed}");
    }
    c.pod(
        "gpu-job",
        json!({
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}],
            "nodeSelector": {"kubernetes.io/hostname": "gpu-1"},
        }),
        json!({}),
    );
    assert_eq!(c.node_of("gpu-job"), "gpu-1", "seed {seed}");
}

#[test]
fn required_anti_affinity_leaves_the_third_replica_pending_with_the_real_message() {
    let seed = 8;
    let mut c = Cluster::new(seed);
    c.workers();
    let anti = json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}});
    for i in 0..3 {
        c.pod(&format!("db-{i}"), anti.clone(), json!({"app": "db"}));
    }
    let nodes: Vec<String> = (0..3).map(|i| c.node_of(&format!("db-{i}"))).collect();
    assert_ne!(nodes[0], nodes[1], "seed {seed}");
    assert_eq!(nodes[2], "", "seed {seed}");
    let pod = c.get_pod("db-2");
    let cond = &pod["status"]["conditions"][0];
    assert_eq!(cond["type"], "PodScheduled");
    assert_eq!(cond["status"], "False");
    assert_eq!(cond["reason"], "Unschedulable");
    assert_eq!(
        cond["message"],
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
        "seed {seed}"
    );
}

#[test]
fn pod_affinity_follows_the_first_pod_into_its_zone() {
    let seed = 9;
    let mut c = Cluster::new(seed);
    c.workers();
    c.node("worker-3", "b-zone", "2", json!([]));
    c.pod(
        "cache",
        json!({"nodeSelector": {"kubernetes.io/hostname": "worker-3"}}),
        json!({"app": "cache"}),
    );
    let affinity = json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "topology.kubernetes.io/zone"}]}}});
    for i in 0..4 {
        c.pod(&format!("web-{i}"), affinity.clone(), json!({"app": "web"}));
        let node = c.node_of(&format!("web-{i}"));
        assert!(
            node == "worker-2" || node == "worker-3",
            "web-{i} on {node} (seed {seed})"
        );
    }
}

#[test]
fn topology_spread_do_not_schedule_balances_zones() {
    let seed = 10;
    let mut c = Cluster::new(seed);
    c.workers();
    // A second node in a-zone: without the constraint, a-zone would take more pods.
    c.node("worker-3", "a-zone", "2", json!([]));
    let spread = json!({"topologySpreadConstraints": [{"maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": "web"}}}]});
    for i in 0..6 {
        c.pod(&format!("web-{i}"), spread.clone(), json!({"app": "web"}));
    }
    let mut per_zone: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..6 {
        let zone = match c.node_of(&format!("web-{i}")).as_str() {
            "worker-2" => "b-zone",
            "worker-1" | "worker-3" => "a-zone",
            other => panic!("web-{i} on {other:?} (seed {seed})"),
        };
        *per_zone.entry(zone).or_default() += 1;
    }
    assert_eq!(
        per_zone,
        BTreeMap::from([("a-zone", 3), ("b-zone", 3)]),
        "seed {seed}"
    );
}

#[test]
fn a_pod_too_large_for_any_node_stays_pending_with_the_real_message() {
    let seed = 11;
    let mut c = Cluster::new(seed);
    c.workers();
    c.create(
        "/api/v1/namespaces/default/pods",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "huge"}, "spec": big_pod()}),
    );
    let pod = c.get_pod("huge");
    assert_eq!(pod["spec"].get("nodeName"), None, "seed {seed}");
    let cond = &pod["status"]["conditions"][0];
    assert_eq!(cond["reason"], "Unschedulable", "seed {seed}");
    assert_eq!(cond["message"], TOO_BIG, "seed {seed}");
    let events = c.events();
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["reason"] == "FailedScheduling")
        .collect();
    assert_eq!(failed.len(), 1, "seed {seed}");
    let e = failed[0];
    assert_eq!(e["message"], TOO_BIG);
    assert_eq!(e["type"], "Warning");
    assert_eq!(e["source"]["component"], "default-scheduler");
    assert_eq!(e["reportingComponent"], "default-scheduler");
    assert_eq!(e["involvedObject"]["name"], "huge");
    // Five minutes later it has been retried (podMaxInUnschedulablePodsDuration), and the
    // repeat only counts up the same event.
    let before = c.scheduler().cycles;
    c.advance(331);
    assert!(
        c.scheduler().cycles > before,
        "retried after 5 min (seed {seed})"
    );
    let events = c.events();
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["reason"] == "FailedScheduling")
        .collect();
    assert_eq!(failed.len(), 1, "seed {seed}");
    assert_eq!(failed[0]["count"], 2, "seed {seed}");
}

#[test]
fn an_unschedulable_pod_is_retried_when_a_node_is_added() {
    let seed = 12;
    let mut c = Cluster::new(seed);
    c.workers();
    c.create(
        "/api/v1/namespaces/default/pods",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "huge"}, "spec": big_pod()}),
    );
    assert_eq!(c.node_of("huge"), "", "seed {seed}");
    c.node("worker-big", "a-zone", "8", json!([]));
    // The pod waits out its first backoff (1 s) before the retry.
    c.advance(2);
    assert_eq!(c.node_of("huge"), "worker-big", "seed {seed}");
}

#[test]
fn a_restarted_scheduler_catches_up_on_pods_created_while_it_was_down() {
    let seed = 13;
    let mut c = Cluster::new(seed);
    c.workers();
    c.pod("before", json!({}), json!({}));
    assert_ne!(c.node_of("before"), "", "seed {seed}");
    c.sim.stop_actor(&Addr::Scheduler);
    for i in 0..3 {
        c.pod(&format!("while-down-{i}"), json!({}), json!({}));
    }
    for i in 0..3 {
        assert_eq!(c.node_of(&format!("while-down-{i}")), "", "seed {seed}");
    }
    c.sim.start_actor(&Addr::Scheduler);
    c.run();
    for i in 0..3 {
        assert_ne!(c.node_of(&format!("while-down-{i}")), "", "seed {seed}");
    }
    // The relisted cache counts every bound pod once.
    let sched = c.scheduler();
    let counted: usize = ["worker-1", "worker-2"]
        .iter()
        .map(|n| sched.cache.nodes[*n].pods.len())
        .sum();
    assert_eq!(counted, 4, "seed {seed}");
    assert_eq!(
        sched.reflector(kubestep::scheduler::Kind::Pods).lists,
        1,
        "seed {seed}"
    );
}

#[test]
fn no_nodes_but_the_control_plane() {
    let seed = 14;
    let mut c = Cluster::new(seed);
    c.pod("lonely", json!({}), json!({}));
    let pod = c.get_pod("lonely");
    assert_eq!(
        pod["status"]["conditions"][0]["message"],
        "0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
        "seed {seed}"
    );
}

#[test]
fn a_pod_waiting_for_affinity_is_retried_when_a_matching_pod_lands() {
    let seed = 15;
    let mut c = Cluster::new(seed);
    c.workers();
    let affinity = json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "topology.kubernetes.io/zone"}]}}});
    c.pod("web", affinity, json!({"app": "web"}));
    assert_eq!(
        c.node_of("web"),
        "",
        "no cache pod anywhere yet (seed {seed})"
    );
    c.pod(
        "cache",
        json!({"nodeSelector": {"topology.kubernetes.io/zone": "b-zone"}}),
        json!({"app": "cache"}),
    );
    assert_eq!(c.node_of("cache"), "worker-2", "seed {seed}");
    // Well before the 5-minute flush: the cache pod's placement woke it (after its backoff).
    c.advance(2);
    assert_eq!(c.node_of("web"), "worker-2", "seed {seed}");
}
