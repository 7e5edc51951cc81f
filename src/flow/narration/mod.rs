//! The narration panel's content for the message just delivered: which step of the pod
//! creation flow it is (or what kind of background traffic), a headline and a "why" in plain
//! words, the real message typed (HTTP as `kubectl -v=8` logs it, watch events with every
//! receiver of the fan-out, etcd calls with key, revision and value, handler-chain stages with
//! the exact refusal), and where kubestep simplifies. A pure function of the `Sim`.

mod etcd;
mod http;
mod other;
mod watch;

use serde_json::Value;

use crate::sim::{Addr, Envelope, Exchange, Message, Sim, TraceEntry};

pub use watch::{Delivery, Receiver};

/// What kind of background traffic a message without a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Background {
    /// A kubelet's Lease in `kube-node-lease` (and everything its renewal causes).
    LeaseRenewal,
    /// A kubelet's node status report (`nodes/<name>/status`).
    NodeStatus,
    /// An Event recorded for `kubectl describe` / `kubectl events`.
    Event,
    /// A list: an informer's initial list or relist, or a learner's `kubectl get`.
    List,
    /// Watches opened, kept alive (bookmarks, progress) or closed; the watch cache's feed.
    WatchBookkeeping,
    /// A timer an actor set for itself.
    Timer,
    /// kubectl's discovery and OpenAPI reads before it acts.
    Discovery,
    /// A controller's other writes: status updates, conflicts and retries.
    Controller,
    /// A kubelet's pod status report that is not step 10 (a pod still starting, or stopping).
    PodStatus,
    /// The container runtime's work for a pod (the calls of step 10's kubelet).
    Runtime,
    /// etcd's own upkeep: compaction, leases, progress.
    Etcd,
    /// What the learner typed.
    Command,
    /// Work of a step's request that carries no step itself (an etcd answer, another
    /// watcher's copy of a step's event): [`Narration::serves_step`] says which.
    Flow,
    /// Any other API traffic.
    Other,
}

impl Background {
    /// The badge's text.
    pub fn label(self) -> &'static str {
        match self {
            Background::LeaseRenewal => "lease renewal",
            Background::NodeStatus => "node status",
            Background::Event => "event",
            Background::List => "list / relist",
            Background::WatchBookkeeping => "watch bookkeeping",
            Background::Timer => "timer",
            Background::Discovery => "discovery",
            Background::Controller => "controller bookkeeping",
            Background::PodStatus => "pod status",
            Background::Runtime => "container runtime",
            Background::Etcd => "etcd upkeep",
            Background::Command => "your command",
            Background::Flow => "pod creation flow",
            Background::Other => "other traffic",
        }
    }
}

/// How a section's text is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Monospace text as is (request lines, headers, klog lines).
    Text,
    /// Pretty-printed JSON.
    Json,
}

/// One tab of the real message (request, headers, body, etcd value...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub lang: Lang,
    pub text: String,
}

/// The real message, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum RealMessage {
    HttpRequest(http::Request),
    HttpResponse(http::Response),
    WatchEvent(watch::Event),
    Etcd(etcd::Call),
    Stage(other::StageView),
    Scheduling(other::Scheduling),
    Cri(other::Cri),
    Timer(other::TimerView),
    Input(other::InputView),
    Cancel(other::CancelView),
}

/// The narration of one delivered message.
#[derive(Clone, Debug, PartialEq)]
pub struct Narration {
    /// The trace entry's sequence number and delivery time.
    pub seq: u64,
    pub time_ms: u64,
    /// The step of the pod creation flow (1-11), as the trace annotates it.
    pub step: Option<u8>,
    /// For messages without a step: what kind of background traffic.
    pub background: Option<Background>,
    /// For a message without a step sent on behalf of a step's request (an etcd answer of
    /// its write, a stage of it): that step.
    pub serves_step: Option<u8>,
    /// Who → whom, what.
    pub headline: String,
    /// Why it happens, in plain words.
    pub why: String,
    pub message: RealMessage,
    /// Where kubestep simplifies what this message shows.
    pub notes: Vec<String>,
}

impl Narration {
    /// The real message as tabs.
    pub fn sections(&self) -> Vec<Section> {
        match &self.message {
            RealMessage::HttpRequest(r) => r.sections(),
            RealMessage::HttpResponse(r) => r.sections(),
            RealMessage::WatchEvent(e) => e.sections(),
            RealMessage::Etcd(c) => c.sections(),
            RealMessage::Stage(s) => s.sections(),
            RealMessage::Scheduling(s) => s.sections(),
            RealMessage::Cri(c) => c.sections(),
            RealMessage::Timer(t) => t.sections(),
            RealMessage::Input(i) => i.sections(),
            RealMessage::Cancel(c) => c.sections(),
        }
    }
}

/// What the narrators share about the delivery.
pub(crate) struct Ctx<'a> {
    pub sim: &'a Sim,
    pub env: &'a Envelope,
    pub entry: &'a TraceEntry,
    /// The request the message answers or closes.
    pub answers: Option<&'a Exchange>,
    /// The HTTP request it was sent on behalf of.
    pub behalf: Option<&'a Exchange>,
}

impl Ctx<'_> {
    /// A message's step, or the step of the request it was sent for.
    pub fn step(&self) -> Option<u8> {
        self.env.annotation.step
    }
    pub fn dropped(&self) -> bool {
        self.entry.summary.starts_with("dropped: ")
    }
}

/// The narration of the message just delivered (`None` before the first delivery).
pub fn narrate(sim: &Sim) -> Option<Narration> {
    let env = sim.last_delivered()?;
    let entry = sim.trace().entries().last()?;
    debug_assert_eq!(
        entry.seq, env.seq,
        "the trace's last entry is the last delivery"
    );
    let cx = Ctx {
        sim,
        env,
        entry,
        answers: sim.last_request(),
        behalf: sim.last_on_behalf(),
    };
    let mut n = match &env.message {
        Message::HttpRequest { request, .. } => http::narrate_request(&cx, request),
        Message::HttpResponse { response, .. } => http::narrate_response(&cx, response),
        Message::WatchEvent { event, .. } => watch::narrate(&cx, event),
        Message::EtcdRequest { request, .. } => etcd::narrate_request(&cx, request),
        Message::EtcdResponse { result, .. } => etcd::narrate_response(&cx, result),
        Message::ApiStage {
            stage,
            outcome,
            ok,
            object,
            ..
        } => other::narrate_stage(&cx, *stage, outcome, *ok, object.as_deref()),
        Message::SchedulingDecision { pod, decision } => {
            other::narrate_scheduling(&cx, pod, decision)
        }
        Message::Cri { pod, call } => other::narrate_cri(&cx, pod, call),
        Message::Timer { name } => other::narrate_timer(&cx, name),
        Message::Input { input, .. } => other::narrate_input(&cx, input),
        Message::HttpCancel { .. } => other::narrate_cancel(&cx),
    };
    if n.step.is_some() {
        n.background = None;
    } else {
        n.serves_step = cx.behalf.and_then(|x| x.step);
        if n.serves_step.is_some() && !matches!(env.message, Message::WatchEvent { .. }) {
            n.background = Some(Background::Flow);
        }
        if n.background.is_none() {
            n.background = Some(Background::Other);
        }
    }
    if cx.dropped() {
        n.headline = format!("Dropped: {}", n.headline);
        n.why = format!(
            "This message never arrived: {} is stopped or cut off from the network (a fault you injected with the sim command). {}",
            if cx.sim.is_stopped(&env.to) { env.to.name() } else { format!("the link {} → {}", env.from, env.to) },
            n.why
        );
    }
    if matches!(
        env.message,
        Message::HttpRequest { .. }
            | Message::HttpResponse { .. }
            | Message::WatchEvent { .. }
            | Message::EtcdRequest { .. }
            | Message::EtcdResponse { .. }
            | Message::HttpCancel { .. }
    ) {
        let c = sim.config();
        n.notes.push(format!(
            "Simplified: each network hop takes a simulated {}-{} ms and components compute in no simulated time; TLS is not modelled (the URL says https, the client certificate travels beside the request as a value).",
            c.latency_ms,
            c.latency_ms + c.jitter_ms
        ));
    }
    Some(n)
}

/// A blank narration the narrators fill in.
pub(crate) fn base(cx: &Ctx<'_>, message: RealMessage) -> Narration {
    Narration {
        seq: cx.entry.seq,
        time_ms: cx.entry.time_ms,
        step: cx.step(),
        background: None,
        serves_step: None,
        headline: String::new(),
        why: String::new(),
        message,
        notes: Vec::new(),
    }
}

/// A component as a newcomer reads it: `kube-controller-manager` with the controller named
/// by the user agent (`.../system:serviceaccount:kube-system:deployment-controller`).
pub(crate) fn who(addr: &Addr, user_agent: &str) -> String {
    match addr {
        Addr::ControllerManager => match controller_of(user_agent) {
            Some(c) => format!("the {c} (kube-controller-manager)"),
            None => "kube-controller-manager".to_string(),
        },
        Addr::Kubelet(node) => format!("the kubelet on {node}"),
        Addr::KubeProxy(node) => format!("kube-proxy on {node}"),
        Addr::Learner => "you".to_string(),
        other => other.name(),
    }
}

/// The controller a kube-controller-manager user agent names, as people say it.
pub(crate) fn controller_of(user_agent: &str) -> Option<String> {
    let sa = user_agent
        .rsplit("system:serviceaccount:kube-system:")
        .next()?;
    if sa == user_agent || sa.is_empty() {
        return None;
    }
    let known = [
        ("deployment-controller", "Deployment controller"),
        ("replicaset-controller", "ReplicaSet controller"),
        ("node-controller", "node lifecycle controller"),
        ("endpointslice-controller", "EndpointSlice controller"),
        ("endpoint-controller", "Endpoints controller"),
        ("generic-garbage-collector", "garbage collector"),
        ("service-account-controller", "ServiceAccount controller"),
        ("namespace-controller", "namespace controller"),
        ("job-controller", "Job controller"),
        ("cronjob-controller", "CronJob controller"),
        ("daemon-set-controller", "DaemonSet controller"),
        ("statefulset-controller", "StatefulSet controller"),
        (
            "ttl-after-finished-controller",
            "TTL-after-finished controller",
        ),
    ];
    Some(
        known
            .iter()
            .find(|(k, _)| *k == sa)
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| sa.replace('-', " ")),
    )
}

/// `kind namespace/name` of an object, for headlines.
pub(crate) fn object_name(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("object");
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .or_else(|| {
            obj.pointer("/metadata/generateName")
                .and_then(Value::as_str)
        })
        .unwrap_or("");
    format!("{kind} {name}")
}

/// Pretty JSON, cut at `PRETTY_LIMIT` bytes so a huge document (an OpenAPI spec) never stalls
/// the page.
pub(crate) fn pretty(v: &Value) -> String {
    let text = serde_json::to_string_pretty(v).expect("a JSON value always serialises");
    cut(text, PRETTY_LIMIT)
}

/// The longest text a section shows.
pub const PRETTY_LIMIT: usize = 64 * 1024;

pub(crate) fn cut(text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    let mut at = limit;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    format!(
        "{}\n… ({} more bytes not shown)",
        &text[..at],
        text.len() - at
    )
}

/// The storage note: kubestep writes JSON where kube-apiserver writes protobuf.
pub(crate) const STORAGE_NOTE: &str = "Simplified: kubestep stores objects in etcd as JSON (without metadata.resourceVersion, which is etcd's mod_revision); a real kube-apiserver stores built-in kinds as protobuf (the bytes k8s\\x00 then the encoded object), so etcdctl get on a real cluster shows binary.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controllers_are_named_from_their_user_agent() {
        let ua = "kube-controller-manager/v1.33.1 (linux/amd64) kubernetes/8adc0f0/system:serviceaccount:kube-system:deployment-controller";
        assert_eq!(controller_of(ua).as_deref(), Some("Deployment controller"));
        assert_eq!(
            who(&Addr::ControllerManager, ua),
            "the Deployment controller (kube-controller-manager)"
        );
        assert_eq!(controller_of("kubectl/v1.33.1"), None);
        assert_eq!(
            who(&Addr::Kubelet("worker-1".into()), ""),
            "the kubelet on worker-1"
        );
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let t = cut("é".repeat(10), 5);
        assert!(t.starts_with("éé\n… ("), "{t}");
        assert_eq!(cut("short".into(), 10), "short");
    }
}
