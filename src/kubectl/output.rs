//! How commands write objects and tables: `-o yaml|json|name|jsonpath=...|custom-columns=...`
//! dispatched to the ports in `printers/`, and the table writer kubectl uses.

use serde_json::Value;

use super::io::{Fail, Res};
use super::printers::{custom_columns::CustomColumns, json, jsonpath, tabwriter, yaml};

const ALLOWED: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

fn no_printer(format: &str) -> Fail {
    Fail::msg(format!(
        "unable to match a printer suitable for the output format \"{format}\", allowed formats are: {ALLOWED}"
    ))
}

/// Fails for an `-o` value kubectl has no printer for (before any request is sent, as
/// kubectl checks its flags first).
pub fn check_format(format: &str) -> Res<()> {
    let (name, arg) = format.split_once('=').unwrap_or((format, ""));
    match name {
        "yaml" | "json" | "name" | "wide" => Ok(()),
        "jsonpath" | "jsonpath-as-json" => {
            if arg.is_empty() {
                return Err(Fail::msg("template format specified but no template given"));
            }
            jsonpath::JsonPath::parse(arg).map_err(|e| Fail::msg(e.to_string()))?;
            Ok(())
        }
        "custom-columns" => {
            if arg.is_empty() {
                return Err(Fail::msg("custom-columns format specified but no custom columns given"));
            }
            CustomColumns::parse(arg).map_err(|e| Fail::msg(e.to_string()))?;
            Ok(())
        }
        "go-template" | "template" | "go-template-file" | "templatefile" | "jsonpath-file"
        | "custom-columns-file" => Err(Fail::msg(format!(
            "kubestep's kubectl does not run Go templates or template files (-o {name}); use -o jsonpath or -o custom-columns"
        ))),
        _ => Err(no_printer(format)),
    }
}

/// The formats `PrintFlags.ToPrinter` knows when no table or wide form is on offer (the
/// commands that print the object they wrote: run, create, expose, label, scale...).
const OBJECT_FORMATS: &str = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

/// `PrintFlags.ToPrinter()` of such a command: fails for a format it has no printer for,
/// before any request.
pub fn check_object_output(output: Option<&str>) -> Res<()> {
    let Some(format) = output.filter(|o| !o.is_empty()) else {
        return Ok(());
    };
    let name = format.split_once('=').map_or(format, |(n, _)| n);
    match name {
        "json" | "yaml" | "name" | "jsonpath" | "jsonpath-as-json" | "go-template"
        | "go-template-file" | "template" | "templatefile" | "jsonpath-file" => {
            check_format(format)
        }
        _ => Err(Fail::msg(format!(
            "unable to match a printer suitable for the output format {}, allowed formats are: {OBJECT_FORMATS}",
            super::cmdutil::quote(format)
        ))),
    }
}

/// `OmitManagedFieldsPrinter`: the object, or each item of a list, without
/// `metadata.managedFields`, as kubectl's JSON and YAML printers show them unless
/// `--show-managed-fields` is given.
pub fn omit_managed_fields(v: &Value) -> Value {
    let mut v = v.clone();
    let strip = |o: &mut Value| {
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
    };
    // `meta.IsListType`: an object with an `items` array is a list.
    match v.get_mut("items").and_then(Value::as_array_mut) {
        Some(items) => items.iter_mut().for_each(strip),
        None => strip(&mut v),
    }
    v
}

/// An object (or a `List`) in the output format `-o` names; JSON and YAML without
/// managedFields (kubectl's default, `--show-managed-fields=false`).
pub fn print_object(v: &Value, format: &str) -> Res<String> {
    print_object_managed(v, format, false)
}

/// [`print_object`], with managedFields kept when `show_managed` (`--show-managed-fields`).
pub fn print_object_managed(v: &Value, format: &str, show_managed: bool) -> Res<String> {
    print_object_with(v, format, show_managed, false)
}

/// [`print_object_managed`], custom columns without their header when `no_headers`
/// (`get --no-headers`).
pub fn print_object_with(
    v: &Value,
    format: &str,
    show_managed: bool,
    no_headers: bool,
) -> Res<String> {
    let stripped;
    let v = if !show_managed && matches!(format, "yaml" | "json") {
        stripped = omit_managed_fields(v);
        &stripped
    } else {
        v
    };
    let (name, arg) = format.split_once('=').unwrap_or((format, ""));
    match name {
        "yaml" => yaml::to_yaml(v).map_err(|e| Fail::msg(e.to_string())),
        "json" => Ok(json::to_json(v)),
        "name" => super::printers::name::to_name(v)
            .map(|s| format!("{s}\n"))
            .map_err(|e| Fail::msg(e.to_string())),
        "jsonpath" | "jsonpath-as-json" => {
            check_format(format)?;
            let p = jsonpath::JsonPath::parse(arg)
                .map_err(|e| Fail::msg(e.to_string()))?
                .json_output(name == "jsonpath-as-json");
            p.execute(v).map_err(|e| Fail::msg(e.to_string()))
        }
        "custom-columns" => {
            check_format(format)?;
            let cc = CustomColumns::parse(arg).map_err(|e| Fail::msg(e.to_string()))?;
            let items: Vec<&Value> = match v["items"].as_array() {
                Some(items) if v["kind"].as_str().is_some_and(|k| k.ends_with("List")) => {
                    items.iter().collect()
                }
                _ => vec![v],
            };
            let (text, err) = cc.print(&items, no_headers);
            match err {
                None => Ok(text),
                Some(e) => Err(Fail::raw(format!("{text}error: {e}\n"))),
            }
        }
        _ => {
            check_format(format)?;
            Err(no_printer(format))
        }
    }
}

/// [`print_object`] for a typed object (a generator's, or a typed client's answer): `-o json`
/// keeps the object's key order, the Go struct's; YAML sorts keys either way.
pub fn print_object_typed(v: &Value, format: &str) -> Res<String> {
    print_object_typed_managed(v, format, false)
}

/// [`print_object_typed`], with managedFields kept when `show_managed`.
pub fn print_object_typed_managed(v: &Value, format: &str, show_managed: bool) -> Res<String> {
    if format == "json" {
        let v = if show_managed {
            v.clone()
        } else {
            omit_managed_fields(v)
        };
        return Ok(json::to_json_typed(&v));
    }
    print_object_managed(v, format, show_managed)
}

/// `pod/web`, `deployment.apps/web` (`-o name`).
pub fn kind_name(obj: &Value, d: &super::discovery::Discovery) -> String {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let kind = obj["kind"].as_str().unwrap_or_default();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    match d.for_kind(api_version, kind) {
        Some(r) => format!("{}/{name}", r.kind_group()),
        None => format!("{}/{name}", kind.to_lowercase()),
    }
}

/// Labels as `--show-labels` prints them: `k=v,k2=v2` sorted by key, `<none>` when empty.
pub fn labels_string(labels: &Value) -> String {
    let mut pairs: Vec<String> = labels
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    if pairs.is_empty() {
        return "<none>".to_string();
    }
    pairs.sort();
    pairs.join(",")
}

/// Lines of tab-separated cells aligned as kubectl prints a table in one go.
pub fn tabwrite(text: &str) -> String {
    tabwriter::align(text)
}

/// kubectl's table writer, which remembers column widths across flushes (`RememberWidths`),
/// so the rows `get -w` prints one by one stay aligned with the header.
#[derive(Clone, Debug)]
pub struct TabWriter {
    inner: tabwriter::TabWriter,
    used: bool,
}

impl Default for TabWriter {
    fn default() -> TabWriter {
        TabWriter {
            inner: tabwriter::TabWriter::kubectl(),
            used: false,
        }
    }
}

impl TabWriter {
    pub fn new() -> TabWriter {
        TabWriter::default()
    }

    pub fn is_empty(&self) -> bool {
        !self.used
    }

    pub fn write(&mut self, text: &str) {
        self.used |= !text.is_empty();
        self.inner.write(text);
    }

    /// Formats what was written since the last flush and returns it.
    pub fn flush(&mut self) -> String {
        self.inner.flush();
        self.inner.take_output()
    }
}
