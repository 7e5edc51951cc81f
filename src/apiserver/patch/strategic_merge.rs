//! Strategic merge patch (`application/strategic-merge-patch+json`): a port of
//! `k8s.io/apimachinery/pkg/util/strategicpatch` over `serde_json::Value`, with the merge keys of
//! [`super::patch_meta`] in place of Go struct tags.
//!
//! Applying (`StrategicMergeMapPatch`): maps merge recursively and `null` deletes a key; lists
//! tagged `patchStrategy:"merge"` merge by their merge key (lists of scalars as sets), other lists
//! are replaced. Directives: `$patch: replace|delete` in a map, `{"$patch": "replace"}` and
//! `{"$patch": "delete", <key>: ...}` items in a list, `$retainKeys`,
//! `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`.
//!
//! Diffing (`diffMaps`): the patch that turns one object into another, used by kubectl's
//! two- and three-way merges.
//!
//! Checked against kubectl 1.33's `patch --local` (same code) on recorded and random patches,
//! including the list orders that come from Go's slice aliasing. One thing cannot match: Go
//! visits a patch's keys in random order, so a patch that both merges into and deletes from
//! the same list (`finalizers` and `$deleteFromPrimitiveList/finalizers`) has no single real
//! answer; here keys are taken in the patch's order.

use serde_json::{Map, Value};

use super::patch_meta::{field, root_type, Ty};
use super::PatchError;
use crate::golang::fmt::{go_type, same_go_type, v as go_v};

const DIRECTIVE_MARKER: &str = "$patch";
const DELETE_DIRECTIVE: &str = "delete";
const REPLACE_DIRECTIVE: &str = "replace";
const MERGE_DIRECTIVE: &str = "merge";
const RETAIN_KEYS_STRATEGY: &str = "retainKeys";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX: &str = "$deleteFromPrimitiveList";
const RETAIN_KEYS_DIRECTIVE: &str = "$retainKeys";
const SET_ELEMENT_ORDER_PREFIX: &str = "$setElementOrder";

/// The errors of `k8s.io/apimachinery/pkg/util/mergepatch`, and the plain errors of
/// strategicpatch, with the status kube-apiserver gives each (`interpretStrategicMergePatchError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmpError {
    BadJsonDoc,
    NoListOfLists,
    BadPatchFormatForPrimitiveList,
    BadPatchFormatForRetainKeys,
    BadPatchFormatForSetElementOrderList,
    PatchContentNotMatchRetainKeys,
    UnsupportedStrategicMergePatchFormat,
    /// Any other error: the server answers 500 with its text.
    Other(String),
}

impl std::fmt::Display for SmpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SmpError::BadJsonDoc => "invalid JSON document",
            SmpError::NoListOfLists => "lists of lists are not supported",
            SmpError::BadPatchFormatForPrimitiveList => "invalid patch format of primitive list",
            SmpError::BadPatchFormatForRetainKeys => "invalid patch format of retainKeys",
            SmpError::BadPatchFormatForSetElementOrderList => {
                "invalid patch format of setElementOrder list"
            }
            SmpError::PatchContentNotMatchRetainKeys => {
                "patch content doesn't match retainKeys list"
            }
            SmpError::UnsupportedStrategicMergePatchFormat => {
                "strategic merge patch format is not supported"
            }
            SmpError::Other(s) => s,
        })
    }
}

impl SmpError {
    /// `interpretStrategicMergePatchError`.
    pub fn to_patch_error(&self) -> PatchError {
        match self {
            SmpError::BadJsonDoc
            | SmpError::BadPatchFormatForPrimitiveList
            | SmpError::BadPatchFormatForRetainKeys
            | SmpError::BadPatchFormatForSetElementOrderList
            | SmpError::UnsupportedStrategicMergePatchFormat => {
                PatchError::bad_request(self.to_string())
            }
            SmpError::NoListOfLists | SmpError::PatchContentNotMatchRetainKeys => {
                PatchError::unprocessable(self.to_string())
            }
            SmpError::Other(s) => PatchError::internal(s.clone()),
        }
    }
}

type R<T> = Result<T, SmpError>;

/// `mergepatch.ErrBadArgType(expected, actual)`.
fn err_bad_arg_type(expected: &str, actual: &Value) -> SmpError {
    SmpError::Other(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

/// `mergepatch.ErrNoMergeKey(m, k)`.
fn err_no_merge_key(m: &Map<String, Value>, k: &str) -> SmpError {
    SmpError::Other(format!(
        "map: {} does not contain declared merge key: {k}",
        go_v(&Value::Object(m.clone()))
    ))
}

/// `mergepatch.ErrBadPatchType(t, m)`.
fn err_bad_patch_type(t: &Value, m: &Map<String, Value>) -> SmpError {
    SmpError::Other(format!(
        "unknown patch type: {} in map: {}",
        go_v(t),
        go_v(&Value::Object(m.clone()))
    ))
}

const MAP_TYPE: &str = "map[string]interface {}";
const SLICE_TYPE: &str = "[]interface {}";

/// Options of `mergeMap` (`strategicpatch.MergeOptions`).
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Apply `$deleteFromPrimitiveList` and `$setElementOrder` (server side) rather than carry
    /// them along (client side, when merging two patches).
    pub merge_parallel_list: bool,
    /// Drop `null`s that match nothing instead of keeping them in the result.
    pub ignore_unmatched_nulls: bool,
}

/// Applies a strategic merge patch to an object of `kind` as kube-apiserver does: the body must
/// be a JSON object; failures carry the server's status. Kinds the table does not know are
/// patched with no list merge keys (maps merge, lists are replaced).
pub fn strategic_merge_patch(
    kind: &str,
    original: &Value,
    patch: &Value,
) -> Result<Value, PatchError> {
    let patch_map = match patch {
        Value::Object(m) => m.clone(),
        // Decoding `null` into a map leaves it empty.
        Value::Null => Map::new(),
        other => {
            return Err(PatchError::bad_request(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                match other {
                    Value::Array(_) => "array",
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    _ => "bool",
                }
            )))
        }
    };
    let original_map = match original {
        Value::Object(m) => m.clone(),
        _ => return Err(SmpError::BadJsonDoc.to_patch_error()),
    };
    let ty = root_type(kind).unwrap_or(Ty::Unknown);
    strategic_merge_map_patch(original_map, patch_map, ty)
        .map(Value::Object)
        .map_err(|e| e.to_patch_error())
}

/// `StrategicMergeMapPatch`: the server-side merge.
pub fn strategic_merge_map_patch(
    original: Map<String, Value>,
    patch: Map<String, Value>,
    ty: Ty,
) -> R<Map<String, Value>> {
    merge_map(
        original,
        patch,
        ty,
        MergeOptions {
            merge_parallel_list: true,
            ignore_unmatched_nulls: true,
        },
    )
}

fn handle_directive_in_merge_map(
    directive: &Value,
    mut patch: Map<String, Value>,
) -> R<Map<String, Value>> {
    if directive == REPLACE_DIRECTIVE {
        patch.shift_remove(DIRECTIVE_MARKER);
        return Ok(patch);
    }
    if directive == DELETE_DIRECTIVE {
        return Ok(Map::new());
    }
    Err(err_bad_patch_type(directive, &patch))
}

/// `discardNullValuesFromPatch`: a value taken whole from the patch keeps no `null` members.
fn discard_null_values(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, v| !v.is_null());
            m.values_mut().for_each(discard_null_values);
        }
        Value::Array(items) => items.iter_mut().for_each(discard_null_values),
        _ => {}
    }
}

/// A patch value taken whole, with nothing to merge it into: its unmatched nulls are dropped
/// (server side) and its directives removed. `None` when the value itself carries `$patch`.
fn new_value(mut v: Value, opts: MergeOptions) -> Option<Value> {
    if opts.ignore_unmatched_nulls {
        discard_null_values(&mut v);
    }
    remove_directives(v)
}

/// `removeDirectives`: a map carrying `$patch` is dropped whole, also as a list item.
fn remove_directives(v: Value) -> Option<Value> {
    match v {
        Value::Object(m) => {
            if m.contains_key(DIRECTIVE_MARKER) {
                return None;
            }
            Some(Value::Object(
                m.into_iter()
                    .filter_map(|(k, v)| remove_directives(v).map(|v| (k, v)))
                    .collect(),
            ))
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

/// `mergeMap`: merges `patch` into `original`.
pub fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: Ty,
    opts: MergeOptions,
) -> R<Map<String, Value>> {
    if let Some(directive) = patch.get(DIRECTIVE_MARKER).cloned() {
        return handle_directive_in_merge_map(&directive, patch);
    }
    apply_retain_keys_directive(&mut original, &mut patch, opts)?;
    merge_patch_into_original(&mut original, &mut patch, ty, opts)?;

    for (k, patch_v) in patch {
        let mut k = k;
        let mut is_delete_list = false;
        if k.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX) {
            if !opts.merge_parallel_list {
                original.insert(k, patch_v);
                continue;
            }
            k = extract_key(&k, DELETE_FROM_PRIMITIVE_LIST_PREFIX)?;
            is_delete_list = true;
        }

        if patch_v.is_null() {
            original.shift_remove(&k);
            if opts.ignore_unmatched_nulls {
                continue;
            }
        }

        let Some(orig_v) = original.get_mut(&k) else {
            if !is_delete_list {
                if let Some(v) = new_value(patch_v, opts) {
                    original.insert(k, v);
                }
            }
            continue;
        };
        if !same_go_type(orig_v, &patch_v) {
            if !is_delete_list {
                match new_value(patch_v, opts) {
                    Some(v) => *orig_v = v,
                    None => {
                        original.shift_remove(&k);
                    }
                }
            }
            continue;
        }
        let meta = field(ty, &k);
        let (_, strategy) = extract_retain_keys_patch_strategy(meta.patch_strategy)?;
        let merged = match (std::mem::take(orig_v), patch_v) {
            (Value::Object(o), Value::Object(p)) => {
                if strategy != REPLACE_DIRECTIVE {
                    Value::Object(merge_map(o, p, meta.ty, opts)?)
                } else {
                    Value::Object(p)
                }
            }
            (Value::Array(o), Value::Array(p)) => Value::Array(merge_slice_handler(
                o,
                p,
                meta.ty,
                strategy,
                meta.merge_key,
                is_delete_list,
                opts,
            )?),
            (_, p) => p,
        };
        original.insert(k, merged);
    }
    Ok(original)
}

/// Splits a `patchStrategy` tag into (has retainKeys, the other strategy).
fn extract_retain_keys_patch_strategy(tag: &'static str) -> R<(bool, &'static str)> {
    let strategies: Vec<&'static str> = if tag.is_empty() {
        Vec::new()
    } else {
        tag.split(',').collect()
    };
    match strategies.as_slice() {
        [] => Ok((false, "")),
        [one] if *one == RETAIN_KEYS_STRATEGY => Ok((true, "")),
        [one] => Ok((false, one)),
        [a, b] if *a == RETAIN_KEYS_STRATEGY => Ok((true, b)),
        [a, b] if *b == RETAIN_KEYS_STRATEGY => Ok((true, a)),
        _ => Err(SmpError::Other(format!(
            "unexpected patch strategy: [{}]",
            strategies.join(" ")
        ))),
    }
}

/// `extractKey`: the field a `$deleteFromPrimitiveList/x` or `$setElementOrder/x` key names.
fn extract_key(s: &str, prefix: &str) -> R<String> {
    match s.split_once('/') {
        Some((p, rest)) if p == prefix => Ok(rest.to_string()),
        _ => Err(if prefix == DELETE_FROM_PRIMITIVE_LIST_PREFIX {
            SmpError::BadPatchFormatForPrimitiveList
        } else {
            SmpError::BadPatchFormatForSetElementOrderList
        }),
    }
}

/// `applyRetainKeysDirective`.
fn apply_retain_keys_directive(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    opts: MergeOptions,
) -> R<()> {
    let Some(retain) = patch.shift_remove(RETAIN_KEYS_DIRECTIVE) else {
        return Ok(());
    };
    if !opts.merge_parallel_list {
        match original.get(RETAIN_KEYS_DIRECTIVE) {
            Some(in_original) if *in_original != retain => {
                return Err(SmpError::Other(format!(
                    "{} and {} are not deep equal: this may happen when calculating the 3-way diff patch",
                    go_v(in_original),
                    go_v(&retain)
                )))
            }
            Some(_) => {}
            None => {
                original.insert(RETAIN_KEYS_DIRECTIVE.into(), retain);
            }
        }
        return Ok(());
    }
    let Value::Array(list) = retain else {
        return Err(SmpError::BadPatchFormatForRetainKeys);
    };
    let retained = |k: &str| list.iter().any(|v| v.as_str() == Some(k));
    for (k, v) in patch.iter() {
        if v.is_null()
            || k.starts_with(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
            || k.starts_with(SET_ELEMENT_ORDER_PREFIX)
        {
            continue;
        }
        if !retained(k) {
            return Err(SmpError::BadPatchFormatForRetainKeys);
        }
    }
    original.retain(|k, _| retained(k));
    Ok(())
}

/// `mergePatchIntoOriginal`: processes the `$setElementOrder/<field>` lists.
fn merge_patch_into_original(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: Ty,
    opts: MergeOptions,
) -> R<()> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER_PREFIX))
        .cloned()
        .collect();
    for key in keys {
        let Some(set_order_in_patch) = patch.shift_remove(&key) else {
            continue;
        };
        if !opts.merge_parallel_list {
            match original.get(&key) {
                Some(in_original) if *in_original != set_order_in_patch => {
                    return Err(SmpError::BadPatchFormatForSetElementOrderList)
                }
                Some(_) => {}
                None => {
                    original.insert(key.clone(), set_order_in_patch.clone());
                }
            }
        }
        let Value::Array(set_order) = set_order_in_patch else {
            return Err(err_bad_arg_type(SLICE_TYPE, &set_order_in_patch));
        };
        let original_key = extract_key(&key, SET_ELEMENT_ORDER_PREFIX)?;
        let original_list = original.get(&original_key).cloned();
        let patch_list = patch.get(&original_key).cloned();
        let original_field: Vec<Value> = match &original_list {
            Some(Value::Array(a)) => a.clone(),
            Some(other) => return Err(err_bad_arg_type(SLICE_TYPE, other)),
            None => Vec::new(),
        };
        let patch_field: Vec<Value> = match &patch_list {
            Some(Value::Array(a)) => a.clone(),
            Some(other) => return Err(err_bad_arg_type(SLICE_TYPE, other)),
            None => Vec::new(),
        };
        let meta = field(ty, &original_key);
        let (_, strategy) = extract_retain_keys_patch_strategy(meta.patch_strategy)?;
        let merge_key = meta.merge_key;
        validate_patch_with_set_order_list(&patch_field, &set_order, merge_key)?;

        let merged = match (original_list.is_some(), patch_list.is_some()) {
            (true, false) => original_field.clone(),
            (false, true) => patch_field.clone(),
            (true, true) => merge_slice_handler(
                original_field.clone(),
                patch_field.clone(),
                meta.ty,
                strategy,
                merge_key,
                false,
                opts,
            )?,
            (false, false) => continue,
        };

        let (patch_items, server_only) = if merge_key.is_empty() {
            partition_primitives_by_present_in_list(&merged, &set_order)
        } else {
            partition_maps_by_present_in_list(&merged, &set_order, merge_key)?
        };
        let kind = slice_element_type(&[&original_field, &patch_field])?;
        // Go's mergeSlice edits the live list's backing array in place, and this function then
        // orders by that array: replay those edits so items land where the server puts them.
        let server_order = if original_list.is_some()
            && patch_list.is_some()
            && kind == ElemKind::Map
            && strategy == MERGE_DIRECTIVE
        {
            aliased_live_order(&original_field, &patch_field, merge_key)
        } else {
            original_field.clone()
        };
        let both = normalize_element_order(
            patch_items,
            server_only,
            &set_order,
            &server_order,
            merge_key,
            kind,
        )?;
        original.insert(original_key.clone(), Value::Array(both));
        patch.shift_remove(&original_key);
    }
    Ok(())
}

/// What the live list looks like, through Go's slice aliasing, after `mergeSlice` ran on it:
/// each `$patch: delete` item removes its matches with `append(s[:k], s[k+1:]...)` (shifting the
/// rest left and leaving the last slot stale), and each new patch item is appended into the
/// freed slots. The length stays the live list's; capacity never matters, because every write
/// inside that length fits the original array.
fn aliased_live_order(live: &[Value], patch: &[Value], merge_key: &str) -> Vec<Value> {
    let n = live.len();
    let mut backing = live.to_vec();
    let mut len = n;
    let key_of = |v: &Value| v.as_object().and_then(|m| m.get(merge_key)).cloned();
    let mut replace = false;
    for item in patch {
        match item.get(DIRECTIVE_MARKER) {
            Some(d) if d == DELETE_DIRECTIVE => {
                let Some(key) = key_of(item) else { continue };
                while let Some(k) = backing[..len]
                    .iter()
                    .position(|v| key_of(v).as_ref() == Some(&key))
                {
                    for i in k..len - 1 {
                        backing[i] = backing[i + 1].clone();
                    }
                    len -= 1;
                }
            }
            Some(d) if d == REPLACE_DIRECTIVE => replace = true,
            _ => {}
        }
    }
    if replace {
        return backing;
    }
    for item in patch.iter().filter(|v| !contains_directive_marker(v)) {
        let key = key_of(item);
        if backing[..len.min(n)].iter().any(|v| key_of(v) == key) {
            continue;
        }
        if len < n {
            backing[len] = item.clone();
        }
        len += 1;
    }
    backing
}

/// `validatePatchWithSetOrderList`: the patch list's items must appear in the
/// `$setElementOrder` list, in the same relative order.
fn validate_patch_with_set_order_list(
    patch_list: &[Value],
    set_order: &[Value],
    merge_key: &str,
) -> R<()> {
    if set_order.is_empty() || patch_list.is_empty() {
        return Ok(());
    }
    let non_delete: Vec<Value> = if merge_key.is_empty() {
        patch_list.to_vec()
    } else {
        extract_to_delete_items(patch_list)?.0
    };
    let (mut pi, mut si) = (0, 0);
    while pi < non_delete.len() && si < set_order.len() {
        if contains_directive_marker(&non_delete[pi]) {
            pi += 1;
            continue;
        }
        if merge_key_value_equal(&non_delete[pi], &set_order[si], merge_key)? {
            pi += 1;
        }
        si += 1;
    }
    if pi < non_delete.len() && si >= set_order.len() {
        return Err(SmpError::Other(format!(
            "The order in patch list:\n{}\n doesn't match {SET_ELEMENT_ORDER_PREFIX} list:\n{}\n",
            go_v(&Value::Array(patch_list.to_vec())),
            go_v(&Value::Array(set_order.to_vec()))
        )));
    }
    Ok(())
}

fn contains_directive_marker(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.contains_key(DIRECTIVE_MARKER))
}

/// `mergeKeyValueEqual`.
fn merge_key_value_equal(left: &Value, right: &Value, merge_key: &str) -> R<bool> {
    if merge_key.is_empty() {
        return Ok(left == right);
    }
    let l = left
        .as_object()
        .ok_or_else(|| err_bad_arg_type(MAP_TYPE, left))?;
    let r = right
        .as_object()
        .ok_or_else(|| err_bad_arg_type(MAP_TYPE, right))?;
    let lk = l
        .get(merge_key)
        .ok_or_else(|| err_no_merge_key(l, merge_key))?;
    let rk = r
        .get(merge_key)
        .ok_or_else(|| err_no_merge_key(r, merge_key))?;
    Ok(lk == rk)
}

fn partition_primitives_by_present_in_list(
    original: &[Value],
    partition_by: &[Value],
) -> (Vec<Value>, Vec<Value>) {
    original
        .iter()
        .cloned()
        .partition(|v| partition_by.contains(v))
}

fn partition_maps_by_present_in_list(
    original: &[Value],
    partition_by: &[Value],
    merge_key: &str,
) -> R<(Vec<Value>, Vec<Value>)> {
    let mut patch = Vec::new();
    let mut server_only = Vec::new();
    for v in original {
        let m = v.as_object().ok_or_else(|| err_bad_arg_type(MAP_TYPE, v))?;
        let key_value = m
            .get(merge_key)
            .ok_or_else(|| err_no_merge_key(m, merge_key))?;
        if find_map_in_slice(partition_by, merge_key, key_value)?.is_some() {
            patch.push(v.clone());
        } else {
            server_only.push(v.clone());
        }
    }
    Ok((patch, server_only))
}

/// `findMapInSliceBasedOnKeyValue`: the index of the first map whose `key` equals `value`.
fn find_map_in_slice(list: &[Value], key: &str, value: &Value) -> R<Option<usize>> {
    for (i, v) in list.iter().enumerate() {
        let m = v
            .as_object()
            .ok_or_else(|| SmpError::Other(format!("value for key {i} is not a map.")))?;
        if m.get(key) == Some(value) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// The element kind of a list, as `sliceElementType` checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElemKind {
    Map,
    Scalar,
}

/// `sliceElementType`: all items of all lists must have one Go type, and not be lists.
fn slice_element_type(slices: &[&[Value]]) -> R<ElemKind> {
    let mut prev: Option<&Value> = None;
    for s in slices {
        for v in s.iter() {
            match prev {
                None => {
                    if v.is_array() {
                        return Err(SmpError::NoListOfLists);
                    }
                    prev = Some(v);
                }
                Some(p) => {
                    if !same_go_type(p, v) {
                        let all =
                            Value::Array(slices.iter().map(|s| Value::Array(s.to_vec())).collect());
                        return Err(SmpError::Other(format!(
                            "list element types are not identical: {}",
                            go_v(&all)
                        )));
                    }
                }
            }
        }
    }
    match prev {
        None => Err(SmpError::Other(
            "no elements in any of the given slices".into(),
        )),
        Some(Value::Object(_)) => Ok(ElemKind::Map),
        Some(_) => Ok(ElemKind::Scalar),
    }
}

/// `mergeSliceHandler`.
fn merge_slice_handler(
    original: Vec<Value>,
    patch: Vec<Value>,
    elem_ty: Ty,
    strategy: &str,
    merge_key: &'static str,
    is_delete_list: bool,
    opts: MergeOptions,
) -> R<Vec<Value>> {
    // Deletion lists apply whatever the field's strategy is.
    if strategy == MERGE_DIRECTIVE || is_delete_list {
        merge_slice(original, patch, elem_ty, merge_key, opts, is_delete_list)
    } else {
        Ok(patch)
    }
}

/// `mergeSlice`.
fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    elem_ty: Ty,
    merge_key: &str,
    opts: MergeOptions,
    is_delete_list: bool,
) -> R<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = slice_element_type(&[&original, &patch])?;
    let (original, patch, merged) = if kind == ElemKind::Scalar {
        if opts.merge_parallel_list && is_delete_list {
            return Ok(delete_from_slice(&original, &patch));
        }
        let mut both = original.clone();
        both.extend(patch.iter().cloned());
        (original, patch, deduplicate_scalars(both))
    } else {
        if merge_key.is_empty() {
            return Err(SmpError::Other(
                "cannot merge lists without merge key for type struct".into(),
            ));
        }
        let (original, patch) = merge_slice_with_special_elements(original, patch, merge_key)?;
        let merged = merge_slice_without_special_elements(
            original.clone(),
            &patch,
            merge_key,
            elem_ty,
            opts,
        )?;
        (original, patch, merged)
    };
    let (patch_items, server_only) = if merge_key.is_empty() {
        partition_primitives_by_present_in_list(&merged, &patch)
    } else {
        partition_maps_by_present_in_list(&merged, &patch, merge_key)?
    };
    normalize_element_order(patch_items, server_only, &patch, &original, merge_key, kind)
}

/// `mergeSliceWithSpecialElements`: applies `$patch` items of a list of maps.
fn merge_slice_with_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
) -> R<(Vec<Value>, Vec<Value>)> {
    let mut without_special = Vec::new();
    let mut replace = false;
    for v in patch {
        let Some(m) = v.as_object() else {
            return Err(err_bad_arg_type(MAP_TYPE, &v));
        };
        match m.get(DIRECTIVE_MARKER) {
            None => without_special.push(v),
            Some(d) if d == DELETE_DIRECTIVE => {
                let Some(merge_value) = m.get(merge_key) else {
                    return Err(err_no_merge_key(m, merge_key));
                };
                while let Some(i) = find_map_in_slice(&original, merge_key, merge_value)? {
                    original.remove(i);
                }
            }
            Some(d) if d == REPLACE_DIRECTIVE => replace = true,
            Some(d) if d == MERGE_DIRECTIVE => {
                return Err(SmpError::Other(
                    "merging lists cannot yet be specified in the patch".into(),
                ))
            }
            Some(d) => return Err(err_bad_patch_type(d, m)),
        }
    }
    if replace {
        return Ok((without_special, Vec::new()));
    }
    Ok((original, without_special))
}

/// `mergeSliceWithoutSpecialElements`: merges items with equal merge keys, appends the rest.
fn merge_slice_without_special_elements(
    mut original: Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    elem_ty: Ty,
    opts: MergeOptions,
) -> R<Vec<Value>> {
    for v in patch {
        let Some(m) = v.as_object() else {
            return Err(err_bad_arg_type(MAP_TYPE, v));
        };
        let Some(merge_value) = m.get(merge_key) else {
            return Err(err_no_merge_key(m, merge_key));
        };
        match find_map_in_slice(&original, merge_key, merge_value)? {
            Some(i) => {
                let orig = match std::mem::take(&mut original[i]) {
                    Value::Object(o) => o,
                    _ => Map::new(),
                };
                original[i] = Value::Object(merge_map(orig, m.clone(), elem_ty, opts)?);
            }
            None => original.push(v.clone()),
        }
    }
    Ok(original)
}

/// `deleteFromSlice`.
fn delete_from_slice(current: &[Value], to_delete: &[Value]) -> Vec<Value> {
    current
        .iter()
        .filter(|v| !to_delete.contains(v))
        .cloned()
        .collect()
}

/// `deduplicateScalars`, including its way of filling a hole with the last item.
fn deduplicate_scalars(mut s: Vec<Value>) -> Vec<Value> {
    if s.is_empty() {
        return s;
    }
    let mut length = s.len() - 1;
    let mut i = 0;
    while i < length {
        let mut j = i + 1;
        while j <= length {
            if s[i] == s[j] {
                s[j] = s[length].clone();
                s.truncate(length);
                length -= 1;
                continue;
            }
            j += 1;
        }
        i += 1;
    }
    s
}

/// `index`: the position of `val` in `list` (by merge key value for maps).
fn index(list: &[Value], val: &Value, merge_key: &str, kind: ElemKind) -> Option<usize> {
    let get = |item: &Value| -> Option<Value> {
        match kind {
            ElemKind::Map => item.as_object().and_then(|m| m.get(merge_key)).cloned(),
            ElemKind::Scalar => Some(item.clone()),
        }
    };
    let target = get(val);
    list.iter().position(|v| get(v) == target)
}

/// `extractToDeleteItems`: (items to keep, `$patch: delete` items).
fn extract_to_delete_items(list: &[Value]) -> R<(Vec<Value>, Vec<Value>)> {
    let mut keep = Vec::new();
    let mut delete = Vec::new();
    for v in list {
        let m = v.as_object().ok_or_else(|| err_bad_arg_type(MAP_TYPE, v))?;
        if m.get(DIRECTIVE_MARKER)
            .is_some_and(|d| d == DELETE_DIRECTIVE)
        {
            delete.push(v.clone());
        } else {
            keep.push(v.clone());
        }
    }
    Ok((keep, delete))
}

/// `validateMergeKeyInLists`.
fn validate_merge_key_in_lists(merge_key: &str, lists: &[&[Value]]) -> R<()> {
    for list in lists {
        for item in list.iter() {
            let m = item
                .as_object()
                .ok_or_else(|| err_bad_arg_type(MAP_TYPE, item))?;
            if !m.contains_key(merge_key) {
                return Err(err_no_merge_key(m, merge_key));
            }
        }
    }
    Ok(())
}

/// `normalizeSliceOrder`: sorts `to_sort` by the positions in `order` (Go's `sort.SliceStable`
/// with its comparator, which calls an item missing from `order` "less"), deletions last.
fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> R<Vec<Value>> {
    let (mut to_sort, to_delete) = if kind == ElemKind::Map {
        validate_merge_key_in_lists(merge_key, &[&to_sort, order])?;
        extract_to_delete_items(&to_sort)?
    } else {
        (to_sort, Vec::new())
    };
    let positions: Vec<Option<usize>> = to_sort
        .iter()
        .map(|v| index(order, v, merge_key, kind))
        .collect();
    let mut idx: Vec<usize> = (0..to_sort.len()).collect();
    let less = |a: usize, b: usize| match (positions[a], positions[b]) {
        (Some(x), Some(y)) => x < y,
        _ => true,
    };
    // Insertion sort, as sort.SliceStable does for short lists.
    for i in 1..idx.len() {
        let mut j = i;
        while j > 0 && less(idx[j], idx[j - 1]) {
            idx.swap(j, j - 1);
            j -= 1;
        }
    }
    let mut sorted: Vec<Value> = idx
        .into_iter()
        .map(|i| std::mem::take(&mut to_sort[i]))
        .collect();
    sorted.extend(to_delete);
    Ok(sorted)
}

/// `normalizeElementOrder`: orders patch items by the patch, server-only items by the live
/// list, then interleaves them (`mergeSortedSlice`).
fn normalize_element_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> R<Vec<Value>> {
    let patch = normalize_slice_order(patch, patch_order, merge_key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, merge_key, kind)?;
    Ok(merge_sorted_slice(
        server_only,
        patch,
        server_order,
        merge_key,
        kind,
    ))
}

/// `mergeSortedSlice`.
fn merge_sorted_slice(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> Vec<Value> {
    let size = left.len() + right.len();
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(size);
    for _ in 0..size {
        if i >= left.len() && j < right.len() {
            out.push(right[j].clone());
            j += 1;
        } else if j >= right.len() && i < left.len() {
            out.push(left[i].clone());
            i += 1;
        } else {
            let li = index(server_order, &left[i], merge_key, kind);
            let ri = index(server_order, &right[j], merge_key, kind);
            let left_first = matches!((li, ri), (Some(a), Some(b)) if a < b);
            if left_first {
                out.push(left[i].clone());
                i += 1;
            } else {
                out.push(right[j].clone());
                j += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Diffing
// ---------------------------------------------------------------------------------------------

/// Options of `diffMaps` (`strategicpatch.DiffOptions`).
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions {
    /// Generate `$setElementOrder/<field>` lists.
    pub set_element_order: bool,
    /// Leave changes and additions out of the patch.
    pub ignore_changes_and_additions: bool,
    /// Leave deletions out of the patch.
    pub ignore_deletions: bool,
    /// Emit a `$retainKeys` list (for fields tagged `retainKeys`).
    pub build_retain_keys_directive: bool,
}

/// `CreateTwoWayMergeMapPatch`: the strategic merge patch that turns `original` into
/// `modified`.
pub fn create_two_way_merge_patch(
    kind: &str,
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
) -> R<Map<String, Value>> {
    two_way_merge_map_patch(root_type(kind).unwrap_or(Ty::Unknown), original, modified)
}

/// [`create_two_way_merge_patch`] for a type of the merge-key table.
pub fn two_way_merge_map_patch(
    ty: Ty,
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
) -> R<Map<String, Value>> {
    diff_maps(
        original,
        modified,
        ty,
        DiffOptions {
            set_element_order: true,
            ..Default::default()
        },
    )
}

/// `sortScalars`: by the `%v` text of each item.
fn sort_scalars(mut s: Vec<Value>) -> Vec<Value> {
    s.sort_by_key(go_v);
    s
}

/// `diffMaps`.
pub fn diff_maps(
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    ty: Ty,
    opts: DiffOptions,
) -> R<Map<String, Value>> {
    let mut patch = Map::new();
    let mut retain_keys_list: Vec<Value> = Vec::new();
    for (key, modified_value) in modified {
        if opts.build_retain_keys_directive && !modified_value.is_null() {
            retain_keys_list.push(Value::String(key.clone()));
        }
        let Some(original_value) = original.get(key) else {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        };
        if key == DIRECTIVE_MARKER {
            let (Some(o), Some(m)) = (original_value.as_str(), modified_value.as_str()) else {
                return Err(SmpError::Other(format!(
                    "invalid value for special key: {DIRECTIVE_MARKER}"
                )));
            };
            if o != m {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        }
        if !same_go_type(original_value, modified_value) {
            if !opts.ignore_changes_and_additions {
                patch.insert(key.clone(), modified_value.clone());
            }
            continue;
        }
        match (original_value, modified_value) {
            (Value::Object(o), Value::Object(m)) => {
                handle_map_diff(key, o, m, &mut patch, ty, opts)?
            }
            (Value::Array(o), Value::Array(m)) => {
                handle_slice_diff(key, o, m, &mut patch, ty, opts)?
            }
            _ => replace_patch_field_if_not_equal(
                key,
                original_value,
                modified_value,
                &mut patch,
                opts,
            ),
        }
    }
    if !opts.ignore_deletions {
        for key in original.keys() {
            if !modified.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    if !retain_keys_list.is_empty()
        && (!patch.is_empty() || has_additional_new_field(original, modified))
    {
        patch.insert(
            RETAIN_KEYS_DIRECTIVE.into(),
            Value::Array(sort_scalars(retain_keys_list)),
        );
    }
    Ok(patch)
}

fn has_additional_new_field(original: &Map<String, Value>, modified: &Map<String, Value>) -> bool {
    original
        .iter()
        .any(|(k, v)| !v.is_null() && !modified.contains_key(k))
}

fn replace_patch_field_if_not_equal(
    key: &str,
    original: &Value,
    modified: &Value,
    patch: &mut Map<String, Value>,
    opts: DiffOptions,
) {
    if opts.ignore_changes_and_additions || original == modified {
        return;
    }
    patch.insert(key.to_string(), modified.clone());
}

fn handle_map_diff(
    key: &str,
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: Ty,
    mut opts: DiffOptions,
) -> R<()> {
    let meta = field(ty, key);
    let (retain_keys, strategy) = extract_retain_keys_patch_strategy(meta.patch_strategy)?;
    opts.build_retain_keys_directive = retain_keys;
    if strategy == REPLACE_DIRECTIVE {
        if !opts.ignore_changes_and_additions {
            patch.insert(key.to_string(), Value::Object(modified.clone()));
        }
        return Ok(());
    }
    let sub = diff_maps(original, modified, meta.ty, opts)?;
    if !sub.is_empty() {
        patch.insert(key.to_string(), Value::Object(sub));
    }
    Ok(())
}

fn handle_slice_diff(
    key: &str,
    original: &[Value],
    modified: &[Value],
    patch: &mut Map<String, Value>,
    ty: Ty,
    mut opts: DiffOptions,
) -> R<()> {
    let meta = field(ty, key);
    let (retain_keys, strategy) = extract_retain_keys_patch_strategy(meta.patch_strategy)?;
    if strategy != MERGE_DIRECTIVE {
        replace_patch_field_if_not_equal(
            key,
            &Value::Array(original.to_vec()),
            &Value::Array(modified.to_vec()),
            patch,
            opts,
        );
        return Ok(());
    }
    opts.build_retain_keys_directive = retain_keys;
    let (add, delete, set_order) = diff_lists(original, modified, meta.ty, meta.merge_key, opts)?;
    if !add.is_empty() {
        patch.insert(key.to_string(), Value::Array(add));
    }
    if !delete.is_empty() {
        patch.insert(
            format!("{DELETE_FROM_PRIMITIVE_LIST_PREFIX}/{key}"),
            Value::Array(delete),
        );
    }
    if !set_order.is_empty() {
        patch.insert(
            format!("{SET_ELEMENT_ORDER_PREFIX}/{key}"),
            Value::Array(set_order),
        );
    }
    Ok(())
}

type Lists = (Vec<Value>, Vec<Value>, Vec<Value>);

/// `diffLists`: (patch list, parallel deletion list, `$setElementOrder` list).
fn diff_lists(
    original: &[Value],
    modified: &[Value],
    elem_ty: Ty,
    merge_key: &str,
    opts: DiffOptions,
) -> R<Lists> {
    if original.is_empty() {
        if modified.is_empty() || opts.ignore_changes_and_additions {
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        }
        return Ok((modified.to_vec(), Vec::new(), Vec::new()));
    }
    let kind = slice_element_type(&[original, modified])?;
    match kind {
        ElemKind::Map => {
            let (patch_list, delete_list) =
                diff_lists_of_maps(original, modified, elem_ty, merge_key, opts)?;
            let mut patch_list = normalize_slice_order(patch_list, modified, merge_key, kind)?;
            let order_same = is_order_same(original, modified, merge_key)?;
            patch_list.extend(delete_list);
            let mut set_order = Vec::new();
            if opts.set_element_order
                && ((!opts.ignore_changes_and_additions && (!patch_list.is_empty() || !order_same))
                    || (!opts.ignore_deletions && !patch_list.is_empty()))
            {
                for v in modified {
                    let key_value = v
                        .as_object()
                        .and_then(|m| m.get(merge_key))
                        .cloned()
                        .unwrap_or(Value::Null);
                    let mut item = Map::new();
                    item.insert(merge_key.to_string(), key_value);
                    set_order.push(Value::Object(item));
                }
            }
            Ok((patch_list, Vec::new(), set_order))
        }
        ElemKind::Scalar => {
            let (add, delete) = diff_lists_of_scalars(original, modified, opts);
            let add = normalize_slice_order(add, modified, merge_key, kind)?;
            // diffListsOfScalars sorted `original` in place before this comparison, so an
            // unchanged list whose items are not in sorted order still gets an order list.
            let sorted_original = sort_scalars(original.to_vec());
            let set_order = if opts.set_element_order
                && ((!opts.ignore_deletions && !delete.is_empty())
                    || (!opts.ignore_changes_and_additions && sorted_original != modified))
            {
                modified.to_vec()
            } else {
                Vec::new()
            };
            Ok((add, delete, set_order))
        }
    }
}

fn is_order_same(original: &[Value], modified: &[Value], merge_key: &str) -> R<bool> {
    if original.len() != modified.len() {
        return Ok(false);
    }
    for (o, m) in original.iter().zip(modified) {
        if !merge_key_value_equal(o, m, merge_key)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `diffListsOfScalars`: (additions, deletions), compared by `%v` text after sorting.
fn diff_lists_of_scalars(
    original: &[Value],
    modified: &[Value],
    opts: DiffOptions,
) -> (Vec<Value>, Vec<Value>) {
    let o = sort_scalars(original.to_vec());
    let m = sort_scalars(modified.to_vec());
    let (mut oi, mut mi) = (0, 0);
    let mut add = Vec::new();
    let mut delete = Vec::new();
    while oi < o.len() || mi < m.len() {
        let os = o.get(oi).map(go_v);
        let ms = m.get(mi).map(go_v);
        match (os, ms) {
            (Some(a), Some(b)) if a == b => {
                oi += 1;
                mi += 1;
            }
            (None, Some(_)) => {
                if !opts.ignore_changes_and_additions {
                    add.push(m[mi].clone());
                }
                mi += 1;
            }
            (Some(a), Some(b)) if a > b => {
                if !opts.ignore_changes_and_additions {
                    add.push(m[mi].clone());
                }
                mi += 1;
            }
            _ => {
                if !opts.ignore_deletions {
                    delete.push(o[oi].clone());
                }
                oi += 1;
            }
        }
    }
    (add, deduplicate_scalars(delete))
}

/// A list item with its merge key value and that value's `%v` text.
type KeyedItem = (Map<String, Value>, Value, String);

/// `diffListsOfMaps`: (changes and additions, `$patch: delete` items), walking both lists
/// sorted by the `%v` text of the merge key.
fn diff_lists_of_maps(
    original: &[Value],
    modified: &[Value],
    elem_ty: Ty,
    merge_key: &str,
    opts: DiffOptions,
) -> R<(Vec<Value>, Vec<Value>)> {
    let sorted = |list: &[Value]| -> R<Vec<KeyedItem>> {
        let mut out = Vec::with_capacity(list.len());
        for v in list {
            let m = v.as_object().ok_or_else(|| err_bad_arg_type(MAP_TYPE, v))?;
            let kv = m
                .get(merge_key)
                .ok_or_else(|| err_no_merge_key(m, merge_key))?
                .clone();
            let s = go_v(&kv);
            out.push((m.clone(), kv, s));
        }
        out.sort_by(|a, b| a.2.cmp(&b.2));
        Ok(out)
    };
    let o = sorted(original)?;
    let m = sorted(modified)?;
    let mut patch = Vec::new();
    let mut deletions = Vec::new();
    let (mut oi, mut mi) = (0, 0);
    while oi < o.len() || mi < m.len() {
        match (o.get(oi), m.get(mi)) {
            (Some(a), Some(b)) if a.2 == b.2 => {
                let mut sub = diff_maps(&a.0, &b.0, elem_ty, opts)?;
                if !sub.is_empty() {
                    sub.insert(merge_key.to_string(), b.1.clone());
                    patch.push(Value::Object(sub));
                }
                oi += 1;
                mi += 1;
            }
            (None, Some(b)) => {
                if !opts.ignore_changes_and_additions {
                    patch.push(Value::Object(b.0.clone()));
                }
                mi += 1;
            }
            (Some(a), Some(b)) if a.2 > b.2 => {
                if !opts.ignore_changes_and_additions {
                    patch.push(Value::Object(b.0.clone()));
                }
                mi += 1;
            }
            (Some(a), _) => {
                if !opts.ignore_deletions {
                    let mut d = Map::new();
                    d.insert(DIRECTIVE_MARKER.into(), DELETE_DIRECTIVE.into());
                    d.insert(merge_key.to_string(), a.1.clone());
                    deletions.push(Value::Object(d));
                }
                oi += 1;
            }
            (None, None) => break,
        }
    }
    Ok((patch, deletions))
}
