//! `kubectl label` and `kubectl annotate`: each object is fetched, changed locally
//! (`KEY=VALUE` sets, `KEY-` removes, `--overwrite` allows replacing), and the JSON merge
//! patch between the two versions is sent (`{}` when nothing changed, as kubectl does).

use serde_json::{Map, Value};

use crate::apiserver::patch::merge_patch::create_merge_patch;
use crate::apiserver::request::encode_component;
use crate::apiserver::validation::names::is_valid_label_value;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, get_resources_and_pairs, DryRun, GoErr};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::resource::{self, Builder, Info};

const FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    bool_flag("overwrite", None),
    bool_flag("list", None),
    bool_flag("local", None),
    str_flag("field-selector", None),
    bool_flag("all", None),
    bool_flag("all-namespaces", Some('A')),
    str_flag("resource-version", None),
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
            path: "label",
            flags: FLAGS,
            run: label,
            help: include_str!("../../help/label.txt"),
        },
        Command {
            path: "annotate",
            flags: FLAGS,
            run: annotate,
            help: include_str!("../../help/annotate.txt"),
        },
    ]
}

/// Which of the two commands runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    Label,
    Annotate,
}

impl What {
    fn field(self) -> &'static str {
        match self {
            What::Label => "labels",
            What::Annotate => "annotations",
        }
    }
}

/// `parseLabels` (label's own parser, stricter than `ParsePairs`).
fn parse_labels(spec: &[String]) -> Result<cmdutil::Pairs, GoErr> {
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut remove = Vec::new();
    for s in spec {
        if s.contains('=') {
            let parts: Vec<&str> = s.split('=').collect();
            if parts.len() != 2 {
                return Err(GoErr::msg(format!("invalid label spec: {s}")));
            }
            let errs = is_valid_label_value(parts[1]);
            if !errs.is_empty() {
                return Err(GoErr::msg(format!(
                    "invalid label value: {}: {}",
                    cmdutil::quote(s),
                    errs.join(";")
                )));
            }
            labels.retain(|(k, _)| k != parts[0]);
            labels.push((parts[0].to_string(), parts[1].to_string()));
        } else if let Some(k) = s.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            return Err(GoErr::msg(format!("unknown label spec: {s}")));
        }
    }
    if remove.iter().any(|r| labels.iter().any(|(k, _)| k == r)) {
        return Err(GoErr::msg(
            "can not both modify and remove a label in the same command",
        ));
    }
    Ok((labels, remove))
}

/// The parsed command line shared by both commands.
struct Plan {
    what: What,
    /// `--record`'s change cause.
    cause: Option<String>,
    resources: Vec<String>,
    new: Vec<(String, String)>,
    remove: Vec<String>,
    overwrite: bool,
    resource_version: String,
    dry: DryRun,
    local: bool,
    list: bool,
}

/// `labelFunc` / `updateAnnotations`: the object with its labels or annotations changed.
fn apply(plan: &Plan, obj: &mut Value) -> Result<(), GoErr> {
    let field = plan.what.field();
    let current = obj["metadata"][field]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if !plan.overwrite {
        match plan.what {
            What::Label => {
                let errs: Vec<GoErr> = plan
                    .new
                    .iter()
                    .filter_map(|(k, _)| {
                        current.get(k).map(|v| {
                            GoErr::msg(format!(
                                "'{k}' already has a value ({}), and --overwrite is false",
                                v.as_str().unwrap_or_default()
                            ))
                        })
                    })
                    .collect();
                cmdutil::aggregate(errs)?;
            }
            What::Annotate => {
                let found: Vec<String> = plan
                    .new
                    .iter()
                    // The change-cause annotation can always be overwritten.
                    .filter(|(k, _)| k != "kubernetes.io/change-cause")
                    .filter_map(|(k, _)| {
                        current.get(k).map(|v| {
                            format!(
                                "'{k}' already has a value ({})",
                                v.as_str().unwrap_or_default()
                            )
                        })
                    })
                    .collect();
                if !found.is_empty() {
                    return Err(GoErr::msg(format!(
                        "--overwrite is false but found the following declared annotation(s): {}",
                        found.join("; ")
                    )));
                }
            }
        }
    }
    let mut map: Map<String, Value> = current;
    for (k, v) in &plan.new {
        map.insert(k.clone(), Value::String(v.clone()));
    }
    for k in &plan.remove {
        map.remove(k);
    }
    if !obj["metadata"].is_object() {
        obj["metadata"] = Value::Object(Map::new());
    }
    // `SetLabels` with a non-nil (possibly empty) map writes it.
    obj["metadata"][field] = Value::Object(map);
    if !plan.resource_version.is_empty() {
        obj["metadata"]["resourceVersion"] = Value::String(plan.resource_version.clone());
    }
    Ok(())
}

/// `updateDataChangeMsg`.
fn data_change_msg(old: &str, new: &str, overwrite: bool) -> &'static str {
    if old == new {
        "not labeled"
    } else if !overwrite && new.len() < old.len() {
        "unlabeled"
    } else {
        "labeled"
    }
}

fn run(io: &mut Io<'_>, inv: &Invocation, what: What) -> Res<()> {
    let f = &inv.flags;
    if f.has("record") {
        io.print(cmdutil::RECORD_DEPRECATED);
    }
    let output = f.str("output").filter(|o| !o.is_empty());
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    let pair_type = match what {
        What::Label => "label",
        What::Annotate => "annotation",
    };
    if what == What::Annotate && f.bool("list") && output.is_some() {
        return Err(Fail::msg(
            "--list and --output may not be specified together",
        ));
    }
    let (resources, pairs) = get_resources_and_pairs(inv.args(), pair_type).map_err(check_err)?;
    let (new, remove) = match what {
        What::Label => parse_labels(&pairs).map_err(check_err)?,
        What::Annotate => cmdutil::parse_pairs(&pairs, "annotation", true).map_err(check_err)?,
    };
    if what == What::Label && f.bool("list") && output.is_some() {
        return Err(Fail::msg(
            "--list and --output may not be specified together",
        ));
    }
    let plan = Plan {
        what,
        cause: cmdutil::change_cause(inv, FLAGS),
        resources,
        new,
        remove,
        overwrite: f.bool("overwrite"),
        resource_version: f.str_or("resource-version", "").to_string(),
        dry,
        local: f.bool("local"),
        list: f.bool("list"),
    };
    // Validate.
    if f.bool("all") && f.has("selector") {
        return Err(Fail::msg(
            "cannot set --all and --selector at the same time",
        ));
    }
    if f.bool("all") && f.has("field-selector") {
        return Err(Fail::msg(
            "cannot set --all and --field-selector at the same time",
        ));
    }
    let files = f.many("filename");
    let (file_example, one_file) = match what {
        What::Label => ("pod.yaml", "pod.json"),
        What::Annotate => ("rsrc.yaml", "rsrc.json"),
    };
    if plan.local {
        if dry == DryRun::Server {
            return Err(Fail::msg(
                "cannot specify --local and --dry-run=server - did you mean --dry-run=client?",
            ));
        }
        if !plan.resources.is_empty() {
            return Err(Fail::msg(format!(
                "can only use local files by -f {file_example} or --filename={one_file} when --local=true is set"
            )));
        }
        if files.is_empty() {
            return Err(Fail::msg(format!(
                "one or more files must be specified as -f {file_example} or --filename={one_file}"
            )));
        }
    } else if plan.resources.is_empty() && files.is_empty() {
        return Err(Fail::msg(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        ));
    }
    if plan.new.is_empty() && plan.remove.is_empty() && !plan.list {
        return Err(Fail::msg(format!(
            "at least one {pair_type} update is required"
        )));
    }
    if what == What::Annotate {
        let both: Vec<&str> = plan
            .remove
            .iter()
            .filter(|r| plan.new.iter().any(|(k, _)| k == *r))
            .map(String::as_str)
            .collect();
        if !both.is_empty() {
            return Err(Fail::msg(format!(
                "can not both modify and remove the following annotation(s) in the same command: {}",
                both.join(", ")
            )));
        }
    }
    let d = inv.client.discover(io)?;
    let builder = Builder {
        all: f.bool("all"),
        selector: f.str("selector"),
        field_selector: f.str("field-selector"),
        all_namespaces: f.bool("all-namespaces"),
        local: plan.local,
        ..Builder::unstructured()
    };
    // `IntoSingleItemImplied`: one `TYPE/NAME`, one `TYPE NAME`, or one file.
    let one = match plan.resources.as_slice() {
        [r] => r.contains('/') && !r.contains(','),
        [t, _] => !t.contains('/') && !t.contains(','),
        [] => files.len() == 1,
        _ => false,
    };
    if !one && !plan.resource_version.is_empty() {
        return Err(Fail::msg(
            "--resource-version may only be used with a single resource",
        ));
    }
    let manager = f
        .str("field-manager")
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "kubectl-{pair_type_cmd}",
                pair_type_cmd = match what {
                    What::Label => "label",
                    What::Annotate => "annotate",
                }
            )
        });
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    let errors = resource::visit(io, inv, &d, &builder, &plan.resources, &mut |io, info| {
        visit_one(io, inv, &plan, &manager, &mut printer, one, info)
    })?;
    cmdutil::continue_on_error(errors).map_err(check_err)
}

fn visit_one(
    io: &mut Io<'_>,
    inv: &Invocation,
    plan: &Plan,
    manager: &str,
    printer: &mut cmdutil::ObjPrinter<'_>,
    one: bool,
    info: Info,
) -> Res<Option<GoErr>> {
    let mut obj = (*info.object).clone();
    if !plan.resource_version.is_empty() {
        // Cleared so the patch always carries the asked resourceVersion.
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("resourceVersion");
        }
    }
    let old = go_json_marshal(&obj);
    let mut shown = obj.clone();
    let msg;
    if plan.dry == DryRun::Client || plan.local || plan.list {
        if let Err(e) = apply(plan, &mut shown) {
            return Ok(Some(e));
        }
        msg = data_change_msg(&old, &go_json_marshal(&shown), plan.overwrite);
    } else {
        if plan.what == What::Label {
            for k in &plan.remove {
                if obj["metadata"]["labels"].get(k).is_none() {
                    io.print(format!("label {} not found.\n", cmdutil::quote(k)));
                }
            }
        }
        // annotate records before changing the annotations, label after changing the labels.
        if plan.what == What::Annotate {
            if let Some(c) = &plan.cause {
                cmdutil::record(&mut shown, c);
            }
        }
        if let Err(e) = apply(plan, &mut shown) {
            return Ok(Some(e));
        }
        if plan.what == What::Label {
            if let Some(c) = &plan.cause {
                cmdutil::record(&mut shown, c);
            }
        }
        let new = go_json_marshal(&shown);
        msg = data_change_msg(&old, &new, plan.overwrite);
        let patch = go_json_marshal(&create_merge_patch(&obj, &shown));
        let path = format!(
            "{}?{}fieldManager={}",
            info.path(),
            plan.dry.query(),
            encode_component(manager)
        );
        let r = io.call(
            inv.client
                .request("PATCH", &path, "application/json")
                .header("Content-Type", "application/merge-patch+json")
                .body(patch),
        )?;
        match r.body_json().filter(|_| (200..300).contains(&r.status)) {
            Some(answer) if plan.what == What::Annotate => shown = (*answer).clone(),
            Some(_) => {}
            None => return Ok(Some(GoErr::from_response(&r))),
        }
    }
    if plan.list {
        let field = plan.what.field();
        let indent = if one {
            ""
        } else {
            let title = if plan.what == What::Label {
                "labels"
            } else {
                "annotations"
            };
            io.print(format!(
                "Listing {title} for {}.{}/{}:\n",
                info.resource.kind, info.resource.group, info.name
            ));
            " "
        };
        let mut kv: Vec<(&String, &Value)> = shown["metadata"][field]
            .as_object()
            .into_iter()
            .flatten()
            .collect();
        kv.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in kv {
            io.print(format!("{indent}{k}={}\n", v.as_str().unwrap_or_default()));
        }
        return Ok(None);
    }
    let op = match plan.what {
        What::Label => msg,
        What::Annotate => "annotated",
    };
    let op = format!("{op}{}", plan.dry.suffix());
    printer.print(io, &info.kind_name(), &op, &shown)?;
    Ok(None)
}

fn label(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    run(io, inv, What::Label)
}

fn annotate(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    run(io, inv, What::Annotate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn label_specs_are_checked_like_kubectl() {
        assert_eq!(
            parse_labels(&args("a=b=c")).unwrap_err().error(),
            "invalid label spec: a=b=c"
        );
        assert_eq!(
            parse_labels(&args("a")).unwrap_err().error(),
            "unknown label spec: a"
        );
        assert_eq!(
            parse_labels(&args("a=b a-")).unwrap_err().error(),
            "can not both modify and remove a label in the same command"
        );
        assert!(parse_labels(&args("x=a%b"))
            .unwrap_err()
            .error()
            .starts_with("invalid label value: \"x=a%b\": a valid label must be an empty string"));
    }

    #[test]
    fn the_change_message_compares_the_encoded_objects() {
        assert_eq!(data_change_msg("{}", "{}", false), "not labeled");
        assert_eq!(data_change_msg("{\"a\":1}", "{}", false), "unlabeled");
        assert_eq!(data_change_msg("{\"a\":1}", "{}", true), "labeled");
        assert_eq!(data_change_msg("{}", "{\"a\":1}", false), "labeled");
    }
}
