//! `kubectl rollout status|history|undo|restart|pause|resume`: status watches the object
//! (list then watch by `metadata.name`, as `watchtools.UntilWithSync` does) and prints a line
//! per change until the rollout is done; history and undo read the revisions through the
//! typed clientset; restart, pause and resume send the strategic merge patch between the
//! object and its changed copy.

use serde_json::Value;

use crate::apiserver::patch::strategic_merge::create_two_way_merge_patch;
use crate::apiserver::request::encode_component;
use crate::apiserver::watch::WatchEventType;
use crate::golang::json::marshal as go_json_marshal;
use crate::kubectl::client::{status_error, Client};
use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, DryRun, GoErr};
use crate::kubectl::deployment_util;
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::polymorphichelpers::history::{
    controlled_history, get_typed, view_history, HistoryKind,
};
use crate::kubectl::polymorphichelpers::rollback::rollback;
use crate::kubectl::polymorphichelpers::rollout_status::StatusViewer;
use crate::kubectl::polymorphichelpers::{objectpauser, objectrestarter, objectresumer};
use crate::kubectl::resource::{self, Builder, Info, JSON_ANY_ACCEPT};

const PRINT_FLAGS: [Flag; 5] = [
    str_flag("output", Some('o')),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
    str_flag("kustomize", Some('k')),
];

const STATUS_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    str_flag("selector", Some('l')),
    flag("revision", None, Kind::Int),
    str_flag("timeout", None),
    bool_flag("watch", Some('w')),
];

const HISTORY_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("selector", Some('l')),
    flag("revision", None, Kind::Int),
    PRINT_FLAGS[0],
    PRINT_FLAGS[1],
    PRINT_FLAGS[2],
    PRINT_FLAGS[3],
    PRINT_FLAGS[4],
];

const UNDO_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("selector", Some('l')),
    flag("to-revision", None, Kind::Int),
    str_flag("dry-run", None),
    PRINT_FLAGS[0],
    PRINT_FLAGS[1],
    PRINT_FLAGS[2],
    PRINT_FLAGS[3],
    PRINT_FLAGS[4],
];

const PATCH_FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("selector", Some('l')),
    str_flag("field-manager", None),
    PRINT_FLAGS[0],
    PRINT_FLAGS[1],
    PRINT_FLAGS[2],
    PRINT_FLAGS[3],
    PRINT_FLAGS[4],
];

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "rollout",
            flags: &[],
            run: group,
            help: include_str!("../../help/rollout.txt"),
        },
        Command {
            path: "rollout status",
            flags: STATUS_FLAGS,
            run: status,
            help: include_str!("../../help/rollout_status.txt"),
        },
        Command {
            path: "rollout history",
            flags: HISTORY_FLAGS,
            run: history,
            help: include_str!("../../help/rollout_history.txt"),
        },
        Command {
            path: "rollout undo",
            flags: UNDO_FLAGS,
            run: undo,
            help: include_str!("../../help/rollout_undo.txt"),
        },
        Command {
            path: "rollout restart",
            flags: PATCH_FLAGS,
            run: restart,
            help: include_str!("../../help/rollout_restart.txt"),
        },
        Command {
            path: "rollout pause",
            flags: PATCH_FLAGS,
            run: pause,
            help: include_str!("../../help/rollout_pause.txt"),
        },
        Command {
            path: "rollout resume",
            flags: PATCH_FLAGS,
            run: resume,
            help: include_str!("../../help/rollout_resume.txt"),
        },
    ]
}

/// A command group run without a known subcommand: its help, or cobra's error.
pub fn group_command(io: &mut Io<'_>, inv: &Invocation, help: &str) -> Res<()> {
    if inv.args().is_empty() {
        io.print(help);
        return Ok(());
    }
    // `cmdutil.DefaultSubCommandRun`: every argument, joined.
    Err(Fail::raw(format!(
        "error: unknown command {}\nSee 'kubectl {} -h' for help and examples\n",
        crate::kubectl::client::go_quote(&inv.args().join(" ")),
        inv.path
    )))
}

fn group(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    group_command(io, inv, include_str!("../../help/rollout.txt"))
}

/// The builder every rollout subcommand uses: typed, a bare type means all of its objects.
fn builder(inv: &Invocation) -> Builder<'_> {
    Builder {
        all: true,
        selector: inv.flags.str("selector"),
        ..Builder::typed()
    }
}

fn require_resources(inv: &Invocation) -> Res<()> {
    if inv.args().is_empty() && inv.flags.many("filename").is_empty() {
        return Err(Fail::msg("required resource not specified"));
    }
    Ok(())
}

fn check_revision(inv: &Invocation, flag: &str) -> Res<i64> {
    let revision = inv.flags.int(flag).unwrap_or(0);
    if revision < 0 {
        return Err(Fail::msg(format!(
            "revision must be a positive integer: {revision}"
        )));
    }
    Ok(revision)
}

/// `watchtools.ContextWithOptionalTimeout`'s watch comes from a reflector, whose watch
/// requests carry a random `timeoutSeconds` in [300, 600); here it is drawn from the start
/// time so a replay asks the same.
fn watch_timeout(io: &Io<'_>) -> u64 {
    300 + (io.started.0 / 1000) % 300
}

fn status(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    require_resources(inv)?;
    let revision = check_revision(inv, "revision")?;
    let watch = inv.flags.str("watch") != Some("false");
    let timeout = match inv.flags.str("timeout") {
        Some(t) => cmdutil::parse_duration("timeout", t)?,
        None => 0,
    };
    let d = inv.client.discover(io)?;
    let found = resource::infos(io, inv, &d, &builder(inv), inv.args())?;
    if let Some(e) = found.error() {
        return Err(check_err(e));
    }
    let [info] = found.infos.as_slice() else {
        return Err(Fail::msg(format!(
            "rollout status is only supported on individual resources and resource collections - {} resources were found",
            found.infos.len()
        )));
    };
    let viewer =
        StatusViewer::for_kind(&info.resource.group, &info.resource.kind).map_err(Fail::msg)?;
    let collection = info
        .resource
        .collection_path(info.resource.namespaced.then_some(info.namespace.as_str()));
    let field = encode_component(&format!("metadata.name={}", info.name));
    let list = io.call(inv.client.request(
        "GET",
        &format!("{collection}?fieldSelector={field}&limit=500&resourceVersion=0"),
        "application/json",
    ))?;
    let Some(list) = list.body_json().filter(|_| list.status == 200) else {
        return Err(status_error(&list));
    };
    // Each event the informer delivers is judged: done ends the command, an error too.
    let judge = |io: &mut Io<'_>, obj: &Value| -> Res<bool> {
        let (text, done) = viewer.status(obj, revision).map_err(Fail::msg)?;
        io.print(text);
        Ok(done || !watch)
    };
    for item in list["items"].as_array().into_iter().flatten() {
        if judge(io, item)? {
            return Ok(());
        }
    }
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    let path = format!(
        "{collection}?allowWatchBookmarks=true&fieldSelector={field}&resourceVersion={rv}&timeoutSeconds={}&watch=true",
        watch_timeout(io)
    );
    let (r, events) = io.watch(inv.client.request("GET", &path, "application/json"))?;
    if r.status != 200 {
        return Err(status_error(&r));
    }
    for e in events {
        match e.kind {
            WatchEventType::Added | WatchEventType::Modified => {
                if judge(io, &e.object)? {
                    return Ok(());
                }
            }
            WatchEventType::Deleted => return Err(Fail::msg("object has been deleted")),
            WatchEventType::Bookmark => {}
            WatchEventType::Error => {
                return Err(Fail::msg(
                    e.object["message"]
                        .as_str()
                        .unwrap_or("watch closed with an error"),
                ))
            }
        }
    }
    // `--timeout`: the watch gives up once the time is over. (kubestep's kubectl runs again
    // only when an event arrives, so the timeout is noticed with the first event after it,
    // not at the instant it passes.)
    if timeout > 0 && io.now().0 >= io.started.0 + timeout {
        return Err(Fail::msg("timed out waiting for the condition"));
    }
    Err(Fail::Watching)
}

fn history_kind(info: &Info, what: &str) -> Result<HistoryKind, GoErr> {
    HistoryKind::for_kind(&info.resource.group, &info.resource.kind, what).map_err(GoErr::msg)
}

/// `rollout history -o`: the revisions as objects (ReplicaSets or ControllerRevisions), in
/// revision order.
fn history_objects(
    io: &mut Io<'_>,
    client: &Client,
    kind: HistoryKind,
    info: &Info,
    revision: i64,
) -> Res<Result<Vec<Value>, GoErr>> {
    let owner = match get_typed(io, client, kind, &info.namespace, &info.name)? {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let mut revisions: Vec<(i64, Value)> = match kind {
        HistoryKind::Deployment => {
            match deployment_util::get_all_replica_sets(io, client, &owner)? {
                Ok(rss) => rss
                    .all()
                    .iter()
                    .filter_map(|rs| {
                        deployment_util::revision(rs)
                            .ok()
                            .map(|v| (v, resource::with_type_meta(rs, &replicaset_resource(info))))
                    })
                    .collect(),
                Err(e) => return Ok(Err(e)),
            }
        }
        _ => match controlled_history(io, client, &owner)? {
            Ok(h) => h
                .iter()
                .map(|h| (h["revision"].as_i64().unwrap_or(0), (**h).clone()))
                .collect(),
            Err(e) => return Ok(Err(e)),
        },
    };
    revisions.sort_by_key(|(r, _)| *r);
    revisions.dedup_by_key(|(r, _)| *r);
    if revision > 0 {
        return Ok(match revisions.into_iter().find(|(r, _)| *r == revision) {
            Some((_, obj)) => Ok(vec![obj]),
            None => Err(GoErr::msg("unable to find the specified revision")),
        });
    }
    Ok(Ok(revisions.into_iter().map(|(_, o)| o).collect()))
}

/// The ReplicaSet resource next to a Deployment's (for printing its revisions).
fn replicaset_resource(info: &Info) -> crate::kubectl::discovery::ApiResource {
    crate::kubectl::discovery::ApiResource {
        name: "replicasets".into(),
        singular: "replicaset".into(),
        kind: "ReplicaSet".into(),
        ..info.resource.clone()
    }
}

fn history(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    require_resources(inv)?;
    let revision = check_revision(inv, "revision")?;
    let d = inv.client.discover(io)?;
    let found = resource::infos(io, inv, &d, &builder(inv), inv.args())?;
    let output = inv.flags.str("output").filter(|o| !o.is_empty());
    let mut errors = found.errors.clone();
    let mut printer = cmdutil::ObjPrinter::new(output)
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    for info in &found.infos {
        let kind = match history_kind(info, "history viewer") {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if output.is_some() {
            match history_objects(io, &inv.client, kind, info, revision)? {
                Ok(objects) => {
                    for obj in objects {
                        printer.print(io, &cmdutil::kind_name(&obj), "", &obj)?;
                    }
                }
                Err(e) => errors.push(e),
            }
            continue;
        }
        match view_history(io, &inv.client, kind, &info.namespace, &info.name, revision)? {
            Ok(text) => {
                let with_revision = if revision > 0 {
                    format!("with revision #{revision}")
                } else {
                    String::new()
                };
                let op = format!("{with_revision}\n{text}");
                io.print(cmdutil::print_obj(
                    None,
                    &info.kind_name(),
                    &op,
                    &info.object,
                    false,
                )?);
            }
            Err(e) => errors.push(e),
        }
    }
    cmdutil::continue_on_error(errors).map_err(check_err)
}

fn undo(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    require_resources(inv)?;
    let dry = DryRun::from_flag(inv.flags.str("dry-run")).map_err(check_err)?;
    let to_revision = inv.flags.int("to-revision").unwrap_or(0);
    let mut printer = cmdutil::ObjPrinter::new(inv.flags.str("output").filter(|o| !o.is_empty()))
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    let d = inv.client.discover(io)?;
    let found = resource::infos(io, inv, &d, &builder(inv), inv.args())?;
    let mut errors = found.errors.clone();
    for info in &found.infos {
        let kind = match history_kind(info, "rollbacker") {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match rollback(
            io,
            &inv.client,
            kind,
            &info.namespace,
            &info.name,
            to_revision,
            dry,
        )? {
            Ok(result) => {
                let op = format!("{result}{}", dry.suffix());
                printer.print(io, &info.kind_name(), &op, &info.object)?;
            }
            Err(e) => errors.push(e),
        }
    }
    cmdutil::continue_on_error(errors).map_err(check_err)
}

/// What `rollout restart|pause|resume` do to each object.
enum Mutation {
    Restart,
    Pause,
    Resume,
}

/// `set.CalculatePatches` with a mutator, then a strategic merge patch of each object.
fn patch_objects(io: &mut Io<'_>, inv: &Invocation, mutation: Mutation) -> Res<()> {
    require_resources(inv)?;
    let d = inv.client.discover(io)?;
    let found = resource::infos(io, inv, &d, &builder(inv), inv.args())?;
    let mut errors = found.errors.clone();
    let now = io.now().rfc3339();
    let manager = inv.flags.str_or("field-manager", "kubectl-rollout");
    let mut printer = cmdutil::ObjPrinter::new(inv.flags.str("output").filter(|o| !o.is_empty()))
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    for info in &found.infos {
        let (group, kind) = (info.resource.group.as_str(), info.resource.kind.as_str());
        let original = info.typed();
        let changed = match mutation {
            Mutation::Restart => objectrestarter::restart(group, kind, &original, &now),
            Mutation::Pause => objectpauser::pause(group, kind, &original),
            Mutation::Resume => objectresumer::resume(group, kind, &original),
        };
        let modified = match changed {
            Ok(m) => m,
            Err(e) => {
                errors.push(GoErr::msg(format!("error: {} {e}", info.resource_quoted())));
                continue;
            }
        };
        let patch = match (original.as_object(), modified.as_object()) {
            (Some(a), Some(b)) => create_two_way_merge_patch(kind, a, b)
                .map(|p| go_json_marshal(&Value::Object(p)))
                .map_err(|e| e.to_string()),
            _ => Err("invalid JSON document".to_string()),
        };
        let patch = match patch {
            Ok(p) => p,
            Err(e) => {
                errors.push(GoErr::msg(format!("error: {} {e}", info.resource_quoted())));
                continue;
            }
        };
        if patch == "{}" {
            match mutation {
                Mutation::Restart => {
                    errors.push(GoErr::msg(format!(
                        "failed to create patch for {}: if restart has already been triggered within the past second, please wait before attempting to trigger another",
                        info.name
                    )));
                }
                Mutation::Pause | Mutation::Resume => {
                    let op = if matches!(mutation, Mutation::Pause) {
                        "already paused"
                    } else {
                        "already resumed"
                    };
                    printer.print(io, &info.kind_name(), op, &info.object)?;
                }
            }
            continue;
        }
        let path = format!("{}?fieldManager={}", info.path(), encode_component(manager));
        let r = io.call(
            inv.client
                .request("PATCH", &path, JSON_ANY_ACCEPT)
                .header("Content-Type", "application/strategic-merge-patch+json")
                .body(patch),
        )?;
        let Some(obj) = r.body_json().filter(|_| (200..300).contains(&r.status)) else {
            errors.push(GoErr::msg(format!(
                "failed to patch: {}",
                GoErr::from_response(&r).error()
            )));
            continue;
        };
        let op = match mutation {
            Mutation::Restart => "restarted",
            Mutation::Pause => "paused",
            Mutation::Resume => "resumed",
        };
        printer.print(io, &info.kind_name(), op, &obj)?;
    }
    cmdutil::continue_on_error(errors).map_err(check_err)
}

fn restart(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    patch_objects(io, inv, Mutation::Restart)
}

fn pause(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    patch_objects(io, inv, Mutation::Pause)
}

fn resume(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    patch_objects(io, inv, Mutation::Resume)
}
