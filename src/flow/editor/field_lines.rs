//! The API server's errors, as kubectl printed them after an apply, mapped back to the editor:
//! a validation error's fields (`The Pod "MyPod" is invalid: spec.containers[0].image:
//! Required value`, the `* field: message` list of several, `Pod "x" is invalid: [a: .., b:
//! ..]` among several errors) and a strict decoding error's fields (`unknown field
//! "spec.foo"`) each become a diagnostic at that field's line, in the document of that kind
//! and name. A field that is absent (`Required value`) is marked at the nearest ancestor that
//! is there. The message is the server's text as kubectl printed it.
//!
//! The field's line comes from the YAML parser kubectl's reader uses (saphyr-parser, under
//! `apiserver::decode`), walked with its positions; nothing is parsed twice a different way.

use saphyr_parser::{Event, Parser};
use serde_json::Value;

use crate::apiserver::decode::{split_documents, yaml_to_json, YamlDocument};

use super::Diagnostic;

/// One error the server reported about one object.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ObjectError {
    /// The kind as the message names it (`Pod`; `Deployment` from `Deployment.apps`).
    kind: String,
    /// The object's name, when the message names it (a strict decoding error does not).
    name: Option<String>,
    /// (field path, the text to show).
    fields: Vec<(String, String)>,
}

/// The diagnostics for the server's errors in `kubectl_output` (what the console printed for
/// the last apply) in `editor_text` (what the editor holds now).
pub fn server_diagnostics(kubectl_output: &str, editor_text: &str) -> Vec<Diagnostic> {
    let errors = parse_output(kubectl_output);
    if errors.is_empty() {
        return Vec::new();
    }
    let Ok(docs) = split_documents(editor_text) else {
        return Vec::new();
    };
    let objects: Vec<Option<Value>> = docs.iter().map(|d| yaml_to_json(&d.text).ok()).collect();
    let mut out = Vec::new();
    for e in &errors {
        let candidates: Vec<usize> = objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.as_ref().is_some_and(|o| matches(o, e)))
            .map(|(i, _)| i)
            .collect();
        for (field, message) in &e.fields {
            // Of several candidates (no name to tell them apart), the one that has the field,
            // or the most of its path.
            let best = candidates
                .iter()
                .filter_map(|&i| locate(&docs[i], field).map(|at| (i, at)))
                .max_by_key(|(_, at)| at.depth);
            let Some((doc, at)) = best else {
                continue;
            };
            out.push(Diagnostic {
                doc,
                line: u32::try_from(docs[doc].stream_line(at.line)).unwrap_or(u32::MAX),
                column: u32::try_from(at.column + 1).unwrap_or(u32::MAX),
                message: message.clone(),
            });
        }
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

fn matches(object: &Value, e: &ObjectError) -> bool {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    kind == e.kind && e.name.as_deref().is_none_or(|n| n == name)
}

/// The object errors kubectl's output holds.
fn parse_output(output: &str) -> Vec<ObjectError> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = output.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        // CheckErr's form of a lone Invalid error: `The Pod "x" is invalid: f: m`, or the
        // `* f: m` list on the lines after `The Pod "x" is invalid: `.
        if let Some(rest) = line.strip_prefix("The ") {
            let Some((kind, name, causes)) = invalid_head(rest) else {
                continue;
            };
            let mut fields = Vec::new();
            if causes.is_empty() {
                while i < lines.len() {
                    let Some(cause) = lines[i].strip_prefix("* ") else {
                        break;
                    };
                    fields.extend(cause_field(cause));
                    i += 1;
                }
            } else {
                fields.extend(cause_field(causes));
            }
            errors.push(ObjectError { kind, name, fields });
            continue;
        }
        // The standard form, one per failed object: `Error from server (Invalid): error when
        // creating "f": Pod "x" is invalid: [a: .., b: ..]`.
        let Some(rest) = line.strip_prefix("Error from server (") else {
            continue;
        };
        let Some((_, message)) = rest.split_once("): ") else {
            continue;
        };
        let message = strip_context(message);
        if let Some((kind, name, causes)) = invalid_head(message) {
            let causes = causes
                .strip_prefix('[')
                .and_then(|c| c.strip_suffix(']'))
                .map_or_else(|| vec![causes], split_causes);
            let fields = causes.into_iter().filter_map(cause_field).collect();
            errors.push(ObjectError { kind, name, fields });
        } else if let Some(e) = strict_decoding(message) {
            errors.push(e);
        }
    }
    errors
}

/// Drops the context kubectl's visitors put before the server's message: `error when
/// creating "editor.yaml": ` (or patching, replacing...).
fn strip_context(message: &str) -> &str {
    if let Some(rest) = message.strip_prefix("error when ") {
        // `creating "editor.yaml": `: the file name is quoted Go-style.
        if let Some(q) = rest.find(" \"") {
            let after = &rest[q + 2..];
            if let Some(end) = after.find("\": ") {
                return &after[end + 3..];
            }
        }
    }
    message
}

/// `Pod "x" is invalid: causes` (or `Deployment.apps "x" ...`): the kind, name and the rest.
fn invalid_head(text: &str) -> Option<(String, Option<String>, &str)> {
    let (kind, rest) = text.split_once(" \"")?;
    let (name, rest) = rest.split_once("\" is invalid")?;
    let causes = rest.strip_prefix(": ").unwrap_or_default();
    let kind = kind.split('.').next().unwrap_or(kind);
    if kind.is_empty() || kind.contains(' ') {
        return None;
    }
    Some((kind.to_string(), Some(name.to_string()), causes.trim_end()))
}

/// `f: message` → (f, the whole text), if it starts with a field path.
fn cause_field(cause: &str) -> Option<(String, String)> {
    let path = field_path_prefix(cause)?;
    Some((path.to_string(), cause.to_string()))
}

/// The field path a cause starts with, when `: ` follows it.
fn field_path_prefix(text: &str) -> Option<&str> {
    let end = text.find(": ")?;
    let path = &text[..end];
    let ok = !path.is_empty()
        && path.starts_with(|c: char| c.is_ascii_alphabetic())
        && parse_path(path).is_some();
    ok.then_some(path)
}

/// An aggregate's `[a: .., b: ..]` split at the `, ` before each next field path.
fn split_causes(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(p) = list[from..].find(", ") {
        let at = from + p;
        if field_path_prefix(&list[at + 2..]).is_some() {
            out.push(&list[start..at]);
            start = at + 2;
        }
        from = at + 2;
    }
    out.push(&list[start..]);
    out
}

/// `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field
/// "spec.foo", duplicate field "x"`.
fn strict_decoding(message: &str) -> Option<ObjectError> {
    let (head, rest) = message.split_once(": strict decoding error: ")?;
    let kind = head.rsplit_once(" cannot be handled as a ")?.1;
    let mut fields = Vec::new();
    for item in rest.split(", ") {
        let field = item
            .strip_prefix("unknown field \"")
            .or_else(|| item.strip_prefix("duplicate field \""))
            .and_then(|f| f.strip_suffix('"'));
        if let Some(f) = field {
            fields.push((f.to_string(), format!("strict decoding error: {item}")));
        }
    }
    Some(ObjectError {
        kind: kind.to_string(),
        name: None,
        fields,
    })
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// `.name` or `[key]` on a mapping.
    Key(String),
    /// `[3]` on a sequence.
    Index(usize),
}

/// `spec.containers[0].resources.limits[cpu]` → steps (field.Path's String form).
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inside = &r[..end];
            steps.push(match inside.parse() {
                Ok(n) => Step::Index(n),
                Err(_) => Step::Key(inside.to_string()),
            });
            rest = &r[end + 1..];
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name.contains(char::is_whitespace) {
                return None;
            }
            steps.push(Step::Key(name.to_string()));
            rest = &r[end..];
        }
    }
    Some(steps)
}

/// Where a field (or its nearest present ancestor) is in a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct At {
    /// The document's line (1-based) and column (0-based).
    line: usize,
    column: usize,
    /// How many steps of the path were found.
    depth: usize,
}

/// A YAML node with the position of what names it (its key, or its start in a sequence).
#[derive(Debug)]
enum Node {
    Map(Vec<(String, (usize, usize), Node)>),
    Seq(Vec<((usize, usize), Node)>),
    Scalar,
}

/// The position of `field` in a document: the field's key, a sequence item's first line, or
/// the nearest ancestor present; `None` if the document does not parse.
fn locate(doc: &YamlDocument, field: &str) -> Option<At> {
    let steps = parse_path(field)?;
    let (root_at, root) = tree(&doc.text)?;
    let mut at = At {
        line: root_at.0,
        column: root_at.1,
        depth: 0,
    };
    let mut node = &root;
    for step in &steps {
        let next = match (node, step) {
            (Node::Map(entries), Step::Key(k)) => entries
                .iter()
                .find(|(key, _, _)| key == k)
                .map(|(_, pos, n)| (*pos, n)),
            (Node::Seq(items), Step::Index(i)) => items.get(*i).map(|(pos, n)| (*pos, n)),
            _ => None,
        };
        let Some((pos, n)) = next else {
            break;
        };
        at = At {
            line: pos.0,
            column: pos.1,
            depth: at.depth + 1,
        };
        node = n;
    }
    Some(at)
}

/// The document's node tree with positions, from the parser's events.
fn tree(text: &str) -> Option<((usize, usize), Node)> {
    struct Frame {
        node: Node,
        /// Where its first scalar is (the parser's collection-start events are placed
        /// after their first token); its start event's place until then.
        pos: (usize, usize),
        placed: bool,
        key: Option<(String, (usize, usize))>,
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        let (event, span) = parser.next_event()?.ok()?;
        let pos = (span.start.line(), span.start.col());
        let (pos, node, text_value) = match event {
            Event::StreamEnd | Event::DocumentEnd => return None,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let node = if matches!(event, Event::MappingStart(..)) {
                    Node::Map(Vec::new())
                } else {
                    Node::Seq(Vec::new())
                };
                stack.push(Frame {
                    node,
                    pos,
                    placed: false,
                    key: None,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = stack.pop()?;
                if stack.is_empty() {
                    return Some((frame.pos, frame.node));
                }
                (frame.pos, frame.node, None)
            }
            Event::Scalar(value, ..) => (pos, Node::Scalar, Some(value.to_string())),
            Event::Alias(_) => (pos, Node::Scalar, None),
        };
        if matches!(node, Node::Scalar) {
            for f in stack.iter_mut().rev().take_while(|f| !f.placed) {
                f.pos = pos;
                f.placed = true;
            }
        }
        let Some(parent) = stack.last_mut() else {
            // A scalar document: nothing to point into.
            return Some((pos, node));
        };
        match &mut parent.node {
            Node::Seq(items) => items.push((pos, node)),
            Node::Map(entries) => match parent.key.take() {
                None => parent.key = Some((text_value.unwrap_or_default(), pos)),
                Some((key, key_pos)) => entries.push((key, key_pos, node)),
            },
            Node::Scalar => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: MyPod
spec:
  containers:
  - name: web
    imagePullPolice: Always
  - name: sidecar
    image: busybox
";

    fn at(d: &Diagnostic) -> (usize, u32, u32) {
        (d.doc, d.line, d.column)
    }

    #[test]
    fn a_lone_cause_is_marked_at_its_field() {
        let out = "The Pod \"MyPod\" is invalid: metadata.name: Invalid value: \"MyPod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters\n";
        let d = server_diagnostics(out, POD);
        assert_eq!(d.len(), 1);
        assert_eq!(at(&d[0]), (0, 4, 3));
        assert_eq!(
            d[0].message,
            "metadata.name: Invalid value: \"MyPod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"
        );
    }

    #[test]
    fn each_cause_of_the_list_is_marked_and_an_absent_field_at_its_parent() {
        let out = "The Pod \"MyPod\" is invalid: \n* metadata.name: Invalid value: \"MyPod\": bad\n* spec.containers[0].image: Required value\n* spec.containers[1].ports[0].containerPort: Required value\n";
        let d = server_diagnostics(out, POD);
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, 3, "metadata.name: Invalid value: \"MyPod\": bad"),
                // The first container has no image: its item is marked.
                (7, 5, "spec.containers[0].image: Required value"),
                (
                    9,
                    5,
                    "spec.containers[1].ports[0].containerPort: Required value"
                ),
            ]
        );
    }

    #[test]
    fn a_strict_decoding_error_is_marked_at_the_unknown_field() {
        let out = "Error from server (BadRequest): error when creating \"editor.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagePullPolice\"\n";
        let d = server_diagnostics(out, POD);
        assert_eq!(d.len(), 1);
        assert_eq!(at(&d[0]), (0, 8, 5));
        assert_eq!(
            d[0].message,
            "strict decoding error: unknown field \"spec.containers[0].imagePullPolice\""
        );
    }

    #[test]
    fn among_several_errors_each_goes_to_its_document_by_kind_and_name() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: -1
---
apiVersion: v1
kind: Pod
metadata:
  name: a
---
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
  - name: c
";
        let out = "\
Error from server (Invalid): error when creating \"editor.yaml\": Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0
Error from server (Invalid): error when creating \"editor.yaml\": Pod \"b\" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: \"x\": supported values: \"Always\", \"OnFailure\", \"Never\"]
";
        let d = server_diagnostics(out, text);
        let got: Vec<_> = d
            .iter()
            .map(|d| (d.doc, d.line, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    0,
                    6,
                    "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
                ),
                // restartPolicy is absent: its parent, spec, is marked.
                (
                    2,
                    17,
                    "spec.restartPolicy: Unsupported value: \"x\": supported values: \"Always\", \"OnFailure\", \"Never\""
                ),
                (2, 19, "spec.containers[0].image: Required value"),
            ]
        );
    }

    #[test]
    fn output_without_server_errors_maps_to_nothing() {
        assert_eq!(server_diagnostics("pod/MyPod created\n", POD), vec![]);
        assert_eq!(
            server_diagnostics(
                "Error from server (NotFound): error when creating \"editor.yaml\": namespaces \"x\" not found\n",
                POD
            ),
            vec![]
        );
        // An error for an object the editor no longer holds.
        assert_eq!(
            server_diagnostics("The Pod \"other\" is invalid: spec: Required value\n", POD),
            vec![]
        );
    }

    #[test]
    fn field_paths_read_as_field_path_prints_them() {
        assert_eq!(
            parse_path("spec.containers[0].resources.limits[cpu]"),
            Some(vec![
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Index(0),
                Step::Key("resources".into()),
                Step::Key("limits".into()),
                Step::Key("cpu".into()),
            ])
        );
        assert_eq!(parse_path("a lowercase RFC"), None);
    }
}
