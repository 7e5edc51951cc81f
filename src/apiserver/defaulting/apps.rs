//! `apps/v1` defaults: pkg/apis/apps/v1/defaults.go (Deployment, ReplicaSet, DaemonSet,
//! StatefulSet) plus the PodSpec defaults of their templates.

use serde_json::{json, Map, Value};

use super::core::{set_defaults_persistent_volume_claim_spec, set_defaults_pod_template_spec};
use super::{
    default_ptr, default_resource_list, default_str, is_empty_str, obj_mut, obj_or_create,
    objects_mut, str_of,
};

pub(super) fn set_defaults(kind: &str, m: &mut Map<String, Value>) {
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    match kind {
        "Deployment" => set_defaults_deployment(spec),
        "ReplicaSet" => default_ptr(spec, "replicas", Value::from(1)),
        "DaemonSet" => set_defaults_daemon_set(spec),
        "StatefulSet" => set_defaults_stateful_set(spec),
        // ControllerRevision: no defaults.
        _ => return,
    }
    if let Some(t) = obj_mut(spec, "template") {
        set_defaults_pod_template_spec(t);
    }
}

/// `SetDefaults_Deployment`: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
/// progressDeadlineSeconds 600.
fn set_defaults_deployment(spec: &mut Map<String, Value>) {
    default_ptr(spec, "replicas", Value::from(1));
    if let Some(strategy) = obj_or_create(spec, "strategy") {
        default_str(strategy, "type", "RollingUpdate");
        if str_of(strategy, "type") == "RollingUpdate" {
            if let Some(ru) = obj_or_create(strategy, "rollingUpdate") {
                default_ptr(ru, "maxUnavailable", Value::from("25%"));
                default_ptr(ru, "maxSurge", Value::from("25%"));
            }
        }
    }
    default_ptr(spec, "revisionHistoryLimit", Value::from(10));
    default_ptr(spec, "progressDeadlineSeconds", Value::from(600));
}

/// `SetDefaults_DaemonSet`: RollingUpdate with maxUnavailable 1 and maxSurge 0,
/// revisionHistoryLimit 10.
fn set_defaults_daemon_set(spec: &mut Map<String, Value>) {
    if let Some(strategy) = obj_or_create(spec, "updateStrategy") {
        default_str(strategy, "type", "RollingUpdate");
        if str_of(strategy, "type") == "RollingUpdate" {
            if let Some(ru) = obj_or_create(strategy, "rollingUpdate") {
                default_ptr(ru, "maxUnavailable", Value::from(1));
                default_ptr(ru, "maxSurge", Value::from(0));
            }
        }
    }
    default_ptr(spec, "revisionHistoryLimit", Value::from(10));
}

/// `SetDefaults_StatefulSet` (StatefulSetAutoDeletePVC is GA, so the retention policy is
/// always defaulted), and the PVC defaults of `volumeClaimTemplates` — including
/// `status.phase: Pending`, a well-known quirk of stored StatefulSets.
fn set_defaults_stateful_set(spec: &mut Map<String, Value>) {
    if is_empty_str(spec, "podManagementPolicy") {
        spec.insert("podManagementPolicy".into(), Value::from("OrderedReady"));
    }
    if let Some(strategy) = obj_or_create(spec, "updateStrategy") {
        if is_empty_str(strategy, "type") {
            strategy.insert("type".into(), Value::from("RollingUpdate"));
            default_ptr(strategy, "rollingUpdate", json!({}));
        }
        if str_of(strategy, "type") == "RollingUpdate" {
            if let Some(ru) = obj_mut(strategy, "rollingUpdate") {
                default_ptr(ru, "partition", Value::from(0));
            }
        }
    }
    if let Some(policy) = obj_or_create(spec, "persistentVolumeClaimRetentionPolicy") {
        default_str(policy, "whenDeleted", "Retain");
        default_str(policy, "whenScaled", "Retain");
    }
    default_ptr(spec, "replicas", Value::from(1));
    default_ptr(spec, "revisionHistoryLimit", Value::from(10));
    for pvc in objects_mut(spec, "volumeClaimTemplates") {
        if let Some(s) = obj_or_create(pvc, "spec") {
            set_defaults_persistent_volume_claim_spec(s);
        }
        if let Some(status) = obj_or_create(pvc, "status") {
            default_str(status, "phase", "Pending");
            default_resource_list(status, "capacity");
        }
    }
}
