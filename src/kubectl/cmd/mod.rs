//! kubectl's command tree: finding the command in the arguments (flags may come first), its
//! flags, `--help` from the real tool's texts, and cobra's errors for unknown commands.

pub mod access;
pub mod apply;
pub mod config;
pub mod delete;
pub mod describe;
pub mod edit;
pub mod explain;
pub mod get;
pub mod info;
pub mod inspect;
pub mod node;
pub mod workloads;

use super::client::Client;
use super::flags::{self, Flag, Kind, Parsed};
use super::io::{Fail, Io, Res};
use super::kubeconfig;
use serde_json::{json, Value};

/// A command ready to run: its parsed flags and REST client.
pub struct Invocation {
    /// `get`, `config view`, `rollout status`...
    pub path: String,
    pub flags: Parsed,
    pub client: Client,
}

impl Invocation {
    /// The positional arguments.
    pub fn args(&self) -> &[String] {
        &self.flags.args
    }

    /// `error: <message>\nSee 'kubectl <cmd> -h' for help and examples` (cmdutil.UsageErrorf).
    pub fn usage_error(&self, message: &str) -> Fail {
        Fail::raw(format!(
            "error: {message}\nSee 'kubectl {} -h' for help and examples\n",
            self.path
        ))
    }
}

type RunFn = fn(&mut Io<'_>, &Invocation) -> Res<()>;

/// One command: its path, own flags, and what it does.
pub struct Command {
    pub path: &'static str,
    pub flags: &'static [Flag],
    pub run: RunFn,
    /// Its `--help` text, captured from kubectl 1.33.
    pub help: &'static str,
}

/// `-f` as most commands declare it.
pub const FILENAME: Flag = flags::flag("filename", Some('f'), Kind::Many { split_commas: true });

/// Every command kubestep's kubectl runs.
pub fn commands() -> Vec<Command> {
    let mut c = vec![];
    c.extend(info::commands());
    c.extend(config::commands());
    c.extend(get::commands());
    c.extend(apply::commands());
    c.extend(delete::commands());
    c.extend(edit::commands());
    c.extend(node::commands());
    c.extend(inspect::commands());
    c.extend(workloads::commands());
    c.extend(describe::commands());
    c.extend(access::commands());
    c.extend(explain::commands());
    c
}

/// The top-level commands in the order kubectl adds them (its help's groups, then config,
/// plugin, version, api-versions, api-resources and options): cobra's "Did you mean this?"
/// lists its suggestions in this order.
const TOP_LEVEL: &[&str] = &[
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "config",
    "plugin",
    "version",
    "api-versions",
    "api-resources",
    "options",
];

/// The words of `argv` that are not flags or flag values (global flags may precede the
/// command: `kubectl -n kube-system get pods`).
fn words(argv: &[String]) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let takes_value = flags::GLOBAL
                .iter()
                .any(|f| f.name == long && f.kind != Kind::Bool);
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if a.len() == 2 && a.starts_with('-') {
            let c = a.chars().nth(1).unwrap_or(' ');
            let takes_value = flags::GLOBAL
                .iter()
                .any(|f| f.short == Some(c) && f.kind != Kind::Bool);
            i += if takes_value { 2 } else { 1 };
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        out.push((i, a));
        i += 1;
    }
    out
}

/// cobra's "unknown command" error with its suggestions (distance 2, or a prefix).
fn unknown_command(name: &str, parent: &str, candidates: &[&str]) -> Fail {
    let suggestions = crate::golang::cobra::suggestions_for(name, candidates);
    let mut text = format!("error: unknown command \"{name}\" for \"{parent}\"\n");
    if !suggestions.is_empty() {
        text += "\nDid you mean this?\n";
        for s in suggestions {
            text += &format!("\t{s}\n");
        }
    }
    Fail::raw(text)
}

/// Runs one kubectl command line (the words after `kubectl`).
pub fn run(io: &mut Io<'_>, argv: &[String]) -> Res<()> {
    let commands = commands();
    let words = words(argv);
    // The longest command path the words spell (`config view`, `rollout status`, `get`).
    let mut found: Option<(&Command, usize)> = None;
    for cmd in &commands {
        let parts: Vec<&str> = cmd.path.split(' ').collect();
        if parts.len() <= words.len()
            && parts.iter().zip(&words).all(|(p, (_, w))| p == w)
            && found.is_none_or(|(f, _)| f.path.split(' ').count() < parts.len())
        {
            found = Some((cmd, parts.len()));
        }
    }
    let wants_help = argv.iter().any(|a| a == "--help" || a == "-h");
    let Some((cmd, depth)) = found else {
        return match words.first() {
            None if wants_help || argv.is_empty() => {
                io.print(include_str!("../help/kubectl.txt"));
                Ok(())
            }
            None => {
                // Only flags: parse them to report a bad one, else print the help.
                flags::parse(argv, &[]).map_err(|e| {
                    Fail::raw(format!(
                        "error: {e}\nSee 'kubectl --help' for usage.\n"
                    ))
                })?;
                io.print(include_str!("../help/kubectl.txt"));
                Ok(())
            }
            Some((_, w)) if TOP_LEVEL.contains(w) => Err(Fail::msg(format!(
                "kubestep's kubectl does not simulate \"kubectl {w}\" (no container runtime or network to reach); see \"kubectl --help\" for what it runs"
            ))),
            Some((_, w)) => {
                // A group whose subcommand is unknown (`kubectl config frob`).
                let groups: Vec<&str> = commands
                    .iter()
                    .filter_map(|c| c.path.split_once(' ').map(|(g, _)| g))
                    .collect();
                if groups.contains(w) {
                    let subs: Vec<&str> = commands
                        .iter()
                        .filter_map(|c| c.path.strip_prefix(&format!("{w} ")))
                        .collect();
                    match words.get(1) {
                        Some((_, sub)) => Err(unknown_command(sub, &format!("kubectl {w}"), &subs)),
                        None => {
                            io.print(group_help(w));
                            Ok(())
                        }
                    }
                } else {
                    Err(unknown_command(w, "kubectl", TOP_LEVEL))
                }
            }
        };
    };
    if wants_help {
        io.print(cmd.help);
        return Ok(());
    }
    // The command's own words removed, everything else is its flags and arguments.
    let skip: Vec<usize> = words[..depth].iter().map(|(i, _)| *i).collect();
    let rest: Vec<String> = argv
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(_, a)| a.clone())
        .collect();
    let parsed = flags::parse(&rest, cmd.flags).map_err(|e| {
        Fail::raw(format!(
            "error: {e}\nSee 'kubectl {} --help' for usage.\n",
            cmd.path
        ))
    })?;
    let verbosity: u8 = parsed
        .str("v")
        .map(|v| {
            v.parse().map_err(|_| {
                Fail::raw(format!(
                    "error: invalid argument \"{v}\" for \"-v, --v\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl {} --help' for usage.\n",
                    cmd.path
                ))
            })
        })
        .transpose()?
        .unwrap_or(0);
    io.log.verbosity = verbosity;
    if let Some(path) = parsed.str("kubeconfig") {
        if path != kubeconfig::PATH && path != "~/.kube/config" {
            return Err(Fail::msg(format!("stat {path}: no such file or directory")));
        }
    }
    // A command's own flag shadows a global one of the same name (`create rolebinding
    // --user=jane` names a subject, not the kubeconfig user), as cobra merges flag sets.
    let mut global = parsed.clone();
    for f in cmd.flags {
        if flags::GLOBAL.iter().any(|g| g.name == f.name) {
            global.values.remove(f.name);
        }
    }
    let client = Client::new(io.kubeconfig, &global)?;
    if !cmd.path.starts_with("config") {
        let line = io.log.config_loaded(io.started, kubeconfig::PATH);
        io.print(line);
        let gates = io.log.feature_gates(io.started);
        io.print(gates);
    }
    let inv = Invocation {
        path: cmd.path.to_string(),
        flags: parsed,
        client,
    };
    let result = (cmd.run)(io, &inv);
    if let Err(Fail::Error { text, .. }) = &result {
        log_status_errors(io, text);
    }
    result
}

/// `StandardErrorMessage` logs each API error it words (`klog.V(4).Info(err.DebugError())`):
/// the `Status` the server sent, as JSON, before the error is printed.
fn log_status_errors(io: &mut Io<'_>, text: &str) {
    let worded = text
        .lines()
        .filter(|l| {
            l.starts_with("Error from server")
                || l.starts_with("error: You must be logged in to the server")
        })
        .count();
    let statuses = &io.error_statuses;
    let from = statuses.len().saturating_sub(worded);
    let lines: String = statuses[from..]
        .iter()
        .map(|s| {
            let json = crate::kubectl::printers::json::to_json_typed(&typed_status(s));
            // MarshalIndent with two spaces (the printer's four, halved: indentation is all
            // of a line's leading spaces).
            let json: Vec<String> = json
                .trim_end()
                .lines()
                .map(|l| {
                    let body = l.trim_start_matches(' ');
                    format!("{}{body}", " ".repeat((l.len() - body.len()) / 2))
                })
                .collect();
            // `Info` of a format and its arguments: Sprint joins them without a space.
            io.log.info(
                4,
                io.now(),
                "helpers.go:246",
                &format!("server response object: %s[{}]", json.join("\n")),
            )
        })
        .collect();
    io.print(lines);
}

/// A `metav1.Status` as Go marshals the struct: its fields in order, `metadata` always.
fn typed_status(s: &Value) -> Value {
    let pick = |v: &Value, keys: &[&str]| -> Value {
        let mut out = serde_json::Map::new();
        for k in keys {
            if let Some(x) = v.get(*k).filter(|x| !x.is_null()) {
                out.insert((*k).to_string(), x.clone());
            }
        }
        Value::Object(out)
    };
    let mut out = serde_json::Map::new();
    out.insert("kind".into(), json!("Status"));
    out.insert("apiVersion".into(), json!("v1"));
    out.insert(
        "metadata".into(),
        pick(
            &s["metadata"],
            &[
                "selfLink",
                "resourceVersion",
                "continue",
                "remainingItemCount",
            ],
        ),
    );
    for k in ["status", "message", "reason"] {
        if let Some(x) = s
            .get(k)
            .filter(|x| x.as_str().is_some_and(|t| !t.is_empty()))
        {
            out.insert(k.into(), x.clone());
        }
    }
    if s["details"].is_object() {
        let mut details = pick(&s["details"], &["name", "group", "kind", "uid"]);
        if let Some(causes) = s["details"]["causes"].as_array() {
            let causes: Vec<Value> = causes
                .iter()
                .map(|c| pick(c, &["reason", "message", "field"]))
                .collect();
            details["causes"] = Value::Array(causes);
        }
        if let Some(r) = s["details"]
            .get("retryAfterSeconds")
            .filter(|r| r.as_i64() != Some(0))
        {
            details["retryAfterSeconds"] = r.clone();
        }
        out.insert("details".into(), details);
    }
    if let Some(c) = s.get("code").filter(|c| c.as_i64().is_some_and(|c| c != 0)) {
        out.insert("code".into(), c.clone());
    }
    Value::Object(out)
}

/// A command group's help (`kubectl config`, `kubectl rollout`).
fn group_help(group: &str) -> &'static str {
    commands()
        .into_iter()
        .find(|c| c.path == group)
        .map(|c| c.help)
        .unwrap_or(include_str!("../help/kubectl.txt"))
}
