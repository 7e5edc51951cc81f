//! Node maintenance: `cordon`, `uncordon`, `drain` (cordon, then evict every pod through the
//! eviction subresource and wait until each is gone) and `taint`.

use serde_json::{json, Value};

use super::{Command, Invocation};
use crate::apiserver::request::encode_component;
use crate::apiserver::watch::WatchEventType;
use crate::kubectl::client::{ok_json, status_message};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};

const CORDON_FLAGS: &[Flag] = &[str_flag("selector", Some('l')), str_flag("dry-run", None)];

const DRAIN_FLAGS: &[Flag] = &[
    bool_flag("ignore-daemonsets", None),
    bool_flag("delete-emptydir-data", None),
    bool_flag("force", None),
    flag("grace-period", None, Kind::Int),
    str_flag("timeout", None),
    str_flag("selector", Some('l')),
    str_flag("pod-selector", None),
    bool_flag("disable-eviction", None),
    str_flag("dry-run", None),
    flag("skip-wait-for-delete-timeout", None, Kind::Int),
    str_flag("chunk-size", None),
];

const TAINT_FLAGS: &[Flag] = &[
    bool_flag("all", None),
    bool_flag("overwrite", None),
    str_flag("selector", Some('l')),
    str_flag("output", Some('o')),
    str_flag("dry-run", None),
    str_flag("field-manager", None),
    bool_flag("validate", None),
];

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "cordon",
            flags: CORDON_FLAGS,
            run: |io, inv| cordon(io, inv, true),
            help: include_str!("../help/cordon.txt"),
        },
        Command {
            path: "uncordon",
            flags: CORDON_FLAGS,
            run: |io, inv| cordon(io, inv, false),
            help: include_str!("../help/uncordon.txt"),
        },
        Command {
            path: "drain",
            flags: DRAIN_FLAGS,
            run: drain,
            help: include_str!("../help/drain.txt"),
        },
        Command {
            path: "taint",
            flags: TAINT_FLAGS,
            run: taint,
            help: include_str!("../help/taint.txt"),
        },
    ]
}

/// The node names of `cordon NODE`, `cordon node/NODE` or `-l`.
fn node_names(io: &mut Io<'_>, inv: &Invocation, args: &[String]) -> Res<Vec<String>> {
    if let Some(sel) = inv.flags.str("selector") {
        let list = inv.client.get_json(
            io,
            &format!("/api/v1/nodes?labelSelector={}", encode_component(sel)),
        )?;
        return Ok(list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
            .collect());
    }
    if args.is_empty() {
        return Err(inv.usage_error(&format!("USAGE: {} NODE [flags]", inv.path)));
    }
    Ok(args
        .iter()
        .map(|a| {
            a.strip_prefix("node/")
                .or(a.strip_prefix("nodes/"))
                .unwrap_or(a)
                .to_string()
        })
        .collect())
}

/// Sets `spec.unschedulable` on each node (`cordon`/`uncordon`), as kubectl's
/// `CordonHelper` does with a strategic merge patch.
fn set_unschedulable(io: &mut Io<'_>, inv: &Invocation, name: &str, want: bool) -> Res<()> {
    let path = format!("/api/v1/nodes/{}", encode_component(name));
    let node = inv.client.get_json(io, &path)?;
    let verb = if want { "cordoned" } else { "uncordoned" };
    let current = node["spec"]["unschedulable"].as_bool().unwrap_or(false);
    if current == want {
        io.print(format!("node/{name} already {verb}\n"));
        return Ok(());
    }
    if inv.flags.str("dry-run") == Some("client") {
        io.print(format!("node/{name} {verb} (dry run)\n"));
        return Ok(());
    }
    let patch = if want {
        json!({"spec": {"unschedulable": true}})
    } else {
        json!({"spec": {"unschedulable": null}})
    };
    let r = inv.client.send_json(
        io,
        "PATCH",
        &path,
        "application/strategic-merge-patch+json",
        patch.to_string(),
    )?;
    ok_json(&r)?;
    io.print(format!("node/{name} {verb}\n"));
    Ok(())
}

fn cordon(io: &mut Io<'_>, inv: &Invocation, want: bool) -> Res<()> {
    let names = node_names(io, inv, inv.args())?;
    for name in names {
        set_unschedulable(io, inv, &name, want)?;
    }
    Ok(())
}

/// Why drain will not touch a pod (kubectl's drain filters, in their order), or nothing.
enum Verdict {
    Evict,
    /// Skipped with a warning (DaemonSet pods with `--ignore-daemonsets`, mirror pods).
    Skip(&'static str),
    Refuse(&'static str),
    /// Deleted although unmanaged (`--force`) or with local data.
    Warn(&'static str),
}

const DAEMONSET_REFUSE: &str =
    "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_SKIP: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_REFUSE: &str =
    "cannot delete Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_WARN: &str = "deleting Pods with local storage";
const UNMANAGED_REFUSE: &str = "cannot delete Pods declare no controller (use --force to override)";
const UNMANAGED_WARN: &str = "deleting Pods that declare no controller";

fn verdicts(inv: &Invocation, pod: &Value) -> Vec<Verdict> {
    let f = &inv.flags;
    let controller = pod["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["controller"] == true);
    let mut out = Vec::new();
    if controller.is_some_and(|c| c["kind"] == "DaemonSet") {
        out.push(if f.bool("ignore-daemonsets") {
            Verdict::Skip(DAEMONSET_SKIP)
        } else {
            Verdict::Refuse(DAEMONSET_REFUSE)
        });
        return out;
    }
    if pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() {
        out.push(Verdict::Skip("ignoring mirror Pods"));
        return out;
    }
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    let finished = phase == "Succeeded" || phase == "Failed";
    let empty_dir = pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v.get("emptyDir").is_some());
    if empty_dir && !finished {
        out.push(if f.bool("delete-emptydir-data") {
            Verdict::Warn(LOCAL_WARN)
        } else {
            Verdict::Refuse(LOCAL_REFUSE)
        });
    }
    if controller.is_none() && !finished {
        out.push(if f.bool("force") {
            Verdict::Warn(UNMANAGED_WARN)
        } else {
            Verdict::Refuse(UNMANAGED_REFUSE)
        });
    }
    if out.is_empty() {
        out.push(Verdict::Evict);
    }
    out
}

fn pod_key(pod: &Value) -> String {
    format!(
        "{}/{}",
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["metadata"]["name"].as_str().unwrap_or_default()
    )
}

fn drain(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let names = node_names(io, inv, inv.args())?;
    for name in names {
        set_unschedulable(io, inv, &name, true)?;
        let field = encode_component(&format!("spec.nodeName={name}"));
        let pods = inv
            .client
            .get_json(io, &format!("/api/v1/pods?fieldSelector={field}&limit=500"))?;
        // Group the pods by filter message, in the order kubectl's filters report them.
        let mut refused: Vec<(&'static str, Vec<String>)> = Vec::new();
        let mut warned: Vec<(&'static str, Vec<String>)> = Vec::new();
        let mut evict: Vec<Value> = Vec::new();
        let group = |list: &mut Vec<(&'static str, Vec<String>)>,
                     msg: &'static str,
                     key: String| {
            match list.iter_mut().find(|(m, _)| *m == msg) {
                Some((_, keys)) => keys.push(key),
                None => list.push((msg, vec![key])),
            }
        };
        for pod in pods["items"].as_array().into_iter().flatten() {
            if pod["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            let vs = verdicts(inv, pod);
            let mut will_evict = true;
            for v in vs {
                match v {
                    Verdict::Evict => {}
                    Verdict::Skip(m) => {
                        will_evict = false;
                        group(&mut warned, m, pod_key(pod));
                    }
                    Verdict::Refuse(m) => {
                        will_evict = false;
                        group(&mut refused, m, pod_key(pod));
                    }
                    Verdict::Warn(m) => group(&mut warned, m, pod_key(pod)),
                }
            }
            if will_evict {
                evict.push(pod.clone());
            }
        }
        if !refused.is_empty() {
            let lines: Vec<String> = refused
                .iter()
                .map(|(m, keys)| format!("{m}: {}", keys.join(", ")))
                .collect();
            let joined = if lines.len() == 1 {
                lines[0].clone()
            } else {
                format!("[{}]", lines.join(", "))
            };
            return Err(Fail::raw(format!(
                "error: unable to drain node \"{name}\" due to error:{joined}, continuing command...\nThere are pending nodes to be drained:\n {name}\n{}\n",
                lines.join("\n")
            )));
        }
        if !warned.is_empty() {
            let parts: Vec<String> = warned
                .iter()
                .map(|(m, keys)| format!("{m}: {}", keys.join(", ")))
                .collect();
            io.print(format!("Warning: {}\n", parts.join("; ")));
        }
        for pod in &evict {
            io.print(format!("evicting pod {}\n", pod_key(pod)));
        }
        let mut waiting = Vec::new();
        for pod in &evict {
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
            let pname = pod["metadata"]["name"].as_str().unwrap_or_default();
            let mut body = json!({
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": pname, "namespace": ns},
            });
            if let Some(g) = inv.flags.int("grace-period").filter(|g| *g >= 0) {
                body["deleteOptions"] = json!({"gracePeriodSeconds": g});
            }
            let r = inv.client.send_json(
                io,
                "POST",
                &format!(
                    "/api/v1/namespaces/{ns}/pods/{}/eviction",
                    encode_component(pname)
                ),
                "application/json",
                body.to_string(),
            )?;
            if !(200..300).contains(&r.status) && r.status != 404 {
                return Err(Fail::raw(format!(
                    "error when evicting pods/\"{pname}\" -n \"{ns}\" (will retry after 5s): {}",
                    status_message(&r, "")
                        .split_once("): ")
                        .map(|(_, m)| m.to_string())
                        .unwrap_or_default()
                )));
            }
            waiting.push(pod);
        }
        // Wait until each evicted pod is gone (its grace period runs on the kubelet).
        for pod in waiting {
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
            let pname = pod["metadata"]["name"].as_str().unwrap_or_default();
            let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
            let field = encode_component(&format!("metadata.name={pname}"));
            let list = inv.client.get_json(
                io,
                &format!("/api/v1/namespaces/{ns}/pods?fieldSelector={field}"),
            )?;
            let present = list["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|o| o["metadata"]["uid"] == uid));
            if present {
                let rv = list["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap_or_default();
                let (r, events) = io.watch(inv.client.request(
                    "GET",
                    &format!(
                        "/api/v1/namespaces/{ns}/pods?fieldSelector={field}&resourceVersion={rv}&watch=true"
                    ),
                    "application/json",
                ))?;
                if r.status == 200
                    && !events.iter().any(|e| {
                        e.kind == WatchEventType::Deleted && e.object["metadata"]["uid"] == uid
                    })
                {
                    return Err(Fail::Watching);
                }
            }
            io.print(format!("pod/{pname} evicted\n"));
        }
        io.print(format!("node/{name} drained\n"));
    }
    Ok(())
}

/// One taint argument: `key=value:Effect`, `key:Effect`, or a removal `key[:Effect]-`.
#[derive(Clone, Debug, PartialEq)]
struct TaintSpec {
    key: String,
    value: Option<String>,
    effect: Option<String>,
    remove: bool,
}

fn parse_taint(spec: &str) -> Result<TaintSpec, String> {
    let (body, remove) = match spec.strip_suffix('-') {
        Some(b) => (b, true),
        None => (spec, false),
    };
    let (kv, effect) = match body.split_once(':') {
        Some((kv, e)) => (kv, Some(e.to_string())),
        None => (body, None),
    };
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k.to_string(), Some(v.to_string())),
        None => (kv.to_string(), None),
    };
    let invalid = || format!("invalid taint spec: {spec}");
    if key.is_empty() || (!remove && effect.is_none()) {
        return Err(invalid());
    }
    if let Some(e) = &effect {
        if !matches!(e.as_str(), "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            if remove && e.is_empty() {
                return Err(invalid());
            }
            return Err(format!(
                "invalid taint effect: {e}, unsupported taint effect"
            ));
        }
    }
    Ok(TaintSpec {
        key,
        value,
        effect,
        remove,
    })
}

fn taint(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let args = inv.args();
    let (target, specs): (Vec<String>, Vec<String>) = match args.first().map(String::as_str) {
        Some("node" | "nodes" | "no") => {
            let names: Vec<String> = args[1..]
                .iter()
                .take_while(|a| !a.contains(['=', ':']) && !a.ends_with('-'))
                .cloned()
                .collect();
            let rest = args[1 + names.len()..].to_vec();
            (names, rest)
        }
        Some(a) if a.starts_with("node/") || a.starts_with("nodes/") => {
            (vec![a.to_string()], args[1..].to_vec())
        }
        Some(a) => {
            return Err(Fail::msg(format!(
                "invalid resource type {a}, only node types are supported"
            )))
        }
        None => {
            return Err(Fail::msg(
                "one or more resources must be specified as <resource> <name>",
            ))
        }
    };
    if specs.is_empty() {
        return Err(Fail::msg("at least one taint update is required"));
    }
    let mut parsed = Vec::new();
    for s in &specs {
        parsed.push(parse_taint(s).map_err(Fail::msg)?);
    }
    let names = if inv.flags.bool("all") {
        let list = inv.client.get_json(io, "/api/v1/nodes")?;
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    } else {
        node_names(io, inv, &target)?
    };
    for name in names {
        let path = format!("/api/v1/nodes/{}", encode_component(&name));
        let node = inv.client.get_json(io, &path)?;
        let mut taints: Vec<Value> = node["spec"]["taints"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut removed = false;
        let mut added = false;
        // New taints go first, then the old ones kept (reorganizeTaints' order).
        let mut to_add: Vec<Value> = Vec::new();
        for t in &parsed {
            let same = |x: &Value| {
                x["key"] == t.key.as_str()
                    && t.effect.as_ref().is_none_or(|e| x["effect"] == e.as_str())
            };
            if t.remove {
                let before = taints.len();
                taints.retain(|x| !same(x));
                if taints.len() == before {
                    let shown = match &t.effect {
                        Some(e) => format!("{}:{e}", t.key),
                        None => t.key.clone(),
                    };
                    return Err(Fail::msg(format!("taint \"{shown}\" not found")));
                }
                removed = true;
            } else {
                if taints.iter().any(same) {
                    if !inv.flags.bool("overwrite") {
                        return Err(Fail::msg(format!(
                            "node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                            t.key
                        )));
                    }
                    taints.retain(|x| !same(x));
                }
                let mut new = serde_json::Map::new();
                new.insert("key".into(), json!(t.key));
                if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
                    new.insert("value".into(), json!(v));
                }
                let effect = t.effect.clone().unwrap_or_default();
                new.insert("effect".into(), json!(effect));
                if effect == "NoExecute" {
                    new.insert("timeAdded".into(), json!(io.now().rfc3339()));
                }
                to_add.push(Value::Object(new));
                added = true;
            }
        }
        to_add.extend(taints);
        let taints = to_add;
        // reorganizeTaints: --overwrite, or adding and removing at once, is "modified".
        let verb = match (added, removed, inv.flags.bool("overwrite")) {
            (_, _, true) | (true, true, _) => "modified",
            (true, false, _) => "tainted",
            _ => "untainted",
        };
        let patch = json!({"spec": {"taints": taints}});
        if inv.flags.str("dry-run") == Some("client") {
            io.print(format!("node/{name} {verb} (dry run)\n"));
            continue;
        }
        let r = inv.client.send_json(
            io,
            "PATCH",
            &path,
            "application/strategic-merge-patch+json",
            patch.to_string(),
        )?;
        ok_json(&r)?;
        io.print(format!("node/{name} {verb}\n"));
    }
    Ok(())
}
