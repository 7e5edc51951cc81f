//! ServiceAccount (plugin/pkg/admission/serviceaccount): every new Pod runs as a service account
//! (`default` unless it names one), which must exist; unless automounting is turned off, a
//! projected `kube-api-access-<suffix>` volume (bound token, cluster CA, namespace) is added and
//! mounted read-only into every container at `/var/run/secrets/kubernetes.io/serviceaccount`.

use serde_json::{json, Map, Value};

use super::{
    in_namespace, meta_str, namespace_of, AdmissionError, Admitted, Attributes, Operation,
};
use crate::sim::Rng;

/// `DefaultServiceAccountName`
pub const DEFAULT_SERVICE_ACCOUNT_NAME: &str = "default";
/// `DefaultAPITokenMountPath`
pub const DEFAULT_API_TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// `ServiceAccountVolumeName`: the prefix of the generated volume name.
pub const SERVICE_ACCOUNT_VOLUME_NAME: &str = "kube-api-access";
/// `serviceaccount.WarnOnlyBoundTokenExpirationSeconds`: 1 hour + 7 seconds.
pub const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS: i64 = 3607;
/// `api.MirrorPodAnnotationKey`
pub const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// `TokenVolumeSource()`: the projected volume source of the token volume.
pub fn token_volume_source() -> Value {
    json!({
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ]
    })
}

/// `Plugin.Admit`: on pod create, sets the service account, checks it exists, mounts the token
/// and copies the account's imagePullSecrets. `service_accounts` may hold every ServiceAccount
/// in the store; the pod's namespace is looked up. The volume suffix is `rng.k8s_suffix(5)`
/// (`names.SimpleNameGenerator`).
pub fn admit(
    attrs: &Attributes<'_>,
    mut object: Value,
    service_accounts: &[Value],
    rng: &mut Rng,
) -> Result<Admitted, AdmissionError> {
    if !attrs.group.is_empty()
        || attrs.resource != "pods"
        || !(attrs.subresource.is_empty() || attrs.subresource == "ephemeralcontainers")
    {
        return Ok(Admitted::unchanged(object));
    }
    if attrs.operation != Operation::Create || !object.is_object() {
        return Ok(Admitted::unchanged(object));
    }
    let is_mirror = object
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(MIRROR_POD_ANNOTATION))
        .is_some();
    if is_mirror {
        validate_mirror_pod(attrs, &object)?;
        return Ok(Admitted::unchanged(object));
    }
    let namespace = namespace_of(&object, attrs).to_string();
    let mut notes = Vec::new();
    let spec = spec_mut(&mut object);
    // v1 conversion: the deprecated `serviceAccount` field stands in for an empty name.
    let mut sa_name = str_field(spec, "serviceAccountName");
    if sa_name.is_empty() {
        sa_name = str_field(spec, "serviceAccount");
    }
    if sa_name.is_empty() {
        sa_name = DEFAULT_SERVICE_ACCOUNT_NAME.to_string();
        notes.push(format!("set serviceAccountName={sa_name}"));
    }
    spec.insert("serviceAccountName".into(), Value::from(sa_name.clone()));
    // The v1 encoder mirrors the name into the deprecated field.
    spec.insert("serviceAccount".into(), Value::from(sa_name.clone()));

    let Some(sa) =
        in_namespace(service_accounts, &namespace).find(|s| meta_str(s, "name") == sa_name)
    else {
        return Err(AdmissionError::admission_forbidden(
            attrs,
            &object,
            &format!("error looking up service account {namespace}/{sa_name}: serviceaccount \"{sa_name}\" not found"),
        ));
    };
    let spec = spec_mut(&mut object);
    let automount = spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| {
            sa.get("automountServiceAccountToken")
                .and_then(Value::as_bool)
        })
        .unwrap_or(true);
    if automount {
        if let Some(note) = mount_service_account_token(spec, rng) {
            notes.push(note);
        }
    }
    let has_pull_secrets = spec
        .get("imagePullSecrets")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if !has_pull_secrets {
        if let Some(secrets) = sa
            .get("imagePullSecrets")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        {
            let refs: Vec<Value> = secrets
                .iter()
                .map(|s| json!({"name": s.get("name").and_then(Value::as_str).unwrap_or("")}))
                .collect();
            notes.push(format!(
                "copied {} imagePullSecrets from the service account",
                refs.len()
            ));
            spec.insert("imagePullSecrets".into(), Value::Array(refs));
        }
    }
    Ok(Admitted {
        object,
        note: notes.join("; "),
    })
}

fn spec_mut(object: &mut Value) -> &mut Map<String, Value> {
    let m = object
        .as_object_mut()
        .expect("checked: the pod is a JSON object");
    let spec = m.entry("spec").or_insert_with(|| json!({}));
    if !spec.is_object() {
        *spec = json!({});
    }
    spec.as_object_mut().expect("just made an object")
}

fn str_field(m: &Map<String, Value>, key: &str) -> String {
    m.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// `mountServiceAccountToken`: reuse an existing `kube-api-access-*` volume or generate one,
/// mount it into every (init) container that has nothing at the mount path yet.
fn mount_service_account_token(spec: &mut Map<String, Value>, rng: &mut Rng) -> Option<String> {
    let prefix = format!("{SERVICE_ACCOUNT_VOLUME_NAME}-");
    let existing = spec
        .get("volumes")
        .and_then(Value::as_array)
        .and_then(|vs| {
            vs.iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str))
                .find(|n| n.starts_with(&prefix))
                .map(str::to_string)
        });
    let has_token_volume = existing.is_some();
    let volume_name = existing.unwrap_or_else(|| format!("{prefix}{}", rng.k8s_suffix(5)));
    let mount =
        json!({"name": volume_name, "readOnly": true, "mountPath": DEFAULT_API_TOKEN_MOUNT_PATH});
    let mut mounted_in = Vec::new();
    for key in ["initContainers", "containers"] {
        let Some(containers) = spec.get_mut(key).and_then(Value::as_array_mut) else {
            continue;
        };
        for c in containers.iter_mut().filter_map(Value::as_object_mut) {
            let already = c
                .get("volumeMounts")
                .and_then(Value::as_array)
                .is_some_and(|ms| {
                    ms.iter().any(|m| {
                        m.get("mountPath").and_then(Value::as_str)
                            == Some(DEFAULT_API_TOKEN_MOUNT_PATH)
                    })
                });
            if already {
                continue;
            }
            let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
            if !mounts.is_array() {
                *mounts = json!([]);
            }
            if let Some(a) = mounts.as_array_mut() {
                a.push(mount.clone());
            }
            mounted_in.push(
                c.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    if mounted_in.is_empty() {
        return None;
    }
    if !has_token_volume {
        let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
        if !volumes.is_array() {
            *volumes = json!([]);
        }
        if let Some(a) = volumes.as_array_mut() {
            a.push(json!({"name": volume_name, "projected": token_volume_source()}));
        }
    }
    Some(format!(
        "mounted projected volume {volume_name} at {DEFAULT_API_TOKEN_MOUNT_PATH} in {}",
        mounted_in.join(", ")
    ))
}

/// `Plugin.Validate` for mirror pods (static pods the kubelet mirrors): they may not use service
/// accounts, secrets or token projections.
fn validate_mirror_pod(attrs: &Attributes<'_>, pod: &Value) -> Result<(), AdmissionError> {
    let spec = pod.get("spec");
    let sa = spec
        .and_then(|s| s.get("serviceAccountName"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !sa.is_empty() {
        return Err(AdmissionError::admission_forbidden(
            attrs,
            pod,
            "a mirror pod may not reference service accounts",
        ));
    }
    let volumes = spec
        .and_then(|s| s.get("volumes"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut has_secrets = volumes.iter().any(|v| v.get("secret").is_some());
    has_secrets |= spec
        .and_then(|s| s.get("imagePullSecrets"))
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in spec
            .and_then(|s| s.get(key))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let env_secret = c
                .get("env")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|e| {
                    e.get("valueFrom")
                        .and_then(|v| v.get("secretKeyRef"))
                        .is_some()
                });
            let env_from_secret = c
                .get("envFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|e| e.get("secretRef").is_some());
            has_secrets |= env_secret || env_from_secret;
        }
    }
    if has_secrets {
        return Err(AdmissionError::admission_forbidden(
            attrs,
            pod,
            "a mirror pod may not reference secrets",
        ));
    }
    let projects_token = volumes.iter().any(|v| {
        v.get("projected")
            .and_then(|p| p.get("sources"))
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|src| src.get("serviceAccountToken").is_some()))
    });
    if projects_token {
        return Err(AdmissionError::admission_forbidden(
            attrs,
            pod,
            "a mirror pod may not use ServiceAccountToken volume projections",
        ));
    }
    Ok(())
}
