//! Defaulting applied to every manifest of the Kubernetes website examples
//! (tests/data/website-examples, see its SOURCE.md): nothing panics, every document keeps its
//! kind and name, and a sample of well-known defaults comes out as kube-apiserver 1.33 writes it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubestep::apiserver::defaulting::{prepare_for_create, set_object_defaults};
use serde_json::{json, Value};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/website-examples")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

/// Every document of the corpus, defaulted, keyed by "<file>#<index>".
fn defaulted_corpus() -> BTreeMap<String, Value> {
    let mut files = Vec::new();
    yaml_files(&corpus_dir(), &mut files);
    assert_eq!(files.len(), 65, "SOURCE.md lists 65 files");
    let mut out = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let docs: Vec<Value> =
            serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let rel = f
            .strip_prefix(corpus_dir())
            .unwrap()
            .to_string_lossy()
            .to_string();
        for (i, mut doc) in docs.into_iter().filter(|d| !d.is_null()).enumerate() {
            let kind = doc["kind"].as_str().unwrap().to_string();
            let name = doc["metadata"]["name"].clone();
            set_object_defaults(&mut doc);
            // Defaulting is idempotent: a second pass (as on every read from etcd) changes nothing.
            let mut again = doc.clone();
            set_object_defaults(&mut again);
            assert_eq!(again, doc, "{rel}#{i}: defaulting twice differs");
            assert_eq!(doc["kind"], Value::from(kind), "{rel}#{i}");
            assert_eq!(doc["metadata"]["name"], name, "{rel}#{i}");
            out.insert(format!("{rel}#{i}"), doc);
        }
    }
    out
}

#[test]
fn every_document_is_defaulted_without_panicking() {
    let docs = defaulted_corpus();
    assert_eq!(docs.len(), 75, "SOURCE.md counts 75 documents");
    // The strategies' create step must not panic either.
    for (key, doc) in docs {
        let mut obj = doc.clone();
        obj["metadata"]["uid"] = json!("6f1c1e59-0000-4000-8000-000000000001");
        obj["metadata"]["creationTimestamp"] = json!("2026-11-23T09:00:00Z");
        let kind = doc["kind"].as_str().unwrap().to_string();
        prepare_for_create(&kind, &mut obj);
        assert!(obj.is_object(), "{key}");
    }
}

#[test]
fn known_defaults_of_the_examples() {
    let docs = defaulted_corpus();
    let d = |k: &str| docs.get(k).unwrap_or_else(|| panic!("missing {k}")).clone();

    let pod = d("pods/simple-pod.yaml#0");
    let spec = &pod["spec"];
    assert_eq!(spec["restartPolicy"], "Always");
    assert_eq!(spec["dnsPolicy"], "ClusterFirst");
    assert_eq!(spec["schedulerName"], "default-scheduler");
    assert_eq!(spec["terminationGracePeriodSeconds"], 30);
    assert_eq!(spec["securityContext"], json!({}));
    assert_eq!(spec["enableServiceLinks"], true);
    let c = &spec["containers"][0];
    assert_eq!(
        c["imagePullPolicy"], "IfNotPresent",
        "nginx:1.14.2 has a tag"
    );
    assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(c["terminationMessagePolicy"], "File");
    assert_eq!(c["ports"][0]["protocol"], "TCP");

    let job = d("controllers/job.yaml#0");
    assert_eq!(job["spec"]["backoffLimit"], 4, "given values stay");
    assert_eq!(job["spec"]["completions"], 1);
    assert_eq!(job["spec"]["parallelism"], 1);
    assert_eq!(job["spec"]["completionMode"], "NonIndexed");
    assert_eq!(job["spec"]["suspend"], false);
    assert_eq!(job["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
    let job_container = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        job_container["imagePullPolicy"], "Always",
        "`perl` has no tag: latest"
    );
    assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
    assert!(
        job["spec"]["template"]["spec"]
            .get("enableServiceLinks")
            .is_none(),
        "Pod-only default"
    );

    let probe = &d("pods/probe/exec-liveness.yaml#0")["spec"]["containers"][0]["livenessProbe"];
    assert_eq!(probe["periodSeconds"], 5);
    assert_eq!(probe["timeoutSeconds"], 1);
    assert_eq!(probe["successThreshold"], 1);
    assert_eq!(probe["failureThreshold"], 3);

    let lr = d("admin/resource/cpu-defaults.yaml#0");
    assert_eq!(
        lr["spec"]["limits"][0]["default"],
        json!({"cpu": "1"}),
        "quantities are canonical strings"
    );
    assert_eq!(
        lr["spec"]["limits"][0]["defaultRequest"],
        json!({"cpu": "500m"})
    );

    let mem = d("pods/resource/memory-request-limit.yaml#0");
    assert_eq!(
        mem["spec"]["containers"][0]["resources"]["requests"],
        json!({"memory": "100Mi"})
    );

    let envars = d("pods/inject/dapi-envars-pod.yaml#0");
    let env = envars["spec"]["containers"][0]["env"].as_array().unwrap();
    assert!(env
        .iter()
        .all(|e| e["valueFrom"]["fieldRef"]["apiVersion"] == "v1"));

    let svc = d("service/nginx-service.yaml#0");
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert_eq!(svc["spec"]["sessionAffinity"], "None");
    assert_eq!(svc["spec"]["internalTrafficPolicy"], "Cluster");
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
    assert!(
        svc["spec"].get("externalTrafficPolicy").is_none(),
        "only for externally accessible types"
    );

    let pv = d("pods/storage/pv-volume.yaml#0");
    assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
    assert_eq!(pv["spec"]["volumeMode"], "Filesystem");
    assert_eq!(pv["spec"]["hostPath"]["type"], "");
    assert_eq!(pv["status"]["phase"], "Pending");

    let pvc = d("pods/storage/pv-claim.yaml#0");
    assert_eq!(pvc["spec"]["volumeMode"], "Filesystem");
    assert_eq!(pvc["status"]["phase"], "Pending");

    let deploy = d("controllers/nginx-deployment.yaml#0");
    assert_eq!(
        deploy["spec"]["strategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
    );
    assert_eq!(deploy["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(deploy["spec"]["progressDeadlineSeconds"], 600);

    let ds = d("controllers/daemonset.yaml#0");
    assert_eq!(
        ds["spec"]["updateStrategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
    );

    let sts = d("controllers/statefulset.yaml#1");
    assert_eq!(sts["spec"]["podManagementPolicy"], "OrderedReady");
    assert_eq!(
        sts["spec"]["updateStrategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    );
    assert_eq!(
        sts["spec"]["persistentVolumeClaimRetentionPolicy"],
        json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
    );
    assert_eq!(
        sts["spec"]["volumeClaimTemplates"][0]["status"]["phase"],
        "Pending"
    );
    assert_eq!(
        sts["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"],
        "Filesystem"
    );

    let cj = d("application/job/cronjob.yaml#0");
    assert_eq!(cj["spec"]["concurrencyPolicy"], "Allow");
    assert_eq!(cj["spec"]["successfulJobsHistoryLimit"], 3);
    assert_eq!(cj["spec"]["failedJobsHistoryLimit"], 1);
    assert!(
        cj["spec"]["jobTemplate"]["spec"]
            .get("backoffLimit")
            .is_none(),
        "a JobTemplate is not a Job"
    );

    let pc = d("priorityclass/low-priority-class.yaml#0");
    assert_eq!(pc["preemptionPolicy"], "PreemptLowerPriority");

    let rb = d("access/simple-rolebinding-with-role.yaml#0");
    assert_eq!(rb["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");

    let secret = d("secret/basicauth-secret.yaml#0");
    assert!(secret["type"].is_string());

    let ns = d("admin/namespace-dev.yaml#0");
    let ns_name = ns["metadata"]["name"].as_str().unwrap().to_string();
    assert_eq!(
        ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
        Value::from(ns_name)
    );
    assert_eq!(ns["status"]["phase"], "Active");

    let quota_list = d("policy/quota.yaml#0");
    assert!(quota_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["kind"] == "ResourceQuota"));

    let cm_pod = d("pods/pod-configmap-volume.yaml#0");
    let vols = cm_pod["spec"]["volumes"].as_array().unwrap();
    assert!(vols
        .iter()
        .filter(|v| v.get("configMap").is_some())
        .all(|v| v["configMap"]["defaultMode"] == 420));
}

/// `(group, plural resource, namespaced)` for the corpus kinds (what discovery would say).
fn resource_of(api_version: &str, kind: &str) -> (String, String, bool) {
    let group = api_version
        .split_once('/')
        .map_or("", |(g, _)| g)
        .to_string();
    let lower = kind.to_lowercase();
    let plural = match kind {
        "Endpoints" => lower,
        k if k.ends_with('y') => format!("{}ies", &lower[..lower.len() - 1]),
        k if k.ends_with('s') => format!("{lower}es"),
        _ => format!("{lower}s"),
    };
    let cluster_scoped = [
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "PersistentVolume",
        "PriorityClass",
        "StorageClass",
        "IngressClass",
    ];
    (group, plural, !cluster_scoped.contains(&kind))
}

#[test]
fn every_document_passes_the_whole_create_path() {
    use kubestep::apiserver::admission::chain::{self, ClusterView};
    use kubestep::apiserver::admission::{namespace_lifecycle, priority, Attributes, Operation};

    let docs: Vec<Value> = defaulted_corpus()
        .into_values()
        .flat_map(|d| {
            if d["kind"] == "List" {
                d["items"].as_array().unwrap().clone()
            } else {
                vec![d]
            }
        })
        .collect();
    let mut namespaces: Vec<Value> = [
        "default",
        "kube-system",
        "cpu-example",
        "mem-example",
        "default-mem-example",
    ]
    .iter()
    .map(|n| namespace_lifecycle::namespace_object(n, "Active"))
    .collect();
    namespaces.extend(docs.iter().filter(|d| d["kind"] == "Namespace").cloned());
    let service_accounts: Vec<Value> = namespaces
        .iter()
        .map(|n| json!({"metadata": {"name": "default", "namespace": n["metadata"]["name"]}}))
        .chain(
            docs.iter()
                .filter(|d| d["kind"] == "ServiceAccount")
                .cloned(),
        )
        .collect();
    let mut priority_classes = priority::system_priority_classes();
    priority_classes.extend(
        docs.iter()
            .filter(|d| d["kind"] == "PriorityClass")
            .cloned(),
    );
    let limit_ranges: Vec<Value> = docs
        .iter()
        .filter(|d| d["kind"] == "LimitRange")
        .cloned()
        .collect();
    let view = ClusterView {
        namespaces: &namespaces,
        service_accounts: &service_accounts,
        limit_ranges: &limit_ranges,
        priority_classes: &priority_classes,
        ..Default::default()
    };
    let mut rng = kubestep::sim::Rng::seed_from_u64(11);
    for doc in docs {
        let api_version = doc["apiVersion"].as_str().unwrap().to_string();
        let kind = doc["kind"].as_str().unwrap().to_string();
        let (group, resource, namespaced) = resource_of(&api_version, &kind);
        let ns = if namespaced {
            doc["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        let attrs = Attributes {
            operation: Operation::Create,
            group: &group,
            resource: &resource,
            subresource: "",
            kind: &kind,
            namespace: &ns,
            name: "",
            old_object: None,
        };
        let name = doc["metadata"]["name"].clone();
        let (mut obj, _) = chain::admit(&attrs, doc, &view, &mut rng)
            .unwrap_or_else(|e| panic!("{kind} {name}: {e:?}"));
        obj["metadata"]["uid"] = json!("6f1c1e59-0000-4000-8000-000000000002");
        obj["metadata"]["creationTimestamp"] = json!("2026-11-23T09:00:00Z");
        prepare_for_create(&kind, &mut obj);
        chain::validate(&attrs, &obj, &view).unwrap_or_else(|e| panic!("{kind} {name}: {e:?}"));
        if kind == "Pod" {
            assert_eq!(obj["spec"]["serviceAccountName"], "default", "{name}");
            assert_eq!(obj["status"]["phase"], "Pending", "{name}");
            assert!(
                obj["spec"]["tolerations"].as_array().unwrap().len() >= 2,
                "{name}"
            );
            assert_eq!(obj["metadata"]["generation"], 1, "{name}");
        }
    }
}
