//! The pieces of Go's `strconv` kubestep needs: `FormatFloat` with precision -1 (shortest
//! digits) in the `'f'`, `'e'` and `'g'` layouts, and `ParseInt`/`ParseUint` with base 0 (Go
//! literal syntax: `0x1F`, `0o17`, `017`, `0b101`), whose range and syntax errors go-yaml's
//! resolver tells apart.

use std::fmt::Write as _;

/// A finite float64's shortest round-trip decimal digits: (negative, digits, exponent) with
/// value `±digits × 10^exponent`, digits without leading or trailing zeros ("0" for zero).
/// Read from serde_json's (ryu's) text, so that core's float formatter is not linked into the
/// wasm bundle (it costs about 25 KB gzipped). Go (Ryu as well) picks the same digits.
pub fn shortest(f: f64) -> (bool, String, i32) {
    let text = serde_json::Number::from_f64(f)
        .map(|n| n.to_string())
        .unwrap_or_default();
    shortest_decimal(&text)
}

/// The shortest digits of a float32 (serde_json serializes f32 with ryu's f32 algorithm), as
/// `strconv.FormatFloat(f, _, -1, 32)` picks them.
pub fn shortest_f32(f: f32) -> (bool, String, i32) {
    shortest_decimal(&serde_json::to_string(&f).unwrap_or_default())
}

/// Splits a decimal or exponent-form number text into (negative, digits, exponent).
fn shortest_decimal(text: &str) -> (bool, String, i32) {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{int}{frac}").trim_start_matches('0').to_string();
    let mut exp = exp - frac.len() as i32;
    while digits.ends_with('0') {
        digits.pop();
        exp += 1;
    }
    if digits.is_empty() {
        return (neg, "0".into(), 0);
    }
    (neg, digits, exp)
}

/// `'f'` layout of shortest digits: `123.45`, `0.001`, `1000`.
pub fn layout_f(neg: bool, digits: &str, exp: i32) -> String {
    let mut out = String::from(if neg { "-" } else { "" });
    let len = digits.len() as i32;
    if exp >= 0 {
        out.push_str(digits);
        if digits != "0" {
            out.extend(std::iter::repeat_n('0', exp as usize));
        }
    } else if len > -exp {
        let (a, b) = digits.split_at((len + exp) as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - len) as usize));
        out.push_str(digits);
    }
    out
}

/// `'e'` layout of shortest digits: `1.5e-07`, `1e+21` (at least two exponent digits).
pub fn layout_e(neg: bool, digits: &str, exp: i32) -> String {
    let x = if digits == "0" {
        0
    } else {
        exp + digits.len() as i32 - 1
    };
    let mut out = String::from(if neg { "-" } else { "" });
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let _ = write!(out, "e{}{:02}", if x < 0 { '-' } else { '+' }, x.abs());
    out
}

fn non_finite(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else {
        None
    }
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`.
pub fn format_f(f: f64) -> String {
    if let Some(s) = non_finite(f) {
        return s;
    }
    let (neg, digits, exp) = shortest(f);
    layout_f(neg, &digits, exp)
}

/// `strconv.FormatFloat(f, 'e', -1, 64)`.
pub fn format_e(f: f64) -> String {
    if let Some(s) = non_finite(f) {
        return s;
    }
    let (neg, digits, exp) = shortest(f);
    layout_e(neg, &digits, exp)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: `%e` when the decimal exponent is below -4 or at
/// least 6 (Go fixes the threshold at 6 for the shortest form), `%f` otherwise.
pub fn format_g(f: f64) -> String {
    if let Some(s) = non_finite(f) {
        return s;
    }
    let (neg, digits, exp) = shortest(f);
    let x = if digits == "0" {
        0
    } else {
        exp + digits.len() as i32 - 1
    };
    if !(-4..6).contains(&x) {
        layout_e(neg, &digits, exp)
    } else {
        layout_f(neg, &digits, exp)
    }
}

/// Why `ParseInt`/`ParseUint` refused a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    /// `strconv.ErrSyntax`.
    Syntax,
    /// `strconv.ErrRange`: well formed, but does not fit.
    Range,
}

/// `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut hex = false;
    if b.len() - i >= 2
        && b[i] == b'0'
        && matches!(b[i + 1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        hex = b[i + 1].eq_ignore_ascii_case(&b'x');
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.to_ascii_lowercase().is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)`.
pub fn parse_uint_base0(s0: &str) -> Result<u64, NumError> {
    if s0.is_empty() {
        return Err(NumError::Syntax);
    }
    let b = s0.as_bytes();
    let (base, digits): (u64, &[u8]) = if b[0] == b'0' {
        if b.len() >= 3 && b[1].eq_ignore_ascii_case(&b'b') {
            (2, &b[2..])
        } else if b.len() >= 3 && b[1].eq_ignore_ascii_case(&b'o') {
            (8, &b[2..])
        } else if b.len() >= 3 && b[1].eq_ignore_ascii_case(&b'x') {
            (16, &b[2..])
        } else {
            (8, &b[1..])
        }
    } else {
        (10, b)
    };
    let cutoff = u64::MAX / base + 1;
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        let d = match c {
            b'_' => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => c - b'0',
            _ if c.to_ascii_lowercase().is_ascii_lowercase() => c.to_ascii_lowercase() - b'a' + 10,
            _ => return Err(NumError::Syntax),
        };
        if u64::from(d) >= base {
            return Err(NumError::Syntax);
        }
        if n >= cutoff {
            return Err(NumError::Range);
        }
        n *= base;
        n = match n.checked_add(u64::from(d)) {
            Some(v) => v,
            None => return Err(NumError::Range),
        };
    }
    if underscores && !underscore_ok(s0) {
        return Err(NumError::Syntax);
    }
    Ok(n)
}

/// `strconv.ParseInt(s, 0, 64)`.
pub fn parse_int_base0(s: &str) -> Result<i64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = parse_uint_base0(body)?;
    let cutoff = 1u64 << 63;
    if !neg && un >= cutoff {
        return Err(NumError::Range);
    }
    if neg && un > cutoff {
        return Err(NumError::Range);
    }
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

/// `strconv.ParseFloat(s, 64)` for decimal text (what the YAML resolver hands it): `None` on a
/// syntax error or when the value rounds to an infinity (Go's ErrRange). Underscores are
/// allowed where Go allows them.
pub fn parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut text = String::new();
    if matches!(b.first(), Some(b'+' | b'-')) {
        if b[0] == b'-' {
            text.push('-');
        }
        i = 1;
    }
    // Go also takes "inf", "infinity" and "nan"; the resolver never hands those over, as it
    // only calls ParseFloat on texts starting with '.' or matching the YAML float pattern.
    let mut saw_digits = false;
    let mut saw_dot = false;
    let mut underscores = false;
    let mut mantissa = String::new();
    while i < b.len() {
        match b[i] {
            b'_' => underscores = true,
            b'.' if !saw_dot => {
                saw_dot = true;
                mantissa.push('.');
            }
            c @ b'0'..=b'9' => {
                saw_digits = true;
                mantissa.push(c as char);
            }
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return None;
    }
    let mut exponent = String::new();
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i >= b.len() {
            return None;
        }
        if b[i] == b'+' || b[i] == b'-' {
            if b[i] == b'-' {
                exponent.push('-');
            }
            i += 1;
        }
        let mut exp_digits = false;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] == b'_' {
                underscores = true;
            } else {
                exp_digits = true;
                exponent.push(b[i] as char);
            }
            i += 1;
        }
        if !exp_digits {
            return None;
        }
    }
    if i != b.len() || (underscores && !underscore_ok(s)) {
        return None;
    }
    // JSON number syntax for serde_json's parser: digits on both sides of the point.
    let (int, frac) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
    let int = int.trim_start_matches('0');
    let _ = write!(
        text,
        "{}.{}",
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac }
    );
    if !exponent.is_empty() {
        text.push('e');
        // serde_json refuses huge exponent texts only by value; keep it as written.
        text.push_str(&exponent);
    }
    let f: f64 = serde_json::from_str(&text).ok()?;
    f.is_finite().then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_format_like_go() {
        for (f, g, e, ff) in [
            (0.5, "0.5", "5e-01", "0.5"),
            (1e6, "1e+06", "1e+06", "1000000"),
            (1000000.5, "1.0000005e+06", "1.0000005e+06", "1000000.5"),
            (100000.5, "100000.5", "1.000005e+05", "100000.5"),
            (0.0001, "0.0001", "1e-04", "0.0001"),
            (0.00001, "1e-05", "1e-05", "0.00001"),
            (1e21, "1e+21", "1e+21", "1000000000000000000000"),
            (0.0, "0", "0e+00", "0"),
            (-0.0, "-0", "-0e+00", "-0"),
            (-2.5, "-2.5", "-2.5e+00", "-2.5"),
            (123456.0, "123456", "1.23456e+05", "123456"),
        ] {
            assert_eq!(format_g(f), g, "g {f}");
            assert_eq!(format_e(f), e, "e {f}");
            assert_eq!(format_f(f), ff, "f {f}");
        }
        assert_eq!(format_g(f64::INFINITY), "+Inf");
        assert_eq!(format_g(f64::NAN), "NaN");
    }

    #[test]
    fn base0_integers_parse_like_go() {
        assert_eq!(parse_int_base0("0x1F"), Ok(31));
        assert_eq!(parse_int_base0("0o17"), Ok(15));
        assert_eq!(parse_int_base0("017"), Ok(15));
        assert_eq!(parse_int_base0("0b101"), Ok(5));
        assert_eq!(parse_int_base0("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_int_base0("9223372036854775808"), Err(NumError::Range));
        assert_eq!(parse_uint_base0("9223372036854775808"), Ok(1 << 63));
        assert_eq!(
            parse_uint_base0("18446744073709551616"),
            Err(NumError::Range)
        );
        assert_eq!(parse_int_base0("0x"), Err(NumError::Syntax));
        assert_eq!(parse_int_base0("08"), Err(NumError::Syntax));
        assert_eq!(parse_int_base0("+"), Err(NumError::Syntax));
        assert_eq!(parse_int_base0("1_000"), Ok(1000));
        assert_eq!(parse_int_base0("1__0"), Err(NumError::Syntax));
        // The range check comes before the digit check, as in Go.
        assert_eq!(
            parse_uint_base0("99999999999999999999x"),
            Err(NumError::Range)
        );
    }

    #[test]
    fn floats_parse_like_go() {
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float("-1.5E-2"), Some(-0.015));
        assert_eq!(parse_float("1."), Some(1.0));
        assert_eq!(parse_float("."), None);
        assert_eq!(parse_float("1e"), None);
        assert_eq!(parse_float("1e999"), None);
        assert_eq!(parse_float("1e-999"), Some(0.0));
        assert_eq!(parse_float(".1_0"), Some(0.1));
        assert_eq!(parse_float("._1"), None);
    }
}
