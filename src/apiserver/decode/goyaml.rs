//! YAML to JSON as `sigs.k8s.io/yaml` (over go-yaml v2) converts it for kubectl and
//! kube-apiserver: YAML 1.1 scalars (`yes`, `on`, `y` are booleans, `017` is octal), sorted
//! keys, the later of duplicate keys, go-yaml's error texts and line numbers (`yaml: line 7:
//! mapping values are not allowed in this context`), and kubectl's document splitting.
//!
//! Parsing is done by `saphyr-parser` (a libyaml-style parser, like go-yaml's); its errors are
//! mapped to go-yaml's texts, and its positions to the lines go-yaml reports.

use super::gojson::{parse_f64, JNode, MAX_NESTING_DEPTH};
use super::goparse::decode_base64;
use super::typed::go_quote;
use crate::golang::json::format_float as go_marshal_float;
use crate::golang::strconv::{layout_e, layout_f, shortest_f32 as f32_shortest};
use crate::golang::yaml_resolve::{resolve, Resolved};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Why a YAML document could not be converted. `Display` is go-yaml's or Go's text, without
/// kubectl's `error converting YAML to JSON: ` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    /// go-yaml's error: `yaml: line 3: did not find expected key`.
    Yaml(String),
    /// `json.Marshal` refused the converted value: `json: unsupported value: +Inf`.
    Json(String),
    /// Nested deeper than kubestep's limit; the JSON scanner's text (see gojson).
    TooDeep,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YamlError::Yaml(m) | YamlError::Json(m) => f.write_str(m),
            YamlError::TooDeep => f.write_str("invalid character '[' exceeded max depth"),
        }
    }
}

impl YamlError {
    /// The document line go-yaml names (`yaml: line 7: ...`), if it names one.
    pub fn line(&self) -> Option<usize> {
        let YamlError::Yaml(m) = self else {
            return None;
        };
        let rest = m.strip_prefix("yaml: line ")?;
        rest.split(':').next()?.parse().ok()
    }
}

/// One document of a multi-document YAML stream, as kubectl's YAMLReader cuts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlDocument {
    /// The 1-based line of the stream where the document's first line is; go-yaml's line
    /// numbers in errors about this document count from there (`line 1` is this line).
    pub start_line: usize,
    pub text: String,
}

impl YamlDocument {
    /// The stream line (1-based) of a document line go-yaml reported, for editor markers.
    pub fn stream_line(&self, document_line: usize) -> usize {
        self.start_line + document_line.saturating_sub(1)
    }
}

/// Splits a YAML stream at `---` lines as `k8s.io/apimachinery/pkg/util/yaml.YAMLReader`
/// does: a separator ends a document and is dropped, except when no document text precedes
/// it (at the start, or right after another separator): then it becomes the first line of the
/// next document, and go-yaml's line numbers count it. Text after `---` other than a comment
/// is an error (`invalid Yaml document separator: x`). Documents that convert to `null` (blank,
/// comments only) are skipped by kubectl; callers do the same.
pub fn split_documents(stream: &str) -> Result<Vec<YamlDocument>, String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    for (i, line) in stream.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!("invalid Yaml document separator: {trimmed}"));
            }
            if !current.is_empty() {
                docs.push(YamlDocument {
                    start_line,
                    text: std::mem::take(&mut current),
                });
                start_line = i + 2;
                continue;
            }
            start_line = i + 1;
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        docs.push(YamlDocument {
            start_line,
            text: current,
        });
    }
    Ok(docs)
}

/// Whether a document holds nothing but blank lines and comments.
pub fn is_empty_document(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// The scalar values go-yaml v2 resolves (into `interface{}`).
#[derive(Debug, Clone, PartialEq)]
enum YVal {
    Null,
    Bool(bool),
    /// Decimal text of an int64 or uint64.
    Int(String),
    Float(f64),
    Str(String),
}

#[derive(Debug)]
enum YKind {
    Scalar {
        value: YVal,
        raw: String,
        plain: bool,
    },
    Seq(Vec<YNode>),
    Map(Vec<(YNode, YNode)>),
    Alias(Rc<YNode>),
}

#[derive(Debug)]
struct YNode {
    kind: YKind,
    /// 1-based line where the node starts.
    line: usize,
}

/// Converts the first document of a YAML stream to JSON as `yaml.YAMLToJSON` does, or, when
/// `strict`, also returns `yaml.YAMLToJSONStrict`'s duplicate-key errors (`line 5: key "name"
/// already set in map`), which the API server reports as strict decoding errors.
pub(crate) fn yaml_to_json(text: &str, strict: bool) -> Result<(JNode, Vec<String>), YamlError> {
    let Some(root) = parse_first_document(text)? else {
        return Ok((JNode::Null, Vec::new()));
    };
    let mut conv = Converter {
        strict,
        dups: Vec::new(),
        decode_count: 0,
        alias_count: 0,
        alias_depth: 0,
    };
    let json = conv.convert(&root, 0)?;
    Ok((json, conv.dups))
}

struct Frame {
    node: YNode,
    anchor: usize,
    pending_key: Option<YNode>,
}

/// go-yaml's reader accepts only these characters (`control characters are not allowed`).
fn yaml_printable(c: char) -> bool {
    matches!(c as u32, 0x09 | 0x0a | 0x0d | 0x20..=0x7e | 0x85 | 0xa0..=0xd7ff | 0xe000..=0xfffd | 0x10000..=0x10ffff)
}

fn parse_first_document(text: &str) -> Result<Option<YNode>, YamlError> {
    parse_first_document_marked(text).map_err(|(e, _)| e)
}

/// Where the parser stopped on a syntax error in a document: the 1-based line and the 0-based
/// column (in characters) of its mark, for an editor's marker. go-yaml's message names a line
/// of its own (for parser errors libyaml's 0-based line, one above the mark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YamlMark {
    pub line: usize,
    pub column: usize,
}

/// [`yaml_to_json`]'s syntax error for the first document of `text`, if it has one, with the
/// parser's mark where it has one (errors found after parsing, like an unknown anchor's, have
/// none).
pub fn syntax_error(text: &str) -> Option<(YamlError, Option<YamlMark>)> {
    parse_first_document_marked(text).err()
}

fn parse_first_document_marked(text: &str) -> Result<Option<YNode>, (YamlError, Option<YamlMark>)> {
    let mark = |e: &ScanError| {
        Some(YamlMark {
            line: e.marker().line(),
            column: e.marker().col(),
        })
    };
    // saphyr-parser rejects a tab after `:` or `-`, which go-yaml takes as a separating blank;
    // such tabs are turned into spaces, one failure at a time (each retry removes a tab).
    let mut owned: Option<String> = None;
    loop {
        let current = owned.as_deref().unwrap_or(text);
        match parse_events(current) {
            Err(ParseFailure::Scan(e)) if blank_tab_error(&e) => {
                let at = e.marker().index();
                let fixed: Option<String> = {
                    let chars: Vec<char> = current.chars().collect();
                    (at.saturating_sub(1)..(at + 2).min(chars.len()))
                        .find(|&i| chars[i] == '\t')
                        .map(|i| {
                            let mut c = chars;
                            c[i] = ' ';
                            c.into_iter().collect()
                        })
                };
                match fixed {
                    Some(f) => owned = Some(f),
                    None => return Err((map_scan_error(&e, current), mark(&e))),
                }
            }
            Err(ParseFailure::Scan(e)) => {
                // go-yaml's reader would have stopped at a control character before.
                let bad = current.chars().position(|c| !yaml_printable(c));
                if bad.is_some_and(|b| b <= e.marker().index()) {
                    return Err((control_characters(), None));
                }
                return Err((map_scan_error(&e, current), mark(&e)));
            }
            Err(ParseFailure::Yaml(e)) => return Err((e, None)),
            Ok(root) => {
                if current.chars().any(|c| !yaml_printable(c)) {
                    return Err((control_characters(), None));
                }
                return Ok(root);
            }
        }
    }
}

fn control_characters() -> YamlError {
    YamlError::Yaml("yaml: control characters are not allowed".into())
}

fn blank_tab_error(e: &ScanError) -> bool {
    matches!(
        e.info(),
        "':' must be followed by a valid YAML whitespace"
            | "'-' must be followed by a valid YAML whitespace"
    )
}

enum ParseFailure {
    Scan(ScanError),
    Yaml(YamlError),
}

impl From<YamlError> for ParseFailure {
    fn from(e: YamlError) -> Self {
        ParseFailure::Yaml(e)
    }
}

fn parse_events(text: &str) -> Result<Option<YNode>, ParseFailure> {
    let mut parser = Parser::new_from_str(text);
    let mut anchors: BTreeMap<usize, Rc<YNode>> = BTreeMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<YNode> = None;
    // (char index, byte index) of a cursor that only moves forward, for block scalar headers.
    let mut cursor = (0usize, 0usize);
    loop {
        let (event, span) = match parser.next_event() {
            None => return Ok(root),
            Some(Err(e)) => return Err(ParseFailure::Scan(e)),
            Some(Ok(x)) => x,
        };
        let line = span.start.line();
        let (node, anchor) = match event {
            Event::StreamEnd | Event::DocumentEnd => {
                if root.is_some() || matches!(event, Event::StreamEnd) {
                    return Ok(root);
                }
                continue;
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::Alias(id) => match anchors.get(&id) {
                Some(target) => (
                    YNode {
                        kind: YKind::Alias(Rc::clone(target)),
                        line,
                    },
                    0,
                ),
                None => {
                    let name = alias_name(text, &span);
                    return Err(YamlError::Yaml(format!(
                        "yaml: anchor '{name}' value contains itself"
                    ))
                    .into());
                }
            },
            Event::Scalar(value, style, anchor, tag) => {
                let line = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    block_header_line(text, &mut cursor, &span)
                } else {
                    line
                };
                let kind = scalar(&value, style, tag.as_deref())?;
                (YNode { kind, line }, anchor)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_NESTING_DEPTH {
                    return Err(ParseFailure::Yaml(YamlError::TooDeep));
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    YKind::Seq(Vec::new())
                } else {
                    YKind::Map(Vec::new())
                };
                stack.push(Frame {
                    node: YNode { kind, line },
                    anchor,
                    pending_key: None,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = stack.pop().expect("parser balances collection events");
                (frame.node, frame.anchor)
            }
        };
        let node = if anchor != 0 {
            let rc = Rc::new(node);
            anchors.insert(anchor, Rc::clone(&rc));
            YNode {
                line: rc.line,
                kind: YKind::Alias(rc),
            }
        } else {
            node
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(frame) => match &mut frame.node.kind {
                YKind::Seq(items) => items.push(node),
                YKind::Map(entries) => match frame.pending_key.take() {
                    None => frame.pending_key = Some(node),
                    Some(key) => entries.push((key, node)),
                },
                _ => unreachable!("only collections are stacked"),
            },
        }
    }
}

/// go-yaml places a block scalar at its `|`/`>` header; saphyr-parser at its content.
fn block_header_line(text: &str, cursor: &mut (usize, usize), span: &Span) -> usize {
    let target = span.start.index();
    let bytes = text.as_bytes();
    if cursor.0 > target {
        *cursor = (0, 0);
    }
    while cursor.0 < target && cursor.1 < bytes.len() {
        let ch_len = text[cursor.1..].chars().next().map_or(1, char::len_utf8);
        cursor.1 += ch_len;
        cursor.0 += 1;
    }
    let content = cursor.1.min(bytes.len());
    let header = bytes[..content]
        .iter()
        .rposition(|b| *b == b'|' || *b == b'>');
    let breaks = header.map_or(0, |h| {
        bytes[h..content].iter().filter(|b| **b == b'\n').count()
    });
    span.start.line().saturating_sub(breaks)
}

/// The text of `*name` at an alias event.
fn alias_name(text: &str, span: &Span) -> String {
    text.chars()
        .skip(span.start.index())
        .skip_while(|c| *c == '*')
        .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
        .collect()
}

fn core_tag(tag: Option<&Tag>) -> Option<&str> {
    let t = tag?;
    if t.is_yaml_core_schema() || t.handle == "!!" {
        Some(t.suffix.as_str())
    } else {
        Some("")
    }
}

fn scalar(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<YKind, YamlError> {
    let plain = style == ScalarStyle::Plain;
    let raw = value.to_string();
    let resolved = match core_tag(tag) {
        // A custom tag leaves the text as it is.
        Some("") => YVal::Str(raw.clone()),
        Some("str") => YVal::Str(raw.clone()),
        Some("binary") => match decode_base64(value.as_bytes()) {
            Ok(bytes) => YVal::Str(String::from_utf8_lossy(&bytes).into_owned()),
            Err(_) => {
                return Err(YamlError::Yaml(
                    "yaml: !!binary value contains invalid base64 data".into(),
                ))
            }
        },
        Some(wanted) => {
            let r = resolve_plain(value);
            let ok = match (wanted, &r) {
                ("int", YVal::Int(_)) | ("bool", YVal::Bool(_)) | ("null", YVal::Null) => true,
                ("float", YVal::Float(_)) | ("timestamp", YVal::Str(_)) => true,
                ("float", YVal::Int(i)) => {
                    return Ok(YKind::Scalar {
                        value: YVal::Float(parse_f64(i).unwrap_or(0.0)),
                        raw,
                        plain,
                    })
                }
                _ => false,
            };
            if !ok {
                return Err(YamlError::Yaml(format!(
                    "yaml: cannot decode !!{} `{value}` as a !!{wanted}",
                    short_tag(&r)
                )));
            }
            r
        }
        None if plain => resolve_plain(value),
        None => YVal::Str(raw.clone()),
    };
    Ok(YKind::Scalar {
        value: resolved,
        raw,
        plain,
    })
}

fn short_tag(v: &YVal) -> &'static str {
    match v {
        YVal::Null => "null",
        YVal::Bool(_) => "bool",
        YVal::Int(_) => "int",
        YVal::Float(_) => "float",
        YVal::Str(_) => "str",
    }
}

/// go-yaml v2's `resolve` for an untagged plain scalar; a timestamp stays the string it was.
fn resolve_plain(s: &str) -> YVal {
    match resolve(s) {
        Resolved::Null => YVal::Null,
        Resolved::Bool(b) => YVal::Bool(b),
        Resolved::Int(i) => YVal::Int(i),
        Resolved::Float(f) => YVal::Float(f),
        Resolved::Timestamp | Resolved::Str => YVal::Str(s.to_string()),
    }
}

struct Converter {
    strict: bool,
    dups: Vec<String>,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
}

impl Converter {
    /// go-yaml v2's guard against alias bombs (`allowedAliasRatio`).
    fn count(&mut self) -> Result<(), YamlError> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        let (low, high) = (400_000f64, 4_000_000f64);
        let d = self.decode_count as f64;
        let allowed = if d <= low {
            0.99
        } else if d >= high {
            0.10
        } else {
            0.99 - 0.89 * ((d - low) / (high - low))
        };
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / d > allowed
        {
            return Err(YamlError::Yaml(
                "yaml: document contains excessive aliasing".into(),
            ));
        }
        Ok(())
    }

    fn convert(&mut self, node: &YNode, depth: usize) -> Result<JNode, YamlError> {
        if depth > MAX_NESTING_DEPTH {
            return Err(YamlError::TooDeep);
        }
        self.count()?;
        match &node.kind {
            YKind::Alias(target) => {
                self.alias_depth += 1;
                let r = self.convert(target, depth);
                self.alias_depth -= 1;
                r
            }
            YKind::Scalar { value, .. } => scalar_json(value),
            YKind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.convert(item, depth + 1)?);
                }
                Ok(JNode::Array(out))
            }
            YKind::Map(entries) => {
                let mut map: BTreeMap<String, JNode> = BTreeMap::new();
                // Keys compare as go-yaml's typed values: 1 and "1" and 1.0 differ, NaNs never match.
                let mut seen: BTreeSet<String> = BTreeSet::new();
                for (key, value) in entries {
                    if is_merge_key(key) {
                        self.merge(value, &mut map, depth)?;
                        continue;
                    }
                    let key_val = scalar_key(key).ok_or_else(|| {
                        YamlError::Yaml(format!(
                            "yaml: invalid map key: {}",
                            go_sharp_v(deref(key))
                        ))
                    })?;
                    let identity = match &key_val {
                        YVal::Float(f) if f.is_nan() => None,
                        YVal::Float(f) => Some(format!("f{}", f.to_bits())),
                        YVal::Str(s) => Some(format!("s{s}")),
                        YVal::Int(i) => Some(format!("i{i}")),
                        YVal::Bool(b) => Some(format!("b{b}")),
                        YVal::Null => Some("n".into()),
                    };
                    if identity.is_some_and(|id| !seen.insert(id)) && self.strict {
                        let k = match &key_val {
                            YVal::Str(s) => go_quote(s),
                            YVal::Int(i) => i.clone(),
                            YVal::Bool(b) => b.to_string(),
                            YVal::Float(f) => go_float_text(*f),
                            YVal::Null => "interface {}(nil)".into(),
                        };
                        self.dups
                            .push(format!("line {}: key {k} already set in map", value.line));
                    }
                    let key_text = json_key(&key_val, value)?;
                    let v = self.convert(value, depth + 1)?;
                    map.insert(key_text, v);
                }
                Ok(JNode::Object(map.into_iter().collect()))
            }
        }
    }

    fn merge(
        &mut self,
        value: &YNode,
        map: &mut BTreeMap<String, JNode>,
        depth: usize,
    ) -> Result<(), YamlError> {
        let want_map = || {
            YamlError::Yaml("yaml: map merge requires map or sequence of maps as the value".into())
        };
        let target = deref(value);
        match &target.kind {
            YKind::Map(_) => {
                if let JNode::Object(m) = self.convert(value, depth + 1)? {
                    map.extend(m);
                }
                Ok(())
            }
            YKind::Seq(items) => {
                for item in items.iter().rev() {
                    if !matches!(deref(item).kind, YKind::Map(_)) {
                        return Err(want_map());
                    }
                    if let JNode::Object(m) = self.convert(item, depth + 1)? {
                        map.extend(m);
                    }
                }
                Ok(())
            }
            _ => Err(want_map()),
        }
    }
}

/// Go's `%#v` of a decoded YAML value, as go-yaml's `invalid map key` error prints it.
fn go_sharp_v(node: &YNode) -> String {
    match &deref(node).kind {
        YKind::Scalar { value, .. } => match value {
            YVal::Str(s) => go_quote(s),
            YVal::Int(i) => i.clone(),
            YVal::Bool(b) => b.to_string(),
            YVal::Float(f) => go_float_text(*f),
            YVal::Null => "interface {}(nil)".into(),
        },
        YKind::Seq(items) => {
            let inner: Vec<String> = items.iter().map(go_sharp_v).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        YKind::Map(entries) => {
            let mut inner: Vec<(String, String)> = entries
                .iter()
                .map(|(k, v)| (go_sharp_v(k), go_sharp_v(v)))
                .collect();
            inner.sort();
            let inner: Vec<String> = inner.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
        YKind::Alias(_) => unreachable!("deref resolves aliases"),
    }
}

fn deref(node: &YNode) -> &YNode {
    match &node.kind {
        YKind::Alias(t) => deref(t),
        _ => node,
    }
}

fn is_merge_key(key: &YNode) -> bool {
    matches!(&deref(key).kind, YKind::Scalar { raw, plain: true, .. } if raw == "<<")
}

fn scalar_key(key: &YNode) -> Option<YVal> {
    match &deref(key).kind {
        YKind::Scalar { value, .. } => Some(value.clone()),
        _ => None,
    }
}

/// `sigs.k8s.io/yaml`'s key conversion (floats as go-yaml marshals them).
fn json_key(key: &YVal, value: &YNode) -> Result<String, YamlError> {
    Ok(match key {
        YVal::Str(s) => s.clone(),
        YVal::Int(i) => i.clone(),
        YVal::Bool(b) => b.to_string(),
        YVal::Float(f) => go_float_text(*f),
        YVal::Null => {
            let v = match &deref(value).kind {
                YKind::Scalar {
                    value: YVal::Str(s),
                    ..
                } => go_quote(s),
                YKind::Scalar {
                    value: YVal::Null, ..
                } => "<nil>".into(),
                YKind::Scalar {
                    value: YVal::Bool(b),
                    ..
                } => b.to_string(),
                YKind::Scalar {
                    value: YVal::Int(i),
                    ..
                } => i.clone(),
                _ => "...".into(),
            };
            return Err(YamlError::Json(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {v}"
            )));
        }
    })
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` as sigs.k8s.io/yaml uses for float keys.
fn go_float_text(f: f64) -> String {
    let f32v = f as f32;
    if f32v.is_nan() {
        return ".nan".into();
    }
    if f32v.is_infinite() {
        return if f32v > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if f32v == 0.0 {
        return if f32v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Shortest digits; %e when the exponent is below -4 or from 6 on ('g' with precision -1).
    let (neg, digits, exp) = f32_shortest(f32v);
    let x = exp + digits.len() as i32 - 1;
    if !(-4..6).contains(&x) {
        layout_e(neg, &digits, exp)
    } else {
        layout_f(neg, &digits, exp)
    }
}

fn scalar_json(v: &YVal) -> Result<JNode, YamlError> {
    Ok(match v {
        YVal::Null => JNode::Null,
        YVal::Bool(b) => JNode::Bool(*b),
        YVal::Int(i) => JNode::Number(i.clone()),
        YVal::Float(f) => match go_marshal_float(*f) {
            Some(text) => JNode::Number(text),
            None => {
                let name = if f.is_nan() {
                    "NaN"
                } else if *f > 0.0 {
                    "+Inf"
                } else {
                    "-Inf"
                };
                return Err(YamlError::Json(format!("json: unsupported value: {name}")));
            }
        },
        YVal::Str(s) => JNode::String(s.clone()),
    })
}

/// The innermost flow collection (`[` or `{`) still open before char `at` (quotes skipped).
fn innermost_flow(text: &str, at: usize) -> Option<char> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    for c in text.chars().take(at) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => stack.push(c),
            (None, ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// Whether the quoted scalar opening at or after char `from` has a closing quote later on.
fn quote_closes(text: &str, from: usize) -> bool {
    let mut rest = text
        .chars()
        .skip(from)
        .skip_while(|c| *c != '"' && *c != '\'');
    match rest.next() {
        Some(q) => rest.any(|c| c == q),
        None => false,
    }
}

/// Maps a saphyr-parser error to go-yaml v2's text and line. go-yaml prints only libyaml's
/// "problem" (not its "context"), with the problem's 0-based line, plus one for scanner
/// errors, and no line at all when that is 0.
fn map_scan_error(e: &ScanError, text: &str) -> YamlError {
    let info = e.info();
    let line = e.marker().line(); // 1-based
    let col = e.marker().col();
    // (go-yaml problem, whether libyaml reports it from the scanner)
    let (problem, scanner): (String, bool) = match info {
        "mapping values are not allowed in this context" => (info.into(), true),
        "while parsing a block mapping, did not find expected key" => {
            ("did not find expected key".into(), false)
        }
        "while parsing a flow mapping, did not find expected ',' or '}'" => {
            ("did not find expected ',' or '}'".into(), false)
        }
        "while parsing a flow sequence, expected ',' or ']'" => {
            ("did not find expected ',' or ']'".into(), false)
        }
        "while parsing a block collection, did not find expected '-' indicator" => {
            ("did not find expected '-' indicator".into(), false)
        }
        "while parsing a node, did not find expected node content" => {
            ("did not find expected node content".into(), false)
        }
        "did not find expected <document start>" | "did not find expected <document-start>" => {
            ("did not find expected <document start>".into(), false)
        }
        "simple key expect ':'" => ("could not find expected ':'".into(), true),
        "misplaced bracket" => {
            // libyaml's parser meets the bracket where it wanted a value, or else a key.
            let before: Vec<char> = text.chars().take(e.marker().index()).collect();
            let prev = before.iter().rev().find(|c| **c != ' ');
            if prev.is_some_and(|c| ":-,[{".contains(*c)) {
                ("did not find expected node content".into(), false)
            } else {
                ("did not find expected key".into(), false)
            }
        }
        "while scanning a plain scalar, found a tab" => {
            // libyaml stops at the tab itself, on a later line than saphyr's mark.
            let tab_line = text
                .chars()
                .skip(e.marker().index())
                .take_while(|c| *c != '\t')
                .filter(|c| *c == '\n')
                .count()
                + line;
            let problem = "found a tab character that violates indentation";
            return YamlError::Yaml(format!("yaml: line {tab_line}: {problem}"));
        }
        "invalid indentation in quoted scalar" if !quote_closes(text, e.marker().index()) => {
            // go-yaml does not check a quoted scalar's indentation: it reads on to the end.
            let eof_line = text.matches('\n').count();
            return YamlError::Yaml(format!(
                "yaml: line {}: found unexpected end of stream",
                eof_line + 1
            ));
        }
        "invalid trailing content after double-quoted scalar" => {
            ("did not find expected key".into(), false)
        }
        "illegal placement of ':' indicator" => {
            // Inside a flow collection libyaml's parser wants the separator or the end.
            let problem = match innermost_flow(text, e.marker().index()) {
                Some('{') => "did not find expected ',' or '}'",
                _ => "did not find expected ',' or ']'",
            };
            (problem.into(), false)
        }
        "while scanning a quoted scalar, found unexpected end of stream" => {
            // libyaml reports the end of the input, not the scalar's start.
            let eof_line = text.matches('\n').count();
            let problem = "found unexpected end of stream";
            return YamlError::Yaml(if eof_line == 0 {
                format!("yaml: {problem}")
            } else {
                format!("yaml: line {}: {problem}", eof_line + 1)
            });
        }
        "while parsing node, found unknown anchor" => {
            let name: String = text
                .chars()
                .skip(e.marker().index())
                .skip_while(|c| *c == '*')
                .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                .collect();
            return YamlError::Yaml(format!("yaml: unknown anchor '{name}' referenced"));
        }
        "found unprintable character" => {
            return YamlError::Yaml("yaml: control characters are not allowed".into())
        }
        "tabs disallowed within this context (block indentation)"
        | "tab cannot be used as indentation" => {
            ("found character that cannot start any token".into(), true)
        }
        "recursion limit exceeded" => return YamlError::TooDeep,
        other if other.starts_with("unexpected character") => {
            ("found character that cannot start any token".into(), true)
        }
        other => {
            // libyaml's "while X, problem": go-yaml keeps the problem.
            let problem = match other.split_once(", ") {
                Some((ctx, p)) if ctx.starts_with("while ") => p,
                _ => other,
            };
            (problem.to_string(), true)
        }
    };
    let _ = col;
    let zero_based = line.saturating_sub(1);
    let go_line = if zero_based == 0 {
        0
    } else if scanner {
        zero_based + 1
    } else {
        zero_based
    };
    if go_line == 0 {
        YamlError::Yaml(format!("yaml: {problem}"))
    } else {
        YamlError::Yaml(format!("yaml: line {go_line}: {problem}"))
    }
}
