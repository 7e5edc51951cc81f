//! The scheduling queue (`pkg/scheduler/backend/queue`, PriorityQueue): activeQ ordered by
//! priority then arrival (PrioritySort), backoffQ for pods waiting out their per-attempt
//! backoff (1 s doubling to 10 s), and unschedulablePods, which go back when the cluster
//! changes or after `podMaxInUnschedulablePodsDuration` (5 min). DefaultPreemption's
//! PreEnqueue keeps a pod whose preemption is still sending API calls among the unschedulable
//! ones (`gate`).

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
    /// Pods DefaultPreemption's PreEnqueue holds back: their preemption is still sending its
    /// API calls, so they wait among the unschedulable pods instead of entering activeQ or
    /// backoffQ (`waiting for the preemption for this pod to be finished`).
    gated: std::collections::BTreeSet<String>,
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
        let w = if self.gated.contains(&key) {
            Where::Unschedulable
        } else {
            w
        };
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
        self.gated.remove(key);
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

    /// DefaultPreemption's PreEnqueue rejects `key` from now on (its preemption started): it
    /// can only wait among the unschedulable pods.
    pub fn gate(&mut self, key: &str) {
        self.gated.insert(key.to_string());
        if let Some(info) = self.remove(key) {
            self.insert(info, Where::Unschedulable);
        }
    }

    /// PreEnqueue admits `key` again. It stays where it waits until a cluster event (a
    /// victim's deletion) or `activate` moves it, as the real queue does.
    pub fn ungate(&mut self, key: &str) {
        self.gated.remove(key);
    }

    pub fn is_gated(&self, key: &str) -> bool {
        self.gated.contains(key)
    }

    /// `Activate`: a pod waiting in unschedulablePods or backoffQ goes to activeQ at once.
    pub fn activate(&mut self, key: &str) {
        if let Some((_, Where::Unschedulable | Where::Backoff, _, _)) = self.infos.get(key) {
            let info = self.remove(key).expect("just found");
            self.insert(info, Where::Active);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str) -> Arc<PodInfo> {
        Arc::new(PodInfo::new(Arc::new(json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }))))
    }

    #[test]
    fn a_pod_gated_by_its_preemption_waits_until_an_event_after_the_gate_opens() {
        let mut q = SchedulingQueue::default();
        let t = SimTime(0);
        q.add(pod("p"), t);
        let info = q.pop().unwrap();
        // Its preemption starts, then the failure puts it back.
        q.gate("default/p");
        assert!(q.is_gated("default/p"));
        q.add_unschedulable(info, t);
        assert_eq!(q.location("default/p"), Some(Where::Unschedulable));
        // Cluster events and the 5-minute flush leave it where it is.
        q.move_all_to_active_or_backoff(SimTime(60_000));
        q.flush_unschedulable_leftover(SimTime(600_000));
        assert_eq!(q.location("default/p"), Some(Where::Unschedulable));
        assert!(q.pop().is_none());
        // The gate opens; the next event moves it.
        q.ungate("default/p");
        assert_eq!(q.location("default/p"), Some(Where::Unschedulable));
        q.move_all_to_active_or_backoff(SimTime(600_000));
        assert_eq!(q.location("default/p"), Some(Where::Active));
    }

    #[test]
    fn activate_moves_a_waiting_pod_to_active_at_once() {
        let mut q = SchedulingQueue::default();
        q.add(pod("p"), SimTime(0));
        let info = q.pop().unwrap();
        q.add_unschedulable(info, SimTime(0));
        q.activate("default/p");
        assert_eq!(q.location("default/p"), Some(Where::Active));
        assert_eq!(q.pop().unwrap().attempts, 2);
    }
}
