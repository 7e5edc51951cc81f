//! The objects the kubelet writes about its node and its pods: the Node it registers
//! (`initialNode` with the status setters), its status patches, its Lease, and its Events.

use serde_json::{json, Value};

use super::cri::{image_id, ContainerRuntime};
use crate::apiserver::kubeadm::KUBERNETES_VERSION;
use crate::cluster::{NodeConfig, CONTROL_PLANE_ROLE, ZONE_LABEL};
use crate::sim::SimTime;

fn conditions(now: SimTime) -> Value {
    let t = now.rfc3339();
    let cond = |kind: &str, status: &str, reason: &str, message: &str| json!({"type": kind, "status": status, "lastHeartbeatTime": t, "lastTransitionTime": t, "reason": reason, "message": message});
    json!([
        cond(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"
        ),
        cond(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        cond(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        cond(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status"
        ),
    ])
}

/// A stable, node-specific hex id (machine-id, boot id) from the node's name.
fn machine_hex(name: &str, salt: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(name.as_bytes());
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn uuid_form(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The Node a kubelet POSTs when it registers.
pub fn initial_node(node: &NodeConfig, now: SimTime, images: &Value) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
    });
    let mut spec = json!({"podCIDR": node.pod_cidr, "podCIDRs": [node.pod_cidr]});
    if node.control_plane {
        labels[CONTROL_PLANE_ROLE] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        spec["taints"] = json!([{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]);
    }
    if let Some(zone) = &node.zone {
        labels[ZONE_LABEL] = json!(zone);
    }
    let machine = machine_hex(&node.name, "machine-id");
    json!({
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {
            "name": node.name,
            "labels": labels,
            "annotations": {"volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": spec,
        "status": {
            "capacity": node.capacity(),
            "allocatable": node.allocatable(),
            "conditions": conditions(now),
            "addresses": [{"type": "InternalIP", "address": node.internal_ip}, {"type": "Hostname", "address": node.name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": uuid_form(&machine_hex(&node.name, "boot-id")),
                "containerRuntimeVersion": "containerd://2.1.1",
                "kernelVersion": "6.1.0-27-amd64",
                "kubeProxyVersion": "",
                "kubeletVersion": KUBERNETES_VERSION,
                "machineID": machine,
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": uuid_form(&machine),
            },
            "images": images,
        },
    })
}

/// The periodic node status patch: the conditions with a fresh heartbeat, and the images.
pub fn status_patch(now: SimTime, images: &Value) -> Value {
    json!({"status": {"conditions": conditions(now), "images": images}})
}

/// `status.images`: the node's images, largest first, at most `nodeStatusMaxImages` (50),
/// each named by digest and by tag (what the scheduler's ImageLocality plugin reads).
pub fn images(runtime: &ContainerRuntime) -> Value {
    let mut list: Vec<(&String, &u64)> = runtime.images.iter().collect();
    list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    Value::Array(
        list.into_iter()
            .take(50)
            .map(|(name, size)| json!({"names": [image_id(name), name], "sizeBytes": size}))
            .collect(),
    )
}

/// The node's Lease, as the lease controller creates it.
pub fn new_lease(node: &str, node_uid: &str, now: SimTime) -> Value {
    let mut lease = json!({
        "kind": "Lease",
        "apiVersion": "coordination.k8s.io/v1",
        "metadata": {"name": node, "namespace": "kube-node-lease"},
        "spec": {
            "holderIdentity": node,
            "leaseDurationSeconds": super::LEASE_DURATION_SECONDS,
            "renewTime": now.rfc3339_micros(),
        },
    });
    if !node_uid.is_empty() {
        lease["metadata"]["ownerReferences"] =
            json!([{"apiVersion": "v1", "kind": "Node", "name": node, "uid": node_uid}]);
    }
    lease
}
