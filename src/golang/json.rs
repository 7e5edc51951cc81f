//! The parts of Go's `encoding/json` whose output kubestep reproduces: the float64 number
//! text, the HTML-safe string encoding, `json.Marshal` of a decoded value (keys sorted, no
//! spaces), and how `k8s.io/apimachinery/pkg/util/json` decodes a number.

use serde_json::{Number, Value};

use super::strconv::{layout_e, layout_f, shortest};

/// The Go value a JSON number decodes into.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GoNumber {
    Int(i64),
    Float(f64),
}

/// How `k8s.io/apimachinery/pkg/util/json` decodes a number: an `int64` when it is one (the
/// text has integer syntax and fits), a `float64` otherwise.
pub fn decoded_number(n: &Number) -> GoNumber {
    match n.as_i64() {
        Some(i) => GoNumber::Int(i),
        // A u64 beyond int64 becomes a float64 too.
        None => GoNumber::Float(n.as_f64().expect("a serde_json number converts to f64")),
    }
}

/// `encoding/json`'s text of a float64: `'f'` layout, `'e'` below 1e-6 and from 1e21 on, with
/// `e-07` shortened to `e-7`. `None` for NaN and the infinities, which `json.Marshal` refuses.
pub fn format_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let (neg, digits, exp) = shortest(f);
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut out = layout_e(neg, &digits, exp);
        let b = out.as_bytes();
        let n = b.len();
        if b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            out.remove(n - 2);
        }
        return Some(out);
    }
    Some(layout_f(neg, &digits, exp))
}

/// `appendString` with HTML escaping on (what `json.Marshal` writes): `\"`, `\\`, the short
/// escapes Go 1.22+ uses (`\b`, `\f`, `\n`, `\r`, `\t`), `\u00XX` for other control bytes and
/// for `<`, `>`, `&`, and `\u2028`/`\u2029`.
pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '<' || c == '>' || c == '&' => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 0xF] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Marshal` of a decoded value: object keys sorted (a Go map), no spaces, strings
/// HTML-safe, integers as written and floats in Go's notation. kubectl sends patches and stores
/// the last-applied configuration in this form; ControllerRevisions hash it.
pub fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write_marshal(v, &mut out);
    out
}

fn write_marshal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_i64() || n.is_u64() {
                out.push_str(&n.to_string());
            } else {
                let f = n.as_f64().expect("a serde_json number converts to f64");
                out.push_str(&format_float(f).expect("serde_json numbers are finite"));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_marshal(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in sorted_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_marshal(v, out);
            }
            out.push('}');
        }
    }
}

/// The entries of a Go map in the order `encoding/json` and `fmt` print them: keys byte-wise
/// sorted.
pub fn sorted_entries(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_marshal_in_go_notation() {
        assert_eq!(format_float(1.0).unwrap(), "1");
        assert_eq!(format_float(123456789.123).unwrap(), "123456789.123");
        assert_eq!(format_float(-0.5).unwrap(), "-0.5");
        assert_eq!(format_float(-0.0).unwrap(), "-0");
        assert_eq!(format_float(1.5e-7).unwrap(), "1.5e-7");
        assert_eq!(format_float(1.5e300).unwrap(), "1.5e+300");
        // Checked with Go 1.19's json.Marshal: shortest digits, then zeros.
        assert_eq!(
            format_float(-9223372036854775808.0).unwrap(),
            "-9223372036854776000"
        );
        assert_eq!(format_float(5e-324).unwrap(), "5e-324");
        assert_eq!(format_float(1e21).unwrap(), "1e+21");
        assert_eq!(format_float(1e20).unwrap(), "100000000000000000000");
        assert_eq!(format_float(1e-7).unwrap(), "1e-7");
        assert_eq!(format_float(0.000001).unwrap(), "0.000001");
        assert!(format_float(f64::INFINITY).is_none());
        assert!(format_float(f64::NAN).is_none());
    }

    #[test]
    fn marshal_sorts_keys_and_escapes_html() {
        assert_eq!(
            marshal(&json!({"b": "<a&b>", "a": [1, 2.5, null]})),
            r#"{"a":[1,2.5,null],"b":"\u003ca\u0026b\u003e"}"#
        );
        assert_eq!(marshal(&json!(1e21)), "1e+21");
        assert_eq!(marshal(&json!(1e-7)), "1e-7");
        let mut out = String::new();
        write_string("\u{1}\u{8}\u{c}\u{7f}\u{2028}é", &mut out);
        assert_eq!(out, "\"\\u0001\\b\\f\u{7f}\\u2028é\"");
    }

    #[test]
    fn util_json_decodes_integers_into_int64_and_the_rest_into_float64() {
        let n = |s: &str| serde_json::from_str::<Number>(s).unwrap();
        assert_eq!(decoded_number(&n("7")), GoNumber::Int(7));
        assert_eq!(decoded_number(&n("1e6")), GoNumber::Float(1e6));
        assert_eq!(
            decoded_number(&n("18446744073709551615")),
            GoNumber::Float(18446744073709551615.0)
        );
    }
}
