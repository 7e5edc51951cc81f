//! The subresources kube-apiserver serves beside the main resource: `status`, `pods/binding`,
//! `*/scale`, `pods/eviction` and `namespaces/finalize`, as pure functions from the current
//! object and the request body to the object to store.

use serde_json::{json, Value};

use super::errors::{self, ApiError};
use super::labels::Selector;
use super::resources::Resource;
use crate::sim::SimTime;

/// `X/status`: the new object is the current one with the body's status (the spec and metadata
/// of a status update are ignored, as the status strategies do).
pub fn with_status(current: &Value, body: &Value) -> Value {
    let mut new = current.clone();
    // The status strategies keep the spec and labels but let annotations through (the
    // Deployment controller writes its revision annotation with its status).
    if let Some(ann) = body.pointer("/metadata/annotations") {
        if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("annotations".to_string(), ann.clone());
        }
    }
    match body.get("status") {
        Some(s) => new["status"] = s.clone(),
        None => {
            if let Some(m) = new.as_object_mut() {
                m.remove("status");
            }
        }
    }
    new
}

/// A main-resource update keeps the stored status: only `X/status` may change it.
pub fn keep_status(new: &mut Value, current: &Value) {
    if let Some(m) = new.as_object_mut() {
        match current.get("status") {
            Some(s) => {
                m.insert("status".into(), s.clone());
            }
            None => {
                m.remove("status");
            }
        }
    }
}

/// Kinds whose status is written only through their `status` subresource.
pub fn has_status_subresource(resource: &Resource) -> bool {
    resource.subresource("status").is_some()
}

/// `pods/binding`: assigns the pod to the Binding's target node and marks it scheduled
/// (`BindingREST.setPodNodeAndMetadata`).
pub fn bind(pod: &Value, binding: &Value, now: SimTime) -> Result<Value, ApiError> {
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let node = binding
        .pointer("/target/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = binding
        .pointer("/target/kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !kind.is_empty() && kind != "Node" {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!("Binding.core \"{name}\" is invalid: target.kind: Unsupported value: \"{kind}\": supported values: \"Node\""),
            None,
        ));
    }
    if node.is_empty() {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!("Binding.core \"{name}\" is invalid: target.name: Required value"),
            None,
        ));
    }
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return Err(errors::ApiError::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is being deleted, cannot be assigned to a host"),
            Some(json!({"name": name, "kind": "pods/binding"})),
        ));
    }
    if let Some(existing) = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    {
        return Err(errors::ApiError::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{existing}\""),
            Some(json!({"name": name, "kind": "pods/binding"})),
        ));
    }
    let mut new = pod.clone();
    new["spec"]["nodeName"] = json!(node);
    if let Some(ann) = binding
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for (k, v) in ann {
            new["metadata"]["annotations"][k] = v.clone();
        }
    }
    set_condition(
        &mut new,
        json!({
            "type": "PodScheduled",
            "status": "True",
            "lastProbeTime": null,
            "lastTransitionTime": now.rfc3339(),
        }),
    );
    Ok(new)
}

/// Sets a condition in `status.conditions`, replacing one of the same type.
pub fn set_condition(obj: &mut Value, condition: Value) {
    if !obj.get("status").is_some_and(Value::is_object) {
        obj["status"] = json!({});
    }
    let conds = obj["status"]
        .as_object_mut()
        .expect("object")
        .entry("conditions")
        .or_insert_with(|| json!([]));
    if !conds.is_array() {
        *conds = json!([]);
    }
    let list = conds.as_array_mut().expect("array");
    let kind = condition["type"].clone();
    match list.iter_mut().find(|c| c["type"] == kind) {
        Some(c) => *c = condition,
        None => list.push(condition),
    }
}

/// `X/scale` as an `autoscaling/v1` Scale.
pub fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let selector = obj
        .pointer("/spec/selector")
        .and_then(|s| Selector::from_label_selector(s).ok())
        .map(|s| s.to_string())
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
            "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": { "replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(0)) },
        "status": {
            "replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            "selector": selector,
        },
    })
}

/// Applies a Scale's `spec.replicas` to the object it scales.
pub fn apply_scale(current: &Value, scale: &Value) -> Result<Value, ApiError> {
    let name = current
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let replicas = scale.pointer("/spec/replicas");
    let n = match replicas {
        None => 0,
        Some(v) => v.as_i64().ok_or_else(|| {
            errors::bad_request("json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas of type int32".into())
        })?,
    };
    if n < 0 {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!("Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {n}: must be greater than or equal to 0"),
            None,
        ));
    }
    let mut new = current.clone();
    new["spec"]["replicas"] = json!(n);
    Ok(new)
}

/// `namespaces/finalize`: only `spec.finalizers` changes.
pub fn finalize(current: &Value, body: &Value) -> Value {
    let mut new = current.clone();
    new["spec"]["finalizers"] = body
        .pointer("/spec/finalizers")
        .cloned()
        .unwrap_or(json!([]));
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_sets_the_node_and_the_scheduled_condition_once() {
        let pod = json!({"metadata": {"name": "web"}, "spec": {}, "status": {"phase": "Pending"}});
        let binding = json!({"target": {"kind": "Node", "name": "worker-1"}});
        let bound = bind(&pod, &binding, SimTime(5_000)).unwrap();
        assert_eq!(bound["spec"]["nodeName"], "worker-1");
        assert_eq!(bound["status"]["conditions"][0]["type"], "PodScheduled");
        let again = bind(&bound, &binding, SimTime(6_000)).unwrap_err();
        assert_eq!(again.code, 409);
        assert_eq!(
            again.message(),
            "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"worker-1\""
        );
    }

    #[test]
    fn scale_round_trip() {
        let d = json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}}, "status": {"replicas": 3}});
        let s = scale_of(&d);
        assert_eq!(s["status"]["selector"], "app=web");
        assert_eq!(s["spec"]["replicas"], 3);
        let scaled = apply_scale(&d, &json!({"spec": {"replicas": 5}})).unwrap();
        assert_eq!(scaled["spec"]["replicas"], 5);
        assert_eq!(
            apply_scale(&d, &json!({"spec": {"replicas": -1}}))
                .unwrap_err()
                .code,
            422
        );
    }

    #[test]
    fn status_updates_touch_only_status() {
        let cur = json!({"spec": {"a": 1}, "status": {"phase": "Pending"}});
        let new = with_status(
            &cur,
            &json!({"spec": {"a": 2}, "status": {"phase": "Running"}}),
        );
        assert_eq!(
            new,
            json!({"spec": {"a": 1}, "status": {"phase": "Running"}})
        );
        let mut upd = json!({"spec": {"a": 3}, "status": {"phase": "Failed"}});
        keep_status(&mut upd, &cur);
        assert_eq!(upd["status"]["phase"], "Pending");
    }
}
