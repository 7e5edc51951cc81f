//! How kubectl writes objects and tables: `-o yaml|json|name|jsonpath=...|custom-columns=...`
//! for objects, and Go's tabwriter alignment for tables (the formats themselves live in
//! `printers/`).

use serde_json::Value;

use super::io::{Fail, Res};

/// An object (or a `List`) in the output format `-o` names.
pub fn print_object(v: &Value, format: &str) -> Res<String> {
    match format {
        "yaml" => Ok(crate_yaml(v)),
        "json" => Ok(format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())),
        other => Err(Fail::msg(format!(
            "unable to match a printer suitable for the output format \"{other}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
        ))),
    }
}

fn crate_yaml(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// Go's `text/tabwriter` as kubectl configures it (`tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)`):
/// every tab-terminated cell is padded to its column's width plus 3.
pub fn tabwrite(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for l in &lines {
        for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for l in &lines {
        for (i, c) in l.iter().enumerate() {
            out.push_str(c);
            if i + 1 < l.len() {
                out.push_str(&" ".repeat(widths[i] - c.chars().count() + 3));
            }
        }
        out.push('\n');
    }
    out
}

/// Fails for an `-o` value kubectl has no printer for.
pub fn check_format(format: &str) -> Res<()> {
    let name = format.split('=').next().unwrap_or_default();
    match name {
        "yaml" | "json" | "name" | "wide" | "jsonpath" | "jsonpath-as-json" | "custom-columns" => {
            Ok(())
        }
        _ => print_object(&Value::Null, format).map(|_| ()),
    }
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

/// kubectl's tabwriter for tables, which remembers column widths across flushes
/// (`RememberWidths`), so the rows `get -w` prints one by one stay aligned with the header.
#[derive(Clone, Debug, Default)]
pub struct TabWriter {
    widths: Vec<usize>,
    pending: String,
}

impl TabWriter {
    pub fn new() -> TabWriter {
        TabWriter::default()
    }

    pub fn is_empty(&self) -> bool {
        self.widths.is_empty() && self.pending.is_empty()
    }

    pub fn write(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    pub fn flush(&mut self) -> String {
        let text = std::mem::take(&mut self.pending);
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        for l in &lines {
            for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
                if self.widths.len() <= i {
                    self.widths.resize(i + 1, 0);
                }
                self.widths[i] = self.widths[i].max(c.chars().count() + 3);
            }
        }
        let mut out = String::new();
        for l in &lines {
            for (i, c) in l.iter().enumerate() {
                out.push_str(c);
                if i + 1 < l.len() {
                    out.push_str(&" ".repeat(self.widths[i] - c.chars().count()));
                }
            }
            out.push('\n');
        }
        out
    }
}
