//! `kubestep serve`: the built binary serves the simulated API server over HTTP on a free
//! loopback port. Plain TCP requests check the wire (status lines, keep-alive, chunked watch
//! streams, authentication and impersonation); the real kubectl v1.33, where the machine has
//! it, checks that it works against the server: discovery, OpenAPI, client-side apply, server
//! errors, watches and RBAC through jane's context.
//!
//! Without a kubectl the kubectl test skips with a notice, or fails when `CI` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use kubestep::apiserver::authn::{ADMIN_TOKEN, JANE_TOKEN};
use serde_json::Value;

const KUBECTL_1_33: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// A running `kubestep serve`, killed (and its directory removed) on drop.
struct Server {
    child: Child,
    dir: PathBuf,
    kubeconfig: PathBuf,
    /// `127.0.0.1:<port>`.
    addr: String,
    seed: u64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kubestep-serve-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

impl Server {
    /// Starts `kubestep serve --addr 127.0.0.1:0` and waits for its kubeconfig, which it writes
    /// once it answers; the port is read from the kubeconfig.
    fn start(seed: u64) -> Server {
        let dir = temp_dir();
        let kubeconfig = dir.join("kubeconfig");
        // `-v`: the access log goes to a file the tests read.
        let log = std::fs::File::create(dir.join("serve.log")).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_kubestep"))
            .args(["serve", "-v", "--addr", "127.0.0.1:0", "--seed"])
            .arg(seed.to_string())
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("kubestep runs");
        let mut server = Server {
            child,
            dir,
            kubeconfig,
            addr: String::new(),
            seed,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let text = loop {
            if let Ok(t) = std::fs::read_to_string(&server.kubeconfig) {
                break t;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("kubestep serve exited with {status} before it was ready (seed {seed})");
            }
            assert!(Instant::now() < deadline, "no kubeconfig after 60 s");
            std::thread::sleep(Duration::from_millis(50));
        };
        let server_line = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("server: http://"))
            .expect("the kubeconfig names the server");
        server.addr = server_line.to_string();
        server
    }

    /// Waits until the access log has a line containing all of `parts`; returns it.
    fn log_line(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = std::fs::read_to_string(self.dir.join("serve.log")).unwrap_or_default();
            if let Some(l) = log.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
                return l.to_string();
            }
            assert!(
                Instant::now() < deadline,
                "no log line with {parts:?} (seed {}):\n{log}",
                self.seed
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("the server accepts connections");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }
}

/// One response as read off the wire.
#[derive(Debug)]
struct Response {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn status(&self) -> u16 {
        self.status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status code")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }
}

fn read_head(r: &mut impl BufRead) -> (String, Vec<(String, String)>) {
    let mut status_line = String::new();
    r.read_line(&mut status_line).expect("a status line");
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("a header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (n, v) = line.split_once(": ").expect("name: value");
        headers.push((n.to_string(), v.to_string()));
    }
    (status_line.trim_end().to_string(), headers)
}

/// Reads one chunk of a chunked body; `None` at the last chunk.
fn read_chunk(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut size = String::new();
    r.read_line(&mut size).expect("a chunk size");
    let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
    if size == 0 {
        let mut end = String::new();
        r.read_line(&mut end).unwrap();
        return None;
    }
    let mut data = vec![0; size + 2];
    r.read_exact(&mut data).unwrap();
    assert_eq!(&data[size..], b"\r\n", "a chunk ends with CRLF");
    data.truncate(size);
    Some(data)
}

fn read_response(r: &mut impl BufRead) -> Response {
    let (status_line, headers) = read_head(r);
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "Content-Length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    Response {
        status_line,
        headers,
        body,
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: kubestep\r\n");
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

/// One request on a fresh connection.
fn call(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut s = server.connect();
    s.write_all(request(method, path, headers, body).as_bytes())
        .unwrap();
    read_response(&mut BufReader::new(s))
}

fn pod(name: &str) -> String {
    serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "serve-test"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}
    })
    .to_string()
}

#[test]
fn serves_the_api_over_plain_http_with_keep_alive_and_watch_streams() {
    let server = Server::start(3);
    let seed = server.seed;
    let admin = format!("Bearer {ADMIN_TOKEN}");

    // Two requests on one kept-alive connection; the version kubectl's dispatcher reads.
    let mut conn = server.connect();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    conn.write_all(request("GET", "/version", &[], "").as_bytes())
        .unwrap();
    let version = read_response(&mut reader);
    assert_eq!(version.status_line, "HTTP/1.1 200 OK", "seed {seed}");
    assert_eq!(version.header("Content-Type"), Some("application/json"));
    assert!(version.header("Date").unwrap().ends_with(" GMT"));
    assert_eq!(version.json()["gitVersion"], "v1.33.1");
    conn.write_all(
        request(
            "GET",
            "/api",
            &[(
                "Accept",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
            )],
            "",
        )
        .as_bytes(),
    )
    .unwrap();
    let discovery = read_response(&mut reader);
    assert_eq!(discovery.status(), 200);
    assert_eq!(
        discovery.header("Content-Type"),
        Some("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    );
    assert_eq!(discovery.json()["kind"], "APIGroupDiscoveryList");

    // A watch streams its events as JSON lines in chunks, as they happen.
    let mut watch = server.connect();
    watch
        .write_all(
            request(
                "GET",
                "/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dserve-test",
                &[("Authorization", &admin)],
                "",
            )
            .as_bytes(),
        )
        .unwrap();
    let mut watch_reader = BufReader::new(watch.try_clone().unwrap());
    let (status, headers) = read_head(&mut watch_reader);
    assert_eq!(status, "HTTP/1.1 200 OK", "seed {seed}");
    assert!(headers
        .iter()
        .any(|(n, v)| n == "Transfer-Encoding" && v == "chunked"));

    // Created on the kept-alive connection, with jane's and the admin's tokens.
    let created = {
        conn.write_all(
            request(
                "POST",
                "/api/v1/namespaces/default/pods",
                &[
                    ("Authorization", &admin),
                    ("Content-Type", "application/json"),
                ],
                &pod("web"),
            )
            .as_bytes(),
        )
        .unwrap();
        read_response(&mut reader)
    };
    assert_eq!(created.status_line, "HTTP/1.1 201 Created", "seed {seed}");
    assert_eq!(created.json()["metadata"]["name"], "web");

    let line = read_chunk(&mut watch_reader).expect("an event");
    assert_eq!(line.last(), Some(&b'\n'), "one JSON line per event");
    let event: Value = serde_json::from_slice(&line).unwrap();
    assert_eq!(event["type"], "ADDED", "seed {seed}");
    assert_eq!(event["object"]["metadata"]["name"], "web");
    // The scheduler binds it: the next event is a modification of the same pod.
    let line = read_chunk(&mut watch_reader).expect("an event");
    let event: Value = serde_json::from_slice(&line).unwrap();
    assert_eq!(event["type"], "MODIFIED", "seed {seed}");
    drop(watch_reader);
    drop(watch);
    // The server notices the client has gone and stops the watch.
    server.log_line(&[
        "\"GET /api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dserve-test\"",
        "stream closed by the client",
    ]);
    // One access-log line per request: client, method and URL, status.
    server.log_line(&["http-client \"GET /version\" 200 "]);

    // jane is bound to a Role in `default` only.
    let jane = call(
        &server,
        "GET",
        "/api/v1/namespaces/kube-system/pods",
        &[("Authorization", &format!("Bearer {JANE_TOKEN}"))],
        "",
    );
    assert_eq!(jane.status_line, "HTTP/1.1 403 Forbidden");
    assert_eq!(
        jane.json()["message"],
        r#"pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system""#
    );
    // A request without credentials is the admin's (kubectl sends none over plain HTTP), who
    // may impersonate jane.
    let as_jane = call(
        &server,
        "GET",
        "/api/v1/namespaces/kube-system/pods",
        &[("Impersonate-User", "jane")],
        "",
    );
    assert_eq!(as_jane.status(), 403);
    assert_eq!(as_jane.json()["message"], jane.json()["message"]);
    assert_eq!(
        call(
            &server,
            "GET",
            "/api/v1/namespaces/kube-system/pods",
            &[],
            ""
        )
        .status(),
        200
    );
    // jane may not impersonate anyone.
    let jane_as_bob = call(
        &server,
        "GET",
        "/api/v1/namespaces/default/pods",
        &[
            ("Authorization", &format!("Bearer {JANE_TOKEN}")),
            ("Impersonate-User", "bob"),
        ],
        "",
    );
    assert_eq!(
        jane_as_bob.json()["message"],
        r#"users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope"#
    );
    // A wrong token is rejected, never downgraded.
    let bad = call(
        &server,
        "GET",
        "/api/v1/pods",
        &[("Authorization", "Bearer wrong")],
        "",
    );
    assert_eq!(bad.status_line, "HTTP/1.1 401 Unauthorized");

    // What is not HTTP gets 400 and a closed connection.
    let mut garbage = server.connect();
    garbage.write_all(b"HELLO\r\n\r\n").unwrap();
    let mut text = String::new();
    garbage.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
}

#[test]
fn ctrl_c_ends_the_server() {
    let mut server = Server::start(1);
    let status = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running 10 s after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The real kubectl, if the machine has one.
fn kubectl_binary() -> Option<PathBuf> {
    if Path::new(KUBECTL_1_33).exists() {
        return Some(PathBuf::from(KUBECTL_1_33));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("kubectl"))
        .find(|p| p.exists())
}

struct Kubectl<'a> {
    bin: PathBuf,
    server: &'a Server,
    cache: PathBuf,
}

impl Kubectl<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--kubeconfig")
            .arg(&self.server.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .env_remove("KUBECONFIG");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("kubectl runs")
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kubectl {} failed (seed {}): {}{}",
            args.join(" "),
            self.server.seed,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// The rows of a table printed by kubectl, split on runs of spaces.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_real_kubectl_works_against_it() {
    let Some(bin) = kubectl_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is required in CI"
        );
        eprintln!("skipping: no kubectl ({KUBECTL_1_33} or on PATH)");
        return;
    };
    let server = Server::start(5);
    let seed = server.seed;
    let kubectl = Kubectl {
        bin,
        cache: server.dir.join("cache"),
        server: &server,
    };

    // Discovery and server-side tables.
    let nodes = rows(&kubectl.ok(&["get", "nodes"]));
    assert_eq!(nodes[0], ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    let names: Vec<&str> = nodes[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        ["control-plane", "worker-1", "worker-2"],
        "seed {seed}"
    );
    assert!(nodes[1..]
        .iter()
        .all(|r| r[1] == "Ready" && r[4] == "v1.33.1"));

    let pods = kubectl.ok(&["get", "pods", "-A"]);
    assert!(pods.starts_with("NAMESPACE "), "{pods}");
    assert!(
        rows(&pods).iter().any(|r| r[0] == "kube-system"
            && r[1] == "kube-apiserver-control-plane"
            && r[3] == "Running"),
        "{pods}"
    );

    // Client-side apply: validation and the three-way merge read /openapi/v3.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/website-examples/controllers/nginx-deployment.yaml");
    let manifest = manifest.to_str().unwrap();
    assert_eq!(
        kubectl.ok(&["apply", "-f", manifest]),
        "deployment.apps/nginx-deployment created\n"
    );
    assert_eq!(
        kubectl.ok(&["apply", "-f", manifest]),
        "deployment.apps/nginx-deployment unchanged\n"
    );
    // The simulated clock runs in real time: the rollout completes within seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let deploy = rows(&kubectl.ok(&["get", "deploy"]));
        assert_eq!(
            deploy[0],
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        );
        if deploy[1][0] == "nginx-deployment" && deploy[1][1] == "3/3" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not ready after 30 s (seed {seed}): {deploy:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // Errors from the server read as the real ones.
    let invalid = server.dir.join("invalid-pod.yaml");
    std::fs::write(
        &invalid,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: MyPod\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
    )
    .unwrap();
    let out = kubectl.run(&["create", "-f", invalid.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "The Pod \"MyPod\" is invalid: metadata.name: Invalid value: \"MyPod\": a lowercase RFC 1123 \
         subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and \
         end with an alphanumeric character (e.g. 'example.com', regex used for validation is \
         '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
    );
    let out = kubectl.run(&["get", "pods", "web"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error from server (NotFound): pods \"web\" not found\n"
    );

    // `get -w` prints changes as they happen: scaling up adds pods to the open watch.
    let mut watch = kubectl
        .command(&["get", "pods", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl runs");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        kubectl.ok(&["scale", "deployment/nginx-deployment", "--replicas=5"]),
        "deployment.apps/nginx-deployment scaled\n"
    );
    std::thread::sleep(Duration::from_secs(4));
    let _ = watch.kill();
    let mut streamed = String::new();
    watch
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut streamed)
        .unwrap();
    let _ = watch.wait();
    let lines = rows(&streamed);
    assert_eq!(
        lines[0],
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{streamed}"
    );
    let distinct: std::collections::BTreeSet<&str> =
        lines[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(distinct.len(), 5, "seed {seed}: {streamed}");
    assert!(
        lines[1..].len() > 5,
        "the new pods' changes follow the first listing (seed {seed}): {streamed}"
    );
    assert!(
        lines
            .iter()
            .any(|r| r.get(2).is_some_and(|s| s == "Pending")),
        "{streamed}"
    );

    // RBAC: jane (her context impersonates her, as `--as jane` does) works in `default` only.
    assert_eq!(
        kubectl.ok(&["auth", "can-i", "create", "pods", "--as", "jane"]),
        "yes\n"
    );
    let out = kubectl.run(&[
        "auth",
        "can-i",
        "create",
        "pods",
        "--as",
        "jane",
        "-n",
        "kube-system",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no\n");
    let out = kubectl.run(&[
        "--context",
        "jane@kubernetes",
        "get",
        "pods",
        "-n",
        "kube-system",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error from server (Forbidden): pods is forbidden: User \"jane\" cannot list resource \
         \"pods\" in API group \"\" in the namespace \"kube-system\"\n"
    );
    let mine = rows(&kubectl.ok(&["--context", "jane@kubernetes", "get", "deploy"]));
    assert_eq!(mine[1][0], "nginx-deployment");
}

/// One request with a binary body on a fresh connection.
fn call_bytes(
    server: &Server,
    method: &str,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> Response {
    let mut s = server.connect();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: kubestep\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    read_response(&mut BufReader::new(s))
}

/// Every leaf of `want` (kubectl's own rendering of what it sends) is in `got` (what the server
/// stored), ignoring nulls and empty objects and lists, which the server may drop or default.
fn assert_contains(want: &Value, got: &Value, path: &str, context: &str) {
    match want {
        Value::Null => {}
        Value::Object(m) if m.is_empty() => {}
        Value::Array(a) if a.is_empty() => {}
        Value::Object(m) => {
            for (k, v) in m {
                assert_contains(v, &got[k.as_str()], &format!("{path}.{k}"), context);
            }
        }
        Value::Array(items) => {
            let got_items = got.as_array().map(Vec::as_slice).unwrap_or_default();
            assert_eq!(items.len(), got_items.len(), "{path} ({context})");
            for (i, (w, g)) in items.iter().zip(got_items).enumerate() {
                assert_contains(w, g, &format!("{path}[{i}]"), context);
            }
        }
        leaf => assert_eq!(leaf, got, "{path} ({context})"),
    }
}

/// kubectl's `create` generators use client-go's typed clients, which send protobuf: each
/// object the server stores holds what kubectl's `--dry-run=client -o json` shows it sends.
#[test]
fn the_real_kubectls_protobuf_creates_store_what_it_sends() {
    let Some(bin) = kubectl_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is required in CI"
        );
        eprintln!("skipping: no kubectl ({KUBECTL_1_33} or on PATH)");
        return;
    };
    let server = Server::start(8);
    let seed = server.seed;
    let kubectl = Kubectl {
        bin,
        cache: server.dir.join("cache"),
        server: &server,
    };
    // (resource, name, the create command's arguments before and after `--`).
    let generators: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "deployment",
            "web",
            &[
                "create",
                "deployment",
                "web",
                "--image=nginx",
                "--replicas=0",
                "--port=8080",
            ],
            &[],
        ),
        (
            "namespace",
            "team-a",
            &["create", "namespace", "team-a"],
            &[],
        ),
        (
            "configmap",
            "cm",
            &[
                "create",
                "configmap",
                "cm",
                "--from-literal=a=b",
                "--from-literal=empty=",
            ],
            &[],
        ),
        (
            "secret",
            "creds",
            &[
                "create",
                "secret",
                "generic",
                "creds",
                "--from-literal=user=admin",
                "--from-literal=pw=s3cr3t!",
            ],
            &[],
        ),
        (
            "secret",
            "reg",
            &[
                "create",
                "secret",
                "docker-registry",
                "reg",
                "--docker-server=r.io",
                "--docker-username=u",
                "--docker-password=p",
            ],
            &[],
        ),
        (
            "service",
            "web",
            &[
                "create",
                "service",
                "clusterip",
                "web",
                "--tcp=80:8080",
                "--tcp=443:https",
            ],
            &[],
        ),
        (
            "service",
            "np",
            &["create", "service", "nodeport", "np", "--tcp=80:8080"],
            &[],
        ),
        (
            "service",
            "lb",
            &["create", "service", "loadbalancer", "lb", "--tcp=80:8080"],
            &[],
        ),
        (
            "service",
            "ext",
            &[
                "create",
                "service",
                "externalname",
                "ext",
                "--external-name=example.com",
            ],
            &[],
        ),
        (
            "role",
            "reader",
            &[
                "create",
                "role",
                "reader",
                "--verb=get,list",
                "--resource=pods,deployments.apps",
                "--resource-name=a",
            ],
            &[],
        ),
        (
            "rolebinding",
            "reader",
            &[
                "create",
                "rolebinding",
                "reader",
                "--role=reader",
                "--user=jane",
                "--serviceaccount=default:default",
            ],
            &[],
        ),
        (
            "clusterrole",
            "node-reader",
            &[
                "create",
                "clusterrole",
                "node-reader",
                "--verb=get",
                "--resource=nodes",
                "--non-resource-url=/logs",
            ],
            &[],
        ),
        (
            "clusterrolebinding",
            "node-reader",
            &[
                "create",
                "clusterrolebinding",
                "node-reader",
                "--clusterrole=node-reader",
                "--group=devs",
            ],
            &[],
        ),
        (
            "job",
            "hello",
            &["create", "job", "hello", "--image=busybox"],
            &["sh", "-c", "echo hi"],
        ),
        (
            "cronjob",
            "tick",
            &[
                "create",
                "cronjob",
                "tick",
                "--image=busybox",
                "--schedule=*/5 * * * *",
                "--restart=OnFailure",
            ],
            &["date"],
        ),
        (
            "serviceaccount",
            "robot",
            &["create", "serviceaccount", "robot"],
            &[],
        ),
        (
            "resourcequota",
            "q",
            &[
                "create",
                "quota",
                "q",
                "--hard=pods=10,cpu=1500m,memory=1Gi",
                "--scopes=NotBestEffort",
            ],
            &[],
        ),
        (
            "priorityclass",
            "low",
            &[
                "create",
                "priorityclass",
                "low",
                "--value=0",
                "--description=zero",
                "--preemption-policy=Never",
            ],
            &[],
        ),
        (
            "ingress",
            "web",
            &[
                "create",
                "ingress",
                "web",
                "--rule=foo.com/bar*=web:80,tls=my-cert",
                "--class=nginx",
                "--annotation=a=b",
            ],
            &[],
        ),
        (
            "pod",
            "solo",
            &[
                "run",
                "solo",
                "--image=nginx",
                "--labels=app=solo",
                "--env=A=B",
                "--port=80",
            ],
            &[],
        ),
    ];
    for (resource, name, args, command) in generators {
        let with = |extra: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            v.extend(extra.iter().map(|s| s.to_string()));
            if !command.is_empty() {
                v.push("--".into());
                v.extend(command.iter().map(|s| s.to_string()));
            }
            v
        };
        let dry = with(&["--dry-run=client", "-o", "json"]);
        let dry: Vec<&str> = dry.iter().map(String::as_str).collect();
        let mut want: Value = serde_json::from_str(&kubectl.ok(&dry)).unwrap();
        let real = with(&[]);
        let real: Vec<&str> = real.iter().map(String::as_str).collect();
        let created = kubectl.ok(&real);
        assert!(created.contains(&format!("/{name} created")), "{created}");
        let got: Value =
            serde_json::from_str(&kubectl.ok(&["get", resource, name, "-o", "json"])).unwrap();
        // What the server sets itself.
        want.as_object_mut().unwrap().remove("status");
        let context = format!("seed {seed}: kubectl {}", real.join(" "));
        assert_contains(&want, &got, "", &context);
    }
    // A zero `*int32` stays zero: no defaulting to one replica.
    let web: Value =
        serde_json::from_str(&kubectl.ok(&["get", "deploy", "web", "-o", "json"])).unwrap();
    assert_eq!(web["spec"]["replicas"], 0, "seed {seed}");

    // kubectl's body of a DELETE with `--grace-period=7`: the grace period reaches the pod.
    let delete = b"k8s\x00\x0a\x13\x0a\x02v1\x12\x0dDeleteOptions\x12\x02\x08\x07\x1a\x00\x22\x00";
    let deleted = call_bytes(
        &server,
        "DELETE",
        "/api/v1/namespaces/default/pods/solo",
        "application/vnd.kubernetes.protobuf",
        delete,
    );
    assert_eq!(deleted.status(), 200, "seed {seed}");
    assert_eq!(deleted.json()["metadata"]["deletionGracePeriodSeconds"], 7);
    // `drain --disable-eviction` deletes each pod with such a body.
    let out = kubectl.ok(&[
        "drain",
        "worker-1",
        "--disable-eviction",
        "--force",
        "--ignore-daemonsets",
        "--grace-period=3",
    ]);
    assert!(out.contains("node/worker-1 drained"), "{out}");

    // A DELETE body that does not decode: the handler's 500, without a reason.
    let bad = call_bytes(
        &server,
        "DELETE",
        "/api/v1/namespaces/default/configmaps/cm",
        "application/vnd.kubernetes.protobuf",
        b"k8s\x00\x0a",
    );
    assert_eq!(bad.status(), 500);
    assert_eq!(bad.json()["message"], "unexpected EOF");
    assert!(bad.json().get("reason").is_none());
    // A create body that does not decode: 400 with the serializer's error.
    let bad = call_bytes(
        &server,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/vnd.kubernetes.protobuf",
        b"k8s\x00\x0a\x0f\x0a\x02v1\x12\x09ConfigMap\x12\x02\x0a\x05",
    );
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json()["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: unexpected EOF"
    );
}
