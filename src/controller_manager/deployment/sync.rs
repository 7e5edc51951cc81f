//! `sync.go`: finding the Deployment's ReplicaSets, creating the new one with its revision,
//! scaling (also proportionally, on a scaling event), history cleanup and status writes.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::*;
use crate::controller_manager::{Write, WriteTag};

/// A ReplicaSet with the replica count this sync decided for it.
#[derive(Clone, Debug)]
pub struct Planned {
    pub rs: Arc<Value>,
    pub replicas: i64,
}

impl Planned {
    pub fn spec_replicas(&self) -> i64 {
        i64_at(&self.rs, "/spec/replicas")
    }
    pub fn available(&self) -> i64 {
        i64_at(&self.rs, "/status/availableReplicas")
    }
    pub fn name(&self) -> &str {
        name(&self.rs)
    }
}

pub fn replicas_of(d: &Value) -> i64 {
    d.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// `intstr.GetScaledValueFromIntOrPercent`.
fn scaled(v: Option<&Value>, total: i64, round_up: bool, default: &str) -> i64 {
    if let Some(n) = v.and_then(Value::as_i64) {
        return n;
    }
    let s = v.and_then(Value::as_str).unwrap_or(default);
    let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
    if round_up {
        (pct * total + 99) / 100
    } else {
        pct * total / 100
    }
}

/// `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down, and both zero means one pod
/// may be unavailable.
pub fn resolve_fenceposts(d: &Value) -> (i64, i64) {
    let desired = replicas_of(d);
    let ru = d.pointer("/spec/strategy/rollingUpdate");
    let surge = scaled(ru.and_then(|r| r.get("maxSurge")), desired, true, "25%");
    let mut unavailable = scaled(
        ru.and_then(|r| r.get("maxUnavailable")),
        desired,
        false,
        "25%",
    );
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

pub fn is_rolling(d: &Value) -> bool {
    str_at(d, "/spec/strategy/type") != "Recreate"
}

/// `MaxUnavailable`.
pub fn max_unavailable(d: &Value) -> i64 {
    if !is_rolling(d) || replicas_of(d) == 0 {
        return 0;
    }
    resolve_fenceposts(d).1.min(replicas_of(d))
}

/// `MaxSurge`.
pub fn max_surge(d: &Value) -> i64 {
    if !is_rolling(d) {
        return 0;
    }
    resolve_fenceposts(d).0
}

/// The template without the `pod-template-hash` label (`EqualIgnoreHash`), compared as the
/// typed objects the real controller compares: a `null` field decodes to the zero value, the
/// same as an absent one (kubectl's `rollout undo` sends `creationTimestamp: null`).
fn template_ignoring_hash(t: Option<&Value>) -> Value {
    let mut t = t.cloned().unwrap_or_default();
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    drop_nulls(&mut t);
    t
}

/// Removes `null` members from every object in `v`.
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The Deployment's ReplicaSets (controlled by it), oldest first.
pub fn owned_replicasets(d: &Value, informers: &Informers) -> ReplicaSets {
    let mut rss: ReplicaSets = in_namespace(&informers.replicasets.cache, namespace(d))
        .filter(|rs| controller_of(rs).is_some_and(|r| r["uid"] == uid(d)))
        .cloned()
        .collect();
    rss.sort_by(|a, b| {
        (str_at(a, "/metadata/creationTimestamp"), name(a))
            .cmp(&(str_at(b, "/metadata/creationTimestamp"), name(b)))
    });
    rss
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's.
pub fn find_new(d: &Value, rss: &ReplicaSets) -> Option<Arc<Value>> {
    let want = template_ignoring_hash(d.pointer("/spec/template"));
    rss.iter()
        .find(|rs| template_ignoring_hash(rs.pointer("/spec/template")) == want)
        .cloned()
}

pub fn new_rs_exists_with_same_template(d: &Value, informers: &Informers) -> bool {
    let hash = compute_hash(
        d.pointer("/spec/template").unwrap_or(&Value::Null),
        d.pointer("/status/collisionCount").and_then(Value::as_i64),
    );
    let key = format!("{}/{}-{hash}", namespace(d), name(d));
    informers.replicasets.get(&key).is_some_and(|rs| {
        template_ignoring_hash(rs.pointer("/spec/template"))
            == template_ignoring_hash(d.pointer("/spec/template"))
    })
}

pub fn bump_collision_count(key: &str, d: &Value, actions: &mut Actions) {
    let mut updated = d.clone();
    let c = i64_at(d, "/status/collisionCount") + 1;
    updated["status"]["collisionCount"] = json!(c);
    actions.writes.push(status_write(key, &updated));
}

pub fn status_write(key: &str, d: &Value) -> Write {
    Write::new(
        SERVICE_ACCOUNT,
        "PUT",
        format!(
            "/apis/apps/v1/namespaces/{}/deployments/{}/status",
            namespace(d),
            name(d)
        ),
        WriteTag::Deployment {
            deployment: key.to_string(),
        },
    )
    .body(d.clone())
}

/// The context of one sync of one Deployment.
pub struct Sync<'a> {
    pub key: &'a str,
    /// The Deployment as this sync will leave it (status and revision annotation).
    pub d: Value,
    /// The Deployment as the informer holds it.
    pub original: Arc<Value>,
    pub informers: &'a Informers,
    pub now: SimTime,
    pub new_rs: Option<Planned>,
    pub old: Vec<Planned>,
    pub actions: &'a mut Actions,
    /// The ReplicaSets `scale` handed to `scaleReplicaSet`: written even at an unchanged
    /// size when their desired/max replicas annotations are stale, so the next sync no
    /// longer sees a scaling event.
    pub rescaled: BTreeSet<String>,
}

impl Sync<'_> {
    pub fn all(&self) -> impl Iterator<Item = &Planned> {
        self.old.iter().chain(self.new_rs.iter())
    }

    /// `getAllReplicaSetsAndSyncRevision` for the new ReplicaSet: bring an existing one's
    /// revision up to date, or create it when `create` (returning false: wait for it).
    pub fn sync_new_rs(&mut self, create: bool) -> bool {
        let max_old = self.old.iter().map(|p| revision(&p.rs)).max().unwrap_or(0);
        let new_revision = max_old + 1;
        if let Some(p) = &self.new_rs {
            let rs = p.rs.clone();
            let current = revision(&rs);
            let mut updated = (*rs).clone();
            let mut changed = false;
            if current < new_revision {
                let anns = annotations_mut(&mut updated);
                if current > 0 {
                    // The revision this template had before (a rollback): kept in history.
                    let mut history: Vec<String> = anns
                        .get(REVISION_HISTORY_ANNOTATION)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.split(',').map(str::to_string).collect())
                        .unwrap_or_default();
                    history.push(current.to_string());
                    anns.insert(REVISION_HISTORY_ANNOTATION.into(), json!(history.join(",")));
                }
                anns.insert(REVISION_ANNOTATION.into(), json!(new_revision.to_string()));
                changed = true;
            }
            let min_ready = self.d.pointer("/spec/minReadySeconds").cloned();
            if updated.pointer("/spec/minReadySeconds").cloned() != min_ready {
                updated["spec"]["minReadySeconds"] = min_ready.unwrap_or(json!(0));
                changed = true;
            }
            if changed {
                self.actions.writes.push(rs_write(self.key, &updated));
                return false;
            }
            let rev = revision(&rs).to_string();
            let d_rev = str_at(
                &self.d,
                &format!(
                    "/metadata/annotations/{}",
                    "deployment.kubernetes.io~1revision"
                ),
            )
            .to_string();
            if d_rev != rev {
                annotations_mut(&mut self.d).insert(REVISION_ANNOTATION.into(), json!(rev));
            }
            if progress::condition(&self.d, "Progressing").is_none() {
                let msg = format!("Found new replica set \"{}\"", p.name());
                progress::set_condition(
                    &mut self.d,
                    "Progressing",
                    "True",
                    "FoundNewReplicaSet",
                    &msg,
                    self.now,
                );
            }
            return true;
        }
        if !create {
            return true;
        }
        let d = &self.d;
        let collision = d.pointer("/status/collisionCount").and_then(Value::as_i64);
        let template = d.pointer("/spec/template").cloned().unwrap_or_default();
        let hash = compute_hash(&template, collision);
        let mut new_template = template.clone();
        new_template["metadata"]["labels"][POD_TEMPLATE_HASH_LABEL] = json!(hash);
        let mut selector = d.pointer("/spec/selector").cloned().unwrap_or_default();
        selector["matchLabels"][POD_TEMPLATE_HASH_LABEL] = json!(hash);
        let rs_name = format!("{}-{hash}", name(d));
        let mut annotations = Map::new();
        for (k, v) in d
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let skip = [
                "kubectl.kubernetes.io/last-applied-configuration",
                REVISION_ANNOTATION,
                REVISION_HISTORY_ANNOTATION,
                DESIRED_REPLICAS_ANNOTATION,
                MAX_REPLICAS_ANNOTATION,
                "deprecated.deployment.rollback.to",
            ];
            if !skip.contains(&k.as_str()) {
                annotations.insert(k.clone(), v.clone());
            }
        }
        let desired = replicas_of(d);
        annotations.insert(
            DESIRED_REPLICAS_ANNOTATION.into(),
            json!(desired.to_string()),
        );
        annotations.insert(
            MAX_REPLICAS_ANNOTATION.into(),
            json!((desired + max_surge(d)).to_string()),
        );
        annotations.insert(REVISION_ANNOTATION.into(), json!(new_revision.to_string()));
        let replicas = self.new_rs_new_replicas(0);
        let mut spec = json!({
            "replicas": replicas,
            "selector": selector,
            "template": new_template,
        });
        if let Some(m) = d.pointer("/spec/minReadySeconds") {
            spec["minReadySeconds"] = m.clone();
        }
        let rs = json!({
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": rs_name,
                "namespace": namespace(d),
                "labels": new_template["metadata"]["labels"],
                "annotations": annotations,
                "ownerReferences": [new_controller_ref(d, "apps/v1", "Deployment")],
            },
            "spec": spec,
        });
        self.actions.writes.push(
            Write::new(
                SERVICE_ACCOUNT,
                "POST",
                format!("/apis/apps/v1/namespaces/{}/replicasets", namespace(d)),
                WriteTag::DeploymentNewReplicaSet {
                    deployment: self.key.to_string(),
                    rs: rs_name.clone(),
                    replicas,
                },
            )
            .body(rs)
            // The Deployment controller acting on the Deployment kubectl stored: step 3, as
            // the ReplicaSet controller's pod create that follows.
            .step(3),
        );
        let msg = format!("Created new replica set \"{rs_name}\"");
        let mut updated = self.d.clone();
        progress::set_condition(
            &mut updated,
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            &msg,
            self.now,
        );
        if updated != self.d {
            self.actions.writes.push(status_write(self.key, &updated));
        }
        false
    }

    /// `NewRSNewReplicas`.
    pub fn new_rs_new_replicas(&self, new_current: i64) -> i64 {
        let desired = replicas_of(&self.d);
        if !is_rolling(&self.d) {
            return desired;
        }
        let current: i64 = self.all().map(|p| p.replicas).sum();
        let max_total = desired + max_surge(&self.d);
        if current >= max_total {
            return new_current;
        }
        let scale_up = max_total - current;
        new_current + scale_up.min(desired - new_current)
    }

    /// Sends the scale writes this sync decided (`scaleReplicaSet`, with the desired and
    /// max replicas annotations). Returns whether any was sent.
    pub fn flush_scales(&mut self) -> bool {
        let desired = replicas_of(&self.d).to_string();
        let max = (replicas_of(&self.d) + max_surge(&self.d)).to_string();
        let mut sent = false;
        let planned: Vec<Planned> = self.all().cloned().collect();
        for p in planned {
            // `ReplicasAnnotationsNeedUpdate`.
            let annotations_stale = {
                let anns = p.rs.pointer("/metadata/annotations");
                let at = |k: &str| anns.and_then(|a| a.get(k)).and_then(Value::as_str);
                at(DESIRED_REPLICAS_ANNOTATION) != Some(desired.as_str())
                    || at(MAX_REPLICAS_ANNOTATION) != Some(max.as_str())
            };
            let resize = p.replicas != p.spec_replicas();
            let relabel = annotations_stale && self.rescaled.contains(p.name());
            if !(resize || relabel) {
                continue;
            }
            let mut rs = (*p.rs).clone();
            rs["spec"]["replicas"] = json!(p.replicas);
            let anns = annotations_mut(&mut rs);
            anns.insert(DESIRED_REPLICAS_ANNOTATION.into(), json!(desired));
            anns.insert(MAX_REPLICAS_ANNOTATION.into(), json!(max));
            let mut w = rs_write(self.key, &rs);
            // The scaling is recorded (an event) only when the size changed.
            if resize {
                w.tag = WriteTag::DeploymentScale {
                    deployment: self.key.to_string(),
                    rs: name(&rs).to_string(),
                    from: p.spec_replicas(),
                    to: p.replicas,
                };
            }
            self.actions.writes.push(w);
            sent = true;
        }
        sent
    }

    /// `cleanupDeployment`: delete the oldest fully scaled-down ReplicaSets beyond
    /// `revisionHistoryLimit` (10 by default).
    pub fn cleanup(&mut self) {
        let limit = self
            .d
            .pointer("/spec/revisionHistoryLimit")
            .and_then(Value::as_i64)
            .unwrap_or(10);
        let mut cleanable: Vec<&Planned> = self
            .old
            .iter()
            .filter(|p| {
                p.spec_replicas() == 0
                    && i64_at(&p.rs, "/status/replicas") == 0
                    && !is_deleting(&p.rs)
            })
            .collect();
        let excess = cleanable.len() as i64 - limit;
        if excess <= 0 {
            return;
        }
        cleanable.sort_by_key(|p| {
            (
                revision(&p.rs),
                str_at(&p.rs, "/metadata/creationTimestamp").to_string(),
            )
        });
        for p in cleanable.into_iter().take(excess as usize) {
            self.actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                format!(
                    "/apis/apps/v1/namespaces/{}/replicasets/{}",
                    namespace(&p.rs),
                    p.name()
                ),
                WriteTag::Deployment {
                    deployment: self.key.to_string(),
                },
            ));
        }
    }

    /// `scale`, on a scaling event: a single active (or the latest) ReplicaSet takes the new
    /// size; a saturated new one lets the old ones go to zero; otherwise (RollingUpdate) the
    /// change is spread over the active ReplicaSets in proportion to their size.
    pub fn scale(&mut self) {
        let desired = replicas_of(&self.d);
        // Index `old.len()` stands for the new ReplicaSet.
        let n_old = self.old.len();
        let get = |s: &Sync, i: usize| -> Option<Planned> {
            if i == n_old {
                s.new_rs.clone()
            } else {
                s.old.get(i).cloned()
            }
        };
        let mut active: Vec<usize> = (0..=n_old)
            .filter(|i| get(self, *i).is_some_and(|p| p.replicas > 0))
            .collect();
        // FindActiveOrLatest.
        let active_or_latest = match active.len() {
            0 if self.new_rs.is_some() => Some(n_old),
            0 if n_old > 0 => Some(n_old - 1),
            1 => Some(active[0]),
            _ => None,
        };
        if let Some(i) = active_or_latest {
            self.set(i, desired);
            self.mark_rescaled(i);
            return;
        }
        // IsSaturated.
        let saturated = self.new_rs.as_ref().is_some_and(|p| {
            p.replicas == desired
                && str_at(
                    &p.rs,
                    "/metadata/annotations/deployment.kubernetes.io~1desired-replicas",
                ) == desired.to_string()
                && p.available() == desired
        });
        if saturated {
            for i in 0..n_old {
                if self.old[i].replicas > 0 {
                    self.mark_rescaled(i);
                }
            }
            for p in self.old.iter_mut() {
                p.replicas = 0;
            }
            return;
        }
        if !is_rolling(&self.d) {
            return;
        }
        let total: i64 = active
            .iter()
            .filter_map(|i| get(self, *i))
            .map(|p| p.replicas)
            .sum();
        let allowed = if desired > 0 {
            desired + max_surge(&self.d)
        } else {
            0
        };
        let to_add = allowed - total;
        let created = |s: &Sync, i: usize| {
            get(s, i)
                .map(|p| str_at(&p.rs, "/metadata/creationTimestamp").to_string())
                .unwrap_or_default()
        };
        // ReplicaSetsBySizeNewer when adding, BySizeOlder when removing: larger first.
        active.sort_by(|a, b| {
            let (ra, rb) = (
                get(self, *a).map(|p| p.replicas),
                get(self, *b).map(|p| p.replicas),
            );
            rb.cmp(&ra).then_with(|| {
                if to_add > 0 {
                    created(self, *b).cmp(&created(self, *a))
                } else {
                    created(self, *a).cmp(&created(self, *b))
                }
            })
        });
        let mut added = 0;
        let mut sizes: Vec<(usize, i64)> = Vec::new();
        for i in &active {
            let Some(p) = get(self, *i) else { continue };
            let proportion = if to_add != 0 {
                proportion(&p, &self.d, to_add, added)
            } else {
                0
            };
            added += proportion;
            sizes.push((*i, p.replicas + proportion));
        }
        if let Some(first) = sizes.first_mut() {
            if to_add != 0 {
                first.1 = (first.1 + to_add - added).max(0);
            }
        }
        for (i, size) in sizes {
            self.set(i, size);
            self.mark_rescaled(i);
        }
    }

    fn mark_rescaled(&mut self, i: usize) {
        let p = if i == self.old.len() {
            self.new_rs.as_ref()
        } else {
            self.old.get(i)
        };
        if let Some(p) = p {
            self.rescaled.insert(p.name().to_string());
        }
    }

    fn set(&mut self, i: usize, replicas: i64) {
        if i == self.old.len() {
            if let Some(p) = self.new_rs.as_mut() {
                p.replicas = replicas;
            }
        } else if let Some(p) = self.old.get_mut(i) {
            p.replicas = replicas;
        }
    }
}

/// `GetProportion`: this ReplicaSet's share of `to_add`, from its fraction of the size the
/// Deployment had when it was last scaled (the max-replicas annotation).
fn proportion(p: &Planned, d: &Value, to_add: i64, added: i64) -> i64 {
    if p.replicas == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let desired = replicas_of(d);
    let fraction = if desired == 0 {
        -p.replicas
    } else {
        let max = desired + max_surge(d);
        let annotated: i64 = str_at(
            &p.rs,
            "/metadata/annotations/deployment.kubernetes.io~1max-replicas",
        )
        .parse()
        .unwrap_or_else(|_| i64_at(d, "/status/replicas"));
        if annotated == 0 {
            0
        } else {
            let size = (p.replicas as f64 * max as f64 / annotated as f64).round() as i64;
            size - p.replicas
        }
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

fn annotations_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj["metadata"]["annotations"].is_object() {
        obj["metadata"]["annotations"] = json!({});
    }
    obj["metadata"]["annotations"]
        .as_object_mut()
        .expect("annotations were just made an object")
}

fn rs_write(key: &str, rs: &Value) -> Write {
    Write::new(
        SERVICE_ACCOUNT,
        "PUT",
        format!(
            "/apis/apps/v1/namespaces/{}/replicasets/{}",
            namespace(rs),
            name(rs)
        ),
        WriteTag::Deployment {
            deployment: key.to_string(),
        },
    )
    .body(rs.clone())
}

/// `isScalingEvent`: an active ReplicaSet's desired-replicas annotation disagrees with the
/// Deployment's replicas.
fn is_scaling_event(d: &Value, rss: &ReplicaSets) -> bool {
    let want = replicas_of(d).to_string();
    rss.iter()
        .filter(|rs| i64_at(rs, "/spec/replicas") > 0)
        .any(|rs| {
            rs.pointer("/metadata/annotations")
                .and_then(|a| a.get(DESIRED_REPLICAS_ANNOTATION))
                .and_then(Value::as_str)
                .is_some_and(|v| v != want)
        })
}

/// `syncDeployment`.
pub fn sync_deployment(
    key: &str,
    d: &Arc<Value>,
    informers: &Informers,
    now: SimTime,
    actions: &mut Actions,
) {
    if selector_of(d).is_empty() {
        return;
    }
    let rss = owned_replicasets(d, informers);
    let new_rs = find_new(d, &rss);
    let old: Vec<Planned> = rss
        .iter()
        .filter(|rs| new_rs.as_ref().is_none_or(|n| uid(n) != uid(rs)))
        .map(|rs| Planned {
            rs: rs.clone(),
            replicas: i64_at(rs, "/spec/replicas"),
        })
        .collect();
    let mut s = Sync {
        key,
        d: (**d).clone(),
        original: d.clone(),
        informers,
        now,
        new_rs: new_rs.map(|rs| Planned {
            replicas: i64_at(&rs, "/spec/replicas"),
            rs,
        }),
        old,
        actions,
        rescaled: BTreeSet::new(),
    };
    if is_deleting(d) {
        progress::sync_status(&mut s, false);
        return;
    }
    if is_scaling_event(d, &rss) {
        if !s.sync_new_rs(false) {
            return;
        }
        s.scale();
        if !s.flush_scales() {
            progress::sync_status(&mut s, false);
        }
        return;
    }
    if is_rolling(d) {
        rolling::rollout_rolling(&mut s);
    } else {
        recreate::rollout_recreate(&mut s);
    }
}
