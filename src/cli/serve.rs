//! `kubestep serve`: the simulated kube-apiserver over real HTTP, so the real kubectl (or curl)
//! can talk to a simulated cluster whose clock runs in real time.
//!
//! Threads do I/O only: one accepts connections, one per connection reads requests and writes
//! responses. The simulation is driven from one place, the loop in [`serve`], which receives
//! requests over a channel, injects them into the simulation from `Addr::Client(<user agent>)`,
//! advances the simulated clock by the wall-clock time elapsed, and hands each answer (and each
//! event of an open watch) back to the connection that asked. The wall clock is read here, in
//! the CLI, never in the simulation modules.
//!
//! Simplification, said in the usage text and the kubeconfig too: plain HTTP, since TLS would
//! need a TLS stack and certificates. kubectl (client-go) sends credentials only over https, so
//! `kubestep serve` stands in for the TLS layer of a kubeadm admin's session: a request that
//! carries no `Authorization` header is presented to the API server with admin.conf's client
//! certificate (`CN=kubernetes-admin, O=kubeadm:cluster-admins`). jane's context impersonates
//! jane (`as: jane`, which kubectl does send over plain HTTP, as it does `--as`); bearer tokens
//! of the API server's token table (jane's, the admin's) authenticate clients that send them,
//! such as curl.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http;
use crate::apiserver::authn::{ClientCertificate, ADMIN_TOKEN, JANE_TOKEN};
use crate::apiserver::request::{HttpRequest, HttpResponse};
use crate::apiserver::watch::{WatchEvent, WatchEventType};
use crate::sim::{Actor, Addr, Annotation, Ctx, Envelope, Message, Sim, SimDuration};

/// Where `kubestep serve` listens unless told otherwise: kube-apiserver's port, on loopback.
pub const DEFAULT_ADDR: &str = "127.0.0.1:6443";
/// Where the kubeconfig goes unless told otherwise.
pub const DEFAULT_KUBECONFIG: &str = "kubestep.kubeconfig";
/// The longest the simulation loop sleeps when nothing is due, so it notices new requests
/// promptly even when the channel is quiet (requests wake it at once anyway).
const MAX_IDLE_WAIT: Duration = Duration::from_millis(250);
/// How often a connection streaming a watch checks whether its client has gone away.
const WATCH_LIVENESS_CHECK: Duration = Duration::from_millis(200);

/// `kubestep serve`'s flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeArgs {
    pub addr: String,
    pub kubeconfig: PathBuf,
    pub seed: u64,
    /// `-v`: one access-log line per request on stderr.
    pub verbose: bool,
}

/// Parses `kubestep serve`'s flags (`--flag value` or `--flag=value`).
pub fn parse_args(args: &[String]) -> Result<ServeArgs, String> {
    let mut out = ServeArgs {
        addr: DEFAULT_ADDR.to_string(),
        kubeconfig: PathBuf::from(DEFAULT_KUBECONFIG),
        seed: 1,
        verbose: false,
    };
    let mut flags = super::Flags::new(args);
    while let Some((a, flag, inline)) = flags.next_flag() {
        let mut value = |name: &str| flags.value(name, inline);
        match flag {
            "--addr" => out.addr = value("--addr")?,
            "--kubeconfig" => out.kubeconfig = PathBuf::from(value("--kubeconfig")?),
            "--seed" => {
                let v = value("--seed")?;
                out.seed = v
                    .parse()
                    .map_err(|_| format!("invalid argument \"{v}\" for \"--seed\" flag"))?;
            }
            "-v" | "--verbose" if inline.is_none() => out.verbose = true,
            _ => return Err(format!("unknown flag: {a}")),
        }
    }
    Ok(out)
}

/// Runs `kubestep serve` with `args` (after `serve`); returns the exit code. It serves until the
/// process is interrupted (Ctrl-C or SIGTERM end it: the OS closes its sockets).
pub fn run(args: &[String]) -> i32 {
    match parse_args(args).and_then(|a| serve(&a)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// What a connection asks of the simulation loop.
enum ToSim {
    Request {
        client: String,
        id: u64,
        request: Box<HttpRequest>,
        reply: Sender<FromSim>,
    },
    /// The client went away from its watch `id`.
    Cancel { client: String, id: u64 },
}

/// What the simulation loop hands a connection.
enum FromSim {
    Response {
        response: HttpResponse,
        /// The simulated time of the answer, as Unix seconds (the `Date` header).
        date: u64,
    },
    Event(WatchEvent),
}

/// A client of the simulated API server standing for every HTTP client of one name: it
/// collects the answers and watch events addressed to it for the loop to hand out.
#[derive(Clone)]
struct Bridge {
    addr: Addr,
    inbox: Rc<RefCell<Vec<(Addr, Message)>>>,
}

impl Actor for Bridge {
    fn addr(&self) -> Addr {
        self.addr.clone()
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if matches!(
            env.message,
            Message::HttpResponse { .. } | Message::WatchEvent { .. }
        ) {
            self.inbox
                .borrow_mut()
                .push((env.to.clone(), env.message.clone()));
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The simulation's name for an HTTP client: its user agent's product (`kubectl` for
/// `kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0`, also when run as `kubectl.1.33`),
/// `http-client` when it sends none.
pub fn client_name(user_agent: Option<&str>) -> String {
    let product = user_agent
        .and_then(|ua| ua.split([' ', '/']).next())
        .map(str::trim)
        .filter(|p| !p.is_empty());
    match product {
        Some(p) if p.starts_with("kubectl") => "kubectl".to_string(),
        Some(p) => p
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(40)
            .collect(),
        None => "http-client".to_string(),
    }
}

/// The kubeconfig `kubestep serve` writes: kubeadm's admin.conf shape (cluster `kubernetes`,
/// context `kubernetes-admin@kubernetes`, user `kubernetes-admin`), plus jane's user and
/// context. Over plain HTTP kubectl sends no credentials (see the module doc), so the admin's
/// token is there for https-speaking clients and curl, and jane's user impersonates jane.
pub fn kubeconfig(server: &str) -> String {
    format!(
        "# Written by `kubestep serve`: kubeadm's admin.conf for a simulated cluster served over
# plain HTTP. kubectl sends no credentials over plain HTTP (only over https), so kubestep
# stands in for the TLS layer: a request without credentials is authenticated as admin.conf's
# client certificate (CN=kubernetes-admin, O=kubeadm:cluster-admins). jane's context
# impersonates jane (as `kubectl --as jane` does). With curl, send a token of the API
# server's token table: -H \"Authorization: Bearer {JANE_TOKEN}\" (jane).
apiVersion: v1
clusters:
- cluster:
    server: {server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: jane
  name: jane@kubernetes
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {{}}
users:
- name: jane
  user:
    as: jane
- name: kubernetes-admin
  user:
    token: {ADMIN_TOKEN}
"
    )
}

/// The URL clients reach `addr` at: a wildcard address is reached on loopback.
fn server_url(addr: SocketAddr) -> String {
    let host = match addr {
        SocketAddr::V4(a) if a.ip().is_unspecified() => "127.0.0.1".to_string(),
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) if a.ip().is_unspecified() => "[::1]".to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    };
    format!("http://{host}:{}", addr.port())
}

/// Writes `text` to `path` whole: a reader never sees half a kubeconfig.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Binds, boots the cluster, writes the kubeconfig and serves until the process ends.
pub fn serve(args: &ServeArgs) -> Result<(), String> {
    let listener =
        TcpListener::bind(&args.addr).map_err(|e| format!("listen tcp {}: {e}", args.addr))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("listen tcp {}: {e}", args.addr))?;
    let mut sim = crate::cluster::booted(args.seed);
    let (tx, rx) = mpsc::channel::<ToSim>();
    let ids = Arc::new(AtomicU64::new(0));
    let verbose = args.verbose;
    std::thread::Builder::new()
        .name("accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let tx = tx.clone();
                let ids = ids.clone();
                let _ = std::thread::Builder::new()
                    .name("connection".into())
                    .spawn(move || serve_connection(stream, tx, ids, verbose));
            }
        })
        .map_err(|e| format!("starting the accept thread: {e}"))?;
    let url = server_url(local);
    write_atomically(&args.kubeconfig, &kubeconfig(&url))
        .map_err(|e| format!("writing {}: {e}", args.kubeconfig.display()))?;
    eprintln!(
        "kubestep: serving a simulated Kubernetes v1.33 API server at {url} (seed {}); \
         kubeconfig written to {}",
        args.seed,
        args.kubeconfig.display()
    );
    eprintln!(
        "kubestep: try `kubectl --kubeconfig {} get nodes`; Ctrl-C stops it",
        args.kubeconfig.display()
    );
    simulation_loop(&mut sim, rx);
    Ok(())
}

/// Where to send what the simulation answers to one request.
struct Route {
    reply: Sender<FromSim>,
    /// Set once the answer opened a stream (a watch): events follow until it ends.
    streaming: bool,
}

/// The one place the simulation runs: injects requests, keeps the simulated clock in step with
/// the wall clock, and routes answers and watch events to their connections.
fn simulation_loop(sim: &mut Sim, rx: Receiver<ToSim>) {
    let inbox: Rc<RefCell<Vec<(Addr, Message)>>> = Rc::default();
    let mut routes: BTreeMap<(String, u64), Route> = BTreeMap::new();
    let start_wall = Instant::now();
    let start_sim = sim.now();
    loop {
        // Sleep until the next delivery is due on the wall clock, or a request arrives.
        let elapsed = start_wall.elapsed().as_millis() as u64;
        let wall_now = start_sim.as_millis() + elapsed;
        let wait = match sim.peek() {
            Some(env) => Duration::from_millis(env.deliver_at.as_millis().saturating_sub(wall_now))
                .min(MAX_IDLE_WAIT),
            None => MAX_IDLE_WAIT,
        };
        let mut commands = Vec::new();
        match rx.recv_timeout(wait) {
            Ok(c) => commands.push(c),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        commands.extend(rx.try_iter());
        for command in commands {
            match command {
                ToSim::Request {
                    client,
                    id,
                    request,
                    reply,
                } => {
                    let from = Addr::Client(client.clone());
                    if sim.actor::<Bridge>(&from).is_none() {
                        sim.add_actor(Box::new(Bridge {
                            addr: from.clone(),
                            inbox: inbox.clone(),
                        }));
                    }
                    let annotation = Annotation {
                        step: creates_a_pod(&request).then_some(1),
                        stage: None,
                    };
                    routes.insert(
                        (client, id),
                        Route {
                            reply,
                            streaming: false,
                        },
                    );
                    sim.inject_annotated(
                        from,
                        Addr::ApiServer,
                        Message::HttpRequest {
                            id,
                            request: *request,
                        },
                        annotation,
                    );
                }
                ToSim::Cancel { client, id } => {
                    if routes.remove(&(client.clone(), id)).is_some() {
                        sim.inject(
                            Addr::Client(client),
                            Addr::ApiServer,
                            Message::HttpCancel { id },
                        );
                    }
                }
            }
        }
        let target = start_sim.as_millis() + start_wall.elapsed().as_millis() as u64;
        if target > sim.now().as_millis() {
            sim.advance(SimDuration::from_millis(target - sim.now().as_millis()));
        }
        let delivered: Vec<(Addr, Message)> = inbox.borrow_mut().drain(..).collect();
        for (to, message) in delivered {
            let Addr::Client(client) = to else { continue };
            let date = sim.now().unix_seconds();
            let (id, out) = match message {
                Message::HttpResponse { id, response } => {
                    (id, FromSim::Response { response, date })
                }
                Message::WatchEvent { id, event } => (id, FromSim::Event(event)),
                _ => continue,
            };
            let key = (client, id);
            let Some(route) = routes.get_mut(&key) else {
                continue;
            };
            let ends = match &out {
                FromSim::Response { response, .. } => {
                    route.streaming = http::is_stream(response);
                    !route.streaming
                }
                // The real server closes a watch after an ERROR event (a 410 Gone).
                FromSim::Event(e) => e.kind == WatchEventType::Error,
            };
            let gone = route.reply.send(out).is_err();
            if gone && route.streaming {
                sim.inject(
                    Addr::Client(key.0.clone()),
                    Addr::ApiServer,
                    Message::HttpCancel { id },
                );
            }
            if ends || gone {
                routes.remove(&key);
            }
        }
    }
}

/// kubectl's pod create is step 1 of the pod creation flow (the trace marks it so).
fn creates_a_pod(request: &HttpRequest) -> bool {
    let parts: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    request.method == "POST" && matches!(parts.as_slice(), ["api", "v1", "namespaces", _, "pods"])
}

/// Reads requests off one connection and answers them, until the client closes it.
fn serve_connection(stream: TcpStream, tx: Sender<ToSim>, ids: Arc<AtomicU64>, verbose: bool) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let wire = match http::read_request(&mut reader, &mut writer) {
            Ok(Some(w)) => w,
            Ok(None) | Err(http::ReadError::Io(_)) => return,
            Err(http::ReadError::Malformed(m)) => {
                let response = http::transport_error(400, "Bad Request");
                if verbose {
                    eprintln!("kubestep: malformed request: {m}");
                }
                let _ = http::write_response(&mut writer, &response, &now_date(), false);
                return;
            }
        };
        let keep_alive = wire.keep_alive;
        let mut request = wire.request;
        // kubectl sends credentials only over https: a request without any is the admin's
        // (see the module doc), as if admin.conf's certificate had been presented.
        if request.header_value("Authorization").is_none() {
            request.client_certificate = Some(ClientCertificate::kubeadm_admin());
        }
        let client = client_name(request.header_value("User-Agent"));
        let id = ids.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let line = format!("{} {}", request.method, request.url());
        let (reply_tx, reply_rx) = mpsc::channel();
        let sent = tx.send(ToSim::Request {
            client: client.clone(),
            id,
            request: Box::new(request),
            reply: reply_tx,
        });
        if sent.is_err() {
            return;
        }
        let Ok(FromSim::Response { response, date }) = reply_rx.recv() else {
            return;
        };
        if verbose {
            eprintln!(
                "{client} \"{line}\" {} {}ms",
                response.status,
                started.elapsed().as_millis()
            );
        }
        let date = http::http_date(date);
        if !http::is_stream(&response) {
            if http::write_response(&mut writer, &response, &date, keep_alive).is_err()
                || !keep_alive
            {
                return;
            }
            continue;
        }
        let end = stream_watch(&mut writer, &response, &date, &reply_rx);
        if verbose {
            let by = match end {
                WatchEnd::ServerEnded => "the server",
                WatchEnd::ClientGone => "the client",
            };
            eprintln!(
                "{client} \"{line}\" stream closed by {by} after {}ms",
                started.elapsed().as_millis()
            );
        }
        match end {
            WatchEnd::ServerEnded if keep_alive => continue,
            WatchEnd::ServerEnded => return,
            WatchEnd::ClientGone => {
                // The API server stops the watch (`Message::HttpCancel`).
                let _ = tx.send(ToSim::Cancel { client, id });
                return;
            }
        }
    }
}

enum WatchEnd {
    /// The server ended the stream (after an ERROR event): the connection may carry on.
    ServerEnded,
    /// The client closed the connection (kubectl interrupted) or the write failed.
    ClientGone,
}

/// Streams a watch: the head, then each event as one JSON line in its own chunk, as the real
/// server's watch encoder does, until the server ends it or the client goes away.
fn stream_watch(
    writer: &mut TcpStream,
    head: &HttpResponse,
    date: &str,
    events: &Receiver<FromSim>,
) -> WatchEnd {
    if writer
        .write_all(&http::response_head(head, date, true))
        .and_then(|()| writer.flush())
        .is_err()
    {
        return WatchEnd::ClientGone;
    }
    loop {
        match events.recv_timeout(WATCH_LIVENESS_CHECK) {
            Ok(FromSim::Event(event)) => {
                let mut line = serde_json::to_vec(&event).expect("a watch event serialises");
                line.push(b'\n');
                if http::write_chunk(writer, &line).is_err() {
                    return WatchEnd::ClientGone;
                }
                if event.kind == WatchEventType::Error {
                    return match http::write_last_chunk(writer) {
                        Ok(()) => WatchEnd::ServerEnded,
                        Err(_) => WatchEnd::ClientGone,
                    };
                }
            }
            Ok(FromSim::Response { .. }) | Err(RecvTimeoutError::Disconnected) => {
                return WatchEnd::ClientGone;
            }
            Err(RecvTimeoutError::Timeout) => {
                if client_gone(writer) {
                    return WatchEnd::ClientGone;
                }
            }
        }
    }
}

/// Whether the peer closed the connection: a read would return end-of-file at once.
fn client_gone(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut byte = [0u8; 1];
    let gone = match stream.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    let _ = stream.set_nonblocking(false);
    gone
}

/// The `Date` of an answer the transport gives itself (a malformed request): the wall clock,
/// as no simulated moment is involved.
fn now_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    http::http_date(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_default_to_kube_apiservers_port_on_loopback() {
        let a = parse_args(&[]).unwrap();
        assert_eq!(a.addr, "127.0.0.1:6443");
        assert_eq!(a.kubeconfig, PathBuf::from("kubestep.kubeconfig"));
        assert_eq!(a.seed, 1);
        assert!(!a.verbose);
        let a = parse_args(&args(&[
            "--addr=127.0.0.1:0",
            "--kubeconfig",
            "/tmp/k",
            "--seed",
            "7",
            "-v",
        ]))
        .unwrap();
        assert_eq!(a.addr, "127.0.0.1:0");
        assert_eq!(a.kubeconfig, PathBuf::from("/tmp/k"));
        assert_eq!(a.seed, 7);
        assert!(a.verbose);
        assert_eq!(
            parse_args(&args(&["--seed", "x"])),
            Err("invalid argument \"x\" for \"--seed\" flag".into())
        );
        assert_eq!(
            parse_args(&args(&["--addr"])),
            Err("flag needs an argument: --addr".into())
        );
        assert_eq!(
            parse_args(&args(&["--tls"])),
            Err("unknown flag: --tls".into())
        );
    }

    #[test]
    fn clients_are_named_by_their_user_agent() {
        assert_eq!(
            client_name(Some("kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0")),
            "kubectl"
        );
        assert_eq!(
            client_name(Some(
                "kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/8adc0f0"
            )),
            "kubectl"
        );
        assert_eq!(client_name(Some("curl/8.5.0")), "curl");
        assert_eq!(client_name(None), "http-client");
        assert_eq!(client_name(Some("  ")), "http-client");
    }

    #[test]
    fn the_kubeconfig_has_kubeadms_names() {
        let k = kubeconfig("http://127.0.0.1:6443");
        assert!(k.contains("    server: http://127.0.0.1:6443\n  name: kubernetes\n"));
        assert!(k.contains("current-context: kubernetes-admin@kubernetes\n"));
        assert!(k.contains("- name: jane\n  user:\n    as: jane\n"));
        assert!(k.contains(&format!(
            "- name: kubernetes-admin\n  user:\n    token: {ADMIN_TOKEN}\n"
        )));
    }

    #[test]
    fn wildcard_addresses_are_reached_on_loopback() {
        assert_eq!(
            server_url("0.0.0.0:6443".parse().unwrap()),
            "http://127.0.0.1:6443"
        );
        assert_eq!(
            server_url("127.0.0.1:36000".parse().unwrap()),
            "http://127.0.0.1:36000"
        );
        assert_eq!(
            server_url("[::]:6443".parse().unwrap()),
            "http://[::1]:6443"
        );
    }

    #[test]
    fn only_a_pod_create_is_step_one() {
        assert!(creates_a_pod(&HttpRequest::new(
            "POST",
            "/api/v1/namespaces/default/pods?fieldManager=kubectl-create"
        )));
        assert!(!creates_a_pod(&HttpRequest::new(
            "POST",
            "/api/v1/namespaces/default/pods/web/binding"
        )));
        assert!(!creates_a_pod(&HttpRequest::new(
            "GET",
            "/api/v1/namespaces/default/pods"
        )));
    }
}
