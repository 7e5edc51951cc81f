//! TaintToleration: a node's NoSchedule/NoExecute taints must be tolerated (Filter); fewer
//! untolerated PreferNoSchedule taints score higher (Score, reversed normalisation).

use crate::scheduler::framework::types::{tolerations_tolerate, Toleration};
use crate::scheduler::framework::{
    default_normalize_score, Code, CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status,
    MAX_NODE_SCORE,
};

pub const NAME: &str = "TaintToleration";

pub struct TaintToleration;

/// The tolerations that count for PreferNoSchedule taints (`getAllTolerationPreferNoSchedule`).
#[derive(Clone)]
struct PreScoreState(Vec<Toleration>);

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }
    fn filters(&self) -> bool {
        true
    }
    fn scores(&self) -> bool {
        true
    }
    fn filter(&self, _state: &CycleState, pod: &PodInfo, node: &NodeInfo) -> Status {
        let untolerated = node.taints.iter().find(|t| {
            (t.effect == "NoSchedule" || t.effect == "NoExecute")
                && !tolerations_tolerate(&pod.tolerations, t)
        });
        match untolerated {
            None => Status::success(),
            Some(t) => Status::new(
                Code::UnschedulableAndUnresolvable,
                format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value),
            ),
        }
    }
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        _filtered: &[&NodeInfo],
        _snap: &Snapshot,
    ) -> Status {
        let prefer: Vec<Toleration> = pod
            .tolerations
            .iter()
            .filter(|t| t.effect.is_empty() || t.effect == "PreferNoSchedule")
            .cloned()
            .collect();
        state.write(NAME, PreScoreState(prefer));
        Status::success()
    }
    fn score(&self, state: &CycleState, _pod: &PodInfo, node: &NodeInfo, _snap: &Snapshot) -> i64 {
        let tolerations = state
            .read::<PreScoreState>(NAME)
            .map(|s| s.0.as_slice())
            .unwrap_or(&[]);
        node.taints
            .iter()
            .filter(|t| t.effect == "PreferNoSchedule" && !tolerations_tolerate(tolerations, t))
            .count() as i64
    }
    fn normalize_score(&self, _state: &CycleState, _names: &[&str], scores: &mut [i64]) {
        default_normalize_score(MAX_NODE_SCORE, true, scores);
    }
}
