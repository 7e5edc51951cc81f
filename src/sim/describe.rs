//! One-line descriptions of messages for the trace (`method`, `path`, `status`, `summary`).

use crate::apiserver::request::status_text;
use crate::etcd::api::{self as etcdpb, Request, Response};
use crate::sim::message::{Input, Message, Stage};

/// The trace columns a message fills in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description {
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub stage: Option<Stage>,
    pub summary: String,
}

fn key_text(key: &[u8]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

fn range_text(key: &[u8], range_end: &[u8]) -> String {
    if range_end.is_empty() {
        key_text(key)
    } else if range_end == [0] {
        format!("{} (from key)", key_text(key))
    } else if crate::etcd::prefix_end(key) == range_end {
        format!("{}*", key_text(key))
    } else {
        format!("[{}, {})", key_text(key), key_text(range_end))
    }
}

fn describe_request(request: &Request) -> Description {
    let (method, path, summary) = match request {
        Request::Range(r) => {
            let what = range_text(&r.key, &r.range_end);
            let mut s = format!("Range {what}");
            if r.revision > 0 {
                s.push_str(&format!(" at revision {}", r.revision));
            }
            ("Range", Some(what), s)
        }
        Request::Put(p) => {
            let k = key_text(&p.key);
            let s = format!("Put {k} ({} bytes)", p.value.len());
            ("Put", Some(k), s)
        }
        Request::DeleteRange(d) => {
            let what = range_text(&d.key, &d.range_end);
            (
                "DeleteRange",
                Some(what.clone()),
                format!("DeleteRange {what}"),
            )
        }
        Request::Txn(t) => {
            let first = t.success.iter().find_map(|op| match op {
                etcdpb::RequestOp::Put(p) => Some(key_text(&p.key)),
                etcdpb::RequestOp::DeleteRange(d) => Some(key_text(&d.key)),
                etcdpb::RequestOp::Range(r) => Some(key_text(&r.key)),
                etcdpb::RequestOp::Txn(_) => None,
            });
            let s = format!(
                "Txn: {} compare(s), {} op(s) if true, {} if false",
                t.compare.len(),
                t.success.len(),
                t.failure.len()
            );
            ("Txn", first, s)
        }
        Request::Compact(c) => (
            "Compact",
            None,
            format!("Compact to revision {}", c.revision),
        ),
        Request::WatchCreate(w) => {
            let what = range_text(&w.key, &w.range_end);
            let from = if w.start_revision > 0 {
                format!(" from revision {}", w.start_revision)
            } else {
                String::new()
            };
            ("Watch", Some(what.clone()), format!("Watch {what}{from}"))
        }
        Request::WatchCancel { watch_id } => {
            ("WatchCancel", None, format!("Cancel watch {watch_id}"))
        }
        Request::WatchProgress => ("WatchProgress", None, "Request watch progress".to_string()),
        Request::LeaseGrant(g) => (
            "LeaseGrant",
            None,
            format!("Grant a lease with TTL {}s", g.ttl),
        ),
        Request::LeaseRevoke { id } => ("LeaseRevoke", None, format!("Revoke lease {id:x}")),
        Request::LeaseKeepAlive { id } => {
            ("LeaseKeepAlive", None, format!("Keep lease {id:x} alive"))
        }
        Request::LeaseTimeToLive { id, .. } => (
            "LeaseTimeToLive",
            None,
            format!("Time to live of lease {id:x}"),
        ),
        Request::LeaseLeases => ("LeaseLeases", None, "List leases".to_string()),
        Request::Status => ("Status", None, "Endpoint status".to_string()),
        Request::MemberList => ("MemberList", None, "List members".to_string()),
        Request::AlarmList => ("AlarmList", None, "List alarms".to_string()),
        Request::AlarmDisarm(a) => (
            "AlarmDisarm",
            None,
            format!("Disarm alarm {:?} of member {:x}", a.alarm, a.member_id),
        ),
        Request::Defragment => ("Defragment", None, "Defragment the backend".to_string()),
        Request::Snapshot => (
            "Snapshot",
            None,
            "Stream a snapshot of the store".to_string(),
        ),
    };
    Description {
        method: Some(method.to_string()),
        path,
        summary,
        ..Description::default()
    }
}

fn describe_response(result: &Result<Response, etcdpb::EtcdError>) -> Description {
    match result {
        Err(e) => Description {
            status: Some(crate::etcd::grpc_code(e)),
            summary: format!("Error: {e}"),
            ..Description::default()
        },
        Ok(r) => {
            let summary = match r {
                Response::Range(r) => format!(
                    "{} key(s) at revision {}{}",
                    r.count,
                    r.header.revision,
                    if r.more { ", more" } else { "" }
                ),
                Response::Put(p) => format!("OK, revision {}", p.header.revision),
                Response::DeleteRange(d) => {
                    format!("{} deleted, revision {}", d.deleted, d.header.revision)
                }
                Response::Txn(t) => format!(
                    "{}, revision {}",
                    if t.succeeded { "succeeded" } else { "failed" },
                    t.header.revision
                ),
                Response::Compact(c) => format!("compacted, revision {}", c.header.revision),
                Response::Watch(w) if w.created => format!("watch {} created", w.watch_id),
                Response::Watch(w) if w.canceled => {
                    format!(
                        "watch {} canceled{}",
                        w.watch_id,
                        cancel_reason(&w.cancel_reason)
                    )
                }
                Response::Watch(w) if w.events.is_empty() => {
                    format!(
                        "progress: watch {} at revision {}",
                        w.watch_id, w.header.revision
                    )
                }
                Response::Watch(w) => {
                    let first = &w.events[0];
                    let kind = match first.kind {
                        etcdpb::EventType::Put => "PUT",
                        etcdpb::EventType::Delete => "DELETE",
                    };
                    let more = if w.events.len() > 1 {
                        format!(" (+{} more)", w.events.len() - 1)
                    } else {
                        String::new()
                    };
                    format!(
                        "{kind} {} at revision {}{more}",
                        key_text(&first.kv.key),
                        first.kv.mod_revision
                    )
                }
                Response::LeaseGrant(g) => format!("lease {:x} granted with TTL({}s)", g.id, g.ttl),
                Response::LeaseRevoke(_) => "lease revoked".to_string(),
                Response::LeaseKeepAlive(k) => {
                    format!("lease {:x} kept alive, TTL {}", k.id, k.ttl)
                }
                Response::LeaseTimeToLive(t) => format!("lease {:x}: {}s remaining", t.id, t.ttl),
                Response::LeaseLeases(l) => format!("{} lease(s)", l.leases.len()),
                Response::Status(s) => format!("version {}, db size {}", s.version, s.db_size),
                Response::MemberList(m) => format!("{} member(s)", m.members.len()),
                Response::Snapshot { data, .. } => format!("snapshot of {} bytes", data.len()),
                Response::Alarm(a) => format!("{} alarm(s)", a.alarms.len()),
                Response::Defragment(_) => "defragmented".to_string(),
            };
            Description {
                status: Some(0),
                summary,
                ..Description::default()
            }
        }
    }
}

fn cancel_reason(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    }
}

/// Describes any message for the trace.
pub fn describe(message: &Message) -> Description {
    match message {
        Message::Input { input, .. } => match input {
            Input::Etcdctl { argv, .. } => Description {
                summary: format!("$ etcdctl {}", argv.join(" ")),
                ..Description::default()
            },
            Input::Kubectl { argv, .. } => Description {
                summary: format!("$ kubectl {}", argv.join(" ")),
                ..Description::default()
            },
            Input::EditorSave { input_id, text } => Description {
                summary: match text {
                    Some(t) => format!("editor saved for input {input_id} ({} bytes)", t.len()),
                    None => format!("editor closed without saving for input {input_id}"),
                },
                ..Description::default()
            },
            Input::Interrupt { input_id } => Description {
                summary: format!("^C (interrupt input {input_id})"),
                ..Description::default()
            },
            Input::Fault(fault) => Description {
                summary: format!("$ {}", fault.command()),
                ..Description::default()
            },
            Input::Compact => Description {
                summary: "$ sim compact".to_string(),
                ..Description::default()
            },
        },
        Message::EtcdRequest { request, .. } => describe_request(request),
        Message::EtcdResponse { result, .. } => describe_response(result),
        Message::HttpRequest { request, .. } => {
            let size = request.body.len();
            let body = if size > 0 {
                format!(" ({size} bytes)")
            } else {
                String::new()
            };
            Description {
                method: Some(request.method.clone()),
                path: Some(request.path.clone()),
                summary: format!("{} {}{body}", request.method, request.url()),
                ..Description::default()
            }
        }
        Message::HttpResponse { response, .. } => {
            let detail = response
                .body_json()
                .and_then(|v| match v.get("kind").and_then(|k| k.as_str()) {
                    Some("Status") => v
                        .get("message")
                        .and_then(|m| m.as_str())
                        .map(|m| format!(": {m}")),
                    Some(kind) => {
                        let name = v.pointer("/metadata/name").and_then(|n| n.as_str());
                        Some(match name {
                            Some(n) => format!(": {kind} {n}"),
                            None => format!(": {kind}"),
                        })
                    }
                    None => None,
                })
                .unwrap_or_default();
            Description {
                status: Some(response.status),
                summary: format!(
                    "{} {}{detail}",
                    response.status,
                    status_text(response.status)
                ),
                ..Description::default()
            }
        }
        Message::WatchEvent { event, .. } => {
            let kind = event
                .object
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("object");
            let name = event
                .object
                .pointer("/metadata/name")
                .and_then(|n| n.as_str())
                .unwrap_or("");
            Description {
                summary: format!("watch event {} {kind} {name}", event.kind.as_str()),
                ..Description::default()
            }
        }
        Message::HttpCancel { id } => Description {
            summary: format!("close the stream of request {id}"),
            ..Description::default()
        },
        Message::ApiStage {
            stage, outcome, ok, ..
        } => Description {
            stage: Some(*stage),
            summary: format!(
                "{}: {}{outcome}",
                stage.name(),
                if *ok { "" } else { "rejected: " }
            ),
            ..Description::default()
        },
        Message::SchedulingDecision { pod, decision } => Description {
            summary: match (
                decision.get("selectedNode").and_then(|n| n.as_str()),
                decision
                    .pointer("/postFilter/selected/node")
                    .and_then(|n| n.as_str()),
            ) {
                (Some(node), _) => format!("schedule {pod}: {node} wins"),
                (None, Some(node)) => format!(
                    "schedule {pod}: no node fits; preempting {} on {node}, nominated there",
                    decision
                        .pointer("/postFilter/selected/victims")
                        .and_then(|v| v.as_array())
                        .map(|v| v
                            .iter()
                            .filter_map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                ),
                (None, None) => format!(
                    "schedule {pod}: {}",
                    decision
                        .get("message")
                        .and_then(|m| m.as_str())
                        .unwrap_or("no node fits")
                ),
            },
            ..Description::default()
        },
        Message::Cri { pod, call } => Description {
            method: Some(call.method().to_string()),
            summary: format!("CRI {} ({pod})", call.summary()),
            ..Description::default()
        },
        Message::Timer { name } => Description {
            summary: format!("timer: {name}"),
            ..Description::default()
        },
    }
}
