//! `progress.go` and `calculateStatus`: the Deployment's status counts and its Available and
//! Progressing conditions, with the real reasons and messages.

use serde_json::{json, Value};

use super::sync::{max_unavailable, replicas_of, status_write, Sync};
use crate::controller_manager::controller_utils::i64_at;
use crate::sim::SimTime;

pub fn condition<'a>(d: &'a Value, kind: &str) -> Option<&'a Value> {
    d.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c["type"] == kind)
}

/// `SetDeploymentCondition`: unchanged when status and reason are the same; otherwise the
/// condition replaces the old one (keeping its transition time if the status is the same).
pub fn set_condition(
    d: &mut Value,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: SimTime,
) {
    let current = condition(d, kind).cloned();
    if let Some(c) = &current {
        if c["status"] == status && c["reason"] == reason {
            return;
        }
    }
    let mut transition = json!(now.rfc3339());
    if let Some(c) = &current {
        if c["status"] == status {
            transition = c["lastTransitionTime"].clone();
        }
    }
    let new = json!({
        "type": kind,
        "status": status,
        "lastUpdateTime": now.rfc3339(),
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    });
    if !d["status"].is_object() {
        d["status"] = json!({});
    }
    let mut conds: Vec<Value> = d["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c["type"] != kind)
        .collect();
    conds.push(new);
    d["status"]["conditions"] = json!(conds);
}

struct Counts {
    replicas: i64,
    updated: i64,
    ready: i64,
    available: i64,
}

fn counts(s: &Sync<'_>) -> Counts {
    let sum = |f: &str| s.all().map(|p| i64_at(&p.rs, f)).sum::<i64>();
    Counts {
        replicas: sum("/status/replicas"),
        updated: s
            .new_rs
            .as_ref()
            .map(|p| i64_at(&p.rs, "/status/replicas"))
            .unwrap_or(0),
        ready: sum("/status/readyReplicas"),
        available: sum("/status/availableReplicas"),
    }
}

/// `DeploymentComplete`: every pod updated and available, and the newest generation seen.
pub fn deployment_complete(s: &Sync<'_>) -> bool {
    let c = counts(s);
    let desired = replicas_of(&s.d);
    c.updated == desired && c.replicas == desired && c.available == desired
}

/// `syncRolloutStatus` (with progress) or `syncDeploymentStatus`: writes the status if it
/// changed.
pub fn sync_status(s: &mut Sync<'_>, with_progress: bool) {
    let c = counts(s);
    let desired = replicas_of(&s.d);
    let mut d = s.d.clone();
    let old_status = s
        .original
        .get("status")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if !d["status"].is_object() {
        d["status"] = json!({});
    }
    let st = &mut d["status"];
    st["observedGeneration"] = json!(i64_at(&s.d, "/metadata/generation"));
    let mut set = |k: &str, v: i64| {
        if v == 0 {
            if let Some(m) = st.as_object_mut() {
                m.remove(k);
            }
        } else {
            st[k] = json!(v);
        }
    };
    set("replicas", c.replicas);
    set("updatedReplicas", c.updated);
    set("readyReplicas", c.ready);
    set("availableReplicas", c.available);
    set("unavailableReplicas", (desired - c.available).max(0));
    if c.available >= desired - max_unavailable(&s.d) {
        set_condition(
            &mut d,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            s.now,
        );
    } else {
        set_condition(
            &mut d,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            s.now,
        );
    }
    let has_deadline =
        s.d.pointer("/spec/progressDeadlineSeconds")
            .is_some_and(|v| !v.is_null());
    if with_progress && has_deadline {
        let new_name = s.new_rs.as_ref().map(|p| p.name().to_string());
        let old_updated = i64_at(&old_status, "/updatedReplicas");
        let old_ready = i64_at(&old_status, "/readyReplicas");
        let old_available = i64_at(&old_status, "/availableReplicas");
        let old_replicas = i64_at(&old_status, "/replicas") - old_updated;
        let new_old_replicas = c.replicas - c.updated;
        if let Some(n) = new_name {
            if c.updated == desired && c.replicas == desired && c.available == desired {
                let msg = format!("ReplicaSet \"{n}\" has successfully progressed.");
                set_condition(
                    &mut d,
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    &msg,
                    s.now,
                );
            } else if c.updated > old_updated
                || new_old_replicas < old_replicas
                || c.ready > old_ready
                || c.available > old_available
            {
                let msg = format!("ReplicaSet \"{n}\" is progressing.");
                // Progress refreshes the condition's update time even with the same reason.
                if let Some(c) = condition(&d, "Progressing").cloned() {
                    if c["reason"] == "ReplicaSetUpdated" {
                        let conds = d["status"]["conditions"].as_array_mut();
                        for cond in conds.into_iter().flatten() {
                            if cond["type"] == "Progressing" {
                                cond["lastUpdateTime"] = json!(s.now.rfc3339());
                            }
                        }
                    }
                }
                set_condition(
                    &mut d,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    &msg,
                    s.now,
                );
            }
        }
    }
    // The revision annotation goes with the status, as the real controller's UpdateStatus
    // sends it: the status strategy keeps metadata changes and does not bump generation.
    if d != *s.original {
        let w = status_write(s.key, &d);
        s.actions.writes.push(w);
    }
    s.d = d;
}
