//! kube-scheduler: a client of the API server (`system:kube-scheduler`) that watches pods and
//! nodes, queues pods without a node, runs the scheduling framework's plugins for each, and
//! binds the pod through `pods/binding` (step 7) after emitting its decision (step 6). Pods
//! that fit nowhere get `PodScheduled=False` and a `FailedScheduling` event, and are retried
//! when the cluster changes.
//!
//! When evicting lower-priority pods would make room, DefaultPreemption nominates a node: the
//! pod's `status.nominatedNodeName` is set with its failure, the victims get `DisruptionTarget`
//! and are deleted (`framework::preemption`), and the pod waits for them to go. Until it binds,
//! the nominator counts it on that node for pods of equal or lower priority.

pub mod cache;
pub mod framework;
pub mod nominator;
pub mod plugins;
pub mod queue;
pub mod schedule_one;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::apiserver::authn::ClientCertificate;
use crate::apiserver::labels::{Operator, Requirement, Selector};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::{Delta, Reflector, ReflectorCall, State};
use crate::client::{ApiClient, Credentials};
use crate::sim::{Actor, Addr, Annotation, Ctx, Envelope, Message, SimTime};

use cache::Cache;
use framework::preemption::{AsyncPreemption, PreemptionCall};
use framework::{PodInfo, Profile};
use nominator::{NominatingInfo, Nominator};
use queue::{QueuedPodInfo, SchedulingQueue};

/// The scheduler name pods ask for by default (`spec.schedulerName`).
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
pub const USER_AGENT: &str = "kube-scheduler/v1.33.1 (linux/amd64) kubernetes/8adc0f0/scheduler";

/// The informers kube-scheduler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Pods,
    Nodes,
    Services,
    ReplicationControllers,
    ReplicaSets,
    StatefulSets,
    /// VolumeBinding's listers.
    PersistentVolumeClaims,
    PersistentVolumes,
    StorageClasses,
    /// DefaultPreemption's PodDisruptionBudget lister.
    PodDisruptionBudgets,
}

impl Kind {
    /// kubestep's API server serves neither ReplicationControllers nor PodDisruptionBudgets,
    /// so those informers are not started (a reflector would relist a 404 forever).
    const ALL: [Kind; 8] = [
        Kind::Pods,
        Kind::Nodes,
        Kind::Services,
        Kind::ReplicaSets,
        Kind::StatefulSets,
        Kind::PersistentVolumeClaims,
        Kind::PersistentVolumes,
        Kind::StorageClasses,
    ];

    fn reflector(self) -> Reflector {
        match self {
            // Terminal pods hold no resources: the real informer filters them out too.
            Kind::Pods => Reflector::new(
                "/api/v1/pods",
                "",
                "status.phase!=Succeeded,status.phase!=Failed",
            ),
            Kind::Nodes => Reflector::new("/api/v1/nodes", "", ""),
            Kind::Services => Reflector::new("/api/v1/services", "", ""),
            Kind::ReplicationControllers => {
                Reflector::new("/api/v1/replicationcontrollers", "", "")
            }
            Kind::ReplicaSets => Reflector::new("/apis/apps/v1/replicasets", "", ""),
            Kind::StatefulSets => Reflector::new("/apis/apps/v1/statefulsets", "", ""),
            Kind::PersistentVolumeClaims => {
                Reflector::new("/api/v1/persistentvolumeclaims", "", "")
            }
            Kind::PersistentVolumes => Reflector::new("/api/v1/persistentvolumes", "", ""),
            Kind::StorageClasses => {
                Reflector::new("/apis/storage.k8s.io/v1/storageclasses", "", "")
            }
            Kind::PodDisruptionBudgets => {
                Reflector::new("/apis/policy/v1/poddisruptionbudgets", "", "")
            }
        }
    }
}

/// What a request was for, with the incarnation (`epoch`) of the scheduler that sent it, so
/// answers to a stopped incarnation are ignored after a restart.
#[derive(Clone, Debug, PartialEq)]
pub enum Tag {
    List(u32, Kind),
    Watch(u32, Kind),
    Bind {
        epoch: u32,
        pod: String,
        node: String,
    },
    StatusPatch(u32),
    Event(u32),
    /// A call of the asynchronous preemption `id`.
    Preemption {
        epoch: u32,
        id: u64,
        call: PreemptionCall,
    },
}

/// The last FailedScheduling event of a pod, so a repeat only bumps its count.
#[derive(Clone, Debug)]
struct RecordedEvent {
    name: String,
    message: String,
    count: u64,
}

#[derive(Clone)]
pub struct KubeScheduler {
    client: ApiClient<Tag>,
    reflectors: BTreeMap<Kind, Reflector>,
    pub cache: Cache,
    pub queue: SchedulingQueue,
    profile: Profile,
    /// `percentageOfNodesToScore` (0: adaptive).
    pub percentage_of_nodes_to_score: usize,
    /// `nextStartNodeIndex`.
    next_start_node_index: usize,
    /// The cycle whose decision message is on its way to this actor.
    in_flight: Option<(QueuedPodInfo, schedule_one::ScheduleResult)>,
    /// Binding requests sent, by pod key, with the pod's queue entry for a retry.
    binding: BTreeMap<String, QueuedPodInfo>,
    events: BTreeMap<String, RecordedEvent>,
    /// The pods preemptions nominated (`PodNominator`).
    pub nominator: Nominator,
    /// Preemptions still sending their API calls, by id.
    preemptions: BTreeMap<u64, AsyncPreemption>,
    next_preemption: u64,
    backoff_timer_at: Option<SimTime>,
    leftover_timer_set: bool,
    epoch: u32,
    /// Cycles run, successful binds and failed attempts since the start.
    pub cycles: u64,
    pub bound: u64,
    pub failures: u64,
}

impl Default for KubeScheduler {
    fn default() -> Self {
        KubeScheduler::new()
    }
}

impl KubeScheduler {
    pub fn new() -> KubeScheduler {
        KubeScheduler {
            client: ApiClient::new(
                Credentials::Certificate(ClientCertificate::kube_scheduler()),
                USER_AGENT,
            ),
            reflectors: Kind::ALL.iter().map(|k| (*k, k.reflector())).collect(),
            cache: Cache::default(),
            queue: SchedulingQueue::default(),
            profile: Profile::default_profile(),
            percentage_of_nodes_to_score: 0,
            next_start_node_index: 0,
            in_flight: None,
            binding: BTreeMap::new(),
            events: BTreeMap::new(),
            nominator: Nominator::default(),
            preemptions: BTreeMap::new(),
            next_preemption: 0,
            backoff_timer_at: None,
            leftover_timer_set: false,
            epoch: 0,
            cycles: 0,
            bound: 0,
            failures: 0,
        }
    }

    /// Whether every informer has listed once (`WaitForCacheSync`).
    pub fn synced(&self) -> bool {
        self.reflectors.values().all(|r| r.synced)
    }

    pub fn reflector(&self, kind: Kind) -> &Reflector {
        &self.reflectors[&kind]
    }

    fn list_all(&mut self, ctx: &mut Ctx<'_>) {
        let epoch = self.epoch;
        for (kind, r) in self.reflectors.iter_mut() {
            r.list(&mut self.client, ctx, Tag::List(epoch, *kind));
        }
    }

    /// A restart: the process's memory is gone. Open watches are closed (the connection
    /// dropped with the process), caches and queues are empty, and every informer lists again.
    fn restart(&mut self, ctx: &mut Ctx<'_>) {
        for r in self.reflectors.values() {
            if let State::Watching(id) = r.state {
                self.client.cancel(ctx, id);
            }
        }
        self.epoch += 1;
        self.reflectors = Kind::ALL.iter().map(|k| (*k, k.reflector())).collect();
        self.cache = Cache::default();
        self.queue = SchedulingQueue::default();
        self.next_start_node_index = 0;
        self.in_flight = None;
        self.binding.clear();
        self.events.clear();
        self.nominator = Nominator::default();
        self.preemptions.clear();
        self.backoff_timer_at = None;
        self.leftover_timer_set = false;
        self.list_all(ctx);
    }

    fn on_response(&mut self, id: u64, response: &HttpResponse, ctx: &mut Ctx<'_>) {
        let epoch = self.epoch;
        for kind in Kind::ALL {
            let r = self
                .reflectors
                .get_mut(&kind)
                .expect("every kind has a reflector");
            match r.owns(id) {
                Some(ReflectorCall::List) => {
                    self.client.complete(id);
                    let deltas = r.on_list(
                        response,
                        &mut self.client,
                        ctx,
                        Tag::Watch(epoch, kind),
                        Tag::List(epoch, kind),
                    );
                    for d in deltas {
                        self.on_delta(kind, d, ctx);
                    }
                    return;
                }
                Some(ReflectorCall::Watch) => {
                    r.on_watch_response(response, &mut self.client, ctx, Tag::List(epoch, kind));
                    return;
                }
                None => {}
            }
        }
        match self.client.complete(id) {
            Some(Tag::Bind {
                epoch: e,
                pod,
                node,
            }) if e == self.epoch => self.on_bind_response(&pod, &node, response, ctx),
            Some(Tag::Preemption {
                epoch: e,
                id: preemption,
                call,
            }) if e == self.epoch => {
                self.on_preemption_response(preemption, call, response, ctx);
                self.maybe_schedule(ctx);
            }
            // Status patches and events need no follow-up; a failed one is retried by the next
            // failed attempt, as the real scheduler's are.
            _ => {}
        }
    }

    fn on_delta(&mut self, kind: Kind, delta: Delta, ctx: &mut Ctx<'_>) {
        match kind {
            Kind::Pods => self.on_pod_delta(delta, ctx),
            Kind::Nodes => self.on_node_delta(delta, ctx),
            // A claim bound, a volume or a class added: pods VolumeBinding rejected may fit
            // now (its queueing hints for these events).
            Kind::PersistentVolumeClaims | Kind::PersistentVolumes | Kind::StorageClasses
                if !matches!(delta, Delta::Deleted(_)) =>
            {
                self.queue.move_all_to_active_or_backoff(ctx.now());
            }
            // Services and controllers only feed PodTopologySpread's default selector, read
            // from the caches when a pod is scheduled.
            _ => {}
        }
    }

    fn on_pod_delta(&mut self, delta: Delta, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let (old, obj) = match delta {
            Delta::Added(obj) => (None, obj),
            Delta::Updated { old, new } => (Some(old), new),
            Delta::Deleted(obj) => {
                let key = crate::client::object_key(&obj);
                self.queue.delete(&key);
                self.nominator.delete(&key);
                self.events.remove(&key);
                if self.cache.is_counted(&key) {
                    self.cache.remove_pod(&key);
                    // AssignedPodDelete: room may have been freed.
                    self.queue.move_all_to_active_or_backoff(now);
                }
                return;
            }
        };
        let pod = Arc::new(PodInfo::new(obj.clone()));
        if !pod.node_name.is_empty() {
            // An assigned pod: counted on its node (confirming an assumed one), and no longer
            // anyone's nominee.
            self.queue.delete(&pod.key);
            self.nominator.delete(&pod.key);
            let node = pod.node_name.clone();
            let newly_placed =
                !self.cache.is_counted(&pod.key) || self.cache.assumed.contains_key(&pod.key);
            self.cache.add_pod(pod.clone(), &node);
            if newly_placed {
                self.queue.move_pods_with_matching_affinity(&pod, now);
            }
            return;
        }
        if self.cache.assumed.contains_key(&pod.key) || self.binding.contains_key(&pod.key) {
            // Our own binding is on its way; this is an older version of the pod.
            return;
        }
        let ours = pod.scheduler_name == DEFAULT_SCHEDULER_NAME || pod.scheduler_name.is_empty();
        if !ours || pod.terminating || pod.gated {
            self.queue.delete(&pod.key);
            self.nominator.delete(&pod.key);
            return;
        }
        if self
            .in_flight
            .as_ref()
            .is_some_and(|(q, _)| q.pod.key == pod.key)
        {
            return;
        }
        if self.queue.contains(&pod.key) {
            self.queue.update(pod.clone(), now);
            let old_nominated = old
                .as_ref()
                .and_then(|o| o.pointer("/status/nominatedNodeName"))
                .and_then(Value::as_str)
                .unwrap_or("");
            self.nominator.update(old_nominated, pod, Some(&obj));
        } else {
            self.queue.add(pod.clone(), now);
            // A pod nominated before a restart keeps its room (`AddNominatedPod` with nil).
            self.nominator.add(pod, &NominatingInfo::Noop, Some(&obj));
        }
    }

    fn on_node_delta(&mut self, delta: Delta, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        match delta {
            Delta::Added(node) => {
                self.cache.add_or_update_node(node);
                self.queue.move_all_to_active_or_backoff(now);
            }
            Delta::Updated { old, new } => {
                // Only changes that can make a pod fit (labels, taints, allocatable,
                // unschedulable, images) wake unschedulable pods; heartbeats do not.
                let relevant = [
                    "/metadata/labels",
                    "/spec",
                    "/status/allocatable",
                    "/status/images",
                ]
                .iter()
                .any(|p| old.pointer(p) != new.pointer(p));
                self.cache.add_or_update_node(new);
                if relevant {
                    self.queue.move_all_to_active_or_backoff(now);
                }
            }
            Delta::Deleted(node) => {
                let name = node
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                self.cache.remove_node(&name);
            }
        }
    }

    /// `helper.DefaultSelector`: the selectors of the Services selecting the pod, and of its
    /// controlling ReplicationController, ReplicaSet or StatefulSet.
    fn default_selector(&self, pod: &PodInfo) -> Selector {
        let mut set: BTreeMap<String, String> = BTreeMap::new();
        for svc in self.reflectors[&Kind::Services].list_cached() {
            if svc.pointer("/metadata/namespace").and_then(Value::as_str) != Some(&pod.namespace) {
                continue;
            }
            let Some(sel) = svc.pointer("/spec/selector").and_then(Value::as_object) else {
                continue;
            };
            if sel.is_empty() {
                continue;
            }
            let matches = sel
                .iter()
                .all(|(k, v)| pod.labels.get(k).map(String::as_str) == v.as_str());
            if matches {
                for (k, v) in sel {
                    set.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                }
            }
        }
        let mut requirements: Vec<Requirement> = Vec::new();
        let owner = pod
            .obj
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .and_then(|refs| {
                refs.iter()
                    .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
            });
        if let Some(owner) = owner {
            let api = owner
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            let kind = owner.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = owner.get("name").and_then(Value::as_str).unwrap_or("");
            let key = format!("{}/{name}", pod.namespace);
            match (api, kind) {
                ("v1", "ReplicationController") => {
                    if let Some(rc) = self
                        .reflectors
                        .get(&Kind::ReplicationControllers)
                        .and_then(|r| r.get(&key))
                    {
                        if let Some(sel) = rc.pointer("/spec/selector").and_then(Value::as_object) {
                            for (k, v) in sel {
                                set.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                            }
                        }
                    }
                }
                ("apps/v1", "ReplicaSet" | "StatefulSet") => {
                    let k = if kind == "ReplicaSet" {
                        Kind::ReplicaSets
                    } else {
                        Kind::StatefulSets
                    };
                    if let Some(obj) = self.reflectors[&k].get(&key) {
                        if let Some(Ok(sel)) = obj
                            .pointer("/spec/selector")
                            .map(Selector::from_label_selector)
                        {
                            requirements.extend(sel.requirements);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut reqs: Vec<Requirement> = set
            .into_iter()
            .map(|(k, v)| Requirement {
                key: k,
                op: Operator::Equals,
                values: vec![v],
            })
            .collect();
        reqs.extend(requirements);
        Selector {
            requirements: reqs,
            nothing: false,
        }
    }

    /// `scheduleOne`'s scheduling cycle for the next pod, if nothing is in flight: the
    /// decision goes to this actor as the step-6 message, and binding follows its delivery.
    fn maybe_schedule(&mut self, ctx: &mut Ctx<'_>) {
        if self.in_flight.is_some() || !self.synced() {
            self.arm_timers(ctx);
            return;
        }
        let Some(qinfo) = self.queue.pop() else {
            self.arm_timers(ctx);
            return;
        };
        self.cycles += 1;
        let pod = qinfo.pod.clone();
        let selector = self.default_selector(&pod);
        self.cache.update_snapshot();
        let volumes = framework::Volumes {
            claims: &self.reflectors[&Kind::PersistentVolumeClaims].cache,
            volumes: &self.reflectors[&Kind::PersistentVolumes].cache,
            storage_classes: &self.reflectors[&Kind::StorageClasses].cache,
        };
        // Not served by kubestep's API server: no informer, no budgets (see Kind::ALL).
        let pdbs: Vec<Arc<Value>> = self
            .reflectors
            .get(&Kind::PodDisruptionBudgets)
            .map(|r| r.cache.values().cloned().collect())
            .unwrap_or_default();
        let inputs = schedule_one::CycleInputs {
            default_spread_selector: Some(selector),
            volumes,
            nominator: &self.nominator,
            pdbs: &pdbs,
            now: ctx.now(),
        };
        let mut result = schedule_one::schedule_pod_with(
            &self.profile,
            &self.cache,
            &pod,
            inputs,
            self.percentage_of_nodes_to_score,
            &mut self.next_start_node_index,
            ctx.rng(),
        );
        result.decision["attempt"] = json!(qinfo.attempts);
        if let Some(node) = &result.selected {
            // Reserve: the pod counts on its node before the binding is confirmed, and is
            // nobody's nominee any more.
            self.cache.assume_pod(pod.clone(), node);
            self.nominator.delete(&pod.key);
        }
        let decision = Arc::new(result.decision.clone());
        self.in_flight = Some((qinfo, result));
        ctx.to_self(
            Message::SchedulingDecision {
                pod: pod.key.clone(),
                decision,
            },
            Annotation {
                step: Some(6),
                stage: None,
            },
        );
    }

    /// The decision arrived: bind (step 7), or record the failure.
    fn on_decision(&mut self, ctx: &mut Ctx<'_>) {
        let Some((qinfo, result)) = self.in_flight.take() else {
            return;
        };
        let pod = qinfo.pod.clone();
        match (&result.selected, &result.message) {
            (Some(node), _) => {
                // Permit and PreBind have nothing to do in the default profile; DefaultBinder
                // posts the Binding.
                let body = json!({
                    "apiVersion": "v1",
                    "kind": "Binding",
                    "metadata": {"name": pod.name, "namespace": pod.namespace, "uid": pod.uid},
                    "target": {"kind": "Node", "name": node},
                });
                let req = self
                    .client
                    .request(
                        "POST",
                        &format!(
                            "/api/v1/namespaces/{}/pods/{}/binding",
                            pod.namespace, pod.name
                        ),
                    )
                    .json_body(body);
                let tag = Tag::Bind {
                    epoch: self.epoch,
                    pod: pod.key.clone(),
                    node: node.clone(),
                };
                self.client.send(ctx, req, tag, Some(7));
                self.binding.insert(pod.key.clone(), qinfo);
            }
            (None, message) => {
                let message = message.clone().unwrap_or_default();
                self.failures += 1;
                if let Some(candidate) = result.preemption {
                    // PostFilter nominated a node: its victims go while the pod waits.
                    self.prepare_candidate_async(pod.clone(), candidate, ctx);
                }
                // `handleSchedulingFailure`: back to the queue as the informer has it now (not
                // at all if it was deleted or bound meanwhile, and a pod being deleted would
                // be skipped by `skipPodSchedule`), the nomination in memory, then the event
                // and the status with the nomination.
                let current = self.reflectors[&Kind::Pods].get(&pod.key).cloned();
                if let Some(c) = current.as_ref().filter(|c| {
                    c.pointer("/spec/nodeName")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                        && c.pointer("/metadata/deletionTimestamp").is_none()
                }) {
                    let mut qinfo = qinfo;
                    qinfo.pod = Arc::new(PodInfo::new(c.clone()));
                    self.queue.add_unschedulable(qinfo, ctx.now());
                }
                self.nominator
                    .add(pod.clone(), &result.nominating, current.as_deref());
                self.record_failure(&pod, "Unschedulable", &message, &result.nominating, ctx);
            }
        }
        self.maybe_schedule(ctx);
    }

    fn on_bind_response(
        &mut self,
        key: &str,
        node: &str,
        response: &HttpResponse,
        ctx: &mut Ctx<'_>,
    ) {
        let Some(qinfo) = self.binding.remove(key) else {
            return;
        };
        let pod = qinfo.pod.clone();
        if response.status == 201 {
            self.bound += 1;
            self.events.remove(key);
            let message = format!(
                "Successfully assigned {}/{} to {node}",
                pod.namespace, pod.name
            );
            self.create_event(&pod, "Normal", "Scheduled", &message, ctx);
            return;
        }
        // The binding failed: forget the assumed pod and try again after a backoff, with its
        // nomination cleared (`clearNominatedNode`).
        self.cache.remove_pod(key);
        if response.status == 404 {
            return;
        }
        let current = self.reflectors[&Kind::Pods].get(key).cloned();
        self.nominator
            .add(pod.clone(), &NominatingInfo::clear(), current.as_deref());
        let message = response
            .body_json()
            .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| format!("binding failed with status {}", response.status));
        self.failures += 1;
        // A rejected binding is a SchedulerError, not a verdict about the nodes.
        self.record_failure(
            &pod,
            "SchedulerError",
            &message,
            &NominatingInfo::clear(),
            ctx,
        );
        self.queue.add_backoff(qinfo, ctx.now());
        self.maybe_schedule(ctx);
    }

    /// `handleSchedulingFailure`: the FailedScheduling event, and `updatePod`:
    /// `PodScheduled=False` with `reason` (`Unschedulable`, or `SchedulerError`) and the
    /// nomination `nominating` asks for, patched when either changes.
    fn record_failure(
        &mut self,
        pod: &PodInfo,
        reason: &str,
        message: &str,
        nominating: &NominatingInfo,
        ctx: &mut Ctx<'_>,
    ) {
        let (ns, name) = (&pod.namespace, &pod.name);
        match self
            .events
            .get(&pod.key)
            .filter(|e| e.message == message)
            .cloned()
        {
            Some(e) => {
                // The event correlator aggregates a repeat into the existing event.
                let count = e.count + 1;
                let req = self
                    .client
                    .request("PATCH", &format!("/api/v1/namespaces/{ns}/events/{}", e.name))
                    .header("Content-Type", "application/strategic-merge-patch+json")
                    .body(
                        serde_json::to_vec(&json!({"count": count, "lastTimestamp": ctx.now().rfc3339(), "message": message}))
                            .expect("json"),
                    );
                self.client.send(ctx, req, Tag::Event(self.epoch), None);
                self.events
                    .insert(pod.key.clone(), RecordedEvent { count, ..e });
            }
            None => {
                let event_name =
                    self.create_event(pod, "Warning", "FailedScheduling", message, ctx);
                self.events.insert(
                    pod.key.clone(),
                    RecordedEvent {
                        name: event_name,
                        message: message.to_string(),
                        count: 1,
                    },
                );
            }
        }
        // `updatePod`: the condition (its transition time kept when its status stays) and the
        // nominated node, as a strategic merge patch of the status.
        let current = self.reflectors[&Kind::Pods]
            .get(&pod.key)
            .cloned()
            .unwrap_or_else(|| pod.obj.clone());
        let old = current.get("status").cloned().unwrap_or(Value::Null);
        let mut new = old.clone();
        let condition = json!({
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": null,
            "reason": reason,
            "message": message,
        });
        let condition_changed =
            framework::preemption::update_pod_condition(&mut new, condition, ctx.now());
        let old_nominated = old
            .get("nominatedNodeName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let nominated_changed = match nominating {
            NominatingInfo::Override(node) if node != old_nominated => {
                let status = new.as_object_mut().expect("a status object");
                if node.is_empty() {
                    status.remove("nominatedNodeName");
                } else {
                    status.insert("nominatedNodeName".into(), json!(node));
                }
                true
            }
            _ => false,
        };
        if !condition_changed && !nominated_changed {
            return;
        }
        let Some(patch) = framework::preemption::pod_status_patch(&old, &new) else {
            return;
        };
        let req = self
            .client
            .request(
                "PATCH",
                &format!("/api/v1/namespaces/{ns}/pods/{name}/status"),
            )
            .header("Content-Type", "application/strategic-merge-patch+json")
            .json_body(patch);
        self.client
            .send(ctx, req, Tag::StatusPatch(self.epoch), None);
    }

    /// A core/v1 Event about `pod` from `default-scheduler`; returns its name.
    fn create_event(
        &mut self,
        pod: &PodInfo,
        kind: &str,
        reason: &str,
        message: &str,
        ctx: &mut Ctx<'_>,
    ) -> String {
        self.event(pod, None, kind, reason, message, ctx)
    }

    /// An Event about `regarding` that names the pod it concerns (`related`) and what the
    /// scheduler was doing (`action`), as `EventRecorder.Eventf(victim, preemptor, ...)` does.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_event_related(
        &mut self,
        regarding: &PodInfo,
        related: Option<&PodInfo>,
        kind: &str,
        reason: &str,
        action: &str,
        message: &str,
        ctx: &mut Ctx<'_>,
    ) -> String {
        self.event(
            regarding,
            Some((action, related)),
            kind,
            reason,
            message,
            ctx,
        )
    }

    fn event(
        &mut self,
        pod: &PodInfo,
        action: Option<(&str, Option<&PodInfo>)>,
        kind: &str,
        reason: &str,
        message: &str,
        ctx: &mut Ctx<'_>,
    ) -> String {
        let now = ctx.now();
        // The legacy recorder names events `<object>.<UnixNano in hex>`.
        let nanos = u128::from(now.unix_seconds()) * 1_000_000_000
            + u128::from(now.as_millis() % 1000) * 1_000_000;
        let name = format!("{}.{nanos:x}", pod.name);
        let mut event = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": pod.namespace},
            "involvedObject": {
                "kind": "Pod",
                "namespace": pod.namespace,
                "name": pod.name,
                "uid": pod.uid,
                "apiVersion": "v1",
                "resourceVersion": pod.obj.pointer("/metadata/resourceVersion").cloned().unwrap_or(json!("")),
            },
            "reason": reason,
            "message": message,
            "source": {"component": DEFAULT_SCHEDULER_NAME},
            "firstTimestamp": now.rfc3339(),
            "lastTimestamp": now.rfc3339(),
            "count": 1,
            "type": kind,
            "eventTime": null,
            "reportingComponent": DEFAULT_SCHEDULER_NAME,
            "reportingInstance": "",
        });
        if let Some((action, related)) = action {
            event["action"] = json!(action);
            if let Some(r) = related {
                event["related"] = json!({
                    "kind": "Pod",
                    "namespace": r.namespace,
                    "name": r.name,
                    "uid": r.uid,
                    "apiVersion": "v1",
                    "resourceVersion": r.obj.pointer("/metadata/resourceVersion").cloned().unwrap_or(json!("")),
                });
            }
        }
        let req = self
            .client
            .request(
                "POST",
                &format!("/api/v1/namespaces/{}/events", pod.namespace),
            )
            .json_body(event);
        self.client.send(ctx, req, Tag::Event(self.epoch), None);
        name
    }

    /// Timers only while there is something to wait for: the earliest backoff expiry, and the
    /// 30-second leftover flush while pods are unschedulable.
    fn arm_timers(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(at) = self.queue.next_backoff_expiry() {
            if self.backoff_timer_at.is_none_or(|t| t > at) {
                let now = ctx.now();
                let delay = if at > now {
                    crate::sim::SimDuration::from_millis(at.as_millis() - now.as_millis())
                } else {
                    crate::sim::SimDuration::from_millis(0)
                };
                ctx.timer(delay, "flush-backoff-queue");
                self.backoff_timer_at = Some(at);
            }
        }
        if self.queue.num_unschedulable() > 0 && !self.leftover_timer_set {
            ctx.timer(
                queue::UNSCHEDULABLE_FLUSH_INTERVAL,
                "flush-unschedulable-pods-leftover",
            );
            self.leftover_timer_set = true;
        }
    }
}

impl Actor for KubeScheduler {
    fn addr(&self) -> Addr {
        Addr::Scheduler
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.list_all(ctx);
    }

    fn on_restart(&mut self, ctx: &mut Ctx<'_>) {
        self.restart(ctx);
    }

    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::HttpResponse { id, response } => self.on_response(*id, response, ctx),
            // Its secure port (10259): kube-apiserver's componentstatuses probe.
            Message::HttpRequest { id, request } if env.from == Addr::ApiServer => {
                let response = crate::client::serve_healthz(request);
                ctx.send(Addr::ApiServer, Message::HttpResponse { id: *id, response });
            }
            Message::WatchEvent { id, event } => {
                let kind = match self.client.stream_tag(*id) {
                    Some(Tag::Watch(e, kind)) if *e == self.epoch => *kind,
                    _ => return,
                };
                let epoch = self.epoch;
                let r = self
                    .reflectors
                    .get_mut(&kind)
                    .expect("every kind has a reflector");
                if r.owns(*id).is_none() {
                    return;
                }
                if let Some(d) = r.on_event(event, &mut self.client, ctx, Tag::List(epoch, kind)) {
                    self.on_delta(kind, d, ctx);
                }
            }
            Message::SchedulingDecision { .. } if env.from == Addr::Scheduler => {
                self.on_decision(ctx);
                return;
            }
            Message::Timer { name } if name == "flush-backoff-queue" => {
                self.backoff_timer_at = None;
                self.queue.flush_backoff_completed(ctx.now());
            }
            Message::Timer { name } if name == "flush-unschedulable-pods-leftover" => {
                self.leftover_timer_set = false;
                self.queue.flush_unschedulable_leftover(ctx.now());
            }
            _ => return,
        }
        self.maybe_schedule(ctx);
    }

    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
