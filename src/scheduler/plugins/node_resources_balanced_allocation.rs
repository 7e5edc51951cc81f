//! NodeResourcesBalancedAllocation: nodes whose cpu and memory would be used in similar
//! fractions after placing the pod score higher (1 − the standard deviation of the fractions).
//! It counts actual requests (`useRequested`), and skips pods that request nothing.

use crate::scheduler::framework::{
    CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status, MAX_NODE_SCORE,
};

pub const NAME: &str = "NodeResourcesBalancedAllocation";

pub struct NodeResourcesBalancedAllocation;

/// `balancedResourceScorer` over (requested, allocatable) pairs.
pub fn balanced_resource_score(pairs: &[(i64, i64)]) -> i64 {
    let mut fractions = Vec::new();
    let mut total = 0.0;
    for (requested, alloc) in pairs {
        if *alloc == 0 {
            continue;
        }
        let f = (*requested as f64 / *alloc as f64).min(1.0);
        total += f;
        fractions.push(f);
    }
    let std = match fractions.len() {
        0 | 1 => 0.0,
        2 => ((fractions[0] - fractions[1]) / 2.0).abs(),
        n => {
            let mean = total / n as f64;
            let sum: f64 = fractions.iter().map(|f| (f - mean) * (f - mean)).sum();
            (sum / n as f64).sqrt()
        }
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

impl Plugin for NodeResourcesBalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }
    fn scores(&self) -> bool {
        true
    }
    fn pre_score(
        &self,
        _state: &mut CycleState,
        pod: &PodInfo,
        _filtered: &[&NodeInfo],
        _snap: &Snapshot,
    ) -> Status {
        if pod.requests.milli_cpu == 0 && pod.requests.memory == 0 {
            Status::skip()
        } else {
            Status::success()
        }
    }
    fn score(&self, _state: &CycleState, pod: &PodInfo, node: &NodeInfo, _snap: &Snapshot) -> i64 {
        balanced_resource_score(&[
            (
                node.requested.milli_cpu + pod.requests.milli_cpu,
                node.allocatable.milli_cpu,
            ),
            (
                node.requested.memory + pod.requests.memory,
                node.allocatable.memory,
            ),
        ])
    }
}
