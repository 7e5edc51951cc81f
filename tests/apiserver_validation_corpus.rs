//! No false rejections: every object of a served kind in the Kubernetes website examples
//! (vendored in `tests/data/website-examples`, see its SOURCE.md) passes create validation
//! once defaulted.
//!
//! The defaulting here is TEST-ONLY and minimal: it fills in what kube-apiserver's
//! `SetDefaults_*` functions and registry strategies (name generation, Job selectors, Service
//! IP and node port allocation) would have set before validation runs. The real defaulting
//! stage lives in `src/apiserver/defaulting.rs`.

use std::path::{Path, PathBuf};

use kubestep::apiserver::validation::{is_served, validate_create};
use serde_json::{json, Map, Value};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

fn obj_mut<'a>(v: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let m = v.as_object_mut().expect("object");
    let e = m.entry(key.to_string()).or_insert_with(|| json!({}));
    if !e.is_object() {
        *e = json!({});
    }
    e.as_object_mut().expect("object")
}

fn set_default(m: &mut Map<String, Value>, key: &str, v: Value) {
    if m.get(key).is_none_or(Value::is_null) {
        m.insert(key.to_string(), v);
    }
}

/// TEST-ONLY: `SetDefaults_Probe` and `SetDefaults_HTTPGetAction`.
fn default_probe(p: &mut Value) {
    let Some(m) = p.as_object_mut() else { return };
    set_default(m, "timeoutSeconds", json!(1));
    set_default(m, "periodSeconds", json!(10));
    set_default(m, "successThreshold", json!(1));
    set_default(m, "failureThreshold", json!(3));
    if let Some(h) = m.get_mut("httpGet").and_then(Value::as_object_mut) {
        set_default(h, "path", json!("/"));
        set_default(h, "scheme", json!("HTTP"));
    }
}

/// TEST-ONLY: `SetDefaults_Container` and friends.
fn default_container(c: &mut Value, host_network: bool) {
    let Some(m) = c.as_object_mut() else { return };
    let image = m
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let last = image.rsplit('/').next().unwrap_or("");
    let policy = if !last.contains(':') || last.ends_with(":latest") {
        "Always"
    } else {
        "IfNotPresent"
    };
    set_default(m, "imagePullPolicy", json!(policy));
    set_default(m, "terminationMessagePath", json!("/dev/termination-log"));
    set_default(m, "terminationMessagePolicy", json!("File"));
    if let Some(ports) = m.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_default(p, "protocol", json!("TCP"));
            if host_network {
                let cp = p.get("containerPort").cloned().unwrap_or(json!(0));
                set_default(p, "hostPort", cp);
            }
        }
    }
    if let Some(env) = m.get_mut("env").and_then(Value::as_array_mut) {
        for e in env.iter_mut() {
            if let Some(fr) = e
                .pointer_mut("/valueFrom/fieldRef")
                .and_then(Value::as_object_mut)
            {
                set_default(fr, "apiVersion", json!("v1"));
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = m.get_mut(probe) {
            default_probe(p);
        }
    }
}

/// TEST-ONLY: `SetDefaults_PodSpec`, volumes included.
fn default_pod_spec(spec: &mut Map<String, Value>) {
    set_default(spec, "restartPolicy", json!("Always"));
    set_default(spec, "dnsPolicy", json!("ClusterFirst"));
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "schedulerName", json!("default-scheduler"));
    set_default(spec, "securityContext", json!({}));
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                default_container(c, host_network);
            }
        }
    }
    if let Some(vols) = spec.get_mut("volumes").and_then(Value::as_array_mut) {
        for v in vols.iter_mut().filter_map(Value::as_object_mut) {
            for src in ["secret", "configMap", "downwardAPI", "projected"] {
                if let Some(s) = v.get_mut(src).and_then(Value::as_object_mut) {
                    set_default(s, "defaultMode", json!(420));
                }
            }
        }
    }
}

fn default_template(t: &mut Value) {
    default_pod_spec(obj_mut(t, "spec"));
}

/// TEST-ONLY: the defaults and strategy fields of each served kind.
fn default_object(o: &mut Value) {
    let kind = o["kind"].as_str().unwrap_or("").to_string();
    let cluster_scoped = matches!(
        kind.as_str(),
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "PriorityClass"
            | "StorageClass"
    );
    {
        let meta = obj_mut(o, "metadata");
        if !cluster_scoped {
            set_default(meta, "namespace", json!("default"));
        }
        set_default(meta, "uid", json!("4b5c9d1e-0000-4000-8000-000000000001"));
    }
    let uid = "4b5c9d1e-0000-4000-8000-000000000001";
    let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
    match kind.as_str() {
        "Pod" => default_pod_spec(obj_mut(o, "spec")),
        "Deployment" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "replicas", json!(1));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(spec, "progressDeadlineSeconds", json!(600));
            set_default(spec, "strategy", json!({}));
            set_default(
                spec["strategy"].as_object_mut().expect("strategy"),
                "type",
                json!("RollingUpdate"),
            );
            if spec["strategy"]["type"] == "RollingUpdate" {
                let s = spec["strategy"].as_object_mut().expect("strategy");
                set_default(
                    s,
                    "rollingUpdate",
                    json!({"maxUnavailable": "25%", "maxSurge": "25%"}),
                );
            }
            default_template(spec.get_mut("template").expect("template"));
        }
        "ReplicaSet" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "replicas", json!(1));
            default_template(spec.get_mut("template").expect("template"));
        }
        "DaemonSet" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            default_template(spec.get_mut("template").expect("template"));
        }
        "StatefulSet" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "replicas", json!(1));
            set_default(spec, "podManagementPolicy", json!("OrderedReady"));
            set_default(spec, "revisionHistoryLimit", json!(10));
            set_default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            default_template(spec.get_mut("template").expect("template"));
        }
        "Job" => {
            let spec = obj_mut(o, "spec");
            default_job_spec(spec);
            // The Job strategy's generated selector and labels.
            spec.insert(
                "selector".into(),
                json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
            );
            let tmeta = spec
                .get_mut("template")
                .and_then(Value::as_object_mut)
                .map(|t| t.entry("metadata").or_insert_with(|| json!({})))
                .expect("template metadata");
            let labels = obj_mut(tmeta, "labels");
            for (k, v) in [
                ("controller-uid", uid),
                ("batch.kubernetes.io/controller-uid", uid),
                ("job-name", name.as_str()),
                ("batch.kubernetes.io/job-name", name.as_str()),
            ] {
                labels.insert(k.into(), json!(v));
            }
        }
        "CronJob" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "concurrencyPolicy", json!("Allow"));
            set_default(spec, "suspend", json!(false));
            set_default(spec, "successfulJobsHistoryLimit", json!(3));
            set_default(spec, "failedJobsHistoryLimit", json!(1));
            let jt = spec.get_mut("jobTemplate").expect("jobTemplate");
            default_job_spec(obj_mut(jt, "spec"));
        }
        "Service" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "type", json!("ClusterIP"));
            set_default(spec, "sessionAffinity", json!("None"));
            let stype = spec["type"].as_str().unwrap_or("").to_string();
            if stype != "ExternalName" {
                set_default(spec, "internalTrafficPolicy", json!("Cluster"));
                set_default(spec, "clusterIP", json!("10.96.0.10"));
                let ip = spec["clusterIP"].clone();
                set_default(spec, "clusterIPs", json!([ip]));
                if ip != "None" {
                    set_default(spec, "ipFamilies", json!(["IPv4"]));
                    set_default(spec, "ipFamilyPolicy", json!("SingleStack"));
                }
            }
            let external = stype == "NodePort" || stype == "LoadBalancer";
            if external {
                set_default(spec, "externalTrafficPolicy", json!("Cluster"));
            }
            if stype == "LoadBalancer" {
                set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
            }
            if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for (i, p) in ports
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .enumerate()
                {
                    set_default(p, "protocol", json!("TCP"));
                    let port = p.get("port").cloned().unwrap_or(json!(0));
                    set_default(p, "targetPort", port);
                    if external {
                        set_default(p, "nodePort", json!(30000 + i));
                    }
                }
            }
        }
        "Secret" => set_default(o.as_object_mut().expect("object"), "type", json!("Opaque")),
        "Namespace" => {
            set_default(obj_mut(o, "spec"), "finalizers", json!(["kubernetes"]));
        }
        "PersistentVolume" => {
            let spec = obj_mut(o, "spec");
            set_default(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
            set_default(spec, "volumeMode", json!("Filesystem"));
        }
        "PersistentVolumeClaim" => {
            set_default(obj_mut(o, "spec"), "volumeMode", json!("Filesystem"));
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            if let Some(subjects) = o.get_mut("subjects").and_then(Value::as_array_mut) {
                for s in subjects.iter_mut().filter_map(Value::as_object_mut) {
                    let k = s.get("kind").and_then(Value::as_str).unwrap_or("");
                    if k == "User" || k == "Group" {
                        set_default(s, "apiGroup", json!("rbac.authorization.k8s.io"));
                    }
                }
            }
        }
        "StorageClass" => {
            let m = o.as_object_mut().expect("object");
            set_default(m, "reclaimPolicy", json!("Delete"));
            set_default(m, "volumeBindingMode", json!("Immediate"));
        }
        "PriorityClass" => {
            let m = o.as_object_mut().expect("object");
            set_default(m, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
        _ => {}
    }
}

/// TEST-ONLY: `SetDefaults_Job` (without the strategy's selector).
fn default_job_spec(spec: &mut Map<String, Value>) {
    if spec.get("parallelism").is_none() && spec.get("completions").is_none() {
        spec.insert("parallelism".into(), json!(1));
        spec.insert("completions".into(), json!(1));
    }
    set_default(spec, "parallelism", json!(1));
    set_default(spec, "backoffLimit", json!(6));
    set_default(spec, "completionMode", json!("NonIndexed"));
    set_default(spec, "suspend", json!(false));
    set_default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    default_template(spec.get_mut("template").expect("template"));
}

#[test]
fn website_examples_of_served_kinds_pass_validation() {
    let checked = check_corpus("tests/data/website-examples");
    assert!(checked >= 60, "checked {checked} objects");
}

#[test]
fn kubectl_generated_objects_pass_validation() {
    let checked = check_corpus("tests/data/kubectl-generated");
    assert!(checked >= 18, "checked {checked} objects");
}

/// Validates every served object under `dir` after the test-only defaults; returns how many.
fn check_corpus(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    assert!(!files.is_empty(), "corpus present in {dir}");
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", f.display()));
        let mut objects = Vec::new();
        for d in docs {
            if d["kind"] == "List" {
                objects.extend(d["items"].as_array().cloned().unwrap_or_default());
            } else if !d.is_null() {
                objects.push(d);
            }
        }
        for mut o in objects {
            let kind = o["kind"].as_str().unwrap_or("").to_string();
            if !is_served(&kind) {
                continue;
            }
            default_object(&mut o);
            let api_version = o["apiVersion"].as_str().unwrap_or("").to_string();
            let errs = validate_create(&api_version, &kind, &o);
            checked += 1;
            if !errs.is_empty() {
                let texts: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                failures.push(format!(
                    "{} {kind} {}: {texts:#?}",
                    f.strip_prefix(&root).unwrap_or(f).display(),
                    o["metadata"]["name"]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "false rejections:\n{}",
        failures.join("\n")
    );
    checked
}
