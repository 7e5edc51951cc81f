//! Cron schedules as the CronJob controller reads them: `github.com/robfig/cron/v3`'s
//! `ParseStandard` (five fields — minute, hour, day of month, month, day of week — with `*`,
//! `?`, ranges `a-b`, steps `/n`, lists `a,b`, month and day names, or a descriptor:
//! `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`,
//! `@every <duration>`) and `SpecSchedule.Next`, which finds the next matching second.
//!
//! Times are Unix seconds in UTC: kubestep's controller-manager has no time zone database, so
//! `TZ=`/`CRON_TZ=` prefixes and `spec.timeZone` other than UTC are refused (the controller
//! reports `UnknownTimeZone`, as it does for a zone its database lacks).

/// The bit set on a field written `*` or `?` (robfig's `starBit`): with it, day-of-month and
/// day-of-week must both match, without it either may.
const STAR_BIT: u64 = 1 << 63;

/// A parsed schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// `SpecSchedule`: one bit per allowed value of each field (seconds are always 0).
    Spec {
        minute: u64,
        hour: u64,
        dom: u64,
        month: u64,
        dow: u64,
    },
    /// `@every <duration>`: `ConstantDelaySchedule`, whole seconds, at least one.
    Every { seconds: i64 },
}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// The value of the first name (1 for months).
    offset: u32,
}

const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
    offset: 0,
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
    offset: 0,
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
    offset: 0,
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
    offset: 1,
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    offset: 0,
};

fn bits(min: u32, max: u32, step: u32) -> u64 {
    if step == 1 {
        return !(u64::MAX << (max + 1)) & (u64::MAX << min);
    }
    (min..=max)
        .step_by(step as usize)
        .fold(0, |b, i| b | 1 << i)
}

fn all(b: &Bounds) -> u64 {
    bits(b.min, b.max, 1) | STAR_BIT
}

/// `parseIntOrName`.
fn int_or_name(expr: &str, b: &Bounds) -> Result<u32, String> {
    let lower = expr.to_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + b.offset);
    }
    must_parse_int(expr)
}

/// `mustParseInt` (with `strconv.Atoi`'s messages).
fn must_parse_int(expr: &str) -> Result<u32, String> {
    let digits = expr.strip_prefix(['+', '-']).unwrap_or(expr);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": invalid syntax"
        ));
    }
    let n: i64 = expr.parse().map_err(|_| {
        format!(
            "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": value out of range"
        )
    })?;
    if n < 0 {
        return Err(format!("negative number ({n}) not allowed: {expr}"));
    }
    u32::try_from(n).map_err(|_| format!("end of range ({n}) above maximum: {expr}"))
}

/// `getRange`: one comma-separated part of a field.
fn range(expr: &str, b: &Bounds) -> Result<u64, String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_high.len() == 1;
    let (start, mut end, mut extra) = if low_high[0] == "*" || low_high[0] == "?" {
        (b.min, b.max, STAR_BIT)
    } else {
        let start = int_or_name(low_high[0], b)?;
        let end = match low_high.len() {
            1 => start,
            2 => int_or_name(low_high[1], b)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
        (start, end, 0)
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            // `N/step` means `N-max/step`.
            if single {
                end = b.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < b.min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({}): {expr}",
            b.min
        ));
    }
    if end > b.max {
        return Err(format!(
            "end of range ({end}) above maximum ({}): {expr}",
            b.max
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok(bits(start, end, step) | extra)
}

fn field(text: &str, b: &Bounds) -> Result<u64, String> {
    text.split(',')
        .try_fold(0u64, |acc, part| Ok(acc | range(part, b)?))
}

/// `time.ParseDuration` for `@every`, in whole seconds (at least one, as robfig rounds).
fn parse_every(text: &str) -> Option<i64> {
    let mut rest = text;
    let mut total_ns: f64 = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total_ns += num * scale;
        rest = &rest[unit_len..];
    }
    Some(((total_ns / 1e9) as i64).max(1))
}

impl Schedule {
    /// `cron.ParseStandard`. Errors carry robfig/cron's texts.
    pub fn parse(spec: &str) -> Result<Schedule, String> {
        if spec.is_empty() {
            return Err("empty spec string".into());
        }
        if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
            let (tz, rest) = spec.split_once(' ').unwrap_or((spec, ""));
            let zone = tz.split_once('=').map(|(_, z)| z).unwrap_or("");
            if zone != "UTC" && zone != "Etc/UTC" {
                return Err(format!(
                    "provided bad location {zone}: unknown time zone {zone}"
                ));
            }
            return Schedule::parse(rest.trim());
        }
        if let Some(descriptor) = spec.strip_prefix('@') {
            let spec_of = |minute, hour, dom, month, dow| Schedule::Spec {
                minute,
                hour,
                dom,
                month,
                dow,
            };
            return match descriptor {
                "yearly" | "annually" => Ok(spec_of(1, 1, 1 << 1, 1 << 1, all(&DOW))),
                "monthly" => Ok(spec_of(1, 1, 1 << 1, all(&MONTHS), all(&DOW))),
                "weekly" => Ok(spec_of(1, 1, all(&DOM), all(&MONTHS), 1)),
                "daily" | "midnight" => Ok(spec_of(1, 1, all(&DOM), all(&MONTHS), all(&DOW))),
                "hourly" => Ok(spec_of(1, all(&HOURS), all(&DOM), all(&MONTHS), all(&DOW))),
                d if d.starts_with("every ") => {
                    let dur = &d["every ".len()..];
                    parse_every(dur)
                        .map(|seconds| Schedule::Every { seconds })
                        .ok_or_else(|| {
                            format!(
                                "failed to parse duration {spec}: time: invalid duration \"{dur}\""
                            )
                        })
                }
                _ => Err(format!("unrecognized descriptor: {spec}")),
            };
        }
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: [{}]",
                fields.len(),
                fields.join(" ")
            ));
        }
        Ok(Schedule::Spec {
            minute: field(fields[0], &MINUTES)?,
            hour: field(fields[1], &HOURS)?,
            dom: field(fields[2], &DOM)?,
            month: field(fields[3], &MONTHS)?,
            dow: field(fields[4], &DOW)?,
        })
    }

    /// `Next`: the first activation strictly after `t` (Unix seconds), or `None` if there is
    /// none within five years (robfig returns the zero time then).
    pub fn next(&self, t: i64) -> Option<i64> {
        let (minute, hour, dom, month, dow) = match *self {
            Schedule::Every { seconds } => return Some(t + seconds),
            Schedule::Spec {
                minute,
                hour,
                dom,
                month,
                dow,
            } => (minute, hour, dom, month, dow),
        };
        let day_matches = |c: &Civil| {
            let dom_match = dom & (1 << c.day) != 0;
            let dow_match = dow & (1 << c.weekday()) != 0;
            if dom & STAR_BIT != 0 || dow & STAR_BIT != 0 {
                dom_match && dow_match
            } else {
                dom_match || dow_match
            }
        };
        // The upcoming second.
        let mut t = t + 1;
        let mut added = false;
        let year_limit = Civil::of(t).year + 5;
        'wrap: loop {
            let mut c = Civil::of(t);
            if c.year > year_limit {
                return None;
            }
            while month & (1 << c.month) == 0 {
                if !added {
                    added = true;
                    c = Civil {
                        day: 1,
                        hour: 0,
                        minute: 0,
                        second: 0,
                        ..c
                    };
                }
                c = c.add_months(1);
                t = c.unix();
                if c.month == 1 {
                    continue 'wrap;
                }
            }
            while !day_matches(&c) {
                if !added {
                    added = true;
                    c = Civil {
                        hour: 0,
                        minute: 0,
                        second: 0,
                        ..c
                    };
                    t = c.unix();
                }
                t += 86_400;
                c = Civil::of(t);
                if c.day == 1 {
                    continue 'wrap;
                }
            }
            while hour & (1 << c.hour) == 0 {
                if !added {
                    added = true;
                    c = Civil {
                        minute: 0,
                        second: 0,
                        ..c
                    };
                    t = c.unix();
                }
                t += 3600;
                c = Civil::of(t);
                if c.hour == 0 {
                    continue 'wrap;
                }
            }
            while minute & (1 << c.minute) == 0 {
                if !added {
                    added = true;
                    c = Civil { second: 0, ..c };
                    t = c.unix();
                }
                t += 60;
                c = Civil::of(t);
                if c.minute == 0 {
                    continue 'wrap;
                }
            }
            // Seconds: the standard parser allows only 0.
            while c.second != 0 {
                if !added {
                    added = true;
                }
                t += 1;
                c = Civil::of(t);
                if c.second == 0 {
                    continue 'wrap;
                }
            }
            return Some(t);
        }
    }
}

/// A UTC calendar time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Civil {
    /// From Unix seconds (Howard Hinnant's `civil_from_days`).
    pub fn of(t: i64) -> Civil {
        let days = t.div_euclid(86_400);
        let rem = t.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    /// To Unix seconds (`days_from_civil`); out-of-range days roll over as Go's `time.Date`.
    pub fn unix(&self) -> i64 {
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468 + i64::from(self.day) - 1;
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// 0 = Sunday.
    pub fn weekday(&self) -> u32 {
        ((self.unix().div_euclid(86_400) + 4).rem_euclid(7)) as u32
    }

    /// `AddDate(0, n, 0)`.
    fn add_months(self, n: u32) -> Civil {
        let m0 = self.month - 1 + n;
        let c = Civil {
            year: self.year + i64::from(m0 / 12),
            month: m0 % 12 + 1,
            ..self
        };
        // A day past the month's end rolls into the next month, as in Go.
        Civil::of(c.unix())
    }
}

/// Go's `time.RFC1123Z` of Unix seconds in UTC: `Thu, 01 Jan 2026 00:01:00 +0000`.
pub fn rfc1123z(t: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTH_NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = Civil::of(t);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        DAYS[c.weekday() as usize],
        c.day,
        MONTH_NAMES[c.month as usize - 1],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// RFC 3339 of Unix seconds in UTC.
pub fn rfc3339(t: i64) -> String {
    let c = Civil::of(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z, a Thursday: kubestep's time zero.
    const T0: i64 = 1_767_225_600;

    fn at(text: &str) -> i64 {
        crate::apiserver::printers::parse_rfc3339(text).unwrap()
    }

    fn next(spec: &str, from: &str) -> String {
        rfc3339(Schedule::parse(spec).unwrap().next(at(from)).unwrap())
    }

    #[test]
    fn civil_time_round_trips() {
        let c = Civil::of(T0);
        assert_eq!((c.year, c.month, c.day, c.weekday()), (2026, 1, 1, 4));
        assert_eq!(c.unix(), T0);
        let leap = Civil::of(at("2028-02-29T13:14:15Z"));
        assert_eq!(
            (leap.month, leap.day, leap.hour, leap.minute, leap.second),
            (2, 29, 13, 14, 15)
        );
        assert_eq!(rfc1123z(T0 + 60), "Thu, 01 Jan 2026 00:01:00 +0000");
    }

    #[test]
    fn every_minute_and_steps() {
        assert_eq!(
            next("*/1 * * * *", "2026-01-01T00:00:00Z"),
            "2026-01-01T00:01:00Z"
        );
        assert_eq!(
            next("* * * * *", "2026-01-01T00:00:30Z"),
            "2026-01-01T00:01:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-01-01T00:16:00Z"),
            "2026-01-01T00:30:00Z"
        );
        assert_eq!(
            next("5/20 * * * *", "2026-01-01T00:26:00Z"),
            "2026-01-01T00:45:00Z"
        );
        assert_eq!(
            next("0 */6 * * *", "2026-01-01T07:00:00Z"),
            "2026-01-01T12:00:00Z"
        );
    }

    #[test]
    fn ranges_lists_and_names() {
        // Weekdays at 09:30: Friday 2 Jan, then Monday 5 Jan.
        assert_eq!(
            next("30 9 * * MON-FRI", "2026-01-01T10:00:00Z"),
            "2026-01-02T09:30:00Z"
        );
        assert_eq!(
            next("30 9 * * mon-fri", "2026-01-02T10:00:00Z"),
            "2026-01-05T09:30:00Z"
        );
        assert_eq!(
            next("0 0 1,15 * *", "2026-01-02T00:00:00Z"),
            "2026-01-15T00:00:00Z"
        );
        assert_eq!(
            next("0 12 * JUN *", "2026-01-01T00:00:00Z"),
            "2026-06-01T12:00:00Z"
        );
        // Day of month OR day of week when neither is `*`: the 13th, or a Friday.
        assert_eq!(
            next("0 0 13 * 5", "2026-01-03T00:00:00Z"),
            "2026-01-09T00:00:00Z"
        );
        // Leap day.
        assert_eq!(
            next("0 0 29 2 *", "2026-01-01T00:00:00Z"),
            "2028-02-29T00:00:00Z"
        );
    }

    #[test]
    fn descriptors() {
        assert_eq!(
            next("@hourly", "2026-01-01T00:00:00Z"),
            "2026-01-01T01:00:00Z"
        );
        assert_eq!(
            next("@daily", "2026-01-01T00:00:01Z"),
            "2026-01-02T00:00:00Z"
        );
        assert_eq!(
            next("@midnight", "2026-01-01T23:59:59Z"),
            "2026-01-02T00:00:00Z"
        );
        assert_eq!(
            next("@weekly", "2026-01-01T00:00:00Z"),
            "2026-01-04T00:00:00Z"
        );
        assert_eq!(
            next("@monthly", "2026-01-01T00:00:00Z"),
            "2026-02-01T00:00:00Z"
        );
        assert_eq!(
            next("@yearly", "2026-01-01T00:00:00Z"),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            next("@annually", "2026-03-01T00:00:00Z"),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            next("@every 90s", "2026-01-01T00:00:00Z"),
            "2026-01-01T00:01:30Z"
        );
        assert_eq!(
            next("TZ=UTC 0 3 * * *", "2026-01-01T00:00:00Z"),
            "2026-01-01T03:00:00Z"
        );
    }

    #[test]
    fn errors_carry_robfig_texts() {
        let err = |s: &str| Schedule::parse(s).unwrap_err();
        assert_eq!(err("* * *"), "expected exactly 5 fields, found 3: [* * *]");
        assert_eq!(
            err("61 * * * *"),
            "end of range (61) above maximum (59): 61"
        );
        assert_eq!(err("@fortnightly"), "unrecognized descriptor: @fortnightly");
        assert_eq!(
            err("*/0 * * * *"),
            "step of range should be a positive number: */0"
        );
        assert_eq!(
            err("5-2 * * * *"),
            "beginning of range (5) beyond end of range (2): 5-2"
        );
        assert_eq!(
            err("TZ=Europe/Paris * * * * *"),
            "provided bad location Europe/Paris: unknown time zone Europe/Paris"
        );
        // A valid but impossible date has no next time.
        assert_eq!(Schedule::parse("0 0 31 2 *").unwrap().next(T0), None);
    }
}
