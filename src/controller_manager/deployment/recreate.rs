//! `recreate.go`: a Recreate rollout scales every old ReplicaSet to zero, waits until none of
//! their pods runs any more, then creates and scales up the new one.

use super::progress;
use super::sync::{replicas_of, Sync};
use crate::controller_manager::controller_utils::{
    controller_of, in_namespace, namespace, str_at, uid,
};

/// `rolloutRecreate`.
pub fn rollout_recreate(s: &mut Sync<'_>) {
    if !s.sync_new_rs(false) {
        return;
    }
    let mut scaled = false;
    for p in s.old.iter_mut() {
        if p.replicas != 0 {
            p.replicas = 0;
            scaled = true;
        }
    }
    if scaled {
        s.flush_scales();
        progress::sync_status(s, false);
        return;
    }
    if old_pods_running(s) {
        progress::sync_status(s, false);
        return;
    }
    if s.new_rs.is_none() {
        s.sync_new_rs(true);
        return;
    }
    let desired = replicas_of(&s.d);
    if let Some(p) = s.new_rs.as_mut() {
        if p.replicas != desired {
            p.replicas = desired;
            s.flush_scales();
            progress::sync_status(s, false);
            return;
        }
    }
    if progress::deployment_complete(s) {
        s.cleanup();
    }
    progress::sync_status(s, false);
}

/// `oldPodsRunning`: any pod of an old ReplicaSet not yet Succeeded or Failed.
fn old_pods_running(s: &Sync<'_>) -> bool {
    let old_uids: Vec<&str> = s.old.iter().map(|p| uid(&p.rs)).collect();
    in_namespace(&s.informers.pods.cache, namespace(&s.d)).any(|pod| {
        controller_of(pod).is_some_and(|r| old_uids.iter().any(|u| r["uid"] == *u))
            && !matches!(str_at(pod, "/status/phase"), "Succeeded" | "Failed")
    })
}
