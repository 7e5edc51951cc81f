//! Defaults of the smaller API groups: networking.k8s.io/v1 (NetworkPolicy, IngressClass),
//! discovery.k8s.io/v1 (EndpointSlice), scheduling.k8s.io/v1 (PriorityClass),
//! storage.k8s.io/v1 (StorageClass, CSIDriver), rbac.authorization.k8s.io/v1 (bindings and
//! subjects), autoscaling/v1 and v2 (HorizontalPodAutoscaler), admissionregistration.k8s.io/v1
//! (webhook configurations). Ingress, Lease, events.k8s.io
//! Events and policy/v1 PodDisruptionBudgets have no defaults.

use serde_json::{json, Map, Value};

use super::{default_ptr, default_str, is_unset, obj_mut, obj_or_create, objects_mut, str_of};

/// `rbacv1.GroupName`
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

pub(super) fn set_defaults(api_version: &str, kind: &str, m: &mut Map<String, Value>) {
    match (api_version, kind) {
        ("networking.k8s.io/v1", "NetworkPolicy") => set_defaults_network_policy(m),
        ("networking.k8s.io/v1", "IngressClass") => {
            if let Some(params) = obj_mut(m, "spec").and_then(|s| obj_mut(s, "parameters")) {
                default_ptr(params, "scope", Value::from("Cluster"));
            }
        }
        ("discovery.k8s.io/v1", "EndpointSlice") => {
            for port in objects_mut(m, "ports") {
                default_ptr(port, "name", Value::from(""));
                default_ptr(port, "protocol", Value::from("TCP"));
            }
        }
        ("scheduling.k8s.io/v1", "PriorityClass") => {
            default_ptr(m, "preemptionPolicy", Value::from("PreemptLowerPriority"));
        }
        ("storage.k8s.io/v1", "StorageClass") => {
            default_ptr(m, "reclaimPolicy", Value::from("Delete"));
            default_ptr(m, "volumeBindingMode", Value::from("Immediate"));
        }
        ("storage.k8s.io/v1", "CSIDriver") => {
            if let Some(spec) = obj_or_create(m, "spec") {
                default_ptr(spec, "attachRequired", Value::Bool(true));
                default_ptr(spec, "podInfoOnMount", Value::Bool(false));
                default_ptr(spec, "storageCapacity", Value::Bool(false));
                default_ptr(
                    spec,
                    "fsGroupPolicy",
                    Value::from("ReadWriteOnceWithFSType"),
                );
                if spec
                    .get("volumeLifecycleModes")
                    .and_then(Value::as_array)
                    .is_none_or(|a| a.is_empty())
                {
                    spec.insert("volumeLifecycleModes".into(), json!(["Persistent"]));
                }
                default_ptr(spec, "requiresRepublish", Value::Bool(false));
                default_ptr(spec, "seLinuxMount", Value::Bool(false));
            }
        }
        ("rbac.authorization.k8s.io/v1", "RoleBinding" | "ClusterRoleBinding") => {
            if let Some(role_ref) = obj_mut(m, "roleRef") {
                default_str(role_ref, "apiGroup", RBAC_GROUP);
            }
            for subject in objects_mut(m, "subjects") {
                set_defaults_subject(subject);
            }
        }
        ("autoscaling/v1", "HorizontalPodAutoscaler") => {
            if let Some(spec) = obj_or_create(m, "spec") {
                default_ptr(spec, "minReplicas", Value::from(1));
            }
        }
        ("autoscaling/v2", "HorizontalPodAutoscaler") => set_defaults_hpa_v2(m),
        (
            "admissionregistration.k8s.io/v1",
            kind @ ("ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"),
        ) => {
            let mutating = kind == "MutatingWebhookConfiguration";
            for webhook in objects_mut(m, "webhooks") {
                set_defaults_webhook(webhook, mutating);
            }
        }
        _ => {}
    }
}

/// `SetDefaults_ValidatingWebhook` / `SetDefaults_MutatingWebhook`, with `SetDefaults_Rule`
/// and `SetDefaults_ServiceReference`.
fn set_defaults_webhook(w: &mut Map<String, Value>, mutating: bool) {
    default_ptr(w, "failurePolicy", Value::from("Fail"));
    default_ptr(w, "matchPolicy", Value::from("Equivalent"));
    default_ptr(w, "namespaceSelector", json!({}));
    default_ptr(w, "objectSelector", json!({}));
    default_ptr(w, "timeoutSeconds", Value::from(10));
    if mutating {
        default_ptr(w, "reinvocationPolicy", Value::from("Never"));
    }
    for rule in objects_mut(w, "rules") {
        default_ptr(rule, "scope", Value::from("*"));
    }
    if let Some(service) = obj_mut(w, "clientConfig").and_then(|c| obj_mut(c, "service")) {
        default_ptr(service, "port", Value::from(443));
    }
}

/// `SetDefaults_NetworkPolicy` and `SetDefaults_NetworkPolicyPort`.
fn set_defaults_network_policy(m: &mut Map<String, Value>) {
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    for direction in ["ingress", "egress"] {
        for rule in objects_mut(spec, direction) {
            for port in objects_mut(rule, "ports") {
                default_ptr(port, "protocol", Value::from("TCP"));
            }
        }
    }
    if spec
        .get("policyTypes")
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty())
    {
        let has_egress = spec
            .get("egress")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        let types = if has_egress {
            json!(["Ingress", "Egress"])
        } else {
            json!(["Ingress"])
        };
        spec.insert("policyTypes".into(), types);
    }
}

/// `SetDefaults_Subject`: Users and Groups live in the RBAC group, ServiceAccounts in core.
fn set_defaults_subject(s: &mut Map<String, Value>) {
    if !super::is_empty_str(s, "apiGroup") {
        return;
    }
    match str_of(s, "kind") {
        "ServiceAccount" => {
            s.insert("apiGroup".into(), Value::from(""));
        }
        "User" | "Group" => {
            s.insert("apiGroup".into(), Value::from(RBAC_GROUP));
        }
        _ => {}
    }
}

/// `SetDefaults_HorizontalPodAutoscaler` (autoscaling/v2): minReplicas 1, a CPU 80%
/// utilization metric when none is given, and the behavior rules only when `behavior` is set.
fn set_defaults_hpa_v2(m: &mut Map<String, Value>) {
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    default_ptr(spec, "minReplicas", Value::from(1));
    if spec
        .get("metrics")
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty())
    {
        spec.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]),
        );
    }
    let Some(behavior) = obj_mut(spec, "behavior") else {
        return;
    };
    if let Some(up) = obj_or_create(behavior, "scaleUp") {
        default_ptr(up, "stabilizationWindowSeconds", Value::from(0));
        default_ptr(up, "selectPolicy", Value::from("Max"));
        if is_unset(up, "policies") {
            up.insert(
                "policies".into(),
                json!([{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]),
            );
        }
    }
    if let Some(down) = obj_or_create(behavior, "scaleDown") {
        // stabilizationWindowSeconds stays nil: the controller's --horizontal-pod-autoscaler-
        // downscale-stabilization flag (300s) applies.
        default_ptr(down, "selectPolicy", Value::from("Max"));
        if is_unset(down, "policies") {
            down.insert(
                "policies".into(),
                json!([{"type": "Percent", "value": 100, "periodSeconds": 15}]),
            );
        }
    }
}
