//! kube-controller-manager: one process running the control loops (ReplicaSet, Deployment,
//! garbage collector...), each a client of kube-apiserver that reconciles from shared informer
//! caches — observe, diff, act — through its own work queue.
//!
//! As kubeadm runs it (`--use-service-account-credentials=true`), the shared informers use the
//! controller-manager's own certificate (`system:kube-controller-manager`), and each controller
//! writes as its own service account `kube-system/<controller>`, whose `system:controller:*`
//! role the bootstrap RBAC policy grants. At start-up the controller-manager creates those
//! service accounts (the real `SAControllerClientBuilder` does the same). Simplification: the
//! real builder then asks for a token (TokenRequest, which kubestep's API server serves as
//! `serviceaccounts/<name>/token`); here the tokens are issued once at cluster bootstrap
//! ([`service_account_tokens`], registered with the API server's authenticator in
//! `cluster::bootstrap`) and handed to the controller-manager, so its start-up requests stay
//! as they were.

pub mod controller_utils;
pub mod cronjob;
pub mod daemon;
pub mod deployment;
pub mod endpoints;
pub mod endpointslice;
pub mod garbagecollector;
pub mod history;
pub mod job;
pub mod namespace;
pub mod nodelifecycle;
pub mod record;
pub mod replicaset;
pub mod serviceaccount;
pub mod statefulset;
pub mod ttlafterfinished;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::apiserver::authn::{service_account_username, ClientCertificate};
use crate::apiserver::request::{HttpRequest, HttpResponse};
use crate::client::reflector::{Delta, Reflector, ReflectorCall};
use crate::client::{ApiClient, Credentials};
use crate::sim::{Actor, Addr, Ctx, Envelope, Message, SimDuration, SimTime};

/// The controller-manager's user agent (`kube-controller-manager/v1.33.1 ...`).
pub const USER_AGENT: &str = "kube-controller-manager/v1.33.1 (linux/amd64) kubernetes/8adc0f0";

/// The controllers' service accounts in `kube-system`, in start-up order.
pub const SERVICE_ACCOUNTS: [&str; 13] = [
    endpoints::SERVICE_ACCOUNT,
    serviceaccount::SERVICE_ACCOUNT,
    endpointslice::SERVICE_ACCOUNT,
    replicaset::SERVICE_ACCOUNT,
    deployment::SERVICE_ACCOUNT,
    garbagecollector::SERVICE_ACCOUNT,
    nodelifecycle::SERVICE_ACCOUNT,
    namespace::SERVICE_ACCOUNT,
    job::SERVICE_ACCOUNT,
    cronjob::SERVICE_ACCOUNT,
    ttlafterfinished::SERVICE_ACCOUNT,
    daemon::SERVICE_ACCOUNT,
    statefulset::SERVICE_ACCOUNT,
];

/// One bearer token per controller service account, as issued at cluster bootstrap.
pub fn service_account_tokens() -> Vec<(&'static str, String)> {
    SERVICE_ACCOUNTS
        .iter()
        .map(|sa| (*sa, format!("kubestep-sa-token.kube-system.{sa}")))
        .collect()
}

/// The shared informers the controllers read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Informer {
    Pods,
    ReplicaSets,
    Deployments,
    Nodes,
    Leases,
    Services,
    EndpointSlices,
    Namespaces,
    ServiceAccounts,
    Endpoints,
    Jobs,
    CronJobs,
    DaemonSets,
    StatefulSets,
    ControllerRevisions,
    PersistentVolumeClaims,
}

impl Informer {
    pub const ALL: [Informer; 16] = [
        Informer::Endpoints,
        Informer::Namespaces,
        Informer::ServiceAccounts,
        Informer::Services,
        Informer::EndpointSlices,
        Informer::Pods,
        Informer::ReplicaSets,
        Informer::Deployments,
        Informer::Nodes,
        Informer::Leases,
        Informer::Jobs,
        Informer::CronJobs,
        Informer::DaemonSets,
        Informer::StatefulSets,
        Informer::ControllerRevisions,
        Informer::PersistentVolumeClaims,
    ];

    fn path(self) -> &'static str {
        match self {
            Informer::Pods => "/api/v1/pods",
            Informer::ReplicaSets => "/apis/apps/v1/replicasets",
            Informer::Deployments => "/apis/apps/v1/deployments",
            Informer::Nodes => "/api/v1/nodes",
            Informer::Leases => "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
            Informer::Services => "/api/v1/services",
            Informer::EndpointSlices => "/apis/discovery.k8s.io/v1/endpointslices",
            Informer::Namespaces => "/api/v1/namespaces",
            Informer::ServiceAccounts => "/api/v1/serviceaccounts",
            Informer::Endpoints => "/api/v1/endpoints",
            Informer::Jobs => "/apis/batch/v1/jobs",
            Informer::CronJobs => "/apis/batch/v1/cronjobs",
            Informer::DaemonSets => "/apis/apps/v1/daemonsets",
            Informer::StatefulSets => "/apis/apps/v1/statefulsets",
            Informer::ControllerRevisions => "/apis/apps/v1/controllerrevisions",
            Informer::PersistentVolumeClaims => "/api/v1/persistentvolumeclaims",
        }
    }
}

/// The informer caches, shared by every controller (read-only while they sync).
#[derive(Clone, Debug)]
pub struct Informers {
    pub pods: Reflector,
    pub replicasets: Reflector,
    pub deployments: Reflector,
    pub nodes: Reflector,
    /// The node heartbeats in `kube-node-lease`.
    pub leases: Reflector,
    pub services: Reflector,
    pub endpointslices: Reflector,
    pub namespaces: Reflector,
    pub serviceaccounts: Reflector,
    pub endpoints: Reflector,
    pub jobs: Reflector,
    pub cronjobs: Reflector,
    pub daemonsets: Reflector,
    pub statefulsets: Reflector,
    pub controllerrevisions: Reflector,
    pub persistentvolumeclaims: Reflector,
}

impl Informers {
    fn new() -> Informers {
        let r = |i: Informer| Reflector::new(i.path(), "", "");
        Informers {
            pods: r(Informer::Pods),
            replicasets: r(Informer::ReplicaSets),
            deployments: r(Informer::Deployments),
            nodes: r(Informer::Nodes),
            leases: r(Informer::Leases),
            services: r(Informer::Services),
            endpointslices: r(Informer::EndpointSlices),
            namespaces: r(Informer::Namespaces),
            serviceaccounts: r(Informer::ServiceAccounts),
            endpoints: r(Informer::Endpoints),
            jobs: r(Informer::Jobs),
            cronjobs: r(Informer::CronJobs),
            daemonsets: r(Informer::DaemonSets),
            statefulsets: r(Informer::StatefulSets),
            controllerrevisions: r(Informer::ControllerRevisions),
            persistentvolumeclaims: r(Informer::PersistentVolumeClaims),
        }
    }

    pub fn get(&self, i: Informer) -> &Reflector {
        match i {
            Informer::Pods => &self.pods,
            Informer::ReplicaSets => &self.replicasets,
            Informer::Deployments => &self.deployments,
            Informer::Nodes => &self.nodes,
            Informer::Leases => &self.leases,
            Informer::Services => &self.services,
            Informer::EndpointSlices => &self.endpointslices,
            Informer::Namespaces => &self.namespaces,
            Informer::ServiceAccounts => &self.serviceaccounts,
            Informer::Endpoints => &self.endpoints,
            Informer::Jobs => &self.jobs,
            Informer::CronJobs => &self.cronjobs,
            Informer::DaemonSets => &self.daemonsets,
            Informer::StatefulSets => &self.statefulsets,
            Informer::ControllerRevisions => &self.controllerrevisions,
            Informer::PersistentVolumeClaims => &self.persistentvolumeclaims,
        }
    }

    fn get_mut(&mut self, i: Informer) -> &mut Reflector {
        match i {
            Informer::Pods => &mut self.pods,
            Informer::ReplicaSets => &mut self.replicasets,
            Informer::Deployments => &mut self.deployments,
            Informer::Nodes => &mut self.nodes,
            Informer::Leases => &mut self.leases,
            Informer::Services => &mut self.services,
            Informer::EndpointSlices => &mut self.endpointslices,
            Informer::Namespaces => &mut self.namespaces,
            Informer::ServiceAccounts => &mut self.serviceaccounts,
            Informer::Endpoints => &mut self.endpoints,
            Informer::Jobs => &mut self.jobs,
            Informer::CronJobs => &mut self.cronjobs,
            Informer::DaemonSets => &mut self.daemonsets,
            Informer::StatefulSets => &mut self.statefulsets,
            Informer::ControllerRevisions => &mut self.controllerrevisions,
            Informer::PersistentVolumeClaims => &mut self.persistentvolumeclaims,
        }
    }

    /// `WaitForCacheSync`.
    pub fn synced(&self) -> bool {
        Informer::ALL.iter().all(|i| self.get(*i).synced)
    }
}

/// What a write was for, so its answer reaches the controller that sent it.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteTag {
    /// A pod create of ReplicaSet `rs` (`namespace/name`).
    ReplicaSetPodCreate { rs: String },
    /// A pod delete of ReplicaSet `rs`.
    ReplicaSetPodDelete { rs: String, pod: String },
    /// Any other write of the ReplicaSet controller for `rs` (status, adoption, release).
    ReplicaSet { rs: String },
    /// A write of the Deployment controller for `deployment`.
    Deployment { deployment: String },
    /// The creation of a Deployment's new ReplicaSet `rs` with `replicas`.
    DeploymentNewReplicaSet {
        deployment: String,
        rs: String,
        replicas: i64,
    },
    /// A Deployment scaling its ReplicaSet `rs` from `from` to `to` replicas.
    DeploymentScale {
        deployment: String,
        rs: String,
        from: i64,
        to: i64,
    },
    /// An Event a controller recorded (its answer changes nothing).
    Event,
    /// A write of the node lifecycle (or taint eviction) controller about `node`.
    NodeLifecycle { node: String },
    /// A write of the ServiceAccounts controller in `namespace`.
    ServiceAccounts { namespace: String },
    /// A write of the Endpoints controller for `service`.
    Endpoints { service: String },
    /// A write of the EndpointSlice controller for `service`.
    EndpointSlice { service: String },
    /// The node lifecycle controller's Ready=False on a pod of a node that is not Ready.
    MarkPodNotReady { node: String, pod_uid: String },
    /// The taint eviction's DisruptionTarget condition on a pod, before its delete.
    TaintEviction {
        node: String,
        pod_path: String,
        pod_uid: String,
    },
    /// A write of the garbage collector for the item `key` (`Kind/namespace/name`).
    GarbageCollector { key: String },
    /// The garbage collector's live lookup of an owner missing from its graph.
    GarbageCollectorOwnerLookup {
        dependent: String,
        dependent_uid: String,
        owner_uid: String,
    },
    /// A request of the namespace controller's sync `sync` of `namespace`.
    Namespace {
        namespace: String,
        sync: u64,
        call: namespace::Call,
    },
    /// A call of the Job controller.
    Job(job::JobWrite),
    /// A call of the CronJob controller.
    CronJob(cronjob::CronJobWrite),
    /// A call of the TTL-after-finished controller.
    TtlAfterFinished(ttlafterfinished::TtlWrite),
    /// A write of the DaemonSet controller.
    DaemonSet(daemon::Tag),
    /// A write of the StatefulSet controller.
    StatefulSet(statefulset::Tag),
}

/// A request a controller wants sent with its identity.
#[derive(Clone, Debug, PartialEq)]
pub struct Write {
    pub service_account: &'static str,
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
    /// `Content-Type` of the body (JSON, or a merge patch).
    pub content_type: &'static str,
    pub tag: WriteTag,
    /// The pod-creation-flow step this write performs (3 for the ReplicaSet's pod create).
    pub step: Option<u8>,
}

impl Write {
    pub fn new(sa: &'static str, method: &'static str, path: String, tag: WriteTag) -> Write {
        Write {
            service_account: sa,
            method,
            path,
            body: None,
            content_type: "application/json",
            tag,
            step: None,
        }
    }

    pub fn body(mut self, body: Value) -> Write {
        self.body = Some(body);
        self
    }

    pub fn merge_patch(mut self, body: Value) -> Write {
        self.body = Some(body);
        self.content_type = "application/merge-patch+json";
        self
    }

    /// The write of an event `controller`'s recorder produced.
    pub fn event(sa: &'static str, e: crate::client::events::EventWrite) -> Write {
        Write {
            service_account: sa,
            method: e.method,
            path: e.path,
            body: Some(e.body),
            content_type: e.content_type,
            tag: WriteTag::Event,
            step: None,
        }
    }

    pub fn strategic_merge_patch(mut self, body: Value) -> Write {
        self.body = Some(body);
        self.content_type = "application/strategic-merge-patch+json";
        self
    }

    pub fn step(mut self, step: u8) -> Write {
        self.step = Some(step);
        self
    }
}

/// A requeue a controller asks for (`AddAfter`).
#[derive(Clone, Debug, PartialEq)]
pub struct Requeue {
    pub controller: &'static str,
    pub key: String,
    pub after: SimDuration,
}

/// What a controller's sync produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Actions {
    pub writes: Vec<Write>,
    pub requeues: Vec<Requeue>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tag {
    List(Informer),
    Watch(Informer),
    ServiceAccount(&'static str),
    Write(WriteTag),
}

/// The kube-controller-manager actor.
#[derive(Clone)]
pub struct KubeControllerManager {
    client: ApiClient<Tag>,
    tokens: BTreeMap<&'static str, String>,
    /// Service accounts not yet known to exist.
    missing_service_accounts: Vec<&'static str>,
    service_accounts_in_flight: usize,
    pub informers: Informers,
    pub replicaset: replicaset::ReplicaSetController,
    pub deployment: deployment::DeploymentController,
    pub garbage_collector: garbagecollector::GarbageCollector,
    pub node_lifecycle: nodelifecycle::NodeLifecycleController,
    pub endpointslice: endpointslice::EndpointSliceController,
    pub serviceaccount: serviceaccount::ServiceAccountsController,
    pub endpoints: endpoints::EndpointsController,
    pub namespace: namespace::NamespaceController,
    pub job: job::JobController,
    pub cronjob: cronjob::CronJobController,
    pub ttl_after_finished: ttlafterfinished::TtlAfterFinishedController,
    pub daemonset: daemon::DaemonSetsController,
    pub statefulset: statefulset::StatefulSetController,
    /// Wake-ups already scheduled, so timers are not duplicated.
    timers: std::collections::BTreeSet<(SimTime, String)>,
}

impl KubeControllerManager {
    /// A controller-manager with one token per controller service account.
    pub fn new(tokens: Vec<(&'static str, String)>) -> KubeControllerManager {
        KubeControllerManager {
            client: ApiClient::new(
                Credentials::Certificate(ClientCertificate::kube_controller_manager()),
                &format!("{USER_AGENT}/shared-informers"),
            ),
            tokens: tokens.into_iter().collect(),
            missing_service_accounts: SERVICE_ACCOUNTS.to_vec(),
            service_accounts_in_flight: 0,
            informers: Informers::new(),
            replicaset: replicaset::ReplicaSetController::default(),
            deployment: deployment::DeploymentController::default(),
            garbage_collector: garbagecollector::GarbageCollector::default(),
            node_lifecycle: nodelifecycle::NodeLifecycleController::default(),
            endpointslice: endpointslice::EndpointSliceController::default(),
            serviceaccount: serviceaccount::ServiceAccountsController::default(),
            endpoints: endpoints::EndpointsController::default(),
            namespace: namespace::NamespaceController::default(),
            job: job::JobController::default(),
            cronjob: cronjob::CronJobController::default(),
            ttl_after_finished: ttlafterfinished::TtlAfterFinishedController::default(),
            daemonset: daemon::DaemonSetsController::default(),
            statefulset: statefulset::StatefulSetController::default(),
            timers: Default::default(),
        }
    }

    /// Whether start-up is done: service accounts exist and every informer has synced.
    pub fn running(&self) -> bool {
        self.missing_service_accounts.is_empty() && self.informers.synced()
    }

    fn create_service_accounts(&mut self, ctx: &mut Ctx<'_>) {
        for sa in self.missing_service_accounts.clone() {
            self.service_accounts_in_flight += 1;
            let req = self
                .client
                .request("POST", "/api/v1/namespaces/kube-system/serviceaccounts")
                .header("Content-Type", "application/json")
                .json_body(json!({
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": sa, "namespace": "kube-system"},
                }));
            self.client.send(ctx, req, Tag::ServiceAccount(sa), None);
        }
    }

    fn send_write(&mut self, ctx: &mut Ctx<'_>, w: Write) {
        let token = self
            .tokens
            .get(w.service_account)
            .cloned()
            .unwrap_or_default();
        let ua = format!(
            "{USER_AGENT}/{}",
            service_account_username("kube-system", w.service_account)
        );
        let mut req = HttpRequest::new(w.method, &w.path)
            .header("Accept", "application/json")
            .header("User-Agent", &ua)
            .bearer(&token);
        if let Some(body) = w.body {
            req = if w.content_type == "application/json" {
                req.json_body(body)
            } else {
                req.header("Content-Type", w.content_type)
                    .body(body.to_string())
            };
        }
        self.client.send(ctx, req, Tag::Write(w.tag), w.step);
    }

    fn on_delta(&mut self, informer: Informer, delta: &Delta, now: SimTime) {
        match informer {
            Informer::Pods => {
                self.replicaset.on_pod(delta, &self.informers);
                self.deployment.on_pod(delta, &self.informers);
                self.node_lifecycle.on_pod(delta);
                self.endpointslice.on_pod(delta, &self.informers);
                self.endpoints.on_pod(delta, &self.informers);
                self.job.on_pod(delta, &self.informers, now);
                self.daemonset.on_pod(delta, &self.informers);
                self.statefulset.on_pod(delta, &self.informers);
            }
            Informer::Jobs => {
                self.job.on_job(delta, &self.informers, now);
                self.cronjob.on_job(delta, &self.informers);
                self.ttl_after_finished.on_job(delta);
            }
            Informer::CronJobs => self.cronjob.on_cronjob(delta, now),
            Informer::Services => {
                self.endpointslice.on_service(delta);
                self.endpoints.on_service(delta);
            }
            Informer::Endpoints => self.endpoints.on_endpoints(delta),
            Informer::EndpointSlices => self.endpointslice.on_slice(delta),
            Informer::Namespaces => {
                self.serviceaccount.on_namespace(delta);
                self.namespace.on_namespace(delta, now);
            }
            Informer::ServiceAccounts => self.serviceaccount.on_service_account(delta),
            Informer::Nodes => {
                self.node_lifecycle.on_node(delta);
                self.daemonset.on_node(delta, &self.informers);
            }
            Informer::Leases => self.node_lifecycle.on_lease(delta),
            Informer::ReplicaSets => {
                self.replicaset.on_replicaset(delta);
                self.deployment.on_replicaset(delta, &self.informers);
            }
            Informer::Deployments => self.deployment.on_deployment(delta),
            Informer::DaemonSets => self.daemonset.on_daemonset(delta),
            Informer::StatefulSets => self.statefulset.on_statefulset(delta),
            Informer::ControllerRevisions => {
                self.daemonset.on_revision(delta, &self.informers);
                self.statefulset.on_revision(delta, &self.informers);
            }
            Informer::PersistentVolumeClaims => self.statefulset.on_claim(delta, &self.informers),
        }
        let kind = match informer {
            Informer::Pods => "Pod",
            Informer::ReplicaSets => "ReplicaSet",
            Informer::Deployments => "Deployment",
            Informer::Jobs => "Job",
            Informer::CronJobs => "CronJob",
            Informer::DaemonSets => "DaemonSet",
            Informer::StatefulSets => "StatefulSet",
            Informer::ControllerRevisions => "ControllerRevision",
            Informer::PersistentVolumeClaims => "PersistentVolumeClaim",
            // The graph covers the workload kinds only (see `garbagecollector`).
            _ => return,
        };
        self.garbage_collector.on_delta(kind, delta);
    }

    fn on_write_response(&mut self, tag: WriteTag, response: &HttpResponse, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let actions = match &tag {
            WriteTag::ReplicaSetPodCreate { .. }
            | WriteTag::ReplicaSetPodDelete { .. }
            | WriteTag::ReplicaSet { .. } => {
                self.replicaset
                    .on_response(&tag, response, &self.informers, now)
            }
            WriteTag::Event => Actions::default(),
            WriteTag::Deployment { .. }
            | WriteTag::DeploymentNewReplicaSet { .. }
            | WriteTag::DeploymentScale { .. } => {
                self.deployment
                    .on_response(&tag, response, &self.informers, now)
            }
            WriteTag::EndpointSlice { .. } => self.endpointslice.on_response(&tag, response, now),
            WriteTag::Endpoints { .. } => self.endpoints.on_response(&tag, response, now),
            WriteTag::ServiceAccounts { .. } => {
                self.serviceaccount.on_response(&tag, response, now)
            }
            WriteTag::NodeLifecycle { .. }
            | WriteTag::TaintEviction { .. }
            | WriteTag::MarkPodNotReady { .. } => {
                self.node_lifecycle.on_response(&tag, response, now)
            }
            WriteTag::GarbageCollector { .. } | WriteTag::GarbageCollectorOwnerLookup { .. } => {
                self.garbage_collector
                    .on_response(&tag, response, &self.informers, now)
            }
            WriteTag::Namespace {
                namespace,
                sync,
                call,
            } => self
                .namespace
                .on_response(namespace, *sync, call, response, now),
            WriteTag::Job(w) => self.job.on_response(w, response, now),
            WriteTag::CronJob(w) => self.cronjob.on_response(w, response, now),
            WriteTag::TtlAfterFinished(w) => self.ttl_after_finished.on_response(w, response, now),
            WriteTag::DaemonSet(t) => self
                .daemonset
                .on_response(t, response, &self.informers, now),
            WriteTag::StatefulSet(t) => {
                self.statefulset
                    .on_response(t, response, &self.informers, now)
            }
        };
        self.apply(actions, ctx);
    }

    fn apply(&mut self, actions: Actions, ctx: &mut Ctx<'_>) {
        for w in actions.writes {
            self.send_write(ctx, w);
        }
        for r in actions.requeues {
            let at = ctx.now() + r.after;
            let name = format!("requeue {} {}", r.controller, r.key);
            if self.timers.insert((at, name.clone())) {
                ctx.timer(r.after, name);
            }
        }
    }

    /// Drains every controller's queue, then schedules a wake-up for the earliest backoff.
    fn run_controllers(&mut self, ctx: &mut Ctx<'_>) {
        if !self.running() {
            return;
        }
        let now = ctx.now();
        let mut actions = Actions::default();
        self.replicaset
            .process(&self.informers, now, ctx.rng(), &mut actions);
        self.deployment.process(&self.informers, now, &mut actions);
        self.garbage_collector
            .process(&self.informers, now, &mut actions);
        self.node_lifecycle
            .process(&self.informers, now, &mut actions);
        self.endpointslice
            .process(&self.informers, now, &mut actions);
        self.serviceaccount
            .process(&self.informers, now, &mut actions);
        self.endpoints.process(&self.informers, now, &mut actions);
        self.namespace.process(&mut actions);
        self.job.process(&self.informers, now, &mut actions);
        self.cronjob.process(&self.informers, now, &mut actions);
        self.ttl_after_finished
            .process(&self.informers, now, &mut actions);
        self.daemonset.process(&self.informers, now, &mut actions);
        self.statefulset.process(&self.informers, now, &mut actions);
        self.apply(actions, ctx);
        let wake = [
            self.replicaset.queue.next_wakeup(),
            self.deployment.queue.next_wakeup(),
            self.garbage_collector.queue.next_wakeup(),
            self.node_lifecycle.queue.next_wakeup(),
            self.endpointslice.queue.next_wakeup(),
            self.serviceaccount.queue.next_wakeup(),
            self.endpoints.queue.next_wakeup(),
            self.namespace.queue.next_wakeup(),
            self.job.next_wakeup(),
            self.cronjob.queue.next_wakeup(),
            self.ttl_after_finished.queue.next_wakeup(),
            self.daemonset.queue.next_wakeup(),
            self.statefulset.queue.next_wakeup(),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(at) = wake {
            let name = "workqueue backoff".to_string();
            if self.timers.insert((at, name.clone())) {
                ctx.timer(
                    SimDuration(at.as_millis().saturating_sub(now.as_millis())),
                    name,
                );
            }
        }
    }

    fn on_timer(&mut self, name: &str, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        self.timers.retain(|(at, n)| !(n == name && *at <= now));
        if name == "serviceaccounts" {
            self.create_service_accounts(ctx);
        } else if let Some(rest) = name.strip_prefix("requeue ") {
            if let Some((controller, key)) = rest.split_once(' ') {
                match controller {
                    replicaset::NAME => self.replicaset.queue.add(key),
                    deployment::NAME => self.deployment.queue.add(key),
                    garbagecollector::NAME => self.garbage_collector.queue.add(key),
                    nodelifecycle::NAME => self.node_lifecycle.queue.add(key),
                    endpointslice::NAME => self.endpointslice.queue.add(key),
                    serviceaccount::NAME => self.serviceaccount.queue.add(key),
                    endpoints::NAME => self.endpoints.queue.add(key),
                    namespace::NAME => self.namespace.queue.add(key),
                    job::NAME => self.job.on_requeue(key, now),
                    cronjob::NAME => self.cronjob.on_requeue(key, now),
                    ttlafterfinished::NAME => self.ttl_after_finished.on_requeue(key, now),
                    daemon::NAME => self.daemonset.queue.add(key),
                    statefulset::NAME => self.statefulset.queue.add(key),
                    _ => {}
                }
            }
        }
        self.replicaset.queue.tick(now);
        self.deployment.queue.tick(now);
        self.garbage_collector.queue.tick(now);
        self.node_lifecycle.queue.tick(now);
        self.endpointslice.queue.tick(now);
        self.serviceaccount.queue.tick(now);
        self.endpoints.queue.tick(now);
        self.namespace.queue.tick(now);
        self.job.tick(now);
        self.cronjob.queue.tick(now);
        self.ttl_after_finished.queue.tick(now);
        self.daemonset.queue.tick(now);
        self.statefulset.queue.tick(now);
    }
}

impl Actor for KubeControllerManager {
    fn addr(&self) -> Addr {
        Addr::ControllerManager
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.create_service_accounts(ctx);
    }

    /// A restarted controller-manager remembers nothing: its old watch connections close, its
    /// caches, queues and expectations are gone, and it lists everything again — controllers
    /// are level-triggered, so relisting is all it takes to catch up.
    fn on_restart(&mut self, ctx: &mut Ctx<'_>) {
        for i in Informer::ALL {
            if let Some(id) = match self.informers.get(i).state {
                crate::client::reflector::State::Watching(id) => Some(id),
                _ => None,
            } {
                self.client.cancel(ctx, id);
            }
        }
        let tokens: Vec<(&'static str, String)> =
            self.tokens.iter().map(|(k, v)| (*k, v.clone())).collect();
        // The request ids continue (a new connection's requests must not be mistaken for
        // answers to the old process's).
        let client = self.client.clone();
        *self = KubeControllerManager::new(tokens);
        self.client = client;
        self.start(ctx);
    }

    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        match &env.message {
            // Its secure port (10257): kube-apiserver's componentstatuses probe.
            Message::HttpRequest { id, request } if env.from == Addr::ApiServer => {
                let response = crate::client::serve_healthz(request);
                ctx.send(Addr::ApiServer, Message::HttpResponse { id: *id, response });
            }
            Message::HttpResponse { id, response } => {
                let owner = Informer::ALL
                    .into_iter()
                    .find_map(|i| self.informers.get(i).owns(*id).map(|c| (i, c)));
                match owner {
                    Some((i, ReflectorCall::List)) => {
                        self.client.complete(*id);
                        let deltas = self.informers.get_mut(i).on_list(
                            response,
                            &mut self.client,
                            ctx,
                            Tag::Watch(i),
                            Tag::List(i),
                        );
                        for d in &deltas {
                            self.on_delta(i, d, now);
                        }
                    }
                    Some((i, ReflectorCall::Watch)) => {
                        self.informers.get_mut(i).on_watch_response(
                            response,
                            &mut self.client,
                            ctx,
                            Tag::List(i),
                        );
                    }
                    None => match self.client.complete(*id) {
                        Some(Tag::ServiceAccount(sa)) => {
                            self.service_accounts_in_flight -= 1;
                            if matches!(response.status, 201 | 409) {
                                self.missing_service_accounts.retain(|s| *s != sa);
                            }
                            if self.service_accounts_in_flight == 0 {
                                if self.missing_service_accounts.is_empty() {
                                    for i in Informer::ALL {
                                        self.informers.get_mut(i).list(
                                            &mut self.client,
                                            ctx,
                                            Tag::List(i),
                                        );
                                    }
                                } else {
                                    // The API server is not serving (its RBAC policy) yet:
                                    // try again shortly.
                                    ctx.timer(SimDuration::from_secs(1), "serviceaccounts");
                                }
                            }
                        }
                        Some(Tag::Write(tag)) => self.on_write_response(tag, response, ctx),
                        _ => {}
                    },
                }
            }
            Message::WatchEvent { id, event } => {
                let owner = Informer::ALL
                    .into_iter()
                    .find(|i| self.informers.get(*i).owns(*id).is_some());
                if let Some(i) = owner {
                    let delta = self.informers.get_mut(i).on_event(
                        event,
                        &mut self.client,
                        ctx,
                        Tag::List(i),
                    );
                    if let Some(d) = delta {
                        self.on_delta(i, &d, now);
                    }
                }
            }
            Message::Timer { name } => self.on_timer(name, ctx),
            _ => {}
        }
        self.run_controllers(ctx);
    }

    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The API path of an object of `kind` (the kinds the controllers own or delete).
pub fn object_path(api_version: &str, kind: &str, namespace: &str, name: &str) -> Option<String> {
    let resource = match kind {
        "Pod" => "pods",
        "ReplicaSet" => "replicasets",
        "Deployment" => "deployments",
        "StatefulSet" => "statefulsets",
        "DaemonSet" => "daemonsets",
        "Job" => "jobs",
        "CronJob" => "cronjobs",
        "ControllerRevision" => "controllerrevisions",
        "PersistentVolumeClaim" => "persistentvolumeclaims",
        _ => return None,
    };
    let base = if api_version == "v1" {
        "/api/v1".to_string()
    } else {
        format!("/apis/{api_version}")
    };
    Some(format!("{base}/namespaces/{namespace}/{resource}/{name}"))
}

/// A shared object's `namespace/name` key.
pub fn key_of(obj: &Arc<Value>) -> String {
    crate::client::object_key(obj)
}
