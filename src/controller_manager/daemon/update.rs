//! `pkg/controller/daemon/update.go`: the DaemonSet's history (`constructHistory`,
//! `cleanupHistory`) and the RollingUpdate strategy, without surge (delete old pods within
//! maxUnavailable and let the manage loop create their replacements) or with surge (create new
//! pods beside old ones within maxSurge, delete an old pod once its replacement is available).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::{tag, util, DaemonSetsController, Tag, SERVICE_ACCOUNT};
use crate::controller_manager::controller_utils::*;
use crate::controller_manager::history::{self, CONTROLLER_REVISION_HASH_LABEL};
use crate::controller_manager::{Actions, Informers, Write};
use crate::sim::SimTime;

fn hash_label(obj: &Value) -> Option<&str> {
    obj.pointer("/metadata/labels")
        .and_then(|l| l.get(CONTROLLER_REVISION_HASH_LABEL))
        .and_then(Value::as_str)
}

/// `Match`: the revision stores this DaemonSet's current template.
pub fn matches_revision(ds: &Value, revision: &Value) -> bool {
    revision.get("data") == Some(&history::template_patch(ds))
}

/// `util.AllowsSurge`: RollingUpdate with a non-zero maxSurge.
pub fn allows_surge(ds: &Value) -> bool {
    str_at(ds, "/spec/updateStrategy/type") == "RollingUpdate" && surge_count(ds, 1) > 0
}

/// `intstr.GetScaledValueFromIntOrPercent` rounding up.
fn scaled(v: Option<&Value>, total: i64) -> i64 {
    match v {
        Some(Value::String(s)) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            (pct * total + 99) / 100
        }
        Some(n) => n.as_i64().unwrap_or(0),
        None => 0,
    }
}

/// `util.SurgeCount`.
pub fn surge_count(ds: &Value, desired: i64) -> i64 {
    if str_at(ds, "/spec/updateStrategy/type") != "RollingUpdate" {
        return 0;
    }
    scaled(
        ds.pointer("/spec/updateStrategy/rollingUpdate/maxSurge"),
        desired,
    )
}

/// `util.UnavailableCount`.
pub fn unavailable_count(ds: &Value, desired: i64) -> i64 {
    if str_at(ds, "/spec/updateStrategy/type") != "RollingUpdate" {
        return 0;
    }
    scaled(
        ds.pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable"),
        desired,
    )
}

/// A node's pod of the current revision and its pod of an older one, each if any.
type NewAndOld<'a> = (Option<&'a Arc<Value>>, Option<&'a Arc<Value>>);

/// `findUpdatedPodsOnNode`: the node's one new and one old pod, or `None` when it has more
/// of either (the manage loop cleans that up first).
fn find_updated_pods_on_node<'a>(
    ds: &Value,
    pods: &'a [Arc<Value>],
    hash: &str,
) -> Option<NewAndOld<'a>> {
    let generation = util::template_generation(ds);
    let (mut new_pod, mut old_pod) = (None, None);
    for pod in pods {
        if is_deleting(pod) {
            continue;
        }
        let slot = if util::is_pod_updated(pod, hash, generation) {
            &mut new_pod
        } else {
            &mut old_pod
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(pod);
    }
    Some((new_pod, old_pod))
}

impl DaemonSetsController {
    /// The namespace's revisions as this controller knows them: the informer's, plus the ones
    /// it created that the informer has not seen yet.
    fn known_revisions<'a>(&'a self, ns: &str, informers: &'a Informers) -> Vec<&'a Arc<Value>> {
        let mut out: Vec<&Arc<Value>> =
            in_namespace(&informers.controllerrevisions.cache, ns).collect();
        for (k, cr) in &self.created_revisions {
            if namespace(cr) == ns && informers.controllerrevisions.get(k).is_none() {
                out.push(cr);
            }
        }
        out
    }

    /// `constructHistory`: the current revision (created if the template has none yet) and the
    /// old ones. `None` while the current revision is being created.
    pub(super) fn construct_history(
        &mut self,
        key: &str,
        ds: &Arc<Value>,
        informers: &Informers,
        actions: &mut Actions,
    ) -> Option<(Arc<Value>, Vec<Arc<Value>>)> {
        let ns = namespace(ds).to_string();
        let path = |n: &str| format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions/{n}");
        let known = self.known_revisions(&ns, informers);
        // `controlledHistories`: claim (adopt or release) with the DaemonSet's selector.
        let claim = claim_objects(ds, &selector_of(ds), known.into_iter());
        for cr in &claim.adopt {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    path(name(cr)),
                    tag(Tag::Other { ds: key.into() }),
                )
                .merge_patch(adopt_patch(cr, ds, "apps/v1", "DaemonSet")),
            );
        }
        for cr in &claim.release {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    path(name(cr)),
                    tag(Tag::Other { ds: key.into() }),
                )
                .merge_patch(release_owner_patch(cr, uid(ds))),
            );
        }
        let mut current: Vec<Arc<Value>> = Vec::new();
        let mut old: Vec<Arc<Value>> = Vec::new();
        for cr in claim.claimed {
            let mut cr = cr.clone();
            if hash_label(&cr).is_none() {
                // A revision without the hash label gets its name as the label.
                let mut labelled = (*cr).clone();
                labelled["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] = json!(name(&cr));
                actions.writes.push(
                    Write::new(
                        SERVICE_ACCOUNT,
                        "PUT",
                        path(name(&cr)),
                        tag(Tag::Other { ds: key.into() }),
                    )
                    .body(labelled.clone()),
                );
                cr = Arc::new(labelled);
            }
            if matches_revision(ds, &cr) {
                current.push(cr);
            } else {
                old.push(cr);
            }
        }
        let next = old
            .iter()
            .map(|r| history::revision_number(r))
            .max()
            .unwrap_or(0)
            + 1;
        let cur = match current.len() {
            0 => {
                // `snapshot`: a new revision named by the template hash (`ComputeHash`, as
                // the pod-template-hash of Deployments) and the collision count.
                let collision = ds.pointer("/status/collisionCount").and_then(Value::as_i64);
                let hash = crate::controller_manager::deployment::compute_hash(
                    ds.pointer("/spec/template").unwrap_or(&Value::Null),
                    collision,
                );
                let mut labels = ds
                    .pointer("/spec/template/metadata/labels")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                labels.insert(CONTROLLER_REVISION_HASH_LABEL.into(), json!(hash));
                let cr_name = format!("{}-{hash}", name(ds));
                let mut meta = json!({
                    "name": cr_name,
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [new_controller_ref(ds, "apps/v1", "DaemonSet")],
                });
                if let Some(a) = ds.pointer("/metadata/annotations") {
                    meta["annotations"] = a.clone();
                }
                let cr = json!({
                    "apiVersion": "apps/v1",
                    "kind": "ControllerRevision",
                    "metadata": meta,
                    "data": history::template_patch(ds),
                    "revision": next,
                });
                self.revision_write_started(key);
                actions.writes.push(
                    Write::new(
                        SERVICE_ACCOUNT,
                        "POST",
                        format!("/apis/apps/v1/namespaces/{ns}/controllerrevisions"),
                        tag(Tag::RevisionCreate {
                            ds: key.into(),
                            name: cr_name,
                        }),
                    )
                    .body(cr),
                );
                return None;
            }
            1 => current.pop().expect("one current revision"),
            _ => self.dedup_current(key, ds, current, informers, actions),
        };
        if history::revision_number(&cur) < next {
            let mut renumbered = (*cur).clone();
            renumbered["revision"] = json!(next);
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    path(name(&cur)),
                    tag(Tag::Other { ds: key.into() }),
                )
                .body(renumbered),
            );
        }
        Some((cur, old))
    }

    /// `dedupCurHistories`: keep the highest revision, relabel the pods to its hash, delete the
    /// duplicates.
    fn dedup_current(
        &mut self,
        key: &str,
        ds: &Value,
        current: Vec<Arc<Value>>,
        informers: &Informers,
        actions: &mut Actions,
    ) -> Arc<Value> {
        let ns = namespace(ds).to_string();
        let keep = current
            .iter()
            .fold(None::<&Arc<Value>>, |best, cr| match best {
                Some(b) if history::revision_number(cr) < history::revision_number(b) => Some(b),
                _ => Some(cr),
            })
            .expect("several current revisions")
            .clone();
        let keep_hash = hash_label(&keep).unwrap_or("").to_string();
        for cr in &current {
            if name(cr) == name(&keep) {
                continue;
            }
            let claim = claim_objects(
                ds,
                &selector_of(ds),
                in_namespace(&informers.pods.cache, &ns),
            );
            for pod in claim.claimed {
                if hash_label(pod) != Some(keep_hash.as_str()) {
                    actions.writes.push(
                        Write::new(
                            SERVICE_ACCOUNT,
                            "PATCH",
                            format!("/api/v1/namespaces/{ns}/pods/{}", name(pod)),
                            tag(Tag::Other { ds: key.into() }),
                        )
                        .strategic_merge_patch(
                            json!({"metadata": {"labels": {
                                CONTROLLER_REVISION_HASH_LABEL: keep_hash,
                            }}}),
                        ),
                    );
                }
            }
            actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                format!(
                    "/apis/apps/v1/namespaces/{ns}/controllerrevisions/{}",
                    name(cr)
                ),
                tag(Tag::Other { ds: key.into() }),
            ));
        }
        keep
    }

    /// `cleanupHistory`: old revisions beyond `revisionHistoryLimit` that no pod uses any more
    /// are deleted, oldest first.
    pub(super) fn cleanup_history(
        &mut self,
        key: &str,
        ds: &Value,
        old: &[Arc<Value>],
        informers: &Informers,
        actions: &mut Actions,
    ) {
        let limit = ds
            .pointer("/spec/revisionHistoryLimit")
            .and_then(Value::as_i64)
            .unwrap_or(10);
        let mut to_kill = old.len() as i64 - limit;
        if to_kill <= 0 {
            return;
        }
        let mut scratch = Actions::default();
        let node_pods = self.nodes_to_daemon_pods(key, ds, informers, true, &mut scratch);
        let live: BTreeSet<&str> = node_pods
            .values()
            .flatten()
            .filter_map(|p| hash_label(p))
            .collect();
        let mut sorted: Vec<Arc<Value>> = old.to_vec();
        history::sort_controller_revisions(&mut sorted);
        for cr in sorted {
            if to_kill <= 0 {
                break;
            }
            if hash_label(&cr).is_some_and(|h| live.contains(h)) {
                continue;
            }
            actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                format!(
                    "/apis/apps/v1/namespaces/{}/controllerrevisions/{}",
                    namespace(ds),
                    name(&cr)
                ),
                tag(Tag::Other { ds: key.into() }),
            ));
            to_kill -= 1;
        }
    }

    /// `rollingUpdate`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn rolling_update(
        &mut self,
        key: &str,
        ds: &Value,
        nodes: &[&Arc<Value>],
        hash: &str,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let mut scratch = Actions::default();
        let mut node_pods = self.nodes_to_daemon_pods(key, ds, informers, false, &mut scratch);
        // `updatedDesiredNodeCounts`.
        let predicates = util::Predicates::new(ds);
        let mut desired = 0i64;
        for node in nodes {
            if predicates.should_run(node).0 {
                desired += 1;
                node_pods.entry(name(node).to_string()).or_default();
            }
        }
        let mut max_unavailable = unavailable_count(ds, desired);
        let max_surge = surge_count(ds, desired);
        if desired > 0 && max_unavailable == 0 && max_surge == 0 {
            max_unavailable = 1;
        }
        let min_ready = i64_at(ds, "/spec/minReadySeconds");
        let available = |p: &Value| is_pod_available(p, min_ready, now);
        let node_by_name: BTreeMap<&str, &Arc<Value>> =
            nodes.iter().map(|n| (name(n), *n)).collect();
        if max_surge == 0 {
            let mut num_unavailable = 0i64;
            let mut allowed: Vec<String> = Vec::new();
            let mut candidates: Vec<String> = Vec::new();
            for pods in node_pods.values() {
                let Some((new_pod, old_pod)) = find_updated_pods_on_node(ds, pods, hash) else {
                    num_unavailable += 1;
                    continue;
                };
                match (new_pod, old_pod) {
                    (None, None) | (Some(_), Some(_)) => num_unavailable += 1,
                    (Some(new_pod), None) => {
                        if !available(new_pod) {
                            num_unavailable += 1;
                        }
                    }
                    (None, Some(old_pod)) => {
                        if !available(old_pod) {
                            allowed.push(name(old_pod).to_string());
                            num_unavailable += 1;
                        } else if num_unavailable < max_unavailable {
                            candidates.push(name(old_pod).to_string());
                        }
                    }
                }
            }
            let remaining = (max_unavailable - num_unavailable).clamp(0, candidates.len() as i64);
            allowed.extend(candidates.into_iter().take(remaining as usize));
            self.sync_nodes(key, ds, &allowed, &[], hash, now, actions);
            return;
        }
        let mut old_to_delete: Vec<String> = Vec::new();
        let mut should_not_run: Vec<String> = Vec::new();
        let mut candidates: Vec<String> = Vec::new();
        let mut allowed: Vec<String> = Vec::new();
        let (mut num_surge, mut num_available) = (0i64, 0i64);
        for (node_name, pods) in &node_pods {
            let Some((new_pod, old_pod)) = find_updated_pods_on_node(ds, pods, hash) else {
                num_surge += 1;
                continue;
            };
            if let Some(p) = old_pod.or(new_pod) {
                if available(p) {
                    num_available += 1;
                }
            }
            let should_run = || {
                node_by_name
                    .get(node_name.as_str())
                    .is_some_and(|n| predicates.should_run(n).0)
            };
            match (new_pod, old_pod) {
                (_, None) => {}
                (None, Some(old_pod)) => {
                    if !available(old_pod) {
                        if !should_run() {
                            old_to_delete.push(name(old_pod).to_string());
                            continue;
                        }
                        allowed.push(node_name.clone());
                    } else {
                        if !should_run() {
                            should_not_run.push(name(old_pod).to_string());
                            continue;
                        }
                        if num_surge >= max_surge {
                            continue;
                        }
                        candidates.push(node_name.clone());
                    }
                }
                (Some(new_pod), Some(old_pod)) => {
                    if !available(new_pod) {
                        num_surge += 1;
                        continue;
                    }
                    old_to_delete.push(name(old_pod).to_string());
                }
            }
        }
        // Pods on nodes the DaemonSet no longer wants go only while enough others are
        // available, so the application is never left without one.
        let deletable = (num_available - desired).clamp(0, should_not_run.len() as i64);
        old_to_delete.extend(should_not_run.into_iter().take(deletable as usize));
        let remaining = (max_surge - num_surge).clamp(0, candidates.len() as i64);
        allowed.extend(candidates.into_iter().take(remaining as usize));
        self.sync_nodes(key, ds, &old_to_delete, &allowed, hash, now, actions);
    }
}
