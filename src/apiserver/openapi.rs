//! The OpenAPI v3 documents kube-apiserver serves (`/openapi/v3` and `/openapi/v3/<gv>`,
//! `k8s.io/kube-openapi/pkg/handler3`), built from the served resources and their generated
//! field schemas.
//!
//! kubectl reads them for three things: whether a kind's PATCH accepts `fieldValidation` (its
//! validation before `apply`, `create`, `replace`), the strategic-merge metadata of client-side
//! `apply`'s three-way patch (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`),
//! and `kubectl explain`. The documents hold what the simulated server serves: the paths of its
//! resources with their operations and query parameters, and the schemas of their kinds with
//! every type they reach. Field descriptions are included only with the
//! `explain-descriptions` feature (see `schema`); `/openapi/v2`, which a real server also
//! serves (as protobuf to kubectl), is not served.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha512};

use super::request::{Body, HttpRequest, HttpResponse};
use super::resources::{self, Resource, RESOURCES};
use super::schema::{self, Field, FieldType, TypeSchema};

const REF_PREFIX: &str = "#/components/schemas/";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
const RAW_EXTENSION: &str = "io.k8s.apimachinery.pkg.runtime.RawExtension";
const FIELDS_V1: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";

/// The media types a PATCH request body may have (`application/apply-patch+yaml` is
/// server-side apply).
const PATCH_TYPES: [&str; 4] = [
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
];

/// The media types the server answers in.
const RESPONSE_TYPES: [&str; 3] = [
    "application/json",
    "application/vnd.kubernetes.protobuf",
    "application/yaml",
];

/// `/openapi/v3/<path>` for a served group version: `api/v1`, `apis/apps/v1`.
fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `computeETag`: the SHA-512 of the document, in upper-case hex.
fn etag(bytes: &[u8]) -> String {
    Sha512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Answers `GET /openapi/v3` and `GET /openapi/v3/<gv>`; `None` for any other path (the
/// server's plain 404).
pub fn handle(path: &str, req: &HttpRequest) -> Option<HttpResponse> {
    let rest = path.strip_prefix("/openapi/v3")?;
    if rest.is_empty() || rest == "/" {
        return Some(HttpResponse {
            status: 200,
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body: Body::Bytes(serde_json::to_vec(&discovery()).expect("JSON serialises")),
        });
    }
    let gv = rest.strip_prefix('/')?;
    let (doc, tag) = documents().get(gv)?;
    let doc = doc.clone();
    let mut headers = vec![("Etag".to_string(), format!("\"{tag}\""))];
    if let Some(hash) = req.query_value("hash") {
        if hash != tag {
            // An old hash: the client is sent to the current document.
            return Some(HttpResponse {
                status: 301,
                headers: vec![
                    (
                        "Location".to_string(),
                        format!("/openapi/v3/{gv}?hash={tag}"),
                    ),
                    (
                        "Content-Type".to_string(),
                        "text/html; charset=utf-8".to_string(),
                    ),
                ],
                body: Body::Empty,
            });
        }
        headers.push(("Vary".to_string(), "Accept".to_string()));
        headers.push(("Cache-Control".to_string(), "public, immutable".to_string()));
    }
    if req.header_value("If-None-Match") == Some(format!("\"{tag}\"").as_str()) {
        return Some(HttpResponse {
            status: 304,
            headers,
            body: Body::Empty,
        });
    }
    headers.push(("Content-Type".to_string(), "application/json".to_string()));
    Some(HttpResponse {
        status: 200,
        headers,
        body: Body::Bytes(doc),
    })
}

/// The serialised document of every served group version and its ETag, by `/openapi/v3/`
/// path. The served resources and schemas are fixed, so they are built once.
fn documents() -> &'static BTreeMap<String, (Vec<u8>, String)> {
    static DOCS: OnceLock<BTreeMap<String, (Vec<u8>, String)>> = OnceLock::new();
    DOCS.get_or_init(|| {
        resources::groups()
            .into_iter()
            .map(|(group, version)| {
                let doc =
                    serde_json::to_vec(&group_version(group, version)).expect("JSON serialises");
                let tag = etag(&doc);
                (gv_path(group, version), (doc, tag))
            })
            .collect()
    })
}

/// `/openapi/v3`: every served group version with the URL of its document, which carries the
/// document's hash so clients may cache it for good.
pub fn discovery() -> Value {
    let paths: Map<String, Value> = documents()
        .iter()
        .map(|(path, (_, tag))| {
            (
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={tag}")}),
            )
        })
        .collect();
    json!({ "paths": paths })
}

/// The OpenAPI v3 document of one group version.
pub fn group_version(group: &str, version: &str) -> Value {
    let served: Vec<&Resource> = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .collect();
    let mut definitions: BTreeSet<String> = BTreeSet::new();
    let mut paths = Map::new();
    let prefix = format!("/{}", gv_path(group, version));
    for r in &served {
        let Some(kind_schema) = schema::kind(r.group, r.version, r.kind) else {
            continue;
        };
        definitions.insert(kind_schema.definition.clone());
        let list = schema::kind(r.group, r.version, &format!("{}List", r.kind));
        if let Some(l) = list {
            definitions.insert(l.definition.clone());
        }
        let gvk = json!({"group": r.group, "version": r.version, "kind": r.kind});
        let ops = Operations {
            group,
            version,
            resource: r,
            kind: r.kind,
            sub: "",
        };
        let (collection, item) = if r.namespaced {
            (
                format!("{prefix}/namespaces/{{namespace}}/{}", r.name),
                format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", r.name),
            )
        } else {
            (
                format!("{prefix}/{}", r.name),
                format!("{prefix}/{}/{{name}}", r.name),
            )
        };
        let object_ref = ref_to(&kind_schema.definition);
        let mut coll = Map::new();
        if r.has_verb("list") {
            if let Some(l) = list {
                coll.insert("get".into(), ops.list(&gvk, &ref_to(&l.definition), false));
                if r.namespaced {
                    let all = format!("{prefix}/{}", r.name);
                    paths.insert(
                        all,
                        json!({"get": ops.list(&gvk, &ref_to(&l.definition), true)}),
                    );
                }
            }
        }
        if r.has_verb("create") {
            coll.insert(
                "post".into(),
                ops.write("create", "post", &gvk, &object_ref),
            );
        }
        if r.has_verb("deletecollection") {
            coll.insert("delete".into(), ops.delete(true, &gvk));
        }
        if !coll.is_empty() {
            coll.insert("parameters".into(), path_parameters(r, false));
            paths.insert(collection, Value::Object(coll));
        }
        let mut it = Map::new();
        if r.has_verb("get") {
            it.insert("get".into(), ops.read(&gvk, &object_ref));
        }
        if r.has_verb("update") {
            it.insert("put".into(), ops.write("replace", "put", &gvk, &object_ref));
        }
        if r.has_verb("patch") {
            it.insert("patch".into(), ops.patch(&gvk, &object_ref));
        }
        if r.has_verb("delete") {
            it.insert("delete".into(), ops.delete(false, &gvk));
        }
        if !it.is_empty() {
            it.insert("parameters".into(), path_parameters(r, true));
            paths.insert(item.clone(), Value::Object(it));
        }
        for s in r.subresources {
            let Some(sub_schema) = schema::kind(s.group, s.version, s.kind) else {
                // pods/log answers plain text; its kind has no schema.
                continue;
            };
            definitions.insert(sub_schema.definition.clone());
            let sub_gvk = json!({"group": s.group, "version": s.version, "kind": s.kind});
            let sub_ref = ref_to(&sub_schema.definition);
            let sub_ops = Operations { sub: s.name, ..ops };
            let mut p = Map::new();
            for verb in s.verbs {
                match *verb {
                    "get" => {
                        p.insert("get".into(), sub_ops.read(&sub_gvk, &sub_ref));
                    }
                    "update" => {
                        p.insert(
                            "put".into(),
                            sub_ops.write("replace", "put", &sub_gvk, &sub_ref),
                        );
                    }
                    "patch" => {
                        p.insert("patch".into(), sub_ops.patch(&sub_gvk, &sub_ref));
                    }
                    "create" => {
                        p.insert(
                            "post".into(),
                            sub_ops.write("create", "post", &sub_gvk, &sub_ref),
                        );
                    }
                    _ => {}
                }
            }
            if !p.is_empty() {
                p.insert("parameters".into(), path_parameters(r, true));
                paths.insert(format!("{item}/{}", s.name), Value::Object(p));
            }
        }
    }
    if paths.is_empty() {
        return json!({"openapi": "3.0.0", "info": info(), "paths": {}, "components": {}});
    }
    definitions.insert(STATUS.to_string());
    definitions.insert(DELETE_OPTIONS.to_string());
    definitions.insert(PATCH.to_string());
    json!({
        "openapi": "3.0.0",
        "info": info(),
        "paths": paths,
        "components": {"schemas": schemas(definitions)},
    })
}

fn info() -> Value {
    json!({"title": "Kubernetes", "version": super::server::KUBERNETES_VERSION})
}

fn ref_to(definition: &str) -> Value {
    json!({ "$ref": format!("{REF_PREFIX}{definition}") })
}

/// The operations of one resource (or subresource) path.
#[derive(Clone, Copy)]
struct Operations<'a> {
    group: &'a str,
    version: &'a str,
    resource: &'a Resource,
    kind: &'a str,
    sub: &'a str,
}

impl Operations<'_> {
    /// `patchAppsV1NamespacedDeploymentScale`, as the real operation ids read.
    fn id(&self, verb: &str, all_namespaces: bool) -> String {
        let gv = format!("{}{}", group_camel(self.group), capitalize(self.version));
        let scope = if self.resource.namespaced && !all_namespaces {
            "Namespaced"
        } else {
            ""
        };
        let suffix = if all_namespaces {
            "ForAllNamespaces"
        } else {
            ""
        };
        format!(
            "{verb}{gv}{scope}{}{}{suffix}",
            self.kind,
            capitalize(self.sub)
        )
    }

    fn tag(&self) -> String {
        let group = if self.group.is_empty() {
            "core".to_string()
        } else {
            let camel = group_camel(self.group);
            let mut chars = camel.chars();
            match chars.next() {
                Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        };
        format!("{group}_{}", self.version)
    }

    fn base(
        &self,
        verb: &str,
        action: &str,
        gvk: &Value,
        all_namespaces: bool,
    ) -> Map<String, Value> {
        let mut op = Map::new();
        op.insert("tags".into(), json!([self.tag()]));
        op.insert("operationId".into(), json!(self.id(verb, all_namespaces)));
        op.insert("x-kubernetes-action".into(), json!(action));
        op.insert("x-kubernetes-group-version-kind".into(), gvk.clone());
        op
    }

    fn read(&self, gvk: &Value, object: &Value) -> Value {
        let mut op = self.base("read", "get", gvk, false);
        op.insert("responses".into(), responses(&[("200", "OK", object)]));
        Value::Object(op)
    }

    fn list(&self, gvk: &Value, list: &Value, all_namespaces: bool) -> Value {
        let mut op = self.base("list", "list", gvk, all_namespaces);
        op.insert(
            "parameters".into(),
            query(&[
                "allowWatchBookmarks",
                "continue",
                "fieldSelector",
                "labelSelector",
                "limit",
                "resourceVersion",
                "resourceVersionMatch",
                "sendInitialEvents",
                "timeoutSeconds",
                "watch",
            ]),
        );
        op.insert("responses".into(), responses(&[("200", "OK", list)]));
        Value::Object(op)
    }

    /// create (`post`) or replace (`put`).
    fn write(&self, verb: &str, method: &str, gvk: &Value, object: &Value) -> Value {
        let mut op = self.base(verb, method, gvk, false);
        op.insert(
            "parameters".into(),
            query(&["dryRun", "fieldManager", "fieldValidation"]),
        );
        op.insert(
            "requestBody".into(),
            json!({"content": {"*/*": {"schema": object}}, "required": true}),
        );
        let codes: &[(&str, &str, &Value)] = if method == "post" {
            &[
                ("200", "OK", object),
                ("201", "Created", object),
                ("202", "Accepted", object),
            ]
        } else {
            &[("200", "OK", object), ("201", "Created", object)]
        };
        op.insert("responses".into(), responses(codes));
        Value::Object(op)
    }

    fn patch(&self, gvk: &Value, object: &Value) -> Value {
        let mut op = self.base("patch", "patch", gvk, false);
        op.insert(
            "parameters".into(),
            query(&["dryRun", "fieldManager", "fieldValidation", "force"]),
        );
        let content: Map<String, Value> = PATCH_TYPES
            .iter()
            .map(|t| (t.to_string(), json!({"schema": ref_to(PATCH)})))
            .collect();
        op.insert(
            "requestBody".into(),
            json!({"content": content, "required": true}),
        );
        op.insert(
            "responses".into(),
            responses(&[("200", "OK", object), ("201", "Created", object)]),
        );
        Value::Object(op)
    }

    fn delete(&self, collection: bool, gvk: &Value) -> Value {
        let verb = if collection {
            "deleteCollection"
        } else {
            "delete"
        };
        let action = if collection {
            "deletecollection"
        } else {
            "delete"
        };
        let mut op = self.base(verb, action, gvk, false);
        let mut names = vec![
            "dryRun",
            "gracePeriodSeconds",
            "ignoreStoreReadErrorWithClusterBreakingPotential",
            "orphanDependents",
            "propagationPolicy",
        ];
        if collection {
            names.extend([
                "continue",
                "fieldSelector",
                "labelSelector",
                "limit",
                "resourceVersion",
                "resourceVersionMatch",
                "sendInitialEvents",
                "timeoutSeconds",
            ]);
            names.sort_unstable();
        }
        op.insert("parameters".into(), query(&names));
        op.insert(
            "requestBody".into(),
            json!({"content": {"*/*": {"schema": ref_to(DELETE_OPTIONS)}}}),
        );
        let status = ref_to(STATUS);
        op.insert(
            "responses".into(),
            if collection {
                responses(&[("200", "OK", &status)])
            } else {
                responses(&[("200", "OK", &status), ("202", "Accepted", &status)])
            },
        );
        Value::Object(op)
    }
}

fn responses(codes: &[(&str, &str, &Value)]) -> Value {
    let mut out = Map::new();
    for (code, description, schema) in codes {
        let content: Map<String, Value> = RESPONSE_TYPES
            .iter()
            .map(|t| (t.to_string(), json!({"schema": schema})))
            .collect();
        out.insert(
            code.to_string(),
            json!({"description": description, "content": content}),
        );
    }
    out.insert("401".into(), json!({"description": "Unauthorized"}));
    Value::Object(out)
}

/// Query parameters, described as the real document describes them.
fn query(names: &[&str]) -> Value {
    let list: Vec<Value> = names
        .iter()
        .map(|name| {
            let ty = match *name {
                "allowWatchBookmarks"
                | "force"
                | "orphanDependents"
                | "sendInitialEvents"
                | "watch"
                | "ignoreStoreReadErrorWithClusterBreakingPotential" => {
                    json!({"type": "boolean", "uniqueItems": true})
                }
                "limit" | "timeoutSeconds" | "gracePeriodSeconds" => {
                    json!({"type": "integer", "uniqueItems": true})
                }
                _ => json!({"type": "string", "uniqueItems": true}),
            };
            json!({"name": name, "in": "query", "schema": ty})
        })
        .collect();
    Value::Array(list)
}

fn path_parameters(r: &Resource, item: bool) -> Value {
    let mut list = Vec::new();
    if item {
        list.push(json!({
            "name": "name", "in": "path", "required": true,
            "description": format!("name of the {}", r.kind),
            "schema": {"type": "string", "uniqueItems": true}
        }));
    }
    if r.namespaced {
        list.push(json!({
            "name": "namespace", "in": "path", "required": true,
            "description": "object name and auth scope, such as for teams and projects",
            "schema": {"type": "string", "uniqueItems": true}
        }));
    }
    list.push(json!({
        "name": "pretty", "in": "query",
        "description": "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
        "schema": {"type": "string", "uniqueItems": true}
    }));
    Value::Array(list)
}

/// `rbac.authorization.k8s.io` → `RbacAuthorization`, the core group → `Core`.
fn group_camel(group: &str) -> String {
    if group.is_empty() {
        return "Core".to_string();
    }
    group
        .trim_end_matches(".k8s.io")
        .split('.')
        .map(capitalize)
        .collect()
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The component schemas of `roots` and of every type they reach, plus the named scalar
/// types fields refer to.
fn schemas(roots: BTreeSet<String>) -> Value {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = roots.into_iter().collect();
    let mut scalars: BTreeSet<&'static str> = BTreeSet::new();
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    while let Some(def) = queue.pop() {
        if !seen.insert(def.clone()) {
            continue;
        }
        if def == PATCH {
            out.insert(
                def,
                json!({
                    "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
                    "type": "object"
                }),
            );
            continue;
        }
        let Some(t) = schema::type_by_definition(&def) else {
            continue;
        };
        for f in t.fields() {
            collect_refs(&f.ty, &mut queue, &mut scalars);
        }
        out.insert(def, type_schema(t));
    }
    for s in scalars {
        out.insert(s.to_string(), scalar_schema(s));
    }
    json!(out)
}

fn collect_refs(ty: &FieldType, queue: &mut Vec<String>, scalars: &mut BTreeSet<&'static str>) {
    match ty {
        FieldType::Object(i) => queue.push(schema::type_at(*i).definition.clone()),
        FieldType::Array(e) | FieldType::Map(e) => collect_refs(e, queue, scalars),
        other => {
            if let Some(name) = scalar_ref(other) {
                scalars.insert(name);
            }
        }
    }
}

/// The named component a scalar-like field type refers to.
fn scalar_ref(ty: &FieldType) -> Option<&'static str> {
    Some(match ty {
        FieldType::Quantity => QUANTITY,
        FieldType::IntOrString => INT_OR_STRING,
        FieldType::Time => TIME,
        FieldType::MicroTime => MICRO_TIME,
        FieldType::RawExtension => RAW_EXTENSION,
        FieldType::FieldsV1 => FIELDS_V1,
        _ => return None,
    })
}

fn scalar_schema(name: &str) -> Value {
    match name {
        QUANTITY => json!({"oneOf": [{"type": "string"}, {"type": "number"}]}),
        INT_OR_STRING => {
            json!({"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]})
        }
        TIME => json!({"type": "string", "format": "date-time"}),
        MICRO_TIME => json!({"type": "string", "format": "date-time"}),
        RAW_EXTENSION => json!({"type": "object"}),
        FIELDS_V1 => json!({"type": "object"}),
        _ => json!({}),
    }
}

/// One struct's schema, with `x-kubernetes-group-version-kind` when it is a served kind.
fn type_schema(t: &TypeSchema) -> Value {
    let mut s = Map::new();
    if let Some(d) = description(&t.definition, None) {
        s.insert("description".into(), json!(d));
    }
    s.insert("type".into(), json!("object"));
    let required: Vec<&str> = t.required().map(|f| f.name.as_str()).collect();
    if !required.is_empty() {
        s.insert("required".into(), json!(required));
    }
    let mut props = Map::new();
    for f in t.fields() {
        props.insert(f.name.clone(), field_schema(t, f));
    }
    s.insert("properties".into(), Value::Object(props));
    let gvks: Vec<Value> = schema::kinds()
        .iter()
        .filter(|k| k.schema().definition == t.definition)
        .map(|k| json!({"group": k.group, "kind": k.kind, "version": k.version}))
        .collect();
    if !gvks.is_empty() {
        s.insert("x-kubernetes-group-version-kind".into(), json!(gvks));
    }
    Value::Object(s)
}

fn field_schema(owner: &TypeSchema, f: &Field) -> Value {
    let mut s = match type_value(&f.ty) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(d) = description(&owner.definition, Some(&f.name)) {
        s.insert("description".into(), json!(d));
    }
    if let Some(ps) = &f.patch_strategy {
        s.insert("x-kubernetes-patch-strategy".into(), json!(ps));
    }
    if let Some(mk) = &f.patch_merge_key {
        s.insert("x-kubernetes-patch-merge-key".into(), json!(mk));
    }
    if let Some(lt) = &f.list_type {
        s.insert("x-kubernetes-list-type".into(), json!(lt));
    }
    if !f.list_map_keys.is_empty() {
        s.insert("x-kubernetes-list-map-keys".into(), json!(f.list_map_keys));
    }
    if let Some(mt) = &f.map_type {
        s.insert("x-kubernetes-map-type".into(), json!(mt));
    }
    Value::Object(s)
}

/// The schema of a value of type `ty`: references to structs and named types are wrapped in
/// `allOf`, as the real v3 documents write them.
fn type_value(ty: &FieldType) -> Value {
    match ty {
        FieldType::String => json!({"type": "string"}),
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::Int32 => json!({"type": "integer", "format": "int32"}),
        FieldType::Int64 => json!({"type": "integer", "format": "int64"}),
        FieldType::Float64 => json!({"type": "number", "format": "double"}),
        FieldType::Bytes => json!({"type": "string", "format": "byte"}),
        FieldType::Object(i) => {
            json!({"allOf": [ref_to(&schema::type_at(*i).definition)], "default": {}})
        }
        FieldType::Array(e) => json!({"type": "array", "items": type_value(e)}),
        FieldType::Map(e) => json!({"type": "object", "additionalProperties": type_value(e)}),
        FieldType::Any => json!({"type": "object"}),
        other => {
            let name = scalar_ref(other).expect("every other type is a named component");
            json!({"allOf": [ref_to(name)]})
        }
    }
}

#[cfg(feature = "explain-descriptions")]
fn description(definition: &str, field: Option<&str>) -> Option<&'static str> {
    schema::description(definition, field)
}

#[cfg(not(feature = "explain-descriptions"))]
fn description(_definition: &str, _field: Option<&str>) -> Option<&'static str> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_lists_every_served_group_version_with_its_hash() {
        let d = discovery();
        let url = d["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        let doc = serde_json::to_vec(&group_version("apps", "v1")).unwrap();
        assert_eq!(url, format!("/openapi/v3/apis/apps/v1?hash={}", etag(&doc)));
        assert!(d["paths"]["api/v1"].is_object());
    }

    #[test]
    fn patch_operations_carry_the_kind_and_field_validation() {
        // What kubectl's QueryParamVerifierV3 looks for before it validates a manifest.
        let doc = group_version("apps", "v1");
        let patch =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        assert_eq!(patch["operationId"], "patchAppsV1NamespacedDeployment");
        assert!(patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation" && p["in"] == "query"));
        assert!(patch["requestBody"]["content"]
            .get("application/strategic-merge-patch+json")
            .is_some());
        let scale =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"];
        assert_eq!(scale["operationId"], "patchAppsV1NamespacedDeploymentScale");
        assert_eq!(
            scale["x-kubernetes-group-version-kind"]["group"],
            "autoscaling"
        );
    }

    #[test]
    fn schemas_carry_strategic_merge_metadata_and_resolve() {
        let doc = group_version("", "v1");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let pod = &schemas["io.k8s.api.core.v1.Pod"];
        assert_eq!(
            pod["x-kubernetes-group-version-kind"],
            json!([{"group": "", "kind": "Pod", "version": "v1"}])
        );
        let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["type"], "array");
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
        assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
        assert_eq!(
            containers["items"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.api.core.v1.Container"
        );
        // Every reference resolves within the document.
        let text = serde_json::to_string(&doc).unwrap();
        for part in text.split("\"$ref\":\"").skip(1) {
            let target = part.split('"').next().unwrap();
            let name = target.strip_prefix(REF_PREFIX).unwrap();
            assert!(schemas.contains_key(name), "{name} is missing");
        }
    }

    #[test]
    fn a_hash_pins_the_document() {
        let doc = serde_json::to_vec(&group_version("apps", "v1")).unwrap();
        let tag = etag(&doc);
        let current = HttpRequest::new("GET", &format!("/openapi/v3/apis/apps/v1?hash={tag}"));
        let r = handle(&current.path, &current).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header_value("Cache-Control"), Some("public, immutable"));
        assert_eq!(r.header_value("Etag"), Some(format!("\"{tag}\"").as_str()));
        let stale = HttpRequest::new("GET", "/openapi/v3/apis/apps/v1?hash=0");
        let r = handle(&stale.path, &stale).unwrap();
        assert_eq!(r.status, 301);
        assert_eq!(
            r.header_value("Location"),
            Some(format!("/openapi/v3/apis/apps/v1?hash={tag}").as_str())
        );
        let unknown = HttpRequest::new("GET", "/openapi/v3/apis/example.com/v1");
        assert!(handle(&unknown.path, &unknown).is_none());
    }
}
