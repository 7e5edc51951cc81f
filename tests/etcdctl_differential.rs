//! Differential test: every script under `tests/etcdctl/scripts` runs through Debian's real
//! etcdctl 3.4.23 against a real etcd 3.4.23 (fresh per script, so revisions match) and through
//! kubestep; the transcripts must be equal after masking what is environment-specific.
//!
//! Without `/usr/bin/etcd` the test skips with a notice, or fails when `CI` is set.

#[path = "etcdctl/harness.rs"]
mod harness;

use std::fs::File;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::Step;

const ETCD: &str = "/usr/bin/etcd";
const ETCDCTL: &str = "/usr/bin/etcdctl";

/// A real etcd in a temporary data directory; killed (and its directory removed) on drop,
/// also when the test panics.
struct RealEtcd {
    child: Child,
    dir: PathBuf,
    endpoint: String,
}

impl Drop for RealEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A free port with four digits, like 2379, so that masking the endpoint keeps table widths.
fn free_port(after: u16) -> u16 {
    let start = 3000 + (std::process::id() % 5000) as u16;
    (start.max(after + 1)..10_000)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below 10000")
}

impl RealEtcd {
    fn start(name: &str) -> RealEtcd {
        let client = free_port(0);
        let peer = free_port(client);
        let dir = std::env::temp_dir().join(format!(
            "kubestep-etcdctl-{name}-{}-{client}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let log = File::create(dir.join("etcd.log")).expect("log");
        let c = format!("http://127.0.0.1:{client}");
        let p = format!("http://127.0.0.1:{peer}");
        // The member advertises what kubestep's (and kubeadm's) member advertises; etcd only
        // publishes these URLs, it listens on the local ones.
        let ours = kubestep::etcd::EtcdConfig::default();
        let child = Command::new(ETCD)
            .args([
                "--name",
                &ours.name,
                "--data-dir",
                dir.join("data").to_str().expect("utf-8 path"),
                "--listen-client-urls",
                &c,
                "--advertise-client-urls",
                &ours.client_urls.join(","),
                "--listen-peer-urls",
                &p,
                "--initial-advertise-peer-urls",
                &ours.peer_urls.join(","),
                "--initial-cluster",
                &format!("{}={}", ours.name, ours.peer_urls[0]),
            ])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start etcd");
        let etcd = RealEtcd {
            child,
            dir,
            endpoint: format!("127.0.0.1:{client}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ok = Command::new(ETCDCTL)
                .env("ETCDCTL_API", "3")
                .args(["--endpoints", &etcd.endpoint, "endpoint", "health"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            // Serving, and the start-up raft entries (member attributes, cluster version) are
            // applied, so the raft index is that of a settled fresh member.
            let log = std::fs::read_to_string(etcd.dir.join("etcd.log")).unwrap_or_default();
            if ok && log.contains("set the initial cluster version") && log.contains("published {")
            {
                return etcd;
            }
            assert!(Instant::now() < deadline, "etcd did not become healthy");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn etcdctl(&self, argv: &[String], out: &Path) -> Command {
        let argv: Vec<&String> = argv.iter().filter(|a| *a != "ETCDCTL_API=3").collect();
        let file = File::create(out).expect("output file");
        let mut cmd = Command::new(ETCDCTL);
        cmd.env("ETCDCTL_API", "3")
            // Relative paths (snapshot files) resolve in the run's own directory.
            .current_dir(&self.dir)
            .env("ETCDCTL_ENDPOINTS", &self.endpoint)
            .args(argv)
            // One file for both streams: the order a terminal shows them.
            .stdout(file.try_clone().expect("dup"))
            .stderr(file);
        cmd
    }
}

/// Background etcdctl runs (watches, keep-alives), killed if the test panics before their
/// interrupt step.
struct Background(Vec<(String, Child, PathBuf)>);

impl Drop for Background {
    fn drop(&mut self) {
        for (_, child, _) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl RealEtcd {
    /// etcd's `etcd_debugging_mvcc_watcher_total` gauge, from its `/metrics` endpoint.
    fn watchers(&self) -> u64 {
        use std::io::Write;
        let mut conn = std::net::TcpStream::connect(&self.endpoint).expect("metrics connection");
        write!(
            conn,
            "GET /metrics HTTP/1.0\r\nHost: {}\r\n\r\n",
            self.endpoint
        )
        .expect("metrics request");
        let mut body = String::new();
        conn.read_to_string(&mut body).expect("metrics response");
        body.lines()
            .find_map(|l| l.strip_prefix("etcd_debugging_mvcc_watcher_total "))
            .and_then(|v| v.trim().parse().ok())
            .expect("the watcher gauge")
    }

    /// Waits until a started watch is registered with etcd (or its etcdctl has already ended,
    /// as a watch canceled by compaction does), so the next step's writes reach it.
    ///
    /// The gauge can hide the new watch when an interrupted one is removed at the same moment
    /// (the count stays the same): after two seconds the watch is taken as created. If it really
    /// were not, the transcripts would differ and the test would fail on that.
    fn wait_for_watcher(&self, before: u64, child: &mut Child) {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.watchers() <= before && Instant::now() < deadline {
            if child.try_wait().expect("watch status").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn read(path: &Path) -> String {
    let mut s = String::new();
    File::open(path)
        .expect("output")
        .read_to_string(&mut s)
        .expect("utf-8 output");
    s
}

/// Runs a script through the real etcdctl; returns the transcript and the leases granted.
fn run_real(name: &str, script: &str) -> (String, Vec<String>) {
    let etcd = RealEtcd::start(name);
    let mut leases: Vec<String> = Vec::new();
    let mut transcript = String::new();
    let mut watches = Background(Vec::new());
    for (n, step) in harness::parse_script(script).into_iter().enumerate() {
        let out = etcd.dir.join(format!("step-{n}.out"));
        match step {
            Step::Sleep(s) => {
                std::thread::sleep(Duration::from_secs(s));
                transcript.push_str(&format!("$ sleep {s}\n"));
            }
            Step::Run {
                line,
                argv,
                stdin,
                background,
            } => {
                let before_watchers = if background { etcd.watchers() } else { 0 };
                let mut cmd = etcd.etcdctl(&harness::expand(&argv, &leases), &out);
                cmd.stdin(Stdio::piped());
                let mut child = cmd.spawn().expect("run etcdctl");
                {
                    use std::io::Write;
                    let mut pipe = child.stdin.take().expect("stdin");
                    if let Some(input) = &stdin {
                        pipe.write_all(input.as_bytes()).expect("write stdin");
                    }
                }
                if background && argv.iter().any(|a| a == "watch") {
                    etcd.wait_for_watcher(before_watchers, &mut child);
                    watches.0.push((line, child, out));
                    continue;
                }
                if background {
                    // A keep-alive: wait for its first renewal to be printed.
                    let deadline = Instant::now() + Duration::from_secs(15);
                    while read(&out).is_empty() && child.try_wait().expect("status").is_none() {
                        assert!(Instant::now() < deadline, "no keep-alive answer");
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    watches.0.push((line, child, out));
                    continue;
                }
                let status = child.wait().expect("etcdctl exit");
                let text = read(&out);
                leases.extend(harness::granted_leases(&text));
                let code = status.code().unwrap_or(130);
                transcript.push_str(&harness::transcript_entry(&line, &text, code));
            }
            Step::Interrupt => {
                let (line, mut child, out) = watches.0.pop().expect("a running watch");
                // Let the last events arrive, then press Ctrl-C.
                std::thread::sleep(Duration::from_millis(500));
                let code = match child.try_wait().expect("watch status") {
                    Some(status) => status.code().unwrap_or(130),
                    None => {
                        Command::new("kill")
                            .args(["-INT", &child.id().to_string()])
                            .status()
                            .expect("kill -INT");
                        let status = child.wait().expect("watch exit");
                        // A process killed by SIGINT: the shell's status 128+2.
                        status.code().unwrap_or(130)
                    }
                };
                transcript.push_str(&harness::transcript_entry(&line, &read(&out), code));
                transcript.push_str("$ interrupt\n");
            }
        }
    }
    let ids = member_ids(&etcd);
    // The real etcd listens on a free four-digit port (so tables keep their widths);
    // kubestep's etcdctl dials its default endpoint.
    let mut t = harness::mask_client_log(&transcript)
        .replace(&etcd.endpoint, kubestep::etcdctl::DEFAULT_ENDPOINT);
    drop(etcd);
    // The real member's cluster and member IDs derive from its name and URLs; kubestep's are
    // fixed constants (`etcd::api::CLUSTER_ID`, `MEMBER_ID`).
    for (real, ours) in ids {
        t = t
            .replace(&real.to_string(), &ours.to_string())
            .replace(&format!("{real:x}"), &format!("{ours:x}"));
    }
    (t, leases)
}

/// (real, kubestep) pairs of the cluster ID and member ID.
fn member_ids(etcd: &RealEtcd) -> Vec<(u64, u64)> {
    let out = Command::new(ETCDCTL)
        .env("ETCDCTL_API", "3")
        .args([
            "--endpoints",
            &etcd.endpoint,
            "member",
            "list",
            "-w",
            "json",
        ])
        .output()
        .expect("member list");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let cluster = v["header"]["cluster_id"].as_u64().expect("cluster_id");
    let member = v["header"]["member_id"].as_u64().expect("member_id");
    vec![
        (cluster, kubestep::etcd::api::CLUSTER_ID),
        (member, kubestep::etcd::api::MEMBER_ID),
    ]
}

/// Masks applied to both transcripts, for values that depend on the machine rather than on
/// etcd's behaviour:
/// - the database file's size in bytes (`dbSize`, `dbSizeInUse`, `DBSize`): bbolt's page
///   allocation on the real disk; the humanized size (`20 kB`) stays compared;
/// - the padding of table borders and cells: the real member ID printed in hex is shorter than
///   kubestep's fixed one (leading zero), which changes the ID column's width.
/// - `endpoint health`'s `took` (a real round trip's wall-clock time);
/// - the humanized DB size of `endpoint status` (bbolt grows by pages on its own schedule);
/// - a snapshot's size, hash and key count (`snapshot save`'s log, `snapshot status`): a real
///   snapshot is a bbolt file with etcd's internal buckets, kubestep's a compact encoding of the
///   same store; the revision stays compared.
fn mask_environment(text: &str) -> String {
    let mut out = String::new();
    let mut command = "";
    for line in text.split_inclusive('\n') {
        let mut l = line.to_string();
        if let Some(c) = line.strip_prefix("$ ") {
            command = c;
        }
        if let Some(i) = l.find("\"size\":\"") {
            let start = i + 8;
            let len = l[start..].find('"').expect("quoted size");
            l.replace_range(start..start + len, "<size>");
        }
        if command.starts_with("etcdctl endpoint health") && !line.starts_with("$ ") {
            l = mask_took(&l);
        }
        if command.starts_with("etcdctl snapshot status") && !line.starts_with("$ ") {
            l = mask_snapshot_status(&l);
        }
        // `endpoint status` in simple and table form: the humanized DB size too. Real etcd's
        // bbolt file grows by pages when its background commit runs, so the same script reports
        // 20 kB on one run and 25 kB on the next.
        if command.starts_with("etcdctl endpoint status") && !line.starts_with("$ ") {
            l = mask_human_size(&l);
        }
        for key in ["\"dbSize\":", "\"dbSizeInUse\":", "\"DBSize\" : "] {
            if let Some(i) = l.find(key) {
                let start = i + key.len();
                let len = l[start..].bytes().take_while(u8::is_ascii_digit).count();
                l.replace_range(start..start + len, "<db-size>");
            }
        }
        if l.starts_with('+') || l.starts_with('|') {
            let mut collapsed = String::new();
            for c in l.chars() {
                if (c == ' ' || c == '-') && collapsed.ends_with(c) {
                    continue;
                }
                collapsed.push(c);
            }
            l = collapsed;
        }
        out.push_str(&l);
    }
    out
}

/// Replaces a humanized size (`20 kB`, `1.2 MB`) by `<db-size>`.
fn mask_human_size(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let unit = words.get(i + 1).map(|u| u.trim_end_matches(','));
        let number = words[i].parse::<f64>().is_ok();
        match unit {
            Some(u @ ("B" | "kB" | "MB" | "GB")) if number => {
                let tail = &words[i + 1][u.len()..];
                out.push(format!("<db-size>{tail}"));
                i += 2;
            }
            _ => {
                out.push(words[i].to_string());
                i += 1;
            }
        }
    }
    out.join(" ")
}

/// Masks `endpoint health`'s round-trip time (wall clock against simulated latency).
fn mask_took(line: &str) -> String {
    if let Some(i) = line.find("took = ") {
        return format!("{}<took>\n", &line[..i + 7]);
    }
    if let Some(i) = line.find("\"took\":\"") {
        let start = i + 8;
        let len = line[start..].find('"').expect("quoted took");
        return format!("{}<took>{}", &line[..start], &line[start + len..]);
    }
    if line.starts_with("\"Took\" : ") {
        return "\"Took\" : <took>\n".to_string();
    }
    if line.starts_with('|') && !line.contains("TOOK") {
        let mut cells: Vec<&str> = line.split('|').collect();
        cells[3] = " <took> ";
        return cells.join("|");
    }
    line.to_string()
}

/// Keeps only the revision of a `snapshot status` output line, in any format.
fn mask_snapshot_status(line: &str) -> String {
    if line.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(line).expect("status json");
        return format!(
            "{{\"hash\":<hash>,\"revision\":{},\"totalKey\":<keys>,\"totalSize\":<size>}}\n",
            v["revision"]
        );
    }
    for field in ["\"Hash\" : ", "\"Keys\" : ", "\"Size\" : "] {
        if line.starts_with(field) {
            return format!("{field}<masked>\n");
        }
    }
    let cells: Vec<&str> = line.trim_end().split(", ").collect();
    if cells.len() == 4 && !line.starts_with("Error") {
        return format!("<hash>, {}, <keys>, <size>\n", cells[1]);
    }
    if line.starts_with('|') && !line.contains("HASH") {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        return format!("| <hash> | {} | <keys> | <size> |\n", cells[2]);
    }
    if line.starts_with('+') {
        return "+<border>+\n".to_string();
    }
    line.to_string()
}

#[test]
fn kubestep_etcdctl_answers_like_etcdctl_3_4_23() {
    if !Path::new(ETCD).exists() || !Path::new(ETCDCTL).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{ETCD} and {ETCDCTL} are needed (Debian's etcd-server and etcd-client packages)"
        );
        eprintln!("skipping: {ETCD} or {ETCDCTL} is not installed");
        return;
    }
    let mut failures = Vec::new();
    for (name, script) in harness::scripts() {
        if std::env::var("KUBESTEP_ETCDCTL_SCRIPT").is_ok_and(|s| s != name) {
            continue;
        }
        let (ours, our_leases) = harness::run_kubestep(&script);
        let ours = mask_environment(&harness::mask_leases(&ours, &our_leases));
        // kubestep is deterministic, the real etcd is not: a background watch can register a
        // little late on a loaded machine. A script that differs is run once more on a fresh
        // real etcd before it counts as a difference.
        let mut real = String::new();
        for _attempt in 0..2 {
            let (r, real_leases) = run_real(&name, &script);
            real = mask_environment(&harness::mask_leases(&r, &real_leases));
            if real == ours {
                break;
            }
        }
        if real != ours {
            failures.push(format!(
                "=== {name}: etcdctl 3.4.23\n{real}\n=== {name}: kubestep\n{ours}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
