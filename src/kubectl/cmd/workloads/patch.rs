//! `kubectl patch`: `-p` (JSON or YAML, turned into JSON) or `--patch-file` sent as a
//! strategic merge (the default), JSON merge or JSON patch; `patched`, or `patched (no
//! change)` when the server's answer equals the object fetched first. `--local` and
//! `--dry-run=client` apply the patch here instead.

use serde_json::Value;

use crate::apiserver::decode::yaml_to_json;
use crate::apiserver::patch::json_patch::{json_patch, JsonPatchFailure};
use crate::apiserver::patch::merge_patch::merge_patch;
use crate::apiserver::patch::strategic_merge::strategic_merge_patch;
use crate::apiserver::request::encode_component;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::client::go_quote;
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, DryRun, GoErr};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Fail, FileEntry, Io, Res};
use crate::kubectl::resource::{self, Builder};

const FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    str_flag("patch", Some('p')),
    str_flag("patch-file", None),
    str_flag("type", None),
    bool_flag("local", None),
    str_flag("subresource", None),
    str_flag("dry-run", None),
    str_flag("field-manager", None),
    str_flag("output", Some('o')),
    bool_flag("record", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "patch",
        flags: FLAGS,
        run,
        help: include_str!("../../help/patch.txt"),
    }]
}

/// The `--type` values and their content types.
fn content_type(patch_type: &str) -> Option<&'static str> {
    match patch_type {
        "json" => Some("application/json-patch+json"),
        "merge" => Some("application/merge-patch+json"),
        "strategic" => Some("application/strategic-merge-patch+json"),
        _ => None,
    }
}

/// Applies a patch locally (`--local`, `--dry-run=client`).
fn apply_locally(patch_type: &str, kind: &str, obj: &Value, patch: &Value) -> Result<Value, GoErr> {
    match patch_type {
        "json" => json_patch(obj, patch).map_err(|e| match e {
            JsonPatchFailure::Decode(m) | JsonPatchFailure::Apply(m) => GoErr::msg(m),
            other => GoErr::msg(other.to_patch_error().message),
        }),
        "merge" => merge_patch(obj, patch).map_err(GoErr::msg),
        _ => strategic_merge_patch(kind, obj, patch).map_err(|e| GoErr::msg(e.message)),
    }
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if f.has("record") {
        io.print(cmdutil::RECORD_DEPRECATED);
    }
    let cause = cmdutil::change_cause(inv, FLAGS);
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    let output = f.str("output").filter(|o| !o.is_empty());
    let patch_type = f.str_or("type", "strategic");
    let Some(ct) = content_type(&patch_type.to_lowercase()) else {
        return Err(Fail::msg(format!(
            "--type must be one of [json merge strategic], not {}",
            go_quote(patch_type)
        )));
    };
    let patch_type = patch_type.to_lowercase();
    let local = f.bool("local");
    let text = match (f.str("patch"), f.str("patch-file")) {
        (Some(p), _) if !p.is_empty() => p.to_string(),
        (_, Some(path)) if !path.is_empty() => match io.files.get(path) {
            Some(FileEntry::File(t)) => t.clone(),
            _ => {
                return Err(Fail::msg(format!(
                    "unable to read patch file: open {path}: no such file or directory"
                )))
            }
        },
        _ => {
            return Err(Fail::msg(
                "must specify --patch or --patch-file containing the contents of the patch",
            ))
        }
    };
    if local && dry == DryRun::Server {
        return Err(Fail::msg(
            "cannot specify --local and --dry-run=server - did you mean --dry-run=client?",
        ));
    }
    if local && !inv.args().is_empty() {
        return Err(Fail::msg("cannot specify --local and server resources"));
    }
    let patch = yaml_to_json(&text)
        .map_err(|e| Fail::msg(format!("unable to parse {}: {e}", go_quote(&text))))?;
    let body = go_json_marshal(&patch);
    let d = inv.client.discover(io)?;
    let builder = Builder {
        local,
        ..Builder::unstructured()
    };
    let manager = f.str_or("field-manager", "kubectl-patch");
    let subresource = f.str("subresource").filter(|s| !s.is_empty());
    let mut count = 0;
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    let errors = resource::visit(io, inv, &d, &builder, inv.args(), &mut |io, info| {
        count += 1;
        if !local && dry != DryRun::Client {
            let mut path = info.path();
            if let Some(s) = subresource {
                path = format!("{path}/{s}");
            }
            let path = format!(
                "{path}?{}fieldManager={}",
                dry.query(),
                encode_component(manager)
            );
            let r = io.call(
                inv.client
                    .request("PATCH", &path, "application/json")
                    .header("Content-Type", ct)
                    .body(body.clone()),
            )?;
            let Some(patched) = r.body_json().filter(|_| (200..300).contains(&r.status)) else {
                return Ok(Some(GoErr::from_response(&r)));
            };
            let did_patch = *patched != *info.object;
            // `MakeRecordMergePatch`: the change cause in a second patch (its failure is only
            // logged).
            if let Some(c) = &cause {
                let mut recorded = (*patched).clone();
                cmdutil::record(&mut recorded, c);
                let record_patch =
                    crate::apiserver::patch::merge_patch::create_merge_patch(&patched, &recorded);
                io.call(
                    inv.client
                        .request("PATCH", &path, "application/json")
                        .header("Content-Type", "application/merge-patch+json")
                        .body(go_json_marshal(&record_patch)),
                )?;
            }
            let op = if did_patch {
                "patched"
            } else {
                "patched (no change)"
            };
            printer.print(io, &info.kind_name(), op, &patched)?;
            return Ok(None);
        }
        let patched = match apply_locally(&patch_type, &info.resource.kind, &info.object, &patch) {
            Ok(p) => p,
            Err(e) => return Ok(Some(e)),
        };
        let did_patch = patched != *info.object;
        let op = if did_patch {
            "patched"
        } else {
            "patched (no change)"
        };
        printer.print(io, &info.kind_name(), op, &patched)?;
        Ok(None)
    })?;
    if count == 0 && errors.is_empty() {
        return Err(Fail::msg("no objects passed to patch"));
    }
    cmdutil::continue_on_error(errors).map_err(check_err)
}
