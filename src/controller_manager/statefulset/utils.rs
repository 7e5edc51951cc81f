//! `stateful_set_utils.go`: a StatefulSet pod's identity (`<set>-<ordinal>`, its hostname and
//! subdomain, the pod-name and pod-index labels), its storage (claims `<template>-<set>-<ordinal>`
//! from the volumeClaimTemplates), its revision label, health predicates, and the claims'
//! owner references that implement `persistentVolumeClaimRetentionPolicy`.

use serde_json::{json, Value};

use crate::controller_manager::controller_utils::*;
use crate::controller_manager::history::CONTROLLER_REVISION_HASH_LABEL;
use crate::sim::SimTime;

/// `apps.StatefulSetPodNameLabel`.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// `apps.PodIndexLabel` (the PodIndexLabel gate is GA since 1.32).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// `getParentNameAndOrdinal`: `(.*)-([0-9]+)$`.
pub fn parent_and_ordinal(pod_name: &str) -> Option<(&str, i64)> {
    let (parent, ord) = pod_name.rsplit_once('-')?;
    if ord.is_empty() || !ord.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = ord.parse().ok()?;
    (n <= i32::MAX as i64).then_some((parent, n))
}

/// `getOrdinal`: -1 for a pod not named like a StatefulSet pod.
pub fn ordinal(pod: &Value) -> i64 {
    parent_and_ordinal(name(pod)).map(|(_, o)| o).unwrap_or(-1)
}

/// `isMemberOf`.
pub fn is_member_of(set: &Value, pod: &Value) -> bool {
    parent_and_ordinal(name(pod)).is_some_and(|(p, _)| p == name(set))
}

/// `getStartOrdinal` (`spec.ordinals.start`, GA since 1.31).
pub fn start_ordinal(set: &Value) -> i64 {
    i64_at(set, "/spec/ordinals/start")
}

pub fn replicas(set: &Value) -> i64 {
    set.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// `getEndOrdinal`.
pub fn end_ordinal(set: &Value) -> i64 {
    start_ordinal(set) + replicas(set) - 1
}

/// `podInOrdinalRange`.
pub fn in_ordinal_range(pod: &Value, set: &Value) -> bool {
    let o = ordinal(pod);
    o >= start_ordinal(set) && o <= end_ordinal(set)
}

pub fn pod_name(set: &Value, ordinal: i64) -> String {
    format!("{}-{ordinal}", name(set))
}

/// `getPersistentVolumeClaimName`: `<template>-<set>-<ordinal>`.
pub fn claim_name(set: &Value, template: &Value, ordinal: i64) -> String {
    format!("{}-{}-{ordinal}", name(template), name(set))
}

fn label<'a>(obj: &'a Value, key: &str) -> &'a str {
    obj.pointer("/metadata/labels")
        .and_then(|l| l.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `identityMatches`.
pub fn identity_matches(set: &Value, pod: &Value) -> bool {
    let o = ordinal(pod);
    o >= 0
        && is_member_of(set, pod)
        && name(pod) == pod_name(set, o)
        && namespace(pod) == namespace(set)
        && label(pod, POD_NAME_LABEL) == name(pod)
}

fn claim_templates(set: &Value) -> Vec<&Value> {
    set.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// `storageMatches`: every claim template has its volume, naming this ordinal's claim.
pub fn storage_matches(set: &Value, pod: &Value) -> bool {
    let o = ordinal(pod);
    if o < 0 {
        return false;
    }
    let volumes = pod
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    claim_templates(set).iter().all(|t| {
        volumes.iter().any(|v| {
            v["name"] == name(t)
                && v.pointer("/persistentVolumeClaim/claimName")
                    .and_then(Value::as_str)
                    == Some(claim_name(set, t, o).as_str())
        })
    })
}

/// `getPersistentVolumeClaims`: this pod's claims, in template order, labelled with the set's
/// `matchLabels`.
pub fn persistent_volume_claims(set: &Value, ord: i64) -> Vec<(String, Value)> {
    let match_labels = set
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    claim_templates(set)
        .into_iter()
        .map(|t| {
            let mut claim = t.clone();
            let mut meta = claim
                .get("metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            meta.insert("name".into(), json!(claim_name(set, t, ord)));
            meta.insert("namespace".into(), json!(namespace(set)));
            let mut labels = meta
                .get("labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (k, v) in &match_labels {
                labels.insert(k.clone(), v.clone());
            }
            meta.insert("labels".into(), Value::Object(labels));
            claim["metadata"] = Value::Object(meta);
            claim["apiVersion"] = json!("v1");
            claim["kind"] = json!("PersistentVolumeClaim");
            if let Some(m) = claim.as_object_mut() {
                m.remove("status");
            }
            (name(t).to_string(), claim)
        })
        .collect()
}

/// `updateStorage`: the claims' volumes first, then the pod's other volumes.
pub fn update_storage(set: &Value, pod: &mut Value) {
    let ord = ordinal(pod);
    let claims = persistent_volume_claims(set, ord);
    let mut volumes: Vec<Value> = claims
        .iter()
        .map(|(template, claim)| {
            json!({"name": template, "persistentVolumeClaim": {"claimName": name(claim)}})
        })
        .collect();
    for v in pod
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !claims.iter().any(|(t, _)| v["name"] == t.as_str()) {
            volumes.push(v.clone());
        }
    }
    if !volumes.is_empty() {
        pod["spec"]["volumes"] = Value::Array(volumes);
    }
}

/// `updateIdentity`: name, namespace, and the pod-name and pod-index labels.
pub fn update_identity(set: &Value, pod: &mut Value) {
    let ord = ordinal(pod);
    let n = pod_name(set, ord);
    pod["metadata"]["name"] = json!(n);
    pod["metadata"]["namespace"] = json!(namespace(set));
    if !pod["metadata"]["labels"].is_object() {
        pod["metadata"]["labels"] = json!({});
    }
    pod["metadata"]["labels"][POD_NAME_LABEL] = json!(n);
    pod["metadata"]["labels"][POD_INDEX_LABEL] = json!(ord.to_string());
}

/// `newStatefulSetPod`: the template's pod with this ordinal's identity (`initIdentity` also
/// sets the immutable hostname and subdomain) and storage, owned by the set.
pub fn new_stateful_set_pod(set: &Value, template: &Value, ord: i64, revision: &str) -> Value {
    let mut pod = pod_from_template(
        template,
        set,
        new_controller_ref(set, "apps/v1", "StatefulSet"),
    );
    pod["metadata"]["name"] = json!(pod_name(set, ord));
    update_identity(set, &mut pod);
    pod["spec"]["hostname"] = json!(pod_name(set, ord));
    let service = str_at(set, "/spec/serviceName");
    if !service.is_empty() {
        pod["spec"]["subdomain"] = json!(service);
    }
    update_storage(set, &mut pod);
    pod["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] = json!(revision);
    pod
}

/// `getPodRevision`.
pub fn pod_revision(pod: &Value) -> &str {
    label(pod, CONTROLLER_REVISION_HASH_LABEL)
}

/// `isCreated`: the API server has it (it has a phase).
pub fn is_created(pod: &Value) -> bool {
    !str_at(pod, "/status/phase").is_empty()
}

pub fn is_pending(pod: &Value) -> bool {
    str_at(pod, "/status/phase") == "Pending"
}

pub fn is_failed(pod: &Value) -> bool {
    str_at(pod, "/status/phase") == "Failed"
}

pub fn is_succeeded(pod: &Value) -> bool {
    str_at(pod, "/status/phase") == "Succeeded"
}

/// `isRunningAndReady`.
pub fn is_running_and_ready(pod: &Value) -> bool {
    str_at(pod, "/status/phase") == "Running" && pod_ready(pod).0
}

/// `isRunningAndAvailable` (`podutil.IsPodAvailable`).
pub fn is_running_and_available(pod: &Value, min_ready: i64, now: SimTime) -> bool {
    is_pod_available(pod, min_ready, now)
}

/// `isUnavailable`: not available, or being deleted.
pub fn is_unavailable(pod: &Value, min_ready: i64, now: SimTime) -> bool {
    !is_running_and_available(pod, min_ready, now) || is_deleting(pod)
}

/// `allowsBurst`: `podManagementPolicy: Parallel`.
pub fn allows_burst(set: &Value) -> bool {
    str_at(set, "/spec/podManagementPolicy") == "Parallel"
}

/// `getPersistentVolumeClaimRetentionPolicy`: `(whenDeleted, whenScaled)`, Retain unless set.
pub fn retention_policy(set: &Value) -> (&str, &str) {
    let get = |f: &str| {
        set.pointer(&format!("/spec/persistentVolumeClaimRetentionPolicy/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("Retain")
    };
    (get("whenDeleted"), get("whenScaled"))
}

fn refs(obj: &Value) -> Vec<Value> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `matchesRef`: same group/version, kind and name.
fn matches_ref(r: &Value, obj: &Value, api_version: &str, kind: &str) -> bool {
    r["apiVersion"] == api_version && r["kind"] == kind && r["name"] == name(obj)
}

fn has_owner_ref(target: &Value, owner: &Value) -> bool {
    refs(target).iter().any(|r| r["uid"] == uid(owner))
}

/// `hasStaleOwnerRef`: a reference to an object of this name whose uid is not this one.
pub fn has_stale_owner_ref(target: &Value, obj: &Value, api_version: &str, kind: &str) -> bool {
    refs(target)
        .iter()
        .find(|r| matches_ref(r, obj, api_version, kind))
        .is_some_and(|r| r["uid"] != uid(obj))
}

/// `hasUnexpectedController`.
fn has_unexpected_controller(claim: &Value, set: &Value, pod: &Value) -> bool {
    let (when_deleted, when_scaled) = retention_policy(set);
    if when_deleted == "Retain" && when_scaled == "Retain" {
        return false;
    }
    for r in refs(claim) {
        if matches_ref(&r, set, "apps/v1", "StatefulSet") {
            if r["uid"] != uid(set) {
                return true;
            }
            continue;
        }
        if matches_ref(&r, pod, "v1", "Pod") {
            if r["uid"] != uid(pod) {
                return true;
            }
            continue;
        }
        if r["controller"] == true {
            return true;
        }
    }
    false
}

/// `hasNonControllerOwner`.
fn has_non_controller_owner(claim: &Value, set: &Value, pod: &Value) -> bool {
    refs(claim)
        .iter()
        .any(|r| (r["uid"] == uid(set) || r["uid"] == uid(pod)) && r["controller"] != true)
}

/// `isClaimOwnerUpToDate`: the claim's owner references say what the retention policy wants
/// (Retain/Retain: none; Delete on set deletion: the set; Delete on scale-down: the pod, once
/// it is scaled down).
pub fn is_claim_owner_up_to_date(claim: &Value, set: &Value, pod: &Value) -> bool {
    if has_stale_owner_ref(claim, set, "apps/v1", "StatefulSet")
        || has_stale_owner_ref(claim, pod, "v1", "Pod")
    {
        return true;
    }
    if has_unexpected_controller(claim, set, pod) {
        return !(has_owner_ref(claim, set) || has_owner_ref(claim, pod));
    }
    if has_non_controller_owner(claim, set, pod) {
        return false;
    }
    let scaled_down = !in_ordinal_range(pod, set);
    match retention_policy(set) {
        ("Delete", "Retain") => has_owner_ref(claim, set) && !has_owner_ref(claim, pod),
        ("Retain", "Delete") => {
            !has_owner_ref(claim, set) && scaled_down == has_owner_ref(claim, pod)
        }
        ("Delete", "Delete") => {
            scaled_down != has_owner_ref(claim, set) && scaled_down == has_owner_ref(claim, pod)
        }
        _ => !(has_owner_ref(claim, set) || has_owner_ref(claim, pod)),
    }
}

/// `updateClaimOwnerRefForSetAndPod`: the claim with its references to the set and the pod
/// rewritten for the policy.
pub fn update_claim_owner_refs(claim: &Value, set: &Value, pod: &Value) -> Value {
    let unexpected = has_unexpected_controller(claim, set, pod);
    let mut out: Vec<Value> = refs(claim)
        .into_iter()
        .filter(|r| {
            !(matches_ref(r, set, "apps/v1", "StatefulSet") || matches_ref(r, pod, "v1", "Pod"))
        })
        .collect();
    if !unexpected {
        let scaled_down = !in_ordinal_range(pod, set);
        let (when_deleted, when_scaled) = retention_policy(set);
        if when_deleted == "Delete" && (when_scaled == "Retain" || !scaled_down) {
            out.push(new_controller_ref(set, "apps/v1", "StatefulSet"));
        }
        if when_scaled == "Delete" && scaled_down {
            out.push(new_controller_ref(pod, "v1", "Pod"));
        }
    }
    let mut c = claim.clone();
    c["metadata"]["ownerReferences"] = Value::Array(out);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Value {
        json!({"metadata": {"name": "web", "namespace": "default", "uid": "s1"},
            "spec": {"replicas": 3, "serviceName": "nginx",
                "selector": {"matchLabels": {"app": "nginx"}},
                "template": {"metadata": {"labels": {"app": "nginx"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}],
                        "volumes": [{"name": "config", "emptyDir": {}}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "www"},
                    "spec": {"accessModes": ["ReadWriteOnce"]}}]}})
    }

    #[test]
    fn ordinals_come_from_the_name() {
        assert_eq!(parent_and_ordinal("web-12"), Some(("web", 12)));
        assert_eq!(parent_and_ordinal("my-web-0"), Some(("my-web", 0)));
        assert_eq!(parent_and_ordinal("web-x"), None);
        assert_eq!(parent_and_ordinal("web"), None);
    }

    #[test]
    fn a_pod_gets_its_identity_and_its_claim() {
        let s = set();
        let template = s["spec"]["template"].clone();
        let pod = new_stateful_set_pod(&s, &template, 1, "web-abc");
        assert_eq!(pod["metadata"]["name"], "web-1");
        assert_eq!(pod["metadata"]["generateName"], "web-");
        assert_eq!(pod["metadata"]["labels"][POD_NAME_LABEL], "web-1");
        assert_eq!(pod["metadata"]["labels"][POD_INDEX_LABEL], "1");
        assert_eq!(
            pod["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL],
            "web-abc"
        );
        assert_eq!(pod["spec"]["hostname"], "web-1");
        assert_eq!(pod["spec"]["subdomain"], "nginx");
        assert_eq!(
            pod["spec"]["volumes"],
            json!([{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}},
                {"name": "config", "emptyDir": {}}])
        );
        assert!(identity_matches(&s, &pod) && storage_matches(&s, &pod));
        let claims = persistent_volume_claims(&s, 1);
        assert_eq!(claims[0].1["metadata"]["name"], "www-web-1");
        assert_eq!(claims[0].1["metadata"]["labels"]["app"], "nginx");
    }

    #[test]
    fn retention_policy_decides_the_claim_owners() {
        let mut s = set();
        let pod = json!({"metadata": {"name": "web-4", "namespace": "default", "uid": "p4"}});
        let claim = json!({"metadata": {"name": "www-web-4"}});
        // Retain/Retain (the default): no owners.
        assert!(is_claim_owner_up_to_date(&claim, &s, &pod));
        s["spec"]["persistentVolumeClaimRetentionPolicy"] =
            json!({"whenDeleted": "Delete", "whenScaled": "Delete"});
        assert!(!is_claim_owner_up_to_date(&claim, &s, &pod));
        // web-4 is beyond 3 replicas: scaled down, so the pod owns it, not the set.
        let fixed = update_claim_owner_refs(&claim, &s, &pod);
        assert_eq!(fixed["metadata"]["ownerReferences"][0]["kind"], "Pod");
        assert_eq!(
            fixed["metadata"]["ownerReferences"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(is_claim_owner_up_to_date(&fixed, &s, &pod));
    }
}
