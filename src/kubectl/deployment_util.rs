//! kubectl's `util/deployment`: a Deployment's ReplicaSets as `rollout history` and
//! `rollout undo` find them (listed by the Deployment's selector, kept when the Deployment is
//! their controller), which one is new (its template equals the Deployment's, ignoring
//! `pod-template-hash`), and the revision annotation.

use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::request::encode_component;

use super::client::Client;
use super::cmdutil::{label_selector_string, GoErr};
use super::io::{Io, Res};
use super::resource::CLIENTSET_ACCEPT;

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
pub const DEPRECATED_ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";

/// `deploymentutil.Revision`: the object's revision annotation (0 when absent).
pub fn revision(obj: &Value) -> Result<i64, String> {
    match obj["metadata"]["annotations"][REVISION_ANNOTATION].as_str() {
        None => Ok(0),
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| format!("strconv.ParseInt: parsing {s:?}: invalid syntax")),
    }
}

/// A value with nulls and empty maps and lists removed: `apiequality.Semantic.DeepEqual`
/// treats a nil map or slice as equal to an empty one.
fn semantic(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), semantic(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Object(m) => !m.is_empty(),
                    Value::Array(a) => !a.is_empty(),
                    _ => true,
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(semantic).collect()),
        other => other.clone(),
    }
}

/// `EqualIgnoreHash`: two pod templates alike but for the `pod-template-hash` label.
pub fn equal_ignore_hash(a: &Value, b: &Value) -> bool {
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(l) = t
            .pointer_mut("/metadata/labels")
            .and_then(Value::as_object_mut)
        {
            l.remove(POD_TEMPLATE_HASH_LABEL);
        }
        semantic(&t)
    };
    strip(a) == strip(b)
}

/// A Deployment's ReplicaSets as `GetAllReplicaSets` returns them.
pub struct ReplicaSets {
    /// Old ReplicaSets (all of them, scaled down or not), oldest first.
    pub old: Vec<Arc<Value>>,
    pub new: Option<Arc<Value>>,
}

impl ReplicaSets {
    /// Old ones then the new one (`append(allOldRSs, newRS)`).
    pub fn all(&self) -> Vec<Arc<Value>> {
        let mut all = self.old.clone();
        all.extend(self.new.clone());
        all
    }
}

/// `GetAllReplicaSets`: lists the ReplicaSets of the Deployment's namespace by its selector
/// through the typed clientset, keeps those it controls, and splits off the new one.
pub fn get_all_replica_sets(
    io: &mut Io<'_>,
    client: &Client,
    deployment: &Value,
) -> Res<Result<ReplicaSets, GoErr>> {
    let ns = deployment["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default();
    let selector = label_selector_string(&deployment["spec"]["selector"]);
    let path = format!(
        "/apis/apps/v1/namespaces/{ns}/replicasets?labelSelector={}",
        encode_component(&selector)
    );
    let r = io.call(client.request("GET", &path, CLIENTSET_ACCEPT))?;
    let Some(list) = r.body_json().filter(|_| r.status == 200) else {
        return Ok(Err(GoErr::from_response(&r)));
    };
    let uid = &deployment["metadata"]["uid"];
    let mut owned: Vec<Arc<Value>> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["controller"] == true && o["uid"] == *uid)
        })
        .map(|rs| Arc::new(rs.clone()))
        .collect();
    // `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
    owned.sort_by(|a, b| {
        let key = |rs: &Value| {
            (
                rs["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                rs["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
    let template = &deployment["spec"]["template"];
    let new = owned
        .iter()
        .find(|rs| equal_ignore_hash(&rs["spec"]["template"], template))
        .cloned();
    let old = owned
        .into_iter()
        .filter(|rs| {
            new.as_ref()
                .is_none_or(|n| n["metadata"]["uid"] != rs["metadata"]["uid"])
        })
        .collect();
    Ok(Ok(ReplicaSets { old, new }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_compare_without_the_hash_label_and_empty_fields() {
        let a = json!({"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}},
                       "spec": {"containers": [{"name": "n", "image": "i", "resources": {}}]}});
        let b = json!({"metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
                       "spec": {"containers": [{"name": "n", "image": "i"}]}});
        assert!(equal_ignore_hash(&a, &b));
        let c = json!({"metadata": {"labels": {"app": "web"}},
                       "spec": {"containers": [{"name": "n", "image": "j"}]}});
        assert!(!equal_ignore_hash(&a, &c));
    }

    #[test]
    fn revisions_parse_from_the_annotation() {
        let rs = json!({"metadata": {"annotations": {REVISION_ANNOTATION: "3"}}});
        assert_eq!(revision(&rs), Ok(3));
        assert_eq!(revision(&json!({"metadata": {}})), Ok(0));
        assert!(
            revision(&json!({"metadata": {"annotations": {REVISION_ANNOTATION: "x"}}})).is_err()
        );
    }
}
