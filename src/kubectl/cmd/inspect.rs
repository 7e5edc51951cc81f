//! Troubleshooting commands: `logs` (through the pods/log subresource, which the API server
//! fetches from the node's kubelet), `events`, and `auth can-i` (a SelfSubjectAccessReview).

use serde_json::{json, Value};

use super::{Command, Invocation};
use crate::apiserver::printers::{age, parse_rfc3339};
use crate::apiserver::request::encode_component;
use crate::kubectl::client::{ok_json, selector_list_error, status_message};
use crate::kubectl::discovery::Resolved;
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::output::{check_object_output, print_object_typed, tabwrite};

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

/// What `logs TYPE/NAME` names, as the resource builder fetches it (logs' `Complete`): a pod
/// or a controller; a NotFound gets the namespace put after the server's message.
fn logs_object(io: &mut Io<'_>, inv: &Invocation, arg: &str) -> Res<Value> {
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
    if resp.status == 404 {
        let message = resp
            .body_json()
            .and_then(|s| s["message"].as_str().map(str::to_string))
            .unwrap_or_default();
        return Err(Fail::msg(format!(
            "error from server (NotFound): {message} in namespace \"{ns}\""
        )));
    }
    Ok((*ok_json(&resp)?).clone())
}

/// The pods whose logs are read for what the builder fetched (`LogsForObject`): a pod itself,
/// or the first pod a controller selects.
fn logs_pod(io: &mut Io<'_>, inv: &Invocation, obj: Value) -> Res<Value> {
    if obj["kind"] == "Pod" {
        return Ok(obj);
    }
    let ns = inv.client.namespace.clone();
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

const LOGS_USAGE: &str = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";

fn logs(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let args = inv.args();
    let ns = inv.client.namespace.clone();
    let selector = f.str("selector").filter(|s| !s.is_empty());
    let mut container = f.str("container").map(str::to_string);
    // Complete: the arguments, then the builder's fetch.
    let resource_arg = match (args.len(), selector) {
        (0, None) => return Err(inv.usage_error(LOGS_USAGE)),
        (0, Some(_)) => None,
        (1, Some(_)) => {
            return Err(inv.usage_error("only a selector (-l) or a POD name is allowed"))
        }
        (1, None) => Some(args[0].clone()),
        (2, _) => {
            container = Some(args[1].clone());
            Some(args[0].clone())
        }
        _ => return Err(inv.usage_error(LOGS_USAGE)),
    };
    let object = match (&resource_arg, selector) {
        (Some(arg), _) => Some(logs_object(io, inv, arg)?),
        (None, Some(sel)) => {
            let r = io.call(inv.client.request(
                "GET",
                &format!(
                    "/api/v1/namespaces/{ns}/pods?labelSelector={}",
                    encode_component(sel)
                ),
                "application/json",
            ))?;
            if !(200..300).contains(&r.status) {
                return Err(selector_list_error(&r, "", "v1", "pods", sel, ""));
            }
            let list = ok_json(&r)?;
            if list["items"].as_array().is_none_or(|i| i.is_empty()) {
                io.print(format!("No resources found in {ns} namespace.\n"));
            }
            Some((*list).clone())
        }
        (None, None) => None,
    };
    // Validate.
    let container = container.filter(|c| !c.is_empty());
    if f.bool("all-containers") {
        if let Some(c) = &container {
            return Err(Fail::msg(format!(
                "--all-containers=true should not be specified with container name {c}"
            )));
        }
    }
    if f.has("container") && args.len() == 2 {
        return Err(Fail::msg(
            "only one of -c or an inline [CONTAINER] arg is allowed",
        ));
    }
    if f.int("limit-bytes").is_some_and(|b| b < 0) {
        return Err(Fail::msg("--limit-bytes must be greater than 0"));
    }
    let tail = f.int("tail").unwrap_or(-1);
    if tail < -1 {
        return Err(Fail::msg("--tail must be greater than or equal to -1"));
    }
    // ToLogOptions: a selector reads the last 10 lines unless --tail says otherwise.
    let tail = if selector.is_some() && !f.has("tail") {
        10
    } else {
        tail
    };
    let mut q = Vec::new();
    if f.bool("follow") {
        q.push("follow=true".to_string());
    }
    if f.bool("previous") {
        q.push("previous=true".into());
    }
    if tail != -1 {
        q.push(format!("tailLines={tail}"));
    }
    if let Some(b) = f.int("limit-bytes").filter(|b| *b != 0) {
        q.push(format!("limitBytes={b}"));
    }
    if f.bool("timestamps") {
        q.push("timestamps=true".into());
    }
    // RunLogs: the pods and containers to read.
    let pods: Vec<Value> = match object {
        Some(list) if list["kind"] == "PodList" => {
            list["items"].as_array().cloned().unwrap_or_default()
        }
        Some(obj) => vec![logs_pod(io, inv, obj)?],
        None => Vec::new(),
    };
    for pod in pods {
        pod_logs(io, inv, &pod, container.as_deref(), &q)?;
    }
    Ok(())
}

/// The logs of one pod's container (or of all of them, `--all-containers`).
fn pod_logs(
    io: &mut Io<'_>,
    inv: &Invocation,
    pod: &Value,
    container: Option<&str>,
    q: &[String],
) -> Res<()> {
    let f = &inv.flags;
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
                if !names.iter().any(|n| n == c) && !inits.iter().any(|n| n == c) {
                    return Err(Fail::msg(format!(
                        "container {c} is not valid for pod {name}"
                    )));
                }
                c.to_string()
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
        let mut query = vec![format!("container={}", encode_component(&c))];
        query.extend(q.iter().cloned());
        let r = io.call(inv.client.request(
            "GET",
            &format!(
                "/api/v1/namespaces/{ns}/pods/{}/log?{}",
                encode_component(&name),
                query.join("&")
            ),
            "application/json, */*",
        ))?;
        if !(200..300).contains(&r.status) {
            return Err(Fail::raw(status_message(&r, "")));
        }
        let text = String::from_utf8_lossy(&r.body.to_bytes()).into_owned();
        if f.bool("prefix") {
            for line in text.split_inclusive('\n') {
                io.print(format!("[pod/{name}/{c}] {line}"));
            }
        } else {
            io.print(text);
        }
    }
    Ok(())
}

/// `eventTime` of events.go, the time events sort by: the series' last observation, else
/// `lastTimestamp`, else `eventTime`; as (seconds, nanoseconds) since the Unix epoch, the zero
/// time for none.
fn event_time(e: &Value) -> (i64, u32) {
    let ts = e["series"]["lastObservedTime"]
        .as_str()
        .or(e["lastTimestamp"].as_str())
        .or(e["eventTime"].as_str());
    let Some(ts) = ts else {
        return (i64::MIN, 0);
    };
    let secs = parse_rfc3339(ts).unwrap_or(i64::MIN);
    let nanos = ts
        .split_once('.')
        .map(|(_, f)| {
            let digits: String = f.chars().take_while(char::is_ascii_digit).take(9).collect();
            format!("{digits:0<9}").parse::<u32>().unwrap_or(0)
        })
        .unwrap_or(0);
    (secs, nanos)
}

/// `getInterval` of the event printer: the age of the first (or only) occurrence, or of the
/// last with the count and the first's age.
fn event_interval(e: &Value, now: crate::sim::SimTime) -> String {
    let first = if e["eventTime"].is_string() {
        age(Some(&e["eventTime"]), now)
    } else {
        age(Some(&e["firstTimestamp"]), now)
    };
    if e["series"].is_object() {
        format!(
            "{} (x{} over {first})",
            age(Some(&e["series"]["lastObservedTime"]), now),
            e["series"]["count"].as_i64().unwrap_or(0)
        )
    } else if e["count"].as_i64().unwrap_or(0) > 1 {
        format!(
            "{} (x{} over {first})",
            age(Some(&e["lastTimestamp"]), now),
            e["count"].as_i64().unwrap_or(0)
        )
    } else {
        first
    }
}

/// A JSON object with `fields` in order, as a Go struct marshals: a field listed with `true`
/// is always written (no `omitempty`, or a struct or time that omitempty does not drop, with
/// `null` for an absent time), the others only when present.
fn go_struct(v: &Value, fields: &[(&str, bool)], nested: impl Fn(&str, &Value) -> Value) -> Value {
    let mut out = serde_json::Map::new();
    for (name, always) in fields {
        match v.get(*name) {
            Some(x) if !x.is_null() => {
                out.insert((*name).to_string(), nested(name, x));
            }
            _ if *always => {
                let empty = match *name {
                    "metadata" | "involvedObject" | "source" => json!({}),
                    "reportingComponent" | "reportingInstance" => json!(""),
                    _ => Value::Null,
                };
                out.insert((*name).to_string(), empty);
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// A core/v1 Event as kubectl's typed client holds it: `corev1.Event`'s field order, with its
/// always-written fields (`eventTime: null`, `reportingInstance: ""`).
fn typed_event(e: &Value) -> Value {
    const META: &[(&str, bool)] = &[
        ("name", false),
        ("generateName", false),
        ("namespace", false),
        ("selfLink", false),
        ("uid", false),
        ("resourceVersion", false),
        ("generation", false),
        ("creationTimestamp", true),
        ("deletionTimestamp", false),
        ("deletionGracePeriodSeconds", false),
        ("labels", false),
        ("annotations", false),
        ("ownerReferences", false),
        ("finalizers", false),
        ("managedFields", false),
    ];
    const REFERENCE: &[(&str, bool)] = &[
        ("kind", false),
        ("namespace", false),
        ("name", false),
        ("uid", false),
        ("apiVersion", false),
        ("resourceVersion", false),
        ("fieldPath", false),
    ];
    const SOURCE: &[(&str, bool)] = &[("component", false), ("host", false)];
    const SERIES: &[(&str, bool)] = &[("count", false), ("lastObservedTime", true)];
    const EVENT: &[(&str, bool)] = &[
        ("kind", true),
        ("apiVersion", true),
        ("metadata", true),
        ("involvedObject", true),
        ("reason", false),
        ("message", false),
        ("source", true),
        ("firstTimestamp", true),
        ("lastTimestamp", true),
        ("count", false),
        ("type", false),
        ("eventTime", true),
        ("series", false),
        ("action", false),
        ("related", false),
        ("reportingComponent", true),
        ("reportingInstance", true),
    ];
    let plain = |_: &str, x: &Value| x.clone();
    let mut typed = e.clone();
    typed["kind"] = json!("Event");
    typed["apiVersion"] = json!("v1");
    go_struct(&typed, EVENT, |name, x| match name {
        "metadata" => go_struct(x, META, plain),
        "involvedObject" | "related" => go_struct(x, REFERENCE, plain),
        "source" => go_struct(x, SOURCE, plain),
        "series" => go_struct(x, SERIES, plain),
        _ => x.clone(),
    })
}

fn events(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let all_ns = f.bool("all-namespaces");
    let ns = inv.client.namespace.clone();
    // ToOptions: --for through the RESTMapper, then the printer.
    let mut field_selector = None;
    if let Some(target) = f.str("for").filter(|t| !t.is_empty()) {
        let Some((kind, name)) = target.split_once('/') else {
            return Err(Fail::msg("--for must be in resource/name form"));
        };
        if name.contains('/') {
            return Err(Fail::msg(
                "arguments in resource/name form may not have more than one slash",
            ));
        }
        let d = inv.client.discover(io)?;
        let Some(Resolved::One(r)) = d.resolve(kind) else {
            // The RESTMapper's NoResourceMatchError, which CheckErr prints without `error: `.
            return Err(Fail::raw(format!(
                "the server doesn't have a resource type \"{kind}\"\n"
            )));
        };
        field_selector = Some(format!(
            "involvedObject.kind={},involvedObject.apiVersion={},involvedObject.name={name}",
            r.kind,
            r.group_version()
        ));
    }
    let output = f.str("output").filter(|o| !o.is_empty());
    check_object_output(output)?;
    // Validate: the types, in any case.
    let types = f.many("types");
    for t in &types {
        if !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning") {
            return Err(Fail::msg("valid --types are Normal or Warning"));
        }
    }
    // Run.
    let mut q = Vec::new();
    if let Some(fs) = &field_selector {
        q.push(format!("fieldSelector={}", encode_component(fs)));
    }
    q.push("limit=500".into());
    let path = if all_ns {
        format!("/api/v1/events?{}", q.join("&"))
    } else {
        format!("/api/v1/namespaces/{ns}/events?{}", q.join("&"))
    };
    let list = inv.client.get_json(io, &path)?;
    let mut items: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(e["type"].as_str().unwrap_or_default()))
        })
        .cloned()
        .collect();
    if items.is_empty() {
        io.print(if all_ns {
            "No events found.\n".to_string()
        } else {
            format!("No events found in {ns} namespace.\n")
        });
        return Ok(());
    }
    // `sort.Sort(SortableEvents(...))`: not stable, so events of the same moment come out in
    // the order Go's algorithm leaves them.
    crate::golang::sort::sort(&mut items, |a, b| event_time(a) < event_time(b));
    if let Some(format) = output {
        if format == "name" {
            // The name printer refuses a typed list ("list types are not supported by name
            // printing: *v1.EventList") and events' Run drops PrintObj's error: nothing is
            // printed and the command succeeds.
            return Ok(());
        }
        // The typed EventList kubectl decoded (each item given its kind and apiVersion).
        let items: Vec<Value> = items.iter().map(typed_event).collect();
        let list = json!({"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": items});
        // Without managedFields, as the real kubectl prints events against the same server.
        io.print(print_object_typed(&list, format)?);
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
    for e in &items {
        let obj = &e["involvedObject"];
        if all_ns {
            text += &format!(
                "{}\t",
                e["metadata"]["namespace"].as_str().unwrap_or_default()
            );
        }
        text += &format!(
            "{}\t{}\t{}\t{}/{}\t{}\n",
            event_interval(e, now),
            e["type"].as_str().unwrap_or_default(),
            e["reason"].as_str().unwrap_or_default(),
            obj["kind"].as_str().unwrap_or_default(),
            obj["name"].as_str().unwrap_or_default(),
            e["message"].as_str().unwrap_or_default().trim()
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
