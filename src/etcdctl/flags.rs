//! Command-line parsing the way etcdctl 3.4's cobra/pflag does it: flags may appear anywhere
//! among the arguments, `--name=value` or `--name value`, bool flags bare or `--name=false`,
//! shorthands (`-w json`, `-wjson`), and `--` ends the flags.

use std::collections::BTreeMap;

/// What kind of value a flag takes (pflag's `Value` types that etcdctl uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Int,
    Str,
    Duration,
}

/// One flag a command accepts.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    pub name: &'static str,
    pub short: Option<char>,
    pub kind: Kind,
}

const fn flag(name: &'static str, kind: Kind) -> FlagSpec {
    FlagSpec {
        name,
        short: None,
        kind,
    }
}

/// etcdctl's persistent (global) flags, accepted by every command.
pub const GLOBAL: &[FlagSpec] = &[
    flag("cacert", Kind::Str),
    flag("cert", Kind::Str),
    flag("command-timeout", Kind::Duration),
    flag("debug", Kind::Bool),
    flag("dial-timeout", Kind::Duration),
    FlagSpec {
        name: "discovery-srv",
        short: Some('d'),
        kind: Kind::Str,
    },
    flag("discovery-srv-name", Kind::Str),
    flag("endpoints", Kind::Str),
    flag("hex", Kind::Bool),
    flag("insecure-discovery", Kind::Bool),
    flag("insecure-skip-tls-verify", Kind::Bool),
    flag("insecure-transport", Kind::Bool),
    flag("keepalive-time", Kind::Duration),
    flag("keepalive-timeout", Kind::Duration),
    flag("key", Kind::Str),
    flag("password", Kind::Str),
    flag("user", Kind::Str),
    FlagSpec {
        name: "write-out",
        short: Some('w'),
        kind: Kind::Str,
    },
    FlagSpec {
        name: "help",
        short: Some('h'),
        kind: Kind::Bool,
    },
];

/// The parsed flags (by long name, last one wins as in pflag) and positional arguments.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub values: BTreeMap<&'static str, String>,
    pub args: Vec<String>,
}

impl Parsed {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
    /// A bool flag's value (already validated by [`parse`]).
    pub fn bool(&self, name: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|v| parse_bool(v) == Some(true))
    }
    /// An int flag's value (already validated by [`parse`]).
    pub fn int(&self, name: &str) -> i64 {
        self.values
            .get(name)
            .and_then(|v| parse_go_int(v).ok())
            .unwrap_or(0)
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` as pflag's int64 flags use it; the error is Go's text.
pub fn parse_go_int(s: &str) -> Result<i64, String> {
    parse_int_base(s, 0, "ParseInt")
}

/// Go's `strconv.ParseInt(s, base, 64)` (base 0: a `0x`/`0o`/`0b`/`0` prefix picks it).
pub fn parse_int_base(s: &str, base: u32, func: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.{func}: parsing {}: invalid syntax", go_quote(s));
    let range = || {
        format!(
            "strconv.{func}: parsing {}: value out of range",
            go_quote(s)
        )
    };
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if base == 0 {
        let lower = body.to_ascii_lowercase();
        if lower.starts_with("0x") {
            (16, &body[2..])
        } else if lower.starts_with("0b") {
            (2, &body[2..])
        } else if lower.starts_with("0o") {
            (8, &body[2..])
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        }
    } else {
        (base, body)
    };
    let digits: String = if base == 0 {
        digits.replace('_', "")
    } else {
        digits.to_string()
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(syntax());
    }
    let magnitude = u128::from_str_radix(&digits, radix).map_err(|_| range())?;
    let value = if neg {
        -(magnitude as i128)
    } else {
        magnitude as i128
    };
    i64::try_from(value).map_err(|_| range())
}

/// Go's `%q` of a string (the subset etcdctl's texts need: printable ASCII stays, the rest
/// is escaped).
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%q` of bytes that may not be UTF-8 (invalid bytes as `\x..`).
pub fn go_quote_bytes(b: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut rest = b;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                let q = go_quote(s);
                out.push_str(&q[1..q.len() - 1]);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                let q = go_quote(std::str::from_utf8(good).expect("valid prefix"));
                out.push_str(&q[1..q.len() - 1]);
                out.push_str(&format!("\\x{:02x}", bad[0]));
                rest = &bad[1..];
            }
        }
    }
    out.push('"');
    out
}

/// A flag-parsing error with pflag's text (printed after `Error: `).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagError(pub String);

fn check_value(spec: &FlagSpec, value: &str) -> Result<(), FlagError> {
    let bad = |why: String| {
        FlagError(format!(
            "invalid argument {} for \"{}\" flag: {why}",
            go_quote(value),
            flag_label(spec)
        ))
    };
    match spec.kind {
        Kind::Bool => parse_bool(value).map(|_| ()).ok_or_else(|| {
            bad(format!(
                "strconv.ParseBool: parsing {}: invalid syntax",
                go_quote(value)
            ))
        }),
        Kind::Int => parse_go_int(value).map(|_| ()).map_err(bad),
        Kind::Duration => crate::sim::SimDuration::parse(value)
            .map(|_| ())
            .map_err(|_| bad(format!("time: invalid duration {}", go_quote(value)))),
        Kind::Str => Ok(()),
    }
}

fn flag_label(spec: &FlagSpec) -> String {
    match spec.short {
        Some(c) => format!("-{c}, --{}", spec.name),
        None => format!("--{}", spec.name),
    }
}

/// Parses `argv` against the command's own flags plus the global ones.
pub fn parse(argv: &[String], local: &[FlagSpec]) -> Result<Parsed, FlagError> {
    parse_with(argv, local, GLOBAL)
}

/// Parses `argv` against `local` and `--help` only (a txn line's command).
pub fn parse_only(argv: &[String], local: &[FlagSpec]) -> Result<Parsed, FlagError> {
    let help = &GLOBAL[GLOBAL.len() - 1..];
    debug_assert_eq!(help[0].name, "help");
    parse_with(argv, local, help)
}

fn parse_with(
    argv: &[String],
    local: &[FlagSpec],
    global: &[FlagSpec],
) -> Result<Parsed, FlagError> {
    let find_long = |name: &str| {
        local
            .iter()
            .chain(global.iter())
            .find(|f| f.name == name)
            .copied()
    };
    let find_short = |c: char| {
        local
            .iter()
            .chain(global.iter())
            .find(|f| f.short == Some(c))
            .copied()
    };
    let mut out = Parsed::default();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            out.args.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec =
                find_long(name).ok_or_else(|| FlagError(format!("unknown flag: --{name}")))?;
            let value = match (inline, spec.kind) {
                (Some(v), _) => v,
                (None, Kind::Bool) => "true".to_string(),
                (None, _) => {
                    let v = argv
                        .get(i)
                        .ok_or_else(|| FlagError(format!("flag needs an argument: --{name}")))?;
                    i += 1;
                    v.clone()
                }
            };
            check_value(&spec, &value)?;
            out.values.insert(spec.name, value);
        } else if a.len() > 1 && a.starts_with('-') {
            // A run of shorthands: `-h`, `-wjson`, `-w json`, `-w=json`.
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let spec = find_short(c)
                    .ok_or_else(|| FlagError(format!("unknown shorthand flag: '{c}' in {a}")))?;
                j += 1;
                let rest: String = chars[j..].iter().collect();
                let value = if let Some(v) = rest.strip_prefix('=') {
                    j = chars.len();
                    v.to_string()
                } else if spec.kind == Kind::Bool {
                    "true".to_string()
                } else if !rest.is_empty() {
                    j = chars.len();
                    rest
                } else {
                    let v = argv.get(i).ok_or_else(|| {
                        FlagError(format!("flag needs an argument: '{c}' in -{c}"))
                    })?;
                    i += 1;
                    v.clone()
                };
                check_value(&spec, &value)?;
                out.values.insert(spec.name, value);
            }
        } else {
            out.args.push(a.clone());
        }
    }
    Ok(out)
}

/// Cobra's command lookup skips flags; a `--flag` without `=` that is not a known bool flag
/// is taken to consume the next word (so `etcdctl --bogus get a` looks for command `a`).
pub fn strip_flags(argv: &[String], bools: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            out.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            if !body.contains('=') && !bools.contains(&body) {
                i += 1;
            }
        } else if a.starts_with('-') && a.len() > 1 {
            // `-w json` consumes its value; a bare boolean shorthand does not.
            if a.len() == 2 && !matches!(&a[1..], "h") {
                i += 1;
            }
        } else {
            out.push(a.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn kubeadm_global_flags_parse_anywhere() {
        let p = parse(
            &v(&[
                "--endpoints=https://127.0.0.1:2379",
                "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
                "get",
                "-w",
                "json",
                "foo",
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(p.str("endpoints"), Some("https://127.0.0.1:2379"));
        assert_eq!(p.str("write-out"), Some("json"));
        assert_eq!(p.args, v(&["get", "foo"]));
    }

    #[test]
    fn pflag_error_texts() {
        assert_eq!(
            parse(&v(&["--bogus"]), &[]).unwrap_err().0,
            "unknown flag: --bogus"
        );
        assert_eq!(
            parse(&v(&["-x"]), &[]).unwrap_err().0,
            "unknown shorthand flag: 'x' in -x"
        );
        let limit = [flag("limit", Kind::Int)];
        assert_eq!(
            parse(&v(&["--limit=x"]), &limit).unwrap_err().0,
            "invalid argument \"x\" for \"--limit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse(&v(&["--limit"]), &limit).unwrap_err().0,
            "flag needs an argument: --limit"
        );
    }

    #[test]
    fn go_integers() {
        assert_eq!(parse_go_int("0x10"), Ok(16));
        assert_eq!(parse_go_int("-1"), Ok(-1));
        assert_eq!(
            parse_int_base("05cea207b2181f06", 16, "ParseInt"),
            Ok(0x05ce_a207_b218_1f06)
        );
        assert!(parse_go_int("99999999999999999999")
            .unwrap_err()
            .contains("out of range"));
    }
}
