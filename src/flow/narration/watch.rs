//! Watch events: what changed, who receives it on which watch, and the fan-out — kube-apiserver
//! sends one event to every watcher whose selection matches, so the other receivers of the
//! same event are found beside this delivery: consecutive bus sequence numbers (the server
//! sends them in one loop), in the trace when delivered, on the bus when still in flight.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::http::capitalise;
use super::{base, pretty, who, Background, Ctx, Lang, Narration, RealMessage, Section};
use crate::apiserver::watch::{WatchEvent, WatchEventType};
use crate::sim::{Addr, Message};

/// Where one copy of the event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered at this simulated time.
    Delivered { at_ms: u64 },
    /// Still on the bus, due at this time.
    InFlight { at_ms: u64 },
    /// Dropped (its receiver is stopped or partitioned).
    Dropped,
}

/// One receiver of the fan-out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receiver {
    pub addr: String,
    pub delivery: Delivery,
    /// The step the event is for this receiver.
    pub step: Option<u8>,
    /// The delivery being narrated.
    pub this: bool,
}

/// A watch event as it travels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
    pub event_type: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub resource_version: String,
    pub receiver: String,
    /// The watch request it streams on (`GET /api/v1/pods?watch=true...`).
    pub watch: Option<String>,
    /// Every receiver of the same event, this one included, in sequence order.
    pub receivers: Vec<Receiver>,
    /// The write that caused it (`POST /apis/apps/v1/...`), when known.
    pub caused_by: Option<String>,
    pub object: String,
}

impl Event {
    pub fn sections(&self) -> Vec<Section> {
        let mut t = format!(
            "type: {}\nobject: {} {}{}\nresourceVersion: {}\nreceiver: {}\n",
            self.event_type,
            self.kind,
            self.namespace
                .as_ref()
                .map(|n| format!("{n}/"))
                .unwrap_or_default(),
            self.name,
            self.resource_version,
            self.receiver
        );
        if let Some(w) = &self.watch {
            t += &format!("on the watch: {w}\n");
        }
        if let Some(c) = &self.caused_by {
            t += &format!("caused by: {c}\n");
        }
        let mut r = String::new();
        for x in &self.receivers {
            let state = match x.delivery {
                Delivery::Delivered { at_ms } => format!("delivered at {}", ms(at_ms)),
                Delivery::InFlight { at_ms } => format!("in flight, due at {}", ms(at_ms)),
                Delivery::Dropped => "dropped".to_string(),
            };
            r += &format!(
                "{} {}{} — {state}\n",
                if x.this { "▶" } else { " " },
                x.addr,
                x.step.map(|s| format!(" (step {s})")).unwrap_or_default()
            );
        }
        vec![
            Section {
                title: "Event".into(),
                lang: Lang::Text,
                text: t,
            },
            Section {
                title: format!("Receivers ({})", self.receivers.len()),
                lang: Lang::Text,
                text: r,
            },
            Section {
                title: "Object".into(),
                lang: Lang::Json,
                text: self.object.clone(),
            },
        ]
    }
}

fn ms(t: u64) -> String {
    format!("{}.{:03}s", t / 1000, t % 1000)
}

/// The fan-out this delivery belongs to.
fn fan_out(cx: &Ctx<'_>, summary: &str) -> Vec<Receiver> {
    // Candidates by sequence number: delivered ones from the trace's recent entries, the
    // rest from the bus.
    let mut seen: BTreeMap<u64, Receiver> = BTreeMap::new();
    let entries = cx.sim.trace().entries();
    let recent = &entries[entries.len().saturating_sub(RECENT)..];
    let mut summaries: BTreeMap<u64, String> = BTreeMap::new();
    for e in recent
        .iter()
        .filter(|e| e.kind == "watch-event" && e.from == Addr::ApiServer)
    {
        let (s, dropped) = match e.summary.strip_prefix("dropped: ") {
            Some(s) => (s, true),
            None => (e.summary.as_str(), false),
        };
        summaries.insert(e.seq, s.to_string());
        seen.insert(
            e.seq,
            Receiver {
                addr: e.to.name(),
                delivery: if dropped {
                    Delivery::Dropped
                } else {
                    Delivery::Delivered { at_ms: e.time_ms }
                },
                step: e.step,
                this: e.seq == cx.entry.seq,
            },
        );
    }
    for env in cx.sim.queued() {
        if env.from == Addr::ApiServer && matches!(env.message, Message::WatchEvent { .. }) {
            summaries.insert(
                env.seq,
                crate::sim::describe::describe(&env.message).summary,
            );
            seen.insert(
                env.seq,
                Receiver {
                    addr: env.to.name(),
                    delivery: Delivery::InFlight {
                        at_ms: env.deliver_at.as_millis(),
                    },
                    step: env.annotation.step,
                    this: false,
                },
            );
        }
    }
    let me = cx.entry.seq;
    let same = |seq: u64| summaries.get(&seq).is_some_and(|s| s == summary);
    let mut addrs: BTreeSet<String> = BTreeSet::new();
    addrs.insert(cx.entry.to.name());
    let mut lo = me;
    while lo > 0 && same(lo - 1) && addrs.insert(seen[&(lo - 1)].addr.clone()) {
        lo -= 1;
    }
    let mut hi = me;
    while same(hi + 1) && addrs.insert(seen[&(hi + 1)].addr.clone()) {
        hi += 1;
    }
    (lo..=hi).filter_map(|s| seen.remove(&s)).collect()
}

/// How far back in the trace the fan-out's other deliveries are looked for: they are sent
/// together, so they are delivered within a few milliseconds of each other.
const RECENT: usize = 2048;

fn receiver_story(
    cx: &Ctx<'_>,
    ev: &WatchEvent,
    kind: &str,
    name: &str,
) -> (String, Option<Background>) {
    let to = &cx.env.to;
    let step = cx.step();
    let watch = cx.answers.map(|x| x.target.as_str()).unwrap_or("");
    match (step, to) {
        (Some(3), Addr::ControllerManager) => (
            match kind {
                "Deployment" => format!(
                    "The API server's watch cache got the write from etcd and sends it to every watcher whose selection matches. kube-controller-manager's shared informer for Deployments is one of them: the Deployment controller now reconciles {name} and finds it has no ReplicaSet for its template (step 3)."
                ),
                "ReplicaSet" => format!(
                    "kube-controller-manager's informer for ReplicaSets hears of {name}: the ReplicaSet controller compares the replicas it wants with the Pods it owns (none yet) and will create the missing Pods (step 3)."
                ),
                _ => format!("A controller's informer hears of {kind} {name} and will act on it (step 3)."),
            },
            None,
        ),
        (Some(5), Addr::Scheduler) => (
            format!(
                "kube-scheduler watches Pods (all not yet finished: fieldSelector status.phase!=Succeeded,status.phase!=Failed). {name} has no spec.nodeName, so the scheduler puts it in its scheduling queue; nobody told it to — it saw the Pod appear (step 5)."
            ),
            None,
        ),
        (Some(9), Addr::Kubelet(node)) => (
            format!(
                "The kubelet on {node} watches only the Pods bound to its node (fieldSelector spec.nodeName={node}). The binding just made {name} enter that selection, so for this watch it is ADDED although the Pod existed before. The kubelet will now start it (step 9)."
            ),
            None,
        ),
        _ => {
            let bg = match kind {
                "Lease" => Background::LeaseRenewal,
                "Event" => Background::Event,
                _ if ev.kind == WatchEventType::Bookmark => Background::WatchBookkeeping,
                _ if matches!(to, Addr::ControllerManager) => Background::Controller,
                _ => Background::WatchBookkeeping,
            };
            let text = match ev.kind {
                WatchEventType::Bookmark => format!(
                    "A BOOKMARK carries no change, only how far the API server's cache has got (resourceVersion): if {to}'s watch breaks, it can resume from there instead of relisting everything. kube-apiserver sends one to watches that asked for them (allowWatchBookmarks=true) about once a minute."
                ),
                WatchEventType::Error => "An ERROR event ends the watch: typically 410 Gone, the resourceVersion it asked for is older than the API server's cache window. The client must list again (a relist) and watch from the list's resourceVersion.".to_string(),
                _ if kind == "Lease" => format!(
                    "kube-controller-manager watches the node Leases: the node lifecycle controller notes that {name}'s kubelet is alive (the renewTime moved). Without these, after {} s it would mark the node's Ready condition Unknown.",
                    crate::controller_manager::nodelifecycle::NODE_MONITOR_GRACE_PERIOD.as_millis() / 1000
                ),
                _ => format!(
                    "{} keeps a local cache of {kind}s through this watch{}; the {} event updates it{}",
                    capitalise(&who(to, "")),
                    if watch.is_empty() { String::new() } else { format!(" ({})", watch.split('?').next().unwrap_or("")) },
                    ev.kind.as_str(),
                    match to {
                        Addr::ControllerManager => format!(", and every controller interested in {name} queues it to reconcile."),
                        Addr::Scheduler => ". kube-scheduler caches Pods and Nodes to decide, and Services, ReplicaSets and StatefulSets to spread the Pods of one set across nodes and zones.".to_string(),
                        Addr::Kubelet(_) => ": the kubelet syncs the Pods of its node against it.".to_string(),
                        Addr::KubeProxy(_) => ": kube-proxy rewrites the node's iptables rules from Services and EndpointSlices.".to_string(),
                        _ => ".".to_string(),
                    }
                ),
            };
            (text, Some(bg))
        }
    }
}

pub(crate) fn narrate(cx: &Ctx<'_>, ev: &WatchEvent) -> Narration {
    let obj = &ev.object;
    let s = |p: &str| obj.pointer(p).and_then(Value::as_str).map(str::to_string);
    let kind = s("/kind").unwrap_or_else(|| "object".into());
    let name = s("/metadata/name").unwrap_or_default();
    let summary = crate::sim::describe::describe(&cx.env.message).summary;
    let receivers = if ev.kind == WatchEventType::Bookmark {
        vec![Receiver {
            addr: cx.entry.to.name(),
            delivery: Delivery::Delivered {
                at_ms: cx.entry.time_ms,
            },
            step: cx.step(),
            this: true,
        }]
    } else {
        fan_out(cx, &summary)
    };
    let e = Event {
        event_type: ev.kind.as_str().to_string(),
        kind: kind.clone(),
        namespace: s("/metadata/namespace"),
        name: name.clone(),
        resource_version: s("/metadata/resourceVersion").unwrap_or_default(),
        receiver: cx.entry.to.name(),
        watch: cx.answers.map(|x| format!("{} {}", x.method, x.target)),
        caused_by: cx.behalf.map(|x| {
            format!(
                "{} {} by {}",
                x.method,
                x.target.split('?').next().unwrap_or(""),
                x.client
            )
        }),
        receivers,
        object: pretty(obj),
    };
    let others = e.receivers.len().saturating_sub(1);
    let (why, bg) = receiver_story(cx, ev, &kind, &name);
    let mut n = base(cx, RealMessage::WatchEvent(e));
    n.headline = format!(
        "kube-apiserver → {}: watch event {} {kind} {name}{}",
        cx.entry.to,
        ev.kind.as_str(),
        if others > 0 {
            format!(
                " (and {others} other watcher{})",
                if others == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    n.why = if others > 0 {
        format!("{why} The same event goes to {others} other watcher(s): see Receivers.")
    } else {
        why
    };
    n.background = bg;
    n
}
