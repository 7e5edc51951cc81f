//! The scheduling queue (`pkg/scheduler/backend/queue`, PriorityQueue): activeQ ordered by
//! priority then arrival (PrioritySort), backoffQ for pods waiting out their per-attempt
//! backoff (1 s doubling to 10 s), and unschedulablePods, which go back when the cluster
//! changes or after `podMaxInUnschedulablePodsDuration` (5 min).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::framework::PodInfo;
use crate::sim::{SimDuration, SimTime};

/// `DefaultPodInitialBackoffDuration`.
pub const POD_INITIAL_BACKOFF: SimDuration = SimDuration::from_secs(1);
/// `DefaultPodMaxBackoffDuration`.
pub const POD_MAX_BACKOFF: SimDuration = SimDuration::from_secs(10);
/// `DefaultPodMaxInUnschedulablePodsDuration`.
pub const POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION: SimDuration = SimDuration::from_secs(300);
/// How often `flushUnschedulablePodsLeftover` runs.
pub const UNSCHEDULABLE_FLUSH_INTERVAL: SimDuration = SimDuration::from_secs(30);

/// `QueuedPodInfo`.
#[derive(Clone, Debug)]
pub struct QueuedPodInfo {
    pub pod: Arc<PodInfo>,
    /// When the pod was last added to the queue (or came back after a failure).
    pub timestamp: SimTime,
    /// Scheduling attempts so far.
    pub attempts: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    Active,
    Backoff,
    Unschedulable,
}

type ActiveKey = (Reverse<i64>, SimTime, u64);
type BackoffKey = (SimTime, u64);
/// A queued pod, where it is, and its keys in activeQ and backoffQ.
type Entry = (QueuedPodInfo, Where, ActiveKey, BackoffKey);

#[derive(Clone, Debug, Default)]
pub struct SchedulingQueue {
    active: BTreeMap<ActiveKey, String>,
    backoff: BTreeMap<BackoffKey, String>,
    unschedulable: BTreeMap<String, SimTime>,
    infos: BTreeMap<String, Entry>,
    seq: u64,
}

impl SchedulingQueue {
    /// `calculateBackoffDuration`: 1 s for the first attempt, doubled per attempt, capped.
    pub fn backoff_duration(attempts: u32) -> SimDuration {
        let mut d = POD_INITIAL_BACKOFF.as_millis();
        for _ in 1..attempts {
            d *= 2;
            if d > POD_MAX_BACKOFF.as_millis() {
                return POD_MAX_BACKOFF;
            }
        }
        SimDuration::from_millis(d)
    }

    fn backoff_expiry(info: &QueuedPodInfo) -> SimTime {
        info.timestamp + Self::backoff_duration(info.attempts)
    }

    fn remove(&mut self, key: &str) -> Option<QueuedPodInfo> {
        let (info, w, akey, bkey) = self.infos.remove(key)?;
        match w {
            Where::Active => {
                self.active.remove(&akey);
            }
            Where::Backoff => {
                self.backoff.remove(&bkey);
            }
            Where::Unschedulable => {
                self.unschedulable.remove(key);
            }
        }
        Some(info)
    }

    fn insert(&mut self, info: QueuedPodInfo, w: Where) {
        self.seq += 1;
        let key = info.pod.key.clone();
        let akey = (Reverse(info.pod.priority), info.timestamp, self.seq);
        let bkey = (Self::backoff_expiry(&info), self.seq);
        match w {
            Where::Active => {
                self.active.insert(akey, key.clone());
            }
            Where::Backoff => {
                self.backoff.insert(bkey, key.clone());
            }
            Where::Unschedulable => {
                self.unschedulable.insert(key.clone(), info.timestamp);
            }
        }
        self.infos.insert(key, (info, w, akey, bkey));
    }

    /// `Add`: a new pending pod goes to activeQ.
    pub fn add(&mut self, pod: Arc<PodInfo>, now: SimTime) {
        self.remove(&pod.key);
        self.insert(
            QueuedPodInfo {
                pod,
                timestamp: now,
                attempts: 0,
            },
            Where::Active,
        );
    }

    /// `Update`: the pod object changed. A pod waiting as unschedulable goes back only if
    /// something other than its status changed (its own failure PATCH must not retry it).
    pub fn update(&mut self, pod: Arc<PodInfo>, now: SimTime) {
        let Some((old, w, _, _)) = self.infos.get(&pod.key).cloned() else {
            self.add(pod, now);
            return;
        };
        let significant = strip_status(&old.pod.obj) != strip_status(&pod.obj);
        self.remove(&pod.key);
        let info = QueuedPodInfo { pod, ..old };
        let w = if w == Where::Unschedulable && significant {
            self.target_for(&info, now)
        } else {
            w
        };
        self.insert(info, w);
    }

    pub fn delete(&mut self, key: &str) {
        self.remove(key);
    }

    pub fn contains(&self, key: &str) -> bool {
        self.infos.contains_key(key)
    }

    pub fn location(&self, key: &str) -> Option<Where> {
        self.infos.get(key).map(|(_, w, _, _)| *w)
    }

    /// `Pop`: the highest-priority, longest-waiting pod of activeQ; its attempt count grows.
    pub fn pop(&mut self) -> Option<QueuedPodInfo> {
        let key = self.active.values().next()?.clone();
        let mut info = self.remove(&key).expect("activeQ and infos agree");
        info.attempts += 1;
        Some(info)
    }

    /// `AddUnschedulableIfNotPresent` after a failed attempt.
    pub fn add_unschedulable(&mut self, mut info: QueuedPodInfo, now: SimTime) {
        if self.infos.contains_key(&info.pod.key) {
            return;
        }
        info.timestamp = now;
        self.insert(info, Where::Unschedulable);
    }

    /// A pod whose attempt failed for another reason (a failed binding) waits out its backoff.
    pub fn add_backoff(&mut self, mut info: QueuedPodInfo, now: SimTime) {
        if self.infos.contains_key(&info.pod.key) {
            return;
        }
        info.timestamp = now;
        self.insert(info, Where::Backoff);
    }

    fn target_for(&self, info: &QueuedPodInfo, now: SimTime) -> Where {
        if Self::backoff_expiry(info) > now {
            Where::Backoff
        } else {
            Where::Active
        }
    }

    /// `MoveAllToActiveOrBackoffQueue`: a cluster event may have made room. Returns how many
    /// pods moved.
    pub fn move_all_to_active_or_backoff(&mut self, now: SimTime) -> usize {
        let keys: Vec<String> = self.unschedulable.keys().cloned().collect();
        for k in &keys {
            let info = self.remove(k).expect("unschedulable and infos agree");
            let w = self.target_for(&info, now);
            self.insert(info, w);
        }
        keys.len()
    }

    /// `AssignedPodAdded`: a pod landed on a node; unschedulable pods whose required pod
    /// affinity it satisfies (`getUnschedulablePodsWithMatchingAffinityTerm`) go back.
    pub fn move_pods_with_matching_affinity(&mut self, placed: &PodInfo, now: SimTime) -> usize {
        let keys: Vec<String> = self
            .unschedulable
            .keys()
            .filter(|k| {
                self.infos[k.as_str()]
                    .0
                    .pod
                    .required_affinity_terms
                    .iter()
                    .any(|t| t.matches(placed))
            })
            .cloned()
            .collect();
        for k in &keys {
            let info = self.remove(k).expect("unschedulable and infos agree");
            let w = self.target_for(&info, now);
            self.insert(info, w);
        }
        keys.len()
    }

    /// `flushBackoffQCompleted`.
    pub fn flush_backoff_completed(&mut self, now: SimTime) {
        let done: Vec<String> = self
            .backoff
            .range(..=(now, u64::MAX))
            .map(|(_, k)| k.clone())
            .collect();
        for k in done {
            let info = self.remove(&k).expect("backoffQ and infos agree");
            self.insert(info, Where::Active);
        }
    }

    /// `flushUnschedulablePodsLeftover`: pods unschedulable for longer than 5 minutes go back.
    pub fn flush_unschedulable_leftover(&mut self, now: SimTime) {
        let stale: Vec<String> = self
            .unschedulable
            .iter()
            .filter(|(_, since)| **since + POD_MAX_IN_UNSCHEDULABLE_PODS_DURATION <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            let info = self.remove(&k).expect("unschedulable and infos agree");
            let w = self.target_for(&info, now);
            self.insert(info, w);
        }
    }

    pub fn next_backoff_expiry(&self) -> Option<SimTime> {
        self.backoff.keys().next().map(|(t, _)| *t)
    }

    pub fn num_active(&self) -> usize {
        self.active.len()
    }
    pub fn num_backoff(&self) -> usize {
        self.backoff.len()
    }
    pub fn num_unschedulable(&self) -> usize {
        self.unschedulable.len()
    }
}

/// The pod without `metadata.resourceVersion`, `metadata.managedFields` and `status`
/// (`isPodUpdated`).
fn strip_status(pod: &serde_json::Value) -> serde_json::Value {
    let mut p = pod.clone();
    if let Some(m) = p.as_object_mut() {
        m.remove("status");
    }
    if let Some(m) = p.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        m.remove("resourceVersion");
        m.remove("managedFields");
        m.remove("generation");
    }
    p
}
