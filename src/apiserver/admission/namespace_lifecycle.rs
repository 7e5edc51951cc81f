//! NamespaceLifecycle (k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle): no new
//! content in a namespace that does not exist or is being terminated, and the immortal
//! namespaces `default`, `kube-system`, `kube-public` cannot be deleted.

use serde_json::{json, Value};

use super::{meta_str, AdmissionError, Admitted, Attributes, Operation, StatusCause};

/// `immortalNamespaces`: metav1.NamespaceDefault, NamespaceSystem, NamespacePublic.
pub const IMMORTAL_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

/// `Lifecycle.Admit` (the plugin does its checks in the mutating phase and mutates nothing).
/// `namespaces` are all Namespace objects in the store.
pub fn admit(
    attrs: &Attributes<'_>,
    object: Value,
    namespaces: &[Value],
) -> Result<Admitted, AdmissionError> {
    let is_namespace = attrs.group.is_empty() && attrs.kind == "Namespace";
    if attrs.operation == Operation::Delete
        && is_namespace
        && IMMORTAL_NAMESPACES.contains(&attrs.name)
    {
        return Err(AdmissionError::forbidden(
            attrs.group,
            attrs.resource,
            attrs.name,
            "this namespace may not be deleted",
        ));
    }
    // Cluster-scoped resources, namespaces themselves, and deletions are always allowed.
    if attrs.namespace.is_empty() || is_namespace || attrs.operation == Operation::Delete {
        return Ok(Admitted::unchanged(object));
    }
    // Access reviews would leak the namespace's state.
    if attrs.group == "authorization.k8s.io" && attrs.resource == "localsubjectaccessreviews" {
        return Ok(Admitted::unchanged(object));
    }
    let Some(namespace) = namespaces
        .iter()
        .find(|n| meta_str(n, "name") == attrs.namespace)
    else {
        return Err(AdmissionError::not_found("", "namespaces", attrs.namespace));
    };
    let terminating = namespace
        .get("status")
        .and_then(|s| s.get("phase"))
        .and_then(Value::as_str)
        == Some("Terminating");
    if attrs.operation == Operation::Create && terminating {
        let mut err = AdmissionError::admission_forbidden(
            attrs,
            &object,
            &format!(
                "unable to create new content in namespace {} because it is being terminated",
                attrs.namespace
            ),
        );
        err.details.causes.push(StatusCause {
            reason: "NamespaceTerminating".into(),
            message: format!("namespace {} is being terminated", attrs.namespace),
            field: "metadata.namespace".into(),
        });
        return Err(err);
    }
    Ok(Admitted::unchanged(object))
}

/// A Namespace object as the store would hold it, for tests and bootstrap.
pub fn namespace_object(name: &str, phase: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": phase}
    })
}
