//! Admission plugins of kube-apiserver 1.33 (k8s.io/apiserver/pkg/admission and
//! plugin/pkg/admission), as pure functions over `serde_json::Value` objects.
//!
//! Each plugin takes the request's [`Attributes`], the object, and read-only slices of the
//! objects it consults (passed by the caller from its store; the plugin filters by namespace
//! itself), and returns the possibly mutated object with a short note for the trace, or an
//! [`AdmissionError`] carrying the HTTP code, reason and the real message.
//!
//! Order in the real handler chain (see `defaulting` for the whole pipeline): the object is
//! decoded *and defaulted* first; mutating admission then runs the enabled plugins in
//! [`ORDERED_PLUGINS`] order; then the registry fills uid/creationTimestamp, runs the strategy's
//! `PrepareForCreate` and validation; then validating admission runs the plugins again in the
//! same order (`LimitRanger` checks min/max, `Priority` checks PriorityClass defaults,
//! `ResourceQuota` charges the quota last); then the object is stored.
//!
//! The Service ClusterIP/NodePort allocators ([`ipallocator`], [`portallocator`],
//! [`service_alloc`]) are registry pieces (pkg/registry/core/service) kept here, next to the
//! plugins, because they run in the same create path: after mutating admission, before
//! `PrepareForCreate`.

pub mod chain;
pub mod default_storage_class;
pub mod default_toleration_seconds;
pub mod ipallocator;
pub mod limit_ranger;
pub mod namespace_lifecycle;
pub mod portallocator;
pub mod priority;
pub mod resource_quota;
pub mod service_account;
pub mod service_alloc;

use serde_json::{json, Map, Value};

/// The enabled-by-default plugins of kube-apiserver 1.33 that this module implements, in the
/// order of `AllOrderedPlugins` (pkg/kubeapiserver/options/plugins.go). Both the mutating and
/// the validating phase walk this order.
pub const ORDERED_PLUGINS: &[&str] = &[
    "NamespaceLifecycle",
    "LimitRanger",
    "ServiceAccount",
    "Priority",
    "DefaultTolerationSeconds",
    "DefaultStorageClass",
    "ResourceQuota",
];

/// `admission.Operation`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Connect,
}

/// `admission.Attributes`: what the request is about.
#[derive(Clone, Copy, Debug)]
pub struct Attributes<'a> {
    pub operation: Operation,
    /// API group, `""` for core.
    pub group: &'a str,
    /// Plural resource, e.g. `pods`.
    pub resource: &'a str,
    /// e.g. `status`, `""` for the main resource.
    pub subresource: &'a str,
    /// e.g. `Pod`.
    pub kind: &'a str,
    /// The request's namespace, `""` for cluster-scoped resources.
    pub namespace: &'a str,
    /// The name from the URL (`""` on create: the object's name is used).
    pub name: &'a str,
    /// The stored object, on update.
    pub old_object: Option<&'a Value>,
}

impl Attributes<'_> {
    /// `schema.GroupResource.String()`: `pods`, `deployments.apps`.
    pub fn qualified_resource(&self) -> String {
        qualified_resource(self.group, self.resource)
    }
}

pub fn qualified_resource(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

/// A plugin's successful result: the object (possibly changed) and what changed, for the trace
/// (empty when nothing changed).
#[derive(Clone, Debug, PartialEq)]
pub struct Admitted {
    pub object: Value,
    pub note: String,
}

impl Admitted {
    pub fn unchanged(object: Value) -> Self {
        Admitted {
            object,
            note: String::new(),
        }
    }
}

/// `metav1.StatusCause`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusCause {
    pub reason: String,
    pub message: String,
    pub field: String,
}

/// `metav1.StatusDetails`
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusDetails {
    pub name: String,
    pub group: String,
    /// The plural resource for Forbidden/NotFound, the Kind for Invalid.
    pub kind: String,
    pub causes: Vec<StatusCause>,
}

/// An admission (or allocation) failure as the API reports it: a `metav1.Status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmissionError {
    pub code: u16,
    /// `metav1.StatusReason`: `Forbidden`, `NotFound`, `Invalid`, `InternalError`.
    pub reason: &'static str,
    pub message: String,
    /// Boxed to keep `Result<_, AdmissionError>` small.
    pub details: Box<StatusDetails>,
}

impl std::fmt::Display for AdmissionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AdmissionError {}

impl AdmissionError {
    /// `apierrors.NewForbidden(qualifiedResource, name, err)`
    pub fn forbidden(group: &str, resource: &str, name: &str, err: &str) -> Self {
        AdmissionError {
            code: 403,
            reason: "Forbidden",
            message: format!(
                "{} \"{}\" is forbidden: {}",
                qualified_resource(group, resource),
                name,
                err
            ),
            details: Box::new(StatusDetails {
                name: name.to_string(),
                group: group.to_string(),
                kind: resource.to_string(),
                causes: Vec::new(),
            }),
        }
    }

    /// `admission.NewForbidden(a, err)`: the name is the request's name, else the object's
    /// name, else its generateName (names are generated later), else `Unknown`.
    pub fn admission_forbidden(attrs: &Attributes<'_>, object: &Value, err: &str) -> Self {
        let md = object.get("metadata");
        let field = |k: &str| {
            md.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let name = if !attrs.name.is_empty() {
            attrs.name.to_string()
        } else if !field("name").is_empty() {
            field("name")
        } else if !field("generateName").is_empty() {
            field("generateName")
        } else {
            "Unknown".to_string()
        };
        Self::forbidden(attrs.group, attrs.resource, &name, err)
    }

    /// `apierrors.NewNotFound(qualifiedResource, name)`
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        AdmissionError {
            code: 404,
            reason: "NotFound",
            message: format!(
                "{} \"{}\" not found",
                qualified_resource(group, resource),
                name
            ),
            details: Box::new(StatusDetails {
                name: name.to_string(),
                group: group.to_string(),
                kind: resource.to_string(),
                causes: Vec::new(),
            }),
        }
    }

    /// `apierrors.NewInternalError(err)`
    pub fn internal(err: &str) -> Self {
        AdmissionError {
            code: 500,
            reason: "InternalError",
            message: format!("Internal error occurred: {err}"),
            details: Box::new(StatusDetails {
                causes: vec![StatusCause {
                    reason: String::new(),
                    message: err.to_string(),
                    field: String::new(),
                }],
                ..StatusDetails::default()
            }),
        }
    }

    /// `apierrors.NewInvalid(kind, name, field.ErrorList{field.Invalid(path, value, detail)})`
    /// for one error; `value` is already in Go's `%#v` form (e.g. `[]string{"10.96.0.10"}`).
    pub fn invalid(
        group: &str,
        kind: &str,
        name: &str,
        field: &str,
        value: &str,
        detail: &str,
    ) -> Self {
        let cause = format!("Invalid value: {value}: {detail}");
        let qualified_kind = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        AdmissionError {
            code: 422,
            reason: "Invalid",
            message: format!("{qualified_kind} \"{name}\" is invalid: {field}: {cause}"),
            details: Box::new(StatusDetails {
                name: name.to_string(),
                group: group.to_string(),
                kind: kind.to_string(),
                causes: vec![StatusCause {
                    reason: "FieldValueInvalid".to_string(),
                    message: cause,
                    field: field.to_string(),
                }],
            }),
        }
    }

    /// The `metav1.Status` body the API server sends.
    pub fn to_status(&self) -> Value {
        let mut details = Map::new();
        if !self.details.name.is_empty() {
            details.insert("name".into(), Value::from(self.details.name.clone()));
        }
        if !self.details.group.is_empty() {
            details.insert("group".into(), Value::from(self.details.group.clone()));
        }
        if !self.details.kind.is_empty() {
            details.insert("kind".into(), Value::from(self.details.kind.clone()));
        }
        if !self.details.causes.is_empty() {
            let causes: Vec<Value> = self
                .details
                .causes
                .iter()
                .map(|c| {
                    let mut m = Map::new();
                    if !c.reason.is_empty() {
                        m.insert("reason".into(), Value::from(c.reason.clone()));
                    }
                    if !c.message.is_empty() {
                        m.insert("message".into(), Value::from(c.message.clone()));
                    }
                    if !c.field.is_empty() {
                        m.insert("field".into(), Value::from(c.field.clone()));
                    }
                    Value::Object(m)
                })
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        });
        if !details.is_empty() {
            status["details"] = Value::Object(details);
        }
        status["code"] = Value::from(self.code);
        status
    }
}

// ---- helpers shared by the plugins ----

pub(crate) fn meta_str<'a>(obj: &'a Value, key: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The object's namespace, or the request's when the object does not say.
pub(crate) fn namespace_of<'a>(obj: &'a Value, attrs: &Attributes<'a>) -> &'a str {
    let ns = meta_str(obj, "namespace");
    if ns.is_empty() {
        attrs.namespace
    } else {
        ns
    }
}

/// The objects of `list` in namespace `ns` (for namespaced lookups of caller-provided slices).
pub(crate) fn in_namespace<'a>(list: &'a [Value], ns: &'a str) -> impl Iterator<Item = &'a Value> {
    list.iter().filter(move |o| meta_str(o, "namespace") == ns)
}

/// Whether the request is for the main resource `group/resource` (no subresource).
pub(crate) fn is_main_resource(attrs: &Attributes<'_>, group: &str, resource: &str) -> bool {
    attrs.group == group && attrs.resource == resource && attrs.subresource.is_empty()
}

/// A `ResourceList` (`{"cpu": "500m", ...}`) as ordered quantities; unparsable entries are
/// skipped (validation rejects them).
pub(crate) fn resource_list(v: Option<&Value>) -> ResourceList {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, q)| {
                    crate::apiserver::defaulting::quantity::from_json(q).map(|q| (k.clone(), q))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) type ResourceList =
    std::collections::BTreeMap<String, crate::apiserver::defaulting::quantity::Quantity>;

/// `utilerrors.NewAggregate(errs).Error()`: one message as is, several deduplicated in brackets.
pub(crate) fn aggregate(errs: &[String]) -> String {
    let mut seen: Vec<&String> = Vec::new();
    for e in errs {
        if !seen.contains(&e) {
            seen.push(e);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].clone(),
        _ => format!(
            "[{}]",
            seen.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
