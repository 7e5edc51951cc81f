//! Unit tests of the protobuf decoder: a body the real kubectl sent, maps of lists, DELETE
//! options, time formatting, and the completeness of the generated table.

use super::*;
use serde_json::json;

/// The body `kubectl auth can-i create pods` (v1.33.1) sends, byte for byte.
const CAN_I_CREATE_PODS: &[u8] = &[
    0x6b, 0x38, 0x73, 0x00, 0x0a, 0x32, 0x0a, 0x17, 0x61, 0x75, 0x74, 0x68, 0x6f, 0x72, 0x69, 0x7a,
    0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2e, 0x6b, 0x38, 0x73, 0x2e, 0x69, 0x6f, 0x2f, 0x76, 0x31, 0x12,
    0x17, 0x53, 0x65, 0x6c, 0x66, 0x53, 0x75, 0x62, 0x6a, 0x65, 0x63, 0x74, 0x41, 0x63, 0x63, 0x65,
    0x73, 0x73, 0x52, 0x65, 0x76, 0x69, 0x65, 0x77, 0x12, 0x3f, 0x0a, 0x10, 0x0a, 0x00, 0x12, 0x00,
    0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12, 0x21, 0x0a, 0x1f,
    0x0a, 0x07, 0x64, 0x65, 0x66, 0x61, 0x75, 0x6c, 0x74, 0x12, 0x06, 0x63, 0x72, 0x65, 0x61, 0x74,
    0x65, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x04, 0x70, 0x6f, 0x64, 0x73, 0x32, 0x00, 0x3a, 0x00, 0x1a,
    0x08, 0x08, 0x00, 0x12, 0x00, 0x1a, 0x00, 0x20, 0x00, 0x1a, 0x00, 0x22, 0x00,
];

fn ssar() -> Gvk {
    Gvk::new("authorization.k8s.io", "v1", "SelfSubjectAccessReview")
}

#[test]
fn kubectl_auth_can_i_decodes_to_its_review() {
    assert_eq!(
        to_json(CAN_I_CREATE_PODS, &ssar()),
        Ok(json!({
            "kind": "SelfSubjectAccessReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null},
            "spec": {"resourceAttributes": {
                "namespace": "default", "verb": "create", "resource": "pods"
            }},
            // SubjectAccessReviewStatus.allowed has no omitempty.
            "status": {"allowed": false}
        }))
    );
}

#[test]
fn extra_values_are_lists_in_a_map() {
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
    let obj = to_json(&body, &ssar()).unwrap();
    assert_eq!(
        obj["spec"],
        json!({"user": "bob", "groups": ["a", ""], "extra": {"k": ["v"]}})
    );
}

/// `kubectl drain --disable-eviction --grace-period=5` deletes each pod with this body.
#[test]
fn delete_options_decode_whatever_their_group_version() {
    let body = b"k8s\x00\x0a\x13\x0a\x02v1\x12\x0dDeleteOptions\x12\x02\x08\x05\x1a\x00\x22\x00";
    assert_eq!(
        delete_options_to_json(body),
        Ok(json!({"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 5}))
    );
    let pod = b"k8s\x00\x0a\x09\x0a\x02v1\x12\x03Pod";
    assert_eq!(
        delete_options_to_json(pod),
        Err(
            "no kind \"Pod\" is registered for version \"v1\" in scheme \
             \"k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:29\""
                .into()
        )
    );
    assert_eq!(
        delete_options_to_json(b"k8s\x00\x0a"),
        Err("unexpected EOF".into())
    );
}

#[test]
fn times_format_as_go_writes_them() {
    assert_eq!(
        format_time(0, 0, false).as_deref(),
        Some("1970-01-01T00:00:00Z")
    );
    assert_eq!(
        format_time(1_704_164_645, 600_123_999, true).as_deref(),
        Some("2024-01-02T03:04:05.600123Z")
    );
    // 0001-01-01T00:00:00Z is Go's zero time: null.
    assert_eq!(format_time(-62_135_596_800, 0, false), None);
    assert_eq!(
        format_time(-62_135_596_801, 0, false).as_deref(),
        Some("0000-12-31T23:59:59Z")
    );
    assert_eq!(
        format_time(253_402_300_800, 0, false).as_deref(),
        Some("10000-01-01T00:00:00Z")
    );
    assert_eq!(normalize(5, -1), (4, 999_999_999));
}

/// Every message the table references exists, and the served kinds all have a message.
#[test]
fn the_table_is_complete() {
    let t = table();
    for m in &t.messages {
        for f in &m.fields {
            let mut code = &f.code;
            while let Code::List(e) | Code::Map(e) = code {
                code = e;
            }
            if let Code::Msg(i) = code {
                assert!(*i < t.messages.len(), "{}.{}", m.name, f.go);
            }
        }
    }
    for r in crate::apiserver::resources::RESOURCES {
        // ControllerRevision's `data` is a RawExtension, which the generator does not handle
        // yet: a protobuf body of one is answered 415 (no kubectl command sends one).
        if r.kind == "ControllerRevision" {
            continue;
        }
        assert!(
            kind_message(&r.group_version(), r.kind).is_some(),
            "{} has a message",
            r.kind
        );
    }
}
