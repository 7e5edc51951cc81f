//! The API errors the request pipeline raises, as the HTTP code and `metav1.Status` body a real
//! server answers with. The Status texts themselves live in `status` (after apimachinery's
//! `api/errors`); this is the pipeline's handle on them.

use serde_json::{json, Value};

use super::request::HttpResponse;
use super::resources::Resource;
use super::status::{self, GroupResource, Status};

/// A failed request: the HTTP status and the `Status` body the server answers with.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub status: Value,
}

impl From<Status> for ApiError {
    fn from(s: Status) -> ApiError {
        ApiError {
            code: s.code,
            status: s.to_json(),
        }
    }
}

impl ApiError {
    /// A Status with an explicit reason and message (for answers `status` has no builder for).
    pub fn new(code: u16, reason: &str, message: String, details: Option<Value>) -> ApiError {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
        });
        if let Some(d) = details {
            body["details"] = d;
        }
        body["code"] = json!(code);
        ApiError { code, status: body }
    }

    pub fn message(&self) -> &str {
        self.status["message"].as_str().unwrap_or_default()
    }

    pub fn response(&self) -> HttpResponse {
        HttpResponse::json(self.code, self.status.clone())
    }
}

fn gr(resource: &Resource) -> GroupResource<'_> {
    GroupResource {
        group: resource.group,
        resource: resource.name,
    }
}

/// 404: `pods "web" not found`.
pub fn not_found(resource: &Resource, name: &str) -> ApiError {
    status::not_found(gr(resource), name).into()
}

/// 409: `pods "web" already exists`.
pub fn already_exists(resource: &Resource, name: &str) -> ApiError {
    status::already_exists(gr(resource), name).into()
}

/// 409: `Operation cannot be fulfilled on pods "web": <why>`.
pub fn conflict(resource: &Resource, name: &str, why: &str) -> ApiError {
    status::conflict(gr(resource), name, why).into()
}

pub const MODIFIED: &str = status::OPTIMISTIC_LOCK_ERROR_MSG;

pub fn bad_request(message: String) -> ApiError {
    status::bad_request(&message).into()
}

/// 404 for a resource a served group/version lacks.
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
    status::method_not_supported(gr(resource), verb).into()
}

/// 410 on a watch that starts before the watch cache's window.
pub fn too_old_resource_version(requested: i64, oldest: i64) -> ApiError {
    status::too_old_resource_version(requested, oldest).into()
}

pub fn internal(message: String) -> ApiError {
    status::internal_error(&message).into()
}

/// 503 while the server's caches are still filling after start-up.
pub fn unavailable(message: &str) -> ApiError {
    status::service_unavailable(message).into()
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
