//! `kubectl delete`: by name, `-f`, `-l`, `--all`, with `--grace-period`, `--now`, `--force`
//! and `--cascade`; like kubectl 1.33 it then waits until each object is really gone (a pod's
//! graceful termination takes its grace period on the kubelet).

use serde_json::{json, Value};

use super::get::{selector_query, targets, Target};
use super::{Command, Invocation, FILENAME};
use crate::apiserver::request::encode_component;
use crate::apiserver::watch::WatchEventType;
use crate::kubectl::client::{ok_json, selector_list_error, status_message};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};

const FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("all", None),
    bool_flag("all-namespaces", Some('A')),
    str_flag("selector", Some('l')),
    str_flag("field-selector", None),
    flag("grace-period", None, Kind::Int),
    bool_flag("now", None),
    bool_flag("force", None),
    Flag {
        name: "cascade",
        short: None,
        kind: Kind::Str,
        no_opt_default: Some("background"),
    },
    bool_flag("ignore-not-found", None),
    str_flag("output", Some('o')),
    bool_flag("wait", None),
    str_flag("timeout", None),
    str_flag("dry-run", None),
    bool_flag("recursive", Some('R')),
    bool_flag("interactive", Some('i')),
    str_flag("raw", None),
    str_flag("kustomize", Some('k')),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "delete",
        flags: FLAGS,
        run,
        help: include_str!("../help/delete.txt"),
    }]
}

/// `GetCascadingStrategy`: the propagation policy `--cascade` asks for; the old boolean values
/// still work, with a warning.
fn propagation(io: &mut Io<'_>, inv: &Invocation) -> Res<&'static str> {
    let value = inv.flags.str("cascade");
    if let Some(b @ ("true" | "false")) = value {
        let instead = if b == "true" { "background" } else { "orphan" };
        io.print(format!(
            "warning: --cascade={b} is deprecated (boolean value) and can be replaced with --cascade={instead}.\n"
        ));
    }
    match value {
        None | Some("background") | Some("true") => Ok("Background"),
        Some("foreground") => Ok("Foreground"),
        Some("orphan") | Some("false") => Ok("Orphan"),
        Some(other) => Err(Fail::msg(format!(
            "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
        ))),
    }
}

/// One object to delete.
struct Victim {
    path: String,
    collection: String,
    /// `pod "web"` as the result line names it.
    label: String,
    /// The file it was read from, which an error names.
    source: Option<String>,
    name: String,
    namespaced: bool,
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let args = inv.args();
    let by_selector = f.has("selector") || f.has("field-selector") || f.bool("all");
    if args.is_empty() && f.many("filename").is_empty() {
        return Err(Fail::raw(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
        ));
    }
    let propagation = propagation(io, inv)?;
    let mut grace = f.int("grace-period");
    if f.bool("now") {
        if grace.is_some_and(|g| g >= 0) {
            return Err(Fail::msg(
                "--now and --grace-period cannot be specified together",
            ));
        }
        grace = Some(1);
    }
    if f.bool("force") {
        if grace.is_none_or(|g| g < 0) {
            grace = Some(0);
        }
    } else if grace == Some(0) {
        // kubectl turns a zero grace period without --force into 1 s.
        grace = Some(1);
    }
    let d = inv.client.discover(io)?;
    // The builder refuses --all with a selector before anything is validated.
    if f.bool("all") && (f.has("selector") || f.has("field-selector")) {
        return Err(Fail::msg(
            "setting 'all' parameter but found a non empty selector. ",
        ));
    }
    let targets = targets(io, inv, &d, args)?;
    // The builder's visitBySelector: names and a selector (or --all) do not go together.
    if by_selector && f.many("filename").is_empty() && targets.iter().any(|t| !t.names.is_empty()) {
        return Err(Fail::msg(
            "name cannot be provided when a selector is specified",
        ));
    }
    // Validate.
    if let Some(o) = f.str("output").filter(|o| !o.is_empty() && *o != "name") {
        return Err(Fail::msg(format!(
            "unexpected -o output mode: {o}. We only support '-o name'"
        )));
    }
    if f.bool("force") {
        if grace.is_some_and(|g| g > 0) {
            return Err(Fail::msg(
                "--force and --grace-period greater than 0 cannot be specified together",
            ));
        }
        io.print("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let operation = if grace == Some(0) {
        "force deleted"
    } else {
        "deleted"
    };
    if !by_selector && f.many("filename").is_empty() && targets.iter().any(|t| t.names.is_empty()) {
        return Err(Fail::msg(
            "resource(s) were provided, but no name was specified",
        ));
    }
    let all_ns = f.bool("all-namespaces");
    let mut victims: Vec<Victim> = Vec::new();
    let mut errors = String::new();
    for Target {
        resource,
        names,
        namespace,
        source,
    } in &targets
    {
        let ns = namespace
            .clone()
            .unwrap_or_else(|| inv.client.namespace.clone());
        let collection = resource.collection_path((!all_ns).then_some(ns.as_str()));
        if names.is_empty() {
            let mut q = selector_query(inv);
            q.push("limit=500".into());
            let list = io.call(inv.client.request(
                "GET",
                &format!("{collection}?{}", q.join("&")),
                "application/json",
            ))?;
            if !(200..300).contains(&list.status) {
                return Err(selector_list_error(
                    &list,
                    &resource.group,
                    &resource.version,
                    &resource.name,
                    f.str("selector").unwrap_or_default(),
                    f.str("field-selector").unwrap_or_default(),
                ));
            }
            let list = ok_json(&list)?;
            for item in list["items"].as_array().into_iter().flatten() {
                let name = item["metadata"]["name"].as_str().unwrap_or_default();
                let item_ns = item["metadata"]["namespace"].as_str().unwrap_or(&ns);
                let path = if resource.namespaced {
                    resource.object_path(item_ns, name)
                } else {
                    format!("{collection}/{}", encode_component(name))
                };
                victims.push(Victim {
                    collection: resource.collection_path(resource.namespaced.then_some(item_ns)),
                    path,
                    label: format!("{} \"{name}\"", resource.kind_group()),
                    source: None,
                    name: name.to_string(),
                    namespaced: resource.namespaced,
                });
            }
        }
        for name in names {
            let path = if resource.namespaced {
                resource.object_path(&ns, name)
            } else {
                format!("{collection}/{}", encode_component(name))
            };
            victims.push(Victim {
                collection: resource.collection_path(resource.namespaced.then_some(ns.as_str())),
                path,
                label: format!("{} \"{name}\"", resource.kind_group()),
                source: source.clone(),
                name: name.clone(),
                namespaced: resource.namespaced,
            });
        }
    }
    // DeleteResult: nothing visited (an empty list for --all or a selector).
    if victims.is_empty() && errors.is_empty() {
        io.print("No resources found\n");
        return Ok(());
    }
    let mut body = serde_json::Map::new();
    if let Some(g) = grace.filter(|g| *g >= 0) {
        body.insert("gracePeriodSeconds".into(), json!(g));
    }
    body.insert("propagationPolicy".into(), json!(propagation));
    let dry_server = f.str("dry-run") == Some("server");
    if dry_server {
        body.insert("dryRun".into(), json!(["All"]));
    }
    let body = Value::Object(body).to_string();
    let mut deleted: Vec<(&Victim, String)> = Vec::new();
    // `-n` names a namespace the cluster-scoped objects deleted are not in: said once.
    let mut warn_cluster_scope = inv.client.namespace_explicit && !all_ns;
    for v in &victims {
        if warn_cluster_scope && !v.namespaced {
            io.print("Warning: deleting cluster-scoped resources, not scoped to the provided namespace\n");
            warn_cluster_scope = false;
        }
        if f.str("dry-run") == Some("client") {
            io.print(format!("{} {operation} (dry run)\n", v.label));
            continue;
        }
        let r = inv
            .client
            .send_json(io, "DELETE", &v.path, "application/json", body.clone())?;
        if r.status == 404 && f.bool("ignore-not-found") {
            continue;
        }
        match ok_json(&r) {
            Ok(obj) => {
                if f.str("output") == Some("name") {
                    io.print(format!(
                        "{}\n",
                        v.label.replace(" \"", "/").trim_end_matches('"')
                    ));
                } else {
                    io.print(format!(
                        "{} {operation}{}\n",
                        v.label,
                        if dry_server { " (server dry run)" } else { "" }
                    ));
                }
                // `--wait` (the default) waits for every deleted object to be gone.
                if !dry_server && f.str("wait") != Some("false") {
                    let uid = obj["metadata"]["uid"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    deleted.push((v, uid));
                }
            }
            Err(_) => {
                let context = v
                    .source
                    .as_ref()
                    .map(|s| format!("error when deleting \"{s}\": "))
                    .unwrap_or_default();
                errors += &status_message(&r, &context);
            }
        }
    }
    // `--wait`: as kubectl's wait.IsDeleted, GET each object, then watch it (by name, from
    // the version read) until it is gone.
    for (v, uid) in deleted {
        let got = io.call(inv.client.request("GET", &v.path, "application/json"))?;
        if got.status == 404 {
            continue;
        }
        let obj = ok_json(&got)?;
        if obj["metadata"]["uid"] != uid.as_str() {
            // Gone, and something else took its name.
            continue;
        }
        let field = encode_component(&format!("metadata.name={}", v.name));
        let rv = obj["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default();
        let (r, events) = io.watch(inv.client.request(
            "GET",
            &format!(
                "{}?fieldSelector={field}&resourceVersion={rv}&watch=true",
                v.collection
            ),
            "application/json",
        ))?;
        if r.status != 200 {
            errors += &status_message(&r, "");
            continue;
        }
        if !events.iter().any(|e| {
            e.kind == WatchEventType::Deleted && e.object["metadata"]["uid"] == uid.as_str()
        }) {
            return Err(Fail::Watching);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fail::raw(errors))
    }
}
