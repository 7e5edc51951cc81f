//! The parts of Go's `fmt` that kubectl's messages show unstructured content with: `%v` and
//! `%#v` of `map[string]interface{}` (keys sorted, as `fmt` sorts maps), `[]interface{}`,
//! strings, int64, float64, bools and nil; `strconv.Quote` (`%q`); and `%#U`.

use std::fmt::Write as _;

use serde_json::Value;

use super::json::{go_number, sorted_entries, GoNumber};
use super::strconv::format_g;
use super::unicode::is_print;

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// `fmt.Sprintf("%#U", r)`: `U+0041 'A'`, or `U+0009` for an unprintable rune.
pub fn sharp_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn number_v(n: &serde_json::Number) -> String {
    match go_number(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => format_g(f),
    }
}

/// `%v` of a value of an unstructured object (nil is `<nil>`, a map `map[a:1 b:x]`).
pub fn v(value: &Value) -> String {
    let mut out = String::new();
    write_v(value, &mut out);
    out
}

fn write_v(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_v(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, v)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(v, out);
            }
            out.push(']');
        }
    }
}

/// `%#v` of a value of an unstructured object, which sits in an `interface{}`:
/// `map[string]interface {}{"a":1, "b":interface {}(nil)}`.
pub fn sharp_v(value: &Value) -> String {
    let mut out = String::new();
    write_sharp_v(value, &mut out);
    out
}

fn write_sharp_v(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_v(n)),
        Value::String(s) => out.push_str(&quote(s)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_sharp_v(item, out);
            }
            out.push('}');
        }
        Value::Object(map) => {
            out.push_str("map[string]interface {}{");
            for (i, (k, v)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote(k));
                out.push(':');
                write_sharp_v(v, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_format_as_go_formats_them() {
        let obj = json!({"b": [1, 1.5, "x\ty"], "a": null, "c": {"d": true}});
        assert_eq!(
            sharp_v(&obj),
            r#"map[string]interface {}{"a":interface {}(nil), "b":[]interface {}{1, 1.5, "x\ty"}, "c":map[string]interface {}{"d":true}}"#
        );
        assert_eq!(v(&obj), "map[a:<nil> b:[1 1.5 x\ty] c:map[d:true]]");
        assert_eq!(
            quote("é\u{0}\u{7f}\u{a0}😀\u{feff}"),
            "\"é\\x00\\x7f\\u00a0😀\\ufeff\""
        );
        assert_eq!(sharp_u('\t'), "U+0009");
        assert_eq!(sharp_u('#'), "U+0023 '#'");
    }
}
