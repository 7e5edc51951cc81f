//! Defaulting: the defaults kube-apiserver 1.33 fills into objects of the served kinds
//! (`SetObjectDefaults_*` from each group's `zz_generated.defaults.go` and `defaults.go`), and the
//! REST strategies' create/update preparation (`strategy`).
//!
//! Where this runs in the real handler chain (k8s.io/apiserver handlers/create.go and
//! registry/generic/registry/store.go), for a create:
//!
//! 1. decode: the versioning decoder applies [`set_object_defaults`] right after decoding,
//!    *before* admission;
//! 2. mutating admission plugins (`super::admission`), in `ORDERED_PLUGINS` order;
//! 3. `rest.FillObjectMetaSystemFields` (uid, creationTimestamp) and generateName;
//! 4. `rest.BeforeCreate`: [`strategy::prepare_for_create`], then validation, then Canonicalize;
//! 5. validating admission (ResourceQuota last);
//! 6. storage. Objects read back from etcd are decoded *with defaulting again*, so call
//!    [`set_object_defaults`] after every read from storage too (this is how a Job's
//!    `metadata.labels` get copied from its template labels on read, and how a PVC stored with
//!    `status: {}` is shown with `status.phase: Pending`).
//!
//! Everything works on `serde_json::Value` in the external (v1) shape. Fields of the wrong JSON
//! type are left alone: validation reports them later; defaulting never panics.

pub mod apps;
pub mod batch;
pub mod core;
pub mod misc;
pub mod quantity;
pub mod strategy;

pub use strategy::{
    pod_qos_class, prepare_for_create, prepare_for_status_update, prepare_for_update,
};

use serde_json::{Map, Value};

/// Applies the 1.33 defaults for the object's `apiVersion` and `kind` (`scheme.Default(obj)`).
/// Unknown kinds are left untouched. A `v1` `List` has each item defaulted.
pub fn set_object_defaults(obj: &mut Value) {
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(m) = obj.as_object_mut() else { return };
    match (api_version.as_str(), kind.as_str()) {
        ("v1", "List") => {
            for item in array_mut(m, "items") {
                set_object_defaults(item);
            }
        }
        ("v1", _) => core::set_defaults(&kind, m),
        ("apps/v1", _) => apps::set_defaults(&kind, m),
        ("batch/v1", _) => batch::set_defaults(&kind, m),
        _ => misc::set_defaults(&api_version, &kind, m),
    }
}

// ---- small helpers on JSON maps, shared by the per-group files ----

/// Go's `x == nil` for a pointer or map field: absent or `null`.
pub(crate) fn is_unset(m: &Map<String, Value>, key: &str) -> bool {
    matches!(m.get(key), None | Some(Value::Null))
}

/// Go's `x == ""` for a string field (also true when absent).
pub(crate) fn is_empty_str(m: &Map<String, Value>, key: &str) -> bool {
    match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Go's `x == 0` for a non-pointer integer field (also true when absent).
pub(crate) fn is_zero_int(m: &Map<String, Value>, key: &str) -> bool {
    match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// `if obj.X == nil { obj.X = v }`
pub(crate) fn default_ptr(m: &mut Map<String, Value>, key: &str, v: Value) {
    if is_unset(m, key) {
        m.insert(key.to_string(), v);
    }
}

/// `if obj.X == "" { obj.X = v }`
pub(crate) fn default_str(m: &mut Map<String, Value>, key: &str, v: &str) {
    if is_empty_str(m, key) {
        m.insert(key.to_string(), Value::String(v.to_string()));
    }
}

/// `if obj.X == 0 { obj.X = v }`
pub(crate) fn default_int(m: &mut Map<String, Value>, key: &str, v: i64) {
    if is_zero_int(m, key) {
        m.insert(key.to_string(), Value::from(v));
    }
}

pub(crate) fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The object under `key`, if it is one.
pub(crate) fn obj_mut<'a>(
    m: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    m.get_mut(key).and_then(Value::as_object_mut)
}

/// The object under `key`, created as `{}` when unset (`if x == nil { x = &T{} }`).
/// `None` when the field holds another JSON type.
pub(crate) fn obj_or_create<'a>(
    m: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    if is_unset(m, key) {
        m.insert(key.to_string(), Value::Object(Map::new()));
    }
    obj_mut(m, key)
}

/// The elements of the array under `key` (none if unset or not an array).
pub(crate) fn array_mut<'a>(
    m: &'a mut Map<String, Value>,
    key: &str,
) -> std::slice::IterMut<'a, Value> {
    match m.get_mut(key) {
        Some(Value::Array(a)) => a.iter_mut(),
        _ => [].iter_mut(),
    }
}

/// The object elements of the array under `key`.
pub(crate) fn objects_mut<'a>(
    m: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    array_mut(m, key).filter_map(Value::as_object_mut)
}

/// `SetDefaults_ResourceList`: every quantity rounded up to milli-units, written in canonical
/// form (the decoder's `Quantity` round-trip gives the same text, e.g. `0.5` → `500m`).
pub(crate) fn default_resource_list(m: &mut Map<String, Value>, key: &str) {
    let Some(list) = obj_mut(m, key) else { return };
    for (_, v) in list.iter_mut() {
        if let Some(q) = quantity::from_json(v) {
            *v = Value::String(q.round_up_milli().canonical());
        }
    }
}
