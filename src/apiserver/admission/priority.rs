//! Priority (plugin/pkg/admission/priority): resolves a new Pod's `priorityClassName` (or the
//! global default class) into `spec.priority` and `spec.preemptionPolicy`, rejects unknown
//! classes, and allows only one PriorityClass with `globalDefault: true`.

use serde_json::{json, Value};

use super::{is_main_resource, meta_str, AdmissionError, Admitted, Attributes, Operation};

/// `scheduling.SystemCriticalPriority`
pub const SYSTEM_CRITICAL_PRIORITY: i64 = 2_000_000_000;
/// `scheduling.DefaultPriorityWhenNoDefaultClassExists`
pub const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS: i64 = 0;

/// The built-in classes the API server creates at start-up (`SystemPriorityClasses()`, created
/// by the scheduling post-start hook), defaulted as stored.
pub fn system_priority_classes() -> Vec<Value> {
    let class = |name: &str, value: i64, description: &str| {
        json!({
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
            "description": description,
            "preemptionPolicy": "PreemptLowerPriority"
        })
    };
    vec![
        class(
            "system-node-critical",
            SYSTEM_CRITICAL_PRIORITY + 1000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
        class(
            "system-cluster-critical",
            SYSTEM_CRITICAL_PRIORITY,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        ),
    ]
}

/// `getDefaultPriorityClass`: among classes marked `globalDefault`, the one with the lowest value.
fn default_priority_class(classes: &[Value]) -> Option<&Value> {
    classes
        .iter()
        .filter(|c| c.get("globalDefault").and_then(Value::as_bool) == Some(true))
        .min_by_key(|c| c.get("value").and_then(Value::as_i64).unwrap_or(0))
}

/// `Plugin.Admit` for pods. On create: priority from the class; on update: keep the stored
/// priority and preemption policy when the request drops them.
pub fn admit(
    attrs: &Attributes<'_>,
    mut object: Value,
    priority_classes: &[Value],
) -> Result<Admitted, AdmissionError> {
    if !is_main_resource(attrs, "", "pods") || !object.is_object() {
        return Ok(Admitted::unchanged(object));
    }
    match attrs.operation {
        Operation::Update => {
            let old_spec = attrs.old_object.and_then(|o| o.get("spec")).cloned();
            let mut kept = Vec::new();
            if let (Some(spec), Some(old_spec)) = (
                object.get_mut("spec").and_then(Value::as_object_mut),
                old_spec,
            ) {
                for key in ["priority", "preemptionPolicy"] {
                    let unset = spec.get(key).is_none_or(Value::is_null);
                    if let Some(v) = old_spec.get(key).filter(|v| unset && !v.is_null()) {
                        spec.insert(key.into(), v.clone());
                        kept.push(key);
                    }
                }
            }
            let note = if kept.is_empty() {
                String::new()
            } else {
                format!("kept stored {}", kept.join(", "))
            };
            Ok(Admitted { object, note })
        }
        Operation::Create => admit_create(attrs, object, priority_classes),
        _ => Ok(Admitted::unchanged(object)),
    }
}

fn admit_create(
    attrs: &Attributes<'_>,
    mut object: Value,
    classes: &[Value],
) -> Result<Admitted, AdmissionError> {
    let spec = object.get("spec");
    let class_name = spec
        .and_then(|s| s.get("priorityClassName"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (name, priority, preemption) = if class_name.is_empty() {
        match default_priority_class(classes) {
            Some(pc) => (
                meta_str(pc, "name").to_string(),
                pc.get("value").and_then(Value::as_i64).unwrap_or(0),
                pc.get("preemptionPolicy")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            None => (
                String::new(),
                DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS,
                Some("PreemptLowerPriority".to_string()),
            ),
        }
    } else {
        let Some(pc) = classes.iter().find(|c| meta_str(c, "name") == class_name) else {
            return Err(AdmissionError::admission_forbidden(
                attrs,
                &object,
                &format!("no PriorityClass with name {class_name} was found"),
            ));
        };
        (
            class_name.clone(),
            pc.get("value").and_then(Value::as_i64).unwrap_or(0),
            pc.get("preemptionPolicy")
                .and_then(Value::as_str)
                .map(str::to_string),
        )
    };
    if let Some(given) = spec.and_then(|s| s.get("priority")).and_then(Value::as_i64) {
        if given != priority {
            return Err(AdmissionError::admission_forbidden(
                attrs,
                &object,
                &format!(
                    "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name"
                ),
            ));
        }
    }
    if let (Some(policy), Some(given)) = (
        &preemption,
        spec.and_then(|s| s.get("preemptionPolicy"))
            .and_then(Value::as_str),
    ) {
        if given != policy {
            return Err(AdmissionError::admission_forbidden(
                attrs,
                &object,
                &format!(
                    "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name"
                ),
            ));
        }
    }
    let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(Admitted::unchanged(object));
    };
    if !name.is_empty() {
        spec.insert("priorityClassName".into(), Value::from(name.clone()));
    }
    spec.insert("priority".into(), Value::from(priority));
    if let Some(policy) = &preemption {
        spec.insert("preemptionPolicy".into(), Value::from(policy.clone()));
    }
    let from = if name.is_empty() {
        "no default PriorityClass".to_string()
    } else {
        format!("PriorityClass {name}")
    };
    let note = match preemption {
        Some(p) => format!("set priority={priority}, preemptionPolicy={p} from {from}"),
        None => format!("set priority={priority} from {from}"),
    };
    Ok(Admitted { object, note })
}

/// `Plugin.Validate` for PriorityClasses: a second `globalDefault: true` class is forbidden.
/// `priority_classes` are the stored classes.
pub fn validate(
    attrs: &Attributes<'_>,
    object: &Value,
    priority_classes: &[Value],
) -> Result<(), AdmissionError> {
    if !is_main_resource(attrs, "scheduling.k8s.io", "priorityclasses") {
        return Ok(());
    }
    if !matches!(attrs.operation, Operation::Create | Operation::Update) {
        return Ok(());
    }
    if object.get("globalDefault").and_then(Value::as_bool) != Some(true) {
        return Ok(());
    }
    if let Some(dpc) = default_priority_class(priority_classes) {
        let dpc_name = meta_str(dpc, "name");
        if attrs.operation == Operation::Create || dpc_name != meta_str(object, "name") {
            return Err(AdmissionError::admission_forbidden(
                attrs,
                object,
                &format!("PriorityClass {dpc_name} is already marked as default. Only one default can exist"),
            ));
        }
    }
    Ok(())
}
