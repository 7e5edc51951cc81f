//! Managed fields (`metadata.managedFields`): which manager owns which field, as
//! `sigs.k8s.io/structured-merge-diff` (`fieldpath`) and the API server's fieldmanager keep it.
//!
//! A field set is a set of paths; a path is a list of path elements: a field name (`f:spec`),
//! the key of an item of an associative list (`k:{"name":"nginx"}`), a value of a set list
//! (`v:"example.com/finalizer"`) or an index (`i:0`). `FieldsV1` is that set written as nested
//! JSON objects, with `.` marking a path that is itself in the set and also has children.
//!
//! [`update_managed_fields`] is what the API server runs for every create, update and patch that
//! is not an apply: the fields the request changed move to the requesting manager.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::patch_meta::{field, root_type, FieldMeta, ListType, Ty};
use crate::golang::json::marshal as go_json_marshal;

/// One element of a field path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathElement {
    /// A struct field or map key: `f:<name>`, printed `.name`.
    Field(String),
    /// An associative list item by its key fields (sorted by name): `k:{...}`, printed
    /// `[name="nginx"]`.
    Key(Vec<(String, Value)>),
    /// A set list item: `v:<json>`, printed `[=<value>]`.
    Value(Value),
    /// A list item by position: `i:<n>`, printed `[n]`.
    Index(usize),
}

impl Eq for PathElement {}

/// Orders values as structured-merge-diff compares them closely enough for sorting: numbers
/// numerically, strings lexically, different types by a fixed rank.
fn value_cmp(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            Value::Bool(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ if rank(a) == rank(b) => go_json_marshal(a).cmp(&go_json_marshal(b)),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        fn rank(e: &PathElement) -> u8 {
            match e {
                PathElement::Field(_) => 0,
                PathElement::Key(_) => 1,
                PathElement::Value(_) => 2,
                PathElement::Index(_) => 3,
            }
        }
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.cmp(b),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for ((an, av), (bn, bv)) in a.iter().zip(b) {
                    let c = an.cmp(bn).then_with(|| value_cmp(av, bv));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => value_cmp(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// structured-merge-diff's `value.ToString`: JSON for strings and numbers.
fn value_to_string(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl std::fmt::Display for PathElement {
    /// `PathElement.String()`, as conflict messages print paths.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(keys) => {
                let parts: Vec<String> = keys
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_to_string(v)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(v) => write!(f, "[={}]", value_to_string(v)),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl PathElement {
    /// The `FieldsV1` key of this element (`f:name`, `k:{...}`, `v:...`, `i:n`).
    pub fn fields_v1_key(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(keys) => {
                let mut m = Map::new();
                for (k, v) in keys {
                    m.insert(k.clone(), v.clone());
                }
                format!(
                    "k:{}",
                    serde_json::to_string(&Value::Object(m)).unwrap_or_default()
                )
            }
            PathElement::Value(v) => format!("v:{}", serde_json::to_string(v).unwrap_or_default()),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses a `FieldsV1` key.
    pub fn from_fields_v1_key(s: &str) -> Option<PathElement> {
        let (prefix, rest) = s.split_once(':')?;
        match prefix {
            "f" => Some(PathElement::Field(rest.to_string())),
            "k" => {
                let Ok(Value::Object(m)) = serde_json::from_str::<Value>(rest) else {
                    return None;
                };
                let mut keys: Vec<(String, Value)> = m.into_iter().collect();
                keys.sort_by(|a, b| a.0.cmp(&b.0));
                Some(PathElement::Key(keys))
            }
            "v" => serde_json::from_str(rest).ok().map(PathElement::Value),
            "i" => rest.parse().ok().map(PathElement::Index),
            _ => None,
        }
    }
}

/// A field path.
pub type Path = Vec<PathElement>;

/// `fieldpath.Path.String()`: `.spec.template.spec.containers[name="nginx"].image`.
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(|e| e.to_string()).collect()
}

/// A set of field paths (`fieldpath.Set`).
pub type FieldSet = BTreeSet<Path>;

#[derive(Default)]
struct Node {
    member: bool,
    children: BTreeMap<PathElement, Node>,
}

fn build_tree(set: &FieldSet) -> Node {
    let mut root = Node::default();
    for path in set {
        let mut node = &mut root;
        for pe in path {
            node = node.children.entry(pe.clone()).or_default();
        }
        node.member = true;
    }
    root
}

fn node_to_json(node: &Node) -> Value {
    let mut m = Map::new();
    if node.member && !node.children.is_empty() {
        m.insert(".".into(), Value::Object(Map::new()));
    }
    for (pe, child) in &node.children {
        m.insert(pe.fields_v1_key(), node_to_json(child));
    }
    Value::Object(m)
}

/// The `fieldsV1` object of a field set.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    node_to_json(&build_tree(set))
}

/// Reads a `fieldsV1` object back into a field set; `None` when it is malformed.
pub fn from_fields_v1(v: &Value) -> Option<FieldSet> {
    fn walk(v: &Value, prefix: &mut Path, out: &mut FieldSet) -> Option<()> {
        let m = v.as_object()?;
        if m.is_empty() && !prefix.is_empty() {
            out.insert(prefix.clone());
        }
        for (k, child) in m {
            if k == "." {
                if !prefix.is_empty() {
                    out.insert(prefix.clone());
                }
                continue;
            }
            prefix.push(PathElement::from_fields_v1_key(k)?);
            walk(child, prefix, out)?;
            prefix.pop();
        }
        Some(())
    }
    let mut out = FieldSet::new();
    walk(v, &mut Vec::new(), &mut out)?;
    Some(out)
}

/// The paths the field manager never records (`stripMetaManager`).
pub fn strip_meta(set: &mut FieldSet) {
    let f = |s: &str| PathElement::Field(s.to_string());
    set.remove(&vec![f("apiVersion")]);
    set.remove(&vec![f("kind")]);
    set.remove(&vec![f("metadata")]);
    for name in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        set.remove(&vec![f("metadata"), f(name)]);
    }
}

/// The type context of a value while walking an object.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    /// Field lookups for a map value go through this type.
    pub ty: Ty,
    /// The metadata of the field holding the value (list semantics, atomicity).
    pub meta: FieldMeta,
    /// Whether the kind is known; unknown kinds get a deduced schema (lists atomic).
    pub known: bool,
}

impl Ctx {
    pub(crate) fn root(kind: &str) -> Ctx {
        let ty = root_type(kind);
        Ctx {
            ty: ty.unwrap_or(Ty::Unknown),
            meta: field(Ty::Unknown, ""),
            known: ty.is_some(),
        }
    }

    pub(crate) fn child(&self, name: &str) -> Ctx {
        let meta = field(self.ty, name);
        Ctx {
            ty: meta.ty,
            meta,
            known: self.known,
        }
    }

    /// The context of a list's items: their type, with no list semantics of their own.
    pub(crate) fn item(&self) -> Ctx {
        Ctx {
            ty: self.meta.ty,
            meta: field(Ty::Unknown, ""),
            known: self.known,
        }
    }

    pub(crate) fn list_type(&self) -> ListType {
        if self.known {
            self.meta.list_type
        } else {
            ListType::Atomic
        }
    }
}

/// The default of a list-map key field that objects may leave out (`protocol` defaults to TCP).
fn key_default(key: &str) -> Option<Value> {
    (key == "protocol").then(|| Value::String("TCP".into()))
}

/// The path element of item `item` of an associative list keyed by `keys`.
pub(crate) fn key_element(item: &Value, keys: &[&str]) -> Result<PathElement, String> {
    let mut out = Vec::new();
    for k in keys {
        match item.get(*k).cloned().or_else(|| key_default(k)) {
            Some(v) => out.push((k.to_string(), v)),
            None => {
                return Err(format!(
                    "associative list with keys has an element that omits key field {} (and doesn't have default value)",
                    value_to_string(&Value::String(k.to_string()))
                ))
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(PathElement::Key(out))
}

/// The path elements of a list's items under its list type.
pub(crate) fn list_elements(items: &[Value], ctx: &Ctx) -> Result<Vec<PathElement>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match ctx.list_type() {
            ListType::Map(keys) => key_element(item, keys).map_err(|e| format!("element {i}: {e}")),
            ListType::Set => Ok(PathElement::Value(item.clone())),
            ListType::Atomic => Ok(PathElement::Index(i)),
        })
        .collect()
}

/// Every node of an object, by path: `true` for leaves (scalars, nulls, atomic maps and lists),
/// whose value is kept for comparison.
pub(crate) type Nodes = BTreeMap<Path, Option<Value>>;

fn is_leaf(v: &Value, ctx: &Ctx) -> bool {
    match v {
        Value::Object(_) => ctx.meta.atomic,
        Value::Array(_) => ctx.list_type() == ListType::Atomic,
        _ => true,
    }
}

/// Walks `v`, recording every node (and, for [`to_field_set`], which ones are set members).
fn walk(
    v: &Value,
    ctx: &Ctx,
    path: &mut Path,
    nodes: &mut Nodes,
    members: &mut FieldSet,
) -> Result<(), String> {
    if is_leaf(v, ctx) {
        if !path.is_empty() {
            nodes.insert(path.clone(), Some(v.clone()));
            members.insert(path.clone());
        }
        return Ok(());
    }
    if !path.is_empty() {
        nodes.insert(path.clone(), None);
    }
    match v {
        Value::Object(m) => {
            if m.is_empty() && !path.is_empty() {
                members.insert(path.clone());
            }
            for (k, child) in m {
                if path.is_empty() && k == "metadata" {
                    // managedFields never describes itself.
                    let mut meta = child.clone();
                    if let Some(o) = meta.as_object_mut() {
                        o.shift_remove("managedFields");
                    }
                    path.push(PathElement::Field(k.clone()));
                    walk(&meta, &ctx.child(k), path, nodes, members)?;
                    path.pop();
                    continue;
                }
                path.push(PathElement::Field(k.clone()));
                walk(child, &ctx.child(k), path, nodes, members)?;
                path.pop();
            }
        }
        Value::Array(items) => {
            let pes =
                list_elements(items, ctx).map_err(|e| format!("{}: {e}", path_string(path)))?;
            let item_ctx = ctx.item();
            for (pe, item) in pes.into_iter().zip(items) {
                path.push(pe);
                members.insert(path.clone());
                if item.is_object() {
                    walk(item, &item_ctx, path, nodes, members)?;
                    // The item itself is a member even when it has fields.
                    nodes.entry(path.clone()).or_insert(None);
                } else {
                    nodes.insert(path.clone(), Some(item.clone()));
                }
                path.pop();
            }
        }
        _ => unreachable!("scalars are leaves"),
    }
    Ok(())
}

/// `TypedValue.ToFieldSet()`: the fields an object (or an applied configuration) sets: its
/// leaves, empty maps, atomic values, associative list items and set items. The metadata the
/// field manager never records is left out.
pub fn to_field_set(kind: &str, obj: &Value) -> Result<FieldSet, String> {
    let mut nodes = Nodes::new();
    let mut members = FieldSet::new();
    walk(
        obj,
        &Ctx::root(kind),
        &mut Vec::new(),
        &mut nodes,
        &mut members,
    )?;
    strip_meta(&mut members);
    Ok(members)
}

pub(crate) fn all_nodes(kind: &str, obj: &Value) -> Result<Nodes, String> {
    let mut nodes = Nodes::new();
    let mut members = FieldSet::new();
    walk(
        obj,
        &Ctx::root(kind),
        &mut Vec::new(),
        &mut nodes,
        &mut members,
    )?;
    Ok(nodes)
}

/// `TypedValue.Compare`: what changed from `old` to `new`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// Leaves present in both with different values.
    pub modified: FieldSet,
    /// Nodes present only in `new`.
    pub added: FieldSet,
    /// Nodes present only in `old`.
    pub removed: FieldSet,
}

/// Compares two objects of `kind`.
pub fn compare(kind: &str, old: &Value, new: &Value) -> Result<Comparison, String> {
    let o = all_nodes(kind, old)?;
    let n = all_nodes(kind, new)?;
    let mut c = Comparison::default();
    for (path, nv) in &n {
        match o.get(path) {
            None => {
                c.added.insert(path.clone());
            }
            Some(ov) => {
                if (ov.is_some() || nv.is_some()) && ov != nv {
                    c.modified.insert(path.clone());
                }
            }
        }
    }
    for path in o.keys() {
        if !n.contains_key(path) {
            c.removed.insert(path.clone());
        }
    }
    strip_meta(&mut c.modified);
    strip_meta(&mut c.added);
    strip_meta(&mut c.removed);
    Ok(c)
}

/// The context of the value at `path` of an object of `kind`.
fn ctx_at(kind: &str, path: &[PathElement]) -> Ctx {
    let mut ctx = Ctx::root(kind);
    for pe in path {
        ctx = match pe {
            PathElement::Field(name) => ctx.child(name),
            _ => ctx.item(),
        };
    }
    ctx
}

/// Whether the node at `path` exists in the zero value of its Go type (non-pointer structs,
/// lists and structs serialized without omitempty).
fn present_in_zero_value(kind: &str, path: &[PathElement]) -> bool {
    let Some((PathElement::Field(name), parent)) = path.split_last() else {
        return false;
    };
    if parent.is_empty() {
        return matches!(name.as_str(), "metadata" | "spec" | "status");
    }
    let parent_ty = ctx_at(kind, parent).ty;
    matches!(
        (parent_ty, name.as_str()),
        (
            Ty::PodTemplateSpec | Ty::JobTemplateSpec,
            "metadata" | "spec"
        ) | (
            Ty::DeploymentSpec | Ty::StatefulSetSpec | Ty::WorkloadSpec,
            "template"
        ) | (Ty::DeploymentSpec, "strategy")
            | (Ty::StatefulSetSpec | Ty::WorkloadSpec, "updateStrategy")
            | (Ty::PodSpec, "containers")
            | (Ty::CronJobSpec, "jobTemplate")
    )
}

/// `Apply` or `Update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One `metadata.managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedFieldsEntry {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    /// RFC 3339 time of the manager's last change, given by the caller.
    pub time: Option<String>,
    pub subresource: String,
    pub fields: FieldSet,
}

impl ManagedFieldsEntry {
    /// Whether `other` is the same manager (`BuildManagerIdentifier`: manager, operation,
    /// subresource, and for updates the API version).
    pub fn same_manager(&self, other: &ManagedFieldsEntry) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == Operation::Apply || self.api_version == other.api_version)
    }

    /// The manager identifier structured-merge-diff keys managers by (`BuildManagerIdentifier`:
    /// the entry as JSON without time and fields, and without the API version for appliers).
    pub fn identifier(&self) -> String {
        let mut m = Map::new();
        m.insert("manager".into(), self.manager.clone().into());
        m.insert("operation".into(), self.operation.as_str().into());
        if self.operation == Operation::Update && !self.api_version.is_empty() {
            m.insert("apiVersion".into(), self.api_version.clone().into());
        }
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), self.subresource.clone().into());
        }
        serde_json::to_string(&Value::Object(m)).unwrap_or_default()
    }

    /// How conflict messages name this manager (`printManager`).
    pub fn display_name(&self) -> String {
        let mut s = value_to_string(&Value::String(self.manager.clone()));
        if !self.subresource.is_empty() {
            s = format!(
                "{s} with subresource {}",
                value_to_string(&Value::String(self.subresource.clone()))
            );
        }
        if self.operation == Operation::Update {
            s = format!("{s} using {}", self.api_version);
        }
        s
    }

    /// The entry as the API server writes it.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), self.manager.clone().into());
        m.insert("operation".into(), self.operation.as_str().into());
        m.insert("apiVersion".into(), self.api_version.clone().into());
        if let Some(t) = &self.time {
            m.insert("time".into(), t.clone().into());
        }
        m.insert("fieldsType".into(), "FieldsV1".into());
        m.insert("fieldsV1".into(), to_fields_v1(&self.fields));
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), self.subresource.clone().into());
        }
        Value::Object(m)
    }

    /// Reads an entry; `None` when it is not a well-formed FieldsV1 entry.
    pub fn from_json(v: &Value) -> Option<ManagedFieldsEntry> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let operation = match s("operation")?.as_str() {
            "Apply" => Operation::Apply,
            "Update" => Operation::Update,
            _ => return None,
        };
        Some(ManagedFieldsEntry {
            manager: s("manager").unwrap_or_default(),
            operation,
            api_version: s("apiVersion").unwrap_or_default(),
            time: s("time"),
            subresource: s("subresource").unwrap_or_default(),
            fields: from_fields_v1(v.get("fieldsV1").unwrap_or(&Value::Null)).unwrap_or_default(),
        })
    }
}

/// The managed fields stored on an object.
pub fn decode_managed_fields(obj: &Value) -> Vec<ManagedFieldsEntry> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(ManagedFieldsEntry::from_json)
                .collect()
        })
        .unwrap_or_default()
}

/// Stores managed fields on an object, sorted as the API server sorts them (operation, time,
/// manager, API version, subresource); an empty list removes the field.
pub fn encode_managed_fields(obj: &mut Value, mut entries: Vec<ManagedFieldsEntry>) {
    entries.retain(|e| !e.fields.is_empty());
    entries.sort_by(|a, b| {
        a.operation
            .cmp(&b.operation)
            .then_with(|| a.time.cmp(&b.time))
            .then_with(|| a.manager.cmp(&b.manager))
            .then_with(|| a.api_version.cmp(&b.api_version))
            .then_with(|| a.subresource.cmp(&b.subresource))
    });
    let Some(root) = obj.as_object_mut() else {
        return;
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(meta) = meta.as_object_mut() else {
        return;
    };
    if entries.is_empty() {
        meta.shift_remove("managedFields");
    } else {
        meta.insert(
            "managedFields".into(),
            Value::Array(entries.iter().map(ManagedFieldsEntry::to_json).collect()),
        );
    }
}

/// `obj` without `metadata.managedFields`.
pub fn without_managed_fields(obj: &Value) -> Value {
    let mut out = obj.clone();
    if let Some(meta) = out.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.shift_remove("managedFields");
    }
    out
}

/// How many `Update` managers an object keeps (`DefaultMaxUpdateManagers`).
pub const MAX_UPDATE_MANAGERS: usize = 10;

/// The manager older updates are merged into (`capManagersManager`).
pub const ANCIENT_CHANGES_MANAGER: &str = "ancient-changes";

/// `capUpdateManagers`: beyond ten `Update` managers, the oldest are merged, per API version,
/// into an `ancient-changes` entry (which takes the time of the newest update merged in).
fn cap_update_managers(entries: &mut Vec<ManagedFieldsEntry>) {
    let mut updaters: Vec<ManagedFieldsEntry> = entries
        .iter()
        .filter(|e| e.operation == Operation::Update)
        .cloned()
        .collect();
    if updaters.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    updaters.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.manager.cmp(&b.manager)));
    let mut length = updaters.len();
    let mut first_by_version: BTreeMap<String, String> = BTreeMap::new();
    for u in updaters {
        if length <= MAX_UPDATE_MANAGERS {
            break;
        }
        let bucket = ManagedFieldsEntry {
            manager: ANCIENT_CHANGES_MANAGER.into(),
            operation: Operation::Update,
            api_version: u.api_version.clone(),
            time: None,
            subresource: String::new(),
            fields: FieldSet::new(),
        };
        let Some(first) = first_by_version.get(&u.api_version).cloned() else {
            first_by_version.insert(u.api_version.clone(), u.identifier());
            continue;
        };
        if !entries
            .iter()
            .any(|e| e.identifier() == bucket.identifier())
        {
            // The first manager of this version becomes the bucket.
            if let Some(e) = entries.iter_mut().find(|e| e.identifier() == first) {
                e.manager = bucket.manager.clone();
                e.subresource = String::new();
            }
        }
        let merged = u.fields.clone();
        entries.retain(|e| e.identifier() != u.identifier());
        if let Some(b) = entries
            .iter_mut()
            .find(|e| e.identifier() == bucket.identifier())
        {
            b.fields.extend(merged);
            b.time = u.time.clone();
        }
        length -= 1;
    }
}

/// The fields the strategy of `kind` resets for requests to `subresource` ("" for the main
/// resource), which the field manager never records (`GetResetFields`): `status` for the main
/// resource of kinds with a status subresource, `spec` for `status` requests.
pub fn reset_fields(kind: &str, subresource: &str) -> &'static [&'static str] {
    let has_status = matches!(
        kind,
        "Pod"
            | "Deployment"
            | "StatefulSet"
            | "ReplicaSet"
            | "DaemonSet"
            | "Job"
            | "CronJob"
            | "ReplicationController"
            | "Service"
            | "Node"
            | "Namespace"
            | "PersistentVolumeClaim"
            | "PersistentVolume"
            | "PodDisruptionBudget"
            | "HorizontalPodAutoscaler"
    );
    match subresource {
        "" if has_status => &["status"],
        "status" => &["spec"],
        _ => &[],
    }
}

/// Dotted field paths (`status`, `metadata.labels`) as field paths.
pub fn reset_paths(fields: &[&str]) -> Vec<Path> {
    fields
        .iter()
        .map(|f| {
            f.split('.')
                .map(|n| PathElement::Field(n.to_string()))
                .collect()
        })
        .collect()
}

/// Whether `p` is one of `prefixes` or below one.
pub(crate) fn under_any(p: &[PathElement], prefixes: &[Path]) -> bool {
    prefixes.iter().any(|r| p.starts_with(r))
}

/// `FieldManager.Update`: after a create, update or non-apply patch by `manager`, the fields
/// the request changed (from `old`, `Value::Null` for a create, to `new`) move to `manager`'s
/// `Update` entry for `api_version`, other managers lose them, and the entry's time becomes
/// `time` (an RFC 3339 string from the caller) when the request changed anything. The managed
/// fields sent in `new` are used when present, else those of `old`; `reset_fields` (see
/// [`reset_fields`]) are never recorded. Returns `new` with its `metadata.managedFields` set.
#[allow(clippy::too_many_arguments)]
pub fn update_managed_fields(
    kind: &str,
    old: &Value,
    new: &Value,
    manager: &str,
    subresource: &str,
    api_version: &str,
    time: &str,
    reset_fields: &[&str],
) -> Result<Value, String> {
    let mut entries = decode_managed_fields(new);
    if entries.is_empty() || !subresource.is_empty() {
        entries = decode_managed_fields(old);
    }
    let old_v = if old.is_object() {
        without_managed_fields(old)
    } else {
        Value::Object(Map::new())
    };
    let mut out = without_managed_fields(new);
    let mut c = compare(kind, &old_v, &out)?;
    if !old.is_object() {
        // A create compares against the zero value of the Go type, in which non-pointer structs
        // and lists without omitempty already exist: they are not "added".
        let nodes = all_nodes(kind, &out)?;
        c.added
            .retain(|p| !(nodes.get(p) == Some(&None) && present_in_zero_value(kind, p)));
    }
    let resets = reset_paths(reset_fields);
    let changed: FieldSet = c
        .modified
        .union(&c.added)
        .filter(|p| !under_any(p, &resets))
        .cloned()
        .collect();
    for e in entries.iter_mut() {
        e.fields = e
            .fields
            .difference(&changed)
            .filter(|p| !c.removed.contains(*p))
            .cloned()
            .collect();
    }
    if !changed.is_empty() {
        let me = ManagedFieldsEntry {
            manager: manager.to_string(),
            operation: Operation::Update,
            api_version: api_version.to_string(),
            time: Some(time.to_string()),
            subresource: subresource.to_string(),
            fields: changed,
        };
        match entries.iter_mut().find(|e| e.same_manager(&me)) {
            Some(e) => {
                e.fields.extend(me.fields);
                e.time = me.time;
            }
            None => entries.push(me),
        }
    }
    entries.retain(|e| !e.fields.is_empty());
    cap_update_managers(&mut entries);
    encode_managed_fields(&mut out, entries);
    Ok(out)
}
