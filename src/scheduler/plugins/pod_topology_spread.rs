//! PodTopologySpread: `DoNotSchedule` constraints keep the skew of matching pods across
//! topology domains within `maxSkew` (Filter); `ScheduleAnyway` constraints, or the system
//! default constraints (hostname skew 3, zone skew 5) for pods owned by a Service, ReplicaSet,
//! ReplicationController or StatefulSet, favour emptier domains (Score).

use std::collections::{BTreeMap, BTreeSet};

use crate::apiserver::labels::Selector;
use crate::scheduler::framework::types::{tolerations_tolerate, SpreadConstraint};
use crate::scheduler::framework::{
    Code, CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status, MAX_NODE_SCORE,
};
use crate::scheduler::plugins::node_affinity::required_node_affinity_matches;

pub const NAME: &str = "PodTopologySpread";
/// `ErrReasonConstraintsNotMatch`.
pub const ERR_REASON_CONSTRAINTS_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch`.
pub const ERR_REASON_NODE_LABEL_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
const LABEL_ZONE: &str = "topology.kubernetes.io/zone";

pub struct PodTopologySpread;

/// The system default constraints (`systemDefaultConstraints`), with the selector of the
/// pod's Services and controllers (`helper.DefaultSelector`).
pub fn default_constraints(selector: &Selector) -> Vec<SpreadConstraint> {
    [(3, LABEL_HOSTNAME), (5, LABEL_ZONE)]
        .into_iter()
        .map(|(skew, key)| SpreadConstraint {
            max_skew: skew,
            topology_key: key.to_string(),
            when_unsatisfiable: "ScheduleAnyway".to_string(),
            selector: selector.clone(),
            min_domains: 1,
            node_affinity_policy_honor: true,
            node_taints_policy_honor: false,
        })
        .collect()
}

/// The constraints of `pod` with `when_unsatisfiable`, or the defaults when it has none.
fn constraints(pod: &PodInfo, snap: &Snapshot, when: &str) -> (Vec<SpreadConstraint>, bool) {
    if !pod.spread_constraints.is_empty() {
        let cs = pod
            .spread_constraints
            .iter()
            .filter(|c| c.when_unsatisfiable == when)
            .cloned()
            .collect();
        return (cs, false);
    }
    match &snap.default_spread_selector {
        Some(sel) if !sel.is_empty() => (
            default_constraints(sel)
                .into_iter()
                .filter(|c| c.when_unsatisfiable == when)
                .collect(),
            true,
        ),
        _ => (Vec::new(), true),
    }
}

/// `matchNodeInclusionPolicies`: nodeAffinityPolicy Honor (default) counts only nodes the pod
/// could go to; nodeTaintsPolicy Honor counts only nodes whose taints it tolerates.
fn match_node_inclusion(c: &SpreadConstraint, pod: &PodInfo, node: &NodeInfo) -> bool {
    if c.node_affinity_policy_honor
        && !required_node_affinity_matches(pod, &node.name, &node.labels)
    {
        return false;
    }
    if c.node_taints_policy_honor {
        let blocked = node.taints.iter().any(|t| {
            (t.effect == "NoSchedule" || t.effect == "NoExecute")
                && !tolerations_tolerate(&pod.tolerations, t)
        });
        if blocked {
            return false;
        }
    }
    true
}

fn labels_have_all_keys(node: &NodeInfo, cs: &[SpreadConstraint]) -> bool {
    cs.iter().all(|c| node.labels.contains_key(&c.topology_key))
}

/// `countPodsMatchSelector`: pods of the namespace, not being deleted, whose labels match.
pub fn count_pods_match_selector(node: &NodeInfo, selector: &Selector, namespace: &str) -> i64 {
    node.pods
        .values()
        .filter(|p| !p.terminating && p.namespace == namespace && selector.matches(&p.labels))
        .count() as i64
}

#[derive(Clone)]
struct PreFilterState {
    constraints: Vec<SpreadConstraint>,
    /// Matching pods per (topology key, value).
    pair_counts: BTreeMap<(String, String), i64>,
}

impl PreFilterState {
    /// `updateWithPod`: `other` on `node` counted `delta` times in the domains of the
    /// constraints it matches (pods of other namespaces never count).
    fn update_with_pod(&mut self, pod: &PodInfo, other: &PodInfo, node: &NodeInfo, delta: i64) {
        if other.namespace != pod.namespace
            || node.node.is_none()
            || !labels_have_all_keys(node, &self.constraints)
        {
            return;
        }
        for c in &self.constraints {
            if !c.selector.matches(&other.labels) || !match_node_inclusion(c, pod, node) {
                continue;
            }
            let value = node.labels[&c.topology_key].clone();
            *self
                .pair_counts
                .entry((c.topology_key.clone(), value))
                .or_insert(0) += delta;
        }
    }

    /// The global minimum for constraint `i` (0 while there are fewer domains than minDomains).
    fn min_match(&self, c: &SpreadConstraint) -> i64 {
        let counts: Vec<i64> = self
            .pair_counts
            .iter()
            .filter(|((k, _), _)| *k == c.topology_key)
            .map(|(_, n)| *n)
            .collect();
        if (counts.len() as i64) < c.min_domains {
            return 0;
        }
        counts.into_iter().min().unwrap_or(0)
    }
}

#[derive(Clone)]
struct PreScoreState {
    constraints: Vec<SpreadConstraint>,
    ignored_nodes: BTreeSet<String>,
    pair_counts: BTreeMap<(String, String), i64>,
    normalizing_weight: Vec<f64>,
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        NAME
    }
    fn filters(&self) -> bool {
        true
    }
    fn scores(&self) -> bool {
        true
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, snap: &Snapshot) -> Status {
        let (cs, _) = constraints(pod, snap, "DoNotSchedule");
        if cs.is_empty() {
            return Status::skip();
        }
        let mut pair_counts = BTreeMap::new();
        for node in &snap.nodes {
            if !labels_have_all_keys(node, &cs) {
                continue;
            }
            for c in &cs {
                if !match_node_inclusion(c, pod, node) {
                    continue;
                }
                let value = node.labels[&c.topology_key].clone();
                let n = count_pods_match_selector(node, &c.selector, &pod.namespace);
                *pair_counts
                    .entry((c.topology_key.clone(), value))
                    .or_insert(0) += n;
            }
        }
        state.write(
            NAME,
            PreFilterState {
                constraints: cs,
                pair_counts,
            },
        );
        Status::success()
    }
    fn filter(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo) -> Status {
        let Some(s) = state.read::<PreFilterState>(NAME) else {
            return Status::success();
        };
        for c in &s.constraints {
            let Some(value) = node.labels.get(&c.topology_key) else {
                return Status::new(
                    Code::UnschedulableAndUnresolvable,
                    ERR_REASON_NODE_LABEL_NOT_MATCH,
                );
            };
            let min = s.min_match(c);
            let self_match = i64::from(c.selector.matches(&pod.labels));
            let match_num = s
                .pair_counts
                .get(&(c.topology_key.clone(), value.clone()))
                .copied()
                .unwrap_or(0);
            if match_num + self_match - min > c.max_skew {
                return Status::new(Code::Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH);
            }
        }
        Status::success()
    }
    fn pre_filter_add_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        added: &PodInfo,
        node: &NodeInfo,
    ) -> Status {
        match state.read_mut::<PreFilterState>(NAME) {
            Some(s) => {
                s.update_with_pod(pod, added, node, 1);
                Status::success()
            }
            None => Status::new(
                Code::Error,
                "reading \"PreFilterPodTopologySpread\" from cycleState: not found",
            ),
        }
    }
    fn pre_filter_remove_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        removed: &PodInfo,
        node: &NodeInfo,
    ) -> Status {
        match state.read_mut::<PreFilterState>(NAME) {
            Some(s) => {
                s.update_with_pod(pod, removed, node, -1);
                Status::success()
            }
            None => Status::new(
                Code::Error,
                "reading \"PreFilterPodTopologySpread\" from cycleState: not found",
            ),
        }
    }
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        filtered: &[&NodeInfo],
        snap: &Snapshot,
    ) -> Status {
        if filtered.is_empty() || snap.nodes.is_empty() {
            return Status::success();
        }
        let (cs, system_defaulted) = constraints(pod, snap, "ScheduleAnyway");
        if cs.is_empty() {
            return Status::skip();
        }
        // Only explicit constraints require every topology key on a node, so that nodes
        // without a zone label still spread by hostname under the defaults.
        let require_all = !system_defaulted;
        let mut ignored_nodes = BTreeSet::new();
        let mut pair_counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut topo_size = vec![0usize; cs.len()];
        for node in filtered {
            if require_all && !labels_have_all_keys(node, &cs) {
                ignored_nodes.insert(node.name.clone());
                continue;
            }
            for (i, c) in cs.iter().enumerate() {
                if c.topology_key == LABEL_HOSTNAME {
                    continue;
                }
                let value = node
                    .labels
                    .get(&c.topology_key)
                    .cloned()
                    .unwrap_or_default();
                if let std::collections::btree_map::Entry::Vacant(e) =
                    pair_counts.entry((c.topology_key.clone(), value))
                {
                    e.insert(0);
                    topo_size[i] += 1;
                }
            }
        }
        let normalizing_weight = cs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let size = if c.topology_key == LABEL_HOSTNAME {
                    filtered.len() - ignored_nodes.len()
                } else {
                    topo_size[i]
                };
                // `topologyNormalizingWeight`: log(size + 2).
                ((size + 2) as f64).ln()
            })
            .collect();
        for node in &snap.nodes {
            if require_all && !labels_have_all_keys(node, &cs) {
                continue;
            }
            for c in &cs {
                if !match_node_inclusion(c, pod, node) {
                    continue;
                }
                let value = node
                    .labels
                    .get(&c.topology_key)
                    .cloned()
                    .unwrap_or_default();
                if let Some(n) = pair_counts.get_mut(&(c.topology_key.clone(), value)) {
                    *n += count_pods_match_selector(node, &c.selector, &pod.namespace);
                }
            }
        }
        state.write(
            "PodTopologySpread/score",
            PreScoreState {
                constraints: cs,
                ignored_nodes,
                pair_counts,
                normalizing_weight,
            },
        );
        Status::success()
    }
    fn score(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo, _snap: &Snapshot) -> i64 {
        let Some(s) = state.read::<PreScoreState>("PodTopologySpread/score") else {
            return 0;
        };
        if s.ignored_nodes.contains(&node.name) {
            return 0;
        }
        let mut score = 0.0;
        for (i, c) in s.constraints.iter().enumerate() {
            if let Some(value) = node.labels.get(&c.topology_key) {
                let cnt = if c.topology_key == LABEL_HOSTNAME {
                    count_pods_match_selector(node, &c.selector, &pod.namespace)
                } else {
                    s.pair_counts
                        .get(&(c.topology_key.clone(), value.clone()))
                        .copied()
                        .unwrap_or(0)
                };
                // `scoreForCount`.
                score += cnt as f64 * s.normalizing_weight[i] + (c.max_skew - 1) as f64;
            }
        }
        score.round() as i64
    }
    fn normalize_score(&self, state: &CycleState, names: &[&str], scores: &mut [i64]) {
        let Some(s) = state.read::<PreScoreState>("PodTopologySpread/score") else {
            return;
        };
        let mut min = i64::MAX;
        let mut max = 0;
        for (i, score) in scores.iter().enumerate() {
            if s.ignored_nodes.contains(names[i]) {
                continue;
            }
            min = min.min(*score);
            max = max.max(*score);
        }
        for (i, score) in scores.iter_mut().enumerate() {
            if s.ignored_nodes.contains(names[i]) {
                *score = 0;
            } else if max == 0 {
                *score = MAX_NODE_SCORE;
            } else {
                *score = MAX_NODE_SCORE * (max + min - *score) / max;
            }
        }
    }
}
