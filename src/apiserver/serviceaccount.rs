//! Service account tokens from the TokenRequest API (`POST
//! /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`, what `kubectl create token` and the
//! kubelet's projected volumes ask for): the request's defaults and validation
//! (`SetDefaults_TokenRequestSpec`, `ValidateTokenRequest`), the handler's checks of the
//! service account and the bound object (`registry/core/serviceaccount/storage/token.go`), the
//! claims (`pkg/serviceaccount/claims.go`) and the JWT (`pkg/serviceaccount/jwt.go`).
//!
//! A real server signs the JWT with its service account key (RS256). kubestep's tokens have the
//! same header and claims, but their third part is a simulated signature that says so
//! (`kubestep-simulated-signature-...`): the API server recognises the tokens it issued by
//! their exact text (see `authn::IssuedToken`), and checks their claims on each use as the
//! real validator does. The token's `jti` comes from the simulation's PRNG, its times from the
//! simulated clock, so a seed gives the same tokens every run.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::authn::{BoundKind, ClaimRef, IssuedToken, SERVICE_ACCOUNT_ISSUER};
use super::defaulting::strategy::new_uid;
use super::errors::{self, ApiError};
use super::status::{self, GroupResource};
use super::validation::field::{FieldError, Path};
use crate::sim::{Rng, SimTime};

/// `SetDefaults_TokenRequestSpec`: an hour.
pub const DEFAULT_EXPIRATION_SECONDS: i64 = 60 * 60;
/// `ValidateTokenRequest`: at least ten minutes...
pub const MIN_EXPIRATION_SECONDS: i64 = 10 * 60;
/// ...and at most 2^32 seconds.
pub const MAX_EXPIRATION_SECONDS: i64 = 1 << 32;
/// `token.WarnOnlyBoundTokenExpirationSeconds`: what the kubelet asks for a projected token
/// (an hour and seven seconds). Such pod-bound tokens for the API server are issued for
/// [`EXPIRATION_EXTENSION_SECONDS`] (`--service-account-extend-token-expiration`, on by
/// default) with a `warnafter` claim at the requested time.
pub const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS: i64 = 3607;
/// `token.ExpirationExtensionSeconds`: a year.
pub const EXPIRATION_EXTENSION_SECONDS: i64 = 24 * 365 * 60 * 60;
/// The start of the simulated signature, the JWT's third part.
pub const SIMULATED_SIGNATURE_PREFIX: &str = "kubestep-simulated-signature-";

/// The JWT header's `kid`: a real server puts the SHA-256 of its public key here; kubestep
/// has no key pair, so it names the simulated one.
fn key_id() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(
        b"kubestep simulated service account signing key",
    ))
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn group_kind_invalid(name: &str, errs: &[FieldError]) -> ApiError {
    status::invalid("authentication.k8s.io", "TokenRequest", name, errs).into()
}

/// `SetDefaults_TokenRequestSpec` (run when the body is decoded): `expirationSeconds`
/// defaults to an hour.
pub fn set_defaults(request: &mut Value) {
    if !request.is_object() {
        return;
    }
    if !request.get("spec").is_some_and(Value::is_object) {
        request["spec"] = json!({});
    }
    let spec = &mut request["spec"];
    if spec.get("expirationSeconds").is_none_or(Value::is_null) {
        spec["expirationSeconds"] = json!(DEFAULT_EXPIRATION_SECONDS);
    }
}

/// The handler's first checks, before it reads the service account: a name or namespace
/// in the body must be the URL's.
pub fn check_metadata(request: &Value, name: &str, namespace: &str) -> Result<(), ApiError> {
    let given_name = s(request, "/metadata/name");
    if !given_name.is_empty() && given_name != name {
        let e = FieldError::invalid(
            &Path::from_names(&["metadata", "name"]),
            given_name,
            "must match the service account name if specified",
        );
        return Err(group_kind_invalid(name, &[e]));
    }
    let given_ns = s(request, "/metadata/namespace");
    if !given_ns.is_empty() && given_ns != namespace {
        let e = FieldError::invalid(
            &Path::from_names(&["metadata", "namespace"]),
            given_ns,
            "must match the service account namespace if specified",
        );
        return Err(group_kind_invalid(name, &[e]));
    }
    Ok(())
}

/// What a token is to be bound to (`spec.boundObjectRef`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoundRef {
    pub kind: BoundKind,
    pub name: String,
    /// The uid the client expects, empty for "whatever is there now".
    pub uid: String,
}

/// A request that passed validation, waiting for its bound object to be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The request with its defaults (audiences, name, namespace, creationTimestamp).
    pub request: Value,
    pub bound: Option<BoundRef>,
}

/// The handler's steps once it has the service account: default the audiences to the API
/// server's, fill the name, namespace and creation time, clear the status, validate
/// (`ValidateTokenRequest`), and find the kind of the bound object.
pub fn prepare(
    request: &Value,
    service_account: &Value,
    api_audiences: &[String],
    now: SimTime,
) -> Result<Prepared, ApiError> {
    let mut req = request.clone();
    set_defaults(&mut req);
    let audiences_empty = req
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty());
    if audiences_empty {
        req["spec"]["audiences"] = json!(api_audiences);
    }
    // The typed object's metadata, in the Go struct's field order.
    let given = req
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut meta = Map::new();
    let name = match s(&req, "/metadata/name") {
        "" => s(service_account, "/metadata/name").to_string(),
        n => n.to_string(),
    };
    let namespace = match s(&req, "/metadata/namespace") {
        "" => s(service_account, "/metadata/namespace").to_string(),
        n => n.to_string(),
    };
    meta.insert("name".into(), json!(name));
    meta.insert("namespace".into(), json!(namespace));
    meta.insert("creationTimestamp".into(), json!(now.rfc3339()));
    for (k, v) in given {
        if !meta.contains_key(&k) {
            meta.insert(k, v);
        }
    }
    let spec = req["spec"].clone();
    let mut ordered_spec = Map::new();
    ordered_spec.insert(
        "audiences".into(),
        spec.get("audiences").cloned().unwrap_or(json!([])),
    );
    ordered_spec.insert(
        "expirationSeconds".into(),
        spec.get("expirationSeconds")
            .cloned()
            .unwrap_or(Value::Null),
    );
    ordered_spec.insert(
        "boundObjectRef".into(),
        spec.get("boundObjectRef").cloned().unwrap_or(Value::Null),
    );
    let req = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": Value::Object(meta),
        "spec": Value::Object(ordered_spec),
        "status": {"token": "", "expirationTimestamp": null},
    });

    // ValidateTokenRequest.
    let seconds = req["spec"]["expirationSeconds"]
        .as_i64()
        .unwrap_or(DEFAULT_EXPIRATION_SECONDS);
    let path = Path::from_names(&["spec", "expirationSeconds"]);
    let mut errs = Vec::new();
    if seconds < MIN_EXPIRATION_SECONDS {
        errs.push(FieldError::invalid(
            &path,
            seconds,
            "may not specify a duration less than 10 minutes",
        ));
    }
    if seconds > MAX_EXPIRATION_SECONDS {
        errs.push(FieldError::invalid(
            &path,
            seconds,
            "may not specify a duration larger than 2^32 seconds",
        ));
    }
    if !errs.is_empty() {
        return Err(group_kind_invalid("", &errs));
    }

    let bound = match req["spec"]["boundObjectRef"].as_object() {
        None => None,
        Some(r) => {
            let api_version = r.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
            // `schema.FromAPIVersionAndKind`: only the core group's kinds can be bound.
            let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
            let known = if group.is_empty() {
                BoundKind::from_kind(kind)
            } else {
                None
            };
            let Some(kind) = known else {
                return Err(errors::bad_request(format!(
                    "cannot bind token to object of type {group}/{version}, Kind={kind}"
                )));
            };
            Some(BoundRef {
                kind,
                name: r
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                uid: r
                    .get("uid")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
        }
    };
    Ok(Prepared {
        request: req,
        bound,
    })
}

/// The objects a token is bound to, as the handler found them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoundObjects {
    pub pod: Option<ClaimRef>,
    pub secret: Option<ClaimRef>,
    pub node: Option<ClaimRef>,
}

fn claim_ref(obj: &Value) -> ClaimRef {
    ClaimRef {
        name: s(obj, "/metadata/name").to_string(),
        uid: s(obj, "/metadata/uid").to_string(),
    }
}

/// The handler's checks of the bound object it read (`None`: it does not exist) and, for a
/// pod, of the node it runs on (read from the watch cache, `resourceVersion=0`).
pub fn check_bound(
    bound: &BoundRef,
    service_account_name: &str,
    object: Option<&Value>,
    pod_node: Option<&Value>,
) -> Result<BoundObjects, ApiError> {
    let Some(obj) = object else {
        return Err(status::not_found(
            GroupResource {
                group: "",
                resource: bound.kind.resource(),
            },
            &bound.name,
        )
        .into());
    };
    let found = claim_ref(obj);
    let mut out = BoundObjects::default();
    match bound.kind {
        BoundKind::Pod => {
            // A pod without a service account name runs as `default` (admission sets it).
            let pod_sa = match s(obj, "/spec/serviceAccountName") {
                "" => "default",
                sa => sa,
            };
            if pod_sa != service_account_name {
                return Err(errors::bad_request(format!(
                    "cannot bind token for serviceaccount {} to pod running with different serviceaccount name.",
                    status_quote(service_account_name)
                )));
            }
            out.node = pod_node.map(claim_ref);
            out.pod = Some(found.clone());
        }
        BoundKind::Secret => out.secret = Some(found.clone()),
        BoundKind::Node => out.node = Some(found.clone()),
    }
    if !bound.uid.is_empty() && bound.uid != found.uid {
        let kind = match bound.kind {
            BoundKind::Pod => "Pod",
            BoundKind::Secret => "Secret",
            BoundKind::Node => "Node",
        };
        return Err(status::conflict(
            GroupResource {
                group: "",
                resource: kind,
            },
            &bound.name,
            &format!(
                "the UID in the bound object reference ({}) does not match the UID in record. The object might have been deleted and then recreated",
                bound.uid
            ),
        )
        .into());
    }
    Ok(out)
}

fn status_quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A token issued: the answer to send, the token's text and its claims.
#[derive(Clone, Debug, PartialEq)]
pub struct Issued {
    pub response: Value,
    pub token: String,
    pub claims: IssuedToken,
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 in strings.
fn go_json(v: &Value) -> String {
    serde_json::to_string(v)
        .expect("JSON serialises")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A JSON object with its keys sorted, as jose's claims builder (which merges the claims
/// through a Go map) writes them.
fn sorted(entries: Vec<(&str, Value)>) -> Value {
    let mut entries = entries;
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn ref_claim(r: &ClaimRef) -> Value {
    sorted(vec![("name", json!(r.name)), ("uid", json!(r.uid))])
}

/// `serviceaccount.Claims` and `GenerateToken`: the token for `request` (as [`prepare`] left
/// it), and the answer with its status filled.
pub fn issue(
    request: &Value,
    service_account: &Value,
    bound: &BoundObjects,
    api_audiences: &[String],
    now: SimTime,
    rng: &mut Rng,
) -> Issued {
    let audiences: Vec<String> = request["spec"]["audiences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    let seconds = request["spec"]["expirationSeconds"]
        .as_i64()
        .unwrap_or(DEFAULT_EXPIRATION_SECONDS);
    // Tweak expiration for a safe transition of projected tokens: warn (instead of fail)
    // after the requested expiration, fail after a year.
    let kube_audiences = audiences.iter().all(|a| api_audiences.contains(a));
    let (exp_seconds, warn_after) = if bound.pod.is_some()
        && seconds == WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS
        && kube_audiences
    {
        (EXPIRATION_EXTENSION_SECONDS, Some(seconds))
    } else {
        (seconds, None)
    };
    let iat = now.unix_seconds();
    let exp = iat + exp_seconds as u64;
    let jti = new_uid(rng);
    let namespace = s(service_account, "/metadata/namespace").to_string();
    let sa = claim_ref(service_account);

    let mut kubernetes = vec![
        ("namespace", json!(namespace)),
        ("serviceaccount", ref_claim(&sa)),
    ];
    if let Some(p) = &bound.pod {
        kubernetes.push(("pod", ref_claim(p)));
    }
    if let Some(sec) = &bound.secret {
        kubernetes.push(("secret", ref_claim(sec)));
    }
    if let Some(n) = &bound.node {
        kubernetes.push(("node", ref_claim(n)));
    }
    if let Some(w) = warn_after {
        kubernetes.push(("warnafter", json!(iat + w as u64)));
    }
    let payload = sorted(vec![
        ("aud", json!(audiences)),
        ("exp", json!(exp)),
        ("iat", json!(iat)),
        ("iss", json!(SERVICE_ACCOUNT_ISSUER)),
        ("jti", json!(jti)),
        ("kubernetes.io", sorted(kubernetes)),
        ("nbf", json!(iat)),
        (
            "sub",
            json!(super::authn::service_account_username(&namespace, &sa.name)),
        ),
    ]);
    let header = sorted(vec![("alg", json!("RS256")), ("kid", json!(key_id()))]);
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(go_json(&header)),
        URL_SAFE_NO_PAD.encode(go_json(&payload))
    );
    let signature = format!(
        "{SIMULATED_SIGNATURE_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(Sha256::digest(signing_input.as_bytes()))
    );
    let token = format!("{signing_input}.{signature}");

    let mut response = request.clone();
    response["status"] = json!({
        "token": token,
        "expirationTimestamp": SimTime(now.0 + seconds as u64 * 1000).rfc3339(),
    });
    let claims = IssuedToken {
        namespace,
        service_account: sa,
        audiences,
        not_before: iat,
        expires: exp,
        id: jti,
        pod: bound.pod.clone(),
        secret: bound.secret.clone(),
        node: bound.node.clone(),
    };
    Issued {
        response,
        token,
        claims,
    }
}

/// The claims of a token as a JSON object (the JWT's second part), for inspection.
pub fn decode_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa() -> Value {
        json!({"metadata": {"name": "default", "namespace": "default", "uid": "sa-uid"}})
    }

    fn auds() -> Vec<String> {
        vec![SERVICE_ACCOUNT_ISSUER.to_string()]
    }

    #[test]
    fn a_token_is_a_jwt_with_the_real_claims_and_a_simulated_signature() {
        let p = prepare(&json!({"spec": {}}), &sa(), &auds(), SimTime(5_000)).unwrap();
        assert_eq!(p.request["spec"]["expirationSeconds"], 3600);
        assert_eq!(p.request["spec"]["audiences"], json!(auds()));
        assert_eq!(p.request["spec"]["boundObjectRef"], Value::Null);
        let mut rng = Rng::seed_from_u64(1);
        let issued = issue(
            &p.request,
            &sa(),
            &BoundObjects::default(),
            &auds(),
            SimTime(5_000),
            &mut rng,
        );
        let parts: Vec<&str> = issued.token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts[2].starts_with(SIMULATED_SIGNATURE_PREFIX));
        let header = URL_SAFE_NO_PAD.decode(parts[0]).unwrap();
        assert!(String::from_utf8(header)
            .unwrap()
            .starts_with(r#"{"alg":"RS256","kid":""#));
        let claims = decode_claims(&issued.token).unwrap();
        let keys: Vec<&str> = claims
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "aud",
                "exp",
                "iat",
                "iss",
                "jti",
                "kubernetes.io",
                "nbf",
                "sub"
            ]
        );
        let iat = SimTime(5_000).unix_seconds();
        assert_eq!(claims["iat"], iat);
        assert_eq!(claims["exp"], iat + 3600);
        assert_eq!(claims["sub"], "system:serviceaccount:default:default");
        assert_eq!(
            claims["kubernetes.io"],
            json!({"namespace": "default", "serviceaccount": {"name": "default", "uid": "sa-uid"}})
        );
        assert_eq!(
            issued.response["status"]["expirationTimestamp"],
            SimTime(5_000 + 3_600_000).rfc3339()
        );
        assert_eq!(issued.claims.id, claims["jti"]);
    }

    #[test]
    fn a_kubelet_projected_token_is_extended_with_a_warning_time() {
        let req = json!({"spec": {"expirationSeconds": 3607}});
        let p = prepare(&req, &sa(), &auds(), SimTime(0)).unwrap();
        let bound = BoundObjects {
            pod: Some(ClaimRef {
                name: "web".into(),
                uid: "pod-uid".into(),
            }),
            node: Some(ClaimRef {
                name: "worker-1".into(),
                uid: "node-uid".into(),
            }),
            secret: None,
        };
        let issued = issue(
            &p.request,
            &sa(),
            &bound,
            &auds(),
            SimTime(0),
            &mut Rng::seed_from_u64(2),
        );
        let claims = decode_claims(&issued.token).unwrap();
        let iat = SimTime(0).unix_seconds();
        assert_eq!(claims["exp"], iat + EXPIRATION_EXTENSION_SECONDS as u64);
        assert_eq!(claims["kubernetes.io"]["warnafter"], iat + 3607);
        assert_eq!(claims["kubernetes.io"]["node"]["name"], "worker-1");
        // The answer still says when the requested lifetime ends.
        assert_eq!(
            issued.response["status"]["expirationTimestamp"],
            SimTime(3_607_000).rfc3339()
        );
    }

    #[test]
    fn requests_are_refused_with_the_real_texts() {
        let short = json!({"spec": {"expirationSeconds": 60}});
        let e = prepare(&short, &sa(), &auds(), SimTime(0)).unwrap_err();
        assert_eq!(e.code, 422);
        assert_eq!(
            e.message(),
            "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"
        );
        let cm = json!({"spec": {"boundObjectRef": {"kind": "ConfigMap", "apiVersion": "v1", "name": "x"}}});
        let e = prepare(&cm, &sa(), &auds(), SimTime(0)).unwrap_err();
        assert_eq!(
            e.message(),
            "cannot bind token to object of type /v1, Kind=ConfigMap"
        );
        let renamed = json!({"metadata": {"name": "other"}});
        let e = check_metadata(&renamed, "default", "default").unwrap_err();
        assert_eq!(
            e.message(),
            "TokenRequest.authentication.k8s.io \"default\" is invalid: metadata.name: Invalid value: \"other\": must match the service account name if specified"
        );
        let bound = BoundRef {
            kind: BoundKind::Pod,
            name: "web".into(),
            uid: "stale".into(),
        };
        let pod = json!({"metadata": {"name": "web", "uid": "fresh"}, "spec": {"serviceAccountName": "default"}});
        let e = check_bound(&bound, "default", Some(&pod), None).unwrap_err();
        assert_eq!(e.code, 409);
        assert_eq!(
            e.message(),
            "Operation cannot be fulfilled on Pod \"web\": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated"
        );
        let e = check_bound(&bound, "builder", Some(&pod), None).unwrap_err();
        assert_eq!(
            e.message(),
            "cannot bind token for serviceaccount \"builder\" to pod running with different serviceaccount name."
        );
        let e = check_bound(&bound, "default", None, None).unwrap_err();
        assert_eq!(e.message(), "pods \"web\" not found");
    }
}
