//! `polymorphichelpers.ObjectPauserFn`: `rollout pause` sets a Deployment's `spec.paused`.

use serde_json::Value;

/// The paused object, or why it cannot be paused.
pub fn pause(group: &str, kind: &str, obj: &Value) -> Result<Value, String> {
    match (group, kind) {
        ("apps" | "extensions", "Deployment") => {
            if obj["spec"]["paused"] == true {
                return Err("is already paused".to_string());
            }
            let mut obj = obj.clone();
            obj["spec"]["paused"] = Value::Bool(true);
            Ok(obj)
        }
        _ => Err("pausing is not supported".to_string()),
    }
}
