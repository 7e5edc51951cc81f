//! The framework's view of pods and nodes (`pkg/scheduler/framework/types.go`): a pod parsed
//! once into a `PodInfo` (requests, tolerations, affinity terms...), and a `NodeInfo` per node
//! holding the node, the pods counted on it and what they request.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::apiserver::defaulting::quantity::Quantity;
use crate::apiserver::labels::{labels_of, Selector};

/// `schedutil.DefaultMilliCPURequest`: what a container without a cpu request counts as for
/// scoring (never for fitting).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// `schedutil.DefaultMemoryRequest`: 200 MiB.
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// `framework.Resource`: cpu in millicores, memory and ephemeral storage in bytes, and any
/// extended resource by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    pub allowed_pod_number: i64,
    pub scalar: BTreeMap<String, i64>,
}

impl Resource {
    /// A `ResourceList` (`{"cpu": "2", "memory": "4Gi", "pods": "110"}`).
    pub fn from_list(list: Option<&Value>) -> Resource {
        let mut r = Resource::default();
        let Some(m) = list.and_then(Value::as_object) else {
            return r;
        };
        for (name, q) in m {
            let Some(q) = quantity(q) else { continue };
            match name.as_str() {
                "cpu" => r.milli_cpu = milli(&q),
                "memory" => r.memory = value(&q),
                "ephemeral-storage" => r.ephemeral_storage = value(&q),
                "pods" => r.allowed_pod_number = value(&q),
                other => {
                    r.scalar.insert(other.to_string(), value(&q));
                }
            }
        }
        r
    }

    pub fn add(&mut self, o: &Resource) {
        self.milli_cpu = self.milli_cpu.saturating_add(o.milli_cpu);
        self.memory = self.memory.saturating_add(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_add(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
    }

    pub fn sub(&mut self, o: &Resource) {
        self.milli_cpu = self.milli_cpu.saturating_sub(o.milli_cpu);
        self.memory = self.memory.saturating_sub(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_sub(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_sub(*v);
        }
    }

    /// `SetMaxResource`: the per-resource maximum (init containers run one at a time).
    fn max_with(&mut self, o: &Resource) {
        self.milli_cpu = self.milli_cpu.max(o.milli_cpu);
        self.memory = self.memory.max(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_insert(0);
            *e = (*e).max(*v);
        }
    }

    pub fn is_zero(&self) -> bool {
        self.milli_cpu == 0
            && self.memory == 0
            && self.ephemeral_storage == 0
            && self.scalar.values().all(|v| *v == 0)
    }
}

fn quantity(v: &Value) -> Option<Quantity> {
    crate::apiserver::defaulting::quantity::from_json(v)
}

fn clamp(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// `Quantity.MilliValue()`.
fn milli(q: &Quantity) -> i64 {
    clamp(q.milli_value())
}

/// `Quantity.Value()`: whole units, rounded up.
fn value(q: &Quantity) -> i64 {
    let step = 1_000_000_000i128;
    let whole = q.nanos / step;
    clamp(if q.nanos % step > 0 { whole + 1 } else { whole })
}

/// A taint (`key=value:Effect`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: String,
}

/// A toleration of a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toleration {
    pub key: String,
    pub operator: String,
    pub value: String,
    pub effect: String,
}

impl Toleration {
    /// `Toleration.ToleratesTaint` of `k8s.io/api/core/v1`.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if !self.effect.is_empty() && self.effect != taint.effect {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator.as_str() {
            "" | "Equal" => self.value == taint.value,
            "Exists" => true,
            _ => false,
        }
    }
}

/// `TolerationsTolerateTaint`.
pub fn tolerations_tolerate(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// One `NodeSelectorRequirement` (`matchExpressions` or `matchFields`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSelectorRequirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl NodeSelectorRequirement {
    fn matches(&self, value: Option<&str>) -> bool {
        match self.operator.as_str() {
            "In" => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            "NotIn" => !value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            "Gt" | "Lt" => {
                let (Some(v), Some(bound)) = (value, self.values.first()) else {
                    return false;
                };
                match (v.parse::<i64>(), bound.parse::<i64>()) {
                    (Ok(v), Ok(b)) if self.operator == "Gt" => v > b,
                    (Ok(v), Ok(b)) => v < b,
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// A `NodeSelectorTerm`: every expression and field requirement must hold; a term with none
/// matches no node (`nodeaffinity.nodeSelectorTerms`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeSelectorTerm {
    pub match_expressions: Vec<NodeSelectorRequirement>,
    pub match_fields: Vec<NodeSelectorRequirement>,
}

impl NodeSelectorTerm {
    pub fn parse(v: &Value) -> NodeSelectorTerm {
        let reqs = |field: &str| -> Vec<NodeSelectorRequirement> {
            v.get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|r| NodeSelectorRequirement {
                    key: str_at(r, "key"),
                    operator: str_at(r, "operator"),
                    values: strings(r.get("values")),
                })
                .collect()
        };
        NodeSelectorTerm {
            match_expressions: reqs("matchExpressions"),
            match_fields: reqs("matchFields"),
        }
    }

    pub fn matches(&self, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
        if self.match_expressions.is_empty() && self.match_fields.is_empty() {
            return false;
        }
        self.match_expressions
            .iter()
            .all(|r| r.matches(labels.get(&r.key).map(String::as_str)))
            && self.match_fields.iter().all(|r| {
                // `metadata.name` is the only field a node selector may use.
                r.key == "metadata.name" && r.matches(Some(node_name))
            })
    }
}

/// A pod (anti-)affinity term, resolved: the namespaces it applies to and its selector.
#[derive(Clone, Debug)]
pub struct AffinityTerm {
    /// Explicit namespaces (the pod's own when neither these nor a namespace selector is set).
    pub namespaces: Vec<String>,
    /// `namespaceSelector: {}` selects every namespace.
    pub all_namespaces: bool,
    pub selector: Selector,
    pub topology_key: String,
}

impl AffinityTerm {
    fn parse(v: &Value, pod_namespace: &str) -> AffinityTerm {
        let selector = match v.get("labelSelector") {
            // A nil label selector matches no pod.
            None | Some(Value::Null) => Selector {
                requirements: vec![],
                nothing: true,
            },
            Some(s) => Selector::from_label_selector(s).unwrap_or(Selector {
                requirements: vec![],
                nothing: true,
            }),
        };
        let mut namespaces = strings(v.get("namespaces"));
        let ns_selector = v.get("namespaceSelector").filter(|s| !s.is_null());
        let all_namespaces = ns_selector.is_some_and(|s| {
            s.get("matchLabels")
                .and_then(Value::as_object)
                .is_none_or(|m| m.is_empty())
                && s.get("matchExpressions")
                    .and_then(Value::as_array)
                    .is_none_or(|a| a.is_empty())
        });
        if namespaces.is_empty() && ns_selector.is_none() {
            namespaces.push(pod_namespace.to_string());
        }
        AffinityTerm {
            namespaces,
            all_namespaces,
            selector,
            topology_key: str_at(v, "topologyKey"),
        }
    }

    /// `AffinityTerm.Matches`: the pod is in one of the term's namespaces and its labels match.
    pub fn matches(&self, pod: &PodInfo) -> bool {
        (self.all_namespaces || self.namespaces.contains(&pod.namespace))
            && self.selector.matches(&pod.labels)
    }
}

/// A weighted term of `preferredDuringSchedulingIgnoredDuringExecution`.
#[derive(Clone, Debug)]
pub struct WeightedAffinityTerm {
    pub weight: i64,
    pub term: AffinityTerm,
}

/// A `topologySpreadConstraint`, with `matchLabelKeys` already merged into its selector.
#[derive(Clone, Debug)]
pub struct SpreadConstraint {
    pub max_skew: i64,
    pub topology_key: String,
    pub when_unsatisfiable: String,
    pub selector: Selector,
    pub min_domains: i64,
    pub node_affinity_policy_honor: bool,
    pub node_taints_policy_honor: bool,
}

/// A host port a container asks for (`NodePorts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    pub ip: String,
    pub protocol: String,
    pub port: i64,
}

impl HostPort {
    /// Two host ports conflict on the same protocol and port when either binds every address.
    pub fn conflicts(&self, o: &HostPort) -> bool {
        self.port == o.port
            && self.protocol == o.protocol
            && (self.ip == "0.0.0.0" || o.ip == "0.0.0.0" || self.ip == o.ip)
    }
}

/// A pod as the scheduler sees it, parsed once when the informer delivers it.
#[derive(Clone, Debug)]
pub struct PodInfo {
    pub obj: Arc<Value>,
    pub key: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub node_name: String,
    pub scheduler_name: String,
    pub priority: i64,
    pub preemption_never: bool,
    pub terminating: bool,
    pub gated: bool,
    /// `status.nominatedNodeName`: where a preemption made room for it.
    pub nominated_node_name: String,
    /// `status.startTime` in Unix seconds, once the kubelet has started the pod.
    pub start_time: Option<i64>,
    /// What the pod asks for, for fitting (`PodRequests`: containers, init containers, overhead).
    pub requests: Resource,
    /// The same with 100m cpu / 200Mi memory for containers that ask for none (for scoring).
    pub non_zero_requests: Resource,
    pub host_ports: Vec<HostPort>,
    pub tolerations: Vec<Toleration>,
    pub node_selector: BTreeMap<String, String>,
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms` (ORed), if any.
    pub required_node_affinity: Option<Vec<NodeSelectorTerm>>,
    pub preferred_node_affinity: Vec<(i64, NodeSelectorTerm)>,
    pub required_affinity_terms: Vec<AffinityTerm>,
    pub required_anti_affinity_terms: Vec<AffinityTerm>,
    pub preferred_affinity_terms: Vec<WeightedAffinityTerm>,
    pub preferred_anti_affinity_terms: Vec<WeightedAffinityTerm>,
    pub spread_constraints: Vec<SpreadConstraint>,
    /// Container and init container images, normalised (`nginx` → `nginx:latest`).
    pub images: Vec<String>,
}

fn str_at(v: &Value, field: &str) -> String {
    v.get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn arr<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// `normalizedImageName` of ImageLocality: an image without a tag means `:latest`.
pub fn normalized_image_name(name: &str) -> String {
    let colon = name.rfind(':');
    let slash = name.rfind('/');
    if colon.map(|c| c as i64).unwrap_or(-1) <= slash.map(|s| s as i64).unwrap_or(-1) {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

/// `resourcehelper.PodRequests`: the sum over containers, at least the largest init container
/// (restartable init containers, the sidecars, run alongside and add up), plus the overhead.
/// With `non_zero`, a container missing a cpu or memory request counts the scheduler's default.
fn pod_requests(spec: &Value, non_zero: bool) -> Resource {
    let container_requests = |c: &Value| {
        let mut r = Resource::from_list(c.pointer("/resources/requests"));
        if non_zero {
            let reqs = c.pointer("/resources/requests");
            if reqs.and_then(|r| r.get("cpu")).is_none() {
                r.milli_cpu = DEFAULT_MILLI_CPU_REQUEST;
            }
            if reqs.and_then(|r| r.get("memory")).is_none() {
                r.memory = DEFAULT_MEMORY_REQUEST;
            }
        }
        r
    };
    let mut reqs = Resource::default();
    for c in arr(spec, "/containers") {
        reqs.add(&container_requests(c));
    }
    let mut restartable = Resource::default();
    let mut init_max = Resource::default();
    for c in arr(spec, "/initContainers") {
        let r = container_requests(c);
        if c.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
            reqs.add(&r);
            restartable.add(&r);
            init_max.max_with(&restartable);
        } else {
            let mut with_sidecars = restartable.clone();
            with_sidecars.add(&r);
            init_max.max_with(&with_sidecars);
        }
    }
    reqs.max_with(&init_max);
    reqs.add(&Resource::from_list(spec.get("overhead")));
    reqs
}

impl PodInfo {
    pub fn new(obj: Arc<Value>) -> PodInfo {
        static NULL: Value = Value::Null;
        let shared = obj.clone();
        let spec = shared.get("spec").unwrap_or(&NULL);
        let namespace = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut host_ports = Vec::new();
        for c in arr(spec, "/initContainers").chain(arr(spec, "/containers")) {
            for p in arr(c, "/ports") {
                let port = p.get("hostPort").and_then(Value::as_i64).unwrap_or(0);
                if port <= 0 {
                    continue;
                }
                let ip = match p.get("hostIP").and_then(Value::as_str) {
                    None | Some("") => "0.0.0.0".to_string(),
                    Some(ip) => ip.to_string(),
                };
                let protocol = match p.get("protocol").and_then(Value::as_str) {
                    None | Some("") => "TCP".to_string(),
                    Some(p) => p.to_string(),
                };
                host_ports.push(HostPort { ip, protocol, port });
            }
        }
        let tolerations = arr(spec, "/tolerations")
            .map(|t| Toleration {
                key: str_at(t, "key"),
                operator: str_at(t, "operator"),
                value: str_at(t, "value"),
                effect: str_at(t, "effect"),
            })
            .collect();
        let node_selector = spec
            .get("nodeSelector")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let na = spec.pointer("/affinity/nodeAffinity");
        let required_node_affinity = na
            .and_then(|n| n.pointer("/requiredDuringSchedulingIgnoredDuringExecution"))
            .filter(|r| !r.is_null())
            .map(|r| {
                arr(r, "/nodeSelectorTerms")
                    .map(NodeSelectorTerm::parse)
                    .collect()
            });
        let preferred_node_affinity = na
            .map(|n| {
                arr(n, "/preferredDuringSchedulingIgnoredDuringExecution")
                    .map(|p| {
                        (
                            p.get("weight").and_then(Value::as_i64).unwrap_or(0),
                            NodeSelectorTerm::parse(p.get("preference").unwrap_or(&Value::Null)),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let terms = |pointer: &str| -> Vec<AffinityTerm> {
            arr(spec, pointer)
                .map(|t| AffinityTerm::parse(t, &namespace))
                .collect()
        };
        let weighted = |pointer: &str| -> Vec<WeightedAffinityTerm> {
            arr(spec, pointer)
                .map(|t| WeightedAffinityTerm {
                    weight: t.get("weight").and_then(Value::as_i64).unwrap_or(0),
                    term: AffinityTerm::parse(
                        t.get("podAffinityTerm").unwrap_or(&Value::Null),
                        &namespace,
                    ),
                })
                .collect()
        };
        let labels = labels_of(&obj);
        let spread_constraints = arr(spec, "/topologySpreadConstraints")
            .map(|c| {
                let mut selector = c
                    .get("labelSelector")
                    .filter(|s| !s.is_null())
                    .map(|s| {
                        Selector::from_label_selector(s).unwrap_or(Selector {
                            requirements: vec![],
                            nothing: true,
                        })
                    })
                    // A nil selector matches no pod.
                    .unwrap_or(Selector {
                        requirements: vec![],
                        nothing: true,
                    });
                for key in strings(c.get("matchLabelKeys")) {
                    if let Some(v) = labels.get(&key) {
                        selector
                            .requirements
                            .push(crate::apiserver::labels::Requirement {
                                key,
                                op: crate::apiserver::labels::Operator::In,
                                values: vec![v.clone()],
                            });
                    }
                }
                SpreadConstraint {
                    max_skew: c.get("maxSkew").and_then(Value::as_i64).unwrap_or(1),
                    topology_key: str_at(c, "topologyKey"),
                    when_unsatisfiable: str_at(c, "whenUnsatisfiable"),
                    selector,
                    min_domains: c.get("minDomains").and_then(Value::as_i64).unwrap_or(1),
                    node_affinity_policy_honor: c.get("nodeAffinityPolicy").and_then(Value::as_str)
                        != Some("Ignore"),
                    node_taints_policy_honor: c.get("nodeTaintsPolicy").and_then(Value::as_str)
                        == Some("Honor"),
                }
            })
            .collect();
        let images = arr(spec, "/initContainers")
            .chain(arr(spec, "/containers"))
            .map(|c| normalized_image_name(c.get("image").and_then(Value::as_str).unwrap_or("")))
            .collect();
        let gated = arr(spec, "/schedulingGates").next().is_some();
        PodInfo {
            key: crate::client::object_key(&obj),
            uid: obj
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            node_name: str_at(spec, "nodeName"),
            scheduler_name: str_at(spec, "schedulerName"),
            priority: spec.get("priority").and_then(Value::as_i64).unwrap_or(0),
            preemption_never: spec.get("preemptionPolicy").and_then(Value::as_str) == Some("Never"),
            terminating: obj.pointer("/metadata/deletionTimestamp").is_some(),
            gated,
            nominated_node_name: obj
                .pointer("/status/nominatedNodeName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            start_time: obj
                .pointer("/status/startTime")
                .and_then(Value::as_str)
                .and_then(crate::apiserver::printers::parse_rfc3339),
            requests: pod_requests(spec, false),
            non_zero_requests: pod_requests(spec, true),
            host_ports,
            tolerations,
            node_selector,
            required_node_affinity,
            preferred_node_affinity,
            required_affinity_terms: terms(
                "/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution",
            ),
            required_anti_affinity_terms: terms(
                "/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution",
            ),
            preferred_affinity_terms: weighted(
                "/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution",
            ),
            preferred_anti_affinity_terms: weighted(
                "/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution",
            ),
            spread_constraints,
            images,
            labels,
            namespace,
            name,
            obj,
        }
    }

    /// `podTerminatingByPreemption`: being deleted, with the `DisruptionTarget` condition a
    /// scheduler's preemption set.
    pub fn terminating_by_preemption(&self) -> bool {
        if !self.terminating {
            return false;
        }
        arr(&self.obj, "/status/conditions")
            .find(|c| c.get("type").and_then(Value::as_str) == Some("DisruptionTarget"))
            .is_some_and(|c| {
                c.get("status").and_then(Value::as_str) == Some("True")
                    && c.get("reason").and_then(Value::as_str) == Some("PreemptionByScheduler")
            })
    }

    /// Whether the pod has any inter-pod affinity or anti-affinity (`PodsWithAffinity`).
    pub fn has_affinity(&self) -> bool {
        !self.required_affinity_terms.is_empty()
            || !self.required_anti_affinity_terms.is_empty()
            || !self.preferred_affinity_terms.is_empty()
            || !self.preferred_anti_affinity_terms.is_empty()
    }
}

/// A node with the pods counted on it (`framework.NodeInfo`).
#[derive(Clone, Debug, Default)]
pub struct NodeInfo {
    pub name: String,
    /// `None` while pods name a node the informer has not delivered yet.
    pub node: Option<Arc<Value>>,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub allocatable: Resource,
    /// The sum of the pods' requests.
    pub requested: Resource,
    /// The same with the scoring defaults for containers without requests.
    pub non_zero_requested: Resource,
    pub pods: BTreeMap<String, Arc<PodInfo>>,
    pub used_ports: Vec<HostPort>,
    pub pods_with_affinity: usize,
    pub pods_with_required_anti_affinity: usize,
    /// Images present on the node (`status.images`), each name with its size in bytes.
    pub images: BTreeMap<String, i64>,
}

impl NodeInfo {
    pub fn new(name: &str) -> NodeInfo {
        NodeInfo {
            name: name.to_string(),
            ..NodeInfo::default()
        }
    }

    /// `SetNode`.
    pub fn set_node(&mut self, node: Arc<Value>) {
        self.labels = labels_of(&node);
        self.taints = arr(&node, "/spec/taints")
            .map(|t| Taint {
                key: str_at(t, "key"),
                value: str_at(t, "value"),
                effect: str_at(t, "effect"),
            })
            .collect();
        self.unschedulable = node
            .pointer("/spec/unschedulable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        self.allocatable = Resource::from_list(node.pointer("/status/allocatable"));
        self.images = BTreeMap::new();
        for img in arr(&node, "/status/images") {
            let size = img.get("sizeBytes").and_then(Value::as_i64).unwrap_or(0);
            for n in strings(img.get("names")) {
                self.images.insert(n, size);
            }
        }
        self.node = Some(node);
    }

    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.requested.add(&pod.requests);
        self.non_zero_requested.add(&pod.non_zero_requests);
        self.used_ports.extend(pod.host_ports.iter().cloned());
        if pod.has_affinity() {
            self.pods_with_affinity += 1;
        }
        if !pod.required_anti_affinity_terms.is_empty() {
            self.pods_with_required_anti_affinity += 1;
        }
        if let Some(old) = self.pods.insert(pod.key.clone(), pod) {
            panic!("pod {} counted twice on node {}", old.key, self.name);
        }
    }

    pub fn remove_pod(&mut self, key: &str) -> Option<Arc<PodInfo>> {
        let pod = self.pods.remove(key)?;
        self.requested.sub(&pod.requests);
        self.non_zero_requested.sub(&pod.non_zero_requests);
        for p in &pod.host_ports {
            if let Some(i) = self.used_ports.iter().position(|u| u == p) {
                self.used_ports.remove(i);
            }
        }
        if pod.has_affinity() {
            self.pods_with_affinity -= 1;
        }
        if !pod.required_anti_affinity_terms.is_empty() {
            self.pods_with_required_anti_affinity -= 1;
        }
        Some(pod)
    }
}
