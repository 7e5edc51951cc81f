//! The REST client one kubectl run uses: who it is (the kubeconfig context, `--user`,
//! `--token`, `--as`), which namespace it works in, and the headers client-go sends; plus the
//! way kubectl turns an API error `Status` into the line it prints.

use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::request::{HttpRequest, HttpResponse};

use super::discovery::{self, Discovery};
use super::flags::Parsed;
use super::io::{Fail, Io, Res};
use super::kubeconfig::{Kubeconfig, UserAuth};

/// kubectl 1.33's user agent.
pub const USER_AGENT: &str = "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0";

/// What `kubectl get` asks for: a server-side Table, or the object when the server cannot.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

#[derive(Clone, Debug)]
pub struct Client {
    pub auth: UserAuth,
    /// `-n`, else the context's namespace, else `default`.
    pub namespace: String,
    /// Whether `-n` named the namespace (clientcmd's `Namespace()` reports an override only
    /// for the flag; a context's namespace is a default, not enforced).
    pub namespace_explicit: bool,
    pub impersonate_user: Option<String>,
    pub impersonate_groups: Vec<String>,
}

impl Client {
    /// The client for this run's kubeconfig and global flags.
    pub fn new(config: &Kubeconfig, flags: &Parsed) -> Result<Client, Fail> {
        let context_name = flags.str("context").unwrap_or(&config.current_context);
        let context = config.context(context_name);
        if context.is_none() && flags.has("context") {
            // clientcmd's errConfigurationInvalid, which CheckErr words on its own.
            return Err(Fail::raw(format!(
                "Error in configuration: context was not found for specified context: {context_name}\n"
            )));
        }
        let user_name = flags
            .str("user")
            .map(str::to_string)
            .or_else(|| context.map(|c| c.user.clone()))
            .unwrap_or_default();
        let auth = match (flags.str("token"), config.user(&user_name)) {
            (Some(t), _) => UserAuth::Token(t.to_string()),
            (None, Some(u)) => u.auth.clone(),
            (None, None) if flags.has("user") => {
                return Err(Fail::msg(format!(
                    "auth info \"{user_name}\" does not exist"
                )))
            }
            // No credentials: the request goes out anonymous.
            (None, None) => UserAuth::Token(String::new()),
        };
        let (namespace, explicit) = match flags.str("namespace") {
            Some(ns) => (ns.to_string(), true),
            None => match context.and_then(|c| c.namespace.clone()) {
                Some(ns) => (ns, false),
                None => ("default".to_string(), false),
            },
        };
        Ok(Client {
            auth,
            namespace,
            namespace_explicit: explicit,
            impersonate_user: flags.str("as").map(str::to_string),
            impersonate_groups: flags.many("as-group"),
        })
    }

    /// A request with kubectl's headers and this client's credentials.
    pub fn request(&self, method: &str, path_and_query: &str, accept: &str) -> HttpRequest {
        let mut r = HttpRequest::new(method, path_and_query).header("Accept", accept);
        r = r.header("User-Agent", USER_AGENT);
        match &self.auth {
            UserAuth::Certificate {
                common_name,
                organizations,
            } => {
                let orgs: Vec<&str> = organizations.iter().map(String::as_str).collect();
                r = r.certificate(common_name, &orgs);
            }
            UserAuth::Token(t) if !t.is_empty() => r = r.bearer(t),
            UserAuth::Token(_) => {}
        }
        if let Some(u) = &self.impersonate_user {
            r = r.header("Impersonate-User", u);
        }
        for g in &self.impersonate_groups {
            r = r.header("Impersonate-Group", g);
        }
        r
    }

    pub fn discover(&self, io: &mut Io<'_>) -> Res<Arc<Discovery>> {
        let d = discovery::discover(io, &|path, accept| self.request("GET", path, accept))?;
        Ok(Arc::new(d))
    }

    /// cli-runtime's `Info.Get`: a GET of one object (`namespace` empty for a cluster-scoped
    /// one). When the object is not found in a namespace other than `default`, it asks for
    /// the namespace too and answers that NotFound if the namespace is missing as well, so
    /// `kubectl get pod web -n nope` says `namespaces "nope" not found`.
    pub fn info_get(
        &self,
        io: &mut Io<'_>,
        path: &str,
        namespace: &str,
        accept: &str,
    ) -> Res<HttpResponse> {
        let r = io.call(self.request("GET", path, accept))?;
        if r.status == 404 && !namespace.is_empty() && namespace != "default" {
            let ns = io.call(self.request(
                "GET",
                &format!(
                    "/api/v1/namespaces/{}",
                    crate::apiserver::request::encode_component(namespace)
                ),
                accept,
            ))?;
            if ns.status == 404 {
                return Ok(ns);
            }
        }
        Ok(r)
    }

    /// A GET of JSON, failing with kubectl's error text for a non-2xx answer.
    pub fn get_json(&self, io: &mut Io<'_>, path: &str) -> Res<Arc<Value>> {
        let r = io.call(self.request("GET", path, "application/json"))?;
        ok_json(&r)
    }

    /// Sends a request with a JSON body (`POST`, `PUT`, or a patch of `content_type`).
    pub fn send_json(
        &self,
        io: &mut Io<'_>,
        method: &str,
        path: &str,
        content_type: &str,
        body: String,
    ) -> Res<HttpResponse> {
        // client-go's JSON encoder ends an object it sends with a newline; patches go as
        // their bytes.
        let body = if content_type == "application/json" && !body.ends_with('\n') {
            body + "\n"
        } else {
            body
        };
        let r = self
            .request(method, path, "application/json")
            .header("Content-Type", content_type)
            .body(body);
        io.call(r)
    }
}

/// The body of a 2xx answer, or kubectl's error for the Status it carries.
pub fn ok_json(r: &HttpResponse) -> Res<Arc<Value>> {
    if (200..300).contains(&r.status) {
        r.body_json()
            .ok_or_else(|| Fail::msg("the server returned an empty response"))
    } else {
        Err(status_error(r))
    }
}

/// The answer to a list by the resource builder's `Selector` visitor: a BadRequest or
/// NotFound gets what was listed put in front of its message (`Unable to find
/// "/v1, Resource=pods" that match label selector "", field selector "spec.frob=x": ...`).
pub fn selector_list_error(
    r: &HttpResponse,
    group: &str,
    version: &str,
    resource: &str,
    label_selector: &str,
    field_selector: &str,
) -> Fail {
    let Some(mut status) = r
        .body_json()
        .filter(|s| s["kind"] == "Status" && matches!(r.status, 400 | 404))
        .map(|s| (*s).clone())
    else {
        return status_error(r);
    };
    let gvr = go_quote(&format!("{group}/{version}, Resource={resource}"));
    let message = status["message"].as_str().unwrap_or_default().to_string();
    status["message"] = Value::String(if label_selector.is_empty() && field_selector.is_empty() {
        format!("Unable to list {gvr}: {message}")
    } else {
        format!(
            "Unable to find {gvr} that match label selector {}, field selector {}: {message}",
            go_quote(label_selector),
            go_quote(field_selector)
        )
    });
    let mut answer = r.clone();
    answer.body = crate::apiserver::request::Body::Json(Arc::new(status));
    status_error(&answer)
}

/// An API error as kubectl's `cmdutil.CheckErr` prints it.
pub fn status_error(r: &HttpResponse) -> Fail {
    Fail::raw(status_message(r, ""))
}

/// The text for an error answer, with `context` (`error when creating "pod.yaml": `) put
/// inside the `Error from server (...)` form the way kubectl's visitors wrap errors.
pub fn status_message(r: &HttpResponse, context: &str) -> String {
    let Some(status) = r.body_json().filter(|s| s["kind"] == "Status") else {
        let body = String::from_utf8_lossy(&r.body.to_bytes())
            .trim()
            .to_string();
        return format!(
            "Error from server ({}): {context}{}\n",
            reason_for_code(r.status),
            if body.is_empty() {
                "unknown".to_string()
            } else {
                body
            }
        );
    };
    // CheckErr prints an Invalid error from its details: the context a visitor put into the
    // message (`error when creating "pod.yaml": `) does not show.
    if status["reason"] == "Invalid" {
        let details = &status["details"];
        if details.is_null() {
            return "The request is invalid\n".to_string();
        }
        let kind = details["kind"].as_str().unwrap_or_default();
        let name = details["name"].as_str().unwrap_or_default();
        let prefix = if !kind.is_empty() || !name.is_empty() {
            format!("The {} {} is invalid", kind_title(kind), go_quote(name))
        } else {
            "The request is invalid".to_string()
        };
        // statusCausesToAggrError: `field: message`, duplicates dropped.
        let mut causes: Vec<String> = Vec::new();
        for c in details["causes"].as_array().into_iter().flatten() {
            let field = c["field"].as_str().unwrap_or_default();
            let msg = c["message"].as_str().unwrap_or_default();
            let line = format!("{field}: {msg}");
            if !causes.contains(&line) {
                causes.push(line);
            }
        }
        return match causes.len() {
            0 => format!("{prefix}\n"),
            1 => format!("{prefix}: {}\n", causes[0]),
            _ => {
                let mut s = format!("{prefix}: \n");
                for c in causes {
                    s += &format!("* {c}\n");
                }
                s
            }
        };
    }
    standard_message(r, context)
}

/// An API error as `StandardErrorMessage` words it, as kubectl prints each error of several
/// (`Error from server (Invalid): error when creating "pod.yaml": Pod "MyPod" is invalid: ...`).
pub fn standard_message(r: &HttpResponse, context: &str) -> String {
    let Some(status) = r.body_json().filter(|s| s["kind"] == "Status") else {
        return status_message(r, context);
    };
    let reason = status["reason"].as_str().unwrap_or_default();
    let message = status["message"].as_str().unwrap_or_default();
    if reason == "Unauthorized" && context.is_empty() {
        // `StandardErrorMessage`: rejected credentials.
        format!("error: You must be logged in to the server ({message})\n")
    } else if reason.is_empty() || reason == "Unknown" {
        format!("Error from server: {context}{message}\n")
    } else {
        format!("Error from server ({reason}): {context}{message}\n")
    }
}

/// The errors a command collects while it goes on with the other objects, printed at the end
/// as `CheckErr` prints them: one alone in its own form, several one after another in their
/// standard form (`MultipleErrors`).
#[derive(Clone, Debug, Default)]
pub struct Errors {
    /// (alone, among several)
    items: Vec<(String, String)>,
}

impl Errors {
    /// An error answer, with the context kubectl's visitor adds to its message.
    pub fn status(&mut self, r: &HttpResponse, context: &str) {
        self.items
            .push((status_message(r, context), standard_message(r, context)));
    }

    /// A client-side error message (without `error: `, which only a lone error gets).
    pub fn message(&mut self, message: impl Into<String>) {
        let m = message.into();
        let m = m.trim_end_matches('\n');
        self.items.push((format!("error: {m}\n"), format!("{m}\n")));
    }

    /// Text already in its printed form, whether alone or not.
    pub fn text(&mut self, text: impl Into<String>) {
        let t = text.into();
        self.items.push((t.clone(), t));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `Ok` when nothing failed, else the text kubectl prints.
    pub fn result(self) -> Res<()> {
        match self.items.as_slice() {
            [] => Ok(()),
            [(alone, _)] => Err(Fail::raw(alone.clone())),
            several => Err(Fail::raw(
                several.iter().map(|(_, s)| s.as_str()).collect::<String>(),
            )),
        }
    }
}

/// `details.kind` is the resource's kind as the server knows it (`Pod`), or a resource name
/// for some errors; kubectl prints it as it stands.
fn kind_title(kind: &str) -> &str {
    kind
}

/// Go's `%q`.
pub fn go_quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// The reason client-go infers for an answer without a Status body.
fn reason_for_code(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Gone",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}
