//! Command-line flags the way kubectl's cobra/pflag parse them: long flags (`--namespace x`,
//! `--namespace=x`), shorthands (`-n x`, `-nx`, `-n=x`, combined booleans `-it`), flags
//! anywhere among the arguments, `--` ending them, and pflag's error texts.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    /// A string (the last one given wins).
    Str,
    /// An integer (checked like Go's strconv.ParseInt).
    Int,
    /// A repeatable string (`-f a -f b`); `StringSlice` flags also split on commas.
    Many {
        split_commas: bool,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct Flag {
    pub name: &'static str,
    pub short: Option<char>,
    pub kind: Kind,
    /// Bool flags given without a value take this one (`--cascade` means `background`).
    pub no_opt_default: Option<&'static str>,
}

pub const fn flag(name: &'static str, short: Option<char>, kind: Kind) -> Flag {
    Flag {
        name,
        short,
        kind,
        no_opt_default: None,
    }
}

pub const fn bool_flag(name: &'static str, short: Option<char>) -> Flag {
    flag(name, short, Kind::Bool)
}

pub const fn str_flag(name: &'static str, short: Option<char>) -> Flag {
    flag(name, short, Kind::Str)
}

/// kubectl's global flags (`kubectl options`).
pub const GLOBAL: &[Flag] = &[
    str_flag("as", None),
    flag(
        "as-group",
        None,
        Kind::Many {
            split_commas: false,
        },
    ),
    str_flag("as-uid", None),
    str_flag("cache-dir", None),
    str_flag("certificate-authority", None),
    str_flag("client-certificate", None),
    str_flag("client-key", None),
    str_flag("cluster", None),
    str_flag("context", None),
    bool_flag("disable-compression", None),
    bool_flag("insecure-skip-tls-verify", None),
    str_flag("kubeconfig", None),
    str_flag("log-flush-frequency", None),
    bool_flag("match-server-version", None),
    str_flag("namespace", Some('n')),
    str_flag("password", None),
    str_flag("profile", None),
    str_flag("profile-output", None),
    str_flag("request-timeout", None),
    str_flag("server", Some('s')),
    str_flag("tls-server-name", None),
    str_flag("token", None),
    str_flag("user", None),
    str_flag("username", None),
    str_flag("v", Some('v')),
    str_flag("vmodule", None),
    bool_flag("warnings-as-errors", None),
];

/// What the parse found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub values: BTreeMap<&'static str, Vec<String>>,
    /// Flag names in the order first given (pflag's `orderedActual`, what `Visit` walks).
    pub order: Vec<&'static str>,
    pub args: Vec<String>,
    /// Arguments after `--` (`kubectl exec ... -- cmd`), kept apart.
    pub after_dash: Option<usize>,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    pub fn str_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.str(name).unwrap_or(default)
    }

    pub fn bool(&self, name: &str) -> bool {
        self.str(name) == Some("true")
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.str(name).and_then(|s| s.parse().ok())
    }

    pub fn many(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }
}

fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn set(out: &mut Parsed, f: &Flag, value: String) -> Result<(), String> {
    if !out.values.contains_key(f.name) {
        out.order.push(f.name);
    }
    // pflag names the flag with its shorthand when it has one: "-w, --watch".
    let shown = match f.short {
        Some(c) => format!("-{c}, --{}", f.name),
        None => format!("--{}", f.name),
    };
    match f.kind {
        Kind::Bool => {
            let Some(b) = go_parse_bool(&value) else {
                return Err(format!(
                    "invalid argument \"{value}\" for \"{shown}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
                ));
            };
            out.values.insert(f.name, vec![b.to_string()]);
        }
        Kind::Int => {
            if value.parse::<i64>().is_err() {
                let why = if value
                    .trim_start_matches(['-', '+'])
                    .chars()
                    .all(|c| c.is_ascii_digit())
                    && !value.trim_start_matches(['-', '+']).is_empty()
                {
                    "value out of range"
                } else {
                    "invalid syntax"
                };
                return Err(format!(
                    "invalid argument \"{value}\" for \"{shown}\" flag: strconv.ParseInt: parsing \"{value}\": {why}"
                ));
            }
            out.values.insert(f.name, vec![value]);
        }
        Kind::Str => {
            out.values.insert(f.name, vec![value]);
        }
        Kind::Many { split_commas } => {
            let entry = out.values.entry(f.name).or_default();
            if split_commas {
                entry.extend(value.split(',').map(str::to_string));
            } else {
                entry.push(value);
            }
        }
    }
    Ok(())
}

/// Parses `argv` against the command's flags and the global ones. Errors are pflag's texts
/// (without kubectl's `error: ` prefix).
pub fn parse(argv: &[String], flags: &[Flag]) -> Result<Parsed, String> {
    let all: Vec<&Flag> = flags.iter().chain(GLOBAL.iter()).collect();
    let mut out = Parsed::default();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            out.after_dash = Some(out.args.len());
            out.args.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(f) = all.iter().find(|f| f.name == name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let value = match (inline, f.kind) {
                (Some(v), _) => v,
                (None, Kind::Bool) => f.no_opt_default.unwrap_or("true").to_string(),
                (None, _) => match argv.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => return Err(format!("flag needs an argument: --{name}")),
                },
            };
            set(&mut out, f, value)?;
        } else if a.len() > 1 && a.starts_with('-') {
            let shorts: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                let Some(f) = all.iter().find(|f| f.short == Some(c)) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {a}"));
                };
                let rest: String = shorts[j + 1..].iter().collect();
                if f.kind == Kind::Bool {
                    if let Some(v) = rest.strip_prefix('=') {
                        set(&mut out, f, v.to_string())?;
                        break;
                    }
                    set(&mut out, f, "true".to_string())?;
                    j += 1;
                    continue;
                }
                let value = if let Some(v) = rest.strip_prefix('=') {
                    v.to_string()
                } else if !rest.is_empty() {
                    rest
                } else {
                    match argv.get(i) {
                        Some(v) => {
                            i += 1;
                            v.clone()
                        }
                        None => return Err(format!("flag needs an argument: '{c}' in -{c}")),
                    }
                };
                set(&mut out, f, value)?;
                break;
            }
        } else {
            out.args.push(a.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    const GET: &[Flag] = &[
        str_flag("output", Some('o')),
        bool_flag("all-namespaces", Some('A')),
        bool_flag("watch", Some('w')),
        flag("filename", Some('f'), Kind::Many { split_commas: true }),
        flag("replicas", None, Kind::Int),
    ];

    #[test]
    fn flags_go_anywhere_in_every_form() {
        let p = parse(
            &argv("pods -n kube-system web -oyaml --watch=false -Aw"),
            GET,
        )
        .unwrap();
        assert_eq!(p.args, ["pods", "web"]);
        assert_eq!(p.str("namespace"), Some("kube-system"));
        assert_eq!(p.str("output"), Some("yaml"));
        assert!(p.bool("all-namespaces") && p.bool("watch"));
        let p = parse(&argv("-v=8 -f a.yaml,b.yaml --filename c.yaml"), GET).unwrap();
        assert_eq!(p.str("v"), Some("8"));
        assert_eq!(p.many("filename"), ["a.yaml", "b.yaml", "c.yaml"]);
    }

    #[test]
    fn errors_read_as_pflag_writes_them() {
        assert_eq!(
            parse(&argv("--foo"), GET).unwrap_err(),
            "unknown flag: --foo"
        );
        assert_eq!(
            parse(&argv("-z"), GET).unwrap_err(),
            "unknown shorthand flag: 'z' in -z"
        );
        assert_eq!(
            parse(&argv("-n"), GET).unwrap_err(),
            "flag needs an argument: 'n' in -n"
        );
        assert_eq!(
            parse(&argv("--namespace"), GET).unwrap_err(),
            "flag needs an argument: --namespace"
        );
        assert_eq!(
            parse(&argv("--replicas x"), GET).unwrap_err(),
            "invalid argument \"x\" for \"--replicas\" flag: strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse(&argv("--watch=maybe"), GET).unwrap_err(),
            "invalid argument \"maybe\" for \"-w, --watch\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax"
        );
    }

    #[test]
    fn a_double_dash_ends_the_flags() {
        let p = parse(&argv("web -- sh -c -n"), GET).unwrap();
        assert_eq!(p.args, ["web", "sh", "-c", "-n"]);
        assert_eq!(p.after_dash, Some(1));
    }
}
