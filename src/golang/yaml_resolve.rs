//! go-yaml v2's `resolve` (sigs.k8s.io/yaml/goyaml.v2/resolve.go): what a plain scalar is
//! read as. The API server's YAML decoder takes the value; kubectl's YAML printer asks for the
//! tag, and writes double-quoted a string whose plain form would come back as anything but a
//! string (`yes`, `~`, `017`, `1e3`, `2024-01-01`). YAML 1.1 rules: `y`/`n`/`on`/`off` are booleans, base-0 integers (`0x1F`, `0o17`, `017`),
//! underscores ignored in numbers, and timestamps in the layouts `time.Parse` accepts.

use super::strconv::{parse_float, parse_int_base0, parse_uint_base0};

/// The tag `resolve("", s)` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Str,
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
}

/// `resolveTable`: the hint of a scalar's first byte.
fn hint(first: u8) -> u8 {
    match first {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => 0,
    }
}

/// What `resolve("", s)` reads a plain scalar as.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    /// An int64, or a uint64 beyond it, in decimal.
    Int(String),
    Float(f64),
    /// A timestamp (go-yaml v2 still hands it to an `interface{}` as the string it was).
    Timestamp,
    Str,
}

impl Resolved {
    pub fn tag(&self) -> Tag {
        match self {
            Resolved::Null => Tag::Null,
            Resolved::Bool(_) => Tag::Bool,
            Resolved::Int(_) => Tag::Int,
            Resolved::Float(_) => Tag::Float,
            Resolved::Timestamp => Tag::Timestamp,
            Resolved::Str => Tag::Str,
        }
    }
}

/// `resolveMap`.
fn resolve_map(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        // "<<" is in the map too, but its first byte has no hint, so it is never looked up.
        _ => return None,
    })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `resolve("", s)`.
pub fn resolve(s: &str) -> Resolved {
    let h = if s.is_empty() {
        b'N'
    } else {
        hint(s.as_bytes()[0])
    };
    if h == 0 {
        return Resolved::Str;
    }
    if let Some(r) = resolve_map(s) {
        return r;
    }
    match h {
        b'.' => {
            if let Some(f) = parse_float(s) {
                return Resolved::Float(f);
            }
        }
        b'D' | b'S' => {
            if parse_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Ok(i) = parse_int_base0(&plain) {
                return Resolved::Int(i.to_string());
            }
            if let Ok(u) = parse_uint_base0(&plain) {
                return Resolved::Int(u.to_string());
            }
            if yaml_style_float(&plain) {
                if let Some(f) = parse_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            // go-yaml's retries of "0b" and "-0b" texts parse what base 0 already parsed.
            // (Later sigs.k8s.io/yaml versions resolve integers beyond 64 bits through big.Int;
            // kubectl 1.33's leaves `0x1FFFFFFFFFFFFFFFFF` a string.)
        }
        _ => {}
    }
    Resolved::Str
}

/// `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`, quoted on output for
/// YAML 1.1 parsers although go-yaml itself reads it as a string.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&c) = b.first() else {
        return false;
    };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    let mut i = usize::from(c == b'+' || c == b'-');
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    // One or more ":" followed by [0-5]?[0-9]; the regexp backtracks, which for these
    // character classes means: one or two digits, the first of two at most 5.
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        let d1 = b.get(i + 1).copied();
        let d2 = b.get(i + 2).copied();
        match (d1, d2) {
            (Some(x), Some(y)) if (b'0'..=b'5').contains(&x) && y.is_ascii_digit() => {
                // Two digits, unless a third digit follows (then only one can belong here and
                // the rest must not be a digit either: "[0-9]" then ':' '.' or end).
                if b.get(i + 3).is_some_and(u8::is_ascii_digit) {
                    return false;
                }
                i += 3;
            }
            (Some(x), _) if x.is_ascii_digit() => {
                if b.get(i + 2).is_some_and(u8::is_ascii_digit) {
                    return false;
                }
                i += 2;
            }
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// `parseTimestamp`: a text of four digits and '-' that `time.Parse` accepts in one of
/// go-yaml's layouts.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits != 4 || digits == b.len() || b[digits] != b'-' {
        return false;
    }
    [
        Layout::DateTime(b'T'),
        Layout::DateTime(b't'),
        Layout::DateSpaceTime,
        Layout::Date,
    ]
    .into_iter()
    .any(|l| parse_time(l, s))
}

/// go-yaml's `allowedTimestampFormats`.
#[derive(Clone, Copy)]
enum Layout {
    /// `2006-1-2T15:4:5.999999999Z07:00` (and with a lower-case `t`).
    DateTime(u8),
    /// `2006-1-2 15:4:5.999999999`
    DateSpaceTime,
    /// `2006-1-2`
    Date,
}

/// `getnum`: one or two digits (two required when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    if !s.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !s.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((u32::from(s[0] - b'0'), &s[1..]));
    }
    Some((
        u32::from(s[0] - b'0') * 10 + u32::from(s[1] - b'0'),
        &s[2..],
    ))
}

/// `skip`: a literal of the layout; a space in the layout matches any run of spaces.
fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Option<&'a [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&c| c != b' ') {
                return None;
            }
            while prefix.first() == Some(&b' ') {
                prefix = &prefix[1..];
            }
            while value.first() == Some(&b' ') {
                value = &value[1..];
            }
            continue;
        }
        if value.first() != Some(&p) {
            return None;
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Some(value)
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether `time.Parse(layout, s)` succeeds.
fn parse_time(layout: Layout, s: &str) -> bool {
    let v = s.as_bytes();
    // stdLongYear: four characters, the first a digit (parseTimestamp checked all four).
    if v.len() < 4 || !v[0].is_ascii_digit() {
        return false;
    }
    let year: i64 = match s[..4].parse() {
        Ok(y) => y,
        Err(_) => return false,
    };
    let Some(v) = skip(&v[4..], b"-") else {
        return false;
    };
    let Some((month, v)) = getnum(v, false) else {
        return false;
    };
    if !(1..=12).contains(&month) {
        return false;
    }
    let Some(v) = skip(v, b"-") else {
        return false;
    };
    let Some((day, mut v)) = getnum(v, false) else {
        return false;
    };
    let sep: &[u8] = match layout {
        Layout::Date => b"",
        Layout::DateTime(b'T') => b"T",
        Layout::DateTime(_) => b"t",
        Layout::DateSpaceTime => b" ",
    };
    if !matches!(layout, Layout::Date) {
        let Some(rest) = skip(v, sep) else {
            return false;
        };
        let Some((hour, rest)) = getnum(rest, false) else {
            return false;
        };
        if hour >= 24 {
            return false;
        }
        let Some(rest) = skip(rest, b":") else {
            return false;
        };
        let Some((minute, rest)) = getnum(rest, false) else {
            return false;
        };
        if minute >= 60 {
            return false;
        }
        let Some(rest) = skip(rest, b":") else {
            return false;
        };
        let Some((second, mut rest)) = getnum(rest, false) else {
            return false;
        };
        if second >= 60 {
            return false;
        }
        // stdFracSecond9: '.' or ',' and any number of digits, or nothing.
        if rest.len() >= 2 && matches!(rest[0], b'.' | b',') && rest[1].is_ascii_digit() {
            let mut i = 1;
            while i < rest.len() && rest[i].is_ascii_digit() {
                i += 1;
            }
            rest = &rest[i..];
        }
        if let Layout::DateTime(_) = layout {
            // stdISO8601ColonTZ: "Z" or ±hh:mm.
            if rest.first() == Some(&b'Z') {
                rest = &rest[1..];
            } else {
                if rest.len() < 6 || rest[3] != b':' {
                    return false;
                }
                let Some((hh, _)) = getnum(&rest[1..3], true) else {
                    return false;
                };
                let Some((mm, _)) = getnum(&rest[4..6], true) else {
                    return false;
                };
                if hh > 24 || mm > 60 || !matches!(rest[0], b'+' | b'-') {
                    return false;
                }
                rest = &rest[6..];
            }
        }
        v = rest;
    }
    if !v.is_empty() {
        return false;
    }
    day >= 1 && day <= days_in(month, year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_as_go_yaml_v2_reads_them() {
        for (s, tag) in [
            ("", Tag::Null),
            ("~", Tag::Null),
            ("null", Tag::Null),
            ("yes", Tag::Bool),
            ("Off", Tag::Bool),
            ("y", Tag::Bool),
            ("yES", Tag::Str),
            ("1_000", Tag::Int),
            ("0x1F", Tag::Int),
            ("0o17", Tag::Int),
            ("017", Tag::Int),
            ("08", Tag::Float),
            ("1e3", Tag::Float),
            ("1e999", Tag::Str),
            (".5", Tag::Float),
            (".", Tag::Str),
            ("+1", Tag::Int),
            ("-", Tag::Str),
            ("<<", Tag::Str),
            ("2024-01-01", Tag::Timestamp),
            ("2024-1-1T1:2:3Z", Tag::Timestamp),
            ("2024-01-01T00:00:00.123+01:00", Tag::Timestamp),
            ("2024-01-01 10:00:00", Tag::Timestamp),
            ("2024-01-01  10:00:00", Tag::Timestamp),
            ("2024-02-30", Tag::Str),
            ("2024-02-29", Tag::Timestamp),
            ("2023-02-29", Tag::Str),
            ("2024-01-01T25:00:00Z", Tag::Str),
            ("0x1FFFFFFFFFFFFFFFFF", Tag::Str),
            ("99999999999999999999", Tag::Float),
            ("nginx", Tag::Str),
            (".5_0", Tag::Float),
        ] {
            assert_eq!(resolve(s).tag(), tag, "{s:?}");
        }
    }

    #[test]
    fn resolved_scalars_carry_their_values() {
        assert_eq!(resolve("On"), Resolved::Bool(true));
        assert_eq!(resolve("0x1F"), Resolved::Int("31".into()));
        assert_eq!(resolve("-017"), Resolved::Int("-15".into()));
        assert_eq!(
            resolve("18446744073709551615"),
            Resolved::Int("18446744073709551615".into())
        );
        assert_eq!(resolve("+.5"), Resolved::Float(0.5));
        assert_eq!(resolve("-.Inf"), Resolved::Float(f64::NEG_INFINITY));
        assert!(matches!(resolve(".nan"), Resolved::Float(f) if f.is_nan()));
    }

    #[test]
    fn base60_floats_are_recognised() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("-1:20:30.5"));
        assert!(is_base60_float("190:20:30"));
        assert!(is_base60_float("1:2"));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("1:200"));
        assert!(!is_base60_float("a:20"));
        assert!(!is_base60_float("1:"));
        assert!(!is_base60_float("12"));
    }
}
