//! The Pod printer (`printPod`): READY, the STATUS reason kubectl users know (`ContainerCreating`,
//! `CrashLoopBackOff`, `Terminating`...), RESTARTS with the last restart's age.

use serde_json::{json, Value};

use super::{age, col, or_none, parse_rfc3339, str_at, wide, Column, AGE, NAME};
use crate::sim::SimTime;

pub const COLUMNS: &[Column] = &[
    NAME,
    col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", "The aggregate status of the containers in this pod."),
    col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    AGE,
    wide("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
    wide("Node", "string", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename"),
    wide("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled."),
    wide("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"),
];

fn condition_true(pod: &Value, kind: &str) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == kind && c["status"] == "True")
        })
}

/// The cells of one pod.
pub fn row(pod: &Value, now: SimTime) -> Vec<Value> {
    let total = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut ready = 0;
    let mut restarts: i64 = 0;
    let mut last_restart: Option<i64> = None;
    let phase = str_at(pod, "/status/phase");
    let mut reason = match str_at(pod, "/status/reason") {
        "" => phase.to_string(),
        r => r.to_string(),
    };
    if pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated")
        })
    {
        reason = "SchedulingGated".to_string();
    }
    // Init containers first: while one has not finished, the pod is initializing.
    let init_total = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut initializing = false;
    if let Some(inits) = pod
        .pointer("/status/initContainerStatuses")
        .and_then(Value::as_array)
    {
        for (i, c) in inits.iter().enumerate() {
            restarts += c["restartCount"].as_i64().unwrap_or(0);
            let state = &c["state"];
            if state["terminated"].is_object() && state["terminated"]["exitCode"] == 0 {
                continue;
            }
            initializing = true;
            reason = if let Some(r) = state["terminated"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                format!("Init:{r}")
            } else if state["terminated"].is_object() {
                format!(
                    "Init:ExitCode:{}",
                    state["terminated"]["exitCode"].as_i64().unwrap_or(0)
                )
            } else if let Some(r) = state["waiting"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty() && *r != "PodInitializing")
            {
                format!("Init:{r}")
            } else {
                format!("Init:{i}/{init_total}")
            };
            break;
        }
    }
    if !initializing || condition_true(pod, "Initialized") {
        let mut has_running = false;
        if let Some(cs) = pod
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
        {
            for c in cs.iter().rev() {
                restarts += c["restartCount"].as_i64().unwrap_or(0);
                if let Some(t) = c
                    .pointer("/lastState/terminated/finishedAt")
                    .and_then(Value::as_str)
                    .and_then(parse_rfc3339)
                {
                    last_restart = Some(last_restart.map_or(t, |l| l.max(t)));
                }
                let state = &c["state"];
                if let Some(r) = state["waiting"]["reason"]
                    .as_str()
                    .filter(|r| !r.is_empty())
                {
                    reason = r.to_string();
                } else if let Some(r) = state["terminated"]["reason"]
                    .as_str()
                    .filter(|r| !r.is_empty())
                {
                    reason = r.to_string();
                } else if state["terminated"].is_object() {
                    reason = match state["terminated"]["signal"].as_i64().filter(|s| *s != 0) {
                        Some(sig) => format!("Signal:{sig}"),
                        None => format!(
                            "ExitCode:{}",
                            state["terminated"]["exitCode"].as_i64().unwrap_or(0)
                        ),
                    };
                } else if c["ready"] == true && state["running"].is_object() {
                    has_running = true;
                    ready += 1;
                }
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(pod, "Ready") {
                "Running"
            } else {
                "NotReady"
            }
            .to_string();
        }
    }
    let deleting = pod.pointer("/metadata/deletionTimestamp").is_some();
    if deleting && str_at(pod, "/status/reason") == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }
    let restarts_cell = match last_restart {
        Some(t) if restarts != 0 => format!(
            "{restarts} ({} ago)",
            super::human_duration(now.unix_seconds() as i64 - t)
        ),
        _ => restarts.to_string(),
    };
    let gates = pod
        .pointer("/spec/readinessGates")
        .and_then(Value::as_array);
    let gates_cell = match gates {
        Some(g) if !g.is_empty() => {
            let met = g
                .iter()
                .filter(|gate| condition_true(pod, gate["conditionType"].as_str().unwrap_or("")))
                .count();
            format!("{met}/{}", g.len())
        }
        _ => "<none>".to_string(),
    };
    vec![
        json!(str_at(pod, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_cell),
        json!(age(pod.pointer("/metadata/creationTimestamp"), now)),
        json!(or_none(str_at(pod, "/status/podIP"))),
        json!(or_none(str_at(pod, "/spec/nodeName"))),
        json!(or_none(str_at(pod, "/status/nominatedNodeName"))),
        json!(gates_cell),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(status: Value) -> Value {
        json!({"metadata": {"name": "web", "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"containers": [{"name": "c"}]}, "status": status})
    }

    #[test]
    fn statuses_read_like_kubectl_get_pods() {
        let now = SimTime(65_000);
        let pending = row(&pod(json!({"phase": "Pending"})), now);
        assert_eq!(
            pending[..5],
            [
                json!("web"),
                json!("0/1"),
                json!("Pending"),
                json!("0"),
                json!("65s")
            ]
        );
        let creating = row(
            &pod(
                json!({"phase": "Pending", "containerStatuses": [{"name": "c", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}]}),
            ),
            now,
        );
        assert_eq!(creating[2], "ContainerCreating");
        let running = row(
            &pod(
                json!({"phase": "Running", "podIP": "10.244.1.5", "containerStatuses": [{"name": "c", "ready": true, "restartCount": 0, "state": {"running": {}}}]}),
            ),
            now,
        );
        assert_eq!(
            (running[1].clone(), running[2].clone(), running[5].clone()),
            (json!("1/1"), json!("Running"), json!("10.244.1.5"))
        );
        let crashing = row(
            &pod(
                json!({"phase": "Running", "containerStatuses": [{"name": "c", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:00:50Z"}}}]}),
            ),
            now,
        );
        assert_eq!(
            (crashing[2].clone(), crashing[3].clone()),
            (json!("CrashLoopBackOff"), json!("3 (15s ago)"))
        );
        let mut deleting = pod(json!({"phase": "Running"}));
        deleting["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:01:00Z");
        assert_eq!(row(&deleting, now)[2], "Terminating");
    }
}
