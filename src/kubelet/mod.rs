//! The kubelet of one node: registers its Node, renews its Lease in `kube-node-lease`, watches
//! the pods bound to it (`fieldSelector=spec.nodeName=<node>`), runs them through the node's
//! container runtime ([`cri`]) and reports their status and Events back, all through the API
//! server with its own identity (`system:node:<name>` in `system:nodes`, judged by the Node
//! authorizer).
//!
//! The control-plane node's kubelet also runs kubeadm's static pods and creates their mirror
//! pods.

pub mod cri;
pub mod node_status;
pub mod pod_worker;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::apiserver::authn::ClientCertificate;
use crate::apiserver::kubeadm;
use crate::apiserver::request::{Body, HttpRequest, HttpResponse};
use crate::client::events::EventRecorder;
use crate::client::reflector::{Delta, Reflector, ReflectorCall};
use crate::client::{ApiClient, Credentials};
use crate::cluster::NodeConfig;
use crate::sim::{Actor, Addr, Annotation, Ctx, Envelope, Message, SimDuration, SimTime};

use cri::{ContainerRuntime, CriCall};
use pod_worker::PodWorker;

/// The kubelet's user agent.
pub const USER_AGENT: &str = "kubelet/v1.33.1 (linux/amd64) kubernetes/8adc0f0";
/// `NodeLeaseDurationSeconds`.
pub const LEASE_DURATION_SECONDS: u64 = 40;
/// The lease controller renews every quarter of the duration: 10 s.
pub const LEASE_RENEW_INTERVAL: SimDuration = SimDuration::from_secs(10);
/// `nodeStatusReportFrequency`: an unchanged status is still reported this often.
pub const NODE_STATUS_REPORT_FREQUENCY: SimDuration = SimDuration::from_secs(300);
/// The registration retry (`tryRegisterWithAPIServer`'s back-off starts at 100 ms; kubestep
/// retries every second).
pub const REGISTER_RETRY: SimDuration = SimDuration::from_secs(1);
/// Image pull and crash back-off: 10 s doubling to 300 s (`MaxContainerBackOff`).
pub const BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(10);
pub const BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);

const LEASE_TIMER: &str = "renew node lease";
const REGISTER_TIMER: &str = "register node";
/// How soon the pod sync tries a mirror pod again after the API server refused it.
pub const MIRROR_POD_RETRY: SimDuration = SimDuration::from_secs(1);
const MIRROR_POD_TIMER: &str = "create mirror pod ";

/// What a request of the kubelet was for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    RegisterNode,
    GetNode,
    GetLease,
    CreateLease,
    UpdateLease,
    NodeStatus,
    PodList,
    PodWatch,
    PodStatus(String),
    Event,
    DeletePod(String),
    MirrorPod(String),
}

/// The kubelet at [`Addr::Kubelet`].
#[derive(Clone)]
pub struct Kubelet {
    pub node: NodeConfig,
    client: ApiClient<Call>,
    pods: Reflector,
    /// Whether the Node exists (created by us, or found already there).
    pub registered: bool,
    node_uid: String,
    /// The Lease as last written (its resourceVersion is the precondition of the next PUT).
    lease: Option<Arc<Value>>,
    lease_in_flight: bool,
    /// How many times the lease was renewed (created or updated) successfully.
    pub lease_renewals: u64,
    last_node_status: Option<SimTime>,
    /// `status.images` as last reported.
    reported_images: Value,
    pub runtime: ContainerRuntime,
    /// Pod workers, by `namespace/name`.
    pub workers: BTreeMap<String, PodWorker>,
    /// The kubelet's event recorder (`source: {component: kubelet, host: <node>}`).
    recorder: EventRecorder,
}

impl Kubelet {
    pub fn new(node: NodeConfig) -> Kubelet {
        let client = ApiClient::new(
            Credentials::Certificate(ClientCertificate::kubelet(&node.name)),
            USER_AGENT,
        );
        let pods = Reflector::new("/api/v1/pods", "", &format!("spec.nodeName={}", node.name));
        let recorder = EventRecorder::new("kubelet", &node.name);
        let mut runtime = ContainerRuntime::default();
        if node.control_plane {
            // `kubeadm init` pulled the control-plane images before the kubelet started them.
            for (_, image, _) in kubeadm::static_pod_specs(&node.internal_ip) {
                runtime.preload(&image);
            }
        }
        runtime.preload("registry.k8s.io/pause:3.10");
        Kubelet {
            node,
            client,
            pods,
            registered: false,
            node_uid: String::new(),
            lease: None,
            lease_in_flight: false,
            lease_renewals: 0,
            last_node_status: None,
            reported_images: Value::Null,
            runtime,
            workers: BTreeMap::new(),
            recorder,
        }
    }

    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// The log of a container of a pod on this node (what `GET pods/<name>/log` returns).
    pub fn logs(&self, namespace: &str, pod: &str, container: Option<&str>) -> Option<String> {
        let key = format!("{namespace}/{pod}");
        let worker = self.workers.get(&key)?;
        let container = match container {
            Some(c) => c.to_string(),
            None => worker.containers.first()?.name.clone(),
        };
        self.runtime.logs(&key, &container)
    }

    /// The kubelet server's `/containerLogs/<ns>/<pod>/<container>`.
    fn serve(&self, request: &HttpRequest) -> HttpResponse {
        let text = |status: u16, body: String| HttpResponse {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: Body::Bytes(body.into_bytes()),
        };
        let parts: Vec<&str> = request.path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["containerLogs", ns, pod, container] => {
                let key = format!("{ns}/{pod}");
                let options = LogOptions::of(request);
                if options.previous && self.workers.contains_key(&key) {
                    // `validateContainerLogStatus`: --previous reads the instance a restart
                    // replaced; without one there is nothing to read.
                    return match self.runtime.instance(&key, container, true) {
                        Some(c) => text(200, options.render(c)),
                        None => text(
                            400,
                            format!(
                                "previous terminated container \"{container}\" in pod \"{pod}\" not found"
                            ),
                        ),
                    };
                }
                if self.workers.contains_key(&key) {
                    if let Some(c) = self.runtime.instance(&key, container, false) {
                        return text(200, options.render(c));
                    }
                }
                // `validateContainerLogStatus`: a container that never ran has no log.
                let why = self
                    .workers
                    .get(&key)
                    .and_then(|w| w.container(container))
                    .map(|c| match &c.state {
                        pod_worker::State::Waiting { reason, .. } if reason == "ErrImagePull" => {
                            "image can't be pulled".to_string()
                        }
                        pod_worker::State::Waiting { reason, .. }
                            if reason == "ImagePullBackOff" =>
                        {
                            "trying and failing to pull image".to_string()
                        }
                        pod_worker::State::Waiting { reason, .. } => reason.clone(),
                        _ => "ContainerCreating".to_string(),
                    });
                match why {
                    Some(why) => text(
                        400,
                        format!(
                            "container \"{container}\" in pod \"{pod}\" is waiting to start: {why}"
                        ),
                    ),
                    None => text(
                        404,
                        format!("pod \"{pod}\" in namespace \"{ns}\" not found"),
                    ),
                }
            }
            _ => text(404, "404 page not found\n".into()),
        }
    }

    fn register(&mut self, ctx: &mut Ctx<'_>) {
        let images = node_status::images(&self.runtime);
        let node = node_status::initial_node(&self.node, ctx.now(), &images);
        self.reported_images = images;
        let req = self.client.request("POST", "/api/v1/nodes").json_body(node);
        self.client.send(ctx, req, Call::RegisterNode, None);
    }

    fn on_registered(&mut self, ctx: &mut Ctx<'_>, node: Option<Arc<Value>>) {
        self.registered = true;
        if let Some(uid) = node
            .as_ref()
            .and_then(|n| n.pointer("/metadata/uid"))
            .and_then(Value::as_str)
        {
            self.node_uid = uid.to_string();
        }
        self.last_node_status = Some(ctx.now());
        // A restarted kubelet finds its Node as the node controller left it (Ready Unknown
        // after the grace period): its first `syncNodeStatus` sees the status changed and
        // reports at once.
        let ready = node.as_ref().and_then(|n| {
            n.pointer("/status/conditions")?
                .as_array()?
                .iter()
                .find(|c| c["type"] == "Ready")
                .map(|c| c["status"] == "True")
        });
        if ready == Some(false) {
            self.report_node_status(ctx);
        }
        self.pods.list(&mut self.client, ctx, Call::PodList);
        self.renew_lease(ctx);
        ctx.timer(LEASE_RENEW_INTERVAL, LEASE_TIMER);
        if self.node.control_plane {
            self.run_static_pods(ctx);
        }
    }

    /// The lease controller: create the Lease if there is none, else PUT it with a new
    /// `renewTime` and the last resourceVersion.
    fn renew_lease(&mut self, ctx: &mut Ctx<'_>) {
        if self.lease_in_flight {
            // The previous renewal got no answer (a partition): give up on it, and read the
            // lease again before the next write. The connection is presumed broken, so the
            // pod watch is re-established from the last resourceVersion, as client-go does
            // after a dead watch.
            self.lease = None;
            if self.pods.synced {
                self.pods
                    .resume_watch(&mut self.client, ctx, Call::PodWatch);
            }
        }
        self.lease_in_flight = true;
        let path = format!(
            "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{}",
            self.node.name
        );
        match &self.lease {
            None => {
                let req = self.client.request("GET", &path);
                self.client.send(ctx, req, Call::GetLease, None);
            }
            Some(lease) => {
                let mut lease = (**lease).clone();
                lease["spec"]["renewTime"] = json!(ctx.now().rfc3339_micros());
                lease["spec"]["holderIdentity"] = json!(self.node.name);
                lease["spec"]["leaseDurationSeconds"] = json!(LEASE_DURATION_SECONDS);
                let req = self.client.request("PUT", &path).json_body(lease);
                self.client.send(ctx, req, Call::UpdateLease, None);
            }
        }
    }

    fn create_lease(&mut self, ctx: &mut Ctx<'_>) {
        let lease = node_status::new_lease(&self.node.name, &self.node_uid, ctx.now());
        let req = self
            .client
            .request(
                "POST",
                "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
            )
            .json_body(lease);
        self.client.send(ctx, req, Call::CreateLease, None);
    }

    fn report_node_status(&mut self, ctx: &mut Ctx<'_>) {
        let images = node_status::images(&self.runtime);
        let patch = node_status::status_patch(ctx.now(), &images);
        self.reported_images = images;
        let req = self
            .client
            .request("PATCH", &format!("/api/v1/nodes/{}/status", self.node.name))
            .header("Content-Type", "application/strategic-merge-patch+json")
            .json_body(patch);
        self.client.send(ctx, req, Call::NodeStatus, None);
        self.last_node_status = Some(ctx.now());
    }

    /// kubeadm's static pods: the runtime already runs them (their images were pulled by
    /// kubeadm); the kubelet creates a mirror pod for each, then reports it Running.
    fn run_static_pods(&mut self, ctx: &mut Ctx<'_>) {
        let ip = self.node.internal_ip.clone();
        for (component, image, command) in kubeadm::static_pod_specs(&ip) {
            let uid = crate::apiserver::defaulting::strategy::new_uid(ctx.rng());
            let mut pod = kubeadm::mirror_pod(
                component,
                &image,
                command,
                &ip,
                &uid,
                &self.node_uid,
                ctx.now(),
            );
            if let Some(obj) = pod.get_mut("metadata").and_then(Value::as_object_mut) {
                if self.node_uid.is_empty() {
                    obj.remove("ownerReferences");
                }
            }
            let status = pod.as_object_mut().and_then(|o| o.remove("status"));
            let name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
            let key = format!("kube-system/{name}");
            let mut worker = PodWorker::for_static_pod(&key, Arc::new(pod.clone()), &ip, ctx.now());
            worker.static_status = status;
            let sandbox_ip =
                self.runtime
                    .run_pod_sandbox(&key, &self.node.pod_cidr, Some(&ip), ctx.rng());
            worker.pod_ip = Some(sandbox_ip);
            self.workers.insert(key.clone(), worker);
            self.create_mirror_pod(ctx, &key);
        }
    }

    /// POSTs the mirror pod of static pod `key` (again after a failure: the kubelet's pod sync
    /// keeps trying until the API server has it, e.g. while kube-system does not exist yet at
    /// start-up).
    fn create_mirror_pod(&mut self, ctx: &mut Ctx<'_>, key: &str) {
        let Some(pod) = self.workers.get(key).map(|w| (*w.pod).clone()) else {
            return;
        };
        let req = self
            .client
            .request("POST", "/api/v1/namespaces/kube-system/pods")
            .json_body(pod);
        self.client
            .send(ctx, req, Call::MirrorPod(key.to_string()), None);
    }

    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        id: u64,
        response: &crate::apiserver::request::HttpResponse,
    ) {
        match self.pods.owns(id) {
            Some(ReflectorCall::List) => {
                self.client.complete(id);
                let deltas = self.pods.on_list(
                    response,
                    &mut self.client,
                    ctx,
                    Call::PodWatch,
                    Call::PodList,
                );
                self.on_deltas(ctx, deltas);
                return;
            }
            Some(ReflectorCall::Watch) => {
                self.pods
                    .on_watch_response(response, &mut self.client, ctx, Call::PodList);
                return;
            }
            None => {}
        }
        let Some(call) = self.client.complete(id) else {
            return;
        };
        let status = response.status;
        let body = response.body_json();
        match call {
            Call::RegisterNode => match status {
                201 => self.on_registered(ctx, body),
                // The Node exists (a restart): the kubelet reads it and carries on with it
                // (`tryRegisterWithAPIServer`).
                409 => {
                    let req = self
                        .client
                        .request("GET", &format!("/api/v1/nodes/{}", self.node.name));
                    self.client.send(ctx, req, Call::GetNode, None);
                }
                _ => ctx.timer(REGISTER_RETRY, REGISTER_TIMER),
            },
            Call::GetNode => match status {
                200 => self.on_registered(ctx, body),
                _ => ctx.timer(REGISTER_RETRY, REGISTER_TIMER),
            },
            Call::GetLease => {
                self.lease_in_flight = false;
                match status {
                    200 => {
                        self.lease = body;
                        self.renew_lease(ctx);
                    }
                    404 => {
                        self.lease_in_flight = true;
                        self.create_lease(ctx);
                    }
                    _ => {}
                }
            }
            Call::CreateLease | Call::UpdateLease => {
                self.lease_in_flight = false;
                if status == 200 || status == 201 {
                    self.lease = body;
                    self.lease_renewals += 1;
                } else {
                    // A conflict or an error: read the lease again at the next renewal.
                    self.lease = None;
                }
            }
            Call::MirrorPod(key) if status != 201 && status != 409 => {
                ctx.timer(MIRROR_POD_RETRY, format!("{MIRROR_POD_TIMER}{key}"));
            }
            Call::MirrorPod(key) => {
                if status == 201 {
                    // Report the static pod's status on its new mirror pod.
                    if let Some(w) = self.workers.get(&key) {
                        if let Some(st) = &w.static_status {
                            let (ns, name) = key.split_once('/').unwrap_or(("", &key));
                            let req = self
                                .client
                                .request(
                                    "PATCH",
                                    &format!("/api/v1/namespaces/{ns}/pods/{name}/status"),
                                )
                                .header("Content-Type", "application/strategic-merge-patch+json")
                                .json_body(json!({"status": st}));
                            self.client
                                .send(ctx, req, Call::PodStatus(key.clone()), None);
                        }
                    }
                }
            }
            Call::DeletePod(key) => {
                if status == 200 || status == 404 {
                    self.workers.remove(&key);
                }
            }
            Call::PodStatus(key) => {
                let pod = self
                    .workers
                    .get_mut(&key)
                    .filter(|w| w.delete_after_status)
                    .map(|w| {
                        w.delete_after_status = false;
                        w.pod.clone()
                    });
                if let Some(pod) = pod {
                    if status == 404 {
                        // Gone already.
                        self.workers.remove(&key);
                    } else {
                        self.delete_pod(ctx, &key, &pod);
                    }
                }
            }
            Call::Event | Call::NodeStatus => {}
            Call::PodList | Call::PodWatch => {}
        }
    }

    fn on_deltas(&mut self, ctx: &mut Ctx<'_>, deltas: Vec<Delta>) {
        for d in deltas {
            match d {
                Delta::Added(pod) | Delta::Updated { new: pod, .. } => self.pod_changed(ctx, pod),
                Delta::Deleted(pod) => {
                    let key = crate::client::object_key(&pod);
                    if let Some(w) = self.workers.get(&key) {
                        if !w.static_pod {
                            self.workers.remove(&key);
                            self.runtime.remove_pod_sandbox(&key);
                        }
                    }
                }
            }
        }
    }

    /// `HandlePodAdditions` / `HandlePodUpdates`: level-triggered on the pod as cached.
    fn pod_changed(&mut self, ctx: &mut Ctx<'_>, pod: Arc<Value>) {
        let key = crate::client::object_key(&pod);
        let mirror = pod
            .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
            .is_some();
        if mirror {
            return;
        }
        let phase = pod
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or("");
        let deleting = pod.pointer("/metadata/deletionTimestamp").is_some();
        match self.workers.get_mut(&key) {
            Some(w) => {
                w.pod = pod.clone();
                if deleting && !w.terminating {
                    self.terminate(ctx, &key);
                }
            }
            None if deleting => {
                // Nothing runs for it here (a restart lost it, or it never started).
                self.delete_pod(ctx, &key, &pod);
            }
            None if phase == "Succeeded" || phase == "Failed" => {}
            None => {
                let worker = PodWorker::new(&key, pod.clone(), &self.node.internal_ip, ctx.now());
                self.workers.insert(key.clone(), worker);
                self.report_status(ctx, &key, None);
                self.cri(ctx, &key, CriCall::RunPodSandbox);
            }
        }
    }

    fn cri(&mut self, ctx: &mut Ctx<'_>, key: &str, call: CriCall) {
        ctx.to_self(
            Message::Cri {
                pod: key.to_string(),
                call,
            },
            Annotation::default(),
        );
    }

    fn cri_after(&mut self, ctx: &mut Ctx<'_>, delay: SimDuration, key: &str, call: CriCall) {
        ctx.to_self_after(
            delay,
            Message::Cri {
                pod: key.to_string(),
                call,
            },
            Annotation::default(),
        );
    }

    /// Records an Event about a pod (or one of its containers) as the kubelet's recorder does.
    fn event(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &str,
        container: Option<&str>,
        kind: &str,
        reason: &str,
        message: &str,
    ) {
        let Some(w) = self.workers.get(key) else {
            return;
        };
        let field_path = container.map(|c| format!("spec.containers{{{c}}}"));
        let e = self.recorder.event_typed(
            &w.pod,
            ("v1", "Pod"),
            field_path.as_deref(),
            kind,
            reason,
            message,
            ctx.now(),
        );
        let mut req = self.client.request(e.method, &e.path);
        if e.method == "PATCH" {
            req = req.header("Content-Type", e.content_type);
        }
        self.client
            .send(ctx, req.json_body(e.body), Call::Event, None);
    }

    /// The status manager: PATCH `pods/<name>/status` when the computed status changed.
    /// Patches the pod's status if it changed; returns whether it sent a PATCH.
    fn report_status(&mut self, ctx: &mut Ctx<'_>, key: &str, step: Option<u8>) -> bool {
        let Some(w) = self.workers.get_mut(key) else {
            return false;
        };
        let status = w.status(ctx.now());
        if w.last_reported.as_ref() == Some(&status) {
            return false;
        }
        w.last_reported = Some(status.clone());
        let (ns, name) = (w.namespace().to_string(), w.name().to_string());
        let req = self
            .client
            .request(
                "PATCH",
                &format!("/api/v1/namespaces/{ns}/pods/{name}/status"),
            )
            .header("Content-Type", "application/strategic-merge-patch+json")
            .json_body(json!({"metadata": {"uid": w.uid()}, "status": status}));
        self.client
            .send(ctx, req, Call::PodStatus(key.to_string()), step);
        true
    }

    /// SyncPod: start the next container that should run (one at a time, in spec order).
    fn sync_pod(&mut self, ctx: &mut Ctx<'_>, key: &str) {
        let now = ctx.now();
        let Some(w) = self.workers.get_mut(key) else {
            return;
        };
        if w.terminating || w.pod_ip.is_none() || w.busy {
            return;
        }
        let Some(i) = w.next_to_start(now) else {
            // Step 10 is the status write that reports the pod's containers started.
            let was_running = w
                .last_reported
                .as_ref()
                .is_some_and(|st| st["phase"] == "Running");
            let step = (w.all_running() && !was_running).then_some(10);
            self.report_status(ctx, key, step);
            return;
        };
        w.busy = true;
        let (name, image) = (w.containers[i].name.clone(), w.containers[i].image.clone());
        if self.runtime.has_image(&image) {
            let msg = format!("Container image \"{image}\" already present on machine");
            self.event(ctx, key, Some(&name), "Normal", "Pulled", &msg);
            self.cri(ctx, key, CriCall::CreateContainer { container: name });
        } else {
            self.event(
                ctx,
                key,
                Some(&name),
                "Normal",
                "Pulling",
                &format!("Pulling image \"{image}\""),
            );
            self.cri(ctx, key, CriCall::PullImage { image });
        }
    }

    fn on_cri(&mut self, ctx: &mut Ctx<'_>, key: &str, call: &CriCall) {
        let now = ctx.now();
        match call {
            CriCall::RunPodSandbox => {
                let Some(w) = self.workers.get(key) else {
                    return;
                };
                let host = w.host_network().then(|| self.node.internal_ip.clone());
                let ip = self.runtime.run_pod_sandbox(
                    key,
                    &self.node.pod_cidr,
                    host.as_deref(),
                    ctx.rng(),
                );
                if let Some(w) = self.workers.get_mut(key) {
                    w.sandbox_ready(ip, now);
                }
                self.sync_pod(ctx, key);
            }
            CriCall::PullImage { image } => match self.runtime.pull_image(image) {
                Ok((size, took)) => self.cri_after(
                    ctx,
                    took,
                    key,
                    CriCall::ImagePulled {
                        image: image.clone(),
                        size,
                        duration_ms: took.as_millis(),
                    },
                ),
                Err(error) => self.cri_after(
                    ctx,
                    SimDuration::from_millis(500),
                    key,
                    CriCall::PullImageFailed {
                        image: image.clone(),
                        error,
                    },
                ),
            },
            CriCall::ImagePulled {
                image,
                size,
                duration_ms,
            } => {
                self.runtime.image_pulled(image, *size);
                let Some(name) = self
                    .workers
                    .get(key)
                    .and_then(|w| w.container_with_image(image))
                else {
                    return;
                };
                let took = go_duration(*duration_ms);
                let msg = format!("Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes.");
                self.event(ctx, key, Some(&name), "Normal", "Pulled", &msg);
                self.cri(ctx, key, CriCall::CreateContainer { container: name });
            }
            CriCall::PullImageFailed { image, error } => {
                let Some(w) = self.workers.get_mut(key) else {
                    return;
                };
                let Some(name) = w.container_with_image(image) else {
                    return;
                };
                let backoff = w.pull_failed(&name, error, now);
                w.busy = false;
                let msg = format!("Failed to pull image \"{image}\": {error}");
                self.event(ctx, key, Some(&name), "Warning", "Failed", &msg);
                self.event(
                    ctx,
                    key,
                    Some(&name),
                    "Warning",
                    "Failed",
                    "Error: ErrImagePull",
                );
                self.report_status(ctx, key, None);
                // The next sync finds the image in back-off (`ImagePullBackOff`), and the one
                // after the back-off pulls again.
                ctx.timer(
                    SimDuration::from_secs(1),
                    format!("image pull back-off {key} {name}"),
                );
                ctx.timer(backoff, format!("sync pod {key}"));
            }
            CriCall::CreateContainer { container } => {
                let Some(w) = self.workers.get(key) else {
                    return;
                };
                let Some(c) = w.container(container) else {
                    return;
                };
                let image = c.image.clone();
                let id = self
                    .runtime
                    .create_container(key, container, &image, ctx.rng());
                if let Some(w) = self.workers.get_mut(key) {
                    w.created(container, &id);
                }
                self.event(
                    ctx,
                    key,
                    Some(container),
                    "Normal",
                    "Created",
                    &format!("Created container: {container}"),
                );
                self.cri(
                    ctx,
                    key,
                    CriCall::StartContainer {
                        container: container.clone(),
                    },
                );
            }
            CriCall::StartContainer { container } => {
                let Some(w) = self.workers.get_mut(key) else {
                    return;
                };
                let Some(exits) = w.started(container, now) else {
                    return;
                };
                w.busy = false;
                let id = w
                    .container(container)
                    .map(|c| c.container_id.clone())
                    .unwrap_or_default();
                let process = w
                    .container(container)
                    .map(|c| c.behaviour.clone())
                    .expect("the container started");
                self.runtime.start_container(&id, now, &process);
                self.event(
                    ctx,
                    key,
                    Some(container),
                    "Normal",
                    "Started",
                    &format!("Started container {container}"),
                );
                if let Some(exit) = exits {
                    self.cri_after(
                        ctx,
                        exit.after,
                        key,
                        CriCall::ContainerExited {
                            container: container.clone(),
                            exit_code: exit.code,
                        },
                    );
                }
                self.sync_pod(ctx, key);
            }
            CriCall::ContainerExited {
                container,
                exit_code,
            } => self.container_exited(ctx, key, container, *exit_code),
            CriCall::StopContainer {
                container,
                timeout_seconds,
            } => {
                let Some(w) = self.workers.get(key) else {
                    return;
                };
                let Some(c) = w.container(container) else {
                    return;
                };
                let (delay, code) = if c.behaviour.handles_sigterm {
                    (cri::SIGTERM_STOP, 0)
                } else {
                    (SimDuration::from_secs(*timeout_seconds), 137)
                };
                self.cri_after(
                    ctx,
                    delay,
                    key,
                    CriCall::ContainerExited {
                        container: container.clone(),
                        exit_code: code,
                    },
                );
            }
            CriCall::StopPodSandbox => {
                self.runtime.stop_pod_sandbox(key);
                if let Some(w) = self.workers.get_mut(key) {
                    if !w.terminating {
                        w.sandbox_stopped(now);
                        self.report_status(ctx, key, None);
                    }
                }
            }
            CriCall::RemovePodSandbox => {
                self.runtime.remove_pod_sandbox(key);
                // The final status first; the DELETE once it is stored (or at once when
                // there is nothing new to report).
                let patched = self.report_status(ctx, key, None);
                match self.workers.get_mut(key) {
                    Some(w) if patched => w.delete_after_status = true,
                    Some(w) => {
                        let pod = w.pod.clone();
                        self.delete_pod(ctx, key, &pod);
                    }
                    None => {}
                }
            }
        }
    }

    fn container_exited(&mut self, ctx: &mut Ctx<'_>, key: &str, container: &str, code: i32) {
        let now = ctx.now();
        let Some(w) = self.workers.get_mut(key) else {
            return;
        };
        let id = w
            .container(container)
            .map(|c| c.container_id.clone())
            .unwrap_or_default();
        if !w.exited(container, code, now) {
            return;
        }
        self.runtime.container_exited(&id);
        if w.terminating {
            if w.all_stopped() {
                self.cri(ctx, key, CriCall::StopPodSandbox);
                self.cri(ctx, key, CriCall::RemovePodSandbox);
            }
            return;
        }
        match w.restart_delay(container) {
            // restartPolicy says no restart: the pod may be done. A pod whose containers have
            // all ended for good is terminal: the kubelet stops its sandbox (the pod keeps its
            // containers, and their logs, until it is deleted).
            None => {
                let terminal = matches!(w.phase(), "Succeeded" | "Failed");
                self.report_status(ctx, key, None);
                if terminal {
                    self.cri(ctx, key, CriCall::StopPodSandbox);
                }
            }
            Some(None) => {
                // The first failure restarts at once; the back-off starts from here.
                self.report_status(ctx, key, None);
                self.sync_pod(ctx, key);
            }
            Some(Some(delay)) => {
                let pod_ref = w.pod_ref();
                self.report_status(ctx, key, None);
                let msg =
                    format!("Back-off restarting failed container {container} in pod {pod_ref}");
                self.event(ctx, key, Some(container), "Warning", "BackOff", &msg);
                ctx.timer(delay, format!("sync pod {key}"));
            }
        }
    }

    /// Graceful termination: Killing, StopContainer with the grace period, then the final
    /// status and the DELETE with `gracePeriodSeconds=0`.
    fn terminate(&mut self, ctx: &mut Ctx<'_>, key: &str) {
        let Some(w) = self.workers.get_mut(key) else {
            return;
        };
        w.terminating = true;
        let grace = w.grace_period_seconds();
        let running: Vec<String> = w.running_containers();
        if running.is_empty() {
            self.cri(ctx, key, CriCall::StopPodSandbox);
            self.cri(ctx, key, CriCall::RemovePodSandbox);
            return;
        }
        for c in running {
            self.event(
                ctx,
                key,
                Some(&c),
                "Normal",
                "Killing",
                &format!("Stopping container {c}"),
            );
            self.cri(
                ctx,
                key,
                CriCall::StopContainer {
                    container: c,
                    timeout_seconds: grace,
                },
            );
        }
    }

    fn delete_pod(&mut self, ctx: &mut Ctx<'_>, key: &str, pod: &Value) {
        let (ns, name) = key.split_once('/').unwrap_or(("", key));
        let uid = pod
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("");
        let req = self
            .client
            .request("DELETE", &format!("/api/v1/namespaces/{ns}/pods/{name}"))
            .json_body(json!({"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0, "preconditions": {"uid": uid}}));
        self.client
            .send(ctx, req, Call::DeletePod(key.to_string()), None);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, name: &str) {
        if name == LEASE_TIMER {
            self.renew_lease(ctx);
            // `syncNodeStatus` runs on the same 10 s beat: it reports when the status
            // changed (here: the image list) or `nodeStatusReportFrequency` has passed.
            let images = node_status::images(&self.runtime);
            let due = self
                .last_node_status
                .map(|t| {
                    ctx.now().as_millis()
                        >= t.as_millis() + NODE_STATUS_REPORT_FREQUENCY.as_millis()
                })
                .unwrap_or(true);
            if self.registered && (due || images != self.reported_images) {
                self.report_node_status(ctx);
            }
            ctx.timer(LEASE_RENEW_INTERVAL, LEASE_TIMER);
        } else if name == REGISTER_TIMER {
            self.register(ctx);
        } else if let Some(key) = name.strip_prefix(MIRROR_POD_TIMER) {
            let key = key.to_string();
            self.create_mirror_pod(ctx, &key);
        } else if let Some(key) = name.strip_prefix("sync pod ") {
            let key = key.to_string();
            self.sync_pod(ctx, &key);
        } else if let Some(rest) = name.strip_prefix("image pull back-off ") {
            let Some((key, container)) = rest.rsplit_once(' ') else {
                return;
            };
            let (key, container) = (key.to_string(), container.to_string());
            let Some(w) = self.workers.get_mut(&key) else {
                return;
            };
            let Some(image) = w.in_pull_backoff(&container, ctx.now()) else {
                return;
            };
            let msg = format!("Back-off pulling image \"{image}\"");
            self.event(ctx, &key, Some(&container), "Normal", "BackOff", &msg);
            self.event(
                ctx,
                &key,
                Some(&container),
                "Warning",
                "Failed",
                "Error: ImagePullBackOff",
            );
            self.report_status(ctx, &key, None);
        }
    }
}

/// Go's `time.Duration` text for a whole number of milliseconds (`1.458s`, `850ms`).
pub fn go_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let frac = ms % 1000;
    let (m, s) = (secs / 60, secs % 60);
    let sec_text = if frac == 0 {
        format!("{s}s")
    } else {
        let f = format!("{frac:03}");
        format!("{s}.{}s", f.trim_end_matches('0'))
    };
    if m > 0 {
        format!("{m}m{sec_text}")
    } else {
        sec_text
    }
}

impl Actor for Kubelet {
    fn addr(&self) -> Addr {
        Addr::Kubelet(self.node.name.clone())
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.register(ctx);
    }

    /// A restarted kubelet keeps nothing but what the runtime still runs: it registers again
    /// (the Node exists), relists its pods and takes its lease up again.
    fn on_restart(&mut self, ctx: &mut Ctx<'_>) {
        let node = self.node.clone();
        let runtime = self.runtime.clone();
        let workers = std::mem::take(&mut self.workers);
        *self = Kubelet::new(node);
        self.runtime = runtime;
        // The containers kept running: the pod workers rebuild from the runtime's state.
        self.workers = workers;
        let now = ctx.now();
        for (key, w) in self.workers.iter_mut() {
            w.last_reported = None;
            // CRI answers and timers addressed to the stopped process were lost: redo the
            // pod's sync when its next (re)start is due, and a termination from the start.
            w.busy = false;
            w.terminating = false;
            if w.static_pod {
                continue;
            }
            if let Some(at) = w.next_retry() {
                let delay =
                    SimDuration::from_millis(at.as_millis().saturating_sub(now.as_millis()));
                ctx.timer(delay, format!("sync pod {key}"));
            }
        }
        self.register(ctx);
    }

    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::HttpResponse { id, response } => self.on_response(ctx, *id, response),
            Message::WatchEvent { id, event } if self.pods.owns(*id).is_some() => {
                let delta = self
                    .pods
                    .on_event(event, &mut self.client, ctx, Call::PodList);
                self.on_deltas(ctx, delta.into_iter().collect());
            }
            Message::Cri { pod, call } if env.from == env.to => self.on_cri(ctx, pod, call),
            // The kubelet's own server (port 10250): kube-apiserver asks it for logs.
            Message::HttpRequest { id, request } if env.from == Addr::ApiServer => {
                let response = self.serve(request);
                ctx.send(Addr::ApiServer, Message::HttpResponse { id: *id, response });
            }
            Message::Timer { name } => self.on_timer(ctx, name),
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

/// The kubelet's reading of `PodLogOptions` from a `/containerLogs` query (the API server
/// passes kubectl's `previous`, `tailLines`, `limitBytes` and `timestamps` on).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct LogOptions {
    previous: bool,
    timestamps: bool,
    tail_lines: Option<usize>,
    limit_bytes: Option<usize>,
}

impl LogOptions {
    fn of(request: &HttpRequest) -> LogOptions {
        let number = |k: &str| request.query_value(k).and_then(|v| v.parse::<usize>().ok());
        LogOptions {
            previous: request.query_value("previous") == Some("true"),
            timestamps: request.query_value("timestamps") == Some("true"),
            tail_lines: number("tailLines"),
            limit_bytes: number("limitBytes"),
        }
    }

    /// The container's log as the kubelet's `ReadLogs` writes it: the last `tailLines` lines,
    /// each after its RFC 3339 (nanosecond) time when asked, cut at `limitBytes` bytes.
    fn render(&self, c: &cri::RuntimeContainer) -> String {
        let skip = self.tail_lines.map_or(0, |n| c.log.len().saturating_sub(n));
        let stamp = c.started_at.map(rfc3339_nano).unwrap_or_default();
        let mut out = String::new();
        for line in &c.log[skip..] {
            if self.timestamps {
                out += &stamp;
                out.push(' ');
            }
            out += line;
            out.push('\n');
        }
        if let Some(max) = self.limit_bytes.filter(|m| *m < out.len()) {
            let mut cut = max;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
        }
        out
    }
}

/// Go's `time.RFC3339Nano` (trailing zeros of the fraction dropped): `2026-01-01T00:00:05.25Z`.
fn rfc3339_nano(t: SimTime) -> String {
    let micros = t.rfc3339_micros();
    let (head, frac) = micros
        .trim_end_matches('Z')
        .split_once('.')
        .unwrap_or((&micros, ""));
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{head}Z")
    } else {
        format!("{head}.{frac}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(lines: &[&str]) -> cri::RuntimeContainer {
        cri::RuntimeContainer {
            id: "c1".into(),
            pod: "default/chatty".into(),
            name: "main".into(),
            image: "busybox:1.36".into(),
            running: true,
            created: 1,
            log: lines.iter().map(|l| l.to_string()).collect(),
            started_at: Some(SimTime(5_250)),
        }
    }

    fn options(query: &str) -> LogOptions {
        LogOptions::of(&HttpRequest::new(
            "GET",
            &format!("/containerLogs/default/chatty/main?{query}"),
        ))
    }

    #[test]
    fn the_log_is_cut_to_the_last_lines_then_to_the_byte_limit() {
        let c = container(&["one", "two", "three", "four"]);
        assert_eq!(options("tailLines=2").render(&c), "three\nfour\n");
        assert_eq!(options("tailLines=0").render(&c), "");
        assert_eq!(options("tailLines=9").render(&c), "one\ntwo\nthree\nfour\n");
        assert_eq!(options("limitBytes=6").render(&c), "one\ntw");
        assert_eq!(options("tailLines=1&limitBytes=2").render(&c), "fo");
    }

    #[test]
    fn timestamps_are_the_start_time_in_rfc3339_nano_form() {
        let c = container(&["one"]);
        assert_eq!(
            options("timestamps=true").render(&c),
            "2026-01-01T00:00:05.25Z one\n"
        );
        assert_eq!(rfc3339_nano(SimTime(3_000)), "2026-01-01T00:00:03Z");
    }
}
