//! `rolling.go`: a RollingUpdate scales the new ReplicaSet up to at most `replicas + maxSurge`
//! pods in total, and the old ones down while at least `replicas - maxUnavailable` stay
//! available.

use super::progress;
use super::sync::{max_unavailable, replicas_of, Sync};

/// `rolloutRolling`.
pub fn rollout_rolling(s: &mut Sync<'_>) {
    if !s.sync_new_rs(true) {
        return;
    }
    // reconcileNewReplicaSet.
    let desired = replicas_of(&s.d);
    if let Some(new_current) = s.new_rs.as_ref().map(|p| p.replicas) {
        let target = if new_current > desired {
            desired
        } else {
            s.new_rs_new_replicas(new_current)
        };
        if target != new_current {
            if let Some(p) = s.new_rs.as_mut() {
                p.replicas = target;
            }
            s.flush_scales();
            progress::sync_status(s, true);
            return;
        }
    }
    // reconcileOldReplicaSets.
    if reconcile_old(s) {
        s.flush_scales();
        progress::sync_status(s, true);
        return;
    }
    if progress::deployment_complete(s) {
        s.cleanup();
    }
    progress::sync_status(s, true);
}

fn reconcile_old(s: &mut Sync<'_>) -> bool {
    let old_pods: i64 = s.old.iter().map(|p| p.replicas).sum();
    if old_pods == 0 {
        return false;
    }
    let all_pods: i64 = s.all().map(|p| p.replicas).sum();
    let min_available = replicas_of(&s.d) - max_unavailable(&s.d);
    let new_unavailable = s
        .new_rs
        .as_ref()
        .map(|p| p.replicas - p.available())
        .unwrap_or(0);
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    // cleanupUnhealthyReplicas: old pods that are not available go first, oldest set first.
    let mut cleaned = 0;
    for p in s.old.iter_mut() {
        if cleaned >= max_scaled_down {
            break;
        }
        if p.replicas == 0 {
            continue;
        }
        let unhealthy = p.replicas - p.available();
        if unhealthy <= 0 {
            continue;
        }
        let n = (max_scaled_down - cleaned).min(unhealthy);
        p.replicas -= n;
        cleaned += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then available old pods, while enough remain.
    let available: i64 = s.all().map(|p| p.available().min(p.replicas)).sum();
    let mut scaled = 0;
    if available > min_available {
        let total = available - min_available;
        for p in s.old.iter_mut() {
            if scaled >= total {
                break;
            }
            if p.replicas == 0 {
                continue;
            }
            let n = p.replicas.min(total - scaled);
            p.replicas -= n;
            scaled += n;
        }
    }
    cleaned + scaled > 0
}
