//! kubectl's request logs (`-v=6` to `-v=9`): klog lines in client-go 1.33's structured form,
//! as `round_trippers.go` and `request.go` write them, stamped with simulated time.
//!
//! - 6: the config load, then one `"Response"` line per request (verb, URL, status, time).
//! - 7: the request's method, URL and headers, then the response status.
//! - 8: adds the request and response bodies (truncated at 1024 bytes) and response headers.
//! - 9: the request as a curl command, bodies up to 10240 bytes, the connection trace.

use crate::apiserver::request::{status_text, HttpRequest, HttpResponse};
use crate::sim::SimTime;

/// The process id kubestep's kubectl logs under (a real one changes per run; tests mask it).
pub const PID: u32 = 4242;

/// `https://172.18.0.2:6443`: the control-plane endpoint in the kubeconfig.
pub const SERVER: &str = "https://172.18.0.2:6443";

#[derive(Clone, Debug)]
pub struct RequestLog {
    pub verbosity: u8,
    /// Requests so far (the first one dials a connection).
    count: usize,
}

/// klog's header: `I1123 13:02:04.658452    4242 loader.go:402] `.
pub fn klog_header(severity: char, at: SimTime, caller: &str) -> String {
    // 2026-01-01T00:00:00.000000Z → MMDD hh:mm:ss.uuuuuu
    let stamp = at.rfc3339_micros();
    let (date, time) = stamp.split_once('T').unwrap_or((&stamp, ""));
    let mmdd: String = date.split('-').skip(1).collect();
    let time = time.trim_end_matches('Z');
    format!("{severity}{mmdd} {time} {PID:>7} {caller}] ")
}

/// How klog writes a string value: quoted (`"..."`), or, when it holds a line break, as an
/// indented block between `<` and `>`.
fn quote(s: &str) -> String {
    if s.contains('\n') {
        let mut out = "<\n".to_string();
        for line in s.trim_end_matches('\n').split('\n') {
            out += &format!("\t{line}\n");
        }
        out + " >"
    } else {
        serde_json::to_string(s).expect("a string serialises")
    }
}

/// Whether a resource path names a collection (`/api/v1/namespaces/default/pods`), not an
/// object: core paths have 3 or 5 segments for collections, group paths 4 or 6.
fn is_collection(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.first() {
        Some(&"api") => parts.len() == 3 || (parts.len() == 5 && parts[2] == "namespaces"),
        Some(&"apis") => parts.len() == 4 || (parts.len() == 6 && parts[3] == "namespaces"),
        _ => false,
    }
}

/// client-go's `truncateBody`: 1024 bytes at `-v=8`, 10240 at `-v=9`.
fn truncate(body: &str, verbosity: u8) -> String {
    let max = if verbosity >= 10 {
        return body.to_string();
    } else if verbosity >= 9 {
        10240
    } else {
        1024
    };
    if body.len() <= max {
        return body.to_string();
    }
    let mut cut = max;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{} [truncated {} chars]", &body[..cut], body.len() - max)
}

impl RequestLog {
    pub fn new(verbosity: u8) -> RequestLog {
        RequestLog {
            verbosity,
            count: 0,
        }
    }

    /// A `klog.V(level).Infof` line of a command (`apply.go:548] Running apply post-processor
    /// function`), when the verbosity reaches `level`.
    pub fn info(&self, level: u8, at: SimTime, caller: &str, message: &str) -> String {
        if self.verbosity < level {
            return String::new();
        }
        format!("{}{message}\n", klog_header('I', at, caller))
    }

    /// `loader.go:402] Config loaded from file:  /root/.kube/config`.
    pub fn config_loaded(&self, at: SimTime, path: &str) -> String {
        if self.verbosity < 6 {
            return String::new();
        }
        format!(
            "{}Config loaded from file:  {path}\n",
            klog_header('I', at, "loader.go:402")
        )
    }

    fn url(request: &HttpRequest) -> String {
        format!("{SERVER}{}", request.url())
    }

    fn body_text(request: &HttpRequest) -> String {
        String::from_utf8_lossy(&request.body.to_bytes()).into_owned()
    }

    /// The Go source line that logs a request's bodies: the discovery client, the OpenAPI
    /// client, or the resource helper's verb (`helper.go`).
    fn body_caller(request: &HttpRequest) -> &'static str {
        match (request.method.as_str(), request.path.as_str()) {
            (_, "/api") => "discovery_client.go:252",
            (_, "/apis") => "discovery_client.go:318",
            (_, "/version") => "discovery_client.go:657",
            (_, "/openapi/v3") => "client.go:46",
            (_, p) if p.starts_with("/openapi/") => "groupversion.go:75",
            ("GET", _) if request.query_value("watch") == Some("true") => "helper.go:168",
            ("GET", p) if is_collection(p) => "helper.go:113",
            ("GET", _) => "helper.go:105",
            ("POST", _) => "helper.go:246",
            ("PUT", _) => "helper.go:279",
            // The scale client (`kubectl scale` patches the scale subresource).
            ("PATCH", p) if p.ends_with("/scale") => "client.go:232",
            ("PATCH", _) => "helper.go:269",
            ("DELETE", _) => "helper.go:202",
            _ => "request.go:1212",
        }
    }

    /// Whether kubectl sends a request through its disk-cached HTTP transport
    /// (`~/.kube/cache/http`): the discovery and OpenAPI clients' GETs.
    fn through_http_cache(request: &HttpRequest) -> bool {
        request.method == "GET"
            && (matches!(request.path.as_str(), "/api" | "/apis" | "/version")
                || request.path.starts_with("/openapi/")
                || is_group_discovery(&request.path))
    }

    /// The five client-go feature gates kubectl logs at `-v=1` and above, after loading its
    /// config (a Go map: the real order changes from run to run; this is one of them).
    pub fn feature_gates(&self, at: SimTime) -> String {
        if self.verbosity < 1 {
            return String::new();
        }
        [
            ("ClientsAllowCBOR", false),
            ("ClientsPreferCBOR", false),
            ("InOrderInformers", true),
            ("InformerResourceVersion", false),
            ("WatchListClient", false),
        ]
        .iter()
        .map(|(f, on)| {
            format!(
                "{}\"Feature gate default state\" feature=\"{f}\" enabled={on}\n",
                klog_header('I', at, "envvar.go:172")
            )
        })
        .collect()
    }

    /// What is logged when a request goes out at `sent` (before its answer is known, so a
    /// watch that stays open shows its request at once).
    pub fn request(&mut self, request: &HttpRequest, sent: SimTime) -> String {
        let v = self.verbosity;
        self.count += 1;
        let mut out = String::new();
        if v < 7 {
            return out;
        }
        let url = Self::url(request);
        if v >= 8 {
            out += &format!(
                "{}\"Request Body\" body={}\n",
                klog_header('I', sent, Self::body_caller(request)),
                quote(&truncate(&Self::body_text(request), v))
            );
        }
        let masked = |k: &str, val: &str| -> String {
            if k.eq_ignore_ascii_case("Authorization") {
                "Bearer <masked>".to_string()
            } else {
                val.to_string()
            }
        };
        // client-go writes the headers in key order (an http.Header map, sorted).
        let mut headers: Vec<&(String, String)> = request.headers.iter().collect();
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        if v >= 9 {
            let mut curl = format!("curl -v -X{} ", request.method);
            for (k, val) in &headers {
                curl += &format!(" -H \"{k}: {}\"", masked(k, val));
            }
            curl += &format!(" '{url}'");
            out += &format!(
                "{}\"Request\" curlCommand=<\n\t{curl}\n >\n",
                klog_header('I', sent, "round_trippers.go:527")
            );
            if self.count == 1 {
                out += &format!(
                    "{}\"HTTP Trace: Dial succeed\" network=\"tcp\" address=\"172.18.0.2:6443\"\n",
                    klog_header('I', sent, "round_trippers.go:562")
                );
            }
        } else {
            let mut text = String::new();
            for (k, val) in &headers {
                text += &format!("\t{k}: {}\n", masked(k, val));
            }
            let headers = text;
            out += &format!(
                "{}\"Request\" verb=\"{}\" url=\"{url}\" headers=<\n{headers} >\n",
                klog_header('I', sent, "round_trippers.go:527"),
                request.method
            );
        }
        out
    }

    /// Everything logged for one round trip, written when its answer is in (the lines carry
    /// the send and receive times).
    pub fn response(
        &mut self,
        request: &HttpRequest,
        response: &HttpResponse,
        sent: SimTime,
        received: SimTime,
    ) -> String {
        let v = self.verbosity;
        if v < 6 {
            return String::new();
        }
        let mut out = String::new();
        let url = Self::url(request);
        let ms = received.0.saturating_sub(sent.0);
        let status = format!("{} {}", response.status, status_text(response.status));
        let head = klog_header('I', received, "round_trippers.go:632");
        let response_headers = || {
            // Go canonicalises header names (`ETag` is `Etag`).
            let mut h: Vec<(String, String)> = response
                .headers
                .iter()
                .map(|(k, v)| (canonical_header_key(k), v.clone()))
                .collect();
            if Self::through_http_cache(request) {
                // The disk cache (httpcache) notes, on a response it stores, the request's
                // value of each header the response varies by.
                let vary: Vec<String> = h
                    .iter()
                    .filter(|(k, _)| k == "Vary")
                    .flat_map(|(_, v)| v.split(',').map(|k| canonical_header_key(k.trim())))
                    .collect();
                for key in vary {
                    if let Some((_, value)) = request
                        .headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                    {
                        h.push((format!("X-Varied-{key}"), value.clone()));
                    }
                }
            }
            if !h
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
            {
                h.push(("Content-Length".into(), response.body.len().to_string()));
            }
            h.push(("Date".into(), http_date(received)));
            h.sort();
            let mut s = String::new();
            for (k, val) in h {
                s += &format!("\t{k}: {val}\n");
            }
            s
        };
        if v >= 9 {
            out += &format!(
                "{head}\"Response\" verb=\"{}\" url=\"{url}\" status=\"{status}\" headers=<\n{} > milliseconds={ms} {}serverProcessingMilliseconds={ms}\n",
                request.method,
                response_headers(),
                // The first request dials the connection; later ones reuse it.
                if self.count == 1 {
                    "dnsLookupMilliseconds=0 dialMilliseconds=0 tlsHandshakeMilliseconds=0 "
                } else {
                    "getConnectionMilliseconds=0 "
                }
            );
        } else if v >= 8 {
            out += &format!(
                "{head}\"Response\" status=\"{status}\" headers=<\n{} > milliseconds={ms}\n",
                response_headers()
            );
        } else if v >= 7 {
            out += &format!("{head}\"Response\" status=\"{status}\" milliseconds={ms}\n");
        } else {
            out += &format!(
                "{head}\"Response\" verb=\"{}\" url=\"{url}\" status=\"{status}\" milliseconds={ms}\n",
                request.method
            );
        }
        if v >= 8 {
            let body = String::from_utf8_lossy(&response.body.to_bytes()).into_owned();
            out += &format!(
                "{}\"Response Body\" body={}\n",
                klog_header('I', received, Self::body_caller(request)),
                quote(&truncate(&body, v))
            );
        }
        out
    }
}

/// `/api/v1` or `/apis/apps/v1`: a group version's resource list (legacy discovery).
fn is_group_discovery(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(
        (parts.first(), parts.len()),
        (Some(&"api"), 2) | (Some(&"apis"), 3)
    )
}

/// `textproto.CanonicalMIMEHeaderKey`: each word's first letter upper case, the rest lower.
pub fn canonical_header_key(key: &str) -> String {
    key.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// An HTTP `Date` header: `Mon, 23 Nov 2026 13:02:04 GMT`.
pub fn http_date(at: SimTime) -> String {
    let days = at.unix_seconds() / 86400;
    // 1970-01-01 was a Thursday.
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let stamp = at.rfc3339();
    let (date, time) = stamp.split_once('T').unwrap_or((&stamp, "00:00:00Z"));
    let parts: Vec<&str> = date.split('-').collect();
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][parts[1].parse::<usize>().unwrap_or(1) - 1];
    format!(
        "{weekday}, {} {month} {} {} GMT",
        parts[2],
        parts[0],
        &time[..8]
    )
}
