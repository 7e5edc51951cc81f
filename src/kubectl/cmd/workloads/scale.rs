//! `kubectl scale`: a merge patch of each object's `scale` subresource
//! (`{"spec":{"replicas":N}}`), or with `--current-replicas`/`--resource-version` a GET of
//! the Scale, the precondition checked, and a PUT of it back.

use serde_json::Value;

use crate::kubectl::cmd::{Command, Invocation, FILENAME};
use crate::kubectl::cmdutil::{self, check_err, DryRun, GoErr};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::resource::{self, Builder, Info, JSON_ANY_ACCEPT};

const FLAGS: &[Flag] = &[
    FILENAME,
    bool_flag("recursive", Some('R')),
    str_flag("kustomize", Some('k')),
    bool_flag("all", None),
    str_flag("selector", Some('l')),
    flag("replicas", None, Kind::Int),
    flag("current-replicas", None, Kind::Int),
    str_flag("resource-version", None),
    str_flag("timeout", None),
    str_flag("dry-run", None),
    str_flag("output", Some('o')),
    bool_flag("record", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "scale",
        flags: FLAGS,
        run,
        help: include_str!("../../help/scale.txt"),
    }]
}

/// The Scale of an object: `/apis/apps/v1/namespaces/ns/deployments/web/scale`.
fn scale_path(info: &Info) -> String {
    format!("{}/scale", info.path())
}

/// `ScalePrecondition.validate`.
fn check_precondition(scale: &Value, size: i64, rv: &str) -> Result<(), GoErr> {
    let replicas = scale["spec"]["replicas"].as_i64().unwrap_or(0);
    if size != -1 && replicas != size {
        return Err(GoErr::msg(format!(
            "Expected replicas to be {size}, was {replicas}"
        )));
    }
    let actual = scale["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    if !rv.is_empty() && actual != rv {
        return Err(GoErr::msg(format!(
            "Expected resource version to be {rv}, was {actual}"
        )));
    }
    Ok(())
}

/// A Scale as client-go encodes the typed object for its PUT.
fn typed_scale(scale: &Value, replicas: i64) -> Value {
    let meta = &scale["metadata"];
    let mut m = serde_json::Map::new();
    for k in ["name", "namespace", "uid", "resourceVersion"] {
        if let Some(v) = meta.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    m.insert(
        "creationTimestamp".into(),
        meta.get("creationTimestamp")
            .cloned()
            .unwrap_or(Value::Null),
    );
    serde_json::json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": Value::Object(m),
        "spec": {"replicas": replicas},
        "status": scale["status"].clone(),
    })
}

/// `genericScaler.ScaleSimple`: one attempt. A conflict is retried by the caller.
fn scale_simple(
    io: &mut Io<'_>,
    inv: &Invocation,
    info: &Info,
    replicas: i64,
    precondition: Option<(i64, &str)>,
    dry: DryRun,
) -> Res<Result<(), GoErr>> {
    let dry_q = if dry == DryRun::Server {
        "?dryRun=All"
    } else {
        ""
    };
    let client = &inv.client;
    let r = if let Some((size, rv)) = precondition {
        let r = io.call(client.request("GET", &scale_path(info), JSON_ANY_ACCEPT))?;
        let Some(scale) = r.body_json().filter(|_| r.status == 200) else {
            return Ok(Err(GoErr::from_response(&r)));
        };
        if let Err(e) = check_precondition(&scale, size, rv) {
            return Ok(Err(e));
        }
        let body = serde_json::to_string(&typed_scale(&scale, replicas)).expect("serialises");
        io.call(
            client
                .request(
                    "PUT",
                    &format!("{}{dry_q}", scale_path(info)),
                    JSON_ANY_ACCEPT,
                )
                .body(body),
        )?
    } else {
        io.call(
            client
                .request(
                    "PATCH",
                    &format!("{}{dry_q}", scale_path(info)),
                    JSON_ANY_ACCEPT,
                )
                .header("Content-Type", "application/merge-patch+json")
                .body(format!("{{\"spec\":{{\"replicas\":{replicas}}}}}")),
        )?
    };
    Ok(if (200..300).contains(&r.status) {
        Ok(())
    } else {
        Err(GoErr::from_response(&r))
    })
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if f.has("record") {
        io.print(cmdutil::RECORD_DEPRECATED);
    }
    if !f.has("replicas") {
        return Err(Fail::msg("required flag(s) \"replicas\" not set"));
    }
    let replicas = f.int("replicas").unwrap_or(0);
    let current = f.int("current-replicas").unwrap_or(-1);
    let rv = f.str_or("resource-version", "");
    let dry = DryRun::from_flag(f.str("dry-run")).map_err(check_err)?;
    if replicas < 0 {
        return Err(Fail::msg(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        ));
    }
    if current < -1 {
        return Err(Fail::msg(
            "The --current-replicas must specify an integer of -1 or greater",
        ));
    }
    if f.str("timeout").is_some_and(|t| t != "0" && t != "0s") {
        return Err(Fail::msg(
            "kubestep's kubectl does not simulate \"kubectl scale --timeout\" (waiting for the replicas by polling); run \"kubectl rollout status\" instead",
        ));
    }
    let d = inv.client.discover(io)?;
    let builder = Builder {
        all: f.bool("all"),
        selector: f.str("selector"),
        ..Builder::unstructured()
    };
    let found = resource::infos(io, inv, &d, &builder, inv.args())?;
    if !rv.is_empty() && found.infos.len() > 1 {
        return Err(Fail::msg(
            "cannot use --resource-version with multiple resources",
        ));
    }
    let precondition = (current != -1 || !rv.is_empty()).then_some((current, rv));
    if found.infos.is_empty() {
        return Err(Fail::msg(match found.error() {
            Some(e) => format!("no objects passed to scale {}", e.error()),
            None => "no objects passed to scale".to_string(),
        }));
    }
    let output = f.str("output");
    let mut printer = cmdutil::ObjPrinter::new(output.filter(|o| !o.is_empty()))
        .showing_managed_fields(inv.flags.bool("show-managed-fields"));
    for info in &found.infos {
        if dry != DryRun::Client {
            // Conflicts are retried (kubectl polls once a second for up to five minutes;
            // here the retries go out at once, as many as kubectl would make).
            let mut attempts = 0;
            loop {
                attempts += 1;
                match scale_simple(io, inv, info, replicas, precondition, dry)? {
                    Ok(()) => break,
                    Err(e) if e.is_conflict() && attempts < 300 => continue,
                    Err(e) => return Err(check_err(e)),
                }
            }
        }
        // `MakeRecordMergePatch`: the change cause goes in a patch of its own; its failure is
        // only logged.
        if dry != DryRun::Client {
            if let Some(cause) = cmdutil::change_cause(inv, FLAGS) {
                let mut recorded = (*info.object).clone();
                cmdutil::record(&mut recorded, &cause);
                let patch = crate::apiserver::patch::merge_patch::create_merge_patch(
                    &info.object,
                    &recorded,
                );
                io.call(
                    inv.client
                        .request("PATCH", &info.path(), "application/json")
                        .header("Content-Type", "application/merge-patch+json")
                        .body(crate::golang::json::marshal(&patch)),
                )?;
            }
        }
        let op = format!("scaled{}", dry.suffix());
        printer.print(io, &info.kind_name(), &op, &info.object)?;
    }
    match found.error() {
        Some(e) => Err(check_err(e)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn preconditions_read_like_kubectl() {
        let s = json!({"metadata": {"resourceVersion": "106"}, "spec": {"replicas": 3}});
        assert_eq!(
            check_precondition(&s, 2, "").unwrap_err().error(),
            "Expected replicas to be 2, was 3"
        );
        assert_eq!(
            check_precondition(&s, -1, "1").unwrap_err().error(),
            "Expected resource version to be 1, was 106"
        );
        assert!(check_precondition(&s, 3, "106").is_ok());
    }

    #[test]
    fn the_scale_put_carries_the_typed_object() {
        let s = json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": "default", "resourceVersion": "50"},
            "spec": {"replicas": 3}, "status": {"replicas": 3}});
        assert_eq!(
            serde_json::to_string(&typed_scale(&s, 3)).unwrap(),
            r#"{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"default","resourceVersion":"50","creationTimestamp":null},"spec":{"replicas":3},"status":{"replicas":3}}"#
        );
    }
}
