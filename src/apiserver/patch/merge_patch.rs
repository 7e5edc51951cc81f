//! RFC 7396 JSON merge patch (`application/merge-patch+json`) as `jsonpatch.MergePatch` of
//! `gopkg.in/evanphx/json-patch.v4` applies it for kube-apiserver, and `CreateMergePatch`, its
//! inverse (the diff that turns one document into another).

use serde_json::{Map, Value};

use super::PatchError;

/// `jsonpatch.ErrBadJSONPatch`: the server answers it with 400 BadRequest.
pub const ERR_BAD_JSON_PATCH: &str = "Invalid JSON Patch";

/// Applies a merge patch as kube-apiserver does, failing with the server's status.
pub fn apply_merge_patch_checked(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    merge_patch(doc, patch).map_err(PatchError::bad_request)
}

/// `jsonpatch.MergePatch(doc, patch)`: `null` members delete, objects merge recursively,
/// anything else replaces. A list as the whole patch replaces the document (the server then
/// fails to decode it into an object); `null` or a scalar as the whole patch is refused.
pub fn merge_patch(doc: &Value, patch: &Value) -> Result<Value, String> {
    match patch {
        Value::Object(p) => {
            let mut out = match doc {
                Value::Object(d) => d.clone(),
                // A document that is not an object is simply replaced by the patch.
                _ => {
                    let mut v = Value::Object(p.clone());
                    prune_nulls(&mut v);
                    return Ok(v);
                }
            };
            merge_docs(&mut out, p);
            Ok(Value::Object(out))
        }
        Value::Array(_) => {
            let mut v = patch.clone();
            prune_nulls(&mut v);
            Ok(v)
        }
        _ => Err(ERR_BAD_JSON_PATCH.into()),
    }
}

fn merge_docs(doc: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        if v.is_null() {
            doc.shift_remove(k);
            continue;
        }
        match doc.get_mut(k) {
            Some(cur) if !cur.is_null() => merge_value(cur, v),
            _ => {
                let mut v = v.clone();
                prune_nulls(&mut v);
                doc.insert(k.clone(), v);
            }
        }
    }
}

/// evanphx's `merge(cur, patch)`.
fn merge_value(cur: &mut Value, patch: &Value) {
    match (cur.as_object_mut(), patch) {
        (Some(cur_doc), Value::Object(p)) => merge_docs(cur_doc, p),
        // The current value is an object but the patch is not: take the patch as is.
        (Some(_), _) => *cur = patch.clone(),
        (None, _) => {
            let mut v = patch.clone();
            prune_nulls(&mut v);
            *cur = v;
        }
    }
}

/// evanphx's `pruneNulls`: drops null members of objects, recursively, also inside lists (whose
/// own null items stay).
pub fn prune_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            for v in m.values_mut() {
                prune_nulls(v);
            }
        }
        Value::Array(items) => {
            for v in items {
                prune_nulls(v);
            }
        }
        _ => {}
    }
}

/// `jsonpatch.CreateMergePatch(original, modified)` for two objects: the merge patch that turns
/// `original` into `modified` (keys missing from `modified` become `null`).
pub fn create_merge_patch(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(a), Value::Object(b)) => Value::Object(diff_maps(a, b)),
        _ => modified.clone(),
    }
}

fn diff_maps(a: &Map<String, Value>, b: &Map<String, Value>) -> Map<String, Value> {
    let mut patch = Map::new();
    for (k, bv) in b {
        match a.get(k) {
            None => {
                patch.insert(k.clone(), bv.clone());
            }
            Some(Value::Object(am)) if bv.is_object() => {
                let sub = diff_maps(am, bv.as_object().expect("checked is_object"));
                if !sub.is_empty() {
                    patch.insert(k.clone(), Value::Object(sub));
                }
            }
            Some(av) => {
                if av != bv {
                    patch.insert(k.clone(), bv.clone());
                }
            }
        }
    }
    for k in a.keys() {
        if !b.contains_key(k) {
            patch.insert(k.clone(), Value::Null);
        }
    }
    patch
}
