//! DefaultPreemption (`plugins/defaultpreemption/default_preemption.go`), the PostFilter that
//! runs when no node fits: the plugin's own rules — who may preempt (`preemptionPolicy: Never`
//! may not; nor a pod whose earlier victims are still terminating on its nominated node),
//! which pods of a node must go (`SelectVictimsOnNode`: remove every lower-priority pod, then
//! reprieve as many as still let the pod fit, most important first, PDB-violating ones before
//! the others), how many candidate nodes to find, and its PreEnqueue, which holds a pod back
//! while its preemption is still sending API calls. The evaluator that drives them (dry runs,
//! choosing the node, evicting) is `framework::preemption`.
//!
//! PodDisruptionBudgets: kube-scheduler lists them through a policy/v1 informer, but
//! kubestep's API server does not serve `poddisruptionbudgets`, so the scheduler starts no such
//! informer (as with ReplicationControllers) and every victim counts as non-violating. The
//! rule itself is here ([`filter_pods_with_pdb_violation`]) for the budgets it is given.

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::labels::Selector;
use crate::scheduler::framework::{Code, CycleState, NodeInfo, PodInfo, Profile, Snapshot, Status};
use crate::sim::SimTime;

pub const NAME: &str = "DefaultPreemption";
pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
pub const NOT_ELIGIBLE_NEVER: &str = "not eligible due to preemptionPolicy=Never.";
pub const NOT_ELIGIBLE_TERMINATING: &str =
    "not eligible due to a terminating pod on the nominated node.";
/// PreEnqueue's rejection while the pod's preemption runs.
pub const WAITING_FOR_PREEMPTION: &str = "waiting for the preemption for this pod to be finished";

/// `DefaultPreemptionArgs.MinCandidateNodesPercentage` (default).
pub const MIN_CANDIDATE_NODES_PERCENTAGE: usize = 10;
/// `DefaultPreemptionArgs.MinCandidateNodesAbsolute` (default).
pub const MIN_CANDIDATE_NODES_ABSOLUTE: usize = 100;

/// `calculateNumCandidates`: 10% of the potential nodes, at least 100, at most all of them.
pub fn calculate_num_candidates(num_nodes: usize) -> usize {
    let n = num_nodes * MIN_CANDIDATE_NODES_PERCENTAGE / 100;
    n.max(MIN_CANDIDATE_NODES_ABSOLUTE).min(num_nodes)
}

/// `PodEligibleToPreemptOthers`: `Err` carries the reason the pod may not preempt.
/// `nominated_node_status` is this cycle's filter status of the pod's nominated node (`None`
/// when the node was not evaluated, which counts as UnschedulableAndUnresolvable).
pub fn pod_eligible_to_preempt_others(
    pod: &PodInfo,
    snap: &Snapshot,
    nominated_node_status: Option<&Status>,
) -> Result<(), &'static str> {
    if pod.preemption_never {
        return Err(NOT_ELIGIBLE_NEVER);
    }
    let nominated = &pod.nominated_node_name;
    if nominated.is_empty() {
        return Ok(());
    }
    // A nominated node the filters rule out for good: preempting elsewhere may help.
    if nominated_node_status.is_none_or(|s| s.code == Code::UnschedulableAndUnresolvable) {
        return Ok(());
    }
    if let Some(node) = snap.nodes.iter().find(|n| n.name == *nominated) {
        if node
            .pods
            .values()
            .any(|p| p.priority < pod.priority && p.terminating_by_preemption())
        {
            // Its victims are still in their grace period: wait for them.
            return Err(NOT_ELIGIBLE_TERMINATING);
        }
    }
    Ok(())
}

/// `GetPodStartTime` in Unix nanoseconds: `status.startTime`, or now for a pod not started.
pub fn pod_start_time(pod: &PodInfo, now: SimTime) -> i64 {
    match pod.start_time {
        Some(secs) => secs.saturating_mul(1_000_000_000),
        None => now_nanos(now),
    }
}

/// The simulated clock in Unix nanoseconds (`time.Now().UnixNano()`).
pub fn now_nanos(now: SimTime) -> i64 {
    now.unix_seconds() as i64 * 1_000_000_000 + (now.as_millis() % 1000) as i64 * 1_000_000
}

/// `MoreImportantPod`: higher priority, then the one that started earlier.
pub fn more_important_pod(a: &PodInfo, b: &PodInfo, now: SimTime) -> bool {
    if a.priority != b.priority {
        return a.priority > b.priority;
    }
    pod_start_time(a, now) < pod_start_time(b, now)
}

/// Sorts most important first; pods neither is more important than keep their order.
pub fn sort_by_importance(pods: &mut [Arc<PodInfo>], now: SimTime) {
    pods.sort_by(|a, b| {
        if more_important_pod(a, b, now) {
            Ordering::Less
        } else if more_important_pod(b, a, now) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
}

/// `filterPodsWithPDBViolation`: splits `pods` (order kept) into those whose eviction would
/// take a matching PodDisruptionBudget below zero allowed disruptions, and the others. Pods a
/// budget already lists in `status.disruptedPods` do not count against it again.
pub fn filter_pods_with_pdb_violation(
    pods: &[Arc<PodInfo>],
    pdbs: &[Arc<Value>],
) -> (Vec<Arc<PodInfo>>, Vec<Arc<PodInfo>>) {
    let mut allowed: Vec<i64> = pdbs
        .iter()
        .map(|p| {
            p.pointer("/status/disruptionsAllowed")
                .and_then(Value::as_i64)
                .unwrap_or(0)
        })
        .collect();
    let selectors: Vec<Option<Selector>> = pdbs
        .iter()
        .map(|p| match p.pointer("/spec/selector") {
            // A nil selector matches nothing, an empty one is skipped (`selector.Empty()`).
            None | Some(Value::Null) => None,
            Some(s) => Selector::from_label_selector(s)
                .ok()
                .filter(|sel| !sel.is_empty()),
        })
        .collect();
    let (mut violating, mut non_violating) = (Vec::new(), Vec::new());
    for pod in pods {
        let mut violated = false;
        // A pod without labels matches no budget.
        if !pod.labels.is_empty() {
            for (i, pdb) in pdbs.iter().enumerate() {
                if pdb.pointer("/metadata/namespace").and_then(Value::as_str)
                    != Some(pod.namespace.as_str())
                {
                    continue;
                }
                let Some(sel) = &selectors[i] else { continue };
                if !sel.matches(&pod.labels) {
                    continue;
                }
                if pdb
                    .pointer("/status/disruptedPods")
                    .and_then(|d| d.get(&pod.name))
                    .is_some()
                {
                    continue;
                }
                allowed[i] -= 1;
                if allowed[i] < 0 {
                    violated = true;
                }
            }
        }
        if violated {
            violating.push(pod.clone());
        } else {
            non_violating.push(pod.clone());
        }
    }
    (violating, non_violating)
}

/// What `SelectVictimsOnNode` found on a node where the pod can fit.
#[derive(Clone, Debug)]
pub struct Victims {
    /// Most important first.
    pub pods: Vec<Arc<PodInfo>>,
    pub num_pdb_violations: i64,
}

/// `SelectVictimsOnNode`: the fewest lower-priority pods of `node` whose removal lets `pod`
/// pass the filters (with the pods nominated to the node counted). `node` and `state` are the
/// caller's copies and are left as the victims' removal leaves them.
#[allow(clippy::too_many_arguments)]
pub fn select_victims_on_node(
    profile: &Profile,
    state: &mut CycleState,
    pod: &PodInfo,
    node: &mut NodeInfo,
    nominated: &[Arc<PodInfo>],
    pdbs: &[Arc<Value>],
    now: SimTime,
) -> Result<Victims, Status> {
    let remove = |state: &mut CycleState, node: &mut NodeInfo, p: &Arc<PodInfo>| {
        node.remove_pod(&p.key)
            .expect("a potential victim is counted on its node");
        let s = profile.run_pre_filter_extension_remove_pod(state, pod, p, node);
        if s.is_success() {
            Ok(())
        } else {
            Err(s)
        }
    };
    let add = |state: &mut CycleState, node: &mut NodeInfo, p: &Arc<PodInfo>| {
        node.add_pod(p.clone());
        let s = profile.run_pre_filter_extension_add_pod(state, pod, p, node);
        if s.is_success() {
            Ok(())
        } else {
            Err(s)
        }
    };
    // First remove every pod of lower priority and see whether the pod fits without them.
    let mut potential: Vec<Arc<PodInfo>> = node
        .pods
        .values()
        .filter(|p| p.priority < pod.priority)
        .cloned()
        .collect();
    for p in &potential {
        remove(state, node, p)?;
    }
    if potential.is_empty() {
        return Err(Status::new(Code::UnschedulableAndUnresolvable, NO_VICTIMS));
    }
    // If it does not fit even then, this node cannot help (affinity to a victim is not
    // considered, for performance, as in the real scheduler).
    let (s, _) = profile.run_filter_with_nominated_pods(state, pod, node, nominated, false);
    if !s.is_success() {
        return Err(s);
    }
    // Reprieve as many as possible, most important first: the PDB-violating ones before the
    // others.
    sort_by_importance(&mut potential, now);
    let (violating, non_violating) = filter_pods_with_pdb_violation(&potential, pdbs);
    let mut victims = Vec::new();
    let mut num_violating = 0;
    let mut reprieve = |state: &mut CycleState, node: &mut NodeInfo, p: &Arc<PodInfo>| {
        add(state, node, p)?;
        let (s, _) = profile.run_filter_with_nominated_pods(state, pod, node, nominated, false);
        let fits = s.is_success();
        if !fits {
            remove(state, node, p)?;
            victims.push(p.clone());
        }
        Ok::<bool, Status>(fits)
    };
    for p in &violating {
        if !reprieve(state, node, p)? {
            num_violating += 1;
        }
    }
    for p in &non_violating {
        reprieve(state, node, p)?;
    }
    if !violating.is_empty() && !non_violating.is_empty() {
        sort_by_importance(&mut victims, now);
    }
    Ok(Victims {
        pods: victims,
        num_pdb_violations: num_violating,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, labels: Value) -> Arc<PodInfo> {
        Arc::new(PodInfo::new(Arc::new(json!({
            "metadata": {"name": name, "namespace": "default", "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }))))
    }

    #[test]
    fn candidates_are_ten_percent_of_the_nodes_at_least_a_hundred() {
        assert_eq!(calculate_num_candidates(3), 3);
        assert_eq!(calculate_num_candidates(100), 100);
        assert_eq!(calculate_num_candidates(999), 100);
        assert_eq!(calculate_num_candidates(5000), 500);
    }

    #[test]
    fn a_budget_with_no_disruptions_left_makes_its_pods_violating() {
        let pdb = Arc::new(json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}},
            "status": {"disruptionsAllowed": 1, "disruptedPods": {"web-0": "2026-01-01T00:00:00Z"}},
        }));
        let pods = vec![
            pod("web-0", json!({"app": "web"})),
            pod("web-1", json!({"app": "web"})),
            pod("web-2", json!({"app": "web"})),
            pod("db-0", json!({"app": "db"})),
            pod("bare", json!({})),
        ];
        let (violating, non_violating) = filter_pods_with_pdb_violation(&pods, &[pdb]);
        let names = |v: &[Arc<PodInfo>]| v.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        // web-0 is already disrupted; web-1 takes the one allowed disruption; web-2 violates.
        assert_eq!(names(&violating), ["web-2"]);
        assert_eq!(names(&non_violating), ["web-0", "web-1", "db-0", "bare"]);
    }

    #[test]
    fn a_budget_without_selector_or_in_another_namespace_protects_nothing() {
        let pdbs = [
            Arc::new(json!({"metadata": {"namespace": "default"}, "spec": {},
                "status": {"disruptionsAllowed": 0}})),
            Arc::new(
                json!({"metadata": {"namespace": "default"}, "spec": {"selector": {}},
                "status": {"disruptionsAllowed": 0}}),
            ),
            Arc::new(json!({"metadata": {"namespace": "other"},
                "spec": {"selector": {"matchLabels": {"app": "web"}}},
                "status": {"disruptionsAllowed": 0}})),
        ];
        let (violating, _) =
            filter_pods_with_pdb_violation(&[pod("w", json!({"app": "web"}))], &pdbs);
        assert!(violating.is_empty());
    }

    #[test]
    fn importance_is_priority_then_the_earlier_start() {
        let mk = |name: &str, prio: i64, start: Option<&str>| {
            let mut v = json!({"metadata": {"name": name, "namespace": "default"},
                "spec": {"priority": prio, "containers": [{"name": "c", "image": "x"}]}});
            if let Some(s) = start {
                v["status"] = json!({"startTime": s});
            }
            Arc::new(PodInfo::new(Arc::new(v)))
        };
        let now = SimTime(3_600_000);
        let mut pods = vec![
            mk("unstarted", 5, None),
            mk("late", 5, Some("2026-01-01T00:10:00Z")),
            mk("low", 1, Some("2026-01-01T00:00:00Z")),
            mk("early", 5, Some("2026-01-01T00:05:00Z")),
            mk("high", 9, None),
        ];
        sort_by_importance(&mut pods, now);
        let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["high", "early", "late", "unstarted", "low"]);
    }
}
