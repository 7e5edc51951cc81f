//! `polymorphichelpers.StatusViewer`: the line `rollout status` prints for a Deployment,
//! DaemonSet or StatefulSet as it is now, and whether the rollout is done.

use serde_json::Value;

use crate::kubectl::deployment_util;

/// Which status viewer a kind has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusViewer {
    Deployment,
    DaemonSet,
    StatefulSet,
}

impl StatusViewer {
    /// `StatusViewerFor`: the error names the kind as `schema.GroupKind.String()` does.
    pub fn for_kind(group: &str, kind: &str) -> Result<StatusViewer, String> {
        match (group, kind) {
            ("apps" | "extensions", "Deployment") => Ok(StatusViewer::Deployment),
            ("apps" | "extensions", "DaemonSet") => Ok(StatusViewer::DaemonSet),
            ("apps", "StatefulSet") => Ok(StatusViewer::StatefulSet),
            _ => Err(format!(
                "no status viewer has been implemented for {}",
                group_kind(group, kind)
            )),
        }
    }

    /// `Status(obj, revision)`: the message (ending in a newline) and whether it is done.
    pub fn status(self, obj: &Value, revision: i64) -> Result<(String, bool), String> {
        match self {
            StatusViewer::Deployment => deployment_status(obj, revision),
            StatusViewer::DaemonSet => daemon_set_status(obj),
            StatusViewer::StatefulSet => stateful_set_status(obj),
        }
    }
}

/// `schema.GroupKind.String()`: `Deployment.apps`, or `Pod` for the core group.
pub fn group_kind(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn deployment_status(d: &Value, revision: i64) -> Result<(String, bool), String> {
    let name = d["metadata"]["name"].as_str().unwrap_or_default();
    let q = crate::kubectl::client::go_quote(name);
    if revision > 0 {
        let current = deployment_util::revision(d)
            .map_err(|e| format!("cannot get the revision of deployment {q}: {e}"))?;
        if revision != current {
            return Err(format!(
                "desired revision ({revision}) is different from the running revision ({current})"
            ));
        }
    }
    let status = &d["status"];
    if int(&d["metadata"]["generation"]) <= int(&status["observedGeneration"]) {
        let progressing = status["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Progressing");
        if progressing.is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
            return Err(format!("deployment {q} exceeded its progress deadline"));
        }
        let updated = int(&status["updatedReplicas"]);
        if let Some(spec) = d["spec"]["replicas"].as_i64() {
            if updated < spec {
                return Ok((format!("Waiting for deployment {q} rollout to finish: {updated} out of {spec} new replicas have been updated...\n"), false));
            }
        }
        let replicas = int(&status["replicas"]);
        if replicas > updated {
            return Ok((
                format!(
                    "Waiting for deployment {q} rollout to finish: {} old replicas are pending termination...\n",
                    replicas - updated
                ),
                false,
            ));
        }
        let available = int(&status["availableReplicas"]);
        if available < updated {
            return Ok((format!("Waiting for deployment {q} rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
        }
        return Ok((format!("deployment {q} successfully rolled out\n"), true));
    }
    Ok((
        "Waiting for deployment spec update to be observed...\n".to_string(),
        false,
    ))
}

fn daemon_set_status(ds: &Value) -> Result<(String, bool), String> {
    let name = ds["metadata"]["name"].as_str().unwrap_or_default();
    let q = crate::kubectl::client::go_quote(name);
    if ds["spec"]["updateStrategy"]["type"] != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let status = &ds["status"];
    if int(&ds["metadata"]["generation"]) <= int(&status["observedGeneration"]) {
        let desired = int(&status["desiredNumberScheduled"]);
        let updated = int(&status["updatedNumberScheduled"]);
        if updated < desired {
            return Ok((format!("Waiting for daemon set {q} rollout to finish: {updated} out of {desired} new pods have been updated...\n"), false));
        }
        let available = int(&status["numberAvailable"]);
        if available < desired {
            return Ok((format!("Waiting for daemon set {q} rollout to finish: {available} of {desired} updated pods are available...\n"), false));
        }
        return Ok((format!("daemon set {q} successfully rolled out\n"), true));
    }
    Ok((
        "Waiting for daemon set spec update to be observed...\n".to_string(),
        false,
    ))
}

fn stateful_set_status(sts: &Value) -> Result<(String, bool), String> {
    let strategy = &sts["spec"]["updateStrategy"];
    if strategy["type"] != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let status = &sts["status"];
    let observed = int(&status["observedGeneration"]);
    if observed == 0 || int(&sts["metadata"]["generation"]) > observed {
        return Ok((
            "Waiting for statefulset spec update to be observed...\n".to_string(),
            false,
        ));
    }
    let replicas = sts["spec"]["replicas"].as_i64();
    let ready = int(&status["readyReplicas"]);
    if let Some(r) = replicas {
        if ready < r {
            return Ok((
                format!("Waiting for {} pods to be ready...\n", r - ready),
                false,
            ));
        }
    }
    let updated = int(&status["updatedReplicas"]);
    if strategy["rollingUpdate"].is_object() {
        if let (Some(r), Some(partition)) =
            (replicas, strategy["rollingUpdate"]["partition"].as_i64())
        {
            if updated < r - partition {
                return Ok((format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", r - partition), false));
            }
        }
        return Ok((
            format!("partitioned roll out complete: {updated} new pods have been updated...\n"),
            true,
        ));
    }
    let update_rev = status["updateRevision"].as_str().unwrap_or_default();
    let current_rev = status["currentRevision"].as_str().unwrap_or_default();
    if update_rev != current_rev {
        return Ok((format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"), false));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {current_rev}...\n",
            int(&status["currentReplicas"])
        ),
        true,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(generation: i64, status: Value) -> Value {
        json!({"metadata": {"name": "web", "generation": generation}, "spec": {"replicas": 3}, "status": status})
    }

    #[test]
    fn a_deployment_rollout_reads_like_kubectl() {
        let v = StatusViewer::Deployment;
        assert_eq!(
            v.status(&deployment(2, json!({"observedGeneration": 1})), 0),
            Ok((
                "Waiting for deployment spec update to be observed...\n".into(),
                false
            ))
        );
        assert_eq!(
            v.status(&deployment(2, json!({"observedGeneration": 2, "updatedReplicas": 1, "replicas": 3})), 0),
            Ok(("Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n".into(), false))
        );
        assert_eq!(
            v.status(&deployment(2, json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 4})), 0),
            Ok(("Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n".into(), false))
        );
        assert_eq!(
            v.status(&deployment(2, json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 1})), 0),
            Ok(("Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...\n".into(), false))
        );
        assert_eq!(
            v.status(&deployment(2, json!({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 3})), 0),
            Ok(("deployment \"web\" successfully rolled out\n".into(), true))
        );
        let stuck = deployment(
            2,
            json!({"observedGeneration": 2, "conditions": [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]}),
        );
        assert_eq!(
            v.status(&stuck, 0),
            Err("deployment \"web\" exceeded its progress deadline".into())
        );
        let mut pinned = deployment(2, json!({"observedGeneration": 2}));
        pinned["metadata"]["annotations"] = json!({"deployment.kubernetes.io/revision": "3"});
        assert_eq!(
            v.status(&pinned, 2),
            Err("desired revision (2) is different from the running revision (3)".into())
        );
    }

    #[test]
    fn daemon_sets_and_stateful_sets_have_their_own_texts() {
        let ds = json!({"metadata": {"name": "agent", "generation": 1},
            "spec": {"updateStrategy": {"type": "RollingUpdate"}},
            "status": {"observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 2}});
        assert_eq!(
            StatusViewer::DaemonSet.status(&ds, 0),
            Ok(("Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available...\n".into(), false))
        );
        let sts = json!({"metadata": {"name": "db", "generation": 1},
            "spec": {"replicas": 2, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}},
            "status": {"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 2}});
        assert_eq!(
            StatusViewer::StatefulSet.status(&sts, 0),
            Ok((
                "partitioned roll out complete: 2 new pods have been updated...\n".into(),
                true
            ))
        );
        assert_eq!(
            StatusViewer::for_kind("", "Pod"),
            Err("no status viewer has been implemented for Pod".into())
        );
    }
}
