//! ComponentStatus (`GET /api/v1/componentstatuses[/<name>]`, `kubectl get cs`): deprecated
//! since v1.19 but still served. Nothing is stored: each read probes the components the
//! server knows of (`pkg/registry/core/componentstatus`): the controller-manager and the
//! scheduler by HTTPS `GET /healthz` on their default secure ports of the control-plane node
//! (`https://127.0.0.1:10257/healthz`, `:10259`), etcd by a read of the key `health`, each
//! with a 20-second timeout. A list has the statuses in the order their probes finished.
//!
//! In the simulation the probes are messages to the components' actors (which answer
//! `/healthz` with `ok`) and an etcd range request; a stopped component never answers, so its
//! probe times out, as a probe of a hung process does (a real crashed process refuses the
//! connection at once instead).

use serde_json::{json, Value};

use crate::sim::{Addr, SimDuration};

/// The deprecation filter's warning on every request for the resource.
pub const DEPRECATION_WARNING: &str = "v1 ComponentStatus is deprecated in v1.19+";

/// `probeTimeOut`.
pub const PROBE_TIMEOUT: SimDuration = SimDuration::from_secs(20);

/// What a probe asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An HTTPS `GET /healthz` of a component on the control-plane node.
    Healthz { port: u16, actor: ProbedActor },
    /// etcd: `Get("health")` through the storage backend's client.
    Etcd,
}

/// The component actors an HTTP probe reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbedActor {
    ControllerManager,
    Scheduler,
}

impl ProbedActor {
    pub fn addr(self) -> Addr {
        match self {
            ProbedActor::ControllerManager => Addr::ControllerManager,
            ProbedActor::Scheduler => Addr::Scheduler,
        }
    }
}

/// `serversToValidate`: the components, by the names the statuses carry.
pub fn servers() -> [(&'static str, Target); 3] {
    [
        (
            "controller-manager",
            Target::Healthz {
                port: 10257,
                actor: ProbedActor::ControllerManager,
            },
        ),
        (
            "scheduler",
            Target::Healthz {
                port: 10259,
                actor: ProbedActor::Scheduler,
            },
        ),
        ("etcd-0", Target::Etcd),
    ]
}

/// The probed URL of an HTTP target.
pub fn url(port: u16) -> String {
    format!("https://127.0.0.1:{port}/healthz")
}

/// One probe's outcome: the condition's status, message and error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub healthy: bool,
    pub message: String,
    pub error: String,
}

/// `httpprober.DoHTTPProbe` over the answer (2xx: healthy with the body; 3xx: a terminated
/// redirect; otherwise failed with the status code), or over no answer within the timeout
/// (the client's error as the message).
pub fn http_outcome(port: u16, answer: Option<(u16, &str)>) -> Outcome {
    match answer {
        Some((code, body)) if (200..300).contains(&code) => Outcome {
            healthy: true,
            message: body.to_string(),
            error: String::new(),
        },
        Some((code, body)) if (300..400).contains(&code) => Outcome {
            // probe.Warning is not probe.Success: the condition is not True.
            healthy: false,
            message: format!("Probe terminated redirects, Response body: {body}"),
            error: String::new(),
        },
        Some((code, _)) => Outcome {
            healthy: false,
            message: format!("HTTP probe failed with statuscode: {code}"),
            error: String::new(),
        },
        None => Outcome {
            healthy: false,
            message: format!(
                "Get \"{}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                url(port)
            ),
            error: String::new(),
        },
    }
}

/// `EtcdServer.DoServerCheck`: `ok` when the read answered, the client's error otherwise.
pub fn etcd_outcome(error: Option<&str>) -> Outcome {
    match error {
        None => Outcome {
            healthy: true,
            message: "ok".into(),
            error: String::new(),
        },
        Some(e) => Outcome {
            healthy: false,
            message: String::new(),
            error: format!("error getting data from etcd: {e}"),
        },
    }
}

/// A `v1.ComponentStatus` (`getComponentStatus`): one `Healthy` condition. Items of a list
/// carry no kind of their own.
pub fn status_object(name: &str, outcome: &Outcome, with_kind: bool) -> Value {
    let mut condition = json!({
        "type": "Healthy",
        "status": if outcome.healthy { "True" } else { "False" },
    });
    if !outcome.message.is_empty() {
        condition["message"] = json!(outcome.message);
    }
    if !outcome.error.is_empty() {
        condition["error"] = json!(outcome.error);
    }
    let body = json!({
        "metadata": {"name": name, "creationTimestamp": null},
        "conditions": [condition],
    });
    if !with_kind {
        return body;
    }
    json!({
        "kind": "ComponentStatus",
        "apiVersion": "v1",
        "metadata": body["metadata"],
        "conditions": body["conditions"],
    })
}

/// A `v1.ComponentStatusList` of the statuses in the order given.
pub fn list(statuses: &[(String, Outcome)]) -> Value {
    let items: Vec<Value> = statuses
        .iter()
        .map(|(name, o)| status_object(name, o, false))
        .collect();
    json!({
        "kind": "ComponentStatusList",
        "apiVersion": "v1",
        "metadata": {},
        "items": items,
    })
}

/// The answer to a get of a component the server does not know: a plain Go error, which
/// the handler turns into a 500 without a reason.
pub fn not_found_message(name: &str) -> String {
    format!("Component not found: {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_read_like_the_real_prober() {
        assert_eq!(
            http_outcome(10259, Some((200, "ok"))),
            Outcome {
                healthy: true,
                message: "ok".into(),
                error: String::new()
            }
        );
        assert_eq!(
            http_outcome(10257, Some((503, "not ready"))).message,
            "HTTP probe failed with statuscode: 503"
        );
        assert_eq!(
            http_outcome(10259, None).message,
            "Get \"https://127.0.0.1:10259/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        );
        let etcd = etcd_outcome(Some("context deadline exceeded"));
        assert!(!etcd.healthy && etcd.message.is_empty());
        assert_eq!(
            etcd.error,
            "error getting data from etcd: context deadline exceeded"
        );
        assert_eq!(
            status_object("etcd-0", &etcd_outcome(None), true),
            json!({"kind": "ComponentStatus", "apiVersion": "v1",
                   "metadata": {"name": "etcd-0", "creationTimestamp": null},
                   "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}]})
        );
    }
}
