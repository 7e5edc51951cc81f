//! The scheduling framework (`pkg/scheduler/framework`): the status a plugin returns, the
//! per-cycle state plugins share (clonable, for dry runs), the plugin interface with its
//! extension points (PreFilter's AddPod/RemovePod included), and the profile that runs them in
//! the real order with the 1.33 default weights, filters with nominated pods among them. The
//! preemption evaluator is `preemption`.

pub mod preemption;
pub mod types;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use types::{NodeInfo, PodInfo};

/// `framework.MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;

/// `framework.Code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Success,
    Error,
    /// The node does not fit now; preempting pods might help.
    Unschedulable,
    /// The node does not fit and preemption cannot change that.
    UnschedulableAndUnresolvable,
    /// The plugin has nothing to do for this pod (PreFilter/PreScore).
    Skip,
}

impl Code {
    pub fn name(self) -> &'static str {
        match self {
            Code::Success => "Success",
            Code::Error => "Error",
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
            Code::Skip => "Skip",
        }
    }
}

/// `framework.Status`: a code, the reasons shown in the FitError, and the plugin that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: Code,
    pub reasons: Vec<String>,
    pub plugin: &'static str,
}

impl Status {
    pub fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: vec![],
            plugin: "",
        }
    }
    pub fn skip() -> Status {
        Status {
            code: Code::Skip,
            reasons: vec![],
            plugin: "",
        }
    }
    pub fn new(code: Code, reason: impl Into<String>) -> Status {
        Status {
            code,
            reasons: vec![reason.into()],
            plugin: "",
        }
    }
    pub fn with_reasons(code: Code, reasons: Vec<String>) -> Status {
        Status {
            code,
            reasons,
            plugin: "",
        }
    }
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }
    /// `IsRejected`: Unschedulable or UnschedulableAndUnresolvable.
    pub fn is_rejected(&self) -> bool {
        matches!(
            self.code,
            Code::Unschedulable | Code::UnschedulableAndUnresolvable
        )
    }
    /// `Status.Message()`: the reasons joined by ", ".
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }
}

/// A value a plugin keeps in the CycleState (`framework.StateData`): clonable, because
/// preemption's dry runs and the filters with nominated pods work on copies (`state.Clone()`).
pub trait StateData: Any {
    fn clone_box(&self) -> Box<dyn StateData>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone> StateData for T {
    fn clone_box(&self) -> Box<dyn StateData> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `framework.CycleState`: what PreFilter and PreScore computed for this pod, by plugin.
#[derive(Default)]
pub struct CycleState {
    data: BTreeMap<&'static str, Box<dyn StateData>>,
    /// Plugins whose PreFilter returned Skip: their Filter is not run.
    pub skip_filter: Vec<&'static str>,
    /// Plugins whose PreScore returned Skip: their Score is not run.
    pub skip_score: Vec<&'static str>,
}

impl Clone for CycleState {
    fn clone(&self) -> Self {
        CycleState {
            data: self
                .data
                .iter()
                .map(|(k, v)| (*k, (**v).clone_box()))
                .collect(),
            skip_filter: self.skip_filter.clone(),
            skip_score: self.skip_score.clone(),
        }
    }
}

impl CycleState {
    pub fn write<T: Any + Clone>(&mut self, key: &'static str, value: T) {
        self.data.insert(key, Box::new(value));
    }
    pub fn read<T: Any>(&self, key: &'static str) -> Option<&T> {
        (**self.data.get(key)?).as_any().downcast_ref::<T>()
    }
    pub fn read_mut<T: Any>(&mut self, key: &'static str) -> Option<&mut T> {
        (**self.data.get_mut(key)?).as_any_mut().downcast_mut::<T>()
    }
}

/// The cluster as this cycle sees it: every node in the node tree's order (zones round-robin),
/// and how many nodes hold each image (`ImageStateSummary.NumNodes`).
pub struct Snapshot<'a> {
    pub nodes: Vec<&'a NodeInfo>,
    pub image_num_nodes: &'a BTreeMap<String, usize>,
    /// The selector of the Services and controllers owning the pod (`helper.DefaultSelector`),
    /// for PodTopologySpread's default constraints.
    pub default_spread_selector: Option<crate::apiserver::labels::Selector>,
    /// VolumeBinding's listers.
    pub volumes: Volumes<'a>,
}

static NO_OBJECTS: BTreeMap<String, Arc<serde_json::Value>> = BTreeMap::new();

/// The volume objects the scheduler's informers hold, by key (`namespace/name` for claims,
/// `name` for PersistentVolumes and StorageClasses): VolumeBinding's listers.
#[derive(Clone, Copy)]
pub struct Volumes<'a> {
    pub claims: &'a BTreeMap<String, Arc<serde_json::Value>>,
    pub volumes: &'a BTreeMap<String, Arc<serde_json::Value>>,
    pub storage_classes: &'a BTreeMap<String, Arc<serde_json::Value>>,
}

impl Default for Volumes<'_> {
    /// No claims, volumes or classes (a cluster without storage).
    fn default() -> Self {
        Volumes {
            claims: &NO_OBJECTS,
            volumes: &NO_OBJECTS,
            storage_classes: &NO_OBJECTS,
        }
    }
}

impl Snapshot<'_> {
    /// `HavePodsWithRequiredAntiAffinityList`.
    pub fn have_pods_with_required_anti_affinity(&self) -> bool {
        self.nodes
            .iter()
            .any(|n| n.pods_with_required_anti_affinity > 0)
    }
}

/// A scheduler plugin: every method is an extension point, with the framework's default when a
/// plugin does not implement it.
pub trait Plugin {
    fn name(&self) -> &'static str;
    /// Whether the plugin implements Filter (and PreFilter).
    fn filters(&self) -> bool {
        false
    }
    /// Whether the plugin implements Score (and PreScore, NormalizeScore).
    fn scores(&self) -> bool {
        false
    }
    fn pre_filter(&self, _state: &mut CycleState, _pod: &PodInfo, _snap: &Snapshot) -> Status {
        Status::success()
    }
    fn filter(&self, _state: &CycleState, _pod: &PodInfo, _node: &NodeInfo) -> Status {
        Status::success()
    }
    /// `PreFilterExtensions.AddPod`: brings this plugin's PreFilter state up to date with
    /// `added` counted on `node` (a nominated pod, or a victim reprieved by preemption).
    fn pre_filter_add_pod(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _added: &PodInfo,
        _node: &NodeInfo,
    ) -> Status {
        Status::success()
    }
    /// `PreFilterExtensions.RemovePod`: the same with `removed` gone from `node`.
    fn pre_filter_remove_pod(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _removed: &PodInfo,
        _node: &NodeInfo,
    ) -> Status {
        Status::success()
    }
    fn pre_score(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _filtered: &[&NodeInfo],
        _snap: &Snapshot,
    ) -> Status {
        Status::success()
    }
    fn score(
        &self,
        _state: &CycleState,
        _pod: &PodInfo,
        _node: &NodeInfo,
        _snap: &Snapshot,
    ) -> i64 {
        0
    }
    /// NormalizeScore over the scored nodes, in the order given (`names[i]` scored `scores[i]`).
    fn normalize_score(&self, _state: &CycleState, _names: &[&str], _scores: &mut [i64]) {}
}

/// The `default-scheduler` profile: plugins in the order of `getDefaultPlugins` (1.33), each
/// score plugin with its default weight.
#[derive(Clone)]
pub struct Profile {
    pub plugins: Vec<(Arc<dyn Plugin>, i64)>,
}

impl Profile {
    pub fn default_profile() -> Profile {
        use crate::scheduler::plugins::*;
        Profile {
            plugins: vec![
                (Arc::new(node_unschedulable::NodeUnschedulable), 0),
                (Arc::new(node_name::NodeName), 0),
                (Arc::new(taint_toleration::TaintToleration), 3),
                (Arc::new(node_affinity::NodeAffinity), 2),
                (Arc::new(node_ports::NodePorts), 0),
                (Arc::new(node_resources_fit::NodeResourcesFit), 1),
                // VolumeRestrictions, NodeVolumeLimits come here in the real profile; kubestep
                // simulates no volume plugins for them to check.
                (Arc::new(volume_binding::VolumeBinding), 0),
                // VolumeZone likewise.
                (Arc::new(pod_topology_spread::PodTopologySpread), 2),
                (Arc::new(inter_pod_affinity::InterPodAffinity), 2),
                (
                    Arc::new(node_resources_balanced_allocation::NodeResourcesBalancedAllocation),
                    1,
                ),
                (Arc::new(image_locality::ImageLocality), 1),
            ],
        }
    }

    pub fn filter_plugins(&self) -> impl Iterator<Item = &Arc<dyn Plugin>> {
        self.plugins.iter().map(|(p, _)| p).filter(|p| p.filters())
    }

    pub fn score_plugins(&self) -> impl Iterator<Item = (&Arc<dyn Plugin>, i64)> {
        self.plugins
            .iter()
            .filter(|(p, _)| p.scores())
            .map(|(p, w)| (p, *w))
    }

    /// `RunPreFilterPlugins`: a plugin that returns Skip has its Filter skipped; a rejection
    /// fails the whole pod at once.
    pub fn run_pre_filter(&self, state: &mut CycleState, pod: &PodInfo, snap: &Snapshot) -> Status {
        for p in self.filter_plugins() {
            let mut s = p.pre_filter(state, pod, snap);
            match s.code {
                Code::Success => {}
                Code::Skip => state.skip_filter.push(p.name()),
                _ => {
                    s.plugin = p.name();
                    return s;
                }
            }
        }
        Status::success()
    }

    /// `RunFilterPlugins`: stops at the first plugin that rejects the node. Returns the status,
    /// and with `record` the verdicts of the plugins run, in order.
    pub fn run_filter(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        node: &NodeInfo,
        record: bool,
    ) -> (Status, Vec<(&'static str, Status)>) {
        let mut verdicts = Vec::new();
        for p in self.filter_plugins() {
            if state.skip_filter.contains(&p.name()) {
                continue;
            }
            let mut s = p.filter(state, pod, node);
            s.plugin = p.name();
            if record {
                verdicts.push((p.name(), s.clone()));
            }
            if !s.is_success() {
                return (s, verdicts);
            }
        }
        (Status::success(), verdicts)
    }
}

impl Profile {
    /// `RunPreFilterExtensionAddPod`: every filter plugin whose PreFilter ran (not Skip).
    pub fn run_pre_filter_extension_add_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        added: &PodInfo,
        node: &NodeInfo,
    ) -> Status {
        for p in self.filter_plugins() {
            if state.skip_filter.contains(&p.name()) {
                continue;
            }
            let s = p.pre_filter_add_pod(state, pod, added, node);
            if !s.is_success() {
                return Status::new(
                    Code::Error,
                    format!(
                        "running AddPod on PreFilter plugin {:?}: {}",
                        p.name(),
                        s.message()
                    ),
                );
            }
        }
        Status::success()
    }

    /// `RunPreFilterExtensionRemovePod`.
    pub fn run_pre_filter_extension_remove_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        removed: &PodInfo,
        node: &NodeInfo,
    ) -> Status {
        for p in self.filter_plugins() {
            if state.skip_filter.contains(&p.name()) {
                continue;
            }
            let s = p.pre_filter_remove_pod(state, pod, removed, node);
            if !s.is_success() {
                return Status::new(
                    Code::Error,
                    format!(
                        "running RemovePod on PreFilter plugin {:?}: {}",
                        p.name(),
                        s.message()
                    ),
                );
            }
        }
        Status::success()
    }

    /// `RunFilterPluginsWithNominatedPods`: the pods nominated to `node` with a priority at
    /// least the pod's count as if they ran there (the pod must not take room freed for
    /// them); when the filters pass with them, they must pass without them too (pod affinity
    /// may need them absent). `nominated` is the nominator's list for the node.
    pub fn run_filter_with_nominated_pods(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        node: &NodeInfo,
        nominated: &[Arc<PodInfo>],
        record: bool,
    ) -> (Status, Vec<(&'static str, Status)>) {
        let mut ge = nominated
            .iter()
            .filter(|n| {
                n.priority >= pod.priority && n.key != pod.key && !node.pods.contains_key(&n.key)
            })
            .peekable();
        if ge.peek().is_none() {
            return self.run_filter(state, pod, node, record);
        }
        let mut node_out = node.clone();
        let mut state_out = state.clone();
        for n in ge {
            node_out.add_pod(n.clone());
            let s = self.run_pre_filter_extension_add_pod(&mut state_out, pod, n, &node_out);
            if !s.is_success() {
                return (s, vec![]);
            }
        }
        let (status, verdicts) = self.run_filter(&state_out, pod, &node_out, record);
        if !status.is_success() {
            return (status, verdicts);
        }
        self.run_filter(state, pod, node, record)
    }
}

/// `DefaultNormalizeScore` (`plugins/helper/normalize_score.go`): scales to 0..=max by the
/// highest score, reversed for plugins where fewer is better.
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max_count = scores.iter().copied().max().unwrap_or(0).max(0);
    if max_count == 0 {
        if reverse {
            for s in scores.iter_mut() {
                *s = max_priority;
            }
        }
        return;
    }
    for s in scores.iter_mut() {
        let mut score = max_priority * *s / max_count;
        if reverse {
            score = max_priority - score;
        }
        *s = score;
    }
}

/// `FitError.Error()`: `0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2
/// Insufficient cpu. preemption: ...` — each reason with its node count, sorted as strings,
/// then PostFilter's message. A PreFilter rejection replaces the per-node histogram.
pub fn fit_error_message<'a>(
    num_all_nodes: usize,
    statuses: impl Iterator<Item = &'a Status>,
    pre_filter_msg: Option<&str>,
    post_filter_msg: Option<&str>,
) -> String {
    let mut msg = format!("0/{num_all_nodes} nodes are available:");
    match pre_filter_msg {
        Some(m) => msg.push_str(&format!(" {m}.")),
        None => {
            let histogram = reason_histogram(statuses);
            let mut parts: Vec<String> = histogram
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect();
            parts.sort();
            if !parts.is_empty() {
                msg.push_str(&format!(" {}.", parts.join(", ")));
            }
        }
    }
    // Since 1.30 the PostFilter message is appended as it is (it ends with its own period;
    // older versions added another, printing `..`).
    if let Some(m) = post_filter_msg.filter(|m| !m.is_empty()) {
        msg.push_str(&format!(" {m}"));
    }
    msg
}

/// How many nodes gave each reason.
pub fn reason_histogram<'a>(statuses: impl Iterator<Item = &'a Status>) -> BTreeMap<String, usize> {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for s in statuses {
        for r in &s.reasons {
            *reasons.entry(r.clone()).or_insert(0) += 1;
        }
    }
    reasons
}
