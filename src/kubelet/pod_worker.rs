//! A pod worker: what the kubelet knows of one pod's containers (their state, restarts and
//! back-offs), and the status it computes from that (`generateAPIPodStatus`): phase, the pod
//! conditions, IPs, start time and container statuses.

use std::sync::Arc;

use serde_json::{json, Value};

use super::cri::{image_id, normalize_image, Exit, ProcessBehaviour};
use super::{BACKOFF_INITIAL, BACKOFF_MAX};
use crate::sim::{SimDuration, SimTime};

/// A container's state (`ContainerState`).
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    Waiting {
        reason: String,
        message: String,
    },
    Running {
        started_at: SimTime,
    },
    Terminated {
        exit_code: i32,
        started_at: SimTime,
        finished_at: SimTime,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerRecord {
    pub name: String,
    pub image: String,
    pub container_id: String,
    pub state: State,
    pub last_terminated: Option<Value>,
    pub restart_count: u64,
    pub behaviour: ProcessBehaviour,
    pub readiness_fails: bool,
    /// Crash back-off: the delay before the next restart (None: restart at once).
    pub crash_backoff: Option<SimDuration>,
    /// Image pull back-off: until when, the current delay, and the last error.
    pub pull_backoff: Option<(SimTime, SimDuration, String)>,
    /// Not before this time may the container be (re)started.
    pub retry_at: SimTime,
    pub ever_started: bool,
}

/// The simulated readiness probe rule: an `exec` probe whose command mentions `false` or
/// `exit 1`, or an `httpGet` probe whose path contains `fail`, fails; any other probe passes.
pub fn readiness_fails(container: &Value) -> bool {
    let Some(probe) = container.get("readinessProbe") else {
        return false;
    };
    let exec: Vec<&str> = probe
        .pointer("/exec/command")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let exec = exec.join(" ");
    let path = probe
        .pointer("/httpGet/path")
        .and_then(Value::as_str)
        .unwrap_or("");
    exec.split_whitespace().any(|w| w == "false")
        || exec.contains("exit 1")
        || path.contains("fail")
}

#[derive(Clone, Debug)]
pub struct PodWorker {
    pub key: String,
    pub pod: Arc<Value>,
    pub host_ip: String,
    pub pod_ip: Option<String>,
    pub start_time: SimTime,
    pub containers: Vec<ContainerRecord>,
    pub sandbox_ready_at: Option<SimTime>,
    /// When the sandbox of a terminal pod was stopped.
    pub sandbox_stopped_at: Option<SimTime>,
    pub created_at: SimTime,
    /// When ContainersReady last changed.
    pub ready_changed: SimTime,
    pub was_ready: bool,
    pub terminating: bool,
    /// A container is being pulled, created or started.
    pub busy: bool,
    pub static_pod: bool,
    pub static_status: Option<Value>,
    pub last_reported: Option<Value>,
    /// The pod's final status is on its way: its DELETE follows the answer (the status
    /// manager patches, then deletes, in one sync).
    pub delete_after_status: bool,
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

impl PodWorker {
    pub fn new(key: &str, pod: Arc<Value>, host_ip: &str, now: SimTime) -> PodWorker {
        let containers = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| ContainerRecord {
                name: s(c, "/name").to_string(),
                image: s(c, "/image").to_string(),
                container_id: String::new(),
                state: State::Waiting {
                    reason: "ContainerCreating".into(),
                    message: String::new(),
                },
                last_terminated: None,
                restart_count: 0,
                behaviour: ProcessBehaviour::of(c),
                readiness_fails: readiness_fails(c),
                crash_backoff: None,
                pull_backoff: None,
                retry_at: now,
                ever_started: false,
            })
            .collect();
        PodWorker {
            key: key.to_string(),
            pod,
            host_ip: host_ip.to_string(),
            pod_ip: None,
            start_time: now,
            containers,
            sandbox_ready_at: None,
            sandbox_stopped_at: None,
            created_at: now,
            ready_changed: now,
            was_ready: false,
            terminating: false,
            busy: false,
            static_pod: false,
            static_status: None,
            last_reported: None,
            delete_after_status: false,
        }
    }

    pub fn for_static_pod(key: &str, pod: Arc<Value>, host_ip: &str, now: SimTime) -> PodWorker {
        let mut w = PodWorker::new(key, pod, host_ip, now);
        w.static_pod = true;
        w.sandbox_ready_at = Some(now);
        for c in &mut w.containers {
            c.state = State::Running { started_at: now };
            c.ever_started = true;
        }
        w
    }

    pub fn namespace(&self) -> &str {
        s(&self.pod, "/metadata/namespace")
    }
    pub fn name(&self) -> &str {
        s(&self.pod, "/metadata/name")
    }
    pub fn uid(&self) -> &str {
        s(&self.pod, "/metadata/uid")
    }
    /// `format.Pod`: `name_namespace(uid)`.
    pub fn pod_ref(&self) -> String {
        format!("{}_{}({})", self.name(), self.namespace(), self.uid())
    }
    pub fn host_network(&self) -> bool {
        self.pod
            .pointer("/spec/hostNetwork")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    fn restart_policy(&self) -> &str {
        match s(&self.pod, "/spec/restartPolicy") {
            "" => "Always",
            p => p,
        }
    }
    pub fn grace_period_seconds(&self) -> u64 {
        self.pod
            .pointer("/metadata/deletionGracePeriodSeconds")
            .or_else(|| self.pod.pointer("/spec/terminationGracePeriodSeconds"))
            .and_then(Value::as_u64)
            .unwrap_or(30)
    }

    pub fn container(&self, name: &str) -> Option<&ContainerRecord> {
        self.containers.iter().find(|c| c.name == name)
    }
    fn container_mut(&mut self, name: &str) -> Option<&mut ContainerRecord> {
        self.containers.iter_mut().find(|c| c.name == name)
    }
    /// The first container waiting for `image` (the one a pull was for).
    pub fn container_with_image(&self, image: &str) -> Option<String> {
        self.containers
            .iter()
            .find(|c| c.image == *image && matches!(c.state, State::Waiting { .. }))
            .map(|c| c.name.clone())
    }

    pub fn sandbox_ready(&mut self, ip: String, now: SimTime) {
        self.pod_ip = Some(ip);
        self.sandbox_ready_at = Some(now);
    }

    /// StopPodSandbox for a terminal pod.
    pub fn sandbox_stopped(&mut self, now: SimTime) {
        self.sandbox_stopped_at = Some(now);
    }

    /// The next container to (re)start now, in spec order.
    pub fn next_to_start(&self, now: SimTime) -> Option<usize> {
        let policy = self.restart_policy().to_string();
        self.containers.iter().position(|c| {
            let due = c.retry_at <= now;
            match &c.state {
                State::Waiting { .. } => due,
                State::Terminated { exit_code, .. } => {
                    due && (policy == "Always" || (policy == "OnFailure" && *exit_code != 0))
                }
                State::Running { .. } => false,
            }
        })
    }

    /// When the next (re)start is due, for a kubelet that restarted and lost its timers.
    pub fn next_retry(&self) -> Option<SimTime> {
        self.containers
            .iter()
            .filter(|c| !matches!(c.state, State::Running { .. }))
            .map(|c| c.retry_at)
            .min()
    }

    pub fn all_running(&self) -> bool {
        self.containers
            .iter()
            .all(|c| matches!(c.state, State::Running { .. }))
    }

    pub fn running_containers(&self) -> Vec<String> {
        self.containers
            .iter()
            .filter(|c| matches!(c.state, State::Running { .. }))
            .map(|c| c.name.clone())
            .collect()
    }

    pub fn all_stopped(&self) -> bool {
        !self
            .containers
            .iter()
            .any(|c| matches!(c.state, State::Running { .. }))
    }

    /// A pull failed: ErrImagePull, and the back-off (10 s, doubling to 300 s) before the next.
    pub fn pull_failed(&mut self, name: &str, error: &str, now: SimTime) -> SimDuration {
        let c = self.container_mut(name).expect("the container pulled");
        let delay = match &c.pull_backoff {
            None => BACKOFF_INITIAL,
            Some((_, d, _)) => {
                SimDuration::from_millis((d.as_millis() * 2).min(BACKOFF_MAX.as_millis()))
            }
        };
        // `evalCRIPullErr`: the waiting message is the runtime's error as it came.
        let message = error.to_string();
        c.pull_backoff = Some((now + delay, delay, message.clone()));
        c.retry_at = now + delay;
        c.state = State::Waiting {
            reason: "ErrImagePull".into(),
            message,
        };
        delay
    }

    /// If the container is in its pull back-off, turn it to ImagePullBackOff; returns the image.
    pub fn in_pull_backoff(&mut self, name: &str, now: SimTime) -> Option<String> {
        let c = self.container_mut(name)?;
        let (until, _, err) = c.pull_backoff.clone()?;
        if now >= until
            || !matches!(&c.state, State::Waiting { reason, .. } if reason == "ErrImagePull")
        {
            return None;
        }
        c.state = State::Waiting {
            reason: "ImagePullBackOff".into(),
            message: format!(
                "Back-off pulling image \"{}\": ErrImagePull: {err}",
                c.image
            ),
        };
        Some(c.image.clone())
    }

    pub fn created(&mut self, name: &str, id: &str) {
        if let Some(c) = self.container_mut(name) {
            if c.ever_started {
                c.restart_count += 1;
            }
            c.container_id = id.to_string();
            c.pull_backoff = None;
        }
    }

    /// StartContainer succeeded; returns when and how the process will exit by itself, if it
    /// will.
    pub fn started(&mut self, name: &str, now: SimTime) -> Option<Option<Exit>> {
        let c = self.container_mut(name)?;
        if let State::Terminated { .. } = c.state {
            c.last_terminated = Some(terminated_json(&c.state, &c.container_id));
        }
        c.state = State::Running { started_at: now };
        c.ever_started = true;
        Some(c.behaviour.exit)
    }

    /// The container's process exited; false if it was not running.
    pub fn exited(&mut self, name: &str, code: i32, now: SimTime) -> bool {
        let Some(c) = self.container_mut(name) else {
            return false;
        };
        let State::Running { started_at } = c.state else {
            return false;
        };
        // Keep the old container id in the terminated state (restart replaces it).
        c.state = State::Terminated {
            exit_code: code,
            started_at,
            finished_at: now,
        };
        true
    }

    /// After an exit: `None` if the policy does not restart it; `Some(None)` to restart now
    /// (the first failure); `Some(Some(delay))` to wait out CrashLoopBackOff.
    pub fn restart_delay(&mut self, name: &str) -> Option<Option<SimDuration>> {
        let policy = self.restart_policy().to_string();
        let pod_ref = self.pod_ref();
        let c = self.container_mut(name)?;
        let State::Terminated {
            exit_code,
            finished_at,
            ..
        } = c.state.clone()
        else {
            return None;
        };
        if policy == "Never" || (policy == "OnFailure" && exit_code == 0) {
            return None;
        }
        match c.crash_backoff {
            None => {
                c.crash_backoff = Some(BACKOFF_INITIAL);
                c.retry_at = finished_at;
                Some(None)
            }
            Some(delay) => {
                c.crash_backoff = Some(SimDuration::from_millis(
                    (delay.as_millis() * 2).min(BACKOFF_MAX.as_millis()),
                ));
                c.retry_at = finished_at + delay;
                c.last_terminated = Some(terminated_json(&c.state, &c.container_id));
                c.state = State::Waiting {
                    reason: "CrashLoopBackOff".into(),
                    message: format!(
                        "back-off {} restarting failed container={name} pod={pod_ref}",
                        super::go_duration(delay.as_millis())
                    ),
                };
                Some(Some(delay))
            }
        }
    }

    fn container_ready(&self, c: &ContainerRecord) -> bool {
        matches!(c.state, State::Running { .. }) && !c.readiness_fails && !self.terminating
    }

    /// `getPhase`.
    pub fn phase(&self) -> &'static str {
        let pending = self
            .containers
            .iter()
            .filter(|c| {
                matches!(c.state, State::Waiting { .. })
                    && c.last_terminated.is_none()
                    && !c.ever_started
            })
            .count();
        if pending > 0 {
            return "Pending";
        }
        let terminated: Vec<i32> = self
            .containers
            .iter()
            .filter_map(|c| match c.state {
                State::Terminated { exit_code, .. } => Some(exit_code),
                _ => None,
            })
            .collect();
        let all_done = terminated.len() == self.containers.len();
        let restarts = !self.terminating
            && match self.restart_policy() {
                "Always" => true,
                "OnFailure" => terminated.iter().any(|c| *c != 0),
                _ => false,
            };
        if all_done && !restarts {
            if terminated.iter().all(|c| *c == 0) {
                "Succeeded"
            } else {
                "Failed"
            }
        } else {
            "Running"
        }
    }

    /// The status the kubelet reports (`generateAPIPodStatus`).
    pub fn status(&mut self, now: SimTime) -> Value {
        if let Some(st) = &self.static_status {
            return st.clone();
        }
        let ready =
            !self.containers.is_empty() && self.containers.iter().all(|c| self.container_ready(c));
        if ready != self.was_ready {
            self.was_ready = ready;
            self.ready_changed = now;
        }
        let t = |x: SimTime| x.rfc3339();
        let phase = self.phase();
        // A terminal pod's Ready and ContainersReady say why it is not ready
        // (`generateContainersReadyConditionForTerminalPhase`).
        let terminal_reason = match phase {
            "Succeeded" => Some("PodCompleted"),
            "Failed" => Some("PodFailed"),
            _ => None,
        };
        let unready: Vec<&str> = self
            .containers
            .iter()
            .filter(|c| !self.container_ready(c))
            .map(|c| c.name.as_str())
            .collect();
        let ready_cond = |kind: &str| {
            if let Some(reason) = terminal_reason {
                json!({"type": kind, "status": "False", "lastProbeTime": null, "lastTransitionTime": t(self.ready_changed), "reason": reason})
            } else if ready {
                json!({"type": kind, "status": "True", "lastProbeTime": null, "lastTransitionTime": t(self.ready_changed)})
            } else {
                json!({"type": kind, "status": "False", "lastProbeTime": null, "lastTransitionTime": t(self.ready_changed),
                       "reason": "ContainersNotReady", "message": format!("containers with unready status: [{}]", unready.join(" "))})
            }
        };
        let sandbox = match (self.sandbox_ready_at, self.sandbox_stopped_at) {
            (_, Some(at)) => {
                json!({"type": "PodReadyToStartContainers", "status": "False", "lastProbeTime": null, "lastTransitionTime": t(at)})
            }
            (Some(at), None) if !self.terminating || self.pod_ip.is_some() => {
                json!({"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null, "lastTransitionTime": t(at)})
            }
            _ => {
                json!({"type": "PodReadyToStartContainers", "status": "False", "lastProbeTime": null, "lastTransitionTime": t(self.created_at)})
            }
        };
        // A succeeded pod's Initialized says PodCompleted (`GeneratePodInitializedCondition`).
        let mut initialized = json!({"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": t(self.created_at)});
        if phase == "Succeeded" {
            initialized["reason"] = json!("PodCompleted");
        }
        let mut conditions = vec![
            sandbox,
            initialized,
            ready_cond("Ready"),
            ready_cond("ContainersReady"),
        ];
        // PodScheduled is the scheduler's; the kubelet keeps it as it stands.
        if let Some(sched) = self
            .pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c["type"] == "PodScheduled"))
        {
            conditions.push(sched.clone());
        } else {
            conditions.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": t(self.created_at)}));
        }
        let statuses: Vec<Value> = self
            .containers
            .iter()
            .map(|c| {
                let running = matches!(c.state, State::Running { .. });
                let state = match &c.state {
                    State::Waiting { reason, message } if message.is_empty() => {
                        json!({"waiting": {"reason": reason}})
                    }
                    State::Waiting { reason, message } => {
                        json!({"waiting": {"reason": reason, "message": message}})
                    }
                    State::Running { started_at } => {
                        json!({"running": {"startedAt": t(*started_at)}})
                    }
                    st @ State::Terminated { .. } => terminated_json(st, &c.container_id),
                };
                let pulled = c.ever_started || !c.container_id.is_empty();
                let mut v = json!({
                    "name": c.name,
                    "state": state,
                    "lastState": c.last_terminated.clone().unwrap_or_else(|| json!({})),
                    "ready": self.container_ready(c),
                    "restartCount": c.restart_count,
                    "image": if pulled { normalize_image(&c.image) } else { c.image.clone() },
                    "imageID": if pulled { image_id(&c.image) } else { String::new() },
                });
                if !c.container_id.is_empty() {
                    v["containerID"] = json!(format!("containerd://{}", c.container_id));
                }
                v["started"] = json!(running);
                v
            })
            .collect();
        let mut status = json!({
            "phase": phase,
            "conditions": conditions,
            "hostIP": self.host_ip,
            "hostIPs": [{"ip": self.host_ip}],
        });
        if let Some(ip) = &self.pod_ip {
            status["podIP"] = json!(ip);
            status["podIPs"] = json!([{"ip": ip}]);
        }
        status["startTime"] = json!(t(self.start_time));
        status["containerStatuses"] = json!(statuses);
        if let Some(q) = self.pod.pointer("/status/qosClass") {
            status["qosClass"] = q.clone();
        }
        status
    }
}

fn terminated_json(state: &State, id: &str) -> Value {
    match state {
        State::Terminated {
            exit_code,
            started_at,
            finished_at,
        } => json!({"terminated": {
            "exitCode": exit_code,
            "reason": if *exit_code == 0 { "Completed" } else { "Error" },
            "startedAt": started_at.rfc3339(),
            "finishedAt": finished_at.rfc3339(),
            "containerID": format!("containerd://{id}"),
        }}),
        _ => json!({}),
    }
}
