//! The message at the cursor as an animation: a packet on the edge from the sender's box to
//! the receiver's (none for a component's message to itself: an API server stage, a
//! scheduling decision, a timer), its kind, and for a watch event its fan-out: the same event
//! sent to the other watchers. kube-apiserver sends one event to all its watchers in one go
//! (`on_cache_event`: for each event, for each watcher), so the copies have consecutive
//! sequence numbers; those already delivered are in the trace, the others still on the bus.

use std::collections::BTreeMap;

use super::{BoxId, Diagram, Point};
use crate::kubelet::cri::CriCall;
use crate::sim::{Addr, Envelope, Message, Sim, TraceEntry};

/// What kind of message the packet is (the page colours and labels each differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacketKind {
    /// The learner's input to a tool.
    Input,
    /// An HTTP request to the API server (or a client closing its watch).
    Request,
    Response,
    WatchEvent,
    /// A gRPC call to etcd or etcd's answer.
    Etcd,
    /// A kubelet's call into its container runtime, or the runtime's report.
    Cri,
    /// A message a component sends itself (a handler-chain stage, a scheduling decision, a
    /// timer): no packet travels.
    Internal,
}

impl PacketKind {
    pub fn of(message: &Message) -> PacketKind {
        match message {
            Message::Input { .. } => PacketKind::Input,
            Message::HttpRequest { .. } | Message::HttpCancel { .. } => PacketKind::Request,
            Message::HttpResponse { .. } => PacketKind::Response,
            Message::WatchEvent { .. } => PacketKind::WatchEvent,
            Message::EtcdRequest { .. } | Message::EtcdResponse { .. } => PacketKind::Etcd,
            Message::Cri { .. } => PacketKind::Cri,
            Message::ApiStage { .. }
            | Message::SchedulingDecision { .. }
            | Message::Timer { .. } => PacketKind::Internal,
        }
    }

    /// The CSS class suffix and the `data-kind` value.
    pub fn class(self) -> &'static str {
        match self {
            PacketKind::Input => "input",
            PacketKind::Request => "request",
            PacketKind::Response => "response",
            PacketKind::WatchEvent => "watch",
            PacketKind::Etcd => "etcd",
            PacketKind::Cri => "cri",
            PacketKind::Internal => "internal",
        }
    }

    /// Words for the packet's accessible label.
    pub fn words(self) -> &'static str {
        match self {
            PacketKind::Input => "command",
            PacketKind::Request => "HTTP request",
            PacketKind::Response => "HTTP response",
            PacketKind::WatchEvent => "watch event",
            PacketKind::Etcd => "etcd call",
            PacketKind::Cri => "CRI call",
            PacketKind::Internal => "internal step",
        }
    }
}

/// Where one copy of a watch event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyState {
    /// Delivered before the cursor's message.
    Delivered,
    /// The cursor's own message.
    Current,
    /// Still on the bus.
    InFlight,
}

/// One copy of a watch event, to one watcher.
#[derive(Clone, Debug, PartialEq)]
pub struct Copy {
    pub seq: u64,
    pub to: Addr,
    pub state: CopyState,
    /// Its edge, from the API server to the watcher's box.
    pub path: Option<Vec<Point>>,
}

/// The message at the cursor, ready to animate.
#[derive(Clone, Debug, PartialEq)]
pub struct Animation {
    /// The message's bus sequence number: the page restarts the animation when it changes.
    pub seq: u64,
    pub kind: PacketKind,
    /// The boxes it travels between (equal for an internal message).
    pub from: BoxId,
    pub to: BoxId,
    /// The edge from sender to receiver; `None` when it stays inside one box.
    pub path: Option<Vec<Point>>,
    /// A short label (`POST /api/v1/...`, `watch event ADDED Pod web-1`), from the trace.
    pub label: String,
    /// For a watch event: every watcher it goes to, in sequence order, this one included.
    pub fan_out: Vec<Copy>,
}

/// The boxes a message travels between. A CRI call goes from the kubelet to its runtime; the
/// runtime's reports (a pull finished or failed, a process exited) come back the other way.
pub fn endpoints(env: &Envelope) -> (BoxId, BoxId) {
    if let (Message::Cri { call, .. }, Addr::Kubelet(node)) = (&env.message, &env.from) {
        let kubelet = BoxId::Kubelet(node.clone());
        let runtime = BoxId::Runtime(node.clone());
        return match call {
            CriCall::ImagePulled { .. }
            | CriCall::PullImageFailed { .. }
            | CriCall::ContainerExited { .. } => (runtime, kubelet),
            _ => (kubelet, runtime),
        };
    }
    (BoxId::of(&env.from), BoxId::of(&env.to))
}

/// The part of a watch event summary that names the object (`Pod web-1` of
/// `watch event MODIFIED Pod web-1`): a field-selected watcher (a kubelet) gets the same
/// change as ADDED that others get as MODIFIED.
fn watched_object(summary: &str) -> Option<&str> {
    let rest = summary.strip_prefix("watch event ")?;
    rest.split_once(' ').map(|(_, object)| object)
}

/// The copies of the watch event `env` (delivered as `entry`): the maximal run of consecutive
/// sequence numbers around it that are watch events about the same object from the API
/// server, each to a different watcher.
fn fan_out(sim: &Sim, env: &Envelope, entry: &TraceEntry, diagram: &Diagram) -> Vec<Copy> {
    let Some(object) = watched_object(&entry.summary) else {
        return Vec::new();
    };
    // Recent deliveries by sequence number (copies are delivered within milliseconds of each
    // other), and the bus's queued watch events.
    let recent: BTreeMap<u64, &TraceEntry> = sim
        .trace()
        .entries()
        .iter()
        .rev()
        .take(256)
        .map(|e| (e.seq, e))
        .collect();
    let queued: BTreeMap<u64, &Envelope> = sim
        .queued()
        .into_iter()
        .filter(|q| matches!(q.message, Message::WatchEvent { .. }) && q.from == Addr::ApiServer)
        .map(|q| (q.seq, q))
        .collect();
    // What seq `s` is: a copy of this event (to whom, delivered or not), or something else.
    let copy_at = |s: u64| -> Option<(Addr, CopyState)> {
        if let Some(e) = recent.get(&s) {
            let same = e.from == Addr::ApiServer
                && e.kind == "watch-event"
                && watched_object(&e.summary) == Some(object);
            return same.then(|| (e.to.clone(), CopyState::Delivered));
        }
        let q = queued.get(&s)?;
        let summary = crate::sim::describe::describe(&q.message).summary;
        (watched_object(&summary) == Some(object)).then(|| (q.to.clone(), CopyState::InFlight))
    };
    let mut copies = vec![(env.seq, env.to.clone(), CopyState::Current)];
    let mut seen = vec![env.to.clone()];
    for dir in [-1i64, 1] {
        let mut s = env.seq as i64 + dir;
        while s >= 0 {
            let Some((to, state)) = copy_at(s as u64) else {
                break;
            };
            if seen.contains(&to) {
                break;
            }
            seen.push(to.clone());
            copies.push((s as u64, to, state));
            s += dir;
        }
    }
    copies.sort_by_key(|(s, _, _)| *s);
    copies
        .into_iter()
        .map(|(seq, to, state)| Copy {
            path: diagram.path(&BoxId::ApiServer, &BoxId::of(&to)),
            seq,
            to,
            state,
        })
        .collect()
}

/// The animation of `sim`'s last delivery, if any.
pub fn of_last(sim: &Sim, diagram: &Diagram) -> Option<Animation> {
    let env = sim.last_delivered()?;
    let entry = sim.trace().entries().last().filter(|e| e.seq == env.seq)?;
    let kind = PacketKind::of(&env.message);
    let (from, to) = endpoints(env);
    let path = (from != to).then(|| diagram.path(&from, &to)).flatten();
    let fan_out = if kind == PacketKind::WatchEvent {
        fan_out(sim, env, entry, diagram)
    } else {
        Vec::new()
    };
    let label = match (&entry.method, &entry.path) {
        (Some(m), Some(p)) if kind == PacketKind::Request => format!("{m} {p}"),
        _ => entry.summary.clone(),
    };
    Some(Animation {
        seq: env.seq,
        kind,
        from,
        to,
        path,
        label,
        fan_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watched_object_ignores_the_event_type() {
        assert_eq!(
            watched_object("watch event ADDED Pod web-1"),
            watched_object("watch event MODIFIED Pod web-1")
        );
        assert_eq!(
            watched_object("watch event ADDED Pod web-1"),
            Some("Pod web-1")
        );
        assert_eq!(watched_object("201 Created: Pod web-1"), None);
    }
}
