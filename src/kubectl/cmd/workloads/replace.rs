//! `kubectl replace -f`: each object of the files is `PUT` over the live one (its
//! `resourceVersion` taken from the server when the file has none); `--force` deletes the
//! object, waits until it is gone and creates it again.

use serde_json::Value;

use crate::apiserver::patch::three_way::modified_configuration;
use crate::apiserver::request::encode_component;
use crate::apiserver::watch::WatchEventType;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::client::status_message;
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, DryRun};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::manifest;

const FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    bool_flag("force", None),
    str_flag("cascade", None),
    flag("grace-period", None, Kind::Int),
    str_flag("timeout", None),
    bool_flag("wait", None),
    str_flag("dry-run", None),
    str_flag("validate", None),
    bool_flag("save-config", None),
    str_flag("field-manager", None),
    str_flag("raw", None),
    str_flag("subresource", None),
    str_flag("output", Some('o')),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "replace",
        flags: FLAGS,
        run,
        help: include_str!("../../help/replace.txt"),
    }]
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    let output = f.str("output").filter(|o| !o.is_empty());
    let validation = match f.str("validate") {
        None | Some("strict") | Some("true") => "Strict",
        Some("warn") => "Warn",
        Some("ignore") | Some("false") => "Ignore",
        Some(other) => {
            return Err(Fail::msg(format!(
                "invalid - validate option {}; must be one of: strict (or true), warn, ignore (or false)",
                crate::kubectl::client::go_quote(other)
            )))
        }
    };
    let files = f.many("filename");
    if files.is_empty() {
        return Err(Fail::msg("must specify one of -f and -k"));
    }
    if f.bool("force") && dry != DryRun::None {
        return Err(Fail::msg("--dry-run can not be used when --force is set"));
    }
    let docs = manifest::read(io, &files, f.bool("recursive"))?;
    if docs.is_empty() {
        return Err(Fail::msg("no objects passed to replace"));
    }
    let d = inv.client.discover(io)?;
    let manager = f.str_or("field-manager", "kubectl-replace");
    let mut errors = String::new();
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    // Every object maps before anything is sent, as the builder does.
    let mut items = Vec::new();
    for doc in &docs {
        let api_version = doc.object["apiVersion"].as_str().unwrap_or_default();
        let kind = doc.object["kind"].as_str().unwrap_or_default();
        let (name, ns) = manifest::name_of(&doc.object);
        let Some(r) = d.for_kind(api_version, kind) else {
            return Err(super::super::get::no_mapping(
                name,
                ns,
                &doc.source,
                api_version,
                kind,
            ));
        };
        let namespace = ns.unwrap_or(&inv.client.namespace).to_string();
        items.push((doc, r.clone(), name.to_string(), namespace));
    }
    for (doc, r, name, namespace) in items {
        let mut obj = doc.object.clone();
        if r.namespaced && obj["metadata"]["namespace"].is_null() {
            obj["metadata"]["namespace"] = Value::String(namespace.clone());
        }
        if f.bool("save-config") {
            obj = modified_configuration(&obj).0;
        }
        let collection = r.collection_path(r.namespaced.then_some(namespace.as_str()));
        let path = format!("{collection}/{}", encode_component(&name));
        let kind_name = format!("{}/{name}", r.kind_group());
        if dry == DryRun::Client {
            let op = format!("replaced{}", dry.suffix());
            printer.print(io, &kind_name, &op, &obj)?;
            continue;
        }
        let query = format!(
            "{}fieldManager={}&fieldValidation={validation}",
            dry.query(),
            encode_component(manager)
        );
        if f.bool("force") {
            // Delete, wait until the object is gone, create it again.
            let del = io.call(
                inv.client
                    .request("DELETE", &path, "application/json")
                    .header("Content-Type", "application/json")
                    .body("{\"propagationPolicy\":\"Background\"}"),
            )?;
            if del.status == 200 {
                io.print(format!("{} \"{name}\" deleted\n", r.kind_group()));
                let body = del.body_json();
                let still_there = body.as_ref().is_some_and(|b| {
                    b["kind"] != "Status" && b["metadata"]["deletionTimestamp"].is_string()
                });
                if still_there {
                    let field = encode_component(&format!("metadata.name={name}"));
                    let rv = body
                        .as_ref()
                        .and_then(|b| {
                            b["metadata"]["resourceVersion"]
                                .as_str()
                                .map(str::to_string)
                        })
                        .unwrap_or_default();
                    let (w, events) = io.watch(inv.client.request(
                        "GET",
                        &format!(
                            "{collection}?fieldSelector={field}&resourceVersion={rv}&watch=true"
                        ),
                        "application/json",
                    ))?;
                    if w.status == 200 && !events.iter().any(|e| e.kind == WatchEventType::Deleted)
                    {
                        return Err(Fail::Watching);
                    }
                }
            } else if del.status != 404 {
                errors += &status_message(&del, "");
                continue;
            }
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
            let created = io.call(
                inv.client
                    .request("POST", &format!("{collection}?{query}"), "application/json")
                    .header("Content-Type", "application/json")
                    .body(go_json_marshal(&obj)),
            )?;
            match created
                .body_json()
                .filter(|_| (200..300).contains(&created.status))
            {
                Some(answer) => printer.print(io, &kind_name, "replaced", &answer)?,
                None => errors += &status_message(&created, ""),
            }
            continue;
        }
        // `helper.Replace(overwrite=true)`: the live resourceVersion when the file has none.
        let live = io.call(inv.client.request("GET", &path, "application/json"))?;
        if obj["metadata"]["resourceVersion"].is_null() {
            if let Some(rv) = live
                .body_json()
                .filter(|_| live.status == 200)
                .and_then(|l| {
                    l["metadata"]["resourceVersion"]
                        .as_str()
                        .map(str::to_string)
                })
            {
                obj["metadata"]["resourceVersion"] = Value::String(rv);
            }
        }
        let put = io.call(
            inv.client
                .request("PUT", &format!("{path}?{query}"), "application/json")
                .header("Content-Type", "application/json")
                .body(go_json_marshal(&obj)),
        )?;
        match put.body_json().filter(|_| (200..300).contains(&put.status)) {
            Some(answer) => {
                let op = format!("replaced{}", dry.suffix());
                printer.print(io, &kind_name, &op, &answer)?;
            }
            None => {
                errors +=
                    &status_message(&put, &format!("error when replacing \"{}\": ", doc.source))
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fail::raw(errors))
    }
}
