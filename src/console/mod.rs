//! The console engine shared by the page and the native binary: a small shell that runs
//! `kubectl`, `etcdctl` and `sim` lines against the simulation.

pub mod ansi;
pub mod script;
pub mod session;
pub mod sim_command;

pub use session::{Entry, Session};

pub use crate::kubectl::io::FileEntry;
use crate::sim::Input;

/// How the console reads files: the page's files, or the disk for the native console. A
/// directory answers with its entries.
pub type Files<'a> = &'a dyn Fn(&str) -> Option<FileEntry>;

/// No files at all.
pub fn no_files(_: &str) -> Option<FileEntry> {
    None
}

/// The files a kubectl command line names: `-f`/`--filename` values (comma-separated lists
/// split) and the files of `--from-file`, `--from-env-file` and `--patch-file`.
fn filename_args(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = argv.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = if a == "-f" || a == "--filename" {
            it.next().cloned()
        } else if let Some(v) = a.strip_prefix("--filename=") {
            Some(v.to_string())
        } else if let Some(v) = a.strip_prefix("-f") {
            (!v.is_empty()).then(|| v.trim_start_matches('=').to_string())
        } else {
            None
        };
        if let Some(v) = value {
            out.extend(v.split(',').map(str::to_string));
        }
        // `create configmap|secret --from-file=[KEY=]PATH`, `--from-env-file`, and
        // `patch --patch-file` read files too.
        for (name, keyed) in [
            ("from-file", true),
            ("from-env-file", false),
            ("patch-file", false),
        ] {
            let value = if a == &format!("--{name}") {
                it.clone().next().cloned()
            } else {
                a.strip_prefix(&format!("--{name}=")).map(str::to_string)
            };
            if let Some(v) = value {
                for item in v.split(',') {
                    let path = if keyed {
                        item.split_once('=').map_or(item, |(_, p)| p)
                    } else {
                        item
                    };
                    out.push(path.to_string());
                }
            }
        }
    }
    out
}

/// The files and directories (with their files, recursively) a kubectl line may read.
fn kubectl_files(argv: &[String], files: Files<'_>) -> Vec<(String, FileEntry)> {
    let mut out: Vec<(String, FileEntry)> = Vec::new();
    let mut todo = filename_args(argv);
    while let Some(path) = todo.pop() {
        if path == "-" || out.iter().any(|(p, _)| *p == path) {
            continue;
        }
        if let Some(entry) = files(&path) {
            if let FileEntry::Dir(entries) = &entry {
                for e in entries {
                    todo.push(format!("{}/{e}", path.trim_end_matches('/')));
                }
            }
            out.push((path, entry));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The simulation input a parsed command stands for, or the shell's error for a command it
/// does not know.
pub fn input_for(command: &script::Command, files: Files<'_>) -> Result<Input, String> {
    match command.argv.split_first() {
        // `ETCDCTL_API=3 etcdctl ...`: v3 is the only API (and 3.4's default), so the
        // environment prefix changes nothing.
        Some((tool, args)) if tool == "etcdctl" => Ok(Input::Etcdctl {
            argv: args.to_vec(),
            stdin: command.stdin.clone(),
        }),
        Some((tool, args)) if tool == "kubectl" => Ok(Input::Kubectl {
            argv: args.to_vec(),
            stdin: command.stdin.clone(),
            files: kubectl_files(args, files),
        }),
        Some((other, _)) => Err(format!("kubestep: {other}: command not found")),
        None => Err("kubestep: nothing to run".to_string()),
    }
}

/// `cat FILE` for the script parser: the text of a file.
pub fn file_text(files: Files<'_>, path: &str) -> Option<String> {
    match files(path) {
        Some(FileEntry::File(text)) => Some(text),
        _ => None,
    }
}
