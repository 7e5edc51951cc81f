//! Generator of kubestep's compact field schemas (src/apiserver/schema/schema.json) and of the
//! separate field descriptions (descriptions.json, for `kubectl explain`).
//!
//! Source: the Kubernetes 1.33.0 OpenAPI definitions, with their `x-kubernetes-*` extensions
//! (patch strategy, merge key, list type, list map keys), as packaged by the PyPI package
//! `kubernetes-validate` (see fetch-definitions.sh). The OpenAPI does not name Go types
//! (`v1.RestartPolicy`, `v1.ResourceList`, inlined structs such as `VolumeSource`), which the
//! API server's decode errors print; `probe` learns them from a real kubectl 1.33 decoding
//! deliberately mistyped objects locally, and `build` merges its answers (go_types.json).
//!
//! `check` cross-checks every generated type's field names and required fields against a second
//! source, the k8s-openapi crate's types for Kubernetes 1.33 (its `schemars` schemas).
//!
//! Usage:
//!   gen-schema probe <_definitions.json> <kubectl-1.33> > go_types.json
//!   gen-schema build <_definitions.json> <go_types.json> <out-dir>
//!   gen-schema check <_definitions.json>
//!   gen-schema protobuf <kubectl-1.33> <out-dir>/protobuf.json

mod descriptor;
mod gobinary;
mod protobuf;

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::Command;

/// The kinds kubestep's API server serves, as (group, version, kind, OpenAPI definition).
const ROOTS: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "Pod", "io.k8s.api.core.v1.Pod"),
    ("", "v1", "Binding", "io.k8s.api.core.v1.Binding"),
    ("policy", "v1", "Eviction", "io.k8s.api.policy.v1.Eviction"),
    ("", "v1", "Node", "io.k8s.api.core.v1.Node"),
    ("", "v1", "Namespace", "io.k8s.api.core.v1.Namespace"),
    ("", "v1", "Service", "io.k8s.api.core.v1.Service"),
    ("", "v1", "Endpoints", "io.k8s.api.core.v1.Endpoints"),
    ("", "v1", "ConfigMap", "io.k8s.api.core.v1.ConfigMap"),
    ("", "v1", "Secret", "io.k8s.api.core.v1.Secret"),
    (
        "",
        "v1",
        "ServiceAccount",
        "io.k8s.api.core.v1.ServiceAccount",
    ),
    ("", "v1", "Event", "io.k8s.api.core.v1.Event"),
    (
        "",
        "v1",
        "PersistentVolume",
        "io.k8s.api.core.v1.PersistentVolume",
    ),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "io.k8s.api.core.v1.PersistentVolumeClaim",
    ),
    ("", "v1", "LimitRange", "io.k8s.api.core.v1.LimitRange"),
    (
        "",
        "v1",
        "ResourceQuota",
        "io.k8s.api.core.v1.ResourceQuota",
    ),
    ("apps", "v1", "Deployment", "io.k8s.api.apps.v1.Deployment"),
    ("apps", "v1", "ReplicaSet", "io.k8s.api.apps.v1.ReplicaSet"),
    ("apps", "v1", "DaemonSet", "io.k8s.api.apps.v1.DaemonSet"),
    (
        "apps",
        "v1",
        "StatefulSet",
        "io.k8s.api.apps.v1.StatefulSet",
    ),
    (
        "apps",
        "v1",
        "ControllerRevision",
        "io.k8s.api.apps.v1.ControllerRevision",
    ),
    (
        "autoscaling",
        "v1",
        "Scale",
        "io.k8s.api.autoscaling.v1.Scale",
    ),
    ("batch", "v1", "Job", "io.k8s.api.batch.v1.Job"),
    ("batch", "v1", "CronJob", "io.k8s.api.batch.v1.CronJob"),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "io.k8s.api.rbac.v1.Role",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "io.k8s.api.rbac.v1.RoleBinding",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "io.k8s.api.rbac.v1.ClusterRole",
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "io.k8s.api.rbac.v1.ClusterRoleBinding",
    ),
    (
        "coordination.k8s.io",
        "v1",
        "Lease",
        "io.k8s.api.coordination.v1.Lease",
    ),
    (
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "io.k8s.api.discovery.v1.EndpointSlice",
    ),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "io.k8s.api.networking.v1.Ingress",
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "io.k8s.api.scheduling.v1.PriorityClass",
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "io.k8s.api.storage.v1.StorageClass",
    ),
    ("events.k8s.io", "v1", "Event", "io.k8s.api.events.v1.Event"),
    (
        "authorization.k8s.io",
        "v1",
        "SubjectAccessReview",
        "io.k8s.api.authorization.v1.SubjectAccessReview",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
    ),
    (
        "",
        "v1",
        "Status",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    ),
    (
        "",
        "v1",
        "DeleteOptions",
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    ),
    (
        "authentication.k8s.io",
        "v1",
        "SelfSubjectReview",
        "io.k8s.api.authentication.v1.SelfSubjectReview",
    ),
    (
        "authentication.k8s.io",
        "v1",
        "TokenRequest",
        "io.k8s.api.authentication.v1.TokenRequest",
    ),
    (
        "authorization.k8s.io",
        "v1",
        "SelfSubjectRulesReview",
        "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
    ),
    (
        "",
        "v1",
        "ComponentStatus",
        "io.k8s.api.core.v1.ComponentStatus",
    ),
];

/// Kinds without a List type (subresource bodies, reviews, meta types).
const NO_LIST: &[&str] = &[
    "Binding",
    "Eviction",
    "Scale",
    "SubjectAccessReview",
    "SelfSubjectAccessReview",
    "Status",
    "DeleteOptions",
    "SelfSubjectReview",
    "TokenRequest",
    "SelfSubjectRulesReview",
];

/// Definitions with their own JSON unmarshalling in Go, kept as special leaf types.
const SPECIAL: &[(&str, &str, &str)] = &[
    (
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        "Q",
        "resource.Quantity",
    ),
    (
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "IOS",
        "intstr.IntOrString",
    ),
    ("io.k8s.apimachinery.pkg.apis.meta.v1.Time", "T", "v1.Time"),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
        "MT",
        "v1.MicroTime",
    ),
    (
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "RAW",
        "runtime.RawExtension",
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "F1",
        "v1.FieldsV1",
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("probe") if args.len() == 4 => probe(&load(&args[2]), &args[3]),
        Some("build") if args.len() == 5 => build(&load(&args[2]), &args[3], &args[4]),
        Some("check") if args.len() == 3 => check(&load(&args[2])),
        Some("protobuf") if args.len() == 4 => {
            // ControllerRevision's `data` is a runtime.RawExtension, which the protobuf
            // decoder does not know yet (the generator stops on it): left out, as before.
            let roots: Vec<(&str, &str, &str)> = ROOTS
                .iter()
                .filter(|(_, _, k, _)| *k != "ControllerRevision")
                .map(|(g, v, k, _)| (*g, *v, *k))
                .collect();
            protobuf::generate(&args[2], &roots, &args[3])
        }
        _ => {
            eprintln!(
                "usage: gen-schema probe <defs> <kubectl> | build <defs> <go_types.json> <out-dir>"
            );
            std::process::exit(2);
        }
    }
}

fn load(path: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(path).expect("read definitions");
    let v: Value = serde_json::from_str(&text).expect("parse definitions");
    v["$defs"].as_object().expect("$defs").clone()
}

fn ref_name(v: &Value) -> Option<String> {
    let r = v.get("$ref")?.as_str()?;
    Some(r.rsplit('/').next().unwrap().to_string())
}

fn special(name: &str) -> Option<(&'static str, &'static str)> {
    SPECIAL.iter().find(|s| s.0 == name).map(|s| (s.1, s.2))
}

fn type_names(v: &Value) -> Vec<String> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(String::from)
            .collect(),
        _ => vec![],
    }
}

/// The kinds' roots plus their List types, as (group, version, kind, definition).
fn roots(defs: &Map<String, Value>) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for (g, v, k, d) in ROOTS {
        assert!(defs.contains_key(*d), "missing definition {d}");
        out.push((g.to_string(), v.to_string(), k.to_string(), d.to_string()));
        if !NO_LIST.contains(k) {
            let list = format!("{d}List");
            assert!(defs.contains_key(&list), "missing list {list}");
            out.push((g.to_string(), v.to_string(), format!("{k}List"), list));
        }
    }
    out
}

/// One step from a definition to a nested value, for building probe objects.
#[derive(Clone, Debug)]
enum Step {
    Field(String),
    Item,
    Value,
}

/// Definitions reachable from the roots (breadth first), each with the shortest path to it.
fn reachable(defs: &Map<String, Value>) -> Vec<(String, usize, Vec<Step>)> {
    let roots = roots(defs);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut queue = VecDeque::new();
    for (i, r) in roots.iter().enumerate() {
        if seen.insert(r.3.clone()) {
            queue.push_back((r.3.clone(), i, Vec::new()));
        }
    }
    while let Some((name, root, path)) = queue.pop_front() {
        out.push((name.clone(), root, path.clone()));
        let Some(props) = defs[&name].get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (fname, p) in props {
            let mut steps = path.clone();
            steps.push(Step::Field(fname.clone()));
            let mut cur = p;
            loop {
                if let Some(items) = cur.get("items") {
                    steps.push(Step::Item);
                    cur = items;
                } else if let Some(ap) = cur.get("additionalProperties").filter(|a| a.is_object()) {
                    steps.push(Step::Value);
                    cur = ap;
                } else {
                    break;
                }
            }
            if let Some(r) = ref_name(cur) {
                if special(&r).is_none() && seen.insert(r.clone()) {
                    queue.push_back((r, root, steps));
                }
            }
        }
    }
    out
}

/// The compact type code of a property schema (see schema/mod.rs for the grammar).
fn code(p: &Value, index: &BTreeMap<String, usize>) -> String {
    if let Some(r) = ref_name(p) {
        if let Some((c, _)) = special(&r) {
            return c.to_string();
        }
        return format!("@{}", index[&r]);
    }
    if let Some(items) = p.get("items") {
        return format!("[{}", code(items, index));
    }
    if let Some(ap) = p.get("additionalProperties").filter(|a| a.is_object()) {
        return format!("{{{}", code(ap, index));
    }
    let t = type_names(p);
    let fmt = p.get("format").and_then(Value::as_str);
    if t.iter().any(|t| t == "string") {
        return if fmt == Some("byte") { "by" } else { "s" }.into();
    }
    if t.iter().any(|t| t == "boolean") {
        return "b".into();
    }
    if t.iter().any(|t| t == "integer") {
        return if fmt == Some("int64") { "i64" } else { "i32" }.into();
    }
    if t.iter().any(|t| t == "number") {
        return "f64".into();
    }
    // An object without properties or a value schema: arbitrary JSON.
    "any".into()
}

/// The Go type name of a generated struct: package (the segment before the name) and name.
fn go_struct(def: &str) -> String {
    let mut parts = def.rsplit('.');
    let name = parts.next().unwrap();
    let pkg = parts.next().unwrap();
    format!("{pkg}.{name}")
}

/// The wrong JSON value that makes Go's decoder name a field's type: an array for objects
/// and maps, an object for everything else.
fn wrong_value(p: &Value) -> Value {
    let is_object = ref_name(p).is_some()
        || p.get("additionalProperties").is_some()
        || type_names(p).iter().any(|t| t == "object");
    if is_object {
        json!([])
    } else {
        json!({})
    }
}

fn wrap(steps: &[Step], leaf: Value) -> Value {
    let mut v = leaf;
    for s in steps.iter().rev() {
        v = match s {
            Step::Field(f) => json!({ f.clone(): v }),
            Step::Item => json!([v]),
            Step::Value => json!({ "k": v }),
        };
    }
    v
}

fn probe(defs: &Map<String, Value>, kubectl: &str) {
    let roots = roots(defs);
    let dir = std::env::temp_dir().join(format!("gen-schema-probe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("obj.json");
    let mut out = Map::new();
    for (def, root, steps) in reachable(defs) {
        let (g, v, k, _) = &roots[root];
        let props = defs[&def]
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut fields = Map::new();
        for (fname, p) in &props {
            if steps.is_empty() && (fname == "apiVersion" || fname == "kind") {
                continue; // TypeMeta: read before typed decoding
            }
            if ref_name(p).is_some_and(|r| special(&r).is_some()) {
                continue;
            }
            let mut obj = wrap(&steps, json!({ fname.clone(): wrong_value(p) }));
            let api_version = if g.is_empty() {
                v.clone()
            } else {
                format!("{g}/{v}")
            };
            obj["apiVersion"] = json!(api_version);
            obj["kind"] = json!(k);
            std::fs::write(&file, serde_json::to_vec(&obj).unwrap()).unwrap();
            let o = Command::new(kubectl)
                .args(["set", "env", "--local", "-o", "json", "-f"])
                .arg(&file)
                .arg("KUBESTEP_PROBE=1")
                .output()
                .expect("run kubectl");
            let err = String::from_utf8_lossy(&o.stderr).trim().to_string();
            // error: unable to decode "F": json: cannot unmarshal X into Go struct field S.P of type T
            let Some(rest) = err.split(" into Go struct field ").nth(1) else {
                eprintln!("{def}.{fname}: no type error: {err}");
                continue;
            };
            let (sf, ty) = rest.split_once(" of type ").unwrap();
            let (strukt, path) = sf.split_once('.').unwrap();
            let last = path.rsplit('.').next().unwrap();
            assert_eq!(last, fname, "{def}: {err}");
            fields.insert(
                fname.clone(),
                json!({ "struct": strukt, "path": path, "type": ty }),
            );
        }
        eprintln!("probed {def} ({} fields)", fields.len());
        out.insert(def, json!({ "path": steps_text(&steps), "fields": fields }));
    }
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Object(out)).unwrap()
    );
}

/// A probe path in Go's error form: struct field names only, no indices or map keys.
fn steps_text(steps: &[Step]) -> String {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Field(f) => Some(f.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The Go type text the runtime derives from a type code when go_types.json adds nothing.
fn default_go(code: &str, types: &[String]) -> String {
    if let Some(rest) = code.strip_prefix('[') {
        return format!("[]{}", default_go(rest, types));
    }
    if let Some(rest) = code.strip_prefix('{') {
        return format!("map[string]{}", default_go(rest, types));
    }
    if let Some(i) = code.strip_prefix('@') {
        return go_struct(&types[i.parse::<usize>().unwrap()]);
    }
    if let Some(s) = SPECIAL.iter().find(|s| s.1 == code) {
        return s.2.to_string();
    }
    match code {
        "s" => "string",
        "b" => "bool",
        "i32" => "int32",
        "i64" => "int64",
        "f64" => "float64",
        "by" => "[]uint8",
        "any" => "interface {}",
        other => panic!("unknown code {other}"),
    }
    .to_string()
}

fn build(defs: &Map<String, Value>, go_types: &str, out_dir: &str) {
    let go: Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(go_types).unwrap()).unwrap();
    let reach = reachable(defs);
    let names: Vec<String> = reach.iter().map(|r| r.0.clone()).collect();
    let index: BTreeMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    let mut types = Vec::new();
    let mut descriptions = Map::new();
    for (name, _, steps) in &reach {
        let def = &defs[name];
        let probed = go.get(name);
        if let Some(p) = probed {
            assert_eq!(
                p["path"].as_str().unwrap(),
                steps_text(steps),
                "{name}: go_types.json is stale"
            );
        }
        let required: Vec<Value> = def
            .get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut fields = Vec::new();
        let mut desc = Map::new();
        if let Some(d) = def.get("description") {
            desc.insert(String::new(), d.clone());
        }
        let props = def
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (fname, p) in &props {
            let c = code(p, &index);
            let mut extra = Map::new();
            if let Some(pf) = probed.and_then(|p| p["fields"].get(fname)) {
                let ty = pf["type"].as_str().unwrap();
                if ty != default_go(&c, &names) {
                    extra.insert("go".into(), json!(ty));
                }
                // The runtime derives struct names and error paths from the definitions: check
                // that kubectl agrees (Go 1.24's decoder prints no inlined struct names).
                let strukt = pf["struct"].as_str().unwrap();
                assert_eq!(
                    strukt,
                    go_struct(name).split('.').nth(1).unwrap(),
                    "{name}.{fname}: struct name"
                );
                let prefix = steps_text(steps);
                let expected = if prefix.is_empty() {
                    fname.clone()
                } else {
                    format!("{prefix}.{fname}")
                };
                assert_eq!(
                    pf["path"].as_str().unwrap(),
                    expected,
                    "{name}.{fname}: error path"
                );
            }
            for (key, short) in [
                ("x-kubernetes-patch-strategy", "ps"),
                ("x-kubernetes-patch-merge-key", "mk"),
                ("x-kubernetes-list-type", "lt"),
                ("x-kubernetes-list-map-keys", "lk"),
                ("x-kubernetes-map-type", "mt"),
            ] {
                if let Some(v) = p.get(key) {
                    extra.insert(short.into(), v.clone());
                }
            }
            let mut f = vec![json!(fname), json!(c)];
            if !extra.is_empty() {
                f.push(Value::Object(extra));
            }
            fields.push(Value::Array(f));
            if let Some(d) = p.get("description") {
                desc.insert(fname.clone(), d.clone());
            }
        }
        let mut t = vec![json!(name), json!(fields)];
        if !required.is_empty() {
            t.push(json!(required));
        }
        types.push(Value::Array(t));
        descriptions.insert(name.clone(), Value::Object(desc));
    }
    let kinds: Vec<Value> = roots(defs)
        .iter()
        .map(|(g, v, k, d)| json!([g, v, k, index[d]]))
        .collect();
    let schema = json!({
        "source": "Kubernetes v1.33.0 OpenAPI definitions (kubernetes-validate 1.37.0) and kubectl v1.33 Go type probes",
        "kinds": kinds,
        "types": types,
    });
    let out = std::path::Path::new(out_dir);
    std::fs::write(
        out.join("schema.json"),
        serde_json::to_string(&schema).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(
        out.join("descriptions.json"),
        serde_json::to_string(&Value::Object(descriptions)).unwrap() + "\n",
    )
    .unwrap();
    eprintln!("{} kinds, {} types", kinds.len(), types.len());
}

/// The k8s-openapi definitions reachable from the served kinds, by OpenAPI name.
fn k8s_openapi_definitions() -> Map<String, Value> {
    use k8s_openapi::api;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
    let mut g = schemars::SchemaGenerator::default();
    macro_rules! add {
        ($($t:ty),* $(,)?) => { $( g.subschema_for::<$t>(); )* };
    }
    add!(
        api::core::v1::Pod,
        api::core::v1::Binding,
        api::policy::v1::Eviction,
        api::core::v1::Node,
        api::core::v1::Namespace,
        api::core::v1::Service,
        api::core::v1::Endpoints,
        api::core::v1::ConfigMap,
        api::core::v1::Secret,
        api::core::v1::ServiceAccount,
        api::core::v1::Event,
        api::core::v1::PersistentVolume,
        api::core::v1::PersistentVolumeClaim,
        api::core::v1::LimitRange,
        api::core::v1::ResourceQuota,
        api::apps::v1::Deployment,
        api::apps::v1::ReplicaSet,
        api::apps::v1::DaemonSet,
        api::apps::v1::StatefulSet,
        api::apps::v1::ControllerRevision,
        api::autoscaling::v1::Scale,
        api::batch::v1::Job,
        api::batch::v1::CronJob,
        api::rbac::v1::Role,
        api::rbac::v1::RoleBinding,
        api::rbac::v1::ClusterRole,
        api::rbac::v1::ClusterRoleBinding,
        api::coordination::v1::Lease,
        api::discovery::v1::EndpointSlice,
        api::networking::v1::Ingress,
        api::scheduling::v1::PriorityClass,
        api::storage::v1::StorageClass,
        api::events::v1::Event,
        api::authorization::v1::SubjectAccessReview,
        api::authorization::v1::SelfSubjectAccessReview,
        meta::Status,
        meta::DeleteOptions,
        api::authentication::v1::SelfSubjectReview,
        api::authentication::v1::TokenRequest,
        api::authorization::v1::SelfSubjectRulesReview,
        api::core::v1::ComponentStatus,
    );
    g.definitions().clone()
}

fn check(defs: &Map<String, Value>) {
    let other = k8s_openapi_definitions();
    let mut problems = 0;
    let mut compared = 0;
    for (name, _, _) in reachable(defs) {
        let Some(theirs) = other.get(&name) else {
            if name.ends_with("List") && defs[&name]["properties"].get("items").is_some() {
                // k8s-openapi has one generic List<T> without a schema; nothing to compare.
                continue;
            }
            eprintln!("{name}: not among k8s-openapi's definitions");
            problems += 1;
            continue;
        };
        compared += 1;
        let keys = |v: &Value| -> BTreeSet<String> {
            v.get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let required = |v: &Value| -> BTreeSet<String> {
            v.get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let ours = &defs[&name];
        if keys(ours) != keys(theirs) {
            eprintln!(
                "{name}: fields differ: {:?} vs {:?}",
                keys(ours),
                keys(theirs)
            );
            problems += 1;
        }
        // k8s-openapi makes `metadata` and defaulted names (`name` with `default: ""`)
        // required and relaxes a few (events.v1 `eventTime`): its own conventions, so required
        // lists are only reported, not failed on.
        let mut theirs_required = required(theirs);
        theirs_required.remove("metadata");
        if required(ours) != theirs_required {
            eprintln!(
                "note: {name}: required {:?} vs k8s-openapi {:?}",
                required(ours),
                theirs_required
            );
        }
    }
    eprintln!(
        "{compared} definitions compared with k8s-openapi v1_33: {problems} with different fields"
    );
    if problems > 0 {
        std::process::exit(1);
    }
}
