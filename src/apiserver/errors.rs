//! The API errors the request pipeline itself raises (`k8s.io/apimachinery/pkg/api/errors`),
//! as `metav1.Status` bodies with their HTTP codes.

use serde_json::{json, Value};

use super::request::HttpResponse;
use super::resources::Resource;

/// A failed request: the HTTP status and the `Status` body the server answers with.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub status: Value,
}

impl ApiError {
    pub fn new(code: u16, reason: &str, message: String, details: Option<Value>) -> ApiError {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        });
        if let Some(d) = details {
            status["details"] = d;
        }
        // Keep the real field order: details before code.
        if let Some(obj) = status.as_object_mut() {
            if let Some(c) = obj.remove("code") {
                obj.insert("code".to_string(), c);
            }
        }
        ApiError { code, status }
    }

    pub fn message(&self) -> &str {
        self.status["message"].as_str().unwrap_or_default()
    }

    pub fn response(&self) -> HttpResponse {
        HttpResponse::json(self.code, self.status.clone())
    }
}

fn details(resource: &Resource, name: &str) -> Value {
    let mut d = json!({ "name": name });
    if !resource.group.is_empty() {
        d["group"] = json!(resource.group);
    }
    d["kind"] = json!(resource.name);
    d
}

/// 404: `pods "web" not found`.
pub fn not_found(resource: &Resource, name: &str) -> ApiError {
    ApiError::new(
        404,
        "NotFound",
        format!("{} \"{name}\" not found", resource.qualified_name()),
        Some(details(resource, name)),
    )
}

/// 409: `pods "web" already exists`.
pub fn already_exists(resource: &Resource, name: &str) -> ApiError {
    ApiError::new(
        409,
        "AlreadyExists",
        format!("{} \"{name}\" already exists", resource.qualified_name()),
        Some(details(resource, name)),
    )
}

/// 409: the optimistic-concurrency conflict.
pub fn conflict(resource: &Resource, name: &str, why: &str) -> ApiError {
    ApiError::new(
        409,
        "Conflict",
        format!(
            "Operation cannot be fulfilled on {} \"{name}\": {why}",
            resource.qualified_name()
        ),
        Some(details(resource, name)),
    )
}

pub const MODIFIED: &str =
    "the object has been modified; please apply your changes to the latest version and try again";

pub fn bad_request(message: String) -> ApiError {
    ApiError::new(400, "BadRequest", message, None)
}

/// 404 for a path the server does not serve: the body is the plain `404 page not found` text
/// of Go's mux for unknown groups, a NotFound Status for unknown resources in a served group.
pub fn path_not_found() -> ApiError {
    ApiError::new(
        404,
        "NotFound",
        "the server could not find the requested resource".to_string(),
        Some(json!({})),
    )
}

/// 405: the resource does not support the verb.
pub fn method_not_supported(resource: &Resource, verb: &str) -> ApiError {
    ApiError::new(
        405,
        "MethodNotAllowed",
        format!(
            "{verb} is not supported on resources of kind \"{}\"",
            resource.qualified_name()
        ),
        Some(json!({ "group": resource.group, "kind": resource.name })),
    )
}

/// 410 on a watch that starts before the watch cache's window.
pub fn too_old_resource_version(requested: i64, oldest: i64) -> ApiError {
    ApiError::new(
        410,
        "Expired",
        format!("too old resource version: {requested} ({oldest})"),
        None,
    )
}

pub fn internal(message: String) -> ApiError {
    ApiError::new(
        500,
        "InternalError",
        format!("Internal error occurred: {message}"),
        Some(json!({ "causes": [{ "message": message }] })),
    )
}

/// 503 while the server's caches are still filling after start-up.
pub fn unavailable(message: &str) -> ApiError {
    ApiError::new(503, "ServiceUnavailable", message.to_string(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::resources::find;

    #[test]
    fn statuses_read_like_a_real_server() {
        let pods = find("", "v1", "pods").unwrap();
        let e = not_found(pods, "web");
        assert_eq!(e.code, 404);
        assert_eq!(
            serde_json::to_string(&e.status).unwrap(),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}"#
        );
        let deploy = find("apps", "v1", "deployments").unwrap();
        assert_eq!(
            conflict(deploy, "web", MODIFIED).message(),
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
        );
    }
}
