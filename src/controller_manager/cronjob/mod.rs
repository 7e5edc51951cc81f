//! The CronJob controller (`pkg/controller/cronjob/cronjob_controllerv2.go`): creates a Job
//! for each scheduled time of a CronJob, named `<cronjob>-<scheduled time in minutes since the
//! Unix epoch>` (the name is the lock against creating it twice), honouring
//! `concurrencyPolicy` (Allow, Forbid: skip while one runs, Replace: delete the running ones),
//! `startingDeadlineSeconds`, `suspend` and the history limits (finished Jobs beyond
//! `successfulJobsHistoryLimit`/`failedJobsHistoryLimit` are deleted, oldest first); it keeps
//! `status.active`, `lastScheduleTime` and `lastSuccessfulTime`. Between scheduled times the
//! CronJob waits in the work queue (`AddAfter` until the next time plus 100 ms), on the
//! controller-manager's timers.
//!
//! Calls are made in the real order, each after the previous answer (see [`CronRun`]); where
//! the real controller reads a CronJob or Job live from the API server because its cache may lag
//! (an unfinished Job missing from `status.active`, a Job that already exists), this one does
//! the same GET, except for the CronJob itself: it keeps the object its last status write
//! returned and uses it while the informer has not caught up.
//!
//! Time zones: UTC only (see [`schedule`]).

pub mod schedule;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::job::is_job_finished;
use super::record::EventRecorder;
use super::{Actions, Informers, Requeue, Write, WriteTag};
use crate::apiserver::printers::parse_rfc3339;
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

use schedule::Schedule;

pub const NAME: &str = "cronjob";
pub const SERVICE_ACCOUNT: &str = "cronjob-controller";
pub const COMPONENT: &str = "cronjob-controller";
/// `nextScheduleDelta`: the wake-up comes this long after the scheduled time.
pub const NEXT_SCHEDULE_DELTA: SimDuration = SimDuration::from_millis(100);
/// `batchv1.CronJobScheduledTimestampAnnotation`.
pub const SCHEDULED_TIMESTAMP_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// What a call of the CronJob controller was for.
#[derive(Clone, Debug, PartialEq)]
pub enum CronJobWrite {
    /// The delete of a finished Job beyond the history limits, or of an active one (Replace).
    DeleteJob {
        cronjob: String,
        job: String,
        uid: String,
    },
    /// The live GET of an active Job the informer does not have.
    GetActiveJob { cronjob: String, uid: String },
    /// The create of the Job of the scheduled time.
    CreateJob { cronjob: String },
    /// The GET of a Job whose create said AlreadyExists.
    GetExistingJob { cronjob: String },
    /// The `cronjobs/status` update.
    Status { cronjob: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// `cleanupFinishedJobs`: deletes beyond the history limits.
    Cleanup,
    /// `syncCronJob` up to the schedule: active list against the Jobs seen.
    Reconcile,
    /// Live GETs of active Jobs missing from the informer.
    VerifyActive,
    /// The schedule decision (and, for Replace, the deletes of the active Jobs).
    Schedule,
    /// The Job create is in flight (or its AlreadyExists GET).
    Create,
    /// The status write.
    Status,
    Done,
}

/// One sync of a CronJob in progress.
#[derive(Clone, Debug)]
pub struct CronRun {
    stage: Stage,
    in_flight: usize,
    cronjob: Value,
    jobs: Vec<Arc<Value>>,
    update_status: bool,
    /// The Job of the scheduled time, while its create is in flight.
    scheduled: Option<i64>,
    /// When to sync again (the next scheduled time plus 100 ms), computed when the sync
    /// decided, as the real controller's `AddAfter` at the end of the same sync.
    requeue_at: Option<SimTime>,
    /// When the sync began (its `now`).
    started: SimTime,
    error: bool,
}

#[derive(Clone, Debug)]
pub struct CronJobController {
    pub queue: WorkQueue,
    pub runs: BTreeMap<String, CronRun>,
    /// The CronJob as its last status write returned it, by key.
    written: BTreeMap<String, Arc<Value>>,
    delayed: BTreeMap<String, SimTime>,
    pending: Vec<Requeue>,
    /// Events recorded by the informer handlers, sent with the next batch of writes.
    pending_writes: Vec<Write>,
    recorder: EventRecorder,
}

impl Default for CronJobController {
    fn default() -> Self {
        CronJobController {
            queue: WorkQueue::default(),
            runs: BTreeMap::new(),
            written: BTreeMap::new(),
            delayed: BTreeMap::new(),
            pending: Vec::new(),
            pending_writes: Vec::new(),
            recorder: EventRecorder::new(SERVICE_ACCOUNT, COMPONENT),
        }
    }
}

fn resource_version(obj: &Value) -> u64 {
    str_at(obj, "/metadata/resourceVersion")
        .parse()
        .unwrap_or(0)
}

fn cronjob_path(key: &str) -> String {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    format!("/apis/batch/v1/namespaces/{ns}/cronjobs/{name}")
}

fn job_path(ns: &str, name: &str) -> String {
    format!("/apis/batch/v1/namespaces/{ns}/jobs/{name}")
}

/// The condition a finished Job ended with (`getFinishedStatus`).
fn finished_status(job: &Value) -> Option<String> {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True")
        .and_then(|c| c["type"].as_str().map(str::to_string))
}

fn is_job_succeeded(job: &Value) -> bool {
    finished_status(job).as_deref() == Some("Complete")
}

fn active_list(cj: &Value) -> Vec<Value> {
    cj.pointer("/status/active")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn set_active(cj: &mut Value, list: Vec<Value>) {
    if list.is_empty() {
        if let Some(s) = cj.get_mut("status").and_then(Value::as_object_mut) {
            s.remove("active");
        }
    } else {
        cj["status"]["active"] = json!(list);
    }
}

fn in_active_list(cj: &Value, job_uid: &str) -> bool {
    active_list(cj).iter().any(|r| r["uid"] == job_uid)
}

fn delete_from_active_list(cj: &mut Value, job_uid: &str) {
    let list: Vec<Value> = active_list(cj)
        .into_iter()
        .filter(|r| r["uid"] != job_uid)
        .collect();
    set_active(cj, list);
}

/// `getRef`: the ObjectReference kept in `status.active`.
fn job_ref(job: &Value) -> Value {
    json!({
        "kind": "Job",
        "namespace": namespace(job),
        "name": name(job),
        "uid": uid(job),
        "apiVersion": "batch/v1",
        "resourceVersion": str_at(job, "/metadata/resourceVersion"),
    })
}

/// `getJobName`: `<cronjob>-<scheduled time in minutes since the Unix epoch>`.
pub fn job_name(cronjob: &str, scheduled: i64) -> String {
    format!("{cronjob}-{}", scheduled / 60)
}

fn unix_ms(now: SimTime) -> i64 {
    (crate::sim::clock::EPOCH_UNIX_SECONDS * 1000 + now.as_millis()) as i64
}

/// `formatSchedule`: the schedule with the time zone as robfig reads it (`TZ=<zone> ...`).
fn format_schedule(cj: &Value) -> String {
    let schedule = str_at(cj, "/spec/schedule");
    match cj.pointer("/spec/timeZone").and_then(Value::as_str) {
        Some(tz) if !schedule.contains("TZ") && known_time_zone(tz) => {
            format!("TZ={tz} {schedule}")
        }
        _ => schedule.to_string(),
    }
}

/// `time.LoadLocation` without a time zone database: UTC only.
fn known_time_zone(tz: &str) -> bool {
    matches!(tz, "UTC" | "Etc/UTC" | "")
}

/// How many schedules were missed (`missedSchedulesType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Missed {
    None,
    Few,
    Many,
}

/// `mostRecentScheduleTime`: the earliest time considered, the most recent scheduled time
/// not after `now` (if any), and how many were missed. Times in Unix seconds; `now` in ms.
fn most_recent_schedule_time(
    cj: &Value,
    now_ms: i64,
    sched: &Schedule,
    include_starting_deadline: bool,
) -> Result<(i64, Option<i64>, Missed), String> {
    let ts = |p: &str| {
        cj.pointer(p)
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
    };
    let mut earliest = ts("/status/lastScheduleTime")
        .or_else(|| ts("/metadata/creationTimestamp"))
        .unwrap_or(now_ms / 1000);
    if include_starting_deadline {
        if let Some(sds) = cj
            .pointer("/spec/startingDeadlineSeconds")
            .and_then(Value::as_i64)
        {
            // Compared in ms: `schedulingDeadline.After(earliestTime)`.
            let deadline_ms = now_ms - sds * 1000;
            if deadline_ms > earliest * 1000 {
                earliest = deadline_ms.div_euclid(1000);
            }
        }
    }
    let (Some(t1), Some(t2)) = (
        sched.next(earliest),
        sched.next(earliest).and_then(|t| sched.next(t)),
    ) else {
        return Ok((earliest, None, Missed::None));
    };
    if now_ms < t1 * 1000 {
        return Ok((earliest, None, Missed::None));
    }
    if now_ms < t2 * 1000 {
        return Ok((earliest, Some(t1), Missed::None));
    }
    let between = t2 - t1;
    if between < 1 {
        return Err("time difference between two schedules is less than 1 second".into());
    }
    let elapsed = (now_ms - t1 * 1000) / 1000;
    let missed_count = elapsed / between + 1;
    let potential_earliest = t1 + (missed_count - 2) * between;
    let mut most_recent = None;
    let mut t = sched.next(potential_earliest);
    while let Some(x) = t.filter(|x| x * 1000 <= now_ms) {
        most_recent = Some(x);
        t = sched.next(x);
    }
    let missed = match missed_count {
        n if n > 100 => Missed::Many,
        n if n > 1 => Missed::Few,
        _ => Missed::None,
    };
    Ok((earliest, most_recent, missed))
}

/// `nextScheduleTimeDuration`: how long until the next scheduled time, plus 100 ms.
fn next_schedule_time_duration(cj: &Value, now_ms: i64, sched: &Schedule) -> SimDuration {
    let most_recent = match most_recent_schedule_time(cj, now_ms, sched, false) {
        Err(_) => now_ms / 1000,
        Ok((_, Some(t), _)) => t,
        Ok((earliest, None, Missed::None)) => earliest,
        Ok((_, None, _)) => now_ms / 1000,
    };
    match sched.next(most_recent) {
        Some(next) => SimDuration::from_millis(
            (next * 1000 + NEXT_SCHEDULE_DELTA.as_millis() as i64 - now_ms).max(0) as u64,
        ),
        // No time within five years: look again in a day.
        None => SimDuration::from_secs(86_400),
    }
}

impl CronJobController {
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

    /// The freshest CronJob known: the informer's, or the one the last status write returned.
    fn cronjob(&self, key: &str, informers: &Informers) -> Option<Arc<Value>> {
        let cached = informers.cronjobs.get(key)?;
        match self.written.get(key) {
            Some(w) if uid(w) == uid(cached) && resource_version(w) > resource_version(cached) => {
                Some(w.clone())
            }
            _ => Some(cached.clone()),
        }
    }

    fn owner_key(&self, job: &Value, informers: &Informers) -> Option<String> {
        let owner = controller_of(job)?;
        if owner["kind"] != "CronJob" {
            return None;
        }
        let key = format!(
            "{}/{}",
            namespace(job),
            owner["name"].as_str().unwrap_or("")
        );
        let cj = informers.cronjobs.get(&key)?;
        (uid(cj) == owner["uid"].as_str().unwrap_or("")).then_some(key)
    }

    /// Job events (`addJob`, `updateJob`, `deleteJob`): the owning CronJob syncs.
    pub fn on_job(&mut self, delta: &Delta, informers: &Informers) {
        match delta {
            Delta::Updated { old, new } => {
                if str_at(old, "/metadata/resourceVersion")
                    == str_at(new, "/metadata/resourceVersion")
                {
                    return;
                }
                if controller_of(old) != controller_of(new) {
                    if let Some(key) = self.owner_key(old, informers) {
                        self.queue.add(&key);
                    }
                }
                if let Some(key) = self.owner_key(new, informers) {
                    self.queue.add(&key);
                }
            }
            Delta::Added(job) | Delta::Deleted(job) => {
                if let Some(key) = self.owner_key(job, informers) {
                    self.queue.add(&key);
                }
            }
        }
    }

    /// CronJob events: a new or deleted CronJob syncs now; a changed schedule waits for its
    /// next time (`updateCronJob`).
    pub fn on_cronjob(&mut self, delta: &Delta, now: SimTime) {
        let cj = delta.object();
        let key = crate::client::object_key(cj);
        match delta {
            Delta::Added(_) => self.queue.add(&key),
            Delta::Deleted(_) => {
                self.written.remove(&key);
                self.queue.add(&key);
            }
            Delta::Updated { old, new } => {
                let changed = old.pointer("/spec/schedule") != new.pointer("/spec/schedule")
                    || old.pointer("/spec/timeZone") != new.pointer("/spec/timeZone");
                if !changed {
                    self.queue.add(&key);
                    return;
                }
                match Schedule::parse(&format_schedule(new)) {
                    Ok(sched) => {
                        let delay = next_schedule_time_duration(new, unix_ms(now), &sched);
                        self.add_after(&key, delay, now);
                    }
                    Err(_) => self.pending_writes.push(self.recorder.event(
                        new,
                        ("batch/v1", "CronJob"),
                        "Warning",
                        "UnParseableCronJobSchedule",
                        &format!(
                            "unparseable schedule for cronjob: {}",
                            str_at(new, "/spec/schedule")
                        ),
                        now,
                    )),
                }
            }
        }
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        actions.writes.append(&mut self.pending_writes);
        while let Some(key) = self.queue.get() {
            self.sync(&key, informers, now, actions);
        }
        actions.requeues.append(&mut self.pending);
    }

    fn end(&mut self, key: &str, run: CronRun, now: SimTime) {
        self.runs.remove(key);
        if run.error {
            self.queue.add_rate_limited(key, now);
        } else if let Some(at) = run.requeue_at {
            self.queue.forget(key);
            let after = SimDuration::from_millis(at.as_millis().saturating_sub(now.as_millis()));
            self.add_after(key, after, now);
        }
        self.queue.done(key);
    }

    fn event(
        &mut self,
        run: &CronRun,
        kind: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) -> Write {
        self.recorder.event(
            &run.cronjob,
            ("batch/v1", "CronJob"),
            kind,
            reason,
            message,
            now,
        )
    }

    /// `sync`: the CronJob and its Jobs, then the calls in order.
    fn sync(&mut self, key: &str, informers: &Informers, now: SimTime, actions: &mut Actions) {
        let Some(cj) = self.cronjob(key, informers) else {
            self.written.remove(key);
            self.queue.forget(key);
            self.queue.done(key);
            return;
        };
        // `getJobsToBeReconciled`: Jobs whose controller reference names this CronJob.
        let jobs: Vec<Arc<Value>> = in_namespace(&informers.jobs.cache, namespace(&cj))
            .filter(|j| controller_of(j).is_some_and(|r| r["name"] == name(&cj)))
            .cloned()
            .collect();
        let mut cronjob = (*cj).clone();
        cronjob["apiVersion"] = json!("batch/v1");
        cronjob["kind"] = json!("CronJob");
        if !cronjob["status"].is_object() {
            cronjob["status"] = json!({});
        }
        let mut run = CronRun {
            stage: Stage::Cleanup,
            in_flight: 0,
            cronjob,
            jobs,
            update_status: false,
            scheduled: None,
            requeue_at: None,
            started: now,
            error: false,
        };
        self.cleanup_finished_jobs(key, &mut run, actions);
        self.drive(key, run, now, actions);
    }

    /// `cleanupFinishedJobs` / `removeOldestJobs`: finished Jobs beyond the history limits go,
    /// oldest start first.
    fn cleanup_finished_jobs(&mut self, key: &str, run: &mut CronRun, actions: &mut Actions) {
        let limit = |f: &str| {
            run.cronjob
                .pointer(&format!("/spec/{f}"))
                .and_then(Value::as_i64)
        };
        let mut victims: Vec<Arc<Value>> = Vec::new();
        for (status, field) in [
            ("Complete", "successfulJobsHistoryLimit"),
            ("Failed", "failedJobsHistoryLimit"),
        ] {
            let Some(max) = limit(field) else { continue };
            let mut finished: Vec<Arc<Value>> = run
                .jobs
                .iter()
                .filter(|j| finished_status(j).as_deref() == Some(status))
                .cloned()
                .collect();
            let n = finished.len() as i64 - max;
            if n <= 0 {
                continue;
            }
            // `byJobStartTime`: no start time sorts last; the name breaks ties.
            finished.sort_by(|a, b| {
                let start = |j: &Value| {
                    j.pointer("/status/startTime")
                        .and_then(Value::as_str)
                        .and_then(parse_rfc3339)
                };
                match (start(a), start(b)) {
                    (Some(x), Some(y)) if x != y => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    _ => name(a).cmp(name(b)),
                }
            });
            victims.extend(finished.into_iter().take(n as usize));
        }
        for job in victims {
            self.delete_job(key, run, &job, actions);
        }
    }

    /// `deleteJob` (`realJobControl.DeleteJob`): background propagation, so its pods go too.
    fn delete_job(&mut self, key: &str, run: &mut CronRun, job: &Value, actions: &mut Actions) {
        run.in_flight += 1;
        actions.writes.push(
            Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                job_path(namespace(job), name(job)),
                WriteTag::CronJob(CronJobWrite::DeleteJob {
                    cronjob: key.to_string(),
                    job: name(job).to_string(),
                    uid: uid(job).to_string(),
                }),
            )
            .body(json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"})),
        );
    }

    fn drive(&mut self, key: &str, mut run: CronRun, now: SimTime, actions: &mut Actions) {
        loop {
            if run.in_flight > 0 {
                self.runs.insert(key.to_string(), run);
                return;
            }
            match run.stage {
                Stage::Cleanup => run.stage = Stage::Reconcile,
                Stage::Reconcile => {
                    self.reconcile(key, &mut run, now, actions);
                    run.stage = Stage::VerifyActive;
                }
                Stage::VerifyActive => {
                    if run.error {
                        run.stage = Stage::Status;
                        continue;
                    }
                    self.decide(key, &mut run, now, actions);
                    if run.stage == Stage::VerifyActive {
                        run.stage = Stage::Status;
                    }
                }
                Stage::Schedule => {
                    // Replace's deletes are done: create the Job.
                    if run.error {
                        run.stage = Stage::Status;
                        continue;
                    }
                    self.create_job(key, &mut run, actions);
                    run.stage = Stage::Create;
                }
                Stage::Create => run.stage = Stage::Status,
                Stage::Status => {
                    if run.update_status {
                        run.in_flight += 1;
                        actions.writes.push(
                            Write::new(
                                SERVICE_ACCOUNT,
                                "PUT",
                                format!("{}/status", cronjob_path(key)),
                                WriteTag::CronJob(CronJobWrite::Status {
                                    cronjob: key.to_string(),
                                }),
                            )
                            .body(ordered_status(run.cronjob.clone())),
                        );
                    }
                    run.stage = Stage::Done;
                }
                Stage::Done => {
                    self.end(key, run, now);
                    return;
                }
            }
        }
    }

    /// The start of `syncCronJob`: finished Jobs leave the active list, `lastSuccessfulTime`
    /// follows the newest completion, and active Jobs the informer lacks are looked up live.
    fn reconcile(&mut self, key: &str, run: &mut CronRun, now: SimTime, actions: &mut Actions) {
        let jobs = run.jobs.clone();
        for j in &jobs {
            let found = in_active_list(&run.cronjob, uid(j));
            if !found && !is_job_finished(j) {
                let msg = format!(
                    "Saw a job that the controller did not create or forgot: {}",
                    name(j)
                );
                actions
                    .writes
                    .push(self.event(run, "Warning", "UnexpectedJob", &msg, now));
            } else if found && is_job_finished(j) {
                let status = finished_status(j).unwrap_or_default();
                delete_from_active_list(&mut run.cronjob, uid(j));
                let msg = format!("Saw completed job: {}, status: {status}", name(j));
                actions
                    .writes
                    .push(self.event(run, "Normal", "SawCompletedJob", &msg, now));
                run.update_status = true;
            } else if is_job_succeeded(j) {
                let completion = j.pointer("/status/completionTime").and_then(Value::as_str);
                let last = run
                    .cronjob
                    .pointer("/status/lastSuccessfulTime")
                    .and_then(Value::as_str);
                if let Some(c) = completion {
                    let newer = match last.and_then(parse_rfc3339) {
                        None => true,
                        Some(l) => parse_rfc3339(c).is_some_and(|c| c > l),
                    };
                    if newer {
                        run.cronjob["status"]["lastSuccessfulTime"] = json!(c);
                        run.update_status = true;
                    }
                }
            }
        }
        let known: Vec<String> = jobs.iter().map(|j| uid(j).to_string()).collect();
        for r in active_list(&run.cronjob) {
            let ref_uid = r["uid"].as_str().unwrap_or("").to_string();
            if known.contains(&ref_uid) {
                continue;
            }
            run.in_flight += 1;
            actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "GET",
                job_path(
                    r["namespace"].as_str().unwrap_or(""),
                    r["name"].as_str().unwrap_or(""),
                ),
                WriteTag::CronJob(CronJobWrite::GetActiveJob {
                    cronjob: key.to_string(),
                    uid: ref_uid,
                }),
            ));
        }
    }

    /// The rest of `syncCronJob`: whether a Job is due now, and what stands in its way.
    fn decide(&mut self, key: &str, run: &mut CronRun, now: SimTime, actions: &mut Actions) {
        let cj = run.cronjob.clone();
        if is_deleting(&cj) {
            return;
        }
        if let Some(tz) = cj.pointer("/spec/timeZone").and_then(Value::as_str) {
            if !known_time_zone(tz) {
                let msg = format!("invalid timeZone: \"{tz}\": unknown time zone {tz}");
                actions
                    .writes
                    .push(self.event(run, "Warning", "UnknownTimeZone", &msg, now));
                return;
            }
        }
        if cj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
            return;
        }
        let schedule_text = str_at(&cj, "/spec/schedule").to_string();
        if schedule_text.contains("TZ") {
            let msg = format!("CRON_TZ or TZ used in schedule \"{schedule_text}\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
            actions
                .writes
                .push(self.event(run, "Warning", "UnsupportedSchedule", &msg, now));
        }
        let sched = match Schedule::parse(&format_schedule(&cj)) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("unparseable schedule: \"{schedule_text}\" : {e}");
                actions
                    .writes
                    .push(self.event(run, "Warning", "UnparseableSchedule", &msg, now));
                return;
            }
        };
        let now_ms = unix_ms(now);
        // `nextScheduleTime`.
        let scheduled = match most_recent_schedule_time(&cj, now_ms, &sched, true) {
            Err(e) => {
                let msg = format!("invalid schedule: {schedule_text} : {e}");
                actions
                    .writes
                    .push(self.event(run, "Warning", "InvalidSchedule", &msg, now));
                return;
            }
            Ok((_, most_recent, missed)) => {
                if missed == Missed::Many && most_recent.is_some() {
                    actions.writes.push(self.event(
                        run,
                        "Warning",
                        "TooManyMissedTimes",
                        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                        now,
                    ));
                }
                most_recent
            }
        };
        let requeue = next_schedule_time_duration(&cj, now_ms, &sched);
        let Some(scheduled) = scheduled else {
            run.requeue_at = Some(now + requeue);
            return;
        };
        if let Some(sds) = cj
            .pointer("/spec/startingDeadlineSeconds")
            .and_then(Value::as_i64)
        {
            if (scheduled + sds) * 1000 < now_ms {
                let msg = format!(
                    "Missed scheduled time to start a job: {}",
                    schedule::rfc1123z(scheduled)
                );
                actions
                    .writes
                    .push(self.event(run, "Warning", "MissSchedule", &msg, now));
                run.requeue_at = Some(now + requeue);
                return;
            }
        }
        let name_due = job_name(name(&cj), scheduled);
        let already = active_list(&cj)
            .iter()
            .any(|r| r["name"] == name_due.as_str())
            || cj
                .pointer("/status/lastScheduleTime")
                .and_then(Value::as_str)
                .and_then(parse_rfc3339)
                == Some(scheduled);
        if already {
            run.requeue_at = Some(now + requeue);
            return;
        }
        let policy = str_at(&cj, "/spec/concurrencyPolicy");
        if policy == "Forbid" && !active_list(&cj).is_empty() {
            actions.writes.push(self.event(
                run,
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
                now,
            ));
            run.requeue_at = Some(now + requeue);
            return;
        }
        run.scheduled = Some(scheduled);
        run.stage = Stage::Schedule;
        if policy == "Replace" {
            for r in active_list(&cj) {
                let job = json!({"metadata": {
                    "name": r["name"], "namespace": r["namespace"], "uid": r["uid"],
                }});
                self.delete_job(key, run, &job, actions);
                run.update_status = true;
            }
        }
    }

    /// `getJobFromTemplate2` and the create.
    fn create_job(&mut self, key: &str, run: &mut CronRun, actions: &mut Actions) {
        let cj = &run.cronjob;
        let scheduled = run.scheduled.expect("a scheduled time");
        let template = cj.pointer("/spec/jobTemplate").cloned().unwrap_or_default();
        let mut metadata = json!({
            "name": job_name(name(cj), scheduled),
            "namespace": namespace(cj),
            "ownerReferences": [new_controller_ref(cj, "batch/v1", "CronJob")],
        });
        if let Some(labels) = template
            .pointer("/metadata/labels")
            .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        {
            metadata["labels"] = labels.clone();
        }
        let mut annotations = template
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        annotations.insert(
            SCHEDULED_TIMESTAMP_ANNOTATION.to_string(),
            json!(schedule::rfc3339(scheduled)),
        );
        metadata["annotations"] = Value::Object(annotations);
        let job = json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": metadata,
            "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
        });
        run.in_flight += 1;
        actions.writes.push(
            Write::new(
                SERVICE_ACCOUNT,
                "POST",
                format!("/apis/batch/v1/namespaces/{}/jobs", namespace(cj)),
                WriteTag::CronJob(CronJobWrite::CreateJob {
                    cronjob: key.to_string(),
                }),
            )
            .body(job),
        );
    }

    /// A Job was created (or found already there): it joins the active list.
    fn job_started(&mut self, run: &mut CronRun, job: &Value) {
        let mut list = active_list(&run.cronjob);
        list.push(job_ref(job));
        set_active(&mut run.cronjob, list);
        let scheduled = run.scheduled.expect("a scheduled time");
        run.cronjob["status"]["lastScheduleTime"] = json!(schedule::rfc3339(scheduled));
        run.update_status = true;
        if let Ok(sched) = Schedule::parse(&format_schedule(&run.cronjob)) {
            // `now` of the sync, as in the real controller's one pass.
            let now = run.started;
            run.requeue_at =
                Some(now + next_schedule_time_duration(&run.cronjob, unix_ms(now), &sched));
        }
    }

    pub fn on_response(
        &mut self,
        tag: &CronJobWrite,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        let key = match tag {
            CronJobWrite::DeleteJob { cronjob, .. }
            | CronJobWrite::GetActiveJob { cronjob, .. }
            | CronJobWrite::CreateJob { cronjob }
            | CronJobWrite::GetExistingJob { cronjob }
            | CronJobWrite::Status { cronjob } => cronjob.clone(),
        };
        let Some(mut run) = self.runs.remove(&key) else {
            return actions;
        };
        run.in_flight -= 1;
        let ok = (200..300).contains(&response.status);
        match tag {
            CronJobWrite::DeleteJob {
                job, uid: job_uid, ..
            } => {
                if ok || response.status == 404 {
                    delete_from_active_list(&mut run.cronjob, job_uid);
                    let msg = format!("Deleted job {job}");
                    actions
                        .writes
                        .push(self.event(&run, "Normal", "SuccessfulDelete", &msg, now));
                    run.update_status = true;
                } else {
                    let msg = format!("Deleted job: {}", error_message(response));
                    actions
                        .writes
                        .push(self.event(&run, "Warning", "FailedDelete", &msg, now));
                    if run.stage == Stage::Schedule {
                        // Replace could not remove the running Job.
                        run.error = true;
                    }
                }
            }
            CronJobWrite::GetActiveJob { uid: job_uid, .. } => match response.status {
                404 => {
                    let job_name = active_list(&run.cronjob)
                        .iter()
                        .find(|r| r["uid"] == job_uid.as_str())
                        .and_then(|r| r["name"].as_str().map(str::to_string))
                        .unwrap_or_default();
                    let msg = format!("Active job went missing: {job_name}");
                    actions
                        .writes
                        .push(self.event(&run, "Normal", "MissingJob", &msg, now));
                    delete_from_active_list(&mut run.cronjob, job_uid);
                    run.update_status = true;
                }
                200 => {}
                _ => run.error = true,
            },
            CronJobWrite::CreateJob { .. } => match response.status {
                201 => {
                    let job = response
                        .body_json()
                        .map(|b| (*b).clone())
                        .unwrap_or_default();
                    let msg = format!("Created job {}", name(&job));
                    actions
                        .writes
                        .push(self.event(&run, "Normal", "SuccessfulCreate", &msg, now));
                    self.job_started(&mut run, &job);
                }
                409 => {
                    // AlreadyExists: read it; if it is ours and not listed, list it.
                    let scheduled = run.scheduled.expect("a scheduled time");
                    let ns = namespace(&run.cronjob).to_string();
                    let job = job_name(name(&run.cronjob), scheduled);
                    run.in_flight += 1;
                    actions.writes.push(Write::new(
                        SERVICE_ACCOUNT,
                        "GET",
                        job_path(&ns, &job),
                        WriteTag::CronJob(CronJobWrite::GetExistingJob {
                            cronjob: key.clone(),
                        }),
                    ));
                }
                _ => {
                    let message = error_message(response);
                    if !message.contains("because it is being terminated") {
                        let msg = format!("Error creating job: {message}");
                        actions
                            .writes
                            .push(self.event(&run, "Warning", "FailedCreate", &msg, now));
                    }
                    run.error = true;
                }
            },
            CronJobWrite::GetExistingJob { .. } => {
                if ok {
                    let job = response
                        .body_json()
                        .map(|b| (*b).clone())
                        .unwrap_or_default();
                    let ours = controller_of(&job).is_some_and(|r| r["uid"] == uid(&run.cronjob));
                    if ours && !in_active_list(&run.cronjob, uid(&job)) {
                        self.job_started(&mut run, &job);
                    }
                } else {
                    run.error = true;
                }
            }
            CronJobWrite::Status { .. } => {
                if ok {
                    if let Some(body) = response.body_json() {
                        self.written.insert(key.clone(), body);
                    }
                } else {
                    run.error = true;
                }
            }
        }
        self.drive(&key, run, now, &mut actions);
        actions.requeues.append(&mut self.pending);
        actions
    }
}

/// The CronJob with its status in `CronJobStatus`'s field order.
fn ordered_status(mut cj: Value) -> Value {
    if let Some(status) = cj.get_mut("status").and_then(Value::as_object_mut) {
        let mut ordered = serde_json::Map::new();
        for k in ["active", "lastScheduleTime", "lastSuccessfulTime"] {
            if let Some(v) = status.remove(k) {
                ordered.insert(k.to_string(), v);
            }
        }
        ordered.append(status);
        *status = ordered;
    }
    cj
}

fn error_message(response: &HttpResponse) -> String {
    response
        .body_json()
        .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| format!("the server responded with status {}", response.status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_count_minutes_since_the_epoch() {
        // 2026-01-01T00:01:00Z.
        assert_eq!(job_name("hello", 1_767_225_660), "hello-29453761");
    }

    #[test]
    fn the_most_recent_missed_time_is_found() {
        let cj = json!({"metadata": {"creationTimestamp": "2026-01-01T00:00:00Z"},
                        "spec": {"schedule": "*/1 * * * *"}});
        let sched = Schedule::parse("*/1 * * * *").unwrap();
        let t0 = 1_767_225_600i64;
        // 30 s in: nothing due yet.
        assert_eq!(
            most_recent_schedule_time(&cj, t0 * 1000 + 30_000, &sched, true),
            Ok((t0, None, Missed::None))
        );
        // 61 s in: 00:01 is due.
        assert_eq!(
            most_recent_schedule_time(&cj, t0 * 1000 + 61_000, &sched, true),
            Ok((t0, Some(t0 + 60), Missed::None))
        );
        // 5.5 min in: four missed, the latest is 00:05.
        assert_eq!(
            most_recent_schedule_time(&cj, t0 * 1000 + 330_000, &sched, true),
            Ok((t0, Some(t0 + 300), Missed::Few))
        );
        // The wake-up is 100 ms after the next minute.
        assert_eq!(
            next_schedule_time_duration(&cj, t0 * 1000 + 30_000, &sched),
            SimDuration::from_millis(30_100)
        );
    }
}
