//! The DaemonSet controller (`pkg/controller/daemon`, `daemon_set_controller` in
//! kube-controller-manager): one pod per eligible node. Since 1.12 the pods are placed by
//! kube-scheduler: each is created without a node but with the required node affinity
//! `matchFields metadata.name In [<node>]` and the daemon tolerations, named `<ds>-<5 random
//! chars>` by the API server. Nodes are eligible by the template's node selector and affinity
//! and by their taints. The template's history is kept in ControllerRevisions
//! `<ds>-<hash>` (the pods carry `controller-revision-hash`); RollingUpdate replaces old pods
//! within maxUnavailable (or maxSurge), OnDelete waits for them to be deleted.
//!
//! Simplifications, said where they apply: a node removed from the cluster keeps its daemon
//! pod until something deletes it (the real cluster's pod garbage collector does; kubestep
//! does not run it).

pub mod update;
pub mod util;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::record::EventRecorder;
use super::{Actions, Informers, Requeue, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

pub const NAME: &str = "daemonset";
pub const SERVICE_ACCOUNT: &str = "daemon-set-controller";
/// The recorder's `EventSource.Component`.
pub const COMPONENT: &str = "daemonset-controller";
/// `BurstReplicas`: at most this many creates or deletes per sync.
pub const BURST_REPLICAS: usize = 250;
/// The failed-pod backoff kube-controller-manager gives the controller
/// (`flowcontrol.NewBackOff(1s, 15min)`).
pub const FAILED_POD_BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(1);
pub const FAILED_POD_BACKOFF_MAX: SimDuration = SimDuration::from_secs(15 * 60);

/// What a write of this controller was for.
#[derive(Clone, Debug, PartialEq)]
pub enum Tag {
    /// A pod create of the slow-start run of DaemonSet `ds`.
    PodCreate { ds: String },
    /// A pod delete.
    PodDelete { ds: String, pod: String },
    /// The creation of the revision `name`.
    RevisionCreate { ds: String, name: String },
    /// After an AlreadyExists: the existing revision, to compare its data.
    RevisionGet { ds: String, name: String },
    /// Any other write (status, adoption, history updates and deletes, events).
    Other { ds: String },
}

impl Tag {
    fn ds(&self) -> &str {
        match self {
            Tag::PodCreate { ds }
            | Tag::PodDelete { ds, .. }
            | Tag::RevisionCreate { ds, .. }
            | Tag::RevisionGet { ds, .. }
            | Tag::Other { ds } => ds,
        }
    }
}

fn tag(t: Tag) -> WriteTag {
    WriteTag::DaemonSet(t)
}

/// A slow-start run of pod creates (`syncNodes`: batches of 1, 2, 4...).
#[derive(Clone, Debug, PartialEq)]
struct SlowStart {
    pending: Vec<Value>,
    batch: usize,
    in_flight: usize,
    failed: bool,
}

/// `flowcontrol.Backoff` entry of a failed daemon pod on a node.
#[derive(Clone, Debug, PartialEq)]
struct Backoff {
    delay: SimDuration,
    last_update: SimTime,
}

#[derive(Clone, Debug)]
pub struct DaemonSetsController {
    pub queue: WorkQueue,
    pub expectations: ControllerExpectations,
    pub recorder: EventRecorder,
    slow_start: BTreeMap<String, SlowStart>,
    /// Revisions this controller created whose watch events have not arrived yet (the real
    /// controller goes on with the object its create returned).
    created_revisions: BTreeMap<String, Arc<Value>>,
    /// Revision writes in flight, by DaemonSet: its next sync waits for them (the real sync
    /// blocks on each call).
    revision_writes: BTreeMap<String, usize>,
    failed_pods_backoff: BTreeMap<String, Backoff>,
    /// `AddAfter`s asked for by event handlers, handed over at the next `process`.
    pending_requeues: Vec<Requeue>,
}

impl Default for DaemonSetsController {
    fn default() -> Self {
        DaemonSetsController {
            queue: WorkQueue::default(),
            expectations: ControllerExpectations::default(),
            recorder: EventRecorder::new(SERVICE_ACCOUNT, COMPONENT),
            slow_start: BTreeMap::new(),
            created_revisions: BTreeMap::new(),
            revision_writes: BTreeMap::new(),
            failed_pods_backoff: BTreeMap::new(),
            pending_requeues: Vec::new(),
        }
    }
}

fn ds_path(ns: &str, name: &str) -> String {
    format!("/apis/apps/v1/namespaces/{ns}/daemonsets/{name}")
}

fn revisions_path(ns: &str) -> String {
    format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions")
}

impl DaemonSetsController {
    /// `resolveControllerRef`: the DaemonSet a controller reference names, if it is still the
    /// same object.
    fn resolve<'a>(informers: &'a Informers, ns: &str, r: &Value) -> Option<&'a Arc<Value>> {
        if r["kind"] != "DaemonSet" {
            return None;
        }
        let ds = informers
            .daemonsets
            .get(&format!("{ns}/{}", r["name"].as_str().unwrap_or("")))?;
        (uid(ds) == r["uid"].as_str().unwrap_or("")).then_some(ds)
    }

    /// `getDaemonSetsForPod` / `GetHistoryDaemonSets`: DaemonSets whose selector matches.
    fn matching(informers: &Informers, obj: &Value) -> Vec<String> {
        in_namespace(&informers.daemonsets.cache, namespace(obj))
            .filter(|ds| {
                let sel = ds.pointer("/spec/selector");
                // An empty selector matches nothing here (`GetPodDaemonSets`).
                sel.is_some_and(|s| !s.as_object().is_some_and(|m| m.is_empty()))
                    && selector_of(ds).matches_object(obj)
            })
            .map(|ds| crate::client::object_key(ds))
            .collect()
    }

    pub fn on_daemonset(&mut self, delta: &Delta) {
        let key = crate::client::object_key(delta.object());
        match delta {
            Delta::Deleted(_) => {
                self.expectations.delete(&key);
                self.slow_start.remove(&key);
                let prefix = format!("{key}/");
                self.failed_pods_backoff
                    .retain(|k, _| !k.starts_with(&prefix));
            }
            Delta::Updated { old, new } if uid(old) != uid(new) => {
                self.expectations.delete(&key);
            }
            _ => {}
        }
        self.queue.add(&key);
    }

    /// `addPod` / `updatePod` / `deletePod`.
    pub fn on_pod(&mut self, delta: &Delta, informers: &Informers) {
        let pod = delta.object();
        let ns = namespace(pod);
        let deleted = matches!(delta, Delta::Deleted(_));
        let deleting_now = match delta {
            Delta::Added(p) => is_deleting(p),
            Delta::Updated { old, new } => is_deleting(new) && !is_deleting(old),
            Delta::Deleted(_) => true,
        };
        if let Delta::Updated { old, new } = delta {
            if controller_of(old) != controller_of(new) {
                if let Some(ds) = controller_of(old).and_then(|r| Self::resolve(informers, ns, r)) {
                    self.queue.add(&crate::client::object_key(ds));
                }
            }
        }
        match controller_of(pod) {
            Some(r) => {
                let Some(ds) = Self::resolve(informers, ns, r) else {
                    return;
                };
                let key = crate::client::object_key(ds);
                let pod_key = crate::client::object_key(pod);
                if deleting_now || deleted {
                    self.expectations.deletion_observed(&key, &pod_key);
                } else if matches!(delta, Delta::Added(_)) {
                    self.expectations.creation_observed(&key);
                }
                self.queue.add(&key);
                // A pod that became ready becomes available after minReadySeconds.
                if let Delta::Updated { old, new } = delta {
                    let min_ready = i64_at(ds, "/spec/minReadySeconds");
                    if !is_pod_ready(old) && is_pod_ready(new) && min_ready > 0 {
                        self.requeue_after(&key, SimDuration::from_secs(min_ready as u64 + 1));
                    }
                }
            }
            None if !deleted => {
                let changed = match delta {
                    Delta::Updated { old, new } => {
                        old.pointer("/metadata/labels") != new.pointer("/metadata/labels")
                            || controller_of(old).is_some()
                    }
                    _ => true,
                };
                if changed {
                    for key in Self::matching(informers, pod) {
                        self.queue.add(&key);
                    }
                }
            }
            None => {}
        }
    }

    /// `addHistory` / `updateHistory` / `deleteHistory`.
    pub fn on_revision(&mut self, delta: &Delta, informers: &Informers) {
        let cr = delta.object();
        let key = crate::client::object_key(cr);
        if informers.controllerrevisions.get(&key).is_some() || matches!(delta, Delta::Deleted(_)) {
            // The informer has it now (or it is gone): the overlay is no longer needed.
            self.created_revisions.remove(&key);
        }
        if let Delta::Updated { old, .. } = delta {
            if controller_of(old) != controller_of(cr) {
                if let Some(ds) =
                    controller_of(old).and_then(|r| Self::resolve(informers, namespace(old), r))
                {
                    self.queue.add(&crate::client::object_key(ds));
                }
            }
        }
        match controller_of(cr) {
            Some(r) => {
                if let Some(ds) = Self::resolve(informers, namespace(cr), r) {
                    self.queue.add(&crate::client::object_key(ds));
                }
            }
            None if !matches!(delta, Delta::Deleted(_)) => {
                for key in Self::matching(informers, cr) {
                    self.queue.add(&key);
                }
            }
            None => {}
        }
    }

    /// `addNode`, and `updateNode` with 1.33's `syncNodeUpdate` (only label and taint
    /// changes matter): a DaemonSet is synced when the node needs a pod it lacks or must lose
    /// one it has. (A pod that merely became misscheduled, or stopped being so, does not
    /// trigger it: that is 1.33's behaviour, kubernetes#132459, changed in 1.34.)
    pub fn on_node(&mut self, delta: &Delta, informers: &Informers) {
        match delta {
            Delta::Added(node) => {
                for ds in informers.daemonsets.list_cached() {
                    if util::node_should_run_daemon_pod(node, ds).0 {
                        self.queue.add(&crate::client::object_key(ds));
                    }
                }
            }
            Delta::Updated { old, new } => {
                let ignore = old.pointer("/metadata/labels") == new.pointer("/metadata/labels")
                    && old.pointer("/spec/taints") == new.pointer("/spec/taints");
                if ignore {
                    return;
                }
                // The daemon pods bound to the node, by DaemonSet key.
                let node_name = name(new);
                let mut scheduled: std::collections::BTreeSet<String> = Default::default();
                for pod in informers.pods.list_cached() {
                    if str_at(pod, "/spec/nodeName") != node_name {
                        continue;
                    }
                    if let Some(r) = controller_of(pod).filter(|r| r["kind"] == "DaemonSet") {
                        scheduled.insert(format!(
                            "{}/{}",
                            namespace(pod),
                            r["name"].as_str().unwrap_or("")
                        ));
                    }
                }
                for ds in informers.daemonsets.list_cached() {
                    let key = crate::client::object_key(ds);
                    let (should_run, should_continue) = util::node_should_run_daemon_pod(new, ds);
                    let has = scheduled.contains(&key);
                    if (should_run && !has) || (!should_continue && has) {
                        self.queue.add(&key);
                    }
                }
            }
            // No handler for a deleted node: its pods go when the pod garbage collector
            // deletes them, and that pod event syncs the DaemonSet.
            Delta::Deleted(_) => {}
        }
    }

    fn requeue_after(&mut self, key: &str, after: SimDuration) {
        self.pending_requeues.push(Requeue {
            controller: NAME,
            key: key.to_string(),
            after,
        });
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        actions.requeues.append(&mut self.pending_requeues);
        while let Some(key) = self.queue.get() {
            if self.slow_start.contains_key(&key) || self.revision_writes.contains_key(&key) {
                // A sync is still waiting for its calls: look again when they are answered.
                self.queue.done(&key);
                continue;
            }
            self.sync(&key, informers, now, actions);
            self.queue.done(&key);
        }
    }

    /// `syncDaemonSet`.
    fn sync(&mut self, key: &str, informers: &Informers, now: SimTime, actions: &mut Actions) {
        let Some(ds) = informers.daemonsets.get(key).cloned() else {
            self.expectations.delete(key);
            return;
        };
        let nodes: Vec<&Arc<Value>> = informers.nodes.list_cached().collect();
        let empty_selector = ds
            .pointer("/spec/selector")
            .and_then(Value::as_object)
            .is_some_and(|m| {
                m.values().all(|v| {
                    v.as_object().is_some_and(|o| o.is_empty())
                        || v.as_array().is_some_and(|a| a.is_empty())
                })
            });
        if empty_selector {
            self.event(
                actions,
                key,
                &ds,
                "Warning",
                "SelectingAll",
                "This daemon set is selecting all pods. A non-empty selector is required.",
                now,
            );
            return;
        }
        if is_deleting(&ds) {
            return;
        }
        let Some((cur, old)) = self.construct_history(key, &ds, informers, actions) else {
            return;
        };
        let hash = cur
            .pointer(&format!(
                "/metadata/labels/{}",
                super::history::CONTROLLER_REVISION_HASH_LABEL
            ))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !self.expectations.satisfied(key, now) {
            self.update_status(key, &ds, &nodes, &hash, false, informers, now, actions);
            return;
        }
        self.manage(key, &ds, &nodes, &hash, informers, now, actions);
        if self.expectations.satisfied(key, now)
            && !self.slow_start.contains_key(key)
            && str_at(&ds, "/spec/updateStrategy/type") != "OnDelete"
        {
            self.rolling_update(key, &ds, &nodes, &hash, informers, now, actions);
        }
        self.cleanup_history(key, &ds, &old, informers, actions);
        self.update_status(key, &ds, &nodes, &hash, true, informers, now, actions);
    }

    /// The DaemonSet's pods (claimed: owned, or adopted orphans), grouped by their target node
    /// (`getNodesToDaemonPods`).
    fn nodes_to_daemon_pods(
        &self,
        key: &str,
        ds: &Value,
        informers: &Informers,
        include_deleted_terminal: bool,
        actions: &mut Actions,
    ) -> BTreeMap<String, Vec<Arc<Value>>> {
        let ns = namespace(ds);
        let claim = claim_objects(
            ds,
            &selector_of(ds),
            in_namespace(&informers.pods.cache, ns),
        );
        for p in &claim.adopt {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    format!("/api/v1/namespaces/{ns}/pods/{}", name(p)),
                    tag(Tag::Other { ds: key.into() }),
                )
                .merge_patch(adopt_patch(p, ds, "apps/v1", "DaemonSet")),
            );
        }
        for p in &claim.release {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    format!("/api/v1/namespaces/{ns}/pods/{}", name(p)),
                    tag(Tag::Other { ds: key.into() }),
                )
                .merge_patch(release_owner_patch(p, uid(ds))),
            );
        }
        let mut out: BTreeMap<String, Vec<Arc<Value>>> = BTreeMap::new();
        for pod in claim.claimed {
            let phase = str_at(pod, "/status/phase");
            let terminal = phase == "Succeeded" || phase == "Failed";
            if !include_deleted_terminal && terminal && is_deleting(pod) {
                continue;
            }
            if let Some(node) = util::target_node_name(pod) {
                out.entry(node).or_default().push(pod.clone());
            }
        }
        out
    }

    /// `manage`: create the pods nodes need, delete the ones they must not run.
    #[allow(clippy::too_many_arguments)]
    fn manage(
        &mut self,
        key: &str,
        ds: &Value,
        nodes: &[&Arc<Value>],
        hash: &str,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let node_pods = self.nodes_to_daemon_pods(key, ds, informers, false, actions);
        let predicates = util::Predicates::new(ds);
        let mut needing: Vec<String> = Vec::new();
        let mut to_delete: Vec<String> = Vec::new();
        for node in nodes {
            let should = predicates.should_run(node);
            let (n, d) =
                self.pods_should_be_on_node(key, node, should, &node_pods, ds, hash, now, actions);
            needing.extend(n);
            to_delete.extend(d);
        }
        // `getUnscheduledPodsWithoutNode`: pods aimed at a node that no longer exists, which
        // nothing would ever schedule.
        for (node, pods) in &node_pods {
            if nodes.iter().any(|n| name(n) == node) {
                continue;
            }
            for p in pods {
                if str_at(p, "/spec/nodeName").is_empty() {
                    to_delete.push(name(p).to_string());
                }
            }
        }
        self.sync_nodes(key, ds, &to_delete, &needing, hash, now, actions);
    }

    /// `podsShouldBeOnNode`.
    #[allow(clippy::too_many_arguments)]
    fn pods_should_be_on_node(
        &mut self,
        key: &str,
        node: &Value,
        (should_run, should_continue): (bool, bool),
        node_pods: &BTreeMap<String, Vec<Arc<Value>>>,
        ds: &Value,
        hash: &str,
        now: SimTime,
        actions: &mut Actions,
    ) -> (Vec<String>, Vec<String>) {
        let node_name = name(node).to_string();
        let pods = node_pods.get(&node_name);
        let mut needing = Vec::new();
        let mut to_delete = Vec::new();
        if should_run && pods.is_none() {
            needing.push(node_name);
            return (needing, to_delete);
        }
        if should_continue {
            let mut running: Vec<&Arc<Value>> = Vec::new();
            for pod in pods.into_iter().flatten() {
                if is_deleting(pod) {
                    continue;
                }
                match str_at(pod, "/status/phase") {
                    "Failed" => {
                        let backoff_key = format!("{}/{}/{node_name}", key, uid(ds));
                        if let Some(b) = self.failed_pods_backoff.get(&backoff_key) {
                            if now < b.last_update.saturating_add(b.delay) {
                                let delay = b.delay;
                                self.requeue_after(key, delay);
                                continue;
                            }
                        }
                        let delay = match self.failed_pods_backoff.get(&backoff_key) {
                            Some(b) => SimDuration::from_millis(
                                (b.delay.as_millis() * 2).min(FAILED_POD_BACKOFF_MAX.as_millis()),
                            ),
                            None => FAILED_POD_BACKOFF_INITIAL,
                        };
                        self.failed_pods_backoff.insert(
                            backoff_key,
                            Backoff {
                                delay,
                                last_update: now,
                            },
                        );
                        let msg = format!(
                            "Found failed daemon pod {}/{} on node {node_name}, will try to kill it",
                            namespace(pod),
                            name(pod)
                        );
                        self.event(actions, key, ds, "Warning", "FailedDaemonPod", &msg, now);
                        to_delete.push(name(pod).to_string());
                    }
                    "Succeeded" => {
                        let msg = format!(
                            "Found succeeded daemon pod {}/{} on node {node_name}, will try to delete it",
                            namespace(pod),
                            name(pod)
                        );
                        self.event(actions, key, ds, "Normal", "SucceededDaemonPod", &msg, now);
                        to_delete.push(name(pod).to_string());
                    }
                    _ => running.push(pod),
                }
            }
            running.sort_by(|a, b| creation_then_phase_order(a, b));
            if !update::allows_surge(ds) {
                // Not surging: one pod per node, the oldest stays.
                for p in running.iter().skip(1) {
                    to_delete.push(name(p).to_string());
                }
                return (needing, to_delete);
            }
            if running.len() <= 1 {
                if running.is_empty() && should_run {
                    needing.push(node_name);
                }
                return (needing, to_delete);
            }
            // Surging: the oldest new pod and the oldest old pod may both run while the new
            // one is not yet available; everything else goes.
            let mut oldest_new: Option<&Arc<Value>> = None;
            let mut oldest_old: Option<&Arc<Value>> = None;
            for p in &running {
                let is_new = p
                    .pointer(&format!(
                        "/metadata/labels/{}",
                        super::history::CONTROLLER_REVISION_HASH_LABEL
                    ))
                    .and_then(Value::as_str)
                    == Some(hash);
                let slot = if is_new {
                    &mut oldest_new
                } else {
                    &mut oldest_old
                };
                if slot.is_none() {
                    *slot = Some(p);
                } else {
                    to_delete.push(name(p).to_string());
                }
            }
            if let (Some(new), Some(old)) = (oldest_new, oldest_old) {
                let min_ready = i64_at(ds, "/spec/minReadySeconds");
                if !is_pod_ready(old) || is_pod_available(new, min_ready, now) {
                    to_delete.push(name(old).to_string());
                }
            }
            return (needing, to_delete);
        }
        // Not supposed to run here any more: every daemon pod on the node goes.
        for pod in pods.into_iter().flatten() {
            if !is_deleting(pod) {
                to_delete.push(name(pod).to_string());
            }
        }
        (needing, to_delete)
    }

    /// `syncNodes`: expectations first, then the creates in slow-start batches (each pod with
    /// the affinity that pins it to its node) and the deletes.
    #[allow(clippy::too_many_arguments)]
    fn sync_nodes(
        &mut self,
        key: &str,
        ds: &Value,
        to_delete: &[String],
        needing: &[String],
        hash: &str,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let ns = namespace(ds).to_string();
        let creates = needing.len().min(BURST_REPLICAS);
        let deletes: Vec<String> = to_delete
            .iter()
            .take(BURST_REPLICAS)
            .map(|p| format!("{ns}/{p}"))
            .collect();
        self.expectations
            .set_expectations(key, creates as i64, &deletes, now);
        if creates > 0 {
            let template = util::create_pod_template(
                ds.pointer("/spec/template").unwrap_or(&Value::Null),
                util::template_generation(ds),
                hash,
            );
            let pending: Vec<Value> = needing[..creates]
                .iter()
                .map(|node| {
                    let mut t = template.clone();
                    util::replace_node_name_affinity(&mut t["spec"], node);
                    pod_from_template(&t, ds, new_controller_ref(ds, "apps/v1", "DaemonSet"))
                })
                .collect();
            let mut run = SlowStart {
                pending,
                batch: 0,
                in_flight: 0,
                failed: false,
            };
            self.next_batch(key, &mut run, actions);
            self.slow_start.insert(key.to_string(), run);
        }
        for pod in deletes {
            let pod_name = pod.rsplit('/').next().unwrap_or("").to_string();
            actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                format!("/api/v1/namespaces/{ns}/pods/{pod_name}"),
                tag(Tag::PodDelete {
                    ds: key.to_string(),
                    pod,
                }),
            ));
        }
    }

    fn next_batch(&mut self, key: &str, run: &mut SlowStart, actions: &mut Actions) {
        let batch = if run.batch == 0 {
            super::replicaset::SLOW_START_INITIAL_BATCH_SIZE as usize
        } else {
            run.batch * 2
        }
        .min(run.pending.len());
        run.batch = batch;
        run.in_flight = batch;
        let ns = run
            .pending
            .first()
            .map(|p| namespace(p).to_string())
            .unwrap_or_default();
        for pod in run.pending.drain(..batch) {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "POST",
                    format!("/api/v1/namespaces/{ns}/pods"),
                    tag(Tag::PodCreate {
                        ds: key.to_string(),
                    }),
                )
                .body(pod)
                .step(3),
            );
        }
    }

    /// `updateDaemonSetStatus` / `storeDaemonSetStatus`.
    #[allow(clippy::too_many_arguments)]
    fn update_status(
        &mut self,
        key: &str,
        ds: &Value,
        nodes: &[&Arc<Value>],
        hash: &str,
        update_observed_generation: bool,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let mut scratch = Actions::default();
        let node_pods = self.nodes_to_daemon_pods(key, ds, informers, false, &mut scratch);
        let min_ready = i64_at(ds, "/spec/minReadySeconds");
        let generation = util::template_generation(ds);
        let predicates = util::Predicates::new(ds);
        let (mut desired, mut current, mut misscheduled, mut ready, mut updated, mut available) =
            (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
        for node in nodes {
            let (should_run, _) = predicates.should_run(node);
            let pods = node_pods.get(name(node));
            let scheduled = pods.is_some_and(|p| !p.is_empty());
            if should_run {
                desired += 1;
                let Some(pods) = pods.filter(|_| scheduled) else {
                    continue;
                };
                current += 1;
                let mut sorted: Vec<&Arc<Value>> = pods.iter().collect();
                sorted.sort_by(|a, b| creation_then_phase_order(a, b));
                let pod = sorted[0];
                if is_pod_ready(pod) {
                    ready += 1;
                    if is_pod_available(pod, min_ready, now) {
                        available += 1;
                    }
                }
                if util::is_pod_updated(pod, hash, generation) {
                    updated += 1;
                }
            } else if scheduled {
                misscheduled += 1;
            }
        }
        let unavailable = desired - available;
        let s = |p: &str| i64_at(ds, &format!("/status/{p}"));
        let generation_now = i64_at(ds, "/metadata/generation");
        let same = s("desiredNumberScheduled") == desired
            && s("currentNumberScheduled") == current
            && s("numberMisscheduled") == misscheduled
            && s("numberReady") == ready
            && s("updatedNumberScheduled") == updated
            && s("numberAvailable") == available
            && s("numberUnavailable") == unavailable
            && s("observedGeneration") >= generation_now;
        if !same {
            let mut updated_ds = ds.clone();
            let mut status = ds.get("status").cloned().unwrap_or_else(|| json!({}));
            if !status.is_object() {
                status = json!({});
            }
            // Go's field order and omitempty: the first four always appear.
            let observed = if update_observed_generation {
                generation_now
            } else {
                s("observedGeneration")
            };
            let mut out = serde_json::Map::new();
            out.insert("currentNumberScheduled".into(), json!(current));
            out.insert("numberMisscheduled".into(), json!(misscheduled));
            out.insert("desiredNumberScheduled".into(), json!(desired));
            out.insert("numberReady".into(), json!(ready));
            for (k, v) in [
                ("observedGeneration", observed),
                ("updatedNumberScheduled", updated),
                ("numberAvailable", available),
                ("numberUnavailable", unavailable),
            ] {
                if v != 0 {
                    out.insert(k.into(), json!(v));
                }
            }
            for k in ["collisionCount", "conditions"] {
                if let Some(v) = status.get(k) {
                    out.insert(k.into(), v.clone());
                }
            }
            updated_ds["status"] = Value::Object(out);
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    format!("{}/status", ds_path(namespace(ds), name(ds))),
                    tag(Tag::Other { ds: key.into() }),
                )
                .body(updated_ds),
            );
        }
        if min_ready > 0 && ready != available {
            self.requeue_after(key, SimDuration::from_secs(min_ready as u64));
        }
    }

    /// `eventRecorder.Eventf(ds, ...)` (and the pod control's events), written as this
    /// controller.
    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        actions: &mut Actions,
        _key: &str,
        ds: &Value,
        event_type: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) {
        let w = self.recorder.event(
            ds,
            ("apps/v1", "DaemonSet"),
            event_type,
            reason,
            message,
            now,
        );
        actions.writes.push(w);
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
        let key = t.ds().to_string();
        let ds = informers.daemonsets.get(&key).cloned();
        let message = || {
            response
                .body_json()
                .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| format!("status {}", response.status))
        };
        match t {
            Tag::PodCreate { .. } => {
                if let Some(ds) = &ds {
                    if ok {
                        let pod = response
                            .body_json()
                            .map(|b| name(&b).to_string())
                            .unwrap_or_default();
                        let msg = format!("Created pod: {pod}");
                        self.event(
                            &mut actions,
                            &key,
                            ds,
                            "Normal",
                            "SuccessfulCreate",
                            &msg,
                            now,
                        );
                    } else {
                        let msg = format!("Error creating: {}", message());
                        self.event(&mut actions, &key, ds, "Warning", "FailedCreate", &msg, now);
                    }
                }
                let Some(mut run) = self.slow_start.remove(&key) else {
                    return actions;
                };
                run.in_flight -= 1;
                if !ok {
                    run.failed = true;
                    self.expectations.creation_observed(&key);
                }
                if run.in_flight > 0 {
                    self.slow_start.insert(key, run);
                } else if run.failed || run.pending.is_empty() {
                    // Creates skipped after a failure will not be observed.
                    for _ in 0..run.pending.len() {
                        self.expectations.creation_observed(&key);
                    }
                    if run.failed {
                        self.queue.add_rate_limited(&key, now);
                    } else {
                        self.queue.add(&key);
                    }
                } else {
                    self.next_batch(&key, &mut run, &mut actions);
                    self.slow_start.insert(key, run);
                }
            }
            Tag::PodDelete { pod, .. } => {
                let pod_name = pod.rsplit('/').next().unwrap_or("");
                if ok {
                    if let Some(ds) = &ds {
                        let msg = format!("Deleted pod: {pod_name}");
                        self.event(
                            &mut actions,
                            &key,
                            ds,
                            "Normal",
                            "SuccessfulDelete",
                            &msg,
                            now,
                        );
                    }
                } else {
                    self.expectations.deletion_observed(&key, pod);
                    if response.status != 404 {
                        if let Some(ds) = &ds {
                            let msg = format!("Error deleting: {}", message());
                            self.event(
                                &mut actions,
                                &key,
                                ds,
                                "Warning",
                                "FailedDelete",
                                &msg,
                                now,
                            );
                        }
                        self.queue.add_rate_limited(&key, now);
                    }
                }
            }
            Tag::RevisionCreate { name: cr_name, .. } => {
                self.revision_write_done(&key);
                let ns = key.split('/').next().unwrap_or("");
                if ok {
                    if let Some(cr) = response.body_json() {
                        let cr_key = format!("{ns}/{cr_name}");
                        if informers.controllerrevisions.get(&cr_key).is_none() {
                            self.created_revisions.insert(cr_key, cr);
                        }
                    }
                    self.queue.add(&key);
                } else if response.status == 409 {
                    // AlreadyExists: ours (a watch event still on its way) or a hash collision.
                    self.revision_write_started(&key);
                    actions.writes.push(Write::new(
                        SERVICE_ACCOUNT,
                        "GET",
                        format!("{}/{cr_name}", revisions_path(ns)),
                        tag(Tag::RevisionGet {
                            ds: key.clone(),
                            name: cr_name.clone(),
                        }),
                    ));
                } else {
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::RevisionGet { name: cr_name, .. } => {
                self.revision_write_done(&key);
                let (Some(ds), Some(existing)) = (ds, response.body_json().filter(|_| ok)) else {
                    self.queue.add_rate_limited(&key, now);
                    return actions;
                };
                if update::matches_revision(&ds, &existing) {
                    let ns = namespace(&ds).to_string();
                    self.created_revisions
                        .insert(format!("{ns}/{cr_name}"), existing);
                    self.queue.add(&key);
                } else {
                    // A different template under the same name: bump status.collisionCount so
                    // the next hash differs.
                    let mut bumped = (*ds).clone();
                    let count = i64_at(&ds, "/status/collisionCount") + 1;
                    bumped["status"]["collisionCount"] = json!(count);
                    actions.writes.push(
                        Write::new(
                            SERVICE_ACCOUNT,
                            "PUT",
                            format!("{}/status", ds_path(namespace(&ds), name(&ds))),
                            tag(Tag::Other { ds: key.clone() }),
                        )
                        .body(bumped),
                    );
                    self.queue.add_rate_limited(&key, now);
                }
            }
            Tag::Other { .. } => {
                if !ok && response.status != 404 {
                    self.queue.add_rate_limited(&key, now);
                }
            }
        }
        actions
    }

    fn revision_write_started(&mut self, key: &str) {
        *self.revision_writes.entry(key.to_string()).or_default() += 1;
    }

    fn revision_write_done(&mut self, key: &str) {
        if let Some(n) = self.revision_writes.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.revision_writes.remove(key);
                self.queue.add(key);
            }
        }
    }
}
