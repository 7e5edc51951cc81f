//! Field selectors (`spec.nodeName=node-1,status.phase!=Running`) with the fields each resource
//! supports, as kube-apiserver's `GetAttrs`/`AddFieldLabelConversionFunc` define them.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub equal: bool,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    pub requirements: Vec<FieldRequirement>,
}

/// The JSON pointer of each selectable field of a resource, beyond `metadata.name` and
/// `metadata.namespace`, which every resource supports.
fn resource_fields(resource: &str) -> &'static [(&'static str, &'static str)] {
    match resource {
        "pods" => &[
            ("spec.nodeName", "/spec/nodeName"),
            ("spec.restartPolicy", "/spec/restartPolicy"),
            ("spec.schedulerName", "/spec/schedulerName"),
            ("spec.serviceAccountName", "/spec/serviceAccountName"),
            ("spec.hostNetwork", "/spec/hostNetwork"),
            ("status.phase", "/status/phase"),
            ("status.podIP", "/status/podIP"),
            ("status.nominatedNodeName", "/status/nominatedNodeName"),
        ],
        "nodes" => &[("spec.unschedulable", "/spec/unschedulable")],
        "namespaces" => &[("status.phase", "/status/phase")],
        "secrets" => &[("type", "/type")],
        "replicasets" => &[("status.replicas", "/status/replicas")],
        "jobs" => &[("status.successful", "/status/succeeded")],
        "events" => &[
            ("involvedObject.kind", "/involvedObject/kind"),
            ("involvedObject.namespace", "/involvedObject/namespace"),
            ("involvedObject.name", "/involvedObject/name"),
            ("involvedObject.uid", "/involvedObject/uid"),
            ("involvedObject.apiVersion", "/involvedObject/apiVersion"),
            (
                "involvedObject.resourceVersion",
                "/involvedObject/resourceVersion",
            ),
            ("involvedObject.fieldPath", "/involvedObject/fieldPath"),
            ("reason", "/reason"),
            ("reportingComponent", "/reportingComponent"),
            ("source", "/source/component"),
            ("type", "/type"),
        ],
        _ => &[],
    }
}

fn pointer_for(resource: &str, field: &str) -> Option<&'static str> {
    match field {
        "metadata.name" => Some("/metadata/name"),
        "metadata.namespace" => Some("/metadata/namespace"),
        _ => resource_fields(resource)
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, p)| *p),
    }
}

/// A field's value as the selector compares it: strings as they are, booleans and numbers in
/// their Go string form, and missing fields as "" (so `spec.nodeName=` selects unscheduled pods).
fn field_value(obj: &Value, pointer: &str) -> String {
    match obj.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

impl FieldSelector {
    /// Parses `?fieldSelector=` for `resource`. Errors carry kube-apiserver's texts.
    pub fn parse(text: &str, resource: &str) -> Result<FieldSelector, String> {
        let mut reqs = Vec::new();
        for part in split_unescaped(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(format!(
                    "invalid selector: '{part}'; can't understand '{part}'"
                ));
            };
            let field = field.trim();
            if pointer_for(resource, field).is_none() {
                return Err(format!("field label not supported: {field}"));
            }
            reqs.push(FieldRequirement {
                field: field.to_string(),
                equal,
                value: value.replace("\\,", ",").replace("\\=", "="),
            });
        }
        Ok(FieldSelector { requirements: reqs })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, resource: &str, obj: &Value) -> bool {
        self.requirements.iter().all(|r| {
            let pointer = pointer_for(resource, &r.field).unwrap_or("/");
            (field_value(obj, pointer) == r.value) == r.equal
        })
    }

    /// The single object name a `metadata.name=x` selector pins, if any.
    pub fn exact_name(&self) -> Option<&str> {
        self.requirements
            .iter()
            .find(|r| r.equal && r.field == "metadata.name")
            .map(|r| r.value.as_str())
    }
}

/// Splits on commas not escaped with a backslash.
fn split_unescaped(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        if c == ',' && !escaped {
            parts.push(String::new());
            continue;
        }
        escaped = c == '\\' && !escaped;
        parts.last_mut().expect("at least one part").push(c);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_pods_by_node_and_phase() {
        let pending =
            json!({"metadata": {"name": "a"}, "spec": {}, "status": {"phase": "Pending"}});
        let bound = json!({"metadata": {"name": "b"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        let unscheduled = FieldSelector::parse("spec.nodeName=", "pods").unwrap();
        assert!(unscheduled.matches("pods", &pending));
        assert!(!unscheduled.matches("pods", &bound));
        let s = FieldSelector::parse("spec.nodeName=n1,status.phase!=Pending", "pods").unwrap();
        assert!(s.matches("pods", &bound));
        assert_eq!(
            FieldSelector::parse("metadata.name=b", "pods")
                .unwrap()
                .exact_name(),
            Some("b")
        );
    }

    #[test]
    fn unsupported_fields_get_the_real_error() {
        assert_eq!(
            FieldSelector::parse("spec.foo=bar", "pods").unwrap_err(),
            "field label not supported: spec.foo"
        );
        assert!(FieldSelector::parse("spec.nodeName", "pods").is_err());
    }
}
