//! kubectl's `-o json`: `json.MarshalIndent(obj, "", "    ")` and a newline. kubectl holds
//! what the server sent as `unstructured.Unstructured` (Go maps), so `encoding/json` writes the
//! keys sorted byte-wise whatever order they came in; numbers are int64 when their text is an
//! integer that fits and float64 otherwise; strings get Go's escaping, HTML characters
//! included (`<` is `\u003c`). The compact form (`json.Marshal`) is what `-o jsonpath` prints
//! for maps and lists.

use serde_json::{Number, Value};

pub use crate::golang::json::{sorted_entries, write_string as write_go_string, GoNumber};
use crate::golang::strconv::format_g;
use crate::golang::{fmt, json};

/// `-o json` for one object (ends in a newline).
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, Some(0), &mut out);
    out.push('\n');
    out
}

/// `-o json` of a typed object (what kubectl's typed clients and generators hold, a Go
/// struct): keys in the object's own order, which is the struct's field order.
pub fn to_json_typed(value: &Value) -> String {
    let mut out = String::new();
    write(value, Some(0), false, &mut out);
    out.push('\n');
    out
}

/// `json.Marshal(v)`: compact, keys sorted, HTML-escaped.
pub fn to_json_compact(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, None, &mut out);
    out
}

/// `json.MarshalIndent(v, "", "    ")` without kubectl's trailing newline.
pub fn to_json_indented(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, Some(0), &mut out);
    out
}

/// How kubectl decodes a number of the server's JSON. The server writes a float64 with Go's
/// layout, so a float with an integral value short of 1e21 arrives as an integer text and
/// becomes an int64 (`1e6` is `1000000`, `-0.0` is `0`).
pub fn go_number(n: &Number) -> GoNumber {
    if let Some(i) = n.as_i64() {
        return GoNumber::Int(i);
    }
    let f = n.as_f64().unwrap_or(0.0);
    match go_float_text(f).parse::<i64>() {
        Ok(i) => GoNumber::Int(i),
        Err(_) => GoNumber::Float(f),
    }
}

/// The text Go's `encoding/json` writes for a number kubectl decoded: an int64 in decimal, a
/// float64 in `'f'` layout, or `'e'` below 1e-6 and from 1e21 on, with `e-07` shortened to
/// `e-7`.
pub fn go_number_text(n: &Number) -> String {
    match go_number(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => go_float_text(f),
    }
}

/// Go's `encoding/json` text of a float64 (kubectl prints NaN and the infinities as `%v`
/// would, where `json.Marshal` refuses them).
pub fn go_float_text(f: f64) -> String {
    json::format_float(f).unwrap_or_else(|| format_g(f))
}

/// `%v` of a value kubectl holds (its numbers as `go_number` decodes them).
pub fn go_v(value: &Value) -> String {
    fmt::v_decoded(value, go_number)
}

/// `%#v` of a value kubectl holds in an `interface{}`.
pub fn go_sharp_v(value: &Value) -> String {
    fmt::sharp_v_decoded(value, go_number)
}

fn newline(depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn write_value(value: &Value, indent: Option<usize>, out: &mut String) {
    write(value, indent, true, out)
}

/// Writes `value`; `sorted`: map keys byte-wise sorted (a Go map), else in their order (a
/// Go struct's fields).
fn write(value: &Value, indent: Option<usize>, sorted: bool, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number_text(n)),
        Value::String(s) => write_go_string(s, out),
        Value::Array(items) => {
            out.push('[');
            if !items.is_empty() {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(d) = indent {
                        newline(d + 1, out);
                    }
                    write(item, indent.map(|d| d + 1), sorted, out);
                }
                if let Some(d) = indent {
                    newline(d, out);
                }
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            if !map.is_empty() {
                let entries = if sorted {
                    sorted_entries(map)
                } else {
                    map.iter().collect()
                };
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if let Some(d) = indent {
                        newline(d + 1, out);
                    }
                    write_go_string(k, out);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    write(v, indent.map(|d| d + 1), sorted, out);
                }
                if let Some(d) = indent {
                    newline(d, out);
                }
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
    fn objects_print_as_kubectl_prints_them() {
        let obj = json!({"kind": "ConfigMap", "apiVersion": "v1", "data": {"b": "<&>", "a": "x\ty"}, "e": {}, "l": []});
        assert_eq!(
            to_json(&obj),
            "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"a\": \"x\\ty\",\n        \"b\": \"\\u003c\\u0026\\u003e\"\n    },\n    \"e\": {},\n    \"kind\": \"ConfigMap\",\n    \"l\": []\n}\n"
        );
        assert_eq!(
            to_json_compact(&json!({"b": [1, {"c": null}], "a": true})),
            r#"{"a":true,"b":[1,{"c":null}]}"#
        );
    }

    #[test]
    fn numbers_read_as_go_reads_and_writes_them() {
        let v: Value = serde_json::from_str(
            "[1, -5, 1.0, 0.5, 1e6, 1e21, 0.0000001, 12345678901234567890, 1.5e300, -0.0]",
        )
        .unwrap();
        assert_eq!(
            to_json_compact(&v),
            "[1,-5,1,0.5,1000000,1e+21,1e-7,12345678901234567000,1.5e+300,0]"
        );
    }
}
