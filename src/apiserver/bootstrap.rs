//! What kube-apiserver's post-start hooks create in a new cluster: the system namespaces, the
//! `kubernetes` Service with its endpoints, and the built-in priority classes.
//! the bootstrap RBAC policy (`authz::bootstrap_policy`, with kubeadm's objects and the RBAC
//! lesson's user `jane`).

use serde_json::{json, Value};

use super::defaulting::strategy::new_uid;
use super::resources;
use crate::sim::{Rng, SimTime};

/// The ClusterIP of the `kubernetes` Service: the first address of `--service-cluster-ip-range`
/// (10.96.0.0/12).
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";

fn meta(name: &str, namespace: Option<&str>, now: SimTime, rng: &mut Rng) -> Value {
    let mut m = json!({
        "name": name,
        "uid": new_uid(rng),
        "creationTimestamp": now.rfc3339(),
    });
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

fn keyed(resource: &str, group: &str, obj: Value) -> (String, Value) {
    let r = resources::find(group, "v1", resource).expect("a served resource");
    let ns = obj.pointer("/metadata/namespace").and_then(Value::as_str);
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .expect("bootstrap objects are named");
    (r.etcd_key(ns, name).expect("a stored resource"), obj)
}

/// The objects, with their etcd keys, in the order the hooks write them.
pub fn objects(now: SimTime, rng: &mut Rng, advertise_address: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let mut m = meta(ns, None, now, rng);
        m["labels"] = json!({ "kubernetes.io/metadata.name": ns });
        out.push(keyed(
            "namespaces",
            "",
            json!({
                "kind": "Namespace",
                "apiVersion": "v1",
                "metadata": m,
                "spec": { "finalizers": ["kubernetes"] },
                "status": { "phase": "Active" },
            }),
        ));
    }
    // Every namespace's `default` ServiceAccount. In a real cluster kube-controller-manager's
    // serviceaccount controller creates these through the API; kubestep's post-start hooks
    // write them until that controller runs here.
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        out.push(keyed(
            "serviceaccounts",
            "",
            json!({
                "kind": "ServiceAccount",
                "apiVersion": "v1",
                "metadata": meta("default", Some(ns), now, rng),
            }),
        ));
    }
    // kubeadm's kube-proxy addon runs as this ServiceAccount (bound to system:node-proxier).
    out.push(keyed(
        "serviceaccounts",
        "",
        json!({
            "kind": "ServiceAccount",
            "apiVersion": "v1",
            "metadata": meta("kube-proxy", Some("kube-system"), now, rng),
        }),
    ));
    for (name, value, description) in [
        (
            "system-node-critical",
            2_000_001_000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
        (
            "system-cluster-critical",
            2_000_000_000,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        ),
    ] {
        out.push(keyed(
            "priorityclasses",
            "scheduling.k8s.io",
            json!({
                "kind": "PriorityClass",
                "apiVersion": "scheduling.k8s.io/v1",
                "metadata": meta(name, None, now, rng),
                "value": value,
                "globalDefault": false,
                "description": description,
                "preemptionPolicy": "PreemptLowerPriority",
            }),
        ));
    }
    let mut svc_meta = meta("kubernetes", Some("default"), now, rng);
    svc_meta["labels"] = json!({ "component": "apiserver", "provider": "kubernetes" });
    out.push(keyed(
        "services",
        "",
        json!({
            "kind": "Service",
            "apiVersion": "v1",
            "metadata": svc_meta,
            "spec": {
                "ports": [{ "name": "https", "protocol": "TCP", "port": 443, "targetPort": 6443 }],
                "clusterIP": KUBERNETES_SERVICE_IP,
                "clusterIPs": [KUBERNETES_SERVICE_IP],
                "type": "ClusterIP",
                "sessionAffinity": "None",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "internalTrafficPolicy": "Cluster",
            },
            "status": { "loadBalancer": {} },
        }),
    ));
    let mut ep_meta = meta("kubernetes", Some("default"), now, rng);
    ep_meta["labels"] = json!({ "endpointslice.kubernetes.io/skip-mirror": "true" });
    out.push(keyed(
        "endpoints",
        "",
        json!({
            "kind": "Endpoints",
            "apiVersion": "v1",
            "metadata": ep_meta,
            "subsets": [{
                "addresses": [{ "ip": advertise_address }],
                "ports": [{ "name": "https", "port": 6443, "protocol": "TCP" }],
            }],
        }),
    ));
    let mut slice_meta = meta("kubernetes", Some("default"), now, rng);
    slice_meta["labels"] = json!({ "kubernetes.io/service-name": "kubernetes" });
    out.push(keyed(
        "endpointslices",
        "discovery.k8s.io",
        json!({
            "kind": "EndpointSlice",
            "apiVersion": "discovery.k8s.io/v1",
            "metadata": slice_meta,
            "addressType": "IPv4",
            "endpoints": [{ "addresses": [advertise_address], "conditions": { "ready": true } }],
            "ports": [{ "name": "https", "port": 6443, "protocol": "TCP" }],
        }),
    ));
    // The control-plane Node and its static pods' mirrors are the control-plane kubelet's
    // (`crate::kubelet`); what kubeadm init itself leaves are its ConfigMaps.
    for (ns, name, data) in super::kubeadm::config_maps() {
        out.push(keyed(
            "configmaps",
            "",
            json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta(name, Some(ns), now, rng), "data": data}),
        ));
    }
    let policy = super::authz::bootstrap_policy::BootstrapPolicy::kubestep();
    for (resource, list) in [
        ("clusterroles", policy.cluster_roles),
        ("clusterrolebindings", policy.cluster_role_bindings),
        ("roles", policy.roles),
        ("rolebindings", policy.role_bindings),
    ] {
        for mut obj in list {
            obj["metadata"]["uid"] = json!(new_uid(rng));
            obj["metadata"]["creationTimestamp"] = json!(now.rfc3339());
            out.push(keyed(resource, "rbac.authorization.k8s.io", obj));
        }
    }
    out
}
