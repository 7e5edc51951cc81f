//! etcdctl: the command layer that answers like etcdctl 3.4 (commands, flags, output formats).
//!
//! The [`Etcdctl`] actor at [`Addr::Etcdctl`] runs each learner input (`Input::Etcdctl`): it
//! parses argv as etcdctl's cobra commands do, sends one `EtcdRequest` to etcd, and prints the
//! answer in the format `-w` asks for. What the real tool writes to stdout and stderr is
//! printed as one merged text, in the order a terminal shows it. A `watch` stays open, printing
//! each event batch as it arrives, until the learner interrupts it (`Input::Interrupt`, Ctrl-C;
//! the console's `timeout N etcdctl watch ...` is the same interrupt after N seconds).
//!
//! `lease keep-alive` (without `--once`) stays open the same way, renewing every TTL/3.
//!
//! What the console feeds to standard input travels with the input (`stdin`): a heredoc for
//! `txn`, a value for `put KEY`. No stdin is an empty one (the real tool would wait for the
//! terminal; kubestep answers as if Ctrl-D was pressed). A leading `ETCDCTL_API=3` word is
//! accepted and dropped (v3 is the only API, and 3.4's default). `snapshot save` writes into
//! the actor's own file map ([`Etcdctl::file`], [`Etcdctl::put_file`]), which `snapshot status`
//! reads; paths are kept as typed. `-w protobuf` of commands whose real output is binary is
//! refused with a kubestep error (the console shows text); `watch -i` is not modelled.
//!
//! Modelled on `etcdctl/ctlv3/command/*.go` of etcd 3.4.23 (Debian's `etcd-client`) and
//! checked against it by `tests/etcdctl_differential.rs`.

pub mod flags;
pub mod printer;
pub mod txn;

use std::any::Any;
use std::collections::BTreeMap;

use crate::etcd::api::{
    self, CompactionRequest, DeleteRangeRequest, EtcdError, LeaseGrantRequest, PutRequest,
    RangeRequest, Request, Response, SortOrder, SortTarget, WatchCreateRequest,
};
use crate::etcd::prefix_end;
use crate::sim::{Actor, Addr, Ctx, Envelope, Input, Message, SimDuration, SimTime};
use flags::{parse, parse_int_base, FlagSpec, Kind, Parsed};
use printer::Format;

/// etcdctl's exit codes (`ctlv3/command/error.go`).
pub mod exit {
    pub const SUCCESS: i32 = 0;
    pub const ERROR: i32 = 1;
    pub const INVALID_INPUT: i32 = 3;
    pub const BAD_FEATURE: i32 = 4;
    pub const INTERRUPTED: i32 = 5;
    pub const BAD_ARGS: i32 = 128;
    /// A shell's status for a process ended by SIGINT (Ctrl-C).
    pub const SIGINT: i32 = 130;
}

/// Wall-clock time of the simulation's start, for the client's log lines (`"ts"`): 2025-01-01
/// 00:00:00 UTC in Unix milliseconds. The kernel itself only counts milliseconds.
pub const SIM_EPOCH_UNIX_MS: u64 = 1_735_689_600_000;

/// The endpoint etcdctl dials when `--endpoints` is not given.
pub const DEFAULT_ENDPOINT: &str = "127.0.0.1:2379";

/// What one etcdctl run printed and how it exited.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Outcome {
    pub text: String,
    pub exit_code: i32,
}

fn fail(text: String, exit_code: i32) -> Plan {
    Plan::Done(Outcome { text, exit_code })
}

fn error(msg: impl std::fmt::Display, exit_code: i32) -> Plan {
    Plan::Done(error_outcome(msg, exit_code))
}

fn error_outcome(msg: impl std::fmt::Display, exit_code: i32) -> Outcome {
    Outcome {
        text: format!("Error: {msg}\n"),
        exit_code,
    }
}

/// How the answer to a request is printed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pending {
    Get {
        value_only: bool,
    },
    Put,
    Del,
    Txn,
    Compact {
        revision: i64,
    },
    LeaseGrant,
    LeaseRevoke {
        id: i64,
    },
    LeaseTimeToLive {
        keys: bool,
    },
    LeaseList,
    KeepAliveOnce {
        id: i64,
    },
    /// `lease keep-alive` without `--once`: renews every TTL/3 until interrupted.
    KeepAlive {
        id: i64,
    },
    Status,
    MemberList,
    Watch,
    SnapshotSave {
        path: String,
    },
    /// `endpoint health`: a read of the key `health`, timed.
    Health,
    Alarm,
    Defrag,
}

/// Output options shared by every command.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Display {
    format: Format,
    hex: bool,
    /// The first `--endpoints` entry as the client names it (scheme stripped).
    endpoint: String,
    /// `--endpoints` as given (what `endpoint status` prints).
    endpoint_arg: String,
}

/// A parsed command: either already answered, or one request to etcd.
enum Plan {
    Done(Outcome),
    /// `snapshot status FILE`: answered from etcdctl's own files.
    ReadFile {
        path: String,
        display: Display,
    },
    Call {
        /// Printed before the answer (`txn -i` prompts).
        prelude: String,
        request: Request,
        pending: Pending,
        display: Display,
    },
}

#[derive(Clone, Debug)]
struct Call {
    input_id: u64,
    prelude: String,
    pending: Pending,
    display: Display,
    /// When the request was sent (the snapshot log's timings).
    sent_at: SimTime,
    /// The server's ID for a watch, once created (to cancel it).
    watch_id: Option<i64>,
}

/// The etcdctl actor: every running input and its pending call to etcd.
#[derive(Clone, Debug, Default)]
pub struct Etcdctl {
    next_call: u64,
    calls: BTreeMap<u64, Call>,
    /// Inputs that stay open (watches, keep-alives): input id -> call id of their stream.
    streams: BTreeMap<u64, u64>,
    exit_codes: BTreeMap<u64, i32>,
    /// The files etcdctl wrote and reads (`snapshot save` / `snapshot status`), by path as
    /// typed: the node's file system as far as etcdctl sees it.
    files: BTreeMap<String, Vec<u8>>,
}

impl Etcdctl {
    pub fn new() -> Etcdctl {
        Etcdctl::default()
    }

    /// A file etcdctl saved, by path as typed.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Puts a file where `snapshot status` can read it (the page's file area).
    pub fn put_file(&mut self, path: impl Into<String>, data: Vec<u8>) {
        self.files.insert(path.into(), data);
    }

    /// The exit status of a finished input (`$?` in the console), `None` while it runs.
    pub fn exit_code(&self, input_id: u64) -> Option<i32> {
        self.exit_codes.get(&input_id).copied()
    }

    fn finish(&mut self, ctx: &mut Ctx<'_>, input_id: u64, o: Outcome) {
        self.exit_codes.insert(input_id, o.exit_code);
        ctx.print(input_id, o.text, true);
    }

    fn run(&mut self, ctx: &mut Ctx<'_>, input_id: u64, argv: &[String], stdin: Option<&str>) {
        match plan(argv, stdin) {
            Plan::Done(o) => self.finish(ctx, input_id, o),
            Plan::ReadFile { path, display } => {
                let o = snapshot_status(self.files.get(&path).map(Vec::as_slice), &path, &display);
                self.finish(ctx, input_id, o);
            }
            Plan::Call {
                prelude,
                request,
                pending,
                display,
            } => {
                let id = self.next_call;
                self.next_call += 1;
                if matches!(pending, Pending::Watch | Pending::KeepAlive { .. }) {
                    self.streams.insert(input_id, id);
                    if !prelude.is_empty() {
                        ctx.print(input_id, prelude.clone(), false);
                    }
                }
                self.calls.insert(
                    id,
                    Call {
                        input_id,
                        prelude,
                        pending,
                        display,
                        sent_at: ctx.now(),
                        watch_id: None,
                    },
                );
                ctx.send(Addr::Etcd, Message::EtcdRequest { id, request });
            }
        }
    }

    fn interrupt(&mut self, ctx: &mut Ctx<'_>, input_id: u64) {
        let Some(call_id) = self.streams.remove(&input_id) else {
            // Ctrl-C after the command ended does nothing.
            return;
        };
        let call = self
            .calls
            .remove(&call_id)
            .expect("an open stream has its call");
        // The process dies of SIGINT: nothing more is printed. Its gRPC stream closes, so
        // etcd drops its watch.
        self.finish(
            ctx,
            input_id,
            Outcome {
                text: String::new(),
                exit_code: exit::SIGINT,
            },
        );
        if let Some(watch_id) = call.watch_id {
            ctx.send(
                Addr::Etcd,
                Message::EtcdRequest {
                    id: call_id,
                    request: Request::WatchCancel { watch_id },
                },
            );
        }
    }

    /// A keep-alive stream's answer: print it and renew after TTL/3, or end when the lease is
    /// gone (`leaseKeepAliveCommandFunc`).
    fn keep_alive(
        &mut self,
        ctx: &mut Ctx<'_>,
        call_id: u64,
        lease: i64,
        result: &Result<Response, EtcdError>,
    ) {
        let call = self.calls[&call_id].clone();
        let ttl = match result {
            Ok(Response::LeaseKeepAlive(r)) if r.ttl > 0 => {
                let o = render(&call, &Response::LeaseKeepAlive(*r));
                ctx.print(call.input_id, o.text, false);
                r.ttl
            }
            _ => {
                self.calls.remove(&call_id);
                self.streams.remove(&call.input_id);
                let text = if matches!(call.display.format, Format::Simple) {
                    format!("lease {} expired or revoked.\n", printer::lease_hex(lease))
                } else {
                    String::new()
                };
                self.finish(
                    ctx,
                    call.input_id,
                    Outcome {
                        text,
                        exit_code: exit::SUCCESS,
                    },
                );
                return;
            }
        };
        // clientv3 sends the next keep-alive a third of the TTL after an answer.
        ctx.timer(
            SimDuration::from_millis(ttl as u64 * 1000 / 3),
            format!("etcdctl keep-alive {call_id}"),
        );
    }

    fn timer(&mut self, ctx: &mut Ctx<'_>, name: &str) {
        let Some(call_id) = name
            .strip_prefix("etcdctl keep-alive ")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return;
        };
        if let Some(Call {
            pending: Pending::KeepAlive { id },
            ..
        }) = self.calls.get(&call_id)
        {
            let request = Request::LeaseKeepAlive { id: *id };
            ctx.send(
                Addr::Etcd,
                Message::EtcdRequest {
                    id: call_id,
                    request,
                },
            );
        }
    }

    fn answer(&mut self, ctx: &mut Ctx<'_>, id: u64, result: &Result<Response, EtcdError>) {
        let Some(call) = self.calls.get(&id).cloned() else {
            return;
        };
        if call.pending == Pending::Watch {
            self.watch_event(ctx, id, &call, result);
            return;
        }
        if let Pending::KeepAlive { id: lease } = call.pending {
            self.keep_alive(ctx, id, lease, result);
            return;
        }
        self.calls.remove(&id);
        let mut o = match result {
            Ok(Response::Snapshot { data, .. }) => {
                let Pending::SnapshotSave { path } = &call.pending else {
                    panic!("etcd answered {:?} with a snapshot", call.pending)
                };
                self.files.insert(path.clone(), data.clone());
                snapshot_saved(&call, path, data.len(), ctx.now())
            }
            Ok(Response::Range(_)) if call.pending == Pending::Health => {
                endpoint_health(&call.display, ctx.now().0 - call.sent_at.0)
            }
            Ok(resp) => render(&call, resp),
            Err(e) => {
                let log = grpc_warn_line(ctx, &call.display.endpoint, e);
                let msg = match call.pending {
                    Pending::LeaseRevoke { .. } => format!("failed to revoke lease ({e})"),
                    _ => e.to_string(),
                };
                Outcome {
                    text: format!("{log}Error: {msg}\n"),
                    exit_code: exit::ERROR,
                }
            }
        };
        o.text = format!("{}{}", call.prelude, o.text);
        self.finish(ctx, call.input_id, o);
    }

    fn watch_event(
        &mut self,
        ctx: &mut Ctx<'_>,
        id: u64,
        call: &Call,
        result: &Result<Response, EtcdError>,
    ) {
        let w = match result {
            Ok(Response::Watch(w)) => w,
            Ok(_) | Err(_) => return,
        };
        if w.created {
            if let Some(c) = self.calls.get_mut(&id) {
                c.watch_id = Some(w.watch_id);
            }
        }
        if w.canceled {
            self.calls.remove(&id);
            self.streams.remove(&call.input_id);
            let reason = if w.compact_revision != 0 {
                EtcdError::Compacted.to_string()
            } else {
                w.cancel_reason.clone()
            };
            self.finish(
                ctx,
                call.input_id,
                Outcome {
                    text: format!(
                        "watch was canceled ({reason})\nError: watch is canceled by the server\n"
                    ),
                    exit_code: exit::INTERRUPTED,
                },
            );
            return;
        }
        if w.events.is_empty() {
            // The created notice and progress notifications are not printed.
            return;
        }
        if call.display.format == Format::Table {
            // The table printer refuses at the first event batch, and etcdctl exits.
            self.calls.remove(&id);
            self.streams.remove(&call.input_id);
            let o = error_outcome("table not supported as output format", exit::BAD_FEATURE);
            self.finish(ctx, call.input_id, o);
            return;
        }
        let mut out = String::new();
        match call.display.format {
            Format::Json => {
                out = printer::json_watch(w);
                out.push('\n');
            }
            Format::Fields => printer::fields_watch(&mut out, w),
            _ => printer::simple_watch(&mut out, call.display.hex, w),
        }
        ctx.print(call.input_id, out, false);
    }
}

impl Actor for Etcdctl {
    fn addr(&self) -> Addr {
        Addr::Etcdctl
    }

    fn handle(&mut self, envelope: &Envelope, ctx: &mut Ctx<'_>) {
        match &envelope.message {
            Message::Input {
                id,
                input: Input::Etcdctl { argv, stdin },
            } => self.run(ctx, *id, argv, stdin.as_deref()),
            Message::Input {
                id: _,
                input: Input::Interrupt { input_id },
            } => self.interrupt(ctx, *input_id),
            Message::EtcdResponse { id, result } => self.answer(ctx, *id, result),
            Message::Timer { name } => self.timer(ctx, name),
            _ => {}
        }
    }

    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// gRPC's status code names, for the client's retry log line.
fn grpc_code_name(e: &EtcdError) -> &'static str {
    match crate::etcd::grpc_code(e) {
        3 => "InvalidArgument",
        5 => "NotFound",
        8 => "ResourceExhausted",
        9 => "FailedPrecondition",
        11 => "OutOfRange",
        _ => "Unknown",
    }
}

/// The zap warning clientv3's retry interceptor writes to stderr before the command's error.
fn grpc_warn_line(ctx: &mut Ctx<'_>, endpoint: &str, e: &EtcdError) -> String {
    let ts = rfc3339_millis(SIM_EPOCH_UNIX_MS + ctx.now().0);
    let r = ctx.rng();
    let (a, b) = (r.next_u64(), r.next_u64());
    // A version-4 UUID, as the client names its balancer target.
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    );
    format!(
        "{{\"level\":\"warn\",\"ts\":\"{ts}\",\"caller\":\"clientv3/retry_interceptor.go:62\",\"msg\":\"retrying of unary invoker failed\",\"target\":\"endpoint://client-{uuid}/{endpoint}\",\"attempt\":0,\"error\":\"rpc error: code = {} desc = {e}\"}}\n",
        grpc_code_name(e)
    )
}

/// `2006-01-02T15:04:05.000Z` for Unix milliseconds (civil-from-days, proleptic Gregorian).
fn rfc3339_millis(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        unix_ms % 1000
    )
}

fn render(call: &Call, resp: &Response) -> Outcome {
    let d = &call.display;
    let mut out = String::new();
    let ok = |text: String| Outcome {
        text,
        exit_code: exit::SUCCESS,
    };
    let line = |s: String| ok(s + "\n");
    // The table printer of these commands refuses only once the answer is in.
    let no_table = matches!(
        call.pending,
        Pending::Get { .. }
            | Pending::Put
            | Pending::Del
            | Pending::Txn
            | Pending::LeaseGrant
            | Pending::LeaseList
            | Pending::LeaseTimeToLive { .. }
    );
    if d.format == Format::Table && no_table {
        return error_outcome("table not supported as output format", exit::BAD_FEATURE);
    }
    match (&call.pending, resp) {
        (Pending::Get { value_only }, Response::Range(r)) => match d.format {
            Format::Json => line(printer::json_range(r)),
            Format::Fields => {
                printer::fields_get(&mut out, r);
                ok(out)
            }
            _ => {
                printer::simple_get(&mut out, d.hex, *value_only, r);
                ok(out)
            }
        },
        (Pending::Put, Response::Put(r)) => match d.format {
            Format::Json => line(printer::json_put(r)),
            Format::Fields => {
                printer::fields_put(&mut out, r);
                ok(out)
            }
            _ => {
                printer::simple_put(&mut out, d.hex, false, r);
                ok(out)
            }
        },
        (Pending::Del, Response::DeleteRange(r)) => match d.format {
            Format::Json => line(printer::json_del(r)),
            Format::Fields => {
                printer::fields_del(&mut out, r);
                ok(out)
            }
            _ => {
                printer::simple_del(&mut out, d.hex, false, r);
                ok(out)
            }
        },
        (Pending::Txn, Response::Txn(r)) => match d.format {
            Format::Json => line(printer::json_txn(r)),
            Format::Fields => {
                printer::fields_txn(&mut out, r);
                ok(out)
            }
            _ => {
                printer::simple_txn(&mut out, d.hex, r);
                ok(out)
            }
        },
        (Pending::Compact { revision }, Response::Compact(_)) => {
            line(format!("compacted revision {revision}"))
        }
        (Pending::LeaseGrant, Response::LeaseGrant(r)) => match d.format {
            Format::Json => line(printer::json_lease_grant(r)),
            Format::Fields => {
                printer::fields_header(&mut out, &r.header);
                ok(out + &format!("\"ID\" : {}\n\"TTL\" : {}\n", r.id, r.ttl))
            }
            _ => line(format!(
                "lease {} granted with TTL({}s)",
                printer::lease_hex(r.id),
                r.ttl
            )),
        },
        (Pending::LeaseRevoke { id }, Response::LeaseRevoke(r)) => match d.format {
            Format::Json => line(printer::json_header(&r.header)),
            Format::Fields => {
                printer::fields_header(&mut out, &r.header);
                ok(out)
            }
            _ => line(format!("lease {} revoked", printer::lease_hex(*id))),
        },
        (Pending::LeaseTimeToLive { keys }, Response::LeaseTimeToLive(r)) => match d.format {
            Format::Json => line(printer::json_lease_ttl(r)),
            Format::Fields => {
                printer::fields_header(&mut out, &r.header);
                out.push_str(&format!(
                    "\"ID\" : {}\n\"TTL\" : {}\n\"GrantedTTL\" : {}\n",
                    r.id, r.ttl, r.granted_ttl
                ));
                for k in &r.keys {
                    out.push_str(&format!("\"Key\" : {}\n", flags::go_quote_bytes(k)));
                }
                ok(out)
            }
            _ => {
                if r.granted_ttl == 0 && r.ttl == -1 {
                    return line(format!(
                        "lease {} already expired",
                        printer::lease_hex(r.id)
                    ));
                }
                let mut txt = format!(
                    "lease {} granted with TTL({}s), remaining({}s)",
                    printer::lease_hex(r.id),
                    r.granted_ttl,
                    r.ttl
                );
                if *keys {
                    let ks: Vec<String> = r
                        .keys
                        .iter()
                        .map(|k| String::from_utf8_lossy(k).into_owned())
                        .collect();
                    txt.push_str(&format!(", attached keys([{}])", ks.join(" ")));
                }
                line(txt)
            }
        },
        (Pending::LeaseList, Response::LeaseLeases(r)) => match d.format {
            Format::Json => line(printer::json_lease_list(r)),
            Format::Fields => {
                printer::fields_header(&mut out, &r.header);
                for id in &r.leases {
                    out.push_str(&format!("\"ID\" : {id}\n"));
                }
                ok(out)
            }
            _ => {
                out.push_str(&format!("found {} leases\n", r.leases.len()));
                for id in &r.leases {
                    out.push_str(&printer::lease_hex(*id));
                    out.push('\n');
                }
                ok(out)
            }
        },
        (
            Pending::KeepAliveOnce { .. } | Pending::KeepAlive { .. },
            Response::LeaseKeepAlive(r),
        ) => {
            if r.ttl <= 0 {
                // clientv3 turns a zero TTL into ErrLeaseNotFound; etcdctl exits with
                // ExitBadConnection.
                return Outcome {
                    text: "Error: etcdserver: requested lease not found\n".to_string(),
                    exit_code: 2,
                };
            }
            match d.format {
                Format::Json => line(printer::json_lease_keepalive(r)),
                Format::Fields => {
                    printer::fields_header(&mut out, &r.header);
                    ok(out + &format!("\"ID\" : {}\n\"TTL\" : {}\n", r.id, r.ttl))
                }
                _ => line(format!(
                    "lease {} keepalived with TTL({})",
                    printer::lease_hex(r.id),
                    r.ttl
                )),
            }
        }
        (Pending::Status, Response::Status(s)) => match d.format {
            Format::Json => line(printer::json_status(&d.endpoint_arg, s)),
            Format::Fields => {
                printer::fields_status(&mut out, &d.endpoint_arg, s);
                ok(out)
            }
            Format::Table => ok(printer::table(
                printer::STATUS_HEADER,
                &[printer::status_row(&d.endpoint_arg, s)],
            )),
            _ => line(printer::status_row(&d.endpoint_arg, s).join(", ")),
        },
        (Pending::MemberList, Response::MemberList(r)) => match d.format {
            Format::Json => line(printer::json_members(r)),
            Format::Fields => {
                printer::fields_members(&mut out, r);
                ok(out)
            }
            Format::Table => ok(printer::table(
                printer::MEMBER_HEADER,
                &printer::member_rows(r),
            )),
            _ => {
                for row in printer::member_rows(r) {
                    out.push_str(&row.join(", "));
                    out.push('\n');
                }
                ok(out)
            }
        },
        (Pending::Alarm, Response::Alarm(r)) => match d.format {
            // etcd 3.4 answers Alarm without a header, so the JSON holds only the alarms.
            Format::Json if r.alarms.is_empty() => line("{}".to_string()),
            Format::Json => line(format!(
                "{{\"alarms\":[{}]}}",
                r.alarms
                    .iter()
                    .map(|a| format!(
                        "{{\"memberID\":{},\"alarm\":{}}}",
                        a.member_id,
                        alarm_number(a.alarm)
                    ))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            // The fields printer dereferences that missing header.
            Format::Fields => Outcome {
                text: NIL_HEADER_PANIC.to_string(),
                exit_code: 2,
            },
            _ => {
                for a in &r.alarms {
                    out.push_str(&format!(
                        "memberID:{} alarm:{} \n",
                        a.member_id,
                        alarm_name(a.alarm)
                    ));
                }
                ok(out)
            }
        },
        (Pending::Defrag, Response::Defragment(_)) => line(format!(
            "Finished defragmenting etcd member[{}]",
            d.endpoint_arg
        )),
        (pending, resp) => panic!("etcd answered {pending:?} with {resp:?}"),
    }
}

// ---------------------------------------------------------------- parsing

const ROOT_COMMANDS: &[&str] = &[
    "alarm",
    "auth",
    "check",
    "compaction",
    "completion",
    "defrag",
    "del",
    "elect",
    "endpoint",
    "get",
    "help",
    "lease",
    "lock",
    "make-mirror",
    "member",
    "migrate",
    "move-leader",
    "put",
    "role",
    "snapshot",
    "txn",
    "user",
    "version",
    "watch",
];

const ROOT_BOOLS: &[&str] = &[
    "debug",
    "hex",
    "insecure-discovery",
    "insecure-skip-tls-verify",
    "insecure-transport",
    "help",
];

const fn f(name: &'static str, kind: Kind) -> FlagSpec {
    FlagSpec {
        name,
        short: None,
        kind,
    }
}

const GET_FLAGS: &[FlagSpec] = &[
    f("consistency", Kind::Str),
    f("from-key", Kind::Bool),
    f("keys-only", Kind::Bool),
    f("limit", Kind::Int),
    f("order", Kind::Str),
    f("prefix", Kind::Bool),
    f("print-value-only", Kind::Bool),
    f("rev", Kind::Int),
    f("sort-by", Kind::Str),
];
const PUT_FLAGS: &[FlagSpec] = &[
    f("ignore-lease", Kind::Bool),
    f("ignore-value", Kind::Bool),
    f("lease", Kind::Str),
    f("prev-kv", Kind::Bool),
];
const DEL_FLAGS: &[FlagSpec] = &[
    f("from-key", Kind::Bool),
    f("prefix", Kind::Bool),
    f("prev-kv", Kind::Bool),
];
const TXN_FLAGS: &[FlagSpec] = &[FlagSpec {
    name: "interactive",
    short: Some('i'),
    kind: Kind::Bool,
}];
const WATCH_FLAGS: &[FlagSpec] = &[
    FlagSpec {
        name: "interactive",
        short: Some('i'),
        kind: Kind::Bool,
    },
    f("prefix", Kind::Bool),
    f("prev-kv", Kind::Bool),
    f("rev", Kind::Int),
];
const COMPACTION_FLAGS: &[FlagSpec] = &[f("physical", Kind::Bool)];
const TTL_FLAGS: &[FlagSpec] = &[f("keys", Kind::Bool)];
const KEEPALIVE_FLAGS: &[FlagSpec] = &[f("once", Kind::Bool)];
const ENDPOINT_FLAGS: &[FlagSpec] = &[f("cluster", Kind::Bool)];
const DEFRAG_FLAGS: &[FlagSpec] = &[f("cluster", Kind::Bool), f("data-dir", Kind::Str)];

/// The real tool's help text of a command (captured from etcdctl 3.4.23).
fn help_text(path: &str) -> Option<&'static str> {
    Some(match path {
        "get" => include_str!("help/get.txt"),
        "put" => include_str!("help/put.txt"),
        "del" => include_str!("help/del.txt"),
        "txn" => include_str!("help/txn.txt"),
        "watch" => include_str!("help/watch.txt"),
        "compaction" => include_str!("help/compaction.txt"),
        "version" => include_str!("help/version.txt"),
        "lease" => include_str!("help/lease.txt"),
        "lease grant" => include_str!("help/lease_grant.txt"),
        "lease revoke" => include_str!("help/lease_revoke.txt"),
        "lease timetolive" => include_str!("help/lease_timetolive.txt"),
        "lease list" => include_str!("help/lease_list.txt"),
        "lease keep-alive" => include_str!("help/lease_keep-alive.txt"),
        "member" => include_str!("help/member.txt"),
        "member list" => include_str!("help/member_list.txt"),
        "endpoint" => include_str!("help/endpoint.txt"),
        "endpoint status" => include_str!("help/endpoint_status.txt"),
        "endpoint health" => include_str!("help/endpoint_health.txt"),
        "alarm" => include_str!("help/alarm.txt"),
        "alarm list" => include_str!("help/alarm_list.txt"),
        "alarm disarm" => include_str!("help/alarm_disarm.txt"),
        "defrag" => include_str!("help/defrag.txt"),
        "snapshot" => include_str!("help/snapshot.txt"),
        "snapshot save" => include_str!("help/snapshot_save.txt"),
        "snapshot status" => include_str!("help/snapshot_status.txt"),
        "" => include_str!("help/root.txt"),
        _ => return None,
    })
}

const ROOT_HELP: &str = include_str!("help/root.txt");

/// A real etcdctl command that kubestep does not model (auth, users, roles, locks...).
fn not_modelled(path: &str) -> Plan {
    error(
        format!("kubestep's etcdctl does not implement \"{path}\""),
        exit::BAD_FEATURE,
    )
}

/// Cobra's text for a flag error: the error, the command's usage, the error again.
fn flag_error(path: &str, msg: &str) -> Plan {
    fail(
        format!(
            "Error: {msg}\n{}\nError: {msg}\n",
            help_text(path).expect("flags are parsed only for modelled commands")
        ),
        exit::ERROR,
    )
}

fn unknown_command(word: &str) -> Plan {
    // cobra's help command is not an available command, so it is never suggested.
    let available: Vec<&str> = ROOT_COMMANDS
        .iter()
        .copied()
        .filter(|c| *c != "help")
        .collect();
    let suggestions = crate::golang::cobra::suggestions_for(word, &available);
    let mut msg = format!("unknown command \"{word}\" for \"etcdctl\"");
    if !suggestions.is_empty() {
        msg.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            msg.push_str(&format!("\t{s}\n"));
        }
    }
    fail(
        format!("Error: {msg}\nRun 'etcdctl --help' for usage.\nError: {msg}\n"),
        exit::ERROR,
    )
}

/// argv without the first occurrence of each command word (cobra's `argsMinusFirstX`).
fn minus_words(argv: &[String], words: &[&str]) -> Vec<String> {
    let mut out = argv.to_vec();
    for w in words {
        if let Some(i) = out.iter().position(|a| a == w) {
            out.remove(i);
        }
    }
    out
}

fn display_of(p: &Parsed) -> Result<Display, Outcome> {
    let format_name = p.str("write-out").unwrap_or("simple");
    let format = Format::parse(format_name)
        .ok_or_else(|| error_outcome("unsupported output format", exit::BAD_FEATURE))?;
    let endpoint_arg = p
        .str("endpoints")
        .unwrap_or(DEFAULT_ENDPOINT)
        .split(',')
        .next()
        .unwrap_or(DEFAULT_ENDPOINT)
        .to_string();
    let endpoint = endpoint_arg
        .split_once("://")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_else(|| endpoint_arg.clone());
    Ok(Display {
        format,
        hex: p.bool("hex"),
        endpoint,
        endpoint_arg,
    })
}

/// Parses one etcdctl command line into what to do.
fn plan(argv: &[String], stdin: Option<&str>) -> Plan {
    // The console may pass the environment assignment `ETCDCTL_API=3 etcdctl ...` as a leading
    // word; v3 is the only API kubestep's etcdctl speaks (and 3.4's default).
    let argv: Vec<String> = match argv.first().map(String::as_str) {
        Some("ETCDCTL_API=3") => argv[1..].to_vec(),
        _ => argv.to_vec(),
    };
    let words = flags::strip_flags(&argv, ROOT_BOOLS);
    let Some(cmd) = words.first().map(String::as_str) else {
        return match parse(&argv, &[]) {
            Err(e) => flag_error("", &e.0),
            Ok(_) => fail(ROOT_HELP.to_string(), exit::SUCCESS),
        };
    };
    let group = matches!(cmd, "lease" | "member" | "endpoint" | "snapshot" | "alarm");
    let sub = if group {
        words.get(1).map(String::as_str)
    } else {
        None
    };
    let path = match sub {
        Some(s) => format!("{cmd} {s}"),
        None => cmd.to_string(),
    };
    let local: &[FlagSpec] = match path.as_str() {
        "get" => GET_FLAGS,
        "put" => PUT_FLAGS,
        "del" => DEL_FLAGS,
        "txn" => TXN_FLAGS,
        "watch" => WATCH_FLAGS,
        "compaction" => COMPACTION_FLAGS,
        "lease timetolive" => TTL_FLAGS,
        "lease keep-alive" => KEEPALIVE_FLAGS,
        "endpoint" | "endpoint status" | "endpoint health" => ENDPOINT_FLAGS,
        "defrag" => DEFRAG_FLAGS,
        _ => &[],
    };
    match cmd {
        "help" => {
            let topic = words[1..].join(" ");
            return match help_text(&topic) {
                Some(text) => fail(text.to_string(), exit::SUCCESS),
                None if words
                    .get(1)
                    .is_some_and(|w| ROOT_COMMANDS.contains(&w.as_str())) =>
                {
                    not_modelled(&topic)
                }
                // Cobra has not yet added the root's `--help` flag when it answers this.
                None => fail(
                    format!(
                        "Unknown help topic [`{topic}`]\n{}",
                        ROOT_HELP.replace("  -h, --help[=false]\t\t\t\thelp for etcdctl\n", "")
                    ),
                    exit::SUCCESS,
                ),
            };
        }
        c if !ROOT_COMMANDS.contains(&c) => return unknown_command(c),
        _ => {}
    }
    let known_sub = match cmd {
        "lease" => matches!(
            sub,
            Some("grant" | "revoke" | "timetolive" | "list" | "keep-alive")
        ),
        "member" => sub == Some("list"),
        "endpoint" => matches!(sub, Some("status" | "health")),
        "alarm" => matches!(sub, Some("list" | "disarm")),
        "snapshot" => matches!(sub, Some("save" | "status")),
        _ => true,
    };
    let mut cmd_words = vec![cmd];
    if known_sub {
        if let Some(s) = sub {
            cmd_words.push(s);
        }
    }
    let rest = minus_words(&argv, &cmd_words);
    let path = if known_sub { path } else { cmd.to_string() };
    if help_text(&path).is_none() {
        return not_modelled(&path);
    }
    let p = match parse(&rest, local) {
        Ok(p) => p,
        Err(e) => return flag_error(&path, &e.0),
    };
    if p.bool("help") || (group && !known_sub) {
        // `etcdctl lease` and `etcdctl lease bogus` print the group's help, as cobra does.
        let text = help_text(&path).expect("checked above");
        return fail(text.to_string(), exit::SUCCESS);
    }
    let display = match display_of(&p) {
        Ok(d) => d,
        Err(o) => return Plan::Done(o),
    };
    let binary = matches!(
        path.as_str(),
        "get"
            | "put"
            | "del"
            | "txn"
            | "watch"
            | "member list"
            | "lease grant"
            | "lease revoke"
            | "lease timetolive"
            | "lease list"
            | "lease keep-alive"
            | "alarm list"
            | "alarm disarm"
    );
    if display.format == Format::Protobuf && binary {
        // The real tool writes the raw protobuf message: binary the console cannot show.
        return error(
            "kubestep's console shows text: -w protobuf writes binary and is not supported",
            exit::BAD_FEATURE,
        );
    }
    let call = |request: Request, pending: Pending| Plan::Call {
        prelude: String::new(),
        request,
        pending,
        display: display.clone(),
    };
    let args = &p.args;
    match path.as_str() {
        "version" => fail(
            format!("etcdctl version: {}\nAPI version: 3.4\n", api::ETCD_VERSION),
            exit::SUCCESS,
        ),
        "get" => match get_op(&p, args) {
            Ok(r) => call(
                Request::Range(r),
                Pending::Get {
                    value_only: p.bool("print-value-only"),
                },
            ),
            Err(o) => Plan::Done(o),
        },
        "put" => match put_op(&p, args, stdin) {
            Ok(r) => call(Request::Put(r), Pending::Put),
            Err(o) => Plan::Done(o),
        },
        "del" => match del_op(&p, args) {
            Ok(r) => call(Request::DeleteRange(r), Pending::Del),
            Err(o) => Plan::Done(o),
        },
        "txn" => {
            if !args.is_empty() {
                return error("txn command does not accept argument", exit::BAD_ARGS);
            }
            match txn::read_txn(stdin.unwrap_or(""), p.bool("interactive")) {
                Ok((prelude, t)) => Plan::Call {
                    prelude,
                    request: Request::Txn(t),
                    pending: Pending::Txn,
                    display: display.clone(),
                },
                Err(o) => Plan::Done(o),
            }
        }
        "watch" if rest.iter().any(|a| a == "--") => error(
            "kubestep's etcdctl does not run commands on watch events (`watch KEY -- COMMAND`)",
            exit::BAD_FEATURE,
        ),
        "watch" => match watch_op(&p, args) {
            Ok(w) => call(Request::WatchCreate(w), Pending::Watch),
            Err(o) => Plan::Done(o),
        },
        "compaction" => {
            if args.len() != 1 {
                return error("compaction command needs 1 argument", exit::BAD_ARGS);
            }
            match flags::parse_int_base(&args[0], 10, "ParseInt") {
                Ok(revision) => call(
                    Request::Compact(CompactionRequest {
                        revision,
                        physical: p.bool("physical"),
                    }),
                    Pending::Compact { revision },
                ),
                Err(e) => error(e, exit::ERROR),
            }
        }
        "lease grant" => {
            if args.len() != 1 {
                return error("lease grant command needs TTL argument", exit::BAD_ARGS);
            }
            match parse_int_base(&args[0], 10, "ParseInt") {
                Ok(ttl) => call(
                    Request::LeaseGrant(LeaseGrantRequest { ttl, id: 0 }),
                    Pending::LeaseGrant,
                ),
                Err(e) => error(format!("bad TTL ({e})"), exit::BAD_ARGS),
            }
        }
        "lease revoke" => match lease_arg(args, "lease revoke command needs 1 argument") {
            Ok(id) => call(Request::LeaseRevoke { id }, Pending::LeaseRevoke { id }),
            Err(o) => Plan::Done(o),
        },
        "lease timetolive" => {
            match lease_arg(args, "lease timetolive command needs lease ID as argument") {
                Ok(id) => {
                    let keys = p.bool("keys");
                    call(
                        Request::LeaseTimeToLive { id, keys },
                        Pending::LeaseTimeToLive { keys },
                    )
                }
                Err(o) => Plan::Done(o),
            }
        }
        "lease list" => call(Request::LeaseLeases, Pending::LeaseList),
        "lease keep-alive" => {
            match lease_arg(args, "lease keep-alive command needs lease ID as argument") {
                Ok(id) if p.bool("once") => call(
                    Request::LeaseKeepAlive { id },
                    Pending::KeepAliveOnce { id },
                ),
                Ok(id) => call(Request::LeaseKeepAlive { id }, Pending::KeepAlive { id }),
                Err(o) => Plan::Done(o),
            }
        }
        "endpoint status" => {
            if display.format == Format::Protobuf {
                return error("protobuf not supported as output format", exit::BAD_FEATURE);
            }
            call(Request::Status, Pending::Status)
        }
        "endpoint health" => {
            if display.format == Format::Protobuf {
                return error("protobuf not supported as output format", exit::BAD_FEATURE);
            }
            call(
                Request::Range(RangeRequest {
                    key: b"health".to_vec(),
                    ..RangeRequest::default()
                }),
                Pending::Health,
            )
        }
        "alarm list" | "alarm disarm" => {
            if !args.is_empty() {
                let name = path.trim_start_matches("alarm ");
                return error(
                    format!("alarm {name} command accepts no arguments"),
                    exit::BAD_ARGS,
                );
            }
            let request = if path == "alarm list" {
                Request::AlarmList
            } else {
                Request::AlarmDisarm(api::AlarmMember::default())
            };
            call(request, Pending::Alarm)
        }
        "defrag" => call(Request::Defragment, Pending::Defrag),
        "snapshot save" => {
            if args.len() != 1 {
                return error("snapshot save expects one argument", exit::BAD_ARGS);
            }
            call(
                Request::Snapshot,
                Pending::SnapshotSave {
                    path: args[0].clone(),
                },
            )
        }
        "snapshot status" => {
            if args.len() != 1 {
                return error(
                    "snapshot status requires exactly one argument",
                    exit::BAD_ARGS,
                );
            }
            if display.format == Format::Protobuf {
                return error("protobuf not supported as output format", exit::BAD_FEATURE);
            }
            Plan::ReadFile {
                path: args[0].clone(),
                display,
            }
        }
        "member list" => {
            if display.format == Format::Protobuf {
                return error(
                    "kubestep's etcdctl does not write protobuf output",
                    exit::BAD_FEATURE,
                );
            }
            call(Request::MemberList, Pending::MemberList)
        }
        other => error(
            format!("kubestep's etcdctl does not implement \"{other}\""),
            exit::BAD_FEATURE,
        ),
    }
}

fn lease_arg(args: &[String], missing: &str) -> Result<i64, Outcome> {
    if args.len() != 1 {
        return Err(error_outcome(missing, exit::BAD_ARGS));
    }
    parse_int_base(&args[0], 16, "ParseInt").map_err(|e| {
        error_outcome(
            format!("bad lease ID arg ({e}), expecting ID in Hex"),
            exit::BAD_ARGS,
        )
    })
}

/// The key range of `get`/`del`/`watch`: `--prefix` and `--from-key` on an empty key mean every
/// key (`\x00` onwards).
fn key_range(key: &str, prefix: bool, from_key: bool) -> (Vec<u8>, Vec<u8>) {
    if prefix {
        if key.is_empty() {
            return (vec![0], vec![0]);
        }
        return (key.as_bytes().to_vec(), prefix_end(key.as_bytes()));
    }
    if from_key {
        let k = if key.is_empty() {
            vec![0]
        } else {
            key.as_bytes().to_vec()
        };
        return (k, vec![0]);
    }
    (key.as_bytes().to_vec(), Vec::new())
}

fn get_op(p: &Parsed, args: &[String]) -> Result<RangeRequest, Outcome> {
    if args.is_empty() {
        return Err(error_outcome(
            "get command needs one argument as key and an optional argument as range_end",
            exit::BAD_ARGS,
        ));
    }
    let (prefix, from_key) = (p.bool("prefix"), p.bool("from-key"));
    if prefix && from_key {
        return Err(error_outcome(
            "`--prefix` and `--from-key` cannot be set at the same time, choose one",
            exit::BAD_ARGS,
        ));
    }
    match p.str("consistency").unwrap_or("l") {
        "l" | "s" => {}
        other => {
            return Err(error_outcome(
                format!("unknown consistency flag {}", flags::go_quote(other)),
                exit::BAD_FEATURE,
            ))
        }
    }
    if args.len() > 1 && (prefix || from_key) {
        return Err(error_outcome(
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set",
            exit::BAD_ARGS,
        ));
    }
    let order_text = p.str("order").unwrap_or("");
    let sort_order = match order_text.to_uppercase().as_str() {
        "ASCEND" => SortOrder::Ascend,
        "DESCEND" => SortOrder::Descend,
        "" => SortOrder::None,
        _ => {
            return Err(error_outcome(
                format!("bad sort order {order_text}"),
                exit::BAD_FEATURE,
            ))
        }
    };
    let target_text = p.str("sort-by").unwrap_or("");
    let sort_target = match target_text.to_uppercase().as_str() {
        "CREATE" => SortTarget::Create,
        "KEY" | "" => SortTarget::Key,
        "MODIFY" => SortTarget::Mod,
        "VALUE" => SortTarget::Value,
        "VERSION" => SortTarget::Version,
        _ => {
            return Err(error_outcome(
                format!("bad sort target {target_text}"),
                exit::BAD_FEATURE,
            ))
        }
    };
    // clientv3.WithSort: sorting by key ascending is the store's order, sent as no sort.
    let sort_order = if sort_target == SortTarget::Key && sort_order == SortOrder::Ascend {
        SortOrder::None
    } else {
        sort_order
    };
    let (key, mut range_end) = key_range(&args[0], prefix, from_key);
    if args.len() > 1 {
        range_end = args[1].as_bytes().to_vec();
    }
    Ok(RangeRequest {
        key,
        range_end,
        limit: p.int("limit"),
        revision: p.int("rev").max(0),
        sort_order,
        sort_target,
        keys_only: p.bool("keys-only"),
        ..RangeRequest::default()
    })
}

fn put_op(p: &Parsed, args: &[String], stdin: Option<&str>) -> Result<PutRequest, Outcome> {
    let needs = "put command needs 1 argument and input from stdin or 2 arguments";
    if args.is_empty() {
        return Err(error_outcome(needs, exit::BAD_ARGS));
    }
    let ignore_value = p.bool("ignore-value");
    if ignore_value && args.len() > 1 {
        return Err(error_outcome(
            "put command needs only 1 argument when 'ignore-value' is set",
            exit::BAD_ARGS,
        ));
    }
    let mut value = String::new();
    if !ignore_value {
        value = match (args.get(1), stdin) {
            (Some(v), _) => v.clone(),
            // argOrStdin: the whole of stdin is the value; an empty stdin is no value.
            (None, Some(s)) if !s.is_empty() => s.to_string(),
            _ => return Err(error_outcome(needs, exit::BAD_ARGS)),
        };
    }
    let lease_text = p.str("lease").unwrap_or("0");
    let lease = parse_int_base(lease_text, 16, "ParseInt").map_err(|e| {
        error_outcome(
            format!("bad lease ID ({e}), expecting ID in Hex"),
            exit::BAD_ARGS,
        )
    })?;
    Ok(PutRequest {
        key: args[0].as_bytes().to_vec(),
        value: value.into_bytes(),
        lease,
        prev_kv: p.bool("prev-kv"),
        ignore_value,
        ignore_lease: p.bool("ignore-lease"),
    })
}

fn del_op(p: &Parsed, args: &[String]) -> Result<DeleteRangeRequest, Outcome> {
    if args.is_empty() || args.len() > 2 {
        return Err(error_outcome(
            "del command needs one argument as key and an optional argument as range_end",
            exit::BAD_ARGS,
        ));
    }
    let (prefix, from_key) = (p.bool("prefix"), p.bool("from-key"));
    if prefix && from_key {
        return Err(error_outcome(
            "`--prefix` and `--from-key` cannot be set at the same time, choose one",
            exit::BAD_ARGS,
        ));
    }
    if args.len() > 1 && (prefix || from_key) {
        return Err(error_outcome(
            "too many arguments, only accept one argument when `--prefix` or `--from-key` is set",
            exit::BAD_ARGS,
        ));
    }
    let (key, mut range_end) = key_range(&args[0], prefix, from_key);
    if args.len() > 1 {
        range_end = args[1].as_bytes().to_vec();
    }
    Ok(DeleteRangeRequest {
        key,
        range_end,
        prev_kv: p.bool("prev-kv"),
    })
}

fn watch_op(p: &Parsed, args: &[String]) -> Result<WatchCreateRequest, Outcome> {
    if p.bool("interactive") {
        return Err(error_outcome(
            "kubestep's etcdctl does not run `watch -i`",
            exit::BAD_FEATURE,
        ));
    }
    // `getWatchChan` uses a range end only when exactly two words are given; more are ignored.
    if args.is_empty() {
        return Err(error_outcome("bad number of arguments", exit::BAD_ARGS));
    }
    let prefix = p.bool("prefix");
    if args.len() == 2 && prefix {
        return Err(error_outcome(
            "`range_end` and `--prefix` are mutually exclusive",
            exit::BAD_ARGS,
        ));
    }
    let (key, mut range_end) = key_range(&args[0], prefix, false);
    if args.len() == 2 {
        range_end = args[1].as_bytes().to_vec();
    }
    Ok(WatchCreateRequest {
        key,
        range_end,
        start_revision: p.int("rev"),
        prev_kv: p.bool("prev-kv"),
        ..WatchCreateRequest::default()
    })
}

/// zap's epoch time encoder: Unix seconds as a float (the snapshot package's logger).
fn epoch_seconds(t: SimTime) -> String {
    let ms = SIM_EPOCH_UNIX_MS + t.0;
    format!("{}", ms as f64 / 1000.0)
}

/// What `snapshot save` prints: the snapshot package's and the client's info log, then the
/// result line on stdout.
fn snapshot_saved(call: &Call, path: &str, size: usize, now: SimTime) -> Outcome {
    let ep = &call.display.endpoint;
    let (start, end) = (call.sent_at, now);
    let took = (end.0 - start.0) as f64 / 1000.0;
    let text = format!(
        "{{\"level\":\"info\",\"ts\":{},\"caller\":\"snapshot/v3_snapshot.go:119\",\"msg\":\"created temporary db file\",\"path\":{}}}\n\
{{\"level\":\"info\",\"ts\":\"{}\",\"caller\":\"clientv3/maintenance.go:200\",\"msg\":\"opened snapshot stream; downloading\"}}\n\
{{\"level\":\"info\",\"ts\":{},\"caller\":\"snapshot/v3_snapshot.go:127\",\"msg\":\"fetching snapshot\",\"endpoint\":{}}}\n\
{{\"level\":\"info\",\"ts\":\"{}\",\"caller\":\"clientv3/maintenance.go:208\",\"msg\":\"completed snapshot read; closing\"}}\n\
{{\"level\":\"info\",\"ts\":{},\"caller\":\"snapshot/v3_snapshot.go:142\",\"msg\":\"fetched snapshot\",\"endpoint\":{},\"size\":\"{}\",\"took\":{took}}}\n\
{{\"level\":\"info\",\"ts\":{},\"caller\":\"snapshot/v3_snapshot.go:152\",\"msg\":\"saved\",\"path\":{}}}\n\
Snapshot saved at {path}\n",
        epoch_seconds(start),
        printer::json_string(&format!("{path}.part")),
        rfc3339_millis(SIM_EPOCH_UNIX_MS + start.0),
        epoch_seconds(start),
        printer::json_string(ep),
        rfc3339_millis(SIM_EPOCH_UNIX_MS + end.0),
        epoch_seconds(end),
        printer::json_string(ep),
        printer::humanize_bytes(size as u64),
        epoch_seconds(end),
        printer::json_string(path),
    );
    Outcome {
        text,
        exit_code: exit::SUCCESS,
    }
}

/// `snapshot status FILE` (`printer*.DBStatus`).
fn snapshot_status(data: Option<&[u8]>, path: &str, d: &Display) -> Outcome {
    let Some(data) = data else {
        return error_outcome(
            format!("stat {path}: no such file or directory"),
            exit::ERROR,
        );
    };
    let st = match crate::etcd::snapshot::status(data) {
        Ok(st) => st,
        Err(e) => return error_outcome(e, exit::ERROR),
    };
    let row = vec![
        format!("{:x}", st.hash),
        st.revision.to_string(),
        st.total_keys.to_string(),
        printer::humanize_bytes(st.total_size as u64),
    ];
    let text = match d.format {
        Format::Json => format!(
            "{{\"hash\":{},\"revision\":{},\"totalKey\":{},\"totalSize\":{}}}\n",
            st.hash, st.revision, st.total_keys, st.total_size
        ),
        Format::Fields => format!(
            "\"Hash\" : {}\n\"Revision\" : {}\n\"Keys\" : {}\n\"Size\" : {}\n",
            st.hash, st.revision, st.total_keys, st.total_size
        ),
        Format::Table => printer::table(&["hash", "revision", "total keys", "total size"], &[row]),
        _ => row.join(", ") + "\n",
    };
    Outcome {
        text,
        exit_code: exit::SUCCESS,
    }
}

fn alarm_name(a: api::AlarmType) -> &'static str {
    match a {
        api::AlarmType::None => "NONE",
        api::AlarmType::Nospace => "NOSPACE",
        api::AlarmType::Corrupt => "CORRUPT",
    }
}

fn alarm_number(a: api::AlarmType) -> u8 {
    match a {
        api::AlarmType::None => 0,
        api::AlarmType::Nospace => 1,
        api::AlarmType::Corrupt => 2,
    }
}

/// What etcdctl 3.4.23 prints for `alarm list -w fields` (the runtime's report of a nil
/// pointer dereference; the real one's argument addresses vary from run to run).
const NIL_HEADER_PANIC: &str = "panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0xb9181e]

goroutine 1 [running]:
go.etcd.io/etcd/etcdctl/ctlv3/command.(*fieldsPrinter).hdr(0x0?, 0x0)
\tgo.etcd.io/etcd/etcdctl/ctlv3/command/printer_fields.go:38 +0x5e
go.etcd.io/etcd/etcdctl/ctlv3/command.(*fieldsPrinter).Alarm(0xc00025cdc0?, {0x0?, {0x0?, 0x0?, 0x0?}})
\tgo.etcd.io/etcd/etcdctl/ctlv3/command/printer_fields.go:181 +0x45
go.etcd.io/etcd/etcdctl/ctlv3/command.alarmListCommandFunc(0xc0001b3800?, {0xc000260960?, 0x3?, 0x3?})
\tgo.etcd.io/etcd/etcdctl/ctlv3/command/alarm_command.go:80 +0xe7
github.com/spf13/cobra.(*Command).execute(0xc0001b3800, {0xc000260900, 0x3, 0x3})
\tgithub.com/spf13/cobra/command.go:920 +0x847
github.com/spf13/cobra.(*Command).ExecuteC(0x13b9920)
\tgithub.com/spf13/cobra/command.go:1044 +0x3bd
github.com/spf13/cobra.(*Command).Execute(...)
\tgithub.com/spf13/cobra/command.go:968
go.etcd.io/etcd/etcdctl/ctlv3.Start()
\tgo.etcd.io/etcd/etcdctl/ctlv3/ctl_nocov.go:26 +0x97
main.main()
\tgo.etcd.io/etcd/etcdctl/main.go:35 +0x65
";

/// Go's `time.Duration` text for whole milliseconds (`0s`, `3ms`, `1.5s`).
fn go_duration_ms(ms: u64) -> String {
    match ms {
        0 => "0s".to_string(),
        ms if ms < 1000 => format!("{ms}ms"),
        ms => {
            let secs = format!("{}.{:03}", ms / 1000, ms % 1000);
            format!("{}s", secs.trim_end_matches('0').trim_end_matches('.'))
        }
    }
}

/// `endpoint health`: the simple form goes to stderr, the others to stdout.
fn endpoint_health(d: &Display, took_ms: u64) -> Outcome {
    let took = go_duration_ms(took_ms);
    let ep = &d.endpoint_arg;
    let text = match d.format {
        Format::Json => format!(
            "[{{\"endpoint\":{},\"health\":true,\"took\":\"{took}\"}}]\n",
            printer::json_string(ep)
        ),
        Format::Fields => format!(
            "\"Endpoint\" : {}\n\"Health\" : true\n\"Took\" : {took}\n\"Error\" : \n\n",
            flags::go_quote(ep)
        ),
        Format::Table => printer::table(
            &["endpoint", "health", "took", "error"],
            &[vec![ep.clone(), "true".to_string(), took, String::new()]],
        ),
        _ => format!("{ep} is healthy: successfully committed proposal: took = {took}\n"),
    };
    Outcome {
        text,
        exit_code: exit::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_log_timestamps() {
        assert_eq!(
            rfc3339_millis(SIM_EPOCH_UNIX_MS),
            "2025-01-01T00:00:00.000Z"
        );
        assert_eq!(
            rfc3339_millis(SIM_EPOCH_UNIX_MS + 86_400_000 * 59 + 3_723_004),
            "2025-03-01T01:02:03.004Z"
        );
    }

    #[test]
    fn unknown_commands_get_cobra_suggestions() {
        let Plan::Done(o) = plan(&["gett".to_string()], None) else {
            panic!("no call expected")
        };
        assert_eq!(
            o.text,
            "Error: unknown command \"gett\" for \"etcdctl\"\n\nDid you mean this?\n\tget\n\nRun 'etcdctl --help' for usage.\nError: unknown command \"gett\" for \"etcdctl\"\n\nDid you mean this?\n\tget\n\n"
        );
        assert_eq!(o.exit_code, 1);
    }
}
