//! The node lifecycle controller (`pkg/controller/nodelifecycle`) and the taint eviction
//! controller (`pkg/controller/tainteviction`): a node whose kubelet stops renewing its Lease
//! in `kube-node-lease` (and stops posting status) for `--node-monitor-grace-period` gets its
//! conditions set to Unknown ("Kubelet stopped posting node status.") and the
//! `node.kubernetes.io/unreachable` NoExecute and NoSchedule taints; its pods are then deleted
//! once their toleration of that taint runs out (`tolerationSeconds`, 300 s by default from
//! the DefaultTolerationSeconds admission plugin), so their controllers recreate them. Until
//! then its pods' Ready condition is False (`MarkPodsNotReady`), so no Service sends them
//! traffic.
//!
//! The real controller checks every `--node-monitor-period` (5 s); this one sets a timer for
//! the moment a node's grace period ends, so the trace shows the check when it matters.
//! Both write as `node-controller` (the bootstrap policy here has no separate
//! `taint-eviction-controller` role).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::{Actions, Informers, Requeue, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::{SimDuration, SimTime};

pub const NAME: &str = "nodelifecycle";
pub const SERVICE_ACCOUNT: &str = "node-controller";
/// `--node-monitor-grace-period` (50 s since Kubernetes 1.29).
pub const NODE_MONITOR_GRACE_PERIOD: SimDuration = SimDuration::from_secs(50);
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";

/// `nodeHealthData`: when the controller last saw the node's kubelet alive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeHealth {
    pub probe_timestamp: SimTime,
    /// The lease's renewTime and the Ready condition's lastHeartbeatTime last seen.
    pub heartbeat: (String, String),
}

#[derive(Clone, Debug, Default)]
pub struct NodeLifecycleController {
    pub queue: WorkQueue,
    pub health: BTreeMap<String, NodeHealth>,
    /// Pods (by uid) whose eviction was sent: the taint manager's timed worker fires once.
    pub evicted: std::collections::BTreeSet<String>,
    /// Pods (by uid) whose Ready=False update is in flight.
    pub marking_not_ready: std::collections::BTreeSet<String>,
}

fn ready_condition(node: &Value) -> Option<&Value> {
    node.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c["type"] == "Ready")
}

fn taints(node: &Value) -> Vec<Value> {
    node.pointer("/spec/taints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

impl NodeLifecycleController {
    pub fn on_node(&mut self, delta: &Delta) {
        let node = name(delta.object()).to_string();
        if matches!(delta, Delta::Deleted(_)) {
            self.health.remove(&node);
        }
        self.queue.add(&node);
    }

    pub fn on_lease(&mut self, delta: &Delta) {
        // A node's lease has the node's name.
        self.queue.add(name(delta.object()));
    }

    /// A pod bound to a tainted node may have to go.
    pub fn on_pod(&mut self, delta: &Delta) {
        if let Delta::Deleted(pod) = delta {
            self.evicted.remove(uid(pod));
        }
        // A Ready=False update in flight is done once the cache shows it.
        let ready = pod_ready(delta.object()).0;
        if matches!(delta, Delta::Deleted(_)) || !ready {
            self.marking_not_ready.remove(uid(delta.object()));
        }
        let node = str_at(delta.object(), "/spec/nodeName");
        if !node.is_empty() && !matches!(delta, Delta::Deleted(_)) {
            self.queue.add(node);
        }
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.queue.get() {
            self.sync(&key, informers, now, actions);
            self.queue.done(&key);
        }
    }

    /// `tryUpdateNodeHealth`, the tainting passes and the taint eviction of one node.
    fn sync(
        &mut self,
        node_name: &str,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        let Some(node) = informers.nodes.get(node_name).cloned() else {
            return;
        };
        let lease_key = format!("kube-node-lease/{node_name}");
        let renew = informers
            .leases
            .get(&lease_key)
            .map(|l| str_at(l, "/spec/renewTime").to_string())
            .unwrap_or_default();
        let heartbeat = ready_condition(&node)
            .and_then(|c| c["lastHeartbeatTime"].as_str())
            .unwrap_or("")
            .to_string();
        let seen = (renew, heartbeat);
        let health = self
            .health
            .entry(node_name.to_string())
            .or_insert(NodeHealth {
                probe_timestamp: now,
                heartbeat: seen.clone(),
            });
        if health.heartbeat != seen {
            health.heartbeat = seen;
            health.probe_timestamp = now;
        }
        let deadline = health
            .probe_timestamp
            .saturating_add(NODE_MONITOR_GRACE_PERIOD);
        let ready_status = ready_condition(&node)
            .and_then(|c| c["status"].as_str())
            .unwrap_or("")
            .to_string();
        let path = format!("/api/v1/nodes/{node_name}");
        let tag = WriteTag::NodeLifecycle {
            node: node_name.to_string(),
        };
        if now >= deadline && ready_status != "Unknown" {
            // The kubelet stopped posting: every condition it owns goes Unknown.
            let mut updated = (*node).clone();
            let mut conds: Vec<Value> = updated["status"]["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let (reason, message) = if conds.iter().any(|c| c["type"] == "Ready") {
                ("NodeStatusUnknown", "Kubelet stopped posting node status.")
            } else {
                (
                    "NodeStatusNeverUpdated",
                    "Kubelet never posted node status.",
                )
            };
            for kind in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
                match conds.iter_mut().find(|c| c["type"] == kind) {
                    Some(c) => {
                        c["status"] = json!("Unknown");
                        c["reason"] = json!(reason);
                        c["message"] = json!(message);
                        c["lastTransitionTime"] = json!(now.rfc3339());
                    }
                    None if kind == "Ready" => conds.push(json!({
                        "type": "Ready",
                        "status": "Unknown",
                        "lastHeartbeatTime": now.rfc3339(),
                        "lastTransitionTime": now.rfc3339(),
                        "reason": reason,
                        "message": message,
                    })),
                    None => {}
                }
            }
            updated["status"]["conditions"] = json!(conds);
            actions.writes.push(
                Write::new(SERVICE_ACCOUNT, "PUT", format!("{path}/status"), tag).body(updated),
            );
            return;
        }
        if now < deadline && ready_status != "Unknown" {
            actions.requeues.push(Requeue {
                controller: NAME,
                key: node_name.to_string(),
                after: SimDuration(deadline.as_millis() - now.as_millis()),
            });
        }

        // doNoExecuteTaintingPass and doNoScheduleTaintingPass: unreachable while Ready is
        // Unknown, removed once the node is back.
        let current = taints(&node);
        let mut wanted: Vec<Value> = current
            .iter()
            .filter(|t| t["key"] != TAINT_UNREACHABLE && t["key"] != TAINT_NOT_READY)
            .cloned()
            .collect();
        if ready_status == "Unknown" {
            let keep = |effect: &str| {
                current
                    .iter()
                    .find(|t| t["key"] == TAINT_UNREACHABLE && t["effect"] == effect)
                    .cloned()
            };
            wanted.push(
                keep("NoSchedule")
                    .unwrap_or_else(|| json!({"key": TAINT_UNREACHABLE, "effect": "NoSchedule"})),
            );
            wanted.push(keep("NoExecute").unwrap_or_else(|| {
                json!({"key": TAINT_UNREACHABLE, "effect": "NoExecute", "timeAdded": now.rfc3339()})
            }));
        }
        if wanted != current {
            let mut updated = (*node).clone();
            updated["spec"]["taints"] = json!(wanted);
            if wanted.is_empty() {
                if let Some(spec) = updated["spec"].as_object_mut() {
                    spec.remove("taints");
                }
            }
            actions
                .writes
                .push(Write::new(SERVICE_ACCOUNT, "PUT", path, tag).body(updated));
            return;
        }

        // `MarkPodsNotReady`: while the node is not Ready, neither are its pods.
        if ready_status != "True" && !ready_status.is_empty() {
            self.mark_pods_not_ready(node_name, informers, now, actions);
        }

        // The taint eviction controller: pods that do not tolerate the NoExecute taints go
        // when their tolerationSeconds (counted from the taint's timeAdded) run out.
        let no_execute: Vec<&Value> = current
            .iter()
            .filter(|t| t["effect"] == "NoExecute")
            .collect();
        if no_execute.is_empty() {
            return;
        }
        for pod in informers.pods.list_cached() {
            if str_at(pod, "/spec/nodeName") != node_name
                || is_deleting(pod)
                || self.evicted.contains(uid(pod))
            {
                continue;
            }
            let mut evict_at: Option<SimTime> = Some(now);
            for taint in &no_execute {
                let toleration = pod
                    .pointer("/spec/tolerations")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|t| tolerates(t, taint))
                    .map(|t| t.get("tolerationSeconds").and_then(Value::as_i64))
                    .min_by_key(|s| s.unwrap_or(i64::MAX));
                match toleration {
                    None => {}
                    Some(None) => evict_at = None,
                    Some(Some(secs)) => {
                        let added = taint_added_at(taint, now);
                        let at = added.saturating_add(SimDuration::from_secs(secs.max(0) as u64));
                        evict_at = evict_at.map(|e| e.max(at));
                    }
                }
            }
            let Some(at) = evict_at else { continue };
            if at > now {
                actions.requeues.push(Requeue {
                    controller: NAME,
                    key: node_name.to_string(),
                    after: SimDuration(at.as_millis() - now.as_millis()),
                });
                continue;
            }
            self.evicted.insert(uid(pod).to_string());
            let pod_path = format!("/api/v1/namespaces/{}/pods/{}", namespace(pod), name(pod));
            // The DisruptionTarget condition first; the delete follows its answer.
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    format!("{pod_path}/status"),
                    WriteTag::TaintEviction {
                        node: node_name.to_string(),
                        pod_path: pod_path.clone(),
                        pod_uid: uid(pod).to_string(),
                    },
                )
                .merge_patch(
                    json!({"status": {"conditions": merged_conditions(pod, json!({
                        "type": "DisruptionTarget",
                        "status": "True",
                        "lastTransitionTime": now.rfc3339(),
                        "reason": "DeletionByTaintManager",
                        "message": "Taint manager: deleting due to NoExecute taint",
                    }))}}),
                ),
            );
        }
    }

    /// Sets the Ready condition of every pod on `node_name` that is still Ready to False, as
    /// `controllerutil.MarkPodsNotReady` does (a status update per pod; only Ready changes,
    /// its lastTransitionTime with it).
    fn mark_pods_not_ready(
        &mut self,
        node_name: &str,
        informers: &Informers,
        now: SimTime,
        actions: &mut Actions,
    ) {
        for pod in informers.pods.list_cached() {
            if str_at(pod, "/spec/nodeName") != node_name
                || self.marking_not_ready.contains(uid(pod))
            {
                continue;
            }
            let mut updated = (**pod).clone();
            let Some(ready) = updated
                .pointer_mut("/status/conditions")
                .and_then(Value::as_array_mut)
                .and_then(|cs| cs.iter_mut().find(|c| c["type"] == "Ready"))
            else {
                continue;
            };
            if ready["status"] != "True" {
                continue;
            }
            ready["status"] = json!("False");
            ready["lastTransitionTime"] = json!(now.rfc3339());
            self.marking_not_ready.insert(uid(pod).to_string());
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PUT",
                    format!(
                        "/api/v1/namespaces/{}/pods/{}/status",
                        namespace(pod),
                        name(pod)
                    ),
                    WriteTag::MarkPodNotReady {
                        node: node_name.to_string(),
                        pod_uid: uid(pod).to_string(),
                    },
                )
                .body(updated),
            );
        }
    }

    pub fn on_response(
        &mut self,
        tag: &WriteTag,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        let ok = (200..300).contains(&response.status);
        match tag {
            WriteTag::NodeLifecycle { node } if !ok && response.status != 404 => {
                self.queue.add_rate_limited(node, now);
            }
            WriteTag::MarkPodNotReady { node, pod_uid } if !ok => {
                self.marking_not_ready.remove(pod_uid);
                // A pod deleted meanwhile needs nothing; any other failure is tried again.
                if response.status != 404 {
                    self.queue.add_rate_limited(node, now);
                }
            }
            WriteTag::TaintEviction {
                node,
                pod_path,
                pod_uid,
            } => {
                if ok {
                    actions.writes.push(Write::new(
                        SERVICE_ACCOUNT,
                        "DELETE",
                        pod_path.clone(),
                        WriteTag::NodeLifecycle { node: node.clone() },
                    ));
                } else if response.status != 404 {
                    // Forget the eviction so the next sync tries again.
                    self.evicted.remove(pod_uid);
                    self.queue.add_rate_limited(node, now);
                }
            }
            _ => {}
        }
        actions
    }
}

fn merged_conditions(pod: &Value, new: Value) -> Value {
    let mut conds: Vec<Value> = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    conds.retain(|c| c["type"] != new["type"]);
    conds.push(new);
    json!(conds)
}

/// `Toleration.ToleratesTaint`.
fn tolerates(t: &Value, taint: &Value) -> bool {
    let effect = t["effect"].as_str().unwrap_or("");
    if !effect.is_empty() && t["effect"] != taint["effect"] {
        return false;
    }
    let key = t["key"].as_str().unwrap_or("");
    if !key.is_empty() && t["key"] != taint["key"] {
        return false;
    }
    match t["operator"].as_str().unwrap_or("Equal") {
        "Exists" => true,
        _ => t["value"].as_str().unwrap_or("") == taint["value"].as_str().unwrap_or(""),
    }
}

/// When a taint was added (`timeAdded`), as simulated time.
fn taint_added_at(taint: &Value, now: SimTime) -> SimTime {
    sim_time_of(taint["timeAdded"].as_str().unwrap_or(""), now)
}
