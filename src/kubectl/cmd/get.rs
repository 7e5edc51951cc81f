//! `kubectl get`: lists or named objects of one or several types, as server-side Tables
//! (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) printed with kubectl's columns, or
//! as objects in `-o yaml|json|name|jsonpath|custom-columns`; `-w` keeps watching and prints
//! each change as a row.

use std::sync::Arc;

use serde_json::{json, Value};

use super::{Command, Invocation, FILENAME};
use crate::apiserver::request::encode_component;
use crate::apiserver::watch::WatchEventType;
use crate::kubectl::client::{ok_json, selector_list_error, status_message, TABLE_ACCEPT};
use crate::kubectl::discovery::{ApiResource, Discovery, Resolved};
use crate::kubectl::flags::{bool_flag, flag, str_flag, Flag, Kind};
use crate::kubectl::io::{Fail, Io, Res};
use crate::kubectl::manifest;
use crate::kubectl::output::{self, TabWriter};

const FLAGS: &[Flag] = &[
    bool_flag("all-namespaces", Some('A')),
    str_flag("output", Some('o')),
    str_flag("selector", Some('l')),
    str_flag("field-selector", None),
    bool_flag("show-labels", None),
    flag(
        "label-columns",
        Some('L'),
        Kind::Many { split_commas: true },
    ),
    bool_flag("watch", Some('w')),
    bool_flag("watch-only", None),
    bool_flag("output-watch-events", None),
    bool_flag("no-headers", None),
    bool_flag("show-kind", None),
    bool_flag("ignore-not-found", None),
    str_flag("chunk-size", None),
    str_flag("sort-by", None),
    bool_flag("recursive", Some('R')),
    str_flag("subresource", None),
    str_flag("template", None),
    bool_flag("show-managed-fields", None),
    bool_flag("allow-missing-template-keys", None),
    str_flag("raw", None),
    FILENAME,
];

pub fn commands() -> Vec<Command> {
    vec![Command {
        path: "get",
        flags: FLAGS,
        run,
        help: include_str!("../help/get.txt"),
    }]
}

/// What to fetch: a type, and names of it (none: the list).
pub struct Target {
    pub resource: ApiResource,
    pub names: Vec<String>,
    /// The namespace of named objects read from a file.
    pub namespace: Option<String>,
    /// The file an object was read from (`error when deleting "pod.yaml": ...`).
    pub source: Option<String>,
}

/// kubectl's `ResourceTypeOrNameArgs`: `pods`, `pods web db`, `pods,svc`, `pod/web svc/x`,
/// or the objects of `-f` files. Used by get, describe, delete, label...
pub fn targets(
    io: &mut Io<'_>,
    inv: &Invocation,
    d: &Discovery,
    args: &[String],
) -> Res<Vec<Target>> {
    let mut out: Vec<Target> = Vec::new();
    let resolve = |typed: &str| -> Res<Vec<ApiResource>> {
        match d.resolve(typed) {
            Some(Resolved::One(r)) => Ok(vec![r]),
            Some(Resolved::Category(rs)) => Ok(rs),
            None => Err(Fail::msg(format!(
                "the server doesn't have a resource type \"{typed}\""
            ))),
        }
    };
    let files = inv.flags.many("filename");
    if !files.is_empty() {
        if !args.is_empty() {
            return Err(inv.usage_error(&format!("Unexpected args: [{}]", args.join(" "))));
        }
        for doc in manifest::read(io, &files, inv.flags.bool("recursive"))? {
            let api_version = doc.object["apiVersion"].as_str().unwrap_or_default();
            let kind = doc.object["kind"].as_str().unwrap_or_default();
            let (name, ns) = manifest::name_of(&doc.object);
            let Some(r) = d.for_kind(api_version, kind) else {
                return Err(no_mapping(name, ns, &doc.source, api_version, kind));
            };
            out.push(Target {
                resource: r.clone(),
                names: vec![name.to_string()],
                namespace: ns.map(str::to_string),
                source: Some(doc.source.clone()),
            });
        }
        return Ok(out);
    }
    if args.first().is_some_and(|a| a.contains('/')) {
        for a in args {
            let Some((t, name)) = a.split_once('/') else {
                return Err(Fail::msg(
                    "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
                ));
            };
            if name.is_empty() {
                return Err(Fail::msg(
                    "arguments in resource/name form must have a single resource and name",
                ));
            }
            for r in resolve(t)? {
                match out.iter_mut().find(|x| x.resource == r) {
                    Some(x) => x.names.push(name.to_string()),
                    None => out.push(Target {
                        resource: r,
                        names: vec![name.to_string()],
                        namespace: None,
                        source: None,
                    }),
                }
            }
        }
        return Ok(out);
    }
    let Some((types, names)) = args.split_first() else {
        return Ok(out);
    };
    if names.iter().any(|n| n.contains('/')) {
        return Err(Fail::msg(
            "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
        ));
    }
    for t in types.split(',').filter(|t| !t.is_empty()) {
        for r in resolve(t)? {
            if !out.iter().any(|x| x.resource == r) {
                out.push(Target {
                    resource: r,
                    names: names.to_vec(),
                    namespace: None,
                    source: None,
                });
            }
        }
    }
    Ok(out)
}

/// The builder's error for an object whose kind the server does not serve.
pub fn no_mapping(
    name: &str,
    ns: Option<&str>,
    source: &str,
    api_version: &str,
    kind: &str,
) -> Fail {
    Fail::msg(format!(
        "resource mapping not found for name: \"{name}\" namespace: \"{}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first",
        ns.unwrap_or_default()
    ))
}

/// The query of a list request (`limit=500`, selectors).
pub fn list_query(inv: &Invocation) -> String {
    let mut q = selector_query(inv);
    q.push("limit=500".to_string());
    q.join("&")
}

/// `labelSelector` and `fieldSelector` from `-l` and `--field-selector`.
pub fn selector_query(inv: &Invocation) -> Vec<String> {
    let mut q = Vec::new();
    if let Some(s) = inv.flags.str("selector") {
        q.push(format!("labelSelector={}", encode_component(s)));
    }
    if let Some(s) = inv.flags.str("field-selector") {
        q.push(format!("fieldSelector={}", encode_component(s)));
    }
    q
}

enum Format {
    Table { wide: bool },
    Object(String),
}

fn run(io: &mut Io<'_>, inv: &Invocation) -> Res<()> {
    let f = &inv.flags;
    if inv.args().is_empty() && f.many("filename").is_empty() {
        return Err(Fail::raw(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n",
        ));
    }
    if f.bool("show-labels") {
        if let Some(o) = f.str("output").filter(|o| !o.is_empty() && *o != "wide") {
            return Err(Fail::msg(format!(
                "--show-labels option cannot be used with {o} printer"
            )));
        }
    }
    let format = match f.str("output") {
        None | Some("") => Format::Table { wide: false },
        Some("wide") => Format::Table { wide: true },
        Some(o) => {
            output::check_format(o)?;
            Format::Object(o.to_string())
        }
    };
    let d = inv.client.discover(io)?;
    let targets = match targets(io, inv, &d, inv.args()) {
        // What goes wrong while the builder visits `-f` files (parsing, decoding, mapping)
        // reaches CheckErr inside get's own aggregate, which prints it without `error: `.
        Err(Fail::Error { text, code })
            if [
                "error: error parsing ",
                "error: unable to decode ",
                "error: resource mapping not found ",
            ]
            .iter()
            .any(|p| text.starts_with(p)) =>
        {
            return Err(Fail::Error {
                text: text["error: ".len()..].to_string(),
                code,
            })
        }
        other => other?,
    };
    let watching = f.bool("watch") || f.bool("watch-only");
    let tuples = inv.args().first().is_some_and(|a| a.contains('/'));
    // The watch's builder takes a single type (`pods,svc` or `all` are several).
    if watching && targets.len() > 1 && !tuples && f.many("filename").is_empty() {
        return Err(Fail::msg("you may only specify a single resource type"));
    }
    let all_ns = f.bool("all-namespaces");
    let with_kind = f.bool("show-kind")
        || targets.len() > 1
        || inv.args().first().is_some_and(|a| {
            !a.contains('/')
                && d.resolve(a)
                    .is_some_and(|r| matches!(r, Resolved::Category(_)))
        });
    let mut errors = String::new();
    let mut printed_any = false;
    let mut objects: Vec<Arc<Value>> = Vec::new();
    let mut tw = TabWriter::new();
    let mut table_text = String::new();
    // The list's resourceVersion, where `-w` starts watching.
    let mut list_rv = String::new();
    // The column definitions of the last Table fetched: watch events after the first carry
    // none, and the printer lays them out with these.
    let mut last_columns = Value::Null;
    let accept = match format {
        Format::Table { .. } => TABLE_ACCEPT,
        Format::Object(_) => "application/json",
    };
    for (ti, t) in targets.iter().enumerate() {
        let ns = if all_ns {
            None
        } else {
            Some(
                t.namespace
                    .clone()
                    .unwrap_or_else(|| inv.client.namespace.clone()),
            )
        };
        let mut tables: Vec<Arc<Value>> = Vec::new();
        if t.names.is_empty() {
            let path = format!(
                "{}?{}",
                t.resource.collection_path(ns.as_deref()),
                list_query(inv)
            );
            let r = io.call(inv.client.request("GET", &path, accept))?;
            if !(200..300).contains(&r.status) {
                return Err(selector_list_error(
                    &r,
                    &t.resource.group,
                    &t.resource.version,
                    &t.resource.name,
                    f.str("selector").unwrap_or_default(),
                    f.str("field-selector").unwrap_or_default(),
                ));
            }
            let body = ok_json(&r)?;
            if let Some(rv) = body["metadata"]["resourceVersion"].as_str() {
                list_rv = rv.to_string();
            }
            match format {
                Format::Table { .. } => tables.push(body),
                Format::Object(_) => {
                    for item in body["items"].as_array().into_iter().flatten() {
                        let mut o = item.clone();
                        // List items carry no kind: put it back as kubectl does.
                        if let Some(m) = o.as_object_mut() {
                            let mut full = serde_json::Map::new();
                            full.insert("apiVersion".into(), json!(t.resource.group_version()));
                            full.insert("kind".into(), json!(t.resource.kind));
                            for (k, v) in std::mem::take(m) {
                                full.insert(k, v);
                            }
                            *m = full;
                        }
                        objects.push(Arc::new(o));
                    }
                }
            }
        } else {
            for name in &t.names {
                let ns = ns.clone().unwrap_or_else(|| inv.client.namespace.clone());
                let path = if t.resource.namespaced {
                    t.resource.object_path(&ns, name)
                } else {
                    format!(
                        "{}/{}",
                        t.resource.collection_path(None),
                        encode_component(name)
                    )
                };
                let scope = if t.resource.namespaced {
                    ns.as_str()
                } else {
                    ""
                };
                let r = inv.client.info_get(io, &path, scope, accept)?;
                if r.status == 404 && f.bool("ignore-not-found") {
                    continue;
                }
                match ok_json(&r) {
                    Ok(body) => match format {
                        Format::Table { .. } => tables.push(body),
                        Format::Object(_) => objects.push(body),
                    },
                    Err(_) => errors += &status_message(&r, ""),
                }
            }
        }
        if let Some(columns) = tables
            .iter()
            .rev()
            .map(|t| &t["columnDefinitions"])
            .find(|c| c.as_array().is_some_and(|a| !a.is_empty()))
        {
            last_columns = columns.clone();
        }
        if let Format::Table { wide } = format {
            let rows: usize = tables
                .iter()
                .map(|t| t["rows"].as_array().map_or(0, Vec::len))
                .sum();
            if rows == 0 {
                continue;
            }
            if printed_any && ti > 0 {
                table_text += &tw.flush();
                table_text += "\n";
                tw = TabWriter::new();
            }
            printed_any = true;
            let mut header_done = false;
            for table in &tables {
                let header = !header_done && !f.bool("no-headers");
                let lines = table_lines(table, inv, &t.resource, wide, all_ns, with_kind, header);
                header_done = true;
                // `--output-watch-events`: what was listed prints as ADDED events.
                let lines = if watching && f.bool("output-watch-events") {
                    with_event_column(&lines, "ADDED", header)
                } else {
                    lines
                };
                tw.write(&lines);
            }
        }
    }
    match format {
        Format::Table { wide } => {
            if f.bool("watch-only") {
                // Nothing is printed before the first event.
                tw = TabWriter::new();
            } else {
                table_text += &tw.flush();
                io.print(&table_text);
            }
            // The watch path prints no "No resources found" (its printer just waits).
            if !printed_any
                && errors.is_empty()
                && targets.iter().all(|t| t.names.is_empty())
                && !watching
            {
                // `allResourcesNamespaced`: one info per list, namespaced or not.
                let namespaced = !all_ns && targets.iter().all(|t| t.resource.namespaced);
                io.print(no_resources(inv, namespaced));
            }
            if !errors.is_empty() {
                return Err(Fail::raw(errors));
            }
            if watching {
                let printer = WatchPrinter {
                    wide,
                    all_ns,
                    with_kind,
                    tw,
                    columns: last_columns,
                };
                return watch(io, inv, &targets, printer, &list_rv);
            }
        }
        Format::Object(ref o) => {
            let single = targets.iter().all(|t| !t.names.is_empty()) && objects.len() == 1;
            let text = if o == "name" {
                objects
                    .iter()
                    .map(|obj| format!("{}\n", output::kind_name(obj, &d)))
                    .collect()
            } else if single {
                output::print_object_with(
                    &objects[0],
                    o,
                    f.bool("show-managed-fields"),
                    f.bool("no-headers"),
                )?
            } else {
                let list = json!({
                    "apiVersion": "v1",
                    "items": objects.iter().map(|o| (**o).clone()).collect::<Vec<_>>(),
                    "kind": "List",
                    "metadata": {"resourceVersion": ""},
                });
                output::print_object_with(
                    &list,
                    o,
                    f.bool("show-managed-fields"),
                    f.bool("no-headers"),
                )?
            };
            // printGeneric: an empty list prints as one, without "No resources found".
            if o == "name" {
                // `-o name` is the one object format get leaves wrapped in the TablePrinter
                // (server printing is off for yaml, json and custom columns), which finds no
                // Table in what it is handed.
                let line = io.log.info(
                    2,
                    io.now(),
                    "table_printer.go:45",
                    "Unable to decode server response into a Table. Falling back to hardcoded types: attempt to decode non-Table object",
                );
                io.print(line);
            }
            io.print(text);
            if !errors.is_empty() {
                return Err(Fail::raw(errors));
            }
        }
    }
    Ok(())
}

/// What `get` prints when it printed nothing: the namespace is named only when every type
/// listed is namespaced and not listed across namespaces.
fn no_resources(inv: &Invocation, namespaced: bool) -> String {
    if namespaced {
        format!(
            "No resources found in {} namespace.\n",
            inv.client.namespace
        )
    } else {
        "No resources found\n".to_string()
    }
}

/// A Table's header and rows as tab-separated lines, with the columns kubectl adds
/// (NAMESPACE for `-A`, LABELS for `--show-labels`, one per `-L` key).
fn table_lines(
    table: &Value,
    inv: &Invocation,
    resource: &ApiResource,
    wide: bool,
    all_ns: bool,
    with_kind: bool,
    header: bool,
) -> String {
    let f = &inv.flags;
    let columns: Vec<(usize, String)> = table["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, c)| wide || c["priority"].as_i64().unwrap_or(0) == 0)
        .map(|(i, c)| (i, c["name"].as_str().unwrap_or_default().to_uppercase()))
        .collect();
    let label_columns = f.many("label-columns");
    let ns_column = all_ns && resource.namespaced;
    let mut text = String::new();
    if header {
        let mut h: Vec<String> = Vec::new();
        if ns_column {
            h.push("NAMESPACE".into());
        }
        h.extend(columns.iter().map(|(_, n)| n.clone()));
        h.extend(
            label_columns
                .iter()
                .map(|l| l.rsplit('/').next().unwrap_or(l).to_uppercase()),
        );
        if f.bool("show-labels") {
            h.push("LABELS".into());
        }
        text += &h.join("\t");
        text += "\n";
    }
    for row in table["rows"].as_array().into_iter().flatten() {
        let meta = &row["object"]["metadata"];
        let mut cells: Vec<String> = Vec::new();
        if ns_column {
            cells.push(meta["namespace"].as_str().unwrap_or_default().to_string());
        }
        for (n, (i, _)) in columns.iter().enumerate() {
            let cell = &row["cells"][*i];
            let mut s = match cell {
                Value::String(s) => s.clone(),
                Value::Null => "<none>".to_string(),
                other => other.to_string(),
            };
            if n == 0 && with_kind {
                s = format!("{}/{s}", resource.kind_group());
            }
            cells.push(s);
        }
        for l in &label_columns {
            cells.push(meta["labels"][l].as_str().unwrap_or_default().to_string());
        }
        if f.bool("show-labels") {
            cells.push(output::labels_string(&meta["labels"]));
        }
        text += &cells.join("\t");
        text += "\n";
    }
    text
}

/// The EVENT column `--output-watch-events` puts first: `formatEventType` pads the type to
/// eight characters (`ADDED   `, `MODIFIED`, `DELETED `).
fn with_event_column(lines: &str, event: &str, header: bool) -> String {
    lines
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if header && i == 0 {
                format!("EVENT\t{l}\n")
            } else {
                format!("{event:<8}\t{l}\n")
            }
        })
        .collect()
}

/// How `get -w` prints its events: the table's options, its tabwriter (which remembers the
/// widths of what was printed before), and the last column definitions it saw.
struct WatchPrinter {
    wide: bool,
    all_ns: bool,
    with_kind: bool,
    tw: TabWriter,
    columns: Value,
}

/// `get -w`: watches from the list's resourceVersion and prints a row per event.
fn watch(
    io: &mut Io<'_>,
    inv: &Invocation,
    targets: &[Target],
    printer: WatchPrinter,
    list_rv: &str,
) -> Res<()> {
    let WatchPrinter {
        wide,
        all_ns,
        with_kind,
        mut tw,
        mut columns,
    } = printer;
    let [t] = targets else {
        return Err(Fail::msg("watch is only supported on individual resources and resource collections - more than 1 resource was found"));
    };
    let ns = (!all_ns).then(|| inv.client.namespace.clone());
    let mut query = match t.names.first() {
        Some(name) => vec![format!(
            "fieldSelector={}",
            encode_component(&format!("metadata.name={name}"))
        )],
        None => selector_query(inv),
    };
    // A list is watched from its resourceVersion; one object from "0", whose synthetic ADDED
    // event for the object just printed is skipped.
    let single = !t.names.is_empty();
    if single {
        query.push("resourceVersion=0".to_string());
    } else if !list_rv.is_empty() {
        query.push(format!("resourceVersion={list_rv}"));
    }
    query.push("watch=true".to_string());
    let path = format!(
        "{}?{}",
        t.resource.collection_path(ns.as_deref()),
        query.join("&")
    );
    let (r, events) = io.watch(inv.client.request("GET", &path, TABLE_ACCEPT))?;
    if r.status != 200 {
        return Err(crate::kubectl::client::status_error(&r));
    }
    let header = !inv.flags.bool("no-headers") && tw.is_empty();
    let mut first = header;
    for (i, e) in events.into_iter().enumerate() {
        if e.kind == WatchEventType::Bookmark || (single && i == 0) {
            continue;
        }
        if e.kind == WatchEventType::Error {
            return Err(Fail::msg(
                e.object["message"]
                    .as_str()
                    .unwrap_or("watch closed with an error"),
            ));
        }
        // HumanReadablePrinter: a Table without column definitions is laid out with the last
        // ones printed; one with new definitions prints its header again.
        let mut table = (*e.object).clone();
        match table["columnDefinitions"].as_array() {
            Some(c) if !c.is_empty() => {
                if table["columnDefinitions"] != columns {
                    columns = table["columnDefinitions"].clone();
                    first = !inv.flags.bool("no-headers");
                }
            }
            _ => table["columnDefinitions"] = columns.clone(),
        }
        let lines = table_lines(&table, inv, &t.resource, wide, all_ns, with_kind, first);
        let lines = if inv.flags.bool("output-watch-events") {
            let kind = format!("{:?}", e.kind).to_uppercase();
            with_event_column(&lines, &kind, first)
        } else {
            lines
        };
        first = false;
        tw.write(&lines);
        io.print(tw.flush());
    }
    Err(Fail::Watching)
}
