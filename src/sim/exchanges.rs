//! Which request a message belongs to. Trace entries carry no request ids, and kube-apiserver
//! interleaves the handler-chain stages of concurrent requests, so the kernel keeps, read-only:
//! - the HTTP and etcd exchanges still open (a watch stays open while its events flow), to
//!   name the request a response or watch event answers ("201 Created, the answer to POST
//!   /apis/apps/v1/...");
//! - for each queued stage, etcd call, response and watch event, the HTTP request on whose
//!   behalf it was sent: a message sent while a server handles a request, or while it handles
//!   a message sent on the request's behalf, is sent on its behalf too (the authorization stage
//!   of that POST, its etcd Txn, the watch events its write caused).
//!
//! It draws no randomness and changes neither the trace nor any actor: the page's narration
//! reads it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::sim::clock::SimTime;
use crate::sim::message::{Addr, Envelope, Message};

/// The protocol of an exchange: ids are per client and per protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Protocol {
    Http,
    Etcd,
}

/// One request and who exchanges it: enough to name it next to its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub protocol: Protocol,
    pub client: Addr,
    pub server: Addr,
    /// The client's request id (the answer carries it).
    pub id: u64,
    /// `GET`, `POST`... or the etcd call (`Range`, `Txn`, `Watch`).
    pub method: String,
    /// `path?query` of an HTTP request; the key (or range) of an etcd call.
    pub target: String,
    /// When the request was delivered to its server.
    pub at: SimTime,
    /// The bus sequence number of the request.
    pub seq: u64,
    /// The pod creation step the client performed with it, if any.
    pub step: Option<u8>,
    /// Answered more than once: an HTTP watch (a chunked stream of events) or an etcd watch.
    pub stream: bool,
    /// The HTTP client's `User-Agent` (a controller names itself there), empty for etcd.
    pub user_agent: String,
}

type Key = (Addr, Addr, Protocol, u64);

/// See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Exchanges {
    open: BTreeMap<Key, Arc<Exchange>>,
    /// The last delivered message answers or closes this one (a response, a watch event, a
    /// cancel).
    last: Option<Arc<Exchange>>,
    /// Queued messages sent on behalf of an HTTP request, by bus sequence number.
    on_behalf: BTreeMap<u64, Arc<Exchange>>,
    /// The HTTP request the last delivered message was sent on behalf of.
    last_on_behalf: Option<Arc<Exchange>>,
}

fn key(client: &Addr, server: &Addr, protocol: Protocol, id: u64) -> Key {
    (client.clone(), server.clone(), protocol, id)
}

impl Exchanges {
    /// Records what a delivery opens, answers or closes, and returns the HTTP request its
    /// receiver now works on behalf of (the request itself, or the one the delivered message
    /// was sent for). A dropped request opens nothing (its server never saw it); a dropped
    /// answer still closes its exchange.
    pub fn observe(&mut self, env: &Envelope, dropped: bool) -> Option<Arc<Exchange>> {
        self.last = None;
        self.last_on_behalf = self.on_behalf.remove(&env.seq);
        let exchange = |protocol, method: String, target: String, stream, user_agent: &str| {
            Arc::new(Exchange {
                protocol,
                client: env.from.clone(),
                server: env.to.clone(),
                id: match &env.message {
                    Message::HttpRequest { id, .. } | Message::EtcdRequest { id, .. } => *id,
                    _ => 0,
                },
                method,
                target,
                at: env.deliver_at,
                seq: env.seq,
                step: env.annotation.step,
                stream,
                user_agent: user_agent.to_string(),
            })
        };
        match &env.message {
            Message::HttpRequest { .. } | Message::EtcdRequest { .. } if dropped => {}
            Message::HttpRequest { id, request } => {
                let x = exchange(
                    Protocol::Http,
                    request.method.clone(),
                    request.url(),
                    false,
                    request.header_value("User-Agent").unwrap_or_default(),
                );
                self.open
                    .insert(key(&env.from, &env.to, Protocol::Http, *id), x.clone());
                return Some(x);
            }
            Message::HttpResponse { id, response } => {
                let k = key(&env.to, &env.from, Protocol::Http, *id);
                // A watch answers with a chunked head, then its events on the same id.
                let chunked = response
                    .header_value("Transfer-Encoding")
                    .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
                self.last = if chunked {
                    self.open.get_mut(&k).map(|x| {
                        Arc::make_mut(x).stream = true;
                        x.clone()
                    })
                } else {
                    self.open.remove(&k)
                };
            }
            Message::WatchEvent { id, .. } => {
                self.last = self
                    .open
                    .get(&key(&env.to, &env.from, Protocol::Http, *id))
                    .cloned();
            }
            Message::HttpCancel { id } => {
                self.last = self
                    .open
                    .remove(&key(&env.from, &env.to, Protocol::Http, *id));
            }
            Message::EtcdRequest { id, request } => {
                let d = crate::sim::describe::describe(&env.message);
                let x = exchange(
                    Protocol::Etcd,
                    d.method.unwrap_or_default(),
                    d.path.unwrap_or_default(),
                    matches!(request, crate::etcd::api::Request::WatchCreate(_)),
                    "",
                );
                self.open
                    .insert(key(&env.from, &env.to, Protocol::Etcd, *id), x);
            }
            Message::EtcdResponse { id, result } => {
                let k = key(&env.to, &env.from, Protocol::Etcd, *id);
                let ended = match result {
                    Ok(crate::etcd::api::Response::Watch(w)) => w.canceled,
                    Ok(_) | Err(_) => true,
                };
                let stream = self.open.get(&k).is_some_and(|x| x.stream);
                self.last = if stream && !ended {
                    self.open.get(&k).cloned()
                } else {
                    self.open.remove(&k)
                };
            }
            _ => {}
        }
        self.last_on_behalf.clone()
    }

    /// A message queued under `seq` while its sender worked on behalf of `exchange`: the
    /// handler chain's own messages (stages, etcd calls and answers, responses, watch events)
    /// keep that link; anything else (a timer, a new request of a client) starts afresh.
    pub fn sent(&mut self, seq: u64, message: &Message, exchange: &Arc<Exchange>) {
        if matches!(
            message,
            Message::ApiStage { .. }
                | Message::EtcdRequest { .. }
                | Message::EtcdResponse { .. }
                | Message::HttpResponse { .. }
                | Message::WatchEvent { .. }
        ) {
            self.on_behalf.insert(seq, exchange.clone());
        }
    }

    /// A stopped component answers nothing and asks nothing any more: forget its exchanges.
    pub fn forget(&mut self, addr: &Addr) {
        self.open
            .retain(|(client, server, _, _), _| client != addr && server != addr);
    }

    /// The request the last delivered message answers or closes.
    pub fn last(&self) -> Option<&Exchange> {
        self.last.as_deref()
    }

    /// The HTTP request the last delivered message was sent on behalf of.
    pub fn last_on_behalf(&self) -> Option<&Exchange> {
        self.last_on_behalf.as_deref()
    }

    /// The request a client has open on a server under `id`.
    pub fn open(
        &self,
        client: &Addr,
        server: &Addr,
        protocol: Protocol,
        id: u64,
    ) -> Option<&Exchange> {
        self.open
            .get(&key(client, server, protocol, id))
            .map(Arc::as_ref)
    }

    /// The HTTP request a queued message is sent on behalf of.
    pub fn queued_on_behalf(&self, seq: u64) -> Option<&Exchange> {
        self.on_behalf.get(&seq).map(Arc::as_ref)
    }

    /// How many exchanges are open (requests in flight and open watches).
    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::request::{HttpRequest, HttpResponse};
    use crate::sim::{Annotation, SimTime};

    fn env(seq: u64, from: Addr, to: Addr, message: Message) -> Envelope {
        Envelope {
            seq,
            sent_at: SimTime(seq),
            deliver_at: SimTime(seq),
            from,
            to,
            message,
            annotation: Annotation::default(),
        }
    }

    #[test]
    fn an_answer_names_its_request_and_a_watch_stays_open_until_cancelled() {
        let mut x = Exchanges::default();
        let get = HttpRequest::new("GET", "/api/v1/pods?watch=true");
        x.observe(
            &env(
                1,
                Addr::Kubectl,
                Addr::ApiServer,
                Message::HttpRequest {
                    id: 7,
                    request: get,
                },
            ),
            false,
        );
        let mut head = HttpResponse::json(200, serde_json::Value::Null);
        head.headers
            .push(("Transfer-Encoding".into(), "chunked".into()));
        x.observe(
            &env(
                2,
                Addr::ApiServer,
                Addr::Kubectl,
                Message::HttpResponse {
                    id: 7,
                    response: head,
                },
            ),
            false,
        );
        assert_eq!(x.last().unwrap().target, "/api/v1/pods?watch=true");
        assert!(
            x.last().unwrap().stream,
            "a chunked answer keeps the watch open"
        );
        x.observe(
            &env(
                3,
                Addr::Kubectl,
                Addr::ApiServer,
                Message::HttpCancel { id: 7 },
            ),
            false,
        );
        assert_eq!(x.last().unwrap().method, "GET");
        assert!(x.is_empty());

        // A dropped request opens nothing; a plain answer closes its exchange.
        let post = HttpRequest::new("POST", "/api/v1/namespaces/default/pods");
        x.observe(
            &env(
                4,
                Addr::Scheduler,
                Addr::ApiServer,
                Message::HttpRequest {
                    id: 1,
                    request: post.clone(),
                },
            ),
            true,
        );
        assert!(x.is_empty());
        let behalf = x.observe(
            &env(
                5,
                Addr::Scheduler,
                Addr::ApiServer,
                Message::HttpRequest {
                    id: 1,
                    request: post,
                },
            ),
            false,
        );
        let behalf = behalf.expect("the server now works on behalf of the request");
        let stage = Message::Timer {
            name: "not a chain message".into(),
        };
        x.sent(6, &stage, &behalf);
        assert!(x.queued_on_behalf(6).is_none(), "a timer starts afresh");
        let answer = Message::HttpResponse {
            id: 1,
            response: HttpResponse::json(201, serde_json::json!({})),
        };
        x.sent(7, &answer, &behalf);
        x.observe(&env(7, Addr::ApiServer, Addr::Scheduler, answer), false);
        assert_eq!(x.last().unwrap().target, "/api/v1/namespaces/default/pods");
        assert_eq!(x.last_on_behalf().unwrap().seq, 5);
        assert!(x.is_empty());
    }
}
