//! One arbitrary request through kube-apiserver's whole pipeline (authentication, decoding,
//! admission, validation, storage), for the fuzz target in `fuzz/` and its corpus replay in
//! `cargo test`. Whatever the bytes, the server must answer with a status code and never panic.

use std::any::Any;
use std::cell::RefCell;

use super::request::HttpRequest;
use crate::sim::{Actor, Addr, Ctx, Envelope, Message, Sim};

/// Records the status of every response it gets.
#[derive(Clone, Default)]
struct Recorder {
    statuses: Vec<(u64, u16)>,
}

impl Actor for Recorder {
    fn addr(&self) -> Addr {
        Addr::Client("fuzz".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if let Message::HttpResponse { id, response } = &env.message {
            self.statuses.push((*id, response.status));
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

thread_local! {
    /// A booted cluster, built once per thread and cloned for every input.
    static BOOTED: RefCell<Option<Sim>> = const { RefCell::new(None) };
}

fn booted() -> Sim {
    BOOTED.with(|b| {
        b.borrow_mut()
            .get_or_insert_with(|| {
                let mut sim = crate::cluster::booted(1);
                sim.add_actor(Box::new(Recorder::default()));
                sim.run_until_idle();
                sim
            })
            .clone()
    })
}

const METHODS: [&str; 5] = ["POST", "PUT", "PATCH", "GET", "DELETE"];
const PATHS: [&str; 12] = [
    "/api/v1/namespaces/default/pods",
    "/apis/apps/v1/namespaces/default/deployments",
    "/api/v1/namespaces/default/services",
    "/api/v1/namespaces/default/configmaps",
    "/api/v1/namespaces/default/secrets",
    "/api/v1/namespaces",
    "/api/v1/nodes",
    "/apis/batch/v1/namespaces/default/jobs",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
    "/api/v1/namespaces/default/events",
    "/apis/apps/v1/namespaces/default/daemonsets",
    "/api/v1/namespaces/default/pods/fuzz/status",
];
const CONTENT_TYPES: [&str; 6] = [
    "application/json",
    "application/yaml",
    "application/merge-patch+json",
    "application/json-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

/// The request the fuzz bytes stand for: three header bytes choose the method, the path and
/// the content type; the rest is the body. Writes that are not creates name the object `fuzz`.
pub fn request_for(data: &[u8]) -> HttpRequest {
    let pick = |i: usize, n: usize| data.get(i).map_or(0, |b| *b as usize % n);
    let method = METHODS[pick(0, METHODS.len())];
    let mut path = PATHS[pick(1, PATHS.len())].to_string();
    if method != "POST" && !path.ends_with("/status") && data.get(1).is_some_and(|b| b & 0x80 != 0)
    {
        path.push_str("/fuzz");
    }
    let content_type = CONTENT_TYPES[pick(2, CONTENT_TYPES.len())];
    let body = data.get(3..).unwrap_or_default().to_vec();
    let mut req = HttpRequest::new(method, &path)
        .certificate("kubernetes-admin", &["kubeadm:cluster-admins"])
        .header("Content-Type", content_type)
        .body(body);
    if content_type == "application/apply-patch+yaml" {
        req.query.push(("fieldManager".into(), "fuzz".into()));
    }
    req
}

/// Sends the request (twice: a second copy exercises the update and conflict paths) on a fresh
/// copy of a booted cluster and returns the statuses. Panics (the fuzzer's finding) if the
/// server does not answer or answers with an impossible status.
pub fn run(data: &[u8]) -> Vec<u16> {
    let mut sim = booted();
    let client = Addr::Client("fuzz".into());
    for id in 0..2 {
        sim.inject(
            client.clone(),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: request_for(data),
            },
        );
        sim.run_until_idle();
    }
    let rec = sim.actor::<Recorder>(&client).expect("the recorder runs");
    let statuses: Vec<u16> = rec.statuses.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        statuses.len(),
        2,
        "every request gets exactly one answer: {statuses:?}"
    );
    for s in &statuses {
        assert!((200..600).contains(s), "impossible status {s}");
        assert!(
            *s != 500,
            "an internal error is a bug: request {:?}",
            request_for(data).url()
        );
    }
    statuses
}
