//! SubjectAccessReview and SelfSubjectAccessReview (`pkg/registry/authorization/...`): ask the
//! authorizer chain about a request without making it. `kubectl auth can-i` creates a
//! SelfSubjectAccessReview and prints `yes` or `no` from the status filled here.

use serde_json::{json, Map, Value};

use super::attributes::{quote, Attributes};
use super::{Authorizer, Decision};
use crate::apiserver::authn::UserInfo;

/// A field validation error (`field.Error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    /// `Invalid value: "": at least one of user or group must be specified`
    pub message: String,
}

/// A review the API server refuses with 422 Invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewInvalid {
    /// `SubjectAccessReview` or `SelfSubjectAccessReview`.
    pub kind: String,
    pub causes: Vec<FieldError>,
}

impl ReviewInvalid {
    /// `apierrors.NewInvalid(kind, "", errs)`'s message.
    pub fn message(&self) -> String {
        let errs: Vec<String> = self
            .causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let joined = if errs.len() == 1 {
            errs[0].clone()
        } else {
            format!("[{}]", errs.join(", "))
        };
        format!(
            "{}.authorization.k8s.io \"\" is invalid: {joined}",
            self.kind
        )
    }

    /// The 422 Status body.
    pub fn status(&self) -> Value {
        let causes: Vec<Value> = self
            .causes
            .iter()
            .map(|c| json!({"reason": "FieldValueInvalid", "message": c.message, "field": c.field}))
            .collect();
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": "Invalid",
            "details": {"group": "authorization.k8s.io", "kind": self.kind, "causes": causes},
            "code": 422
        })
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Go's `%#v` of the attribute structs, as `field.Invalid` prints a non-nil struct value.
fn go_struct(kind: &str, v: &Value, fields: &[(&str, &str)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(go, json)| format!("{go}:{}", quote(s(v, json))))
        .collect();
    format!("authorization.{kind}{{{}}}", parts.join(", "))
}

/// `ValidateSubjectAccessReviewSpec` / `ValidateSelfSubjectAccessReviewSpec`: exactly one of
/// resourceAttributes and nonResourceAttributes (and for SubjectAccessReview a user or group).
fn validate_spec(spec: &Value, require_subject: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ra = spec.get("resourceAttributes").filter(|v| !v.is_null());
    let nra = spec.get("nonResourceAttributes").filter(|v| !v.is_null());
    match (ra, nra) {
        (Some(_), Some(n)) => errs.push(FieldError {
            field: "spec.nonResourceAttributes".into(),
            message: format!(
                "Invalid value: {}: cannot be specified in combination with resourceAttributes",
                go_struct("NonResourceAttributes", n, &[("Path", "path"), ("Verb", "verb")])
            ),
        }),
        (None, None) => errs.push(FieldError {
            field: "spec.resourceAttributes".into(),
            message: "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified".into(),
        }),
        _ => {}
    }
    if require_subject {
        let no_groups = spec
            .get("groups")
            .and_then(Value::as_array)
            .is_none_or(|g| g.is_empty());
        if s(spec, "user").is_empty() && no_groups {
            errs.push(FieldError {
                field: "spec.user".into(),
                message: format!(
                    "Invalid value: {}: at least one of user or group must be specified",
                    quote(s(spec, "user"))
                ),
            });
        }
    }
    errs
}

/// `authorizationutil.ResourceAttributesFrom` / `NonResourceAttributesFrom`.
fn attributes_from(spec: &Value, user: UserInfo) -> Attributes {
    if let Some(ra) = spec.get("resourceAttributes").filter(|v| !v.is_null()) {
        let mut a = Attributes::resource(
            &user,
            s(ra, "verb"),
            s(ra, "namespace"),
            s(ra, "group"),
            s(ra, "resource"),
            s(ra, "subresource"),
            s(ra, "name"),
        );
        // matchAllVersionIfEmpty
        a.api_version = match s(ra, "version") {
            "" => "*".to_string(),
            v => v.to_string(),
        };
        if let Some(fs) = ra
            .pointer("/fieldSelector/rawSelector")
            .and_then(Value::as_str)
        {
            a = a.with_field_selector(fs);
        }
        a
    } else {
        let nra = spec.get("nonResourceAttributes").unwrap_or(&Value::Null);
        Attributes::non_resource(&user, s(nra, "verb"), s(nra, "path"))
    }
}

/// The review object with its status filled (`SubjectAccessReviewStatus`: `allowed`, and
/// `denied`, `reason`, `evaluationError` only when set).
fn respond(review: &Value, authorizer: &Authorizer, attrs: &Attributes) -> Value {
    let result = authorizer.authorize(attrs);
    let mut status = Map::new();
    status.insert("allowed".into(), json!(result.decision == Decision::Allow));
    if result.decision == Decision::Deny {
        status.insert("denied".into(), json!(true));
    }
    if !result.reason.is_empty() {
        status.insert("reason".into(), json!(result.reason));
    }
    if !result.evaluation_error.is_empty() {
        status.insert("evaluationError".into(), json!(result.evaluation_error));
    }
    let mut out = review.as_object().cloned().unwrap_or_default();
    // The object is never stored: its metadata comes back with a zero creationTimestamp.
    let mut meta = out
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    meta.entry("creationTimestamp").or_insert(Value::Null);
    out.insert("metadata".into(), Value::Object(meta));
    out.insert("status".into(), Value::Object(status));
    Value::Object(out)
}

/// Evaluate a SubjectAccessReview (`POST /apis/authorization.k8s.io/v1/subjectaccessreviews`):
/// the subject is the spec's user, groups, uid and extra, exactly as given (no
/// `system:authenticated` is added).
pub fn subject_access_review(
    review: &Value,
    authorizer: &Authorizer,
) -> Result<Value, ReviewInvalid> {
    let spec = review.get("spec").unwrap_or(&Value::Null);
    let causes = validate_spec(spec, true);
    if !causes.is_empty() {
        return Err(ReviewInvalid {
            kind: "SubjectAccessReview".into(),
            causes,
        });
    }
    let extra = spec
        .get("extra")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let vals = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), vals)
                })
                .collect()
        })
        .unwrap_or_default();
    let user = UserInfo {
        name: s(spec, "user").to_string(),
        uid: s(spec, "uid").to_string(),
        groups: spec
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|g| g.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        extra,
    };
    let attrs = attributes_from(spec, user);
    Ok(respond(review, authorizer, &attrs))
}

/// Evaluate a SelfSubjectAccessReview (`kubectl auth can-i`): the subject is the requesting
/// user as authentication produced it.
pub fn self_subject_access_review(
    review: &Value,
    user: &UserInfo,
    authorizer: &Authorizer,
) -> Result<Value, ReviewInvalid> {
    let spec = review.get("spec").unwrap_or(&Value::Null);
    let causes = validate_spec(spec, false);
    if !causes.is_empty() {
        return Err(ReviewInvalid {
            kind: "SelfSubjectAccessReview".into(),
            causes,
        });
    }
    let attrs = attributes_from(spec, user.clone());
    Ok(respond(review, authorizer, &attrs))
}

/// A request the API server refuses with 400 Bad Request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRequest {
    pub message: String,
}

impl BadRequest {
    /// The 400 Status body (`apierrors.NewBadRequest`).
    pub fn status(&self) -> Value {
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": "BadRequest",
            "code": 400
        })
    }
}

/// Evaluate a SelfSubjectRulesReview (`kubectl auth can-i --list`): every rule the user has in
/// `spec.namespace`, as `authorization/v1.SubjectRulesReviewStatus`.
pub fn self_subject_rules_review(
    review: &Value,
    user: &UserInfo,
    authorizer: &Authorizer,
) -> Result<Value, BadRequest> {
    let namespace = review
        .pointer("/spec/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if namespace.is_empty() {
        return Err(BadRequest {
            message: "no namespace on request".into(),
        });
    }
    let found = authorizer.rules_for(user, namespace);
    let resource_rules: Vec<Value> = found
        .resource_rules
        .iter()
        .map(|r| {
            let mut m = Map::new();
            m.insert("verbs".into(), json!(r.verbs));
            if !r.api_groups.is_empty() {
                m.insert("apiGroups".into(), json!(r.api_groups));
            }
            m.insert("resources".into(), json!(r.resources));
            if !r.resource_names.is_empty() {
                m.insert("resourceNames".into(), json!(r.resource_names));
            }
            Value::Object(m)
        })
        .collect();
    let non_resource_rules: Vec<Value> = found
        .non_resource_rules
        .iter()
        .map(|r| json!({"verbs": r.verbs, "nonResourceURLs": r.non_resource_urls}))
        .collect();
    let mut status = Map::new();
    status.insert("resourceRules".into(), Value::Array(resource_rules));
    status.insert("nonResourceRules".into(), Value::Array(non_resource_rules));
    status.insert("incomplete".into(), json!(found.incomplete));
    if !found.evaluation_error.is_empty() {
        status.insert("evaluationError".into(), json!(found.evaluation_error));
    }
    // The answer is a new object: only the status is filled.
    Ok(json!({
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": {},
        "status": Value::Object(status)
    }))
}
