//! The create path in kube-apiserver's real order — decode+defaulting, mutating admission,
//! system fields, PrepareForCreate, validating admission — for `kubectl run nginx
//! --image=nginx`, checked against the object a 1.33 API server stores.

use kubestep::apiserver::admission::chain::{self, ClusterView};
use kubestep::apiserver::admission::{namespace_lifecycle, priority, Attributes, Operation};
use kubestep::apiserver::defaulting::{prepare_for_create, set_object_defaults};
use kubestep::sim::Rng;
use serde_json::{json, Value};

fn attrs() -> Attributes<'static> {
    Attributes {
        operation: Operation::Create,
        group: "",
        resource: "pods",
        subresource: "",
        kind: "Pod",
        namespace: "default",
        name: "",
        old_object: None,
    }
}

#[test]
fn kubectl_run_nginx_is_stored_as_the_real_server_stores_it() {
    // What `kubectl run nginx --image=nginx` sends.
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"run": "nginx"}, "name": "nginx", "namespace": "default"},
        "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}], "dnsPolicy": "ClusterFirst", "restartPolicy": "Always"}, "status": {}});
    set_object_defaults(&mut pod);

    let namespaces = [namespace_lifecycle::namespace_object("default", "Active")];
    let accounts = [
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "default"}}),
    ];
    let classes = priority::system_priority_classes();
    let view = ClusterView {
        namespaces: &namespaces,
        service_accounts: &accounts,
        priority_classes: &classes,
        ..Default::default()
    };
    let mut rng = Rng::seed_from_u64(42);
    let (mut pod, notes) = chain::admit(&attrs(), pod, &view, &mut rng).unwrap();
    let plugins: Vec<&str> = notes.iter().map(|n| n.plugin).collect();
    assert_eq!(
        plugins,
        [
            "NamespaceLifecycle",
            "LimitRanger",
            "ServiceAccount",
            "Priority",
            "DefaultTolerationSeconds",
            "DefaultStorageClass"
        ]
    );

    pod["metadata"]["uid"] = json!("5f0e3f44-6a8b-4c5e-9a51-0c3c5d2b7e11");
    pod["metadata"]["creationTimestamp"] = json!("2026-11-23T09:00:00Z");
    prepare_for_create("Pod", &mut pod);
    let (_, quotas) = chain::validate(&attrs(), &pod, &view).unwrap();
    assert!(quotas.is_empty());

    let volume = pod["spec"]["volumes"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let expected = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"creationTimestamp": "2026-11-23T09:00:00Z", "generation": 1, "labels": {"run": "nginx"}, "name": "nginx",
            "namespace": "default", "uid": "5f0e3f44-6a8b-4c5e-9a51-0c3c5d2b7e11"},
        "spec": {
            "containers": [{"image": "nginx", "imagePullPolicy": "Always", "name": "nginx", "resources": {},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": volume, "readOnly": true}]}],
            "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
            "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {}, "serviceAccount": "default",
            "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}],
            "volumes": [{"name": volume, "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}]}}]
        },
        "status": {"phase": "Pending", "qosClass": "BestEffort"}
    });
    assert_eq!(pod, expected);
}

#[test]
fn the_chain_reports_which_plugin_rejected() {
    let view = ClusterView::default();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": []}});
    let err = chain::admit(&attrs(), pod, &view, &mut Rng::seed_from_u64(1)).unwrap_err();
    assert_eq!(err.plugin, "NamespaceLifecycle");
    assert_eq!(err.error.message, r#"namespaces "default" not found"#);

    let quotas = [
        json!({"metadata": {"name": "pods", "namespace": "default"}, "status": {"hard": {"pods": "1"}, "used": {"pods": "1"}}}),
    ];
    let view = ClusterView {
        resource_quotas: &quotas,
        ..Default::default()
    };
    let pod = json!({"metadata": {"name": "p", "namespace": "default"}, "spec": {}, "status": {"phase": "Pending"}});
    let err = chain::validate(&attrs(), &pod, &view).unwrap_err();
    assert_eq!(err.plugin, "ResourceQuota");
    assert_eq!(err.error.code, 403);
    let _: Value = err.error.to_status();
}
