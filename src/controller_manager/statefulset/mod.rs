//! The StatefulSet controller (`pkg/controller/statefulset`, `statefulset-controller` in
//! kube-controller-manager): pods `<set>-0`, `<set>-1`... with stable names, hostnames
//! (`spec.hostname`/`spec.subdomain` from `serviceName`) and storage (a claim
//! `<template>-<set>-<ordinal>` per volumeClaimTemplate). With `OrderedReady` a pod is created
//! only once every lower ordinal is Running, Ready and available, and scale-down removes the
//! highest ordinal first, one at a time; `Parallel` does both at once. The template's history
//! lives in ControllerRevisions (`currentRevision`/`updateRevision` in the status); RollingUpdate
//! replaces pods from the highest ordinal down to the partition.
//!
//! The real controller's sync makes its calls one after the other (claims before their pod,
//! the revision before any pod); kubestep's controller sends them as messages, so a sync that
//! needs an answer before it can go on stops there and the answer queues the set again. Objects
//! it created are used until the informer has them, as the real controller uses the objects
//! its calls returned.

pub mod control;
pub mod utils;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

use super::controller_utils::*;
use super::record::EventRecorder;
use super::{Actions, Informers, Requeue, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

pub const NAME: &str = "statefulset";
pub const SERVICE_ACCOUNT: &str = "statefulset-controller";
/// The recorder's `EventSource.Component`.
pub const COMPONENT: &str = "statefulset-controller";

/// What a write of this controller was for.
#[derive(Clone, Debug, PartialEq)]
pub enum Tag {
    /// The creation of a claim for `pod`.
    ClaimCreate {
        set: String,
        pod: String,
        claim: String,
    },
    /// The creation of `pod`.
    PodCreate { set: String, pod: String },
    /// The deletion of `pod`.
    PodDelete { set: String, pod: String },
    /// An update of `pod` (identity, storage).
    PodUpdate { set: String, pod: String },
    /// The creation of the revision `name`.
    RevisionCreate { set: String, name: String },
    /// After an AlreadyExists: the existing revision, to compare its data.
    RevisionGet { set: String, name: String },
    /// Any other write (status, adoption, history, claim owners, events).
    Other { set: String },
}

impl Tag {
    fn set(&self) -> &str {
        match self {
            Tag::ClaimCreate { set, .. }
            | Tag::PodCreate { set, .. }
            | Tag::PodDelete { set, .. }
            | Tag::PodUpdate { set, .. }
            | Tag::RevisionCreate { set, .. }
            | Tag::RevisionGet { set, .. }
            | Tag::Other { set } => set,
        }
    }
}

pub(crate) fn tag(t: Tag) -> WriteTag {
    WriteTag::StatefulSet(t)
}

#[derive(Clone, Debug)]
pub struct StatefulSetController {
    pub queue: WorkQueue,
    pub recorder: EventRecorder,
    /// Calls in flight whose answers the set's next sync depends on.
    in_flight: BTreeMap<String, usize>,
    /// Objects this controller created (`Kind/namespace/name`) until the informer has them.
    created: BTreeMap<String, Arc<Value>>,
    /// Pods this controller deleted whose deletion the informer has not shown yet.
    deleted: BTreeSet<String>,
    /// Collision counts raised by name collisions, not yet written to the status.
    collisions: BTreeMap<String, i64>,
    /// `AddAfter`s asked for by event handlers, handed over at the next `process`.
    pending_requeues: Vec<Requeue>,
}

impl Default for StatefulSetController {
    fn default() -> Self {
        StatefulSetController {
            queue: WorkQueue::default(),
            recorder: EventRecorder::new(SERVICE_ACCOUNT, COMPONENT),
            in_flight: BTreeMap::new(),
            created: BTreeMap::new(),
            deleted: BTreeSet::new(),
            collisions: BTreeMap::new(),
            pending_requeues: Vec::new(),
        }
    }
}

impl StatefulSetController {
    fn resolve<'a>(informers: &'a Informers, ns: &str, r: &Value) -> Option<&'a Arc<Value>> {
        if r["kind"] != "StatefulSet" {
            return None;
        }
        let set = informers
            .statefulsets
            .get(&format!("{ns}/{}", r["name"].as_str().unwrap_or("")))?;
        (uid(set) == r["uid"].as_str().unwrap_or("")).then_some(set)
    }

    pub fn on_statefulset(&mut self, delta: &Delta) {
        let key = crate::client::object_key(delta.object());
        if matches!(delta, Delta::Deleted(_)) {
            self.collisions.remove(&key);
        }
        self.queue.add(&key);
    }

    /// `addPod` / `updatePod` / `deletePod`.
    pub fn on_pod(&mut self, delta: &Delta, informers: &Informers) {
        let pod = delta.object();
        let key = crate::client::object_key(pod);
        self.created.remove(&format!("Pod/{key}"));
        if is_deleting(pod) || matches!(delta, Delta::Deleted(_)) {
            self.deleted.remove(&key);
        }
        let ns = namespace(pod);
        if let Delta::Updated { old, new } = delta {
            if controller_of(old) != controller_of(new) {
                if let Some(set) = controller_of(old).and_then(|r| Self::resolve(informers, ns, r))
                {
                    self.queue.add(&crate::client::object_key(set));
                }
            }
        }
        match controller_of(pod) {
            Some(r) => {
                let Some(set) = Self::resolve(informers, ns, r) else {
                    return;
                };
                let set_key = crate::client::object_key(set);
                self.queue.add(&set_key);
                if let Delta::Updated { old, new } = delta {
                    let min_ready = i64_at(set, "/spec/minReadySeconds");
                    if !pod_ready(old).0 && pod_ready(new).0 && min_ready > 0 {
                        // Add a second against clock skew, as the real handler does.
                        self.pending_requeues.push(Requeue {
                            controller: NAME,
                            key: set_key,
                            after: SimDuration::from_secs(min_ready as u64 + 1),
                        });
                    }
                }
            }
            None if !matches!(delta, Delta::Deleted(_)) => {
                for set in in_namespace(&informers.statefulsets.cache, ns) {
                    if selector_of(set).matches_object(pod) {
                        self.queue.add(&crate::client::object_key(set));
                    }
                }
            }
            None => {}
        }
    }

    /// Revisions have no handlers in the real controller (it reads them through a lister);
    /// an arrival only retires the object this controller remembered creating.
    pub fn on_revision(&mut self, delta: &Delta, _informers: &Informers) {
        let key = crate::client::object_key(delta.object());
        self.created.remove(&format!("ControllerRevision/{key}"));
    }

    /// Claims likewise.
    pub fn on_claim(&mut self, delta: &Delta, _informers: &Informers) {
        let key = crate::client::object_key(delta.object());
        self.created.remove(&format!("PersistentVolumeClaim/{key}"));
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        actions.requeues.append(&mut self.pending_requeues);
        while let Some(key) = self.queue.get() {
            if !self.in_flight.contains_key(&key) {
                self.sync(&key, informers, now, actions);
            }
            self.queue.done(&key);
        }
    }

    fn started(&mut self, key: &str, n: usize) {
        if n > 0 {
            *self.in_flight.entry(key.to_string()).or_default() += n;
        }
    }

    fn answered(&mut self, key: &str) {
        if let Some(n) = self.in_flight.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.in_flight.remove(key);
                self.queue.add(key);
            }
        }
    }

    /// An object of `kind` as this controller knows it: the informer's, else one it created.
    fn lookup<'a>(
        &'a self,
        informers: &'a Informers,
        kind: &str,
        key: &str,
    ) -> Option<&'a Arc<Value>> {
        let r = match kind {
            "Pod" => &informers.pods,
            "PersistentVolumeClaim" => &informers.persistentvolumeclaims,
            _ => &informers.controllerrevisions,
        };
        r.get(key)
            .or_else(|| self.created.get(&format!("{kind}/{key}")))
    }

    /// `recorder.Event(set, ...)`, written as this controller.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        actions: &mut Actions,
        _key: &str,
        set: &Value,
        event_type: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) {
        let w = self.recorder.event(
            set,
            ("apps/v1", "StatefulSet"),
            event_type,
            reason,
            message,
            now,
        );
        actions.writes.push(w);
    }

    /// `recordPodEvent`.
    #[allow(clippy::too_many_arguments)]
    fn pod_event(
        &mut self,
        actions: &mut Actions,
        key: &str,
        set: &Value,
        verb: &str,
        pod: &str,
        error: Option<&str>,
        now: SimTime,
    ) {
        let title = title_case(verb);
        match error {
            None => {
                let msg = format!("{verb} Pod {pod} in StatefulSet {} successful", name(set));
                self.event(
                    actions,
                    key,
                    set,
                    "Normal",
                    &format!("Successful{title}"),
                    &msg,
                    now,
                );
            }
            Some(e) => {
                let msg = format!(
                    "{verb} Pod {pod} in StatefulSet {} failed error: {e}",
                    name(set)
                );
                self.event(
                    actions,
                    key,
                    set,
                    "Warning",
                    &format!("Failed{title}"),
                    &msg,
                    now,
                );
            }
        }
    }

    /// `recordClaimEvent`.
    #[allow(clippy::too_many_arguments)]
    fn claim_event(
        &mut self,
        actions: &mut Actions,
        key: &str,
        set: &Value,
        verb: &str,
        claim: &str,
        pod: &str,
        error: Option<&str>,
        now: SimTime,
    ) {
        let title = title_case(verb);
        match error {
            None => {
                let msg = format!(
                    "{verb} Claim {claim} Pod {pod} in StatefulSet {} success",
                    name(set)
                );
                self.event(
                    actions,
                    key,
                    set,
                    "Normal",
                    &format!("Successful{title}"),
                    &msg,
                    now,
                );
            }
            Some(e) => {
                let msg = format!(
                    "{verb} Claim {claim} for Pod {pod} in StatefulSet {} failed error: {e}",
                    name(set)
                );
                self.event(
                    actions,
                    key,
                    set,
                    "Warning",
                    &format!("Failed{title}"),
                    &msg,
                    now,
                );
            }
        }
    }

    pub fn on_response(
        &mut self,
        t: &Tag,
        response: &HttpResponse,
        informers: &Informers,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        let ok = (200..300).contains(&response.status);
        let key = t.set().to_string();
        let ns = key.split('/').next().unwrap_or("").to_string();
        let set = informers.statefulsets.get(&key).cloned();
        let error = response
            .body_json()
            .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| format!("status {}", response.status));
        // An object this controller created or found, kept until the informer has it (if the
        // informer already does, its watch event came first and nothing is kept).
        let remember = |this: &mut Self, kind: &str| {
            if let Some(obj) = response.body_json() {
                let key = crate::client::object_key(&obj);
                let known = match kind {
                    "Pod" => informers.pods.get(&key).is_some(),
                    "PersistentVolumeClaim" => informers.persistentvolumeclaims.get(&key).is_some(),
                    _ => informers.controllerrevisions.get(&key).is_some(),
                };
                if !known {
                    this.created.insert(format!("{kind}/{key}"), obj);
                }
            }
        };
        match t {
            Tag::ClaimCreate { pod, claim, .. } => {
                if ok {
                    remember(self, "PersistentVolumeClaim");
                }
                if let Some(set) = &set {
                    // `createPersistentVolumeClaims`: AlreadyExists is not reported.
                    if ok {
                        self.claim_event(&mut actions, &key, set, "create", claim, pod, None, now);
                    } else if response.status != 409 {
                        let e = format!("failed to create PVC {claim}: {error}");
                        self.claim_event(
                            &mut actions,
                            &key,
                            set,
                            "create",
                            claim,
                            pod,
                            Some(&e),
                            now,
                        );
                        // The pod is not created: `CreateStatefulPod` records that too.
                        self.pod_event(&mut actions, &key, set, "create", pod, Some(&e), now);
                    }
                }
                if !ok {
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::PodCreate { pod, .. } => {
                if ok {
                    remember(self, "Pod");
                }
                if let Some(set) = &set {
                    // AlreadyExists is sunk without an event.
                    if ok {
                        self.pod_event(&mut actions, &key, set, "create", pod, None, now);
                    } else if response.status != 409 {
                        self.pod_event(&mut actions, &key, set, "create", pod, Some(&error), now);
                    }
                }
                if !ok {
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::PodDelete { pod, .. } => {
                if let Some(set) = &set {
                    let e = (!ok).then_some(error.as_str());
                    self.pod_event(&mut actions, &key, set, "delete", pod, e, now);
                }
                let pod_key = format!("{ns}/{pod}");
                let unobserved = informers
                    .pods
                    .get(&pod_key)
                    .is_some_and(|p| !is_deleting(p));
                if ok && unobserved {
                    self.deleted.insert(pod_key);
                } else if response.status != 404 {
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::PodUpdate { pod, .. } => {
                if let Some(set) = &set {
                    let e = (!ok).then_some(error.as_str());
                    self.pod_event(&mut actions, &key, set, "update", pod, e, now);
                }
                if !ok {
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::RevisionCreate { name: cr_name, .. } => {
                if ok {
                    remember(self, "ControllerRevision");
                } else if response.status == 409 {
                    // `CreateControllerRevision`: get the existing one; the same data is ours.
                    self.started(&key, 1);
                    actions.writes.push(super::Write::new(
                        SERVICE_ACCOUNT,
                        "GET",
                        format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions/{cr_name}"),
                        tag(Tag::RevisionGet {
                            set: key.clone(),
                            name: cr_name.clone(),
                        }),
                    ));
                } else {
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::RevisionGet { .. } => {
                let existing = response.body_json().filter(|_| ok);
                match (&set, existing) {
                    (Some(set), Some(existing)) => {
                        if existing.get("data") == Some(&super::history::template_patch(set)) {
                            remember(self, "ControllerRevision");
                        } else {
                            // A hash collision: the next name uses a higher count.
                            let base = i64_at(set, "/status/collisionCount");
                            let c = self.collisions.entry(key.clone()).or_insert(base);
                            *c = (*c).max(base) + 1;
                        }
                    }
                    _ => {
                        self.queue.add_rate_limited(&key, now);
                    }
                }
            }
            Tag::Other { .. } => {
                if !ok && response.status != 404 {
                    self.queue.add_rate_limited(&key, now);
                }
            }
        }
        if !matches!(t, Tag::Other { .. }) {
            self.answered(&key);
        }
        actions
    }
}

/// `strings.Title` of a one-word verb.
fn title_case(verb: &str) -> String {
    let mut c = verb.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
