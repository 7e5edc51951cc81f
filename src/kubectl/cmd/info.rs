//! What kubectl tells about the cluster itself: `version`, `api-versions`, `api-resources` and
//! `cluster-info`.

use serde_json::json;

use super::{Command, Invocation};
use crate::kubectl::client::ok_json;
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
    ]
}

fn client_version() -> serde_json::Value {
    json!({
        "buildDate": "2025-05-15T08:27:33Z",
        "compiler": "gc",
        "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
        "gitTreeState": "clean",
        "gitVersion": "v1.33.1",
        "goVersion": "go1.24.2",
        "major": "1",
        "minor": "33",
        "platform": "linux/amd64",
    })
}

fn version(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
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
            Ok(v) => doc["serverVersion"] = (*v).clone(),
            Err(e) => server_error = Some(e),
        }
    }
    if format.is_empty() {
        let mut text = "Client Version: v1.33.1\nKustomize Version: v5.6.0\n".to_string();
        if let Some(v) = doc["serverVersion"]["gitVersion"].as_str() {
            text += &format!("Server Version: {v}\n");
        }
        io.print(text);
    } else {
        io.print(output::print_object(&doc, format)?);
    }
    match server_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn api_versions(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let d = inv.client.discover(io)?;
    let mut gvs = d.group_versions.clone();
    gvs.sort();
    io.print(gvs.iter().map(|g| format!("{g}\n")).collect::<String>());
    Ok(())
}

fn api_resources(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
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
    let r = io.call(inv.client.request(
        "GET",
        "/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue",
        "application/json, */*",
    ))?;
    let list = ok_json(&r)?;
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
    text += "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
    io.print(text);
    Ok(())
}
