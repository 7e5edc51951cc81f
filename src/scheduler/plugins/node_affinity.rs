//! NodeAffinity: `nodeSelector` and required node affinity must match the node's labels
//! (Filter); preferred terms add their weights (Score, normalised by the highest).

use std::collections::BTreeMap;

use crate::scheduler::framework::{
    default_normalize_score, Code, CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status,
    MAX_NODE_SCORE,
};

pub const NAME: &str = "NodeAffinity";
/// `ErrReasonPod`.
pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";

pub struct NodeAffinity;

/// `RequiredNodeAffinity.Match`: the node selector's labels, and any one of the required terms.
pub fn required_node_affinity_matches(
    pod: &PodInfo,
    node_name: &str,
    labels: &BTreeMap<String, String>,
) -> bool {
    let selector_ok = pod
        .node_selector
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v));
    selector_ok
        && pod
            .required_node_affinity
            .as_ref()
            .is_none_or(|terms| terms.iter().any(|t| t.matches(node_name, labels)))
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn filters(&self) -> bool {
        true
    }
    fn scores(&self) -> bool {
        true
    }
    fn pre_filter(&self, _state: &mut CycleState, pod: &PodInfo, _snap: &Snapshot) -> Status {
        if pod.node_selector.is_empty() && pod.required_node_affinity.is_none() {
            Status::skip()
        } else {
            Status::success()
        }
    }
    fn filter(&self, _state: &CycleState, pod: &PodInfo, node: &NodeInfo) -> Status {
        if required_node_affinity_matches(pod, &node.name, &node.labels) {
            Status::success()
        } else {
            Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_POD)
        }
    }
    fn pre_score(
        &self,
        _state: &mut CycleState,
        pod: &PodInfo,
        _filtered: &[&NodeInfo],
        _snap: &Snapshot,
    ) -> Status {
        if pod.preferred_node_affinity.is_empty() {
            Status::skip()
        } else {
            Status::success()
        }
    }
    fn score(&self, _state: &CycleState, pod: &PodInfo, node: &NodeInfo, _snap: &Snapshot) -> i64 {
        pod.preferred_node_affinity
            .iter()
            .filter(|(w, t)| *w != 0 && t.matches(&node.name, &node.labels))
            .map(|(w, _)| *w)
            .sum()
    }
    fn normalize_score(&self, _state: &CycleState, _names: &[&str], scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, false, scores);
    }
}
