//! The TTL-after-finished controller (`pkg/controller/ttlafterfinished`): a finished Job with
//! `ttlSecondsAfterFinished` is deleted that many seconds after its `Complete` or `Failed`
//! condition, in the foreground (its pods go first). Before deleting it reads the Job live,
//! since the informer's copy may carry a stale TTL, and deletes only that very Job (a uid
//! precondition).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::job::is_job_finished;
use super::{Actions, Informers, Requeue, Write, WriteTag};
use crate::apiserver::printers::parse_rfc3339;
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

pub const NAME: &str = "ttlafterfinished";
pub const SERVICE_ACCOUNT: &str = "ttl-after-finished-controller";

/// What a call of the controller was for.
#[derive(Clone, Debug, PartialEq)]
pub enum TtlWrite {
    /// The live read of a Job whose TTL seems to have run out.
    Get { job: String },
    /// Its deletion.
    Delete { job: String },
}

#[derive(Clone, Debug, Default)]
pub struct TtlAfterFinishedController {
    pub queue: WorkQueue,
    delayed: BTreeMap<String, SimTime>,
    pending: Vec<Requeue>,
}

/// `needsCleanup`: a TTL and a finished Job.
fn needs_cleanup(job: &Value) -> bool {
    job.pointer("/spec/ttlSecondsAfterFinished")
        .is_some_and(|t| t.is_i64())
        && is_job_finished(job)
}

/// `timeLeft`: milliseconds until the Job expires (its finish time plus the TTL), from `now`.
fn time_left(job: &Value, now: SimTime) -> Option<i64> {
    let ttl = job
        .pointer("/spec/ttlSecondsAfterFinished")
        .and_then(Value::as_i64)?;
    // `jobFinishTime`: when the Complete or Failed condition became True.
    let finished = job
        .pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True")?
        .get("lastTransitionTime")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)?;
    let now_ms = (crate::sim::clock::EPOCH_UNIX_SECONDS * 1000 + now.as_millis()) as i64;
    Some((finished + ttl) * 1000 - now_ms)
}

impl TtlAfterFinishedController {
    /// `addJob` / `updateJob`: a finished Job with a TTL, not yet being deleted.
    pub fn on_job(&mut self, delta: &Delta) {
        if let Delta::Added(job) | Delta::Updated { new: job, .. } = delta {
            if !is_deleting(job) && needs_cleanup(job) {
                self.queue.add(&crate::client::object_key(job));
            }
        }
    }

    /// A delayed sync came due (the controller-manager's timer).
    pub fn on_requeue(&mut self, key: &str, now: SimTime) {
        if self.delayed.get(key).is_some_and(|t| *t <= now) {
            self.delayed.remove(key);
            self.queue.add(key);
        }
    }

    fn add_after(&mut self, key: &str, after: SimDuration, now: SimTime) {
        let at = now + after;
        if self.delayed.get(key).is_some_and(|t| *t <= at) {
            return;
        }
        self.delayed.insert(key.to_string(), at);
        self.pending.push(Requeue {
            controller: NAME,
            key: key.to_string(),
            after,
        });
    }

    /// `processTTL`: true if the Job has expired; otherwise it is looked at again when it
    /// will have.
    fn expired(&mut self, key: &str, job: &Value, now: SimTime) -> bool {
        if is_deleting(job) || !needs_cleanup(job) {
            return false;
        }
        match time_left(job, now) {
            Some(left) if left <= 0 => true,
            Some(left) => {
                self.add_after(key, SimDuration::from_millis(left as u64), now);
                false
            }
            None => false,
        }
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.queue.get() {
            let expired = informers
                .jobs
                .get(&key)
                .cloned()
                .is_some_and(|job| self.expired(&key, &job, now));
            if expired {
                // The final check reads the Job live; the key stays in processing meanwhile.
                actions.writes.push(Write::new(
                    SERVICE_ACCOUNT,
                    "GET",
                    job_path(&key),
                    WriteTag::TtlAfterFinished(TtlWrite::Get { job: key.clone() }),
                ));
            } else {
                self.queue.forget(&key);
                self.queue.done(&key);
            }
        }
        actions.requeues.append(&mut self.pending);
    }

    pub fn on_response(
        &mut self,
        tag: &TtlWrite,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        match tag {
            TtlWrite::Get { job: key } => {
                let fresh = (response.status == 200)
                    .then(|| response.body_json())
                    .flatten();
                match fresh {
                    Some(job) if self.expired(key, &job, now) => {
                        actions.writes.push(
                            Write::new(
                                SERVICE_ACCOUNT,
                                "DELETE",
                                job_path(key),
                                WriteTag::TtlAfterFinished(TtlWrite::Delete { job: key.clone() }),
                            )
                            .body(json!({
                                "kind": "DeleteOptions",
                                "apiVersion": "v1",
                                "propagationPolicy": "Foreground",
                                "preconditions": {"uid": uid(&job)},
                            })),
                        );
                    }
                    // Gone already (404), or no longer expired: nothing to do.
                    _ if response.status == 200 || response.status == 404 => {
                        self.finish(key, true, now)
                    }
                    _ => self.finish(key, false, now),
                }
            }
            TtlWrite::Delete { job: key } => {
                let ok = (200..300).contains(&response.status) || response.status == 404;
                self.finish(key, ok, now);
            }
        }
        actions.requeues.append(&mut self.pending);
        actions
    }

    fn finish(&mut self, key: &str, ok: bool, now: SimTime) {
        if ok {
            self.queue.forget(key);
        } else {
            self.queue.add_rate_limited(key, now);
        }
        self.queue.done(key);
    }
}

fn job_path(key: &str) -> String {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    format!("/apis/batch/v1/namespaces/{ns}/jobs/{name}")
}
