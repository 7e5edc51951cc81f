//! etcd calls and answers between kube-apiserver (or etcdctl) and etcd: the operation, the key
//! under the real `/registry/...` layout, the revision, and the value written or read as
//! pretty JSON.

use serde_json::Value;

use super::{base, pretty, Background, Ctx, Lang, Narration, RealMessage, Section, STORAGE_NOTE};
use crate::etcd::api::{
    CompareResult, CompareTarget, EtcdError, EventType, KeyValue, Request, RequestOp, Response,
};
use crate::sim::Addr;

/// One etcd call or answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// true for a request, false for an answer.
    pub request: bool,
    /// `Txn`, `Range`, `Put`, `Watch`, `LeaseGrant`...
    pub operation: String,
    /// The key (or range) it is about.
    pub key: Option<String>,
    /// The store's revision in the answer (for a watch event: the event's mod_revision).
    pub revision: Option<i64>,
    /// For a transaction's answer: whether its compares held.
    pub succeeded: Option<bool>,
    /// The call's shape: compares and operations, or what the answer holds.
    pub detail: String,
    /// The value written or read, as pretty JSON when it is JSON.
    pub value: Option<String>,
}

impl Call {
    pub fn sections(&self) -> Vec<Section> {
        let mut t = format!(
            "{} {}\n",
            if self.request { "call:" } else { "answer to:" },
            self.operation
        );
        if let Some(k) = &self.key {
            t += &format!("key: {k}\n");
        }
        if let Some(r) = self.revision {
            t += &format!("revision: {r}\n");
        }
        if let Some(s) = self.succeeded {
            t += &format!("succeeded: {s}\n");
        }
        t += &self.detail;
        let mut s = vec![Section {
            title: if self.request {
                "etcd call"
            } else {
                "etcd answer"
            }
            .into(),
            lang: Lang::Text,
            text: t,
        }];
        if let Some(v) = &self.value {
            s.push(Section {
                title: "Value".into(),
                lang: Lang::Json,
                text: v.clone(),
            });
        }
        s
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn value_text(v: &[u8]) -> String {
    match serde_json::from_slice::<Value>(v) {
        Ok(j) => pretty(&j),
        Err(_) => text(v),
    }
}

fn compare_text(c: &crate::etcd::api::Compare) -> String {
    let op = match c.result {
        CompareResult::Equal => "==",
        CompareResult::Greater => ">",
        CompareResult::Less => "<",
        CompareResult::NotEqual => "!=",
    };
    let (what, v) = match &c.target {
        CompareTarget::Version(v) => ("version", v.to_string()),
        CompareTarget::Create(v) => ("create_revision", v.to_string()),
        CompareTarget::Mod(v) => ("mod_revision", v.to_string()),
        CompareTarget::Value(b) => ("value", format!("{:?}", text(b))),
        CompareTarget::Lease(v) => ("lease", v.to_string()),
    };
    format!("{what}({}) {op} {v}", text(&c.key))
}

fn op_text(op: &RequestOp) -> String {
    match op {
        RequestOp::Range(r) => format!("range {}", text(&r.key)),
        RequestOp::Put(p) => format!(
            "put {} ({} bytes{})",
            text(&p.key),
            p.value.len(),
            if p.lease != 0 {
                format!(", lease {:x}", p.lease)
            } else {
                String::new()
            }
        ),
        RequestOp::DeleteRange(d) => format!("delete {}", text(&d.key)),
        RequestOp::Txn(_) => "txn".to_string(),
    }
}

/// The background kind of an etcd key.
fn key_background(key: &str) -> Background {
    if key.starts_with("/registry/leases/kube-node-lease/") {
        Background::LeaseRenewal
    } else if key.starts_with("/registry/events/") {
        Background::Event
    } else if key.starts_with("/registry/minions/") {
        Background::NodeStatus
    } else if key.starts_with("/registry/pods/") {
        Background::PodStatus
    } else {
        Background::Controller
    }
}

/// ` for POST /api/v1/...`: the HTTP request an etcd call serves.
fn for_request(cx: &Ctx<'_>) -> String {
    cx.behalf
        .map(|x| {
            format!(
                " for {} {}",
                x.method,
                x.target.split('?').next().unwrap_or("")
            )
        })
        .unwrap_or_default()
}

pub(crate) fn narrate_request(cx: &Ctx<'_>, req: &Request) -> Narration {
    let d = crate::sim::describe::describe(&cx.env.message);
    let operation = d.method.clone().unwrap_or_default();
    let key = d.path.clone();
    let k = key.clone().unwrap_or_default();
    let mut value = None;
    let mut detail = String::new();
    let mut kind_of_write = "";
    match req {
        Request::Txn(t) => {
            detail += "if\n";
            for c in &t.compare {
                detail += &format!("    {}\n", compare_text(c));
            }
            detail += "then\n";
            for o in &t.success {
                detail += &format!("    {}\n", op_text(o));
            }
            detail += "else\n";
            for o in &t.failure {
                detail += &format!("    {}\n", op_text(o));
            }
            value = t.success.iter().find_map(|o| match o {
                RequestOp::Put(p) => Some(value_text(&p.value)),
                _ => None,
            });
            let creates = t
                .compare
                .iter()
                .any(|c| c.target == CompareTarget::Mod(0) && c.result == CompareResult::Equal);
            let deletes = t
                .success
                .iter()
                .any(|o| matches!(o, RequestOp::DeleteRange(_)));
            kind_of_write = if deletes {
                "delete"
            } else if creates {
                "create"
            } else {
                "update"
            };
        }
        Request::Put(p) => value = Some(value_text(&p.value)),
        Request::Range(r) => {
            if r.revision > 0 {
                detail += &format!("at revision {}\n", r.revision);
            }
            if r.limit > 0 {
                detail += &format!("limit {}\n", r.limit);
            }
        }
        _ => {}
    }
    let call = Call {
        request: true,
        operation: operation.clone(),
        key,
        revision: None,
        succeeded: None,
        detail,
        value,
    };
    let mut n = base(cx, RealMessage::Etcd(call));
    n.headline = format!("{} → etcd: {}", cx.env.from, d.summary);
    let what = for_request(cx);
    n.why = match (req, cx.step(), kind_of_write) {
        (Request::Txn(_), Some(2 | 4), "create") => format!(
            "Every check passed, so the API server writes the object{what} to etcd in one transaction: if {k} has never been written (mod_revision 0), put the value; else read what is there (the answer is then 409 AlreadyExists). etcd is where the cluster's state lives; nothing else keeps it."
        ),
        (Request::Txn(t), Some(8 | 11), "update") => format!(
            "The API server writes the changed Pod{what} back to etcd, but only if nobody wrote it since it was read: compare mod_revision == {} then put. If the compare fails it reads the fresh object and tries again (GuaranteedUpdate).",
            t.compare
                .first()
                .map(|c| match c.target {
                    CompareTarget::Mod(m) => m.to_string(),
                    _ => "?".into(),
                })
                .unwrap_or_default()
        ),
        (Request::Txn(_), _, w) => format!(
            "The API server stores a{} {w}{what} as an etcd transaction: the compare makes the write conditional on the version it read, so concurrent writers never overwrite each other.",
            if w == "update" { "n" } else { "" }
        ),
        (Request::Range(_), Some(_), _) => format!(
            "Before changing an existing object{what}, the API server reads its current version from etcd: the change is applied to it, and the write that follows only succeeds if {k} is still at that revision."
        ),
        (Request::Range(r), None, _) if !r.range_end.is_empty() => format!(
            "A list{what}: the API server reads every key under the prefix from etcd (a list that does not ask for resourceVersion=0 reads etcd, not the watch cache)."
        ),
        (Request::Range(_), None, _) => format!("The API server reads {k} from etcd{what}."),
        (Request::WatchCreate(_), ..) => format!(
            "kube-apiserver keeps one etcd watch per resource prefix ({k}) to fill its watch cache; every client watch is then served from that cache, so etcd sees one watcher however many clients watch."
        ),
        (Request::LeaseGrant(g), ..) => format!(
            "Events expire: the API server grants an etcd lease of {} s (the 1-hour --event-ttl plus a minute) and attaches the Events it writes in the next minute to it; when the lease expires etcd deletes them.",
            g.ttl
        ),
        (Request::Compact(c), ..) => format!(
            "Every 5 minutes kube-apiserver asks etcd to compact its history up to revision {}: older versions of keys are forgotten, which is why a watch from a very old resourceVersion gets 410 Gone.",
            c.revision
        ),
        _ => format!("{} sends etcd a {operation} call.", cx.env.from),
    };
    n.background = match (req, cx.step()) {
        (_, Some(_)) => None,
        (Request::LeaseGrant(_), _) => Some(Background::Event),
        (Request::Compact(_) | Request::WatchProgress | Request::LeaseKeepAlive { .. }, _) => {
            Some(Background::Etcd)
        }
        (Request::WatchCreate(_) | Request::WatchCancel { .. }, _) => {
            Some(Background::WatchBookkeeping)
        }
        (Request::Range(r), _) if !r.range_end.is_empty() => Some(Background::List),
        _ => Some(key_background(&k)),
    };
    if cx.env.from == Addr::Etcdctl {
        n.why = format!(
            "etcdctl, run on the control-plane node, calls etcd directly: {}",
            d.summary
        );
        n.background = Some(Background::Command);
    }
    if matches!(req, Request::Txn(_) | Request::Put(_)) && k.starts_with("/registry/") {
        n.notes.push(STORAGE_NOTE.to_string());
    }
    n
}

fn kv_text(kv: &KeyValue) -> String {
    format!(
        "{} (create_revision {}, mod_revision {}, version {}{})\n",
        text(&kv.key),
        kv.create_revision,
        kv.mod_revision,
        kv.version,
        if kv.lease != 0 {
            format!(", lease {:x}", kv.lease)
        } else {
            String::new()
        }
    )
}

pub(crate) fn narrate_response(cx: &Ctx<'_>, result: &Result<Response, EtcdError>) -> Narration {
    let d = crate::sim::describe::describe(&cx.env.message);
    let call = cx.answers;
    let key = call.map(|c| c.target.clone()).filter(|k| !k.is_empty());
    let operation = call.map(|c| c.method.clone()).unwrap_or_default();
    let mut detail = String::new();
    let mut value = None;
    let mut revision = None;
    let mut succeeded = None;
    let mut watch_key = None;
    match result {
        Err(e) => detail += &format!("error: {e}\n"),
        Ok(r) => match r {
            Response::Txn(t) => {
                revision = Some(t.header.revision);
                succeeded = Some(t.succeeded);
                for op in &t.responses {
                    if let crate::etcd::api::ResponseOp::Range(rr) = op {
                        for kv in &rr.kvs {
                            detail += &format!("read {}", kv_text(kv));
                            value = Some(value_text(&kv.value));
                        }
                    }
                }
            }
            Response::Range(rr) => {
                revision = Some(rr.header.revision);
                detail += &format!(
                    "{} key(s){}\n",
                    rr.count,
                    if rr.more { ", more" } else { "" }
                );
                for kv in rr.kvs.iter().take(20) {
                    detail += &kv_text(kv);
                }
                if rr.kvs.len() == 1 {
                    value = Some(value_text(&rr.kvs[0].value));
                }
            }
            Response::Watch(w) => {
                revision = Some(w.header.revision);
                detail += &format!("watch id {}\n", w.watch_id);
                for ev in &w.events {
                    detail += &format!(
                        "{} {}",
                        match ev.kind {
                            EventType::Put => "PUT",
                            EventType::Delete => "DELETE",
                        },
                        kv_text(&ev.kv)
                    );
                }
                if let Some(ev) = w.events.first() {
                    watch_key = Some(text(&ev.kv.key));
                    revision = Some(ev.kv.mod_revision);
                    if ev.kind == EventType::Put {
                        value = Some(value_text(&ev.kv.value));
                    }
                }
            }
            other => {
                detail += &d.summary;
                detail.push('\n');
                let _ = other;
            }
        },
    }
    let c = Call {
        request: false,
        operation,
        key: watch_key.clone().or(key.clone()),
        revision,
        succeeded,
        detail,
        value,
    };
    let has_value = c.value.is_some();
    let mut n = base(cx, RealMessage::Etcd(c));
    n.headline = format!("etcd → {}: {}", cx.env.to, d.summary);
    let what = for_request(cx);
    let k = watch_key.or(key).unwrap_or_default();
    n.why = match result {
        Err(e) => format!("etcd refused the call: {e}."),
        Ok(Response::Txn(t)) if t.succeeded => format!(
            "etcd committed the transaction{what}: the store's revision is now {}, and that number becomes the object's resourceVersion. The whole cluster shares this one counter; every write increments it.",
            t.header.revision
        ),
        Ok(Response::Txn(_)) => format!(
            "The transaction's compare failed{what}: someone wrote {k} since it was read (or it already exists). The API server answers from what etcd read instead of writing."
        ),
        Ok(Response::Watch(w)) if w.created => "etcd confirms the watch: from now on it streams every change under the prefix to the API server.".to_string(),
        Ok(Response::Watch(w)) if !w.events.is_empty() => format!(
            "etcd notifies the API server's watch on this prefix of the write to {k} at revision {}{what}. The API server decodes it into its watch cache and fans it out to every client watch that selects it.",
            revision.unwrap_or_default()
        ),
        Ok(Response::Watch(_)) => "A progress notification: etcd tells the watcher how far the store has got, with no change to report.".to_string(),
        Ok(Response::Range(r)) => format!(
            "etcd answers the read{what}: {} key(s) at revision {}.",
            r.count, r.header.revision
        ),
        Ok(_) => format!("etcd answers: {}.", d.summary),
    };
    n.background = if n.step.is_some() {
        None
    } else if cx.env.to == Addr::Etcdctl {
        Some(Background::Command)
    } else {
        match result {
            Ok(Response::Watch(w)) if w.events.is_empty() => Some(Background::WatchBookkeeping),
            Ok(Response::LeaseGrant(_)) => Some(Background::Event),
            Ok(Response::Compact(_) | Response::LeaseKeepAlive(_)) => Some(Background::Etcd),
            Ok(Response::Range(r)) if r.count > 1 => Some(Background::List),
            _ if k.is_empty() => Some(Background::Etcd),
            _ => Some(key_background(&k)),
        }
    };
    // An etcd answer carries no step of its own: say which step's request it serves.
    if let Some(x) = cx.behalf.filter(|x| x.step.is_some()) {
        n.why = format!(
            "{} It is part of the request of step {}, {} {}.",
            n.why,
            x.step.unwrap_or_default(),
            x.method,
            x.target.split('?').next().unwrap_or("")
        );
    }
    if has_value && k.starts_with("/registry/") {
        n.notes.push(STORAGE_NOTE.to_string());
    }
    n
}
