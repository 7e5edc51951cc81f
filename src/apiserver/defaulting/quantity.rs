//! `resource.Quantity` from k8s.io/apimachinery/pkg/api/resource: parsing, exact arithmetic and
//! the canonical text form the API server writes back (`0.5` → `500m`, `1024Mi` → `1Gi`).
//!
//! Values are kept exactly as an integer count of nano-units (`i128`), which covers every
//! quantity a learner can type (up to `E`/`Ei` with nine fractional digits) without floating
//! point. Like `ParseQuantity`, values finer than a nano-unit are rounded up (away from zero).

use std::cmp::Ordering;
use std::fmt;

/// The notation a quantity was written in; it decides how the canonical form is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `12e6`, `1E3`
    DecimalExponent,
    /// `5Gi`, `128Ki`
    BinarySI,
    /// `500m`, `2k`, `3`
    DecimalSI,
}

/// A parsed quantity: `nanos` units of 10^-9, plus the format it was written in.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    pub nanos: i128,
    pub format: Format,
}

/// `ErrFormatWrong` / `ErrNumeric` of the Go package; the decoder reports them with the regex text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    FormatWrong,
    /// "unable to parse quantity's suffix"
    Suffix,
    /// The value is too large for this simulation's exact representation.
    OutOfRange,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::FormatWrong => f.write_str(
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ),
            QuantityError::Suffix => f.write_str("unable to parse quantity's suffix"),
            QuantityError::OutOfRange => f.write_str("quantity is too large"),
        }
    }
}

const NANO: i128 = 1_000_000_000;
const MAX_NANOS: i128 = 1_000_000_000_000_000_000_000_000_000_000_000_000;

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}
impl Eq for Quantity {}
impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Quantity {
    pub fn zero() -> Self {
        Quantity {
            nanos: 0,
            format: Format::DecimalSI,
        }
    }

    /// An integer count (`resource.NewQuantity(n, DecimalSI)`), e.g. object counts for quota.
    pub fn from_int(n: i64) -> Self {
        Quantity {
            nanos: i128::from(n) * NANO,
            format: Format::DecimalSI,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// `ParseQuantity`: sign, digits with an optional fraction, then a suffix.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(QuantityError::FormatWrong);
        }
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if bytes[0] == b'+' || bytes[0] == b'-' {
            negative = bytes[0] == b'-';
            i = 1;
        }
        let num_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let number = &s[num_start..i];
        let suffix = &s[i..];
        if number.is_empty() || number.matches('.').count() > 1 || number == "." {
            return Err(QuantityError::FormatWrong);
        }
        let (int_part, frac_part) = match number.split_once('.') {
            Some((a, b)) => (a, b),
            None => (number, ""),
        };
        // mantissa * 10^(-frac_len) is the number
        let digits: String = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(QuantityError::OutOfRange);
        }
        let mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| QuantityError::FormatWrong)?
        };
        let frac_len = frac_part.len() as i32;

        let (base, exp, format) = parse_suffix(suffix)?;
        // value = mantissa * 10^-frac_len * base^exp, in nanos: * 10^9
        let nanos = if base == 2 {
            // binary multiplier is an integer power of two; apply decimals afterwards
            let mult: i128 = 1i128
                .checked_shl(exp as u32)
                .ok_or(QuantityError::OutOfRange)?;
            let v = mantissa
                .checked_mul(mult)
                .ok_or(QuantityError::OutOfRange)?;
            scale_round_up(v, 9 - frac_len)?
        } else {
            scale_round_up(mantissa, 9 + exp - frac_len)?
        };
        // Far above any real quantity (10^27 units), with headroom so that sums stay exact.
        if nanos > MAX_NANOS {
            return Err(QuantityError::OutOfRange);
        }
        Ok(Quantity {
            nanos: if negative { -nanos } else { nanos },
            format,
        })
    }

    /// `Quantity.String()`: the canonical form (`CanonicalizeBytes`).
    pub fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        if format == Format::BinarySI
            && (self.nanos.unsigned_abs() < (1024 * NANO) as u128 || self.nanos % NANO != 0)
        {
            // Small or fractional binary values are shown in decimal to avoid rounding.
            format = Format::DecimalSI;
        }
        match format {
            Format::BinarySI => {
                let mut amount = self.nanos / NANO;
                let mut exponent = 0;
                while amount % 1024 == 0 && exponent < 6 {
                    amount /= 1024;
                    exponent += 1;
                }
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exponent];
                format!("{amount}{suffix}")
            }
            Format::DecimalSI | Format::DecimalExponent => {
                let mut amount = self.nanos;
                let mut exponent: i32 = -9;
                while amount % 10 == 0 {
                    amount /= 10;
                    exponent += 1;
                }
                // make the exponent a multiple of 3, towards smaller exponents
                match exponent.rem_euclid(3) {
                    1 => {
                        amount = amount.saturating_mul(10);
                        exponent -= 1;
                    }
                    2 => {
                        amount = amount.saturating_mul(100);
                        exponent -= 2;
                    }
                    _ => {}
                }
                let suffix = if format == Format::DecimalExponent || exponent > 18 {
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
                        0 => "",
                        3 => "k",
                        6 => "M",
                        9 => "G",
                        12 => "T",
                        15 => "P",
                        _ => "E",
                    }
                    .to_string()
                };
                format!("{amount}{suffix}")
            }
        }
    }

    /// `RoundUp(scale)` to milli-units (scale -3), away from zero, as `SetDefaults_ResourceList` does.
    pub fn round_up_milli(&self) -> Quantity {
        let step = 1_000_000i128;
        let rem = self.nanos % step;
        let nanos = if rem == 0 {
            self.nanos
        } else if self.nanos > 0 {
            (self.nanos - rem).saturating_add(step)
        } else {
            (self.nanos - rem).saturating_sub(step)
        };
        Quantity {
            nanos,
            format: self.format,
        }
    }

    /// `q.Add(y)`: the sum keeps the left operand's format unless it is zero.
    pub fn add(&self, other: &Quantity) -> Quantity {
        let format = if self.nanos == 0 {
            other.format
        } else {
            self.format
        };
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
            format,
        }
    }

    pub fn sub(&self, other: &Quantity) -> Quantity {
        let format = if self.nanos == 0 {
            other.format
        } else {
            self.format
        };
        Quantity {
            nanos: self.nanos.saturating_sub(other.nanos),
            format,
        }
    }

    /// `MilliValue()`, rounded up like the Go method.
    pub fn milli_value(&self) -> i128 {
        let step = 1_000_000i128;
        let q = self.nanos / step;
        if self.nanos % step > 0 {
            q + 1
        } else {
            q
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Multiplies `v` by 10^`pow10`; a negative power divides and rounds up (away from zero).
fn scale_round_up(v: i128, pow10: i32) -> Result<i128, QuantityError> {
    if pow10 >= 0 {
        let m = 10i128
            .checked_pow(pow10 as u32)
            .ok_or(QuantityError::OutOfRange)?;
        v.checked_mul(m).ok_or(QuantityError::OutOfRange)
    } else {
        let d = match 10i128.checked_pow((-pow10) as u32) {
            Some(d) => d,
            None => return Ok(if v == 0 { 0 } else { 1 }),
        };
        let q = v / d;
        Ok(if v % d != 0 { q + 1 } else { q })
    }
}

/// The suffixes of `quantitySuffixer`: (base, exponent, format).
fn parse_suffix(suffix: &str) -> Result<(i32, i32, Format), QuantityError> {
    let decimal = |e| Ok((10, e, Format::DecimalSI));
    let binary = |e| Ok((2, e, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let rest = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))
                .ok_or(QuantityError::Suffix)?;
            let exp: i32 = rest.parse().map_err(|_| QuantityError::Suffix)?;
            if !(-30..=30).contains(&exp) {
                return Err(QuantityError::OutOfRange);
            }
            Ok((10, exp, Format::DecimalExponent))
        }
    }
}

/// Reads a quantity from a JSON value (a string, or a number as YAML/JSON allow).
pub fn from_json(v: &serde_json::Value) -> Option<Quantity> {
    match v {
        serde_json::Value::String(s) => Quantity::parse(s).ok(),
        serde_json::Value::Number(n) => Quantity::parse(&n.to_string()).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Quantity::parse(s).unwrap().round_up_milli().canonical()
    }

    #[test]
    fn canonical_forms_match_apimachinery() {
        assert_eq!(canon("0.5"), "500m");
        assert_eq!(canon("1000m"), "1");
        assert_eq!(canon("1024Mi"), "1Gi");
        assert_eq!(canon("1536Mi"), "1536Mi");
        assert_eq!(canon("1.5Gi"), "1536Mi");
        assert_eq!(canon("512"), "512");
        assert_eq!(canon("100M"), "100M");
        assert_eq!(canon("1500"), "1500");
        assert_eq!(canon("2000"), "2k");
        assert_eq!(canon("0.1"), "100m");
        assert_eq!(canon("1e3"), "1e3");
        assert_eq!(canon("1n"), "1m");
        assert_eq!(canon("0"), "0");
        assert_eq!(canon("0Gi"), "0");
        assert_eq!(canon("128974848"), "128974848");
        assert_eq!(canon("129e6"), "129e6");
        assert_eq!(canon("123Mi"), "123Mi");
        assert_eq!(canon("1Ki"), "1Ki");
        assert_eq!(canon("1000Ki"), "1000Ki");
        assert_eq!(canon("-1"), "-1");
        assert!(Quantity::parse("abc").is_err());
        assert!(Quantity::parse("1Qi").is_err());
        assert!(Quantity::parse("").is_err());
        assert!(Quantity::parse("+").is_err());
        assert!(Quantity::parse("1.2.3").is_err());
        assert_eq!(canon(".5"), "500m");
        assert!(Quantity::parse("99999999999999999999999999999E").is_err());
        let big = Quantity::parse("999999999E").unwrap();
        let sum = (0..500).fold(Quantity::zero(), |acc, _| acc.add(&big));
        assert_eq!(sum.nanos, i128::MAX, "sums saturate instead of overflowing");
        assert!(!sum.canonical().is_empty());
    }

    #[test]
    fn arithmetic_keeps_the_left_format() {
        let a = Quantity::parse("1Gi").unwrap();
        let b = Quantity::parse("512Mi").unwrap();
        assert_eq!(a.add(&b).canonical(), "1536Mi");
        let c = Quantity::parse("500m").unwrap();
        assert_eq!(c.add(&Quantity::parse("1").unwrap()).canonical(), "1500m");
        assert!(Quantity::parse("1").unwrap() > c);
    }
}
