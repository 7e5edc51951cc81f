//! A whole simulated cluster for the workload-controller scenarios (DaemonSets, StatefulSets):
//! `cluster::booted(seed)` (API server, controller-manager, scheduler, the control-plane node
//! and two workers with their kubelets), an admin client at its own address that applies
//! manifests, and views of what the API server holds.
#![allow(dead_code)]

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use kubestep::apiserver::decode::yaml_to_json;
use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::apiserver::resources;
use kubestep::apiserver::server::KubeApiServer;
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim, SimDuration};
use serde_json::Value;

#[derive(Clone, Default)]
pub struct Admin {
    responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Admin {
    fn addr(&self) -> Addr {
        Addr::Client("admin".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if let Message::HttpResponse { id, response } = &env.message {
            self.responses.insert(*id, response.clone());
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

pub struct Cluster {
    pub sim: Sim,
    pub seed: u64,
    next: u64,
}

impl Cluster {
    pub fn new(seed: u64) -> Cluster {
        let mut sim = kubestep::cluster::booted(seed);
        sim.add_actor(Box::new(Admin::default()));
        Cluster { sim, seed, next: 0 }
    }

    /// Sends a request as `kubernetes-admin` and runs the cluster until it is answered.
    pub fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let id = self.next;
        self.next += 1;
        self.sim.inject(
            Addr::Client("admin".into()),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
            },
        );
        self.sim.run_until_idle();
        let admin = self
            .sim
            .actor::<Admin>(&Addr::Client("admin".into()))
            .unwrap();
        let r = admin
            .responses
            .get(&id)
            .unwrap_or_else(|| panic!("request {id} unanswered (seed {})", self.seed));
        (
            r.status,
            r.body_json().map(|b| (*b).clone()).unwrap_or(Value::Null),
        )
    }

    /// Sends a request as `kubernetes-admin` without running the cluster: the caller watches
    /// what follows step by step.
    pub fn send(&mut self, req: HttpRequest) {
        let id = self.next;
        self.next += 1;
        self.sim.inject(
            Addr::Client("admin".into()),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
            },
        );
    }

    /// The collection path of `obj`'s resource.
    pub fn collection(obj: &Value) -> String {
        let api_version = obj["apiVersion"].as_str().unwrap_or("");
        let kind = obj["kind"].as_str().unwrap_or("");
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let r = resources::by_kind(group, version, kind).expect("a served kind");
        let ns = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default");
        let base = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        if r.namespaced {
            format!("{base}/namespaces/{ns}/{}", r.name)
        } else {
            format!("{base}/{}", r.name)
        }
    }

    /// Creates `obj` at its resource's collection, as `kubectl create` does.
    pub fn create(&mut self, obj: &Value) -> Value {
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let path = Cluster::collection(obj);
        let (status, body) = self.call(HttpRequest::new("POST", &path).json_body(obj.clone()));
        assert_eq!(status, 201, "create {kind}: {body} (seed {})", self.seed);
        body
    }

    /// Creates every object of a file of `tests/data`.
    pub fn apply_file(&mut self, rel: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel);
        let text = std::fs::read_to_string(path).unwrap();
        for doc in text.split("\n---") {
            if doc.trim().is_empty() {
                continue;
            }
            let obj = yaml_to_json(doc).expect("valid YAML");
            self.create(&obj);
        }
    }

    /// Lets `secs` seconds of simulated time pass.
    pub fn advance(&mut self, secs: u64) {
        self.sim.advance(SimDuration::from_secs(secs));
        self.sim.run_until_idle();
    }

    /// The objects the API server's watch cache holds under `prefix` (`/registry/pods/`).
    pub fn cached(&self, prefix: &str) -> Vec<Arc<Value>> {
        let api = self.sim.actor::<KubeApiServer>(&Addr::ApiServer).unwrap();
        api.caches()
            .get(prefix)
            .map(|c| c.objects.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn get(&self, prefix: &str, key: &str) -> Option<Arc<Value>> {
        self.cached(prefix)
            .into_iter()
            .find(|o| kubestep::client::object_key(o) == key)
    }

    /// Pods of `ns` not being deleted.
    pub fn live_pods(&self, ns: &str) -> Vec<Arc<Value>> {
        self.cached("/registry/pods/")
            .into_iter()
            .filter(|p| p["metadata"]["namespace"] == ns)
            .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
            .collect()
    }

    /// `(reason, message)` of the Events about `name` in `ns`, oldest first.
    pub fn events(&self, ns: &str, name: &str) -> Vec<(String, String)> {
        let mut evs: Vec<Arc<Value>> = self
            .cached("/registry/events/")
            .into_iter()
            .filter(|e| e["involvedObject"]["name"] == name && e["metadata"]["namespace"] == ns)
            .collect();
        evs.sort_by_key(|e| e["metadata"]["name"].as_str().unwrap_or("").to_string());
        evs.iter()
            .map(|e| {
                (
                    e["reason"].as_str().unwrap_or("").to_string(),
                    e["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

pub fn name(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or("")
}

pub fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}
