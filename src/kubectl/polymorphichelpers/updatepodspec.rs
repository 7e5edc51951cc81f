//! `polymorphichelpers.UpdatePodSpecForObjectFn`: where each kind keeps the pod spec that
//! `set image` edits.

use serde_json::Value;

/// The JSON pointer of the pod spec in an object of `group`/`kind`, or kubectl's error for a
/// kind without one (`%T` of the typed object, `*v1.Service`).
pub fn pod_spec_pointer(group: &str, kind: &str) -> Result<&'static str, String> {
    match (group, kind) {
        ("", "Pod") => Ok("/spec"),
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "DaemonSet" | "ReplicaSet")
        | ("apps", "StatefulSet")
        | ("batch", "Job") => Ok("/spec/template/spec"),
        ("batch", "CronJob") => Ok("/spec/jobTemplate/spec/template/spec"),
        _ => Err(format!(
            "the object is not a pod or does not have a pod template: *v1.{kind}"
        )),
    }
}

/// The pod spec of an object, mutably.
pub fn pod_spec_mut<'a>(obj: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    obj.pointer_mut(pointer).filter(|s| s.is_object())
}
