//! Virtual time: milliseconds since the simulation started, advanced only by the kernel.

use serde::{Deserialize, Serialize};

/// A point on the simulation clock, in milliseconds since the start of the run.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct SimTime(pub u64);

/// A span of simulated time in milliseconds.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct SimDuration(pub u64);

impl SimDuration {
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1000)
    }
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Parses the durations a learner types (`90s`, `5m`, `1h30m`, `250ms`, `2h`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("invalid duration \"\"".to_string());
        }
        let bad = || format!("invalid duration {text:?}");
        let mut total: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let factor = match &rest[..unit_len] {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => return Err(bad()),
            };
            rest = &rest[unit_len..];
            total = n
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(bad)?;
        }
        Ok(SimDuration(total))
    }
}

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl std::ops::Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0 + rhs.0)
    }
}

impl std::fmt::Display for SimTime {
    /// `12.345s`, the way the UI and the trace show virtual time.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}s", self.0 / 1000, self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_learner_durations() {
        assert_eq!(SimDuration::parse("90s"), Ok(SimDuration(90_000)));
        assert_eq!(SimDuration::parse("1h30m"), Ok(SimDuration(5_400_000)));
        assert_eq!(SimDuration::parse("250ms"), Ok(SimDuration(250)));
        assert!(SimDuration::parse("10").is_err());
        assert!(SimDuration::parse("s").is_err());
        assert!(SimDuration::parse("99999999999999999999h").is_err());
    }

    #[test]
    fn displays_seconds_with_millis() {
        assert_eq!(SimTime(12_345).to_string(), "12.345s");
        assert_eq!(SimTime(5).to_string(), "0.005s");
    }
}
