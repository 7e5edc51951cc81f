//! How Go prints a decoded JSON value (`fmt.Sprintf("%v", v)` and `reflect.TypeOf(v)`), because
//! the strategic merge patch errors embed values printed that way (`map: map[a:1] does not ...`).
//!
//! The values are those `k8s.io/apimachinery/pkg/util/json` decodes into: `map[string]interface
//! {}` (printed with sorted keys), `[]interface {}`, `string`, `int64` for integers, `float64`
//! otherwise, `bool` and `nil`.

use serde_json::Value;

/// `fmt.Sprintf("%v", v)` of a decoded JSON value.
pub fn go_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(v, &mut out);
    out
}

fn write_v(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number(n)),
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
            // fmt prints maps with their keys sorted.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("map[");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(&map[k.as_str()], out);
            }
            out.push(']');
        }
    }
}

/// A JSON number as Go prints the `int64` or `float64` it decodes into.
pub fn go_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        // Larger than int64: Go decodes it into a float64.
        return go_float(u as f64);
    }
    go_float(n.as_f64().unwrap_or(0.0))
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` uses: the shortest digits, in exponent form
/// when the decimal exponent is below -4 or at least 6 (so a float64 million prints `1e+06`).
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return "0".into();
    }
    // Shortest round-trip digits and decimal exponent, from Rust's `{:e}`.
    let sci = format!("{:e}", f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// `reflect.TypeOf(v)` printed with `%s`, for `mergepatch.ErrBadArgType`.
pub fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) => {
            if n.is_i64() {
                "int64"
            } else {
                "float64"
            }
        }
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// The kind of Go value a JSON value decodes into, for the "same type" comparisons that
/// `reflect.TypeOf(a) != reflect.TypeOf(b)` makes in strategicpatch.
pub fn same_go_type(a: &Value, b: &Value) -> bool {
    go_type(a) == go_type(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_print_sorted_like_fmt() {
        assert_eq!(go_v(&json!({"b": 1, "a": "x"})), "map[a:x b:1]");
        assert_eq!(go_v(&json!([1, "a", null, true])), "[1 a <nil> true]");
        assert_eq!(go_v(&json!(1.5)), "1.5");
        assert_eq!(go_v(&json!(1e6)), "1e+06");
        assert_eq!(go_v(&json!(123456.0)), "123456");
    }
}

/// `json.Marshal` of a decoded value as Go writes it: object keys sorted, `<`, `>`, `&`, U+2028
/// and U+2029 escaped, floats in Go's notation. kubectl sends patches and stores the
/// last-applied configuration in this form.
pub fn go_json_marshal(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else {
                out.push_str(&go_json_float(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json(&map[k.as_str()], out);
            }
            out.push('}');
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// encoding/json's float64 form: plain decimals, exponent form below 1e-6 and from 1e21.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let sci = format!("{:e}", f);
        let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        // Go cleans "e-07" up to "e-7" but keeps "e+21".
        if exp < 0 {
            return format!("{mantissa}e{sign}{}", exp.abs());
        }
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

#[cfg(test)]
mod json_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marshal_sorts_keys_and_escapes_html() {
        assert_eq!(
            go_json_marshal(&json!({"b": "<a&b>", "a": [1, 2.5, null]})),
            r#"{"a":[1,2.5,null],"b":"\u003ca\u0026b\u003e"}"#
        );
        assert_eq!(go_json_marshal(&json!(1e21)), "1e+21");
        assert_eq!(go_json_marshal(&json!(1e-7)), "1e-7");
    }
}
