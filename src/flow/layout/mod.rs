//! The cluster diagram's model at the cursor: which boxes there are (the admin with kubectl, the
//! control-plane node's components, each worker node's kubelet, kube-proxy and container
//! runtime), where they sit in the SVG, the machines and zones around them, the pods the API
//! server holds, the edges messages travel on, and what the message at the cursor animates
//! (`animation`), the API server's handler chain (`chain`) and the scheduler's verdicts
//! (`verdicts`). Pure and deterministic: the yew component in `ui/diagram.rs` only draws it.

pub mod animation;
pub mod chain;
pub mod geometry;
pub mod pods;
pub mod verdicts;

use crate::sim::{Addr, Sim};

pub use animation::{Animation, Copy, CopyState, PacketKind};
pub use chain::{ChainStage, HandlerChain, StageState};
pub use geometry::{Point, Rect};
pub use pods::{PodTone, PodView};
pub use verdicts::{FilterVerdict, NodeVerdict, Verdicts};

/// A box of the diagram: one component, or the learner's terminal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoxId {
    /// The learner as the cluster admin, with kubectl (and the tests' API clients).
    Admin,
    ApiServer,
    Etcd,
    Scheduler,
    ControllerManager,
    /// etcdctl, run on the control-plane node.
    Etcdctl,
    Kubelet(String),
    KubeProxy(String),
    /// The node's container runtime (containerd), which the kubelet calls over the CRI.
    Runtime(String),
}

impl BoxId {
    /// The box a message sender or receiver is drawn as.
    pub fn of(addr: &Addr) -> BoxId {
        match addr {
            Addr::Learner | Addr::Kubectl | Addr::Client(_) => BoxId::Admin,
            Addr::Etcdctl => BoxId::Etcdctl,
            Addr::Etcd => BoxId::Etcd,
            Addr::ApiServer => BoxId::ApiServer,
            Addr::Scheduler => BoxId::Scheduler,
            Addr::ControllerManager => BoxId::ControllerManager,
            Addr::Kubelet(n) => BoxId::Kubelet(n.clone()),
            Addr::KubeProxy(n) => BoxId::KubeProxy(n.clone()),
        }
    }

    /// The `data-component` of the box: the component's address as the trace names it
    /// (`kubelet/worker-1`); `kubectl` for the admin, `containerd/<node>` for a runtime.
    pub fn component(&self) -> String {
        match self {
            BoxId::Admin => "kubectl".to_string(),
            BoxId::Runtime(n) => format!("containerd/{n}"),
            other => other.addr().map(|a| a.name()).unwrap_or_default(),
        }
    }

    /// The simulated actor behind the box (`None` for the runtime, which is part of its
    /// kubelet, and the admin, who is the learner).
    pub fn addr(&self) -> Option<Addr> {
        Some(match self {
            BoxId::Admin | BoxId::Runtime(_) => return None,
            BoxId::ApiServer => Addr::ApiServer,
            BoxId::Etcd => Addr::Etcd,
            BoxId::Scheduler => Addr::Scheduler,
            BoxId::ControllerManager => Addr::ControllerManager,
            BoxId::Etcdctl => Addr::Etcdctl,
            BoxId::Kubelet(n) => Addr::Kubelet(n.clone()),
            BoxId::KubeProxy(n) => Addr::KubeProxy(n.clone()),
        })
    }
}

/// One drawn box.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxView {
    pub id: BoxId,
    /// The box's title (`kube-apiserver`, `kubelet`).
    pub title: String,
    /// What it does, in a few words (`the cluster's API`).
    pub role: String,
    pub rect: Rect,
    /// A small chip (etcdctl and the control-plane node's own kubelet and kube-proxy).
    pub small: bool,
    /// Stopped by a fault (`sim stop ...`): drawn dashed, labelled "stopped".
    pub stopped: bool,
}

/// A machine: the control-plane node or a worker.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub name: String,
    pub zone: Option<String>,
    pub control_plane: bool,
    pub rect: Rect,
    /// Its pods not drawn for lack of room (`+N more`).
    pub hidden_pods: usize,
}

/// A zone frame around its worker nodes (`topology.kubernetes.io/zone`).
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneView {
    /// `None`: the nodes without a zone label.
    pub name: Option<String>,
    pub rect: Rect,
}

/// Two boxes that exchange messages, and the polyline between them (from `a` to `b`).
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub a: BoxId,
    pub b: BoxId,
    pub points: Vec<Point>,
}

/// The diagram at one point of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub width: f64,
    pub height: f64,
    pub boxes: Vec<BoxView>,
    pub nodes: Vec<NodeView>,
    pub zones: Vec<ZoneView>,
    /// Pods on their nodes (`node` set, `rect` inside that node).
    pub pods: Vec<PodView>,
    /// The frame of the pods no node has been chosen for yet, and those pods.
    pub pending_area: Rect,
    pub pending: Vec<PodView>,
    pub pending_hidden: usize,
    pub edges: Vec<Edge>,
}

impl Diagram {
    pub fn box_of(&self, id: &BoxId) -> Option<&BoxView> {
        self.boxes.iter().find(|b| &b.id == id)
    }

    /// The polyline from `from` to `to`, if the two exchange messages.
    pub fn path(&self, from: &BoxId, to: &BoxId) -> Option<Vec<Point>> {
        self.edges.iter().find_map(|e| {
            if &e.a == from && &e.b == to {
                Some(e.points.clone())
            } else if &e.a == to && &e.b == from {
                Some(e.points.iter().rev().copied().collect())
            } else {
                None
            }
        })
    }
}

/// Everything the diagram shows at the cursor.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub diagram: Diagram,
    /// The message just delivered, as a packet (with its watch fan-out).
    pub animation: Option<Animation>,
    /// The API server opened into its handler chain, while a request is inside it.
    pub chain: Option<HandlerChain>,
    /// The scheduler's filter verdicts and scores, at a scheduling decision (step 6).
    pub verdicts: Option<Verdicts>,
}

impl Scene {
    /// The scene of `sim` as it stands (the cursor is the sim's last delivery).
    pub fn at(sim: &Sim) -> Scene {
        let diagram = geometry::layout(sim);
        let animation = animation::of_last(sim, &diagram);
        let chain = chain::of_last(sim);
        let verdicts = verdicts::of_last(sim);
        Scene {
            diagram,
            animation,
            chain,
            verdicts,
        }
    }
}
