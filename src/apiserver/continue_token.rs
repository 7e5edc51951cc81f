//! The `continue` tokens of paged lists, as `k8s.io/apiserver/pkg/storage/continue.go` encodes
//! them: unpadded URL-safe base64 of `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key>\u0000"}`,
//! the key relative to the list's etcd prefix.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

/// A decoded token: read the rest of the list at `revision`, from `start_key` (absolute).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Continue {
    pub revision: i64,
    pub start_key: String,
}

/// The token for continuing after `last_key` (an absolute etcd key under `prefix`).
pub fn encode(last_key: &str, prefix: &str, revision: i64) -> String {
    let relative = last_key.strip_prefix(prefix).unwrap_or(last_key);
    let token = json!({
        "v": "meta.k8s.io/v1",
        "rv": revision,
        "start": format!("{relative}\u{0}"),
    });
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).expect("JSON serialises"))
}

/// Reads a token for a list under `prefix`, with kube-apiserver's error texts.
pub fn decode(token: &str, prefix: &str) -> Result<Continue, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| "continue key is not valid: illegal base64 data".to_string())?;
    let v: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("continue key is not valid: {e}"))?;
    if v.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)".to_string());
    }
    let rv = v.get("rv").and_then(Value::as_i64).unwrap_or(0);
    if rv <= 0 {
        return Err("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)".to_string());
    }
    let start = v.get("start").and_then(Value::as_str).unwrap_or("");
    if start.is_empty() || start.contains("..") || start.starts_with('/') {
        return Err(
            "continue key is not valid: encoded start key contained invalid path".to_string(),
        );
    }
    Ok(Continue {
        revision: rv,
        start_key: format!("{prefix}{start}"),
    })
}

/// The 410 message for a token whose revision has been compacted.
pub const EXPIRED: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_like_kube_apiserver() {
        let t = encode("/registry/pods/default/web", "/registry/pods/", 123);
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(&t).unwrap()).unwrap();
        assert_eq!(
            raw,
            r#"{"v":"meta.k8s.io/v1","rv":123,"start":"default/web\u0000"}"#
        );
        let c = decode(&t, "/registry/pods/").unwrap();
        assert_eq!(c.revision, 123);
        assert_eq!(c.start_key, "/registry/pods/default/web\u{0}");
    }

    #[test]
    fn bad_tokens_are_errors() {
        assert!(decode("!!!", "/registry/pods/").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode(b"{}"), "/registry/pods/").is_err());
        let escape =
            URL_SAFE_NO_PAD.encode(br#"{"v":"meta.k8s.io/v1","rv":5,"start":"../secrets/x"}"#);
        assert!(decode(&escape, "/registry/pods/").is_err());
    }
}
