//! The ReplicaSet controller (`pkg/controller/replicaset`): keeps `spec.replicas` pods matching
//! the selector, creating them from the template in slow-start batches (1, 2, 4...) and deleting
//! the least valuable first; adopts orphans that match and releases owned pods that no longer
//! match; reports what it counted in `status`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::record::EventRecorder;
use super::{Actions, Informers, Requeue, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{Rng, SimDuration, SimTime};

pub const NAME: &str = "replicaset";
pub const SERVICE_ACCOUNT: &str = "replicaset-controller";
/// `BurstReplicas`: at most this many creates or deletes per sync.
pub const BURST_REPLICAS: i64 = 500;
/// `SlowStartInitialBatchSize`.
pub const SLOW_START_INITIAL_BATCH_SIZE: i64 = 1;

/// A slow-start run of creates in progress for one ReplicaSet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlowStart {
    /// Creates not yet sent.
    pub remaining: i64,
    /// Size of the batch in flight.
    pub batch: i64,
    pub in_flight: i64,
    pub failed: bool,
    /// The pod to create (the same for every create of the run).
    pub pod: Value,
    pub path: String,
}

#[derive(Clone, Debug)]
pub struct ReplicaSetController {
    pub queue: WorkQueue,
    pub expectations: ControllerExpectations,
    pub slow_start: BTreeMap<String, SlowStart>,
    /// Events as `replicaset-controller`.
    pub recorder: EventRecorder,
}

impl Default for ReplicaSetController {
    fn default() -> ReplicaSetController {
        ReplicaSetController {
            queue: WorkQueue::default(),
            expectations: ControllerExpectations::default(),
            slow_start: BTreeMap::new(),
            recorder: EventRecorder::new(SERVICE_ACCOUNT, "replicaset-controller"),
        }
    }
}

fn rs_path(ns: &str, name: &str) -> String {
    format!("/apis/apps/v1/namespaces/{ns}/replicasets/{name}")
}

impl ReplicaSetController {
    /// Pod events: observe expectations and queue the owner (or, for an orphan, every
    /// ReplicaSet whose selector matches it, which may adopt it).
    pub fn on_pod(&mut self, delta: &Delta, informers: &Informers) {
        let pod = delta.object();
        let pod_key = crate::client::object_key(pod);
        let owner = controller_of(pod)
            .filter(|r| r["kind"] == "ReplicaSet")
            .map(|r| format!("{}/{}", namespace(pod), r["name"].as_str().unwrap_or("")));
        match delta {
            Delta::Added(_) => {
                if let Some(rs) = &owner {
                    if is_deleting(pod) {
                        self.expectations.deletion_observed(rs, &pod_key);
                    } else {
                        self.expectations.creation_observed(rs);
                    }
                }
            }
            Delta::Updated { old, new } => {
                if let Some(rs) = &owner {
                    if is_deleting(new) && !is_deleting(old) {
                        self.expectations.deletion_observed(rs, &pod_key);
                    }
                }
                // A changed controller ref: the old owner must recount too.
                if let Some(old_ref) = controller_of(old).filter(|r| r["kind"] == "ReplicaSet") {
                    let old_rs = format!(
                        "{}/{}",
                        namespace(old),
                        old_ref["name"].as_str().unwrap_or("")
                    );
                    if Some(&old_rs) != owner.as_ref() {
                        self.queue.add(&old_rs);
                    }
                }
            }
            Delta::Deleted(_) => {
                if let Some(rs) = &owner {
                    self.expectations.deletion_observed(rs, &pod_key);
                }
            }
        }
        match owner {
            Some(rs) => self.queue.add(&rs),
            None if !matches!(delta, Delta::Deleted(_)) => {
                for rs in in_namespace(&informers.replicasets.cache, namespace(pod)) {
                    if selector_of(rs).matches_object(pod) {
                        self.queue.add(&crate::client::object_key(rs));
                    }
                }
            }
            None => {}
        }
    }

    pub fn on_replicaset(&mut self, delta: &Delta) {
        self.queue.add(&crate::client::object_key(delta.object()));
    }

    pub fn process(
        &mut self,
        informers: &Informers,
        now: SimTime,
        _rng: &mut Rng,
        actions: &mut Actions,
    ) {
        while let Some(key) = self.queue.get() {
            self.sync(&key, informers, now, actions);
            self.queue.done(&key);
        }
    }

    /// `syncReplicaSet`.
    fn sync(&mut self, key: &str, informers: &Informers, now: SimTime, actions: &mut Actions) {
        let Some(rs) = informers.replicasets.get(key).cloned() else {
            self.expectations.delete(key);
            self.slow_start.remove(key);
            return;
        };
        let ns = namespace(&rs).to_string();
        let rs_name = name(&rs).to_string();
        let needs_sync =
            self.expectations.satisfied(key, now) && !self.slow_start.contains_key(key);
        let selector = selector_of(&rs);
        let rs_uid = uid(&rs).to_string();

        // claimPods: owned and matching, adopted orphans; owned but no longer matching are
        // released (their controller reference removed).
        let mut claimed: Vec<&Value> = Vec::new();
        for pod in in_namespace(&informers.pods.cache, &ns) {
            if !is_pod_active(pod) {
                continue;
            }
            let matches = selector.matches_object(pod);
            match controller_of(pod) {
                Some(r) if r["uid"] == rs_uid.as_str() => {
                    if matches {
                        claimed.push(pod);
                    } else {
                        actions.writes.push(
                            Write::new(
                                SERVICE_ACCOUNT,
                                "PATCH",
                                format!("/api/v1/namespaces/{ns}/pods/{}", name(pod)),
                                WriteTag::ReplicaSet {
                                    rs: key.to_string(),
                                },
                            )
                            .merge_patch(release_patch(pod, &rs_uid)),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    if matches && !is_deleting(&rs) {
                        let mut refs: Vec<Value> = pod
                            .pointer("/metadata/ownerReferences")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default();
                        refs.push(new_controller_ref(&rs, "apps/v1", "ReplicaSet"));
                        actions.writes.push(
                            Write::new(
                                SERVICE_ACCOUNT,
                                "PATCH",
                                format!("/api/v1/namespaces/{ns}/pods/{}", name(pod)),
                                WriteTag::ReplicaSet {
                                    rs: key.to_string(),
                                },
                            )
                            .merge_patch(json!({"metadata": {
                                "ownerReferences": refs,
                                "uid": uid(pod),
                            }})),
                        );
                        claimed.push(pod);
                    }
                }
            }
        }

        if needs_sync && !is_deleting(&rs) {
            self.manage_replicas(key, &rs, &claimed, informers, now, actions);
        }

        // calculateStatus.
        let min_ready = i64_at(&rs, "/spec/minReadySeconds");
        let template_labels = rs
            .pointer("/spec/template/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let fully_labeled = claimed
            .iter()
            .filter(|p| {
                template_labels
                    .iter()
                    .all(|(k, v)| p.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
            })
            .count();
        let ready = claimed.iter().filter(|p| pod_ready(p).0).count();
        let available = claimed
            .iter()
            .filter(|p| is_pod_available(p, min_ready, now))
            .count();
        let mut status = rs.get("status").cloned().unwrap_or_else(|| json!({}));
        let wanted = json!({
            "replicas": claimed.len(),
            "fullyLabeledReplicas": fully_labeled,
            "readyReplicas": ready,
            "availableReplicas": available,
            "observedGeneration": i64_at(&rs, "/metadata/generation"),
        });
        let mut changed = false;
        for (k, v) in wanted.as_object().into_iter().flatten() {
            let current = status.get(k).cloned().unwrap_or(json!(0));
            if &current != v {
                changed = true;
            }
            // Zero counts are omitted, as Go's omitempty does.
            if v == &json!(0) && k != "replicas" {
                if let Some(m) = status.as_object_mut() {
                    m.remove(k);
                }
            } else {
                status[k] = v.clone();
            }
        }
        if changed {
            let mut updated = (*rs).clone();
            updated["status"] = status;
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    format!("{}/status", rs_path(&ns, &rs_name)),
                    WriteTag::ReplicaSet {
                        rs: key.to_string(),
                    },
                )
                .body(updated),
            );
        }
        // Ready pods become available after minReadySeconds: look again then.
        if min_ready > 0 && ready > available {
            actions.requeues.push(Requeue {
                controller: NAME,
                key: key.to_string(),
                after: SimDuration::from_secs(min_ready as u64),
            });
        }
    }

    /// `manageReplicas`.
    fn manage_replicas(
        &mut self,
        key: &str,
        rs: &Value,
        pods: &[&Value],
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let want = rs
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let diff = pods.len() as i64 - want;
        let ns = namespace(rs);
        if diff < 0 {
            let n = (-diff).min(BURST_REPLICAS);
            self.expectations.expect_creations(key, n, now);
            let template = rs.pointer("/spec/template").cloned().unwrap_or_default();
            let pod = pod_from_template(
                &template,
                rs,
                new_controller_ref(rs, "apps/v1", "ReplicaSet"),
            );
            let mut run = SlowStart {
                remaining: n,
                batch: 0,
                in_flight: 0,
                failed: false,
                pod,
                path: format!("/api/v1/namespaces/{ns}/pods"),
            };
            self.next_batch(key, &mut run, actions);
            self.slow_start.insert(key.to_string(), run);
        } else if diff > 0 {
            let n = diff.min(BURST_REPLICAS) as usize;
            // getPodsRankedByRelatedPodsOnSameNode: rank = related active pods on its node.
            let mut on_node: BTreeMap<&str, usize> = BTreeMap::new();
            for p in pods {
                *on_node.entry(str_at(p, "/spec/nodeName")).or_default() += 1;
            }
            let rank = |p: &Value| {
                let node = str_at(p, "/spec/nodeName");
                if node.is_empty() {
                    0
                } else {
                    on_node.get(node).copied().unwrap_or(0)
                }
            };
            let mut ranked: Vec<&Value> = pods.to_vec();
            ranked.sort_by(|a, b| deletion_order((a, rank(a)), (b, rank(b))));
            let victims: Vec<String> = ranked[..n]
                .iter()
                .map(|p| crate::client::object_key(p))
                .collect();
            self.expectations.expect_deletions(key, &victims, now);
            let _ = informers;
            for v in victims {
                let pod_name = v.rsplit('/').next().unwrap_or("").to_string();
                actions.writes.push(Write::new(
                    SERVICE_ACCOUNT,
                    "DELETE",
                    format!("/api/v1/namespaces/{ns}/pods/{pod_name}"),
                    WriteTag::ReplicaSetPodDelete {
                        rs: key.to_string(),
                        pod: v,
                    },
                ));
            }
        }
    }

    /// `slowStartBatch`: sends the next batch (1, 2, 4... creates), each only after the
    /// previous batch all succeeded.
    fn next_batch(&mut self, key: &str, run: &mut SlowStart, actions: &mut Actions) {
        let batch = if run.batch == 0 {
            SLOW_START_INITIAL_BATCH_SIZE
        } else {
            run.batch * 2
        }
        .min(run.remaining);
        run.batch = batch;
        run.in_flight = batch;
        run.remaining -= batch;
        for _ in 0..batch {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "POST",
                    run.path.clone(),
                    WriteTag::ReplicaSetPodCreate {
                        rs: key.to_string(),
                    },
                )
                .body(run.pod.clone())
                .step(3),
            );
        }
    }

    pub fn on_response(
        &mut self,
        tag: &WriteTag,
        response: &HttpResponse,
        informers: &Informers,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        let ok = (200..300).contains(&response.status);
        // The events `controller_utils` records for pod creates and deletes.
        let owner = match tag {
            WriteTag::ReplicaSetPodCreate { rs } | WriteTag::ReplicaSetPodDelete { rs, .. } => {
                informers.replicasets.get(rs)
            }
            _ => None,
        };
        if let Some(owner) = owner {
            let body = response.body_json();
            let event = match (tag, ok) {
                (WriteTag::ReplicaSetPodCreate { .. }, true) => Some((
                    "Normal",
                    "SuccessfulCreate",
                    format!(
                        "Created pod: {}",
                        body.as_ref()
                            .and_then(|b| b["metadata"]["name"].as_str().map(str::to_string))
                            .unwrap_or_default()
                    ),
                )),
                (WriteTag::ReplicaSetPodCreate { .. }, false) => Some((
                    "Warning",
                    "FailedCreate",
                    format!(
                        "Error creating: {}",
                        body.as_ref()
                            .and_then(|b| b["message"].as_str().map(str::to_string))
                            .unwrap_or_default()
                    ),
                )),
                (WriteTag::ReplicaSetPodDelete { pod, .. }, true) => Some((
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", pod.rsplit('/').next().unwrap_or(pod)),
                )),
                _ => None,
            };
            if let Some((kind, reason, message)) = event {
                let w = self.recorder.event(
                    owner,
                    ("apps/v1", "ReplicaSet"),
                    kind,
                    reason,
                    &message,
                    now,
                );
                actions.writes.push(w);
            }
        }
        match tag {
            WriteTag::ReplicaSetPodCreate { rs } => {
                let Some(mut run) = self.slow_start.remove(rs) else {
                    return actions;
                };
                run.in_flight -= 1;
                // A namespace being terminated refuses every create: the real controller
                // treats that as done (`HasStatusCause(err, NamespaceTerminatingCause)`), so
                // it neither retries nor lowers its expectations, and waits for them to
                // expire instead.
                if !ok && !has_status_cause(response, "NamespaceTerminating") {
                    run.failed = true;
                    // The create will never be observed.
                    self.expectations.creation_observed(rs);
                }
                if run.in_flight > 0 {
                    self.slow_start.insert(rs.clone(), run);
                } else if run.failed || run.remaining == 0 {
                    // Creates skipped after a failure will not be observed either.
                    for _ in 0..run.remaining {
                        self.expectations.creation_observed(rs);
                    }
                    if run.failed {
                        // The sync failed: it comes back after its backoff, not at once.
                        self.queue.add_rate_limited(rs, now);
                    } else {
                        self.queue.forget(rs);
                        self.queue.add(rs);
                    }
                } else {
                    self.next_batch(rs, &mut run, &mut actions);
                    self.slow_start.insert(rs.clone(), run);
                }
            }
            WriteTag::ReplicaSetPodDelete { rs, pod } if !ok => {
                self.expectations.deletion_observed(rs, pod);
                if response.status != 404 {
                    self.queue.add_rate_limited(rs, now);
                }
            }
            WriteTag::ReplicaSet { rs } if !ok => {
                self.queue.add_rate_limited(rs, now);
            }
            _ => {}
        }
        actions
    }
}

/// The merge patch that removes `owner_uid` from a pod's owner references (`ReleasePod`).
fn release_patch(pod: &Value, owner_uid: &str) -> Value {
    let refs: Vec<Value> = pod
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r["uid"] != owner_uid)
        .cloned()
        .collect();
    json!({"metadata": {"ownerReferences": refs, "uid": uid(pod)}})
}
