//! What `expose` reads from the exposed object (`canbeexposed.go`,
//! `mapbasedselectorforobject.go`, `portsforobject.go`, `protocolsforobject.go`): whether the
//! kind can be exposed, the pod selector, the ports and their protocols.

use serde_json::Value;

use super::rollout_status::group_kind;

/// `CanBeExposed`.
pub fn can_be_exposed(group: &str, kind: &str) -> Result<(), String> {
    match (group, kind) {
        ("", "ReplicationController" | "Service" | "Pod")
        | ("apps" | "extensions", "Deployment" | "ReplicaSet") => Ok(()),
        _ => Err(format!("cannot expose a {}", group_kind(group, kind))),
    }
}

/// `MakeLabels`: `k=v` pairs joined by commas (sorted here; Go's map order is random).
pub fn make_labels(labels: &Value) -> String {
    let mut pairs: Vec<String> = labels
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    pairs.join(",")
}

fn has_entries(v: &Value) -> bool {
    v.as_object().is_some_and(|m| !m.is_empty())
}

/// `mapBasedSelectorForObject`.
pub fn map_based_selector(group: &str, kind: &str, obj: &Value) -> Result<String, String> {
    let selector = &obj["spec"]["selector"];
    let expressions = || {
        if selector["matchExpressions"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            Err(format!(
                "couldn't convert expressions - \"{}\" to map-based selector format",
                crate::golang::fmt::v(&selector["matchExpressions"])
            ))
        } else {
            Ok(())
        }
    };
    match (group, kind) {
        ("", "ReplicationController") => Ok(make_labels(selector)),
        ("", "Pod") => {
            if !has_entries(&obj["metadata"]["labels"]) {
                return Err("the pod has no labels and cannot be exposed".into());
            }
            Ok(make_labels(&obj["metadata"]["labels"]))
        }
        ("", "Service") => {
            if selector.is_null() {
                return Err("the service has no pod selector set".into());
            }
            Ok(make_labels(selector))
        }
        ("apps", "Deployment" | "ReplicaSet") => {
            if !has_entries(&selector["matchLabels"]) {
                let what = if kind == "Deployment" {
                    "deployment"
                } else {
                    "replicaset"
                };
                return Err(format!(
                    "invalid {what}: no selectors, therefore cannot be exposed"
                ));
            }
            expressions()?;
            Ok(make_labels(&selector["matchLabels"]))
        }
        _ => Err(format!("cannot extract pod selector from *v1.{kind}")),
    }
}

fn container_ports(spec: &Value) -> Vec<(String, String)> {
    spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .map(|p| {
            (
                p["containerPort"].as_i64().unwrap_or(0).to_string(),
                p["protocol"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `PortsForObject` with `ProtocolsForObject`: each port (as a string) with its protocol.
pub fn ports_for_object(
    group: &str,
    kind: &str,
    obj: &Value,
) -> Result<Vec<(String, String)>, String> {
    match (group, kind) {
        ("", "Pod") => Ok(container_ports(&obj["spec"])),
        ("", "ReplicationController") | ("apps" | "extensions", "Deployment" | "ReplicaSet") => {
            Ok(container_ports(&obj["spec"]["template"]["spec"]))
        }
        ("", "Service") => Ok(obj["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["port"].as_i64().unwrap_or(0).to_string(),
                    p["protocol"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()),
        _ => Err(format!("cannot extract ports from *v1.{kind}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_come_from_the_exposed_object() {
        let d = json!({"spec": {"selector": {"matchLabels": {"b": "2", "a": "1"}}}});
        assert_eq!(
            map_based_selector("apps", "Deployment", &d),
            Ok("a=1,b=2".into())
        );
        assert_eq!(
            map_based_selector("", "Service", &json!({"spec": {}})),
            Err("the service has no pod selector set".into())
        );
        assert_eq!(
            map_based_selector("", "Pod", &json!({"metadata": {}})),
            Err("the pod has no labels and cannot be exposed".into())
        );
        assert_eq!(
            can_be_exposed("batch", "Job"),
            Err("cannot expose a Job.batch".into())
        );
    }

    #[test]
    fn ports_come_with_their_protocols() {
        let p = json!({"spec": {"containers": [{"ports": [
            {"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}]}]}});
        assert_eq!(
            ports_for_object("", "Pod", &p),
            Ok(vec![
                ("80".into(), "TCP".into()),
                ("53".into(), "UDP".into())
            ])
        );
    }
}
