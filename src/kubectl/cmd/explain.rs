//! `kubectl explain TYPE[.field...]`: kubectl 1.33's `cmd/explain/explain.go` over OpenAPI v3.
//! It maps the first word to a resource (the RESTMapper, from discovery), reads the server's
//! `/openapi/v3` paths, fetches the resource's group-version document and renders it with the
//! `plaintext` template (`kubectl::explain`). `--output=plaintext-openapiv2` asks for
//! `/openapi/v2`, which kubestep's API server does not serve (it answers 404, as the real
//! kubectl then reports).
//!
//! The field descriptions are in the documents only when kubestep is built with the
//! `explain-descriptions` feature (the native binary is; the page is not, to stay small).
//! Without them the output is what the real kubectl prints for undocumented fields
//! (`<empty>`, `<no description>`), and kubestep's kubectl adds a note saying why.

use std::sync::Arc;

use serde_json::Value;

use super::{Command, Invocation};
use crate::kubectl::client::{ok_json, status_error};
use crate::kubectl::discovery::{ApiResource, Discovery};
use crate::kubectl::explain::{render, Gvr};
use crate::kubectl::flags::{bool_flag, str_flag, Flag};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::printers::jsonpath::{explain_path, PathNode};

const EXPLAIN_FLAGS: &[Flag] = &[
    bool_flag("recursive", None),
    str_flag("api-version", None),
    str_flag("output", None),
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "explain",
        flags: EXPLAIN_FLAGS,
        run: explain,
        help: include_str!("../help/explain.txt"),
    }]
}

/// What kubestep's kubectl says under an explanation when the build has no descriptions.
pub const NO_DESCRIPTIONS_NOTE: &str = "(kubestep: this build has no field descriptions (cargo feature explain-descriptions), so the documentation reads <empty> and <no description>; the real kubectl prints the API's documentation there.)\n";

/// `mapper.ResourcesFor`: every served resource the word names (plural, singular, short name
/// or kind), the core group first, then in discovery's order.
fn resources_for(d: &Discovery, word: &str) -> Vec<ApiResource> {
    let lower = word.to_lowercase();
    let mut found: Vec<ApiResource> = d
        .resources
        .iter()
        .filter(|r| {
            r.name == lower
                || r.singular == lower
                || r.short_names.contains(&lower)
                || r.kind.to_lowercase() == lower
        })
        .cloned()
        .collect();
    found.sort_by_key(|r| !r.group.is_empty());
    found
}

/// The error kubectl prints for a word no resource answers to (`meta.NoResourceMatchError`,
/// which `CheckErr` prints without `error: `).
fn no_match(word: &str) -> Fail {
    Fail::raw(format!(
        "the server doesn't have a resource type {}\n",
        crate::kubectl::client::go_quote(&word.to_lowercase())
    ))
}

/// The field names of a parsed path; `Err` with kubectl's message when a node is not a field.
fn fields(nodes: &[PathNode], message: &str) -> Res<Vec<String>> {
    nodes
        .iter()
        .map(|n| match n {
            PathNode::Field(f) => Ok(f.clone()),
            PathNode::Other => Err(Fail::msg(message)),
        })
        .collect()
}

/// `explain.SplitAndParseResourceRequestWithMatchingPrefix` (no `--api-version`): the first
/// resource whose `resource.group` starts the argument takes the rest as its field path;
/// otherwise the first match takes every word after the first.
fn split_with_matching_prefix(d: &Discovery, input: &str) -> Res<(ApiResource, Vec<String>)> {
    let nodes = explain_path(input).map_err(Fail::msg)?;
    let Some(PathNode::Field(word)) = nodes.first() else {
        return Err(Fail::msg(
            "invalid jsonpath syntax, first node must be field node",
        ));
    };
    let candidates = resources_for(d, word);
    if candidates.is_empty() {
        return Err(no_match(word));
    }
    for r in &candidates {
        let group_resource = r.group_resource();
        if let Some(suffix) = input.strip_prefix(group_resource.as_str()) {
            let mut path = Vec::new();
            if !suffix.is_empty() {
                let suffix_nodes = explain_path(suffix).map_err(Fail::msg)?;
                path = fields(
                    suffix_nodes.get(1..).unwrap_or_default(),
                    "invalid jsonpath syntax, first node must be field node",
                )?;
            }
            return Ok((r.clone(), path));
        }
    }
    let path = fields(
        &nodes[1..],
        "invalid jsonpath syntax, first node must be field node",
    )?;
    Ok((candidates[0].clone(), path))
}

/// `explain.SplitAndParseResourceRequest` (with `--api-version`): `mapper.ResourceFor` of the
/// first word, every other word a field.
fn split(d: &Discovery, input: &str) -> Res<(ApiResource, Vec<String>)> {
    let nodes = explain_path(input).map_err(Fail::msg)?;
    let Some(PathNode::Field(word)) = nodes.first() else {
        return Err(Fail::msg(
            "invalid jsonpath syntax, first node must be field node",
        ));
    };
    let Some(r) = resources_for(d, word).into_iter().next() else {
        return Err(no_match(word));
    };
    let path = fields(
        &nodes[1..],
        "invalid jsonpath syntax, all nodes must be field nodes",
    )?;
    Ok((r, path))
}

/// `schema.ParseGroupVersion`.
fn parse_group_version(gv: &str) -> Res<(String, String)> {
    if gv.is_empty() || gv == "/" {
        return Ok((String::new(), String::new()));
    }
    match gv.matches('/').count() {
        0 => Ok((String::new(), gv.to_string())),
        1 => {
            let (g, v) = gv.split_once('/').expect("one slash");
            Ok((g.to_string(), v.to_string()))
        }
        _ => Err(Fail::msg(format!("unexpected GroupVersion string: {gv}"))),
    }
}

fn explain(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    let args = inv.args();
    // Validate.
    if args.is_empty() {
        return Err(Fail::msg(
            "You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.",
        ));
    }
    if args.len() > 1 {
        return Err(Fail::msg("We accept only this format: explain RESOURCE"));
    }
    let input = &args[0];
    let api_version = f.str("api-version").filter(|v| !v.is_empty());
    let d = inv.client.discover(io)?;
    let (resource, field_path) = match api_version {
        None => split_with_matching_prefix(&d, input)?,
        Some(_) => split(&d, input)?,
    };
    let format = f.str_or("output", "plaintext");
    if format == "plaintext-openapiv2" {
        // kubestep's API server serves no /openapi/v2: the real kubectl reports its 404.
        let r = io.call(inv.client.request(
            "GET",
            "/openapi/v2?timeout=32s",
            "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
        ))?;
        if r.status == 404 {
            // client-go's text for a 404 without a Status body.
            return Err(Fail::raw(
                "Error from server (NotFound): the server could not find the requested resource\n",
            ));
        }
        return Err(status_error(&r));
    }
    // The server's OpenAPI v3 paths (`client.Paths()`).
    let r = io.call(inv.client.request(
        "GET",
        "/openapi/v3?timeout=32s",
        "application/json, */*",
    ))?;
    let paths = ok_json(&r)?;
    let (mut group, mut version) = (resource.group.clone(), resource.version.clone());
    if let Some(gv) = api_version {
        (group, version) = parse_group_version(gv)?;
    }
    let gvr = Gvr {
        group,
        version,
        resource: resource.name.clone(),
    };
    let path = if gvr.group.is_empty() {
        format!("api/{}", gvr.version)
    } else {
        format!("apis/{}/{}", gvr.group, gvr.version)
    };
    let Some(url) = paths["paths"][&path]["serverRelativeURL"].as_str() else {
        return Err(Fail::msg(format!(
            "couldn't find resource for \"{}\"",
            gvr.go_string()
        )));
    };
    let url = if url.contains('?') {
        format!("{url}&timeout=32s")
    } else {
        format!("{url}?timeout=32s")
    };
    let r = io.call(inv.client.request("GET", &url, "application/json"))?;
    let document: Arc<Value> = match r.body_json().filter(|_| r.status == 200) {
        Some(doc) => doc,
        None => {
            return Err(Fail::msg(format!(
                "failed to fetch openapi schema for {path}: {}",
                crate::kubectl::cmdutil::GoErr::from_response(&r).error()
            )))
        }
    };
    if format != "plaintext" {
        return Err(Fail::msg(format!("unrecognized format: {format}")));
    }
    let rendered = render(&document, &gvr, &field_path, f.bool("recursive"));
    io.print(&rendered.out);
    if let Some(e) = rendered.error {
        return Err(Fail::raw(format!("{e}\n")));
    }
    if !cfg!(feature = "explain-descriptions") {
        io.print(NO_DESCRIPTIONS_NOTE);
    }
    Ok(())
}
