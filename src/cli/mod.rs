//! The headless `kubestep` command line (native only): `trace`, `trace-hash`, `serve`, `bench`.

pub mod bench;
pub mod http;
pub mod serve;

use std::io::Read;

use crate::sim::{Input, Sim};

const USAGE: &str = "kubestep: a simulated Kubernetes control plane

Usage:
  kubestep trace [--seed N] [--script FILE]   run console lines (stdin or FILE) and print the
                                              trace as JSON lines
  kubestep trace-hash [--seed N] [--script FILE]
                                              the same run, printing only the trace hash
  kubestep serve [--addr HOST:PORT] [--kubeconfig PATH] [--seed N] [-v]
                                              serve the simulated API server over HTTP for
                                              the real kubectl, the clock running in real
                                              time; --addr defaults to 127.0.0.1:6443 and
                                              --kubeconfig to ./kubestep.kubeconfig, written
                                              once it answers (plain HTTP, bearer tokens for
                                              kubernetes-admin and jane: no TLS); -v logs
                                              each request to stderr
  kubestep bench etcd                         benchmark the etcd store (run with
                                              --profile bench-native)
  kubestep help                               this text
";

/// Runs the CLI with `args` (without the program name) and returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{USAGE}");
            0
        }
        Some(cmd @ ("trace" | "trace-hash")) => match trace(cmd == "trace-hash", &args[1..]) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
        Some("bench") => bench::run(&args[1..]),
        Some("serve") => serve::run(&args[1..]),
        Some(other) => {
            eprintln!("error: unknown command \"{other}\" for \"kubestep\"\nRun 'kubestep help' for usage.");
            1
        }
    }
}

struct RunArgs {
    seed: u64,
    script: Option<String>,
}

fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let mut out = RunArgs {
        seed: 1,
        script: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (a.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("flag needs an argument: {name}"))
        };
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

/// Turns a script into inputs (see `console::script` for the shell forms it understands);
/// `cat FILE` and `kubectl -f FILE` read files relative to the current directory.
pub fn script_inputs(text: &str) -> Result<Vec<Input>, String> {
    crate::console::inputs(text, &|path| disk_file(std::path::Path::new("."), path))
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

fn trace(hash_only: bool, args: &[String]) -> Result<(), String> {
    let args = parse_run_args(args)?;
    let text = match &args.script {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("open {path}: {e}"))?,
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("reading stdin: {e}"))?;
            s
        }
    };
    let sim = run_script(args.seed, &script_inputs(&text)?);
    if hash_only {
        println!("{}", sim.trace().hash_hex());
    } else {
        for e in sim.trace().entries() {
            println!("{}", e.to_json_line());
        }
    }
    Ok(())
}

/// Runs `inputs` one after another on a fresh cluster, each until the cluster is idle.
pub fn run_script(seed: u64, inputs: &[Input]) -> Sim {
    let mut sim = crate::cluster::booted(seed);
    for input in inputs {
        sim.submit(input.clone());
        sim.run_until_idle();
    }
    sim
}
