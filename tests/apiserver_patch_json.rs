//! JSON patch (RFC 6902) and JSON merge patch (RFC 7396) as kube-apiserver applies them, with
//! the texts of gopkg.in/evanphx/json-patch.v4 and the statuses of the server's patch handler.

use kubestep::apiserver::patch::json_patch::{apply_json_patch, json_patch, JsonPatchFailure};
use kubestep::apiserver::patch::merge_patch::{create_merge_patch, merge_patch};
use kubestep::apiserver::patch::{apply_patch, PatchType};
use proptest::prelude::*;
use serde_json::{json, Value};

fn pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}, {"name": "side", "image": "busybox"}]}
    })
}

#[test]
fn operations_apply_in_order() {
    let patch = json!([
        {"op": "test", "path": "/metadata/labels/app", "value": "web"},
        {"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:1.27"},
        {"op": "add", "path": "/metadata/labels/tier", "value": "front"},
        {"op": "remove", "path": "/spec/containers/1"},
        {"op": "copy", "from": "/metadata/labels/app", "path": "/metadata/labels/copy"},
        {"op": "move", "from": "/metadata/labels/copy", "path": "/metadata/labels/moved"},
        {"op": "add", "path": "/spec/containers/-", "value": {"name": "last"}},
        {"op": "add", "path": "/spec/containers/0", "value": {"name": "first"}}
    ]);
    let got = apply_json_patch(&pod(), &patch).unwrap();
    assert_eq!(
        got["spec"]["containers"],
        json!([{"name": "first"}, {"name": "nginx", "image": "nginx:1.27"}, {"name": "last"}])
    );
    assert_eq!(
        got["metadata"]["labels"],
        json!({"app": "web", "tier": "front", "moved": "web"})
    );
}

#[test]
fn failures_carry_evanphx_texts() {
    let cases: Vec<(Value, &str)> = vec![
        (json!([{"op": "replace", "path": "/spec/containers/5", "value": 1}]),
         "replace operation does not apply: doc is missing key: /spec/containers/5: missing value"),
        (json!([{"op": "replace", "path": "/nope/foo", "value": 1}]),
         "replace operation does not apply: doc is missing path: /nope/foo: missing value"),
        (json!([{"op": "test", "path": "/metadata/name", "value": "other"}]),
         "testing value /metadata/name failed: test failed"),
        (json!([{"op": "test", "path": "/nope/x", "value": 1}]),
         "test operation does not apply: is missing path: /nope/x: missing value"),
        (json!([{"op": "remove", "path": "/metadata/annotations"}]),
         "error in remove for path: '/metadata/annotations': Unable to remove nonexistent key: annotations: missing value"),
        (json!([{"op": "remove", "path": "/spec/containers/5"}]),
         "error in remove for path: '/spec/containers/5': Unable to access invalid index: 5: invalid index referenced"),
        (json!([{"op": "add", "path": "/nope/x", "value": 1}]),
         "add operation does not apply: doc is missing path: \"/nope/x\": missing value"),
        (json!([{"op": "add", "path": "/spec/containers/9", "value": 1}]),
         "error in add for path: '/spec/containers/9': Unable to access invalid index: 9: invalid index referenced"),
        (json!([{"op": "add", "path": "/spec/containers/x", "value": 1}]),
         "error in add for path: '/spec/containers/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax"),
        (json!([{"op": "move", "from": "/metadata/nope", "path": "/metadata/x"}]),
         "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value"),
        (json!([{"op": "copy", "from": "/spec/containers/7", "path": "/metadata/x"}]),
         "error in copy for from: '/spec/containers/7': Unable to access invalid index: 7: invalid index referenced"),
        (json!([{"op": "test", "path": "/metadata/labels", "value": {"app": "web", "y": "2"}}]),
         "testing value /metadata/labels failed: test failed"),
        (json!([{"op": "add", "value": 1}]), "add operation failed to decode path: missing value"),
        (json!([{"op": "replace", "value": 1}]),
         "replace operation failed to decode path: operation missing path field: missing value"),
        (json!([{"op": "move", "path": "/a"}]),
         "move operation failed to decode from: operation, missing from field: missing value"),
        (json!([{"op": "frobnicate", "path": "/a"}]), "Unexpected kind: frobnicate"),
        (json!([{"path": "/a"}]), "Unexpected kind: unknown"),
    ];
    for (patch, text) in cases {
        let err = apply_json_patch(&pod(), &patch).unwrap_err();
        assert_eq!(err.code, 422, "{patch}");
        assert_eq!(err.reason, "Invalid");
        assert_eq!(
            err.message,
            "the server rejected our request due to an error in our request"
        );
        assert_eq!(err.causes.len(), 1);
        assert_eq!(err.causes[0].message, text, "{patch}");
    }
}

#[test]
fn a_failed_operation_applies_nothing() {
    let patch = json!([
        {"op": "replace", "path": "/metadata/name", "value": "changed"},
        {"op": "test", "path": "/metadata/name", "value": "web"}
    ]);
    let before = pod();
    assert!(apply_json_patch(&before, &patch).is_err());
    assert_eq!(before, pod());
}

#[test]
fn quirks_of_evanphx_v4() {
    // Negative indices count from the end.
    let got = json_patch(
        &json!({"a": [1, 2, 3]}),
        &json!([{"op": "remove", "path": "/a/-1"}]),
    )
    .unwrap();
    assert_eq!(got, json!({"a": [1, 2]}));
    // A null test value matches a missing key.
    assert!(json_patch(
        &json!({}),
        &json!([{"op": "test", "path": "/x", "value": null}])
    )
    .is_ok());
    // Replacing the root swaps the document.
    let got = json_patch(
        &json!({"a": 1}),
        &json!([{"op": "replace", "path": "", "value": {"b": 2}}]),
    )
    .unwrap();
    assert_eq!(got, json!({"b": 2}));
    // "~1" and "~0" escape "/" and "~".
    let got = json_patch(
        &json!({"metadata": {"annotations": {}}}),
        &json!([{"op": "add", "path": "/metadata/annotations/example.com~1a~0b", "value": "v"}]),
    )
    .unwrap();
    assert_eq!(got["metadata"]["annotations"]["example.com/a~b"], "v");
    // Replacing a missing object key adds it; copying from one copies null.
    let got = json_patch(
        &json!({"spec": {}}),
        &json!([{"op": "replace", "path": "/spec/foo", "value": 1}]),
    )
    .unwrap();
    assert_eq!(got, json!({"spec": {"foo": 1}}));
    let got = json_patch(
        &json!({"a": {}}),
        &json!([{"op": "copy", "from": "/a/nope", "path": "/a/x"}]),
    )
    .unwrap();
    assert_eq!(got, json!({"a": {"x": null}}));
    // A null body is an empty patch.
    assert_eq!(json_patch(&pod(), &Value::Null).unwrap(), pod());
}

#[test]
fn a_test_without_value_of_a_missing_field_crashes_the_server() {
    // evanphx v4.12 dereferences the absent value (kubectl 1.33's `patch --local` panics the
    // same way); the API server's panic recovery answers a plain-text 500.
    let err =
        apply_json_patch(&pod(), &json!([{"op": "test", "path": "/metadata/nope"}])).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            500,
            "This request caused apiserver to panic. Look in the logs for details."
        )
    );
}

#[test]
fn decode_failures_are_bad_requests() {
    let err = apply_json_patch(&pod(), &json!({"op": "add"})).unwrap_err();
    assert_eq!((err.code, err.reason), (400, "BadRequest"));
    assert_eq!(
        err.message,
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    );
    let err = apply_json_patch(&pod(), &json!(["add"])).unwrap_err();
    assert_eq!(
        err.message,
        "json: cannot unmarshal string into Go value of type jsonpatch.Operation"
    );
}

#[test]
fn more_than_ten_thousand_operations_are_too_large() {
    let ops: Vec<Value> = (0..10001)
        .map(|_| json!({"op": "test", "path": "/kind", "value": "Pod"}))
        .collect();
    let err = apply_json_patch(&pod(), &Value::Array(ops)).unwrap_err();
    assert_eq!((err.code, err.reason), (413, "RequestEntityTooLarge"));
    assert_eq!(err.message, "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001");
    assert_eq!(
        json_patch(&pod(), &Value::Array(vec![]))
            .map_err(|e| e == JsonPatchFailure::TooManyOperations(0)),
        Ok(pod())
    );
}

#[test]
fn merge_patch_rfc7396() {
    let cases = vec![
        (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
        (
            json!({"a": "b"}),
            json!({"b": "c"}),
            json!({"a": "b", "b": "c"}),
        ),
        (json!({"a": "b"}), json!({"a": null}), json!({})),
        (
            json!({"a": "b", "b": "c"}),
            json!({"a": null}),
            json!({"b": "c"}),
        ),
        (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
        (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
        (
            json!({"a": {"b": "c"}}),
            json!({"a": {"b": "d", "c": null}}),
            json!({"a": {"b": "d"}}),
        ),
        (
            json!({"a": [{"b": "c"}]}),
            json!({"a": [1]}),
            json!({"a": [1]}),
        ),
        (
            json!({"e": null}),
            json!({"a": 1}),
            json!({"e": null, "a": 1}),
        ),
        (
            json!({}),
            json!({"a": {"bb": {"ccc": null}}}),
            json!({"a": {"bb": {}}}),
        ),
    ];
    for (doc, patch, want) in cases {
        assert_eq!(merge_patch(&doc, &patch).unwrap(), want, "{doc} + {patch}");
    }
}

#[test]
fn merge_patch_statuses() {
    let err = apply_patch("Pod", true, PatchType::Merge, &pod(), &json!("x")).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (400, "Invalid JSON Patch")
    );
    let err = apply_patch("Pod", true, PatchType::Merge, &pod(), &Value::Null).unwrap_err();
    assert_eq!(err.message, "Invalid JSON Patch");
    // A list replaces the whole document (the server then fails to decode it).
    assert_eq!(merge_patch(&pod(), &json!([1])).unwrap(), json!([1]));
}

/// JSON objects without nulls (a null member cannot survive a merge patch round trip).
fn json_object() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        "[a-z]{0,4}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]{1,2}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop::collection::btree_map("[a-d]{1,2}", value, 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,6}".prop_map(Value::from),
        prop_oneof![
            Just("/a"),
            Just("/a/0"),
            Just("/-"),
            Just(""),
            Just("/a/b/c"),
            Just("add"),
            Just("remove"),
            Just("test"),
            Just("move"),
            Just("copy"),
            Just("replace")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("op".to_string()),
                    Just("path".to_string()),
                    Just("from".to_string()),
                    Just("value".to_string()),
                    "[a-c]{1,2}".prop_map(String::from)
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn merge_patch_of_the_diff_gives_the_target(a in json_object(), b in json_object()) {
        let diff = create_merge_patch(&a, &b);
        prop_assert_eq!(merge_patch(&a, &diff).unwrap(), b);
    }

    #[test]
    fn arbitrary_patches_never_panic(doc in any_json(), patch in any_json()) {
        let _ = json_patch(&doc, &patch);
        let _ = merge_patch(&doc, &patch);
        let _ = kubestep::apiserver::patch::strategic_merge::strategic_merge_patch("Deployment", &doc, &patch);
        let _ = kubestep::apiserver::patch::strategic_merge::strategic_merge_patch("Pod", &json!({"spec": doc.clone()}), &json!({"spec": patch.clone()}));
    }
}
