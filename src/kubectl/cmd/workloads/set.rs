//! `kubectl set image`: each object's pod template gets the new images, and the strategic
//! merge patch between the old and new object is sent (`$setElementOrder/containers`
//! included, as `CreateTwoWayMergePatch` writes it); an object that does not change is left
//! alone and printed nothing for.

use serde_json::Value;

use crate::apiserver::patch::strategic_merge::create_two_way_merge_patch;
use crate::apiserver::request::encode_component;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, get_resources_and_pairs, DryRun, GoErr};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Io, Res};
use crate::kubectl::polymorphichelpers::updatepodspec::{pod_spec_mut, pod_spec_pointer};
use crate::kubectl::resource::{self, Builder, JSON_ANY_ACCEPT};

use super::rollout::group_command;

const IMAGE_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    bool_flag("all", None),
    bool_flag("local", None),
    str_flag("dry-run", None),
    str_flag("field-manager", None),
    str_flag("selector", Some('l')),
    str_flag("output", Some('o')),
    bool_flag("record", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
];

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "set",
            flags: &[],
            run: set,
            help: include_str!("../../help/set.txt"),
        },
        Command {
            path: "set image",
            flags: IMAGE_FLAGS,
            run: image,
            help: include_str!("../../help/set_image.txt"),
        },
    ]
}

fn set(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    group_command(io, inv, include_str!("../../help/set.txt"))
}

/// `setImage`: sets the image of the named container (or all with `*`); whether one matched.
fn set_image(containers: &mut Value, name: &str, image: &str) -> bool {
    let mut found = false;
    for c in containers.as_array_mut().into_iter().flatten() {
        if name == "*" || c["name"] == name {
            found = true;
            c["image"] = Value::String(image.to_string());
        }
    }
    found
}

fn image(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if f.has("record") {
        io.print(cmdutil::RECORD_DEPRECATED);
    }
    let cause = cmdutil::change_cause(inv, IMAGE_FLAGS);
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    let output = f.str("output").filter(|o| !o.is_empty());
    let local = f.bool("local");
    let (resources, pairs) = get_resources_and_pairs(inv.args(), "image").map_err(check_err)?;
    let (images, _) = cmdutil::parse_pairs(&pairs, "image", false).map_err(check_err)?;
    let d = inv.client.discover(io)?;
    if local && !resources.is_empty() {
        return Err(crate::kubectl::io::Fail::raw(
            "error: you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n",
        ));
    }
    let builder = Builder {
        all: f.bool("all"),
        selector: f.str("selector"),
        local,
        ..Builder::typed()
    };
    // `Complete` runs the builder before `Validate`.
    let found = if resources.is_empty() && f.many("filename").is_empty() {
        resource::Found::default()
    } else {
        resource::infos(io, inv, &d, &builder, &resources)?
    };
    if let Some(e) = found.error() {
        return Err(check_err(e));
    }
    let mut problems = Vec::new();
    if f.bool("all") && f.has("selector") {
        problems.push(GoErr::msg(
            "cannot set --all and --selector at the same time",
        ));
    }
    if resources.is_empty() && f.many("filename").is_empty() {
        problems.push(GoErr::msg(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        ));
    }
    if images.is_empty() {
        problems.push(GoErr::msg("at least one image update is required"));
    } else if images.len() > 1 && images.iter().any(|(k, _)| k == "*") {
        problems.push(GoErr::msg(
            "all containers are already specified by *, but saw more than one container_name=container_image pairs",
        ));
    }
    if local && dry == DryRun::Server {
        problems.push(GoErr::msg(
            "cannot specify --local and --dry-run=server - did you mean --dry-run=client?",
        ));
    }
    cmdutil::aggregate(problems).map_err(check_err)?;
    let manager = f.str_or("field-manager", "kubectl-set");
    let mut errors: Vec<GoErr> = Vec::new();
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    for info in &found.infos {
        let original = info.typed();
        let mut modified = original.clone();
        let pointer = match pod_spec_pointer(&info.resource.group, &info.resource.kind) {
            Ok(p) => p,
            Err(e) => {
                // `info.ObjectName()`: the plural resource and the name.
                errors.push(GoErr::msg(format!(
                    "error: {}/{} {e}\n",
                    info.resource.name, info.name
                )));
                continue;
            }
        };
        if let Some(spec) = pod_spec_mut(&mut modified, pointer) {
            for (name, image) in &images {
                // `get_mut`: indexing would add the missing list as `null`.
                let init = spec
                    .get_mut("initContainers")
                    .is_some_and(|c| set_image(c, name, image));
                let found = spec
                    .get_mut("containers")
                    .is_some_and(|c| set_image(c, name, image));
                if !init && !found {
                    errors.push(GoErr::msg(format!(
                        "error: unable to find container named {}",
                        cmdutil::quote(name)
                    )));
                }
            }
        }
        // Recorded with the change, for `rollout history`.
        if let Some(c) = &cause {
            cmdutil::record(&mut modified, c);
        }
        let patch = match (original.as_object(), modified.as_object()) {
            (Some(a), Some(b)) => match create_two_way_merge_patch(&info.resource.kind, a, b) {
                Ok(p) => go_json_marshal(&Value::Object(p)),
                Err(e) => {
                    errors.push(GoErr::msg(format!(
                        "error: {}/{} {e}\n",
                        info.resource.name, info.name
                    )));
                    continue;
                }
            },
            _ => continue,
        };
        // No change: nothing is sent and nothing printed.
        if patch == "{}" {
            continue;
        }
        if local || dry == DryRun::Client {
            let op = format!("image updated{}", dry.suffix());
            printer.print(io, &info.kind_name(), &op, &modified)?;
            continue;
        }
        let path = format!(
            "{}?{}fieldManager={}",
            info.path(),
            dry.query(),
            encode_component(manager)
        );
        let r = io.call(
            inv.client
                .request("PATCH", &path, JSON_ANY_ACCEPT)
                .header("Content-Type", "application/strategic-merge-patch+json")
                .body(patch),
        )?;
        let Some(actual) = r.body_json().filter(|_| (200..300).contains(&r.status)) else {
            errors.push(GoErr::msg(format!(
                "failed to patch image update to pod template: {}",
                GoErr::from_response(&r).error()
            )));
            continue;
        };
        let op = format!("image updated{}", dry.suffix());
        printer.print(io, &info.kind_name(), &op, &actual)?;
    }
    cmdutil::aggregate(errors).map_err(check_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn images_are_set_by_name_or_for_all() {
        let mut cs = json!([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]);
        assert!(set_image(&mut cs, "b", "z"));
        assert_eq!(cs[1]["image"], "z");
        assert!(!set_image(&mut cs, "c", "z"));
        assert!(set_image(&mut cs, "*", "w"));
        assert_eq!(
            cs,
            json!([{"name": "a", "image": "w"}, {"name": "b", "image": "w"}])
        );
        assert!(!set_image(&mut Value::Null, "*", "w"));
    }
}
