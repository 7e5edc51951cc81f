//! Request attributes the authorizers decide on (`k8s.io/apiserver/pkg/authorization/authorizer.Attributes`),
//! the HTTP-to-verb mapping of `RequestInfoFactory`, and the 403 texts built from them.

use serde_json::{json, Value};

use crate::apiserver::authn::UserInfo;

/// `authorizer.AttributesRecord`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub user: UserInfo,
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or a
    /// special verb (`impersonate`, `bind`, `escalate`, `approve`, `sign`, `use`); for
    /// non-resource requests the lowercased HTTP method.
    pub verb: String,
    pub namespace: String,
    pub api_group: String,
    pub api_version: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// True for requests against the resource API (`/api/...`, `/apis/...` with a resource).
    pub resource_request: bool,
    /// The URL path, used for non-resource requests (`/healthz`, `/version`, `/api`).
    pub path: String,
    /// The parsed `fieldSelector` of list/watch requests (`AuthorizeWithSelectors`, on in 1.33).
    pub field_selector: Vec<FieldRequirement>,
}

impl Attributes {
    /// A resource request.
    pub fn resource(
        user: &UserInfo,
        verb: &str,
        namespace: &str,
        api_group: &str,
        resource: &str,
        subresource: &str,
        name: &str,
    ) -> Attributes {
        Attributes {
            user: user.clone(),
            verb: verb.to_string(),
            namespace: namespace.to_string(),
            api_group: api_group.to_string(),
            api_version: String::new(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            name: name.to_string(),
            resource_request: true,
            path: String::new(),
            field_selector: Vec::new(),
        }
    }

    /// A non-resource request (`GET /healthz` has verb `get`).
    pub fn non_resource(user: &UserInfo, verb: &str, path: &str) -> Attributes {
        Attributes {
            user: user.clone(),
            verb: verb.to_string(),
            path: path.to_string(),
            resource_request: false,
            ..Attributes::default()
        }
    }

    /// Builder: attach a field selector (`spec.nodeName=worker-1`).
    pub fn with_field_selector(mut self, selector: &str) -> Attributes {
        self.field_selector = parse_field_selector(selector).unwrap_or_default();
        self
    }

    /// `resource/subresource`, the form RBAC rules and messages use.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// `responsewriters.forbiddenMessage`.
    pub fn forbidden_message(&self) -> String {
        let user = &self.user.name;
        if !self.resource_request {
            return format!(
                "User {} cannot {} path {}",
                quote(user),
                self.verb,
                quote(&self.path)
            );
        }
        let resource = self.combined_resource();
        if !self.namespace.is_empty() {
            return format!(
                "User {} cannot {} resource {} in API group {} in the namespace {}",
                quote(user),
                self.verb,
                quote(&resource),
                quote(&self.api_group),
                quote(&self.namespace)
            );
        }
        format!(
            "User {} cannot {} resource {} in API group {} at the cluster scope",
            quote(user),
            self.verb,
            quote(&resource),
            quote(&self.api_group)
        )
    }

    /// The `message` of the 403 Status (`responsewriters.Forbidden` → `apierrors.NewForbidden`):
    /// `pods is forbidden: User "jane" cannot ...`, with `: <reason>` when the authorizers gave one.
    pub fn forbidden_status_message(&self, reason: &str) -> String {
        let msg = sanitize(&self.forbidden_message());
        let err = if reason.is_empty() {
            msg
        } else {
            format!("{msg}: {reason}")
        };
        // The qualified resource is the resource alone: a subresource is only in the text.
        let qualified = if self.resource_request && !self.resource.is_empty() {
            if self.api_group.is_empty() {
                self.resource.clone()
            } else {
                format!("{}.{}", self.resource, self.api_group)
            }
        } else {
            String::new()
        };
        if qualified.is_empty() {
            format!("forbidden: {err}")
        } else if self.name.is_empty() {
            format!("{qualified} is forbidden: {err}")
        } else {
            format!("{qualified} {} is forbidden: {err}", quote(&self.name))
        }
    }

    /// The 403 `metav1.Status` body.
    pub fn forbidden_status(&self, reason: &str) -> Value {
        let mut details = serde_json::Map::new();
        if self.resource_request {
            if !self.name.is_empty() {
                details.insert("name".into(), json!(self.name));
            }
            if !self.api_group.is_empty() {
                details.insert("group".into(), json!(self.api_group));
            }
            if !self.resource.is_empty() {
                details.insert("kind".into(), json!(self.resource));
            }
        }
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.forbidden_status_message(reason),
            "reason": "Forbidden",
            "details": Value::Object(details),
            "code": 403
        })
    }
}

/// Go's `%q` for the plain strings of these messages.
pub(crate) fn quote(s: &str) -> String {
    // serde_json's escaping agrees with %q for printable text and the common escapes.
    serde_json::to_string(s).expect("a string always serializes")
}

/// `responsewriters`' sanitizer: the message must never look like HTML.
fn sanitize(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The operator of a field selector requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldOperator {
    /// `=` or `==`
    Equals,
    /// `!=`
    NotEquals,
}

/// One requirement of a field selector (`fields.Requirement`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub operator: FieldOperator,
    pub value: String,
}

/// Parse a field selector (`a=b,c!=d`), as `fields.ParseSelector` does for the common forms.
/// Returns the offending term on error.
pub fn parse_field_selector(selector: &str) -> Result<Vec<FieldRequirement>, String> {
    let mut out = Vec::new();
    for term in selector.split(',') {
        if term.is_empty() {
            continue;
        }
        let (field, operator, value) = if let Some((f, v)) = term.split_once("!=") {
            (f, FieldOperator::NotEquals, v)
        } else if let Some((f, v)) = term.split_once("==") {
            (f, FieldOperator::Equals, v)
        } else if let Some((f, v)) = term.split_once('=') {
            (f, FieldOperator::Equals, v)
        } else {
            return Err(format!(
                "invalid selector: '{selector}'; can't understand '{term}'"
            ));
        };
        out.push(FieldRequirement {
            field: field.to_string(),
            operator,
            value: value.to_string(),
        });
    }
    Ok(out)
}

/// `RequestInfoFactory`'s verb for a resource request: `GET`/`HEAD` → `get`, or `list` without a
/// name, or `watch` when the `watch` query parameter is set (and not `0`/`false`); `POST` →
/// `create`; `PUT` → `update`; `PATCH` → `patch`; `DELETE` → `delete`, or `deletecollection`
/// without a name. `None` for other methods (the server answers 405).
pub fn resource_verb(
    method: &str,
    has_name: bool,
    watch_param: Option<&str>,
) -> Option<&'static str> {
    let verb = match method {
        "POST" => "create",
        "GET" | "HEAD" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => return None,
    };
    Some(match verb {
        "get" if !has_name => match watch_param.map(|w| w.to_ascii_lowercase()) {
            Some(w) if w != "0" && w != "false" => "watch",
            _ => "list",
        },
        "delete" if !has_name => "deletecollection",
        other => other,
    })
}

/// The verb of a non-resource request: the lowercased HTTP method.
pub fn non_resource_verb(method: &str) -> String {
    method.to_ascii_lowercase()
}
