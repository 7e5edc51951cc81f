//! VolumeBinding: a pod's PersistentVolumeClaims must exist and be usable before it is placed.
//! PreFilter rejects the whole pod when a claim is missing, lost or being deleted, or when a
//! claim with Immediate binding (no class, an unknown class, or a class with
//! `volumeBindingMode: Immediate`) is not bound yet — the PV controller binds those, not the
//! scheduler: `0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.`.
//! Filter checks each node: the PersistentVolume of a bound claim must exist and its node
//! affinity must match, and a claim of a `WaitForFirstConsumer` class needs an available
//! matching volume, or a class whose provisioner can create one.
//!
//! kubestep runs no PersistentVolume controller and no volume provisioner: a claim becomes
//! bound only if a client binds it (`spec.volumeName`, the `pv.kubernetes.io/bind-completed`
//! annotation and `status.phase: Bound`, as the PV controller writes them). So the website's
//! StatefulSet, whose `my-storage-class` does not exist, stays Pending as it does on a real
//! cluster without that class. Nor is the PreBind step simulated that, for a
//! `WaitForFirstConsumer` claim, would name the chosen node on the claim and wait for a
//! provisioner.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::defaulting::quantity::Quantity;
use crate::scheduler::framework::types::NodeSelectorTerm;
use crate::scheduler::framework::{
    Code, CycleState, NodeInfo, Plugin, PodInfo, Snapshot, Status, Volumes,
};

pub const NAME: &str = "VolumeBinding";
/// `ErrReasonBindConflict`.
pub const ERR_REASON_BIND_CONFLICT: &str =
    "node(s) didn't find available persistent volumes to bind";
/// `ErrReasonNodeConflict` (its 1.33 wording, kubernetes#129887).
pub const ERR_REASON_NODE_CONFLICT: &str = "node(s) didn't match PersistentVolume's node affinity";
/// `ErrReasonPVNotExist`.
pub const ERR_REASON_PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// The PreFilter rejection of an unbound Immediate claim.
pub const ERR_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
/// `volume.AnnBindCompleted`: the PV controller finished binding the claim.
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
/// The provisioner name of classes whose volumes are created by hand.
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

pub struct VolumeBinding;

/// What PreFilter found, for Filter.
#[derive(Clone)]
struct State {
    /// Bound claims with their volume (`None`: the volume does not exist).
    bound: Vec<Option<Arc<Value>>>,
    /// Unbound claims of WaitForFirstConsumer classes: the claim, the volumes that could be
    /// bound to it on some node, and whether the class can provision one.
    delayed: Vec<(Arc<Value>, Vec<Arc<Value>>, bool)>,
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The claims a pod's volumes name: `(claim name, ephemeral)`.
fn pod_claims(pod: &PodInfo) -> Vec<(String, bool)> {
    pod.obj
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            if let Some(c) = v
                .pointer("/persistentVolumeClaim/claimName")
                .and_then(Value::as_str)
            {
                Some((c.to_string(), false))
            } else if v.get("ephemeral").is_some_and(|e| !e.is_null()) {
                // `ephemeral.VolumeClaimName`: `<pod>-<volume>`.
                Some((format!("{}-{}", pod.name, str_at(v, "/name")), true))
            } else {
                None
            }
        })
        .collect()
}

/// `GetPersistentVolumeClaimClass`: `spec.storageClassName`, else the beta annotation.
fn claim_class(claim: &Value) -> String {
    let beta = claim
        .pointer("/metadata/annotations/volume.beta.kubernetes.io~1storage-class")
        .and_then(Value::as_str);
    match beta {
        Some(b) => b.to_string(),
        None => str_at(claim, "/spec/storageClassName").to_string(),
    }
}

/// `isPVCFullyBound`: a volume named and the binding completed.
fn fully_bound(claim: &Value) -> bool {
    !str_at(claim, "/spec/volumeName").is_empty()
        && claim
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(ANN_BIND_COMPLETED))
            .is_some()
}

/// `IsDelayBindingMode`: the claim's class exists and binds WaitForFirstConsumer.
fn delay_binding(claim: &Value, volumes: &Volumes<'_>) -> Option<Arc<Value>> {
    let class = claim_class(claim);
    if class.is_empty() {
        return None;
    }
    volumes
        .storage_classes
        .get(&class)
        .filter(|c| str_at(c, "/volumeBindingMode") == "WaitForFirstConsumer")
        .cloned()
}

fn quantity(v: Option<&Value>) -> i128 {
    v.and_then(Value::as_str)
        .and_then(|s| Quantity::parse(s).ok())
        .map(|q| q.milli_value())
        .unwrap_or(0)
}

/// Whether `pv` could be bound to `claim` regardless of the node (`findMatchingVolume`'s
/// checks of class, phase, claim reference, volume mode, access modes and size).
fn volume_fits_claim(pv: &Value, claim: &Value) -> bool {
    if str_at(pv, "/spec/storageClassName") != claim_class(claim) {
        return false;
    }
    let claim_ref = pv.pointer("/spec/claimRef");
    let free = match claim_ref {
        None | Some(Value::Null) => str_at(pv, "/status/phase") == "Available",
        Some(r) => {
            str_at(r, "/name") == str_at(claim, "/metadata/name")
                && str_at(r, "/namespace") == str_at(claim, "/metadata/namespace")
        }
    };
    let mode = |v: &Value| match str_at(v, "/spec/volumeMode") {
        "" => "Filesystem".to_string(),
        m => m.to_string(),
    };
    let modes = |v: &Value| -> Vec<String> {
        v.pointer("/spec/accessModes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str().map(str::to_string))
            .collect()
    };
    let pv_modes = modes(pv);
    free && mode(pv) == mode(claim)
        && modes(claim).iter().all(|m| pv_modes.contains(m))
        && quantity(pv.pointer("/spec/capacity/storage"))
            >= quantity(claim.pointer("/spec/resources/requests/storage"))
}

/// `CheckNodeAffinity`: the volume's required node affinity matches the node.
fn volume_node_affinity_matches(pv: &Value, node: &NodeInfo) -> bool {
    let Some(terms) = pv
        .pointer("/spec/nodeAffinity/required/nodeSelectorTerms")
        .and_then(Value::as_array)
    else {
        return true;
    };
    terms
        .iter()
        .any(|t| NodeSelectorTerm::parse(t).matches(&node.name, &node.labels))
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        NAME
    }
    fn filters(&self) -> bool {
        true
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, snap: &Snapshot) -> Status {
        let claims = pod_claims(pod);
        if claims.is_empty() {
            return Status::skip();
        }
        let volumes = &snap.volumes;
        let reject = |m: String| Status::new(Code::UnschedulableAndUnresolvable, m);
        // `podHasPVCs`: every claim exists, is not lost and not being deleted.
        let mut found: Vec<Arc<Value>> = Vec::new();
        for (name, ephemeral) in &claims {
            let Some(claim) = volumes.claims.get(&format!("{}/{name}", pod.namespace)) else {
                return reject(if *ephemeral {
                    format!(
                        "waiting for ephemeral volume controller to create the persistentvolumeclaim \"{name}\""
                    )
                } else {
                    format!("persistentvolumeclaim \"{name}\" not found")
                });
            };
            if str_at(claim, "/status/phase") == "Lost" {
                return reject(format!(
                    "persistentvolumeclaim \"{name}\" bound to non-existent persistentvolume \"{}\"",
                    str_at(claim, "/spec/volumeName")
                ));
            }
            if claim
                .pointer("/metadata/deletionTimestamp")
                .is_some_and(|t| !t.is_null())
            {
                return reject(format!("persistentvolumeclaim \"{name}\" is being deleted"));
            }
            if *ephemeral {
                let owned = claim
                    .pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|r| r["controller"] == true && str_at(r, "/uid") == pod.uid);
                if !owned {
                    return reject(format!(
                        "PVC {}/{name} was not created for pod {}/{} (pod is not owner)",
                        pod.namespace, pod.namespace, pod.name
                    ));
                }
            }
            found.push(claim.clone());
        }
        // `GetPodVolumeClaims`: bound, unbound Immediate, unbound WaitForFirstConsumer.
        let mut st = State {
            bound: Vec::new(),
            delayed: Vec::new(),
        };
        let mut unbound_immediate = false;
        for claim in found {
            if fully_bound(&claim) {
                let pv = volumes
                    .volumes
                    .get(str_at(&claim, "/spec/volumeName"))
                    .cloned();
                st.bound.push(pv);
                continue;
            }
            match delay_binding(&claim, volumes) {
                Some(class) if str_at(&claim, "/spec/volumeName").is_empty() => {
                    let candidates: Vec<Arc<Value>> = volumes
                        .volumes
                        .values()
                        .filter(|pv| volume_fits_claim(pv, &claim))
                        .cloned()
                        .collect();
                    let provisions = str_at(&class, "/provisioner") != NO_PROVISIONER;
                    st.delayed.push((claim, candidates, provisions));
                }
                // Immediate, or pre-bound to a volume: the PV controller binds it.
                _ => unbound_immediate = true,
            }
        }
        if unbound_immediate {
            return Status::new(Code::UnschedulableAndUnresolvable, ERR_UNBOUND_IMMEDIATE);
        }
        state.write(NAME, st);
        Status::success()
    }
    /// `FindPodVolumes` for one node.
    fn filter(&self, state: &CycleState, _pod: &PodInfo, node: &NodeInfo) -> Status {
        let Some(st) = state.read::<State>(NAME) else {
            return Status::success();
        };
        let mut reasons: Vec<String> = Vec::new();
        for pv in &st.bound {
            match pv {
                None => {
                    reasons.push(ERR_REASON_PV_NOT_EXIST.to_string());
                    break;
                }
                Some(pv) if !volume_node_affinity_matches(pv, node) => {
                    reasons.push(ERR_REASON_NODE_CONFLICT.to_string());
                    break;
                }
                Some(_) => {}
            }
        }
        let mut taken: BTreeMap<String, ()> = BTreeMap::new();
        for (_, candidates, provisions) in &st.delayed {
            let matched = candidates.iter().find(|pv| {
                let name = str_at(pv, "/metadata/name");
                !taken.contains_key(name) && volume_node_affinity_matches(pv, node)
            });
            match matched {
                Some(pv) => {
                    taken.insert(str_at(pv, "/metadata/name").to_string(), ());
                }
                None if *provisions => {}
                None => {
                    if !reasons.iter().any(|r| r == ERR_REASON_BIND_CONFLICT) {
                        reasons.push(ERR_REASON_BIND_CONFLICT.to_string());
                    }
                }
            }
        }
        if reasons.is_empty() {
            Status::success()
        } else {
            reasons.sort();
            Status::with_reasons(Code::UnschedulableAndUnresolvable, reasons)
        }
    }
}
