//! kubectl's client-side apply (`kubectl apply` without `--server-side`): the three-way merge of
//! the last-applied configuration (the `kubectl.kubernetes.io/last-applied-configuration`
//! annotation), the new configuration and the live object into the patch kubectl sends
//! (`strategicpatch.CreateThreeWayMergePatch` for built-in kinds,
//! `jsonmergepatch.CreateThreeWayJSONMergePatch` for custom resources). An empty patch (`{}`) is
//! what makes kubectl print `unchanged` instead of `configured`.

use serde_json::{Map, Value};

use super::merge_patch::{create_merge_patch, merge_patch};
use super::patch_meta::{root_type, Ty};
use super::strategic_merge::{diff_maps, merge_map, DiffOptions, MergeOptions, SmpError};
use super::PatchType;
use crate::golang::json::marshal as go_json_marshal;

/// The annotation kubectl keeps the last applied configuration in.
pub const LAST_APPLIED_CONFIG_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `CreateThreeWayMergePatch(original, modified, current, overwrite=true)`: the changes from
/// `current` to `modified` (no deletions), plus the deletions from `original` to `modified`.
/// Fields someone else added to the live object and that were never applied stay untouched.
pub fn create_three_way_merge_patch(
    kind: &str,
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Result<Map<String, Value>, SmpError> {
    let ty = root_type(kind).unwrap_or(Ty::Unknown);
    three_way_merge_map_patch(ty, original, modified, current)
}

/// [`create_three_way_merge_patch`] for a type of the merge-key table.
pub fn three_way_merge_map_patch(
    ty: Ty,
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Result<Map<String, Value>, SmpError> {
    let delta = diff_maps(
        current,
        modified,
        ty,
        DiffOptions {
            ignore_deletions: true,
            set_element_order: true,
            ..Default::default()
        },
    )?;
    let deletions = diff_maps(
        original,
        modified,
        ty,
        DiffOptions {
            set_element_order: true,
            ignore_changes_and_additions: true,
            ..Default::default()
        },
    )?;
    merge_map(deletions, delta, ty, MergeOptions::default())
}

/// `jsonmergepatch.CreateThreeWayJSONMergePatch`: the same idea with RFC 7396 patches, for kinds
/// without merge keys. Fails with mergepatch's conflict text when an addition and a deletion
/// touch the same field.
pub fn create_three_way_json_merge_patch(
    original: &Value,
    modified: &Value,
    current: &Value,
) -> Result<Value, String> {
    let mut add_and_change = create_merge_patch(current, modified);
    keep_or_delete_null(&mut add_and_change, false);
    let mut deletions = create_merge_patch(original, modified);
    keep_or_delete_null(&mut deletions, true);
    merge_patch(&deletions, &add_and_change)
}

/// `keepOrDeleteNullInObj`: keeps only the `null` leaves (the deletions) or drops them (the
/// additions and changes). A map left empty by the filtering is dropped; a map that was empty
/// in the patch is a value and stays among the additions.
fn keep_or_delete_null(v: &mut Value, keep_null: bool) {
    if let Value::Object(m) = v {
        *m = filter_nulls(m, keep_null);
    }
}

fn filter_nulls(m: &Map<String, Value>, keep_null: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in m {
        match v {
            Value::Null => {
                if keep_null {
                    out.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(sub) if sub.is_empty() => {
                if !keep_null {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(sub) => {
                let filtered = filter_nulls(sub, keep_null);
                if !filtered.is_empty() {
                    out.insert(k.clone(), Value::Object(filtered));
                }
            }
            _ => {
                if !keep_null {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    out
}

/// `GetModifiedConfiguration(obj, annotate=true)`: the configuration with its own JSON stored
/// in the last-applied annotation. Returns (the object kubectl sends, the annotation value).
/// The annotation is Go's `json.Marshal` form of the configuration without the annotation
/// (keys sorted, an `annotations: {}` left behind when there were none) plus a newline.
pub fn modified_configuration(config: &Value) -> (Value, String) {
    let mut obj = config.clone();
    let Some(root) = obj.as_object_mut() else {
        return (obj, String::new());
    };
    let metadata = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    let meta = metadata.as_object_mut().expect("made an object above");
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    annotations
        .as_object_mut()
        .expect("made an object above")
        .shift_remove(LAST_APPLIED_CONFIG_ANNOTATION);
    let annotation = format!("{}\n", go_json_marshal(&obj));
    obj["metadata"]["annotations"][LAST_APPLIED_CONFIG_ANNOTATION] =
        Value::String(annotation.clone());
    (obj, annotation)
}

/// `GetOriginalConfiguration`: the last-applied configuration stored on a live object; `None`
/// when the annotation is missing or empty, `Some(Err)` when it is not JSON.
pub fn original_configuration(live: &Value) -> Option<Result<Value, String>> {
    let text = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED_CONFIG_ANNOTATION))
        .and_then(Value::as_str)?;
    if text.is_empty() {
        return None;
    }
    Some(serde_json::from_str(text).map_err(|e| e.to_string()))
}

/// kubectl's warning when the live object has no last-applied annotation
/// (`warningNoLastAppliedConfigAnnotation`); `resource` is the plural resource name.
pub fn missing_annotation_warning(resource: &str, name: &str) -> String {
    format!(
        "Warning: resource {resource}/{name} is missing the {LAST_APPLIED_CONFIG_ANNOTATION} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n"
    )
}

/// What `kubectl apply` sends for an object that exists.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSideApply {
    /// Strategic merge patch for built-in kinds, merge patch otherwise.
    pub patch_type: PatchType,
    pub patch: Value,
    /// The patch body as kubectl writes it (Go's `json.Marshal`).
    pub body: String,
    /// The patch is `{}`: kubectl prints `<kind>/<name> unchanged` and sends nothing.
    pub unchanged: bool,
    /// The live object had no last-applied annotation (kubectl warns, see
    /// [`missing_annotation_warning`]).
    pub missing_annotation: bool,
}

/// The patch `kubectl apply` computes from the new configuration and the live object.
/// `builtin` says whether `kind` is a built-in kind (strategic merge) or not (merge patch).
pub fn kubectl_apply_patch(
    kind: &str,
    builtin: bool,
    new_config: &Value,
    live: &Value,
) -> Result<ClientSideApply, String> {
    let (modified, _) = modified_configuration(new_config);
    let (original, missing_annotation) = match original_configuration(live) {
        None => (Value::Object(Map::new()), true),
        Some(Ok(v)) => (v, false),
        Some(Err(e)) => return Err(e),
    };
    let empty = Map::new();
    let as_map = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    let (patch_type, patch) = if builtin {
        let patch = create_three_way_merge_patch(
            kind,
            &as_map(&original),
            &as_map(&modified),
            &as_map(live),
        )
        .map_err(|e| e.to_string())?;
        (PatchType::StrategicMerge, Value::Object(patch))
    } else {
        (
            PatchType::Merge,
            create_three_way_json_merge_patch(&original, &modified, live)?,
        )
    };
    let body = go_json_marshal(&patch);
    Ok(ClientSideApply {
        patch_type,
        unchanged: body == "{}",
        body,
        patch,
        missing_annotation,
    })
}
