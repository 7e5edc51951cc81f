//! The Pod describer (`PodDescriber`, `describePod`) and what pod templates share with it:
//! containers (`describeContainers`), volumes (`describeVolumes`), `DescribePodTemplate`,
//! probes, environment and the QoS class.

use serde_json::Value;

use super::{
    arr, bool_of, controlled_by, describe_events, int_of, int_or_string,
    print_annotations_multiline, print_labels_multiline, print_tolerations_multiline, qty,
    qty_value, resource_list, rfc1123z, since, str_of, Ctx, EventRef, PrefixWriter, LEVEL_0,
    LEVEL_1, LEVEL_2, LEVEL_3,
};
use crate::apiserver::defaulting::quantity::Quantity;
use crate::kubectl::io::{Fail, Res};

/// `PodDescriber.Describe`.
pub fn describe(cx: &mut Ctx<'_, '_, '_>, path: &str, namespace: &str, name: &str) -> Res<String> {
    let pod = match cx.get(path) {
        Ok(p) => p,
        Err(Fail::Error { text, code }) => {
            // The pod is gone: its events may still say why.
            if cx.settings.show_events {
                let r = EventRef {
                    kind: None,
                    name: name.to_string(),
                    namespace: namespace.to_string(),
                    uid: None,
                };
                if let Ok(events) = cx.events_or_error(&r) {
                    if !events.is_empty() {
                        let now = cx.now_ms();
                        let mut w = PrefixWriter::new();
                        let err = text.trim_end().trim_start_matches("Error from server ");
                        w.write(
                            LEVEL_0,
                            &format!(
                                "Pod '{name}': error '{}', but found events.\n",
                                go_error(err)
                            ),
                        );
                        describe_events(&mut w, &events, now);
                        return Ok(w.finish());
                    }
                }
            }
            return Err(Fail::Error { text, code });
        }
        Err(e) => return Err(e),
    };
    let events = if cx.settings.show_events {
        let mut r = EventRef::of(&pod);
        // The pod describer clears the kind; a mirror pod's events carry its config's UID.
        r.kind = None;
        if let Some(uid) = pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].as_str() {
            r.uid = Some(uid.to_string()).filter(|u| !u.is_empty());
        }
        Some(cx.events(&r)?)
    } else {
        None
    };
    let now = cx.now_ms();
    Ok(describe_pod(&pod, events.as_deref(), now))
}

/// A status error as Go's `err.Error()` prints it inside that message: the message alone.
fn go_error(text: &str) -> &str {
    text.split_once("): ").map_or(text, |(_, m)| m)
}

/// `describePod`.
pub fn describe_pod(pod: &Value, events: Option<&[Value]>, now_ms: i64) -> String {
    let mut w = PrefixWriter::new();
    let meta = &pod["metadata"];
    let spec = &pod["spec"];
    let status = &pod["status"];
    w.write(LEVEL_0, &format!("Name:\t{}\n", str_of(&meta["name"])));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", str_of(&meta["namespace"])),
    );
    if let Some(p) = spec["priority"].as_i64() {
        w.write(LEVEL_0, &format!("Priority:\t{p}\n"));
    }
    let pcn = str_of(&spec["priorityClassName"]);
    if !pcn.is_empty() {
        w.write(LEVEL_0, &format!("Priority Class Name:\t{pcn}\n"));
    }
    let rcn = str_of(&spec["runtimeClassName"]);
    if !rcn.is_empty() {
        w.write(LEVEL_0, &format!("Runtime Class Name:\t{rcn}\n"));
    }
    let sa = str_of(&spec["serviceAccountName"]);
    if !sa.is_empty() {
        w.write(LEVEL_0, &format!("Service Account:\t{sa}\n"));
    }
    let node = str_of(&spec["nodeName"]);
    if node.is_empty() {
        w.write(LEVEL_0, "Node:\t<none>\n");
    } else {
        w.write(
            LEVEL_0,
            &format!("Node:\t{node}/{}\n", str_of(&status["hostIP"])),
        );
    }
    if status["startTime"].is_string() {
        w.write(
            LEVEL_0,
            &format!("Start Time:\t{}\n", rfc1123z(&status["startTime"])),
        );
    }
    print_labels_multiline(&mut w, "Labels", &meta["labels"]);
    print_annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    let phase = str_of(&status["phase"]);
    if meta["deletionTimestamp"].is_string() && phase != "Failed" && phase != "Succeeded" {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(&meta["deletionTimestamp"], now_ms)
            ),
        );
        w.write(
            LEVEL_0,
            &format!(
                "Termination Grace Period:\t{}s\n",
                int_of(&meta["deletionGracePeriodSeconds"])
            ),
        );
    } else {
        w.write(LEVEL_0, &format!("Status:\t{phase}\n"));
    }
    let reason = str_of(&status["reason"]);
    if !reason.is_empty() {
        w.write(LEVEL_0, &format!("Reason:\t{reason}\n"));
    }
    let message = str_of(&status["message"]);
    if !message.is_empty() {
        w.write(LEVEL_0, &format!("Message:\t{message}\n"));
    }
    let seccomp = &spec["securityContext"]["seccompProfile"];
    if seccomp.is_object() {
        let t = str_of(&seccomp["type"]);
        w.write(LEVEL_0, &format!("SeccompProfile:\t{t}\n"));
        if t == "Localhost" {
            w.write(
                LEVEL_0,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    str_of(&seccomp["localhostProfile"])
                ),
            );
        }
    }
    w.write(LEVEL_0, &format!("IP:\t{}\n", str_of(&status["podIP"])));
    describe_pod_ips(&mut w, pod, "");
    if let Some(c) = controlled_by(pod) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    let nominated = str_of(&status["nominatedNodeName"]);
    if !nominated.is_empty() {
        w.write(LEVEL_0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if spec["resources"].is_object() {
        w.write(LEVEL_0, "Resources:\n");
        describe_resources(&mut w, &spec["resources"], LEVEL_1);
    }
    let env = EnvResolver { pod: Some(pod) };
    if !arr(&spec["initContainers"]).is_empty() {
        describe_containers(
            &mut w,
            "Init Containers",
            &spec["initContainers"],
            &status["initContainerStatuses"],
            &env,
            "",
        );
    }
    describe_containers(
        &mut w,
        "Containers",
        &spec["containers"],
        &status["containerStatuses"],
        &env,
        "",
    );
    if !arr(&spec["ephemeralContainers"]).is_empty() {
        describe_containers(
            &mut w,
            "Ephemeral Containers",
            &spec["ephemeralContainers"],
            &status["ephemeralContainerStatuses"],
            &env,
            "",
        );
    }
    let conditions = arr(&status["conditions"]);
    let gates = arr(&spec["readinessGates"]);
    if !gates.is_empty() {
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let t = str_of(&g["conditionType"]);
            let s = conditions
                .iter()
                .find(|c| str_of(&c["type"]) == t)
                .map_or("<none>", |c| str_of(&c["status"]));
            w.write(LEVEL_1, &format!("{t} \t{s} \n"));
        }
    }
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(
                LEVEL_1,
                &format!("{} \t{} \n", str_of(&c["type"]), str_of(&c["status"])),
            );
        }
    }
    describe_volumes(&mut w, &spec["volumes"], "");
    w.write(LEVEL_0, &format!("QoS Class:\t{}\n", pod_qos(pod)));
    print_labels_multiline(&mut w, "Node-Selectors", &spec["nodeSelector"]);
    print_tolerations_multiline(&mut w, "Tolerations", &spec["tolerations"]);
    describe_topology_spread_constraints(&mut w, &spec["topologySpreadConstraints"], "");
    if let Some(events) = events {
        describe_events(&mut w, events, now_ms);
    }
    w.finish()
}

fn describe_pod_ips(w: &mut PrefixWriter, pod: &Value, space: &str) {
    let ips = arr(&pod["status"]["podIPs"]);
    if ips.is_empty() {
        w.write(LEVEL_0, &format!("{space}IPs:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{space}IPs:\n"));
    for ip in ips {
        w.write(LEVEL_1, &format!("IP:\t{}\n", str_of(&ip["ip"])));
    }
}

/// `describeTopologySpreadConstraints`.
fn describe_topology_spread_constraints(w: &mut PrefixWriter, tscs: &Value, space: &str) {
    let mut tscs: Vec<&Value> = arr(tscs).iter().collect();
    if tscs.is_empty() {
        return;
    }
    tscs.sort_by(|a, b| str_of(&a["topologyKey"]).cmp(str_of(&b["topologyKey"])));
    w.write(LEVEL_0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, t) in tscs.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, space);
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{}:", str_of(&t["topologyKey"])));
        w.write(LEVEL_0, str_of(&t["whenUnsatisfiable"]));
        w.write(
            LEVEL_0,
            &format!(" when max skew {} is exceeded", int_of(&t["maxSkew"])),
        );
        if t["labelSelector"].is_object() {
            w.write(
                LEVEL_0,
                &format!(
                    " for selector {}",
                    super::format_label_selector(&t["labelSelector"])
                ),
            );
        }
        w.write(LEVEL_0, "\n");
    }
}

/// `DescribePodTemplate`.
pub fn describe_pod_template(w: &mut PrefixWriter, template: &Value) {
    w.write(LEVEL_0, "Pod Template:\n");
    if template.is_null() {
        w.write(LEVEL_1, "<unset>");
        return;
    }
    let meta = &template["metadata"];
    let spec = &template["spec"];
    print_labels_multiline(w, "  Labels", &meta["labels"]);
    if meta["annotations"]
        .as_object()
        .is_some_and(|m| !m.is_empty())
    {
        print_annotations_multiline(w, "  Annotations", &meta["annotations"]);
    }
    let sa = str_of(&spec["serviceAccountName"]);
    if !sa.is_empty() {
        w.write(LEVEL_1, &format!("Service Account:\t{sa}\n"));
    }
    let none = EnvResolver { pod: None };
    if !arr(&spec["initContainers"]).is_empty() {
        describe_containers(
            w,
            "Init Containers",
            &spec["initContainers"],
            &Value::Null,
            &none,
            "  ",
        );
    }
    describe_containers(
        w,
        "Containers",
        &spec["containers"],
        &Value::Null,
        &none,
        "  ",
    );
    describe_volumes(w, &spec["volumes"], "  ");
    describe_topology_spread_constraints(w, &spec["topologySpreadConstraints"], "  ");
    let pcn = str_of(&spec["priorityClassName"]);
    if !pcn.is_empty() {
        w.write(LEVEL_1, &format!("Priority Class Name:\t{pcn}\n"));
    }
    print_labels_multiline(w, "  Node-Selectors", &spec["nodeSelector"]);
    print_tolerations_multiline(w, "  Tolerations", &spec["tolerations"]);
}

/// `EnvValueRetriever`: a pod's own fields for `fieldRef` variables. kubectl's scheme knows
/// no Pod field-label conversions, so only `metadata.name` and `metadata.namespace` resolve.
struct EnvResolver<'a> {
    pod: Option<&'a Value>,
}

impl EnvResolver<'_> {
    fn resolve(&self, field_ref: &Value) -> String {
        let Some(pod) = self.pod else {
            return String::new();
        };
        match str_of(&field_ref["fieldPath"]) {
            "metadata.name" => str_of(&pod["metadata"]["name"]).to_string(),
            "metadata.namespace" => str_of(&pod["metadata"]["namespace"]).to_string(),
            _ => String::new(),
        }
    }
}

/// `describeContainers`.
fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &Value,
    statuses: &Value,
    env: &EnvResolver<'_>,
    space: &str,
) {
    let containers = arr(containers);
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(LEVEL_0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let name = str_of(&c["name"]);
        let status = arr(statuses)
            .iter()
            .rev()
            .find(|s| str_of(&s["name"]) == name);
        describe_container_basic_info(w, c, status, space);
        describe_container_command(w, c);
        if let Some(s) = status {
            describe_container_state(w, s);
        }
        describe_resources(w, &c["resources"], LEVEL_2);
        describe_container_probe(w, c);
        if !arr(&c["envFrom"]).is_empty() {
            describe_container_env_from(w, c);
        }
        describe_container_env_vars(w, c, env);
        describe_container_volumes(w, c);
    }
}

fn describe_container_basic_info(
    w: &mut PrefixWriter,
    c: &Value,
    status: Option<&Value>,
    space: &str,
) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.write(LEVEL_1, &format!("{name_indent}{}:\n", str_of(&c["name"])));
    if let Some(s) = status {
        w.write(
            LEVEL_2,
            &format!("Container ID:\t{}\n", str_of(&s["containerID"])),
        );
    }
    w.write(LEVEL_2, &format!("Image:\t{}\n", str_of(&c["image"])));
    if let Some(s) = status {
        w.write(LEVEL_2, &format!("Image ID:\t{}\n", str_of(&s["imageID"])));
    }
    let ports = arr(&c["ports"]);
    let port_string = ports
        .iter()
        .map(|p| format!("{}/{}", int_of(&p["containerPort"]), str_of(&p["protocol"])))
        .collect::<Vec<_>>()
        .join(", ");
    if port_string.contains(',') {
        w.write(LEVEL_2, &format!("Ports:\t{port_string}\n"));
    } else {
        w.write(LEVEL_2, &format!("Port:\t{}\n", or_none(&port_string)));
    }
    let host_ports = ports
        .iter()
        .map(|p| format!("{}/{}", int_of(&p["hostPort"]), str_of(&p["protocol"])))
        .collect::<Vec<_>>()
        .join(", ");
    if host_ports.contains(',') {
        w.write(LEVEL_2, &format!("Host Ports:\t{host_ports}\n"));
    } else {
        w.write(LEVEL_2, &format!("Host Port:\t{}\n", or_none(&host_ports)));
    }
    let seccomp = &c["securityContext"]["seccompProfile"];
    if seccomp.is_object() {
        let t = str_of(&seccomp["type"]);
        w.write(LEVEL_2, &format!("SeccompProfile:\t{t}\n"));
        if t == "Localhost" {
            w.write(
                LEVEL_3,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    str_of(&seccomp["localhostProfile"])
                ),
            );
        }
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "<none>"
    } else {
        s
    }
}

fn describe_container_command(w: &mut PrefixWriter, c: &Value) {
    for (title, key) in [("Command", "command"), ("Args", "args")] {
        let items = arr(&c[key]);
        if items.is_empty() {
            continue;
        }
        w.write(LEVEL_2, &format!("{title}:\n"));
        for item in items {
            for s in str_of(item).split('\n') {
                w.write(LEVEL_3, &format!("{s}\n"));
            }
        }
    }
}

/// `describeResources`: limits, then requests, each sorted by name.
pub fn describe_resources(w: &mut PrefixWriter, resources: &Value, level: usize) {
    if resources.is_null() {
        return;
    }
    for (title, key) in [("Limits", "limits"), ("Requests", "requests")] {
        let list = resource_list(&resources[key]);
        if !list.is_empty() {
            w.write(level, &format!("{title}:\n"));
        }
        for (name, q) in &list {
            w.write(level + 1, &format!("{name}:\t{}\n", qty(q)));
        }
    }
}

fn describe_container_state(w: &mut PrefixWriter, status: &Value) {
    describe_status(w, "State", &status["state"]);
    if status["lastState"]["terminated"].is_object() {
        describe_status(w, "Last State", &status["lastState"]);
    }
    w.write(
        LEVEL_2,
        &format!("Ready:\t{}\n", super::print_bool(bool_of(&status["ready"]))),
    );
    w.write(
        LEVEL_2,
        &format!("Restart Count:\t{}\n", int_of(&status["restartCount"])),
    );
}

fn describe_status(w: &mut PrefixWriter, state_name: &str, state: &Value) {
    if state["running"].is_object() {
        w.write(LEVEL_2, &format!("{state_name}:\tRunning\n"));
        w.write(
            LEVEL_3,
            &format!("Started:\t{}\n", rfc1123z(&state["running"]["startedAt"])),
        );
    } else if state["waiting"].is_object() {
        w.write(LEVEL_2, &format!("{state_name}:\tWaiting\n"));
        let reason = str_of(&state["waiting"]["reason"]);
        if !reason.is_empty() {
            w.write(LEVEL_3, &format!("Reason:\t{reason}\n"));
        }
    } else if state["terminated"].is_object() {
        let t = &state["terminated"];
        w.write(LEVEL_2, &format!("{state_name}:\tTerminated\n"));
        let reason = str_of(&t["reason"]);
        if !reason.is_empty() {
            w.write(LEVEL_3, &format!("Reason:\t{reason}\n"));
        }
        let message = str_of(&t["message"]);
        if !message.is_empty() {
            w.write(LEVEL_3, &format!("Message:\t{message}\n"));
        }
        w.write(
            LEVEL_3,
            &format!("Exit Code:\t{}\n", int_of(&t["exitCode"])),
        );
        let signal = int_of(&t["signal"]);
        if signal > 0 {
            w.write(LEVEL_3, &format!("Signal:\t{signal}\n"));
        }
        w.write(
            LEVEL_3,
            &format!("Started:\t{}\n", rfc1123z(&t["startedAt"])),
        );
        w.write(
            LEVEL_3,
            &format!("Finished:\t{}\n", rfc1123z(&t["finishedAt"])),
        );
    } else {
        w.write(LEVEL_2, &format!("{state_name}:\tWaiting\n"));
    }
}

fn describe_container_probe(w: &mut PrefixWriter, c: &Value) {
    for (title, key) in [
        ("Liveness", "livenessProbe"),
        ("Readiness", "readinessProbe"),
        ("Startup", "startupProbe"),
    ] {
        if c[key].is_object() {
            w.write(LEVEL_2, &format!("{title}:\t{}\n", describe_probe(&c[key])));
        }
    }
}

/// `DescribeProbe`.
pub fn describe_probe(p: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        int_of(&p["initialDelaySeconds"]),
        int_of(&p["timeoutSeconds"]),
        int_of(&p["periodSeconds"]),
        int_of(&p["successThreshold"]),
        int_of(&p["failureThreshold"])
    );
    if p["exec"].is_object() {
        let cmd: Vec<&str> = arr(&p["exec"]["command"]).iter().map(str_of).collect();
        return format!("exec [{}] {attrs}", cmd.join(" "));
    }
    if p["httpGet"].is_object() {
        let h = &p["httpGet"];
        let scheme = str_of(&h["scheme"]).to_lowercase();
        let port = int_or_string_or_empty(&h["port"]);
        let host = str_of(&h["host"]);
        let host = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut path = str_of(&h["path"]).to_string();
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            path.insert(0, '/');
        }
        let url = if scheme.is_empty() {
            format!("//{host}{path}")
        } else {
            format!("{scheme}://{host}{path}")
        };
        return format!("http-get {url} {attrs}");
    }
    if p["tcpSocket"].is_object() {
        let t = &p["tcpSocket"];
        return format!(
            "tcp-socket {}:{} {attrs}",
            str_of(&t["host"]),
            int_or_string_or_empty(&t["port"])
        );
    }
    if p["grpc"].is_object() {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            int_of(&p["grpc"]["port"]),
            str_of(&p["grpc"]["service"])
        );
    }
    format!("unknown {attrs}")
}

fn int_or_string_or_empty(v: &Value) -> String {
    if v.is_null() {
        String::new()
    } else {
        int_or_string(v)
    }
}

fn describe_container_env_from(w: &mut PrefixWriter, c: &Value) {
    w.write(LEVEL_2, "Environment Variables from:\n");
    for e in arr(&c["envFrom"]) {
        let (from, r) = if e["configMapRef"].is_object() {
            ("ConfigMap", &e["configMapRef"])
        } else if e["secretRef"].is_object() {
            ("Secret", &e["secretRef"])
        } else {
            ("", &Value::Null)
        };
        let name = str_of(&r["name"]);
        let optional = bool_of(&r["optional"]);
        let prefix = str_of(&e["prefix"]);
        if prefix.is_empty() {
            w.write(LEVEL_3, &format!("{name}\t{from}\tOptional: {optional}\n"));
        } else {
            w.write(
                LEVEL_3,
                &format!("{name}\t{from} with prefix '{prefix}'\tOptional: {optional}\n"),
            );
        }
    }
}

fn describe_container_env_vars(w: &mut PrefixWriter, c: &Value, env: &EnvResolver<'_>) {
    let vars = arr(&c["env"]);
    let none = if vars.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Environment:{none}\n"));
    for e in vars {
        let name = str_of(&e["name"]);
        let from = &e["valueFrom"];
        if !from.is_object() {
            for (i, s) in str_of(&e["value"]).split('\n').enumerate() {
                if i == 0 {
                    w.write(LEVEL_3, &format!("{name}:\t{s}\n"));
                } else {
                    w.write(LEVEL_3, &format!("\t{s}\n"));
                }
            }
            continue;
        }
        if from["fieldRef"].is_object() {
            let f = &from["fieldRef"];
            w.write(
                LEVEL_3,
                &format!(
                    "{name}:\t{} ({}:{})\n",
                    env.resolve(f),
                    str_of(&f["apiVersion"]),
                    str_of(&f["fieldPath"])
                ),
            );
        } else if from["resourceFieldRef"].is_object() {
            let f = &from["resourceFieldRef"];
            let resource = str_of(&f["resource"]);
            let mut value = container_resource_value(f, c).unwrap_or_default();
            if value == "0" && (resource == "limits.cpu" || resource == "limits.memory") {
                value = "node allocatable".to_string();
            }
            w.write(LEVEL_3, &format!("{name}:\t{value} ({resource})\n"));
        } else if from["secretKeyRef"].is_object() {
            let r = &from["secretKeyRef"];
            w.write(
                LEVEL_3,
                &format!(
                    "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    str_of(&r["key"]),
                    str_of(&r["name"]),
                    bool_of(&r["optional"])
                ),
            );
        } else if from["configMapKeyRef"].is_object() {
            let r = &from["configMapKeyRef"];
            w.write(
                LEVEL_3,
                &format!(
                    "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    str_of(&r["key"]),
                    str_of(&r["name"]),
                    bool_of(&r["optional"])
                ),
            );
        }
    }
}

/// `ExtractContainerResourceValue`: the resource divided by the divisor, rounded up.
fn container_resource_value(f: &Value, c: &Value) -> Option<String> {
    let divisor = crate::apiserver::defaulting::quantity::from_json(&f["divisor"])
        .filter(|d| !d.is_zero())
        .unwrap_or_else(|| Quantity::from_int(1));
    let resource = str_of(&f["resource"]);
    let (list, name) = resource.split_once('.')?;
    let list = resource_list(&c["resources"][list]);
    let q = list.get(name).copied().unwrap_or_else(Quantity::zero);
    let v = match name {
        "cpu" => (q.milli_value() as f64 / divisor.milli_value() as f64).ceil(),
        "memory" | "ephemeral-storage" => {
            (qty_value(&q) as f64 / qty_value(&divisor) as f64).ceil()
        }
        _ => return None,
    };
    Some(format!("{}", v as i64))
}

fn describe_container_volumes(w: &mut PrefixWriter, c: &Value) {
    let mut mounts: Vec<&Value> = arr(&c["volumeMounts"]).iter().collect();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Mounts:{none}\n"));
    mounts.sort_by(|a, b| str_of(&a["mountPath"]).cmp(str_of(&b["mountPath"])));
    for m in mounts {
        let mut flags = vec![if bool_of(&m["readOnly"]) { "ro" } else { "rw" }.to_string()];
        let sub = str_of(&m["subPath"]);
        if !sub.is_empty() {
            flags.push(format!(
                "path={}",
                serde_json::to_string(sub).unwrap_or_default()
            ));
        }
        w.write(
            LEVEL_3,
            &format!(
                "{} from {} ({})\n",
                str_of(&m["mountPath"]),
                str_of(&m["name"]),
                flags.join(",")
            ),
        );
    }
    let mut devices: Vec<&Value> = arr(&c["volumeDevices"]).iter().collect();
    if !devices.is_empty() {
        w.write(LEVEL_2, &format!("Devices:{none}\n"));
        devices.sort_by(|a, b| str_of(&a["devicePath"]).cmp(str_of(&b["devicePath"])));
        for d in devices {
            w.write(
                LEVEL_3,
                &format!("{} from {}\n", str_of(&d["devicePath"]), str_of(&d["name"])),
            );
        }
    }
}

/// `describeVolumes`.
pub fn describe_volumes(w: &mut PrefixWriter, volumes: &Value, space: &str) {
    let volumes = arr(volumes);
    if volumes.is_empty() {
        w.write(LEVEL_0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(LEVEL_1, &format!("{name_indent}{}:\n", str_of(&v["name"])));
        print_volume_source(w, v);
    }
}

fn opt_bool(v: &Value) -> bool {
    bool_of(v)
}

fn print_volume_source(w: &mut PrefixWriter, v: &Value) {
    if v["hostPath"].is_object() {
        let h = &v["hostPath"];
        let t = h["type"].as_str().unwrap_or("<none>");
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{t}\n",
                str_of(&h["path"])
            ),
        );
    } else if v["emptyDir"].is_object() {
        let e = &v["emptyDir"];
        let size = crate::apiserver::defaulting::quantity::from_json(&e["sizeLimit"])
            .filter(|q| q.nanos > 0)
            .map_or("<unset>".to_string(), |q| qty(&q));
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                str_of(&e["medium"])
            ),
        );
    } else if v["secret"].is_object() {
        let s = &v["secret"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                str_of(&s["secretName"]),
                opt_bool(&s["optional"])
            ),
        );
    } else if v["configMap"].is_object() {
        let c = &v["configMap"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                str_of(&c["name"]),
                opt_bool(&c["optional"])
            ),
        );
    } else if v["nfs"].is_object() {
        let n = &v["nfs"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                str_of(&n["server"]),
                str_of(&n["path"]),
                bool_of(&n["readOnly"])
            ),
        );
    } else if v["persistentVolumeClaim"].is_object() {
        let c = &v["persistentVolumeClaim"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                str_of(&c["claimName"]),
                bool_of(&c["readOnly"])
            ),
        );
    } else if v["ephemeral"].is_object() {
        w.write(
            LEVEL_2,
            "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n",
        );
        let t = &v["ephemeral"]["volumeClaimTemplate"];
        if t.is_object() {
            w.nested(LEVEL_2, |w| {
                super::core::print_persistent_volume_claim(w, t, false, 0);
            });
        }
    } else if v["downwardAPI"].is_object() {
        w.write(
            LEVEL_2,
            "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
        );
        for m in arr(&v["downwardAPI"]["items"]) {
            if m["fieldRef"].is_object() {
                w.write(
                    LEVEL_3,
                    &format!(
                        "{} -> {}\n",
                        str_of(&m["fieldRef"]["fieldPath"]),
                        str_of(&m["path"])
                    ),
                );
            }
            if m["resourceFieldRef"].is_object() {
                w.write(
                    LEVEL_3,
                    &format!(
                        "{} -> {}\n",
                        str_of(&m["resourceFieldRef"]["resource"]),
                        str_of(&m["path"])
                    ),
                );
            }
        }
    } else if v["projected"].is_object() {
        w.write(
            LEVEL_2,
            "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
        );
        for s in arr(&v["projected"]["sources"]) {
            if s["secret"].is_object() {
                w.write(
                    LEVEL_2,
                    &format!(
                        "SecretName:\t{}\n    Optional:\t{}\n",
                        str_of(&s["secret"]["name"]),
                        opt_bool(&s["secret"]["optional"])
                    ),
                );
            } else if s["downwardAPI"].is_object() {
                w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
            } else if s["configMap"].is_object() {
                w.write(
                    LEVEL_2,
                    &format!(
                        "ConfigMapName:\t{}\n    Optional:\t{}\n",
                        str_of(&s["configMap"]["name"]),
                        opt_bool(&s["configMap"]["optional"])
                    ),
                );
            } else if s["serviceAccountToken"].is_object() {
                w.write(
                    LEVEL_2,
                    &format!(
                        "TokenExpirationSeconds:\t{}\n",
                        int_of(&s["serviceAccountToken"]["expirationSeconds"])
                    ),
                );
            }
        }
    } else if v["csi"].is_object() {
        let c = &v["csi"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                str_of(&c["driver"]),
                str_of(&c["fsType"]),
                bool_of(&c["readOnly"])
            ),
        );
        print_labels_multiline_with_indent_level2(w, "VolumeAttributes", &c["volumeAttributes"]);
    } else if v["image"].is_object() {
        let i = &v["image"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                str_of(&i["reference"]),
                str_of(&i["pullPolicy"])
            ),
        );
    } else if v["gitRepo"].is_object() {
        let g = &v["gitRepo"];
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n    Repository:\t{}\n    Revision:\t{}\n",
                str_of(&g["repository"]),
                str_of(&g["revision"])
            ),
        );
    } else {
        // Cloud and legacy in-tree sources are not simulated.
        w.write(LEVEL_1, "<unknown>\n");
    }
}

/// `printCSIPersistentVolumeAttributesMultilineIndent` (at level 2).
fn print_labels_multiline_with_indent_level2(w: &mut PrefixWriter, title: &str, attrs: &Value) {
    w.write(LEVEL_2, &format!("{title}:\t"));
    let attrs = super::string_map(attrs);
    if attrs.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_2, "");
            w.write(LEVEL_2, "\t");
        }
        let line = format!("{k}={v}");
        if line.len() > 140 {
            let mut cut = 140;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            w.write(LEVEL_2, &format!("{}...\n", &line[..cut]));
        } else {
            w.write(LEVEL_2, &format!("{line}\n"));
        }
    }
}

/// `qos.GetPodQOS`: the class the kubelet recorded, or `ComputePodQOS`.
pub fn pod_qos(pod: &Value) -> String {
    let recorded = str_of(&pod["status"]["qosClass"]);
    if !recorded.is_empty() {
        return recorded.to_string();
    }
    compute_pod_qos(pod).to_string()
}

fn compute_pod_qos(pod: &Value) -> &'static str {
    use std::collections::BTreeMap;
    let mut requests: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut limits: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut guaranteed = true;
    let containers = arr(&pod["spec"]["containers"])
        .iter()
        .chain(arr(&pod["spec"]["initContainers"]));
    for c in containers {
        for (name, q) in resource_list(&c["resources"]["requests"]) {
            if (name == "cpu" || name == "memory") && q.nanos > 0 {
                let sum = requests.get(&name).map_or(q, |r| q.add(r));
                requests.insert(name, sum);
            }
        }
        let mut found = 0;
        for (name, q) in resource_list(&c["resources"]["limits"]) {
            if (name == "cpu" || name == "memory") && q.nanos > 0 {
                found += 1;
                let sum = limits.get(&name).map_or(q, |l| q.add(l));
                limits.insert(name, sum);
            }
        }
        if found < 2 {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed
        && requests
            .iter()
            .all(|(n, r)| limits.get(n).is_some_and(|l| l == r))
        && requests.len() == limits.len()
    {
        return "Guaranteed";
    }
    "Burstable"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn probes_print_their_handler_and_timings() {
        let p = json!({"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3});
        assert_eq!(
            describe_probe(&p),
            "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3"
        );
        let e = json!({"exec": {"command": ["cat", "/tmp/ok"]}, "initialDelaySeconds": 5});
        assert_eq!(
            describe_probe(&e),
            "exec [cat /tmp/ok] delay=5s timeout=0s period=0s #success=0 #failure=0"
        );
        let t = json!({"tcpSocket": {"port": "http"}});
        assert!(describe_probe(&t).starts_with("tcp-socket :http "));
    }

    #[test]
    fn a_terminating_crashing_pod_shows_its_grace_period_and_last_state() {
        let pod = json!({
            "metadata": {"name": "p", "namespace": "default",
                         "deletionTimestamp": "2026-01-01T00:00:10Z",
                         "deletionGracePeriodSeconds": 30},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "c", "containerID": "containerd://abc", "imageID": "busybox@sha256:1",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1,
                    "startedAt": "2026-01-01T00:00:01Z", "finishedAt": "2026-01-01T00:00:02Z"}},
                "ready": false, "restartCount": 3}]}
        });
        let now = (crate::sim::clock::EPOCH_UNIX_SECONDS as i64) * 1000 + 15_500;
        let out = describe_pod(&pod, None, now);
        let lines: Vec<&str> = out.lines().collect();
        for want in [
            "Status:                    Terminating (lasts 5s)",
            "Termination Grace Period:  30s",
            "    State:          Waiting",
            "      Reason:       CrashLoopBackOff",
            "    Last State:     Terminated",
            "      Reason:       Error",
            "      Exit Code:    1",
            "      Started:      Thu, 01 Jan 2026 00:00:01 +0000",
            "      Finished:     Thu, 01 Jan 2026 00:00:02 +0000",
            "    Ready:          False",
            "    Restart Count:  3",
            // No mounts: `Mounts:\t<none>` keeps the column block open down to here.
            "QoS Class:          BestEffort",
        ] {
            assert!(lines.contains(&want), "missing {want:?} in:\n{out}");
        }
        assert!(!out.contains("Events:"), "no events were asked for:\n{out}");
    }

    #[test]
    fn qos_follows_requests_and_limits() {
        let pod = |res: Value| json!({"spec": {"containers": [{"name": "c", "resources": res}]}});
        assert_eq!(pod_qos(&pod(json!({}))), "BestEffort");
        assert_eq!(
            pod_qos(&pod(json!({"requests": {"cpu": "100m"}}))),
            "Burstable"
        );
        assert_eq!(
            pod_qos(&pod(json!({"requests": {"cpu": "1", "memory": "1Gi"},
                                "limits": {"cpu": "1", "memory": "1Gi"}}))),
            "Guaranteed"
        );
    }
}
