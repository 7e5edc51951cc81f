//! What kubectl tells about the cluster itself: `version`, `api-versions`, `api-resources` and
//! `cluster-info`.

use serde_json::{json, Value};

use super::{Command, Invocation};
use crate::apiserver::request::encode_component;
use crate::kubectl::client::{ok_json, status_message};
use crate::kubectl::discovery::ApiResource;
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::logging::SERVER;
use crate::kubectl::output;

const VERSION_FLAGS: &[Flag] = &[bool_flag("client", None), str_flag("output", Some('o'))];

const API_RESOURCES_FLAGS: &[Flag] = &[
    str_flag("api-group", None),
    bool_flag("cached", None),
    flag("categories", None, Kind::Many { split_commas: true }),
    str_flag("namespaced", None),
    bool_flag("no-headers", None),
    str_flag("output", Some('o')),
    str_flag("sort-by", None),
    flag("verbs", None, Kind::Many { split_commas: true }),
];

const DUMP_FLAGS: &[Flag] = &[
    bool_flag("all-namespaces", Some('A')),
    bool_flag("allow-missing-template-keys", None),
    flag("namespaces", None, Kind::Many { split_commas: true }),
    str_flag("output", Some('o')),
    str_flag("output-directory", None),
    str_flag("pod-running-timeout", None),
    bool_flag("show-managed-fields", None),
    str_flag("template", None),
];

/// `fmt.Sprintf("%v", args)` of a command's arguments: `[a b]`.
fn go_args(args: &[String]) -> String {
    format!("[{}]", args.join(" "))
}

pub fn commands() -> Vec<Command> {
    vec![
        Command {
            path: "version",
            flags: VERSION_FLAGS,
            run: version,
            help: include_str!("../help/version.txt"),
        },
        Command {
            path: "api-versions",
            flags: &[],
            run: api_versions,
            help: include_str!("../help/api-versions.txt"),
        },
        Command {
            path: "api-resources",
            flags: API_RESOURCES_FLAGS,
            run: api_resources,
            help: include_str!("../help/api-resources.txt"),
        },
        Command {
            path: "cluster-info",
            flags: &[],
            run: cluster_info,
            help: include_str!("../help/cluster-info.txt"),
        },
        Command {
            path: "cluster-info dump",
            flags: DUMP_FLAGS,
            run: cluster_info_dump,
            help: include_str!("../help/cluster-info_dump.txt"),
        },
    ]
}

/// kubectl's own `version.Info`, in the struct's field order.
fn client_version() -> serde_json::Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.1",
        "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
        "gitTreeState": "clean",
        "buildDate": "2025-05-15T08:27:33Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// The server's `/version` answer as kubectl decodes it into `version.Info`: the struct's
/// fields in their order (each `omitempty`).
fn server_version(v: &Value) -> Value {
    const FIELDS: &[&str] = &[
        "major",
        "minor",
        "emulationMajor",
        "emulationMinor",
        "minCompatibilityMajor",
        "minCompatibilityMinor",
        "gitVersion",
        "gitCommit",
        "gitTreeState",
        "buildDate",
        "goVersion",
        "compiler",
        "platform",
    ];
    let mut out = serde_json::Map::new();
    for f in FIELDS {
        if let Some(x) = v.get(*f).filter(|x| x.as_str() != Some("")) {
            out.insert((*f).to_string(), x.clone());
        }
    }
    Value::Object(out)
}

fn version(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if !inv.args().is_empty() {
        return Err(Fail::msg(format!(
            "extra arguments: {}",
            go_args(inv.args())
        )));
    }
    let format = f.str("output").unwrap_or_default();
    if !matches!(format, "" | "yaml" | "json") {
        return Err(Fail::msg("--output must be 'yaml' or 'json'"));
    }
    let mut doc = json!({"clientVersion": client_version(), "kustomizeVersion": "v5.6.0"});
    let mut server_error = None;
    if !f.bool("client") {
        let r = io.call(inv.client.request(
            "GET",
            "/version?timeout=32s",
            "application/json, */*",
        ))?;
        match ok_json(&r) {
            Ok(v) => doc["serverVersion"] = server_version(&v),
            Err(e) => server_error = Some(e),
        }
    }
    if format.is_empty() {
        let mut text = "Client Version: v1.33.1\nKustomize Version: v5.6.0\n".to_string();
        if let Some(v) = doc["serverVersion"]["gitVersion"].as_str() {
            text += &format!("Server Version: {v}\n");
        }
        io.print(text);
    } else if format == "json" {
        // `json.MarshalIndent(&versionInfo, "", "  ")` and Println: the struct's order, two
        // spaces a level (the JSON printer's four, halved: indentation is all a line's
        // leading spaces).
        let text = output::print_object_typed(&doc, "json")?;
        let text: String = text
            .lines()
            .map(|l| {
                let body = l.trim_start_matches(' ');
                format!("{}{body}\n", " ".repeat((l.len() - body.len()) / 2))
            })
            .collect();
        io.print(text);
    } else {
        // `yaml.Marshal` ends in a line break and Println adds another.
        io.print(output::print_object(&doc, format)? + "\n");
    }
    match server_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn api_versions(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    if !inv.args().is_empty() {
        return Err(inv.usage_error(&format!("unexpected arguments: {}", go_args(inv.args()))));
    }
    let d = inv.client.discover(io)?;
    let mut gvs = d.group_versions.clone();
    gvs.sort();
    io.print(gvs.iter().map(|g| format!("{g}\n")).collect::<String>());
    Ok(())
}

fn api_resources(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if !inv.args().is_empty() {
        return Err(inv.usage_error(&format!("unexpected arguments: {}", go_args(inv.args()))));
    }
    let wide = match f.str("output") {
        None | Some("") => false,
        Some("wide") => true,
        Some("name") => false,
        Some(o) => return Err(Fail::msg(format!("--output {o} is not available"))),
    };
    let d = inv.client.discover(io)?;
    let mut rs: Vec<&ApiResource> = d.resources.iter().collect();
    if let Some(g) = f.str("api-group") {
        rs.retain(|r| r.group == g);
    }
    if let Some(ns) = f.str("namespaced") {
        let want = ns == "true";
        rs.retain(|r| r.namespaced == want);
    }
    let verbs = f.many("verbs");
    rs.retain(|r| verbs.iter().all(|v| r.verbs.contains(v)));
    let cats = f.many("categories");
    rs.retain(|r| cats.iter().all(|c| r.categories.contains(c)));
    match f.str("sort-by") {
        None | Some("") => rs.sort_by(|a, b| a.group.cmp(&b.group).then(a.name.cmp(&b.name))),
        Some("name") => rs.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("kind") => rs.sort_by(|a, b| a.kind.cmp(&b.kind)),
        Some(_) => return Err(Fail::msg("--sort-by accepts only name or kind")),
    }
    if f.str("output") == Some("name") {
        let names: String = rs
            .iter()
            .map(|r| {
                if r.group.is_empty() {
                    format!("{}\n", r.name)
                } else {
                    format!("{}.{}\n", r.name, r.group)
                }
            })
            .collect();
        io.print(names);
        return Ok(());
    }
    let mut text = String::new();
    if !f.bool("no-headers") {
        text += "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND";
        text += if wide { "\tVERBS\tCATEGORIES\n" } else { "\n" };
    }
    for r in rs {
        text += &format!(
            "{}\t{}\t{}\t{}\t{}",
            r.name,
            r.short_names.join(","),
            r.group_version(),
            r.namespaced,
            r.kind
        );
        if wide {
            text += &format!("\t{}\t{}", r.verbs.join(","), r.categories.join(","));
        }
        text += "\n";
    }
    io.print(output::tabwrite(&text));
    Ok(())
}

fn cluster_info(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    const TRAILER: &str =
        "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
    let r = io.call(inv.client.request(
        "GET",
        "/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue",
        "application/json, */*",
    ))?;
    let list = match ok_json(&r) {
        Ok(list) => list,
        Err(e) => {
            // The trailer is written whatever the visit returned, the error after it.
            io.print(TRAILER);
            return Err(e);
        }
    };
    // kubectl colours the names and addresses with ANSI escapes.
    let mut text = format!(
        "\x1b[0;32mKubernetes control plane\x1b[0m is running at \x1b[0;33m{SERVER}\x1b[0m\n"
    );
    for s in list["items"].as_array().into_iter().flatten() {
        let name = s["metadata"]["labels"]["kubernetes.io/name"]
            .as_str()
            .or(s["metadata"]["name"].as_str())
            .unwrap_or_default();
        let svc = s["metadata"]["name"].as_str().unwrap_or_default();
        let port = s["spec"]["ports"][0]["name"].as_str().unwrap_or_default();
        let port = if port.is_empty() {
            String::new()
        } else {
            format!(":{port}")
        };
        text += &format!(
            "\x1b[0;32m{name}\x1b[0m is running at \x1b[0;33m{SERVER}/api/v1/namespaces/kube-system/services/{svc}{port}/proxy\x1b[0m\n"
        );
    }
    text += TRAILER;
    io.print(text);
    Ok(())
}

/// A list as kubectl's typed client decodes it (`corev1.NodeList`...): its items lose their
/// kind and apiVersion (a typed list's items carry no TypeMeta).
fn typed_list(list: &Value) -> Value {
    let mut list = list.clone();
    for item in list["items"].as_array_mut().into_iter().flatten() {
        if let Some(o) = item.as_object_mut() {
            o.remove("kind");
            o.remove("apiVersion");
        }
    }
    list
}

/// `cluster-info dump` (clusterinfo_dump.go) to standard output: the nodes, then for each
/// namespace its events, replication controllers, services, daemon sets, deployments,
/// replica sets and pods, then every container's log. The first failed list ends it (against
/// kubestep's API server that is the replication controllers, a resource it does not serve:
/// the real kubectl stops at the same place).
fn cluster_info_dump(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if f.str("output-directory")
        .is_some_and(|d| !d.is_empty() && d != "-")
    {
        return Err(Fail::msg(
            "kubestep's kubectl writes no files: cluster-info dump prints to standard output (leave out --output-directory)",
        ));
    }
    let format = f.str("output").filter(|o| !o.is_empty()).unwrap_or("json");
    output::check_object_output(Some(format))?;
    let show_managed = f.bool("show-managed-fields");
    // The name printer refuses typed lists, and the nodes come first.
    let name_printer = |list: &Value| {
        Fail::msg(format!(
            "list types are not supported by name printing: *v1.{}",
            list["kind"].as_str().unwrap_or("List")
        ))
    };
    let mut printed = 0;
    let mut print = |io: &mut Io<'_>, list: &Value| -> Res<()> {
        let text = if format == "name" {
            return Err(name_printer(list));
        } else if format == "json" {
            output::print_object_typed_managed(&typed_list(list), "json", show_managed)?
        } else {
            output::print_object_managed(&typed_list(list), format, show_managed)?
        };
        // The YAML printer separates the documents after its first.
        if format == "yaml" && printed > 0 {
            io.print("---\n");
        }
        printed += 1;
        io.print(text);
        Ok(())
    };
    let nodes = inv.client.get_json(io, "/api/v1/nodes?limit=500")?;
    print(io, &nodes)?;
    let namespaces: Vec<String> = if f.bool("all-namespaces") {
        let list = inv.client.get_json(io, "/api/v1/namespaces?limit=500")?;
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
            .collect()
    } else if f.many("namespaces").is_empty() {
        vec!["kube-system".to_string(), inv.client.namespace.clone()]
    } else {
        f.many("namespaces")
    };
    for ns in &namespaces {
        let mut pods = Value::Null;
        for path in [
            format!("/api/v1/namespaces/{ns}/events"),
            format!("/api/v1/namespaces/{ns}/replicationcontrollers"),
            format!("/api/v1/namespaces/{ns}/services"),
            format!("/apis/apps/v1/namespaces/{ns}/daemonsets"),
            format!("/apis/apps/v1/namespaces/{ns}/deployments"),
            format!("/apis/apps/v1/namespaces/{ns}/replicasets"),
            format!("/api/v1/namespaces/{ns}/pods"),
        ] {
            let list = inv.client.get_json(io, &format!("{path}?limit=500"))?;
            print(io, &list)?;
            pods = (*list).clone();
        }
        for pod in pods["items"].as_array().into_iter().flatten() {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            let containers = pod["spec"]["initContainers"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(pod["spec"]["containers"].as_array().into_iter().flatten());
            for c in containers {
                let c = c["name"].as_str().unwrap_or_default();
                io.print(format!(
                    "==== START logs for container {c} of pod {ns}/{name} ====\n"
                ));
                let r = io.call(inv.client.request(
                    "GET",
                    &format!(
                        "/api/v1/namespaces/{ns}/pods/{}/log?container={}",
                        encode_component(name),
                        encode_component(c)
                    ),
                    "application/json, */*",
                ))?;
                if (200..300).contains(&r.status) {
                    io.print(String::from_utf8_lossy(&r.body.to_bytes()));
                } else {
                    // The StatusError's own text: its message, without kubectl's
                    // `Error from server (...)` framing.
                    let message = r
                        .body_json()
                        .and_then(|s| s["message"].as_str().map(str::to_string))
                        .unwrap_or_else(|| status_message(&r, "").trim_end().to_string());
                    io.print(format!("Request log error: {message}\n"));
                }
                io.print(format!(
                    "==== END logs for container {c} of pod {ns}/{name} ====\n"
                ));
            }
        }
    }
    io.print("Cluster info dumped to standard output\n");
    Ok(())
}
