//! ResourceQuota (k8s.io/apiserver/pkg/admission/plugin/resourcequota and the evaluators of
//! pkg/quota/v1/evaluator/core): the validating plugin that charges a request against every
//! matching ResourceQuota in the namespace and rejects it when a hard limit would be exceeded,
//! with the real 403 texts (`exceeded quota: ...`, `failed quota: ...`, `status unknown for
//! quota: ...`).
//!
//! Quotas are matched and charged on their `status.hard`/`status.used` (kept by the resource
//! quota controller); a quota the controller has not yet reconciled has no `status.hard` and
//! matches nothing. On success the caller must persist `updated_quotas` (the new
//! `status.used`) before storing the object, as the plugin's quota accessor does.

use serde_json::{Map, Value};

use super::limit_ranger::{add_into, pod_resources};
use super::{
    in_namespace, meta_str, namespace_of, resource_list, AdmissionError, Attributes, Operation,
    ResourceList,
};
use crate::apiserver::defaulting::quantity::Quantity;
use crate::apiserver::defaulting::strategy::pod_qos_class;

/// The result of a successful check: the quotas whose `status.used` changed, and a trace note.
#[derive(Clone, Debug, PartialEq)]
pub struct QuotaCharged {
    pub updated_quotas: Vec<Value>,
    pub note: String,
}

/// The evaluator kinds: pods, services and PVCs have their own; everything else is counted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evaluator {
    Pod,
    Service,
    PersistentVolumeClaim,
    ObjectCount,
}

fn evaluator_for(attrs: &Attributes<'_>) -> Evaluator {
    match (attrs.group, attrs.resource) {
        ("", "pods") => Evaluator::Pod,
        ("", "services") => Evaluator::Service,
        ("", "persistentvolumeclaims") => Evaluator::PersistentVolumeClaim,
        _ => Evaluator::ObjectCount,
    }
}

/// `ObjectCountQuotaResourceNameFor`: `count/pods`, `count/deployments.apps`.
pub fn object_count_name(group: &str, resource: &str) -> String {
    if group.is_empty() {
        format!("count/{resource}")
    } else {
        format!("count/{resource}.{group}")
    }
}

/// The pre-`count/` names core object counts are also known by.
fn legacy_alias(group: &str, resource: &str) -> Option<&'static str> {
    match (group, resource) {
        ("", "configmaps") => Some("configmaps"),
        ("", "resourcequotas") => Some("resourcequotas"),
        ("", "replicationcontrollers") => Some("replicationcontrollers"),
        ("", "secrets") => Some("secrets"),
        _ => None,
    }
}

/// `Evaluator.Handles`
fn handles(ev: Evaluator, attrs: &Attributes<'_>) -> bool {
    if !attrs.subresource.is_empty() {
        return false;
    }
    match ev {
        Evaluator::Pod | Evaluator::ObjectCount => attrs.operation == Operation::Create,
        Evaluator::Service | Evaluator::PersistentVolumeClaim => {
            matches!(attrs.operation, Operation::Create | Operation::Update)
        }
    }
}

const POD_RESOURCES: &[&str] = &[
    "count/pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
];

/// `Evaluator.MatchingResources`
fn matching_resources(ev: Evaluator, attrs: &Attributes<'_>, input: &[String]) -> Vec<String> {
    input
        .iter()
        .filter(|r| match ev {
            Evaluator::Pod => {
                POD_RESOURCES.contains(&r.as_str())
                    || r.starts_with("hugepages-")
                    || r.starts_with("requests.hugepages-")
                    || (r.starts_with("requests.") && r.contains('/'))
            }
            Evaluator::Service => [
                "services",
                "count/services",
                "services.loadbalancers",
                "services.nodeports",
            ]
            .contains(&r.as_str()),
            Evaluator::PersistentVolumeClaim => {
                [
                    "persistentvolumeclaims",
                    "count/persistentvolumeclaims",
                    "requests.storage",
                ]
                .contains(&r.as_str())
                    || r.ends_with(".storageclass.storage.k8s.io/requests.storage")
                    || r.ends_with(".storageclass.storage.k8s.io/persistentvolumeclaims")
            }
            Evaluator::ObjectCount => {
                **r == object_count_name(attrs.group, attrs.resource)
                    || legacy_alias(attrs.group, attrs.resource) == Some(r.as_str())
            }
        })
        .cloned()
        .collect()
}

/// `podComputeUsageHelper`
fn pod_compute_usage(requests: &ResourceList, limits: &ResourceList) -> ResourceList {
    let mut result = ResourceList::new();
    result.insert("pods".into(), Quantity::from_int(1));
    for (res, quota_names) in [
        ("cpu", ["cpu", "requests.cpu"]),
        ("memory", ["memory", "requests.memory"]),
        (
            "ephemeral-storage",
            ["ephemeral-storage", "requests.ephemeral-storage"],
        ),
    ] {
        if let Some(q) = requests.get(res) {
            for n in quota_names {
                result.insert(n.into(), *q);
            }
        }
        if let Some(q) = limits.get(res) {
            result.insert(format!("limits.{res}"), *q);
        }
    }
    for (res, q) in requests {
        if res.starts_with("hugepages-") {
            result.insert(res.clone(), *q);
            result.insert(format!("requests.{res}"), *q);
        }
        // extended resources: domain-prefixed names outside kubernetes.io
        if res.contains('/') && !res.contains("kubernetes.io/") {
            result.insert(format!("requests.{res}"), *q);
        }
    }
    result
}

/// `Evaluator.Usage`
fn usage(ev: Evaluator, attrs: &Attributes<'_>, obj: &Value) -> ResourceList {
    let one = Quantity::from_int(1);
    let mut result = ResourceList::new();
    match ev {
        Evaluator::Pod => {
            result.insert("count/pods".into(), one);
            let phase = obj
                .get("status")
                .and_then(|s| s.get("phase"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if phase == "Succeeded" || phase == "Failed" {
                return result;
            }
            let mut requests = pod_resources(obj, "requests");
            let mut limits = pod_resources(obj, "limits");
            let overhead = resource_list(obj.get("spec").and_then(|s| s.get("overhead")));
            if !overhead.is_empty() {
                add_into(&mut requests, &overhead);
                // PodLimits adds overhead only to resources that have a limit.
                let present: ResourceList = overhead
                    .iter()
                    .filter(|(k, _)| limits.contains_key(*k))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect();
                add_into(&mut limits, &present);
            }
            add_into(&mut result, &pod_compute_usage(&requests, &limits));
        }
        Evaluator::Service => {
            result.insert("count/services".into(), one);
            result.insert("services".into(), one);
            let spec = obj.get("spec");
            let ty = spec
                .and_then(|s| s.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let ports = spec
                .and_then(|s| s.get("ports"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut node_ports = 0;
            let mut load_balancers = 0;
            if ty == "NodePort" {
                node_ports = ports.len() as i64;
            } else if ty == "LoadBalancer" {
                load_balancers = 1;
                let allocate = spec
                    .and_then(|s| s.get("allocateLoadBalancerNodePorts"))
                    .and_then(Value::as_bool);
                node_ports = if allocate == Some(false) {
                    ports
                        .iter()
                        .filter(|p| p.get("nodePort").and_then(Value::as_i64).unwrap_or(0) != 0)
                        .count() as i64
                } else {
                    ports.len() as i64
                };
            }
            result.insert("services.nodeports".into(), Quantity::from_int(node_ports));
            result.insert(
                "services.loadbalancers".into(),
                Quantity::from_int(load_balancers),
            );
        }
        Evaluator::PersistentVolumeClaim => {
            result.insert("count/persistentvolumeclaims".into(), one);
            result.insert("persistentvolumeclaims".into(), one);
            let class = obj
                .get("spec")
                .and_then(|s| s.get("storageClassName"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if !class.is_empty() {
                result.insert(
                    format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"),
                    one,
                );
            }
            let requests = resource_list(
                obj.get("spec")
                    .and_then(|s| s.get("resources"))
                    .and_then(|r| r.get("requests")),
            );
            if let Some(storage) = requests.get("storage") {
                result.insert("requests.storage".into(), *storage);
                if !class.is_empty() {
                    result.insert(
                        format!("{class}.storageclass.storage.k8s.io/requests.storage"),
                        *storage,
                    );
                }
            }
        }
        Evaluator::ObjectCount => {
            result.insert(object_count_name(attrs.group, attrs.resource), one);
            if let Some(alias) = legacy_alias(attrs.group, attrs.resource) {
                result.insert(alias.into(), one);
            }
        }
    }
    result
}

/// `getScopeSelectorsFromQuota` + the evaluator's `MatchesScope`. Only pods have scopes; a
/// scoped quota matches no other object.
fn matches_scopes(ev: Evaluator, quota: &Value, obj: &Value) -> bool {
    let spec = quota.get("spec");
    let mut selectors: Vec<(String, String, Vec<String>)> = Vec::new();
    for s in spec
        .and_then(|s| s.get("scopes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        selectors.push((
            s.as_str().unwrap_or("").to_string(),
            "Exists".into(),
            Vec::new(),
        ));
    }
    let exprs = spec
        .and_then(|s| s.get("scopeSelector"))
        .and_then(|s| s.get("matchExpressions"))
        .and_then(Value::as_array);
    for e in exprs.into_iter().flatten() {
        let values = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        selectors.push((
            e.get("scopeName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            e.get("operator")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            values,
        ));
    }
    selectors.iter().all(|(scope, op, values)| {
        if ev != Evaluator::Pod {
            return false;
        }
        let pod_spec = obj.get("spec");
        let terminating = pod_spec
            .and_then(|s| s.get("activeDeadlineSeconds"))
            .and_then(Value::as_i64)
            .is_some_and(|d| d >= 0);
        let best_effort = pod_qos_class(obj) == "BestEffort";
        let class = pod_spec
            .and_then(|s| s.get("priorityClassName"))
            .and_then(Value::as_str)
            .unwrap_or("");
        match scope.as_str() {
            "Terminating" => terminating,
            "NotTerminating" => !terminating,
            "BestEffort" => best_effort,
            "NotBestEffort" => !best_effort,
            "PriorityClass" => match op.as_str() {
                "Exists" => !class.is_empty(),
                "In" => values.iter().any(|v| v == class),
                "NotIn" => !values.iter().any(|v| v == class),
                _ => false,
            },
            "CrossNamespacePodAffinity" => uses_cross_namespace_affinity(obj),
            _ => false,
        }
    })
}

fn uses_cross_namespace_affinity(pod: &Value) -> bool {
    let affinity = pod.get("spec").and_then(|s| s.get("affinity"));
    ["podAffinity", "podAntiAffinity"].iter().any(|kind| {
        let a = affinity.and_then(|a| a.get(*kind));
        let required = a
            .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let preferred: Vec<Value> = a
            .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|w| w.get("podAffinityTerm").cloned())
            .collect();
        required.iter().chain(preferred.iter()).any(|t| {
            t.get("namespaces")
                .and_then(Value::as_array)
                .is_some_and(|n| !n.is_empty())
                || t.get("namespaceSelector").is_some_and(|s| !s.is_null())
        })
    })
}

/// `podEvaluator.Constraints`: when cpu or memory is quota'd, every container must state it.
fn pod_constraints(required: &[String], pod: &Value) -> Result<(), String> {
    const VALIDATION_SET: [&str; 6] = [
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let required: Vec<&String> = required
        .iter()
        .filter(|r| VALIDATION_SET.contains(&r.as_str()))
        .collect();
    let mut missing: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    let spec = pod.get("spec");
    for key in ["containers", "initContainers"] {
        for c in spec
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let res = c.get("resources");
            let usage = pod_compute_usage(
                &resource_list(res.and_then(|r| r.get("requests"))),
                &resource_list(res.and_then(|r| r.get("limits"))),
            );
            for r in &required {
                if !usage.contains_key(*r) {
                    let name = c
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    missing.entry((*r).clone()).or_default().insert(name);
                }
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| {
            format!(
                "{r} for: {}",
                names.iter().cloned().collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    Err(format!("must specify {}", parts.join("; ")))
}

/// `prettyPrint`: `name=value` pairs sorted by name, comma-separated.
fn pretty_print(list: &ResourceList) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn mask(list: &ResourceList, names: &[String]) -> ResourceList {
    list.iter()
        .filter(|(k, _)| names.contains(k))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// `QuotaAdmission.Validate` → `checkRequest`. `quotas` may hold every ResourceQuota in the
/// store; those of the object's namespace are used, in name order.
pub fn validate(
    attrs: &Attributes<'_>,
    object: &Value,
    quotas: &[Value],
) -> Result<QuotaCharged, AdmissionError> {
    let unchanged = || {
        Ok(QuotaCharged {
            updated_quotas: Vec::new(),
            note: String::new(),
        })
    };
    if !matches!(attrs.operation, Operation::Create | Operation::Update) {
        return unchanged();
    }
    let ns = namespace_of(object, attrs);
    if ns.is_empty() {
        return unchanged();
    }
    let mut quotas: Vec<Value> = in_namespace(quotas, ns).cloned().collect();
    quotas.sort_by(|a, b| meta_str(a, "name").cmp(meta_str(b, "name")));
    let ev = evaluator_for(attrs);
    if quotas.is_empty() || !handles(ev, attrs) {
        return unchanged();
    }
    let mut interesting = Vec::new();
    for (i, quota) in quotas.iter().enumerate() {
        let status = quota.get("status");
        let hard = resource_list(status.and_then(|s| s.get("hard")));
        let hard_names: Vec<String> = hard.keys().cloned().collect();
        let restricted = matching_resources(ev, attrs, &hard_names);
        if restricted.is_empty() || !matches_scopes(ev, quota, object) {
            continue;
        }
        let name = meta_str(quota, "name");
        if ev == Evaluator::Pod {
            if let Err(e) = pod_constraints(&restricted, object) {
                return Err(AdmissionError::admission_forbidden(
                    attrs,
                    object,
                    &format!("failed quota: {name}: {e}"),
                ));
            }
        }
        let used = resource_list(status.and_then(|s| s.get("used")));
        if restricted.iter().any(|r| !used.contains_key(r)) {
            let mut names = restricted.clone();
            names.sort();
            return Err(AdmissionError::admission_forbidden(
                attrs,
                object,
                &format!(
                    "status unknown for quota: {name}, resources: {}",
                    names.join(",")
                ),
            ));
        }
        interesting.push(i);
    }
    let mut delta: ResourceList = usage(ev, attrs, object)
        .into_iter()
        .filter(|(_, q)| !q.is_zero())
        .collect();
    if delta.is_empty() {
        return unchanged();
    }
    if attrs.operation == Operation::Update {
        if let Some(old) = attrs
            .old_object
            .filter(|o| !meta_str(o, "resourceVersion").is_empty())
        {
            let prev = usage(ev, attrs, old);
            // SubtractWithNonNegativeResult, then RemoveZeros
            delta = delta
                .into_iter()
                .map(|(k, v)| {
                    let d = prev.get(&k).map_or(v, |p| v.sub(p));
                    (k, if d.nanos < 0 { Quantity::zero() } else { d })
                })
                .filter(|(_, q)| !q.is_zero())
                .collect();
            if delta.is_empty() {
                return unchanged();
            }
        }
    }
    let mut updated = Vec::new();
    let mut charged = Vec::new();
    for i in interesting {
        let quota = &quotas[i];
        let status = quota.get("status");
        let hard = resource_list(status.and_then(|s| s.get("hard")));
        let used = resource_list(status.and_then(|s| s.get("used")));
        let hard_names: Vec<String> = hard.keys().cloned().collect();
        let requested = mask(&delta, &hard_names);
        let mut new_usage = used.clone();
        add_into(&mut new_usage, &requested);
        let requested_names: Vec<String> = requested.keys().cloned().collect();
        let masked_new = mask(&new_usage, &requested_names);
        let exceeded: Vec<String> = hard
            .iter()
            .filter(|(k, h)| masked_new.get(*k).is_some_and(|u| u > *h))
            .map(|(k, _)| k.clone())
            .collect();
        let name = meta_str(quota, "name");
        if !exceeded.is_empty() {
            return Err(AdmissionError::admission_forbidden(
                attrs,
                object,
                &format!(
                    "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
                    pretty_print(&mask(&requested, &exceeded)),
                    pretty_print(&mask(&used, &exceeded)),
                    pretty_print(&mask(&hard, &exceeded)),
                ),
            ));
        }
        if requested.is_empty() {
            continue;
        }
        let mut q = quota.clone();
        let used_json: Map<String, Value> = new_usage
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.canonical())))
            .collect();
        if let Some(s) = q.get_mut("status").and_then(Value::as_object_mut) {
            s.insert("used".into(), Value::Object(used_json));
        }
        charged.push(format!("{name} ({})", pretty_print(&requested)));
        updated.push(q);
    }
    let note = if charged.is_empty() {
        String::new()
    } else {
        format!("charged quota {}", charged.join("; "))
    };
    Ok(QuotaCharged {
        updated_quotas: updated,
        note,
    })
}
