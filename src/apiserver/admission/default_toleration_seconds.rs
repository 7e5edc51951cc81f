//! DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): every Pod tolerates
//! the `node.kubernetes.io/not-ready` and `node.kubernetes.io/unreachable` NoExecute taints for
//! 300 seconds unless it already tolerates them, so the taint manager evicts it after five minutes.

use serde_json::{json, Value};

use super::{is_main_resource, AdmissionError, Admitted, Attributes};

/// `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
pub const TAINT_NODE_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_NODE_UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// `Plugin.Admit`, for pod creates and updates.
pub fn admit(attrs: &Attributes<'_>, mut object: Value) -> Result<Admitted, AdmissionError> {
    if !is_main_resource(attrs, "", "pods") {
        return Ok(Admitted::unchanged(object));
    }
    let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(Admitted::unchanged(object));
    };
    let tolerations: Vec<Value> = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let tolerates = |taint: &str| {
        tolerations.iter().any(|t| {
            let key = t.get("key").and_then(Value::as_str).unwrap_or("");
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            (key == taint || key.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        })
    };
    let mut added = Vec::new();
    for taint in [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE] {
        if !tolerates(taint) {
            added.push(json!({
                "key": taint,
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": DEFAULT_TOLERATION_SECONDS
            }));
        }
    }
    if added.is_empty() {
        return Ok(Admitted::unchanged(object));
    }
    let names: Vec<String> = added
        .iter()
        .map(|t| t["key"].as_str().unwrap_or("").to_string())
        .collect();
    let list = spec.entry("tolerations").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    if let Some(a) = list.as_array_mut() {
        a.extend(added);
    }
    let note = format!(
        "added NoExecute tolerations for {} ({DEFAULT_TOLERATION_SECONDS}s)",
        names.join(", ")
    );
    Ok(Admitted { object, note })
}
