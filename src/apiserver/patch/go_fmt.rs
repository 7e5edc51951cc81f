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
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
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
