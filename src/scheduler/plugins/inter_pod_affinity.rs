//! InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the
//! required anti-affinity of pods already placed, per topology domain (Filter); preferred terms
//! of both sides, and existing pods' required affinity with weight 1 (`hardPodAffinityWeight`),
//! add or subtract per domain (Score, min-max normalised).

use std::collections::BTreeMap;

use crate::scheduler::framework::types::AffinityTerm;
use crate::scheduler::framework::{
    Code, CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status, MAX_NODE_SCORE,
};

pub const NAME: &str = "InterPodAffinity";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
pub const ERR_REASON_EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";
/// `ErrReasonAffinityRulesNotMatch`.
pub const ERR_REASON_AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
pub const ERR_REASON_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";

/// `hardPodAffinityWeight` of the default InterPodAffinityArgs.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

pub struct InterPodAffinity;

type Counts = BTreeMap<(String, String), i64>;

fn update(counts: &mut Counts, node: &NodeInfo, key: &str, by: i64) {
    if let Some(v) = node.labels.get(key) {
        *counts.entry((key.to_string(), v.clone())).or_insert(0) += by;
    }
}

fn matches_all(terms: &[AffinityTerm], pod: &PodInfo) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.matches(pod))
}

#[derive(Clone)]
struct PreFilterState {
    existing_anti_affinity: Counts,
    affinity: Counts,
    anti_affinity: Counts,
}

impl PreFilterState {
    /// `preFilterState.updateWithPod`: `other` on `node` counted `multiplier` times (1 added,
    /// -1 removed); entries down to zero are dropped.
    fn update_with_pod(
        &mut self,
        pod: &PodInfo,
        other: &PodInfo,
        node: &NodeInfo,
        multiplier: i64,
    ) {
        if node.node.is_none() {
            return;
        }
        for t in &other.required_anti_affinity_terms {
            if t.matches(pod) {
                update(
                    &mut self.existing_anti_affinity,
                    node,
                    &t.topology_key,
                    multiplier,
                );
            }
        }
        if matches_all(&pod.required_affinity_terms, other) {
            for t in &pod.required_affinity_terms {
                update(&mut self.affinity, node, &t.topology_key, multiplier);
            }
        }
        for t in &pod.required_anti_affinity_terms {
            if t.matches(other) {
                update(&mut self.anti_affinity, node, &t.topology_key, multiplier);
            }
        }
        self.existing_anti_affinity.retain(|_, n| *n != 0);
        self.affinity.retain(|_, n| *n != 0);
        self.anti_affinity.retain(|_, n| *n != 0);
    }
}

impl Plugin for InterPodAffinity {
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
        if pod.required_affinity_terms.is_empty()
            && pod.required_anti_affinity_terms.is_empty()
            && !snap.have_pods_with_required_anti_affinity()
        {
            return Status::skip();
        }
        let mut s = PreFilterState {
            existing_anti_affinity: Counts::new(),
            affinity: Counts::new(),
            anti_affinity: Counts::new(),
        };
        for node in &snap.nodes {
            for existing in node.pods.values() {
                for t in &existing.required_anti_affinity_terms {
                    if t.matches(pod) {
                        update(&mut s.existing_anti_affinity, node, &t.topology_key, 1);
                    }
                }
                if matches_all(&pod.required_affinity_terms, existing) {
                    for t in &pod.required_affinity_terms {
                        update(&mut s.affinity, node, &t.topology_key, 1);
                    }
                }
                for t in &pod.required_anti_affinity_terms {
                    if t.matches(existing) {
                        update(&mut s.anti_affinity, node, &t.topology_key, 1);
                    }
                }
            }
        }
        // Zero counts are dropped, as the real maps only keep positive entries.
        s.affinity.retain(|_, n| *n > 0);
        s.anti_affinity.retain(|_, n| *n > 0);
        s.existing_anti_affinity.retain(|_, n| *n > 0);
        state.write(NAME, s);
        Status::success()
    }
    fn filter(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo) -> Status {
        let Some(s) = state.read::<PreFilterState>(NAME) else {
            return Status::success();
        };
        // satisfyPodAffinity
        let mut pods_exist = true;
        for t in &pod.required_affinity_terms {
            match node.labels.get(&t.topology_key) {
                Some(v) => {
                    if s.affinity
                        .get(&(t.topology_key.clone(), v.clone()))
                        .copied()
                        .unwrap_or(0)
                        <= 0
                    {
                        pods_exist = false;
                    }
                }
                None => {
                    return Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_AFFINITY)
                }
            }
        }
        // The first pod of a group with affinity to itself may go anywhere its terms allow.
        let first_of_group =
            s.affinity.is_empty() && matches_all(&pod.required_affinity_terms, pod);
        if !pods_exist && !first_of_group {
            return Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_AFFINITY);
        }
        // satisfyPodAntiAffinity
        for t in &pod.required_anti_affinity_terms {
            if let Some(v) = node.labels.get(&t.topology_key) {
                if s.anti_affinity
                    .get(&(t.topology_key.clone(), v.clone()))
                    .is_some_and(|n| *n > 0)
                {
                    return Status::new(Code::Unschedulable, ERR_REASON_ANTI_AFFINITY);
                }
            }
        }
        // satisfyExistingPodsAntiAffinity
        if !s.existing_anti_affinity.is_empty() {
            for (k, v) in &node.labels {
                if s.existing_anti_affinity
                    .get(&(k.clone(), v.clone()))
                    .is_some_and(|n| *n > 0)
                {
                    return Status::new(Code::Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY);
                }
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
                "reading \"PreFilterInterPodAffinity\" from cycleState: not found",
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
                "reading \"PreFilterInterPodAffinity\" from cycleState: not found",
            ),
        }
    }
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        _filtered: &[&NodeInfo],
        snap: &Snapshot,
    ) -> Status {
        let has_constraints = !pod.preferred_affinity_terms.is_empty()
            || !pod.preferred_anti_affinity_terms.is_empty();
        let mut scores = Counts::new();
        for node in &snap.nodes {
            if !has_constraints && node.pods_with_affinity == 0 {
                continue;
            }
            if node.labels.is_empty() {
                continue;
            }
            for existing in node.pods.values() {
                if !has_constraints && !existing.has_affinity() {
                    continue;
                }
                for w in &pod.preferred_affinity_terms {
                    if w.term.matches(existing) {
                        update(&mut scores, node, &w.term.topology_key, w.weight);
                    }
                }
                for w in &pod.preferred_anti_affinity_terms {
                    if w.term.matches(existing) {
                        update(&mut scores, node, &w.term.topology_key, -w.weight);
                    }
                }
                for t in &existing.required_affinity_terms {
                    if t.matches(pod) {
                        update(&mut scores, node, &t.topology_key, HARD_POD_AFFINITY_WEIGHT);
                    }
                }
                for w in &existing.preferred_affinity_terms {
                    if w.term.matches(pod) {
                        update(&mut scores, node, &w.term.topology_key, w.weight);
                    }
                }
                for w in &existing.preferred_anti_affinity_terms {
                    if w.term.matches(pod) {
                        update(&mut scores, node, &w.term.topology_key, -w.weight);
                    }
                }
            }
        }
        if scores.is_empty() {
            return Status::skip();
        }
        state.write("InterPodAffinity/score", scores);
        Status::success()
    }
    fn score(&self, state: &CycleState, _pod: &PodInfo, node: &NodeInfo, _snap: &Snapshot) -> i64 {
        let Some(scores) = state.read::<Counts>("InterPodAffinity/score") else {
            return 0;
        };
        scores
            .iter()
            .filter(|((k, v), _)| node.labels.get(k) == Some(v))
            .map(|(_, n)| *n)
            .sum()
    }
    fn normalize_score(&self, state: &CycleState, _names: &[&str], scores: &mut [i64]) {
        if state.read::<Counts>("InterPodAffinity/score").is_none() {
            return;
        }
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        let diff = max - min;
        for s in scores.iter_mut() {
            *s = if diff > 0 {
                (MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64
            } else {
                0
            };
        }
    }
}
