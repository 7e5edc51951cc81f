//! HTTP-shaped requests and responses, as they travel on the simulation bus between kube-apiserver
//! and its clients (kubectl, the scheduler, controllers, kubelets).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A message body. Clients that already hold an object (controllers, kubelets) send it as
/// `Json` and the API server shares decoded objects with its watchers instead of copying them;
/// kubectl sends the bytes a real kubectl would.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Body {
    #[default]
    Empty,
    Bytes(Vec<u8>),
    Json(Arc<Value>),
}

impl Body {
    pub fn is_empty(&self) -> bool {
        match self {
            Body::Empty => true,
            Body::Bytes(b) => b.is_empty(),
            Body::Json(_) => false,
        }
    }

    /// The body as the bytes that would cross the wire.
    pub fn to_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match self {
            Body::Empty => std::borrow::Cow::Borrowed(&[]),
            Body::Bytes(b) => std::borrow::Cow::Borrowed(b),
            Body::Json(v) => std::borrow::Cow::Owned(
                serde_json::to_vec(v.as_ref()).expect("a JSON value always serialises"),
            ),
        }
    }

    /// The body as JSON, parsing bytes if needed.
    pub fn json(&self) -> Option<Arc<Value>> {
        match self {
            Body::Empty => None,
            Body::Bytes(b) => serde_json::from_slice(b).ok().map(Arc::new),
            Body::Json(v) => Some(v.clone()),
        }
    }

    /// The size on the wire, computed without serialising bytes bodies again.
    pub fn len(&self) -> usize {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len(),
            Body::Json(_) => self.to_bytes().len(),
        }
    }
}

pub use super::authn::ClientCertificate;

/// An HTTP request to kube-apiserver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    /// The path without the query, e.g. `/api/v1/namespaces/default/pods`.
    pub path: String,
    /// Query parameters in the order given (already percent-decoded).
    pub query: Vec<(String, String)>,
    /// Request headers in the order given (`Accept`, `Content-Type`, `Authorization`, ...).
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// The client certificate presented in the TLS handshake, if any.
    pub client_certificate: Option<ClientCertificate>,
}

impl HttpRequest {
    pub fn new(method: &str, path_and_query: &str) -> HttpRequest {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, parse_query(q)),
            None => (path_and_query, Vec::new()),
        };
        HttpRequest {
            method: method.to_string(),
            path: path.to_string(),
            query,
            headers: Vec::new(),
            body: Body::Empty,
            client_certificate: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(body.into());
        self
    }

    /// A JSON body from a client that holds the object (shared, not serialised).
    /// Its Content-Type is `application/json` unless the client already said what the JSON is
    /// (a patch's type): a request carries one Content-Type.
    pub fn json_body(mut self, value: Value) -> Self {
        self.body = Body::Json(Arc::new(value));
        if self.header_value("Content-Type").is_some() {
            return self;
        }
        self.header("Content-Type", "application/json")
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// Presents a client certificate signed by the cluster CA (CN = user, O = groups).
    pub fn certificate(mut self, common_name: &str, organizations: &[&str]) -> Self {
        self.client_certificate = Some(ClientCertificate::signed_by_cluster_ca(
            common_name,
            organizations,
        ));
        self
    }

    /// Presents `cert` in the TLS handshake.
    pub fn client_certificate(mut self, cert: ClientCertificate) -> Self {
        self.client_certificate = Some(cert);
        self
    }

    /// The first value of header `name` (case-insensitive, like Go's `http.Header.Get`).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `path?query` as a client would print it.
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            let q: Vec<String> = self
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
                .collect();
            format!("{}?{}", self.path, q.join("&"))
        }
    }
}

/// An HTTP response from kube-apiserver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl HttpResponse {
    pub fn json(status: u16, value: Value) -> HttpResponse {
        HttpResponse::shared(status, Arc::new(value))
    }

    /// A JSON response sharing an object the server already holds.
    pub fn shared(status: u16, value: Arc<Value>) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body: Body::Json(value),
        }
    }

    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<Arc<Value>> {
        self.body.json()
    }
}

/// The reason phrase Go's `net/http` gives a status code (`201 Created`).
pub fn status_text(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        410 => "Gone",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(kv), String::new()),
        })
        .collect()
}

/// Percent-decoding of a query component (`+` is a space, as in Go's `url.ParseQuery`).
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of a query component as Go's `url.QueryEscape` does.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_queries_like_go() {
        let r = HttpRequest::new(
            "GET",
            "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+(a)&limit=500",
        );
        assert_eq!(r.query_value("labelSelector"), Some("app=web,tier in (a)"));
        assert_eq!(r.query_value("limit"), Some("500"));
        assert_eq!(
            r.url(),
            "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%29&limit=500"
        );
    }

    #[test]
    fn odd_percent_escapes_do_not_panic() {
        assert_eq!(decode_component("%"), "%");
        assert_eq!(decode_component("a%2"), "a%2");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(decode_component("%e2%82%ac"), "€");
    }
}
