//! `-f` inputs as kubectl's resource builder reads them: files, directories (their `.json`,
//! `.yaml` and `.yml` files, sorted), `-` for standard input; multi-document YAML split at
//! `---`, JSON or YAML converted to JSON, with the builder's error texts.

use serde_json::Value;

use crate::apiserver::decode::split_documents;
use crate::apiserver::decode::yaml_to_json;

use super::io::{Fail, FileEntry, Io, Res};

/// One object read from a manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// The file it came from as kubectl names it (`pod.yaml`, `STDIN`).
    pub source: String,
    pub object: Value,
}

const EXTENSIONS: [&str; 3] = [".json", ".yaml", ".yml"];

/// Every object the `-f` arguments name, in order.
pub fn read(io: &Io<'_>, filenames: &[String], recursive: bool) -> Res<Vec<Doc>> {
    read_with(io, filenames, recursive, false)
}

/// [`read`] for the commands that validate what they send (`apply`, `create`, `replace`
/// unless `--validate=false`): each document's `apiVersion` and `kind` are checked first, as
/// kubectl's schema validator does before decoding.
pub fn read_validated(io: &Io<'_>, filenames: &[String], recursive: bool) -> Res<Vec<Doc>> {
    read_with(io, filenames, recursive, true)
}

fn read_with(io: &Io<'_>, filenames: &[String], recursive: bool, validate: bool) -> Res<Vec<Doc>> {
    let parse = |text: &str, source: &str| parse_with(text, source, validate);
    let mut out = Vec::new();
    for f in filenames {
        if f == "-" {
            let text = io.stdin.unwrap_or_default();
            out.extend(parse(text, "STDIN")?);
            continue;
        }
        match io.files.get(f.as_str()) {
            Some(FileEntry::File(text)) => out.extend(parse(text, f)?),
            Some(FileEntry::Dir(entries)) => {
                for e in entries {
                    let path = format!("{}/{e}", f.trim_end_matches('/'));
                    match io.files.get(path.as_str()) {
                        Some(FileEntry::File(text))
                            if EXTENSIONS.iter().any(|x| e.ends_with(x)) =>
                        {
                            out.extend(parse(text, &path)?)
                        }
                        Some(FileEntry::Dir(_)) if recursive => {
                            out.extend(read_with(io, &[path], true, validate)?)
                        }
                        _ => {}
                    }
                }
            }
            None if f.starts_with("http://") || f.starts_with("https://") => {
                return Err(Fail::msg(format!(
                    "unable to read URL \"{f}\", server reported 0 , status code=0 (kubestep has no network: paste the manifest into the editor instead)"
                )))
            }
            None => return Err(Fail::msg(format!("the path \"{f}\" does not exist"))),
        }
    }
    Ok(out)
}

/// The objects of one file (a `List` is expanded into its items, as the builder does).
pub fn parse(text: &str, source: &str) -> Res<Vec<Doc>> {
    parse_with(text, source, false)
}

/// What `paramVerifyingSchema` finds wrong with a document before it is decoded
/// (`getObjectKind`): a missing or mistyped `apiVersion` or `kind`.
fn schema_errors(value: &Value) -> Vec<String> {
    let Value::Object(fields) = value else {
        return vec!["invalid object to validate".to_string()];
    };
    let mut errors = Vec::new();
    match fields.get("apiVersion") {
        None | Some(Value::Null) => errors.push("apiVersion not set".to_string()),
        Some(Value::String(gv)) if gv.matches('/').count() > 1 => {
            errors.push(format!("unexpected GroupVersion string: {gv}"))
        }
        Some(Value::String(_)) => {}
        Some(_) => errors.push("apiVersion isn't string type".to_string()),
    }
    match fields.get("kind") {
        None | Some(Value::Null) => errors.push("kind not set".to_string()),
        Some(Value::String(_)) => {}
        Some(_) => errors.push("kind isn't string type".to_string()),
    }
    errors
}

fn parse_with(text: &str, source: &str, validate: bool) -> Res<Vec<Doc>> {
    let docs =
        split_documents(text).map_err(|e| Fail::msg(format!("error parsing {source}: {e}")))?;
    let mut out = Vec::new();
    for d in docs {
        let value = yaml_to_json(&d.text).map_err(|e| {
            Fail::msg(format!(
                "error parsing {source}: error converting YAML to JSON: {e}"
            ))
        })?;
        if validate && !value.is_null() {
            let errors = schema_errors(&value);
            // An aggregate of several prints as `[a, b]`.
            let text = match errors.as_slice() {
                [] => None,
                [one] => Some(one.clone()),
                several => Some(format!("[{}]", several.join(", "))),
            };
            if let Some(text) = text {
                return Err(Fail::msg(format!(
                    "error validating \"{source}\": error validating data: {text}; if you choose to ignore these errors, turn validation off with --validate=false"
                )));
            }
        }
        match value {
            Value::Null => continue,
            Value::Object(ref m) => {
                if m.get("kind").and_then(Value::as_str).unwrap_or("").is_empty() {
                    return Err(Fail::msg(format!(
                        "unable to decode \"{source}\": Object 'Kind' is missing in '{}'",
                        crate::golang::json::marshal(&value)
                    )));
                }
                let kind = m["kind"].as_str().unwrap_or_default();
                if kind.ends_with("List") && m.get("items").is_some_and(Value::is_array) {
                    for item in m["items"].as_array().into_iter().flatten() {
                        out.push(Doc {
                            source: source.to_string(),
                            object: item.clone(),
                        });
                    }
                } else {
                    out.push(Doc {
                        source: source.to_string(),
                        object: value,
                    });
                }
            }
            other => {
                return Err(Fail::msg(format!(
                    "error parsing {source}: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    crate::golang::fmt::go_type(&other)
                )))
            }
        }
    }
    Ok(out)
}

/// `metadata.name` and `metadata.namespace` of an object.
pub fn name_of(obj: &Value) -> (&str, Option<&str>) {
    (
        obj.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        obj.pointer("/metadata/namespace").and_then(Value::as_str),
    )
}
