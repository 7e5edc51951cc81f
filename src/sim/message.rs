//! The typed envelopes that travel on the bus: who sends, who receives, and what.

use serde::{Deserialize, Serialize};

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
}

impl Addr {
    /// The short name shown in the trace and the diagram (`etcd`, `kube-apiserver`, `kubelet/node-1`).
    pub fn name(&self) -> String {
        match self {
            Addr::Learner => "learner".to_string(),
            Addr::Etcdctl => "etcdctl".to_string(),
            Addr::Etcd => "etcd".to_string(),
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
    /// Ctrl-C on a running input (a `watch` that stays open), or the end of a console
    /// `timeout N ...` wrapper: the tool running `input_id` stops it.
    Interrupt { input_id: u64 },
}

/// The messages of the simulated control plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Message {
    /// A learner's input, delivered to the tool that runs it.
    Input { id: u64, input: Input },
    /// A gRPC call to etcd (KV, Watch, Lease or Maintenance service).
    EtcdRequest { id: u64, request: etcdpb::Request },
    /// etcd's answer to the call `id` (or, for watches, an event batch on watch stream `id`).
    EtcdResponse {
        id: u64,
        result: Result<etcdpb::Response, etcdpb::EtcdError>,
    },
    /// A timer an actor set for itself (lease expiry checks, heartbeats, retries).
    Timer { name: String },
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
}

impl Message {
    /// The trace's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Input { .. } => "input",
            Message::EtcdRequest { .. } => "etcd-request",
            Message::EtcdResponse { .. } => "etcd-response",
            Message::Timer { .. } => "timer",
        }
    }

    /// Timers are the simulation's own bookkeeping: they run on the clock and never count as
    /// work in flight for [`crate::sim::Sim::run_until_idle`].
    pub fn is_timer(&self) -> bool {
        matches!(self, Message::Timer { .. })
    }
}
