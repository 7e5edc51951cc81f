//! `stateful_set_control.go` and `stateful_pod_control.go`: one sync of a StatefulSet — its
//! revisions, then each replica in ordinal order (create with its claims, wait for it to be
//! Running, Ready and available), then the condemned pods beyond the replica count in
//! descending order, then the rolling update, then the status and the history limit.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};

use super::utils::*;
use super::{tag, StatefulSetController, Tag, NAME, SERVICE_ACCOUNT};
use crate::controller_manager::controller_utils::*;
use crate::controller_manager::history::{self, CONTROLLER_REVISION_HASH_LABEL};
use crate::controller_manager::{Actions, Informers, Requeue, Write};
use crate::sim::{SimDuration, SimTime};

/// `MaxBatchSize`: the largest slow-start batch of a Parallel StatefulSet.
const MAX_BATCH_SIZE: usize = 500;

/// A replica slot: the pod the informer has, or the one to create.
struct Replica {
    pod: Value,
}

/// What the sync decided about one replica (`processReplica`'s `shouldExit`).
enum Step {
    Continue,
    Exit,
}

/// The counts of `computeReplicaStatus`.
#[derive(Default)]
struct Counts {
    replicas: i64,
    ready: i64,
    available: i64,
    current: i64,
    updated: i64,
}

fn count(pods: &[&Value], min_ready: i64, current: &str, update: &str, now: SimTime) -> Counts {
    let mut c = Counts::default();
    for pod in pods {
        if is_created(pod) {
            c.replicas += 1;
        }
        if is_running_and_ready(pod) {
            c.ready += 1;
            if is_running_and_available(pod, min_ready, now) {
                c.available += 1;
            }
        }
        if is_created(pod) && !is_deleting(pod) {
            let rev = pod_revision(pod);
            if rev == current {
                c.current += 1;
            }
            if rev == update {
                c.updated += 1;
            }
        }
    }
    c
}

impl StatefulSetController {
    /// `sync`: adopt orphan revisions, claim pods, then `UpdateStatefulSet`.
    pub(super) fn sync(
        &mut self,
        key: &str,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let Some(set) = informers.statefulsets.get(key).cloned() else {
            return;
        };
        let ns = namespace(&set).to_string();
        let selector = selector_of(&set);
        let other = || tag(Tag::Other { set: key.into() });

        // ListRevisions: matching the selector, ours or orphans (which it adopts).
        let mut revisions: Vec<Arc<Value>> = Vec::new();
        let mut seen = BTreeSet::new();
        let informer_revs = in_namespace(&informers.controllerrevisions.cache, &ns);
        let created_revs = self
            .created
            .iter()
            .filter(|(k, _)| k.starts_with("ControllerRevision/"))
            .map(|(_, v)| v);
        for cr in informer_revs.chain(created_revs) {
            if namespace(cr) != ns || !seen.insert(name(cr).to_string()) {
                continue;
            }
            if !selector.matches_object(cr) {
                continue;
            }
            match controller_of(cr) {
                None => {
                    if !is_deleting(&set) {
                        actions.writes.push(
                            Write::new(
                                SERVICE_ACCOUNT,
                                "PATCH",
                                format!(
                                    "/apis/apps/v1/namespaces/{ns}/controllerrevisions/{}",
                                    name(cr)
                                ),
                                other(),
                            )
                            .merge_patch(adopt_patch(
                                cr,
                                &set,
                                "apps/v1",
                                "StatefulSet",
                            )),
                        );
                    }
                    revisions.push(cr.clone());
                }
                Some(r) if r["uid"] == uid(&set) => revisions.push(cr.clone()),
                Some(_) => {}
            }
        }

        // getPodsForStatefulSet: claim with the selector and membership by name.
        let mut candidates: Vec<&Arc<Value>> = in_namespace(&informers.pods.cache, &ns).collect();
        for (k, pod) in &self.created {
            if let Some(rest) = k.strip_prefix("Pod/") {
                if informers.pods.get(rest).is_none() && namespace(pod) == ns {
                    candidates.push(pod);
                }
            }
        }
        let mut pods: Vec<Value> = Vec::new();
        for pod in candidates {
            let member = is_member_of(&set, pod);
            let matches = selector.matches_object(pod) && member;
            let pod_path = format!("/api/v1/namespaces/{ns}/pods/{}", name(pod));
            match controller_of(pod) {
                Some(r) if r["uid"] == uid(&set) => {
                    if matches {
                        pods.push((**pod).clone());
                    } else if !is_deleting(&set) {
                        actions.writes.push(
                            Write::new(SERVICE_ACCOUNT, "PATCH", pod_path, other())
                                .merge_patch(release_owner_patch(pod, uid(&set))),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    if matches && !is_deleting(&set) && !is_deleting(pod) {
                        actions.writes.push(
                            Write::new(SERVICE_ACCOUNT, "PATCH", pod_path, other())
                                .merge_patch(adopt_patch(pod, &set, "apps/v1", "StatefulSet")),
                        );
                        pods.push((**pod).clone());
                    }
                }
            }
        }
        // A pod this controller deleted is terminating even before the informer says so.
        for pod in pods.iter_mut() {
            if self.deleted.contains(&crate::client::object_key(pod)) && !is_deleting(pod) {
                pod["metadata"]["deletionTimestamp"] = json!(now.rfc3339());
            }
        }

        // getStatefulSetRevisions.
        revisions.sort_by(|a, b| history::revision_order(a, b));
        let collision = i64_at(&set, "/status/collisionCount")
            .max(self.collisions.get(key).copied().unwrap_or(0));
        let mut data = history::template_patch(&set);
        if data.is_null() {
            data = json!({});
        }
        let mut candidate = history::new_controller_revision(
            &set,
            "StatefulSet",
            set.pointer("/spec/template/metadata/labels"),
            data,
            history::next_revision(&revisions),
            Some(collision),
        );
        if let Some(a) = set.pointer("/metadata/annotations") {
            candidate["metadata"]["annotations"] = a.clone();
        }
        let equal = history::find_equal_revisions(&revisions, &candidate);
        let update: Arc<Value> = match (equal.last(), revisions.last()) {
            (Some(e), Some(last)) if history::equal_revision(last, e) => last.clone(),
            (Some(e), _) => {
                // Rolling back to an earlier template: that revision gets the next number.
                let mut renumbered = (**e).clone();
                renumbered["revision"] = candidate["revision"].clone();
                actions.writes.push(
                    Write::new(
                        SERVICE_ACCOUNT,
                        "PUT",
                        format!(
                            "/apis/apps/v1/namespaces/{ns}/controllerrevisions/{}",
                            name(e)
                        ),
                        other(),
                    )
                    .body(renumbered.clone()),
                );
                Arc::new(renumbered)
            }
            (None, _) => {
                let cr_name = name(&candidate).to_string();
                self.started(key, 1);
                actions.writes.push(
                    Write::new(
                        SERVICE_ACCOUNT,
                        "POST",
                        format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions"),
                        tag(Tag::RevisionCreate {
                            set: key.into(),
                            name: cr_name,
                        }),
                    )
                    .body(candidate),
                );
                return;
            }
        };
        let current_name = str_at(&set, "/status/currentRevision");
        let current: Arc<Value> = revisions
            .iter()
            .find(|r| name(r) == current_name)
            .cloned()
            .unwrap_or_else(|| update.clone());

        let status = self.update_stateful_set(
            key,
            &set,
            &current,
            &update,
            collision,
            pods.clone(),
            informers,
            now,
            actions,
        );
        self.update_status(key, &set, status, actions);
        self.truncate_history(key, &set, &pods, &revisions, &current, &update, actions);
    }

    /// `updateStatefulSet`: returns the status to record.
    #[allow(clippy::too_many_arguments)]
    fn update_stateful_set(
        &mut self,
        key: &str,
        set: &Arc<Value>,
        current: &Value,
        update: &Value,
        collision: i64,
        pods: Vec<Value>,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) -> Value {
        let min_ready = i64_at(set, "/spec/minReadySeconds");
        let (cur_name, upd_name) = (name(current).to_string(), name(update).to_string());
        let current_template = history::template_of_revision(current);
        let update_template = history::template_of_revision(update);
        let start = start_ordinal(set);
        let n = replicas(set).max(0) as usize;
        let mut replicas: Vec<Option<Replica>> = (0..n).map(|_| None).collect();
        let mut condemned: Vec<Value> = Vec::new();
        for pod in pods {
            if in_ordinal_range(&pod, set) {
                let i = (ordinal(&pod) - start) as usize;
                replicas[i] = Some(Replica { pod });
            } else if ordinal(&pod) >= 0 {
                condemned.push(pod);
            }
        }
        // newVersionedStatefulSetPod for each empty slot.
        let rolling = str_at(set, "/spec/updateStrategy/type") != "OnDelete";
        let partition = set
            .pointer("/spec/updateStrategy/rollingUpdate/partition")
            .and_then(Value::as_i64);
        let has_rolling_update = set.pointer("/spec/updateStrategy/rollingUpdate").is_some();
        let status_current = i64_at(set, "/status/currentReplicas");
        let replicas: Vec<Replica> = replicas
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.unwrap_or_else(|| {
                    let ord = start + i as i64;
                    let at_current = rolling
                        && ((!has_rolling_update && ord < start + status_current)
                            || (has_rolling_update && ord < start + partition.unwrap_or(0)));
                    let pod = if at_current {
                        new_stateful_set_pod(set, &current_template, ord, &cur_name)
                    } else {
                        new_stateful_set_pod(set, &update_template, ord, &upd_name)
                    };
                    Replica { pod }
                })
            })
            .collect();
        condemned.sort_by_key(|p| std::cmp::Reverse(ordinal(p)));
        let first_unavailable: Option<String> = replicas
            .iter()
            .map(|r| &r.pod)
            .chain(condemned.iter().rev())
            .find(|p| is_unavailable(p, min_ready, now))
            .map(|p| name(p).to_string());

        let status_of = |replicas: &[Replica], condemned: &[Value]| {
            let all: Vec<&Value> = replicas
                .iter()
                .map(|r| &r.pod)
                .chain(condemned.iter())
                .collect();
            let c = count(&all, min_ready, &cur_name, &upd_name, now);
            json!({
                "observedGeneration": i64_at(set, "/metadata/generation"),
                "replicas": c.replicas,
                "readyReplicas": c.ready,
                "currentReplicas": c.current,
                "updatedReplicas": c.updated,
                "currentRevision": cur_name,
                "updateRevision": upd_name,
                "collisionCount": collision,
                "availableReplicas": c.available,
            })
        };
        let status = status_of(&replicas, &condemned);
        if is_deleting(set) {
            return status;
        }
        let monotonic = !allows_burst(set);

        if monotonic {
            for r in &replicas {
                if let Step::Exit =
                    self.process_replica(key, set, monotonic, &r.pod, informers, now, actions)
                {
                    return status_of(&replicas, &condemned);
                }
            }
        } else {
            // `slowStartBatch(1, ...)`: replicas in batches of 1, 2, 4..., each batch once the
            // calls of the one before were answered. A batch that made calls ends this sync;
            // their answers queue the set again, and the next sync's batches, over the same
            // ordinals, reach the next batch.
            let (mut pos, mut batch) = (0usize, 1usize);
            while pos < replicas.len() {
                let before = self.in_flight.get(key).copied().unwrap_or(0);
                let end = (pos + batch).min(replicas.len());
                for r in &replicas[pos..end] {
                    self.process_replica(key, set, monotonic, &r.pod, informers, now, actions);
                }
                if self.in_flight.get(key).copied().unwrap_or(0) > before {
                    return status_of(&replicas, &condemned);
                }
                pos = end;
                batch = (batch * 2).min(MAX_BATCH_SIZE);
            }
        }
        // Claims of condemned pods get the owners the retention policy wants.
        for pod in &condemned {
            self.update_claims_for_retention(key, set, pod, informers, actions);
        }
        // `processCondemned`, highest ordinal first: in order, one at a time, each once every
        // other pod is healthy; Parallel deletes them in slow-start batches.
        let (mut pos, mut batch) = (0usize, 1usize);
        while pos < condemned.len() {
            let end = if monotonic {
                pos + 1
            } else {
                (pos + batch).min(condemned.len())
            };
            let mut called = false;
            for pod in &condemned[pos..end] {
                if is_deleting(pod) {
                    if monotonic {
                        return status_of(&replicas, &condemned);
                    }
                    continue;
                }
                let is_first = first_unavailable.as_deref() == Some(name(pod));
                if monotonic
                    && !is_first
                    && (!is_running_and_ready(pod)
                        || !is_running_and_available(pod, min_ready, now))
                {
                    return status_of(&replicas, &condemned);
                }
                self.delete_pod(key, set, pod, actions);
                called = true;
            }
            if called {
                return status_of(&replicas, &condemned);
            }
            pos = end;
            batch = (batch * 2).min(MAX_BATCH_SIZE);
        }
        let mut status = status_of(&replicas, &condemned);
        if !rolling {
            return status;
        }
        // The rolling update: the highest ordinal not at the update revision goes first, and
        // nothing proceeds while a replica at or above the partition is unavailable.
        let update_min = partition.unwrap_or(0).max(0) as usize;
        for target in (update_min..replicas.len()).rev() {
            let pod = &replicas[target].pod;
            if pod_revision(pod) != upd_name && !is_deleting(pod) {
                if is_created(pod) {
                    self.delete_pod(key, set, pod, actions);
                    status["currentReplicas"] = json!(i64_at(&status, "/currentReplicas") - 1);
                }
                return status;
            }
            if is_unavailable(pod, min_ready, now) {
                return status;
            }
        }
        status
    }

    /// `processReplica`.
    #[allow(clippy::too_many_arguments)]
    fn process_replica(
        &mut self,
        key: &str,
        set: &Value,
        monotonic: bool,
        pod: &Value,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) -> Step {
        let min_ready = i64_at(set, "/spec/minReadySeconds");
        if is_failed(pod) || is_succeeded(pod) {
            // A finished pod is replaced: deleted now, created again on a later sync.
            if !is_deleting(pod) {
                self.delete_pod(key, set, pod, actions);
            }
            return Step::Exit;
        }
        if !is_created(pod) {
            if self.claim_is_stale(set, pod, informers) {
                return Step::Exit;
            }
            // CreateStatefulPod: the claims first, then the pod.
            match self.create_claims(key, set, pod, informers, now, actions) {
                Claims::Ready => {}
                Claims::Creating | Claims::Failed => return Step::Exit,
            }
            let ns = namespace(set).to_string();
            self.started(key, 1);
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "POST",
                    format!("/api/v1/namespaces/{ns}/pods"),
                    tag(Tag::PodCreate {
                        set: key.into(),
                        pod: name(pod).to_string(),
                    }),
                )
                .body(pod.clone())
                .step(3),
            );
            if monotonic {
                return Step::Exit;
            }
            return Step::Continue;
        }
        if is_pending(pod) {
            match self.create_claims(key, set, pod, informers, now, actions) {
                Claims::Ready => {
                    self.update_claims_for_retention(key, set, pod, informers, actions)
                }
                Claims::Creating | Claims::Failed => return Step::Exit,
            }
        }
        if monotonic
            && (is_deleting(pod)
                || !is_running_and_ready(pod)
                || !is_running_and_available(pod, min_ready, now))
        {
            return Step::Exit;
        }
        let retention_ok = self.claims_match_retention(set, pod, informers);
        if identity_matches(set, pod) && storage_matches(set, pod) && retention_ok {
            return Step::Continue;
        }
        // UpdateStatefulPod.
        let mut updated = pod.clone();
        let mut dirty = false;
        if !identity_matches(set, &updated) {
            update_identity(set, &mut updated);
            dirty = true;
        }
        if !storage_matches(set, &updated) {
            update_storage(set, &mut updated);
            dirty = true;
            if !matches!(
                self.create_claims(key, set, &updated, informers, now, actions),
                Claims::Ready
            ) {
                return Step::Continue;
            }
        }
        if !retention_ok {
            self.update_claims_for_retention(key, set, pod, informers, actions);
        }
        if dirty {
            self.started(key, 1);
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    format!("/api/v1/namespaces/{}/pods/{}", namespace(pod), name(pod)),
                    tag(Tag::PodUpdate {
                        set: key.into(),
                        pod: name(pod).to_string(),
                    }),
                )
                .body(updated),
            );
        }
        Step::Continue
    }

    fn delete_pod(&mut self, key: &str, set: &Value, pod: &Value, actions: &mut Actions) {
        self.started(key, 1);
        actions.writes.push(Write::new(
            SERVICE_ACCOUNT,
            "DELETE",
            format!("/api/v1/namespaces/{}/pods/{}", namespace(set), name(pod)),
            tag(Tag::PodDelete {
                set: key.into(),
                pod: name(pod).to_string(),
            }),
        ));
    }

    /// `createPersistentVolumeClaims`: creates the pod's missing claims.
    fn create_claims(
        &mut self,
        key: &str,
        set: &Value,
        pod: &Value,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) -> Claims {
        let ns = namespace(set).to_string();
        let mut creating = 0;
        let mut errors: Vec<String> = Vec::new();
        for (_, claim) in persistent_volume_claims(set, ordinal(pod)) {
            let claim_key = format!("{ns}/{}", name(&claim));
            match self.lookup(informers, "PersistentVolumeClaim", &claim_key) {
                None => {
                    creating += 1;
                    actions.writes.push(
                        Write::new(
                            SERVICE_ACCOUNT,
                            "POST",
                            format!("/api/v1/namespaces/{ns}/persistentvolumeclaims"),
                            tag(Tag::ClaimCreate {
                                set: key.into(),
                                pod: name(pod).to_string(),
                                claim: name(&claim).to_string(),
                            }),
                        )
                        .body(claim.clone()),
                    );
                }
                Some(existing) if is_deleting(existing) => {
                    errors.push(format!("pvc {} is being deleted", name(&claim)));
                }
                Some(_) => {}
            }
        }
        self.started(key, creating);
        if !errors.is_empty() {
            let e = errors.join(", ");
            self.pod_event(actions, key, set, "create", name(pod), Some(&e), now);
            self.queue.add_rate_limited(key, now);
            return Claims::Failed;
        }
        if creating > 0 {
            Claims::Creating
        } else {
            Claims::Ready
        }
    }

    /// `PodClaimIsStale`: with `whenScaled: Delete`, a claim still owned by an earlier pod of
    /// the same name blocks the new pod until the garbage collector removes it.
    fn claim_is_stale(&self, set: &Value, pod: &Value, informers: &Informers) -> bool {
        if retention_policy(set).1 == "Retain" {
            return false;
        }
        persistent_volume_claims(set, ordinal(pod))
            .iter()
            .any(|(_, c)| {
                let k = format!("{}/{}", namespace(set), name(c));
                self.lookup(informers, "PersistentVolumeClaim", &k)
                    .is_some_and(|claim| has_stale_owner_ref(claim, pod, "v1", "Pod"))
            })
    }

    /// `ClaimsMatchRetentionPolicy`.
    fn claims_match_retention(&self, set: &Value, pod: &Value, informers: &Informers) -> bool {
        persistent_volume_claims(set, ordinal(pod))
            .iter()
            .all(|(_, c)| {
                let k = format!("{}/{}", namespace(set), name(c));
                self.lookup(informers, "PersistentVolumeClaim", &k)
                    .is_none_or(|claim| is_claim_owner_up_to_date(claim, set, pod))
            })
    }

    /// `UpdatePodClaimForRetentionPolicy`.
    fn update_claims_for_retention(
        &mut self,
        key: &str,
        set: &Value,
        pod: &Value,
        informers: &Informers,
        actions: &mut Actions,
    ) {
        for (_, c) in persistent_volume_claims(set, ordinal(pod)) {
            let k = format!("{}/{}", namespace(set), name(&c));
            let Some(claim) = self.lookup(informers, "PersistentVolumeClaim", &k) else {
                continue;
            };
            if is_claim_owner_up_to_date(claim, set, pod) {
                continue;
            }
            let updated = update_claim_owner_refs(claim, set, pod);
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    format!(
                        "/api/v1/namespaces/{}/persistentvolumeclaims/{}",
                        namespace(set),
                        name(claim)
                    ),
                    tag(Tag::Other { set: key.into() }),
                )
                .body(updated),
            );
        }
    }

    /// `updateStatefulSetStatus`: completes a finished rolling update, then writes the status
    /// if it changed; a set not yet fully available is looked at again after minReadySeconds.
    fn update_status(&mut self, key: &str, set: &Value, mut status: Value, actions: &mut Actions) {
        let want = replicas(set);
        let rolling = str_at(set, "/spec/updateStrategy/type") != "OnDelete";
        let complete = rolling
            && ["updatedReplicas", "readyReplicas", "replicas"]
                .iter()
                .all(|f| i64_at(&status, &format!("/{f}")) == want);
        if complete {
            status["currentReplicas"] = status["updatedReplicas"].clone();
            status["currentRevision"] = status["updateRevision"].clone();
        }
        let s = |f: &str| i64_at(&status, &format!("/{f}"));
        let old = |f: &str| set.pointer(&format!("/status/{f}")).cloned();
        let i = |f: &str| i64_at(set, &format!("/status/{f}"));
        let st = |f: &str| str_at(set, &format!("/status/{f}")).to_string();
        let inconsistent = s("observedGeneration") > i("observedGeneration")
            || s("replicas") != i("replicas")
            || s("currentReplicas") != i("currentReplicas")
            || s("readyReplicas") != i("readyReplicas")
            || s("updatedReplicas") != i("updatedReplicas")
            || str_at(&status, "/currentRevision") != st("currentRevision")
            || s("availableReplicas") != i("availableReplicas")
            || str_at(&status, "/updateRevision") != st("updateRevision");
        if inconsistent {
            // Go's field order; omitempty drops the zero counts and empty revisions.
            let mut out = serde_json::Map::new();
            for f in [
                "observedGeneration",
                "replicas",
                "readyReplicas",
                "currentReplicas",
                "updatedReplicas",
                "currentRevision",
                "updateRevision",
                "collisionCount",
                "conditions",
                "availableReplicas",
            ] {
                let v = if f == "conditions" {
                    old(f)
                } else {
                    status.get(f).cloned()
                };
                let Some(v) = v else { continue };
                let keep = match f {
                    "replicas" | "availableReplicas" | "collisionCount" => true,
                    _ => !(v == json!(0) || v == json!("") || v.is_null()),
                };
                if keep {
                    out.insert(f.into(), v);
                }
            }
            let mut updated = set.clone();
            updated["status"] = Value::Object(out);
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    format!(
                        "/apis/apps/v1/namespaces/{}/statefulsets/{}/status",
                        namespace(set),
                        name(set)
                    ),
                    tag(Tag::Other { set: key.into() }),
                )
                .body(updated),
            );
            self.collisions.remove(key);
        }
        let min_ready = i64_at(set, "/spec/minReadySeconds");
        if min_ready > 0 && s("availableReplicas") != want {
            actions.requeues.push(Requeue {
                controller: NAME,
                key: key.to_string(),
                after: SimDuration::from_secs(min_ready as u64),
            });
        }
    }

    /// `truncateHistory`: revisions that are neither current, update, nor used by a pod are
    /// deleted, oldest first, down to `revisionHistoryLimit`.
    #[allow(clippy::too_many_arguments)]
    fn truncate_history(
        &mut self,
        key: &str,
        set: &Value,
        pods: &[Value],
        revisions: &[Arc<Value>],
        current: &Value,
        update: &Value,
        actions: &mut Actions,
    ) {
        let mut live: BTreeSet<&str> = [name(current), name(update)].into_iter().collect();
        for p in pods {
            if let Some(h) = p
                .pointer("/metadata/labels")
                .and_then(|l| l.get(CONTROLLER_REVISION_HASH_LABEL))
                .and_then(Value::as_str)
            {
                live.insert(h);
            }
        }
        let history: Vec<&Arc<Value>> = revisions
            .iter()
            .filter(|r| !live.contains(name(r)))
            .collect();
        let limit = set
            .pointer("/spec/revisionHistoryLimit")
            .and_then(Value::as_i64)
            .unwrap_or(10);
        if limit < 0 || history.len() as i64 <= limit {
            return;
        }
        let excess = history.len() - limit as usize;
        for cr in &history[..excess] {
            actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                format!(
                    "/apis/apps/v1/namespaces/{}/controllerrevisions/{}",
                    namespace(set),
                    name(cr)
                ),
                tag(Tag::Other { set: key.into() }),
            ));
        }
    }
}

/// Where the claims of a pod stand.
enum Claims {
    Ready,
    Creating,
    Failed,
}
