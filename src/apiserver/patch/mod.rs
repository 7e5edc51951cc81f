//! Every patch kind kube-apiserver 1.33 accepts (JSON patch, JSON merge patch, strategic merge
//! patch, server-side apply) and kubectl's client-side three-way merge, as pure functions over
//! `serde_json::Value` that fail with the real servers' status codes and texts.
//!
//! Where the texts come from: `k8s.io/apiserver/pkg/endpoints/handlers/patch.go` (which status a
//! failure becomes), `gopkg.in/evanphx/json-patch.v4` (JSON patch and merge patch texts),
//! `k8s.io/apimachinery/pkg/util/mergepatch` and `.../strategicpatch` (strategic merge texts) and
//! `k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager` with `sigs.k8s.io/structured-merge-diff`
//! (server-side apply).

pub mod json_patch;
pub mod managed_fields;
pub mod merge_patch;
pub mod patch_meta;
pub mod server_side_apply;
pub mod strategic_merge;
pub mod three_way;

use serde_json::Value;

/// The patch media types kube-apiserver understands (`types.PatchType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// RFC 6902, `application/json-patch+json`.
    Json,
    /// RFC 7396, `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json` (built-in kinds only).
    StrategicMerge,
    /// Server-side apply, `application/apply-patch+yaml`.
    ApplyYaml,
}

impl PatchType {
    /// The patch type named by a `Content-Type` header (a `; charset=` suffix is ignored, as the
    /// server does).
    pub fn from_content_type(content_type: &str) -> Option<PatchType> {
        let base = match content_type.find(';') {
            Some(i) if i > 0 => &content_type[..i],
            _ => content_type,
        };
        match base {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::StrategicMerge),
            "application/apply-patch+yaml" => Some(PatchType::ApplyYaml),
            _ => None,
        }
    }

    /// The media type string of this patch type.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
            PatchType::ApplyYaml => "application/apply-patch+yaml",
        }
    }
}

/// The patch media types a built-in kind accepts, in the order the server lists them.
pub const BUILTIN_PATCH_TYPES: [&str; 4] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

/// The patch media types a custom resource accepts: no strategic merge patch, because a CRD
/// carries no Go struct tags to take merge keys from.
pub const CUSTOM_RESOURCE_PATCH_TYPES: [&str; 3] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

/// One `details.causes` entry of a `metav1.Status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCause {
    /// `reason` of the cause (`metav1.CauseType`), empty when the server leaves it out.
    pub reason: String,
    pub message: String,
    /// `field` of the cause, empty when the server leaves it out.
    pub field: String,
}

/// A failed patch as the `metav1.Status` kube-apiserver answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    /// HTTP status code (`status.code`).
    pub code: u16,
    /// `status.reason` (`metav1.StatusReason`); empty for errors the server did not classify.
    pub reason: &'static str,
    /// `status.message`.
    pub message: String,
    /// `status.details.causes`.
    pub causes: Vec<StatusCause>,
    /// `status.details.group` and `.kind` (empty when the server leaves them out).
    pub details_group: &'static str,
    pub details_kind: &'static str,
}

impl PatchError {
    /// `errors.NewBadRequest(msg)`: 400 BadRequest.
    pub fn bad_request(message: impl Into<String>) -> PatchError {
        PatchError {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            causes: Vec::new(),
            details_group: "",
            details_kind: "",
        }
    }

    /// `errors.NewGenericServerResponse(422, "", GroupResource{}, "", msg, 0, false)`: the
    /// server replaces the message with a fixed text and keeps the real one as the only cause.
    pub fn unprocessable(server_message: impl Into<String>) -> PatchError {
        let server_message = server_message.into();
        PatchError {
            code: 422,
            reason: "Invalid",
            message: "the server rejected our request due to an error in our request".into(),
            causes: if server_message.is_empty() {
                Vec::new()
            } else {
                vec![StatusCause {
                    reason: String::new(),
                    message: server_message,
                    field: String::new(),
                }]
            },
            details_group: "",
            details_kind: "",
        }
    }

    /// A plain Go error that reached the response writer unclassified: `ErrorToAPIStatus` turns
    /// it into a 500 with an empty reason and the error text as message.
    pub fn internal(message: impl Into<String>) -> PatchError {
        PatchError {
            code: 500,
            reason: "",
            message: message.into(),
            causes: Vec::new(),
            details_group: "",
            details_kind: "",
        }
    }

    /// `negotiation.NewUnsupportedMediaTypeError(accepted)`: 415.
    pub fn unsupported_media_type(accepted: &[&str]) -> PatchError {
        PatchError {
            code: 415,
            reason: "UnsupportedMediaType",
            message: format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
            causes: Vec::new(),
            details_group: "",
            details_kind: "",
        }
    }

    /// `errors.NewRequestEntityTooLargeError(msg)`: 413.
    pub fn request_entity_too_large(message: &str) -> PatchError {
        PatchError {
            code: 413,
            reason: "RequestEntityTooLarge",
            message: format!("Request entity too large: {message}"),
            causes: Vec::new(),
            details_group: "",
            details_kind: "",
        }
    }

    /// The `metav1.Status` object of this error, as the server writes it.
    pub fn to_status(&self) -> Value {
        let mut status = serde_json::Map::new();
        status.insert("kind".into(), "Status".into());
        status.insert("apiVersion".into(), "v1".into());
        status.insert("metadata".into(), Value::Object(Default::default()));
        status.insert("status".into(), "Failure".into());
        status.insert("message".into(), self.message.clone().into());
        if !self.reason.is_empty() {
            status.insert("reason".into(), self.reason.into());
        }
        if !self.causes.is_empty() || !self.details_kind.is_empty() {
            let causes = self
                .causes
                .iter()
                .map(|c| {
                    let mut m = serde_json::Map::new();
                    if !c.reason.is_empty() {
                        m.insert("reason".into(), c.reason.clone().into());
                    }
                    m.insert("message".into(), c.message.clone().into());
                    if !c.field.is_empty() {
                        m.insert("field".into(), c.field.clone().into());
                    }
                    Value::Object(m)
                })
                .collect();
            let mut details = serde_json::Map::new();
            if !self.details_group.is_empty() {
                details.insert("group".into(), self.details_group.into());
            }
            if !self.details_kind.is_empty() {
                details.insert("kind".into(), self.details_kind.into());
            }
            if !self.causes.is_empty() {
                details.insert("causes".into(), Value::Array(causes));
            }
            status.insert("details".into(), Value::Object(details));
        }
        status.insert("code".into(), self.code.into());
        Value::Object(status)
    }
}

/// `ValidatePatchOptions`: `force` only with apply, `fieldManager` required for apply and at
/// most 128 printable characters. Fails with the server's 422 on `PatchOptions.meta.k8s.io`.
pub fn validate_patch_options(
    patch_type: PatchType,
    field_manager: &str,
    force: Option<bool>,
) -> Result<(), PatchError> {
    // (field, cause reason, detail after "<field>: ")
    let mut errs: Vec<(&str, &str, String)> = Vec::new();
    if patch_type != PatchType::ApplyYaml {
        if force.is_some() {
            errs.push((
                "force",
                "FieldValueForbidden",
                "Forbidden: may not be specified for non-apply patch".into(),
            ));
        }
    } else if field_manager.is_empty() {
        errs.push((
            "fieldManager",
            "FieldValueRequired",
            "Required value: is required for apply patch".into(),
        ));
    }
    if field_manager.len() > 128 {
        errs.push((
            "fieldManager",
            "FieldValueTooLong",
            "Too long: may not be more than 128 bytes".into(),
        ));
    }
    for (i, c) in field_manager.char_indices() {
        if c.is_control() {
            errs.push((
                "fieldManager",
                "FieldValueInvalid",
                format!(
                    "Invalid value: {}: invalid character U+{:04X} (at position {i})",
                    serde_json::to_string(field_manager).unwrap_or_default(),
                    c as u32
                ),
            ));
        }
    }
    if errs.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = errs.iter().map(|(f, _, d)| format!("{f}: {d}")).collect();
    let joined = if listed.len() == 1 {
        listed[0].clone()
    } else {
        format!("[{}]", listed.join(", "))
    };
    Err(PatchError {
        code: 422,
        reason: "Invalid",
        message: format!("PatchOptions.meta.k8s.io \"\" is invalid: {joined}"),
        causes: errs
            .into_iter()
            .map(|(f, r, d)| StatusCause {
                reason: r.into(),
                message: d,
                field: f.into(),
            })
            .collect(),
        details_group: "meta.k8s.io",
        details_kind: "PatchOptions",
    })
}

/// Applies a JSON, merge or strategic merge patch to `current` (an object of `kind`) the way
/// kube-apiserver's `jsonPatcher`/`smpPatcher` do.
///
/// `builtin` says whether `kind` is a built-in type: strategic merge patch on anything else is
/// refused with the server's 415. `ApplyYaml` gets `patchResource`'s answer for a type it has
/// no patcher for; apply requests belong to [`server_side_apply::server_side_apply`].
pub fn apply_patch(
    kind: &str,
    builtin: bool,
    patch_type: PatchType,
    current: &Value,
    patch: &Value,
) -> Result<Value, PatchError> {
    match patch_type {
        PatchType::Json => json_patch::apply_json_patch(current, patch),
        PatchType::Merge => merge_patch::apply_merge_patch_checked(current, patch),
        PatchType::StrategicMerge => {
            if !builtin {
                return Err(PatchError::unsupported_media_type(
                    &CUSTOM_RESOURCE_PATCH_TYPES,
                ));
            }
            strategic_merge::strategic_merge_patch(kind, current, patch)
        }
        PatchType::ApplyYaml => Err(PatchError::internal(
            "application/apply-patch+yaml: unimplemented patch type",
        )),
    }
}
