//! What a request is about, read from its method and path the way kube-apiserver's
//! `RequestInfoFactory` does: verb, API group and version, namespace, resource, subresource, name.

use super::request::HttpRequest;

/// `k8s.io/apiserver/pkg/endpoints/request.RequestInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestInfo {
    pub is_resource_request: bool,
    pub path: String,
    /// get, list, watch, create, update, patch, delete, deletecollection (resource requests);
    /// the lowercase HTTP method otherwise.
    pub verb: String,
    /// `api` or `apis`.
    pub api_prefix: String,
    pub api_group: String,
    pub api_version: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub parts: Vec<String>,
}

/// Reads the request's info. Paths that are not under `/api` or `/apis` with a version are
/// non-resource requests (`/version`, `/healthz`, `/api`, `/apis/apps`).
pub fn request_info(req: &HttpRequest) -> RequestInfo {
    let mut info = RequestInfo {
        path: req.path.clone(),
        verb: req.method.to_ascii_lowercase(),
        ..RequestInfo::default()
    };
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let mut parts: &[&str] = &segments;
    // Like the real factory: fewer than three parts (`/api/v1`), or fewer than four under
    // `/apis` (`/apis/apps/v1`), is discovery, a non-resource request.
    if parts.len() < 3 || (parts[0] != "api" && parts[0] != "apis") {
        return info;
    }
    info.api_prefix = parts[0].to_string();
    parts = &parts[1..];
    if info.api_prefix == "apis" {
        if parts.len() < 3 {
            return info;
        }
        info.api_group = parts[0].to_string();
        parts = &parts[1..];
    }
    info.is_resource_request = true;
    info.api_version = parts[0].to_string();
    parts = &parts[1..];

    // The deprecated `/watch/` prefix: GET /api/v1/watch/pods.
    let mut watch_prefix = false;
    if parts.first() == Some(&"watch") {
        watch_prefix = true;
        parts = &parts[1..];
    }
    info.verb = match req.method.as_str() {
        "POST" => "create",
        "GET" | "HEAD" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "",
    }
    .to_string();
    if watch_prefix {
        info.verb = "watch".to_string();
    }

    if parts.first() == Some(&"namespaces") && parts.len() > 1 {
        info.namespace = parts[1].to_string();
        // /namespaces/{ns} and /namespaces/{ns}/status are the namespace itself.
        if parts.len() > 2 && !matches!(parts[2], "finalize" | "status") {
            parts = &parts[2..];
        }
    }
    info.parts = parts.iter().map(|s| s.to_string()).collect();
    if info.parts.len() >= 3 {
        info.subresource = info.parts[2].clone();
    }
    if info.parts.len() >= 2 {
        info.name = info.parts[1].clone();
    }
    if !info.parts.is_empty() {
        info.resource = info.parts[0].clone();
    }
    // A namespace's own name is its namespace in the URL.
    if info.resource == "namespaces" {
        info.namespace = String::new();
    }

    if info.name.is_empty() && info.verb == "get" {
        let watch = req
            .query_value("watch")
            .is_some_and(|v| v == "true" || v == "1");
        info.verb = if watch { "watch" } else { "list" }.to_string();
    }
    if info.name.is_empty() && info.verb == "delete" {
        info.verb = "deletecollection".to_string();
    }
    // GET with `watch=true` and a `fieldSelector=metadata.name=x` is a watch of one object.
    if info.verb == "get" && !info.name.is_empty() && req.query_value("watch") == Some("true") {
        info.verb = "watch".to_string();
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(method: &str, url: &str) -> RequestInfo {
        request_info(&HttpRequest::new(method, url))
    }

    #[test]
    fn reads_resource_requests_like_kube_apiserver() {
        let i = info("POST", "/api/v1/namespaces/default/pods");
        assert_eq!(
            (i.verb.as_str(), i.namespace.as_str(), i.resource.as_str()),
            ("create", "default", "pods")
        );
        let i = info("GET", "/apis/apps/v1/namespaces/dev/deployments/web/scale");
        assert_eq!(i.api_group, "apps");
        assert_eq!((i.name.as_str(), i.subresource.as_str()), ("web", "scale"));
        assert_eq!(info("GET", "/api/v1/pods?watch=true").verb, "watch");
        assert_eq!(
            info("GET", "/api/v1/watch/namespaces/default/pods").verb,
            "watch"
        );
        assert_eq!(info("GET", "/api/v1/nodes").verb, "list");
        assert_eq!(
            info("DELETE", "/api/v1/namespaces/default/pods").verb,
            "deletecollection"
        );
        let ns = info("GET", "/api/v1/namespaces/kube-system");
        assert_eq!(
            (
                ns.resource.as_str(),
                ns.name.as_str(),
                ns.namespace.as_str()
            ),
            ("namespaces", "kube-system", "")
        );
        let st = info("PUT", "/api/v1/namespaces/dev/finalize");
        assert_eq!(
            (st.name.as_str(), st.subresource.as_str()),
            ("dev", "finalize")
        );
    }

    #[test]
    fn non_resource_paths() {
        for p in [
            "/version",
            "/healthz",
            "/api",
            "/api/v1",
            "/apis",
            "/apis/apps",
            "/apis/apps/v1",
            "/",
        ] {
            assert!(!info("GET", p).is_resource_request, "{p}");
        }
        assert_eq!(info("GET", "/version").verb, "get");
    }
}
