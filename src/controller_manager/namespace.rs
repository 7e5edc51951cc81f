//! The namespace controller (`pkg/controller/namespace`): a namespace being deleted (it has a
//! `deletionTimestamp` and phase Terminating, and keeps the `kubernetes` finalizer in
//! `spec.finalizers`) is emptied — every namespaced resource the API's discovery lists is
//! deleted collection by collection, pods first (OrderedNamespaceDeletion, on by default in
//! 1.33) — its status conditions say how far that got, and once nothing is left the
//! controller removes its finalizer through `PUT /api/v1/namespaces/<ns>/finalize`, upon
//! which the API server deletes the namespace.
//!
//! One sync of the real controller (`namespacedResourcesDeleter.Delete`) is a sequence of
//! blocking API calls; here it is a [`Sync`] that sends one request at a time (the discovery
//! of the group versions goes out in parallel, as client-go fetches them) and continues when
//! its answer arrives. The work queue keeps the namespace "processing" until the sync ends,
//! so a namespace is never synced twice at once.
//!
//! Simplification: client-go's discovery in 1.33 asks for the aggregated discovery documents
//! (`/api` and `/apis` with every resource in two answers); kubestep's API server serves the
//! legacy documents, so the controller reads `/api`, `/apis` and then each group version.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::{Actions, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

pub const NAME: &str = "namespace";
pub const SERVICE_ACCOUNT: &str = "namespace-controller";
/// The finalizer this controller owns (`v1.FinalizerKubernetes`).
pub const FINALIZER: &str = "kubernetes";
/// `namespaceDeletionGracePeriod`: a namespace event is processed this much later, so that
/// every API server has seen the deletion and last-minute creations have landed.
pub const DELETION_GRACE_PERIOD: SimDuration = SimDuration::from_secs(5);
/// `finalizerEstimateSeconds`: how long to wait for content held by finalizers.
pub const FINALIZER_ESTIMATE_SECONDS: i64 = 15;
/// `nsControllerRateLimiter`: a failed namespace is retried at least every minute.
pub const MAX_RETRY_DELAY: SimDuration = SimDuration::from_secs(60);

/// The conditions the controller maintains, with their reason and message when all is well.
pub const CONDITION_TYPES: [(&str, &str, &str); 5] = [
    (
        "NamespaceDeletionDiscoveryFailure",
        "ResourcesDiscovered",
        "All resources successfully discovered",
    ),
    (
        "NamespaceDeletionGroupVersionParsingFailure",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    (
        "NamespaceContentRemaining",
        "ContentRemoved",
        "All content successfully removed",
    ),
    (
        "NamespaceFinalizersRemaining",
        "ContentHasNoFinalizers",
        "All content-preserving finalizers finished",
    ),
];

/// A namespaced resource the discovery listed with the `delete` verb.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gvr {
    pub group: String,
    pub version: String,
    pub resource: String,
}

impl Gvr {
    /// `schema.GroupVersionResource.String()`: `/v1, Resource=pods`.
    pub fn go_string(&self) -> String {
        format!(
            "{}/{}, Resource={}",
            self.group, self.version, self.resource
        )
    }

    /// The collection in `namespace`: `/api/v1/namespaces/dev/pods`.
    fn path(&self, namespace: &str) -> String {
        crate::client::collection_path(&self.group, &self.version, &self.resource, Some(namespace))
    }

    fn is_pods(&self) -> bool {
        self.group.is_empty() && self.resource == "pods"
    }
}

/// A deletable resource and the verbs it supports (the real `opCache`).
#[derive(Clone, Debug, PartialEq)]
struct Deletable {
    gvr: Gvr,
    list: bool,
    deletecollection: bool,
}

/// What a request of a sync was, so its answer continues the sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// `nsClient.Get`: the sync's first read, or the re-read after a conflict.
    Get,
    /// `updateNamespaceStatusFunc`: phase Terminating.
    UpdatePhase,
    /// Discovery: `GET /api`, then `GET /apis`, then every group version.
    LegacyVersions,
    Groups,
    Resources {
        group_version: String,
    },
    /// `estimateGracefulTerminationForPods`.
    EstimatePods,
    DeleteCollection,
    /// `deleteEachItem`: the list, then one DELETE per item.
    ListForDelete,
    DeleteItem,
    /// The list that verifies nothing remains.
    Verify,
    /// The conditions' status update.
    UpdateConditions,
    Finalize,
}

/// What a namespace's deletion of one resource came to (`gvrDeletionMetadata`).
#[derive(Clone, Debug, Default, PartialEq)]
struct GvrResult {
    estimate: i64,
    remaining: usize,
    finalizers: BTreeMap<String, usize>,
}

/// Which namespace update a conflict makes the sync retry (`retryOnConflictError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Retry {
    UpdatePhase,
    Finalize,
}

/// One sync of a namespace in flight.
#[derive(Clone, Debug, Default)]
pub struct Sync {
    pub id: u64,
    /// The namespace as the sync knows it (from its GET, or its phase update).
    namespace: Arc<Value>,
    /// The update a conflict interrupted, to redo on the namespace read again.
    retrying: Option<Retry>,
    /// Discovery: group-version documents still awaited.
    outstanding: usize,
    /// The preferred version of each group (`""` for the core group).
    preferred: BTreeMap<String, String>,
    /// Every group version `/api` and `/apis` listed, in their order.
    group_versions: Vec<String>,
    /// The `APIResourceList` of each group version fetched.
    resource_lists: BTreeMap<String, Value>,
    /// Group versions whose document could not be fetched, with the error.
    failed_groups: BTreeMap<String, String>,
    discovery_error: Option<String>,
    gv_parse_error: Option<String>,
    /// Resources still to delete (the next one last), and the one being deleted.
    todo: Vec<Deletable>,
    current: Option<Deletable>,
    /// The current resource's graceful-termination estimate, in seconds.
    estimate: i64,
    /// Items of the current resource still to delete one by one.
    items: Vec<String>,
    /// Whether pods are deleted first (and alone while any remain).
    pods_first: bool,
    /// What remains of each resource after its deletion.
    remaining: BTreeMap<Gvr, GvrResult>,
    /// The errors of deleting content (the NamespaceDeletionContentFailure condition), and
    /// every error of the sync (which then fails).
    content_errors: Vec<String>,
    errors: Vec<String>,
    /// The longest estimate of any resource: how long until content is expected gone.
    total_estimate: i64,
}

/// How a sync ended (`syncNamespaceFromKey`'s error, as the worker handles it).
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Done,
    /// `ResourcesRemainingError`: look again in `estimate/2 + 1` seconds.
    Remaining(i64),
    Failed(String),
}

#[derive(Clone, Debug)]
pub struct NamespaceController {
    pub queue: WorkQueue,
    pub syncs: BTreeMap<String, Sync>,
    next_sync: u64,
    /// The last error of each namespace that failed, as the controller would log it.
    pub last_error: BTreeMap<String, String>,
}

impl Default for NamespaceController {
    fn default() -> Self {
        NamespaceController {
            queue: WorkQueue::with_max_delay(MAX_RETRY_DELAY),
            syncs: BTreeMap::new(),
            next_sync: 0,
            last_error: BTreeMap::new(),
        }
    }
}

fn has_deletion_timestamp(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

fn spec_finalizers(ns: &Value) -> Vec<String> {
    ns.pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect()
}

/// The text client-go's error for a failed request carries: the Status message.
fn error_text(response: &HttpResponse) -> String {
    response
        .body_json()
        .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            String::from_utf8_lossy(&response.body.to_bytes())
                .trim()
                .to_string()
        })
}

fn ok(response: &HttpResponse) -> bool {
    (200..300).contains(&response.status)
}

/// `schema.ParseGroupVersion`.
fn parse_group_version(gv: &str) -> Result<(String, String), String> {
    match gv.split('/').collect::<Vec<_>>().as_slice() {
        [v] => Ok((String::new(), v.to_string())),
        [g, v] => Ok((g.to_string(), v.to_string())),
        _ => Err(format!("unexpected GroupVersion string: {gv}")),
    }
}

impl NamespaceController {
    /// `enqueueNamespace`: only a namespace being deleted, and a little later.
    pub fn on_namespace(&mut self, delta: &Delta, now: SimTime) {
        if matches!(delta, Delta::Deleted(_)) || !has_deletion_timestamp(delta.object()) {
            return;
        }
        self.queue
            .add_after(name(delta.object()), now + DELETION_GRACE_PERIOD);
    }

    /// Starts a sync for every namespace the queue hands out.
    pub fn process(&mut self, actions: &mut Actions) {
        while let Some(ns) = self.queue.get() {
            let id = self.next_sync;
            self.next_sync += 1;
            self.syncs.insert(
                ns.clone(),
                Sync {
                    id,
                    ..Sync::default()
                },
            );
            self.get_namespace(&ns, actions);
        }
    }

    /// Sends a request of `ns`'s sync, tagged so its answer continues it.
    fn send(
        &self,
        ns: &str,
        method: &'static str,
        path: String,
        call: Call,
        body: Option<Value>,
        actions: &mut Actions,
    ) {
        let Some(sync) = self.syncs.get(ns) else {
            return;
        };
        let mut w = Write::new(
            SERVICE_ACCOUNT,
            method,
            path,
            WriteTag::Namespace {
                namespace: ns.to_string(),
                sync: sync.id,
                call,
            },
        );
        w.body = body;
        actions.writes.push(w);
    }

    fn write(
        &self,
        ns: &str,
        method: &'static str,
        path: String,
        call: Call,
        actions: &mut Actions,
    ) {
        self.send(ns, method, path, call, None, actions);
    }

    fn write_body(
        &self,
        ns: &str,
        method: &'static str,
        path: String,
        call: Call,
        body: Value,
        actions: &mut Actions,
    ) {
        self.send(ns, method, path, call, Some(body), actions);
    }

    fn get_namespace(&self, ns: &str, actions: &mut Actions) {
        self.write(
            ns,
            "GET",
            format!("/api/v1/namespaces/{ns}"),
            Call::Get,
            actions,
        );
    }

    fn finish(&mut self, ns: &str, outcome: Outcome, now: SimTime) {
        self.syncs.remove(ns);
        match outcome {
            Outcome::Done => {
                self.queue.forget(ns);
                self.last_error.remove(ns);
            }
            Outcome::Remaining(estimate) => {
                let after = SimDuration::from_secs((estimate / 2 + 1).max(0) as u64);
                self.queue.add_after(ns, now + after);
            }
            Outcome::Failed(e) => {
                self.last_error.insert(
                    ns.to_string(),
                    format!("deletion of namespace {ns} failed: {e}"),
                );
                self.queue.add_rate_limited(ns, now);
            }
        }
        self.queue.done(ns);
    }

    /// Continues the sync that sent the request `call`.
    pub fn on_response(
        &mut self,
        ns: &str,
        sync_id: u64,
        call: &Call,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        if self.syncs.get(ns).is_none_or(|s| s.id != sync_id) {
            return actions;
        }
        match call {
            Call::Get => self.on_get(ns, response, now, &mut actions),
            Call::UpdatePhase => match response.status {
                200 => {
                    if let Some(body) = response.body_json() {
                        self.sync_mut(ns).namespace = body;
                    }
                    self.after_phase(ns, now, &mut actions);
                }
                404 => self.finish(ns, Outcome::Done, now),
                409 => {
                    self.sync_mut(ns).retrying = Some(Retry::UpdatePhase);
                    self.get_namespace(ns, &mut actions);
                }
                _ => self.finish(ns, Outcome::Failed(error_text(response)), now),
            },
            Call::LegacyVersions => {
                if ok(response) {
                    let versions: Vec<String> = response
                        .body_json()
                        .and_then(|b| b.get("versions").cloned())
                        .and_then(|v| serde_json::from_value(v).ok())
                        .unwrap_or_default();
                    let sync = self.sync_mut(ns);
                    for v in versions {
                        sync.preferred.entry(String::new()).or_insert(v.clone());
                        sync.group_versions.push(v);
                    }
                    self.write(ns, "GET", "/apis".to_string(), Call::Groups, &mut actions);
                } else {
                    self.sync_mut(ns).discovery_error = Some(error_text(response));
                    self.delete_content(ns, now, &mut actions);
                }
            }
            Call::Groups => {
                if ok(response) {
                    let body = response.body_json().unwrap_or_default();
                    let sync = self.sync_mut(ns);
                    for g in body["groups"].as_array().into_iter().flatten() {
                        let name = g["name"].as_str().unwrap_or("").to_string();
                        if let Some(p) = g.pointer("/preferredVersion/groupVersion") {
                            sync.preferred
                                .insert(name.clone(), p.as_str().unwrap_or("").to_string());
                        }
                        for v in g["versions"].as_array().into_iter().flatten() {
                            if let Some(gv) = v["groupVersion"].as_str() {
                                sync.group_versions.push(gv.to_string());
                            }
                        }
                    }
                    // fetchGroupVersionResources: every group version at once.
                    let gvs = sync.group_versions.clone();
                    sync.outstanding = gvs.len();
                    for gv in gvs {
                        let path = if gv.contains('/') {
                            format!("/apis/{gv}")
                        } else {
                            format!("/api/{gv}")
                        };
                        self.write(
                            ns,
                            "GET",
                            path,
                            Call::Resources { group_version: gv },
                            &mut actions,
                        );
                    }
                    if self.sync_mut(ns).outstanding == 0 {
                        self.delete_content(ns, now, &mut actions);
                    }
                } else {
                    self.sync_mut(ns).discovery_error = Some(error_text(response));
                    self.delete_content(ns, now, &mut actions);
                }
            }
            Call::Resources { group_version } => {
                let sync = self.sync_mut(ns);
                sync.outstanding -= 1;
                if ok(response) {
                    if let Some(b) = response.body_json() {
                        sync.resource_lists
                            .insert(group_version.clone(), (*b).clone());
                    }
                } else {
                    sync.failed_groups
                        .insert(group_version.clone(), error_text(response));
                }
                if sync.outstanding == 0 {
                    self.delete_content(ns, now, &mut actions);
                }
            }
            Call::EstimatePods => {
                if !ok(response) {
                    // The estimate failed: this resource is an error, on to the next.
                    self.gvr_done(
                        ns,
                        GvrResult::default(),
                        Some(error_text(response)),
                        now,
                        &mut actions,
                    );
                    return actions;
                }
                let body = response.body_json().unwrap_or_default();
                let mut estimate = 0;
                for pod in body["items"].as_array().into_iter().flatten() {
                    let phase = str_at(pod, "/status/phase");
                    if phase == "Succeeded" || phase == "Failed" {
                        continue;
                    }
                    if let Some(grace) = pod
                        .pointer("/spec/terminationGracePeriodSeconds")
                        .and_then(Value::as_i64)
                    {
                        estimate = estimate.max(grace);
                    }
                }
                // An estimate the namespace's age already exceeds is no estimate.
                let sync = self.sync_mut(ns);
                let deleted_at =
                    sim_time_of(str_at(&sync.namespace, "/metadata/deletionTimestamp"), now);
                if now.as_millis().saturating_sub(deleted_at.as_millis())
                    >= (estimate.max(0) as u64) * 1000
                {
                    estimate = 0;
                }
                sync.estimate = estimate;
                self.delete_collection(ns, now, &mut actions);
            }
            Call::DeleteCollection => match response.status {
                s if (200..300).contains(&s) => self.verify(ns, now, &mut actions),
                // The collection cannot be deleted at once: one item at a time.
                404 | 405 => self.delete_each_item(ns, now, &mut actions),
                _ => {
                    let estimate = self.sync_mut(ns).estimate;
                    let result = GvrResult {
                        estimate,
                        ..GvrResult::default()
                    };
                    self.gvr_done(ns, result, Some(error_text(response)), now, &mut actions);
                }
            },
            Call::ListForDelete => match response.status {
                200 => {
                    let body = response.body_json().unwrap_or_default();
                    let names: Vec<String> = body["items"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|i| name(i).to_string())
                        .collect();
                    self.sync_mut(ns).items = names;
                    self.delete_next_item(ns, now, &mut actions);
                }
                404 | 405 => self.verify(ns, now, &mut actions),
                _ => {
                    let estimate = self.sync_mut(ns).estimate;
                    let result = GvrResult {
                        estimate,
                        ..GvrResult::default()
                    };
                    self.gvr_done(ns, result, Some(error_text(response)), now, &mut actions);
                }
            },
            Call::DeleteItem => {
                if ok(response) || matches!(response.status, 404 | 405) {
                    self.delete_next_item(ns, now, &mut actions);
                } else {
                    let estimate = self.sync_mut(ns).estimate;
                    let result = GvrResult {
                        estimate,
                        ..GvrResult::default()
                    };
                    self.gvr_done(ns, result, Some(error_text(response)), now, &mut actions);
                }
            }
            Call::Verify => self.on_verify(ns, response, now, &mut actions),
            Call::UpdateConditions => {
                // A failed condition update is only logged (`HandleError`).
                self.conclude(ns, now, &mut actions);
            }
            Call::Finalize => match response.status {
                200 | 404 => self.finish(ns, Outcome::Done, now),
                409 => {
                    self.sync_mut(ns).retrying = Some(Retry::Finalize);
                    self.get_namespace(ns, &mut actions);
                }
                _ => self.finish(ns, Outcome::Failed(error_text(response)), now),
            },
        }
        actions
    }

    fn sync_mut(&mut self, ns: &str) -> &mut Sync {
        self.syncs.get_mut(ns).expect("a sync in flight")
    }

    fn on_get(&mut self, ns: &str, response: &HttpResponse, now: SimTime, actions: &mut Actions) {
        if response.status == 404 {
            // Gone already: nothing to do.
            self.finish(ns, Outcome::Done, now);
            return;
        }
        let (true, Some(body)) = (ok(response), response.body_json()) else {
            self.finish(ns, Outcome::Failed(error_text(response)), now);
            return;
        };
        let sync = self.sync_mut(ns);
        let retrying = sync.retrying.take();
        if retrying.is_some() && uid(&sync.namespace) != uid(&body) {
            self.finish(
                ns,
                Outcome::Failed("namespace uid has changed across retries".to_string()),
                now,
            );
            return;
        }
        let deleting = has_deletion_timestamp(&body);
        sync.namespace = body;
        match retrying {
            None if !deleting => self.finish(ns, Outcome::Done, now),
            None | Some(Retry::UpdatePhase) => self.update_phase(ns, now, actions),
            Some(Retry::Finalize) => self.finalize(ns, actions),
        }
    }

    /// `updateNamespaceStatusFunc`: a deleted namespace not yet Terminating is made so.
    fn update_phase(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let namespace = self.sync_mut(ns).namespace.clone();
        if !has_deletion_timestamp(&namespace)
            || str_at(&namespace, "/status/phase") == "Terminating"
        {
            self.after_phase(ns, now, actions);
            return;
        }
        let mut updated = (*namespace).clone();
        updated["status"]["phase"] = json!("Terminating");
        self.write_body(
            ns,
            "PUT",
            format!("/api/v1/namespaces/{ns}/status"),
            Call::UpdatePhase,
            updated,
            actions,
        );
    }

    fn after_phase(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let namespace = self.sync_mut(ns).namespace.clone();
        if !has_deletion_timestamp(&namespace) || spec_finalizers(&namespace).is_empty() {
            // No longer being deleted, or finalized already.
            self.finish(ns, Outcome::Done, now);
            return;
        }
        // deleteAllContent starts with the discovery.
        self.write(ns, "GET", "/api".to_string(), Call::LegacyVersions, actions);
    }

    /// The discovery is in: `ServerPreferredNamespacedResources` filtered to what can be
    /// deleted, then the content goes, pods first.
    fn delete_content(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let sync = self.sync_mut(ns);
        if !sync.failed_groups.is_empty() {
            let groups: Vec<String> = sync
                .failed_groups
                .iter()
                .map(|(gv, e)| format!("{gv}: {e}"))
                .collect();
            sync.discovery_error = Some(format!(
                "unable to retrieve the complete list of server APIs: {}",
                groups.join(", ")
            ));
        }
        if let Some(e) = &sync.discovery_error {
            sync.errors.push(e.clone());
        }
        // Per group, the resources of its preferred version, then those only other versions
        // serve.
        let mut seen: std::collections::BTreeSet<(String, String)> = Default::default();
        let mut deletable: Vec<Deletable> = Vec::new();
        let mut ordered: Vec<&String> = Vec::new();
        for gv in &sync.group_versions {
            let group = gv.rsplit_once('/').map_or("", |(g, _)| g);
            if sync.preferred.get(group) == Some(gv) {
                ordered.push(gv);
            }
        }
        for gv in &sync.group_versions {
            if !ordered.contains(&gv) {
                ordered.push(gv);
            }
        }
        let mut parse_errors = Vec::new();
        for gv in ordered {
            let Some(list) = sync.resource_lists.get(gv) else {
                continue;
            };
            let list_gv = list["groupVersion"].as_str().unwrap_or(gv);
            let (group, version) = match parse_group_version(list_gv) {
                Ok(p) => p,
                Err(e) => {
                    parse_errors.push(e);
                    continue;
                }
            };
            for r in list["resources"].as_array().into_iter().flatten() {
                let resource = r["name"].as_str().unwrap_or("");
                let verbs: Vec<&str> = r["verbs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if resource.contains('/')
                    || r["namespaced"] != true
                    || !verbs.contains(&"delete")
                    || !seen.insert((group.clone(), resource.to_string()))
                {
                    continue;
                }
                deletable.push(Deletable {
                    gvr: Gvr {
                        group: group.clone(),
                        version: version.clone(),
                        resource: resource.to_string(),
                    },
                    list: verbs.contains(&"list"),
                    deletecollection: verbs.contains(&"deletecollection"),
                });
            }
        }
        if !parse_errors.is_empty() {
            let e = parse_errors.join(", ");
            sync.errors.push(e.clone());
            sync.gv_parse_error = Some(e);
        }
        // OrderedNamespaceDeletion: the pods go first, and nothing else while any remain.
        if let Some(i) = deletable.iter().position(|d| d.gvr.is_pods()) {
            let pods = deletable.remove(i);
            deletable.insert(0, pods);
            sync.pods_first = true;
        }
        sync.todo = deletable;
        sync.todo.reverse();
        self.next_gvr(ns, now, actions);
    }

    /// `deleteAllContentForGroupVersionResource` of the next resource, or the end of
    /// `deleteAllContent`.
    fn next_gvr(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let sync = self.sync_mut(ns);
        let Some(next) = sync.todo.pop() else {
            sync.current = None;
            self.update_conditions(ns, now, actions);
            return;
        };
        sync.estimate = 0;
        sync.items.clear();
        let is_pods = next.gvr.is_pods();
        let path = next.gvr.path(ns);
        sync.current = Some(next);
        if is_pods {
            self.write(ns, "GET", path, Call::EstimatePods, actions);
        } else {
            self.delete_collection(ns, now, actions);
        }
    }

    fn current(&mut self, ns: &str) -> Deletable {
        self.sync_mut(ns)
            .current
            .clone()
            .expect("a resource being deleted")
    }

    /// `deleteCollection`, with propagation Background: the namespace controller does not
    /// want the garbage collector to add the orphan finalizer.
    fn delete_collection(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let d = self.current(ns);
        if !d.deletecollection {
            self.delete_each_item(ns, now, actions);
            return;
        }
        self.write_body(
            ns,
            "DELETE",
            d.gvr.path(ns),
            Call::DeleteCollection,
            json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
            actions,
        );
    }

    fn delete_each_item(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let d = self.current(ns);
        if !d.list {
            self.verify(ns, now, actions);
            return;
        }
        self.write(ns, "GET", d.gvr.path(ns), Call::ListForDelete, actions);
    }

    fn delete_next_item(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let d = self.current(ns);
        let Some(item) = self.sync_mut(ns).items.pop() else {
            self.verify(ns, now, actions);
            return;
        };
        self.write_body(
            ns,
            "DELETE",
            format!("{}/{item}", d.gvr.path(ns)),
            Call::DeleteItem,
            json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
            actions,
        );
    }

    /// The list that tells whether anything of the resource remains.
    fn verify(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let d = self.current(ns);
        if !d.list {
            let estimate = self.sync_mut(ns).estimate;
            let result = GvrResult {
                estimate,
                ..GvrResult::default()
            };
            self.gvr_done(ns, result, None, now, actions);
            return;
        }
        self.write(ns, "GET", d.gvr.path(ns), Call::Verify, actions);
    }

    fn on_verify(
        &mut self,
        ns: &str,
        response: &HttpResponse,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let estimate = self.sync_mut(ns).estimate;
        if matches!(response.status, 404 | 405) {
            let result = GvrResult {
                estimate,
                ..GvrResult::default()
            };
            self.gvr_done(ns, result, None, now, actions);
            return;
        }
        if !ok(response) {
            let result = GvrResult {
                estimate,
                ..GvrResult::default()
            };
            self.gvr_done(ns, result, Some(error_text(response)), now, actions);
            return;
        }
        let body = response.body_json().unwrap_or_default();
        let items: Vec<&Value> = body["items"].as_array().into_iter().flatten().collect();
        if items.is_empty() {
            self.gvr_done(ns, GvrResult::default(), None, now, actions);
            return;
        }
        let mut finalizers: BTreeMap<String, usize> = BTreeMap::new();
        for item in &items {
            for f in item
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                *finalizers.entry(f.to_string()).or_default() += 1;
            }
        }
        let remaining = items.len();
        let (result, error) = if estimate != 0 {
            (
                GvrResult {
                    estimate,
                    remaining,
                    finalizers,
                },
                None,
            )
        } else if !finalizers.is_empty() {
            // Content held by finalizers is normal: give the garbage collector time.
            (
                GvrResult {
                    estimate: FINALIZER_ESTIMATE_SECONDS,
                    remaining,
                    finalizers,
                },
                None,
            )
        } else {
            let gvr = self.current(ns).gvr;
            (
                GvrResult {
                    estimate: 0,
                    remaining,
                    finalizers: BTreeMap::new(),
                },
                Some(format!(
                    "unexpected items still remain in namespace: {ns} for gvr: {}",
                    gvr.go_string()
                )),
            )
        };
        self.gvr_done(ns, result, error, now, actions);
    }

    /// One resource is through: its totals and error are added, then the next one.
    fn gvr_done(
        &mut self,
        ns: &str,
        result: GvrResult,
        error: Option<String>,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let d = self.current(ns);
        let sync = self.sync_mut(ns);
        if let Some(e) = error {
            sync.errors.push(if d.gvr.is_pods() && sync.pods_first {
                format!("failed to delete pods for namespace: {ns}, err: {e}")
            } else {
                e.clone()
            });
            sync.content_errors.push(e);
        }
        sync.total_estimate = sync.total_estimate.max(result.estimate);
        if result.remaining > 0 {
            sync.remaining.insert(d.gvr.clone(), result);
        }
        if d.gvr.is_pods() && sync.pods_first && sync.remaining.contains_key(&d.gvr) {
            // Pods remain: the other resources wait for the next sync.
            sync.todo.clear();
        }
        self.next_gvr(ns, now, actions);
    }

    /// `namespaceConditionUpdater`: the five conditions, written if they changed.
    fn update_conditions(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let sync = self.sync_mut(ns);
        let mut new: BTreeMap<&str, (&str, String)> = BTreeMap::new();
        if let Some(e) = &sync.discovery_error {
            let msg = if sync.failed_groups.is_empty() {
                e.clone()
            } else {
                format!(
                    "Discovery failed for some groups, {} failing: {e}",
                    sync.failed_groups.len()
                )
            };
            new.insert(
                "NamespaceDeletionDiscoveryFailure",
                ("DiscoveryFailed", msg),
            );
        }
        if let Some(e) = &sync.gv_parse_error {
            new.insert(
                "NamespaceDeletionGroupVersionParsingFailure",
                ("GroupVersionParsingFailed", e.clone()),
            );
        }
        if !sync.content_errors.is_empty() {
            let mut msgs = sync.content_errors.clone();
            msgs.sort();
            new.insert(
                "NamespaceDeletionContentFailure",
                (
                    "ContentDeletionFailed",
                    format!(
                        "Failed to delete all resource types, {} remaining: {}",
                        msgs.len(),
                        msgs.join(", ")
                    ),
                ),
            );
        }
        if !sync.remaining.is_empty() {
            let mut parts: Vec<String> = sync
                .remaining
                .iter()
                .map(|(gvr, r)| {
                    format!(
                        "{}.{} has {} resource instances",
                        gvr.resource, gvr.group, r.remaining
                    )
                })
                .collect();
            parts.sort();
            new.insert(
                "NamespaceContentRemaining",
                (
                    "SomeResourcesRemain",
                    format!("Some resources are remaining: {}", parts.join(", ")),
                ),
            );
        }
        let mut by_finalizer: BTreeMap<&str, usize> = BTreeMap::new();
        for r in sync.remaining.values() {
            for (f, n) in &r.finalizers {
                *by_finalizer.entry(f).or_default() += n;
            }
        }
        if !by_finalizer.is_empty() {
            let mut parts: Vec<String> = by_finalizer
                .iter()
                .map(|(f, n)| format!("{f} in {n} resource instances"))
                .collect();
            parts.sort();
            new.insert(
                "NamespaceFinalizersRemaining",
                (
                    "SomeFinalizersRemain",
                    format!(
                        "Some content in the namespace has finalizers remaining: {}",
                        parts.join(", ")
                    ),
                ),
            );
        }
        let mut namespace = (*sync.namespace).clone();
        let mut conditions: Vec<Value> = namespace
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut changed = false;
        for (type_, ok_reason, ok_message) in CONDITION_TYPES {
            let (status, reason, message) = match new.get(type_) {
                Some((reason, message)) => ("True", *reason, message.clone()),
                None => ("False", ok_reason, ok_message.to_string()),
            };
            match conditions.iter_mut().find(|c| c["type"] == type_) {
                None => {
                    conditions.push(json!({
                        "type": type_,
                        "status": status,
                        "lastTransitionTime": now.rfc3339(),
                        "reason": reason,
                        "message": message,
                    }));
                    changed = true;
                }
                Some(c) => {
                    if c["status"] != status || c["reason"] != reason || c["message"] != message {
                        if c["status"] != status {
                            c["lastTransitionTime"] = json!(now.rfc3339());
                        }
                        c["status"] = json!(status);
                        c["reason"] = json!(reason);
                        c["message"] = json!(message);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            self.conclude(ns, now, actions);
            return;
        }
        namespace["status"]["conditions"] = json!(conditions);
        // The real controller updates the conditions on its copy of the namespace in place,
        // so the finalize that follows carries the older resourceVersion (and conflicts).
        self.sync_mut(ns).namespace = Arc::new(namespace.clone());
        self.write_body(
            ns,
            "PUT",
            format!("/api/v1/namespaces/{ns}/status"),
            Call::UpdateConditions,
            namespace,
            actions,
        );
    }

    /// The end of `deleteAllContent`: an error retries with backoff, content still going
    /// waits for its estimate, and an empty namespace is finalized.
    fn conclude(&mut self, ns: &str, now: SimTime, actions: &mut Actions) {
        let sync = self.sync_mut(ns);
        if !sync.errors.is_empty() {
            let e = if sync.errors.len() == 1 {
                sync.errors[0].clone()
            } else {
                format!("[{}]", sync.errors.join(", "))
            };
            self.finish(ns, Outcome::Failed(e), now);
            return;
        }
        if sync.total_estimate > 0 {
            let estimate = sync.total_estimate;
            self.finish(ns, Outcome::Remaining(estimate), now);
            return;
        }
        self.finalize(ns, actions);
    }

    /// `finalizeNamespace`: `spec.finalizers` without `kubernetes`.
    fn finalize(&mut self, ns: &str, actions: &mut Actions) {
        let namespace = self.sync_mut(ns).namespace.clone();
        let mut rest: Vec<String> = spec_finalizers(&namespace)
            .into_iter()
            .filter(|f| f != FINALIZER)
            .collect();
        rest.sort();
        rest.dedup();
        let body = json!({
            "kind": "Namespace",
            "apiVersion": "v1",
            "metadata": namespace["metadata"].clone(),
            "spec": {"finalizers": rest},
            "status": {},
        });
        self.write_body(
            ns,
            "PUT",
            format!("/api/v1/namespaces/{ns}/finalize"),
            Call::Finalize,
            body,
            actions,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::resources;

    /// A terminating namespace as the API server answers it.
    fn terminating() -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": "dev", "uid": "u-dev", "resourceVersion": "40",
                            "deletionTimestamp": "2026-01-01T00:00:10Z"},
               "spec": {"finalizers": ["kubernetes"]},
               "status": {"phase": "Terminating"}})
    }

    /// A served resource list, or an error, for every discovery path.
    fn discovery(path: &str) -> HttpResponse {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let doc = match parts.as_slice() {
            ["api"] => Some(resources::api_versions("172.18.0.2:6443")),
            ["apis"] => Some(resources::api_group_list()),
            ["api", v] => resources::api_resource_list("", v),
            ["apis", g, v] => resources::api_resource_list(g, v),
            _ => None,
        };
        HttpResponse::json(200, doc.expect("a discovery path"))
    }

    fn list(items: Vec<Value>) -> HttpResponse {
        HttpResponse::json(200, json!({"kind": "List", "items": items}))
    }

    /// Runs the controller's syncs, answering each request with `answer` (given the method
    /// and path); returns every request, in order, as `METHOD path`.
    fn drive(
        c: &mut NamespaceController,
        now: SimTime,
        mut answer: impl FnMut(&str, &str) -> HttpResponse,
    ) -> Vec<(String, Option<Value>)> {
        let mut sent = Vec::new();
        let mut actions = Actions::default();
        c.process(&mut actions);
        let mut pending: std::collections::VecDeque<Write> = actions.writes.into();
        while let Some(w) = pending.pop_front() {
            sent.push((format!("{} {}", w.method, w.path), w.body.clone()));
            let response = answer(w.method, &w.path);
            let WriteTag::Namespace {
                namespace,
                sync,
                call,
            } = &w.tag
            else {
                panic!("{:?}", w.tag)
            };
            let more = c.on_response(namespace, *sync, call, &response, now);
            pending.extend(more.writes);
        }
        sent
    }

    fn condition<'a>(ns: &'a Value, type_: &str) -> &'a Value {
        ns["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == type_)
            .unwrap()
    }

    #[test]
    fn an_empty_namespace_is_finalized_after_a_clean_sweep() {
        let mut c = NamespaceController::default();
        c.queue.add("dev");
        let sent = drive(&mut c, SimTime(60_000), |method, path| {
            match (method, path) {
                ("GET", "/api/v1/namespaces/dev") => HttpResponse::json(200, terminating()),
                ("GET", p) if !p.contains("/namespaces/") => discovery(p),
                ("GET", _) => list(vec![]),
                ("DELETE", _) => list(vec![]),
                ("PUT", "/api/v1/namespaces/dev/status") => {
                    HttpResponse::json(200, json!({"metadata": {"resourceVersion": "41"}}))
                }
                ("PUT", "/api/v1/namespaces/dev/finalize") => HttpResponse::json(200, json!({})),
                other => panic!("{other:?}"),
            }
        });
        let requests: Vec<&str> = sent.iter().map(|(r, _)| r.as_str()).collect();
        // Pods first (their list is the grace-period estimate), then every other resource.
        let pods = requests
            .iter()
            .position(|r| *r == "DELETE /api/v1/namespaces/dev/pods")
            .unwrap();
        let configmaps = requests
            .iter()
            .position(|r| *r == "DELETE /api/v1/namespaces/dev/configmaps")
            .unwrap();
        assert!(pods < configmaps, "{requests:#?}");
        assert_eq!(requests[pods - 1], "GET /api/v1/namespaces/dev/pods");
        for deleted in [
            "DELETE /apis/apps/v1/namespaces/dev/deployments",
            "DELETE /apis/events.k8s.io/v1/namespaces/dev/events",
            "DELETE /apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles",
        ] {
            assert!(requests.contains(&deleted), "{deleted}");
        }
        // Nothing that cannot be deleted, nor anything cluster-scoped.
        assert!(!requests.iter().any(|r| r.contains("bindings/")
            || r.ends_with("/nodes")
            || r.contains("/namespaces/dev/bindings")));
        let ns = sent
            .iter()
            .rev()
            .find(|(r, _)| r == "PUT /api/v1/namespaces/dev/status")
            .and_then(|(_, b)| b.clone())
            .expect("the conditions are written");
        assert_eq!(
            condition(&ns, "NamespaceContentRemaining")["message"],
            "All content successfully removed"
        );
        assert_eq!(
            condition(&ns, "NamespaceDeletionDiscoveryFailure")["reason"],
            "ResourcesDiscovered"
        );
        let (last, body) = sent.last().unwrap();
        assert_eq!(last, "PUT /api/v1/namespaces/dev/finalize");
        let body = body.as_ref().unwrap();
        assert_eq!(body["spec"]["finalizers"], json!([]));
        // It carries the namespace as the sync read it (the real controller's copy).
        assert_eq!(body["metadata"]["resourceVersion"], "40");
        assert!(c.syncs.is_empty());
        assert_eq!(c.queue.failures("dev"), 0);
    }

    #[test]
    fn pods_that_are_still_terminating_hold_back_the_rest() {
        let mut c = NamespaceController::default();
        c.queue.add("dev");
        let pod = json!({"metadata": {"name": "web-1"}, "spec": {"terminationGracePeriodSeconds": 30},
                         "status": {"phase": "Running"}});
        // 10 s after the namespace's deletion: the pods' 30 s grace period is the estimate.
        let sent = drive(&mut c, SimTime(20_000), |method, path| {
            match (method, path) {
                ("GET", "/api/v1/namespaces/dev") => HttpResponse::json(200, terminating()),
                ("GET", "/api/v1/namespaces/dev/pods") => list(vec![pod.clone(), pod.clone()]),
                ("GET", p) => discovery(p),
                ("DELETE", _) => list(vec![]),
                ("PUT", _) => HttpResponse::json(200, json!({})),
                other => panic!("{other:?}"),
            }
        });
        let requests: Vec<&str> = sent.iter().map(|(r, _)| r.as_str()).collect();
        assert!(
            !requests.iter().any(|r| r.contains("configmaps")),
            "{requests:#?}"
        );
        assert!(!requests.iter().any(|r| r.ends_with("/finalize")));
        let (r, ns) = sent.last().unwrap();
        assert_eq!(r, "PUT /api/v1/namespaces/dev/status");
        let remaining = condition(ns.as_ref().unwrap(), "NamespaceContentRemaining");
        assert_eq!(remaining["status"], "True");
        assert_eq!(remaining["reason"], "SomeResourcesRemain");
        assert_eq!(
            remaining["message"],
            "Some resources are remaining: pods. has 2 resource instances"
        );
        // ResourcesRemainingError{30}: the namespace is looked at again in 30/2 + 1 s.
        assert_eq!(c.queue.next_wakeup(), Some(SimTime(36_000)));
        assert_eq!(c.queue.failures("dev"), 0);
    }

    #[test]
    fn a_failed_group_and_leftover_content_are_reported_and_retried() {
        let mut c = NamespaceController::default();
        c.queue.add("dev");
        let cm = json!({"metadata": {"name": "settings"}});
        let sent = drive(&mut c, SimTime(60_000), |method, path| {
            match (method, path) {
                ("GET", "/api/v1/namespaces/dev") => HttpResponse::json(200, terminating()),
                ("GET", "/apis/batch/v1") => crate::apiserver::errors::unavailable(
                    "the server is currently unable to handle the request",
                )
                .response(),
                ("GET", "/api/v1/namespaces/dev/configmaps") => list(vec![cm.clone()]),
                ("GET", p) if !p.contains("/namespaces/") => discovery(p),
                ("GET", _) => list(vec![]),
                ("DELETE", _) => list(vec![]),
                ("PUT", _) => HttpResponse::json(200, json!({})),
                other => panic!("{other:?}"),
            }
        });
        let requests: Vec<&str> = sent.iter().map(|(r, _)| r.as_str()).collect();
        assert!(!requests
            .iter()
            .any(|r| r.contains("/apis/batch/v1/namespaces")));
        assert!(!requests.iter().any(|r| r.ends_with("/finalize")));
        let ns = sent
            .iter()
            .rev()
            .find(|(r, _)| r == "PUT /api/v1/namespaces/dev/status")
            .and_then(|(_, b)| b.clone())
            .unwrap();
        let discovery = condition(&ns, "NamespaceDeletionDiscoveryFailure");
        assert_eq!(discovery["status"], "True");
        assert_eq!(discovery["reason"], "DiscoveryFailed");
        assert_eq!(
            discovery["message"],
            "Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: batch/v1: the server is currently unable to handle the request"
        );
        let content = condition(&ns, "NamespaceDeletionContentFailure");
        assert_eq!(content["reason"], "ContentDeletionFailed");
        assert_eq!(
            content["message"],
            "Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: dev for gvr: /v1, Resource=configmaps"
        );
        assert_eq!(
            condition(&ns, "NamespaceContentRemaining")["message"],
            "Some resources are remaining: configmaps. has 1 resource instances"
        );
        // An error: retried with backoff.
        assert_eq!(c.queue.failures("dev"), 1);
        assert!(c.last_error["dev"].starts_with("deletion of namespace dev failed: "));
    }

    #[test]
    fn a_finalize_that_conflicts_is_retried_on_the_fresh_namespace() {
        let mut c = NamespaceController::default();
        c.queue.add("dev");
        let mut finalizes = 0;
        let sent = drive(&mut c, SimTime(60_000), |method, path| {
            match (method, path) {
                ("GET", "/api/v1/namespaces/dev") => HttpResponse::json(200, terminating()),
                ("GET", p) if !p.contains("/namespaces/") => discovery(p),
                ("GET", _) | ("DELETE", _) => list(vec![]),
                ("PUT", "/api/v1/namespaces/dev/finalize") => {
                    finalizes += 1;
                    if finalizes == 1 {
                        crate::apiserver::errors::conflict(
                            resources::find("", "v1", "namespaces").unwrap(),
                            "dev",
                            crate::apiserver::errors::MODIFIED,
                        )
                        .response()
                    } else {
                        HttpResponse::json(200, json!({}))
                    }
                }
                ("PUT", _) => HttpResponse::json(200, json!({})),
                other => panic!("{other:?}"),
            }
        });
        let tail: Vec<&str> = sent[sent.len() - 3..]
            .iter()
            .map(|(r, _)| r.as_str())
            .collect();
        assert_eq!(
            tail,
            [
                "PUT /api/v1/namespaces/dev/finalize",
                "GET /api/v1/namespaces/dev",
                "PUT /api/v1/namespaces/dev/finalize"
            ]
        );
        assert!(c.syncs.is_empty());
    }

    #[test]
    fn only_namespaces_being_deleted_are_queued_and_five_seconds_later() {
        let mut c = NamespaceController::default();
        let active = Arc::new(json!({"metadata": {"name": "dev"}, "status": {"phase": "Active"}}));
        c.on_namespace(&Delta::Added(active), SimTime(1_000));
        assert_eq!(c.queue.next_wakeup(), None);
        c.on_namespace(&Delta::Added(Arc::new(terminating())), SimTime(1_000));
        assert_eq!(c.queue.next_wakeup(), Some(SimTime(6_000)));
    }
}
