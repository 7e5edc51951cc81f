//! LimitRanger (plugin/pkg/admission/limitranger): applies the default requests and limits of
//! the namespace's LimitRanges to new Pods' containers (mutating), and enforces their min, max
//! and maxLimitRequestRatio for Containers, Pods and PersistentVolumeClaims (validating).
//!
//! Go iterates resource maps in random order; here resources are taken in name order, so when
//! several constraints fail the aggregated message lists them sorted.

use serde_json::{Map, Value};

use super::{
    aggregate, in_namespace, is_main_resource, namespace_of, resource_list, AdmissionError,
    Admitted, Attributes, Operation, ResourceList,
};
use crate::apiserver::defaulting::core::set_defaults_limit_range_item;
use crate::apiserver::defaulting::quantity::Quantity;

/// The annotation listing what the plugin set.
pub const LIMIT_RANGER_ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// `DefaultLimitRangerActions.SupportsAttributes`: pod creates (pod updates cannot change
/// resources outside the resize subresource) and PVC creates/updates.
fn supports(attrs: &Attributes<'_>) -> Option<&'static str> {
    if is_main_resource(attrs, "", "pods") && attrs.operation == Operation::Create {
        return Some("Pod");
    }
    if is_main_resource(attrs, "", "persistentvolumeclaims")
        && matches!(attrs.operation, Operation::Create | Operation::Update)
    {
        return Some("PersistentVolumeClaim");
    }
    None
}

/// The namespace's LimitRanges, defaulted as the lister would return them, by name.
fn limit_ranges_for(attrs: &Attributes<'_>, object: &Value, limit_ranges: &[Value]) -> Vec<Value> {
    let ns = namespace_of(object, attrs);
    let mut list: Vec<Value> = in_namespace(limit_ranges, ns).cloned().collect();
    for lr in &mut list {
        if let Some(items) = lr
            .get_mut("spec")
            .and_then(|s| s.get_mut("limits"))
            .and_then(Value::as_array_mut)
        {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                set_defaults_limit_range_item(item);
            }
        }
    }
    list.sort_by(|a, b| super::meta_str(a, "name").cmp(super::meta_str(b, "name")));
    list
}

fn items(lr: &Value) -> impl Iterator<Item = &Value> {
    lr.get("spec")
        .and_then(|s| s.get("limits"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// `LimitRanger.Admit` → `PodMutateLimitFunc`: container defaults from each LimitRange.
pub fn admit(
    attrs: &Attributes<'_>,
    mut object: Value,
    limit_ranges: &[Value],
) -> Result<Admitted, AdmissionError> {
    if supports(attrs) != Some("Pod") {
        return Ok(Admitted::unchanged(object));
    }
    let mut note = String::new();
    for lr in limit_ranges_for(attrs, &object, limit_ranges) {
        // defaultContainerResourceRequirements
        let mut requests = Map::new();
        let mut limits = Map::new();
        for item in
            items(&lr).filter(|i| i.get("type").and_then(Value::as_str) == Some("Container"))
        {
            if let Some(m) = item.get("defaultRequest").and_then(Value::as_object) {
                requests.extend(m.clone());
            }
            if let Some(m) = item.get("default").and_then(Value::as_object) {
                limits.extend(m.clone());
            }
        }
        if let Some(set) = merge_pod_resource_requirements(&mut object, &requests, &limits) {
            note = set;
        }
    }
    Ok(Admitted { object, note })
}

/// `mergePodResourceRequirements`: fills missing requests/limits and records them in the
/// `kubernetes.io/limit-ranger` annotation. Returns the annotation text if anything was set.
fn merge_pod_resource_requirements(
    pod: &mut Value,
    requests: &Map<String, Value>,
    limits: &Map<String, Value>,
) -> Option<String> {
    let mut annotations = Vec::new();
    if let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) {
        for (key, prefix) in [
            ("containers", "container"),
            ("initContainers", "init container"),
        ] {
            let Some(cs) = spec.get_mut(key).and_then(Value::as_array_mut) else {
                continue;
            };
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                merge_container_resources(c, requests, limits, prefix, &mut annotations);
            }
        }
    }
    if annotations.is_empty() {
        return None;
    }
    let text = format!("LimitRanger plugin set: {}", annotations.join("; "));
    let md = pod
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let ann = md
        .as_object_mut()?
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(a) = ann.as_object_mut() {
        a.insert(LIMIT_RANGER_ANNOTATION.into(), Value::from(text.clone()));
    }
    Some(text)
}

/// `mergeContainerResources`
fn merge_container_resources(
    c: &mut Map<String, Value>,
    requests: &Map<String, Value>,
    limits: &Map<String, Value>,
    prefix: &str,
    annotations: &mut Vec<String>,
) {
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let res = c
        .entry("resources")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(res) = res.as_object_mut() else {
        return;
    };
    let mut set = |field: &str, defaults: &Map<String, Value>| -> Vec<String> {
        let mut names = Vec::new();
        if defaults.is_empty() {
            return names;
        }
        let list = res
            .entry(field)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(list) = list.as_object_mut() {
            for (k, v) in defaults {
                if !list.contains_key(k) {
                    list.insert(k.clone(), v.clone());
                    names.push(k.clone());
                }
            }
        }
        names.sort();
        names
    };
    let set_limits = set("limits", limits);
    let set_requests = set("requests", requests);
    if !set_requests.is_empty() {
        annotations.push(format!(
            "{} request for {prefix} {name}",
            set_requests.join(", ")
        ));
    }
    if !set_limits.is_empty() {
        annotations.push(format!(
            "{} limit for {prefix} {name}",
            set_limits.join(", ")
        ));
    }
}

/// `LimitRanger.Validate`: every LimitRange's constraints; the first failing LimitRange's
/// errors are reported, aggregated, as a 403.
pub fn validate(
    attrs: &Attributes<'_>,
    object: &Value,
    limit_ranges: &[Value],
) -> Result<(), AdmissionError> {
    let Some(kind) = supports(attrs) else {
        return Ok(());
    };
    for lr in limit_ranges_for(attrs, object, limit_ranges) {
        let errs = if kind == "Pod" {
            pod_validate_limit(&lr, object)
        } else {
            pvc_validate_limit(&lr, object)
        };
        if !errs.is_empty() {
            return Err(AdmissionError::admission_forbidden(
                attrs,
                object,
                &aggregate(&errs),
            ));
        }
    }
    Ok(())
}

/// `PodValidateLimitFunc`
fn pod_validate_limit(lr: &Value, pod: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let spec = pod.get("spec");
    let containers = |key: &str| {
        spec.and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for item in items(lr) {
        let limit_type = item.get("type").and_then(Value::as_str).unwrap_or("");
        let min = resource_list(item.get("min"));
        let max = resource_list(item.get("max"));
        let ratio = resource_list(item.get("maxLimitRequestRatio"));
        let mut check = |requests: &ResourceList, limits: &ResourceList| {
            for (k, v) in &min {
                errs.extend(min_constraint(limit_type, k, v, requests, limits));
            }
            for (k, v) in &max {
                errs.extend(max_constraint(limit_type, k, v, requests, limits));
            }
            for (k, v) in &ratio {
                errs.extend(limit_request_ratio_constraint(
                    limit_type, k, v, requests, limits,
                ));
            }
        };
        match limit_type {
            "Container" => {
                for c in containers("containers")
                    .iter()
                    .chain(containers("initContainers").iter())
                {
                    let res = c.get("resources");
                    check(
                        &resource_list(res.and_then(|r| r.get("requests"))),
                        &resource_list(res.and_then(|r| r.get("limits"))),
                    );
                }
            }
            "Pod" => check(
                &pod_resources(pod, "requests"),
                &pod_resources(pod, "limits"),
            ),
            _ => {}
        }
    }
    errs
}

/// `PersistentVolumeClaimValidateLimitFunc`: min and max of the requested storage.
fn pvc_validate_limit(lr: &Value, pvc: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let requests = resource_list(
        pvc.get("spec")
            .and_then(|s| s.get("resources"))
            .and_then(|r| r.get("requests")),
    );
    for item in
        items(lr).filter(|i| i.get("type").and_then(Value::as_str) == Some("PersistentVolumeClaim"))
    {
        for (k, v) in &resource_list(item.get("min")) {
            errs.extend(min_constraint(
                "PersistentVolumeClaim",
                k,
                v,
                &requests,
                &ResourceList::new(),
            ));
        }
        for (k, v) in &resource_list(item.get("max")) {
            errs.extend(max_request_constraint(
                "PersistentVolumeClaim",
                k,
                v,
                &requests,
            ));
        }
    }
    errs
}

/// `podRequests`/`podLimits` of the plugin: the sum over containers, raised to the largest init
/// container (restartable "sidecar" init containers add up and also count as regular).
pub(crate) fn pod_resources(pod: &Value, field: &str) -> ResourceList {
    let spec = pod.get("spec");
    let list_of = |c: &Value| resource_list(c.get("resources").and_then(|r| r.get(field)));
    let mut total = ResourceList::new();
    for c in spec
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add_into(&mut total, &list_of(c));
    }
    let mut restartable = ResourceList::new();
    let mut init_max = ResourceList::new();
    for c in spec
        .and_then(|s| s.get("initContainers"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let own = list_of(c);
        let effective = if c.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
            add_into(&mut total, &own);
            add_into(&mut restartable, &own);
            restartable.clone()
        } else {
            let mut tmp = own;
            add_into(&mut tmp, &restartable);
            tmp
        };
        max_into(&mut init_max, &effective);
    }
    max_into(&mut total, &init_max);
    total
}

pub(crate) fn add_into(a: &mut ResourceList, b: &ResourceList) {
    for (k, v) in b {
        let sum = a.get(k).map_or(*v, |prev| prev.add(v));
        a.insert(k.clone(), sum);
    }
}

fn max_into(a: &mut ResourceList, b: &ResourceList) {
    for (k, v) in b {
        if a.get(k).is_none_or(|prev| v > prev) {
            a.insert(k.clone(), *v);
        }
    }
}

/// `minConstraint`
fn min_constraint(
    limit_type: &str,
    name: &str,
    enforced: &Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let Some(req) = requests.get(name) else {
        return Some(format!(
            "minimum {name} usage per {limit_type} is {enforced}.  No request is specified"
        ));
    };
    if req.milli_value() < enforced.milli_value() {
        return Some(format!(
            "minimum {name} usage per {limit_type} is {enforced}, but request is {req}"
        ));
    }
    if let Some(lim) = limits.get(name) {
        if lim.milli_value() < enforced.milli_value() {
            return Some(format!(
                "minimum {name} usage per {limit_type} is {enforced}, but limit is {lim}"
            ));
        }
    }
    None
}

/// `maxRequestConstraint` (PVCs: there are no limits, the request is checked).
fn max_request_constraint(
    limit_type: &str,
    name: &str,
    enforced: &Quantity,
    requests: &ResourceList,
) -> Option<String> {
    let Some(req) = requests.get(name) else {
        return Some(format!(
            "maximum {name} usage per {limit_type} is {enforced}.  No request is specified"
        ));
    };
    if req.milli_value() > enforced.milli_value() {
        return Some(format!(
            "maximum {name} usage per {limit_type} is {enforced}, but request is {req}"
        ));
    }
    None
}

/// `maxConstraint`
fn max_constraint(
    limit_type: &str,
    name: &str,
    enforced: &Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let Some(lim) = limits.get(name) else {
        return Some(format!(
            "maximum {name} usage per {limit_type} is {enforced}.  No limit is specified"
        ));
    };
    if lim.milli_value() > enforced.milli_value() {
        return Some(format!(
            "maximum {name} usage per {limit_type} is {enforced}, but limit is {lim}"
        ));
    }
    if let Some(req) = requests.get(name) {
        if req.milli_value() > enforced.milli_value() {
            return Some(format!(
                "maximum {name} usage per {limit_type} is {enforced}, but request is {req}"
            ));
        }
    }
    None
}

/// `limitRequestRatioConstraint`
fn limit_request_ratio_constraint(
    limit_type: &str,
    name: &str,
    enforced: &Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let req = requests.get(name).map_or(0, Quantity::milli_value);
    let lim = limits.get(name).map_or(0, Quantity::milli_value);
    if req == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {limit_type} is {enforced}, but no request is specified or request is 0"
        ));
    }
    if lim == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {limit_type} is {enforced}, but no limit is specified or limit is 0"
        ));
    }
    let observed = lim as f64 / req as f64;
    if observed * 1000.0 > enforced.milli_value() as f64 {
        return Some(format!(
            "{name} max limit to request ratio per {limit_type} is {enforced}, but provided ratio is {observed:.6}"
        ));
    }
    None
}
