//! A test client for full-cluster tests: the booted cluster of `kubestep::cluster` (etcd,
//! kube-apiserver, kube-controller-manager, kube-scheduler, a kubelet and a kube-proxy on each
//! node) driven by an admin through the API server, as `kubectl` with kubeadm's admin.conf would.
#![allow(dead_code)]

use std::any::Any;
use std::collections::BTreeMap;

use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::sim::{Actor, Addr, Annotation, Ctx, Envelope, Message, Sim, SimDuration};
use serde_json::{json, Value};

/// The admin's user agent, as kubectl 1.33 sends it.
pub const KUBECTL_USER_AGENT: &str = "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0";

/// Records every response it receives.
#[derive(Clone)]
pub struct Recorder {
    addr: Addr,
    pub responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Recorder {
    fn addr(&self) -> Addr {
        self.addr.clone()
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

/// The test's stand-in for kubectl (the cluster runs kubestep's own kubectl at
/// `Addr::Kubectl`; this client sends raw requests and is named the same in the trace).
pub fn kubectl_addr() -> Addr {
    Addr::Client("kubectl".into())
}

/// kubeadm's admin: `kubernetes-admin` in `kubeadm:cluster-admins`.
pub fn admin(req: HttpRequest) -> HttpRequest {
    req.header("User-Agent", KUBECTL_USER_AGENT)
        .certificate("kubernetes-admin", &["kubeadm:cluster-admins"])
}

impl Cluster {
    /// [`kubestep::cluster::booted`] with `kubectl` at the learner's keyboard.
    pub fn booted(seed: u64) -> Cluster {
        let mut sim = kubestep::cluster::booted(seed);
        sim.add_actor(Box::new(Recorder {
            addr: kubectl_addr(),
            responses: BTreeMap::new(),
        }));
        sim.run_until_idle();
        Cluster { sim, seed, next: 0 }
    }

    /// Sends `req` as kubectl (annotated with the flow step it performs, if any) without
    /// waiting for the answer; returns its id.
    pub fn send(&mut self, req: HttpRequest, step: Option<u8>) -> u64 {
        let id = self.next;
        self.next += 1;
        self.sim.inject_annotated(
            kubectl_addr(),
            Addr::ApiServer,
            Message::HttpRequest {
                id,
                request: admin(req),
            },
            Annotation { step, stage: None },
        );
        id
    }

    /// The answer to request `id`, if it has arrived.
    pub fn response(&self, id: u64) -> Option<&HttpResponse> {
        self.sim
            .actor::<Recorder>(&kubectl_addr())
            .expect("kubectl runs")
            .responses
            .get(&id)
    }

    /// Sends `req` and lets simulated time run (10 ms at a time) until its answer arrives.
    pub fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let id = self.send(req, None);
        for _ in 0..1000 {
            if self.response(id).is_some() {
                break;
            }
            self.sim.advance(SimDuration::from_millis(10));
        }
        let Some(r) = self.response(id) else {
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

    pub fn delete(&mut self, path: &str) -> (u16, Value) {
        self.call(HttpRequest::new("DELETE", path))
    }

    pub fn items(&mut self, path: &str) -> Vec<Value> {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{body} (seed {})", self.seed);
        body["items"].as_array().cloned().unwrap_or_default()
    }

    pub fn pods(&mut self, ns: &str) -> Vec<Value> {
        self.items(&format!("/api/v1/namespaces/{ns}/pods"))
    }

    /// Lets `secs` of simulated time pass.
    pub fn advance(&mut self, secs: u64) {
        self.sim.advance(SimDuration::from_secs(secs));
    }

    /// Advances a second at a time until `done` holds (checked through the API), at most
    /// `limit_secs`; returns the seconds it took, or panics with `what` and the seed.
    pub fn wait_until(
        &mut self,
        limit_secs: u64,
        what: &str,
        mut done: impl FnMut(&mut Cluster) -> bool,
    ) -> u64 {
        for waited in 0..=limit_secs {
            if done(self) {
                return waited;
            }
            self.advance(1);
        }
        panic!("seed {}: {what} within {limit_secs} s", self.seed);
    }

    /// The objects the API server's watch cache holds under `prefix` (`/registry/pods/`),
    /// read without a request.
    pub fn cached(&self, prefix: &str) -> Vec<std::sync::Arc<Value>> {
        let api = self
            .sim
            .actor::<kubestep::apiserver::server::KubeApiServer>(&Addr::ApiServer)
            .expect("kube-apiserver runs");
        api.caches()
            .get(prefix)
            .map(|c| c.objects.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Runs the cluster message by message for `secs` of simulated time, calling `watch`
    /// after every delivery (to catch states that last less than a poll's second).
    pub fn run_watching(&mut self, secs: u64, mut watch: impl FnMut(&Cluster)) {
        let until = self.sim.now().as_millis() + secs * 1000;
        while let Some(env) = self.sim.peek() {
            if env.deliver_at.as_millis() > until {
                break;
            }
            self.sim.step();
            watch(self);
        }
        self.sim.advance(SimDuration::from_millis(
            until.saturating_sub(self.sim.now().as_millis()),
        ));
    }

    /// The zone label of node `name`.
    pub fn zone(&mut self, node: &str) -> String {
        let (_, n) = self.get(&format!("/api/v1/nodes/{node}"));
        n["metadata"]["labels"][kubestep::cluster::ZONE_LABEL]
            .as_str()
            .unwrap_or("")
            .to_string()
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
                "spec": {"containers": [{"name": name, "image": image}]}
            }
        }
    })
}

pub fn name(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or("")
}

pub fn node_of(pod: &Value) -> &str {
    pod["spec"]["nodeName"].as_str().unwrap_or("")
}

/// Whether `obj` is being deleted.
pub fn deleting(obj: &Value) -> bool {
    obj["metadata"].get("deletionTimestamp").is_some()
}

/// Whether a pod is Running with its Ready condition True.
pub fn running_and_ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running"
        && pod["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The condition of `type_` in an object's `status.conditions`.
pub fn condition<'a>(obj: &'a Value, type_: &str) -> Option<&'a Value> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
}
