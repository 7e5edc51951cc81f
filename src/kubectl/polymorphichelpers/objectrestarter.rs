//! `polymorphichelpers.ObjectRestarterFn`: `rollout restart` stamps the pod template with
//! `kubectl.kubernetes.io/restartedAt`, so the controller rolls every pod.

use serde_json::{Map, Value};

pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The object with the restart annotation set to `now` (RFC 3339), or why it cannot be
/// restarted.
pub fn restart(group: &str, kind: &str, obj: &Value, now: &str) -> Result<Value, String> {
    match (group, kind) {
        ("apps" | "extensions", "Deployment") if obj["spec"]["paused"] == true => {
            Err("can't restart paused deployment (run rollout resume first)".to_string())
        }
        ("apps" | "extensions", "Deployment" | "DaemonSet") | ("apps", "StatefulSet") => {
            let mut obj = obj.clone();
            let meta = &mut obj["spec"]["template"]["metadata"];
            if !meta["annotations"].is_object() {
                meta["annotations"] = Value::Object(Map::new());
            }
            meta["annotations"][RESTARTED_AT] = Value::String(now.to_string());
            Ok(obj)
        }
        _ => Err("restarting is not supported".to_string()),
    }
}
