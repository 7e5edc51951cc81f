//! The REST strategies' create/update preparation (`rest.BeforeCreate`/`rest.BeforeUpdate` and
//! each kind's `PrepareForCreate`/`PrepareForUpdate` in pkg/registry/*/strategy.go): status
//! reset on create, `metadata.generation` 1 on create and bumped when the spec changes, status
//! kept on spec updates and spec kept on status updates, Pod phase and QoS class, Job selectors.
//!
//! `prepare_for_create` expects `metadata.uid` and `metadata.creationTimestamp` to be filled
//! already (`rest.FillObjectMetaSystemFields`, which the real registry runs just before).

use serde_json::{json, Map, Value};

use super::quantity::{self, Quantity};
use super::{obj_mut, obj_or_create};

/// Kinds whose `PrepareForCreate` sets `metadata.generation = 1` and whose updates bump it when
/// the spec changes. Pods too since 1.33: KEP-5067 (kubernetes#130181) populates
/// `metadata.generation` for pods, deliberately not behind the PodObservedGenerationTracking gate.
const GENERATION_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "EndpointSlice",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "CustomResourceDefinition",
];

/// The `status` a kind with a status subresource is created with (the zero Go status struct as
/// the v1 JSON encoder writes it: non-`omitempty` integers appear as 0, structs as `{}`).
fn initial_status(kind: &str) -> Option<Value> {
    Some(match kind {
        "Deployment" | "Job" | "CronJob" | "PersistentVolumeClaim" | "ResourceQuota" => json!({}),
        "ReplicaSet" | "ReplicationController" => json!({"replicas": 0}),
        "StatefulSet" => json!({"replicas": 0, "availableReplicas": 0}),
        "DaemonSet" => json!({
            "currentNumberScheduled": 0,
            "numberMisscheduled": 0,
            "desiredNumberScheduled": 0,
            "numberReady": 0
        }),
        "Service" | "Ingress" => json!({"loadBalancer": {}}),
        "PodDisruptionBudget" => json!({
            "disruptionsAllowed": 0,
            "currentHealthy": 0,
            "desiredHealthy": 0,
            "expectedPods": 0
        }),
        "Namespace" => json!({"phase": "Active"}),
        _ => return None,
    })
}

/// Kinds whose main-resource updates keep the stored status (`newObj.Status = oldObj.Status`).
const STATUS_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Service",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ResourceQuota",
    "Ingress",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
];

/// The annotation apps/v1 DaemonSets carry their internal `TemplateGeneration` in.
pub const DAEMONSET_TEMPLATE_GENERATION_ANNOTATION: &str =
    "deprecated.daemonset.template.generation";

/// `rest.BeforeCreate` and the kind's `PrepareForCreate`.
pub fn prepare_for_create(kind: &str, obj: &mut Value) {
    let Some(m) = obj.as_object_mut() else { return };
    if let Some(md) = obj_mut(m, "metadata") {
        md.remove("deletionTimestamp");
        md.remove("deletionGracePeriodSeconds");
    }
    if GENERATION_KINDS.contains(&kind) {
        if let Some(md) = obj_or_create(m, "metadata") {
            md.insert("generation".into(), Value::from(1));
        }
    }
    if let Some(status) = initial_status(kind) {
        m.insert("status".into(), status);
    }
    if kind == "HorizontalPodAutoscaler" {
        // autoscaling/v1 writes both counters, v2 only the non-omitempty desiredReplicas.
        let v1 = m.get("apiVersion").and_then(Value::as_str) == Some("autoscaling/v1");
        let status = if v1 {
            json!({"currentReplicas": 0, "desiredReplicas": 0})
        } else {
            json!({"desiredReplicas": 0})
        };
        m.insert("status".into(), status);
    }
    match kind {
        "Pod" => prepare_pod_for_create(m),
        "DaemonSet" => {
            if let Some(ann) =
                obj_or_create(m, "metadata").and_then(|md| obj_or_create(md, "annotations"))
            {
                ann.insert(
                    DAEMONSET_TEMPLATE_GENERATION_ANNOTATION.into(),
                    Value::from("1"),
                );
            }
        }
        "Job" => prepare_job_for_create(m),
        "Namespace" => {
            let Some(spec) = obj_or_create(m, "spec") else {
                return;
            };
            let finalizers = spec.entry("finalizers").or_insert_with(|| json!([]));
            if let Some(list) = finalizers.as_array_mut() {
                if !list.iter().any(|f| f == "kubernetes") {
                    list.push(Value::from("kubernetes"));
                }
            }
            // Namespace Canonicalize keeps the name label in sync (also after generateName).
            let name = m
                .get("metadata")
                .and_then(|md| md.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if !name.is_empty() {
                if let Some(labels) =
                    obj_or_create(m, "metadata").and_then(|md| obj_or_create(md, "labels"))
                {
                    labels.insert(super::core::LABEL_METADATA_NAME.into(), Value::from(name));
                }
            }
        }
        "PersistentVolume" => {
            // NowFunc() in the strategy: the same instant FillObjectMetaSystemFields just used.
            let now = m
                .get("metadata")
                .and_then(|md| md.get("creationTimestamp"))
                .cloned()
                .unwrap_or(Value::Null);
            m.insert(
                "status".into(),
                json!({"phase": "Pending", "lastPhaseTransitionTime": now}),
            );
        }
        "Node" => {
            if let Some(spec) = obj_mut(m, "spec") {
                spec.remove("configSource");
            }
            if let Some(status) = obj_mut(m, "status") {
                status.remove("config");
            }
        }
        _ => {}
    }
}

/// Pod `PrepareForCreate`: status `{phase: Pending, qosClass}`, and the `PodScheduled=False`
/// condition with reason `SchedulingGated` when scheduling gates are present.
fn prepare_pod_for_create(m: &mut Map<String, Value>) {
    let qos = pod_qos_class(&Value::Object(m.clone()));
    let mut status = json!({"phase": "Pending", "qosClass": qos});
    let gated = m
        .get("spec")
        .and_then(|s| s.get("schedulingGates"))
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    if gated {
        status["conditions"] = json!([{
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": null,
            "lastTransitionTime": null,
            "reason": "SchedulingGated",
            "message": "Scheduling is blocked due to non-empty scheduling gates"
        }]);
    }
    m.insert("status".into(), status);
}

/// Job `PrepareForCreate`: unless `manualSelector` (defaulted to false) is true, the
/// selector is generated (`generateSelector`): the template gets `batch.kubernetes.io/job-name`,
/// `job-name`, `batch.kubernetes.io/controller-uid`, `controller-uid`, and the selector matches
/// `batch.kubernetes.io/controller-uid`.
fn prepare_job_for_create(m: &mut Map<String, Value>) {
    let name = m
        .get("metadata")
        .and_then(|md| md.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let uid = m
        .get("metadata")
        .and_then(|md| md.get("uid"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let template_labels_before = m
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|md| md.get("labels"))
        .cloned();
    let job_labels = m.get("metadata").and_then(|md| md.get("labels")).cloned();
    // SetDefaults_Job assigned the template's label map to the Job itself, and Go maps are
    // references: labels added to the template below show up on the Job too.
    let aliased = template_labels_before
        .as_ref()
        .is_some_and(|t| t.is_object())
        && template_labels_before == job_labels;

    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    if super::is_unset(spec, "manualSelector") {
        spec.insert("manualSelector".into(), Value::Bool(false));
    }
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let Some(labels) = obj_or_create(spec, "template")
        .and_then(|t| obj_or_create(t, "metadata"))
        .and_then(|md| obj_or_create(md, "labels"))
    else {
        return;
    };
    for key in ["job-name", "batch.kubernetes.io/job-name"] {
        labels
            .entry(key)
            .or_insert_with(|| Value::from(name.clone()));
    }
    for key in ["controller-uid", "batch.kubernetes.io/controller-uid"] {
        labels
            .entry(key)
            .or_insert_with(|| Value::from(uid.clone()));
    }
    let new_labels = labels.clone();
    if let Some(match_labels) =
        obj_or_create(spec, "selector").and_then(|s| obj_or_create(s, "matchLabels"))
    {
        match_labels
            .entry("batch.kubernetes.io/controller-uid")
            .or_insert_with(|| Value::from(uid.clone()));
    }
    if aliased {
        if let Some(md) = obj_mut(m, "metadata") {
            md.insert("labels".into(), Value::Object(new_labels));
        }
    }
}

/// `rest.BeforeUpdate` and the kind's `PrepareForUpdate` for an update of the main resource:
/// the status is kept from `old`, the generation is bumped when the spec changed (for
/// Deployments also when annotations changed).
pub fn prepare_for_update(kind: &str, new: &mut Value, old: &Value) {
    before_update(new, old);
    let Some(m) = new.as_object_mut() else { return };
    if STATUS_KINDS.contains(&kind) {
        match old.get("status") {
            Some(s) => m.insert("status".into(), s.clone()),
            None => m.remove("status"),
        };
    }
    if kind == "Namespace" {
        // Finalizers are only changed through the namespace's finalize subresource.
        let old_finalizers = old.get("spec").and_then(|s| s.get("finalizers")).cloned();
        if let Some(spec) = obj_or_create(m, "spec") {
            match old_finalizers {
                Some(f) => spec.insert("finalizers".into(), f),
                None => spec.remove("finalizers"),
            };
        }
    }
    if !GENERATION_KINDS.contains(&kind) {
        return;
    }
    let changed = match kind {
        "Deployment" => {
            m.get("spec") != old.get("spec")
                || m.get("metadata").and_then(|md| md.get("annotations"))
                    != old.get("metadata").and_then(|md| md.get("annotations"))
        }
        "EndpointSlice" => ["endpoints", "ports", "addressType"]
            .iter()
            .any(|k| m.get(*k) != old.get(*k)),
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
            m.get("webhooks") != old.get("webhooks")
        }
        _ => m.get("spec") != old.get("spec"),
    };
    if kind == "DaemonSet" {
        let old_tg = old
            .get("metadata")
            .and_then(|md| md.get("annotations"))
            .and_then(|a| a.get(DAEMONSET_TEMPLATE_GENERATION_ANNOTATION))
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok());
        let template_changed = m.get("spec").and_then(|s| s.get("template"))
            != old.get("spec").and_then(|s| s.get("template"));
        if let Some(tg) = old_tg {
            let tg = if template_changed { tg + 1 } else { tg };
            if let Some(ann) =
                obj_or_create(m, "metadata").and_then(|md| obj_or_create(md, "annotations"))
            {
                ann.insert(
                    DAEMONSET_TEMPLATE_GENERATION_ANNOTATION.into(),
                    Value::from(tg.to_string()),
                );
            }
        }
    }
    if changed {
        let generation = old
            .get("metadata")
            .and_then(|md| md.get("generation"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if let Some(md) = obj_or_create(m, "metadata") {
            md.insert("generation".into(), Value::from(generation + 1));
        }
    }
}

/// `rest.BeforeUpdate` and the status strategy's `PrepareForUpdate` (an update through the
/// `/status` subresource): the spec is kept from `old`; the generation never changes.
pub fn prepare_for_status_update(kind: &str, new: &mut Value, old: &Value) {
    before_update(new, old);
    let Some(m) = new.as_object_mut() else { return };
    match old.get("spec") {
        Some(s) => m.insert("spec".into(), s.clone()),
        None => m.remove("spec"),
    };
    match kind {
        "Pod" => {
            let old_refs = old
                .get("metadata")
                .and_then(|md| md.get("ownerReferences"))
                .cloned();
            if let Some(md) = obj_or_create(m, "metadata") {
                md.remove("deletionTimestamp");
                match old_refs {
                    Some(r) => md.insert("ownerReferences".into(), r),
                    None => md.remove("ownerReferences"),
                };
            }
            let old_qos = old.get("status").and_then(|s| s.get("qosClass")).cloned();
            if let (Some(status), Some(q)) = (obj_or_create(m, "status"), old_qos) {
                if super::is_empty_str(status, "qosClass") {
                    status.insert("qosClass".into(), q);
                }
            }
        }
        "Deployment" => {
            let old_labels = old.get("metadata").and_then(|md| md.get("labels")).cloned();
            if let Some(md) = obj_or_create(m, "metadata") {
                match old_labels {
                    Some(l) => md.insert("labels".into(), l),
                    None => md.remove("labels"),
                };
            }
        }
        _ => {}
    }
}

/// `rest.BeforeUpdate`'s metadata rules: requests cannot change generation, uid (when empty),
/// creationTimestamp, or remove a deletion timestamp / grace period.
fn before_update(new: &mut Value, old: &Value) {
    let Some(old_md) = old.get("metadata").and_then(Value::as_object) else {
        return;
    };
    let Some(md) = new
        .as_object_mut()
        .and_then(|m| obj_or_create(m, "metadata"))
    else {
        return;
    };
    match old_md.get("generation") {
        Some(g) => md.insert("generation".into(), g.clone()),
        None => md.remove("generation"),
    };
    if super::is_empty_str(md, "uid") {
        if let Some(uid) = old_md.get("uid") {
            md.insert("uid".into(), uid.clone());
        }
    }
    if let Some(ts) = old_md.get("creationTimestamp").filter(|t| !t.is_null()) {
        md.insert("creationTimestamp".into(), ts.clone());
    }
    for key in ["deletionGracePeriodSeconds", "deletionTimestamp"] {
        if let Some(v) = old_md.get(key).filter(|v| !v.is_null()) {
            if super::is_unset(md, key) {
                md.insert(key.into(), v.clone());
            }
        }
    }
}

/// `qos.GetPodQOS` (ComputePodQOS): `Guaranteed` when every container (and init container) has
/// positive cpu and memory limits and the summed requests equal the summed limits,
/// `BestEffort` when no container requests or limits cpu or memory, `Burstable` otherwise.
pub fn pod_qos_class(pod: &Value) -> &'static str {
    let spec = pod.get("spec");
    let mut requests: std::collections::BTreeMap<String, Quantity> = Default::default();
    let mut limits: std::collections::BTreeMap<String, Quantity> = Default::default();
    let mut guaranteed = true;
    let containers = ["containers", "initContainers"].into_iter().flat_map(|k| {
        spec.and_then(|s| s.get(k))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    });
    for c in containers {
        let res = c.get("resources");
        let list = |key: &str| -> Vec<(String, Quantity)> {
            res.and_then(|r| r.get(key))
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| *k == "cpu" || *k == "memory")
                        .filter_map(|(k, v)| quantity::from_json(v).map(|q| (k.clone(), q)))
                        .filter(|(_, q)| q.nanos > 0)
                        .collect()
                })
                .unwrap_or_default()
        };
        for (k, q) in list("requests") {
            let sum = requests.get(&k).map_or(q, |prev| q.add(prev));
            requests.insert(k, sum);
        }
        let found = list("limits");
        for (k, q) in &found {
            let sum = limits.get(k).map_or(*q, |prev| q.add(prev));
            limits.insert(k.clone(), sum);
        }
        let has = |name: &str| found.iter().any(|(k, _)| k == name);
        if !(has("cpu") && has("memory")) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        for (name, req) in &requests {
            if limits.get(name) != Some(req) {
                guaranteed = false;
                break;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// `names.MaxGeneratedNameLength`: 63 minus the 5 random characters.
pub const MAX_GENERATED_NAME_LENGTH: usize = 58;

/// `names.SimpleNameGenerator.GenerateName`: the base (cut to 58 bytes) plus 5 random characters.
pub fn generate_name(base: &str, rng: &mut crate::sim::Rng) -> String {
    let mut cut = base.len().min(MAX_GENERATED_NAME_LENGTH);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", &base[..cut], rng.k8s_suffix(5))
}

/// `uuid.NewUUID()`: a random (version 4, RFC 4122 variant) UID from the simulation's PRNG.
pub fn new_uid(rng: &mut crate::sim::Rng) -> String {
    let hi = rng.next_u64();
    let lo = rng.next_u64();
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// `rest.FillObjectMetaSystemFields` and the registry's name generation, which run after
/// mutating admission and before `prepare_for_create`: `uid`, `creationTimestamp` (RFC 3339,
/// from the simulation clock), `selfLink` cleared, and a generated name when only
/// `generateName` is given.
pub fn fill_object_meta_system_fields(
    obj: &mut Value,
    uid: &str,
    creation_timestamp: &str,
    rng: &mut crate::sim::Rng,
) {
    let Some(md) = obj
        .as_object_mut()
        .and_then(|m| obj_or_create(m, "metadata"))
    else {
        return;
    };
    md.insert("uid".into(), Value::from(uid));
    md.insert("creationTimestamp".into(), Value::from(creation_timestamp));
    md.remove("selfLink");
    let name_empty = super::is_empty_str(md, "name");
    let generate = md
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name_empty && !generate.is_empty() {
        md.insert("name".into(), Value::from(generate_name(&generate, rng)));
    }
}
