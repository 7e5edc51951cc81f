//! The headless `kubestep` command line (native only).

pub mod bench;
pub mod http;
pub mod serve;

use std::io::Read;

use std::io::Write;

use crate::console::Session;

const USAGE: &str = "kubestep: a simulated Kubernetes control plane

Usage:
  kubestep console [--seed N] [--script FILE]  run console lines (stdin or FILE) on a fresh
                                               cluster and print the transcript: each line
                                               after `$ `, then its output
  kubestep trace [--seed N] [--script FILE]    the same run, printing the trace as JSON lines
                                               (one per delivered message)
  kubestep trace-hash [--seed N] [--script FILE]
                                               the same run, printing only the trace hash
  kubestep serve [--addr HOST:PORT] [--kubeconfig PATH] [--seed N] [-v]
                                               serve the simulated API server over HTTP for
                                               the real kubectl, the clock running in real
                                               time; --addr defaults to 127.0.0.1:6443 and
                                               --kubeconfig to ./kubestep.kubeconfig, written
                                               once it answers (plain HTTP, no TLS: a request
                                               without credentials is kubernetes-admin's); -v
                                               logs each request to stderr
  kubestep bench etcd                          benchmark the etcd store (run with
                                               --profile bench-native)
  kubestep help                                this text

Console lines are what the page's console runs: kubectl, etcdctl, sim (`sim help`), echo,
cat, sleep and timeout, with quotes, `VAR=value` prefixes, heredocs and pipes from echo or
cat. Files (`cat FILE`, `kubectl -f FILE`) are read from disk, relative to the script's
directory (the current directory for stdin). Each line runs to its end in simulated time;
`timeout 10s kubectl get pods -w` watches for 10 simulated seconds.
";

/// Runs the CLI with `args` (without the program name) and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let (cmd, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    let output = match cmd {
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            return 0;
        }
        "bench" => return bench::run(rest),
        "serve" => return serve::run(rest),
        "console" | "trace" | "trace-hash" => parse_run_args(rest).and_then(|a| console(&a)),
        other => {
            eprintln!(
                "error: unknown command \"{other}\" for \"kubestep\"\nRun 'kubestep help' for usage."
            );
            return 1;
        }
    };
    match output {
        Ok(session) => {
            if cmd == "trace-hash" {
                println!("{}", session.1.sim().trace().hash_hex());
            } else if cmd == "trace" {
                let mut out = std::io::stdout().lock();
                for e in session.1.sim().trace().entries() {
                    if writeln!(out, "{}", e.to_json_line()).is_err() {
                        break;
                    }
                }
            } else {
                print!("{}", session.0);
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

struct RunArgs {
    seed: u64,
    script: Option<String>,
}

/// The subcommands' flags, one after another: `--flag value` or `--flag=value`.
pub(crate) struct Flags<'a> {
    it: std::slice::Iter<'a, String>,
}

impl<'a> Flags<'a> {
    pub(crate) fn new(args: &'a [String]) -> Self {
        Flags { it: args.iter() }
    }

    /// The next argument, its flag name and the value written after its `=`.
    pub(crate) fn next_flag(&mut self) -> Option<(&'a str, &'a str, Option<&'a str>)> {
        let a = self.it.next()?;
        Some(match a.split_once('=') {
            Some((f, v)) => (a.as_str(), f, Some(v)),
            None => (a.as_str(), a.as_str(), None),
        })
    }

    /// The flag's value: the inline one, else the next argument.
    pub(crate) fn value(&mut self, name: &str, inline: Option<&str>) -> Result<String, String> {
        inline
            .map(str::to_string)
            .or_else(|| self.it.next().cloned())
            .ok_or_else(|| format!("flag needs an argument: {name}"))
    }
}

fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let mut out = RunArgs {
        seed: 1,
        script: None,
    };
    let mut flags = Flags::new(args);
    while let Some((a, flag, inline)) = flags.next_flag() {
        let mut value = |name: &str| flags.value(name, inline);
        match flag {
            "--seed" => {
                let v = value("--seed")?;
                out.seed = v
                    .parse()
                    .map_err(|_| format!("invalid argument \"{v}\" for \"--seed\" flag"))?;
            }
            "--script" => out.script = Some(value("--script")?),
            _ => return Err(format!("unknown flag: {a}")),
        }
    }
    Ok(out)
}

/// Runs the script of `args` (its file, or stdin) on a fresh cluster: its transcript and the
/// session it leaves.
fn console(args: &RunArgs) -> Result<(String, Session), String> {
    let (text, base) = match &args.script {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("open {path}: {e}"))?;
            let base = std::path::Path::new(path)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            (text, base)
        }
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("reading stdin: {e}"))?;
            (s, std::path::PathBuf::from("."))
        }
    };
    Ok(run_console(args.seed, &text, &base))
}

/// Runs `text` as console lines on a fresh cluster booted from `seed`, reading files relative
/// to `base`: the transcript and the session.
pub fn run_console(seed: u64, text: &str, base: &std::path::Path) -> (String, Session) {
    let mut session = Session::new(seed);
    let transcript = session.run_script(text, &|p| disk_file(base, p));
    (transcript, session)
}

/// A file or directory on disk, relative to `base`, as the console hands it to kubectl.
pub fn disk_file(base: &std::path::Path, path: &str) -> Option<crate::console::FileEntry> {
    use crate::console::FileEntry;
    let full = base.join(path);
    if full.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(&full)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Some(FileEntry::Dir(names))
    } else {
        std::fs::read_to_string(&full).ok().map(FileEntry::File)
    }
}
