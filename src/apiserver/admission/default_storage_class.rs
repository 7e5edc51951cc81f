//! DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a new
//! PersistentVolumeClaim that asks for no class gets the default StorageClass's name.

use serde_json::Value;

use super::{is_main_resource, meta_str, AdmissionError, Admitted, Attributes, Operation};

/// `storageutil.IsDefaultStorageClassAnnotation` and its beta form.
pub const IS_DEFAULT_STORAGE_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
pub const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION: &str =
    "storageclass.beta.kubernetes.io/is-default-class";
/// `v1.BetaStorageClassAnnotation`: the old way to ask for a class.
pub const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// `GetDefaultClass`: among classes annotated as default, the newest (then by name).
pub fn default_class(storage_classes: &[Value]) -> Option<&Value> {
    let is_default = |c: &Value| {
        let ann = c.get("metadata").and_then(|m| m.get("annotations"));
        [
            IS_DEFAULT_STORAGE_CLASS_ANNOTATION,
            BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION,
        ]
        .iter()
        .any(|k| ann.and_then(|a| a.get(*k)).and_then(Value::as_str) == Some("true"))
    };
    let mut defaults: Vec<&Value> = storage_classes.iter().filter(|c| is_default(c)).collect();
    // RFC 3339 timestamps of one format sort as text; newest first, then name ascending.
    defaults.sort_by(|a, b| {
        meta_str(b, "creationTimestamp")
            .cmp(meta_str(a, "creationTimestamp"))
            .then_with(|| meta_str(a, "name").cmp(meta_str(b, "name")))
    });
    defaults.first().copied()
}

/// `claimDefaulterPlugin.Admit`, for PVC creates.
pub fn admit(
    attrs: &Attributes<'_>,
    mut object: Value,
    storage_classes: &[Value],
) -> Result<Admitted, AdmissionError> {
    if !is_main_resource(attrs, "", "persistentvolumeclaims")
        || attrs.operation != Operation::Create
    {
        return Ok(Admitted::unchanged(object));
    }
    // PersistentVolumeClaimHasClass: the beta annotation, or a storageClassName (even "").
    let has_annotation = object
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(BETA_STORAGE_CLASS_ANNOTATION))
        .is_some();
    let has_class = object
        .get("spec")
        .and_then(|s| s.get("storageClassName"))
        .is_some_and(|v| !v.is_null());
    if has_annotation || has_class {
        return Ok(Admitted::unchanged(object));
    }
    let Some(def) = default_class(storage_classes) else {
        return Ok(Admitted::unchanged(object));
    };
    let name = meta_str(def, "name").to_string();
    let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(Admitted::unchanged(object));
    };
    spec.insert("storageClassName".into(), Value::from(name.clone()));
    Ok(Admitted {
        object,
        note: format!("set storageClassName={name} (the default StorageClass)"),
    })
}
