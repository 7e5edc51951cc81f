//! `kubectl describe`: the resource builder finds the objects (named GETs or chunked lists,
//! `-l`, `-A`, `-f`), then each object's describer fetches it again with what it shows beside
//! it (see `kubectl::describe`). Descriptions are separated by a blank line pair, as the real
//! command's `"\n\n%s"` does; a single `TYPE NAME` that is not found falls back to describing
//! every object whose name starts with NAME.

use std::collections::BTreeSet;

use super::get::{targets, Target};
use super::{Command, Invocation, FILENAME};
use crate::apiserver::request::encode_component;
use crate::kubectl::client::{ok_json, status_message};
use crate::kubectl::describe::{self, Ctx, Settings};
use crate::kubectl::discovery::{ApiResource, Discovery};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};

const FLAGS: &[Flag] = &[
    bool_flag("all-namespaces", Some('A')),
    flag("chunk-size", None, Kind::Int),
    FILENAME,
    str_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    str_flag("selector", Some('l')),
    bool_flag("show-events", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "describe",
        flags: FLAGS,
        run,
        help: include_str!("../help/describe.txt"),
    }]
}

/// One object the builder found.
struct Info {
    resource: ApiResource,
    namespace: String,
    name: String,
}

/// What the builder's visit produced: objects, and the errors of the ones it could not get.
struct Found {
    infos: Vec<Info>,
    errors: Vec<Fail>,
}

fn settings(inv: &Invocation) -> Settings {
    Settings {
        show_events: inv.flags.str("show-events") != Some("false"),
        chunk_size: inv.flags.int("chunk-size").unwrap_or(500),
    }
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if inv.args().is_empty() && f.many("filename").is_empty() && !f.has("kustomize") {
        return Err(Fail::msg(
            "You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.",
        ));
    }
    if f.has("kustomize") {
        return Err(Fail::msg(
            "kubestep's kubectl has no kustomize: describe the objects by type and name or with -f",
        ));
    }
    let d = inv.client.discover(io)?;
    let targets = targets(io, inv, &d, inv.args())?;
    let all_ns = f.bool("all-namespaces");
    let selector = f.str("selector").filter(|s| !s.is_empty());
    if selector.is_some()
        && targets.iter().any(|t| !t.names.is_empty())
        && f.many("filename").is_empty()
    {
        return Err(Fail::msg(
            "name cannot be provided when a selector is specified",
        ));
    }
    if all_ns && targets.iter().any(|t| !t.names.is_empty()) && f.many("filename").is_empty() {
        return Err(Fail::msg(
            "a resource cannot be retrieved by name across all namespaces",
        ));
    }
    let namespace = inv.client.namespace.clone();
    let found = visit(io, inv, &targets, selector, all_ns, &namespace)?;
    let settings = settings(inv);
    // `r.Infos()` reduces a single error to itself: a missing `TYPE NAME` is a name prefix.
    if let [Fail::Error { text, .. }] = found.errors.as_slice() {
        if text.contains("(NotFound)") && inv.args().len() == 2 {
            return describe_matching(io, inv, &d, text, settings);
        }
    }
    let mut cx = Ctx {
        io,
        client: &inv.client,
        settings,
    };
    let mut errors: Vec<String> = found
        .errors
        .iter()
        .filter_map(|e| match e {
            Fail::Error { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut first = true;
    for info in &found.infos {
        match describe::describe(&mut cx, &info.resource, &info.namespace, &info.name) {
            Ok(s) => {
                if first {
                    first = false;
                    cx.io.print(s);
                } else {
                    cx.io.print(format!("\n\n{s}"));
                }
            }
            Err(Fail::Error { text, .. }) => {
                if seen.insert(text.clone()) {
                    errors.push(text);
                }
            }
            Err(e) => return Err(e),
        }
    }
    if found.infos.is_empty() && errors.is_empty() {
        if all_ns {
            cx.io.print("No resources found\n");
        } else {
            cx.io
                .print(format!("No resources found in {namespace} namespace.\n"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fail::raw(errors.concat()))
    }
}

/// The builder's visit (`Unstructured().ContinueOnError()...RequestChunksOf(n).Flatten()`):
/// named objects one GET each, the rest as chunked lists.
fn visit(
    io: &mut Io<'_>,
    inv: &Invocation,
    targets: &[Target],
    selector: Option<&str>,
    all_ns: bool,
    namespace: &str,
) -> Res<Found> {
    let chunk = inv.flags.int("chunk-size").unwrap_or(500);
    let from_files = !inv.flags.many("filename").is_empty();
    let mut found = Found {
        infos: Vec::new(),
        errors: Vec::new(),
    };
    for t in targets {
        let ns = t.namespace.clone().unwrap_or_else(|| namespace.to_string());
        if t.names.is_empty() {
            let collection = t.resource.collection_path((!all_ns).then_some(ns.as_str()));
            let mut cont: Option<String> = None;
            loop {
                let mut q = Vec::new();
                if let Some(c) = &cont {
                    q.push(format!("continue={}", encode_component(c)));
                }
                if let Some(s) = selector {
                    q.push(format!("labelSelector={}", encode_component(s)));
                }
                if chunk > 0 {
                    q.push(format!("limit={chunk}"));
                }
                let path = if q.is_empty() {
                    collection.clone()
                } else {
                    format!("{collection}?{}", q.join("&"))
                };
                let r = io.call(inv.client.request("GET", &path, "application/json"))?;
                let body = match ok_json(&r) {
                    Ok(b) => b,
                    Err(e) => {
                        found.errors.push(e);
                        break;
                    }
                };
                for item in body["items"].as_array().into_iter().flatten() {
                    let m = &item["metadata"];
                    found.infos.push(Info {
                        resource: t.resource.clone(),
                        namespace: m["namespace"].as_str().unwrap_or_default().to_string(),
                        name: m["name"].as_str().unwrap_or_default().to_string(),
                    });
                }
                match body["metadata"]["continue"].as_str() {
                    Some(c) if !c.is_empty() => cont = Some(c.to_string()),
                    _ => break,
                }
            }
            continue;
        }
        let namespace_of = |ns: &str| {
            if t.resource.namespaced {
                ns.to_string()
            } else {
                String::new()
            }
        };
        if from_files {
            // Objects read from files are described as they are named there: the builder
            // does not fetch them first.
            for name in &t.names {
                found.infos.push(Info {
                    resource: t.resource.clone(),
                    namespace: namespace_of(&ns),
                    name: name.clone(),
                });
            }
            continue;
        }
        for name in &t.names {
            let path = describe::object_path(&t.resource, &ns, name);
            let r = inv
                .client
                .info_get(io, &path, &namespace_of(&ns), "application/json")?;
            if (200..300).contains(&r.status) {
                found.infos.push(Info {
                    resource: t.resource.clone(),
                    namespace: namespace_of(&ns),
                    name: name.clone(),
                });
            } else {
                found.errors.push(Fail::raw(status_message(&r, "")));
            }
        }
    }
    Ok(found)
}

/// `DescribeMatchingResources`: every object of the type whose name starts with the prefix,
/// each followed by a newline; the original NotFound when none does.
fn describe_matching(
    io: &mut Io<'_>,
    inv: &Invocation,
    d: &Discovery,
    original: &str,
    settings: Settings,
) -> Res<()> {
    let args = inv.args();
    let (resource_arg, prefix) = (&args[0], &args[1]);
    let targets = targets(io, inv, d, std::slice::from_ref(resource_arg))?;
    if targets.len() != 1 {
        return Err(Fail::msg("you may only specify a single resource type"));
    }
    let namespace = inv.client.namespace.clone();
    let found = visit(io, inv, &targets, None, false, &namespace)?;
    if let Some(e) = found.errors.into_iter().next() {
        return Err(e);
    }
    let mut cx = Ctx {
        io,
        client: &inv.client,
        settings,
    };
    let mut any = false;
    for info in found
        .infos
        .iter()
        .filter(|i| i.name.starts_with(prefix.as_str()))
    {
        any = true;
        let s = describe::describe(&mut cx, &info.resource, &info.namespace, &info.name)?;
        cx.io.print(format!("{s}\n"));
    }
    if !any {
        return Err(Fail::raw(original.to_string()));
    }
    Ok(())
}
