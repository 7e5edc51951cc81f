//! Preemption end to end on a booted cluster with real kubelets: a pod that fits only if
//! lower-priority pods go is nominated to their node, the victims get `DisruptionTarget` and
//! are deleted after their grace period, and the pod then binds there and runs; pods of equal
//! priority are never victims, `preemptionPolicy: Never` waits, the room a nominated pod waits
//! for is not taken by others, a stale nomination is cleared, and a Deployment's victim comes
//! back as a Pending replacement with the real FailedScheduling message.

mod cluster_support;

use cluster_support::{condition, deleting, node_of, running_and_ready, Cluster};
use kubestep::apiserver::request::HttpRequest;
use kubestep::scheduler::KubeScheduler;
use kubestep::sim::{Addr, Message, SimDuration};
use serde_json::{json, Value};

/// The control plane's taint and the selector's verdict, as the real FitError prints them.
const CP_TAINT: &str = "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }";
const SELECTOR: &str = "1 node(s) didn't match Pod's node affinity/selector";

/// The booted cluster, stepped message by message so that every scheduling decision of the
/// trace is kept as it is delivered.
struct Run {
    c: Cluster,
    /// (pod, decision) in delivery order.
    decisions: Vec<(String, Value)>,
}

impl Run {
    fn new(seed: u64) -> Run {
        let mut r = Run {
            c: Cluster::booted(seed),
            decisions: vec![],
        };
        for (name, value, policy) in [
            ("low", 100, "PreemptLowerPriority"),
            ("medium", 500, "Never"),
            ("high", 1000, "PreemptLowerPriority"),
            ("high-never", 1000, "Never"),
        ] {
            r.create(
                "/apis/scheduling.k8s.io/v1/priorityclasses",
                json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                    "metadata": {"name": name}, "value": value, "preemptionPolicy": policy}),
            );
        }
        r
    }

    fn seed(&self) -> u64 {
        self.c.seed
    }

    /// Delivers every message due in the next `ms` of simulated time.
    fn step_ms(&mut self, ms: u64) {
        let until = self.c.sim.now().as_millis() + ms;
        while let Some(env) = self.c.sim.peek() {
            if env.deliver_at.as_millis() > until {
                break;
            }
            if let Message::SchedulingDecision { pod, decision } = &env.message {
                self.decisions.push((pod.clone(), (**decision).clone()));
            }
            self.c.sim.step();
        }
        let left = until.saturating_sub(self.c.sim.now().as_millis());
        self.c.sim.advance(SimDuration::from_millis(left));
    }

    fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let id = self.c.send(req, None);
        for _ in 0..1000 {
            if self.c.response(id).is_some() {
                break;
            }
            self.step_ms(10);
        }
        let r = self
            .c
            .response(id)
            .unwrap_or_else(|| panic!("no answer (seed {})", self.seed()));
        (
            r.status,
            r.body_json().map(|b| (*b).clone()).unwrap_or(Value::Null),
        )
    }

    fn create(&mut self, path: &str, obj: Value) -> Value {
        let (status, body) = self.call(HttpRequest::new("POST", path).json_body(obj));
        assert_eq!(status, 201, "{body} (seed {})", self.seed());
        body
    }

    /// The pod, or `None` once it is gone.
    fn pod(&mut self, name: &str) -> Option<Value> {
        let (status, body) = self.call(HttpRequest::new(
            "GET",
            &format!("/api/v1/namespaces/default/pods/{name}"),
        ));
        (status == 200).then_some(body)
    }

    fn pods(&mut self) -> Vec<Value> {
        let (_, body) = self.call(HttpRequest::new("GET", "/api/v1/namespaces/default/pods"));
        body["items"].as_array().cloned().unwrap_or_default()
    }

    fn events(&mut self) -> Vec<Value> {
        let (_, body) = self.call(HttpRequest::new("GET", "/api/v1/namespaces/default/events"));
        body["items"].as_array().cloned().unwrap_or_default()
    }

    /// Steps a second at a time until `done` holds; returns the seconds it took.
    fn wait_until(
        &mut self,
        limit: u64,
        what: &str,
        mut done: impl FnMut(&mut Run) -> bool,
    ) -> u64 {
        for waited in 0..=limit {
            if done(self) {
                return waited;
            }
            self.step_ms(1000);
        }
        panic!("seed {}: {what} within {limit} s", self.seed());
    }

    fn scheduler(&self) -> &KubeScheduler {
        self.c.sim.actor::<KubeScheduler>(&Addr::Scheduler).unwrap()
    }

    /// A bare pod on worker-1 (by node selector) asking for `cpu`, of priority class `class`.
    /// Its process ignores SIGTERM (`sleep` as PID 1), so a deletion waits out the grace period.
    fn pod_on_worker_1(&mut self, name: &str, class: &str, cpu: &str, extra: Value) -> Value {
        let mut spec = json!({
            "priorityClassName": class,
            "nodeSelector": {"kubernetes.io/hostname": "worker-1"},
            "terminationGracePeriodSeconds": 20,
            "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"],
                "resources": {"requests": {"cpu": cpu}}}],
        });
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.create(
            "/api/v1/namespaces/default/pods",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}),
        )
    }

    fn wait_running(&mut self, name: &str) {
        self.wait_until(60, &format!("{name} Running and Ready"), |r| {
            r.pod(name).is_some_and(|p| running_and_ready(&p))
        });
    }

    /// The last decision about `default/<name>`.
    fn decision(&self, name: &str) -> &Value {
        let key = format!("default/{name}");
        &self
            .decisions
            .iter()
            .rev()
            .find(|(p, _)| *p == key)
            .unwrap_or_else(|| panic!("a decision about {key} (seed {})", self.seed()))
            .1
    }
}

fn events_of<'a>(events: &'a [Value], pod: &str, reason: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["involvedObject"]["name"] == pod && e["reason"] == reason)
        .collect()
}

#[test]
fn a_high_priority_pod_preempts_a_low_priority_one_then_binds_to_its_node_and_runs() {
    let mut r = Run::new(1);
    let seed = r.seed();
    // worker-1 (4 cpu) filled by two low-priority pods; low-1 starts later.
    r.pod_on_worker_1("low-0", "low", "2", json!({}));
    r.wait_running("low-0");
    r.step_ms(5000);
    r.pod_on_worker_1("low-1", "low", "2", json!({}));
    r.wait_running("low-1");

    let urgent = r.pod_on_worker_1("urgent", "high", "2", json!({}));
    let urgent_uid = urgent["metadata"]["uid"].as_str().unwrap().to_string();
    assert_eq!(urgent["spec"]["priority"], 1000, "seed {seed}");
    // The cycle's decision: no node fits; on worker-1 one victim is enough, the one that
    // started later (the earlier one is reprieved first).
    r.wait_until(5, "urgent nominated", |r| {
        r.pod("urgent")
            .is_some_and(|p| p["status"]["nominatedNodeName"] == "worker-1")
    });
    assert_eq!(r.scheduler().preemptions_in_flight(), 0, "seed {seed}");
    let d = r.decision("urgent").clone();
    let pf = &d["postFilter"];
    assert_eq!(pf["plugin"], "DefaultPreemption", "seed {seed}");
    assert_eq!(pf["potentialNodes"], 1, "seed {seed}");
    assert_eq!(
        pf["selected"],
        json!({"node": "worker-1", "victims": ["default/low-1"]}),
        "seed {seed}"
    );
    assert_eq!(pf["nominatedNodeName"], "worker-1", "seed {seed}");
    // The FailedScheduling of a successful preemption has no `preemption:` part.
    let expected = format!("0/3 nodes are available: 1 Insufficient cpu, {SELECTOR}, {CP_TAINT}.");
    assert_eq!(d["message"], expected, "seed {seed}");
    let pod = r.pod("urgent").unwrap();
    let scheduled = condition(&pod, "PodScheduled").unwrap();
    assert_eq!(scheduled["status"], "False", "seed {seed}");
    assert_eq!(scheduled["reason"], "Unschedulable", "seed {seed}");
    assert_eq!(scheduled["message"], expected, "seed {seed}");
    assert_eq!(node_of(&pod), "", "seed {seed}");

    // The victim: DisruptionTarget, deletion started, its grace period running on the kubelet.
    let victim = r.pod("low-1").expect("still terminating");
    assert!(deleting(&victim), "seed {seed}");
    assert_eq!(
        victim["metadata"]["deletionGracePeriodSeconds"], 20,
        "seed {seed}"
    );
    let target = condition(&victim, "DisruptionTarget").expect("DisruptionTarget");
    assert_eq!(target["status"], "True", "seed {seed}");
    assert_eq!(target["reason"], "PreemptionByScheduler", "seed {seed}");
    assert_eq!(
        target["message"], "default-scheduler: preempting to accommodate a higher priority pod",
        "seed {seed}"
    );
    let events = r.events();
    let preempted = events_of(&events, "low-1", "Preempted");
    assert_eq!(preempted.len(), 1, "seed {seed}");
    assert_eq!(
        preempted[0]["message"],
        format!("Preempted by pod {urgent_uid} on node worker-1"),
        "seed {seed}"
    );
    assert_eq!(preempted[0]["type"], "Normal", "seed {seed}");
    assert_eq!(preempted[0]["source"]["component"], "default-scheduler");
    assert_eq!(preempted[0]["related"]["name"], "urgent", "seed {seed}");
    // The reprieved pod is untouched.
    let kept = r.pod("low-0").unwrap();
    assert!(
        !deleting(&kept) && condition(&kept, "DisruptionTarget").is_none(),
        "seed {seed}"
    );

    // While the victim terminates, the pod waits: retried (a toleration added, which
    // TaintToleration's queueing hint requeues it for), it may not preempt again and keeps its
    // nomination.
    assert_eq!(
        r.scheduler().nominator.nominated_node("default/urgent"),
        Some("worker-1")
    );
    let (status, body) = r.call(
        HttpRequest::new("PATCH", "/api/v1/namespaces/default/pods/urgent")
            .header("Content-Type", "application/json-patch+json")
            .json_body(json!([{"op": "add", "path": "/spec/tolerations/-",
                "value": {"key": "example.com/retry", "operator": "Exists", "effect": "NoSchedule"}}])),
    );
    assert_eq!(status, 200, "{body} (seed {seed})");
    r.step_ms(3000);
    let d = r.decision("urgent");
    assert_eq!(
        d["message"],
        format!(
            "{} preemption: not eligible due to a terminating pod on the nominated node.",
            expected
        ),
        "seed {seed}"
    );
    assert_eq!(d["nominatedNode"]["node"], "worker-1", "seed {seed}");
    assert_eq!(
        r.pod("urgent").unwrap()["status"]["nominatedNodeName"],
        "worker-1",
        "seed {seed}"
    );
    let gone = r.wait_until(40, "low-1 deleted", |r| r.pod("low-1").is_none());
    assert!(
        (15..=25).contains(&gone),
        "low-1 went after its 20 s grace period, took {gone} s (seed {seed})"
    );
    r.wait_until(10, "urgent bound to worker-1", |r| {
        r.pod("urgent").is_some_and(|p| node_of(&p) == "worker-1")
    });
    r.wait_running("urgent");
    let d = r.decision("urgent");
    assert_eq!(d["nominatedNode"]["node"], "worker-1", "seed {seed}");
    assert_eq!(d["selectedNode"], "worker-1", "seed {seed}");
    assert!(r.scheduler().nominator.is_empty(), "seed {seed}");
    assert!(
        r.pod("low-0").is_some_and(|p| running_and_ready(&p)),
        "seed {seed}"
    );
    // 1.33 leaves status.nominatedNodeName on a bound pod (ClearingNominatedNodeNameAfterBinding
    // is 1.34); only the scheduler's memory forgets it.
    assert_eq!(
        r.pod("urgent").unwrap()["status"]["nominatedNodeName"],
        "worker-1",
        "seed {seed}"
    );
    // Exactly one round of preemption happened.
    let events = r.events();
    let all_preempted: usize = ["low-0", "low-1"]
        .iter()
        .map(|p| events_of(&events, p, "Preempted").len())
        .sum();
    assert_eq!(all_preempted, 1, "seed {seed}");
}

#[test]
fn pods_of_equal_priority_are_never_victims() {
    let mut r = Run::new(2);
    let seed = r.seed();
    // 1 cpu of lower priority and 3 of equal priority: evicting the low one is not enough.
    r.pod_on_worker_1("low", "low", "1", json!({}));
    r.pod_on_worker_1("peer", "high", "3", json!({}));
    r.wait_running("low");
    r.wait_running("peer");
    r.pod_on_worker_1("urgent", "high", "2", json!({}));
    r.step_ms(5000);
    let expected = format!(
        "0/3 nodes are available: 1 Insufficient cpu, {SELECTOR}, {CP_TAINT}. preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 Preemption is not helpful for scheduling."
    );
    let pod = r.pod("urgent").unwrap();
    assert_eq!(
        condition(&pod, "PodScheduled").unwrap()["message"],
        expected,
        "seed {seed}"
    );
    assert!(
        pod["status"].get("nominatedNodeName").is_none(),
        "seed {seed}"
    );
    // Only the lower-priority pod was a potential victim, and it alone does not make room.
    let d = r.decision("urgent");
    assert_eq!(
        d["postFilter"]["nodes"],
        json!([{"node": "worker-1", "status": {"code": "Unschedulable", "reasons": ["Insufficient cpu"]}}]),
        "seed {seed}"
    );
    // With only equal-priority pods on the node there is no victim at all.
    r.pod_on_worker_1(
        "peer-2",
        "high",
        "1",
        json!({"nodeSelector": {"kubernetes.io/hostname": "worker-2"}}),
    );
    r.pod_on_worker_1(
        "peer-3",
        "high",
        "3",
        json!({"nodeSelector": {"kubernetes.io/hostname": "worker-2"}}),
    );
    r.wait_running("peer-3");
    r.pod_on_worker_1(
        "urgent-2",
        "high",
        "2",
        json!({"nodeSelector": {"kubernetes.io/hostname": "worker-2"}}),
    );
    r.step_ms(5000);
    let pod = r.pod("urgent-2").unwrap();
    assert_eq!(
        condition(&pod, "PodScheduled").unwrap()["message"],
        format!(
            "0/3 nodes are available: 1 Insufficient cpu, {SELECTOR}, {CP_TAINT}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
        ),
        "seed {seed}"
    );
    for p in r.pods() {
        assert!(
            !deleting(&p) && condition(&p, "DisruptionTarget").is_none(),
            "{} untouched (seed {seed})",
            p["metadata"]["name"]
        );
    }
    assert!(
        r.events().iter().all(|e| e["reason"] != "Preempted"),
        "seed {seed}"
    );
}

#[test]
fn preemption_policy_never_leaves_the_pod_pending() {
    let mut r = Run::new(3);
    let seed = r.seed();
    r.pod_on_worker_1("low-0", "low", "2", json!({}));
    r.pod_on_worker_1("low-1", "low", "2", json!({}));
    r.wait_running("low-1");
    r.pod_on_worker_1("polite", "high-never", "2", json!({}));
    r.step_ms(5000);
    let pod = r.pod("polite").unwrap();
    assert_eq!(pod["spec"]["preemptionPolicy"], "Never", "seed {seed}");
    let expected = format!(
        "0/3 nodes are available: 1 Insufficient cpu, {SELECTOR}, {CP_TAINT}. preemption: not eligible due to preemptionPolicy=Never."
    );
    assert_eq!(
        condition(&pod, "PodScheduled").unwrap()["message"],
        expected,
        "seed {seed}"
    );
    assert_eq!(
        r.decision("polite")["postFilter"]["notEligible"],
        "not eligible due to preemptionPolicy=Never."
    );
    assert!(
        pod["status"].get("nominatedNodeName").is_none(),
        "seed {seed}"
    );
    let events = r.events();
    assert_eq!(
        events_of(&events, "polite", "FailedScheduling")[0]["message"],
        expected
    );
    for name in ["low-0", "low-1"] {
        let p = r.pod(name).unwrap();
        assert!(
            running_and_ready(&p) && !deleting(&p),
            "{name} (seed {seed})"
        );
    }
}

#[test]
fn the_room_a_nominated_pod_waits_for_is_not_taken_by_a_lower_priority_pod() {
    let mut r = Run::new(4);
    let seed = r.seed();
    // 1 + 2 cpu used, 1 free: urgent (3 cpu) needs low-1 gone.
    r.pod_on_worker_1("low-0", "low", "1", json!({}));
    r.wait_running("low-0");
    r.step_ms(3000);
    r.pod_on_worker_1("low-1", "low", "2", json!({}));
    r.wait_running("low-1");
    r.pod_on_worker_1("urgent", "high", "3", json!({}));
    r.wait_until(5, "urgent nominated", |r| {
        r.pod("urgent")
            .is_some_and(|p| p["status"]["nominatedNodeName"] == "worker-1")
    });
    assert_eq!(
        r.decision("urgent")["postFilter"]["selected"]["victims"],
        json!(["default/low-1"]),
        "seed {seed}"
    );
    // A 1-cpu pod of medium priority would fit in the free cpu right now, but urgent's 3 cpu
    // count on worker-1 for it; it may not preempt (Never), so it waits.
    r.pod_on_worker_1("medium", "medium", "1", json!({}));
    r.step_ms(3000);
    let d = r.decision("medium");
    assert_eq!(
        d["nominatedPods"],
        json!({"worker-1": ["default/urgent"]}),
        "seed {seed}"
    );
    let expected = format!(
        "0/3 nodes are available: 1 Insufficient cpu, {SELECTOR}, {CP_TAINT}. preemption: not eligible due to preemptionPolicy=Never."
    );
    assert_eq!(d["message"], expected, "seed {seed}");
    r.wait_until(40, "urgent bound to worker-1", |r| {
        r.pod("urgent").is_some_and(|p| node_of(&p) == "worker-1")
    });
    r.wait_running("urgent");
    r.step_ms(5000);
    let medium = r.pod("medium").unwrap();
    assert_eq!(node_of(&medium), "", "seed {seed}");
    assert_eq!(
        condition(&medium, "PodScheduled").unwrap()["message"],
        expected,
        "seed {seed}"
    );
}

#[test]
fn a_nomination_that_becomes_stale_is_cleared() {
    let mut r = Run::new(5);
    let seed = r.seed();
    r.pod_on_worker_1("low-0", "low", "2", json!({}));
    r.pod_on_worker_1("low-1", "low", "2", json!({}));
    r.wait_running("low-1");
    // The victim's 20 s grace period keeps it terminating while the node changes.
    r.pod_on_worker_1("urgent", "high", "2", json!({}));
    r.wait_until(5, "urgent nominated", |r| {
        r.pod("urgent")
            .is_some_and(|p| p["status"]["nominatedNodeName"] == "worker-1")
    });
    // worker-1 gets a taint urgent does not tolerate: no node can ever take it now.
    let (status, body) = r.call(
        HttpRequest::new("PATCH", "/api/v1/nodes/worker-1")
            .header("Content-Type", "application/merge-patch+json")
            .json_body(
                json!({"spec": {"taints": [{"key": "maintenance", "effect": "NoSchedule"}]}}),
            ),
    );
    assert_eq!(status, 200, "{body} (seed {seed})");
    // At its next attempt (the node change, or at the latest its victim's deletion) worker-1
    // rules it out for good, preemption finds no node, and the nomination is cleared.
    r.wait_until(40, "urgent's nomination cleared", |r| {
        r.pod("urgent")
            .is_some_and(|p| p["status"].get("nominatedNodeName").is_none())
    });
    let pod = r.pod("urgent").unwrap();
    assert_eq!(
        condition(&pod, "PodScheduled").unwrap()["message"],
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {maintenance: }, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
        "seed {seed}"
    );
    assert_eq!(
        r.decision("urgent")["postFilter"]["nominatedNodeName"],
        "",
        "seed {seed}"
    );
    assert!(r.scheduler().nominator.is_empty(), "seed {seed}");
}

#[test]
fn a_deployments_victim_is_recreated_and_stays_pending() {
    let mut r = Run::new(6);
    let seed = r.seed();
    r.create(
        "/apis/apps/v1/namespaces/default/deployments",
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "filler"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "filler"}},
                "template": {"metadata": {"labels": {"app": "filler"}}, "spec": {
                    "priorityClassName": "low",
                    "nodeSelector": {"kubernetes.io/hostname": "worker-1"},
                    "terminationGracePeriodSeconds": 10,
                    "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"],
                        "resources": {"requests": {"cpu": "2"}}}]}}}}),
    );
    r.wait_until(60, "both replicas Running", |r| {
        r.pods().iter().filter(|p| running_and_ready(p)).count() == 2
    });
    let before: Vec<String> = r
        .pods()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    r.pod_on_worker_1("urgent", "high", "2", json!({}));
    r.wait_until(60, "urgent Running on worker-1", |r| {
        r.pod("urgent")
            .is_some_and(|p| node_of(&p) == "worker-1" && running_and_ready(&p))
    });
    // One filler pod was preempted and is gone; its ReplicaSet made a replacement.
    let pods = r.pods();
    let fillers: Vec<&Value> = pods
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "filler")
        .collect();
    assert_eq!(fillers.len(), 2, "seed {seed}");
    let survivors: Vec<&&Value> = fillers
        .iter()
        .filter(|p| before.contains(&p["metadata"]["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(survivors.len(), 1, "seed {seed}");
    assert!(running_and_ready(survivors[0]), "seed {seed}");
    let replacement = fillers
        .iter()
        .find(|p| !before.contains(&p["metadata"]["name"].as_str().unwrap().to_string()))
        .expect("a replacement");
    let name = replacement["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(replacement["status"]["phase"], "Pending", "seed {seed}");
    assert_eq!(node_of(replacement), "", "seed {seed}");
    let expected = format!(
        "0/3 nodes are available: 1 Insufficient cpu, {SELECTOR}, {CP_TAINT}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
    );
    assert_eq!(
        condition(replacement, "PodScheduled").unwrap()["message"],
        expected,
        "seed {seed}"
    );
    let events = r.events();
    let failed = events_of(&events, &name, "FailedScheduling");
    assert_eq!(failed.last().unwrap()["message"], expected, "seed {seed}");
    let preempted: Vec<&Value> = events
        .iter()
        .filter(|e| e["reason"] == "Preempted")
        .collect();
    assert_eq!(preempted.len(), 1, "seed {seed}");
    assert!(
        !before.contains(&name)
            && before.contains(
                &preempted[0]["involvedObject"]["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            ),
        "seed {seed}"
    );
}
