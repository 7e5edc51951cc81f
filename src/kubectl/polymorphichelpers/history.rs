//! `polymorphichelpers.HistoryViewer`: `rollout history` for a Deployment (its ReplicaSets'
//! revision annotations) and for a DaemonSet or StatefulSet (their ControllerRevisions), as a
//! `REVISION  CHANGE-CAUSE` table or one revision's pod template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::patch::strategic_merge::strategic_merge_patch;
use crate::apiserver::request::encode_component;
use crate::kubectl::client::Client;
use crate::kubectl::cmdutil::{label_selector_string, GoErr};
use crate::kubectl::deployment_util::{self, CHANGE_CAUSE_ANNOTATION};
use crate::kubectl::io::{Io, Res};
use crate::kubectl::resource::CLIENTSET_ACCEPT;

use super::rollout_status::group_kind;
use super::template::describe_pod_template;

/// The kinds with a rollout history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryKind {
    Deployment,
    DaemonSet,
    StatefulSet,
}

impl HistoryKind {
    /// `HistoryViewerFor` (and `RollbackerFor`, which says `rollbacker` instead).
    pub fn for_kind(group: &str, kind: &str, what: &str) -> Result<HistoryKind, String> {
        match (group, kind) {
            ("apps" | "extensions", "Deployment") => Ok(HistoryKind::Deployment),
            ("apps" | "extensions", "DaemonSet") => Ok(HistoryKind::DaemonSet),
            ("apps", "StatefulSet") => Ok(HistoryKind::StatefulSet),
            _ => Err(format!(
                "no {what} has been implemented for {}",
                crate::kubectl::client::go_quote(&group_kind(group, kind))
            )),
        }
    }

    fn plural(self) -> &'static str {
        match self {
            HistoryKind::Deployment => "deployments",
            HistoryKind::DaemonSet => "daemonsets",
            HistoryKind::StatefulSet => "statefulsets",
        }
    }
}

/// Go's `tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)` (`tabbedString` in history.go).
pub fn tabbed(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for l in &lines {
        for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count() + 2);
        }
    }
    let mut out = String::new();
    for l in &lines {
        for (i, c) in l.iter().enumerate() {
            out.push_str(c);
            if i + 1 < l.len() {
                out.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

/// Reads an object through the typed clientset.
pub fn get_typed(
    io: &mut Io<'_>,
    client: &Client,
    kind: HistoryKind,
    namespace: &str,
    name: &str,
) -> Res<Result<Arc<Value>, GoErr>> {
    let path = format!(
        "/apis/apps/v1/namespaces/{namespace}/{}/{}",
        kind.plural(),
        encode_component(name)
    );
    let r = io.call(client.request("GET", &path, CLIENTSET_ACCEPT))?;
    Ok(match r.body_json().filter(|_| r.status == 200) {
        Some(obj) => Ok(obj),
        None => Err(GoErr::from_response(&r)),
    })
}

/// `controlledHistory`: the ControllerRevisions selected by the owner's selector and
/// controlled by it.
pub fn controlled_history(
    io: &mut Io<'_>,
    client: &Client,
    owner: &Value,
) -> Res<Result<Vec<Arc<Value>>, GoErr>> {
    let ns = owner["metadata"]["namespace"].as_str().unwrap_or_default();
    let selector = label_selector_string(&owner["spec"]["selector"]);
    let path = format!(
        "/apis/apps/v1/namespaces/{ns}/controllerrevisions?labelSelector={}",
        encode_component(&selector)
    );
    let r = io.call(client.request("GET", &path, CLIENTSET_ACCEPT))?;
    let Some(list) = r.body_json().filter(|_| r.status == 200) else {
        return Ok(Err(GoErr::from_response(&r)));
    };
    let uid = &owner["metadata"]["uid"];
    Ok(Ok(list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| {
            h["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["controller"] == true && o["uid"] == *uid)
        })
        .map(|h| Arc::new(h.clone()))
        .collect()))
}

/// The owner with a ControllerRevision's data applied (`applyDaemonSetHistory`,
/// `applyRevision`): the revision's template.
pub fn apply_history(kind: &str, owner: &Value, history: &Value) -> Result<Value, String> {
    strategic_merge_patch(kind, owner, &history["data"]).map_err(|e| e.message)
}

fn revision_table(rows: &BTreeMap<i64, String>, with_cause: bool) -> String {
    let mut text = if with_cause {
        "REVISION\tCHANGE-CAUSE\n".to_string()
    } else {
        "REVISION\n".to_string()
    };
    for (r, cause) in rows {
        if with_cause {
            text += &format!("{r}\t{cause}\n");
        } else {
            text += &format!("{r}\n");
        }
    }
    tabbed(&text)
}

/// `ViewHistory(namespace, name, revision)`: the text `rollout history` prints after the
/// object's name.
pub fn view_history(
    io: &mut Io<'_>,
    client: &Client,
    kind: HistoryKind,
    namespace: &str,
    name: &str,
    revision: i64,
) -> Res<Result<String, GoErr>> {
    match kind {
        HistoryKind::Deployment => {
            let deployment = match get_typed(io, client, kind, namespace, name)? {
                Ok(d) => d,
                Err(e) => {
                    return Ok(Err(GoErr::msg(format!(
                        "failed to retrieve deployment {name}: {}",
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
            let mut templates: BTreeMap<i64, Value> = BTreeMap::new();
            for rs in rss.all() {
                let Ok(v) = deployment_util::revision(&rs) else {
                    continue;
                };
                let mut template = rs["spec"]["template"].clone();
                // The change cause is copied into the template's annotations, so a single
                // revision's template shows it too.
                if let Some(cause) = rs["metadata"]["annotations"][CHANGE_CAUSE_ANNOTATION]
                    .as_str()
                    .filter(|c| !c.is_empty())
                {
                    if !template["metadata"]["annotations"].is_object() {
                        template["metadata"]["annotations"] = Value::Object(Default::default());
                    }
                    template["metadata"]["annotations"][CHANGE_CAUSE_ANNOTATION] =
                        Value::String(cause.to_string());
                }
                templates.insert(v, template);
            }
            if templates.is_empty() {
                return Ok(Ok("No rollout history found.".to_string()));
            }
            if revision > 0 {
                return Ok(match templates.get(&revision) {
                    Some(t) => Ok(describe_pod_template(t)),
                    None => Err(GoErr::msg("unable to find the specified revision")),
                });
            }
            let rows = templates
                .iter()
                .map(|(r, t)| {
                    let cause = t["metadata"]["annotations"][CHANGE_CAUSE_ANNOTATION]
                        .as_str()
                        .filter(|c| !c.is_empty())
                        .unwrap_or("<none>");
                    (*r, cause.to_string())
                })
                .collect();
            Ok(Ok(revision_table(&rows, true)))
        }
        HistoryKind::DaemonSet | HistoryKind::StatefulSet => {
            let (title, kind_name) = if kind == HistoryKind::DaemonSet {
                ("DaemonSet", "DaemonSet")
            } else {
                ("Statefulset", "StatefulSet")
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
            let history = match controlled_history(io, client, &owner)? {
                Ok(h) => h,
                Err(e) => {
                    return Ok(Err(GoErr::msg(format!(
                        "unable to find history controlled by {kind_name} {name}: {}",
                        e.error()
                    ))))
                }
            };
            let by_revision: BTreeMap<i64, Arc<Value>> = history
                .iter()
                .map(|h| (h["revision"].as_i64().unwrap_or(0), h.clone()))
                .collect();
            if by_revision.is_empty() {
                return Ok(Ok("No rollout history found.".to_string()));
            }
            if revision != 0 {
                let Some(h) = by_revision.get(&revision) else {
                    return Ok(Err(GoErr::msg("unable to find the specified revision")));
                };
                return Ok(match apply_history(kind_name, &owner, h) {
                    Ok(obj) => Ok(describe_pod_template(&obj["spec"]["template"])),
                    Err(_) if kind == HistoryKind::DaemonSet => Err(GoErr::msg(format!(
                        "unable to parse history {}",
                        h["metadata"]["name"].as_str().unwrap_or_default()
                    ))),
                    Err(e) => Err(GoErr::msg(format!("error unmarshelling sts: {e}"))),
                });
            }
            let rows = by_revision
                .iter()
                .map(|(r, h)| {
                    let cause = h["metadata"]["annotations"][CHANGE_CAUSE_ANNOTATION]
                        .as_str()
                        .filter(|c| !c.is_empty())
                        .unwrap_or("<none>");
                    (*r, cause.to_string())
                })
                .collect();
            Ok(Ok(revision_table(&rows, kind == HistoryKind::DaemonSet)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_tables_pad_by_two() {
        assert_eq!(
            tabbed("REVISION\tCHANGE-CAUSE\n1\t<none>\n12\tkubectl set image\n"),
            "REVISION  CHANGE-CAUSE\n1         <none>\n12        kubectl set image\n"
        );
    }

    #[test]
    fn only_workloads_with_history_have_a_viewer() {
        assert_eq!(
            HistoryKind::for_kind("", "Pod", "history viewer"),
            Err("no history viewer has been implemented for \"Pod\"".to_string())
        );
        assert_eq!(
            HistoryKind::for_kind("apps", "ReplicaSet", "rollbacker"),
            Err("no rollbacker has been implemented for \"ReplicaSet.apps\"".to_string())
        );
    }
}
