//! `pkg/controller/controller_utils.go`: what the workload controllers share — expectations,
//! controller references, active-pod filtering and the ranking that picks which pods to delete.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::apiserver::labels::Selector;
use crate::sim::{SimDuration, SimTime};

/// `ExpectationsTimeout`: expectations older than this are considered satisfied, so a lost
/// watch event cannot wedge a controller forever.
pub const EXPECTATIONS_TIMEOUT: SimDuration = SimDuration::from_secs(5 * 60);

/// `ControlleeExpectations`: how many creations and deletions a controller still waits to see
/// in its informer before it trusts the cache enough to act again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ControlleeExpectations {
    pub add: i64,
    pub del: i64,
    pub timestamp: SimTime,
}

/// `UIDTrackingControllerExpectations` keyed by controller key (`namespace/name`).
#[derive(Clone, Debug, Default)]
pub struct ControllerExpectations {
    by_key: BTreeMap<String, ControlleeExpectations>,
    /// Pods whose deletion a controller is waiting to observe, by controller key.
    deleting: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl ControllerExpectations {
    /// `SatisfiedExpectations`: true when nothing is pending, the record expired, or there is
    /// no record (a controller seen for the first time).
    pub fn satisfied(&self, key: &str, now: SimTime) -> bool {
        match self.by_key.get(key) {
            None => true,
            Some(e) => {
                (e.add <= 0 && e.del <= 0)
                    || now >= e.timestamp.saturating_add(EXPECTATIONS_TIMEOUT)
            }
        }
    }

    pub fn expect_creations(&mut self, key: &str, n: i64, now: SimTime) {
        self.by_key.insert(
            key.to_string(),
            ControlleeExpectations {
                add: n,
                del: 0,
                timestamp: now,
            },
        );
    }

    pub fn expect_deletions(&mut self, key: &str, pods: &[String], now: SimTime) {
        self.by_key.insert(
            key.to_string(),
            ControlleeExpectations {
                add: 0,
                del: pods.len() as i64,
                timestamp: now,
            },
        );
        self.deleting
            .insert(key.to_string(), pods.iter().cloned().collect());
    }

    /// `CreationObserved` (also used to lower the count for a create that failed).
    pub fn creation_observed(&mut self, key: &str) {
        if let Some(e) = self.by_key.get_mut(key) {
            e.add -= 1;
        }
    }

    /// `DeletionObserved` for `pod` (`namespace/name`): counted once per pod.
    pub fn deletion_observed(&mut self, key: &str, pod: &str) {
        let Some(set) = self.deleting.get_mut(key) else {
            return;
        };
        if set.remove(pod) {
            if let Some(e) = self.by_key.get_mut(key) {
                e.del -= 1;
            }
        }
    }

    /// `DeleteExpectations`: the controller is gone.
    pub fn delete(&mut self, key: &str) {
        self.by_key.remove(key);
        self.deleting.remove(key);
    }

    pub fn get(&self, key: &str) -> Option<&ControlleeExpectations> {
        self.by_key.get(key)
    }
}

pub fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub fn i64_at(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

pub fn name(obj: &Value) -> &str {
    str_at(obj, "/metadata/name")
}

pub fn namespace(obj: &Value) -> &str {
    str_at(obj, "/metadata/namespace")
}

pub fn uid(obj: &Value) -> &str {
    str_at(obj, "/metadata/uid")
}

pub fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
}

/// `metav1.GetControllerOf`: the owner reference with `controller: true`.
pub fn controller_of(obj: &Value) -> Option<&Value> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// `metav1.NewControllerRef`: `controller: true` and `blockOwnerDeletion: true`, so foreground
/// deletion of the owner waits for this dependent.
pub fn new_controller_ref(owner: &Value, api_version: &str, kind: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// The selector of a workload (`spec.selector`), or one that matches nothing when invalid
/// (the API server validated it, so that only guards against a bug).
pub fn selector_of(obj: &Value) -> Selector {
    obj.pointer("/spec/selector")
        .and_then(|s| Selector::from_label_selector(s).ok())
        .unwrap_or_else(|| Selector::parse("!a,a").unwrap_or_else(|_| Selector::everything()))
}

/// `controller.IsPodActive`: not Succeeded, not Failed, not being deleted.
pub fn is_pod_active(pod: &Value) -> bool {
    let phase = str_at(pod, "/status/phase");
    phase != "Succeeded" && phase != "Failed" && !is_deleting(pod)
}

/// The pod's `Ready` condition, if present: `(status == "True", lastTransitionTime)`.
pub fn pod_ready(pod: &Value) -> (bool, String) {
    for c in pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if c["type"] == "Ready" {
            return (
                c["status"] == "True",
                c["lastTransitionTime"].as_str().unwrap_or("").to_string(),
            );
        }
    }
    (false, String::new())
}

/// `podutil.IsPodAvailable`: ready for at least `minReadySeconds`.
pub fn is_pod_available(pod: &Value, min_ready_seconds: i64, now: SimTime) -> bool {
    let (ready, since) = pod_ready(pod);
    if !ready {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    let deadline = crate::sim::SimTime(
        now.as_millis()
            .saturating_sub(min_ready_seconds as u64 * 1000),
    );
    !since.is_empty() && since.as_str() <= deadline.rfc3339().as_str()
}

fn restarts(pod: &Value) -> i64 {
    pod.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| c["restartCount"].as_i64().unwrap_or(0))
        .max()
        .unwrap_or(0)
}

fn phase_rank(pod: &Value) -> u8 {
    match str_at(pod, "/status/phase") {
        "Pending" | "" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 3,
    }
}

/// `ActivePodsWithRanks.Less`: the pod that should be deleted first sorts first —
/// unscheduled before scheduled, Pending before Unknown before Running, not ready before
/// ready, more related pods on its node first, ready for less time first, more restarts first,
/// newer first. (`rank` is the number of related pods on the same node.)
pub fn deletion_order(a: (&Value, usize), b: (&Value, usize)) -> Ordering {
    let (pa, ra) = a;
    let (pb, rb) = b;
    let assigned = |p: &Value| !str_at(p, "/spec/nodeName").is_empty();
    if assigned(pa) != assigned(pb) {
        return assigned(pa).cmp(&assigned(pb));
    }
    if phase_rank(pa) != phase_rank(pb) {
        return phase_rank(pa).cmp(&phase_rank(pb));
    }
    let (ready_a, since_a) = pod_ready(pa);
    let (ready_b, since_b) = pod_ready(pb);
    if ready_a != ready_b {
        return ready_a.cmp(&ready_b);
    }
    if ra != rb {
        return rb.cmp(&ra);
    }
    if ready_a && ready_b && since_a != since_b {
        // Ready more recently (a later timestamp) goes first.
        return since_b.cmp(&since_a);
    }
    if restarts(pa) != restarts(pb) {
        return restarts(pb).cmp(&restarts(pa));
    }
    let created = |p: &Value| str_at(p, "/metadata/creationTimestamp").to_string();
    if created(pa) != created(pb) {
        return created(pb).cmp(&created(pa));
    }
    uid(pa).cmp(uid(pb))
}

/// `controller.GetPodFromTemplate`: a pod for `template` owned by `owner`, named by the API
/// server from `generateName` `<owner>-`.
pub fn pod_from_template(template: &Value, owner: &Value, controller_ref: Value) -> Value {
    let mut meta = serde_json::Map::new();
    meta.insert("generateName".into(), json!(format!("{}-", name(owner))));
    meta.insert("namespace".into(), json!(namespace(owner)));
    for field in ["labels", "annotations", "finalizers"] {
        if let Some(v) = template.pointer(&format!("/metadata/{field}")) {
            if !v.is_null() {
                meta.insert(field.into(), v.clone());
            }
        }
    }
    meta.insert("ownerReferences".into(), json!([controller_ref]));
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": Value::Object(meta),
        "spec": template.get("spec").cloned().unwrap_or_else(|| json!({})),
    })
}

/// Objects of `cache` in `ns`.
pub fn in_namespace<'a>(
    cache: &'a BTreeMap<String, Arc<Value>>,
    ns: &str,
) -> impl Iterator<Item = &'a Arc<Value>> + 'a {
    let prefix = format!("{ns}/");
    cache
        .range(prefix.clone()..)
        .take_while(move |(k, _)| k.starts_with(&prefix))
        .map(|(_, v)| v)
}

/// The simulated moment an RFC 3339 timestamp of an object stands for (timestamps are whole
/// seconds after the simulation's epoch, none later than `now`); `now` for an empty one.
pub fn sim_time_of(ts: &str, now: SimTime) -> SimTime {
    if ts.is_empty() {
        return now;
    }
    let mut lo = 0u64;
    let mut hi = now.as_millis() / 1000 + 1;
    while lo < hi {
        let mid = (lo + hi) / 2;
        if SimTime(mid * 1000).rfc3339().as_str() < ts {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    SimTime(lo * 1000)
}

/// `apierrors.HasStatusCause`: whether a refused request's Status names `cause` (such as
/// `NamespaceTerminating`, which every create in a terminating namespace gets).
pub fn has_status_cause(response: &crate::apiserver::request::HttpResponse, cause: &str) -> bool {
    response.body_json().is_some_and(|b| {
        b.pointer("/details/causes")
            .and_then(Value::as_array)
            .is_some_and(|cs| cs.iter().any(|c| c["reason"] == cause))
    })
}

/// `ControllerRefManager.ClaimObject` for each of `objects`: which the owner claims (owned and
/// matching, or matching orphans it adopts), which orphans it adopts, and which owned objects
/// it releases because they no longer match. Objects owned by another controller are left
/// alone; an owner being deleted neither adopts nor releases.
pub struct Claim<'a> {
    pub claimed: Vec<&'a Arc<Value>>,
    pub adopt: Vec<&'a Arc<Value>>,
    pub release: Vec<&'a Arc<Value>>,
}

pub fn claim_objects<'a>(
    owner: &Value,
    selector: &Selector,
    objects: impl Iterator<Item = &'a Arc<Value>>,
) -> Claim<'a> {
    let owner_uid = uid(owner);
    let mut c = Claim {
        claimed: Vec::new(),
        adopt: Vec::new(),
        release: Vec::new(),
    };
    for obj in objects {
        let matches = selector.matches_object(obj);
        match controller_of(obj) {
            Some(r) if r["uid"] == owner_uid => {
                if matches {
                    c.claimed.push(obj);
                } else if !is_deleting(owner) {
                    c.release.push(obj);
                }
            }
            Some(_) => {}
            None => {
                if matches
                    && !is_deleting(owner)
                    && !is_deleting(obj)
                    && namespace(obj) == namespace(owner)
                {
                    c.adopt.push(obj);
                    c.claimed.push(obj);
                }
            }
        }
    }
    c
}

/// The merge patch that makes `owner` the controller of `obj` (`AdoptPod`), with the uid as a
/// precondition, as the real strategic patch carries it.
pub fn adopt_patch(obj: &Value, owner: &Value, api_version: &str, kind: &str) -> Value {
    let mut refs: Vec<Value> = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    refs.push(new_controller_ref(owner, api_version, kind));
    json!({"metadata": {"ownerReferences": refs, "uid": uid(obj)}})
}

/// The merge patch that removes `owner_uid` from an object's owner references (`ReleasePod`).
pub fn release_owner_patch(obj: &Value, owner_uid: &str) -> Value {
    let refs: Vec<Value> = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r["uid"] != owner_uid)
        .cloned()
        .collect();
    json!({"metadata": {"ownerReferences": refs, "uid": uid(obj)}})
}

/// `podutil.IsPodReady`.
pub fn is_pod_ready(pod: &Value) -> bool {
    pod_ready(pod).0
}

/// `podByCreationTimestampAndPhase` (daemon controller): scheduled pods first, then older
/// first, then by name.
pub fn creation_then_phase_order(a: &Value, b: &Value) -> Ordering {
    let scheduled = |p: &Value| !str_at(p, "/spec/nodeName").is_empty();
    let created = |p: &Value| str_at(p, "/metadata/creationTimestamp").to_string();
    scheduled(b)
        .cmp(&scheduled(a))
        .then_with(|| created(a).cmp(&created(b)))
        .then_with(|| name(a).cmp(name(b)))
}

impl ControllerExpectations {
    /// `SetExpectations` with the pods whose deletion is expected (counted once each).
    pub fn set_expectations(&mut self, key: &str, add: i64, deletions: &[String], now: SimTime) {
        self.by_key.insert(
            key.to_string(),
            ControlleeExpectations {
                add,
                del: deletions.len() as i64,
                timestamp: now,
            },
        );
        self.deleting
            .insert(key.to_string(), deletions.iter().cloned().collect());
    }
}
