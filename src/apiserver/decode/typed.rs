//! Decoding a parsed JSON tree into a served kind as kube-apiserver's `sigs.k8s.io/json`
//! decoder does: case-sensitive field names, Go's type errors with their struct/field context,
//! and (when strict) the unknown and duplicate fields, with their paths.

use super::gojson::{parse_f64, JNode};
use super::goparse::{decode_base64, parse_quantity, parse_time, MICRO_LAYOUT, RFC3339_LAYOUT};
use crate::apiserver::schema::{type_at, FieldType, TypeSchema};
use serde_json::{Map, Number, Value};
use std::collections::BTreeSet;

/// The IntOrString fields of the served kinds that are pointers in Go (the rolling update
/// strategies'); `targetPort` and probe ports are values.
const POINTER_INT_OR_STRING: &[&str] = &["maxSurge", "maxUnavailable"];

/// sigs.k8s.io/json keeps at most this many strict errors.
const MAX_STRICT_ERRORS: usize = 100;

/// What decoding into a typed object gives: the object, or the first (Go) decode error.
pub(crate) struct TypedResult {
    pub value: Result<Value, String>,
    /// Unknown and duplicate fields (`unknown field "spec.foo"`), when strict.
    pub strict_errors: Vec<String>,
}

pub(crate) fn decode(root: &JNode, schema: &'static TypeSchema, strict: bool) -> TypedResult {
    let mut d = Decoder {
        strict,
        saved_error: None,
        strict_errors: Vec::new(),
        seen_strict: BTreeSet::new(),
        path: String::new(),
        ctx_struct: None,
        ctx_fields: Vec::new(),
    };
    let result = d.object_struct(root_members(root), schema);
    let value = match result {
        Err(fatal) => Err(fatal),
        Ok(v) => match d.saved_error.take() {
            Some(e) => Err(e),
            None => Ok(v),
        },
    };
    let strict_errors = if value.is_ok() {
        d.strict_errors
    } else {
        Vec::new()
    };
    TypedResult {
        value,
        strict_errors,
    }
}

fn root_members(root: &JNode) -> &[(String, JNode)] {
    match root {
        JNode::Object(m) => m,
        // `null` decodes to the zero object; Interpret rejected every other non-object.
        _ => &[],
    }
}

struct Decoder {
    strict: bool,
    /// The first non-fatal error (Go's `savedError`), already formatted.
    saved_error: Option<String>,
    strict_errors: Vec<String>,
    seen_strict: BTreeSet<String>,
    /// Go's `strictFieldStack`, joined: `spec.containers[0]`.
    path: String,
    /// Go's `errorContext`: the struct being decoded and the JSON names down to the field.
    ctx_struct: Option<&'static str>,
    ctx_fields: Vec<&'static str>,
}

impl Decoder {
    /// `json: cannot unmarshal <what> into Go struct field <S>.<a.b.c> of type <T>`.
    fn type_error(&self, what: &str, go_type: &str) -> String {
        if self.ctx_struct.is_some() || !self.ctx_fields.is_empty() {
            format!(
                "json: cannot unmarshal {what} into Go struct field {}.{} of type {go_type}",
                self.ctx_struct.unwrap_or(""),
                self.ctx_fields.join(".")
            )
        } else {
            format!("json: cannot unmarshal {what} into Go value of type {go_type}")
        }
    }

    fn save_error(&mut self, e: String) {
        if self.saved_error.is_none() {
            self.saved_error = Some(e);
        }
    }

    fn save_type_error(&mut self, what: &str, go_type: &str) {
        let e = self.type_error(what, go_type);
        self.save_error(e);
    }

    fn strict_error(&mut self, kind: &str, field: &str) {
        if !self.strict || self.strict_errors.len() >= MAX_STRICT_ERRORS {
            return;
        }
        let path = if self.path.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.path)
        };
        let msg = format!("{kind} {}", go_quote(&path));
        if self.seen_strict.insert(msg.clone()) {
            self.strict_errors.push(msg);
        }
    }

    fn push_key(&mut self, key: &str) -> usize {
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(key);
        len
    }

    fn push_index(&mut self, i: usize) -> usize {
        let len = self.path.len();
        self.path.push_str(&format!("[{i}]"));
        len
    }

    fn object_struct(
        &mut self,
        members: &[(String, JNode)],
        t: &'static TypeSchema,
    ) -> Result<Value, String> {
        let mut out = Map::new();
        let mut seen = BTreeSet::new();
        for (key, node) in members {
            let Some(field) = t.field(key) else {
                self.strict_error("unknown field", key);
                continue;
            };
            if !seen.insert(field.name.as_str()) {
                self.strict_error("duplicate field", &field.name);
            }
            let saved_struct = self.ctx_struct.replace(t.struct_name());
            self.ctx_fields.push(field.name.as_str());
            let path_len = self.push_key(&field.name);
            // A fatal error returns with the context still set, as Go reports it.
            // `*intstr.IntOrString` fields take null as nil; the others as the int 0.
            let pointer_null = matches!(node, JNode::Null)
                && field.ty == FieldType::IntOrString
                && POINTER_INT_OR_STRING.contains(&field.name.as_str());
            let v = if pointer_null {
                None
            } else {
                self.value(node, &field.ty, &field.go_type)?
            };
            self.path.truncate(path_len);
            self.ctx_fields.pop();
            self.ctx_struct = saved_struct;
            match v {
                Some(v) => insert_merging(&mut out, key, v),
                None if matches!(node, JNode::Null)
                    && !matches!(field.ty, FieldType::Object(_)) =>
                {
                    // null clears pointers, maps, slices.
                    out.remove(key);
                }
                None => {}
            }
        }
        Ok(Value::Object(out))
    }

    /// Decodes one value into a field of type `ty` (Go type text `go_type`). `Ok(None)` means
    /// nothing was stored (a null, or a saved type error).
    fn value(
        &mut self,
        node: &JNode,
        ty: &FieldType,
        go_type: &str,
    ) -> Result<Option<Value>, String> {
        // Types with their own UnmarshalJSON see the raw value, null included.
        match ty {
            FieldType::Quantity => return self.quantity(node),
            FieldType::IntOrString => return self.int_or_string(node),
            FieldType::Time | FieldType::MicroTime => return self.time(node, ty),
            FieldType::RawExtension | FieldType::FieldsV1 => {
                return Ok((!matches!(node, JNode::Null)).then(|| plain_value(node)));
            }
            _ => {}
        }
        match node {
            JNode::Null => Ok(None),
            JNode::Bool(b) => match ty {
                FieldType::Bool => Ok(Some(Value::Bool(*b))),
                FieldType::Any => Ok(Some(Value::Bool(*b))),
                _ => {
                    self.save_type_error("bool", go_type);
                    Ok(None)
                }
            },
            JNode::Number(lit) => self.number(lit, ty, go_type),
            JNode::String(s) => match ty {
                FieldType::String | FieldType::Any => Ok(Some(Value::String(s.clone()))),
                FieldType::Bytes => match decode_base64(s.as_bytes()) {
                    Ok(_) => Ok(Some(Value::String(s.clone()))),
                    Err(offset) => {
                        self.save_error(format!("illegal base64 data at input byte {offset}"));
                        Ok(None)
                    }
                },
                _ => {
                    self.save_type_error("string", go_type);
                    Ok(None)
                }
            },
            JNode::Array(items) => match ty {
                FieldType::Array(elem) => {
                    let elem_go = elem_go_type(go_type, elem);
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        let len = self.push_index(i);
                        let v = self.value(item, elem, &elem_go)?;
                        self.path.truncate(len);
                        out.push(v.unwrap_or_else(|| zero_value(elem)));
                    }
                    Ok(Some(Value::Array(out)))
                }
                FieldType::Any => Ok(Some(self.any(node))),
                FieldType::Bytes => {
                    // A JSON array decodes into []byte element by element.
                    let mut bytes = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let len = self.push_index(i);
                        match item {
                            JNode::Number(lit) => match lit.parse::<u8>() {
                                Ok(b) => bytes.push(b),
                                Err(_) => self.save_type_error(&format!("number {lit}"), "uint8"),
                            },
                            JNode::Null => bytes.push(0),
                            other => self.save_type_error(other.go_kind(), "uint8"),
                        }
                        self.path.truncate(len);
                    }
                    Ok(Some(Value::String(encode_base64(&bytes))))
                }
                _ => {
                    self.save_type_error("array", go_type);
                    Ok(None)
                }
            },
            JNode::Object(members) => match ty {
                FieldType::Object(i) => self.object_struct(members, type_at(*i)).map(Some),
                FieldType::Map(elem) => {
                    let elem_go = elem_go_type(go_type, elem);
                    let mut out = Map::new();
                    let mut seen = BTreeSet::new();
                    for (key, item) in members {
                        if !seen.insert(key.as_str()) {
                            self.strict_error("duplicate field", key);
                        }
                        let len = self.push_key(key);
                        let v = self.value(item, elem, &elem_go)?;
                        self.path.truncate(len);
                        // Each map value starts from zero: a repeated key replaces.
                        out.insert(key.clone(), v.unwrap_or_else(|| zero_value(elem)));
                    }
                    Ok(Some(Value::Object(out)))
                }
                FieldType::Any => Ok(Some(self.any(node))),
                _ => {
                    self.save_type_error("object", go_type);
                    Ok(None)
                }
            },
        }
    }

    fn number(
        &mut self,
        lit: &str,
        ty: &FieldType,
        go_type: &str,
    ) -> Result<Option<Value>, String> {
        let out = match ty {
            FieldType::Int32 | FieldType::Int64 => {
                let parsed = parse_go_int(lit)
                    .filter(|n| *ty == FieldType::Int64 || i32::try_from(*n).is_ok());
                match parsed {
                    Some(n) => Some(Value::Number(n.into())),
                    None => {
                        self.save_type_error(&format!("number {lit}"), go_type);
                        None
                    }
                }
            }
            FieldType::Float64 => match parse_f64(lit) {
                Some(f) => Number::from_f64(f).map(Value::Number),
                None => {
                    self.save_type_error(&format!("number {lit}"), go_type);
                    None
                }
            },
            FieldType::Any => Some(number_value(lit)),
            _ => {
                self.save_type_error("number", go_type);
                None
            }
        };
        Ok(out)
    }

    /// `resource.Quantity.UnmarshalJSON`: its parse errors end decoding, without context.
    fn quantity(&mut self, node: &JNode) -> Result<Option<Value>, String> {
        let raw = match node {
            JNode::Null => return Ok(None),
            JNode::String(s) => s.clone(),
            other => other.to_json_text(),
        };
        // Stored as Go re-encodes it: canonical text (`0.5` → `500m`).
        Ok(Some(Value::String(parse_quantity(raw.trim())?)))
    }

    /// `intstr.IntOrString.UnmarshalJSON`: a string, or else Go's int32 decoding, whose type
    /// errors end decoding and get the field's context.
    fn int_or_string(&mut self, node: &JNode) -> Result<Option<Value>, String> {
        match node {
            JNode::String(s) => Ok(Some(Value::String(s.clone()))),
            JNode::Null => Ok(Some(Value::Number(0.into()))),
            JNode::Number(lit) => match parse_go_int(lit).and_then(|n| i32::try_from(n).ok()) {
                Some(n) => Ok(Some(Value::Number(n.into()))),
                None => Err(self.type_error(&format!("number {lit}"), "int32")),
            },
            other => Err(self.type_error(other.go_kind(), "int32")),
        }
    }

    /// `metav1.Time` / `metav1.MicroTime`.UnmarshalJSON: a string in RFC 3339 form.
    fn time(&mut self, node: &JNode, ty: &FieldType) -> Result<Option<Value>, String> {
        match node {
            JNode::Null => Ok(None),
            JNode::String(s) => {
                let layout = if *ty == FieldType::MicroTime {
                    MICRO_LAYOUT
                } else {
                    RFC3339_LAYOUT
                };
                Ok(Some(
                    parse_time(s, layout)?.map_or(Value::Null, Value::String),
                ))
            }
            JNode::Number(_) => Err(self.type_error("number", "string")),
            other => Err(self.type_error(other.go_kind(), "string")),
        }
    }

    /// Decoding into `interface{}`: duplicate keys are still reported.
    fn any(&mut self, node: &JNode) -> Value {
        match node {
            JNode::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = self.push_index(i);
                    out.push(self.any(item));
                    self.path.truncate(len);
                }
                Value::Array(out)
            }
            JNode::Object(members) => {
                let mut out = Map::new();
                for (key, item) in members {
                    if out.contains_key(key) {
                        self.strict_error("duplicate field", key);
                    }
                    let len = self.push_key(key);
                    let v = self.any(item);
                    self.path.truncate(len);
                    out.insert(key.clone(), v);
                }
                Value::Object(out)
            }
            other => plain_value(other),
        }
    }
}

/// A repeated struct field decodes into the same Go value: objects merge, the rest replaces.
fn insert_merging(out: &mut Map<String, Value>, key: &str, v: Value) {
    match (out.get_mut(key), v) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                insert_merging(existing, &k, v);
            }
        }
        (_, v) => {
            out.insert(key.to_string(), v);
        }
    }
}

/// The element Go type of an array or map type text (`[]v1.Container` → `v1.Container`).
fn elem_go_type(go_type: &str, elem: &FieldType) -> String {
    if let Some(rest) = go_type.strip_prefix("[]") {
        return rest.to_string();
    }
    if go_type.starts_with("map[") {
        let mut depth = 0usize;
        for (i, c) in go_type.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        return go_type[i + 1..].to_string();
                    }
                }
                _ => {}
            }
        }
    }
    elem.default_go_type()
}

/// The zero value Go stores for a null array element or map value.
fn zero_value(ty: &FieldType) -> Value {
    match ty {
        FieldType::String | FieldType::Bytes => Value::String(String::new()),
        FieldType::Bool => Value::Bool(false),
        FieldType::Int32 | FieldType::Int64 | FieldType::IntOrString => Value::Number(0.into()),
        FieldType::Float64 => Value::Number(0.into()),
        FieldType::Object(_) => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)` for a JSON number literal.
fn parse_go_int(lit: &str) -> Option<i64> {
    let digits = lit.strip_prefix('-').unwrap_or(lit);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    lit.parse::<i64>().ok()
}

/// A number decoded into `interface{}` with PreserveInts: int64 when it has no `.` and fits.
fn number_value(lit: &str) -> Value {
    if !lit.contains('.') {
        if let Ok(n) = lit.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Ok(n) = lit.parse::<u64>() {
            return Value::Number(n.into());
        }
    }
    match parse_f64(lit).and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        // Out of float64 range: Go would fail with "number 1e999" into float64.
        None => Value::String(lit.to_string()),
    }
}

/// A JSON tree as a plain value (for RawExtension, FieldsV1 and kept scalars).
pub(crate) fn plain_value(node: &JNode) -> Value {
    match node {
        JNode::Null => Value::Null,
        JNode::Bool(b) => Value::Bool(*b),
        JNode::Number(lit) => number_value(lit),
        JNode::String(s) => Value::String(s.clone()),
        JNode::Array(items) => Value::Array(items.iter().map(plain_value).collect()),
        JNode::Object(members) => {
            let mut out = Map::new();
            for (k, v) in members {
                out.insert(k.clone(), plain_value(v));
            }
            Value::Object(out)
        }
    }
}

/// Go's `strconv.Quote`.
pub(crate) use crate::golang::fmt::quote as go_quote;

fn encode_base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
