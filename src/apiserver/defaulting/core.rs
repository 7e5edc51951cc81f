//! Core (`v1`) defaults: pkg/apis/core/v1/defaults.go and its generated `SetObjectDefaults_*`
//! (Pod, PodTemplate, ReplicationController, Service, Endpoints, Namespace, Node,
//! PersistentVolume, PersistentVolumeClaim, Secret, LimitRange, ResourceQuota).

use serde_json::{json, Map, Value};

use super::{
    default_int, default_ptr, default_resource_list, default_str, is_empty_str, is_unset, obj_mut,
    obj_or_create, objects_mut, str_of,
};

/// `v1.TerminationMessagePathDefault`
pub const TERMINATION_MESSAGE_PATH_DEFAULT: &str = "/dev/termination-log";
/// `v1.DefaultSchedulerName`
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// `v1.DefaultTerminationGracePeriodSeconds`
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;
/// `SecretVolumeSourceDefaultMode` and friends: 0644.
pub const VOLUME_DEFAULT_MODE: i64 = 0o644;
/// `v1.DefaultClientIPServiceAffinitySeconds` (3 hours).
pub const DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS: i64 = 10800;
/// `v1.LabelMetadataName`
pub const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";

pub(super) fn set_defaults(kind: &str, m: &mut Map<String, Value>) {
    match kind {
        "Pod" => set_object_defaults_pod(m),
        "PodTemplate" => {
            if let Some(t) = obj_mut(m, "template") {
                set_defaults_pod_template_spec(t);
            }
        }
        "ReplicationController" => set_defaults_replication_controller(m),
        "Service" => set_defaults_service(m),
        "Endpoints" => {
            for subset in objects_mut(m, "subsets") {
                for port in objects_mut(subset, "ports") {
                    default_str(port, "protocol", "TCP");
                }
            }
        }
        "Namespace" => set_defaults_namespace(m),
        "Node" => set_defaults_node(m),
        "PersistentVolume" => set_defaults_persistent_volume(m),
        "PersistentVolumeClaim" => set_defaults_persistent_volume_claim(m),
        "Secret" => default_str(m, "type", "Opaque"),
        "LimitRange" => {
            if let Some(spec) = obj_mut(m, "spec") {
                for item in objects_mut(spec, "limits") {
                    set_defaults_limit_range_item(item);
                }
            }
        }
        "ResourceQuota" => {
            if let Some(spec) = obj_mut(m, "spec") {
                default_resource_list(spec, "hard");
            }
            if let Some(status) = obj_mut(m, "status") {
                default_resource_list(status, "hard");
                default_resource_list(status, "used");
            }
        }
        // ConfigMap: SetDefaults_ConfigMap makes `data` an empty map, which `omitempty` hides.
        // ServiceAccount, Event, Binding: no defaults.
        _ => {}
    }
}

/// `SetObjectDefaults_Pod`.
pub fn set_object_defaults_pod(pod: &mut Map<String, Value>) {
    let Some(spec) = obj_or_create(pod, "spec") else {
        return;
    };
    set_defaults_pod(spec);
    set_defaults_pod_spec(spec);
}

/// `SetDefaults_Pod` (the Pod-only part; templates do not get these).
fn set_defaults_pod(spec: &mut Map<String, Value>) {
    // Requests default to limits, per container, for resources that have a limit but no request.
    for key in ["containers", "initContainers"] {
        for c in objects_mut(spec, key) {
            let Some(res) = obj_mut(c, "resources") else {
                continue;
            };
            let Some(limits) = res.get("limits").and_then(Value::as_object).cloned() else {
                continue;
            };
            let Some(requests) = obj_or_create(res, "requests") else {
                continue;
            };
            for (k, v) in limits {
                requests.entry(k).or_insert(v);
            }
        }
    }
    default_ptr(spec, "enableServiceLinks", Value::Bool(true));
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        for key in ["containers", "initContainers"] {
            for c in objects_mut(spec, key) {
                for p in objects_mut(c, "ports") {
                    let container_port = p.get("containerPort").cloned();
                    if super::is_zero_int(p, "hostPort") {
                        if let Some(cp) = container_port {
                            p.insert("hostPort".into(), cp);
                        }
                    }
                }
            }
        }
    }
}

/// `SetDefaults_PodSpec` plus the generated defaults of everything inside a PodSpec
/// (volumes, containers, probes, handlers, resource lists).
pub fn set_defaults_pod_spec(spec: &mut Map<String, Value>) {
    default_str(spec, "dnsPolicy", "ClusterFirst");
    default_str(spec, "restartPolicy", "Always");
    default_ptr(spec, "securityContext", json!({}));
    default_ptr(
        spec,
        "terminationGracePeriodSeconds",
        Value::from(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS),
    );
    default_str(spec, "schedulerName", DEFAULT_SCHEDULER_NAME);
    for v in objects_mut(spec, "volumes") {
        set_defaults_volume(v);
    }
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in objects_mut(spec, key) {
            set_defaults_container(c);
        }
    }
    default_resource_list(spec, "overhead");
    if let Some(res) = obj_mut(spec, "resources") {
        default_resource_list(res, "limits");
        default_resource_list(res, "requests");
    }
}

/// The template of a workload: only the PodSpec defaults (no `enableServiceLinks`, no
/// requests-from-limits: those are Pod-only).
pub fn set_defaults_pod_template_spec(template: &mut Map<String, Value>) {
    if let Some(spec) = obj_or_create(template, "spec") {
        set_defaults_pod_spec(spec);
    }
}

/// `SetDefaults_Container`, with its ports, env, resources, probes and lifecycle handlers.
pub fn set_defaults_container(c: &mut Map<String, Value>) {
    if is_empty_str(c, "imagePullPolicy") {
        let policy = if image_tag(str_of(c, "image")) == "latest" {
            "Always"
        } else {
            "IfNotPresent"
        };
        c.insert("imagePullPolicy".into(), Value::from(policy));
    }
    default_str(
        c,
        "terminationMessagePath",
        TERMINATION_MESSAGE_PATH_DEFAULT,
    );
    default_str(c, "terminationMessagePolicy", "File");
    for p in objects_mut(c, "ports") {
        default_str(p, "protocol", "TCP");
    }
    for e in objects_mut(c, "env") {
        if let Some(field_ref) = obj_mut(e, "valueFrom").and_then(|vf| obj_mut(vf, "fieldRef")) {
            default_str(field_ref, "apiVersion", "v1");
        }
    }
    if let Some(res) = obj_mut(c, "resources") {
        default_resource_list(res, "limits");
        default_resource_list(res, "requests");
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = obj_mut(c, probe) {
            set_defaults_probe(p);
        }
    }
    if let Some(lifecycle) = obj_mut(c, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = obj_mut(lifecycle, hook) {
                if let Some(http) = obj_mut(h, "httpGet") {
                    set_defaults_http_get_action(http);
                }
            }
        }
    }
}

/// `SetDefaults_Probe` and the defaults of its handler.
fn set_defaults_probe(p: &mut Map<String, Value>) {
    default_int(p, "timeoutSeconds", 1);
    default_int(p, "periodSeconds", 10);
    default_int(p, "successThreshold", 1);
    default_int(p, "failureThreshold", 3);
    if let Some(http) = obj_mut(p, "httpGet") {
        set_defaults_http_get_action(http);
    }
    if let Some(grpc) = obj_mut(p, "grpc") {
        // `+default=""` on GRPCAction.Service
        default_ptr(grpc, "service", Value::from(""));
    }
}

/// `SetDefaults_HTTPGetAction`
fn set_defaults_http_get_action(h: &mut Map<String, Value>) {
    default_str(h, "path", "/");
    default_str(h, "scheme", "HTTP");
}

/// The tag `parsers.ParseImageName` finds: the explicit tag, `""` for a digest-only reference,
/// `"latest"` when neither is given, and `""` for a reference that does not parse.
pub fn image_tag(image: &str) -> String {
    if image.is_empty() || image.trim() != image {
        return String::new();
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let (repo_last, tag) = match last.split_once(':') {
        Some((r, t)) => (r, Some(t)),
        None => (last, None),
    };
    // A repository path must be lowercase (docker reference grammar); otherwise a parse error.
    let path_without_domain = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            rest
        }
        _ => name,
    };
    let path_without_tag = path_without_domain.trim_end_matches(&format!(":{}", tag.unwrap_or("")));
    if repo_last.is_empty()
        || path_without_tag.chars().any(|ch| ch.is_ascii_uppercase())
        || tag == Some("")
        || digest == Some("")
    {
        return String::new();
    }
    match (tag, digest) {
        (Some(t), _) => t.to_string(),
        (None, Some(_)) => String::new(),
        (None, None) => "latest".to_string(),
    }
}

/// Every `VolumeSource` member: a volume with none of them becomes an `emptyDir`.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// `SetDefaults_Volume` and the generated defaults of each volume source.
pub fn set_defaults_volume(v: &mut Map<String, Value>) {
    if VOLUME_SOURCES.iter().all(|k| is_unset(v, k)) {
        v.insert("emptyDir".into(), json!({}));
    }
    // `image` volumes' pullPolicy is defaulted only with the ImageVolume gate (off in 1.33).
    set_defaults_persistent_volume_sources(v);
    for key in ["secret", "configMap"] {
        if let Some(s) = obj_mut(v, key) {
            default_ptr(s, "defaultMode", Value::from(VOLUME_DEFAULT_MODE));
        }
    }
    if let Some(d) = obj_mut(v, "downwardAPI") {
        default_ptr(d, "defaultMode", Value::from(VOLUME_DEFAULT_MODE));
        default_downward_api_items(d);
    }
    if let Some(p) = obj_mut(v, "projected") {
        default_ptr(p, "defaultMode", Value::from(VOLUME_DEFAULT_MODE));
        for source in objects_mut(p, "sources") {
            if let Some(d) = obj_mut(source, "downwardAPI") {
                default_downward_api_items(d);
            }
            if let Some(t) = obj_mut(source, "serviceAccountToken") {
                default_ptr(t, "expirationSeconds", Value::from(3600));
            }
        }
    }
    if let Some(e) = obj_mut(v, "ephemeral") {
        if let Some(spec) = obj_mut(e, "volumeClaimTemplate").and_then(|t| obj_mut(t, "spec")) {
            set_defaults_persistent_volume_claim_spec(spec);
        }
    }
}

fn default_downward_api_items(d: &mut Map<String, Value>) {
    for item in objects_mut(d, "items") {
        if let Some(f) = obj_mut(item, "fieldRef") {
            default_str(f, "apiVersion", "v1");
        }
    }
}

/// Defaults shared by Volume and PersistentVolume sources.
fn set_defaults_persistent_volume_sources(v: &mut Map<String, Value>) {
    if let Some(h) = obj_mut(v, "hostPath") {
        // `HostPathUnset` is the empty string, so `type: ""` appears in the stored object.
        default_ptr(h, "type", Value::from(""));
    }
    if let Some(i) = obj_mut(v, "iscsi") {
        default_str(i, "iscsiInterface", "default");
    }
    if let Some(r) = obj_mut(v, "rbd") {
        default_str(r, "pool", "rbd");
        default_str(r, "user", "admin");
        default_str(r, "keyring", "/etc/ceph/keyring");
    }
    if let Some(a) = obj_mut(v, "azureDisk") {
        default_ptr(a, "cachingMode", Value::from("ReadWrite"));
        default_ptr(a, "fsType", Value::from("ext4"));
        default_ptr(a, "readOnly", Value::Bool(false));
        default_ptr(a, "kind", Value::from("Shared"));
    }
    if let Some(s) = obj_mut(v, "scaleIO") {
        default_str(s, "storageMode", "ThinProvisioned");
        default_str(s, "fsType", "xfs");
    }
}

fn set_defaults_replication_controller(m: &mut Map<String, Value>) {
    let template_labels = m
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|md| md.get("labels"))
        .filter(|l| l.is_object())
        .cloned();
    if let Some(labels) = template_labels {
        if let Some(spec) = obj_or_create(m, "spec") {
            if spec
                .get("selector")
                .and_then(Value::as_object)
                .is_none_or(|s| s.is_empty())
            {
                spec.insert("selector".into(), labels.clone());
            }
        }
        if let Some(md) = obj_or_create(m, "metadata") {
            if md
                .get("labels")
                .and_then(Value::as_object)
                .is_none_or(|l| l.is_empty())
            {
                md.insert("labels".into(), labels);
            }
        }
    }
    if let Some(spec) = obj_or_create(m, "spec") {
        default_ptr(spec, "replicas", Value::from(1));
        if let Some(t) = obj_mut(spec, "template") {
            set_defaults_pod_template_spec(t);
        }
    }
}

/// `SetDefaults_Service`
fn set_defaults_service(m: &mut Map<String, Value>) {
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    default_str(spec, "sessionAffinity", "None");
    match str_of(spec, "sessionAffinity") {
        "None" => {
            spec.remove("sessionAffinityConfig");
        }
        "ClientIP" => {
            let has_timeout = spec
                .get("sessionAffinityConfig")
                .and_then(|c| c.get("clientIP"))
                .and_then(|c| c.get("timeoutSeconds"))
                .is_some_and(|t| !t.is_null());
            if !has_timeout {
                spec.insert(
                    "sessionAffinityConfig".into(),
                    json!({"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS}}),
                );
            }
        }
        _ => {}
    }
    default_str(spec, "type", "ClusterIP");
    for p in objects_mut(spec, "ports") {
        default_str(p, "protocol", "TCP");
        let unset = match p.get("targetPort") {
            None | Some(Value::Null) => true,
            Some(Value::Number(n)) => n.as_i64() == Some(0),
            Some(Value::String(s)) => s.is_empty(),
            _ => false,
        };
        if unset {
            let port = p.get("port").cloned().unwrap_or(Value::from(0));
            p.insert("targetPort".into(), port);
        }
    }
    let ty = str_of(spec, "type").to_string();
    let has_external_ips = spec
        .get("externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let externally_accessible =
        ty == "LoadBalancer" || ty == "NodePort" || (ty == "ClusterIP" && has_external_ips);
    if externally_accessible {
        default_str(spec, "externalTrafficPolicy", "Cluster");
    }
    if matches!(ty.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        default_ptr(spec, "internalTrafficPolicy", Value::from("Cluster"));
    }
    if ty == "LoadBalancer" {
        default_ptr(spec, "allocateLoadBalancerNodePorts", Value::Bool(true));
        if let Some(ingress) = obj_mut(m, "status")
            .and_then(|s| obj_mut(s, "loadBalancer"))
            .map(|lb| objects_mut(lb, "ingress"))
        {
            for ing in ingress {
                if !is_empty_str(ing, "ip") {
                    default_ptr(ing, "ipMode", Value::from("VIP"));
                }
            }
        }
    }
}

/// `SetDefaults_Namespace` and `SetDefaults_NamespaceStatus`.
fn set_defaults_namespace(m: &mut Map<String, Value>) {
    let name = m
        .get("metadata")
        .and_then(|md| md.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !name.is_empty() {
        if let Some(labels) =
            obj_or_create(m, "metadata").and_then(|md| obj_or_create(md, "labels"))
        {
            labels.insert(LABEL_METADATA_NAME.into(), Value::from(name));
        }
    }
    if let Some(status) = obj_or_create(m, "status") {
        default_str(status, "phase", "Active");
    }
}

/// `SetDefaults_NodeStatus`: allocatable defaults to capacity.
fn set_defaults_node(m: &mut Map<String, Value>) {
    let Some(status) = obj_mut(m, "status") else {
        return;
    };
    if is_unset(status, "allocatable") {
        if let Some(cap) = status.get("capacity").filter(|c| c.is_object()).cloned() {
            status.insert("allocatable".into(), cap);
        }
    }
    default_resource_list(status, "capacity");
    default_resource_list(status, "allocatable");
}

fn set_defaults_persistent_volume(m: &mut Map<String, Value>) {
    if let Some(status) = obj_or_create(m, "status") {
        default_str(status, "phase", "Pending");
    }
    let Some(spec) = obj_or_create(m, "spec") else {
        return;
    };
    default_str(spec, "persistentVolumeReclaimPolicy", "Retain");
    default_ptr(spec, "volumeMode", Value::from("Filesystem"));
    default_resource_list(spec, "capacity");
    set_defaults_persistent_volume_sources(spec);
}

fn set_defaults_persistent_volume_claim(m: &mut Map<String, Value>) {
    if let Some(spec) = obj_or_create(m, "spec") {
        set_defaults_persistent_volume_claim_spec(spec);
    }
    if let Some(status) = obj_or_create(m, "status") {
        default_str(status, "phase", "Pending");
        default_resource_list(status, "capacity");
        default_resource_list(status, "allocatedResources");
    }
}

/// `SetDefaults_PersistentVolumeClaimSpec`
pub fn set_defaults_persistent_volume_claim_spec(spec: &mut Map<String, Value>) {
    default_ptr(spec, "volumeMode", Value::from("Filesystem"));
    if let Some(res) = obj_mut(spec, "resources") {
        default_resource_list(res, "limits");
        default_resource_list(res, "requests");
    }
}

/// `SetDefaults_LimitRangeItem`: for `Container` items, default limit ← max, default request ←
/// default limit, then ← min.
pub fn set_defaults_limit_range_item(item: &mut Map<String, Value>) {
    for key in [
        "max",
        "min",
        "default",
        "defaultRequest",
        "maxLimitRequestRatio",
    ] {
        default_resource_list(item, key);
    }
    if str_of(item, "type") != "Container" {
        return;
    }
    let max = item
        .get("max")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let min = item
        .get("min")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(default) = obj_or_create(item, "default") else {
        return;
    };
    for (k, v) in max {
        default.entry(k).or_insert(v);
    }
    let default = default.clone();
    let Some(default_request) = obj_or_create(item, "defaultRequest") else {
        return;
    };
    for (k, v) in default {
        default_request.entry(k).or_insert(v);
    }
    for (k, v) in min {
        default_request.entry(k).or_insert(v);
    }
    // Empty maps are omitted on the wire (`omitempty`).
    for key in ["default", "defaultRequest"] {
        if item
            .get(key)
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        {
            item.remove(key);
        }
    }
}
