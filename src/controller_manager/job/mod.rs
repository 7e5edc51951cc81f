//! The Job controller (`pkg/controller/job/job_controller.go`): runs a Job's pods to
//! completion. It creates pods from the template (`<job>-<5 random chars>`, or
//! `<job>-<index>-<5 random chars>` for Indexed Jobs) up to `parallelism`, never more than the
//! completions still missing; it counts finished pods through the
//! `batch.kubernetes.io/job-tracking` finalizer — a finished pod is first recorded in
//! `status.uncountedTerminatedPods`, then loses its finalizer, then moves into
//! `succeeded`/`failed`, so no pod is counted twice or lost; it waits out a back-off (10 s
//! doubling, at most 10 min) before replacing failed pods; and it finishes the Job in two
//! steps, as 1.33 does: `SuccessCriteriaMet` (or `FailureTarget` after `backoffLimit` failures
//! or `activeDeadlineSeconds`) first, then, once no finished pod is left uncounted or
//! terminating, `Complete` with `completionTime` (or `Failed`).
//!
//! The real controller syncs a Job in one goroutine that blocks on each API call. Here a sync
//! is a [`Run`] that sends the same calls in the same order and continues when their answers
//! come back; the Job's key stays "processing" in the work queue until the run ends, as it does
//! while the real worker holds it.
//!
//! Simplifications: `podFailurePolicy`, `successPolicy`, `backoffLimitPerIndex` and
//! `managedBy` by another controller are not acted on (a Job managed elsewhere is left alone);
//! metrics are not kept.

pub mod backoff;
pub mod indexed;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::record::EventRecorder;
use super::{Actions, Informers, Requeue, Write, WriteTag};
use crate::apiserver::printers::parse_rfc3339;
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

use backoff::{BackoffRecord, BackoffStore};

pub const NAME: &str = "job";
pub const SERVICE_ACCOUNT: &str = "job-controller";
/// The recorder's `source.component`.
pub const COMPONENT: &str = "job-controller";
/// `batch.JobTrackingFinalizer`.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// `batch.JobCompletionIndexAnnotation` (also the label of Indexed Jobs' pods).
pub const COMPLETION_INDEX_ANNOTATION: &str = "batch.kubernetes.io/job-completion-index";
/// `syncJobBatchPeriod`: pod events and status updates sync the Job this much later, so a
/// burst of them makes one sync.
pub const SYNC_JOB_BATCH_PERIOD: SimDuration = SimDuration::from_secs(1);
/// `DefaultJobApiBackOff` and `MaxJobApiBackOff`: the retry back-off after a failed sync.
pub const API_BACKOFF: SimDuration = SimDuration::from_secs(1);
pub const MAX_API_BACKOFF: SimDuration = SimDuration::from_secs(60);
/// `MaxUncountedPods`.
pub const MAX_UNCOUNTED_PODS: usize = 500;
/// `MaxPodCreateDeletePerSync`.
pub const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;
/// The controller's own name in `spec.managedBy` (`batch.JobControllerName`).
pub const CONTROLLER_NAME: &str = "kubernetes.io/job-controller";

/// What a write of the Job controller was for.
#[derive(Clone, Debug, PartialEq)]
pub enum JobWrite {
    /// A pod create of the sync in progress.
    PodCreate { job: String },
    /// The finalizer removal that comes before a pod delete (`deleteJobPods`).
    PodDeletePatch {
        job: String,
        pod: String,
        uid: String,
    },
    /// A pod delete of the sync in progress.
    PodDelete {
        job: String,
        pod: String,
        uid: String,
    },
    /// A tracking finalizer removal of the sync in progress.
    RemoveFinalizer { job: String, uid: String },
    /// A `jobs/status` update of the sync in progress.
    Status { job: String },
    /// Adoption or release of a pod (answers do not matter to the sync).
    Claim { job: String },
    /// The finalizer removal of an orphan pod (`syncOrphanPod`).
    OrphanPod { pod: String },
}

/// Where a sync in progress stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Deleting the active pods of a Job that is finishing (`deleteActivePods`).
    DeleteActive,
    /// Creating or deleting pods (`manageJob`).
    Manage,
    /// `manageJob` is done: decide whether the Job completed.
    PostManage,
    /// Counting finished pods (`trackJobStatusAndRemoveFinalizers`).
    Track,
    /// The status with new uncounted pods was written: remove their finalizers.
    RemoveFinalizers,
    /// Finalizers are removed: count the pods, finish the Job if it is done.
    Finish,
    /// The last status write is in flight.
    Done,
}

/// One sync of a Job in progress (`syncJob` and the calls it makes).
#[derive(Clone, Debug)]
pub struct Run {
    stage: Stage,
    in_flight: usize,
    /// The Job as the sync changes it (its status), then as the API server returned it.
    job: Value,
    pods: Vec<Arc<Value>>,
    indexed: bool,
    satisfied: bool,
    active: i64,
    ready: i64,
    terminating: i64,
    succeeded: i64,
    prev_succeeded_indexes: BTreeSet<i64>,
    succeeded_indexes: BTreeSet<i64>,
    uncounted_succeeded: BTreeSet<String>,
    uncounted_failed: BTreeSet<String>,
    expected_rm: BTreeSet<String>,
    new_backoff: BackoffRecord,
    /// The condition the Job is heading for (`finishedCondition`).
    finished: Option<Value>,
    manage_called: bool,
    suspend_changed: bool,
    /// Pods still to create (slow start) and the size of the batch in flight.
    to_create: VecDeque<Value>,
    batch: usize,
    batch_failed: bool,
    /// Pods deleted successfully (and how many of them were ready).
    deleted: i64,
    deleted_ready: i64,
    pods_to_remove: Vec<(String, String)>,
    uids_with_finalizer: BTreeSet<String>,
    removed: BTreeSet<String>,
    reached_max_uncounted: bool,
    job_finished: bool,
    /// A status write or finalizer removal failed: the sync stops there, ends with an error
    /// and is retried after the API back-off.
    error: bool,
    /// A pod create or delete failed: the sync goes on, but ends with an error.
    manage_error: bool,
}

/// The Job controller.
#[derive(Clone, Debug)]
pub struct JobController {
    pub queue: WorkQueue,
    /// Pods that still carry the tracking finalizer but whose Job is gone or finished.
    pub orphan_queue: WorkQueue,
    pub expectations: ControllerExpectations,
    /// `finalizerExpectations`: pods whose finalizer removal was sent but not yet seen, by Job.
    pub finalizer_expectations: BTreeMap<String, BTreeSet<String>>,
    pub backoff: BackoffStore,
    /// Syncs in progress, by Job key.
    pub runs: BTreeMap<String, Run>,
    /// When each delayed sync (`AddAfter`) comes due, by Job key.
    delayed: BTreeMap<String, SimTime>,
    /// Delayed syncs to hand to the controller-manager's timers.
    pending: Vec<Requeue>,
    recorder: EventRecorder,
}

impl Default for JobController {
    fn default() -> Self {
        JobController {
            queue: WorkQueue::with_backoff(API_BACKOFF, MAX_API_BACKOFF),
            orphan_queue: WorkQueue::with_backoff(API_BACKOFF, MAX_API_BACKOFF),
            expectations: ControllerExpectations::default(),
            finalizer_expectations: BTreeMap::new(),
            backoff: BackoffStore::default(),
            runs: BTreeMap::new(),
            delayed: BTreeMap::new(),
            pending: Vec::new(),
            recorder: EventRecorder::new(SERVICE_ACCOUNT, COMPONENT),
        }
    }
}

/// `util.IsJobFinished`: a `Complete` or `Failed` condition that is True.
pub fn is_job_finished(job: &Value) -> bool {
    conditions(job)
        .iter()
        .any(|c| (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True")
}

pub fn has_tracking_finalizer(pod: &Value) -> bool {
    pod.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == TRACKING_FINALIZER))
}

fn conditions(job: &Value) -> Vec<Value> {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn find_condition(job: &Value, kind: &str) -> Option<Value> {
    conditions(job).into_iter().find(|c| c["type"] == kind)
}

/// `newCondition`: empty reason and message are left out, as Go's `omitempty` does.
fn new_condition(kind: &str, status: &str, reason: &str, message: &str, now: SimTime) -> Value {
    let mut c = json!({
        "type": kind,
        "status": status,
        "lastProbeTime": now.rfc3339(),
        "lastTransitionTime": now.rfc3339(),
    });
    if !reason.is_empty() {
        c["reason"] = json!(reason);
    }
    if !message.is_empty() {
        c["message"] = json!(message);
    }
    c
}

/// `ensureJobConditionStatus`: updates the condition of that type if it differs, or appends it
/// unless it would be False; returns whether the list changed.
fn ensure_condition(
    job: &mut Value,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: SimTime,
) -> bool {
    let mut list = conditions(job);
    let new = new_condition(kind, status, reason, message, now);
    let changed = match list.iter_mut().find(|c| c["type"] == kind) {
        Some(c) => {
            let same = c["status"] == status
                && c["reason"].as_str().unwrap_or("") == reason
                && c["message"].as_str().unwrap_or("") == message;
            if !same {
                *c = new;
            }
            !same
        }
        None if status != "False" => {
            list.push(new);
            true
        }
        None => false,
    };
    job["status"]["conditions"] = json!(list);
    changed
}

fn suspended(job: &Value) -> bool {
    job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true)
}

fn completions(job: &Value) -> Option<i64> {
    job.pointer("/spec/completions").and_then(Value::as_i64)
}

/// `onlyReplaceFailedPods`: `podReplacementPolicy: Failed` (or a pod failure policy).
fn only_replace_failed_pods(job: &Value) -> bool {
    str_at(job, "/spec/podReplacementPolicy") == "Failed"
        || job
            .pointer("/spec/podFailurePolicy")
            .is_some_and(|p| !p.is_null())
}

/// `isPodFailed`: Failed, or (unless only failed pods are replaced) deleted before it
/// succeeded.
fn is_pod_failed(pod: &Value, job: &Value) -> bool {
    let phase = str_at(pod, "/status/phase");
    if phase == "Failed" {
        return true;
    }
    if only_replace_failed_pods(job) {
        return false;
    }
    is_deleting(pod) && phase != "Succeeded"
}

/// `controller.CountTerminatingPods`: being deleted and not yet finished.
fn is_terminating(pod: &Value) -> bool {
    is_deleting(pod) && !matches!(str_at(pod, "/status/phase"), "Succeeded" | "Failed")
}

fn uid_set(job: &Value, list: &str) -> BTreeSet<String> {
    job.pointer(&format!("/status/uncountedTerminatedPods/{list}"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect()
}

/// `cleanUncountedPodsWithoutFinalizers`: uncounted pods that lost their finalizer move into
/// the counters. Returns whether the status changed.
fn clean_uncounted(job: &mut Value, with_finalizer: &BTreeSet<String>) -> bool {
    let mut changed = false;
    for (list, counter) in [("succeeded", "succeeded"), ("failed", "failed")] {
        let uids: Vec<String> = uid_set_ordered(job, list);
        let kept: Vec<String> = uids
            .iter()
            .filter(|u| with_finalizer.contains(*u))
            .cloned()
            .collect();
        if kept.len() != uids.len() {
            changed = true;
            let counted = (uids.len() - kept.len()) as i64;
            let current = i64_at(job, &format!("/status/{counter}"));
            job["status"][counter] = json!(current + counted);
            job["status"]["uncountedTerminatedPods"][list] = json!(kept);
        }
    }
    changed
}

fn uid_set_ordered(job: &Value, list: &str) -> Vec<String> {
    job.pointer(&format!("/status/uncountedTerminatedPods/{list}"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect()
}

fn uncounted_total(job: &Value) -> usize {
    uid_set_ordered(job, "succeeded").len() + uid_set_ordered(job, "failed").len()
}

/// The status as the API would carry it: counters that are zero and empty uncounted lists
/// are left out (`omitempty`), `ready` and `terminating` are always there (pointers).
fn normalize_status(job: &mut Value) {
    let Some(status) = job.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    for k in ["active", "succeeded", "failed"] {
        if status.get(k).and_then(Value::as_i64) == Some(0) {
            status.remove(k);
        }
    }
    if status.get("completedIndexes").and_then(Value::as_str) == Some("") {
        status.remove("completedIndexes");
    }
    if let Some(u) = status
        .get_mut("uncountedTerminatedPods")
        .and_then(Value::as_object_mut)
    {
        for list in ["succeeded", "failed"] {
            if u.get(list)
                .and_then(Value::as_array)
                .is_some_and(|a| a.is_empty())
            {
                u.remove(list);
            }
        }
    }
    if status
        .get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| c.is_empty())
    {
        status.remove("conditions");
    }
    // `JobStatus`'s field order, as the API server's JSON carries it.
    const ORDER: [&str; 11] = [
        "conditions",
        "startTime",
        "completionTime",
        "active",
        "succeeded",
        "failed",
        "terminating",
        "completedIndexes",
        "failedIndexes",
        "uncountedTerminatedPods",
        "ready",
    ];
    let mut ordered = serde_json::Map::new();
    for k in ORDER {
        if let Some(v) = status.remove(k) {
            ordered.insert(k.to_string(), v);
        }
    }
    ordered.append(status);
    *status = ordered;
}

fn job_path(key: &str) -> String {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    format!("/apis/batch/v1/namespaces/{ns}/jobs/{name}")
}

fn pod_path(ns: &str, name: &str) -> String {
    format!("/api/v1/namespaces/{ns}/pods/{name}")
}

/// `removeTrackingFinalizerPatch`: a strategic merge patch deleting the finalizer.
fn remove_finalizer_patch() -> Value {
    json!({"metadata": {"$deleteFromPrimitiveList/finalizers": [TRACKING_FINALIZER]}})
}

fn strategic_patch(w: Write, patch: Value) -> Write {
    let mut w = w.body(patch);
    w.content_type = "application/strategic-merge-patch+json";
    w
}

/// The message of an API error answer (`err.Error()`).
fn error_message(response: &HttpResponse) -> String {
    response
        .body_json()
        .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| format!("the server responded with status {}", response.status))
}

impl JobController {
    fn job_key_of(&self, pod: &Value, owner: &Value, informers: &Informers) -> Option<String> {
        // `resolveControllerRef`: a Job of that name and uid.
        if owner["kind"] != "Job" {
            return None;
        }
        let key = format!(
            "{}/{}",
            namespace(pod),
            owner["name"].as_str().unwrap_or("")
        );
        let job = informers.jobs.get(&key)?;
        (uid(job) == owner["uid"].as_str().unwrap_or("")).then_some(key)
    }

    /// `AddAfter`: a later due time never replaces an earlier one.
    fn add_after(&mut self, key: &str, delay: SimDuration, now: SimTime) {
        if delay.as_millis() == 0 {
            self.queue.add(key);
            return;
        }
        let at = now + delay;
        if self.delayed.get(key).is_some_and(|t| *t <= at) {
            return;
        }
        self.delayed.insert(key.to_string(), at);
        self.pending.push(Requeue {
            controller: NAME,
            key: key.to_string(),
            after: delay,
        });
    }

    /// A delayed sync came due (the controller-manager's timer).
    pub fn on_requeue(&mut self, key: &str, now: SimTime) {
        if self.delayed.get(key).is_some_and(|t| *t <= now) {
            self.delayed.remove(key);
            self.queue.add(key);
        }
    }

    fn enqueue_batched(&mut self, key: &str, now: SimTime) {
        self.add_after(key, SYNC_JOB_BATCH_PERIOD, now);
    }

    fn matching_jobs(&self, pod: &Value, informers: &Informers) -> Vec<String> {
        in_namespace(&informers.jobs.cache, namespace(pod))
            .filter(|j| selector_of(j).matches_object(pod))
            .map(|j| crate::client::object_key(j))
            .collect()
    }

    fn finalizer_removal_observed(&mut self, key: &str, pod_uid: &str) {
        if let Some(set) = self.finalizer_expectations.get_mut(key) {
            set.remove(pod_uid);
        }
    }

    /// Pod events (`addPod`, `updatePod`, `deletePod`).
    pub fn on_pod(&mut self, delta: &Delta, informers: &Informers, now: SimTime) {
        match delta {
            Delta::Added(pod) => {
                if is_deleting(pod) {
                    self.pod_deleted(pod, false, informers, now);
                    return;
                }
                if let Some(owner) = controller_of(pod) {
                    if let Some(key) = self.job_key_of(pod, owner, informers) {
                        self.expectations.creation_observed(&key);
                        self.enqueue_batched(&key, now);
                    }
                    return;
                }
                if has_tracking_finalizer(pod) {
                    self.orphan_queue.add(&crate::client::object_key(pod));
                }
                for key in self.matching_jobs(pod, informers) {
                    self.enqueue_batched(&key, now);
                }
            }
            Delta::Updated { old, new } => {
                if str_at(old, "/metadata/resourceVersion")
                    == str_at(new, "/metadata/resourceVersion")
                {
                    return;
                }
                if is_deleting(new) {
                    self.pod_deleted(new, false, informers, now);
                    return;
                }
                let finalizer_removed = !has_tracking_finalizer(new);
                let cur_ref = controller_of(new).cloned();
                let old_ref = controller_of(old).cloned();
                let ref_changed = cur_ref != old_ref;
                if ref_changed {
                    if let Some(key) = old_ref
                        .as_ref()
                        .and_then(|r| self.job_key_of(old, r, informers))
                    {
                        if finalizer_removed {
                            self.finalizer_removal_observed(&key, uid(new));
                        }
                        self.enqueue_batched(&key, now);
                    }
                }
                if let Some(r) = &cur_ref {
                    if let Some(key) = self.job_key_of(new, r, informers) {
                        if finalizer_removed {
                            self.finalizer_removal_observed(&key, uid(new));
                        }
                        self.enqueue_batched(&key, now);
                    }
                    return;
                }
                if has_tracking_finalizer(new) {
                    self.orphan_queue.add(&crate::client::object_key(new));
                }
                let labels_changed =
                    old.pointer("/metadata/labels") != new.pointer("/metadata/labels");
                if labels_changed || ref_changed {
                    for key in self.matching_jobs(new, informers) {
                        self.enqueue_batched(&key, now);
                    }
                }
            }
            Delta::Deleted(pod) => self.pod_deleted(pod, true, informers, now),
        }
    }

    fn pod_deleted(
        &mut self,
        pod: &Value,
        final_delete: bool,
        informers: &Informers,
        now: SimTime,
    ) {
        let has_finalizer = has_tracking_finalizer(pod);
        let pod_key = crate::client::object_key(pod);
        let Some(owner) = controller_of(pod) else {
            if has_finalizer {
                self.orphan_queue.add(&pod_key);
            }
            return;
        };
        let key = self.job_key_of(pod, owner, informers);
        let finished = key
            .as_ref()
            .and_then(|k| informers.jobs.get(k))
            .is_none_or(|j| is_job_finished(j));
        let Some(key) = key.filter(|_| !finished) else {
            if has_finalizer {
                self.orphan_queue.add(&pod_key);
            }
            return;
        };
        self.expectations.deletion_observed(&key, &pod_key);
        if final_delete || !has_finalizer {
            self.finalizer_removal_observed(&key, uid(pod));
        }
        self.enqueue_batched(&key, now);
    }

    /// Job events (`addJob`, `updateJob`, `deleteJob`).
    pub fn on_job(&mut self, delta: &Delta, informers: &Informers, now: SimTime) {
        let job = delta.object();
        let key = crate::client::object_key(job);
        match delta {
            Delta::Added(_) => self.queue.add(&key),
            Delta::Updated { old, new } => {
                if i64_at(old, "/metadata/generation") == i64_at(new, "/metadata/generation") {
                    self.enqueue_batched(&key, now);
                } else {
                    self.queue.add(&key);
                }
                if is_job_finished(new) {
                    self.cleanup_pod_finalizers(new, informers);
                }
                // A changed activeDeadlineSeconds: sync again when it runs out.
                let ads = new
                    .pointer("/spec/activeDeadlineSeconds")
                    .and_then(Value::as_i64);
                let start = new
                    .pointer("/status/startTime")
                    .and_then(Value::as_str)
                    .and_then(parse_rfc3339);
                if let (Some(ads), Some(start)) = (ads, start) {
                    if old
                        .pointer("/spec/activeDeadlineSeconds")
                        .and_then(Value::as_i64)
                        != Some(ads)
                    {
                        let end_ms = (start + ads) * 1000;
                        let now_ms = unix_ms(now);
                        let delay = (end_ms - now_ms).max(0) as u64;
                        self.add_after(&key, SimDuration::from_millis(delay), now);
                    }
                }
            }
            Delta::Deleted(_) => {
                self.queue.add(&key);
                self.cleanup_pod_finalizers(job, informers);
            }
        }
    }

    /// `cleanupPodFinalizers`: the Job's pods that still carry the finalizer become orphans
    /// to clean.
    fn cleanup_pod_finalizers(&mut self, job: &Value, informers: &Informers) {
        let selector = selector_of(job);
        for pod in in_namespace(&informers.pods.cache, namespace(job)) {
            let owned = controller_of(pod).is_some_and(|r| r["uid"] == uid(job));
            if owned && selector.matches_object(pod) && has_tracking_finalizer(pod) {
                self.orphan_queue.add(&crate::client::object_key(pod));
            }
        }
    }

    pub fn next_wakeup(&self) -> Option<SimTime> {
        [self.queue.next_wakeup(), self.orphan_queue.next_wakeup()]
            .into_iter()
            .flatten()
            .min()
    }

    pub fn tick(&mut self, now: SimTime) {
        self.queue.tick(now);
        self.orphan_queue.tick(now);
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.orphan_queue.get() {
            self.sync_orphan_pod(&key, informers, actions);
            self.orphan_queue.done(&key);
        }
        while let Some(key) = self.queue.get() {
            self.sync(&key, informers, now, actions);
        }
        actions.requeues.append(&mut self.pending);
    }

    /// `syncOrphanPod`: removes the finalizer of a pod no unfinished Job controls.
    fn sync_orphan_pod(&mut self, key: &str, informers: &Informers, actions: &mut Actions) {
        let Some(pod) = informers.pods.get(key) else {
            return;
        };
        if let Some(owner) = controller_of(pod) {
            if owner["kind"] != "Job" || owner["apiVersion"] != "batch/v1" {
                return;
            }
            if let Some(job_key) = self.job_key_of(pod, owner, informers) {
                let job = informers.jobs.get(&job_key).expect("resolved");
                if !is_job_finished(job) {
                    // Adopted meanwhile: its Job will count it.
                    return;
                }
            }
        }
        if !has_tracking_finalizer(pod) {
            return;
        }
        actions.writes.push(strategic_patch(
            Write::new(
                SERVICE_ACCOUNT,
                "PATCH",
                pod_path(namespace(pod), name(pod)),
                WriteTag::Job(JobWrite::OrphanPod {
                    pod: key.to_string(),
                }),
            ),
            remove_finalizer_patch(),
        ));
    }

    fn end(&mut self, key: &str, ok: bool, now: SimTime) {
        self.runs.remove(key);
        if ok {
            self.queue.forget(key);
        } else {
            self.queue.add_rate_limited(key, now);
        }
        self.queue.done(key);
    }

    /// `syncJob`: everything up to the calls; the [`Run`] carries on from there.
    fn sync(&mut self, key: &str, informers: &Informers, now: SimTime, actions: &mut Actions) {
        let Some(shared) = informers.jobs.get(key).cloned() else {
            self.expectations.delete(key);
            self.finalizer_expectations.remove(key);
            self.backoff.remove(key);
            self.end(key, true, now);
            return;
        };
        let managed_by = str_at(&shared, "/spec/managedBy");
        if !managed_by.is_empty() && managed_by != CONTROLLER_NAME {
            self.end(key, true, now);
            return;
        }
        if is_job_finished(&shared) {
            self.backoff.remove(key);
            self.end(key, true, now);
            return;
        }
        let mode = str_at(&shared, "/spec/completionMode");
        if !matches!(mode, "" | "NonIndexed" | "Indexed") {
            actions.writes.push(self.recorder.event(
                &shared,
                ("batch/v1", "Job"),
                "Warning",
                "UnknownCompletionMode",
                "Skipped Job sync because completion mode is unknown",
                now,
            ));
            self.end(key, true, now);
            return;
        }
        let indexed = mode == "Indexed";
        let mut job = (*shared).clone();
        job["apiVersion"] = json!("batch/v1");
        job["kind"] = json!("Job");
        if !job["status"].is_object() {
            job["status"] = json!({});
        }
        if !job["status"]["uncountedTerminatedPods"].is_object() {
            job["status"]["uncountedTerminatedPods"] = json!({});
        }
        let satisfied = self.expectations.satisfied(key, now);
        let pods = self.pods_for_job(key, &job, informers, actions);
        let active_pods: Vec<&Value> = pods
            .iter()
            .map(|p| &**p)
            .filter(|p| is_pod_active(p))
            .collect();
        let ready = active_pods.iter().filter(|p| pod_ready(p).0).count() as i64;
        let terminating = pods.iter().filter(|p| is_terminating(p)).count() as i64;
        let active = active_pods.len() as i64;
        let uncounted_succeeded = uid_set(&job, "succeeded");
        let uncounted_failed = uid_set(&job, "failed");
        let expected_rm = self
            .finalizer_expectations
            .get(key)
            .cloned()
            .unwrap_or_default();
        let n_completions = completions(&job);
        // `getNewFinishedPods`: finished pods that carry the finalizer and are not counted yet.
        let valid = |p: &Value, uncounted: &BTreeSet<String>| {
            let u = uid(p);
            if !has_tracking_finalizer(p) || uncounted.contains(u) || expected_rm.contains(u) {
                return false;
            }
            !indexed
                || indexed::completion_index(p).is_some_and(|ix| ix < n_completions.unwrap_or(0))
        };
        let new_succeeded: Vec<&Value> = pods
            .iter()
            .map(|p| &**p)
            .filter(|p| valid(p, &uncounted_succeeded) && str_at(p, "/status/phase") == "Succeeded")
            .collect();
        let new_failed: Vec<&Value> = pods
            .iter()
            .map(|p| &**p)
            .filter(|p| valid(p, &uncounted_failed) && is_pod_failed(p, &job))
            .collect();
        let mut succeeded = i64_at(&job, "/status/succeeded")
            + new_succeeded.len() as i64
            + uncounted_succeeded.len() as i64;
        let failed = i64_at(&job, "/status/failed")
            + new_failed.len() as i64
            + uncounted_failed.len() as i64;
        if job.pointer("/status/startTime").is_none_or(Value::is_null) && !suspended(&job) {
            job["status"]["startTime"] = json!(now.rfc3339());
        }
        let new_backoff = self.backoff.new_record(key, &new_succeeded, &new_failed);
        let backoff_limit = job
            .pointer("/spec/backoffLimit")
            .and_then(Value::as_i64)
            .unwrap_or(6);
        let exceeds_backoff_limit = failed > backoff_limit;
        let mut finished =
            find_condition(&job, "SuccessCriteriaMet").filter(|c| c["status"] == "True");
        if finished.is_none() {
            if let Some(target) =
                find_condition(&job, "FailureTarget").filter(|c| c["status"] == "True")
            {
                finished = Some(new_condition(
                    "Failed",
                    "True",
                    target["reason"].as_str().unwrap_or(""),
                    target["message"].as_str().unwrap_or(""),
                    now,
                ));
            } else if exceeds_backoff_limit || past_backoff_limit_on_failure(&job, &pods) {
                finished = Some(new_condition(
                    "FailureTarget",
                    "True",
                    "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit",
                    now,
                ));
            } else if past_active_deadline(&job, now) {
                finished = Some(new_condition(
                    "FailureTarget",
                    "True",
                    "DeadlineExceeded",
                    "Job was active longer than specified deadline",
                    now,
                ));
            } else if let (Some(ads), false) = (
                job.pointer("/spec/activeDeadlineSeconds")
                    .and_then(Value::as_i64),
                suspended(&job),
            ) {
                let start = job
                    .pointer("/status/startTime")
                    .and_then(Value::as_str)
                    .and_then(parse_rfc3339)
                    .unwrap_or(now.unix_seconds() as i64);
                let delay = ((start + ads) * 1000 - unix_ms(now)).max(0) as u64;
                self.add_after(key, SimDuration::from_millis(delay), now);
            }
        }
        let (mut prev_indexes, mut succeeded_indexes) = (BTreeSet::new(), BTreeSet::new());
        if indexed {
            let refs: Vec<&Value> = pods.iter().map(|p| &**p).collect();
            (prev_indexes, succeeded_indexes) =
                indexed::succeeded_indexes(&job, &refs, n_completions.unwrap_or(0));
            succeeded = succeeded_indexes.len() as i64;
        }
        let run = Run {
            stage: if finished.is_some() {
                Stage::DeleteActive
            } else {
                Stage::Manage
            },
            in_flight: 0,
            job,
            pods: pods.clone(),
            indexed,
            satisfied,
            active,
            ready,
            terminating,
            succeeded,
            prev_succeeded_indexes: prev_indexes,
            succeeded_indexes,
            uncounted_succeeded,
            uncounted_failed,
            expected_rm,
            new_backoff,
            finished,
            manage_called: false,
            suspend_changed: false,
            to_create: VecDeque::new(),
            batch: 0,
            batch_failed: false,
            deleted: 0,
            deleted_ready: 0,
            pods_to_remove: Vec::new(),
            uids_with_finalizer: BTreeSet::new(),
            removed: BTreeSet::new(),
            reached_max_uncounted: false,
            job_finished: false,
            error: false,
            manage_error: false,
        };
        self.start(key, run, now, actions);
    }

    /// `getPodsForJob`: the pods this Job controls, adopting matching orphans (with the
    /// finalizer) and releasing owned pods that no longer match.
    fn pods_for_job(
        &mut self,
        key: &str,
        job: &Value,
        informers: &Informers,
        actions: &mut Actions,
    ) -> Vec<Arc<Value>> {
        let selector = selector_of(job);
        let job_uid = uid(job).to_string();
        let ns = namespace(job).to_string();
        let mut pods = Vec::new();
        for pod in in_namespace(&informers.pods.cache, &ns) {
            let matches = selector.matches_object(pod);
            match controller_of(pod) {
                Some(r) if r["uid"] == job_uid.as_str() => {
                    if matches {
                        pods.push(pod.clone());
                    } else if !is_deleting(pod) {
                        let refs: Vec<Value> = pod
                            .pointer("/metadata/ownerReferences")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter(|r| r["uid"] != job_uid.as_str())
                            .cloned()
                            .collect();
                        actions.writes.push(
                            Write::new(
                                SERVICE_ACCOUNT,
                                "PATCH",
                                pod_path(&ns, name(pod)),
                                WriteTag::Job(JobWrite::Claim {
                                    job: key.to_string(),
                                }),
                            )
                            .merge_patch(
                                json!({"metadata": {"ownerReferences": refs, "uid": uid(pod)}}),
                            ),
                        );
                    }
                }
                Some(_) => {}
                None if matches && !is_deleting(pod) && !is_deleting(job) => {
                    let mut refs: Vec<Value> = pod
                        .pointer("/metadata/ownerReferences")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    refs.push(new_controller_ref(job, "batch/v1", "Job"));
                    let mut finalizers: Vec<Value> = pod
                        .pointer("/metadata/finalizers")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    if !has_tracking_finalizer(pod) {
                        finalizers.push(json!(TRACKING_FINALIZER));
                    }
                    actions.writes.push(
                        Write::new(
                            SERVICE_ACCOUNT,
                            "PATCH",
                            pod_path(&ns, name(pod)),
                            WriteTag::Job(JobWrite::Claim {
                                job: key.to_string(),
                            }),
                        )
                        .merge_patch(json!({"metadata": {
                            "ownerReferences": refs,
                            "finalizers": finalizers.clone(),
                            "uid": uid(pod),
                        }})),
                    );
                    // Counted as adopted, finalizer and all.
                    let mut adopted = (**pod).clone();
                    adopted["metadata"]["ownerReferences"] = json!(refs);
                    adopted["metadata"]["finalizers"] = json!(finalizers);
                    pods.push(Arc::new(adopted));
                }
                None => {}
            }
        }
        pods
    }

    /// Starts the calls of a sync (or, with nothing to call, goes on at once).
    fn start(&mut self, key: &str, mut run: Run, now: SimTime, actions: &mut Actions) {
        match run.stage {
            Stage::DeleteActive => {
                // `deleteActivePods`: plain deletes; the finalizers stay until counted.
                let ns = namespace(&run.job).to_string();
                for pod in run.pods.iter().filter(|p| is_pod_active(p)) {
                    run.in_flight += 1;
                    actions.writes.push(Write::new(
                        SERVICE_ACCOUNT,
                        "DELETE",
                        pod_path(&ns, name(pod)),
                        WriteTag::Job(JobWrite::PodDelete {
                            job: key.to_string(),
                            pod: name(pod).to_string(),
                            uid: uid(pod).to_string(),
                        }),
                    ));
                    run.deleted += 1;
                }
                run.deleted_ready = run
                    .pods
                    .iter()
                    .filter(|p| is_pod_active(p) && pod_ready(p).0)
                    .count() as i64;
            }
            Stage::Manage => {
                if run.satisfied && !is_deleting(&run.job) {
                    run.manage_called = true;
                    self.manage_job(key, &mut run, now, actions);
                } else {
                    run.stage = Stage::PostManage;
                }
            }
            _ => {}
        }
        self.drive(key, run, now, actions);
    }

    /// `manageJob`: deletes pods beyond what is wanted, or creates the missing ones (after the
    /// failure back-off), in slow-start batches.
    fn manage_job(&mut self, key: &str, run: &mut Run, now: SimTime, actions: &mut Actions) {
        let job = run.job.clone();
        let active_pods: Vec<Arc<Value>> = run
            .pods
            .iter()
            .filter(|p| is_pod_active(p))
            .cloned()
            .collect();
        let active_refs: Vec<&Value> = active_pods.iter().map(|p| &**p).collect();
        let parallelism = job
            .pointer("/spec/parallelism")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let n_completions = completions(&job);
        let ns = namespace(&job).to_string();
        let to_delete: Vec<&Value> = if suspended(&job) {
            pods_for_removal(&job, &active_refs, active_refs.len(), run.indexed)
        } else {
            let want_active = match n_completions {
                None if run.succeeded > 0 => run.active,
                None => parallelism,
                Some(c) => (c - run.succeeded).clamp(0, parallelism),
            };
            let rm_at_least = (run.active - want_active).max(0) as usize;
            let mut rm = pods_for_removal(&job, &active_refs, rm_at_least, run.indexed);
            rm.truncate(MAX_POD_CREATE_DELETE_PER_SYNC);
            if rm.is_empty() {
                let terminating = if only_replace_failed_pods(&job) {
                    run.terminating
                } else {
                    0
                };
                let diff = want_active - terminating - run.active;
                if diff > 0 {
                    let remaining = run.new_backoff.remaining(now);
                    if remaining.as_millis() > 0 {
                        // `enqueueSyncJobWithDelay`: never sooner than the batch period.
                        let delay = remaining.as_millis().max(SYNC_JOB_BATCH_PERIOD.as_millis());
                        self.add_after(key, SimDuration::from_millis(delay), now);
                        run.stage = Stage::PostManage;
                        return;
                    }
                    self.plan_creates(
                        key,
                        run,
                        diff.min(MAX_POD_CREATE_DELETE_PER_SYNC as i64) as usize,
                        &active_refs,
                        now,
                    );
                    return;
                }
            }
            rm
        };
        if to_delete.is_empty() {
            run.stage = Stage::PostManage;
            return;
        }
        // `deleteJobPods`: each pod loses its finalizer, then is deleted.
        let pod_keys: Vec<String> = to_delete
            .iter()
            .map(|p| crate::client::object_key(p))
            .collect();
        self.expectations.expect_deletions(key, &pod_keys, now);
        run.deleted = to_delete.len() as i64;
        run.deleted_ready = to_delete.iter().filter(|p| pod_ready(p).0).count() as i64;
        for pod in to_delete {
            run.in_flight += 1;
            let (pod_name, pod_uid) = (name(pod).to_string(), uid(pod).to_string());
            if has_tracking_finalizer(pod) {
                actions.writes.push(strategic_patch(
                    Write::new(
                        SERVICE_ACCOUNT,
                        "PATCH",
                        pod_path(&ns, &pod_name),
                        WriteTag::Job(JobWrite::PodDeletePatch {
                            job: key.to_string(),
                            pod: pod_name,
                            uid: pod_uid,
                        }),
                    ),
                    remove_finalizer_patch(),
                ));
            } else {
                actions.writes.push(Write::new(
                    SERVICE_ACCOUNT,
                    "DELETE",
                    pod_path(&ns, &pod_name),
                    WriteTag::Job(JobWrite::PodDelete {
                        job: key.to_string(),
                        pod: pod_name,
                        uid: pod_uid,
                    }),
                ));
            }
        }
    }

    /// The pods a create run will make: one per missing pod (per pending index for Indexed
    /// Jobs), each with the tracking finalizer.
    fn plan_creates(
        &mut self,
        key: &str,
        run: &mut Run,
        mut diff: usize,
        active: &[&Value],
        now: SimTime,
    ) {
        let job = &run.job;
        let mut template = job.pointer("/spec/template").cloned().unwrap_or_default();
        let mut finalizers: Vec<Value> = template
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !finalizers.iter().any(|f| f == TRACKING_FINALIZER) {
            finalizers.push(json!(TRACKING_FINALIZER));
        }
        if !template["metadata"].is_object() {
            template["metadata"] = json!({});
        }
        template["metadata"]["finalizers"] = json!(finalizers);
        let controller_ref = new_controller_ref(job, "batch/v1", "Job");
        let indexes = if run.indexed {
            let ix = indexed::first_pending_indexes(
                active,
                &run.succeeded_indexes,
                diff,
                completions(job).unwrap_or(0),
            );
            diff = ix.len();
            ix.into_iter().map(Some).collect()
        } else {
            vec![None; diff]
        };
        for ix in indexes {
            let pod = match ix {
                Some(ix) => {
                    let t = indexed::template_for_index(&template, name(job), ix);
                    let mut pod = pod_from_template(&t, job, controller_ref.clone());
                    pod["metadata"]["generateName"] =
                        json!(indexed::generate_name_with_index(name(job), ix));
                    pod
                }
                None => pod_from_template(&template, job, controller_ref.clone()),
            };
            run.to_create.push_back(pod);
        }
        self.expectations.expect_creations(key, diff as i64, now);
        run.active += diff as i64;
    }

    /// Sends what the run's stage calls for, moving on while nothing is in flight.
    fn drive(&mut self, key: &str, mut run: Run, now: SimTime, actions: &mut Actions) {
        loop {
            if run.in_flight > 0 {
                self.runs.insert(key.to_string(), run);
                return;
            }
            match run.stage {
                Stage::DeleteActive => {
                    if run.deleted != run.active || !run.satisfied {
                        // Pods or finalizers may remain that the cache does not show yet.
                        run.finished = None;
                    }
                    run.active -= run.deleted;
                    run.terminating += run.deleted;
                    run.ready -= run.deleted_ready;
                    run.stage = Stage::Track;
                }
                Stage::Manage => {
                    if !run.to_create.is_empty() && !run.batch_failed {
                        self.send_batch(key, &mut run, actions);
                        continue;
                    }
                    if run.batch_failed && !run.to_create.is_empty() {
                        // Slow start: the creates not attempted will not be observed.
                        let skipped = run.to_create.len() as i64;
                        run.active -= skipped;
                        for _ in 0..skipped {
                            self.expectations.creation_observed(key);
                        }
                        run.to_create.clear();
                    }
                    if run.deleted > 0 {
                        // Deleted pods are terminating now.
                        run.active -= run.deleted;
                        run.terminating += run.deleted;
                        run.ready -= run.deleted_ready;
                        run.deleted = 0;
                    }
                    run.stage = Stage::PostManage;
                }
                Stage::PostManage => {
                    self.post_manage(&mut run, now, actions);
                    run.stage = Stage::Track;
                }
                Stage::Track => {
                    self.track(key, &mut run, now, actions);
                    run.stage = Stage::RemoveFinalizers;
                }
                Stage::RemoveFinalizers => {
                    if run.error {
                        self.end(key, false, now);
                        return;
                    }
                    self.remove_finalizers(key, &mut run, actions);
                    run.stage = Stage::Finish;
                }
                Stage::Finish => {
                    self.finish(key, &mut run, actions);
                    run.stage = Stage::Done;
                }
                Stage::Done => {
                    if !run.error && run.job_finished {
                        self.record_finished(&run, now, actions);
                    }
                    let ok = !run.error && !run.manage_error;
                    self.end(key, ok, now);
                    return;
                }
            }
        }
    }

    /// `slowStartBatch`: 1, 2, 4... creates, each batch after the previous one succeeded.
    fn send_batch(&mut self, key: &str, run: &mut Run, actions: &mut Actions) {
        let batch = if run.batch == 0 { 1 } else { run.batch * 2 }.min(run.to_create.len());
        run.batch = batch;
        let ns = namespace(&run.job).to_string();
        for _ in 0..batch {
            let pod = run.to_create.pop_front().expect("counted");
            run.in_flight += 1;
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "POST",
                    format!("/api/v1/namespaces/{ns}/pods"),
                    WriteTag::Job(JobWrite::PodCreate {
                        job: key.to_string(),
                    }),
                )
                .body(pod)
                .step(3),
            );
        }
    }

    /// After `manageJob`: complete when enough pods succeeded and none is active; otherwise
    /// keep the `Suspended` condition in line with `spec.suspend`.
    fn post_manage(&mut self, run: &mut Run, now: SimTime, actions: &mut Actions) {
        if run.finished.is_some() {
            return;
        }
        let complete = match completions(&run.job) {
            None => run.succeeded > 0 && run.active == 0,
            Some(c) => run.succeeded >= c && run.active == 0,
        };
        if complete {
            run.finished = Some(new_condition(
                "SuccessCriteriaMet",
                "True",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
                now,
            ));
        } else if run.manage_called {
            if suspended(&run.job) {
                if ensure_condition(
                    &mut run.job,
                    "Suspended",
                    "True",
                    "JobSuspended",
                    "Job suspended",
                    now,
                ) {
                    run.suspend_changed = true;
                    actions.writes.push(self.recorder.event(
                        &run.job,
                        ("batch/v1", "Job"),
                        "Normal",
                        "Suspended",
                        "Job suspended",
                        now,
                    ));
                }
            } else if ensure_condition(
                &mut run.job,
                "Suspended",
                "False",
                "JobResumed",
                "Job resumed",
                now,
            ) {
                run.suspend_changed = true;
                actions.writes.push(self.recorder.event(
                    &run.job,
                    ("batch/v1", "Job"),
                    "Normal",
                    "Resumed",
                    "Job resumed",
                    now,
                ));
                run.job["status"]["startTime"] = json!(now.rfc3339());
            }
        }
    }

    /// The first half of `trackJobStatusAndRemoveFinalizers`: finished pods join the
    /// uncounted lists, the interim condition is added, and the status is written if any of
    /// that (or active/ready/terminating) changed.
    fn track(&mut self, key: &str, run: &mut Run, now: SimTime, actions: &mut Actions) {
        let status = run.job["status"].clone();
        let old = |k: &str| status.get(k).and_then(Value::as_i64);
        let mut needs_flush = run.suspend_changed
            || run.active != old("active").unwrap_or(0)
            || Some(run.ready) != old("ready")
            || Some(run.terminating) != old("terminating");
        run.job["status"]["active"] = json!(run.active);
        run.job["status"]["ready"] = json!(run.ready);
        run.job["status"]["terminating"] = json!(run.terminating);

        let mut pods: Vec<Arc<Value>> = run.pods.clone();
        if run.indexed {
            pods.sort_by_key(|p| indexed::completion_index(p).unwrap_or(-1));
        }
        run.uids_with_finalizer = pods
            .iter()
            .filter(|p| has_tracking_finalizer(p) && !run.expected_rm.contains(uid(p)))
            .map(|p| uid(p).to_string())
            .collect();
        if clean_uncounted(&mut run.job, &run.uids_with_finalizer) {
            needs_flush = true;
        }
        let n_completions = completions(&run.job).unwrap_or(0);
        let mut new_indexes: Vec<i64> = Vec::new();
        let mut unc_succeeded = uid_set_ordered(&run.job, "succeeded");
        let mut unc_failed = uid_set_ordered(&run.job, "failed");
        let success_target = run
            .finished
            .as_ref()
            .is_some_and(|c| c["type"] == "SuccessCriteriaMet");
        for pod in &pods {
            let pod_uid = uid(pod).to_string();
            if !has_tracking_finalizer(pod) || run.expected_rm.contains(&pod_uid) {
                continue;
            }
            let considered_failed = is_pod_failed(pod, &run.job);
            // `canRemoveFinalizer`.
            let can_remove = is_deleting(&run.job)
                || run.finished.is_some()
                || str_at(pod, "/status/phase") == "Succeeded"
                || considered_failed;
            if !can_remove {
                continue;
            }
            run.pods_to_remove
                .push((name(pod).to_string(), pod_uid.clone()));
            if str_at(pod, "/status/phase") == "Succeeded"
                && !run.uncounted_failed.contains(&pod_uid)
            {
                if run.indexed {
                    if let Some(ix) = indexed::completion_index(pod) {
                        if ix < n_completions && !run.prev_succeeded_indexes.contains(&ix) {
                            new_indexes.push(ix);
                            needs_flush = true;
                        }
                    }
                } else if !run.uncounted_succeeded.contains(&pod_uid) {
                    needs_flush = true;
                    unc_succeeded.push(pod_uid.clone());
                }
            } else if considered_failed || (run.finished.is_some() && !success_target) {
                let index_ok = !run.indexed
                    || indexed::completion_index(pod).is_some_and(|ix| ix < n_completions);
                if !run.uncounted_failed.contains(&pod_uid) && index_ok {
                    needs_flush = true;
                    unc_failed.push(pod_uid.clone());
                }
            }
            if new_indexes.len() + unc_succeeded.len() + unc_failed.len() >= MAX_UNCOUNTED_PODS {
                run.reached_max_uncounted = true;
                break;
            }
        }
        run.job["status"]["uncountedTerminatedPods"]["succeeded"] = json!(unc_succeeded);
        run.job["status"]["uncountedTerminatedPods"]["failed"] = json!(unc_failed);
        if run.indexed {
            run.succeeded_indexes.extend(new_indexes);
            let text = indexed::format_indexes(&run.succeeded_indexes);
            if text != str_at(&run.job, "/status/completedIndexes") {
                needs_flush = true;
            }
            run.job["status"]["succeeded"] = json!(run.succeeded_indexes.len());
            run.job["status"]["completedIndexes"] = json!(text);
        }
        if let Some(target) = run.finished.clone() {
            if target["type"] == "FailureTarget" {
                // The interim condition is written before the finalizers go; `Failed` follows.
                let mut list = conditions(&run.job);
                list.push(target.clone());
                run.job["status"]["conditions"] = json!(list);
                needs_flush = true;
                run.finished = Some(new_condition(
                    "Failed",
                    "True",
                    target["reason"].as_str().unwrap_or(""),
                    target["message"].as_str().unwrap_or(""),
                    now,
                ));
            } else if target["type"] == "SuccessCriteriaMet" {
                if find_condition(&run.job, "SuccessCriteriaMet")
                    .filter(|c| c["status"] == "True")
                    .is_none()
                {
                    let mut list = conditions(&run.job);
                    list.push(target.clone());
                    run.job["status"]["conditions"] = json!(list);
                    needs_flush = true;
                }
                run.finished = Some(new_condition(
                    "Complete",
                    "True",
                    target["reason"].as_str().unwrap_or(""),
                    target["message"].as_str().unwrap_or(""),
                    now,
                ));
            }
        }
        if needs_flush {
            self.put_status(key, run, actions);
        }
    }

    fn put_status(&mut self, key: &str, run: &mut Run, actions: &mut Actions) {
        let mut body = run.job.clone();
        normalize_status(&mut body);
        run.in_flight += 1;
        actions.writes.push(
            Write::new(
                SERVICE_ACCOUNT,
                "PUT",
                format!("{}/status", job_path(key)),
                WriteTag::Job(JobWrite::Status {
                    job: key.to_string(),
                }),
            )
            .body(body),
        );
    }

    /// `removeTrackingFinalizerFromPods`.
    fn remove_finalizers(&mut self, key: &str, run: &mut Run, actions: &mut Actions) {
        if run.pods_to_remove.is_empty() {
            return;
        }
        let set = self
            .finalizer_expectations
            .entry(key.to_string())
            .or_default();
        for (_, pod_uid) in &run.pods_to_remove {
            set.insert(pod_uid.clone());
        }
        let ns = namespace(&run.job).to_string();
        for (pod_name, pod_uid) in &run.pods_to_remove {
            run.in_flight += 1;
            actions.writes.push(strategic_patch(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    pod_path(&ns, pod_name),
                    WriteTag::Job(JobWrite::RemoveFinalizer {
                        job: key.to_string(),
                        uid: pod_uid.clone(),
                    }),
                ),
                remove_finalizer_patch(),
            ));
        }
    }

    /// The second half: pods without finalizer are counted, the Job finishes if it can
    /// (`enactJobFinished`), and the status is written if anything changed.
    fn finish(&mut self, key: &str, run: &mut Run, actions: &mut Actions) {
        for u in &run.removed {
            run.uids_with_finalizer.remove(u);
        }
        let mut needs_flush = clean_uncounted(&mut run.job, &run.uids_with_finalizer);
        if run.error {
            if needs_flush {
                self.put_status(key, run, actions);
            }
            return;
        }
        run.job_finished = !run.reached_max_uncounted && self.enact_finished(run);
        if run.job_finished {
            needs_flush = true;
        }
        if needs_flush {
            self.put_status(key, run, actions);
        }
    }

    /// `enactJobFinished`: the terminal condition, once nothing is uncounted or terminating.
    fn enact_finished(&self, run: &mut Run) -> bool {
        let Some(cond) = run.finished.clone() else {
            return false;
        };
        if uncounted_total(&run.job) > 0 || run.terminating > 0 {
            return false;
        }
        let kind = cond["type"].as_str().unwrap_or("").to_string();
        let at = cond["lastTransitionTime"].clone();
        let mut list = conditions(&run.job);
        match list.iter_mut().find(|c| c["type"] == kind.as_str()) {
            Some(c) => *c = cond,
            None => list.push(cond),
        }
        run.job["status"]["conditions"] = json!(list);
        if kind == "Complete" {
            run.job["status"]["completionTime"] = at;
        }
        true
    }

    /// `recordJobFinished`.
    fn record_finished(&mut self, run: &Run, now: SimTime, actions: &mut Actions) {
        let Some(cond) = &run.finished else { return };
        if cond["type"] == "Complete" {
            if completions(&run.job).is_some_and(|c| i64_at(&run.job, "/status/succeeded") > c) {
                actions.writes.push(self.recorder.event(
                    &run.job,
                    ("batch/v1", "Job"),
                    "Warning",
                    "TooManySucceededPods",
                    "Too many succeeded pods running after completion count reached",
                    now,
                ));
            }
            actions.writes.push(self.recorder.event(
                &run.job,
                ("batch/v1", "Job"),
                "Normal",
                "Completed",
                "Job completed",
                now,
            ));
        } else {
            actions.writes.push(self.recorder.event(
                &run.job,
                ("batch/v1", "Job"),
                "Warning",
                cond["reason"].as_str().unwrap_or(""),
                cond["message"].as_str().unwrap_or(""),
                now,
            ));
        }
    }

    /// The answers to the controller's calls.
    pub fn on_response(
        &mut self,
        tag: &JobWrite,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        let ok = (200..300).contains(&response.status);
        let key = match tag {
            JobWrite::OrphanPod { pod } => {
                if !ok && response.status != 404 {
                    self.orphan_queue.add_rate_limited(pod, now);
                }
                return actions;
            }
            JobWrite::Claim { .. } => return actions,
            JobWrite::PodCreate { job }
            | JobWrite::PodDeletePatch { job, .. }
            | JobWrite::PodDelete { job, .. }
            | JobWrite::RemoveFinalizer { job, .. }
            | JobWrite::Status { job } => job.clone(),
        };
        let Some(mut run) = self.runs.remove(&key) else {
            return actions;
        };
        run.in_flight -= 1;
        match tag {
            JobWrite::PodCreate { .. } => {
                if ok {
                    let pod_name = response
                        .body_json()
                        .map(|b| name(&b).to_string())
                        .unwrap_or_default();
                    actions.writes.push(self.recorder.event(
                        &run.job,
                        ("batch/v1", "Job"),
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {pod_name}"),
                        now,
                    ));
                } else {
                    let message = error_message(response);
                    let terminating_ns = message.contains("because it is being terminated");
                    if !terminating_ns {
                        actions.writes.push(self.recorder.event(
                            &run.job,
                            ("batch/v1", "Job"),
                            "Warning",
                            "FailedCreate",
                            &format!("Error creating: {message}"),
                            now,
                        ));
                        run.manage_error = true;
                    }
                    // The create will never be observed.
                    self.expectations.creation_observed(&key);
                    run.active -= 1;
                    run.batch_failed = true;
                }
            }
            JobWrite::PodDeletePatch {
                pod, uid: pod_uid, ..
            } => {
                if ok {
                    run.in_flight += 1;
                    let ns = namespace(&run.job).to_string();
                    actions.writes.push(Write::new(
                        SERVICE_ACCOUNT,
                        "DELETE",
                        pod_path(&ns, pod),
                        WriteTag::Job(JobWrite::PodDelete {
                            job: key.clone(),
                            pod: pod.clone(),
                            uid: pod_uid.clone(),
                        }),
                    ));
                } else {
                    self.delete_failed(&key, &mut run, pod, response);
                }
            }
            JobWrite::PodDelete { pod, .. } => {
                if ok {
                    actions.writes.push(self.recorder.event(
                        &run.job,
                        ("batch/v1", "Job"),
                        "Normal",
                        "SuccessfulDelete",
                        &format!("Deleted pod: {pod}"),
                        now,
                    ));
                } else {
                    if response.status != 404 {
                        actions.writes.push(self.recorder.event(
                            &run.job,
                            ("batch/v1", "Job"),
                            "Warning",
                            "FailedDelete",
                            &format!("Error deleting: {}", error_message(response)),
                            now,
                        ));
                    }
                    self.delete_failed(&key, &mut run, pod, response);
                }
            }
            JobWrite::RemoveFinalizer { uid: pod_uid, .. } => {
                if ok || response.status == 404 {
                    run.removed.insert(pod_uid.clone());
                } else {
                    // No pod update will show the finalizer gone.
                    self.finalizer_removal_observed(&key, pod_uid);
                    run.error = true;
                }
                if !ok && response.status == 404 {
                    self.finalizer_removal_observed(&key, pod_uid);
                }
            }
            JobWrite::Status { .. } => {
                if ok {
                    if let Some(body) = response.body_json() {
                        let mut job = (*body).clone();
                        job["apiVersion"] = json!("batch/v1");
                        job["kind"] = json!("Job");
                        if !job["status"]["uncountedTerminatedPods"].is_object() {
                            job["status"]["uncountedTerminatedPods"] = json!({});
                        }
                        run.job = job;
                    }
                    if run.stage == Stage::RemoveFinalizers {
                        // The first flush: the back-off record follows the counted pods.
                        self.backoff.update(run.new_backoff.clone());
                    }
                } else {
                    // A failed write ends the sync (see `drive`): the first flush before any
                    // finalizer is removed, the last one before the Job is reported finished.
                    run.error = true;
                    run.job_finished = false;
                }
            }
            JobWrite::OrphanPod { .. } | JobWrite::Claim { .. } => unreachable!("handled above"),
        }
        self.drive(&key, run, now, &mut actions);
        actions.requeues.append(&mut self.pending);
        actions
    }

    /// `failDelete`: the delete will not be observed; anything but NotFound fails the sync.
    fn delete_failed(&mut self, key: &str, run: &mut Run, pod: &str, response: &HttpResponse) {
        let ns = namespace(&run.job).to_string();
        self.expectations
            .deletion_observed(key, &format!("{ns}/{pod}"));
        if response.status != 404 {
            run.deleted -= 1;
            run.manage_error = true;
        }
    }
}

/// Milliseconds since the Unix epoch of a simulated moment.
fn unix_ms(now: SimTime) -> i64 {
    (crate::sim::clock::EPOCH_UNIX_SECONDS * 1000 + now.as_millis()) as i64
}

/// `pastBackoffLimitOnFailure`: for `restartPolicy: OnFailure`, the restarts of running and
/// pending pods reach the back-off limit.
fn past_backoff_limit_on_failure(job: &Value, pods: &[Arc<Value>]) -> bool {
    if str_at(job, "/spec/template/spec/restartPolicy") != "OnFailure" {
        return false;
    }
    let restarts: i64 = pods
        .iter()
        .filter(|p| matches!(str_at(p, "/status/phase"), "Running" | "Pending"))
        .flat_map(|p| {
            ["initContainerStatuses", "containerStatuses"]
                .iter()
                .flat_map(|f| {
                    p.pointer(&format!("/status/{f}"))
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                })
                .map(|c| c["restartCount"].as_i64().unwrap_or(0))
                .collect::<Vec<_>>()
        })
        .sum();
    let limit = job
        .pointer("/spec/backoffLimit")
        .and_then(Value::as_i64)
        .unwrap_or(6);
    if limit == 0 {
        restarts > 0
    } else {
        restarts >= limit
    }
}

/// `pastActiveDeadline`.
fn past_active_deadline(job: &Value, now: SimTime) -> bool {
    let Some(ads) = job
        .pointer("/spec/activeDeadlineSeconds")
        .and_then(Value::as_i64)
    else {
        return false;
    };
    let Some(start) = job
        .pointer("/status/startTime")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
    else {
        return false;
    };
    if suspended(job) {
        return false;
    }
    unix_ms(now) - start * 1000 >= ads * 1000
}

/// `activePodsForRemoval`: for Indexed Jobs, pods with repeated or invalid indexes first; then
/// the least valuable active pods (`controller.ActivePods` order).
fn pods_for_removal<'a>(
    job: &Value,
    pods: &[&'a Value],
    rm_at_least: usize,
    is_indexed: bool,
) -> Vec<&'a Value> {
    let (mut rm, mut left) = if is_indexed {
        indexed::duplicated_index_pods(pods, completions(job).unwrap_or(0))
    } else {
        (Vec::new(), pods.to_vec())
    };
    if rm.len() < rm_at_least {
        left.sort_by(|a, b| deletion_order((a, 0), (b, 0)));
        let more = (rm_at_least - rm.len()).min(left.len());
        rm.extend(left.drain(..more));
    }
    rm
}
