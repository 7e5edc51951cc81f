//! A test client for the controller tests: an admin that plays the scheduler and the kubelets
//! (binding pods, reporting them Running and Ready) through the API server.
#![allow(dead_code)]

use std::any::Any;
use std::collections::BTreeMap;

use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim, SimConfig, SimDuration};
use serde_json::{json, Value};

#[derive(Clone, Default)]
pub struct Client {
    responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Client {
    fn addr(&self) -> Addr {
        Addr::Client("test-admin".into())
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

pub struct Harness {
    pub sim: Sim,
    pub seed: u64,
    next: u64,
}

impl Harness {
    pub fn new(seed: u64) -> Harness {
        // The controllers alone: the test plays the scheduler and the workers' kubelets, so the
        // cluster runs only the control plane's kubelet and its scheduler is stopped.
        let mut sim = Sim::empty(SimConfig::default(), seed);
        let mut config = kubestep::cluster::ClusterConfig::default();
        config.nodes.retain(|n| n.name == "control-plane");
        kubestep::cluster::bootstrap_with(&mut sim, &config);
        sim.stop_actor(&kubestep::sim::Addr::Scheduler);
        sim.add_actor(Box::new(Client::default()));
        sim.run_until_idle();
        // kube-controller-manager retries its start-up until the API server serves RBAC.
        sim.advance(SimDuration::from_secs(2));
        sim.run_until_idle();
        Harness { sim, seed, next: 0 }
    }

    pub fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let id = self.next;
        self.next += 1;
        self.sim.inject(
            Addr::Client("test-admin".into()),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
            },
        );
        // Controllers set short timers (work queue backoffs), which `run_until_idle` does not
        // pass: let simulated time run until the cluster has reacted.
        self.sim.advance(SimDuration::from_millis(500));
        let client = self
            .sim
            .actor::<Client>(&Addr::Client("test-admin".into()))
            .unwrap();
        let Some(r) = client.responses.get(&id) else {
            panic!(
                "no answer to request {id} (seed {}), last: {:?}",
                self.seed,
                self.sim.trace().entries().last().map(|e| e.summary.clone())
            )
        };
        (
            r.status,
            r.body_json().map(|b| (*b).clone()).unwrap_or(Value::Null),
        )
    }

    pub fn create(&mut self, path: &str, obj: Value) -> Value {
        let (status, body) = self.call(HttpRequest::new("POST", path).json_body(obj));
        assert_eq!(status, 201, "{body} (seed {})", self.seed);
        body
    }

    pub fn get(&mut self, path: &str) -> (u16, Value) {
        self.call(HttpRequest::new("GET", path))
    }

    pub fn patch(&mut self, path: &str, patch: Value) -> Value {
        let (status, body) = self.call(
            HttpRequest::new("PATCH", path)
                .header("Content-Type", "application/merge-patch+json")
                .body(patch.to_string()),
        );
        assert_eq!(status, 200, "{body} (seed {})", self.seed);
        body
    }

    pub fn items(&mut self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{body}");
        body["items"].as_array().cloned().unwrap_or_default()
    }

    pub fn pods(&mut self, ns: &str) -> Vec<Value> {
        self.items(&format!("/api/v1/namespaces/{ns}/pods"))
    }

    pub fn replicasets(&mut self, ns: &str) -> Vec<Value> {
        self.items(&format!("/apis/apps/v1/namespaces/{ns}/replicasets"))
    }

    pub fn advance(&mut self, secs: u64) {
        self.sim.advance(SimDuration::from_secs(secs));
        self.sim.run_until_idle();
    }

    /// Plays the scheduler and the kubelet: binds every unbound pod of `ns` to `node` and
    /// reports it Running and Ready.
    pub fn run_pods(&mut self, ns: &str, node: &str) {
        let now = self.sim.now().rfc3339();
        for pod in self.pods(ns) {
            if pod.pointer("/metadata/deletionTimestamp").is_some() {
                continue;
            }
            let name = pod["metadata"]["name"].as_str().unwrap().to_string();
            if pod
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_none()
            {
                let (s, b) = self.call(
                    HttpRequest::new(
                        "POST",
                        &format!("/api/v1/namespaces/{ns}/pods/{name}/binding"),
                    )
                    .json_body(json!({
                        "apiVersion": "v1", "kind": "Binding",
                        "metadata": {"name": name},
                        "target": {"apiVersion": "v1", "kind": "Node", "name": node}
                    })),
                );
                assert_eq!(s, 201, "{b}");
            }
            if pod.pointer("/status/phase").and_then(Value::as_str) != Some("Running") {
                let (s, b) = self.call(
                    HttpRequest::new("PATCH", &format!("/api/v1/namespaces/{ns}/pods/{name}/status"))
                        .header("Content-Type", "application/merge-patch+json")
                        .body(json!({"status": {
                            "phase": "Running",
                            "conditions": [
                                {"type": "Ready", "status": "True", "lastTransitionTime": now},
                                {"type": "ContainersReady", "status": "True", "lastTransitionTime": now}
                            ]
                        }}).to_string()),
                );
                assert_eq!(s, 200, "{b}");
            }
        }
    }
}

pub fn deployment(name: &str, replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}]}
            }
        }
    })
}

pub fn names(objs: &[Value]) -> Vec<String> {
    objs.iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Pods not being deleted.
pub fn live_pods(h: &mut Harness, ns: &str) -> Vec<Value> {
    h.pods(ns)
        .into_iter()
        .filter(|p| p["metadata"].get("deletionTimestamp").is_none())
        .collect()
}
