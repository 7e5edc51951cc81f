//! DefaultPreemption (PostFilter): when no node fits, would evicting lower-priority pods make
//! room? kubestep computes the real answer and message (`preemption: 0/3 nodes are available: 1
//! Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.`)
//! but never evicts: when victims would make room, the decision names the candidate nodes and
//! the pod stays unschedulable.

use crate::scheduler::framework::{
    fit_error_message, Code, CycleState, NodeInfo, PodInfo, Profile, Snapshot, Status,
};

pub const NAME: &str = "DefaultPreemption";
const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
const NO_VICTIMS: &str = "No preemption victims found for incoming pod";

/// The outcome of PostFilter.
pub struct PreemptionResult {
    /// The PostFilter status message (`preemption: ...`), empty when a candidate was found.
    pub message: String,
    /// Nodes where evicting lower-priority pods would let the pod fit, with the victims.
    pub candidates: Vec<(String, Vec<String>)>,
}

/// `Evaluator.Preempt` without the eviction: `statuses` holds each node's filter status.
pub fn post_filter(
    profile: &Profile,
    state: &CycleState,
    pod: &PodInfo,
    snap: &Snapshot,
    statuses: &[(&NodeInfo, Status)],
) -> PreemptionResult {
    if pod.preemption_never {
        return PreemptionResult {
            message: "preemption: not eligible due to preemptionPolicy=Never.".to_string(),
            candidates: vec![],
        };
    }
    let mut node_statuses = Vec::new();
    let mut candidates = Vec::new();
    for (node, status) in statuses {
        if status.code == Code::UnschedulableAndUnresolvable {
            node_statuses.push(Status::new(Code::UnschedulableAndUnresolvable, NOT_HELPFUL));
            continue;
        }
        // SelectVictimsOnNode: remove every pod of lower priority, then filter again.
        let victims: Vec<String> = node
            .pods
            .values()
            .filter(|p| p.priority < pod.priority)
            .map(|p| p.key.clone())
            .collect();
        if victims.is_empty() {
            node_statuses.push(Status::new(Code::UnschedulableAndUnresolvable, NO_VICTIMS));
            continue;
        }
        let mut without = (*node).clone();
        for v in &victims {
            without.remove_pod(v);
        }
        let (s, _) = profile.run_filter(state, pod, &without, false);
        if s.is_success() {
            candidates.push((node.name.clone(), victims));
        } else {
            node_statuses.push(s);
        }
    }
    if !candidates.is_empty() {
        return PreemptionResult {
            message: String::new(),
            candidates,
        };
    }
    PreemptionResult {
        message: format!(
            "preemption: {}",
            fit_error_message(snap.nodes.len(), node_statuses.iter(), None, None)
        ),
        candidates,
    }
}
