//! ImageLocality: nodes that already hold the pod's images score higher, scaled by how widely
//! each image is spread (so one node with a rare image does not attract every pod).

use crate::scheduler::framework::{
    CycleState, NodeInfo, Plugin, PodInfo, Snapshot, MAX_NODE_SCORE,
};

pub const NAME: &str = "ImageLocality";

const MB: i64 = 1024 * 1024;
/// `minThreshold`: below 23 MB of images present the score is 0.
const MIN_THRESHOLD: i64 = 23 * MB;
/// `maxContainerThreshold`: 1000 MB per container scores 100.
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

pub struct ImageLocality;

/// `calculatePriority`.
pub fn calculate_priority(sum_scores: i64, num_containers: usize) -> i64 {
    let max_threshold = MAX_CONTAINER_THRESHOLD * num_containers as i64;
    let sum = sum_scores.clamp(MIN_THRESHOLD, max_threshold.max(MIN_THRESHOLD));
    if max_threshold <= MIN_THRESHOLD {
        return 0;
    }
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD)
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }
    fn scores(&self) -> bool {
        true
    }
    fn score(&self, _state: &CycleState, pod: &PodInfo, node: &NodeInfo, snap: &Snapshot) -> i64 {
        let total = snap.nodes.len().max(1);
        let mut sum = 0i64;
        for image in &pod.images {
            if let Some(size) = node.images.get(image) {
                let num_nodes = snap.image_num_nodes.get(image).copied().unwrap_or(1);
                // `scaledImageScore`: size × spread.
                sum += (*size as f64 * (num_nodes as f64 / total as f64)) as i64;
            }
        }
        calculate_priority(sum, pod.images.len())
    }
}
