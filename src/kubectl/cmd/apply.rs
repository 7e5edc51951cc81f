//! `kubectl apply -f` (client-side apply with the last-applied-configuration annotation and a
//! three-way strategic merge, or `--server-side`) and `kubectl create -f`, one object at a
//! time, with kubectl's `created`/`configured`/`unchanged` lines and its error wrapping.

use serde_json::Value;

use super::get::no_mapping;
use super::{Command, Invocation, FILENAME};
use crate::apiserver::patch::patch_meta::is_builtin_kind;
use crate::apiserver::patch::three_way::{
    kubectl_apply_patch, missing_annotation_warning, modified_configuration,
};
use crate::apiserver::patch::PatchType;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::client::{Client, Errors};
use crate::kubectl::discovery::{ApiResource, Discovery};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::manifest::{self, Doc};
use crate::kubectl::output;

const APPLY_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("output", Some('o')),
    str_flag("dry-run", None),
    bool_flag("server-side", None),
    bool_flag("force-conflicts", None),
    str_flag("field-manager", None),
    str_flag("validate", None),
    bool_flag("overwrite", None),
    bool_flag("prune", None),
    str_flag("selector", Some('l')),
    bool_flag("force", None),
    str_flag("grace-period", None),
    bool_flag("wait", None),
    str_flag("timeout", None),
    bool_flag("show-managed-fields", None),
    bool_flag("allow-missing-template-keys", None),
    str_flag("template", None),
    str_flag("kustomize", Some('k')),
];

const CREATE_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("output", Some('o')),
    str_flag("dry-run", None),
    bool_flag("save-config", None),
    str_flag("field-manager", None),
    str_flag("validate", None),
    bool_flag("edit", None),
    bool_flag("windows-line-endings", None),
    str_flag("selector", Some('l')),
    bool_flag("show-managed-fields", None),
    bool_flag("allow-missing-template-keys", None),
    str_flag("template", None),
    str_flag("raw", None),
    str_flag("kustomize", Some('k')),
];

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "apply",
            flags: APPLY_FLAGS,
            run: apply,
            help: include_str!("../help/apply.txt"),
        },
        Command {
            path: "create",
            flags: CREATE_FLAGS,
            run: create,
            help: include_str!("../help/create.txt"),
        },
    ]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DryRun {
    None,
    Client,
    Server,
}

fn dry_run(inv: &Invocation) -> Res<DryRun> {
    match inv.flags.str("dry-run") {
        None | Some("none") => Ok(DryRun::None),
        Some("client") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => Err(Fail::msg(format!(
            "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        ))),
    }
}

impl DryRun {
    fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// An object of a manifest with where it goes.
struct Item<'a> {
    doc: &'a Doc,
    resource: ApiResource,
    name: String,
    namespace: String,
}

/// Maps every object of the `-f` files (all must map before anything is sent, as kubectl's
/// builder does) and settles its namespace.
fn items<'a>(inv: &Invocation, d: &Discovery, docs: &'a [Doc]) -> Res<Vec<Item<'a>>> {
    let mut out = Vec::new();
    for doc in docs {
        let api_version = doc.object["apiVersion"].as_str().unwrap_or_default();
        let kind = doc.object["kind"].as_str().unwrap_or_default();
        let (name, ns) = manifest::name_of(&doc.object);
        let Some(r) = d.for_kind(api_version, kind) else {
            return Err(no_mapping(name, ns, &doc.source, api_version, kind));
        };
        let namespace = match ns {
            Some(ns) if inv.client.namespace_explicit && r.namespaced && ns != inv.client.namespace => {
                return Err(Fail::msg(format!(
                    "the namespace from the provided object \"{ns}\" does not match the namespace \"{}\". You must pass '--namespace={ns}' to perform this operation.",
                    inv.client.namespace
                )))
            }
            Some(ns) => ns.to_string(),
            None => inv.client.namespace.clone(),
        };
        out.push(Item {
            doc,
            resource: r.clone(),
            name: name.to_string(),
            namespace,
        });
    }
    Ok(out)
}

/// What kubectl's resource builder does per object before any write: schema validation
/// (`--validate=strict`, the default, fetches the OpenAPI v3 index once and each group
/// version's document once), then the REST mapping (discovery, once). Returns the mapped
/// objects.
fn validate_and_map<'a>(io: &mut Io<'_>, inv: &Invocation, docs: &'a [Doc]) -> Res<Vec<Item<'a>>> {
    let validate = !matches!(inv.flags.str("validate"), Some("false" | "ignore"));
    let mut index: Option<std::sync::Arc<Value>> = None;
    let mut fetched: Vec<String> = Vec::new();
    let mut discovery: Option<std::sync::Arc<Discovery>> = None;
    for doc in docs {
        if validate {
            let index = match &index {
                Some(i) => i.clone(),
                None => {
                    let r = io.call(inv.client.request(
                        "GET",
                        "/openapi/v3?timeout=32s",
                        "application/json, */*",
                    ))?;
                    let i = crate::kubectl::client::ok_json(&r)?;
                    index = Some(i.clone());
                    i
                }
            };
            let gv = doc.object["apiVersion"].as_str().unwrap_or_default();
            let key = if gv.contains('/') {
                format!("apis/{gv}")
            } else {
                format!("api/{gv}")
            };
            if !fetched.contains(&key) {
                let url = index["paths"][&key]["serverRelativeURL"]
                    .as_str()
                    .map(str::to_string);
                match url {
                    Some(url) => {
                        // The OpenAPI client's REST config carries the 32s timeout.
                        let sep = if url.contains('?') { '&' } else { '?' };
                        let url = format!("{url}{sep}timeout=32s");
                        let r = io.call(inv.client.request("GET", &url, "application/json"))?;
                        crate::kubectl::client::ok_json(&r)?;
                        fetched.push(key);
                    }
                    // A group version the server has no schema for: kubectl looks for the
                    // CRD API's schema next, and without it the validation fails.
                    None if index["paths"]["apis/apiextensions.k8s.io/v1"].is_null() => {
                        return Err(Fail::msg(format!(
                            "error validating \"{}\": error validating data: the server could not find the requested resource; if you choose to ignore these errors, turn validation off with --validate=false",
                            doc.source
                        )));
                    }
                    None => {}
                }
            }
        }
        if discovery.is_none() {
            discovery = Some(inv.client.discover(io)?);
        }
    }
    let d = discovery.unwrap_or_default();
    items(inv, &d, docs)
}

fn read_docs(io: &Io<'_>, inv: &Invocation, cmd: &str) -> Res<Vec<Doc>> {
    let files = inv.flags.many("filename");
    if files.is_empty() {
        return Err(Fail::msg("must specify one of -f and -k"));
    }
    let docs = match inv.flags.str("validate") {
        Some("false" | "ignore") => manifest::read(io, &files, inv.flags.bool("recursive"))?,
        _ => manifest::read_validated(io, &files, inv.flags.bool("recursive"))?,
    };
    if docs.is_empty() {
        return Err(Fail::msg("no objects passed to ".to_string() + cmd));
    }
    Ok(docs)
}

fn collection(item: &Item<'_>) -> String {
    let ns = item.resource.namespaced.then_some(item.namespace.as_str());
    item.resource.collection_path(ns)
}

fn object_path(item: &Item<'_>) -> String {
    if item.resource.namespaced {
        item.resource.object_path(&item.namespace, &item.name)
    } else {
        format!(
            "{}/{}",
            item.resource.collection_path(None),
            crate::apiserver::request::encode_component(&item.name)
        )
    }
}

fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The object with the namespace kubectl sets on it before sending.
fn with_namespace(item: &Item<'_>) -> Value {
    let mut obj = item.doc.object.clone();
    if item.resource.namespaced && obj["metadata"]["namespace"].is_null() {
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.insert("namespace".into(), Value::String(item.namespace.clone()));
        }
    }
    obj
}

/// The line printed for an object (`pod/web created`), or its `-o` form.
fn report(
    io: &mut Io<'_>,
    inv: &Invocation,
    item: &Item<'_>,
    verb: &str,
    dry: DryRun,
    obj: Option<&Value>,
) -> Res<()> {
    match (inv.flags.str("output"), obj) {
        (Some("name"), _) => io.print(format!("{}/{}\n", item.resource.kind_group(), item.name)),
        (Some(o), Some(obj)) if !o.is_empty() => {
            let text = output::print_object_managed(obj, o, inv.flags.bool("show-managed-fields"))?;
            io.print(text);
        }
        _ => io.print(format!(
            "{}/{} {verb}{}\n",
            item.resource.kind_group(),
            item.name,
            dry.suffix()
        )),
    }
    Ok(())
}

fn apply(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let dry = dry_run(inv)?;
    let docs = read_docs(io, inv, "apply")?;
    let items = validate_and_map(io, inv, &docs)?;
    let client = &inv.client;
    let mut errors = Errors::default();
    let dry_q = if dry == DryRun::Server {
        "dryRun=All&"
    } else {
        ""
    };
    for item in &items {
        if item.name.is_empty() {
            errors.message(format!(
                "error when retrieving current configuration of:\n{}\nfrom server for: \"{}\": resource name may not be empty",
                info_string(item),
                item.doc.source
            ));
            continue;
        }
        let obj = with_namespace(item);
        if inv.flags.bool("server-side") {
            let manager = inv.flags.str_or("field-manager", "kubectl");
            let force = inv.flags.bool("force-conflicts");
            let path = format!(
                "{}?{dry_q}{}",
                object_path(item),
                query(&[
                    ("fieldManager", manager),
                    ("fieldValidation", "Strict"),
                    ("force", if force { "true" } else { "false" }),
                ])
            );
            let r = client.send_json(
                io,
                "PATCH",
                &path,
                "application/apply-patch+yaml",
                go_json_marshal(&obj),
            )?;
            if (200..300).contains(&r.status) {
                let body = r.body_json();
                report(io, inv, item, "serverside-applied", dry, body.as_deref())?;
            } else {
                errors.status(&r, "");
            }
            continue;
        }
        let live = io.call(client.request("GET", &object_path(item), "application/json"))?;
        if live.status == 404 {
            let (modified, _) = modified_configuration(&obj);
            if dry == DryRun::Client {
                report(io, inv, item, "created", dry, Some(&modified))?;
                continue;
            }
            let path = format!(
                "{}?{dry_q}fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
                collection(item)
            );
            let r = client.send_json(
                io,
                "POST",
                &path,
                "application/json",
                go_json_marshal(&modified),
            )?;
            if (200..300).contains(&r.status) {
                report(io, inv, item, "created", dry, r.body_json().as_deref())?;
            } else {
                errors.status(
                    &r,
                    &format!("error when creating \"{}\": ", item.doc.source),
                );
            }
            continue;
        }
        let Some(live_obj) = live.body_json().filter(|_| live.status == 200) else {
            // AddSourceToErr("retrieving current configuration of:\n<info>\nfrom server for:").
            errors.status(
                &live,
                &format!(
                    "error when retrieving current configuration of:\n{}\nfrom server for: \"{}\": ",
                    info_string(item),
                    item.doc.source
                ),
            );
            continue;
        };
        let kind = item.resource.kind.as_str();
        let patch = match kubectl_apply_patch(kind, is_builtin_kind(kind), &obj, &live_obj) {
            Ok(p) => p,
            Err(e) => {
                errors.message(format!(
                    "error when applying patch to \"{}\": {e}",
                    item.doc.source
                ));
                continue;
            }
        };
        if patch.missing_annotation {
            io.print(missing_annotation_warning(
                &item.resource.group_resource(),
                &item.name,
            ));
        }
        if patch.unchanged {
            report(io, inv, item, "unchanged", dry, Some(&live_obj))?;
            continue;
        }
        if dry == DryRun::Client {
            report(io, inv, item, "configured", dry, Some(&live_obj))?;
            continue;
        }
        let content_type = match patch.patch_type {
            PatchType::StrategicMerge => "application/strategic-merge-patch+json",
            _ => "application/merge-patch+json",
        };
        let path = format!(
            "{}?{dry_q}fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
            object_path(item)
        );
        let r = client.send_json(io, "PATCH", &path, content_type, patch.body.clone())?;
        if (200..300).contains(&r.status) {
            report(io, inv, item, "configured", dry, r.body_json().as_deref())?;
        } else {
            errors.status(&r, &patch_context(item, &patch.body));
        }
    }
    if errors.is_empty() {
        // The post-processor (printing, pruning) runs once every object applied.
        let line = io.log.info(
            4,
            io.now(),
            "apply.go:548",
            "Running apply post-processor function",
        );
        io.print(line);
    }
    errors.result()
}

/// The context kubectl's apply puts before the server's message for a failed patch
/// (`AddSourceToErr("applying patch:\n<patch>\nto:\n<info>\nfor:", source, err)`).
fn patch_context(item: &Item<'_>, patch: &str) -> String {
    format!(
        "error when applying patch:\n{patch}\nto:\n{}\nfor: \"{}\": ",
        info_string(item),
        item.doc.source,
    )
}

/// `resource.Info.String()`: `Resource: "/v1, Resource=pods", GroupVersionKind: "/v1, Kind=Pod"`
/// and `Name: "web", Namespace: "default"` on the next line.
fn info_string(item: &Item<'_>) -> String {
    let r = &item.resource;
    format!(
        "Resource: \"{}/{}, Resource={}\", GroupVersionKind: \"{}/{}, Kind={}\"\nName: \"{}\", Namespace: \"{}\"",
        r.group, r.version, r.name, r.group, r.version, r.kind, item.name, item.namespace
    )
}

fn create(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let dry = dry_run(inv)?;
    let docs = read_docs(io, inv, "create")?;
    let items = validate_and_map(io, inv, &docs)?;
    let client: &Client = &inv.client;
    let mut errors = Errors::default();
    for item in &items {
        let mut obj = with_namespace(item);
        if inv.flags.bool("save-config") {
            obj = modified_configuration(&obj).0;
        }
        if dry == DryRun::Client {
            report(io, inv, item, "created", dry, Some(&obj))?;
            continue;
        }
        let dry_q = if dry == DryRun::Server {
            "dryRun=All&"
        } else {
            ""
        };
        let manager = inv.flags.str_or("field-manager", "kubectl-create");
        let path = format!(
            "{}?{dry_q}fieldManager={manager}&fieldValidation=Strict",
            collection(item)
        );
        let r = client.send_json(io, "POST", &path, "application/json", go_json_marshal(&obj))?;
        if (200..300).contains(&r.status) {
            report(io, inv, item, "created", dry, r.body_json().as_deref())?;
        } else {
            errors.status(
                &r,
                &format!("error when creating \"{}\": ", item.doc.source),
            );
        }
    }
    errors.result()
}
