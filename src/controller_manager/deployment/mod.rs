//! The Deployment controller (`pkg/controller/deployment`): one ReplicaSet per pod template,
//! named `<deployment>-<pod-template-hash>`, scaled by the strategy (RollingUpdate within
//! maxSurge/maxUnavailable, or Recreate), with revision annotations, history cleanup and the
//! Available/Progressing conditions.
//!
//! Rollback (`kubectl rollout undo`) is a client-side patch in modern kubectl: it copies an old
//! ReplicaSet's template into the Deployment, and this controller sees a template change whose
//! ReplicaSet already exists, which it scales up again with a new revision.

pub mod progress;
pub mod recreate;
pub mod rolling;
pub mod sync;

use std::sync::Arc;

use serde_json::Value;

use super::controller_utils::*;
use super::record::EventRecorder;
use super::{Actions, Informers, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::SimTime;

pub const NAME: &str = "deployment";
pub const SERVICE_ACCOUNT: &str = "deployment-controller";
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

#[derive(Clone, Debug)]
pub struct DeploymentController {
    pub queue: WorkQueue,
    /// Events as `deployment-controller`.
    pub recorder: EventRecorder,
}

impl Default for DeploymentController {
    fn default() -> DeploymentController {
        DeploymentController {
            queue: WorkQueue::default(),
            recorder: EventRecorder::new(SERVICE_ACCOUNT, "deployment-controller"),
        }
    }
}

/// `rand.SafeEncodeString`: maps each byte onto consonants and digits without vowels, so a
/// generated suffix never spells a word.
pub fn safe_encode_string(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// FNV-1a, 32 bits (`hash/fnv.New32a`).
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `controller.ComputeHash`: FNV-1a of the pod template, then the collision count (as 8
/// little-endian bytes of which the first four hold it), the decimal sum safe-encoded.
///
/// The real controller feeds the hasher a `spew` dump of the Go `PodTemplateSpec` struct;
/// kubestep has no Go structs, so it hashes the template's canonical JSON instead: names have
/// the real shape and change exactly when the template changes, but differ from a real
/// cluster's for the same template.
pub fn compute_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut bytes = serde_json::to_vec(template).unwrap_or_default();
    if let Some(c) = collision_count {
        let mut extra = [0u8; 8];
        extra[..4].copy_from_slice(&(c as u32).to_le_bytes());
        bytes.extend_from_slice(&extra);
    }
    safe_encode_string(&fnv32a(&bytes).to_string())
}

impl DeploymentController {
    fn owner_of_rs(rs: &Value) -> Option<String> {
        controller_of(rs)
            .filter(|r| r["kind"] == "Deployment")
            .map(|r| format!("{}/{}", namespace(rs), r["name"].as_str().unwrap_or("")))
    }

    pub fn on_deployment(&mut self, delta: &Delta) {
        self.queue.add(&crate::client::object_key(delta.object()));
    }

    /// A ReplicaSet changed: its owner (or, for an orphan, every Deployment that could adopt
    /// it) syncs.
    pub fn on_replicaset(&mut self, delta: &Delta, informers: &Informers) {
        let rs = delta.object();
        if let Delta::Updated { old, .. } = delta {
            if let Some(d) = Self::owner_of_rs(old) {
                self.queue.add(&d);
            }
        }
        match Self::owner_of_rs(rs) {
            Some(d) => self.queue.add(&d),
            None if !matches!(delta, Delta::Deleted(_)) => {
                for d in in_namespace(&informers.deployments.cache, namespace(rs)) {
                    if selector_of(d).matches_object(rs) {
                        self.queue.add(&crate::client::object_key(d));
                    }
                }
            }
            None => {}
        }
    }

    /// A pod went away: a Recreate rollout waits for the old pods to be gone.
    pub fn on_pod(&mut self, delta: &Delta, informers: &Informers) {
        let Delta::Deleted(pod) = delta else { return };
        let Some(rs_ref) = controller_of(pod).filter(|r| r["kind"] == "ReplicaSet") else {
            return;
        };
        let rs_key = format!(
            "{}/{}",
            namespace(pod),
            rs_ref["name"].as_str().unwrap_or("")
        );
        if let Some(d) = informers
            .replicasets
            .get(&rs_key)
            .and_then(|rs| Self::owner_of_rs(rs))
        {
            let recreate = informers
                .deployments
                .get(&d)
                .is_some_and(|d| str_at(d, "/spec/strategy/type") == "Recreate");
            if recreate {
                self.queue.add(&d);
            }
        }
    }

    pub fn process(&mut self, informers: &Informers, now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.queue.get() {
            if let Some(d) = informers.deployments.get(&key).cloned() {
                sync::sync_deployment(&key, &d, informers, now, actions);
            }
            self.queue.done(&key);
        }
    }

    pub fn on_response(
        &mut self,
        tag: &WriteTag,
        response: &HttpResponse,
        informers: &Informers,
        now: SimTime,
    ) -> Actions {
        let ok = (200..300).contains(&response.status);
        // `scaleReplicaSet` records the scaling once the write succeeded.
        let scaled = match tag {
            WriteTag::DeploymentNewReplicaSet {
                deployment,
                rs,
                replicas,
            } if ok && *replicas > 0 => Some((deployment, rs, 0, *replicas)),
            WriteTag::DeploymentScale {
                deployment,
                rs,
                from,
                to,
            } if ok => Some((deployment, rs, *from, *to)),
            _ => None,
        };
        if let Some((deployment, rs, from, to)) = scaled {
            let mut actions = Actions::default();
            if let Some(d) = informers.deployments.get(deployment) {
                let direction = if to > from { "up" } else { "down" };
                actions.writes.push(self.recorder.event(
                    d,
                    ("apps/v1", "Deployment"),
                    "Normal",
                    "ScalingReplicaSet",
                    &format!("Scaled {direction} replica set {rs} from {from} to {to}"),
                    now,
                ));
            }
            return actions;
        }
        match tag {
            WriteTag::Deployment { deployment } | WriteTag::DeploymentScale { deployment, .. }
                if !ok =>
            {
                self.queue.add_rate_limited(deployment, now);
            }
            WriteTag::DeploymentNewReplicaSet { deployment, .. } if !ok => {
                // AlreadyExists with a different template is a hash collision: bump
                // status.collisionCount so the next name differs.
                let collision = response.status == 409
                    && informers
                        .deployments
                        .get(deployment)
                        .is_some_and(|d| !sync::new_rs_exists_with_same_template(d, informers));
                if collision {
                    if let Some(d) = informers.deployments.get(deployment) {
                        let mut actions = Actions::default();
                        sync::bump_collision_count(deployment, d, &mut actions);
                        return actions;
                    }
                }
                self.queue.add_rate_limited(deployment, now);
            }
            _ => {}
        }
        Actions::default()
    }
}

/// The Deployment's ReplicaSets, as shared objects.
pub type ReplicaSets = Vec<Arc<Value>>;
