//! What `kubeadm init` leaves in a new cluster besides the API server's own objects: the static
//! control-plane pods (with the flags kubeadm 1.33 writes into their manifests), which the
//! control-plane kubelet runs and mirrors (`crate::kubelet`), and kubeadm's ConfigMaps.
//!
//! In a real cluster kube-controller-manager publishes `kube-root-ca.crt`; kubestep's
//! post-start hooks write it, as it stands when the cluster is ready, until that controller
//! runs here.

use serde_json::{json, Value};

use crate::sim::SimTime;

pub const CONTROL_PLANE_NODE: &str = "control-plane";
pub const KUBERNETES_VERSION: &str = "v1.33.1";

fn flags(list: &[&str]) -> Value {
    json!(list)
}

/// The static pods kubeadm writes to `/etc/kubernetes/manifests`: (component, image, command).
pub fn static_pod_specs(ip: &str) -> Vec<(&'static str, String, Value)> {
    vec![
        (
            "etcd",
            "registry.k8s.io/etcd:3.4.23-0".to_string(),
            flags(&[
                "etcd",
                &format!("--advertise-client-urls=https://{ip}:2379"),
                "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
                "--client-cert-auth=true",
                "--data-dir=/var/lib/etcd",
                &format!("--initial-advertise-peer-urls=https://{ip}:2380"),
                &format!("--initial-cluster=control-plane=https://{ip}:2380"),
                "--key-file=/etc/kubernetes/pki/etcd/server.key",
                &format!("--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379"),
                "--listen-metrics-urls=http://127.0.0.1:2381",
                &format!("--listen-peer-urls=https://{ip}:2380"),
                "--name=control-plane",
                "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
                "--peer-client-cert-auth=true",
                "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
                "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
                "--snapshot-count=10000",
                "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
            ]),
        ),
        (
            "kube-apiserver",
            format!("registry.k8s.io/kube-apiserver:{KUBERNETES_VERSION}"),
            flags(&[
                "kube-apiserver",
                &format!("--advertise-address={ip}"),
                "--allow-privileged=true",
                "--authorization-mode=Node,RBAC",
                "--client-ca-file=/etc/kubernetes/pki/ca.crt",
                "--enable-admission-plugins=NodeRestriction",
                "--enable-bootstrap-token-auth=true",
                "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
                "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
                "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
                "--etcd-servers=https://127.0.0.1:2379",
                "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
                "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
                "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
                "--requestheader-allowed-names=front-proxy-client",
                "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-username-headers=X-Remote-User",
                "--secure-port=6443",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
                "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
                "--service-cluster-ip-range=10.96.0.0/12",
                "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
                "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
            ]),
        ),
        (
            "kube-controller-manager",
            format!("registry.k8s.io/kube-controller-manager:{KUBERNETES_VERSION}"),
            flags(&[
                "kube-controller-manager",
                "--allocate-node-cidrs=true",
                "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
                "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
                "--bind-address=127.0.0.1",
                "--client-ca-file=/etc/kubernetes/pki/ca.crt",
                "--cluster-cidr=10.244.0.0/16",
                "--cluster-name=kubernetes",
                "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
                "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
                "--controllers=*,bootstrapsigner,tokencleaner",
                "--kubeconfig=/etc/kubernetes/controller-manager.conf",
                "--leader-elect=true",
                "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
                "--root-ca-file=/etc/kubernetes/pki/ca.crt",
                "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
                "--service-cluster-ip-range=10.96.0.0/12",
                "--use-service-account-credentials=true",
            ]),
        ),
        (
            "kube-scheduler",
            format!("registry.k8s.io/kube-scheduler:{KUBERNETES_VERSION}"),
            flags(&[
                "kube-scheduler",
                "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
                "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
                "--bind-address=127.0.0.1",
                "--kubeconfig=/etc/kubernetes/scheduler.conf",
                "--leader-elect=true",
            ]),
        ),
    ]
}

/// The mirror pod the kubelet creates for a static pod: named `<component>-<node>`, owned by
/// the Node, marked with the `kubernetes.io/config.mirror` annotation, Running.
pub fn mirror_pod(
    component: &str,
    image: &str,
    command: Value,
    ip: &str,
    uid: &str,
    node_uid: &str,
    now: SimTime,
) -> Value {
    let t = now.rfc3339();
    let hash = &uid.replace('-', "")[..32];
    let cond = |kind: &str| json!({"type": kind, "status": "True", "lastProbeTime": null, "lastTransitionTime": t});
    json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": format!("{component}-{CONTROL_PLANE_NODE}"),
            "namespace": "kube-system",
            "labels": {"component": component, "tier": "control-plane"},
            "annotations": {
                "kubernetes.io/config.hash": hash,
                "kubernetes.io/config.mirror": hash,
                "kubernetes.io/config.seen": t,
                "kubernetes.io/config.source": "file",
            },
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": CONTROL_PLANE_NODE, "uid": node_uid, "controller": true}],
        },
        "spec": {
            "containers": [{
                "name": component,
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "command": command,
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "nodeName": CONTROL_PLANE_NODE,
            "hostNetwork": true,
            "priority": 2_000_001_000,
            "priorityClassName": "system-node-critical",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "terminationGracePeriodSeconds": 30,
            "enableServiceLinks": true,
            "preemptionPolicy": "PreemptLowerPriority",
            "tolerations": [{"operator": "Exists", "effect": "NoExecute"}],
        },
        "status": {
            "phase": "Running",
            "conditions": [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
            "hostIP": ip,
            "hostIPs": [{"ip": ip}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": t,
            "qosClass": "Burstable",
            "containerStatuses": [{
                "name": component,
                "image": image,
                "imageID": format!("{image}@sha256:{}", hash.repeat(2)),
                "containerID": format!("containerd://{}", hash.repeat(2)),
                "ready": true,
                "started": true,
                "restartCount": 0,
                "state": {"running": {"startedAt": t}},
            }],
        },
    })
}

/// kubeadm's and the root-CA publisher's ConfigMaps: (namespace, name, data).
pub fn config_maps() -> Vec<(&'static str, &'static str, Value)> {
    let ca = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubestepCAMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNVBAMT\nCmt1YmVybmV0ZXMwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAwMDAwWjAVMRMw\nEQYDVQQDEwprdWJlcm5ldGVzMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQC=\n-----END CERTIFICATE-----\n";
    let mut out = Vec::new();
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        out.push((ns, "kube-root-ca.crt", json!({"ca.crt": ca})));
    }
    out.push((
        "kube-system",
        "kubeadm-config",
        json!({"ClusterConfiguration": format!("apiServer: {{}}\napiVersion: kubeadm.k8s.io/v1beta4\ncaCertificateValidityPeriod: 87600h0m0s\ncertificateValidityPeriod: 8760h0m0s\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\ncontrollerManager: {{}}\ndns: {{}}\nencryptionAlgorithm: RSA-2048\netcd:\n  local:\n    dataDir: /var/lib/etcd\nimageRepository: registry.k8s.io\nkind: ClusterConfiguration\nkubernetesVersion: {KUBERNETES_VERSION}\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\nproxy: {{}}\nscheduler: {{}}\n")}),
    ));
    out
}
