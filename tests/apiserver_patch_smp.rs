//! Strategic merge patch, two-way and three-way diffs: cases ported from Kubernetes' own tables
//! (`k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go`, run against its `MergeItem`
//! test type), plus cases over real kinds and the server's error statuses.

use kubestep::apiserver::patch::patch_meta::Ty;
use kubestep::apiserver::patch::strategic_merge::{
    strategic_merge_map_patch, strategic_merge_patch, two_way_merge_map_patch,
};
use kubestep::apiserver::patch::three_way::three_way_merge_map_patch;
use serde_json::{json, Map, Value};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// One row of patch_test.go's `createStrategicMergePatchTestCaseData`.
struct Case {
    description: &'static str,
    original: Value,
    modified: Value,
    current: Value,
    two_way: Value,
    two_way_result: Option<Value>,
    three_way: Value,
    result: Value,
}

fn check(c: &Case) {
    let two_way = two_way_merge_map_patch(
        Ty::MergeItem,
        &obj(c.original.clone()),
        &obj(c.modified.clone()),
    )
    .unwrap_or_else(|e| panic!("{}: two-way diff failed: {e}", c.description));
    assert_eq!(
        Value::Object(two_way),
        c.two_way,
        "{}: two-way patch",
        c.description
    );
    let applied = strategic_merge_map_patch(
        obj(c.original.clone()),
        obj(c.two_way.clone()),
        Ty::MergeItem,
    )
    .unwrap_or_else(|e| panic!("{}: applying the two-way patch failed: {e}", c.description));
    let expected = c
        .two_way_result
        .clone()
        .unwrap_or_else(|| c.modified.clone());
    assert_eq!(
        Value::Object(applied),
        expected,
        "{}: two-way result",
        c.description
    );

    let three_way = three_way_merge_map_patch(
        Ty::MergeItem,
        &obj(c.original.clone()),
        &obj(c.modified.clone()),
        &obj(c.current.clone()),
    )
    .unwrap_or_else(|e| panic!("{}: three-way diff failed: {e}", c.description));
    assert_eq!(
        Value::Object(three_way),
        c.three_way,
        "{}: three-way patch",
        c.description
    );
    let result = strategic_merge_map_patch(
        obj(c.current.clone()),
        obj(c.three_way.clone()),
        Ty::MergeItem,
    )
    .unwrap_or_else(|e| {
        panic!(
            "{}: applying the three-way patch failed: {e}",
            c.description
        )
    });
    assert_eq!(
        Value::Object(result),
        c.result,
        "{}: three-way result",
        c.description
    );
}

#[test]
fn kubernetes_create_strategic_merge_patch_cases() {
    let cases = vec![
        Case {
            description: "nil original",
            original: json!({}),
            two_way: json!({"name": 1, "value": 1}),
            two_way_result: None,
            modified: json!({"name": 1, "value": 1}),
            current: json!({"name": 1, "other": "a"}),
            three_way: json!({"value": 1}),
            result: json!({"name": 1, "value": 1, "other": "a"}),
        },
        Case {
            description: "add field to map with conflict",
            original: json!({"name": 1}),
            two_way: json!({"value": 1}),
            two_way_result: None,
            modified: json!({"name": 1, "value": 1}),
            current: json!({"name": "a", "other": "a"}),
            three_way: json!({"name": 1, "value": 1}),
            result: json!({"name": 1, "value": 1, "other": "a"}),
        },
        Case {
            description: "add field and delete field from map",
            original: json!({"name": 1}),
            two_way: json!({"name": null, "value": 1}),
            two_way_result: None,
            modified: json!({"value": 1}),
            current: json!({"name": 1, "other": "a"}),
            three_way: json!({"name": null, "value": 1}),
            result: json!({"value": 1, "other": "a"}),
        },
        Case {
            description: "delete field from nested map with conflict",
            original: json!({"simpleMap": {"key1": 1, "key2": 1}}),
            two_way: json!({"simpleMap": {"key2": null}}),
            two_way_result: None,
            modified: json!({"simpleMap": {"key1": 1}}),
            current: json!({"simpleMap": {"key1": "a", "key2": 1, "other": "a"}}),
            three_way: json!({"simpleMap": {"key1": 1, "key2": null}}),
            result: json!({"simpleMap": {"key1": 1, "other": "a"}}),
        },
        Case {
            description: "add field and delete all fields from map with conflict",
            original: json!({"name": 1, "value": 1}),
            two_way: json!({"name": null, "value": null, "other": "a"}),
            two_way_result: None,
            modified: json!({"other": "a"}),
            current: json!({"name": 1, "value": 1, "other": "b"}),
            three_way: json!({"name": null, "value": null, "other": "a"}),
            result: json!({"other": "a"}),
        },
        Case {
            description: "replace list of scalars with conflict",
            original: json!({"nonMergingIntList": [1, 2]}),
            two_way: json!({"nonMergingIntList": [2, 3]}),
            two_way_result: None,
            modified: json!({"nonMergingIntList": [2, 3]}),
            current: json!({"nonMergingIntList": [1, 4]}),
            three_way: json!({"nonMergingIntList": [2, 3]}),
            result: json!({"nonMergingIntList": [2, 3]}),
        },
        Case {
            description: "delete all maps from merging list with conflict",
            original: json!({"mergingList": [{"name": 1}, {"name": 2}]}),
            two_way: json!({"mergingList": [{"name": 1, "$patch": "delete"}, {"name": 2, "$patch": "delete"}]}),
            two_way_result: None,
            modified: json!({"mergingList": []}),
            current: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "other": "b"}]}),
            three_way: json!({"mergingList": [{"name": 1, "$patch": "delete"}, {"name": 2, "$patch": "delete"}]}),
            result: json!({"mergingList": []}),
        },
        Case {
            description: "merge empty merging lists",
            original: json!({"mergingList": []}),
            two_way: json!({}),
            two_way_result: None,
            modified: json!({"mergingList": []}),
            current: json!({"mergingList": []}),
            three_way: json!({}),
            result: json!({"mergingList": []}),
        },
        Case {
            description:
                "defined null values should propagate overwrite current fields (with conflict)",
            original: json!({"name": 2}),
            two_way: json!({"name": 1, "value": 1, "other": null}),
            two_way_result: Some(json!({"name": 1, "value": 1})),
            modified: json!({"name": 1, "value": 1, "other": null}),
            current: json!({"name": "a", "other": "a"}),
            three_way: json!({"name": 1, "value": 1, "other": null}),
            result: json!({"name": 1, "value": 1}),
        },
        Case {
            description: "defined null values should propagate removing original fields",
            original: json!({"name": "original-name", "value": "original-value"}),
            current: json!({"name": "original-name", "value": "original-value", "other": "current-other"}),
            modified: json!({"name": "modified-name", "value": null}),
            two_way: json!({"name": "modified-name", "value": null}),
            two_way_result: Some(json!({"name": "modified-name"})),
            three_way: json!({"name": "modified-name", "value": null}),
            result: json!({"name": "modified-name", "other": "current-other"}),
        },
        Case {
            description: "retainKeys map with no change should not be present",
            original: json!({"name": "a", "retainKeysMap": {"name": "foo"}}),
            current: json!({"name": "a", "other": "c", "retainKeysMap": {"name": "foo"}}),
            modified: json!({"name": "a", "value": "b", "retainKeysMap": {"name": "foo"}}),
            two_way: json!({"value": "b"}),
            two_way_result: None,
            three_way: json!({"value": "b"}),
            result: json!({"name": "a", "value": "b", "other": "c", "retainKeysMap": {"name": "foo"}}),
        },
        Case {
            description: "nested patch merge with empty list",
            original: json!({"name": "hi"}),
            current: json!({"name": "hi", "mergingList": [{"name": "hello2"}]}),
            modified: json!({"name": "hi", "mergingList": [{"name": "hello"}, {"$patch": "delete", "name": "doesntexist"}]}),
            two_way: json!({"mergingList": [{"name": "hello"}, {"$patch": "delete", "name": "doesntexist"}]}),
            two_way_result: Some(json!({"name": "hi", "mergingList": [{"name": "hello"}]})),
            three_way: json!({
                "$setElementOrder/mergingList": [{"name": "hello"}, {"name": "doesntexist"}],
                "mergingList": [{"name": "hello"}, {"$patch": "delete", "name": "doesntexist"}]
            }),
            result: json!({"name": "hi", "mergingList": [{"name": "hello"}, {"name": "hello2"}]}),
        },
        Case {
            description: "delete items in lists of scalars",
            original: json!({"mergingIntList": [1, 2, 3]}),
            two_way: json!({"$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3]}),
            two_way_result: None,
            modified: json!({"mergingIntList": [1, 2]}),
            current: json!({"mergingIntList": [1, 2, 3, 4]}),
            three_way: json!({"$setElementOrder/mergingIntList": [1, 2], "$deleteFromPrimitiveList/mergingIntList": [3]}),
            result: json!({"mergingIntList": [1, 2, 4]}),
        },
        Case {
            description: "add and delete items in lists of scalars",
            original: json!({"mergingIntList": [1, 2, 3]}),
            two_way: json!({
                "$setElementOrder/mergingIntList": [1, 2, 4],
                "$deleteFromPrimitiveList/mergingIntList": [3],
                "mergingIntList": [4]
            }),
            two_way_result: None,
            modified: json!({"mergingIntList": [1, 2, 4]}),
            current: json!({"mergingIntList": [1, 2, 3, 4]}),
            three_way: json!({"$setElementOrder/mergingIntList": [1, 2, 4], "$deleteFromPrimitiveList/mergingIntList": [3]}),
            result: json!({"mergingIntList": [1, 2, 4]}),
        },
        Case {
            description: "merge lists of maps",
            original: json!({"mergingList": [{"name": 1}, {"name": 2, "value": 2}]}),
            two_way: json!({
                "$setElementOrder/mergingList": [{"name": 4}, {"name": 1}, {"name": 2}, {"name": 3}],
                "mergingList": [{"name": 4, "value": 4}, {"name": 3, "value": 3}]
            }),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 4, "value": 4}, {"name": 1}, {"name": 2, "value": 2}, {"name": 3, "value": 3}]}),
            current: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2, "other": "b"}]}),
            three_way: json!({
                "$setElementOrder/mergingList": [{"name": 4}, {"name": 1}, {"name": 2}, {"name": 3}],
                "mergingList": [{"name": 4, "value": 4}, {"name": 3, "value": 3}]
            }),
            result: json!({"mergingList": [
                {"name": 4, "value": 4},
                {"name": 1, "other": "a"},
                {"name": 2, "value": 2, "other": "b"},
                {"name": 3, "value": 3}
            ]}),
        },
        Case {
            description: "merge lists of maps with conflict",
            original: json!({"mergingList": [{"name": 1}, {"name": 2, "value": 2}]}),
            two_way: json!({
                "$setElementOrder/mergingList": [{"name": 1}, {"name": 2}, {"name": 3}],
                "mergingList": [{"name": 3, "value": 3}]
            }),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 1}, {"name": 2, "value": 2}, {"name": 3, "value": 3}]}),
            current: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 3, "other": "b"}]}),
            three_way: json!({
                "$setElementOrder/mergingList": [{"name": 1}, {"name": 2}, {"name": 3}],
                "mergingList": [{"name": 2, "value": 2}, {"name": 3, "value": 3}]
            }),
            result: json!({"mergingList": [
                {"name": 1, "other": "a"},
                {"name": 2, "value": 2, "other": "b"},
                {"name": 3, "value": 3}
            ]}),
        },
        Case {
            description: "add field to map in merging list with conflict",
            original: json!({"mergingList": [{"name": 1}, {"name": 2, "value": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}], "mergingList": [{"name": 1, "value": 1}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 1, "value": 1}, {"name": 2, "value": 2}]}),
            current: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 3, "value": 2, "other": "b"}]}),
            three_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}], "mergingList": [{"name": 1, "value": 1}, {"name": 2, "value": 2}]}),
            result: json!({"mergingList": [{"name": 1, "value": 1, "other": "a"}, {"name": 2, "value": 2}, {"name": 3, "value": 2, "other": "b"}]}),
        },
        Case {
            description: "add an item that already exists in current object in merging list",
            original: json!({"mergingList": [{"name": 1, "value": "a"}, {"name": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}, {"name": 3}], "mergingList": [{"name": 3}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 1, "value": "a"}, {"name": 2}, {"name": 3}]}),
            current: json!({"mergingList": [{"name": 1, "value": "a", "other": "x"}, {"name": 2}, {"name": 3}]}),
            three_way: json!({}),
            result: json!({"mergingList": [{"name": 1, "value": "a", "other": "x"}, {"name": 2}, {"name": 3}]}),
        },
        Case {
            description: "delete missing map from merging list with conflict",
            original: json!({"mergingList": [{"name": 1}, {"name": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 2}], "mergingList": [{"name": 1, "$patch": "delete"}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 2}]}),
            current: json!({"mergingList": [{"name": 3, "other": "a"}]}),
            three_way: json!({"$setElementOrder/mergingList": [{"name": 2}], "mergingList": [{"name": 2}, {"name": 1, "$patch": "delete"}]}),
            result: json!({"mergingList": [{"name": 2}, {"name": 3, "other": "a"}]}),
        },
        Case {
            description: "add map and delete map from merging list",
            original: json!({"mergingList": [{"name": 1}, {"name": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 2}, {"name": 3}], "mergingList": [{"name": 3}, {"name": 1, "$patch": "delete"}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 2}, {"name": 3}]}),
            current: json!({"mergingList": [{"name": 1}, {"name": 2, "other": "b"}, {"name": 4, "other": "c"}]}),
            three_way: json!({"$setElementOrder/mergingList": [{"name": 2}, {"name": 3}], "mergingList": [{"name": 3}, {"name": 1, "$patch": "delete"}]}),
            // The order comes from Go's slice aliasing in mergeSlice (kubectl 1.33 agrees).
            result: json!({"mergingList": [{"name": 2, "other": "b"}, {"name": 4, "other": "c"}, {"name": 3}]}),
        },
        Case {
            description: "add map and delete map from merging list with conflict",
            original: json!({"mergingList": [{"name": 1}, {"name": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 2}, {"name": 3}], "mergingList": [{"name": 3}, {"name": 1, "$patch": "delete"}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 2}, {"name": 3}]}),
            current: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 4, "other": "c"}]}),
            three_way: json!({"$setElementOrder/mergingList": [{"name": 2}, {"name": 3}], "mergingList": [{"name": 2}, {"name": 3}, {"name": 1, "$patch": "delete"}]}),
            result: json!({"mergingList": [{"name": 4, "other": "c"}, {"name": 2}, {"name": 3}]}),
        },
        Case {
            description: "delete missing field from map in merging list with conflict",
            original: json!({"mergingList": [{"name": 1, "value": 1}, {"name": 2, "value": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}], "mergingList": [{"name": 1, "value": null}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 1}, {"name": 2, "value": 2}]}),
            current: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "other": "b"}]}),
            three_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}], "mergingList": [{"name": 1, "value": null}, {"name": 2, "value": 2}]}),
            result: json!({"mergingList": [{"name": 1, "other": "a"}, {"name": 2, "value": 2, "other": "b"}]}),
        },
        Case {
            description: "replace non merging list nested in merging list with value conflict",
            original: json!({"mergingList": [{"name": 1, "nonMergingList": [{"name": 1}, {"name": 2, "value": 2}]}, {"name": 2}]}),
            two_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}], "mergingList": [{"name": 1, "nonMergingList": [{"name": 1, "value": 1}]}]}),
            two_way_result: None,
            modified: json!({"mergingList": [{"name": 1, "nonMergingList": [{"name": 1, "value": 1}]}, {"name": 2}]}),
            current: json!({"mergingList": [{"name": 1, "other": "a", "nonMergingList": [{"name": 1, "value": "c"}]}, {"name": 2, "other": "b"}]}),
            three_way: json!({"$setElementOrder/mergingList": [{"name": 1}, {"name": 2}], "mergingList": [{"name": 1, "nonMergingList": [{"name": 1, "value": 1}]}]}),
            result: json!({"mergingList": [{"name": 1, "other": "a", "nonMergingList": [{"name": 1, "value": 1}]}, {"name": 2, "other": "b"}]}),
        },
    ];
    for c in &cases {
        check(c);
    }
}

/// patch_test.go's `customStrategicMergePatchTestCaseData` and raw cases: patches applied to an
/// original, which no diff would produce.
#[test]
fn kubernetes_custom_patch_application_cases() {
    let cases: Vec<(&str, Value, Value, Value)> = vec![
        ("unique scalars when merging lists", json!({"mergingIntList": [1, 2]}), json!({"mergingIntList": [2, 3]}), json!({"mergingIntList": [1, 2, 3]})),
        ("delete map from nested map", json!({"simpleMap": {"key1": 1, "key2": 1}}), json!({"simpleMap": {"$patch": "delete"}}), json!({"simpleMap": {}})),
        ("delete all items from merging list", json!({"mergingList": [{"name": 1}, {"name": 2}]}), json!({"mergingList": [{"$patch": "replace"}]}), json!({"mergingList": []})),
        ("delete all keys from map", json!({"name": 1, "value": 1}), json!({"$patch": "replace"}), json!({})),
        ("add key and delete all keys from map", json!({"name": 1, "value": 1}), json!({"other": "a", "$patch": "replace"}), json!({"other": "a"})),
        (
            "delete all duplicate entries in a merging list",
            json!({"mergingList": [{"name": 1}, {"name": 1}, {"name": 2, "value": "a"}, {"name": 3}, {"name": 3}]}),
            json!({"mergingList": [{"name": 1, "$patch": "delete"}, {"name": 3, "$patch": "delete"}]}),
            json!({"mergingList": [{"name": 2, "value": "a"}]}),
        ),
        ("retainKeys map can delete a field when no retainKeys directive present", json!({"retainKeysMap": {"name": "foo", "value": "a"}}), json!({"retainKeysMap": {"value": null}}), json!({"retainKeysMap": {"name": "foo"}})),
        (
            "preserve the order from the patch in a merging list",
            json!({"mergingList": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]}),
            json!({"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"}, {"name": 2, "other": "x"}]}),
            json!({"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"}, {"name": 2, "value": "b", "other": "x"}]}),
        ),
        (
            "preserve the order from the patch in a merging list 2",
            json!({"mergingList": [{"name": 1}, {"name": 2, "value": "b"}, {"name": 3}]}),
            json!({"mergingList": [{"name": 3, "value": "c"}, {"name": 1, "value": "a"}]}),
            json!({"mergingList": [{"name": 2, "value": "b"}, {"name": 3, "value": "c"}, {"name": 1, "value": "a"}]}),
        ),
        ("preserve the order from the patch in a merging int list", json!({"mergingIntList": [1, 2, 3]}), json!({"mergingIntList": [3, 1]}), json!({"mergingIntList": [2, 3, 1]})),
        (
            "$setElementOrder contains item that is not present in the list to be merged",
            json!({"mergingList": [{"name": 1}, {"name": 3}]}),
            json!({
                "$setElementOrder/mergingList": [{"name": 3}, {"name": 2}, {"name": 1}],
                "mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]
            }),
            json!({"mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]}),
        ),
        ("$setElementOrder contains item that is not present in the int list to be merged", json!({"mergingIntList": [1, 3]}), json!({"$setElementOrder/mergingIntList": [3, 2, 1]}), json!({"mergingIntList": [3, 1]})),
        ("$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list", json!({"mergingIntList": [1, 2]}), json!({"$deleteFromPrimitiveList/mergingIntList": [3]}), json!({"mergingIntList": [1, 2]})),
        ("$deleteFromPrimitiveList on empty primitive list should not add the item to the list", json!({"mergingIntList": null}), json!({"$deleteFromPrimitiveList/mergingIntList": [3]}), json!({"mergingIntList": null})),
        ("$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list", json!({"foo": ["bar"]}), json!({"$deleteFromPrimitiveList/mergingIntList": [3]}), json!({"foo": ["bar"]})),
        ("$deleteFromPrimitiveList should delete item from a list with merge patch strategy", json!({"mergingIntList": [1, 2, 3]}), json!({"$deleteFromPrimitiveList/mergingIntList": [2]}), json!({"mergingIntList": [1, 3]})),
        ("$deleteFromPrimitiveList should delete item from a list without merge patch strategy", json!({"nonMergingIntList": [1, 2, 3]}), json!({"$deleteFromPrimitiveList/nonMergingIntList": [2]}), json!({"nonMergingIntList": [1, 3]})),
    ];
    for (description, original, patch, expected) in cases {
        let got = strategic_merge_map_patch(obj(original), obj(patch), Ty::MergeItem)
            .unwrap_or_else(|e| panic!("{description}: {e}"));
        assert_eq!(Value::Object(got), expected, "{description}");
    }
}

#[test]
fn kubernetes_custom_patch_error_cases() {
    let cases: Vec<(&str, Value, Value, &str)> = vec![
        (
            "should check if order in $setElementOrder and patch list match",
            json!({"mergingList": [{"name": 1}, {"name": 3}, {"name": 2}]}),
            json!({
                "$setElementOrder/mergingList": [{"name": 1}, {"name": 2}, {"name": 3}],
                "mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]
            }),
            "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n",
        ),
        (
            "missing merge key should error out",
            json!({"mergingList": [{"name": 1, "value": "a"}]}),
            json!({"mergingList": [{"value": "b"}]}),
            "map: map[value:b] does not contain declared merge key: name",
        ),
        (
            "unknown $patch directive in a map",
            json!({"simpleMap": {"a": "b"}}),
            json!({"simpleMap": {"$patch": "merge"}}),
            "unknown patch type: merge in map: map[$patch:merge]",
        ),
        (
            "a $patch: merge item in a list",
            json!({"mergingList": [{"name": 1}]}),
            json!({"mergingList": [{"$patch": "merge"}]}),
            "merging lists cannot yet be specified in the patch",
        ),
        (
            "$retainKeys must list every field the patch sets",
            json!({"retainKeysMap": {"name": "foo"}}),
            json!({"retainKeysMap": {"$retainKeys": ["name"], "value": "x"}}),
            "invalid patch format of retainKeys",
        ),
        ("lists of lists", json!({"mergingIntList": [[1]]}), json!({"mergingIntList": [[2]]}), "lists of lists are not supported"),
    ];
    for (description, original, patch, expected) in cases {
        let err = strategic_merge_map_patch(obj(original), obj(patch), Ty::MergeItem)
            .expect_err(description);
        assert_eq!(err.to_string(), expected, "{description}");
    }
}

#[test]
fn retain_keys_clears_fields_not_listed() {
    let got = strategic_merge_map_patch(
        obj(json!({"retainKeysMap": {"name": "foo", "value": "a", "other": "b"}})),
        obj(json!({"retainKeysMap": {"$retainKeys": ["name", "value"], "value": "c"}})),
        Ty::MergeItem,
    )
    .unwrap();
    assert_eq!(
        Value::Object(got),
        json!({"retainKeysMap": {"name": "foo", "value": "c"}})
    );
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "finalizers": ["a/b"]},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                         "env": [{"name": "A", "value": "1"}]},
                        {"name": "sidecar", "image": "busybox", "args": ["sleep", "1d"]}
                    ],
                    "tolerations": [{"key": "k", "operator": "Exists"}]
                }
            }
        }
    })
}

#[test]
fn deployment_containers_merge_by_name_and_other_lists_replace() {
    let patch = json!({"spec": {"template": {"spec": {
        "containers": [{"name": "nginx", "image": "nginx:1.27", "env": [{"name": "B", "value": "2"}]}],
        "tolerations": [{"key": "other", "operator": "Exists"}]
    }}}});
    let got = strategic_merge_patch("Deployment", &deployment(), &patch).unwrap();
    let containers = &got["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[0]["image"], "nginx:1.27");
    assert_eq!(
        containers[0]["env"],
        json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}])
    );
    assert_eq!(
        containers[0]["ports"],
        json!([{"containerPort": 80, "protocol": "TCP"}])
    );
    assert_eq!(containers[1]["name"], "sidecar");
    assert_eq!(
        got["spec"]["template"]["spec"]["tolerations"],
        json!([{"key": "other", "operator": "Exists"}])
    );
}

#[test]
fn deployment_directives_delete_replace_and_finalizers() {
    let patch = json!({
        "metadata": {"finalizers": ["c/d"], "$deleteFromPrimitiveList/finalizers": ["a/b"]},
        "spec": {
            "replicas": null,
            "strategy": {"$retainKeys": ["type"], "type": "Recreate"},
            "template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}
        }
    });
    let got = strategic_merge_patch("Deployment", &deployment(), &patch).unwrap();
    assert_eq!(got["metadata"]["finalizers"], json!(["c/d"]));
    assert!(got["spec"].get("replicas").is_none());
    assert_eq!(got["spec"]["strategy"], json!({"type": "Recreate"}));
    let names: Vec<&str> = got["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["nginx"]);

    let replaced = strategic_merge_patch(
        "Deployment",
        &deployment(),
        &json!({"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}}}}),
    )
    .unwrap();
    assert_eq!(
        replaced["spec"]["template"]["spec"]["containers"],
        json!([{"name": "only", "image": "x"}])
    );
}

#[test]
fn service_ports_merge_by_port() {
    let svc = json!({"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}});
    let got = strategic_merge_patch(
        "Service",
        &svc,
        &json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
    )
    .unwrap();
    assert_eq!(
        got["spec"]["ports"],
        json!([{"port": 80, "targetPort": 9090}, {"port": 443}])
    );
}

#[test]
fn unknown_kinds_replace_lists_like_merge_patch() {
    let cr = json!({"spec": {"items": [{"name": "a", "v": 1}], "m": {"x": 1}}});
    let got = strategic_merge_patch(
        "Widget",
        &cr,
        &json!({"spec": {"items": [{"name": "b"}], "m": {"y": 2}}}),
    )
    .unwrap();
    assert_eq!(
        got,
        json!({"spec": {"items": [{"name": "b"}], "m": {"x": 1, "y": 2}}})
    );
}

#[test]
fn server_statuses_for_smp_failures() {
    // A patch that is not an object: the decode error, 400.
    let err = strategic_merge_patch("Pod", &json!({}), &json!([1])).unwrap_err();
    assert_eq!((err.code, err.reason), (400, "BadRequest"));
    assert_eq!(
        err.message,
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    );

    // A malformed directive: 400 with mergepatch's text.
    let err = strategic_merge_patch(
        "Pod",
        &json!({"metadata": {"finalizers": ["a"]}}),
        &json!({"metadata": {"$deleteFromPrimitiveList": ["a"]}}),
    )
    .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (400, "invalid patch format of primitive list")
    );

    // Lists of lists: 422 with the generic message and the real one as the cause.
    let err = strategic_merge_patch(
        "Pod",
        &json!({"metadata": {"finalizers": [["a"]]}}),
        &json!({"metadata": {"finalizers": [["b"]]}}),
    )
    .unwrap_err();
    assert_eq!(err.code, 422);
    assert_eq!(
        err.message,
        "the server rejected our request due to an error in our request"
    );
    assert_eq!(err.causes[0].message, "lists of lists are not supported");

    // A list item without its merge key: an unclassified error, 500.
    let err = strategic_merge_patch(
        "Pod",
        &json!({"spec": {"containers": [{"name": "a"}]}}),
        &json!({"spec": {"containers": [{"image": "b"}]}}),
    )
    .unwrap_err();
    assert_eq!((err.code, err.reason), (500, ""));
    assert_eq!(
        err.message,
        "map: map[image:b] does not contain declared merge key: name"
    );
}

#[test]
fn custom_resources_refuse_strategic_merge_patch_with_415() {
    use kubestep::apiserver::patch::{apply_patch, PatchType};
    let err = apply_patch(
        "Widget",
        false,
        PatchType::StrategicMerge,
        &json!({}),
        &json!({}),
    )
    .unwrap_err();
    assert_eq!(err.code, 415);
    assert_eq!(err.reason, "UnsupportedMediaType");
    assert_eq!(
        err.message,
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );
}
