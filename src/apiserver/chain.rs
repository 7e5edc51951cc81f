//! The handler chain's stage functions, called by the server in the real order. Each stage
//! returns a one-line note for the trace, or the API error that stops the request there.

use serde_json::{json, Value};

use super::authn::{Authenticator, RequestCredentials, UserInfo};
use super::authz::attributes::{non_resource_verb, Attributes};
use super::authz::node::{node_identity, NodeAuthorizer, NodeGraph};
use super::authz::rbac::RbacAuthorizer;
use super::authz::Authorizer;
use super::errors::{self, ApiError};
use super::request::HttpRequest;
use super::request_info::RequestInfo;
use super::resources::Resource;
use super::storage;
use crate::sim::{Rng, SimTime};

/// Authentication: the client certificate or the bearer token names the user; a request with
/// neither is `system:anonymous`; bad credentials are 401.
pub fn authenticate(
    authenticator: &Authenticator,
    req: &HttpRequest,
) -> Result<(UserInfo, String), ApiError> {
    let creds = RequestCredentials {
        client_certificate: req.client_certificate.clone(),
        authorization: req.header_value("Authorization").map(str::to_string),
    };
    match authenticator.authenticate(&creds) {
        Ok(who) => {
            let note = format!(
                "{} (groups {}) by {}",
                who.user.name,
                who.user.groups.join(", "),
                who.by.name()
            );
            Ok((who.user, note))
        }
        Err(e) => Err(ApiError {
            code: 401,
            status: e.status(),
        }),
    }
}

/// The RBAC objects and pods authorization reads, from the server's watch caches.
pub struct AuthzView<'a> {
    pub roles: Vec<&'a Value>,
    pub role_bindings: Vec<&'a Value>,
    pub cluster_roles: Vec<&'a Value>,
    pub cluster_role_bindings: Vec<&'a Value>,
    pub pods: Vec<&'a Value>,
}

/// Authorization: system:masters, then the Node authorizer, then RBAC. The note names the rule
/// that allowed the request.
pub fn authorize(
    view: &AuthzView<'_>,
    user: &UserInfo,
    info: &RequestInfo,
    req: &HttpRequest,
) -> Result<String, ApiError> {
    let attrs = if info.is_resource_request {
        let a = Attributes::resource(
            user,
            &info.verb,
            &info.namespace,
            &info.api_group,
            &info.resource,
            &info.subresource,
            &info.name,
        );
        match req.query_value("fieldSelector") {
            Some(f) => a.with_field_selector(f),
            None => a,
        }
    } else {
        Attributes::non_resource(user, &non_resource_verb(&req.method), &info.path)
    };
    let rbac = RbacAuthorizer::new(
        view.roles.iter().copied(),
        view.role_bindings.iter().copied(),
        view.cluster_roles.iter().copied(),
        view.cluster_role_bindings.iter().copied(),
    );
    // The node graph is built only for kubelets, the only users the Node authorizer judges.
    let owned_pods: Vec<Value>;
    let node = if node_identity(user).1 {
        owned_pods = view.pods.iter().map(|p| (*p).clone()).collect();
        Some(NodeAuthorizer::new(NodeGraph::build(&owned_pods, &[], &[])))
    } else {
        None
    };
    let authorizer = Authorizer::new(node.as_ref(), rbac);
    match authorizer.authorize_request(&attrs) {
        Ok(decision) => Ok(match (decision.reason.is_empty(), decision.decided_by) {
            (false, _) => decision.reason,
            (true, Some(by)) => format!("allowed by the {} authorizer", by.name()),
            (true, None) => "allowed".to_string(),
        }),
        Err(status) => Err(ApiError { code: 403, status }),
    }
}

/// Decoding: the body as an object of the resource's kind.
pub fn decode(
    req: &HttpRequest,
    resource: &Resource,
    info: &RequestInfo,
) -> Result<(Value, String), ApiError> {
    let obj = req.body.json().ok_or_else(|| {
        errors::bad_request("the body of the request was in an unknown format".to_string())
    })?;
    let mut obj = (*obj).clone();
    if info.verb != "patch" {
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
        if !kind.is_empty() && kind != resource.kind && info.subresource.is_empty() {
            return Err(errors::bad_request(format!(
                "the API version in the data ({}) does not match the expected API version ({})",
                obj.get("apiVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                resource.group_version()
            )));
        }
        obj["kind"] = json!(resource.kind);
        obj["apiVersion"] = json!(resource.group_version());
    }
    Ok((
        obj,
        format!("decoded a {} ({} bytes)", resource.kind, req.body.len()),
    ))
}

/// The object a PUT or PATCH body asks for, built on `current`.
pub fn apply_body(
    req: &HttpRequest,
    info: &RequestInfo,
    resource: &Resource,
    body: Value,
    current: Value,
) -> Result<Value, ApiError> {
    let mut new = if info.verb == "patch" {
        let mut merged = current.clone();
        merge_patch(&mut merged, &body);
        merged
    } else {
        body
    };
    let _ = req;
    let want_rv = new
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let have_rv = current
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if info.verb == "update" && !want_rv.is_empty() && want_rv != have_rv {
        return Err(errors::conflict(resource, &info.name, errors::MODIFIED));
    }
    for field in ["uid", "creationTimestamp"] {
        if let Some(v) = current.pointer(&format!("/metadata/{field}")) {
            new["metadata"][field] = v.clone();
        }
    }
    storage::set_resource_version(&mut new, have_rv.parse().unwrap_or(0));
    Ok(new)
}

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Mutating admission.
pub fn mutating_admission(
    _info: &RequestInfo,
    _obj: &mut Value,
    _now: SimTime,
    _rng: &mut Rng,
) -> Result<String, ApiError> {
    Ok("no mutating admission plugin changed the object".to_string())
}

/// `rest.BeforeCreate`: namespace, generated name, uid and creation timestamp.
pub fn before_create(
    resource: &Resource,
    info: &RequestInfo,
    obj: &mut Value,
    now: SimTime,
    rng: &mut Rng,
) -> Result<(), ApiError> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    let meta = obj["metadata"].as_object_mut().expect("object");
    if resource.namespaced {
        let ns = meta.get("namespace").and_then(Value::as_str).unwrap_or("");
        if ns.is_empty() {
            meta.insert("namespace".into(), json!(info.namespace));
        } else if ns != info.namespace {
            return Err(errors::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request".to_string(),
            ));
        }
    } else {
        meta.remove("namespace");
    }
    let name = meta.get("name").and_then(Value::as_str).unwrap_or("");
    let generate = meta
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() && !generate.is_empty() {
        let generated = format!("{generate}{}", rng.k8s_suffix(5));
        meta.insert("name".into(), json!(generated));
    }
    meta.insert("uid".into(), json!(storage::new_uid(rng)));
    meta.insert("creationTimestamp".into(), json!(now.rfc3339()));
    meta.remove("resourceVersion");
    Ok(())
}

/// Validation.
pub fn validate(
    resource: &Resource,
    obj: &Value,
    _old: Option<&Value>,
) -> Result<String, ApiError> {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!("{} \"\" is invalid: metadata.name: Required value: name or generateName is required", resource.kind),
            None,
        ));
    }
    Ok("valid".to_string())
}
