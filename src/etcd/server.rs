//! The etcd member as an actor on the simulation bus (etcd's `etcdserver` with its gRPC
//! services in `etcdserver/api/v3rpc`): it answers every [`Request`] from any client, streams
//! watch events to watchers, and expires leases on the simulation clock.
//!
//! Watch streams: the answer to `WatchCreate` request `N` is `EtcdResponse { id: N }` with
//! `created: true`; every later event batch, progress notification and cancellation of that
//! watch arrives as another `EtcdResponse { id: N }`. Watch IDs count from 0 per client, as on
//! one gRPC watch stream. The bus keeps each link's messages in order (like the TCP connection
//! under a gRPC stream), so events arrive in revision order.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};

use crate::etcd::api::{
    self, AlarmMember, AlarmResponse, AlarmType, CompactionResponse, DefragmentResponse, EtcdError,
    LeaseGrantResponse, LeaseKeepAliveResponse, LeaseLeasesResponse, LeaseRevokeResponse,
    LeaseTimeToLiveResponse, Member, MemberListResponse, Request, Response, ResponseHeader,
    StatusResponse, WatchResponse,
};
use crate::etcd::lessor::min_lease_ttl;
use crate::etcd::mvcc::kvstore::{check_put_request, check_txn_request, KeyValue, KvStore};
use crate::etcd::mvcc::watchable_store::{WatchOutput, WatchableStore};
use crate::etcd::{quota, snapshot, EtcdConfig};
use crate::sim::{Actor, Addr, Ctx, Envelope, Message, SimDuration, SimTime};

/// etcd's `ProgressReportInterval`: how often a `progress_notify` watcher hears the revision
/// when nothing happened.
pub const PROGRESS_REPORT_INTERVAL: SimDuration = SimDuration::from_secs(600);

/// The raft index of a fresh single-member cluster once it is serving (its configuration
/// change, the new leader's empty entry, the member's attributes and the cluster version).
const INITIAL_RAFT_INDEX: u64 = 4;

const LEASE_TIMER: &str = "lease-expiry";
const PROGRESS_TIMER: &str = "watch-progress";

/// Where a watch's responses go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchStream {
    pub client: Addr,
    /// The id of the `WatchCreate` request: every response of the watch carries it.
    pub request_id: u64,
    /// The watch ID the client sees (per client, from 0).
    pub watch_id: i64,
}

/// An active watch, for inspectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchInfo {
    pub client: Addr,
    pub watch_id: i64,
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub start_revision: i64,
    /// The next revision the watcher will be sent.
    pub next_revision: i64,
}

/// A lease, for inspectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseInfo {
    pub id: i64,
    pub granted_ttl: i64,
    pub remaining_ttl: i64,
    pub keys: Vec<Vec<u8>>,
}

/// The etcd member at [`Addr::Etcd`].
#[derive(Clone)]
pub struct EtcdServer {
    config: EtcdConfig,
    store: WatchableStore,
    /// The stream of each watch, by the store's watch id.
    streams: BTreeMap<i64, WatchStream>,
    next_watch_id: BTreeMap<Addr, i64>,
    /// Times of the lease-expiry timers in flight.
    lease_timers: BTreeSet<SimTime>,
    progress_timer: bool,
    raft_index: u64,
    /// etcd's NOSPACE alarm: raised when a write would pass the quota; while raised, every
    /// write that costs space (puts, txns with puts, lease grants) is refused; deletes,
    /// reads, compaction and defragmentation still run. Only `etcdctl alarm disarm`
    /// ([`Request::AlarmDisarm`]) clears it, and the next write raises it again unless
    /// compaction and defragmentation brought the backend under the quota.
    nospace_alarm: bool,
}

fn header(rev: i64) -> ResponseHeader {
    ResponseHeader {
        cluster_id: api::CLUSTER_ID,
        member_id: api::MEMBER_ID,
        revision: rev,
        raft_term: api::RAFT_TERM,
    }
}

impl EtcdServer {
    pub fn new(config: EtcdConfig) -> Self {
        let kv = KvStore::new(
            min_lease_ttl(config.heartbeat_ms, config.election_timeout_ms),
            config.max_txn_ops,
        );
        EtcdServer::with_store(config, kv)
    }

    /// A member serving an existing store (restored from a snapshot).
    pub fn with_store(config: EtcdConfig, kv: KvStore) -> Self {
        EtcdServer {
            config,
            store: WatchableStore::new(kv),
            streams: BTreeMap::new(),
            next_watch_id: BTreeMap::new(),
            lease_timers: BTreeSet::new(),
            progress_timer: false,
            raft_index: INITIAL_RAFT_INDEX,
            nospace_alarm: false,
        }
    }

    pub fn config(&self) -> &EtcdConfig {
        &self.config
    }

    // ---- inspection for the UI (read-only) -------------------------------------------------

    pub fn store(&self) -> &WatchableStore {
        &self.store
    }
    pub fn kv(&self) -> &KvStore {
        &self.store.kv
    }
    /// Every live key with create/mod revision, version, lease and value, in key order.
    pub fn keys(&self) -> Vec<KeyValue> {
        self.store.kv.live_keys()
    }
    /// Every revision of `key` still held, oldest first (tombstones have `create_revision` 0).
    pub fn history(&self, key: &[u8]) -> Vec<KeyValue> {
        self.store.kv.history(key)
    }
    /// Every lease with its remaining TTL at `now`, by expiry.
    pub fn leases_at(&self, now: SimTime) -> Vec<LeaseInfo> {
        self.store
            .kv
            .lessor()
            .leases()
            .into_iter()
            .map(|l| LeaseInfo {
                id: l.id,
                granted_ttl: l.ttl,
                remaining_ttl: l.remaining_secs(now),
                keys: l.keys.iter().map(|k| k.to_vec()).collect(),
            })
            .collect()
    }
    /// Every active watch: who watches, what, and from which revision.
    pub fn watches(&self) -> Vec<WatchInfo> {
        self.store
            .watchers()
            .filter_map(|w| {
                let s = self.streams.get(&w.id)?;
                Some(WatchInfo {
                    client: s.client.clone(),
                    watch_id: s.watch_id,
                    key: w.key.clone(),
                    range_end: w.range_end.clone(),
                    start_revision: w.start_revision,
                    // Every watcher is caught up once created: the next write is its next event.
                    next_revision: w.min_rev.max(self.store.kv.current_rev() + 1),
                })
            })
            .collect()
    }
    pub fn nospace_alarm(&self) -> bool {
        self.nospace_alarm
    }

    /// The alarms raised on this member.
    fn alarms(&self) -> Vec<AlarmMember> {
        if self.nospace_alarm {
            vec![AlarmMember {
                member_id: api::MEMBER_ID,
                alarm: AlarmType::Nospace,
            }]
        } else {
            Vec::new()
        }
    }

    /// Clears the alarms `a` names (`AlarmType::None`: all of them); returns those cleared.
    /// Writes are accepted again, and refused again at once if the backend is still over
    /// the quota: compact and defragment first.
    fn disarm(&mut self, a: AlarmMember) -> Vec<AlarmMember> {
        let cleared: Vec<AlarmMember> = self
            .alarms()
            .into_iter()
            .filter(|m| {
                (a.member_id == 0 || a.member_id == m.member_id)
                    && (a.alarm == AlarmType::None || a.alarm == m.alarm)
            })
            .collect();
        if !cleared.is_empty() {
            self.nospace_alarm = false;
        }
        cleared
    }

    // ---- serving ---------------------------------------------------------------------------

    /// Checks a write against the quota (etcd's `quotaKVServer`/`quotaLeaseServer`, before
    /// anything else) and raises the NOSPACE alarm when it does not fit.
    fn check_quota(&mut self, req: &Request) -> Result<(), EtcdError> {
        let cost = quota::quota_cost(req);
        if cost == 0 {
            return Ok(());
        }
        // Either way a refused write costs a raft entry: the alarm's activation when the write
        // does not fit, or the write itself, refused when applied while the alarm is raised.
        if self.store.kv.db_size() + cost >= self.config.quota_backend_bytes {
            self.nospace_alarm = true;
            self.raft_index += 1;
            return Err(EtcdError::NoSpace);
        }
        if self.nospace_alarm {
            self.raft_index += 1;
            return Err(EtcdError::NoSpace);
        }
        Ok(())
    }

    /// The gRPC layer's checks, then the raft proposal's size.
    fn admit(&mut self, req: &Request) -> Result<(), EtcdError> {
        self.check_quota(req)?;
        match req {
            Request::Put(p) => check_put_request(p)?,
            Request::Txn(t) => check_txn_request(t, self.config.max_txn_ops)?,
            Request::DeleteRange(d) if d.key.is_empty() => return Err(EtcdError::EmptyKey),
            Request::Range(r) if r.key.is_empty() => return Err(EtcdError::EmptyKey),
            _ => {}
        }
        if let Some(size) = quota::raft_request_size(req) {
            if size > self.config.max_request_bytes {
                return Err(EtcdError::RequestTooLarge);
            }
            self.raft_index += 1;
        }
        Ok(())
    }

    /// Serves one request: answers it, then sends the watch events its write caused.
    fn serve(&mut self, from: &Addr, id: u64, req: &Request, ctx: &mut Ctx<'_>) {
        if let Err(e) = self.admit(req) {
            ctx.send(from.clone(), Message::EtcdResponse { id, result: Err(e) });
            return;
        }
        let before = self.store.kv.current_rev();
        let kv = &mut self.store.kv;
        let result = match req {
            Request::Range(r) => kv.range_request(r).map(Response::Range),
            Request::Put(p) => kv.put_request(p).map(Response::Put),
            Request::DeleteRange(d) => kv.delete_range_request(d).map(Response::DeleteRange),
            Request::Txn(t) => kv.txn_request(t).map(Response::Txn),
            Request::Compact(c) => kv.compact(c.revision).map(|()| {
                Response::Compact(CompactionResponse {
                    header: header(kv.current_rev()),
                })
            }),
            Request::LeaseGrant(g) => {
                let lease_id = if g.id != 0 {
                    g.id
                } else {
                    // etcd draws IDs from its request-ID generator; any free positive ID will do.
                    loop {
                        let candidate = (ctx.rng().next_u64() >> 1) as i64;
                        if candidate != 0 && !kv.lessor().contains(candidate) {
                            break candidate;
                        }
                    }
                };
                let r = kv.lease_grant(lease_id, g.ttl, ctx.now()).map(|ttl| {
                    Response::LeaseGrant(LeaseGrantResponse {
                        header: header(kv.current_rev()),
                        id: lease_id,
                        ttl,
                        error: String::new(),
                    })
                });
                self.arm_lease_timer(ctx);
                r
            }
            Request::LeaseRevoke { id } => kv.lease_revoke(*id).map(|rev| {
                Response::LeaseRevoke(LeaseRevokeResponse {
                    header: header(rev),
                })
            }),
            Request::LeaseKeepAlive { id } => {
                // etcd answers a keep-alive for an unknown lease with TTL 0 (the client turns
                // that into "requested lease not found").
                let ttl = kv.lessor.renew(*id, ctx.now()).unwrap_or(0);
                let rev = kv.current_rev();
                self.arm_lease_timer(ctx);
                Ok(Response::LeaseKeepAlive(LeaseKeepAliveResponse {
                    header: header(rev),
                    id: *id,
                    ttl,
                }))
            }
            Request::LeaseTimeToLive { id, keys } => {
                let resp = match kv.lessor().lookup(*id) {
                    Some(l) => LeaseTimeToLiveResponse {
                        header: header(kv.current_rev()),
                        id: *id,
                        ttl: l.remaining_secs(ctx.now()),
                        granted_ttl: l.ttl,
                        keys: if *keys {
                            l.keys.iter().map(|k| k.to_vec()).collect()
                        } else {
                            Vec::new()
                        },
                    },
                    // etcd 3.4 answers an unknown lease with TTL -1 rather than an error.
                    None => LeaseTimeToLiveResponse {
                        header: header(kv.current_rev()),
                        id: *id,
                        ttl: -1,
                        granted_ttl: 0,
                        keys: Vec::new(),
                    },
                };
                Ok(Response::LeaseTimeToLive(resp))
            }
            Request::LeaseLeases => Ok(Response::LeaseLeases(LeaseLeasesResponse {
                header: header(kv.current_rev()),
                leases: kv.lessor().leases().iter().map(|l| l.id).collect(),
            })),
            Request::Status => Ok(Response::Status(self.status())),
            Request::MemberList => Ok(Response::MemberList(MemberListResponse {
                header: header(0),
                members: vec![Member {
                    id: api::MEMBER_ID,
                    name: self.config.name.clone(),
                    peer_urls: self.config.peer_urls.clone(),
                    client_urls: self.config.client_urls.clone(),
                    is_learner: false,
                }],
            })),
            Request::Snapshot => Ok(Response::Snapshot {
                header: header(kv.current_rev()),
                data: snapshot::save(kv),
            }),
            Request::AlarmList => Ok(Response::Alarm(AlarmResponse {
                header: header(kv.current_rev()),
                alarms: self.alarms(),
            })),
            Request::AlarmDisarm(a) => {
                let rev = kv.current_rev();
                let cleared = self.disarm(*a);
                Ok(Response::Alarm(AlarmResponse {
                    header: header(rev),
                    alarms: cleared,
                }))
            }
            Request::Defragment => {
                kv.defragment();
                Ok(Response::Defragment(DefragmentResponse {
                    header: header(kv.current_rev()),
                }))
            }
            Request::WatchCreate(w) => {
                self.watch_create(from, id, w, ctx);
                return;
            }
            Request::WatchCancel { watch_id } => {
                self.watch_cancel(from, *watch_id, ctx);
                return;
            }
            Request::WatchProgress => Ok(Response::Watch(WatchResponse {
                header: header(kv.current_rev()),
                // etcd 3.4 answers a progress request once for the whole stream, with ID -1.
                watch_id: -1,
                ..WatchResponse::default()
            })),
        };
        ctx.send(from.clone(), Message::EtcdResponse { id, result });
        let outs = self.store.notify(before);
        self.send_watch_outputs(outs, ctx);
    }

    fn status(&self) -> StatusResponse {
        let kv = &self.store.kv;
        StatusResponse {
            header: header(kv.current_rev()),
            version: api::ETCD_VERSION.to_string(),
            db_size: kv.db_size(),
            leader: api::MEMBER_ID,
            raft_index: self.raft_index,
            raft_term: api::RAFT_TERM,
            raft_applied_index: self.raft_index,
            errors: if self.nospace_alarm {
                vec![format!("memberID:{} alarm:NOSPACE ", api::MEMBER_ID)]
            } else {
                Vec::new()
            },
            db_size_in_use: kv.db_size_in_use(),
            is_learner: false,
        }
    }

    fn watch_create(
        &mut self,
        from: &Addr,
        id: u64,
        w: &api::WatchCreateRequest,
        ctx: &mut Ctx<'_>,
    ) {
        let next = self.next_watch_id.entry(from.clone()).or_insert(0);
        let watch_id = *next;
        *next += 1;
        let rev = self.store.kv.current_rev();
        // etcd's watch server: an empty key means "\x00", the smallest key.
        let normalized;
        let w = if w.key.is_empty() {
            normalized = api::WatchCreateRequest {
                key: vec![0],
                ..w.clone()
            };
            &normalized
        } else {
            w
        };
        let (sid, outs) = self.store.watch(w);
        self.streams.insert(
            sid,
            WatchStream {
                client: from.clone(),
                request_id: id,
                watch_id,
            },
        );
        ctx.send(
            from.clone(),
            Message::EtcdResponse {
                id,
                result: Ok(Response::Watch(WatchResponse {
                    header: header(rev),
                    watch_id,
                    created: true,
                    ..WatchResponse::default()
                })),
            },
        );
        self.send_watch_outputs(outs, ctx);
        if w.progress_notify && !self.progress_timer {
            self.progress_timer = true;
            ctx.timer(PROGRESS_REPORT_INTERVAL, PROGRESS_TIMER);
        }
    }

    fn watch_cancel(&mut self, from: &Addr, watch_id: i64, ctx: &mut Ctx<'_>) {
        let found = self
            .streams
            .iter()
            .find(|(_, s)| &s.client == from && s.watch_id == watch_id)
            .map(|(sid, _)| *sid);
        // Like etcd, an unknown watch ID gets no answer.
        let Some(sid) = found else { return };
        let removed = self.store.cancel(sid);
        assert!(removed, "a watch stream without its watcher");
        let stream = self.streams.remove(&sid).expect("found above");
        ctx.send(
            stream.client,
            Message::EtcdResponse {
                id: stream.request_id,
                result: Ok(Response::Watch(WatchResponse {
                    header: header(self.store.kv.current_rev()),
                    watch_id,
                    canceled: true,
                    ..WatchResponse::default()
                })),
            },
        );
    }

    fn send_watch_outputs(&mut self, outs: Vec<WatchOutput>, ctx: &mut Ctx<'_>) {
        for out in outs {
            let Some(stream) = self.streams.get(&out.watch_id) else {
                panic!("watch {} has no stream", out.watch_id);
            };
            let mut resp = out.response;
            resp.watch_id = stream.watch_id;
            let (client, request_id) = (stream.client.clone(), stream.request_id);
            if resp.canceled {
                self.streams.remove(&out.watch_id);
            }
            ctx.send(
                client,
                Message::EtcdResponse {
                    id: request_id,
                    result: Ok(Response::Watch(resp)),
                },
            );
        }
    }

    /// Sets a timer for the earliest lease expiry unless one is already due by then.
    fn arm_lease_timer(&mut self, ctx: &mut Ctx<'_>) {
        let Some(at) = self.store.kv.lessor().next_expiry() else {
            return;
        };
        if self.lease_timers.iter().any(|&t| t <= at) {
            return;
        }
        self.lease_timers.insert(at);
        let delay = at.as_millis().saturating_sub(ctx.now().as_millis());
        ctx.timer(SimDuration::from_millis(delay), LEASE_TIMER);
    }

    /// Revokes every expired lease (each in its own raft entry and revision, as etcd's lessor
    /// does) and sends the watchers their DELETE events.
    fn expire_leases(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        self.lease_timers.retain(|&t| t > now);
        for id in self.store.kv.lessor().expired(now) {
            let before = self.store.kv.current_rev();
            self.raft_index += 1;
            self.store
                .kv
                .lease_revoke(id)
                .expect("an expired lease exists");
            let outs = self.store.notify(before);
            self.send_watch_outputs(outs, ctx);
        }
        self.arm_lease_timer(ctx);
    }

    fn progress_tick(&mut self, ctx: &mut Ctx<'_>) {
        self.progress_timer = false;
        let outs = self.store.progress_tick();
        self.send_watch_outputs(outs, ctx);
        if self.store.wants_progress_ticks() {
            self.progress_timer = true;
            ctx.timer(PROGRESS_REPORT_INTERVAL, PROGRESS_TIMER);
        }
    }
}

impl Actor for EtcdServer {
    fn addr(&self) -> Addr {
        Addr::Etcd
    }

    fn handle(&mut self, envelope: &Envelope, ctx: &mut Ctx<'_>) {
        match &envelope.message {
            Message::EtcdRequest { id, request } => self.serve(&envelope.from, *id, request, ctx),
            Message::Timer { name } if name == LEASE_TIMER => self.expire_leases(ctx),
            Message::Timer { name } if name == PROGRESS_TIMER => self.progress_tick(ctx),
            // Inputs and responses are not for etcd.
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
