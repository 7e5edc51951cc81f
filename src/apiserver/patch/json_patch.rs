//! RFC 6902 JSON patch (`application/json-patch+json`) with the semantics and error texts of
//! `gopkg.in/evanphx/json-patch.v4` (v4.12), the library kube-apiserver 1.33 applies it with.
//!
//! Written here rather than taken from the `json-patch` crate because the learner sees the error
//! texts, and those are evanphx's (`replace operation does not apply: doc is missing key:
//! /spec/containers/5: missing value`), including its quirks (checked against kubectl 1.33's
//! `patch --local`, which vendors the same v4.12.0): negative array indices count from the end,
//! `replace` of a missing object key adds it, `copy` from a missing key copies `null`, a `test`
//! against a missing key passes when the value is `null` (and dereferences nil when `value` is
//! absent), and `replace` of the root swaps the whole document. A patch is atomic: the input is never modified and an error returns no
//! partial result.

use serde_json::{Map, Value};

use super::PatchError;

/// The plain-text body kube-apiserver's panic recovery (`WithPanicRecovery`) answers with.
pub const APISERVER_PANIC_TEXT: &str =
    "This request caused apiserver to panic. Look in the logs for details.";

/// kube-apiserver's `maxJSONPatchOperations`.
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10000;

/// Why a JSON patch failed, before the API server turns it into a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonPatchFailure {
    /// The body is not a list of operation objects (`jsonpatch.DecodePatch`): 400.
    Decode(String),
    /// More than [`MAX_JSON_PATCH_OPERATIONS`] operations: 413.
    TooManyOperations(usize),
    /// An operation did not apply (`Patch.Apply`): 422 with this text as the cause.
    Apply(String),
    /// A `test` without `value` of a missing or null field: evanphx v4.12 dereferences nil and
    /// the API server's panic recovery answers 500 with a plain-text body.
    ServerPanic,
}

impl JsonPatchFailure {
    /// The status kube-apiserver answers with for this failure.
    pub fn to_patch_error(&self) -> PatchError {
        match self {
            JsonPatchFailure::Decode(msg) => PatchError::bad_request(msg.clone()),
            JsonPatchFailure::TooManyOperations(n) => PatchError::request_entity_too_large(
                &format!(
                    "The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {n}"
                ),
            ),
            JsonPatchFailure::Apply(msg) => PatchError::unprocessable(msg.clone()),
            JsonPatchFailure::ServerPanic => PatchError::internal(APISERVER_PANIC_TEXT),
        }
    }
}

/// Applies a JSON patch to `doc` as kube-apiserver does, failing with the server's status.
pub fn apply_json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    json_patch(doc, patch).map_err(|f| f.to_patch_error())
}

/// Applies a JSON patch to `doc`, failing with evanphx's texts.
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, JsonPatchFailure> {
    let ops = decode_patch(patch)?;
    if ops.len() > MAX_JSON_PATCH_OPERATIONS {
        return Err(JsonPatchFailure::TooManyOperations(ops.len()));
    }
    let mut work = doc.clone();
    for op in &ops {
        apply_operation(&mut work, op).map_err(|f| match f {
            Failure::Text(t) => JsonPatchFailure::Apply(t),
            Failure::Panic => JsonPatchFailure::ServerPanic,
        })?;
    }
    Ok(work)
}

/// An operation as evanphx keeps it: a map of raw members, `None` for a JSON `null` member
/// (Go decodes `null` into a nil `*json.RawMessage`).
type Operation = Option<Map<String, Value>>;

/// `jsonpatch.DecodePatch`: the body must decode into `[]map[string]*json.RawMessage`.
fn decode_patch(patch: &Value) -> Result<Vec<Operation>, JsonPatchFailure> {
    let items = match patch {
        // `null` decodes into a nil patch, which applies no operation.
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(JsonPatchFailure::Decode(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                json_kind(other)
            )))
        }
    };
    items
        .iter()
        .map(|item| match item {
            Value::Null => Ok(None),
            Value::Object(m) => Ok(Some(m.clone())),
            other => Err(JsonPatchFailure::Decode(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                json_kind(other)
            ))),
        })
        .collect()
}

/// The JSON type word encoding/json uses in `cannot unmarshal X into ...`.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

const MISSING: &str = "missing value";
const TEST_FAILED: &str = "test failed";
const INVALID_INDEX: &str = "invalid index referenced";

fn member<'a>(op: &'a Operation, name: &str) -> Option<&'a Value> {
    op.as_ref()
        .and_then(|m| m.get(name))
        .filter(|v| !v.is_null())
}

/// `Operation.Kind()`: the `op` member, or `unknown`.
fn kind(op: &Operation) -> String {
    match member(op, "op") {
        Some(Value::String(s)) => s.clone(),
        _ => "unknown".into(),
    }
}

/// `Operation.Path()` / `Operation.From()`.
fn string_member(op: &Operation, name: &str, missing: &str) -> Result<String, String> {
    match member(op, name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "json: cannot unmarshal {} into Go value of type string",
            json_kind(other)
        )),
        None => Err(format!("{missing}: {MISSING}")),
    }
}

fn path_of(op: &Operation) -> Result<String, String> {
    string_member(op, "path", "operation missing path field")
}

fn from_of(op: &Operation) -> Result<String, String> {
    string_member(op, "from", "operation, missing from field")
}

/// `Operation.value()`: `None` when the member is absent; a present `null` is `Some(Null)`.
fn value_of(op: &Operation) -> Option<Value> {
    op.as_ref().and_then(|m| m.get("value")).cloned()
}

/// Why one operation failed: a text, or a nil dereference in evanphx (the server panics).
enum Failure {
    Text(String),
    Panic,
}

impl From<String> for Failure {
    fn from(s: String) -> Failure {
        Failure::Text(s)
    }
}

fn apply_operation(doc: &mut Value, op: &Operation) -> Result<(), Failure> {
    match kind(op).as_str() {
        "add" => add(doc, op).map_err(Failure::from),
        "remove" => remove(doc, op).map_err(Failure::from),
        "replace" => replace(doc, op).map_err(Failure::from),
        "move" => move_op(doc, op).map_err(Failure::from),
        "test" => test(doc, op),
        "copy" => copy(doc, op).map_err(Failure::from),
        other => Err(Failure::Text(format!("Unexpected kind: {other}"))),
    }
}

/// RFC 6901 unescaping with `strings.NewReplacer("~1", "/", "~0", "~")`.
fn decode_patch_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut rest = k;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("~1") {
            out.push('/');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("~0") {
            out.push('~');
            rest = r;
        } else {
            let c = rest.chars().next().unwrap_or('\0');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `strconv.Atoi`, with Go's error texts.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// `%q` of a string.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: {INVALID_INDEX}")
}

/// `partialDoc.get` / `partialArray.get`. A missing object key is no error in v4.12: it reads
/// as `None` (Go's nil node), which is why `replace` of a missing key adds it and `copy` from
/// one copies `null`.
fn container_get<'a>(con: &'a Value, key: &str) -> Result<Option<&'a Value>, String> {
    match con {
        Value::Object(m) => Ok(m.get(key).filter(|v| !v.is_null())),
        Value::Array(a) => {
            let idx = array_index(a.len(), key)?;
            a.get(idx)
                .map(Some)
                .ok_or_else(|| invalid_index(idx as i64))
        }
        _ => Err(MISSING.into()),
    }
}

/// The index `get`, `set` and `remove` address, negative indices counting from the end.
fn array_index(len: usize, key: &str) -> Result<usize, String> {
    let mut idx = atoi(key)?;
    let len = len as i64;
    if idx < 0 {
        if idx < -len {
            return Err(invalid_index(idx));
        }
        idx += len;
    }
    if idx >= len {
        return Err(invalid_index(idx));
    }
    Ok(idx as usize)
}

/// `partialDoc.add` / `partialArray.add` (insert before the index; `-` appends).
fn container_add(con: &mut Value, key: &str, val: Value) -> Result<(), String> {
    match con {
        Value::Object(m) => {
            m.insert(key.to_string(), val);
            Ok(())
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(val);
                return Ok(());
            }
            let mut idx = atoi(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let size = a.len() as i64 + 1;
            if idx >= size {
                return Err(invalid_index(idx));
            }
            if idx < 0 {
                if idx < -size {
                    return Err(invalid_index(idx));
                }
                idx += size;
            }
            a.insert(idx as usize, val);
            Ok(())
        }
        _ => Err(MISSING.into()),
    }
}

/// `partialDoc.set` / `partialArray.set` (used by `replace` after a successful `get`).
fn container_set(con: &mut Value, key: &str, val: Value) -> Result<(), String> {
    match con {
        Value::Object(m) => {
            m.insert(key.to_string(), val);
            Ok(())
        }
        Value::Array(a) => {
            let idx = array_index(a.len(), key)?;
            a[idx] = val;
            Ok(())
        }
        _ => Err(MISSING.into()),
    }
}

/// `partialDoc.remove` / `partialArray.remove`.
fn container_remove(con: &mut Value, key: &str) -> Result<Value, String> {
    match con {
        Value::Object(m) => m
            .shift_remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: {MISSING}")),
        Value::Array(a) => {
            let idx = array_index(a.len(), key)?;
            Ok(a.remove(idx))
        }
        _ => Err(MISSING.into()),
    }
}

/// `findObject`: the container that holds the last path segment, and that segment unescaped.
/// Intermediate segments must exist, be non-null and be objects or arrays.
fn find_object<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let key = decode_patch_key(split[split.len() - 1]);
    let mut cur = doc;
    for part in &split[1..split.len() - 1] {
        let part = decode_patch_key(part);
        let next = match cur {
            Value::Object(m) => m.get_mut(&part)?,
            Value::Array(a) => {
                let idx = array_index(a.len(), &part).ok()?;
                a.get_mut(idx)?
            }
            _ => return None,
        };
        if !(next.is_object() || next.is_array()) {
            return None;
        }
        cur = next;
    }
    if !(cur.is_object() || cur.is_array()) {
        return None;
    }
    Some((cur, key))
}

fn add(doc: &mut Value, op: &Operation) -> Result<(), String> {
    let path =
        path_of(op).map_err(|_| format!("add operation failed to decode path: {MISSING}"))?;
    let value = value_of(op).unwrap_or(Value::Null);
    let (con, key) = find_object(doc, &path).ok_or_else(|| {
        format!("add operation does not apply: doc is missing path: \"{path}\": {MISSING}")
    })?;
    container_add(con, &key, value).map_err(|e| format!("error in add for path: '{path}': {e}"))
}

fn remove(doc: &mut Value, op: &Operation) -> Result<(), String> {
    let path =
        path_of(op).map_err(|_| format!("remove operation failed to decode path: {MISSING}"))?;
    let (con, key) = find_object(doc, &path).ok_or_else(|| {
        format!("remove operation does not apply: doc is missing path: \"{path}\": {MISSING}")
    })?;
    container_remove(con, &key)
        .map(|_| ())
        .map_err(|e| format!("error in remove for path: '{path}': {e}"))
}

fn replace(doc: &mut Value, op: &Operation) -> Result<(), String> {
    let path = path_of(op).map_err(|e| format!("replace operation failed to decode path: {e}"))?;
    let value = value_of(op);
    if path.is_empty() {
        // Replacing the root swaps the document, which must stay an object or a list.
        return match value {
            Some(v @ (Value::Object(_) | Value::Array(_))) => {
                *doc = v;
                Ok(())
            }
            _ => Err("replace operation value must be object or array".into()),
        };
    }
    let (con, key) = find_object(doc, &path).ok_or_else(|| {
        format!("replace operation does not apply: doc is missing path: {path}: {MISSING}")
    })?;
    if container_get(con, &key).is_err() {
        return Err(format!(
            "replace operation does not apply: doc is missing key: {path}: {MISSING}"
        ));
    }
    container_set(con, &key, value.unwrap_or(Value::Null))
        .map_err(|e| format!("error in remove for path: '{path}': {e}"))
}

fn move_op(doc: &mut Value, op: &Operation) -> Result<(), String> {
    let from = from_of(op).map_err(|e| format!("move operation failed to decode from: {e}"))?;
    let (con, key) = find_object(doc, &from).ok_or_else(|| {
        format!("move operation does not apply: doc is missing from path: {from}: {MISSING}")
    })?;
    container_get(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let val =
        container_remove(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let path = path_of(op).map_err(|e| format!("move operation failed to decode path: {e}"))?;
    let (con, key) = find_object(doc, &path).ok_or_else(|| {
        format!("move operation does not apply: doc is missing destination path: {path}: {MISSING}")
    })?;
    container_add(con, &key, val).map_err(|e| format!("error in move for path: '{path}': {e}"))
}

fn test(doc: &mut Value, op: &Operation) -> Result<(), Failure> {
    let path = path_of(op).map_err(|e| format!("test operation failed to decode path: {e}"))?;
    let expected = value_of(op);
    let failed = || Failure::Text(format!("testing value {path} failed: {TEST_FAILED}"));
    if path.is_empty() {
        return match expected {
            None => Err(Failure::Panic),
            Some(e) if e == *doc => Ok(()),
            Some(_) => Err(failed()),
        };
    }
    let (con, key) = find_object(doc, &path).ok_or_else(|| {
        format!("test operation does not apply: is missing path: {path}: {MISSING}")
    })?;
    let actual = container_get(con, &key)
        .map_err(|e| format!("error in test for path: '{path}': {e}"))?
        .cloned();
    match (actual, expected) {
        // v4.12 dereferences the absent value here: the server panics.
        (None, None) => Err(Failure::Panic),
        (None, Some(Value::Null)) => Ok(()),
        (Some(a), Some(e)) if a == e => Ok(()),
        _ => Err(failed()),
    }
}

fn copy(doc: &mut Value, op: &Operation) -> Result<(), String> {
    let from = from_of(op).map_err(|e| format!("copy operation failed to decode from: {e}"))?;
    let (con, key) = find_object(doc, &from).ok_or_else(|| {
        format!("copy operation does not apply: doc is missing from path: {from}: {MISSING}")
    })?;
    let val = container_get(con, &key)
        .map_err(|e| format!("error in copy for from: '{from}': {e}"))?
        .cloned()
        .unwrap_or(Value::Null);
    let path =
        path_of(op).map_err(|_| format!("copy operation failed to decode path: {MISSING}"))?;
    let (con, key) = find_object(doc, &path).ok_or_else(|| {
        format!("copy operation does not apply: doc is missing destination path: {path}: {MISSING}")
    })?;
    container_add(con, &key, val).map_err(|e| format!("error while adding value during copy: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_unescaping_is_left_to_right() {
        assert_eq!(decode_patch_key("a~1b~0c"), "a/b~c");
        assert_eq!(decode_patch_key("~01"), "~1");
    }

    #[test]
    fn atoi_matches_go() {
        assert_eq!(atoi("+3"), Ok(3));
        assert_eq!(atoi("-1"), Ok(-1));
        assert_eq!(
            atoi("x"),
            Err("strconv.Atoi: parsing \"x\": invalid syntax".to_string())
        );
    }
}
