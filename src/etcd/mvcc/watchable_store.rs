//! Watches: etcd's `mvcc/watchable_store.go` and `watcher_group.go`.
//!
//! A watcher follows a key, a prefix or a range from a start revision. One that starts in the
//! past first replays the history still held (etcd's unsynced watchers, caught up in batches of
//! at most 1,000 revisions), then gets every later write as it commits (synced watchers, one
//! response per revision). Events arrive in revision order, each exactly once, so a client can
//! resume from the last event's revision + 1. A watcher whose start revision was compacted is
//! canceled with `compact_revision` set, as etcd does.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::etcd::api::{self, Event, EventType, ResponseHeader, WatchCreateRequest, WatchResponse};
use crate::etcd::mvcc::kvstore::{KeyValue, KvStore, RangeOptions};

/// etcd's `watchBatchMaxRevs`: a catching-up watcher gets at most this many revisions per
/// response.
pub const WATCH_BATCH_MAX_REVS: usize = 1000;

/// One watch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watcher {
    pub id: i64,
    pub key: Vec<u8>,
    /// etcd's conventions: empty for one key, `[0]` for every key `>= key`.
    pub range_end: Vec<u8>,
    /// The start revision the client asked for (0: from the next write).
    pub start_revision: i64,
    /// The next revision this watcher has not seen yet.
    pub min_rev: i64,
    pub prev_kv: bool,
    pub filter_noput: bool,
    pub filter_nodelete: bool,
    pub progress_notify: bool,
    /// Whether an event went out since the last progress tick.
    events_since_tick: bool,
}

impl Watcher {
    /// Whether `key` falls in this watcher's key or range.
    pub fn matches(&self, key: &[u8]) -> bool {
        if self.range_end.is_empty() {
            key == self.key
        } else if self.range_end == [0] {
            key >= &self.key[..]
        } else {
            key >= &self.key[..] && key < &self.range_end[..]
        }
    }

    fn is_single_key(&self) -> bool {
        self.range_end.is_empty()
    }
}

/// A response for one watcher (`watch_id` is the store's id for it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchOutput {
    pub watch_id: i64,
    pub response: WatchResponse,
}

/// The store with its watchers.
#[derive(Clone, Debug)]
pub struct WatchableStore {
    pub kv: KvStore,
    watchers: BTreeMap<i64, Watcher>,
    /// Single-key watchers by key (etcd's watcherSetByKey).
    by_key: BTreeMap<Vec<u8>, BTreeSet<i64>>,
    /// Range and prefix watchers (etcd keeps an interval tree; a list does for a simulation).
    ranges: BTreeSet<i64>,
    next_id: i64,
}

fn header(rev: i64) -> ResponseHeader {
    ResponseHeader {
        cluster_id: api::CLUSTER_ID,
        member_id: api::MEMBER_ID,
        revision: rev,
        raft_term: api::RAFT_TERM,
    }
}

impl WatchableStore {
    pub fn new(kv: KvStore) -> Self {
        WatchableStore {
            kv,
            watchers: BTreeMap::new(),
            by_key: BTreeMap::new(),
            ranges: BTreeSet::new(),
            next_id: 0,
        }
    }

    /// Every active watcher, by id.
    pub fn watchers(&self) -> impl Iterator<Item = &Watcher> {
        self.watchers.values()
    }

    pub fn watcher(&self, id: i64) -> Option<&Watcher> {
        self.watchers.get(&id)
    }

    /// Starts a watch. Returns its id and the responses it gets right away: the replay of
    /// held history when it starts in the past, or its cancellation when that history is
    /// compacted. (The `created` response is the server's to send, before these.)
    pub fn watch(&mut self, req: &WatchCreateRequest) -> (i64, Vec<WatchOutput>) {
        let id = self.next_id;
        self.next_id += 1;
        let cur = self.kv.current_rev();
        let start = req.start_revision;
        let synced = start == 0 || start > cur;
        let mut w = Watcher {
            id,
            key: req.key.clone(),
            range_end: req.range_end.clone(),
            start_revision: start,
            min_rev: if synced { (cur + 1).max(start) } else { start },
            prev_kv: req.prev_kv,
            filter_noput: req.filter_noput,
            filter_nodelete: req.filter_nodelete,
            progress_notify: req.progress_notify,
            events_since_tick: false,
        };
        let mut outs = Vec::new();
        if !synced {
            let compact = self.kv.compact_rev();
            if start < compact {
                // etcd's syncWatchers: the watcher is dropped and told where history begins;
                // the response carries no revision.
                let response = WatchResponse {
                    header: header(0),
                    watch_id: id,
                    canceled: true,
                    compact_revision: compact,
                    ..WatchResponse::default()
                };
                return (
                    id,
                    vec![WatchOutput {
                        watch_id: id,
                        response,
                    }],
                );
            }
            outs = self.replay(&mut w, cur);
        }
        if w.is_single_key() {
            self.by_key.entry(w.key.clone()).or_default().insert(id);
        } else {
            self.ranges.insert(id);
        }
        self.watchers.insert(id, w);
        (id, outs)
    }

    /// Catches `w` up from `w.min_rev` to `cur` in batches of at most 1,000 revisions.
    fn replay(&self, w: &mut Watcher, cur: i64) -> Vec<WatchOutput> {
        let mut outs = Vec::new();
        let mut events: Vec<Event> = Vec::new();
        let mut revs = 0usize;
        let mut last_rev = 0;
        for kv in self.kv.changes(w.min_rev, cur) {
            if !w.matches(&kv.key) {
                continue;
            }
            if kv.mod_revision != last_rev {
                if revs == WATCH_BATCH_MAX_REVS {
                    self.push_batch(w, std::mem::take(&mut events), cur, &mut outs);
                    revs = 0;
                }
                revs += 1;
                last_rev = kv.mod_revision;
            }
            events.push(self.event(kv, w.prev_kv));
        }
        self.push_batch(w, events, cur, &mut outs);
        w.min_rev = cur + 1;
        outs
    }

    /// Filters a batch as etcd's `watcher.send` does; a batch left empty is not sent.
    fn push_batch(
        &self,
        w: &mut Watcher,
        events: Vec<Event>,
        rev: i64,
        outs: &mut Vec<WatchOutput>,
    ) {
        let events: Vec<Event> = events
            .into_iter()
            .filter(|e| match e.kind {
                EventType::Put => !w.filter_noput,
                EventType::Delete => !w.filter_nodelete,
            })
            .collect();
        if events.is_empty() {
            return;
        }
        w.events_since_tick = true;
        outs.push(WatchOutput {
            watch_id: w.id,
            response: WatchResponse {
                header: header(rev),
                watch_id: w.id,
                events,
                ..WatchResponse::default()
            },
        });
    }

    fn event(&self, kv: &KeyValue, prev_kv: bool) -> Event {
        let kind = if kv.is_tombstone() {
            EventType::Delete
        } else {
            EventType::Put
        };
        let is_create = kind == EventType::Put && kv.create_revision == kv.mod_revision;
        let prev = if prev_kv && !is_create {
            let ro = RangeOptions {
                rev: kv.mod_revision - 1,
                ..RangeOptions::default()
            };
            self.kv
                .range(&kv.key, &[], ro)
                .ok()
                .and_then(|rr| rr.kvs.first().map(KeyValue::to_api))
        } else {
            None
        };
        Event {
            kind,
            kv: kv.to_api(),
            prev_kv: prev,
        }
    }

    /// The responses for every write committed after revision `after` (one per watcher and
    /// revision), in revision order. Call after each write.
    pub fn notify(&mut self, after: i64) -> Vec<WatchOutput> {
        let cur = self.kv.current_rev();
        if self.watchers.is_empty() || cur <= after {
            return Vec::new();
        }
        let mut outs = Vec::new();
        for rev in after + 1..=cur {
            let mut batches: BTreeMap<i64, Vec<Event>> = BTreeMap::new();
            for kv in self.kv.changes(rev, rev) {
                if let Some(ids) = self.by_key.get(&kv.key[..]) {
                    for &id in ids {
                        self.add_event(&mut batches, id, kv);
                    }
                }
                for &id in &self.ranges {
                    if self.watchers[&id].matches(&kv.key) {
                        self.add_event(&mut batches, id, kv);
                    }
                }
            }
            for (id, events) in batches {
                let mut w = self.watchers.remove(&id).expect("a registered watcher");
                self.push_batch(&mut w, events, rev, &mut outs);
                w.min_rev = rev + 1;
                self.watchers.insert(id, w);
            }
        }
        outs
    }

    fn add_event(&self, batches: &mut BTreeMap<i64, Vec<Event>>, id: i64, kv: &KeyValue) {
        let w = &self.watchers[&id];
        if kv.mod_revision < w.min_rev {
            return;
        }
        batches
            .entry(id)
            .or_default()
            .push(self.event(kv, w.prev_kv));
    }

    /// Cancels watch `id`; false if there is no such watch.
    pub fn cancel(&mut self, id: i64) -> bool {
        let Some(w) = self.watchers.remove(&id) else {
            return false;
        };
        if w.is_single_key() {
            if let Some(set) = self.by_key.get_mut(&w.key) {
                set.remove(&id);
                if set.is_empty() {
                    self.by_key.remove(&w.key);
                }
            }
        } else {
            self.ranges.remove(&id);
        }
        true
    }

    /// A progress notification for watch `id`: no events, the current revision.
    pub fn progress(&self, id: i64) -> Option<WatchOutput> {
        self.watchers.get(&id).map(|w| WatchOutput {
            watch_id: w.id,
            response: WatchResponse {
                header: header(self.kv.current_rev()),
                watch_id: w.id,
                ..WatchResponse::default()
            },
        })
    }

    /// Whether any watcher asked for periodic progress notifications.
    pub fn wants_progress_ticks(&self) -> bool {
        self.watchers.values().any(|w| w.progress_notify)
    }

    /// The periodic progress tick (etcd's 10-minute `ProgressReportInterval`): every
    /// `progress_notify` watcher that got no event since the last tick is told the revision.
    pub fn progress_tick(&mut self) -> Vec<WatchOutput> {
        let ids: Vec<i64> = self
            .watchers
            .values()
            .filter(|w| w.progress_notify && !w.events_since_tick)
            .map(|w| w.id)
            .collect();
        for w in self.watchers.values_mut() {
            w.events_since_tick = false;
        }
        ids.into_iter().filter_map(|id| self.progress(id)).collect()
    }
}
