//! The Go parsers behind kube-apiserver's custom JSON fields, with their error texts:
//! `resource.ParseQuantity`, `encoding/base64` (StdEncoding, for `[]byte`) and `time.Parse`
//! with RFC 3339 layouts (for `metav1.Time` and `metav1.MicroTime`).

const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const ERR_NUMERIC: &str = "unable to parse numeric part of quantity";
const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

/// `resource.ParseQuantity`: accepts what Kubernetes accepts, or returns its error text.
pub(crate) fn parse_quantity(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err(ERR_FORMAT_WRONG.into());
    }
    if s == "0" {
        return Ok(());
    }
    let (num, denom, suffix) = split_quantity(s.as_bytes()).ok_or(ERR_FORMAT_WRONG)?;
    let known = matches!(
        suffix,
        "" | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
            | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
    ) || (suffix.len() > 1
        && matches!(suffix.as_bytes()[0], b'e' | b'E')
        && parse_go_int64(&suffix[1..]).is_some());
    if !known {
        return Err(ERR_SUFFIX.into());
    }
    if num.is_empty() && denom.is_empty() {
        return Err(ERR_NUMERIC.into());
    }
    Ok(())
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, in range.
fn parse_go_int64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// `parseQuantityString`: (numerator, denominator, suffix) or a format error.
fn split_quantity(s: &[u8]) -> Option<(&str, &str, &str)> {
    let text = std::str::from_utf8(s).ok()?;
    let end = s.len();
    let mut pos = 0;
    if matches!(s.first(), Some(b'-' | b'+')) {
        pos += 1;
    }
    while pos < end && s[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Some(("0", "", ""));
    }
    let num_start = pos;
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    let num = &text[num_start..pos];
    if pos >= end {
        return Some((num, "", ""));
    }
    let mut denom = "";
    if s[pos] == b'.' {
        pos += 1;
        let d_start = pos;
        while pos < end && s[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &text[d_start..pos];
        if pos >= end {
            return Some((num, denom, ""));
        }
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&s[pos]) {
        pos += 1;
    }
    if pos >= end {
        return Some((num, denom, &text[suffix_start..]));
    }
    if matches!(s[pos], b'-' | b'+') {
        pos += 1;
    }
    while pos < end && s[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos >= end {
        return Some((num, denom, &text[suffix_start..]));
    }
    None
}

/// `base64.StdEncoding.DecodeString`: the bytes, or the offset Go's `CorruptInputError`
/// reports (`illegal base64 data at input byte N`). `\r` and `\n` are skipped, as in Go.
pub(crate) fn decode_base64(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut dbuf = [0u8; 4];
        let mut dlen = 4;
        let mut j = 0;
        let mut trailing_err = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Standard encoding requires padding.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = b64_value(c) {
                dbuf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_err = Some(si);
            }
            dlen = j;
            break;
        }
        let val = (u32::from(dbuf[0]) << 18)
            | (u32::from(dbuf[1]) << 12)
            | (u32::from(dbuf[2]) << 6)
            | u32::from(dbuf[3]);
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(&bytes[..dlen.saturating_sub(1)]);
        if let Some(e) = trailing_err {
            return Err(e);
        }
    }
    Ok(out)
}

fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `time.RFC3339`, the layout of `metav1.Time`.
pub(crate) const RFC3339_LAYOUT: &str = "2006-01-02T15:04:05Z07:00";
/// `metav1.RFC3339Micro`, the layout of `metav1.MicroTime`.
pub(crate) const MICRO_LAYOUT: &str = "2006-01-02T15:04:05.000000Z07:00";

#[derive(Clone, Copy, PartialEq)]
enum Std {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Micro,
    Zone,
}

/// The layouts as Go's `nextStdChunk` splits them: (literal prefix, element, element text).
fn chunks(layout: &str) -> &'static [(&'static str, Std, &'static str)] {
    const BASE: [(&str, Std, &str); 6] = [
        ("", Std::Year, "2006"),
        ("-", Std::Month, "01"),
        ("-", Std::Day, "02"),
        ("T", Std::Hour, "15"),
        (":", Std::Minute, "04"),
        (":", Std::Second, "05"),
    ];
    const RFC: [(&str, Std, &str); 7] = [
        BASE[0],
        BASE[1],
        BASE[2],
        BASE[3],
        BASE[4],
        BASE[5],
        ("", Std::Zone, "Z07:00"),
    ];
    const MICRO: [(&str, Std, &str); 8] = [
        BASE[0],
        BASE[1],
        BASE[2],
        BASE[3],
        BASE[4],
        BASE[5],
        ("", Std::Micro, ".000000"),
        ("", Std::Zone, "Z07:00"),
    ];
    if layout == MICRO_LAYOUT {
        &MICRO
    } else {
        &RFC
    }
}

/// Go's `time.Parse(layout, value)` for the two RFC 3339 layouts: Ok, or its `ParseError`
/// text (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`).
pub(crate) fn parse_time(value: &str, layout: &str) -> Result<(), String> {
    let cannot = |value_elem: &str, layout_elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            time_quote(value),
            time_quote(layout),
            time_quote(value_elem),
            time_quote(layout_elem)
        )
    };
    let range = |what: &str| format!("parsing time {}: {what} out of range", time_quote(value));
    let b = value.as_bytes();
    let mut rest: &[u8] = b;
    let text = |r: &[u8]| String::from_utf8_lossy(r).into_owned();
    let (mut year, mut month, mut day) = (0i64, 0i64, 0i64);
    let elems = chunks(layout);
    for (i, (prefix, std, std_text)) in elems.iter().enumerate() {
        for p in prefix.bytes() {
            if rest.first() != Some(&p) {
                return Err(cannot(&text(rest), prefix));
            }
            rest = &rest[1..];
        }
        let hold = rest;
        let bad = || cannot(&text(hold), std_text);
        match std {
            Std::Year => {
                if rest.len() < 4 || !rest[0].is_ascii_digit() {
                    return Err(bad());
                }
                year = atoi(&rest[..4]).ok_or_else(bad)?;
                rest = &rest[4..];
            }
            Std::Month | Std::Day | Std::Minute | Std::Second => {
                let (n, r) = getnum(rest, true).ok_or_else(bad)?;
                rest = r;
                match std {
                    Std::Month => {
                        month = n;
                        if !(1..=12).contains(&n) {
                            return Err(range("month"));
                        }
                    }
                    Std::Day => day = n,
                    Std::Minute if n >= 60 => return Err(range("minute")),
                    Std::Second => {
                        if n >= 60 {
                            return Err(range("second"));
                        }
                        // A fraction the layout does not have is accepted after seconds.
                        let layout_has_fraction =
                            elems.get(i + 1).is_some_and(|e| e.1 == Std::Micro);
                        if !layout_has_fraction
                            && rest.len() >= 2
                            && matches!(rest[0], b'.' | b',')
                            && rest[1].is_ascii_digit()
                        {
                            let mut n = 2;
                            while n < rest.len() && rest[n].is_ascii_digit() {
                                n += 1;
                            }
                            rest = &rest[n..];
                        }
                    }
                    _ => {}
                }
            }
            Std::Hour => {
                let (n, r) = getnum(rest, false).ok_or_else(bad)?;
                rest = r;
                if n >= 24 {
                    return Err(range("hour"));
                }
            }
            Std::Micro => {
                if rest.len() < 7 || !matches!(rest[0], b'.' | b',') || atoi(&rest[1..7]).is_none()
                {
                    return Err(bad());
                }
                rest = &rest[7..];
            }
            Std::Zone => {
                if rest.first() == Some(&b'Z') {
                    rest = &rest[1..];
                } else {
                    if rest.len() < 6 || rest[3] != b':' {
                        return Err(bad());
                    }
                    let hr = getnum(&rest[1..3], true).map(|x| x.0);
                    let mm = getnum(&rest[4..6], true).map(|x| x.0);
                    let (Some(hr), Some(mm)) = (hr, mm) else {
                        return Err(bad());
                    };
                    if hr > 24 {
                        return Err(range("time zone offset hour"));
                    }
                    if mm > 60 {
                        return Err(range("time zone offset minute"));
                    }
                    if !matches!(rest[0], b'+' | b'-') {
                        return Err(bad());
                    }
                    rest = &rest[6..];
                }
            }
        }
    }
    if !rest.is_empty() {
        let r = text(rest);
        return Err(format!(
            "parsing time {}: extra text: {}",
            time_quote(value),
            time_quote(&r)
        ));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(range("day"));
    }
    Ok(())
}

fn atoi(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(b: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &b[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &b[2..],
    ))
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The `time` package's own quoting: non-ASCII and control bytes as `\xNN`.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_like_resource_parse_quantity() {
        for ok in [
            "0",
            "1",
            "500m",
            "1.5",
            "2Gi",
            "128974848",
            "129e6",
            "1E3",
            "1e-3",
            "+1",
            "-1",
            "0.5Ki",
            "1.",
            ".5",
            "-",
            "000",
        ] {
            assert_eq!(parse_quantity(ok), Ok(()), "{ok}");
        }
        assert_eq!(parse_quantity("").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_quantity("1 Gi").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_quantity("abc").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_quantity("true").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_quantity("1GB").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_quantity("1Gb").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(parse_quantity("1Mii").unwrap_err(), ERR_SUFFIX);
        assert_eq!(parse_quantity("1ki").unwrap_err(), ERR_SUFFIX);
        assert_eq!(parse_quantity("1e").unwrap_err(), ERR_SUFFIX);
        assert_eq!(parse_quantity("Ki").unwrap_err(), ERR_NUMERIC);
        assert_eq!(parse_quantity(".").unwrap_err(), ERR_NUMERIC);
    }

    #[test]
    fn base64_errors_carry_go_offsets() {
        assert_eq!(decode_base64(b"aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64(b"aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64(b"").unwrap(), b"");
        assert_eq!(decode_base64(b"hello"), Err(4));
        assert_eq!(decode_base64(b"abc"), Err(0));
        assert_eq!(decode_base64(b"ab!d"), Err(2));
        assert_eq!(decode_base64(b"a==="), Err(1));
        assert_eq!(decode_base64(b"ab="), Err(3));
        assert_eq!(decode_base64(b"ab==x"), Err(4));
    }

    #[test]
    fn times_parse_like_go_time_parse() {
        assert_eq!(parse_time("2024-01-02T03:04:05Z", RFC3339_LAYOUT), Ok(()));
        assert_eq!(
            parse_time("2024-01-02T03:04:05.123+02:00", RFC3339_LAYOUT),
            Ok(())
        );
        assert_eq!(
            parse_time("yesterday", RFC3339_LAYOUT).unwrap_err(),
            r#"parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006""#
        );
        assert_eq!(
            parse_time("2024/01/02", RFC3339_LAYOUT).unwrap_err(),
            r#"parsing time "2024/01/02" as "2006-01-02T15:04:05Z07:00": cannot parse "/01/02" as "-""#
        );
        assert_eq!(
            parse_time("2024-13-02T03:04:05Z", RFC3339_LAYOUT).unwrap_err(),
            r#"parsing time "2024-13-02T03:04:05Z": month out of range"#
        );
        assert_eq!(
            parse_time("2023-02-29T03:04:05Z", RFC3339_LAYOUT).unwrap_err(),
            r#"parsing time "2023-02-29T03:04:05Z": day out of range"#
        );
        assert_eq!(
            parse_time("2024-01-02T03:04:05Zjunk", RFC3339_LAYOUT).unwrap_err(),
            r#"parsing time "2024-01-02T03:04:05Zjunk": extra text: "junk""#
        );
        assert_eq!(
            parse_time("2024-01-02T03:04:05Z", MICRO_LAYOUT).unwrap_err(),
            r#"parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000""#
        );
        assert_eq!(
            parse_time("2024-01-02T03:04:05.123456Z", MICRO_LAYOUT),
            Ok(())
        );
    }
}
