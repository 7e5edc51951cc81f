//! kubectl's `-o name` (cli-runtime's NamePrinter) and the `<kind>[.<group>]/<name>` form of its
//! messages (`deployment.apps/web created`): the kind in lower case, the API group after a dot
//! unless it is the core group, and `<unknown>` for an object without a name.

use serde_json::Value;

/// Why an object has no `-o name` form. `Display` is kubectl's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// Neither apiVersion nor kind.
    MissingTypeInfo,
    /// An apiVersion but no kind.
    MissingKind(String),
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameError::MissingTypeInfo => f.write_str(
                "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type",
            ),
            NameError::MissingKind(name) => write!(f, "missing kind for resource with name {name}"),
        }
    }
}

/// `<kind>[.<group>]/<name>` of an object, with ` <operation>` after it when one is given
/// (`created`, `configured`, `deleted`), as one line.
pub fn name_line(obj: &Value, operation: Option<&str>) -> Result<String, NameError> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if api_version.is_empty() && kind.is_empty() {
        return Err(NameError::MissingTypeInfo);
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or("<unknown>");
    if kind.is_empty() {
        return Err(NameError::MissingKind(name.to_string()));
    }
    // schema.ParseGroupVersion: "v1" is the core group, "apps/v1" the group "apps".
    let group = match api_version.split_once('/') {
        Some((g, _)) => g,
        None => "",
    };
    let operation = match operation {
        Some(op) if !op.is_empty() => format!(" {op}"),
        _ => String::new(),
    };
    let kind = kind.to_lowercase();
    Ok(if group.is_empty() {
        format!("{kind}/{name}{operation}\n")
    } else {
        format!("{kind}.{group}/{name}{operation}\n")
    })
}

/// `-o name` of an object, or of each item of a list (`kind: List`, `PodList`...).
pub fn to_name(obj: &Value) -> Result<String, NameError> {
    if let Some(items) = obj.get("items").and_then(Value::as_array) {
        let mut out = String::new();
        for item in items {
            out.push_str(&name_line(item, None)?);
        }
        return Ok(out);
    }
    name_line(obj, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_carry_the_group_unless_core() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nginx"}});
        let deploy =
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
        assert_eq!(to_name(&pod).unwrap(), "pod/nginx\n");
        assert_eq!(
            name_line(&deploy, Some("created")).unwrap(),
            "deployment.apps/web created\n"
        );
        let list = json!({"apiVersion": "v1", "kind": "List", "items": [pod, deploy]});
        assert_eq!(to_name(&list).unwrap(), "pod/nginx\ndeployment.apps/web\n");
        assert_eq!(
            to_name(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})).unwrap(),
            "configmap/<unknown>\n"
        );
        assert_eq!(
            to_name(&json!({"metadata": {"name": "x"}})).unwrap_err().to_string(),
            "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if you know the type"
        );
    }
}
