//! `resource.Quantity` (`k8s.io/apimachinery/pkg/api/resource`): parsing `500m`, `1.5Gi`, `2e3`
//! with the real error texts, and the canonical `String()` that validation messages print
//! (`2000m` prints as `2`, `1024Mi` as `1Gi`).
//!
//! Values are kept exactly as an `i128` unscaled value times `10^scale`, rounded up to nano
//! units like the Go code. Go falls back to arbitrary precision (`inf.Dec`) beyond int64; here
//! values beyond about 10^38 saturate, far outside anything a manifest uses.

use std::cmp::Ordering;
use std::fmt;

/// `resource.ErrFormatWrong`.
pub const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// `resource.ErrNumeric`.
pub const ERR_NUMERIC: &str = "unable to parse quantity's numeric part";
/// `resource.ErrSuffix`.
pub const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

/// `resource.Format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalExponent,
    BinarySI,
    DecimalSI,
}

/// A parsed quantity.
#[derive(Clone, Debug)]
pub struct Quantity {
    /// The value is `unscaled * 10^scale`; `scale >= -9`.
    unscaled: i128,
    scale: i32,
    pub format: Format,
    /// The original text when it was already canonical (Go caches it and prints it back).
    cached: Option<String>,
}

const NANO: i32 = -9;

fn pow10(n: u32) -> i128 {
    10i128.checked_pow(n).unwrap_or(i128::MAX)
}

impl Quantity {
    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, &'static str> {
        if s.is_empty() {
            return Err(ERR_FORMAT_WRONG);
        }
        if s == "0" {
            return Ok(Quantity {
                unscaled: 0,
                scale: 0,
                format: Format::DecimalSI,
                cached: Some("0".into()),
            });
        }
        let parts = parse_quantity_string(s)?;
        let (base, exponent, format) = interpret_suffix(parts.suffix).ok_or(ERR_SUFFIX)?;

        // Go's fast path reads the digits as an int64, so a sign alone or a bare "." is zero;
        // `ERR_NUMERIC` only arises on its arbitrary-precision path, which these values never
        // reach with a malformed number.
        let digits = format!("{}{}", parts.num, parts.denom);
        let digits = digits.trim_start_matches('0');
        let mut unscaled: i128 = 0;
        let mut scale: i32 = -(parts.denom.len() as i32);
        for (i, b) in digits.bytes().enumerate() {
            if unscaled > i128::MAX / 100 {
                // Too many digits to keep: drop the rest into the exponent (saturating precision).
                scale = scale.saturating_add((digits.len() - i) as i32);
                break;
            }
            unscaled = unscaled * 10 + i128::from(b - b'0');
        }
        if base == 10 {
            scale = scale.saturating_add(exponent);
        } else {
            unscaled = unscaled.saturating_mul(1i128 << exponent.clamp(0, 64));
        }
        // Round non-zero values up (away from zero) to nano units.
        if scale < NANO {
            let div = pow10((NANO - scale) as u32);
            let q = unscaled / div;
            unscaled = if unscaled % div != 0 { q + 1 } else { q };
            scale = NANO;
        }
        let mut format = format;
        if format == Format::BinarySI {
            // Binary values are capped at the largest int64, and fractions shown as decimal.
            let max = i128::from(i64::MAX);
            if cmp_scaled(unscaled, scale, max, 0) == Ordering::Greater {
                unscaled = max;
                scale = 0;
            }
            if unscaled > 0 && cmp_scaled(unscaled, scale, 1, 0) == Ordering::Less {
                format = Format::DecimalSI;
            }
        }
        if !parts.positive {
            unscaled = -unscaled;
        }
        let cached = if is_cacheable(&parts, base, exponent, format) {
            Some(s.to_string())
        } else {
            None
        };
        Ok(Quantity {
            unscaled,
            scale,
            format,
            cached,
        })
    }

    /// True for a zero quantity.
    pub fn is_zero(&self) -> bool {
        self.unscaled == 0
    }

    /// The sign: -1, 0 or 1.
    pub fn sign(&self) -> i32 {
        self.unscaled.signum() as i32
    }

    /// `q.Cmp(other)`.
    pub fn cmp_quantity(&self, other: &Quantity) -> Ordering {
        cmp_scaled(self.unscaled, self.scale, other.unscaled, other.scale)
    }

    /// `q.MilliValue()`: the value in thousandths, rounded up.
    pub fn milli_value(&self) -> i64 {
        self.scaled_ceil(-3)
    }

    /// `q.Value()`: the value rounded up to an integer.
    pub fn value(&self) -> i64 {
        self.scaled_ceil(0)
    }

    fn scaled_ceil(&self, target: i32) -> i64 {
        let v = if self.scale >= target {
            self.unscaled
                .saturating_mul(pow10((self.scale - target) as u32))
        } else {
            let div = pow10((target - self.scale) as u32);
            let q = self.unscaled / div;
            if self.unscaled % div != 0 && self.unscaled > 0 {
                q + 1
            } else if self.unscaled % div != 0 {
                q - 1
            } else {
                q
            }
        };
        v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// `CanonicalizeBytes`: the number and suffix `String()` prints.
    fn canonical(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut format = self.format;
        if format == Format::BinarySI {
            let small = cmp_scaled(self.unscaled, self.scale, -1024, 0) == Ordering::Greater
                && cmp_scaled(self.unscaled, self.scale, 1024, 0) == Ordering::Less;
            if small || !self.exact_at_scale0() {
                format = Format::DecimalSI;
            }
        }
        match format {
            Format::BinarySI => {
                let mut v = if self.scale >= 0 {
                    self.unscaled.saturating_mul(pow10(self.scale as u32))
                } else {
                    self.unscaled / pow10((-self.scale) as u32)
                };
                let neg = v < 0;
                v = v.abs();
                let mut times = 0;
                while v >= 1024 && v % 1024 == 0 {
                    v /= 1024;
                    times += 1;
                }
                let v = if neg { -v } else { v };
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
                    .get(times)
                    .copied()
                    .unwrap_or("");
                format!("{v}{suffix}")
            }
            _ => {
                let neg = self.unscaled < 0;
                let mut v = self.unscaled.abs();
                let mut exponent = self.scale;
                while v >= 10 && v % 10 == 0 {
                    v /= 10;
                    exponent += 1;
                }
                match exponent % 3 {
                    1 | -2 => {
                        v *= 10;
                        exponent -= 1;
                    }
                    2 | -1 => {
                        v *= 100;
                        exponent -= 2;
                    }
                    _ => {}
                }
                let v = if neg { -v } else { v };
                let suffix = if format == Format::DecimalExponent {
                    if exponent == 0 {
                        String::new()
                    } else {
                        format!("e{exponent}")
                    }
                } else {
                    match exponent {
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
                    .to_string()
                };
                format!("{v}{suffix}")
            }
        }
    }

    fn exact_at_scale0(&self) -> bool {
        self.scale >= 0 || self.unscaled % pow10((-self.scale) as u32) == 0
    }
}

impl fmt::Display for Quantity {
    /// `Quantity.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cached {
            Some(s) => f.write_str(s),
            None => f.write_str(&self.canonical()),
        }
    }
}

fn cmp_scaled(a: i128, ascale: i32, b: i128, bscale: i32) -> Ordering {
    let s = ascale.min(bscale);
    let a = a.saturating_mul(pow10((ascale - s) as u32));
    let b = b.saturating_mul(pow10((bscale - s) as u32));
    a.cmp(&b)
}

struct Parts<'a> {
    positive: bool,
    num: &'a str,
    denom: &'a str,
    suffix: &'a str,
}

/// `parseQuantityString`.
fn parse_quantity_string(s: &str) -> Result<Parts<'_>, &'static str> {
    let b = s.as_bytes();
    let end = b.len();
    let mut pos = 0;
    let mut positive = true;
    match b.first() {
        Some(b'-') => {
            positive = false;
            pos += 1;
        }
        Some(b'+') => pos += 1,
        _ => {}
    }
    let zero = || Parts {
        positive,
        num: "0",
        denom: "",
        suffix: "",
    };
    // Leading zeros.
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(zero());
    }
    let num_start = pos;
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    let mut num = &s[num_start..pos];
    if pos >= end {
        return Ok(Parts {
            positive,
            num,
            denom: "",
            suffix: "",
        });
    }
    if num.is_empty() {
        num = "0";
    }
    let mut denom = "";
    if b[pos] == b'.' {
        pos += 1;
        let d_start = pos;
        while pos < end && b[pos].is_ascii_digit() {
            pos += 1;
        }
        denom = &s[d_start..pos];
        if pos >= end {
            return Ok(Parts {
                positive,
                num,
                denom,
                suffix: "",
            });
        }
    }
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < end && (b[pos] == b'-' || b[pos] == b'+') {
        pos += 1;
    }
    while pos < end && b[pos].is_ascii_digit() {
        pos += 1;
    }
    if pos < end {
        return Err(ERR_FORMAT_WRONG);
    }
    Ok(Parts {
        positive,
        num,
        denom,
        suffix: &s[suffix_start..],
    })
}

/// `suffixHandler.interpret`: base, exponent and format of a suffix.
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    let dec = match suffix {
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "" => Some(0),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(e) = dec {
        return Some((10, e, Format::DecimalSI));
    }
    let bin = match suffix {
        "Ki" => Some(10),
        "Mi" => Some(20),
        "Gi" => Some(30),
        "Ti" => Some(40),
        "Pi" => Some(50),
        "Ei" => Some(60),
        _ => None,
    };
    if let Some(e) = bin {
        return Some((2, e, Format::BinarySI));
    }
    if suffix.len() > 1 && (suffix.starts_with('e') || suffix.starts_with('E')) {
        let e: i64 = suffix[1..].parse().ok()?;
        // Go accepts any int32 exponent; beyond ±1000 the value saturates anyway, and the
        // clamp keeps the scale arithmetic from overflowing.
        let e = i32::try_from(e).ok()?.clamp(-1000, 1000);
        return Some((10, e, Format::DecimalExponent));
    }
    None
}

/// Whether Go's fast path keeps the original text as the canonical form.
fn is_cacheable(p: &Parts<'_>, base: u32, exponent: i32, format: Format) -> bool {
    let (precision, mut scale, mantissa): (i32, i32, i64) = match (base, format) {
        (2, _) => {
            if exponent >= 0 && p.denom.is_empty() {
                let precision = 15 - p.num.len() as i32 - (exponent as f32 * 3.0 / 10.0) as i32 - 1;
                (precision, 0, 1i64 << exponent)
            } else {
                (-1, 0, 1)
            }
        }
        _ => (18 - (p.num.len() + p.denom.len()) as i32, exponent, 1),
    };
    if precision < 0 {
        return false;
    }
    scale -= p.denom.len() as i32;
    if scale < NANO {
        return false;
    }
    let shifted = format!("{}{}", p.num, p.denom);
    let Ok(value) = shifted.parse::<i64>() else {
        return false;
    };
    if value.checked_mul(mantissa).is_none() {
        return false;
    }
    if base == 2 {
        exponent % 10 == 0 && value & 0x07 != 0
    } else {
        scale % 3 == 0 && !shifted.ends_with("000") && !shifted.starts_with('0')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).unwrap().to_string()
    }

    #[test]
    fn canonical_forms_match_go() {
        for (input, want) in [
            ("0", "0"),
            ("100m", "100m"),
            ("2000m", "2"),
            ("0.5", "500m"),
            ("1", "1"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("128974848", "128974848"),
            ("129e6", "129e6"),
            ("129M", "129M"),
            ("123Mi", "123Mi"),
            ("1k", "1k"),
            ("1000", "1k"),
            ("0.1m", "100u"),
            ("1n", "1n"),
            ("0.5Ki", "512"),
            ("-1", "-1"),
            // Go keeps an already-canonical text as written, sign and trailing dot included.
            ("+1", "+1"),
            ("1.", "1."),
            ("1e3", "1e3"),
            ("1000e0", "1e3"),
        ] {
            assert_eq!(canon(input), want, "canonical form of {input}");
        }
    }

    #[test]
    fn malformed_quantities_are_rejected_with_go_texts() {
        assert_eq!(Quantity::parse("").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(Quantity::parse("1x").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(Quantity::parse("abc").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(Quantity::parse("1Qi").unwrap_err(), ERR_FORMAT_WRONG);
        assert_eq!(Quantity::parse("1mi").unwrap_err(), ERR_SUFFIX);
        assert_eq!(Quantity::parse("1KiB").unwrap_err(), ERR_FORMAT_WRONG);
        assert!(
            Quantity::parse(".").unwrap().is_zero(),
            "Go reads a bare '.' as zero"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panicking(s in "[-+0-9.eEinumkKMGTP]{0,24}") {
            if let Ok(q) = Quantity::parse(&s) {
                let _ = q.to_string();
                let _ = q.milli_value();
                let _ = q.cmp_quantity(&Quantity::parse("1").unwrap());
            }
        }
    }

    #[test]
    fn comparisons_and_values() {
        let a = Quantity::parse("500m").unwrap();
        let b = Quantity::parse("0.5").unwrap();
        assert_eq!(a.cmp_quantity(&b), Ordering::Equal);
        assert_eq!(Quantity::parse("1.5").unwrap().value(), 2);
        assert_eq!(Quantity::parse("1.5").unwrap().milli_value(), 1500);
        assert_eq!(Quantity::parse("64Mi").unwrap().value(), 67108864);
    }
}
