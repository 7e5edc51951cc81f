//! A scripted etcd client for tests: it sits at `Addr::Etcdctl`; each input makes it send the
//! next queued request (the queue is shared with the harness, so big requests need no
//! encoding) and it records every answer.
#![allow(dead_code)]

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use kubestep::etcd::api::{EtcdError, Request, Response, WatchResponse};
use kubestep::etcd::{EtcdConfig, EtcdServer};
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Input, Message, Sim, SimConfig};

type Queue = Rc<RefCell<VecDeque<(u64, Request)>>>;

#[derive(Clone, Default)]
pub struct Client {
    queue: Queue,
    pub received: Vec<(u64, Result<Response, EtcdError>)>,
}

impl Actor for Client {
    fn addr(&self) -> Addr {
        Addr::Etcdctl
    }
    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::Input { .. } => {
                let (id, request) = self.queue.borrow_mut().pop_front().expect("a request");
                ctx.send(Addr::Etcd, Message::EtcdRequest { id, request });
            }
            Message::EtcdResponse { id, result } => self.received.push((*id, result.clone())),
            _ => {}
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A simulation with an etcd member and the scripted client.
#[derive(Clone)]
pub struct Harness {
    pub sim: Sim,
    queue: Queue,
    next_id: u64,
}

impl Harness {
    pub fn new(config: EtcdConfig) -> Self {
        let mut sim = Sim::empty(SimConfig::default(), 7);
        sim.add_actor(Box::new(EtcdServer::new(config)));
        let queue = Queue::default();
        sim.add_actor(Box::new(Client {
            queue: queue.clone(),
            received: Vec::new(),
        }));
        Harness {
            sim,
            queue,
            next_id: 1,
        }
    }

    /// Sends `request` without waiting; returns its id.
    pub fn send(&mut self, request: Request) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.queue.borrow_mut().push_back((id, request));
        self.sim.submit(Input::Etcdctl {
            argv: vec![id.to_string()],
            stdin: None,
        });
        id
    }

    /// Sends `request`, runs until idle and returns its (first) answer.
    pub fn call(&mut self, request: Request) -> Result<Response, EtcdError> {
        let id = self.send(request);
        self.sim.run_until_idle();
        self.answers(id).into_iter().next().expect("etcd answered")
    }

    /// Every answer received for request `id`, in arrival order.
    pub fn answers(&self, id: u64) -> Vec<Result<Response, EtcdError>> {
        self.client()
            .received
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Every watch response on stream `id`, in arrival order.
    pub fn watch_responses(&self, id: u64) -> Vec<WatchResponse> {
        self.answers(id)
            .into_iter()
            .map(|r| match r {
                Ok(Response::Watch(w)) => w,
                other => panic!("not a watch response: {other:?}"),
            })
            .collect()
    }

    pub fn client(&self) -> &Client {
        self.sim.actor::<Client>(&Addr::Etcdctl).expect("client")
    }

    pub fn server(&self) -> &EtcdServer {
        self.sim.actor::<EtcdServer>(&Addr::Etcd).expect("etcd")
    }
}
