//! Troubleshooting commands: `logs` (through the pods/log subresource, which the API server
//! fetches from the node's kubelet), `events`, and `auth can-i` (a SelfSubjectAccessReview).

use serde_json::{json, Value};

use super::get::selector_query;
use super::{Command, Invocation};
use crate::apiserver::printers::age;
use crate::apiserver::request::encode_component;
use crate::kubectl::client::{ok_json, status_message};
use crate::kubectl::discovery::Resolved;
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::output::tabwrite;

const LOGS_FLAGS: &[Flag] = &[
    str_flag("container", Some('c')),
    bool_flag("all-containers", None),
    bool_flag("follow", Some('f')),
    bool_flag("previous", Some('p')),
    flag("tail", None, Kind::Int),
    str_flag("since", None),
    str_flag("since-time", None),
    bool_flag("timestamps", None),
    str_flag("selector", Some('l')),
    bool_flag("prefix", None),
    flag("max-log-requests", None, Kind::Int),
    str_flag("pod-running-timeout", None),
    bool_flag("ignore-errors", None),
    flag("limit-bytes", None, Kind::Int),
];

const EVENTS_FLAGS: &[Flag] = &[
    bool_flag("all-namespaces", Some('A')),
    str_flag("for", None),
    flag("types", None, Kind::Many { split_commas: true }),
    bool_flag("watch", Some('w')),
    bool_flag("no-headers", None),
    str_flag("output", Some('o')),
    str_flag("chunk-size", None),
];

const CAN_I_FLAGS: &[Flag] = &[
    bool_flag("all-namespaces", Some('A')),
    bool_flag("quiet", Some('q')),
    bool_flag("list", None),
    bool_flag("no-headers", None),
    str_flag("subresource", None),
];

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "logs",
            flags: LOGS_FLAGS,
            run: logs,
            help: include_str!("../help/logs.txt"),
        },
        Command {
            path: "events",
            flags: EVENTS_FLAGS,
            run: events,
            help: include_str!("../help/events.txt"),
        },
        Command {
            path: "auth",
            flags: &[],
            run: |io, _| {
                io.print(include_str!("../help/auth.txt"));
                Ok(())
            },
            help: include_str!("../help/auth.txt"),
        },
        Command {
            path: "auth can-i",
            flags: CAN_I_FLAGS,
            run: can_i,
            help: include_str!("../help/auth_can-i.txt"),
        },
    ]
}

/// The pod `logs TYPE/NAME` reads: a pod itself, or the first pod a controller selects.
fn pod_for(io: &mut Io<'_>, inv: &Invocation, arg: &str) -> Res<Value> {
    let ns = inv.client.namespace.clone();
    let (kind, name) = match arg.split_once('/') {
        Some((k, n)) => (k.to_string(), n.to_string()),
        None => ("pods".to_string(), arg.to_string()),
    };
    let d = inv.client.discover(io)?;
    let Some(Resolved::One(r)) = d.resolve(&kind) else {
        return Err(Fail::msg(format!(
            "the server doesn't have a resource type \"{kind}\""
        )));
    };
    let resp = io.call(inv.client.request(
        "GET",
        &r.object_path(&ns, &name),
        "application/json",
    ))?;
    let obj = ok_json(&resp)?;
    if r.kind == "Pod" {
        return Ok((*obj).clone());
    }
    let selector = obj["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let pods = inv.client.get_json(
        io,
        &format!(
            "/api/v1/namespaces/{ns}/pods?labelSelector={}",
            encode_component(&selector)
        ),
    )?;
    let items: Vec<Value> = pods["items"].as_array().cloned().unwrap_or_default();
    // kubectl prefers a running, ready pod (ActivePods ordering); the oldest among equals.
    let mut best = items.clone();
    best.sort_by_key(|p| {
        (
            p["status"]["phase"] != "Running",
            p["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    });
    let Some(pod) = best.first().cloned() else {
        return Err(Fail::msg("timed out waiting for the condition"));
    };
    if items.len() > 1 {
        io.print(format!(
            "Found {} pods, using pod/{}\n",
            items.len(),
            pod["metadata"]["name"].as_str().unwrap_or_default()
        ));
    }
    Ok(pod)
}

fn logs(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let args = inv.args();
    let (pod_arg, container) = match args {
        [] => {
            return Err(inv.usage_error(
                "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command",
            ))
        }
        [p] => (p.clone(), f.str("container").map(str::to_string)),
        [p, c] if !f.has("container") => (p.clone(), Some(c.clone())),
        _ => {
            return Err(inv.usage_error(
                "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command",
            ))
        }
    };
    let pod = pod_for(io, inv, &pod_arg)?;
    let name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ns = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let names: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let inits: Vec<String> = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect();
    let containers: Vec<String> = if f.bool("all-containers") {
        inits.iter().chain(names.iter()).cloned().collect()
    } else {
        let c = match container {
            Some(c) => {
                if !names.contains(&c) && !inits.contains(&c) {
                    return Err(Fail::msg(format!(
                        "container {c} is not valid for pod {name}"
                    )));
                }
                c
            }
            None => {
                let default = pod["metadata"]["annotations"]
                    ["kubectl.kubernetes.io/default-container"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| names.first().cloned().unwrap_or_default());
                if names.len() + inits.len() > 1 {
                    let mut all: Vec<String> = names.clone();
                    all.extend(inits.iter().map(|i| format!("{i} (init)")));
                    io.print(format!(
                        "Defaulted container \"{default}\" out of: {}\n",
                        all.join(", ")
                    ));
                }
                default
            }
        };
        vec![c]
    };
    for c in containers {
        let mut q = vec![format!("container={}", encode_component(&c))];
        if f.bool("follow") {
            q.push("follow=true".into());
        }
        if f.bool("previous") {
            q.push("previous=true".into());
        }
        if let Some(t) = f.int("tail").filter(|t| *t >= 0) {
            q.push(format!("tailLines={t}"));
        }
        if f.bool("timestamps") {
            q.push("timestamps=true".into());
        }
        let r = io.call(inv.client.request(
            "GET",
            &format!(
                "/api/v1/namespaces/{ns}/pods/{}/log?{}",
                encode_component(&name),
                q.join("&")
            ),
            "application/json, */*",
        ))?;
        if !(200..300).contains(&r.status) {
            return Err(Fail::raw(status_message(&r, "")));
        }
        let text = String::from_utf8_lossy(&r.body.to_bytes()).into_owned();
        if f.bool("prefix") {
            for line in text.lines() {
                io.print(format!("[pod/{name}/{c}] {line}\n"));
            }
        } else {
            io.print(text);
        }
    }
    Ok(())
}

fn events(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let all_ns = f.bool("all-namespaces");
    let ns = inv.client.namespace.clone();
    let mut q = selector_query(inv);
    if let Some(target) = f.str("for") {
        let Some((kind, name)) = target.split_once('/') else {
            return Err(Fail::msg("--for must be in resource/name form"));
        };
        let d = inv.client.discover(io)?;
        let Some(Resolved::One(r)) = d.resolve(kind) else {
            return Err(Fail::msg(format!(
                "the server doesn't have a resource type \"{kind}\""
            )));
        };
        q.push(format!(
            "fieldSelector={}",
            encode_component(&format!(
                "involvedObject.kind={},involvedObject.name={name}",
                r.kind
            ))
        ));
    }
    q.push("limit=500".into());
    let path = if all_ns {
        format!("/api/v1/events?{}", q.join("&"))
    } else {
        format!("/api/v1/namespaces/{ns}/events?{}", q.join("&"))
    };
    let list = inv.client.get_json(io, &path)?;
    let types = f.many("types");
    for t in &types {
        if t != "Normal" && t != "Warning" {
            return Err(Fail::msg("valid --types are Normal or Warning"));
        }
    }
    let mut items: Vec<&Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            types.is_empty() || types.iter().any(|t| e["type"].as_str() == Some(t.as_str()))
        })
        .collect();
    let when = |e: &Value| -> String {
        e["lastTimestamp"]
            .as_str()
            .or(e["eventTime"].as_str())
            .or(e["firstTimestamp"].as_str())
            .or(e["metadata"]["creationTimestamp"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    items.sort_by_key(|e| when(e));
    if items.is_empty() {
        io.print(if all_ns {
            "No events found.\n".to_string()
        } else {
            format!("No events found in {ns} namespace.\n")
        });
        return Ok(());
    }
    let now = io.now();
    let mut text = String::new();
    if !f.bool("no-headers") {
        if all_ns {
            text += "NAMESPACE\t";
        }
        text += "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n";
    }
    for e in items {
        let t = when(e);
        let mut last_seen = age(Some(&json!(t)), now);
        let count = e["count"].as_i64().unwrap_or(1);
        if count > 1 {
            if let Some(first) = e["firstTimestamp"].as_str() {
                last_seen = format!(
                    "{last_seen} (x{count} over {})",
                    age(Some(&json!(first)), now)
                );
            }
        }
        let obj = &e["involvedObject"];
        if all_ns {
            text += &format!(
                "{}\t",
                e["metadata"]["namespace"].as_str().unwrap_or_default()
            );
        }
        text += &format!(
            "{last_seen}\t{}\t{}\t{}/{}\t{}\n",
            e["type"].as_str().unwrap_or_default(),
            e["reason"].as_str().unwrap_or_default(),
            obj["kind"].as_str().unwrap_or_default().to_lowercase(),
            obj["name"].as_str().unwrap_or_default(),
            e["message"].as_str().unwrap_or_default().trim_end()
        );
    }
    io.print(tabwrite(&text));
    Ok(())
}

fn can_i(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let args = inv.args();
    if f.bool("list") {
        return super::access::can_i_list(io, inv);
    }
    let (verb, what) = match args {
        [v, w] | [v, w, _] => (v.clone(), w.clone()),
        _ => {
            return Err(inv.usage_error(
                "you must specify two arguments: verb resource or verb resource/resourceName.",
            ))
        }
    };
    let name = args.get(2).cloned().unwrap_or_default();
    let mut spec = serde_json::Map::new();
    if what.starts_with('/') {
        spec.insert(
            "nonResourceAttributes".into(),
            json!({"path": what, "verb": verb}),
        );
    } else {
        let (res_part, name) = match what.split_once('/') {
            Some((r, n)) if !f.has("subresource") => (r.to_string(), n.to_string()),
            _ => (what.clone(), name),
        };
        let d = inv.client.discover(io)?;
        let (group, resource) = match d.resolve(&res_part) {
            Some(Resolved::One(r)) => {
                if !r.namespaced && !f.bool("all-namespaces") {
                    io.print(format!(
                        "Warning: resource '{}' is not namespace scoped\n\n",
                        r.name
                    ));
                }
                (r.group.clone(), r.name.clone())
            }
            _ => {
                io.print(format!(
                    "Warning: the server doesn't have a resource type '{res_part}'\n\n"
                ));
                let (r, g) = res_part.split_once('.').unwrap_or((&res_part, ""));
                (g.to_string(), r.to_string())
            }
        };
        let mut attrs = serde_json::Map::new();
        if !f.bool("all-namespaces") {
            attrs.insert("namespace".into(), json!(inv.client.namespace));
        }
        attrs.insert("verb".into(), json!(verb));
        if !group.is_empty() {
            attrs.insert("group".into(), json!(group));
        }
        attrs.insert("resource".into(), json!(resource));
        if let Some(s) = f.str("subresource") {
            attrs.insert("subresource".into(), json!(s));
        }
        if !name.is_empty() {
            attrs.insert("name".into(), json!(name));
        }
        spec.insert("resourceAttributes".into(), Value::Object(attrs));
    }
    // can-i's Validate: a verb outside the known ones is only a warning.
    const RESOURCE_VERBS: [&str; 16] = [
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete",
        "deletecollection",
        "use",
        "bind",
        "impersonate",
        "*",
        "approve",
        "sign",
        "escalate",
        "attest",
    ];
    const NON_RESOURCE_VERBS: [&str; 8] = [
        "get", "put", "post", "head", "options", "delete", "patch", "*",
    ];
    let known = if what.starts_with('/') {
        NON_RESOURCE_VERBS.contains(&verb.as_str())
    } else {
        RESOURCE_VERBS.contains(&verb.as_str())
    };
    if !known {
        io.print(format!("Warning: verb '{verb}' is not a known verb\n\n"));
    }
    // Validate, after the warnings of the resource's resolution.
    if f.bool("no-headers") {
        return Err(Fail::msg(
            "--no-headers cannot be set without --list specified",
        ));
    }
    let body = json!({
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": spec,
        "status": {"allowed": false},
    });
    let r = inv.client.send_json(
        io,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "application/json",
        body.to_string(),
    )?;
    let review = ok_json(&r)?;
    let status = &review["status"];
    let allowed = status["allowed"].as_bool().unwrap_or(false);
    if f.bool("quiet") {
        return if allowed {
            Ok(())
        } else {
            Err(Fail::Error {
                text: String::new(),
                code: 1,
            })
        };
    }
    if allowed {
        io.print("yes\n");
        return Ok(());
    }
    let mut line = "no".to_string();
    for k in ["reason", "evaluationError"] {
        if let Some(s) = status[k].as_str().filter(|s| !s.is_empty()) {
            line += &format!(" - {s}");
        }
    }
    line.push('\n');
    // `no` exits with status 1.
    Err(Fail::Error {
        text: line,
        code: 1,
    })
}
