//! HTTP requests and responses between clients and kube-apiserver: shown as client-go logs
//! them at `-v=8` (the request line with the server's https URL, headers with Authorization
//! masked, bodies truncated at 1024 bytes), with a pretty body beside it, and told by who asks
//! what for.

use serde_json::Value;

use super::{base, cut, pretty, who, Background, Ctx, Lang, Narration, RealMessage, Section};
use crate::apiserver::request::{status_text, Body, HttpRequest, HttpResponse};
use crate::apiserver::request_info::{request_info, RequestInfo};
use crate::kubectl::logging::{http_date, RequestLog, SERVER};
use crate::sim::{Addr, Exchange, SimTime};

/// An HTTP request as the client sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub client: String,
    pub method: String,
    /// `https://172.18.0.2:6443/path?query`.
    pub url: String,
    /// In the order sent; `Authorization` masked as client-go masks it.
    pub headers: Vec<(String, String)>,
    /// The certificate presented in the TLS handshake: `CN=..., O=...`.
    pub client_certificate: Option<String>,
    pub body_bytes: usize,
    /// The body: pretty JSON, or its text.
    pub body: Option<String>,
    /// What `-v=8` logs for it (client-go's klog lines).
    pub log: String,
}

/// A Status error's fields (`kind: Status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusError {
    pub code: u16,
    pub reason: String,
    pub message: String,
    /// `details.causes`: (reason, field, message).
    pub causes: Vec<(String, String, String)>,
}

/// An HTTP response, with the request it answers when the kernel knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub client: String,
    pub status: u16,
    pub status_text: String,
    /// The method and URL of the request it answers.
    pub request: Option<(String, String)>,
    /// As `-v=8` prints them (with Content-Length and Date, sorted).
    pub headers: Vec<(String, String)>,
    pub body_bytes: usize,
    pub body: Option<String>,
    pub error: Option<StatusError>,
    pub log: String,
}

impl Request {
    pub fn sections(&self) -> Vec<Section> {
        let mut head = format!("{} {}\nRequest Headers:\n", self.method, self.url);
        for (k, v) in &self.headers {
            head += &format!("    {k}: {v}\n");
        }
        if let Some(c) = &self.client_certificate {
            head += &format!("TLS client certificate: {c}\n");
        }
        let mut s = vec![Section {
            title: "Request".into(),
            lang: Lang::Text,
            text: head,
        }];
        if let Some(b) = &self.body {
            s.push(Section {
                title: format!("Body ({} bytes)", self.body_bytes),
                lang: Lang::Json,
                text: b.clone(),
            });
        }
        s.push(Section {
            title: "-v=8 log".into(),
            lang: Lang::Text,
            text: self.log.clone(),
        });
        s
    }
}

impl Response {
    pub fn sections(&self) -> Vec<Section> {
        let mut head = String::new();
        if let Some((m, u)) = &self.request {
            head += &format!("{m} {u}\n");
        }
        head += &format!(
            "Response Status: {} {}\nResponse Headers:\n",
            self.status, self.status_text
        );
        for (k, v) in &self.headers {
            head += &format!("    {k}: {v}\n");
        }
        let mut s = vec![Section {
            title: "Response".into(),
            lang: Lang::Text,
            text: head,
        }];
        if let Some(e) = &self.error {
            let mut t = format!(
                "{} {}: {}\nreason: {}\n",
                e.code,
                status_text(e.code),
                e.message,
                e.reason
            );
            for (reason, field, message) in &e.causes {
                t += &format!("cause: {field}: {reason}: {message}\n");
            }
            s.push(Section {
                title: "Error".into(),
                lang: Lang::Text,
                text: t,
            });
        }
        if let Some(b) = &self.body {
            s.push(Section {
                title: format!("Body ({} bytes)", self.body_bytes),
                lang: Lang::Json,
                text: b.clone(),
            });
        }
        if !self.log.is_empty() {
            s.push(Section {
                title: "-v=8 log".into(),
                lang: Lang::Text,
                text: self.log.clone(),
            });
        }
        s
    }
}

fn body_text(body: &Body, content_type: Option<&str>) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    if let Some(v) = body.json() {
        return Some(pretty(&v));
    }
    let bytes = body.to_bytes();
    if content_type.is_some_and(|c| c.contains("protobuf")) {
        return Some(format!(
            "(a protobuf body, {} bytes: client-go sends built-in kinds as protobuf when it can)",
            bytes.len()
        ));
    }
    Some(cut(
        String::from_utf8_lossy(&bytes).into_owned(),
        super::PRETTY_LIMIT,
    ))
}

fn masked(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("Authorization") {
                (k.clone(), "Bearer <masked>".to_string())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

pub(crate) fn status_error(body: Option<&Value>) -> Option<StatusError> {
    let v = body?;
    if v.get("kind").and_then(Value::as_str) != Some("Status")
        || v.get("status").and_then(Value::as_str) == Some("Success")
    {
        return None;
    }
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Some(StatusError {
        code: v.get("code").and_then(Value::as_u64).unwrap_or(0) as u16,
        reason: s("/reason"),
        message: s("/message"),
        causes: v
            .pointer("/details/causes")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        let f =
                            |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                        (f("reason"), f("field"), f("message"))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The resource a request names, as people say it (`Deployment web`, `pods in default`).
fn target(info: &RequestInfo) -> String {
    let mut t = info.resource.clone();
    if !info.subresource.is_empty() {
        t = format!("{t}/{}", info.subresource);
    }
    if !info.name.is_empty() {
        t = format!("{t} {}", info.name);
    }
    if !info.namespace.is_empty() {
        t = format!("{t} in {}", info.namespace);
    }
    t
}

/// What a request is for: the headline, the why, and for background traffic what kind.
fn story(
    cx: &Ctx<'_>,
    from: &Addr,
    req: &HttpRequest,
    info: &RequestInfo,
) -> (String, String, Option<Background>) {
    let ua = req.header_value("User-Agent").unwrap_or_default();
    let sender = who(from, ua);
    let body = req.body.json();
    let obj_name = body
        .as_deref()
        .map(super::object_name)
        .unwrap_or_else(|| target(info));
    let watch = info.verb == "watch";
    let step = cx.step();
    let headline = format!(
        "{} → kube-apiserver: {} {}",
        capitalise(&sender),
        req.method,
        if watch {
            format!("watch {}", target(info))
        } else {
            match info.verb.as_str() {
                "create" if info.subresource.is_empty() => format!("{obj_name} (create)"),
                _ => target(info),
            }
        }
    );
    let (why, bg) = match (step, from, info.resource.as_str(), info.subresource.as_str()) {
        (Some(1), Addr::Kubectl, ..) => (
            format!(
                "kubectl turned your command into one HTTP request: it {} {obj_name} to the API server, the only component that reads or writes the cluster's state in etcd. Nothing runs yet: the rest of the flow happens because the API server stores this object and the components watching it react.",
                verb_phrase(&req.method)
            ),
            None,
        ),
        (Some(3), _, "replicasets", "") => (
            "The Deployment controller's informer watches Deployments; the API server just told it about a Deployment that has no ReplicaSet for its current Pod template, so it creates one. Its name is the Deployment's name plus a hash of the template (pod-template-hash), so every template change gets its own ReplicaSet.".to_string(),
            None,
        ),
        (Some(3), _, "pods", "") => (
            format!(
                "The ReplicaSet controller watches ReplicaSets and Pods; {} wants more replicas than the Pods it owns, so it creates a Pod from its template. It sends generateName \"{}\" and the API server adds 5 random characters; the Pod's ownerReferences point at the ReplicaSet.",
                body.as_deref()
                    .and_then(|b| b.pointer("/metadata/ownerReferences/0/name"))
                    .and_then(Value::as_str)
                    .map(|n| format!("ReplicaSet {n}"))
                    .unwrap_or_else(|| "the ReplicaSet".into()),
                body.as_deref()
                    .and_then(|b| b.pointer("/metadata/generateName"))
                    .and_then(Value::as_str)
                    .unwrap_or("<replicaset>-")
            ),
            None,
        ),
        (Some(3), ..) => (
            format!("A controller saw the new object through its watch and acts on it: it {} {obj_name}.", verb_phrase(&req.method)),
            None,
        ),
        (Some(7), _, "pods", "binding") => (
            format!(
                "kube-scheduler chose {} for the Pod. It does not update the Pod: it POSTs a Binding to the pods/binding subresource, and the API server sets spec.nodeName from it (an ordinary update may not change a Pod's spec.nodeName once set).",
                body.as_deref()
                    .and_then(|b| b.pointer("/target/name"))
                    .and_then(Value::as_str)
                    .unwrap_or("a node")
            ),
            None,
        ),
        (Some(10), Addr::Kubelet(node), "pods", "status") => (
            format!(
                "The kubelet on {node} started the Pod's containers through the container runtime and reports what it sees: it PATCHes pods/{}/status (a strategic merge patch of the status only{}). The status subresource cannot change the spec.",
                info.name,
                phase_of(body.as_deref()).map(|p| format!(": phase {p}")).unwrap_or_default()
            ),
            None,
        ),
        (_, Addr::Kubelet(node), "leases", _) => (
            format!(
                "Every kubelet renews its Lease in kube-node-lease every {} s (a quarter of its {} s duration): a cheap heartbeat. The node lifecycle controller in kube-controller-manager marks a node's Ready condition Unknown (NotReady in kubectl) and taints it when neither the lease nor the node status has been renewed for {} s. This is {node}'s renewal.",
                crate::kubelet::LEASE_RENEW_INTERVAL.as_millis() / 1000,
                crate::kubelet::LEASE_DURATION_SECONDS,
                crate::controller_manager::nodelifecycle::NODE_MONITOR_GRACE_PERIOD.as_millis() / 1000
            ),
            Some(Background::LeaseRenewal),
        ),
        (_, Addr::Kubelet(node), "nodes", "status") => (
            format!(
                "The kubelet on {node} reports its node's status (conditions, capacity, images) when it changed, and at least every {} s even when it did not.",
                crate::kubelet::NODE_STATUS_REPORT_FREQUENCY.as_millis() / 1000
            ),
            Some(Background::NodeStatus),
        ),
        (_, Addr::Kubelet(node), "pods", "status") => (
            format!(
                "The kubelet on {node} reports a Pod's status as it changes{}; the report that its containers run is step 10, this one is an intermediate state.",
                phase_of(body.as_deref()).map(|p| format!(" (phase {p})")).unwrap_or_default()
            ),
            Some(Background::PodStatus),
        ),
        (_, _, "events", _) => {
            let reason = body.as_deref().and_then(|b| b.get("reason")).and_then(Value::as_str);
            let message = body.as_deref().and_then(|b| b.get("message")).and_then(Value::as_str);
            (
                format!(
                    "{} records an Event{}. Events are how components tell people what they did (kubectl describe and kubectl events show them); they are stored like any object, with a 1-hour etcd lease so they expire.",
                    capitalise(&sender),
                    match (reason, message) {
                        (Some(r), Some(m)) => format!(" (reason {r}: \"{m}\")"),
                        (Some(r), None) => format!(" (reason {r})"),
                        _ => String::new(),
                    }
                ),
                Some(Background::Event),
            )
        }
        (_, Addr::Kubectl, ..) if is_discovery(&req.path) => (
            "Before it acts, kubectl reads the API server's discovery documents (which groups, versions and resources exist) and OpenAPI schemas (to validate and to merge), cached under ~/.kube/cache.".to_string(),
            Some(Background::Discovery),
        ),
        _ if watch => (
            format!(
                "{} opens a watch: one long HTTP response that streams an event for every change of {} from resourceVersion {}. Informers list once, then watch, so components learn of changes without polling.",
                capitalise(&sender),
                target(info),
                req.query_value("resourceVersion").unwrap_or("now")
            ),
            Some(Background::WatchBookkeeping),
        ),
        _ if info.verb == "list" => (
            format!(
                "{} lists {}: an informer's first list (or relist after its watch broke), or a command reading them.",
                capitalise(&sender),
                target(info)
            ),
            Some(Background::List),
        ),
        (_, Addr::ControllerManager, ..) => (
            format!(
                "{} {} {}: controllers record what they observed in the object's status (replicas ready, conditions), so kubectl and other controllers can read it.",
                capitalise(&sender),
                verb_phrase(&req.method),
                target(info)
            ),
            Some(Background::Controller),
        ),
        _ => (
            format!("{} {} {}.", capitalise(&sender), verb_phrase(&req.method), target(info)),
            Some(Background::Other),
        ),
    };
    (headline, why, bg)
}

fn is_discovery(path: &str) -> bool {
    path == "/api"
        || path == "/apis"
        || path == "/version"
        || path.starts_with("/openapi/")
        || path == "/openapi/v3"
        || (path.starts_with("/api")
            && path.matches('/').count() <= 3
            && !path.contains("/namespaces"))
}

fn verb_phrase(method: &str) -> &'static str {
    match method {
        "POST" => "sends (POST)",
        "PUT" => "replaces (PUT)",
        "PATCH" => "patches (PATCH)",
        "DELETE" => "deletes (DELETE)",
        _ => "reads (GET)",
    }
}

fn phase_of(body: Option<&Value>) -> Option<String> {
    body?
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .map(str::to_string)
}

pub(crate) fn capitalise(s: &str) -> String {
    // Component names keep their lower case (`kubectl`, `kube-scheduler`, `etcd`).
    if s.starts_with("kube") || s.starts_with("etcd") {
        return s.to_string();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub(crate) fn narrate_request(cx: &Ctx<'_>, req: &HttpRequest) -> Narration {
    let info = request_info(req);
    let mut log = RequestLog::new(8);
    let r = Request {
        client: cx.env.from.name(),
        method: req.method.clone(),
        url: format!("{SERVER}{}", req.url()),
        headers: masked(&req.headers),
        client_certificate: req.client_certificate.as_ref().map(|c| {
            let mut s = format!("CN={}", c.common_name);
            for o in &c.organizations {
                s += &format!(", O={o}");
            }
            s
        }),
        body_bytes: req.body.len(),
        body: body_text(&req.body, req.header_value("Content-Type")),
        log: log.request(req, cx.env.sent_at),
    };
    let (headline, why, bg) = story(cx, &cx.env.from, req, &info);
    let mut n = base(cx, RealMessage::HttpRequest(r));
    n.headline = headline;
    n.why = why;
    n.background = bg;
    if cx.env.to != Addr::ApiServer {
        n.headline = format!(
            "{} → {}: {} {}",
            cx.env.from,
            cx.env.to,
            req.method,
            req.url()
        );
        n.why = format!(
            "kube-apiserver calls {} directly here (a health probe or a relayed pods/log read): the only time the server is the client.",
            cx.env.to
        );
        n.background = Some(Background::Other);
    }
    n
}

pub(crate) fn narrate_response(cx: &Ctx<'_>, resp: &HttpResponse) -> Narration {
    let exchange = cx.answers;
    let request = exchange.map(|x| (x.method.clone(), format!("{SERVER}{}", x.target)));
    let json = resp.body_json();
    let error = status_error(json.as_deref());
    let mut headers = resp.headers.clone();
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        && !resp
            .header_value("Transfer-Encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        headers.push(("Content-Length".into(), resp.body.len().to_string()));
    }
    headers.push(("Date".into(), http_date(SimTime(cx.entry.time_ms))));
    headers.sort();
    let log = exchange
        .map(|x| {
            let req = HttpRequest::new(&x.method, &x.target);
            let mut l = RequestLog::new(8);
            l.response(&req, resp, x.at, SimTime(cx.entry.time_ms))
        })
        .unwrap_or_default();
    let r = Response {
        client: cx.env.to.name(),
        status: resp.status,
        status_text: status_text(resp.status).to_string(),
        request,
        headers,
        body_bytes: resp.body.len(),
        body: body_text(&resp.body, resp.header_value("Content-Type")),
        error: error.clone(),
        log,
    };
    let receiver = who(
        &cx.env.to,
        exchange.map(|x| x.user_agent.as_str()).unwrap_or(""),
    );
    let what = exchange
        .map(|x| {
            format!(
                " to {} {}",
                x.method,
                x.target.split('?').next().unwrap_or("")
            )
        })
        .unwrap_or_default();
    let mut n = base(cx, RealMessage::HttpResponse(r));
    n.headline = format!(
        "kube-apiserver → {}: {} {}{what}",
        receiver,
        resp.status,
        status_text(resp.status)
    );
    let stored = json
        .as_deref()
        .filter(|v| v.get("kind").and_then(Value::as_str) != Some("Status"))
        .map(super::object_name);
    let rv = json
        .as_deref()
        .and_then(|v| v.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let chunked = resp
        .header_value("Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    n.why = match (resp.status, cx.step(), error.as_ref()) {
        (_, _, _) if chunked => {
            n.background = Some(Background::WatchBookkeeping);
            "The API server accepts the watch: a 200 with a chunked body that never ends. Each change arrives later as one watch event on this stream.".to_string()
        }
        (200 | 201, Some(2), _) => format!(
            "etcd committed the write, so the API server answers {} {}: the object as stored, with its uid, creationTimestamp, defaults filled in and resourceVersion {} (etcd's revision of the write). kubectl prints \"{}\" and is done; the cluster carries on without it.",
            resp.status,
            status_text(resp.status),
            rv.as_deref().unwrap_or("?"),
            stored.as_deref().map(created_line).unwrap_or_default()
        ),
        (201, Some(4), _) => format!(
            "The Pod is stored, still without a node (spec.nodeName empty). The API server answers the ReplicaSet controller with {}; the scheduler learns about it from its own watch, not from this answer.",
            stored.unwrap_or_default()
        ),
        (201, Some(8), _) => "The binding is stored: the Pod now has spec.nodeName. The answer to a Binding is a bare Status (Success), not the Pod.".to_string(),
        (200, Some(11), _) => "The Pod's status is stored; kubectl get pods now shows it Running. That is the end of the eleven steps: from here the kubelet keeps it running and reports changes.".to_string(),
        (_, _, Some(e)) if e.code == 409 && e.reason == "Conflict" => {
            n.background = Some(Background::Controller);
            "Optimistic concurrency: the client sent the object at an older resourceVersion, and someone wrote it since. The API server refuses (409 Conflict) instead of losing that write; the client reads the fresh object and tries again.".to_string()
        }
        (_, _, Some(e)) if e.code == 409 => "The object already exists (409 AlreadyExists): a create never overwrites.".to_string(),
        (_, _, Some(e)) if e.code == 403 => format!(
            "Authorization refused the request: no RBAC rule lets this user do this. {}",
            e.message
        ),
        (_, _, Some(e)) if e.code == 422 => format!(
            "Validation refused the object (422 Unprocessable Entity): nothing was stored. {} cause(s) name the fields: {}",
            e.causes.len(),
            e.causes.iter().map(|(_, f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
        ),
        (_, _, Some(e)) if e.code == 404 => format!("Not found: {}", e.message),
        (_, _, Some(e)) => format!("The API server refused the request: {}", e.message),
        (304, ..) => "Not Modified: the client already holds this document (its ETag matches), so nothing is sent again.".to_string(),
        _ => format!(
            "The API server answers {} {}{}{}.",
            receiver,
            resp.status,
            stored.map(|s| format!(" with {s}")).unwrap_or_default(),
            rv.map(|v| format!(" at resourceVersion {v}")).unwrap_or_default()
        ),
    };
    if n.step.is_none() && n.background.is_none() {
        n.background = Some(exchange.map(background_of).unwrap_or(Background::Other));
    }
    if exchange.is_none() {
        n.why = format!(
            "{} (The request it answers was forgotten when a fault stopped one of its parties.)",
            n.why
        );
    }
    n
}

/// `deployment.apps/web created` from `Deployment web`.
fn created_line(obj: &str) -> String {
    let (kind, name) = obj.split_once(' ').unwrap_or((obj, ""));
    let lower = kind.to_lowercase();
    let group = match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" => ".apps",
        "Job" | "CronJob" => ".batch",
        _ => "",
    };
    format!("{lower}{group}/{name} created")
}

/// The background kind of the traffic an HTTP request causes (its stages, answer, etcd calls).
pub(crate) fn background_of(x: &Exchange) -> Background {
    let path = x.target.split('?').next().unwrap_or("");
    let info = request_info(&HttpRequest::new(&x.method, &x.target));
    match (info.resource.as_str(), info.subresource.as_str(), &x.client) {
        ("leases", ..) => Background::LeaseRenewal,
        ("events", ..) => Background::Event,
        ("nodes", "status", Addr::Kubelet(_)) => Background::NodeStatus,
        ("pods", "status", Addr::Kubelet(_)) => Background::PodStatus,
        (.., Addr::Kubectl) if is_discovery(path) => Background::Discovery,
        _ if info.verb == "watch" => Background::WatchBookkeeping,
        _ if info.verb == "list" => Background::List,
        (.., Addr::ControllerManager) => Background::Controller,
        (.., Addr::Kubectl) => Background::Command,
        _ => Background::Other,
    }
}
