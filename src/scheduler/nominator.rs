//! The pod nominator (`pkg/scheduler/backend/queue/nominator.go`): the pending pods a
//! preemption nominated to a node (`status.nominatedNodeName`), so that later filter runs count
//! them there for pods of equal or lower priority and the room their victims free is not taken
//! by others. It lives in the scheduler's memory; after a restart it is rebuilt from the pods'
//! `status.nominatedNodeName` as the informer delivers them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::framework::PodInfo;

/// `framework.NominatingInfo`: what a failed cycle does to the pod's nomination. `Noop` (also
/// what a nil PostFilterResult means) keeps `status.nominatedNodeName` as the pod has it;
/// `Override` sets it, or clears it when the name is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NominatingInfo {
    Noop,
    Override(String),
}

impl NominatingInfo {
    /// `clearNominatedNode`: the nomination is dropped (no candidate, a failed binding).
    pub fn clear() -> NominatingInfo {
        NominatingInfo::Override(String::new())
    }
}

#[derive(Clone, Debug, Default)]
pub struct Nominator {
    /// Nominated pods per node, in the order they were nominated.
    nominated_pods: BTreeMap<String, Vec<Arc<PodInfo>>>,
    /// Where each nominated pod (by key) is nominated.
    pod_to_node: BTreeMap<String, String>,
}

fn assigned(pod: &Value) -> bool {
    pod.pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty())
}

impl Nominator {
    /// `AddNominatedPod`. `current` is the pod as the pod informer holds it now: a pod that is
    /// gone or already bound is not nominated.
    pub fn add(&mut self, pod: Arc<PodInfo>, nominating: &NominatingInfo, current: Option<&Value>) {
        self.delete(&pod.key);
        let node = match nominating {
            NominatingInfo::Override(node) => node.clone(),
            NominatingInfo::Noop if pod.nominated_node_name.is_empty() => return,
            NominatingInfo::Noop => pod.nominated_node_name.clone(),
        };
        match current {
            None => return,
            Some(c) if assigned(c) => return,
            Some(_) => {}
        }
        // Overriding with "" clears the nomination (the real map keeps the pod under the node
        // named "", which no filter run ever asks for).
        if node.is_empty() {
            return;
        }
        self.pod_to_node.insert(pod.key.clone(), node.clone());
        self.nominated_pods.entry(node).or_default().push(pod);
    }

    /// `DeleteNominatedPodIfExists`.
    pub fn delete(&mut self, key: &str) {
        let Some(node) = self.pod_to_node.remove(key) else {
            return;
        };
        if let Some(pods) = self.nominated_pods.get_mut(&node) {
            pods.retain(|p| p.key != key);
            if pods.is_empty() {
                self.nominated_pods.remove(&node);
            }
        }
    }

    /// `UpdateNominatedPod`: the pod object changed. An update that neither carries nor drops a
    /// `nominatedNodeName` keeps the nomination made in memory (the status PATCH that records
    /// it may not have arrived yet); any other takes the new object's.
    /// `old_nominated` is the old object's `status.nominatedNodeName`.
    pub fn update(&mut self, old_nominated: &str, new: Arc<PodInfo>, current: Option<&Value>) {
        let mut nominating = NominatingInfo::Noop;
        if old_nominated.is_empty() && new.nominated_node_name.is_empty() {
            if let Some(node) = self.pod_to_node.get(&new.key) {
                nominating = NominatingInfo::Override(node.clone());
            }
        }
        self.delete(&new.key);
        self.add(new, &nominating, current);
    }

    /// `NominatedPodsForNode`.
    pub fn for_node(&self, node: &str) -> &[Arc<PodInfo>] {
        self.nominated_pods
            .get(node)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every node with nominated pods, and those pods.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[Arc<PodInfo>])> {
        self.nominated_pods
            .iter()
            .map(|(n, pods)| (n.as_str(), pods.as_slice()))
    }

    /// The node `key` is nominated to.
    pub fn nominated_node(&self, key: &str) -> Option<&str> {
        self.pod_to_node.get(key).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.pod_to_node.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pod_to_node.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, nnn: &str) -> Arc<PodInfo> {
        Arc::new(PodInfo::new(Arc::new(json!({
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            "status": {"nominatedNodeName": nnn},
        }))))
    }

    #[test]
    fn a_nomination_is_kept_until_the_pod_binds_or_is_cleared() {
        let mut n = Nominator::default();
        let p = pod("p", "");
        n.add(
            p.clone(),
            &NominatingInfo::Override("worker-1".into()),
            Some(&p.obj),
        );
        assert_eq!(n.for_node("worker-1").len(), 1);
        // Its own status PATCH has not arrived: an unrelated update keeps the nomination.
        n.update("", pod("p", ""), Some(&p.obj));
        assert_eq!(n.nominated_node("default/p"), Some("worker-1"));
        // The PATCH arrives with the same node; then a later one moves it.
        n.update("", pod("p", "worker-1"), Some(&p.obj));
        assert_eq!(n.nominated_node("default/p"), Some("worker-1"));
        let moved = pod("p", "worker-2");
        n.update("worker-1", moved.clone(), Some(&moved.obj));
        assert!(n.for_node("worker-1").is_empty());
        assert_eq!(n.nominated_node("default/p"), Some("worker-2"));
        n.add(moved.clone(), &NominatingInfo::clear(), Some(&moved.obj));
        assert!(n.is_empty());
    }

    #[test]
    fn a_bound_or_deleted_pod_is_not_nominated() {
        let mut n = Nominator::default();
        let p = pod("p", "worker-1");
        n.add(p.clone(), &NominatingInfo::Noop, None);
        assert!(n.is_empty(), "gone from the informer");
        let bound = json!({"metadata": {"name": "p"}, "spec": {"nodeName": "worker-2"}});
        n.add(p.clone(), &NominatingInfo::Noop, Some(&bound));
        assert!(n.is_empty(), "already bound");
        n.add(p.clone(), &NominatingInfo::Noop, Some(&p.obj));
        assert_eq!(n.nominated_node("default/p"), Some("worker-1"));
        n.delete("default/p");
        assert!(n.is_empty() && n.for_node("worker-1").is_empty());
    }
}
