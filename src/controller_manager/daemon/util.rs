//! `pkg/controller/daemon/util` and the node predicates of the DaemonSet controller: the
//! tolerations every daemon pod gets, the node affinity that pins a pod to its node, whether a
//! node should run a daemon pod, and whether a pod is of the current revision.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::controller_manager::controller_utils::{name, str_at};
use crate::controller_manager::history::CONTROLLER_REVISION_HASH_LABEL;
use crate::scheduler::framework::types::{tolerations_tolerate, PodInfo, Taint};
use crate::scheduler::plugins::node_affinity::required_node_affinity_matches;

/// `extensions.DaemonSetTemplateGenerationKey`: the pod label with the template generation.
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";
/// The annotation in which the API server keeps a DaemonSet's template generation.
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";

/// The tolerations `AddOrUpdateDaemonPodTolerations` gives every daemon pod, in its order:
/// `(key, effect)`, all with operator `Exists` and no `tolerationSeconds`, so a daemon pod is
/// never evicted from a not-ready or unreachable node and schedules onto nodes under pressure
/// or cordoned. `network-unavailable` only for host-network pods.
pub const DAEMON_TOLERATIONS: [(&str, &str); 6] = [
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
];
pub const NETWORK_UNAVAILABLE_TOLERATION: (&str, &str) =
    ("node.kubernetes.io/network-unavailable", "NoSchedule");

/// `v1helper.AddOrUpdateTolerationInPodSpec`: a toleration that matches one already there
/// (same key, operator, value and effect) replaces it; otherwise it is appended.
fn add_or_update_toleration(spec: &mut Value, toleration: Value) {
    let same = |a: &Value, b: &Value| {
        ["key", "operator", "value", "effect"]
            .iter()
            .all(|f| str_at(a, &format!("/{f}")) == str_at(b, &format!("/{f}")))
    };
    let mut tolerations: Vec<Value> = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match tolerations.iter().position(|t| same(t, &toleration)) {
        Some(i) => tolerations[i] = toleration,
        None => tolerations.push(toleration),
    }
    spec["tolerations"] = Value::Array(tolerations);
}

/// `AddOrUpdateDaemonPodTolerations`.
pub fn add_daemon_pod_tolerations(spec: &mut Value) {
    if !spec.is_object() {
        *spec = json!({});
    }
    for (key, effect) in DAEMON_TOLERATIONS {
        add_or_update_toleration(
            spec,
            json!({"key": key, "operator": "Exists", "effect": effect}),
        );
    }
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        let (key, effect) = NETWORK_UNAVAILABLE_TOLERATION;
        add_or_update_toleration(
            spec,
            json!({"key": key, "operator": "Exists", "effect": effect}),
        );
    }
}

/// `CreatePodTemplate`: the DaemonSet's template with the daemon tolerations, the template
/// generation and the revision hash labels.
pub fn create_pod_template(template: &Value, generation: Option<i64>, hash: &str) -> Value {
    let mut t = template.clone();
    if !t.is_object() {
        t = json!({});
    }
    add_daemon_pod_tolerations(&mut t["spec"]);
    if !t["metadata"].is_object() {
        t["metadata"] = json!({});
    }
    if !t["metadata"]["labels"].is_object() {
        t["metadata"]["labels"] = json!({});
    }
    if let Some(g) = generation {
        t["metadata"]["labels"][TEMPLATE_GENERATION_LABEL] = json!(g.to_string());
    }
    if !hash.is_empty() {
        t["metadata"]["labels"][CONTROLLER_REVISION_HASH_LABEL] = json!(hash);
    }
    t
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required node affinity becomes the one term
/// `matchFields metadata.name In [node]`, so kube-scheduler can only place the pod there
/// (preferred terms are kept).
pub fn replace_node_name_affinity(spec: &mut Value, node: &str) {
    let selector = json!({"nodeSelectorTerms": [{"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": [node]}
    ]}]});
    if !spec["affinity"].is_object() {
        spec["affinity"] = json!({});
    }
    if !spec["affinity"]["nodeAffinity"].is_object() {
        spec["affinity"]["nodeAffinity"] = json!({});
    }
    spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = selector;
}

/// `GetTargetNodeName`: the pod's node, or the node its `metadata.name` affinity names.
pub fn target_node_name(pod: &Value) -> Option<String> {
    let node = str_at(pod, "/spec/nodeName");
    if !node.is_empty() {
        return Some(node.to_string());
    }
    let terms = pod
        .pointer("/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
        .and_then(Value::as_array)?;
    terms.iter().find_map(|t| {
        t.get("matchFields")
            .and_then(Value::as_array)?
            .iter()
            .find(|r| r["key"] == "metadata.name" && r["operator"] == "In")
            .and_then(|r| r["values"].as_array())
            .filter(|v| v.len() == 1)
            .and_then(|v| v[0].as_str())
            .map(str::to_string)
    })
}

/// `GetTemplateGeneration`: the generation the API server keeps in the annotation.
pub fn template_generation(ds: &Value) -> Option<i64> {
    ds.pointer(&format!(
        "/metadata/annotations/{}",
        TEMPLATE_GENERATION_ANNOTATION.replace('/', "~1")
    ))
    .and_then(Value::as_str)
    .and_then(|s| s.parse().ok())
}

/// `IsPodUpdated`: the pod carries the current revision's hash (or, for pods of old
/// controllers, the current template generation).
pub fn is_pod_updated(pod: &Value, hash: &str, generation: Option<i64>) -> bool {
    let label = |k: &str| {
        pod.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let template_matches =
        generation.is_some_and(|g| label(TEMPLATE_GENERATION_LABEL) == g.to_string());
    let hash_matches = !hash.is_empty() && label(CONTROLLER_REVISION_HASH_LABEL) == hash;
    hash_matches || template_matches
}

fn taints_of(node: &Value) -> Vec<Taint> {
    node.pointer("/spec/taints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| Taint {
            key: str_at(t, "/key").to_string(),
            value: str_at(t, "/value").to_string(),
            effect: str_at(t, "/effect").to_string(),
        })
        .collect()
}

/// `NewPod`: the pod the DaemonSet would run on `node` (its template, the daemon
/// tolerations, `nodeName` set), for the predicates.
pub fn new_pod(ds: &Value, node: &str) -> Value {
    let mut spec = ds
        .pointer("/spec/template/spec")
        .cloned()
        .unwrap_or_else(|| json!({}));
    spec["nodeName"] = json!(node);
    add_daemon_pod_tolerations(&mut spec);
    json!({
        "metadata": {
            "namespace": ds.pointer("/metadata/namespace").cloned().unwrap_or(json!("")),
            "labels": ds.pointer("/spec/template/metadata/labels").cloned().unwrap_or(json!({})),
        },
        "spec": spec,
    })
}

/// `NodeShouldRunDaemonPod` for one DaemonSet, its would-be pod parsed once for all nodes.
pub struct Predicates {
    template_node: String,
    pod: PodInfo,
}

impl Predicates {
    pub fn new(ds: &Value) -> Predicates {
        Predicates {
            template_node: str_at(ds, "/spec/template/spec/nodeName").to_string(),
            // The pod's own `nodeName` (the node asked about) only matters for the
            // `fitsNodeName` check, done against the template below.
            pod: PodInfo::new(Arc::new(new_pod(ds, ""))),
        }
    }

    /// `(shouldRun, shouldContinueRunning)`. The pod's `nodeName`, its node selector and
    /// required node affinity must match the node; a NoSchedule or NoExecute taint it does not
    /// tolerate keeps a new pod off the node, and only an untolerated NoExecute taint evicts
    /// one already running.
    pub fn should_run(&self, node: &Value) -> (bool, bool) {
        let node_name = name(node);
        if !(self.template_node.is_empty() || self.template_node == node_name) {
            return (false, false);
        }
        let labels: BTreeMap<String, String> = node
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        if !required_node_affinity_matches(&self.pod, node_name, &labels) {
            return (false, false);
        }
        let taints = taints_of(node);
        let untolerated = |effects: &[&str]| {
            taints.iter().any(|t| {
                effects.contains(&t.effect.as_str())
                    && !tolerations_tolerate(&self.pod.tolerations, t)
            })
        };
        if untolerated(&["NoExecute", "NoSchedule"]) {
            return (false, !untolerated(&["NoExecute"]));
        }
        (true, true)
    }
}

/// `NodeShouldRunDaemonPod` for one node.
pub fn node_should_run_daemon_pod(node: &Value, ds: &Value) -> (bool, bool) {
    Predicates::new(ds).should_run(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(spec: Value) -> Value {
        json!({"metadata": {"name": "d", "namespace": "default"},
            "spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": spec}}})
    }

    fn node(labels: Value, taints: Value) -> Value {
        json!({"metadata": {"name": "n1", "labels": labels}, "spec": {"taints": taints}})
    }

    #[test]
    fn daemon_pods_tolerate_node_conditions_in_the_real_order() {
        let mut spec = json!({"containers": [], "hostNetwork": true,
            "tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]});
        add_daemon_pod_tolerations(&mut spec);
        let keys: Vec<&str> = spec["tolerations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["key"].as_str().unwrap())
            .collect();
        // The user's matching toleration is replaced in place, not duplicated.
        assert_eq!(
            keys,
            [
                "node.kubernetes.io/unschedulable",
                "node.kubernetes.io/not-ready",
                "node.kubernetes.io/unreachable",
                "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/memory-pressure",
                "node.kubernetes.io/pid-pressure",
                "node.kubernetes.io/network-unavailable",
            ]
        );
    }

    #[test]
    fn a_node_runs_a_daemon_pod_only_if_selector_affinity_and_taints_allow() {
        let plain = ds(json!({}));
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({}), json!([])), &plain),
            (true, true)
        );
        let cp_taint =
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({}), cp_taint.clone()), &plain),
            (false, true),
            "a NoSchedule taint keeps new pods off but lets a running one stay"
        );
        let tolerating = ds(json!({"tolerations": [
            {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]}));
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({}), cp_taint), &tolerating),
            (true, true)
        );
        let no_exec = json!([{"key": "dedicated", "value": "x", "effect": "NoExecute"}]);
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({}), no_exec), &plain),
            (false, false)
        );
        let selecting = ds(json!({"nodeSelector": {"disk": "ssd"}}));
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({}), json!([])), &selecting),
            (false, false)
        );
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({"disk": "ssd"}), json!([])), &selecting),
            (true, true)
        );
        // The daemon tolerations cover a cordoned node.
        let cordoned = json!([{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]);
        assert_eq!(
            node_should_run_daemon_pod(&node(json!({}), cordoned), &plain),
            (true, true)
        );
    }

    #[test]
    fn the_pinning_affinity_names_the_target_node() {
        let mut spec = json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}});
        replace_node_name_affinity(&mut spec, "worker-1");
        let pod = json!({"spec": spec});
        assert_eq!(target_node_name(&pod).as_deref(), Some("worker-1"));
        assert!(pod["spec"]["affinity"]["nodeAffinity"]
            ["preferredDuringSchedulingIgnoredDuringExecution"]
            .is_array());
    }
}
