//! `pkg/controller/history`: the `apps/v1` ControllerRevisions in which the DaemonSet and
//! StatefulSet controllers keep the history of their pod templates — naming and hashing,
//! ordering, equality, and the patch each revision stores.

use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::{json, Value};

use super::controller_utils::{name, namespace, new_controller_ref, str_at};
use super::deployment::safe_encode_string;

/// `ControllerRevisionHashLabel` (= `apps.DefaultDaemonSetUniqueLabelKey` =
/// `apps.StatefulSetRevisionLabel`): the label that ties pods and revisions to a revision.
pub const CONTROLLER_REVISION_HASH_LABEL: &str = "controller-revision-hash";

/// FNV-1, 32 bits (`hash/fnv.New32`, multiply then xor — not the `a` variant).
pub fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h = h.wrapping_mul(0x0100_0193);
        h ^= *b as u32;
    }
    h
}

/// Go's `json.Marshal` of a decoded `map[string]interface{}` (keys sorted, HTML-safe), the
/// raw data a revision stores and hashes.
pub use crate::golang::json::marshal as go_json;

/// `HashControllerRevision`: FNV-1 of the revision's raw data and, when given, the collision
/// count in decimal, safe-encoded. The raw data is the patch as Go marshals it; a real
/// cluster's template also carries the empty fields Go's encoder writes (`creationTimestamp:
/// null`, `resources: {}`) where kubestep's stored objects may omit them, so the same template
/// can hash differently there: the names have the real shape and change exactly when the
/// template does.
pub fn hash_controller_revision(data: &Value, collision_count: Option<i64>) -> String {
    let mut bytes = go_json(data).into_bytes();
    if let Some(c) = collision_count {
        bytes.extend_from_slice(c.to_string().as_bytes());
    }
    safe_encode_string(&fnv32(&bytes).to_string())
}

/// `ControllerRevisionName`: `<prefix>-<hash>`, the prefix cut to 223 characters.
pub fn controller_revision_name(prefix: &str, hash: &str) -> String {
    let prefix: String = prefix.chars().take(223).collect();
    format!("{prefix}-{hash}")
}

/// The `getPatch` of both controllers: the object's pod template, to be restored with a
/// strategic merge patch that replaces it (`{"spec":{"template":{...,"$patch":"replace"}}}`).
pub fn template_patch(obj: &Value) -> Value {
    let mut template = obj
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(m) = template.as_object_mut() {
        m.insert("$patch".into(), json!("replace"));
    }
    json!({"spec": {"template": template}})
}

/// The template a revision's patch restores (`ApplyRevision` of a template-replacing patch).
pub fn template_of_revision(revision: &Value) -> Value {
    let mut template = revision
        .pointer("/data/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(m) = template.as_object_mut() {
        m.remove("$patch");
    }
    template
}

/// `NewControllerRevision`: owned by `parent`, labelled with the template's labels and the
/// hash, named `<parent>-<hash>`.
pub fn new_controller_revision(
    parent: &Value,
    parent_kind: &str,
    template_labels: Option<&Value>,
    data: Value,
    revision: i64,
    collision_count: Option<i64>,
) -> Value {
    let hash = hash_controller_revision(&data, collision_count);
    let mut labels = template_labels
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert(CONTROLLER_REVISION_HASH_LABEL.into(), json!(hash));
    json!({
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": controller_revision_name(name(parent), &hash),
            "namespace": namespace(parent),
            "labels": labels,
            "ownerReferences": [new_controller_ref(parent, "apps/v1", parent_kind)],
        },
        "data": data,
        "revision": revision,
    })
}

pub fn revision_number(cr: &Value) -> i64 {
    cr.get("revision").and_then(Value::as_i64).unwrap_or(0)
}

/// `byRevision.Less`: by revision number, then creation time, then name.
pub fn revision_order(a: &Value, b: &Value) -> Ordering {
    revision_number(a)
        .cmp(&revision_number(b))
        .then_with(|| {
            str_at(a, "/metadata/creationTimestamp").cmp(str_at(b, "/metadata/creationTimestamp"))
        })
        .then_with(|| name(a).cmp(name(b)))
}

/// `SortControllerRevisions`.
pub fn sort_controller_revisions(revisions: &mut [Arc<Value>]) {
    revisions.sort_by(|a, b| revision_order(a, b));
}

/// `EqualRevision`: the same data (the hash labels are safe-encoded, so the real function's
/// numeric comparison of them never applies).
pub fn equal_revision(a: &Value, b: &Value) -> bool {
    a.get("data") == b.get("data")
}

/// `FindEqualRevisions`.
pub fn find_equal_revisions(revisions: &[Arc<Value>], needle: &Value) -> Vec<Arc<Value>> {
    revisions
        .iter()
        .filter(|r| equal_revision(r, needle))
        .cloned()
        .collect()
}

/// `nextRevision` of sorted revisions: one more than the last, or 1.
pub fn next_revision(sorted: &[Arc<Value>]) -> i64 {
    sorted.last().map(|r| revision_number(r) + 1).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1_is_not_fnv1a() {
        // Test vectors of Go's hash/fnv: New32 of "a" is 0x050c5d7e, New32a is 0xe40c292c.
        assert_eq!(fnv32(b"a"), 0x050c_5d7e);
        assert_eq!(super::super::deployment::fnv32a(b"a"), 0xe40c_292c);
    }

    #[test]
    fn go_json_sorts_keys_and_escapes_html() {
        let v = json!({"spec": {"template": {"z": 1, "a": "<b>&", "$patch": "replace"}}});
        assert_eq!(
            go_json(&v),
            r#"{"spec":{"template":{"$patch":"replace","a":"\u003cb\u003e\u0026","z":1}}}"#
        );
    }

    #[test]
    fn a_revision_is_named_after_its_owner_and_the_hash_of_its_data() {
        let ds = json!({"metadata": {"name": "fluentd", "namespace": "kube-system", "uid": "u1"},
            "spec": {"template": {"metadata": {"labels": {"name": "fluentd"}}, "spec": {}}}});
        let data = template_patch(&ds);
        let cr = new_controller_revision(
            &ds,
            "DaemonSet",
            ds.pointer("/spec/template/metadata/labels"),
            data.clone(),
            1,
            None,
        );
        let hash = hash_controller_revision(&data, None);
        assert_eq!(cr["metadata"]["name"], format!("fluentd-{hash}"));
        assert_eq!(cr["metadata"]["labels"]["name"], "fluentd");
        assert_eq!(
            cr["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL],
            hash
        );
        assert_eq!(cr["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
        // A collision count changes the name.
        assert_ne!(hash_controller_revision(&data, Some(1)), hash);
        assert_eq!(
            template_of_revision(&cr),
            ds["spec"]["template"],
            "the patch restores the template"
        );
    }
}
