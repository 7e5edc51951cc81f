//! The etcdctl script harness shared by the golden and the differential tests.
//!
//! A script (`tests/etcdctl/scripts/*.sh`) has one step a line:
//! - `etcdctl ARGS...`: one run (shell quoting with '' and ""), its output merged as a terminal
//!   shows stdout and stderr;
//! - `etcdctl txn <<EOF` ... `EOF`: the heredoc lines are the run's standard input;
//! - `etcdctl watch ... &`: starts a watch that stays open; `interrupt` (Ctrl-C) stops the
//!   latest one and its output is shown there;
//! - `sleep N`: N seconds pass (the simulation's clock advances);
//! - `$LEASE1`, `$LEASE2`...: the IDs of the leases granted so far (from `lease grant` output).
//!
//! The transcript shows each step as `$ line`, its output, and `[exit N]` when it failed.

#![allow(dead_code)]

use kubestep::etcdctl::Etcdctl;
use kubestep::sim::{Addr, Input, Sim, SimConfig, SimDuration};

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Run {
        line: String,
        argv: Vec<String>,
        stdin: Option<String>,
        background: bool,
    },
    Sleep(u64),
    Interrupt,
}

/// Splits a line into words like a shell (quotes group, no expansion).
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unterminated quote in {line:?}");
    if in_word {
        words.push(cur);
    }
    words
}

pub fn parse_script(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = text.lines();
    while let Some(raw) = lines.next() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "interrupt" {
            steps.push(Step::Interrupt);
            continue;
        }
        if let Some(n) = line.strip_prefix("sleep ") {
            steps.push(Step::Sleep(n.trim().parse().expect("sleep seconds")));
            continue;
        }
        let (body, background) = match line.strip_suffix('&') {
            Some(b) => (b.trim(), true),
            None => (line, false),
        };
        let (cmd, stdin) = match body.split_once("<<") {
            Some((cmd, marker)) => {
                let marker = marker.trim();
                let mut input = String::new();
                for l in lines.by_ref() {
                    if l == marker {
                        break;
                    }
                    input.push_str(l);
                    input.push('\n');
                }
                (cmd.trim(), Some(input))
            }
            None => (body, None),
        };
        let mut words = split_words(cmd);
        // `ETCDCTL_API=3 etcdctl ...`: the assignment travels as a leading argv word.
        if words.first().is_some_and(|w| w.starts_with("ETCDCTL_API=")) {
            let env = words.remove(0);
            words.insert(1, env);
        }
        assert_eq!(
            words.first().map(String::as_str),
            Some("etcdctl"),
            "script lines run etcdctl: {line}"
        );
        steps.push(Step::Run {
            line: line.to_string(),
            argv: words[1..].to_vec(),
            stdin,
            background,
        });
    }
    steps
}

/// Replaces `$LEASEn` with the n-th lease ID granted so far.
pub fn expand(argv: &[String], leases: &[String]) -> Vec<String> {
    argv.iter()
        .map(|a| {
            let mut a = a.clone();
            for (i, l) in leases.iter().enumerate().rev() {
                a = a.replace(&format!("$LEASE{}", i + 1), l);
            }
            a
        })
        .collect()
}

/// The lease IDs (hex) an output granted.
pub fn granted_leases(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("lease ")?;
            let (id, tail) = rest.split_once(' ')?;
            tail.starts_with("granted with TTL(")
                .then(|| id.to_string())
                .filter(|_| !tail.contains("remaining"))
        })
        .collect()
}

pub fn transcript_entry(line: &str, output: &str, code: i32) -> String {
    let mut t = format!("$ {line}\n{output}");
    if !output.is_empty() && !output.ends_with('\n') {
        t.push('\n');
    }
    if code != 0 {
        t.push_str(&format!("[exit {code}]\n"));
    }
    t
}

/// Masks what differs between two runs of the same tool: the client's log timestamp and its
/// random balancer UUID (wall clock and randomness, not behaviour).
pub fn mask_client_log(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("{\"level\":") {
            let mut l = line.to_string();
            // `"ts"` is an ISO string or zap's epoch float; `"took"` a duration in seconds.
            for key in ["\"ts\":", "\"took\":"] {
                if let Some(i) = l.find(key) {
                    let start = i + key.len();
                    let len = l[start..].find([',', '}']).expect("a log field ends");
                    l.replace_range(start..start + len, "<time>");
                }
            }
            if let Some(i) = l.find("endpoint://client-") {
                let start = i + "endpoint://client-".len();
                if let Some(j) = l[start..].find('/') {
                    l.replace_range(start..start + j, "<uuid>");
                }
            }
            out.push_str(&l);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Masks lease IDs (chosen by the server from its clock or PRNG): each granted ID, in hex and
/// in decimal, becomes `<LEASEn>` in grant order.
pub fn mask_leases(text: &str, leases: &[String]) -> String {
    let mut out = text.to_string();
    for (i, hex) in leases.iter().enumerate() {
        let dec = i64::from_str_radix(hex, 16).expect("hex lease").to_string();
        out = out
            .replace(hex.as_str(), &format!("<LEASE{}>", i + 1))
            .replace(&dec, &format!("<LEASE{}>", i + 1));
    }
    out
}

/// Runs a script on a fresh kubestep etcd member (etcd and etcdctl alone, like the fresh real
/// etcd it is compared with: no API server writing its objects); returns the transcript (client
/// log masked) and the lease IDs granted.
pub fn run_kubestep(script: &str) -> (String, Vec<String>) {
    let mut sim = Sim::empty(SimConfig::default(), 1);
    sim.add_actor(Box::new(kubestep::etcd::EtcdServer::new(
        kubestep::etcd::EtcdConfig::default(),
    )));
    sim.add_actor(Box::new(kubestep::etcdctl::Etcdctl::new()));
    sim.run_until_idle();
    let mut leases: Vec<String> = Vec::new();
    let mut transcript = String::new();
    let mut watches: Vec<(String, u64)> = Vec::new();
    for step in parse_script(script) {
        match step {
            Step::Sleep(n) => {
                sim.advance(SimDuration::from_secs(n));
                transcript.push_str(&format!("$ sleep {n}\n"));
            }
            Step::Run {
                line,
                argv,
                stdin,
                background,
            } => {
                let id = sim.submit(Input::Etcdctl {
                    argv: expand(&argv, &leases),
                    stdin,
                });
                sim.run_until_idle();
                if background {
                    watches.push((line, id));
                    continue;
                }
                let (out, code) = output_of(&sim, id);
                leases.extend(granted_leases(&out));
                transcript.push_str(&transcript_entry(&line, &out, code));
            }
            Step::Interrupt => {
                let (line, id) = watches.pop().expect("interrupt needs a running watch");
                sim.submit(Input::Interrupt { input_id: id });
                sim.run_until_idle();
                let (out, code) = output_of(&sim, id);
                transcript.push_str(&transcript_entry(&line, &out, code));
                transcript.push_str("$ interrupt\n");
            }
        }
    }
    (mask_client_log(&transcript), leases)
}

fn output_of(sim: &Sim, id: u64) -> (String, i32) {
    let out: String = sim
        .console()
        .iter()
        .filter(|c| c.input_id == id)
        .map(|c| c.text.as_str())
        .collect();
    let done = sim.console().iter().any(|c| c.input_id == id && c.done);
    assert!(done, "input {id} did not finish");
    let code = sim
        .actor::<Etcdctl>(&Addr::Etcdctl)
        .expect("etcdctl actor")
        .exit_code(id)
        .expect("finished input has an exit code");
    (out, code)
}

/// Every script, by name, in a fixed order.
pub fn scripts() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/etcdctl/scripts");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("scripts dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("script"),
            )
        })
        .collect();
    out.sort();
    out
}
