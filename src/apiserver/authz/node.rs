//! The Node authorizer (`plugin/pkg/auth/authorizer/node`): what a kubelet (`system:node:<name>`
//! in `system:nodes`) may do. Secrets, configmaps, PVCs, PVs, service account tokens,
//! resource claims and volume attachments only when the node authorizer graph links them to
//! the node; leases and CSINodes only the node's own; Node and Pod objects as
//! `AuthorizeNodeWithSelectors` (beta, on by default in 1.32+) restricts them; everything else by
//! the static `system:node` ClusterRole rules.
//!
//! The graph is built from objects the caller passes in (`NodeGraph::build`), standing for the
//! informers the real graph populator watches: pods with `spec.nodeName` set (pod → node,
//! and secret / configmap / pvc / serviceaccount / resourceclaim → pod), PVs (pv → pvc, secret
//! → pv) and VolumeAttachments (volumeattachment → node). Rebuild it when those change.
//!
//! Requests the Node authorizer passes as NoOpinion still reach RBAC; kubeadm binds the
//! `system:node` ClusterRole to nobody, so for kubelets the node authorizer's reason is the
//! one in the 403.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::attributes::{Attributes, FieldOperator};
use super::rbac::{rules_allow, PolicyRule};
use super::Decision;
use crate::apiserver::authn::{UserInfo, NODES_GROUP, NODE_USER_PREFIX};

/// `api.NamespaceNodeLease`.
pub const NAMESPACE_NODE_LEASE: &str = "kube-node-lease";
/// `corev1.MirrorPodAnnotationKey`.
const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// `nodeidentifier.NodeIdentity`: `(node name, is a node)`. A user named `system:node:...`
/// outside the `system:nodes` group is not a node.
pub fn node_identity(user: &UserInfo) -> (String, bool) {
    match user.name.strip_prefix(NODE_USER_PREFIX) {
        Some(name) if user.in_group(NODES_GROUP) => (name.to_string(), true),
        _ => (String::new(), false),
    }
}

/// The vertex types of the graph (`vertexType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VertexType {
    ConfigMap,
    Node,
    Pod,
    Pvc,
    Pv,
    ResourceClaim,
    Secret,
    VolumeAttachment,
    ServiceAccount,
}

type Vertex = (VertexType, String, String);

/// The node authorizer graph: edges point from an object towards the node that may read it;
/// `destination` is the node an edge is "for" (edges of another node's pods are not followed).
#[derive(Clone, Debug, Default)]
pub struct NodeGraph {
    edges: BTreeMap<Vertex, BTreeSet<(Vertex, Option<String>)>>,
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn arr<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

impl NodeGraph {
    /// Build the graph from the pods, PVs and VolumeAttachments in the API server's cache.
    pub fn build<'v>(
        pods: impl IntoIterator<Item = &'v Value>,
        pvs: impl IntoIterator<Item = &'v Value>,
        volume_attachments: impl IntoIterator<Item = &'v Value>,
    ) -> NodeGraph {
        let mut g = NodeGraph::default();
        for pod in pods {
            g.add_pod(pod);
        }
        for pv in pvs {
            g.add_pv(pv);
        }
        for va in volume_attachments {
            let node = s(va, "/spec/nodeName");
            if !node.is_empty() {
                let from = (
                    VertexType::VolumeAttachment,
                    String::new(),
                    s(va, "/metadata/name").to_string(),
                );
                g.add_edge(from, node_vertex(node), None);
            }
        }
        g
    }

    fn add_edge(&mut self, from: Vertex, to: Vertex, destination: Option<String>) {
        self.edges
            .entry(from)
            .or_default()
            .insert((to, destination));
    }

    /// `Graph.AddPod`.
    fn add_pod(&mut self, pod: &Value) {
        let node = s(pod, "/spec/nodeName");
        if node.is_empty() {
            return;
        }
        let ns = s(pod, "/metadata/namespace").to_string();
        let pod_vertex = (
            VertexType::Pod,
            ns.clone(),
            s(pod, "/metadata/name").to_string(),
        );
        let dest = Some(node.to_string());
        self.add_edge(pod_vertex.clone(), node_vertex(node), dest.clone());
        // A node must never gain access to other objects through a pod it created itself.
        if pod
            .pointer(&format!(
                "/metadata/annotations/{}",
                MIRROR_POD_ANNOTATION.replace('/', "~1")
            ))
            .is_some()
        {
            return;
        }
        let mut link = |t: VertexType, name: &str| {
            if !name.is_empty() {
                self.add_edge(
                    (t, ns.clone(), name.to_string()),
                    pod_vertex.clone(),
                    dest.clone(),
                );
            }
        };
        link(
            VertexType::ServiceAccount,
            s(pod, "/spec/serviceAccountName"),
        );
        for name in pod_secret_names(pod) {
            link(VertexType::Secret, &name);
        }
        for name in pod_configmap_names(pod) {
            link(VertexType::ConfigMap, &name);
        }
        let pod_name = s(pod, "/metadata/name");
        for v in arr(pod, "/spec/volumes") {
            if v.get("persistentVolumeClaim").is_some() {
                link(VertexType::Pvc, s(v, "/persistentVolumeClaim/claimName"));
            } else if v.get("ephemeral").is_some() {
                // ephemeral.VolumeClaimName: <pod>-<volume>
                link(VertexType::Pvc, &format!("{pod_name}-{}", s(v, "/name")));
            }
        }
        for status in arr(pod, "/status/resourceClaimStatuses") {
            link(VertexType::ResourceClaim, s(status, "/resourceClaimName"));
        }
    }

    /// `Graph.AddPV`: pv → its bound pvc, secrets → pv.
    fn add_pv(&mut self, pv: &Value) {
        let pv_vertex = (
            VertexType::Pv,
            String::new(),
            s(pv, "/metadata/name").to_string(),
        );
        let claim = s(pv, "/spec/claimRef/name");
        if claim.is_empty() {
            return;
        }
        let claim_ns = s(pv, "/spec/claimRef/namespace").to_string();
        self.add_edge(
            pv_vertex.clone(),
            (VertexType::Pvc, claim_ns.clone(), claim.to_string()),
            None,
        );
        if let Some(spec) = pv.get("spec").and_then(Value::as_object) {
            for source in spec.values() {
                for key in [
                    "secretRef",
                    "nodePublishSecretRef",
                    "controllerPublishSecretRef",
                    "nodeStageSecretRef",
                    "nodeExpandSecretRef",
                    "controllerExpandSecretRef",
                ] {
                    if let Some(r) = source.get(key) {
                        let name = s(r, "/name");
                        let ns = match s(r, "/namespace") {
                            "" => claim_ns.as_str(),
                            ns => ns,
                        };
                        if !name.is_empty() {
                            self.add_edge(
                                (VertexType::Secret, ns.to_string(), name.to_string()),
                                pv_vertex.clone(),
                                None,
                            );
                        }
                    }
                }
            }
        }
    }

    /// `hasPathFrom`: a path from the object to the node, not following edges meant for other
    /// nodes.
    pub fn has_path_from(
        &self,
        node_name: &str,
        t: VertexType,
        namespace: &str,
        name: &str,
    ) -> bool {
        let target = node_vertex(node_name);
        let start: Vertex = (t, namespace.to_string(), name.to_string());
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            if v == target {
                return true;
            }
            if !seen.insert(v.clone()) {
                continue;
            }
            for (to, dest) in self.edges.get(&v).into_iter().flatten() {
                if dest.as_deref().is_some_and(|d| d != node_name) {
                    continue;
                }
                stack.push(to.clone());
            }
        }
        false
    }
}

fn node_vertex(name: &str) -> Vertex {
    (VertexType::Node, String::new(), name.to_string())
}

fn all_containers(pod: &Value) -> impl Iterator<Item = &Value> {
    [
        "/spec/initContainers",
        "/spec/containers",
        "/spec/ephemeralContainers",
    ]
    .into_iter()
    .flat_map(move |p| arr(pod, p).iter())
}

/// `podutil.VisitPodSecretNames`.
fn pod_secret_names(pod: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in arr(pod, "/spec/imagePullSecrets") {
        out.push(s(r, "/name").to_string());
    }
    for c in all_containers(pod) {
        for e in arr(c, "/envFrom") {
            out.push(s(e, "/secretRef/name").to_string());
        }
        for e in arr(c, "/env") {
            out.push(s(e, "/valueFrom/secretKeyRef/name").to_string());
        }
    }
    for v in arr(pod, "/spec/volumes") {
        out.push(s(v, "/secret/secretName").to_string());
        out.push(s(v, "/azureFile/secretName").to_string());
        out.push(s(v, "/csi/nodePublishSecretRef/name").to_string());
        for plugin in [
            "cephfs",
            "cinder",
            "flexVolume",
            "rbd",
            "scaleIO",
            "iscsi",
            "storageos",
        ] {
            out.push(s(v, &format!("/{plugin}/secretRef/name")).to_string());
        }
        for p in arr(v, "/projected/sources") {
            out.push(s(p, "/secret/name").to_string());
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// `podutil.VisitPodConfigmapNames`.
fn pod_configmap_names(pod: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in all_containers(pod) {
        for e in arr(c, "/envFrom") {
            out.push(s(e, "/configMapRef/name").to_string());
        }
        for e in arr(c, "/env") {
            out.push(s(e, "/valueFrom/configMapKeyRef/name").to_string());
        }
    }
    for v in arr(pod, "/spec/volumes") {
        out.push(s(v, "/configMap/name").to_string());
        for p in arr(v, "/projected/sources") {
            out.push(s(p, "/configMap/name").to_string());
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// `NodeAuthorizer`: the graph plus the static rules of the `system:node` ClusterRole
/// (`bootstrappolicy.NodeRules()`).
#[derive(Clone, Debug)]
pub struct NodeAuthorizer {
    pub graph: NodeGraph,
    pub node_rules: Vec<PolicyRule>,
}

type Outcome = (Decision, String);

fn no(reason: &str) -> Outcome {
    (Decision::NoOpinion, reason.to_string())
}

fn yes() -> Outcome {
    (Decision::Allow, String::new())
}

impl NodeAuthorizer {
    /// A node authorizer over a graph, with the static rules of kubestep's `system:node` role.
    pub fn new(graph: NodeGraph) -> NodeAuthorizer {
        NodeAuthorizer {
            graph,
            node_rules: super::bootstrap_policy::node_rules(),
        }
    }

    /// `NodeAuthorizer.Authorize`.
    pub fn authorize(&self, a: &Attributes) -> (Decision, String) {
        let (node, is_node) = node_identity(&a.user);
        if !is_node {
            return no("");
        }
        if node.is_empty() {
            return no(&format!(
                "unknown node for user {}",
                super::attributes::quote(&a.user.name)
            ));
        }
        if a.resource_request {
            match (a.api_group.as_str(), a.resource.as_str()) {
                ("", "secrets") => {
                    return self.read_namespaced_object(&node, VertexType::Secret, a)
                }
                ("", "configmaps") => {
                    return self.read_namespaced_object(&node, VertexType::ConfigMap, a)
                }
                ("", "persistentvolumeclaims") => {
                    if a.subresource == "status" {
                        return self.status_update(&node, VertexType::Pvc, a);
                    }
                    return self.get(&node, VertexType::Pvc, a);
                }
                ("", "persistentvolumes") => return self.get(&node, VertexType::Pv, a),
                ("resource.k8s.io", "resourceclaims") => {
                    return self.get(&node, VertexType::ResourceClaim, a)
                }
                ("storage.k8s.io", "volumeattachments") => {
                    return self.get(&node, VertexType::VolumeAttachment, a)
                }
                ("", "serviceaccounts") => return self.create_token(&node, a),
                ("coordination.k8s.io", "leases") => return lease(&node, a),
                ("storage.k8s.io", "csinodes") => return csi_node(&node, a),
                ("", "nodes") => return node_object(&node, a),
                ("", "pods") => return self.pod(&node, a),
                _ => {}
            }
        }
        if rules_allow(a, &self.node_rules) {
            yes()
        } else {
            no("")
        }
    }

    fn status_update(&self, node: &str, t: VertexType, a: &Attributes) -> Outcome {
        if a.verb != "update" && a.verb != "patch" {
            return no("can only get/update/patch this type");
        }
        if a.subresource != "status" {
            return no("can only update status subresource");
        }
        self.path(node, t, a)
    }

    /// `authorizeGet`.
    fn get(&self, node: &str, t: VertexType, a: &Attributes) -> Outcome {
        if a.verb != "get" {
            return no("can only get individual resources of this type");
        }
        if !a.subresource.is_empty() {
            return no("cannot get subresource");
        }
        self.path(node, t, a)
    }

    /// `authorizeReadNamespacedObject`.
    fn read_namespaced_object(&self, node: &str, t: VertexType, a: &Attributes) -> Outcome {
        if !matches!(a.verb.as_str(), "get" | "list" | "watch") {
            return no("can only read resources of this type");
        }
        if !a.subresource.is_empty() {
            return no("cannot read subresource");
        }
        if a.namespace.is_empty() {
            return no("can only read namespaced object of this type");
        }
        self.path(node, t, a)
    }

    /// `authorize`: the object must be named and linked to the node in the graph.
    fn path(&self, node: &str, t: VertexType, a: &Attributes) -> Outcome {
        if a.name.is_empty() {
            return no("No Object name found");
        }
        if self.graph.has_path_from(node, t, &a.namespace, &a.name) {
            yes()
        } else {
            no(&format!(
                "no relationship found between node '{node}' and this object"
            ))
        }
    }

    /// `authorizeCreateToken`.
    fn create_token(&self, node: &str, a: &Attributes) -> Outcome {
        if a.verb != "create" || a.name.is_empty() {
            return no("can only create tokens for individual service accounts");
        }
        if a.subresource != "token" {
            return no("can only create token subresource of serviceaccount");
        }
        if self
            .graph
            .has_path_from(node, VertexType::ServiceAccount, &a.namespace, &a.name)
        {
            yes()
        } else {
            no(&format!(
                "no relationship found between node '{node}' and this object"
            ))
        }
    }

    /// `authorizePod`.
    fn pod(&self, node: &str, a: &Attributes) -> Outcome {
        match (a.subresource.as_str(), a.verb.as_str()) {
            ("", "get") => self.get(node, VertexType::Pod, a),
            ("", "list" | "watch") => {
                let scoped = a.field_selector.iter().any(|r| {
                    r.field == "spec.nodeName"
                        && r.operator == FieldOperator::Equals
                        && r.value == node
                });
                if scoped {
                    yes()
                } else if !a.name.is_empty() {
                    self.path(node, VertexType::Pod, a)
                } else {
                    no("can only list/watch pods with spec.nodeName field selector")
                }
            }
            // Mirror pods; the NodeRestriction admission plugin limits them to the node's own.
            ("", "create" | "delete") => yes(),
            ("status", "update" | "patch") => yes(),
            ("eviction", "create") => yes(),
            _ => no(""),
        }
    }
}

/// `authorizeLease`.
fn lease(node: &str, a: &Attributes) -> Outcome {
    if !matches!(
        a.verb.as_str(),
        "get" | "create" | "update" | "patch" | "delete"
    ) {
        return no("can only get, create, update, patch, or delete a node lease");
    }
    if a.namespace != NAMESPACE_NODE_LEASE {
        return no(&format!(
            "can only access leases in the \"{NAMESPACE_NODE_LEASE}\" system namespace"
        ));
    }
    if a.verb != "create" && a.name != node {
        return no("can only access node lease with the same name as the requesting node");
    }
    yes()
}

/// `authorizeCSINode`.
fn csi_node(node: &str, a: &Attributes) -> Outcome {
    if !matches!(
        a.verb.as_str(),
        "get" | "create" | "update" | "patch" | "delete"
    ) {
        return no("can only get, create, update, patch, or delete a CSINode");
    }
    if !a.subresource.is_empty() {
        return no("cannot authorize CSINode subresources");
    }
    if a.verb != "create" && a.name != node {
        return no("can only access CSINode with the same name as the requesting node");
    }
    yes()
}

/// `authorizeNode`: create/update/patch any Node (NodeRestriction admission limits it to the
/// node's own), read only its own, update/patch any Node's status (again NodeRestriction).
fn node_object(node: &str, a: &Attributes) -> Outcome {
    match (a.subresource.as_str(), a.verb.as_str()) {
        ("", "create" | "update" | "patch") => yes(),
        ("", "get" | "list" | "watch") => {
            if a.name == node {
                yes()
            } else if a.name.is_empty() {
                no(&format!(
                    "node '{node}' cannot read all nodes, only its own Node object"
                ))
            } else {
                no(&format!(
                    "node '{node}' cannot read '{}', only its own Node object",
                    a.name
                ))
            }
        }
        ("status", "update" | "patch") => yes(),
        _ => no(""),
    }
}

/// The NodeRestriction admission plugin's check on Node writes (`admitNode`), the reason a
/// kubelet that the Node authorizer lets update *any* Node's status still cannot touch another
/// node: `Some(403 message)` when `attrs` is a node writing a Node that is not its own.
/// (Admission runs after authorization; this is here so the two halves can be read together.)
pub fn node_restriction_node_error(a: &Attributes) -> Option<String> {
    let (node, is_node) = node_identity(&a.user);
    if !is_node
        || node.is_empty()
        || !a.resource_request
        || !a.api_group.is_empty()
        || a.resource != "nodes"
    {
        return None;
    }
    if !matches!(a.verb.as_str(), "create" | "update" | "patch" | "delete") || a.name == node {
        return None;
    }
    Some(format!(
        "nodes {} is forbidden: node {} is not allowed to modify node {}",
        super::attributes::quote(&a.name),
        super::attributes::quote(&node),
        super::attributes::quote(&a.name)
    ))
}
