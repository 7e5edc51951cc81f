//! The real kubectl is the reference: every script under `tests/kubectl/scripts` runs twice,
//! through the real kubectl 1.33 against `kubestep serve`, and through kubestep's own kubectl
//! (`kubestep console`), and the transcripts must match once what legitimately differs is
//! masked: ages and timestamps (serve's clock is the wall clock), random name suffixes and pod
//! IPs (the two runs interleave differently), the server's address, uids and
//! resourceVersions, and column padding that follows from those.
//!
//! Scripts that drive the simulation (`sim ...`) or use etcdctl cannot run against a real
//! kubectl and are left out. Runs when kubectl 1.33 is installed; without it the test says so
//! and passes, unless `CI` is set (the CI machine has it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;

const REAL_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl/scripts")
}

/// `kubestep serve` on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    kubeconfig: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn serve(dir: &Path, seed: u64) -> Server {
    let port = free_port();
    let kubeconfig = dir.join("kubeconfig");
    let child = Command::new(env!("CARGO_BIN_EXE_kubestep"))
        .args(["serve", "--seed", &seed.to_string(), "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kubestep serve");
    let started = Instant::now();
    while !kubeconfig.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "kubestep serve wrote no kubeconfig"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, kubeconfig }
}

/// The script's commands as the console parses them (the source text of each, heredocs
/// included), so both runs cut the script the same way.
fn commands(script: &str) -> Vec<String> {
    kubestep::console::script::parse(script, &|_| None)
        .expect("the script parses")
        .into_iter()
        .map(|c| c.source)
        .collect()
}

/// Runs each command with bash, `kubectl` being the real one, and writes the transcript as
/// `kubestep console` does (`$ line`, then stdout and stderr as a terminal shows them).
fn real_transcript(script: &str, server: &Server, bin: &Path) -> String {
    let mut out = String::new();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for cmd in commands(script) {
        out += &format!("$ {cmd}\n");
        let result = Command::new("bash")
            .arg("-c")
            .arg(format!("exec 2>&1; {cmd}"))
            .current_dir(scripts_dir())
            .env("PATH", &path)
            .env("KUBECONFIG", &server.kubeconfig)
            .env("HOME", bin)
            // A script has no one at the editor: `kubectl edit` closes it unchanged, as
            // kubestep's console does for scripts ("Edit cancelled, no changes made.").
            .env("EDITOR", "true")
            .output()
            .expect("bash");
        let text = String::from_utf8_lossy(&result.stdout);
        out += &text;
        // The transcript ends every command's output with a line break, as the console does.
        if !text.is_empty() && !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// What may differ between a run in real time and a run in simulated time.
fn mask(transcript: &str) -> String {
    let rules: Vec<(Regex, &str)> = vec![
        // Colours: kubectl writes them only to a terminal (`cluster-info`); the page's console
        // is one, a transcript is not.
        (Regex::new("\x1b\\[[0-9;]*m").unwrap(), ""),
        // klog lines carry times and a pid.
        (
            Regex::new(r"(?m)^[IWE]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ").unwrap(),
            "<klog> ",
        ),
        (
            Regex::new(r"https://172\.18\.0\.2:6443|http://127\.0\.0\.1:\d+").unwrap(),
            "<server>",
        ),
        // The kubeconfig each run reads: the harness's file in a temporary directory named
        // after the test's pid, kubestep's own in its (simulated) home.
        (
            Regex::new(r"(Config loaded from file:\s+)\S+").unwrap(),
            "${1}<kubeconfig>",
        ),
        (
            Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap(),
            "<time>",
        ),
        // describe's times (RFC 1123 with a numeric zone).
        (
            Regex::new(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")
                .unwrap(),
            "<time>",
        ),
        // How long a request and its parts took (`-v=6` and up; `-v=9` splits the time).
        (
            Regex::new(r"\b(\w*[mM]illiseconds)=\d+").unwrap(),
            "$1=<ms>",
        ),
        // The address `-v=9` says it dialled: the server's.
        (
            Regex::new(r#"address="(127\.0\.0\.1:\d+|172\.18\.0\.2:6443)""#).unwrap(),
            r#"address="<server>""#,
        ),
        // A response's Date header (`-v=8` and up): when each run's server answered.
        (
            Regex::new(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT").unwrap(),
            "<time>",
        ),
        (
            Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap(),
            "<uid>",
        ),
        // Also inside the bodies `-v=8` logs as quoted strings (`\"resourceVersion\":\"212\"`)
        // and in URLs (`resourceVersion=212`).
        (
            Regex::new(r#"(resourceVersion(?:\\?")?(?::\s*(?:\\?")?|=))\d+"#).unwrap(),
            "$1<rv>",
        ),
        (
            Regex::new(r"-[bcdfghjklmnpqrstvwxz2456789]{5}\b").unwrap(),
            "-<rand>",
        ),
        // Event names end in the hex UnixNano time of their recording (client-go's
        // `makeEvent`): a run in real time records at other nanoseconds than a simulated one.
        (
            Regex::new(r"\b([a-z0-9][-a-z0-9.]*)\.[0-9a-f]{16}\b").unwrap(),
            "$1.<event-time>",
        ),
        (Regex::new(r"\b10\.244\.\d+\.\d+\b").unwrap(), "<pod-ip>"),
        // Service cluster IPs: the allocator picks them at random from 10.96.0.0/12, and the
        // two runs draw from the PRNG in a different order.
        (
            Regex::new(r"\b10\.(9[6-9]|10\d|11[01])\.\d+\.\d+\b").unwrap(),
            "<cluster-ip>",
        ),
        // Node ports: the allocator picks them at random from 30000-32767.
        (
            Regex::new(r#"(nodePort"?:\s*)3\d{4}\b|\b(\d+:)3\d{4}/"#).unwrap(),
            "$1$2<node-port>",
        ),
        // Ages: 5s, 3m2s, 2d4h, <invalid>; "(x3 over 2m)".
        (Regex::new(r"\b\d+[smhdy](\d+[smh])?\b").unwrap(), "<age>"),
        // Container and image ids are hashes of what each run started.
        (
            Regex::new(r"containerd://[0-9a-f]{64}").unwrap(),
            "containerd://<id>",
        ),
        (
            Regex::new(r"sha256:[0-9a-f]{64}").unwrap(),
            "sha256:<digest>",
        ),
        (Regex::new(r" +").unwrap(), " "),
        (Regex::new(r"(?m) $").unwrap(), ""),
    ];
    let mut s = transcript.to_string();
    for (re, to) in &rules {
        s = re.replace_all(&s, *to).into_owned();
    }
    sort_curl_headers(&sort_feature_gates(&sort_event_selectors(&s)))
}

/// client-go's `-v=9` curl line writes the request's headers from a Go map, in an order that
/// changes from run to run: compare them sorted.
fn sort_curl_headers(text: &str) -> String {
    let header = Regex::new(r#" -H "[^"]*""#).unwrap();
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if !line.trim_start().starts_with("curl -v") {
            out.push_str(line);
            continue;
        }
        let mut headers: Vec<&str> = header.find_iter(line).map(|m| m.as_str()).collect();
        headers.sort_unstable();
        let rest = header.replace_all(line, "");
        // `curl -v -XVERB`, then the sorted headers, then the URL.
        match rest.find(" '") {
            Some(at) => {
                out.push_str(&rest[..at]);
                out.push_str(&headers.concat());
                out.push_str(&rest[at..]);
            }
            None => out.push_str(&rest),
        }
    }
    out
}

/// describe's event selector (`GetFieldSelector`) is built from a Go map, so its terms come
/// in another order in every run: each is put in one order.
fn sort_event_selectors(s: &str) -> String {
    let re = Regex::new(r"fieldSelector=(involvedObject[^&\s\x22]*)").unwrap();
    re.replace_all(s, |c: &regex::Captures<'_>| {
        let mut terms: Vec<&str> = c[1].split("%2C").collect();
        terms.sort_unstable();
        format!("fieldSelector={}", terms.join("%2C"))
    })
    .into_owned()
}

/// client-go logs its feature gates (`-v=1` and up) from a Go map, whose iteration order
/// changes from run to run: each run of such lines is put in one order.
fn sort_feature_gates(s: &str) -> String {
    let is_gate = |l: &str| l.contains("\"Feature gate default state\"");
    let mut out: Vec<&str> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    for line in s.split_inclusive('\n') {
        if is_gate(line) {
            run.push(line);
            continue;
        }
        run.sort_unstable();
        out.append(&mut run);
        out.push(line);
    }
    run.sort_unstable();
    out.append(&mut run);
    out.concat()
}

#[test]
fn the_real_kubectl_against_kubestep_serve_prints_what_kubesteps_kubectl_prints() {
    if !Path::new(REAL_KUBECTL).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "{REAL_KUBECTL} is missing on a CI machine"
        );
        eprintln!("skipped: {REAL_KUBECTL} is not installed");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("kubestep-diff-{}", std::process::id()));
    let bin = tmp.join("bin");
    std::fs::create_dir_all(&bin).expect("tmp");
    let link = bin.join("kubectl");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(REAL_KUBECTL, &link).expect("symlink kubectl");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .expect("scripts")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.sort();
    let only = std::env::var("KUBESTEP_DIFF_ONLY").ok();
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in scripts {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if only.as_ref().is_some_and(|o| *o != name) {
            continue;
        }
        let script = std::fs::read_to_string(&path).expect("script");
        let first = script.lines().next().unwrap_or_default();
        // A script opts out with a first-line comment saying why (`# differential: no ...`).
        if first.starts_with("# differential: no") {
            continue;
        }
        ran += 1;
        let dir = tmp.join(&name);
        std::fs::create_dir_all(&dir).expect("tmp");
        let server = serve(&dir, 1);
        let real = mask(&real_transcript(&script, &server, &bin));
        drop(server);
        // kubestep's explain says, under its answer, that this build has no field descriptions
        // (the real kubectl against the same server prints the same `<empty>`s, without a word).
        let ours = kubestep::cli::run_console(1, &script, &scripts_dir()).0;
        let ours = mask(&ours.replace(kubestep::kubectl::cmd::explain::NO_DESCRIPTIONS_NOTE, ""));
        // KUBESTEP_DIFF_DUMP=dir keeps both masked transcripts, to read the whole difference.
        if let Ok(dump) = std::env::var("KUBESTEP_DIFF_DUMP") {
            let dump = Path::new(&dump);
            std::fs::create_dir_all(dump).expect("dump dir");
            std::fs::write(dump.join(format!("{name}.real")), &real).expect("dump");
            std::fs::write(dump.join(format!("{name}.kubestep")), &ours).expect("dump");
        }
        if real != ours {
            let diff: Vec<String> = real
                .lines()
                .zip(ours.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(12)
                .map(|(i, (a, b))| format!("line {}:\n  real:     {a}\n  kubestep: {b}", i + 1))
                .collect();
            failures.push(format!(
                "--- {name}: {} lines real, {} kubestep\n{}",
                real.lines().count(),
                ours.lines().count(),
                diff.join("\n")
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(ran > 0 || only.is_some(), "no script ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
