//! Object metadata and label selectors, after `k8s.io/apimachinery/pkg/api/validation`
//! (`ValidateObjectMeta`, `ValidateObjectMetaUpdate`) and `pkg/apis/meta/v1/validation`
//! (`ValidateLabels`, `ValidateLabelSelector`).

use serde_json::Value;

use super::field::{BadValue, ErrorList, FieldError, Path};
use super::names::{self, NameRule};
use super::value::{arr, boolean, has, int, obj, str_of, string_map, strings, sub};

/// `apimachineryvalidation.TotalAnnotationSizeLimitB`: 256 KiB.
pub const TOTAL_ANNOTATION_SIZE_LIMIT_B: i64 = 256 * 1024;
/// `apimachineryvalidation.FieldImmutableErrorMsg`.
pub const FIELD_IMMUTABLE_ERROR_MSG: &str = "field is immutable";
/// `apimachineryvalidation.IsNegativeErrorMsg`.
pub const IS_NEGATIVE_ERROR_MSG: &str = "must be greater than or equal to 0";

/// `ValidateNonnegativeField`.
pub fn validate_nonnegative_field(value: i64, path: &Path) -> ErrorList {
    if value < 0 {
        vec![FieldError::invalid(path, value, IS_NEGATIVE_ERROR_MSG)]
    } else {
        Vec::new()
    }
}

/// `ValidateImmutableField` for JSON values: `field is immutable` with the new value.
pub fn validate_immutable_field(
    new: Option<&Value>,
    old: Option<&Value>,
    shown: BadValue,
    path: &Path,
) -> ErrorList {
    if semantic_eq(new, old) {
        Vec::new()
    } else {
        vec![FieldError::invalid(path, shown, FIELD_IMMUTABLE_ERROR_MSG)]
    }
}

/// `apiequality.Semantic.DeepEqual` on decoded JSON: an absent field equals null, an empty
/// list or map equals an absent one (Go's nil vs empty after decoding round trips).
pub fn semantic_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    fn is_empty(v: Option<&Value>) -> bool {
        match v {
            None | Some(Value::Null) => true,
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Object(m)) => m.is_empty(),
            _ => false,
        }
    }
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            x.iter().all(|(k, v)| semantic_eq(Some(v), y.get(k)))
                && y.iter()
                    .all(|(k, v)| x.contains_key(k) || semantic_eq(None, Some(v)))
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| semantic_eq(Some(p), Some(q)))
        }
        (x, y) if is_empty(x) && is_empty(y) => true,
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// `ValidateLabelName`.
pub fn validate_label_name(name: &str, path: &Path) -> ErrorList {
    names::is_qualified_name(name)
        .into_iter()
        .map(|m| FieldError::invalid(path, name, &m))
        .collect()
}

/// `ValidateLabels`: keys are qualified names, values label values; the path is the map's.
pub fn validate_labels(labels: &[(String, String)], path: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for (k, v) in labels {
        errs.extend(validate_label_name(k, path));
        for m in names::is_valid_label_value(v) {
            errs.push(FieldError::invalid(path, v, &m));
        }
    }
    errs
}

/// `ValidateAnnotations`: keys are qualified names (case-insensitive), total size 256 KiB.
pub fn validate_annotations(annotations: &[(String, String)], path: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut total: i64 = 0;
    for (k, v) in annotations {
        for m in names::is_qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid(path, k, &m));
        }
        total += (k.len() + v.len()) as i64;
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B {
        errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
    }
    errs
}

/// `ValidateOwnerReferences` (the per-reference fields hang off the list's path, as in Go).
pub fn validate_owner_references(refs: &[Value], path: &Path) -> ErrorList {
    let mut errs = Vec::new();
    let mut first_controller = String::new();
    for r in refs {
        let api_version = str_of(r, "apiVersion");
        let version = api_version.rsplit('/').next().unwrap_or("");
        if version.is_empty() {
            errs.push(FieldError::invalid(
                &path.child("apiVersion"),
                api_version,
                "version must not be empty",
            ));
        }
        let kind = str_of(r, "kind");
        if kind.is_empty() {
            errs.push(FieldError::invalid(
                &path.child("kind"),
                kind,
                "must not be empty",
            ));
        }
        let name = str_of(r, "name");
        if name.is_empty() {
            errs.push(FieldError::invalid(
                &path.child("name"),
                name,
                "must not be empty",
            ));
        }
        let uid = str_of(r, "uid");
        if uid.is_empty() {
            errs.push(FieldError::invalid(
                &path.child("uid"),
                uid,
                "must not be empty",
            ));
        }
        if boolean(r, "controller") == Some(true) {
            let current = format!("{kind}/{name}");
            if first_controller.is_empty() {
                first_controller = current;
            } else {
                errs.push(FieldError::invalid(
                    path,
                    BadValue::Raw(go_owner_refs(refs)),
                    &format!("Only one reference can have Controller set to true. Found \"true\" in references for {first_controller} and {current}"),
                ));
            }
        }
    }
    errs
}

fn go_owner_refs(refs: &[Value]) -> String {
    let items: Vec<String> = refs
        .iter()
        .map(|r| {
            format!(
                "v1.OwnerReference{{APIVersion:{}, Kind:{}, Name:{}, UID:{}, Controller:{}, BlockOwnerDeletion:{}}}",
                BadValue::from(str_of(r, "apiVersion")),
                BadValue::from(str_of(r, "kind")),
                BadValue::from(str_of(r, "name")),
                BadValue::from(str_of(r, "uid")),
                go_bool_ptr(boolean(r, "controller")),
                go_bool_ptr(boolean(r, "blockOwnerDeletion")),
            )
        })
        .collect();
    format!("[]v1.OwnerReference{{{}}}", items.join(", "))
}

/// How `%#v` shows a `*bool` (the address is arbitrary in Go; kubestep shows a fixed one).
fn go_bool_ptr(b: Option<bool>) -> &'static str {
    match b {
        None => "(*bool)(nil)",
        Some(_) => "(*bool)(0xc000a1b2c8)",
    }
}

/// `ValidateFinalizers`.
pub fn validate_finalizers(finalizers: &[&str], path: &Path) -> ErrorList {
    let mut errs = Vec::new();
    for f in finalizers {
        for m in names::is_qualified_name(f) {
            errs.push(FieldError::invalid(path, *f, &m));
        }
    }
    if finalizers.contains(&"orphan") && finalizers.contains(&"foregroundDeletion") {
        errs.push(FieldError::invalid(
            path,
            BadValue::StringSlice(Some(finalizers.iter().map(|s| s.to_string()).collect())),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
    errs
}

/// `ValidateObjectMeta`: name (or generateName) by the kind's rule, namespace presence, labels,
/// annotations, owner references, finalizers.
pub fn validate_object_meta(
    meta: &Value,
    requires_namespace: bool,
    rule: NameRule,
    path: &Path,
) -> ErrorList {
    let mut errs = Vec::new();
    let generate_name = str_of(meta, "generateName");
    if !generate_name.is_empty() {
        for m in names::validate_name(rule, generate_name, true) {
            errs.push(FieldError::invalid(
                &path.child("generateName"),
                generate_name,
                &m,
            ));
        }
    }
    let name = str_of(meta, "name");
    if name.is_empty() {
        errs.push(FieldError::required(
            &path.child("name"),
            "name or generateName is required",
        ));
    } else {
        for m in names::validate_name(rule, name, false) {
            errs.push(FieldError::invalid(&path.child("name"), name, &m));
        }
    }
    let namespace = str_of(meta, "namespace");
    if requires_namespace {
        if namespace.is_empty() {
            errs.push(FieldError::required(&path.child("namespace"), ""));
        } else {
            for m in names::is_dns1123_label(namespace) {
                errs.push(FieldError::invalid(&path.child("namespace"), namespace, &m));
            }
        }
    } else if !namespace.is_empty() {
        errs.push(FieldError::forbidden(
            &path.child("namespace"),
            "not allowed on this type",
        ));
    }
    errs.extend(validate_nonnegative_field(
        int(meta, "generation").unwrap_or(0),
        &path.child("generation"),
    ));
    errs.extend(validate_labels(
        &string_map(meta, "labels"),
        &path.child("labels"),
    ));
    errs.extend(validate_annotations(
        &string_map(meta, "annotations"),
        &path.child("annotations"),
    ));
    errs.extend(validate_owner_references(
        arr(meta, "ownerReferences"),
        &path.child("ownerReferences"),
    ));
    errs.extend(validate_finalizers(
        &strings(meta, "finalizers"),
        &path.child("finalizers"),
    ));
    errs.extend(validate_kube_finalizers(meta, path));
    errs
}

/// `IsStandardFinalizerName`.
pub fn is_standard_finalizer_name(name: &str) -> bool {
    ["kubernetes", "orphan", "foregroundDeletion"].contains(&name)
}

/// `validateKubeFinalizerName`: a finalizer without a `/` must be a standard one.
pub fn validate_kube_finalizer_name(name: &str, path: &Path) -> ErrorList {
    if !name.contains('/') && !is_standard_finalizer_name(name) {
        vec![FieldError::invalid(
            path,
            name,
            "name is neither a standard finalizer name nor is it fully qualified",
        )]
    } else {
        Vec::new()
    }
}

/// The core group's extra finalizer check on `metadata.finalizers[i]` (core's
/// `ValidateObjectMeta` and `ValidateObjectMetaUpdate` wrap the generic ones with it).
fn validate_kube_finalizers(meta: &Value, path: &Path) -> ErrorList {
    strings(meta, "finalizers")
        .iter()
        .enumerate()
        .flat_map(|(i, f)| validate_kube_finalizer_name(f, &path.child("finalizers").index(i)))
        .collect()
}

/// `ValidateObjectMetaUpdate`: identity fields are immutable, resourceVersion must be set,
/// generation may not go back, no new finalizers while deleting.
///
/// The registry fills in `resourceVersion` from the stored object before validation for kinds
/// whose strategy allows unconditional updates (most kinds), so this only fires when the
/// caller did not.
pub fn validate_object_meta_update(new: &Value, old: &Value, path: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if has(old, "deletionTimestamp") {
        let old_f = strings(old, "finalizers");
        let mut extra: Vec<String> = strings(new, "finalizers")
            .into_iter()
            .filter(|f| !old_f.contains(f))
            .map(str::to_string)
            .collect();
        extra.sort();
        extra.dedup();
        if !extra.is_empty() {
            errs.push(FieldError::forbidden(
                &path.child("finalizers"),
                &format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers {}",
                    BadValue::StringSlice(Some(extra))
                ),
            ));
        }
    }
    let rv = str_of(new, "resourceVersion");
    if rv.is_empty() {
        errs.push(FieldError::invalid(
            &path.child("resourceVersion"),
            rv,
            "must be specified for an update",
        ));
    }
    let new_gen = int(new, "generation").unwrap_or(0);
    if new_gen < int(old, "generation").unwrap_or(0) {
        errs.push(FieldError::invalid(
            &path.child("generation"),
            new_gen,
            "must not be decremented",
        ));
    }
    for f in ["name", "namespace", "uid"] {
        errs.extend(validate_immutable_field(
            new.get(f),
            old.get(f),
            BadValue::from(str_of(new, f)),
            &path.child(f),
        ));
    }
    for f in ["creationTimestamp", "deletionTimestamp"] {
        let shown = match new.get(f).and_then(Value::as_str) {
            Some(t) => BadValue::Raw(go_time(t)),
            None if f == "creationTimestamp" => {
                BadValue::Raw("0001-01-01 00:00:00 +0000 UTC".into())
            }
            None => BadValue::Null,
        };
        errs.extend(validate_immutable_field(
            new.get(f),
            old.get(f),
            shown,
            &path.child(f),
        ));
    }
    let grace = new
        .get("deletionGracePeriodSeconds")
        .and_then(Value::as_i64)
        .map(BadValue::Int)
        .unwrap_or(BadValue::Null);
    errs.extend(validate_immutable_field(
        new.get("deletionGracePeriodSeconds"),
        old.get("deletionGracePeriodSeconds"),
        grace,
        &path.child("deletionGracePeriodSeconds"),
    ));
    errs.extend(validate_labels(
        &string_map(new, "labels"),
        &path.child("labels"),
    ));
    errs.extend(validate_annotations(
        &string_map(new, "annotations"),
        &path.child("annotations"),
    ));
    errs.extend(validate_owner_references(
        arr(new, "ownerReferences"),
        &path.child("ownerReferences"),
    ));
    errs.extend(validate_kube_finalizers(new, path));
    errs
}

/// `metav1.Time.String()` (Go's `time.Time` layout) from the RFC 3339 text of the API.
pub fn go_time(rfc3339: &str) -> String {
    match rfc3339.strip_suffix('Z') {
        Some(t) => format!("{} +0000 UTC", t.replacen('T', " ", 1)),
        None => rfc3339.replacen('T', " ", 1),
    }
}

/// `ValidateLabelSelector` (values must be valid label values).
pub fn validate_label_selector(selector: &Value, path: &Path) -> ErrorList {
    let mut errs = Vec::new();
    if !selector.is_object() {
        return errs;
    }
    errs.extend(validate_labels(
        &string_map(selector, "matchLabels"),
        &path.child("matchLabels"),
    ));
    for (i, expr) in arr(selector, "matchExpressions").iter().enumerate() {
        let p = path.child("matchExpressions").index(i);
        let op = str_of(expr, "operator");
        let values = strings(expr, "values");
        match op {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errs.push(FieldError::required(
                        &p.child("values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errs.push(FieldError::forbidden(
                        &p.child("values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            _ => errs.push(FieldError::invalid(
                &p.child("operator"),
                op,
                "not a valid selector operator",
            )),
        }
        errs.extend(validate_label_name(str_of(expr, "key"), &p.child("key")));
        for (j, v) in values.iter().enumerate() {
            for m in names::is_valid_label_value(v) {
                errs.push(FieldError::invalid(&p.child("values").index(j), *v, &m));
            }
        }
    }
    errs
}

/// True for a selector with neither matchLabels nor matchExpressions.
pub fn selector_is_empty(selector: &Value) -> bool {
    obj(selector, "matchLabels").is_none_or(|m| m.is_empty())
        && arr(selector, "matchExpressions").is_empty()
}

/// `labels.Selector.Matches` for a `metav1.LabelSelector` (already validated).
pub fn selector_matches(selector: &Value, labels: &[(String, String)]) -> bool {
    let get = |k: &str| {
        labels
            .iter()
            .find(|(lk, _)| lk == k)
            .map(|(_, v)| v.as_str())
    };
    for (k, v) in string_map(selector, "matchLabels") {
        if get(&k) != Some(v.as_str()) {
            return false;
        }
    }
    for expr in arr(selector, "matchExpressions") {
        let key = str_of(expr, "key");
        let values = strings(expr, "values");
        let ok = match str_of(expr, "operator") {
            "In" => get(key).is_some_and(|v| values.contains(&v)),
            "NotIn" => get(key).is_none_or(|v| !values.contains(&v)),
            "Exists" => get(key).is_some(),
            "DoesNotExist" => get(key).is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// `%#v` of a `*metav1.LabelSelector`, as validation messages print selectors.
pub fn go_label_selector(selector: &Value) -> BadValue {
    if selector.is_null() {
        return BadValue::Null;
    }
    let labels = match selector.get("matchLabels") {
        Some(Value::Object(_)) => BadValue::string_map(selector.get("matchLabels")).to_string(),
        _ => "map[string]string(nil)".to_string(),
    };
    let exprs = match selector.get("matchExpressions").and_then(Value::as_array) {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|e| {
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        BadValue::from(str_of(e, "key")),
                        BadValue::from(str_of(e, "operator")),
                        BadValue::string_slice(e.get("values")),
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
        }
    };
    BadValue::Raw(format!(
        "v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}"
    ))
}

/// `%#v` of a `map[string]string` field that may be nil.
pub fn go_string_map(v: &Value, key: &str) -> BadValue {
    match v.get(key) {
        Some(Value::Object(_)) => BadValue::string_map(v.get(key)),
        _ => BadValue::Raw("map[string]string(nil)".into()),
    }
}

/// The `metadata` of an object (null when absent).
pub fn metadata(o: &Value) -> &Value {
    sub(o, "metadata")
}
