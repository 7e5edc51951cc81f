//! `polymorphichelpers.Rollbacker`: `rollout undo`. A Deployment gets its old ReplicaSet's
//! pod template back through a JSON patch of `/spec/template` and `/metadata/annotations`; a
//! DaemonSet or StatefulSet gets the strategic merge patch its ControllerRevision stores.

use serde_json::Value;

use crate::apiserver::request::encode_component;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::client::Client;
use crate::kubectl::cmdutil::{DryRun, GoErr};
use crate::kubectl::deployment_util::{self, POD_TEMPLATE_HASH_LABEL};
use crate::kubectl::io::{Io, Res};
use crate::kubectl::resource::CLIENTSET_ACCEPT;

use super::history::{apply_history, controlled_history, get_typed, HistoryKind};
use super::template::describe_pod_template;

const ROLLBACK_SUCCESS: &str = "rolled back";
const ROLLBACK_SKIPPED: &str = "skipped rollback";

fn revision_not_found(r: i64) -> GoErr {
    GoErr::msg(format!("unable to find specified revision {r} in history"))
}

/// Annotations a rollback keeps from the Deployment instead of taking the ReplicaSet's.
const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    deployment_util::LAST_APPLIED_ANNOTATION,
    deployment_util::REVISION_ANNOTATION,
    deployment_util::REVISION_HISTORY_ANNOTATION,
    deployment_util::DESIRED_REPLICAS_ANNOTATION,
    deployment_util::MAX_REPLICAS_ANNOTATION,
    deployment_util::DEPRECATED_ROLLBACK_TO,
];

/// `DeploymentRollbacker.Rollback`, `DaemonSetRollbacker.Rollback` and
/// `StatefulSetRollbacker.Rollback`: what `rollout undo` prints after the object's name.
pub fn rollback(
    io: &mut Io<'_>,
    client: &Client,
    kind: HistoryKind,
    namespace: &str,
    name: &str,
    to_revision: i64,
    dry: DryRun,
) -> Res<Result<String, GoErr>> {
    if to_revision < 0 {
        return Ok(Err(revision_not_found(to_revision)));
    }
    match kind {
        HistoryKind::Deployment => {
            rollback_deployment(io, client, namespace, name, to_revision, dry)
        }
        HistoryKind::DaemonSet | HistoryKind::StatefulSet => {
            let (title, plural) = if kind == HistoryKind::DaemonSet {
                ("DaemonSet", "daemonsets")
            } else {
                ("Statefulset", "statefulsets")
            };
            let owner = match get_typed(io, client, kind, namespace, name)? {
                Ok(o) => o,
                Err(e) => {
                    return Ok(Err(GoErr::msg(format!(
                        "failed to retrieve {title} {name}: {}",
                        e.error()
                    ))))
                }
            };
            let kind_name = if kind == HistoryKind::DaemonSet {
                "DaemonSet"
            } else {
                "StatefulSet"
            };
            let mut history = match controlled_history(io, client, &owner)? {
                Ok(h) => h,
                Err(e) => {
                    return Ok(Err(GoErr::msg(format!(
                        "unable to find history controlled by {kind_name} {name}: {}",
                        e.error()
                    ))))
                }
            };
            if to_revision == 0 && history.len() <= 1 {
                return Ok(Err(GoErr::msg("no last revision to roll back to")));
            }
            history.sort_by_key(|h| h["revision"].as_i64().unwrap_or(0));
            let to = if to_revision == 0 {
                history.get(history.len() - 2).cloned()
            } else {
                history
                    .iter()
                    .find(|h| h["revision"].as_i64() == Some(to_revision))
                    .cloned()
            };
            let Some(to) = to else {
                return Ok(Err(revision_not_found(to_revision)));
            };
            if dry == DryRun::Client {
                return Ok(match apply_history(kind_name, &owner, &to) {
                    Ok(obj) => Ok(format!(
                        "will roll back to {}",
                        describe_pod_template(&obj["spec"]["template"])
                    )),
                    Err(e) => Err(GoErr::msg(e)),
                });
            }
            // The revision already matches when the owner's own template patch equals it.
            let mut template = owner["spec"]["template"].clone();
            template["$patch"] = Value::String("replace".into());
            let current = serde_json::json!({"spec": {"template": template}});
            if go_json_marshal(&current) == go_json_marshal(&to["data"]) {
                return Ok(Ok(format!(
                    "{ROLLBACK_SKIPPED} (current template already matches revision {to_revision})"
                )));
            }
            let path = format!(
                "/apis/apps/v1/namespaces/{namespace}/{plural}/{}{}",
                encode_component(name),
                if dry == DryRun::Server {
                    "?dryRun=All"
                } else {
                    ""
                }
            );
            let r = io.call(
                client
                    .request("PATCH", &path, CLIENTSET_ACCEPT)
                    .header("Content-Type", "application/strategic-merge-patch+json")
                    .body(go_json_marshal(&to["data"])),
            )?;
            if !(200..300).contains(&r.status) {
                return Ok(Err(GoErr::msg(format!(
                    "failed restoring revision {to_revision}: {}",
                    GoErr::from_response(&r).error()
                ))));
            }
            Ok(Ok(ROLLBACK_SUCCESS.to_string()))
        }
    }
}

fn rollback_deployment(
    io: &mut Io<'_>,
    client: &Client,
    namespace: &str,
    name: &str,
    to_revision: i64,
    dry: DryRun,
) -> Res<Result<String, GoErr>> {
    let deployment = match get_typed(io, client, HistoryKind::Deployment, namespace, name)? {
        Ok(d) => d,
        Err(e) => {
            return Ok(Err(GoErr::msg(format!(
                "failed to retrieve Deployment {name}: {}",
                e.error()
            ))))
        }
    };
    let rss = match deployment_util::get_all_replica_sets(io, client, &deployment)? {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(GoErr::msg(format!(
                "failed to retrieve replica sets from deployment {name}: {}",
                e.error()
            ))))
        }
    };
    // `deploymentRevision`: the asked revision, or the second newest one.
    let mut latest: Option<(i64, &Value)> = None;
    let mut previous: Option<(i64, &Value)> = None;
    let all = rss.all();
    let mut chosen: Option<&Value> = None;
    for rs in &all {
        let Ok(v) = deployment_util::revision(rs) else {
            continue;
        };
        if to_revision == 0 {
            if latest.is_none_or(|(l, _)| l < v) {
                previous = latest;
                latest = Some((v, rs));
            } else if previous.is_none_or(|(p, _)| p < v) {
                previous = Some((v, rs));
            }
        } else if to_revision == v {
            chosen = Some(rs);
            break;
        }
    }
    let rs = match (to_revision, chosen, previous) {
        (0, _, Some((_, rs))) => rs,
        (0, _, None) => {
            return Ok(Err(GoErr::msg(format!(
                "no rollout history found for deployment {}",
                crate::kubectl::client::go_quote(name)
            ))))
        }
        (_, Some(rs), _) => rs,
        (r, None, _) => return Ok(Err(revision_not_found(r))),
    };
    let template = &rs["spec"]["template"];
    if dry == DryRun::Client {
        return Ok(Ok(describe_pod_template(template)));
    }
    if deployment["spec"]["paused"] == true {
        return Ok(Err(GoErr::msg(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
        )));
    }
    if deployment_util::equal_ignore_hash(template, &deployment["spec"]["template"]) {
        return Ok(Ok(format!(
            "{ROLLBACK_SKIPPED} (current template already matches revision {to_revision})"
        )));
    }
    // The template goes as kubectl marshals the typed template it read: without the hash
    // label, and with `metadata.creationTimestamp: null` (a zero metav1.Time).
    let mut template = template.clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    if let Some(meta) = template["metadata"].as_object_mut() {
        meta.entry("creationTimestamp").or_insert(Value::Null);
    }
    let mut annotations: Vec<(String, Value)> = Vec::new();
    for k in ANNOTATIONS_TO_SKIP {
        if let Some(v) = deployment["metadata"]["annotations"].get(k) {
            annotations.push((k.to_string(), v.clone()));
        }
    }
    for (k, v) in rs["metadata"]["annotations"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            annotations.push((k.clone(), v.clone()));
        }
    }
    // Go marshals a map with its keys sorted.
    annotations.sort_by(|a, b| a.0.cmp(&b.0));
    let patch = serde_json::json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations",
         "value": Value::Object(annotations.into_iter().collect())},
    ]);
    let path = format!(
        "/apis/apps/v1/namespaces/{namespace}/deployments/{}{}",
        encode_component(name),
        if dry == DryRun::Server {
            "?dryRun=All"
        } else {
            ""
        }
    );
    let r = io.call(
        client
            .request("PATCH", &path, CLIENTSET_ACCEPT)
            .header("Content-Type", "application/json-patch+json")
            .body(serde_json::to_string(&patch).expect("a patch serialises")),
    )?;
    if !(200..300).contains(&r.status) {
        return Ok(Err(GoErr::msg(format!(
            "failed restoring revision {to_revision}: {}",
            GoErr::from_response(&r).error()
        ))));
    }
    Ok(Ok(ROLLBACK_SUCCESS.to_string()))
}
