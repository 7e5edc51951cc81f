//! `polymorphichelpers.ObjectResumerFn`: `rollout resume` clears a Deployment's `spec.paused`
//! (a typed object drops `paused: false`, so the patch removes the field).

use serde_json::Value;

/// The resumed object, or why it cannot be resumed.
pub fn resume(group: &str, kind: &str, obj: &Value) -> Result<Value, String> {
    match (group, kind) {
        ("apps" | "extensions", "Deployment") => {
            if obj["spec"]["paused"] != true {
                return Err("is not paused".to_string());
            }
            let mut obj = obj.clone();
            if let Some(spec) = obj["spec"].as_object_mut() {
                spec.remove("paused");
            }
            Ok(obj)
        }
        _ => Err("resuming is not supported".to_string()),
    }
}
