//! NodeResourcesFit: the pod's requests (containers, init containers, overhead) must fit in what
//! the node's allocatable leaves after the pods already there (Filter), and with the default
//! LeastAllocated strategy, emptier nodes score higher (Score: cpu and memory, weight 1 each).

use crate::scheduler::framework::{
    Code, CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status, MAX_NODE_SCORE,
};

pub const NAME: &str = "NodeResourcesFit";

pub struct NodeResourcesFit;

/// `fitsRequest`: the reasons a node cannot take the pod, in the real order.
pub fn insufficient_resources(pod: &PodInfo, node: &NodeInfo) -> Vec<String> {
    let mut reasons = Vec::new();
    if node.pods.len() as i64 + 1 > node.allocatable.allowed_pod_number {
        reasons.push("Too many pods".to_string());
    }
    let req = &pod.requests;
    if req.is_zero() {
        return reasons;
    }
    let (alloc, used) = (&node.allocatable, &node.requested);
    if req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu {
        reasons.push("Insufficient cpu".to_string());
    }
    if req.memory > 0 && req.memory > alloc.memory - used.memory {
        reasons.push("Insufficient memory".to_string());
    }
    if req.ephemeral_storage > 0
        && req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage
    {
        reasons.push("Insufficient ephemeral-storage".to_string());
    }
    for (name, q) in &req.scalar {
        if *q == 0 {
            continue;
        }
        let have = alloc.scalar.get(name).copied().unwrap_or(0)
            - used.scalar.get(name).copied().unwrap_or(0);
        if *q > have {
            reasons.push(format!("Insufficient {name}"));
        }
    }
    reasons
}

/// `leastRequestedScore`.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

impl Plugin for NodeResourcesFit {
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
        let reasons = insufficient_resources(pod, node);
        if reasons.is_empty() {
            Status::success()
        } else {
            Status::with_reasons(Code::Unschedulable, reasons)
        }
    }
    /// LeastAllocated over cpu and memory: requested counts the scoring defaults of containers
    /// without requests (`NonZeroRequested`), for the node's pods and this one.
    fn score(&self, _state: &CycleState, pod: &PodInfo, node: &NodeInfo, _snap: &Snapshot) -> i64 {
        let pairs = [
            (
                node.allocatable.milli_cpu,
                node.non_zero_requested.milli_cpu + pod.non_zero_requests.milli_cpu,
            ),
            (
                node.allocatable.memory,
                node.non_zero_requested.memory + pod.non_zero_requests.memory,
            ),
        ];
        let (mut score, mut weights) = (0, 0);
        for (alloc, requested) in pairs {
            if alloc == 0 {
                continue;
            }
            score += least_requested_score(requested, alloc);
            weights += 1;
        }
        if weights == 0 {
            0
        } else {
            score / weights
        }
    }
}
