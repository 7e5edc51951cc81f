//! Builds a cluster on the kernel: which components run and where, and the nodes it has.

use serde::{Deserialize, Serialize};

use crate::apiserver::kubeadm::CONTROL_PLANE_NODE;
use crate::apiserver::server::{ApiServerConfig, KubeApiServer};
use crate::controller_manager::{self, KubeControllerManager};
use crate::etcd::{EtcdConfig, EtcdServer, CONTROL_PLANE_IP};
use crate::etcdctl::Etcdctl;
use crate::kube_proxy::KubeProxy;
use crate::kubelet::Kubelet;
use crate::sim::Sim;

/// The label kubeadm's control-plane nodes carry (and the key of their taint).
pub const CONTROL_PLANE_ROLE: &str = "node-role.kubernetes.io/control-plane";
/// The well-known zone label (`corev1.LabelTopologyZone`).
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// kubeadm's `podSubnet` (`--cluster-cidr` of kube-controller-manager and kube-proxy).
pub const CLUSTER_CIDR: &str = "10.244.0.0/16";

/// One machine of the cluster: what its kubelet registers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeConfig {
    pub name: String,
    /// Whether the control plane's static pods run here (labelled and tainted as kubeadm does).
    pub control_plane: bool,
    /// `topology.kubernetes.io/zone`, if any.
    pub zone: Option<String>,
    /// The node's InternalIP.
    pub internal_ip: String,
    /// `spec.podCIDR`: the range its pods' IPs come from.
    pub pod_cidr: String,
    /// Capacity as Kubernetes quantities.
    pub cpu: String,
    pub memory: String,
    pub pods: u32,
}

impl NodeConfig {
    /// Capacity as the kubelet reports it (`status.capacity`).
    pub fn capacity(&self) -> serde_json::Value {
        serde_json::json!({
            "cpu": self.cpu,
            "ephemeral-storage": "61202244Ki",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": self.memory,
            "pods": self.pods.to_string(),
        })
    }

    /// Allocatable: capacity less the kubelet's default eviction threshold
    /// (`memory.available<100Mi`) and `nodefs.available<10%` for ephemeral storage.
    pub fn allocatable(&self) -> serde_json::Value {
        let memory = crate::apiserver::defaulting::quantity::Quantity::parse(&self.memory)
            .map(|q| q.milli_value() / 1000)
            .ok()
            .map(|b| format!("{}Ki", (b - 100 * 1024 * 1024).max(0) / 1024))
            .unwrap_or_else(|| self.memory.clone());
        serde_json::json!({
            "cpu": self.cpu,
            "ephemeral-storage": "56403987978",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": memory,
            "pods": self.pods.to_string(),
        })
    }
}

/// The cluster to build: small and serialisable, so the UI can edit its node list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterConfig {
    pub nodes: Vec<NodeConfig>,
}

impl Default for ClusterConfig {
    /// kubeadm's control-plane node (tainted) and two workers in zones `a-zone` and `b-zone`.
    fn default() -> Self {
        let node = |name: &str, cp: bool, zone: Option<&str>, ip: &str, cidr: &str| NodeConfig {
            name: name.to_string(),
            control_plane: cp,
            zone: zone.map(str::to_string),
            internal_ip: ip.to_string(),
            pod_cidr: cidr.to_string(),
            cpu: if cp { "2" } else { "4" }.to_string(),
            memory: if cp { "4015180Ki" } else { "8148020Ki" }.to_string(),
            pods: 110,
        };
        ClusterConfig {
            nodes: vec![
                node(
                    CONTROL_PLANE_NODE,
                    true,
                    None,
                    CONTROL_PLANE_IP,
                    "10.244.0.0/24",
                ),
                node(
                    "worker-1",
                    false,
                    Some("a-zone"),
                    "172.18.0.3",
                    "10.244.1.0/24",
                ),
                node(
                    "worker-2",
                    false,
                    Some("b-zone"),
                    "172.18.0.4",
                    "10.244.2.0/24",
                ),
            ],
        }
    }
}

/// Starts every component of a fresh cluster with the default nodes.
pub fn bootstrap(sim: &mut Sim) {
    bootstrap_with(sim, &ClusterConfig::default());
}

/// Starts every component of a fresh cluster with `config`'s nodes.
pub fn bootstrap_with(sim: &mut Sim, config: &ClusterConfig) {
    sim.add_actor(Box::new(EtcdServer::new(EtcdConfig::default())));
    // etcdctl, run on the control-plane node as a kubeadm admin would.
    sim.add_actor(Box::new(Etcdctl::new()));
    // kubectl, with the admin kubeconfig kubeadm writes (plus jane's user).
    sim.add_actor(Box::new(crate::kubectl::Kubectl::new()));
    let mut apiserver = KubeApiServer::new(ApiServerConfig::default());
    // kubeadm's kube-proxy DaemonSet runs as the `kube-proxy` service account: its token is
    // one the API server issued.
    apiserver.authenticator_mut().add_service_account_token(
        crate::kube_proxy::KUBE_PROXY_TOKEN,
        "kube-system",
        "kube-proxy",
        crate::kube_proxy::KUBE_PROXY_SA_UID,
    );
    // kube-controller-manager: one token per controller service account (see
    // `controller_manager`'s module doc for how this models the real start-up).
    let tokens = controller_manager::service_account_tokens();
    for (sa, token) in &tokens {
        apiserver
            .authenticator_mut()
            .add_service_account_token(token, "kube-system", sa, "");
    }
    sim.add_actor(Box::new(apiserver));
    sim.add_actor(Box::new(KubeControllerManager::new(tokens)));
    // kube-scheduler: a client of the API server like every other component.
    sim.add_actor(Box::new(crate::scheduler::KubeScheduler::new()));
    // The nodes: a kubelet and a kube-proxy on each.
    for node in &config.nodes {
        sim.add_actor(Box::new(Kubelet::new(node.clone())));
        sim.add_actor(Box::new(KubeProxy::new(&node.name)));
    }
}

/// Fault: cuts `node` off from the API server (its kubelet and its kube-proxy).
pub fn partition_node(sim: &mut Sim, node: &str) {
    for addr in node_components(node) {
        sim.partition(&addr, &crate::sim::Addr::ApiServer);
    }
}

/// Heals [`partition_node`].
pub fn heal_node(sim: &mut Sim, node: &str) {
    for addr in node_components(node) {
        sim.heal(&addr, &crate::sim::Addr::ApiServer);
    }
}

fn node_components(node: &str) -> [crate::sim::Addr; 2] {
    [
        crate::sim::Addr::Kubelet(node.to_string()),
        crate::sim::Addr::KubeProxy(node.to_string()),
    ]
}

/// How long a fresh cluster is given to settle before a learner (or a test) uses it: long
/// enough for every component's start-up retries (a kubelet whose first mirror-pod POST came
/// before the post-start hooks created kube-system tries again a second later).
pub const START_UP: crate::sim::SimDuration = crate::sim::SimDuration::from_secs(3);

/// A fresh cluster that has finished starting up: the API server has filled its caches and run
/// its post-start hooks, the kubelets have registered their nodes and mirror pods. The start-up
/// traffic stays in the trace.
pub fn booted(seed: u64) -> Sim {
    booted_with(crate::sim::SimConfig::default(), seed)
}

/// [`booted`] with a simulation configuration (the page keeps a bounded trace).
pub fn booted_with(config: crate::sim::SimConfig, seed: u64) -> Sim {
    let mut sim = Sim::new(config, seed);
    sim.run_until_idle();
    sim.advance(START_UP);
    sim.run_until_idle();
    sim
}
