//! The scheduler's cache (`pkg/scheduler/backend/cache`): a NodeInfo per node built from the
//! node and pod informers, the pods the scheduler assumed onto nodes before their binding was
//! confirmed, and the node tree that orders nodes zone by zone.
//!
//! The real scheduler copies changed NodeInfos into a snapshot at the start of each cycle,
//! because binding runs concurrently. Here a cycle runs to its end within one message, so the
//! cache itself is the cycle's snapshot and nothing is copied.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::framework::types::{NodeInfo, PodInfo};
use super::framework::Snapshot;

/// `nodeTree`: nodes grouped by zone (`region:\x00:zone`), listed one zone at a time in turn.
#[derive(Clone, Debug, Default)]
pub struct NodeTree {
    zones: Vec<String>,
    tree: BTreeMap<String, Vec<String>>,
}

fn zone_of(node: &Value) -> String {
    let label = |k: &str| {
        node.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let region = label("topology.kubernetes.io/region");
    let zone = label("topology.kubernetes.io/zone");
    if region.is_empty() && zone.is_empty() {
        return String::new();
    }
    format!("{region}:\x00:{zone}")
}

impl NodeTree {
    fn add(&mut self, name: &str, zone: &str) {
        let nodes = self.tree.entry(zone.to_string()).or_insert_with(|| {
            self.zones.push(zone.to_string());
            Vec::new()
        });
        if !nodes.iter().any(|n| n == name) {
            nodes.push(name.to_string());
        }
    }

    fn remove(&mut self, name: &str, zone: &str) {
        if let Some(nodes) = self.tree.get_mut(zone) {
            nodes.retain(|n| n != name);
            if nodes.is_empty() {
                self.tree.remove(zone);
                self.zones.retain(|z| z != zone);
            }
        }
    }

    /// `list()`: the first node of each zone, then the second of each, and so on.
    pub fn list(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let mut any = false;
            for z in &self.zones {
                if let Some(n) = self.tree[z].get(i) {
                    out.push(n.as_str());
                    any = true;
                }
            }
            if !any {
                return out;
            }
            i += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.tree.values().map(Vec::len).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Debug, Default)]
pub struct Cache {
    pub nodes: BTreeMap<String, NodeInfo>,
    node_zones: BTreeMap<String, String>,
    pub tree: NodeTree,
    /// Where each counted pod is counted.
    pod_nodes: BTreeMap<String, String>,
    /// Pods counted on a node before the API server confirmed their binding.
    pub assumed: BTreeMap<String, String>,
    /// `ImageStateSummary.NumNodes`: how many nodes hold each image.
    pub image_num_nodes: BTreeMap<String, usize>,
    /// The node list in tree order, rebuilt by `update_snapshot` after nodes came or went.
    order: Vec<String>,
    order_dirty: bool,
}

impl Cache {
    pub fn add_or_update_node(&mut self, node: Arc<Value>) {
        let name = node
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let zone = zone_of(&node);
        match self.node_zones.get(&name).cloned() {
            Some(old_zone) if old_zone == zone => {}
            Some(old_zone) => {
                self.tree.remove(&name, &old_zone);
                self.tree.add(&name, &zone);
                self.order_dirty = true;
            }
            None => {
                self.tree.add(&name, &zone);
                self.order_dirty = true;
            }
        }
        self.node_zones.insert(name.clone(), zone);
        let info = self
            .nodes
            .entry(name.clone())
            .or_insert_with(|| NodeInfo::new(&name));
        for img in info.images.keys() {
            dec(&mut self.image_num_nodes, img);
        }
        info.set_node(node);
        for img in info.images.keys() {
            *self.image_num_nodes.entry(img.clone()).or_insert(0) += 1;
        }
    }

    pub fn remove_node(&mut self, name: &str) {
        if let Some(zone) = self.node_zones.remove(name) {
            self.tree.remove(name, &zone);
        }
        if let Some(info) = self.nodes.get_mut(name) {
            for img in info.images.keys() {
                dec(&mut self.image_num_nodes, img);
            }
            info.images.clear();
            info.node = None;
            info.labels.clear();
            // Pods still bound to it keep a NodeInfo without node until they are deleted.
            if info.pods.is_empty() {
                self.nodes.remove(name);
            }
        }
        self.order_dirty = true;
    }

    /// Counts `pod` on `node` (a bound pod from the informer, or an assumed one).
    pub fn add_pod(&mut self, pod: Arc<PodInfo>, node: &str) {
        self.remove_pod(&pod.key);
        self.pod_nodes.insert(pod.key.clone(), node.to_string());
        self.nodes
            .entry(node.to_string())
            .or_insert_with(|| NodeInfo::new(node))
            .add_pod(pod);
    }

    pub fn remove_pod(&mut self, key: &str) {
        self.assumed.remove(key);
        if let Some(node) = self.pod_nodes.remove(key) {
            if let Some(info) = self.nodes.get_mut(&node) {
                info.remove_pod(key);
                if info.node.is_none() && info.pods.is_empty() {
                    self.nodes.remove(&node);
                }
            }
        }
    }

    /// `AssumePod`: counts the pod on its chosen node before the binding is confirmed.
    pub fn assume_pod(&mut self, pod: Arc<PodInfo>, node: &str) {
        let key = pod.key.clone();
        self.add_pod(pod, node);
        self.assumed.insert(key, node.to_string());
    }

    pub fn is_counted(&self, key: &str) -> bool {
        self.pod_nodes.contains_key(key)
    }

    pub fn num_nodes(&self) -> usize {
        self.tree.len()
    }

    /// `UpdateSnapshot`: brings the node order up to date with the node tree (done once per
    /// cycle, and only when nodes came, went or changed zone).
    pub fn update_snapshot(&mut self) {
        if self.order_dirty {
            self.order = self.tree.list().into_iter().map(str::to_string).collect();
            self.order_dirty = false;
        }
    }

    /// The cycle's snapshot: every node with its Node object, in node-tree order.
    pub fn snapshot(&self) -> Snapshot<'_> {
        assert!(
            !self.order_dirty,
            "a cycle ran on a stale snapshot: call update_snapshot first"
        );
        Snapshot {
            nodes: self
                .order
                .iter()
                .filter_map(|n| self.nodes.get(n))
                .filter(|n| n.node.is_some())
                .collect(),
            image_num_nodes: &self.image_num_nodes,
            default_spread_selector: None,
            volumes: Default::default(),
        }
    }
}

fn dec(m: &mut BTreeMap<String, usize>, k: &str) {
    if let Some(n) = m.get_mut(k) {
        *n -= 1;
        if *n == 0 {
            m.remove(k);
        }
    }
}
