//! The handler chain's stage functions, called by the server in the real order. Each stage
//! returns a one-line note for the trace, or the API error that stops the request there.

use serde_json::{json, Value};

use super::admission::chain::{self as admission_chain, ChainError, ClusterView, PluginNote};
use super::admission::{Attributes as AdmissionAttributes, Operation};
use super::authn::{Authenticator, ObjectLookup, RequestCredentials, UserInfo};
use super::authz::attributes::{non_resource_verb, Attributes};
use super::authz::node::{node_identity, NodeAuthorizer, NodeGraph};
use super::authz::rbac::RbacAuthorizer;
use super::authz::{subject_access_review, Authorizer};
use super::conversion;
use super::decode::{self, ContentType, DecodeError, FieldValidation, Gvk};
use super::defaulting::{self, strategy};
use super::errors::{self, ApiError};
use super::impersonation::{self, ImpersonationError};
use super::patch::managed_fields;
use super::patch::server_side_apply::{server_side_apply, ApplyRequest};
use super::patch::{self, PatchError, PatchType};
use super::request::{Body, HttpRequest, HttpResponse};
use super::request_info::RequestInfo;
use super::resources::Resource;
use super::status;
use super::storage;
use super::validation;
use crate::sim::{Rng, SimTime};

/// Authentication: the client certificate or the bearer token names the user; a request with
/// neither is `system:anonymous`; bad credentials are 401.
/// Tokens the TokenRequest API issued are checked against the clock and the objects they name
/// (`lookup`, over the server's caches).
pub fn authenticate(
    authenticator: &Authenticator,
    req: &HttpRequest,
    now: SimTime,
    lookup: &ObjectLookup<'_>,
) -> Result<(UserInfo, String), (ApiError, String)> {
    let creds = RequestCredentials {
        client_certificate: req.client_certificate.clone(),
        authorization: req.header_value("Authorization").map(str::to_string),
    };
    match authenticator.authenticate_at(&creds, now, lookup) {
        Ok(who) => {
            let note = format!(
                "{} (groups {}) by {}",
                who.user.name,
                who.user.groups.join(", "),
                who.by.name()
            );
            Ok((who.user, note))
        }
        // The cause is what kube-apiserver logs ("Unable to authenticate the request"); the
        // client only sees `Unauthorized`.
        Err(e) => Err((
            ApiError {
                code: 401,
                status: e.status(),
            },
            e.cause,
        )),
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

impl<'a> AuthzView<'a> {
    /// The RBAC authorizer over the cached Roles and bindings, in etcd key order (the first
    /// matching binding is the one a reason names).
    fn rbac(&self) -> RbacAuthorizer<'a> {
        RbacAuthorizer::new(
            self.roles.iter().copied(),
            self.role_bindings.iter().copied(),
            self.cluster_roles.iter().copied(),
            self.cluster_role_bindings.iter().copied(),
        )
    }

    /// The pods the Node authorizer's graph is built from.
    fn owned_pods(&self) -> Vec<Value> {
        self.pods.iter().map(|p| (*p).clone()).collect()
    }
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
    let rbac = view.rbac();
    // The node graph is built only for kubelets, the only users the Node authorizer judges.
    let owned_pods: Vec<Value>;
    let node = if node_identity(user).1 {
        owned_pods = view.owned_pods();
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

/// Why impersonation stopped a request.
pub enum ImpersonationFailure {
    /// 403: the requester may not act as a target.
    Forbidden(ApiError),
    /// 500 in plain text (`responsewriters.InternalError`), with a note for the trace.
    Internal(HttpResponse, String),
}

/// Impersonation (`WithImpersonation`, between authentication and authorization): the user a
/// request with `Impersonate-*` headers runs as, once the authorizers allow `user` to act as
/// each target, and a note for the trace. `Ok(None)` when it impersonates no one.
pub fn impersonate(
    view: &AuthzView<'_>,
    user: &UserInfo,
    req: &HttpRequest,
) -> Result<Option<(UserInfo, String)>, ImpersonationFailure> {
    if !impersonation::requested(req) {
        return Ok(None);
    }
    let rbac = view.rbac();
    let authorizer = Authorizer::new(None, rbac);
    let result = impersonation::impersonate(user, req, |attrs| {
        authorizer.authorize_request(attrs).map(|_| ())
    });
    match result {
        Ok(Some(as_user)) => {
            let note = format!(
                "{} impersonates {} (groups {})",
                user.name,
                as_user.name,
                as_user.groups.join(", ")
            );
            Ok(Some((as_user, note)))
        }
        Ok(None) => Ok(None),
        Err(ImpersonationError::Forbidden(status)) => {
            Err(ImpersonationFailure::Forbidden(ApiError {
                code: 403,
                status,
            }))
        }
        Err(ImpersonationError::WithoutUser(message)) => {
            // `http.Error(w, "Internal Server Error: %q: %v")`, HTML-sanitised.
            let text = format!(
                "Internal Server Error: {}: {message}",
                super::authz::attributes::quote(&req.url())
            )
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
            let reply = HttpResponse {
                status: 500,
                headers: vec![
                    (
                        "Content-Type".to_string(),
                        "text/plain; charset=utf-8".to_string(),
                    ),
                    ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
                ],
                body: Body::Bytes(format!("{text}\n").into_bytes()),
            };
            Err(ImpersonationFailure::Internal(
                reply,
                format!("500 {message}"),
            ))
        }
    }
}

/// The media types a create or update body may have.
const BODY_TYPES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// The patch types kube-apiserver accepts.
pub const PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

/// SubjectAccessReview and SelfSubjectAccessReview: evaluated against the same authorizers as
/// requests, answered with the review's `status`, and never stored.
pub fn access_review(
    view: &AuthzView<'_>,
    user: &UserInfo,
    resource: &Resource,
    review: &Value,
) -> Result<Value, ApiError> {
    let rbac = view.rbac();
    let pods = view.owned_pods();
    let node = NodeAuthorizer::new(NodeGraph::build(&pods, &[], &[]));
    let authorizer = Authorizer::new(Some(&node), rbac);
    let result = if resource.name == "selfsubjectaccessreviews" {
        subject_access_review::self_subject_access_review(review, user, &authorizer)
    } else {
        subject_access_review::subject_access_review(review, &authorizer)
    };
    result.map_err(|invalid| ApiError {
        code: 422,
        status: invalid.status(),
    })
}

/// SelfSubjectRulesReview (`kubectl auth can-i --list`): the rules the authorizers that can
/// enumerate them (Node, RBAC) resolve for the user in the review's namespace; never stored.
pub fn rules_review(
    view: &AuthzView<'_>,
    user: &UserInfo,
    review: &Value,
) -> Result<Value, ApiError> {
    let rbac = view.rbac();
    let pods = view.owned_pods();
    let node = NodeAuthorizer::new(NodeGraph::build(&pods, &[], &[]));
    let authorizer = Authorizer::new(Some(&node), rbac);
    subject_access_review::self_subject_rules_review(review, user, &authorizer).map_err(|e| {
        ApiError {
            code: 400,
            status: e.status(),
        }
    })
}

/// Decoding: the body, strictly decoded as the kind the URL names (unknown and duplicate fields
/// per `fieldValidation`, Go's type errors, the 3 MiB limit), then defaulted. Returns the object,
/// the warnings for the `Warning` header, and a note for the trace. Patch bodies are parsed here
/// and applied to the stored object later.
pub fn decode(
    req: &HttpRequest,
    resource: &Resource,
    info: &RequestInfo,
) -> Result<(Value, Vec<String>, String), ApiError> {
    let media = req
        .header_value("Content-Type")
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (group, version, kind) = match resource.subresource(&info.subresource) {
        Some(sub) if info.subresource != "status" => (sub.group, sub.version, sub.kind),
        _ => (resource.group, resource.version, resource.kind),
    };
    if info.verb == "patch" {
        if !PATCH_TYPES.contains(&media.as_str()) {
            return Err(status::unsupported_media_type(PATCH_TYPES).into());
        }
        let bytes = req.body.to_bytes();
        if bytes.len() > decode::MAX_REQUEST_BODY_BYTES {
            return Err(status::request_entity_too_large(&format!(
                "limit is {}",
                decode::MAX_REQUEST_BODY_BYTES
            ))
            .into());
        }
        let patch = if media == "application/apply-patch+yaml" {
            decode::yaml_to_json(&String::from_utf8_lossy(&bytes))
                .map_err(|e| errors::bad_request(format!("error decoding YAML: {e}")))?
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|e| errors::bad_request(format!("error decoding patch: {e}")))?
        };
        return Ok((
            patch,
            Vec::new(),
            format!("a {media} patch ({} bytes)", bytes.len()),
        ));
    }
    let content_type = match media.as_str() {
        "application/json" | "" | "application/vnd.kubernetes.protobuf" => ContentType::Json,
        "application/yaml" => ContentType::Yaml,
        _ => return Err(status::unsupported_media_type(BODY_TYPES).into()),
    };
    let validation =
        FieldValidation::from_query(req.query_value("fieldValidation")).ok_or_else(|| {
            errors::bad_request(format!(
                "fieldValidation parameter unsupported: {}",
                req.query_value("fieldValidation").unwrap_or_default()
            ))
        })?;
    let gvk = Gvk::new(group, version, kind);
    // A protobuf body is transcoded to the JSON kubectl would have sent (see
    // `decode::protobuf`); the JSON then goes through the same strict decoding.
    let transcoded: Option<Vec<u8>> = if media == "application/vnd.kubernetes.protobuf" {
        let bytes = req.body.to_bytes();
        if bytes.len() > decode::MAX_REQUEST_BODY_BYTES {
            return Err(status::request_entity_too_large(&format!(
                "limit is {}",
                decode::MAX_REQUEST_BODY_BYTES
            ))
            .into());
        }
        match decode::protobuf::to_json(&bytes, &gvk) {
            Ok(v) => Some(serde_json::to_vec(&v).expect("JSON serialises")),
            Err(e) => return Err(errors::bad_request(e.status_message(kind, &bytes))),
        }
    } else {
        None
    };
    let (mut obj, warnings) = match &req.body {
        // A component that holds a typed object sends it as such: it decodes cleanly.
        Body::Json(v) => ((**v).clone(), Vec::new()),
        body => {
            let bytes = match &transcoded {
                Some(json) => std::borrow::Cow::Borrowed(json.as_slice()),
                None => body.to_bytes(),
            };
            let decoded = if transcoded.is_some() {
                decode::decode_within_limit(&bytes, content_type, &gvk, validation)
            } else {
                decode::decode(&bytes, content_type, &gvk, validation)
            };
            match decoded {
                Ok(d) => (d.object, d.warnings),
                Err(e) => {
                    let message = e.status_message(kind, &bytes);
                    return Err(match e {
                        DecodeError::TooLarge { .. } => {
                            ApiError::new(413, "RequestEntityTooLarge", message, None)
                        }
                        _ => errors::bad_request(message),
                    });
                }
            }
        }
    };
    let body_kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or(kind)
        .to_string();
    let body_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if body_kind != kind || (!body_version.is_empty() && body_version != gvk.api_version()) {
        return Err(errors::bad_request(format!(
            "the API version in the data ({body_version}) does not match the expected API version ({})",
            gvk.api_version()
        )));
    }
    obj["kind"] = json!(kind);
    obj["apiVersion"] = json!(gvk.api_version());
    // The decoder applies the kind's defaults (`SetObjectDefaults_*`).
    defaulting::set_object_defaults(&mut obj);
    let warned = if warnings.is_empty() {
        String::new()
    } else {
        format!(", {} warning(s): {}", warnings.len(), warnings.join("; "))
    };
    Ok((
        obj,
        warnings,
        format!(
            "decoded a {kind} ({} bytes) and applied its defaults{warned}",
            req.body.len()
        ),
    ))
}

/// The field manager of a request: `?fieldManager=`, or the User-Agent's first word as
/// kube-apiserver defaults it (`kube-controller-manager`, `kubelet`).
pub fn field_manager(req: &HttpRequest) -> String {
    match req.query_value("fieldManager") {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => req
            .header_value("User-Agent")
            .unwrap_or("unknown")
            .split('/')
            .next()
            .unwrap_or("unknown")
            .trim()
            .to_string(),
    }
}

fn patch_error(e: PatchError) -> ApiError {
    ApiError {
        code: e.code,
        status: e.to_status(),
    }
}

/// The object a PUT or PATCH body asks for, built on `current` (`None` when an apply patch
/// creates the object).
pub fn apply_body(
    req: &HttpRequest,
    info: &RequestInfo,
    resource: &Resource,
    body: Value,
    current: Option<Value>,
    now: SimTime,
) -> Result<Value, ApiError> {
    let kind = current
        .as_ref()
        .and_then(|c| c.get("kind").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| resource.kind.to_string());
    let have_rv = current
        .as_ref()
        .and_then(|c| c.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut new = if info.verb == "patch" {
        let media = req
            .header_value("Content-Type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let patch_type = PatchType::from_content_type(&media)
            .ok_or_else(|| ApiError::from(status::unsupported_media_type(PATCH_TYPES)))?;
        let manager = req.query_value("fieldManager").unwrap_or("");
        let force = req.query_value("force").map(|v| v == "true");
        patch::validate_patch_options(patch_type, manager, force).map_err(patch_error)?;
        let mut patched = match (patch_type, &current) {
            (PatchType::ApplyYaml, live) => {
                let api_version = resource.group_version();
                let time = now.rfc3339();
                let request = ApplyRequest {
                    kind: &kind,
                    api_version: &api_version,
                    manager,
                    force: force.unwrap_or(false),
                    time: &time,
                    reset_fields: managed_fields::reset_fields(&kind, &info.subresource),
                };
                server_side_apply(&request, live.as_ref(), &body).map_err(patch_error)?
            }
            (_, Some(cur)) => {
                patch::apply_patch(&kind, true, patch_type, cur, &body).map_err(patch_error)?
            }
            (_, None) => return Err(errors::not_found(resource, &info.name)),
        };
        // The patched object is decoded again, defaults and all.
        defaulting::set_object_defaults(&mut patched);
        patched
    } else {
        body
    };
    if !new.get("metadata").is_some_and(Value::is_object) {
        new["metadata"] = json!({});
    }
    if info.verb == "update" {
        let body_name = new
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if info.subresource.is_empty() && !body_name.is_empty() && body_name != info.name {
            return Err(errors::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({})",
                info.name
            )));
        }
        let want_rv = new
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !want_rv.is_empty() && want_rv != have_rv {
            return Err(errors::conflict(resource, &info.name, errors::MODIFIED));
        }
    }
    // `rest.BeforeUpdate`: the creation timestamp is the stored one; an empty uid is filled.
    if let Some(cur) = &current {
        if let Some(ts) = cur.pointer("/metadata/creationTimestamp") {
            new["metadata"]["creationTimestamp"] = ts.clone();
        }
        let uid_empty = new
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if uid_empty {
            if let Some(uid) = cur.pointer("/metadata/uid") {
                new["metadata"]["uid"] = uid.clone();
            }
        }
        storage::set_resource_version(&mut new, have_rv.parse().unwrap_or(0));
    }
    Ok(new)
}

/// Records which manager set which fields (`metadata.managedFields`) on a create or update.
/// Server-side apply keeps its own entries.
pub fn track_managed_fields(
    req: &HttpRequest,
    info: &RequestInfo,
    resource: &Resource,
    old: Option<&Value>,
    new: &mut Value,
    now: SimTime,
) {
    let media = req.header_value("Content-Type").unwrap_or("");
    if media.starts_with("application/apply-patch") {
        return;
    }
    let kind = new
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or(resource.kind)
        .to_string();
    let manager = field_manager(req);
    let null = Value::Null;
    let updated = managed_fields::update_managed_fields(
        &kind,
        old.unwrap_or(&null),
        new,
        &manager,
        &info.subresource,
        &resource.group_version(),
        &now.rfc3339(),
        managed_fields::reset_fields(&kind, &info.subresource),
    );
    if let Ok(v) = updated {
        *new = v;
    }
}

/// The objects admission plugins consult, copied from the server's watch caches.
#[derive(Clone, Debug, Default)]
pub struct AdmissionObjects {
    pub namespaces: Vec<Value>,
    pub service_accounts: Vec<Value>,
    pub limit_ranges: Vec<Value>,
    pub priority_classes: Vec<Value>,
    pub storage_classes: Vec<Value>,
    pub resource_quotas: Vec<Value>,
}

impl AdmissionObjects {
    pub fn view(&self) -> ClusterView<'_> {
        ClusterView {
            namespaces: &self.namespaces,
            service_accounts: &self.service_accounts,
            limit_ranges: &self.limit_ranges,
            priority_classes: &self.priority_classes,
            storage_classes: &self.storage_classes,
            resource_quotas: &self.resource_quotas,
        }
    }
}

/// The admission attributes of a request.
pub fn admission_attributes<'a>(
    info: &'a RequestInfo,
    resource: &'a Resource,
    old: Option<&'a Value>,
) -> AdmissionAttributes<'a> {
    let operation = match info.verb.as_str() {
        "create" if info.subresource.is_empty() => Operation::Create,
        "delete" | "deletecollection" => Operation::Delete,
        "create" => Operation::Create,
        _ => Operation::Update,
    };
    AdmissionAttributes {
        operation,
        group: resource.group,
        resource: resource.name,
        subresource: &info.subresource,
        kind: resource.kind,
        namespace: &info.namespace,
        name: &info.name,
        old_object: old,
    }
}

fn plugin_notes(notes: &[PluginNote]) -> String {
    let changed: Vec<String> = notes
        .iter()
        .filter(|n| !n.note.is_empty())
        .map(|n| format!("{}: {}", n.plugin, n.note))
        .collect();
    if changed.is_empty() {
        "no plugin changed the object".to_string()
    } else {
        changed.join("; ")
    }
}

fn chain_error(e: ChainError) -> ApiError {
    ApiError {
        code: e.error.code,
        status: e.error.to_status(),
    }
}

/// Mutating admission: NamespaceLifecycle, LimitRanger, ServiceAccount, Priority,
/// DefaultTolerationSeconds, DefaultStorageClass, in that order.
pub fn mutating_admission(
    attrs: &AdmissionAttributes<'_>,
    objects: &AdmissionObjects,
    obj: Value,
    rng: &mut Rng,
) -> Result<(Value, String), ApiError> {
    let (obj, notes) =
        admission_chain::admit(attrs, obj, &objects.view(), rng).map_err(chain_error)?;
    Ok((obj, plugin_notes(&notes)))
}

/// Validating admission (LimitRanger, Priority, ResourceQuota last). Returns the note and the
/// ResourceQuotas whose usage must be stored before the object.
pub fn validating_admission(
    attrs: &AdmissionAttributes<'_>,
    objects: &AdmissionObjects,
    obj: &Value,
) -> Result<(String, Vec<Value>), ApiError> {
    let (notes, quotas) =
        admission_chain::validate(attrs, obj, &objects.view()).map_err(chain_error)?;
    let note = plugin_notes(&notes);
    let note = if note == "no plugin changed the object" {
        "no plugin objected".to_string()
    } else {
        note
    };
    Ok((note, quotas))
}

/// `rest.BeforeCreate`: the request's namespace, uid, creation timestamp and generated name,
/// then the kind's `PrepareForCreate` (status cleared, generation 1, ...).
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
    meta.remove("resourceVersion");
    let uid = strategy::new_uid(rng);
    strategy::fill_object_meta_system_fields(obj, &uid, &now.rfc3339(), rng);
    strategy::prepare_for_create(resource.kind, obj);
    Ok(())
}

/// The kind's `PrepareForUpdate` (or its status strategy's), on the object an update asks for.
pub fn before_update(resource: &Resource, info: &RequestInfo, new: &mut Value, old: &Value) {
    if info.subresource == "status" {
        strategy::prepare_for_status_update(resource.kind, new, old);
    } else if info.subresource.is_empty() {
        strategy::prepare_for_update(resource.kind, new, old);
    }
    // `rest.BeforeUpdate`: an update can never remove a deletion already under way.
    for field in ["deletionTimestamp", "deletionGracePeriodSeconds"] {
        if let Some(v) = old.pointer(&format!("/metadata/{field}")) {
            if new.pointer(&format!("/metadata/{field}")).is_none() {
                if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.insert(field.to_string(), v.clone());
                }
            }
        }
    }
}

/// Validation: every field error of the object at once, as a 422 Invalid Status. A binding
/// validates the Binding it was sent; events.k8s.io Events are validated in that version.
pub fn validate(
    resource: &Resource,
    info: &RequestInfo,
    obj: &Value,
    old: Option<&Value>,
    body: Option<&Value>,
) -> Result<String, ApiError> {
    let (kind, api_version, obj, old) = match info.subresource.as_str() {
        "binding" => match body {
            Some(b) => ("Binding", "v1".to_string(), b.clone(), None),
            None => return Ok("valid".to_string()),
        },
        "eviction" => return Ok("an Eviction has nothing to validate".to_string()),
        _ if conversion::is_events_v1(resource.group) => (
            resource.kind,
            resource.group_version(),
            conversion::core_event_to_events_v1(obj),
            old.map(conversion::core_event_to_events_v1),
        ),
        _ => (
            resource.kind,
            resource.group_version(),
            obj.clone(),
            old.cloned(),
        ),
    };
    if !validation::is_served(kind) {
        return Ok(format!("{kind} has no validation rules"));
    }
    let errs = match &old {
        None => validation::validate_create(&api_version, kind, &obj),
        Some(old) => validation::validate_update(&api_version, kind, &obj, old),
    };
    let resource_kind = kind;
    if errs.is_empty() {
        return Ok("valid".to_string());
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    Err(status::invalid(
        validation::group_of(resource_kind),
        resource_kind,
        name,
        &errs,
    )
    .into())
}
