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
    /// The time from `earlier` to this point (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

/// The wall-clock moment the simulation's time zero stands for (2026-01-01T00:00:00Z), so that
/// timestamps in objects look real and are the same in every run.
pub const EPOCH_UNIX_SECONDS: u64 = 1_767_225_600;

impl SimTime {
    /// Seconds since the Unix epoch that this simulated moment stands for.
    pub fn unix_seconds(self) -> u64 {
        EPOCH_UNIX_SECONDS + self.0 / 1000
    }

    /// RFC 3339 in UTC with second precision, as Kubernetes writes `metav1.Time`
    /// (`2026-01-01T00:00:05Z`).
    pub fn rfc3339(self) -> String {
        format_unix(self.unix_seconds(), None)
    }

    /// RFC 3339 with microseconds, as Kubernetes writes `metav1.MicroTime`.
    pub fn rfc3339_micros(self) -> String {
        format_unix(self.unix_seconds(), Some((self.0 % 1000) * 1000))
    }
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (days-to-civil from Howard Hinnant's
/// algorithms, integer-only).
fn format_unix(secs: u64, micros: Option<u64>) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let frac = micros.map(|m| format!(".{m:06}")).unwrap_or_default();
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{frac}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
    fn timestamps_are_rfc3339_from_the_fixed_epoch() {
        assert_eq!(SimTime(0).rfc3339(), "2026-01-01T00:00:00Z");
        assert_eq!(SimTime(90_500).rfc3339(), "2026-01-01T00:01:30Z");
        assert_eq!(
            SimTime(90_500).rfc3339_micros(),
            "2026-01-01T00:01:30.500000Z"
        );
        assert_eq!(
            SimTime(59 * 86_400_000 + 3_600_000).rfc3339(),
            "2026-03-01T01:00:00Z"
        );
        assert_eq!(format_unix(951_782_400, None), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn displays_seconds_with_millis() {
        assert_eq!(SimTime(12_345).to_string(), "12.345s");
        assert_eq!(SimTime(5).to_string(), "0.005s");
    }
}
