//! The reflector state machine against the real (simulated) API server: list, watch from the
//! list's resourceVersion, deltas into a shared cache, and a relist after 410 Gone that reports
//! what changed while the watch was down.

use std::any::Any;

use kubestep::apiserver::request::HttpRequest;
use kubestep::client::reflector::{Delta, Reflector, ReflectorCall, State};
use kubestep::client::{ApiClient, Credentials};
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim, SimConfig};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tag {
    List,
    Watch,
}

#[derive(Clone)]
struct Informer {
    client: ApiClient<Tag>,
    pods: Reflector,
    seen: Vec<String>,
}

impl Actor for Informer {
    fn addr(&self) -> Addr {
        Addr::Client("informer".into())
    }
    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.pods.list(&mut self.client, ctx, Tag::List);
    }
    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        let deltas: Vec<Delta> = match &env.message {
            Message::HttpResponse { id, response } => match self.pods.owns(*id) {
                Some(ReflectorCall::List) => {
                    self.client.complete(*id);
                    self.pods
                        .on_list(response, &mut self.client, ctx, Tag::Watch, Tag::List)
                }
                Some(ReflectorCall::Watch) => {
                    self.pods
                        .on_watch_response(response, &mut self.client, ctx, Tag::List);
                    vec![]
                }
                None => {
                    self.client.complete(*id);
                    vec![]
                }
            },
            Message::Timer { name } if name == "resume-stale" => {
                // A restart that kept an old resourceVersion.
                self.pods.resource_version = "1".into();
                self.pods.resume_watch(&mut self.client, ctx, Tag::Watch);
                vec![]
            }
            Message::WatchEvent { id, event } if self.pods.owns(*id).is_some() => self
                .pods
                .on_event(event, &mut self.client, ctx, Tag::List)
                .into_iter()
                .collect(),
            _ => vec![],
        };
        for d in deltas {
            let kind = match d {
                Delta::Added(_) => "added",
                Delta::Updated { .. } => "updated",
                Delta::Deleted(_) => "deleted",
            };
            let name = d.object()["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string();
            self.seen.push(format!("{kind} {name}"));
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn admin(sim: &mut Sim, n: &mut u64, req: HttpRequest) {
    *n += 1;
    sim.inject(
        Addr::Client("admin".into()),
        Addr::ApiServer,
        Message::HttpRequest {
            id: *n,
            request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
        },
    );
    sim.run_until_idle();
}

fn pod(name: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"schedulerName": "no-such-scheduler", "containers": [{"name": "c", "image": "nginx"}]}})
}

fn seen(sim: &Sim) -> Vec<String> {
    sim.actor::<Informer>(&Addr::Client("informer".into()))
        .unwrap()
        .seen
        .clone()
}

#[test]
fn an_informer_lists_then_watches_and_relists_after_410() {
    let seed = 5;
    let mut sim = Sim::new(SimConfig::default(), seed);
    sim.run_until_idle();
    let client = ApiClient::new(
        Credentials::Certificate(kubestep::apiserver::authn::ClientCertificate::kube_scheduler()),
        "kube-scheduler/v1.33.1 (linux/amd64) kubernetes/8adc0f0",
    );
    sim.add_actor(Box::new(Informer {
        client,
        pods: Reflector::new("/api/v1/namespaces/default/pods", "", ""),
        seen: vec![],
    }));
    sim.run_until_idle();
    let informer = sim
        .actor::<Informer>(&Addr::Client("informer".into()))
        .unwrap();
    assert!(informer.pods.synced, "seed {seed}");
    assert!(matches!(informer.pods.state, State::Watching(_)));

    let mut n = 0;
    admin(
        &mut sim,
        &mut n,
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("a")),
    );
    admin(
        &mut sim,
        &mut n,
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("b")),
    );
    admin(
        &mut sim,
        &mut n,
        HttpRequest::new("PATCH", "/api/v1/namespaces/default/pods/a")
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"metadata":{"labels":{"x":"y"}}}"#),
    );
    assert_eq!(
        seen(&sim),
        ["added a", "added b", "updated a"],
        "seed {seed}"
    );
}

#[test]
fn a_watch_resumed_from_a_forgotten_revision_relists_and_catches_up() {
    let seed = 9;
    let mut sim = Sim::new(SimConfig::default(), seed);
    sim.run_until_idle();
    let client = ApiClient::new(
        Credentials::Certificate(kubestep::apiserver::authn::ClientCertificate::kube_scheduler()),
        "kube-scheduler/v1.33.1",
    );
    sim.add_actor(Box::new(Informer {
        client,
        pods: Reflector::new("/api/v1/namespaces/default/pods", "", ""),
        seen: vec![],
    }));
    sim.run_until_idle();
    let mut n = 0;
    // More than the watch cache's window of 100 changes to pods, so revision 1 is forgotten.
    for i in 0..60 {
        let name = format!("p{i}");
        admin(
            &mut sim,
            &mut n,
            HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod(&name)),
        );
        admin(
            &mut sim,
            &mut n,
            HttpRequest::new("DELETE", &format!("/api/v1/namespaces/default/pods/{name}")),
        );
    }
    sim.inject(
        Addr::Client("informer".into()),
        Addr::Client("informer".into()),
        Message::Timer {
            name: "resume-stale".into(),
        },
    );
    sim.run_until_idle();
    let informer = sim
        .actor::<Informer>(&Addr::Client("informer".into()))
        .unwrap();
    assert_eq!(
        informer.pods.lists, 2,
        "listed again after 410 (seed {seed})"
    );
    assert!(matches!(informer.pods.state, State::Watching(_)));
    assert!(informer.pods.cache.is_empty());
    let trace: Vec<String> = sim
        .trace()
        .entries()
        .iter()
        .map(|e| e.summary.clone())
        .collect();
    assert!(
        trace.iter().any(|s| s.contains("watch event ERROR")),
        "seed {seed}"
    );
}
