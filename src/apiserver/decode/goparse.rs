//! The Go parsers behind kube-apiserver's custom JSON fields, with their error texts:
//! `resource.ParseQuantity`, `encoding/base64` (StdEncoding, for `[]byte`) and `time.Parse`
//! with RFC 3339 layouts (for `metav1.Time` and `metav1.MicroTime`).

const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum QFormat {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

/// `resource.ParseQuantity`: the quantity's text as kube-apiserver stores it (`0.5` → `500m`,
/// `1024Mi` → `1Gi`, canonical inputs kept as written), or ParseQuantity's error text.
///
/// Verified against kubectl v1.33.1's decoder; inputs without digits (`m`, `.`) are zero, as
/// there. Quantities beyond 38 significant digits keep their text (Go would canonicalize).
pub(crate) fn parse_quantity(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err(ERR_FORMAT_WRONG.into());
    }
    if s == "0" {
        return Ok("0".into());
    }
    let negative = s.starts_with('-');
    let (num, denom, suffix) = split_quantity(s.as_bytes()).ok_or(ERR_FORMAT_WRONG)?;
    let (base, exponent, format) = interpret_suffix(suffix).ok_or(ERR_SUFFIX)?;
    if exponent.abs() > 10_000 {
        // Far outside anything a resource holds; kept as written rather than expanded.
        return Ok(s.to_string());
    }
    let digits = format!("{num}{denom}");
    let parse = |d: &str| -> Option<i128> {
        if d.is_empty() {
            Some(0)
        } else {
            d.parse::<i128>().ok()
        }
    };
    let denom_len = denom.len() as i64;

    // Go's int64 fast path, which keeps canonical-looking inputs as written.
    match format {
        QFormat::DecimalSI | QFormat::DecimalExponent => {
            let precision = 18 - digits.len() as i64;
            let scale = exponent - denom_len;
            if precision >= 0 && scale >= -9 {
                let value = parse(&digits).unwrap_or(0);
                let cached = scale % 3 == 0
                    && !digits.ends_with("000")
                    && !digits.is_empty()
                    && !digits.starts_with('0');
                if cached && value != 0 {
                    return Ok(s.to_string());
                }
                let signed = if negative { -value } else { value };
                return Ok(canonical(signed, -scale, format).unwrap_or_else(|| s.to_string()));
            }
        }
        QFormat::BinarySI => {
            if exponent >= 0 && denom.is_empty() {
                let precision = 15 - num.len() as i64 - (exponent * 3 / 10) - 1;
                let value = parse(num).unwrap_or(0);
                if precision >= 0 {
                    if let Some(result) = i64::try_from(value)
                        .ok()
                        .and_then(|v| v.checked_mul(1i64 << exponent))
                    {
                        if exponent % 10 == 0 && value & 0x07 != 0 {
                            return Ok(s.to_string());
                        }
                        let signed = if negative {
                            -i128::from(result)
                        } else {
                            i128::from(result)
                        };
                        return Ok(canonical(signed, 0, format).unwrap_or_else(|| s.to_string()));
                    }
                }
            }
        }
    }

    // The inf.Dec path: exact, rounded up to nano, BinarySI capped at the int64 maximum.
    let Some(mut unscaled) = parse(&digits) else {
        return Ok(s.to_string());
    };
    if unscaled == 0 {
        return Ok("0".into());
    }
    let mut scale = denom_len;
    if base == 10 {
        scale -= exponent;
    } else {
        match unscaled.checked_mul(1i128 << exponent) {
            Some(v) => unscaled = v,
            None => return Ok(s.to_string()),
        }
    }
    if scale > 9 {
        let shift = u32::try_from(scale - 9).unwrap_or(u32::MAX);
        let Some(div) = 10i128.checked_pow(shift) else {
            // Far below a nano: rounds up to one.
            let format = if format == QFormat::BinarySI {
                QFormat::DecimalSI
            } else {
                format
            };
            let one_nano = if negative { -1 } else { 1 };
            return Ok(canonical(one_nano, 9, format).unwrap_or_else(|| s.to_string()));
        };
        unscaled = unscaled / div + i128::from(unscaled % div != 0);
        scale = 9;
    }
    let mut format = format;
    if format == QFormat::BinarySI {
        // amount = unscaled / 10^scale; scale is at most 9 here.
        let max = i128::from(i64::MAX);
        let above_max = if scale <= 0 {
            10i128
                .checked_pow((-scale) as u32)
                .and_then(|p| unscaled.checked_mul(p))
                .is_none_or(|v| v > max)
        } else {
            unscaled > max.saturating_mul(10i128.pow(scale as u32))
        };
        if above_max {
            unscaled = max;
            scale = 0;
        }
        if scale > 0 && unscaled < 10i128.pow(scale as u32) {
            format = QFormat::DecimalSI;
        }
    }
    let signed = if negative { -unscaled } else { unscaled };
    Ok(canonical(signed, scale, format).unwrap_or_else(|| s.to_string()))
}

/// `quantitySuffixer.interpret`: (base, exponent, format).
fn interpret_suffix(suffix: &str) -> Option<(i32, i64, QFormat)> {
    let dec = |e| Some((10, e, QFormat::DecimalSI));
    let bin = |e| Some((2, e, QFormat::BinarySI));
    match suffix {
        "n" => dec(-9),
        "u" => dec(-6),
        "m" => dec(-3),
        "" => dec(0),
        "k" => dec(3),
        "M" => dec(6),
        "G" => dec(9),
        "T" => dec(12),
        "P" => dec(15),
        "E" => dec(18),
        "Ki" => bin(10),
        "Mi" => bin(20),
        "Gi" => bin(30),
        "Ti" => bin(40),
        "Pi" => bin(50),
        "Ei" => bin(60),
        s if s.len() > 1 && matches!(s.as_bytes()[0], b'e' | b'E') => {
            // Go truncates the exponent to int32.
            let e = parse_go_int64(&s[1..])?;
            Some((10, i64::from(e as i32), QFormat::DecimalExponent))
        }
        _ => None,
    }
}

/// `Quantity.CanonicalizeBytes` for the value `unscaled × 10^-scale`.
fn canonical(unscaled: i128, scale: i64, format: QFormat) -> Option<String> {
    if unscaled == 0 {
        return Some("0".into());
    }
    let mut format = format;
    if format == QFormat::BinarySI {
        let pow = 10i128.checked_pow(scale.max(0) as u32);
        let small = pow.is_some_and(|p| unscaled.abs() < 1024 * p);
        // BinarySI only for whole numbers from 1024 on; the rest shows as DecimalSI.
        let whole = scale <= 0 || pow.is_some_and(|p| unscaled % p == 0);
        if small || !whole {
            format = QFormat::DecimalSI;
        } else {
            let mut v = match pow {
                Some(p) if scale > 0 => unscaled / p,
                _ => unscaled.checked_mul(10i128.checked_pow(u32::try_from(-scale).ok()?)?)?,
            };
            let mut e = 0;
            while v.abs() >= 1024 && v % 1024 == 0 {
                v /= 1024;
                e += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
                .get(e)
                .copied()
                .unwrap_or("");
            return Some(format!("{v}{suffix}"));
        }
    }
    let mut mantissa = unscaled;
    let mut exponent = -scale;
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    while exponent % 3 != 0 {
        mantissa = mantissa.checked_mul(10)?;
        exponent -= 1;
    }
    let suffix = match format {
        QFormat::DecimalExponent if exponent == 0 => String::new(),
        QFormat::DecimalExponent => format!("e{exponent}"),
        // Go finds no suffix beyond n..E and prints the bare number.
        _ => match exponent {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            18 => "E",
            _ => "",
        }
        .to_string(),
    };
    Some(format!("{mantissa}{suffix}"))
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
/// On success, the time as `metav1.Time`/`MicroTime` marshal it: in UTC, in the layout
/// (`2024-01-02T03:04:05.123+02:00` → `2024-01-02T01:04:05Z`), or `None` for Go's zero time
/// (which marshals as `null`).
pub(crate) fn parse_time(value: &str, layout: &str) -> Result<Option<String>, String> {
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
    let (mut hour, mut minute, mut second, mut micros, mut offset) = (0i64, 0i64, 0i64, 0i64, 0i64);
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
                    Std::Minute => minute = n,
                    Std::Second => {
                        if n >= 60 {
                            return Err(range("second"));
                        }
                        second = n;
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
                hour = n;
            }
            Std::Micro => {
                if rest.len() < 7 || !matches!(rest[0], b'.' | b',') {
                    return Err(bad());
                }
                micros = atoi(&rest[1..7]).ok_or_else(bad)?;
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
                    offset = match rest[0] {
                        b'+' => (hr * 60 + mm) * 60,
                        b'-' => -(hr * 60 + mm) * 60,
                        _ => return Err(bad()),
                    };
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
    let utc =
        days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    let (days, secs) = (utc.div_euclid(86_400), utc.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    if (y, m, d, secs, micros) == (1, 1, 1, 0, 0) {
        return Ok(None);
    }
    let (h, mi, se) = (secs / 3_600, secs % 3_600 / 60, secs % 60);
    let fraction = if layout == MICRO_LAYOUT {
        format!(".{micros:06}")
    } else {
        String::new()
    };
    Ok(Some(format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{se:02}{fraction}Z"
    )))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
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
        // What kubectl v1.33.1's decoder made of each input.
        let table = [
            ("0m", "0"),
            ("0Gi", "0"),
            ("00", "0"),
            ("+", "0"),
            ("-", "0"),
            (".", "0"),
            ("1.", "1."),
            ("0.5", "500m"),
            ("1.5Gi", "1536Mi"),
            ("1024Mi", "1Gi"),
            ("+1", "+1"),
            ("01", "01"),
            ("1e3", "1e3"),
            ("1500m", "1500m"),
            ("0.1", "100m"),
            ("100Mi", "100Mi"),
            ("0.0000000001", "1n"),
            ("1.23456789012345678901", "1234567891n"),
            ("12345678901234567890", "12345678901234567890"),
            ("1000E", "1"),
            ("0.5Ki", "512"),
            ("1e0", "1e0"),
            ("5e-10", "1e-9"),
            ("8Gi", "8Gi"),
            ("2000k", "2M"),
            ("1000000", "1M"),
            ("0.001", "1m"),
            ("1Ki", "1Ki"),
            ("1536Ki", "1536Ki"),
            ("3e21", "3e21"),
            ("-1.5", "-1500m"),
            ("Ki", "0"),
            ("m", "0"),
            ("-.", "0"),
            (".Ki", "0"),
            ("1.Gi", "1.Gi"),
            ("e3", "0"),
            (".e3", "0"),
            ("0.5m", "500u"),
            ("1.5Ki", "1536"),
            ("0.3Mi", "314572800m"),
            ("1e-3", "1e-3"),
            ("1E3", "1E3"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("9223372036854775807", "9223372036854775807"),
            ("9223372036854775808", "9223372036854775808"),
            ("10Ei", "9223372036854775807"),
        ];
        for (input, stored) in table {
            assert_eq!(parse_quantity(input).as_deref(), Ok(stored), "{input}");
        }
        for suffix_error in [
            "1e", "1ee", "--1", "1-", "1m-", "1e-", "1Ki5", "1Mii", "1ki", "1m5",
        ] {
            assert_eq!(
                parse_quantity(suffix_error).unwrap_err(),
                ERR_SUFFIX,
                "{suffix_error}"
            );
        }
        for format_error in ["0x10", "1.2.3", "1Gb", "1GB", "", "abc", "true", "1 Gi"] {
            assert_eq!(
                parse_quantity(format_error).unwrap_err(),
                ERR_FORMAT_WRONG,
                "{format_error}"
            );
        }
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
        // Stored as kubectl v1.33.1's decoder re-encoded them.
        for (input, stored) in [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05.123+02:00", "2024-01-02T01:04:05Z"),
            ("2024-01-01T01:00:00+02:00", "2023-12-31T23:00:00Z"),
            ("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00Z"),
            ("2024-01-02T3:04:05Z", "2024-01-02T03:04:05Z"),
        ] {
            assert_eq!(
                parse_time(input, RFC3339_LAYOUT),
                Ok(Some(stored.to_string())),
                "{input}"
            );
        }
        assert_eq!(parse_time("0001-01-01T00:00:00Z", RFC3339_LAYOUT), Ok(None));
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
            parse_time("2024-01-02T03:04:05.123456-01:30", MICRO_LAYOUT),
            Ok(Some("2024-01-02T04:34:05.123456Z".to_string()))
        );
    }
}
