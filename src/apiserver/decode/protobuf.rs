//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`), transcoded to the JSON the
//! rest of the pipeline decodes: the `k8s\0` envelope (`runtime.Unknown`: the TypeMeta, then the
//! object's bytes) and the messages of the kinds listed in [`KINDS`], with field numbers from
//! their `generated.proto`.
//!
//! kubectl's typed clients send protobuf: `kubectl auth can-i` posts a SelfSubjectAccessReview
//! so, `auth can-i --list` a SelfSubjectRulesReview, `auth whoami` a SelfSubjectReview and
//! `create token` a TokenRequest. Only these kinds have message tables here: a protobuf body
//! of another kind is answered 415 as before. Fields the tables do not name are skipped, as a protobuf decoder
//! skips unknown fields; scalars equal to their zero value become absent (what Go's JSON
//! encoding of the decoded struct omits, and what a typed server cannot tell apart anyway).

use serde_json::{json, Map, Value};

/// The protobuf serializer's prefix (`protobuf.protoEncodingPrefix`).
pub const MAGIC: [u8; 4] = [0x6b, 0x38, 0x73, 0x00];

/// Why a protobuf body could not be transcoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtobufError {
    /// Not a Kubernetes protobuf message, or a malformed one: 400 with this message.
    Malformed(String),
    /// A kind without a message table here (`apiVersion`, `kind`).
    Unsupported(String, String),
}

#[derive(Clone, Copy, Debug)]
enum Ty {
    Str,
    Bool,
    Int64,
    Msg(&'static str),
    /// `map<string, string>`.
    MapStr,
    /// `map<string, ExtraValue>`: each value a list of strings (`items = 1`).
    MapStrList,
}

#[derive(Clone, Copy, Debug)]
struct F {
    number: u64,
    json: &'static str,
    ty: Ty,
    repeated: bool,
}

const fn f(number: u64, json: &'static str, ty: Ty) -> F {
    F {
        number,
        json,
        ty,
        repeated: false,
    }
}

const fn rep(number: u64, json: &'static str, ty: Ty) -> F {
    F {
        number,
        json,
        ty,
        repeated: true,
    }
}

/// The served kinds with a message table: (apiVersion, kind, message).
pub const KINDS: &[(&str, &str, &str)] = &[
    (
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        "SelfSubjectAccessReview",
    ),
    (
        "authorization.k8s.io/v1",
        "SubjectAccessReview",
        "SubjectAccessReview",
    ),
    (
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        "SelfSubjectRulesReview",
    ),
    (
        "authentication.k8s.io/v1",
        "SelfSubjectReview",
        "SelfSubjectReview",
    ),
    ("authentication.k8s.io/v1", "TokenRequest", "TokenRequest"),
];

/// The messages, by name (k8s.io/api/authorization/v1, authentication/v1 and apimachinery's
/// meta/v1).
const MESSAGES: &[(&str, &[F])] = &[
    (
        // ObjectMeta: what a client sets; the server-populated fields are skipped.
        "ObjectMeta",
        &[
            f(1, "name", Ty::Str),
            f(2, "generateName", Ty::Str),
            f(3, "namespace", Ty::Str),
            f(7, "generation", Ty::Int64),
            f(11, "labels", Ty::MapStr),
            f(12, "annotations", Ty::MapStr),
            rep(14, "finalizers", Ty::Str),
        ],
    ),
    (
        "SelfSubjectAccessReview",
        &[
            f(1, "metadata", Ty::Msg("ObjectMeta")),
            f(2, "spec", Ty::Msg("SelfSubjectAccessReviewSpec")),
            f(3, "status", Ty::Msg("SubjectAccessReviewStatus")),
        ],
    ),
    (
        "SelfSubjectAccessReviewSpec",
        &[
            f(1, "resourceAttributes", Ty::Msg("ResourceAttributes")),
            f(2, "nonResourceAttributes", Ty::Msg("NonResourceAttributes")),
        ],
    ),
    (
        "SubjectAccessReview",
        &[
            f(1, "metadata", Ty::Msg("ObjectMeta")),
            f(2, "spec", Ty::Msg("SubjectAccessReviewSpec")),
            f(3, "status", Ty::Msg("SubjectAccessReviewStatus")),
        ],
    ),
    (
        "SubjectAccessReviewSpec",
        &[
            f(1, "resourceAttributes", Ty::Msg("ResourceAttributes")),
            f(2, "nonResourceAttributes", Ty::Msg("NonResourceAttributes")),
            f(3, "user", Ty::Str),
            rep(4, "groups", Ty::Str),
            f(5, "extra", Ty::MapStrList),
            f(6, "uid", Ty::Str),
        ],
    ),
    (
        "ResourceAttributes",
        &[
            f(1, "namespace", Ty::Str),
            f(2, "verb", Ty::Str),
            f(3, "group", Ty::Str),
            f(4, "version", Ty::Str),
            f(5, "resource", Ty::Str),
            f(6, "subresource", Ty::Str),
            f(7, "name", Ty::Str),
            f(8, "fieldSelector", Ty::Msg("FieldSelectorAttributes")),
            f(9, "labelSelector", Ty::Msg("LabelSelectorAttributes")),
        ],
    ),
    (
        "NonResourceAttributes",
        &[f(1, "path", Ty::Str), f(2, "verb", Ty::Str)],
    ),
    (
        "FieldSelectorAttributes",
        &[
            f(1, "rawSelector", Ty::Str),
            rep(2, "requirements", Ty::Msg("FieldSelectorRequirement")),
        ],
    ),
    (
        "FieldSelectorRequirement",
        &[
            f(1, "key", Ty::Str),
            f(2, "operator", Ty::Str),
            rep(3, "values", Ty::Str),
        ],
    ),
    (
        "LabelSelectorAttributes",
        &[
            f(1, "rawSelector", Ty::Str),
            rep(2, "requirements", Ty::Msg("LabelSelectorRequirement")),
        ],
    ),
    (
        "LabelSelectorRequirement",
        &[
            f(1, "key", Ty::Str),
            f(2, "operator", Ty::Str),
            rep(3, "values", Ty::Str),
        ],
    ),
    (
        "SubjectAccessReviewStatus",
        &[
            f(1, "allowed", Ty::Bool),
            f(2, "reason", Ty::Str),
            f(3, "evaluationError", Ty::Str),
            f(4, "denied", Ty::Bool),
        ],
    ),
    (
        "SelfSubjectRulesReview",
        &[
            f(1, "metadata", Ty::Msg("ObjectMeta")),
            f(2, "spec", Ty::Msg("SelfSubjectRulesReviewSpec")),
            f(3, "status", Ty::Msg("SubjectRulesReviewStatus")),
        ],
    ),
    ("SelfSubjectRulesReviewSpec", &[f(1, "namespace", Ty::Str)]),
    (
        "SubjectRulesReviewStatus",
        &[
            rep(1, "resourceRules", Ty::Msg("ResourceRule")),
            rep(2, "nonResourceRules", Ty::Msg("NonResourceRule")),
            f(3, "incomplete", Ty::Bool),
            f(4, "evaluationError", Ty::Str),
        ],
    ),
    (
        "ResourceRule",
        &[
            rep(1, "verbs", Ty::Str),
            rep(2, "apiGroups", Ty::Str),
            rep(3, "resources", Ty::Str),
            rep(4, "resourceNames", Ty::Str),
        ],
    ),
    (
        "NonResourceRule",
        &[rep(1, "verbs", Ty::Str), rep(2, "nonResourceURLs", Ty::Str)],
    ),
    // k8s.io/api/authentication/v1.
    (
        "SelfSubjectReview",
        &[
            f(1, "metadata", Ty::Msg("ObjectMeta")),
            f(2, "status", Ty::Msg("SelfSubjectReviewStatus")),
        ],
    ),
    (
        "SelfSubjectReviewStatus",
        &[f(1, "userInfo", Ty::Msg("UserInfo"))],
    ),
    (
        "UserInfo",
        &[
            f(1, "username", Ty::Str),
            f(2, "uid", Ty::Str),
            rep(3, "groups", Ty::Str),
            f(4, "extra", Ty::MapStrList),
        ],
    ),
    (
        "TokenRequest",
        &[
            f(1, "metadata", Ty::Msg("ObjectMeta")),
            f(2, "spec", Ty::Msg("TokenRequestSpec")),
            f(3, "status", Ty::Msg("TokenRequestStatus")),
        ],
    ),
    (
        "TokenRequestSpec",
        &[
            rep(1, "audiences", Ty::Str),
            f(3, "boundObjectRef", Ty::Msg("BoundObjectReference")),
            f(4, "expirationSeconds", Ty::Int64),
        ],
    ),
    (
        "BoundObjectReference",
        &[
            f(1, "kind", Ty::Str),
            f(2, "apiVersion", Ty::Str),
            f(3, "name", Ty::Str),
            f(4, "uid", Ty::Str),
        ],
    ),
    // The expiration time (a `metav1.Time` message) is the server's to fill: not read.
    ("TokenRequestStatus", &[f(1, "token", Ty::Str)]),
];

fn message(name: &str) -> &'static [F] {
    MESSAGES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, fields)| *fields)
        .expect("every referenced message has a table")
}

/// One field as read off the wire.
enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn eof() -> ProtobufError {
    ProtobufError::Malformed("unexpected EOF".to_string())
}

fn varint(data: &[u8], pos: &mut usize) -> Result<u64, ProtobufError> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos).ok_or_else(eof)?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(ProtobufError::Malformed("proto: integer overflow".into()))
}

/// The fields of one message, in wire order.
fn fields(data: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, ProtobufError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let key = varint(data, &mut pos)?;
        let (number, wire_type) = (key >> 3, key & 7);
        if number == 0 {
            return Err(ProtobufError::Malformed(
                "proto: illegal tag 0 (wire type 0)".into(),
            ));
        }
        match wire_type {
            0 => out.push((number, Wire::Varint(varint(data, &mut pos)?))),
            2 => {
                let len = usize::try_from(varint(data, &mut pos)?).map_err(|_| eof())?;
                let end = pos
                    .checked_add(len)
                    .filter(|e| *e <= data.len())
                    .ok_or_else(eof)?;
                out.push((number, Wire::Bytes(&data[pos..end])));
                pos = end;
            }
            // Fixed-width fields: none in these messages, skipped like unknown ones.
            1 => {
                pos = pos
                    .checked_add(8)
                    .filter(|e| *e <= data.len())
                    .ok_or_else(eof)?
            }
            5 => {
                pos = pos
                    .checked_add(4)
                    .filter(|e| *e <= data.len())
                    .ok_or_else(eof)?
            }
            other => {
                return Err(ProtobufError::Malformed(format!(
                    "proto: illegal wireType {other}"
                )))
            }
        }
    }
    Ok(out)
}

fn string(bytes: &[u8]) -> Result<String, ProtobufError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ProtobufError::Malformed("proto: invalid UTF-8".into()))
}

fn wrong_type(field: &F) -> ProtobufError {
    ProtobufError::Malformed(format!("proto: wrong wireType for field {}", field.json))
}

/// A map entry (`key = 1`, `value = 2`).
fn map_entry(bytes: &[u8]) -> Result<(String, Option<&[u8]>), ProtobufError> {
    let mut key = String::new();
    let mut value = None;
    for (n, w) in fields(bytes)? {
        match (n, w) {
            (1, Wire::Bytes(b)) => key = string(b)?,
            (2, Wire::Bytes(b)) => value = Some(b),
            _ => {}
        }
    }
    Ok((key, value))
}

fn scalar(field: &F, wire: Wire<'_>) -> Result<Option<Value>, ProtobufError> {
    Ok(match (field.ty, wire) {
        (Ty::Str, Wire::Bytes(b)) => Some(json!(string(b)?)).filter(|v| v != ""),
        (Ty::Bool, Wire::Varint(v)) => (v != 0).then(|| json!(true)),
        (Ty::Int64, Wire::Varint(v)) => (v != 0).then(|| json!(v as i64)),
        (Ty::Msg(name), Wire::Bytes(b)) => Some(decode_message(name, b)?),
        _ => return Err(wrong_type(field)),
    })
}

fn decode_message(name: &str, data: &[u8]) -> Result<Value, ProtobufError> {
    let table = message(name);
    let mut obj = Map::new();
    for (number, wire) in fields(data)? {
        let Some(field) = table.iter().find(|f| f.number == number) else {
            continue;
        };
        match field.ty {
            Ty::MapStr | Ty::MapStrList => {
                let Wire::Bytes(b) = wire else {
                    return Err(wrong_type(field));
                };
                let (key, value) = map_entry(b)?;
                let value = match (field.ty, value) {
                    (Ty::MapStr, v) => json!(string(v.unwrap_or_default())?),
                    (_, v) => {
                        let mut items = Vec::new();
                        for (n, w) in fields(v.unwrap_or_default())? {
                            if let (1, Wire::Bytes(s)) = (n, w) {
                                items.push(json!(string(s)?));
                            }
                        }
                        json!(items)
                    }
                };
                obj.entry(field.json)
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("a map field is an object")
                    .insert(key, value);
            }
            _ if field.repeated => {
                // Repeated elements keep their zero values: a list's length matters.
                let value = match (field.ty, wire) {
                    (Ty::Str, Wire::Bytes(b)) => json!(string(b)?),
                    (_, w) => scalar(field, w)?.unwrap_or(Value::Null),
                };
                obj.entry(field.json)
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                    .expect("a repeated field is an array")
                    .push(value);
            }
            _ => match scalar(field, wire)? {
                Some(v) => {
                    obj.insert(field.json.to_string(), v);
                }
                None => {
                    obj.remove(field.json);
                }
            },
        }
    }
    Ok(Value::Object(obj))
}

/// Transcodes a protobuf request body to the object as JSON (with `apiVersion` and `kind` from
/// the envelope).
pub fn to_json(body: &[u8]) -> Result<Value, ProtobufError> {
    let Some(rest) = body.strip_prefix(&MAGIC) else {
        // Go's `%v` of the prefix bytes.
        let prefix: Vec<String> = MAGIC.iter().map(u8::to_string).collect();
        return Err(ProtobufError::Malformed(format!(
            "provided data does not appear to be a protobuf message, expected prefix [{}]",
            prefix.join(" ")
        )));
    };
    // runtime.Unknown: typeMeta = 1 (apiVersion = 1, kind = 2), raw = 2, contentEncoding = 3,
    // contentType = 4.
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, w) in fields(rest)? {
        match (n, w) {
            (1, Wire::Bytes(tm)) => {
                for (m, v) in fields(tm)? {
                    match (m, v) {
                        (1, Wire::Bytes(s)) => api_version = string(s)?,
                        (2, Wire::Bytes(s)) => kind = string(s)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    let Some((_, _, name)) = KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
    else {
        return Err(ProtobufError::Unsupported(api_version, kind));
    };
    let mut obj = decode_message(name, raw)?;
    let map = obj.as_object_mut().expect("a message decodes to an object");
    map.insert("kind".into(), json!(kind));
    map.insert("apiVersion".into(), json!(api_version));
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body `kubectl auth can-i create pods` (v1.33.1) sends, byte for byte.
    const CAN_I_CREATE_PODS: &[u8] = &[
        0x6b, 0x38, 0x73, 0x00, 0x0a, 0x32, 0x0a, 0x17, 0x61, 0x75, 0x74, 0x68, 0x6f, 0x72, 0x69,
        0x7a, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2e, 0x6b, 0x38, 0x73, 0x2e, 0x69, 0x6f, 0x2f, 0x76,
        0x31, 0x12, 0x17, 0x53, 0x65, 0x6c, 0x66, 0x53, 0x75, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x41,
        0x63, 0x63, 0x65, 0x73, 0x73, 0x52, 0x65, 0x76, 0x69, 0x65, 0x77, 0x12, 0x3f, 0x0a, 0x10,
        0x0a, 0x00, 0x12, 0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42,
        0x00, 0x12, 0x21, 0x0a, 0x1f, 0x0a, 0x07, 0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74, 0x12,
        0x06, 0x63, 0x72, 0x65, 0x61, 0x74, 0x65, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x04, 0x70, 0x6f,
        0x64, 0x73, 0x32, 0x00, 0x3a, 0x00, 0x1a, 0x08, 0x08, 0x00, 0x12, 0x00, 0x1a, 0x00, 0x20,
        0x00, 0x1a, 0x00, 0x22, 0x00,
    ];

    #[test]
    fn kubectl_auth_can_i_decodes_to_its_review() {
        assert_eq!(
            to_json(CAN_I_CREATE_PODS),
            Ok(json!({
                "kind": "SelfSubjectAccessReview",
                "apiVersion": "authorization.k8s.io/v1",
                "metadata": {},
                "spec": {"resourceAttributes": {
                    "namespace": "default", "verb": "create", "resource": "pods"
                }},
                "status": {}
            }))
        );
    }

    fn hex(dump: &str) -> Vec<u8> {
        dump.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    #[test]
    fn the_other_access_requests_of_kubectl_decode() {
        // `kubectl create token default --duration=20m --audience a` (v1.33.1).
        let token = hex(
            "6b 38 73 00 0a 28 0a 18 61 75 74 68 65 6e 74 69 63 61 74 69 6f 6e 2e 6b 38 73 2e 69
             6f 2f 76 31 12 0c 54 6f 6b 65 6e 52 65 71 75 65 73 74 12 20 0a 10 0a 00 12 00 1a 00
             22 00 2a 00 32 00 38 00 42 00 12 06 0a 01 61 20 b0 09 1a 04 0a 00 12 00 1a 00 22 00",
        );
        assert_eq!(
            to_json(&token),
            Ok(json!({
                "kind": "TokenRequest",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {},
                "spec": {"audiences": ["a"], "expirationSeconds": 1200},
                "status": {}
            }))
        );
        // `kubectl auth whoami`.
        let whoami = hex(
            "6b 38 73 00 0a 2d 0a 18 61 75 74 68 65 6e 74 69 63 61 74 69 6f 6e 2e 6b 38 73 2e 69
             6f 2f 76 31 12 11 53 65 6c 66 53 75 62 6a 65 63 74 52 65 76 69 65 77 12 1a 0a 10 0a
             00 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 06 0a 04 0a 00 12 00 1a 00 22 00",
        );
        assert_eq!(
            to_json(&whoami),
            Ok(json!({
                "kind": "SelfSubjectReview",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {},
                "status": {"userInfo": {}}
            }))
        );
        // `kubectl auth can-i --list -n kube-system`.
        let list = hex(
            "6b 38 73 00 0a 31 0a 17 61 75 74 68 6f 72 69 7a 61 74 69 6f 6e 2e 6b 38 73 2e 69 6f
             2f 76 31 12 16 53 65 6c 66 53 75 62 6a 65 63 74 52 75 6c 65 73 52 65 76 69 65 77 12
             27 0a 10 0a 00 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 12 0d 0a 0b 6b 75 62 65 2d
             73 79 73 74 65 6d 1a 04 18 00 22 00",
        );
        assert_eq!(
            to_json(&list),
            Ok(json!({
                "kind": "SelfSubjectRulesReview",
                "apiVersion": "authorization.k8s.io/v1",
                "metadata": {},
                "spec": {"namespace": "kube-system"},
                "status": {}
            }))
        );
    }

    #[test]
    fn maps_and_lists_decode() {
        // SubjectAccessReview{spec{user "bob", groups ["a", ""], extra {"k": ["v"]}}}.
        let extra_value = [0x0a, 0x01, b'v'];
        let mut entry = vec![0x0a, 0x01, b'k', 0x12, extra_value.len() as u8];
        entry.extend_from_slice(&extra_value);
        let mut spec = vec![0x1a, 0x03, b'b', b'o', b'b', 0x22, 0x01, b'a', 0x22, 0x00];
        spec.push(0x2a);
        spec.push(entry.len() as u8);
        spec.extend_from_slice(&entry);
        let mut raw = vec![0x12, spec.len() as u8];
        raw.extend_from_slice(&spec);
        let type_meta = b"\x0a\x17authorization.k8s.io/v1\x12\x13SubjectAccessReview";
        let mut body = MAGIC.to_vec();
        body.push(0x0a);
        body.push(type_meta.len() as u8);
        body.extend_from_slice(type_meta);
        body.push(0x12);
        body.push(raw.len() as u8);
        body.extend_from_slice(&raw);
        let obj = to_json(&body).unwrap();
        assert_eq!(
            obj["spec"],
            json!({"user": "bob", "groups": ["a", ""], "extra": {"k": ["v"]}})
        );
    }

    #[test]
    fn other_kinds_and_garbage_are_refused() {
        let mut pod = MAGIC.to_vec();
        pod.extend_from_slice(b"\x0a\x09\x0a\x02v1\x12\x03Pod");
        assert_eq!(
            to_json(&pod),
            Err(ProtobufError::Unsupported("v1".into(), "Pod".into()))
        );
        assert_eq!(
            to_json(b"{}"),
            Err(ProtobufError::Malformed(
                "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]".into()
            ))
        );
        let mut truncated = CAN_I_CREATE_PODS.to_vec();
        truncated.truncate(40);
        assert_eq!(
            to_json(&truncated),
            Err(ProtobufError::Malformed("unexpected EOF".into()))
        );
    }
}
