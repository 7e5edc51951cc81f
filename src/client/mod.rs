//! client-go for kubestep's components: an API client that speaks HTTP-shaped messages to
//! kube-apiserver with its own identity, reflectors (list, then watch from the list's
//! resourceVersion, relist on 410 Gone) with their local caches, and rate-limited work queues.
//!
//! Nothing here talks to anything but the API server, and only through messages on the bus.

pub mod events;
pub mod reflector;
pub mod workqueue;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::authn::ClientCertificate;
use crate::apiserver::request::{encode_component, HttpRequest, HttpResponse};
use crate::sim::{Addr, Annotation, Ctx, Message};

/// A component's own secure port answers health checks (`k8s.io/apiserver/pkg/server/healthz`,
/// what kube-apiserver's componentstatuses probes read): `ok` on `/healthz`, `/livez` and
/// `/readyz`; any other path is not served here.
pub fn serve_healthz(request: &HttpRequest) -> HttpResponse {
    let headers = vec![
        (
            "Content-Type".to_string(),
            "text/plain; charset=utf-8".to_string(),
        ),
        ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
    ];
    let (status, body): (u16, &[u8]) = match request.path.as_str() {
        "/healthz" | "/livez" | "/readyz" => (200, b"ok"),
        _ => (404, b"404 page not found\n"),
    };
    HttpResponse {
        status,
        headers,
        body: crate::apiserver::request::Body::Bytes(body.to_vec()),
    }
}

/// How a component proves who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    Certificate(ClientCertificate),
    Token(String),
}

/// An API client: issues requests with ids unique to the component and remembers what each
/// was for (`T`, the component's own tag), so responses can be routed back.
#[derive(Clone, Debug)]
pub struct ApiClient<T: Clone> {
    credentials: Credentials,
    user_agent: String,
    next_id: u64,
    pending: BTreeMap<u64, T>,
}

impl<T: Clone> ApiClient<T> {
    pub fn new(credentials: Credentials, user_agent: &str) -> Self {
        ApiClient {
            credentials,
            user_agent: user_agent.to_string(),
            next_id: 0,
            pending: BTreeMap::new(),
        }
    }

    /// A request with this client's identity and headers.
    pub fn request(&self, method: &str, path_and_query: &str) -> HttpRequest {
        let req = HttpRequest::new(method, path_and_query)
            .header("Accept", "application/json")
            .header("User-Agent", &self.user_agent);
        match &self.credentials {
            Credentials::Certificate(c) => req.client_certificate(c.clone()),
            Credentials::Token(t) => req.bearer(t),
        }
    }

    /// Sends `request`, remembering `tag`; returns the request id.
    pub fn send(
        &mut self,
        ctx: &mut Ctx<'_>,
        request: HttpRequest,
        tag: T,
        step: Option<u8>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id, tag);
        ctx.send_annotated(
            Addr::ApiServer,
            Message::HttpRequest { id, request },
            Annotation { step, stage: None },
        );
        id
    }

    /// The tag of request `id` once its response arrived (the entry is forgotten), or `None`
    /// for an id this client did not send.
    pub fn complete(&mut self, id: u64) -> Option<T> {
        self.pending.remove(&id)
    }

    /// The tag of a streaming request (a watch), kept while the stream is open.
    pub fn stream_tag(&self, id: u64) -> Option<&T> {
        self.pending.get(&id)
    }

    /// Closes the stream of watch `id`.
    pub fn cancel(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        if self.pending.remove(&id).is_some() {
            ctx.send(Addr::ApiServer, Message::HttpCancel { id });
        }
    }

    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

/// The URL path of a resource collection: `/api/v1/namespaces/default/pods`,
/// `/apis/apps/v1/deployments`.
pub fn collection_path(
    group: &str,
    version: &str,
    resource: &str,
    namespace: Option<&str>,
) -> String {
    let base = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    match namespace {
        Some(ns) => format!("{base}/namespaces/{ns}/{resource}"),
        None => format!("{base}/{resource}"),
    }
}

/// `?a=b&c=d` from pairs, percent-encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_component(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The JSON body of a response, shared.
pub fn body(response: &HttpResponse) -> Option<Arc<Value>> {
    response.body_json()
}

/// `namespace/name` (or `name`), the key client-go's caches use.
pub fn object_key(obj: &Value) -> String {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    match obj.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}
