//! The typed envelopes that travel on the bus: who sends, who receives, and what.

use serde::{Deserialize, Serialize};

use crate::apiserver::request::{HttpRequest, HttpResponse};
use crate::apiserver::watch::WatchEvent;
use crate::etcd::api as etcdpb;
use crate::sim::clock::SimTime;

/// Every party that can send or receive a message. Names follow the real components, so a
/// trace reads like a real cluster's logs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Addr {
    /// The learner at the keyboard (the page or the native console).
    Learner,
    /// `etcdctl`, run on the control-plane node as a kubeadm admin would.
    Etcdctl,
    /// The `etcd` member of the control plane.
    Etcd,
    /// `kube-apiserver`, the only component that talks to etcd.
    ApiServer,
    /// `kubectl`, run by the learner.
    Kubectl,
    /// `kube-scheduler` on the control-plane node.
    Scheduler,
    /// `kube-controller-manager` on the control-plane node.
    ControllerManager,
    /// The kubelet of a node.
    Kubelet(String),
    /// kube-proxy on a node.
    KubeProxy(String),
    /// A client of the API server used by tests and tools, named by its user agent.
    Client(String),
}

impl Addr {
    /// The short name shown in the trace and the diagram (`etcd`, `kube-apiserver`, `kubelet/node-1`).
    pub fn name(&self) -> String {
        match self {
            Addr::Learner => "learner".to_string(),
            Addr::Etcdctl => "etcdctl".to_string(),
            Addr::Etcd => "etcd".to_string(),
            Addr::ApiServer => "kube-apiserver".to_string(),
            Addr::Kubectl => "kubectl".to_string(),
            Addr::Scheduler => "kube-scheduler".to_string(),
            Addr::ControllerManager => "kube-controller-manager".to_string(),
            Addr::Kubelet(node) => format!("kubelet/{node}"),
            Addr::KubeProxy(node) => format!("kube-proxy/{node}"),
            Addr::Client(name) => name.clone(),
        }
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// What the learner can do to the simulation. Inputs are recorded, so a seed plus the input
/// log replays a run exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// One `etcdctl` run: its arguments after `etcdctl` (already split by the console's shell)
    /// and what the shell feeds to its standard input (a heredoc for `etcdctl txn`).
    Etcdctl {
        argv: Vec<String>,
        stdin: Option<String>,
    },
    /// One `kubectl` run: its arguments after `kubectl`, its standard input, and the files and
    /// directories it may read (`-f`), as the console found them (the page's files, or the
    /// disk for the native console).
    Kubectl {
        argv: Vec<String>,
        stdin: Option<String>,
        files: Vec<(String, crate::kubectl::io::FileEntry)>,
    },
    /// Ctrl-C on a running input (a `watch` that stays open), or the end of a console
    /// `timeout N ...` wrapper: the tool running `input_id` stops it.
    Interrupt { input_id: u64 },
    /// The learner saved (`Some(text)`) or closed without saving (`None`) the editor a
    /// `kubectl edit` run `input_id` opened.
    EditorSave { input_id: u64, text: Option<String> },
    /// A fault the learner injects from the console (`sim stop kubelet worker-1`). The kernel
    /// applies it when it is delivered, so faults sit in the input log and the trace like any
    /// other input, and a replay injects them at the same point.
    Fault(Fault),
    /// `sim compact`: kube-apiserver runs its etcd compaction now, to the current revision,
    /// instead of waiting for its 5-minute loop.
    Compact,
}

/// The faults a learner can inject: a component crashes or comes back, a node loses or
/// regains its network to the control plane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// The component at this address stops (a crashed process): messages to it are dropped.
    Stop(Addr),
    /// A stopped component starts again and rebuilds what it watches.
    Start(Addr),
    /// The node's kubelet and kube-proxy lose their network to kube-apiserver.
    Partition { node: String },
    /// Undoes [`Fault::Partition`].
    Heal { node: String },
}

impl Fault {
    /// Where the fault lands: the component it stops or starts, or the node's kubelet.
    pub fn target(&self) -> Addr {
        match self {
            Fault::Stop(a) | Fault::Start(a) => a.clone(),
            Fault::Partition { node } | Fault::Heal { node } => Addr::Kubelet(node.clone()),
        }
    }

    /// The console line that injects it (`sim stop kubelet worker-1`).
    pub fn command(&self) -> String {
        let component = |a: &Addr| match a {
            Addr::Kubelet(n) => format!("kubelet {n}"),
            Addr::KubeProxy(n) => format!("kube-proxy {n}"),
            other => other.name(),
        };
        match self {
            Fault::Stop(a) => format!("sim stop {}", component(a)),
            Fault::Start(a) => format!("sim start {}", component(a)),
            Fault::Partition { node } => format!("sim partition {node}"),
            Fault::Heal { node } => format!("sim heal {node}"),
        }
    }
}

/// The messages of the simulated control plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// A learner's input, delivered to the tool that runs it.
    Input {
        id: u64,
        input: Input,
    },
    /// A gRPC call to etcd (KV, Watch, Lease or Maintenance service).
    EtcdRequest {
        id: u64,
        request: etcdpb::Request,
    },
    /// etcd's answer to the call `id` (or, for watches, an event batch on watch stream `id`).
    EtcdResponse {
        id: u64,
        result: Result<etcdpb::Response, etcdpb::EtcdError>,
    },
    /// An HTTP request to kube-apiserver; the response carries the same `id`.
    HttpRequest {
        id: u64,
        request: HttpRequest,
    },
    HttpResponse {
        id: u64,
        response: HttpResponse,
    },
    /// One event on the open watch stream of request `id` (a chunk of its streamed response).
    WatchEvent {
        id: u64,
        event: WatchEvent,
    },
    /// The client closes the stream of its request `id` (a watch it no longer wants).
    HttpCancel {
        id: u64,
    },
    /// kube-apiserver passing a request from one stage of its handler chain to the next; the
    /// trace shows each stage and what it decided.
    ApiStage {
        request: u64,
        stage: Stage,
        outcome: String,
        ok: bool,
        /// The object as it stands after this stage (decoded, admitted...), so the UI can show
        /// what each stage changed.
        object: Option<std::sync::Arc<serde_json::Value>>,
    },
    /// kube-scheduler's decision for one pod (step 6): every filter verdict and score per node,
    /// kept in the trace (never in the stored object) so the UI can answer "why this node?".
    SchedulingDecision {
        pod: String,
        decision: std::sync::Arc<serde_json::Value>,
    },
    /// A kubelet's call into its node's container runtime (containerd) over the CRI, or the
    /// runtime's answer, shown in the trace (RunPodSandbox, PullImage, CreateContainer...).
    Cri {
        pod: String,
        call: crate::kubelet::cri::CriCall,
    },
    /// A timer an actor set for itself (lease expiry checks, heartbeats, retries).
    Timer {
        name: String,
    },
}

/// The stages of kube-apiserver's handler chain, in the order a request passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    Authentication,
    Authorization,
    /// Decoding the body (strict field validation) and applying defaults.
    Decoding,
    MutatingAdmission,
    Validation,
    ValidatingAdmission,
    Storage,
    Response,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Authentication,
        Stage::Authorization,
        Stage::Decoding,
        Stage::MutatingAdmission,
        Stage::Validation,
        Stage::ValidatingAdmission,
        Stage::Storage,
        Stage::Response,
    ];

    /// The name the trace and the UI show.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Authentication => "authentication",
            Stage::Authorization => "authorization",
            Stage::Decoding => "decoding",
            Stage::MutatingAdmission => "mutating-admission",
            Stage::Validation => "validation",
            Stage::ValidatingAdmission => "validating-admission",
            Stage::Storage => "storage",
            Stage::Response => "response",
        }
    }
}

/// What a sender knows about a message's place in the story, carried into the trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// The step (1-11) of the pod creation flow.
    pub step: Option<u8>,
    /// The API server handler-chain stage.
    pub stage: Option<Stage>,
}

/// One delivery on the bus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Bus-wide sequence number, in the order messages were sent.
    pub seq: u64,
    pub sent_at: SimTime,
    pub deliver_at: SimTime,
    pub from: Addr,
    pub to: Addr,
    pub message: Message,
    pub annotation: Annotation,
}

impl Message {
    /// The trace's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Input { .. } => "input",
            Message::EtcdRequest { .. } => "etcd-request",
            Message::EtcdResponse { .. } => "etcd-response",
            Message::HttpRequest { .. } => "http-request",
            Message::HttpResponse { .. } => "http-response",
            Message::WatchEvent { .. } => "watch-event",
            Message::HttpCancel { .. } => "http-cancel",
            Message::ApiStage { .. } => "api-stage",
            Message::SchedulingDecision { .. } => "scheduling-decision",
            Message::Cri { .. } => "cri",
            Message::Timer { .. } => "timer",
        }
    }

    /// Timers are the simulation's own bookkeeping: they run on the clock and never count as
    /// work in flight for [`crate::sim::Sim::run_until_idle`].
    pub fn is_timer(&self) -> bool {
        matches!(self, Message::Timer { .. })
    }
}
