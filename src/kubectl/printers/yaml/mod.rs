//! kubectl's `-o yaml`: `sigs.k8s.io/yaml.Marshal` of the object, that is `json.Marshal` and
//! then `JSONToYAML`, which reads the JSON back with go-yaml v2 (numbers become int, uint64 or
//! float64 as go-yaml resolves their text) and writes it with go-yaml v2's encoder: keys in
//! go-yaml's natural order, block style with sequences at their key's indent, empty
//! collections as `{}`/`[]`, strings quoted where a plain scalar would read back as something
//! else, literal blocks for multi-line strings, and long plain lines folded after column 80.

mod emitter;
mod sorter;

pub use sorter::key_less;

use crate::golang::yaml_resolve::{self as resolve, Resolved};
use emitter::{Event, Style};
use serde_json::Value;

use super::json::{go_float_text, go_number, GoNumber};
use crate::golang::strconv::format_g;

/// Why go-yaml cannot read back the JSON text of an object. `Display` is go-yaml's message
/// (`yaml: line 2: found unexpected document indicator`); kubectl prints it after `error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError(pub String);

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What go-yaml's reader, scanner and parser make of the characters `encoding/json` leaves
/// raw in its text, walked in the order of that text (keys sorted byte-wise).
///
/// - DEL, the C1 controls but NEL, U+FFFE and U+FFFF are refused by the reader, whose error
///   wins here wherever it is (go-yaml checks characters as it loads each input chunk).
/// - NEL (U+0085) is a line break: it moves go-yaml's line count, and a `---` or `...`
///   followed by a blank right after it is a document indicator inside a quoted scalar.
/// - A key is a simple key only on one line and within 1024 characters of its opening quote;
///   otherwise the flow mapping parser stops at its `:`.
struct ReaderCheck {
    /// Line breaks (raw NELs) read so far: the 0-based line of the scanner.
    nels: usize,
}

const NEL: char = '\u{85}';

impl ReaderCheck {
    fn refused(c: char) -> bool {
        matches!(c as u32, 0x7F | 0x80..=0x84 | 0x86..=0x9F | 0xFFFE | 0xFFFF)
    }

    fn any_refused(v: &Value) -> bool {
        match v {
            Value::String(s) => s.chars().any(Self::refused),
            Value::Array(items) => items.iter().any(Self::any_refused),
            Value::Object(map) => map
                .iter()
                .any(|(k, v)| k.chars().any(Self::refused) || Self::any_refused(v)),
            _ => false,
        }
    }

    fn check(v: &Value) -> Result<(), YamlError> {
        if Self::any_refused(v) {
            return Err(YamlError("yaml: control characters are not allowed".into()));
        }
        ReaderCheck { nels: 0 }.walk(v)
    }

    fn walk(&mut self, v: &Value) -> Result<(), YamlError> {
        match v {
            Value::String(s) => self.scalar(s),
            Value::Array(items) => items.iter().try_for_each(|i| self.walk(i)),
            Value::Object(map) => {
                for (k, v) in super::json::sorted_entries(map) {
                    self.scalar(k)?;
                    let mut quoted = String::new();
                    super::json::write_go_string(k, &mut quoted);
                    if k.contains(NEL) || quoted.chars().count() > 1024 {
                        let at = if self.nels == 0 {
                            String::new()
                        } else {
                            format!("line {}: ", self.nels)
                        };
                        return Err(YamlError(format!(
                            "yaml: {at}did not find expected ',' or '}}'"
                        )));
                    }
                    self.walk(v)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A double-quoted scalar: counts its breaks, and stops at a document indicator that
    /// starts a line (a NEL directly before it, a blank after it).
    fn scalar(&mut self, s: &str) -> Result<(), YamlError> {
        let chars: Vec<char> = s.chars().collect();
        let mut line_start = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == NEL {
                self.nels += 1;
                line_start = true;
                continue;
            }
            if line_start && c != ' ' {
                let next3: String = chars[i..].iter().take(3).collect();
                if (next3 == "---" || next3 == "...")
                    && matches!(chars.get(i + 3), Some(&' ') | Some(&NEL))
                {
                    return Err(YamlError(format!(
                        "yaml: line {}: found unexpected document indicator",
                        self.nels + 1
                    )));
                }
            }
            line_start = false;
        }
        Ok(())
    }
}

/// `yaml.Marshal(obj)` as kubectl's YAMLPrinter writes one object (ends in a newline).
pub fn to_yaml(value: &Value) -> Result<String, YamlError> {
    ReaderCheck::check(value)?;
    let mut events = vec![Event::StreamStart, Event::DocumentStart];
    push_events(value, &mut events);
    events.push(Event::DocumentEnd);
    events.push(Event::StreamEnd);
    Ok(emitter::emit(&events))
}

/// The YAMLPrinter's output for several objects in turn: `---` before each one but the first.
pub fn to_yaml_documents<'a>(
    values: impl IntoIterator<Item = &'a Value>,
) -> Result<String, YamlError> {
    let mut out = String::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&to_yaml(v)?);
    }
    Ok(out)
}

/// The string go-yaml's scanner reads from the double-quoted JSON string `encoding/json`
/// wrote for `s` (after [`ReaderCheck`] passed it). Go escapes control characters below
/// U+0020 (and `<`, `>`, `&`, U+2028, U+2029), which come back unchanged; NEL (U+0085), which
/// it leaves raw, is a line break to YAML, folded like one in a multi-line quoted scalar:
/// spaces around it dropped, one break read as a space, further ones as newlines.
fn read_back(s: &str) -> String {
    if !s.contains(NEL) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != ' ' && chars[i] != NEL {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == NEL) {
            i += 1;
        }
        let run = &chars[start..i];
        let breaks = run.iter().filter(|&&c| c == NEL).count();
        if breaks == 0 {
            out.extend(run);
        } else if breaks == 1 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }
    out
}

/// The scalar go-yaml's decoder makes of the JSON text of a number, written back by the
/// encoder: an integer text as int or uint64 (`strconv.FormatInt`/`FormatUint`), anything
/// else as the float64 it was (`FormatFloat(f, 'g', -1, 64)`; Go's JSON floats read back
/// exactly).
fn number_scalar(n: &serde_json::Number) -> String {
    match go_number(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => {
            let text = go_float_text(f);
            match text.parse::<u64>() {
                Ok(u) => u.to_string(),
                Err(_) => format_g(f),
            }
        }
    }
}

/// The encoder's `stringv`: the style it asks the emitter for.
fn string_style(s: &str) -> Style {
    let can_use_plain = resolve::resolve(s) == Resolved::Str && !resolve::is_base60_float(s);
    if s.contains('\n') {
        Style::Literal
    } else if can_use_plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

fn scalar(value: String, style: Style) -> Event {
    Event::Scalar { value, style }
}

fn push_events(value: &Value, events: &mut Vec<Event>) {
    match value {
        Value::Null => events.push(scalar("null".into(), Style::Plain)),
        Value::Bool(b) => events.push(scalar(b.to_string(), Style::Plain)),
        Value::Number(n) => events.push(scalar(number_scalar(n), Style::Plain)),
        Value::String(s) => {
            let s = read_back(s);
            let style = string_style(&s);
            events.push(scalar(s, style));
        }
        Value::Array(items) => {
            events.push(Event::SequenceStart);
            for item in items {
                push_events(item, events);
            }
            events.push(Event::SequenceEnd);
        }
        Value::Object(map) => {
            events.push(Event::MappingStart);
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                entries.push((read_back(k), v));
            }
            sorter::sort_keys(&mut entries, |(k, _)| k.as_str());
            for (k, v) in entries {
                let style = string_style(&k);
                events.push(scalar(k, style));
                push_events(v, events);
            }
            events.push(Event::MappingEnd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_prints_as_kubectl_prints_it() {
        let obj = json!({
            "kind": "ConfigMap",
            "apiVersion": "v1",
            "metadata": {"name": "x", "annotations": {"b": "a very long string with many words that should go on and on past eighty columns to see whether it wraps or not at all"}},
            "data": {"z": "yes", "a10": "1", "a9": "", "b": "<&>", "c": "line1\nline2\n"}
        });
        assert_eq!(
            to_yaml(&obj).unwrap(),
            "apiVersion: v1\ndata:\n  a9: \"\"\n  a10: \"1\"\n  b: <&>\n  c: |\n    line1\n    line2\n  z: \"yes\"\nkind: ConfigMap\nmetadata:\n  annotations:\n    b: a very long string with many words that should go on and on past eighty columns\n      to see whether it wraps or not at all\n  name: x\n"
        );
    }

    #[test]
    fn sequences_sit_at_their_keys_indent_and_empty_collections_are_flow() {
        let obj = json!({"list": [{"a": 1, "b": [1, 2]}, [3, []], {}], "e": {}});
        assert_eq!(
            to_yaml(&obj).unwrap(),
            "e: {}\nlist:\n- a: 1\n  b:\n  - 1\n  - 2\n- - 3\n  - []\n- {}\n"
        );
    }

    #[test]
    fn numbers_go_through_go_json_and_back() {
        let obj: Value =
            serde_json::from_str(r#"{"a":1.0,"b":0.5,"c":1e6,"d":1000000.5,"e":1e21,"f":0.0000001,"g":12345678901234567890,"h":-0.0}"#)
                .unwrap();
        assert_eq!(
            to_yaml(&obj).unwrap(),
            "a: 1\nb: 0.5\nc: 1000000\nd: 1.0000005e+06\ne: 1e+21\nf: 1e-07\ng: 12345678901234567000\nh: 0\n"
        );
    }
}
