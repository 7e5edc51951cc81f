//! The garbage collector (`pkg/controller/garbagecollector`): follows ownerReferences.
//! Background: a dependent whose owners are all gone is deleted. Foreground: an owner with the
//! `foregroundDeletion` finalizer has its dependents deleted, and loses the finalizer once no
//! dependent with `blockOwnerDeletion` remains. Orphan: an owner with the `orphan` finalizer
//! has its reference removed from every dependent, then loses the finalizer.
//!
//! Its graph is built from the controller-manager's informers (pods, ReplicaSets, Deployments,
//! Jobs, CronJobs, DaemonSets, StatefulSets, ControllerRevisions, PersistentVolumeClaims); the
//! real one watches every resource the discovery lists.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::controller_utils::*;
use super::{object_path, Actions, Informers, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::SimTime;

pub const NAME: &str = "garbagecollector";
pub const SERVICE_ACCOUNT: &str = "generic-garbage-collector";

#[derive(Clone, Debug, Default)]
pub struct GarbageCollector {
    pub queue: WorkQueue,
    /// Every object of the graph by uid: its `kind/namespace/name` item key.
    pub uids: BTreeMap<String, String>,
    /// Dependents by owner uid.
    pub dependents: BTreeMap<String, std::collections::BTreeSet<String>>,
}

fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r["uid"].as_str().map(str::to_string))
        .collect()
}

fn lookup<'a>(informers: &'a Informers, key: &str) -> Option<&'a Arc<Value>> {
    let (kind, rest) = key.split_once('/')?;
    let r = match kind {
        "Pod" => &informers.pods,
        "ReplicaSet" => &informers.replicasets,
        "Deployment" => &informers.deployments,
        "Job" => &informers.jobs,
        "CronJob" => &informers.cronjobs,
        "DaemonSet" => &informers.daemonsets,
        "StatefulSet" => &informers.statefulsets,
        "ControllerRevision" => &informers.controllerrevisions,
        "PersistentVolumeClaim" => &informers.persistentvolumeclaims,
        _ => return None,
    };
    r.get(rest)
}

fn has_finalizer(obj: &Value, f: &str) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|fs| fs.iter().any(|x| x == f))
}

impl GarbageCollector {
    /// Keeps the owner graph current and queues whoever may need attention.
    pub fn on_delta(&mut self, kind: &str, delta: &Delta) {
        let obj = delta.object();
        let key = format!("{kind}/{}/{}", namespace(obj), name(obj));
        let u = uid(obj).to_string();
        if let Delta::Updated { old, .. } = delta {
            for o in owner_uids(old) {
                if let Some(set) = self.dependents.get_mut(&o) {
                    set.remove(&key);
                }
            }
        }
        match delta {
            Delta::Deleted(_) => {
                self.uids.remove(&u);
                for o in owner_uids(obj) {
                    if let Some(set) = self.dependents.get_mut(&o) {
                        set.remove(&key);
                    }
                    // An owner waiting for its dependents may now finish.
                    if let Some(owner) = self.uids.get(&o) {
                        self.queue.add(&owner.clone());
                    }
                }
                // Its dependents may now be orphans to collect.
                for dep in self.dependents.get(&u).cloned().unwrap_or_default() {
                    self.queue.add(&dep);
                }
            }
            _ => {
                self.uids.insert(u.clone(), key.clone());
                for o in owner_uids(obj) {
                    self.dependents.entry(o).or_default().insert(key.clone());
                }
                if !owner_uids(obj).is_empty() || is_deleting(obj) {
                    self.queue.add(&key);
                }
            }
        }
    }

    pub fn process(&mut self, informers: &Informers, _now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.queue.get() {
            self.attempt(&key, informers, actions);
            self.queue.done(&key);
        }
    }

    /// The API path of the graph item `item` (`Kind/namespace/name`).
    fn path(item: &str) -> Option<String> {
        let mut parts = item.splitn(3, '/');
        let (kind, ns, name) = (parts.next()?, parts.next()?, parts.next()?);
        let api_version = match kind {
            "Pod" | "PersistentVolumeClaim" => "v1",
            "Job" | "CronJob" => "batch/v1",
            _ => "apps/v1",
        };
        object_path(api_version, kind, ns, name)
    }

    fn delete(&self, item: &str, obj: &Value, policy: &str, key: &str, actions: &mut Actions) {
        let Some(path) = Self::path(item) else { return };
        actions.writes.push(
            Write::new(
                SERVICE_ACCOUNT,
                "DELETE",
                path,
                WriteTag::GarbageCollector {
                    key: key.to_string(),
                },
            )
            .body(json!({
                "kind": "DeleteOptions",
                "apiVersion": "v1",
                "propagationPolicy": policy,
                "preconditions": {"uid": uid(obj)},
            })),
        );
    }

    fn patch(&self, item: &str, patch: Value, key: &str, actions: &mut Actions) {
        if let Some(path) = Self::path(item) {
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "PATCH",
                    path,
                    WriteTag::GarbageCollector {
                        key: key.to_string(),
                    },
                )
                .merge_patch(patch),
            );
        }
    }

    /// `attemptToDeleteItem` / `processDeletingDependentsItem` / `orphanDependents`.
    fn attempt(&mut self, key: &str, informers: &Informers, actions: &mut Actions) {
        let Some(obj) = lookup(informers, key).cloned() else {
            return;
        };
        let u = uid(&obj).to_string();
        let deps: Vec<(String, Arc<Value>)> = self
            .dependents
            .get(&u)
            .into_iter()
            .flatten()
            .filter_map(|k| lookup(informers, k).map(|d| (k.clone(), d.clone())))
            .filter(|(_, d)| owner_uids(d).contains(&u))
            .collect();
        if is_deleting(&obj) && has_finalizer(&obj, "orphan") {
            for (item, d) in &deps {
                let refs: Vec<Value> = d["metadata"]["ownerReferences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["uid"] != u.as_str())
                    .cloned()
                    .collect();
                self.patch(
                    item,
                    json!({"metadata": {"ownerReferences": refs, "uid": uid(d)}}),
                    key,
                    actions,
                );
            }
            if deps.is_empty() {
                self.remove_finalizer(&obj, "orphan", key, actions);
            }
            return;
        }
        if is_deleting(&obj) && has_finalizer(&obj, "foregroundDeletion") {
            let blocking: Vec<&(String, Arc<Value>)> = deps
                .iter()
                .filter(|(_, d)| {
                    d["metadata"]["ownerReferences"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| r["uid"] == u.as_str() && r["blockOwnerDeletion"] == true)
                })
                .collect();
            for (item, d) in &deps {
                if !is_deleting(d) {
                    self.delete(item, d, "Foreground", key, actions);
                }
            }
            if blocking.is_empty() {
                self.remove_finalizer(&obj, "foregroundDeletion", key, actions);
            }
            return;
        }
        // A dependent whose owners are all gone is garbage. The graph only knows the kinds
        // the informers watch; like the real `isDangling`, an owner missing from the graph is
        // confirmed with a live GET before its dependent is deleted.
        let refs: Vec<Value> = obj
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if refs.is_empty() || is_deleting(&obj) {
            return;
        }
        if refs
            .iter()
            .any(|r| self.uids.contains_key(r["uid"].as_str().unwrap_or("")))
        {
            return;
        }
        for r in &refs {
            let (Some(api_version), Some(kind), Some(owner)) = (
                r["apiVersion"].as_str(),
                r["kind"].as_str(),
                r["name"].as_str(),
            ) else {
                continue;
            };
            let ns = if kind == "Node" || kind == "Namespace" {
                ""
            } else {
                namespace(&obj)
            };
            let path = if ns.is_empty() {
                let base = if api_version == "v1" {
                    "/api/v1".to_string()
                } else {
                    format!("/apis/{api_version}")
                };
                let resource = match kind {
                    "Node" => "nodes",
                    "Namespace" => "namespaces",
                    _ => continue,
                };
                Some(format!("{base}/{resource}/{owner}"))
            } else {
                object_path(api_version, kind, ns, owner)
            };
            let Some(path) = path else { continue };
            actions.writes.push(Write::new(
                SERVICE_ACCOUNT,
                "GET",
                path,
                WriteTag::GarbageCollectorOwnerLookup {
                    dependent: key.to_string(),
                    dependent_uid: u.clone(),
                    owner_uid: r["uid"].as_str().unwrap_or("").to_string(),
                },
            ));
        }
    }

    fn remove_finalizer(&self, obj: &Value, f: &str, key: &str, actions: &mut Actions) {
        let rest: Vec<Value> = obj["metadata"]["finalizers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| *x != f)
            .cloned()
            .collect();
        self.patch(
            key,
            json!({"metadata": {"finalizers": rest, "resourceVersion": str_at(obj, "/metadata/resourceVersion")}}),
            key,
            actions,
        );
    }

    pub fn on_response(
        &mut self,
        tag: &WriteTag,
        response: &HttpResponse,
        informers: &Informers,
        now: SimTime,
    ) -> Actions {
        let mut actions = Actions::default();
        match tag {
            WriteTag::GarbageCollector { key } => {
                let ok = (200..300).contains(&response.status) || response.status == 404;
                if !ok {
                    self.queue.add_rate_limited(key, now);
                }
            }
            WriteTag::GarbageCollectorOwnerLookup {
                dependent,
                dependent_uid,
                owner_uid,
            } => {
                let absent = match response.status {
                    404 => true,
                    200 => response
                        .body_json()
                        .is_some_and(|o| uid(&o) != owner_uid.as_str()),
                    _ => {
                        self.queue.add_rate_limited(dependent, now);
                        false
                    }
                };
                if let Some(obj) = lookup(informers, dependent).cloned() {
                    // Only if no owner came back meanwhile, and it is the same dependent.
                    let owners_gone = owner_uids(&obj).iter().all(|o| !self.uids.contains_key(o));
                    if absent
                        && owners_gone
                        && uid(&obj) == dependent_uid.as_str()
                        && !is_deleting(&obj)
                    {
                        self.delete(dependent, &obj, "Background", dependent, &mut actions);
                    }
                }
            }
            _ => {}
        }
        actions
    }
}
