//! `metav1.Status` objects: the error bodies of the API, with the real reasons, codes and texts
//! (after `k8s.io/apimachinery/pkg/api/errors/errors.go`), and kubectl's rendering of them
//! (`cmdutil.CheckErr`).

use serde_json::{json, Map, Value};

use crate::apiserver::validation::field::{aggregate_message, go_quote, FieldError};

/// `metav1.StatusCause`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StatusCause {
    /// `reason` in JSON (`FieldValueRequired`...); may be empty.
    pub reason: String,
    pub message: String,
    pub field: String,
}

/// `metav1.StatusDetails`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StatusDetails {
    pub name: String,
    pub group: String,
    pub kind: String,
    pub uid: String,
    pub causes: Vec<StatusCause>,
    pub retry_after_seconds: i64,
}

/// A failure `metav1.Status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    /// `metav1.StatusReason` (`NotFound`, `Invalid`...); empty for an unknown reason.
    pub reason: String,
    pub message: String,
    pub details: Option<StatusDetails>,
}

/// A resource with its API group, rendered like `schema.GroupResource.String()`
/// (`pods`, `deployments.apps`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupResource<'a> {
    pub group: &'a str,
    pub resource: &'a str,
}

impl GroupResource<'_> {
    /// `GroupResource.String()`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.resource.to_string()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }
}

/// `storage.OptimisticLockErrorMsg`.
pub const OPTIMISTIC_LOCK_ERROR_MSG: &str =
    "the object has been modified; please apply your changes to the latest version and try again";

fn details(gr: GroupResource<'_>, name: &str) -> Option<StatusDetails> {
    Some(StatusDetails {
        name: name.to_string(),
        group: gr.group.to_string(),
        kind: gr.resource.to_string(),
        ..StatusDetails::default()
    })
}

/// `errors.NewNotFound`: 404 `pods "web" not found`.
pub fn not_found(gr: GroupResource<'_>, name: &str) -> Status {
    Status {
        code: 404,
        reason: "NotFound".into(),
        message: format!("{} {} not found", gr.qualified(), go_quote(name)),
        details: details(gr, name),
    }
}

/// `errors.NewAlreadyExists`: 409 `pods "web" already exists`.
pub fn already_exists(gr: GroupResource<'_>, name: &str) -> Status {
    Status {
        code: 409,
        reason: "AlreadyExists".into(),
        message: format!("{} {} already exists", gr.qualified(), go_quote(name)),
        details: details(gr, name),
    }
}

/// `errors.NewConflict`: 409 `Operation cannot be fulfilled on pods "web": <err>`.
pub fn conflict(gr: GroupResource<'_>, name: &str, err: &str) -> Status {
    Status {
        code: 409,
        reason: "Conflict".into(),
        message: format!(
            "Operation cannot be fulfilled on {} {}: {err}",
            gr.qualified(),
            go_quote(name)
        ),
        details: details(gr, name),
    }
}

/// The conflict of a stale `resourceVersion` on update.
pub fn conflict_optimistic_lock(gr: GroupResource<'_>, name: &str) -> Status {
    conflict(gr, name, OPTIMISTIC_LOCK_ERROR_MSG)
}

/// `errors.NewForbidden`: 403 with the authorizer's reason (`User "alice" cannot ...`).
pub fn forbidden(gr: GroupResource<'_>, name: &str, err: &str) -> Status {
    let message = if gr.group.is_empty() && gr.resource.is_empty() {
        format!("forbidden: {err}")
    } else if name.is_empty() {
        format!("{} is forbidden: {err}", gr.qualified())
    } else {
        format!("{} {} is forbidden: {err}", gr.qualified(), go_quote(name))
    };
    Status {
        code: 403,
        reason: "Forbidden".into(),
        message,
        details: details(gr, name),
    }
}

/// `errors.NewUnauthorized`: 401; the authentication filter sends `Unauthorized`.
pub fn unauthorized(reason: &str) -> Status {
    let message = if reason.is_empty() {
        "not authorized".to_string()
    } else {
        reason.to_string()
    };
    Status {
        code: 401,
        reason: "Unauthorized".into(),
        message,
        details: None,
    }
}

/// `errors.NewBadRequest`: 400.
pub fn bad_request(reason: &str) -> Status {
    Status {
        code: 400,
        reason: "BadRequest".into(),
        message: reason.to_string(),
        details: None,
    }
}

/// `errors.NewMethodNotSupported`: 405 `<action> is not supported on resources of kind "pods"`.
pub fn method_not_supported(gr: GroupResource<'_>, action: &str) -> Status {
    Status {
        code: 405,
        reason: "MethodNotAllowed".into(),
        message: format!(
            "{action} is not supported on resources of kind {}",
            go_quote(&gr.qualified())
        ),
        details: Some(StatusDetails {
            group: gr.group.to_string(),
            kind: gr.resource.to_string(),
            ..StatusDetails::default()
        }),
    }
}

/// `errors.NewGone`: 410, reason `Gone`.
pub fn gone(message: &str) -> Status {
    Status {
        code: 410,
        reason: "Gone".into(),
        message: message.to_string(),
        details: None,
    }
}

/// `errors.NewResourceExpired`: 410, reason `Expired`.
pub fn resource_expired(message: &str) -> Status {
    Status {
        code: 410,
        reason: "Expired".into(),
        message: message.to_string(),
        details: None,
    }
}

/// The watch cache's answer to a watch from a compacted revision:
/// 410 Expired `too old resource version: 5 (100)`.
pub fn too_old_resource_version(requested: i64, oldest: i64) -> Status {
    resource_expired(&format!("too old resource version: {requested} ({oldest})"))
}

/// `errors.NewRequestEntityTooLargeError`: 413 `Request entity too large: <message>`.
pub fn request_entity_too_large(message: &str) -> Status {
    Status {
        code: 413,
        reason: "RequestEntityTooLarge".into(),
        message: format!("Request entity too large: {message}"),
        details: None,
    }
}

/// `errors.NewTooManyRequests`: 429 with `retryAfterSeconds` when positive.
pub fn too_many_requests(message: &str, retry_after_seconds: i64) -> Status {
    Status {
        code: 429,
        reason: "TooManyRequests".into(),
        message: message.to_string(),
        details: (retry_after_seconds > 0).then(|| StatusDetails {
            retry_after_seconds,
            ..StatusDetails::default()
        }),
    }
}

/// `errors.NewInternalError`: 500 `Internal error occurred: <err>`.
pub fn internal_error(err: &str) -> Status {
    Status {
        code: 500,
        reason: "InternalError".into(),
        message: format!("Internal error occurred: {err}"),
        details: Some(StatusDetails {
            causes: vec![StatusCause {
                message: err.to_string(),
                ..StatusCause::default()
            }],
            ..StatusDetails::default()
        }),
    }
}

/// `errors.NewServiceUnavailable`: 503.
pub fn service_unavailable(reason: &str) -> Status {
    Status {
        code: 503,
        reason: "ServiceUnavailable".into(),
        message: reason.to_string(),
        details: None,
    }
}

/// The negotiation error for an `Accept` header kube-apiserver cannot serve: 406.
pub fn not_acceptable(accepted: &[&str]) -> Status {
    Status {
        code: 406,
        reason: "NotAcceptable".into(),
        message: format!(
            "only the following media types are accepted: {}",
            accepted.join(", ")
        ),
        details: None,
    }
}

/// The negotiation error for a request body of an unknown `Content-Type`: 415.
pub fn unsupported_media_type(accepted: &[&str]) -> Status {
    Status {
        code: 415,
        reason: "UnsupportedMediaType".into(),
        message: format!(
            "the body of the request was in an unknown format - accepted media types include: {}",
            accepted.join(", ")
        ),
        details: None,
    }
}

/// `errors.NewInvalid`: 422 `Pod "MyPod" is invalid: <aggregate>`, one cause per field error
/// (duplicates kept in the causes, dropped from the message, as in Go).
pub fn invalid(group: &str, kind: &str, name: &str, errs: &[FieldError]) -> Status {
    let qualified = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    let message = match aggregate_message(errs) {
        Some(agg) => format!("{qualified} {} is invalid: {agg}", go_quote(name)),
        None => format!("{qualified} {} is invalid", go_quote(name)),
    };
    Status {
        code: 422,
        reason: "Invalid".into(),
        message,
        details: Some(StatusDetails {
            name: name.to_string(),
            group: group.to_string(),
            kind: kind.to_string(),
            causes: errs
                .iter()
                .map(|e| StatusCause {
                    reason: e.error_type.cause_type().to_string(),
                    message: e.error_body(),
                    field: e.field.clone(),
                })
                .collect(),
            ..StatusDetails::default()
        }),
    }
}

/// The registry's answer to an update without `metadata.resourceVersion` for a kind whose
/// strategy forbids unconditional updates: an Invalid status whose "kind" is the resource
/// (`deployments.apps "web" is invalid: metadata.resourceVersion: Invalid value: 0x0: ...`).
pub fn update_without_resource_version(gr: GroupResource<'_>, name: &str) -> Status {
    use crate::apiserver::validation::field::{BadValue, Path};
    let errs = [FieldError::invalid(
        &Path::from_names(&["metadata", "resourceVersion"]),
        BadValue::Uint64(0),
        "must be specified for an update",
    )];
    invalid(gr.group, gr.resource, name, &errs)
}

impl Status {
    /// The JSON body a real server sends, fields in Go's order, empty ones omitted.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), json!("Status"));
        m.insert("apiVersion".into(), json!("v1"));
        m.insert("metadata".into(), json!({}));
        m.insert("status".into(), json!("Failure"));
        if !self.message.is_empty() {
            m.insert("message".into(), json!(self.message));
        }
        if !self.reason.is_empty() {
            m.insert("reason".into(), json!(self.reason));
        }
        if let Some(d) = &self.details {
            let mut dm = Map::new();
            for (k, v) in [
                ("name", &d.name),
                ("group", &d.group),
                ("kind", &d.kind),
                ("uid", &d.uid),
            ] {
                if !v.is_empty() {
                    dm.insert(k.into(), json!(v));
                }
            }
            if !d.causes.is_empty() {
                let causes: Vec<Value> = d
                    .causes
                    .iter()
                    .map(|c| {
                        let mut cm = Map::new();
                        for (k, v) in [
                            ("reason", &c.reason),
                            ("message", &c.message),
                            ("field", &c.field),
                        ] {
                            if !v.is_empty() {
                                cm.insert(k.into(), json!(v));
                            }
                        }
                        Value::Object(cm)
                    })
                    .collect();
                dm.insert("causes".into(), Value::Array(causes));
            }
            if d.retry_after_seconds != 0 {
                dm.insert("retryAfterSeconds".into(), json!(d.retry_after_seconds));
            }
            m.insert("details".into(), Value::Object(dm));
        }
        m.insert("code".into(), json!(self.code));
        Value::Object(m)
    }

    /// Reads a Status body back (what a client does with an error response); `None` if the
    /// body is not a Status.
    pub fn from_json(v: &Value) -> Option<Status> {
        if v.get("kind").and_then(Value::as_str) != Some("Status") {
            return None;
        }
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let details = v
            .get("details")
            .filter(|d| d.is_object())
            .map(|d| StatusDetails {
                name: s(d, "name"),
                group: s(d, "group"),
                kind: s(d, "kind"),
                uid: s(d, "uid"),
                causes: d
                    .get("causes")
                    .and_then(Value::as_array)
                    .map(|cs| {
                        cs.iter()
                            .map(|c| StatusCause {
                                reason: s(c, "reason"),
                                message: s(c, "message"),
                                field: s(c, "field"),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                retry_after_seconds: d
                    .get("retryAfterSeconds")
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
            });
        Some(Status {
            code: v.get("code").and_then(Value::as_u64).unwrap_or(0) as u16,
            reason: s(v, "reason"),
            message: s(v, "message"),
            details,
        })
    }
}

/// How kubectl 1.33 prints a Status error on stderr (`cmdutil.CheckErr`), newline included:
/// `Error from server (NotFound): pods "web" not found`, or for Invalid
/// `The Pod "MyPod" is invalid: <field>: <message>` with one cause and a `* ` list with more.
pub fn kubectl_error(status: &Status) -> String {
    if status.reason == "Invalid" {
        if let Some(d) = &status.details {
            let prefix = if !d.kind.is_empty() || !d.name.is_empty() {
                format!("The {} {} is invalid", d.kind, go_quote(&d.name))
            } else {
                "The request is invalid".to_string()
            };
            // statusCausesToAggrError: "<field>: <message>", duplicates dropped.
            let mut lines: Vec<String> = Vec::new();
            for c in &d.causes {
                let line = format!("{}: {}", c.field, c.message);
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            return match lines.len() {
                0 => format!("{prefix}\n"),
                1 => format!("{prefix}: {}\n", lines[0]),
                _ => {
                    let mut out = format!("{prefix}: \n");
                    for l in lines {
                        out.push_str(&format!("* {l}\n"));
                    }
                    out
                }
            };
        }
    }
    if status.reason == "Unauthorized" {
        return format!(
            "error: You must be logged in to the server ({})\n",
            status.message
        );
    }
    if status.reason.is_empty() {
        format!("Error from server: {}\n", status.message)
    } else {
        format!(
            "Error from server ({}): {}\n",
            status.reason, status.message
        )
    }
}
