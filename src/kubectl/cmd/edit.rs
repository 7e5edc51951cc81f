//! `kubectl edit`: the object opens as YAML in the page's editor (kubectl would start
//! `$EDITOR`); on save kubectl sends a strategic merge patch of the changes, and an object the
//! server refuses opens again with the errors at the top, as the real editor loop does.

use serde_json::{Map, Value};

use super::get::targets;
use super::{Command, Invocation, FILENAME};
use crate::apiserver::patch::patch_meta::{is_builtin_kind, root_type, Ty};
use crate::apiserver::patch::strategic_merge::two_way_merge_map_patch;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::client::{ok_json, status_message};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::manifest;
use crate::kubectl::printers::{json, yaml};

const FLAGS: &[Flag] = &[
    FILENAME,
    str_flag("output", Some('o')),
    bool_flag("recursive", Some('R')),
    bool_flag("save-config", None),
    bool_flag("windows-line-endings", None),
    str_flag("validate", None),
    str_flag("field-manager", None),
    str_flag("subresource", None),
    bool_flag("show-managed-fields", None),
    bool_flag("output-patch", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "edit",
        flags: FLAGS,
        run,
        help: include_str!("../help/edit.txt"),
    }]
}

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

/// The object as the editor shows it: without managedFields (unless asked), as YAML or JSON.
fn editable(obj: &Value, json_format: bool, show_managed: bool) -> Res<String> {
    let mut o = obj.clone();
    if !show_managed {
        if let Some(m) = o["metadata"].as_object_mut() {
            m.remove("managedFields");
        }
    }
    if json_format {
        Ok(json::to_json(&o))
    } else {
        yaml::to_yaml(&o).map_err(|e| Fail::msg(e.to_string()))
    }
}

/// The edited text without its comment lines, or `None` when nothing is left (an abort).
fn strip_comments(text: &str) -> Option<String> {
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let body = kept.join("\n");
    (!body.trim().is_empty()).then_some(body)
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let json_format = match f.str("output") {
        None | Some("yaml") => false,
        Some("json") => true,
        Some(o) => {
            return Err(Fail::msg(format!(
                "unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,yaml"
            )))
        }
    };
    if inv.args().is_empty() && f.many("filename").is_empty() {
        return Err(Fail::raw(
            "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
        ));
    }
    let d = inv.client.discover(io)?;
    let ts = targets(io, inv, &d, inv.args())?;
    let mut objects = Vec::new();
    // `--subresource` edits that part of each object (`status`, `scale`); kubectl 1.33 sends
    // any name and lets the server answer.
    let sub = f
        .str("subresource")
        .map(|s| format!("/{s}"))
        .unwrap_or_default();
    for t in &ts {
        if t.names.is_empty() {
            // A bare type edits every object of it in the namespace.
            let ns = t
                .namespace
                .clone()
                .unwrap_or_else(|| inv.client.namespace.clone());
            let scope = t.resource.namespaced.then_some(ns.as_str());
            let path = t.resource.collection_path(scope);
            let list = inv.client.get_json(io, &path)?;
            for item in list["items"].as_array().into_iter().flatten() {
                let name = item["metadata"]["name"].as_str().unwrap_or_default();
                let path = match scope {
                    Some(ns) => t.resource.object_path(ns, name),
                    None => format!(
                        "{path}/{}",
                        crate::apiserver::request::encode_component(name)
                    ),
                };
                let obj = if sub.is_empty() {
                    std::sync::Arc::new(crate::kubectl::resource::with_type_meta(item, &t.resource))
                } else {
                    inv.client.get_json(io, &format!("{path}{sub}"))?
                };
                objects.push((t.resource.clone(), format!("{path}{sub}"), obj));
            }
            continue;
        }
        for name in &t.names {
            let ns = t
                .namespace
                .clone()
                .unwrap_or_else(|| inv.client.namespace.clone());
            let path = if t.resource.namespaced {
                t.resource.object_path(&ns, name)
            } else {
                format!(
                    "{}/{}",
                    t.resource.collection_path(None),
                    crate::apiserver::request::encode_component(name)
                )
            };
            let scope = if t.resource.namespaced {
                ns.as_str()
            } else {
                ""
            };
            let path = format!("{path}{sub}");
            let r = inv.client.info_get(io, &path, scope, "application/json")?;
            let obj = ok_json(&r)?;
            objects.push((t.resource.clone(), path, obj));
        }
    }
    if objects.is_empty() {
        return Err(Fail::msg("edit cancelled, no objects found"));
    }
    for (resource, path, original) in objects {
        let shown = editable(&original, json_format, f.bool("show-managed-fields"))?;
        let mut text = format!("{HEADER}{shown}");
        loop {
            let Some(saved) = io.edit(text.clone())? else {
                io.print("Edit cancelled, no changes made.\n");
                break;
            };
            let Some(body) = strip_comments(&saved) else {
                io.print("Edit cancelled, saved file was empty.\n");
                break;
            };
            let edited = match manifest::parse(&body, "edited file") {
                Ok(mut docs) if docs.len() == 1 => docs.remove(0).object,
                Ok(_) => return Err(Fail::msg("the edited file holds more than one object")),
                Err(Fail::Error { text: e, .. }) => {
                    // Reopen with the error on top, as kubectl's editor loop does.
                    text = format!(
                        "{HEADER}# {}\n#\n{body}\n",
                        e.trim_end().trim_start_matches("error: ")
                    );
                    continue;
                }
                Err(other) => return Err(other),
            };
            let unchanged_view: Value = {
                let mut o = (*original).clone();
                if let Some(m) = o["metadata"].as_object_mut() {
                    if !f.bool("show-managed-fields") {
                        m.remove("managedFields");
                    }
                }
                o
            };
            if edited == unchanged_view {
                io.print("Edit cancelled, no changes made.\n");
                break;
            }
            let kind = resource.kind.as_str();
            let empty = Map::new();
            let as_map = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
            let (content_type, patch) = if is_builtin_kind(kind) {
                let ty = root_type(kind).unwrap_or(Ty::Unknown);
                let p = two_way_merge_map_patch(ty, &as_map(&unchanged_view), &as_map(&edited))
                    .map_err(|e| Fail::msg(e.to_string()))?;
                ("application/strategic-merge-patch+json", Value::Object(p))
            } else {
                (
                    "application/merge-patch+json",
                    crate::apiserver::patch::merge_patch::create_merge_patch(
                        &unchanged_view,
                        &edited,
                    ),
                )
            };
            let manager = f.str_or("field-manager", "kubectl-edit");
            let r = inv.client.send_json(
                io,
                "PATCH",
                &format!("{path}?fieldManager={manager}&fieldValidation=Strict"),
                content_type,
                go_json_marshal(&patch),
            )?;
            if (200..300).contains(&r.status) {
                let name = original["metadata"]["name"].as_str().unwrap_or_default();
                io.print(format!("{}/{name} edited\n", resource.kind_group()));
                break;
            }
            // The server refused it: reopen with its errors as comments.
            let msg = status_message(&r, "");
            let comments: String = msg.lines().map(|l| format!("# {l}\n")).collect();
            text = format!("{HEADER}{comments}#\n{body}\n");
        }
    }
    Ok(())
}
