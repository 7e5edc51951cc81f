//! The parts of Go's `fmt` that messages show decoded JSON values with: `%v` and `%#v` of
//! `map[string]interface{}` (keys sorted, as `fmt` sorts maps), `[]interface{}`, strings,
//! int64, float64, bools and nil; `strconv.Quote` (`%q`); `%#U`; and `reflect.TypeOf` of such a
//! value. Both the API server (strategic merge patch errors, field errors) and kubectl
//! (JSONPath, custom columns, messages) print values this way.

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::json::{decoded_number, sorted_entries, GoNumber};
use super::strconv::format_g;
use super::unicode::is_print;

/// How the printed value's numbers were decoded into Go values: `json::decoded_number` for
/// what `util/json` decodes, or a client's own rule.
pub type Decode = fn(&Number) -> GoNumber;

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
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

fn number_v(n: &Number, decode: Decode) -> String {
    match decode(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => format_g(f),
    }
}

/// `%v` of a value `util/json` decoded (nil is `<nil>`, a map `map[a:1 b:x]`, a float64
/// million `1e+06`).
pub fn v(value: &Value) -> String {
    v_decoded(value, decoded_number)
}

/// `%v` of a value whose numbers `decode` turned into Go numbers.
pub fn v_decoded(value: &Value, decode: Decode) -> String {
    let mut out = String::new();
    write_v(value, decode, &mut out);
    out
}

fn write_v(value: &Value, decode: Decode, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_v(n, decode)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(item, decode, out);
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
                write_v(v, decode, out);
            }
            out.push(']');
        }
    }
}

/// `%#v` of a value in an `interface{}` whose numbers `decode` turned into Go numbers:
/// `map[string]interface {}{"a":1, "b":interface {}(nil)}`.
pub fn sharp_v_decoded(value: &Value, decode: Decode) -> String {
    let mut out = String::new();
    write_sharp_v(value, decode, &mut out);
    out
}

fn write_sharp_v(value: &Value, decode: Decode, out: &mut String) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_v(n, decode)),
        Value::String(s) => out.push_str(&quote(s)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_sharp_v(item, decode, out);
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
                write_sharp_v(v, decode, out);
            }
            out.push('}');
        }
    }
}

/// `reflect.TypeOf(v)` printed with `%s` of a value `util/json` decoded, for
/// `mergepatch.ErrBadArgType`.
pub fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) => match decoded_number(n) {
            GoNumber::Int(_) => "int64",
            GoNumber::Float(_) => "float64",
        },
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Whether two decoded values have the same Go type, for the `reflect.TypeOf(a) !=
/// reflect.TypeOf(b)` comparisons strategicpatch makes.
pub fn same_go_type(a: &Value, b: &Value) -> bool {
    go_type(a) == go_type(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_format_as_go_formats_them() {
        let obj = json!({"b": [1, 1.5, "x\ty"], "a": null, "c": {"d": true}});
        assert_eq!(
            sharp_v_decoded(&obj, decoded_number),
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

    #[test]
    fn maps_print_sorted_and_floats_in_g_form() {
        assert_eq!(v(&json!({"b": 1, "a": "x"})), "map[a:x b:1]");
        assert_eq!(v(&json!([1, "a", null, true])), "[1 a <nil> true]");
        assert_eq!(v(&json!(1.5)), "1.5");
        assert_eq!(v(&json!(1e6)), "1e+06");
        assert_eq!(v(&json!(123456.0)), "123456");
        assert_eq!(go_type(&json!(1)), "int64");
        assert_eq!(go_type(&json!(1.0)), "float64");
        assert!(same_go_type(&json!("a"), &json!("b")));
    }
}
