//! The MVCC store against a plain reference model: a map of every version of every key.
//!
//! Random sequences of puts, deletes, txns, compactions, ranges (at past revisions, with
//! limits, sorting, filters) and watches (from past revisions, with prev_kv) run on both; every
//! read, revision, count/more, error and watch event must agree.

use std::collections::BTreeMap;

use kubestep::etcd::api::{
    Compare, CompareResult, CompareTarget, DeleteRangeRequest, EtcdError, Event, EventType,
    KeyValue, PutRequest, RangeRequest, RequestOp, ResponseOp, SortOrder, SortTarget, TxnRequest,
    WatchCreateRequest,
};
use kubestep::etcd::mvcc::{KvStore, WatchableStore};
use kubestep::etcd::prefix_end;
use proptest::prelude::*;

// ---- the reference model --------------------------------------------------------------------

/// One version of a key: `None` value for a delete.
#[derive(Clone, Debug)]
struct Version {
    rev: i64,
    kv: Option<KeyValue>,
}

#[derive(Clone, Debug, Default)]
struct Model {
    versions: BTreeMap<Vec<u8>, Vec<Version>>,
    rev: i64,
    compacted: i64,
    /// Every event ever, in revision order.
    events: Vec<Event>,
}

fn in_range(key: &[u8], start: &[u8], end: &[u8]) -> bool {
    if end.is_empty() {
        key == start
    } else if end == [0] {
        key >= start
    } else {
        key >= start && key < end
    }
}

impl Model {
    fn new() -> Self {
        Model {
            rev: 1,
            compacted: -1,
            ..Model::default()
        }
    }

    fn get(&self, key: &[u8], rev: i64) -> Option<KeyValue> {
        self.versions
            .get(key)?
            .iter()
            .rev()
            .find(|v| v.rev <= rev)
            .and_then(|v| v.kv.clone())
    }

    fn read(&self, start: &[u8], end: &[u8], rev: i64) -> Vec<KeyValue> {
        self.versions
            .keys()
            .filter(|k| in_range(k, start, end))
            .filter_map(|k| self.get(k, rev))
            .collect()
    }

    /// etcd's Range semantics, spelled out plainly.
    fn range(&self, r: &RangeRequest, cur: i64) -> Result<(Vec<KeyValue>, bool, i64), EtcdError> {
        if r.revision > cur {
            return Err(EtcdError::FutureRev);
        }
        let rev = if r.revision <= 0 { cur } else { r.revision };
        if rev < self.compacted {
            return Err(EtcdError::Compacted);
        }
        let all = self.read(&r.key, &r.range_end, rev);
        let count = all.len() as i64;
        if r.count_only {
            return Ok((vec![], false, count));
        }
        let filtered = r.min_mod_revision != 0
            || r.max_mod_revision != 0
            || r.min_create_revision != 0
            || r.max_create_revision != 0;
        // Without an explicit order or filters etcd reads only limit + 1 keys (in key order)
        // before sorting by a non-key target.
        let mut kvs = if r.sort_order == SortOrder::None && !filtered && r.limit > 0 {
            all.into_iter().take(r.limit as usize + 1).collect()
        } else {
            all
        };
        kvs.retain(|kv| r.max_mod_revision == 0 || kv.mod_revision <= r.max_mod_revision);
        kvs.retain(|kv| kv.mod_revision >= r.min_mod_revision);
        kvs.retain(|kv| r.max_create_revision == 0 || kv.create_revision <= r.max_create_revision);
        kvs.retain(|kv| kv.create_revision >= r.min_create_revision);
        let sorted = r.sort_order != SortOrder::None || r.sort_target != SortTarget::Key;
        if sorted {
            match r.sort_target {
                SortTarget::Key => kvs.sort_by(|a, b| a.key.cmp(&b.key)),
                SortTarget::Version => kvs.sort_by_key(|kv| kv.version),
                SortTarget::Create => kvs.sort_by_key(|kv| kv.create_revision),
                SortTarget::Mod => kvs.sort_by_key(|kv| kv.mod_revision),
                SortTarget::Value => kvs.sort_by(|a, b| a.value.cmp(&b.value)),
            }
            if r.sort_order == SortOrder::Descend {
                kvs.reverse();
            }
        }
        let mut more = false;
        if r.limit > 0 && kvs.len() > r.limit as usize {
            kvs.truncate(r.limit as usize);
            more = true;
        }
        if r.keys_only {
            for kv in &mut kvs {
                kv.value.clear();
            }
        }
        Ok((kvs, more, count))
    }

    fn write_put(&mut self, key: &[u8], value: &[u8], rev: i64) {
        let prev = self.get(key, rev);
        let kv = KeyValue {
            key: key.to_vec(),
            create_revision: prev.as_ref().map_or(rev, |p| p.create_revision),
            mod_revision: rev,
            version: prev.as_ref().map_or(1, |p| p.version + 1),
            value: value.to_vec(),
            lease: 0,
        };
        self.versions
            .entry(key.to_vec())
            .or_default()
            .push(Version {
                rev,
                kv: Some(kv.clone()),
            });
        self.events.push(Event {
            kind: EventType::Put,
            kv,
            prev_kv: None,
        });
    }

    fn write_delete(&mut self, key: &[u8], rev: i64) {
        self.versions
            .entry(key.to_vec())
            .or_default()
            .push(Version { rev, kv: None });
        self.events.push(Event {
            kind: EventType::Delete,
            kv: KeyValue {
                key: key.to_vec(),
                mod_revision: rev,
                ..KeyValue::default()
            },
            prev_kv: None,
        });
    }

    fn compare(&self, c: &Compare) -> bool {
        let kvs = self.read(&c.key, &c.range_end, self.rev);
        let cmp = |kv: Option<&KeyValue>| {
            let ord = match &c.target {
                CompareTarget::Value(v) => match kv {
                    Some(kv) => kv.value.cmp(v),
                    None => return false,
                },
                CompareTarget::Version(v) => kv.map_or(0, |k| k.version).cmp(v),
                CompareTarget::Create(v) => kv.map_or(0, |k| k.create_revision).cmp(v),
                CompareTarget::Mod(v) => kv.map_or(0, |k| k.mod_revision).cmp(v),
                CompareTarget::Lease(v) => kv.map_or(0, |k| k.lease).cmp(v),
            };
            match c.result {
                CompareResult::Equal => ord.is_eq(),
                CompareResult::NotEqual => ord.is_ne(),
                CompareResult::Greater => ord.is_gt(),
                CompareResult::Less => ord.is_lt(),
            }
        };
        if kvs.is_empty() {
            cmp(None)
        } else {
            kvs.iter().all(|kv| cmp(Some(kv)))
        }
    }
}

// ---- operations -----------------------------------------------------------------------------

const KEYS: &[&str] = &["a", "ab", "abc", "b", "ba", "c"];

#[derive(Clone, Debug)]
enum Op {
    Put(usize, u8),
    Delete(Span),
    Txn(Vec<Compare>, Vec<TxnOp>, Vec<TxnOp>),
    /// Compact at the current revision minus this (negative: a future revision).
    Compact(i64),
    Range(RangeRequest),
    Watch(Span, WatchStart, bool),
}

#[derive(Clone, Debug)]
enum WatchStart {
    /// From the next write (start revision 0).
    Now,
    /// From the compaction point plus this offset (-1 is already compacted).
    Compacted(i64),
    Revision(i64),
}

#[derive(Clone, Debug)]
enum TxnOp {
    Put(usize, u8),
    Delete(usize),
    Get(usize),
}

#[derive(Clone, Debug)]
enum Span {
    Key(usize),
    Prefix(usize),
    Between(usize, usize),
    FromKey(usize),
    All,
}

impl Span {
    fn bounds(&self) -> (Vec<u8>, Vec<u8>) {
        match self {
            Span::Key(k) => (KEYS[*k].into(), vec![]),
            Span::Prefix(k) => (KEYS[*k].into(), prefix_end(KEYS[*k].as_bytes())),
            Span::Between(a, b) => (KEYS[*a].into(), KEYS[*b].into()),
            Span::FromKey(k) => (KEYS[*k].into(), vec![0]),
            Span::All => (vec![0], vec![0]),
        }
    }
}

fn span() -> impl Strategy<Value = Span> {
    let k = 0..KEYS.len();
    prop_oneof![
        k.clone().prop_map(Span::Key),
        k.clone().prop_map(Span::Prefix),
        (k.clone(), k.clone()).prop_map(|(a, b)| Span::Between(a, b)),
        k.prop_map(Span::FromKey),
        Just(Span::All),
    ]
}

fn compare() -> impl Strategy<Value = Compare> {
    let target = prop_oneof![
        (0i64..4).prop_map(CompareTarget::Version),
        (0i64..12).prop_map(CompareTarget::Create),
        (0i64..12).prop_map(CompareTarget::Mod),
        (0u8..3).prop_map(|v| CompareTarget::Value(format!("v{v}").into_bytes())),
    ];
    let result = prop_oneof![
        Just(CompareResult::Equal),
        Just(CompareResult::NotEqual),
        Just(CompareResult::Greater),
        Just(CompareResult::Less),
    ];
    (result, target, span()).prop_map(|(result, target, s)| {
        let (key, range_end) = s.bounds();
        Compare {
            result,
            target,
            key,
            range_end,
        }
    })
}

fn txn_op() -> impl Strategy<Value = TxnOp> {
    let k = 0..KEYS.len();
    prop_oneof![
        (k.clone(), 0u8..3).prop_map(|(k, v)| TxnOp::Put(k, v)),
        k.clone().prop_map(TxnOp::Delete),
        k.prop_map(TxnOp::Get),
    ]
}

fn range_request() -> impl Strategy<Value = RangeRequest> {
    let order = prop_oneof![
        Just(SortOrder::None),
        Just(SortOrder::Ascend),
        Just(SortOrder::Descend)
    ];
    let target = prop_oneof![
        Just(SortTarget::Key),
        Just(SortTarget::Version),
        Just(SortTarget::Create),
        Just(SortTarget::Mod),
        Just(SortTarget::Value),
    ];
    (
        span(),
        0i64..4,
        -1i64..14,
        order,
        target,
        any::<(bool, bool)>(),
        prop_oneof![Just((0, 0)), (0i64..10, 0i64..12)],
    )
        .prop_map(
            |(s, limit, revision, sort_order, sort_target, (keys_only, count_only), (min, max))| {
                let (key, range_end) = s.bounds();
                RangeRequest {
                    key,
                    range_end,
                    limit,
                    revision,
                    sort_order,
                    sort_target,
                    keys_only,
                    count_only,
                    min_mod_revision: min,
                    max_mod_revision: max,
                    ..RangeRequest::default()
                }
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..KEYS.len(), 0u8..3).prop_map(|(k, v)| Op::Put(k, v)),
        2 => span().prop_map(Op::Delete),
        2 => (
            prop::collection::vec(compare(), 0..3),
            prop::collection::vec(txn_op(), 0..4),
            prop::collection::vec(txn_op(), 0..4)
        )
            .prop_map(|(c, s, f)| Op::Txn(c, s, f)),
        1 => (-1i64..5).prop_map(Op::Compact),
        4 => range_request().prop_map(Op::Range),
        1 => (
            span(),
            prop_oneof![
                Just(WatchStart::Now),
                (-1i64..2).prop_map(WatchStart::Compacted),
                (1i64..14).prop_map(WatchStart::Revision)
            ],
            any::<bool>()
        )
            .prop_map(|(s, r, p)| Op::Watch(s, r, p)),
    ]
}

fn to_request_ops(ops: &[TxnOp]) -> Vec<RequestOp> {
    ops.iter()
        .map(|op| match op {
            TxnOp::Put(k, v) => RequestOp::Put(PutRequest {
                key: KEYS[*k].into(),
                value: format!("v{v}").into_bytes(),
                ..PutRequest::default()
            }),
            TxnOp::Delete(k) => RequestOp::DeleteRange(DeleteRangeRequest {
                key: KEYS[*k].into(),
                ..DeleteRangeRequest::default()
            }),
            TxnOp::Get(k) => RequestOp::Range(RangeRequest {
                key: KEYS[*k].into(),
                ..RangeRequest::default()
            }),
        })
        .collect()
}

/// Whether a branch puts a key twice or puts and deletes one (etcd refuses the txn).
fn has_duplicate(ops: &[TxnOp]) -> bool {
    let puts: Vec<usize> = ops
        .iter()
        .filter_map(|o| match o {
            TxnOp::Put(k, _) => Some(*k),
            _ => None,
        })
        .collect();
    let dels: Vec<usize> = ops
        .iter()
        .filter_map(|o| match o {
            TxnOp::Delete(k) => Some(*k),
            _ => None,
        })
        .collect();
    puts.iter()
        .enumerate()
        .any(|(i, k)| puts[i + 1..].contains(k) || dels.contains(k))
}

/// A watcher as the model sees it: what it asked for and everything it got.
struct ModelWatch {
    store_id: i64,
    span: (Vec<u8>, Vec<u8>),
    start: i64,
    prev_kv: bool,
    canceled_at: Option<i64>,
    events: Vec<Event>,
    /// The revision of the last event batch, to check batches never go back.
    last_batch_rev: i64,
    /// The compaction point when the watch started.
    compacted_at_start: i64,
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut store = WatchableStore::new(KvStore::new(2, 128));
    let mut model = Model::new();
    let mut watches: Vec<ModelWatch> = Vec::new();
    // The model's history of prev_kv values at the moment each event is sent: prev_kv is read
    // at mod_revision - 1, which compaction may already have removed.
    for op in ops {
        let before = store.kv.current_rev();
        match op {
            Op::Put(k, v) => {
                let p = PutRequest {
                    key: KEYS[k].into(),
                    value: format!("v{v}").into_bytes(),
                    prev_kv: true,
                    ..PutRequest::default()
                };
                let resp = store.kv.put_request(&p).unwrap();
                let prev = model.get(KEYS[k].as_bytes(), model.rev);
                model.rev += 1;
                model.write_put(KEYS[k].as_bytes(), &p.value, model.rev);
                prop_assert_eq!(resp.header.revision, model.rev);
                prop_assert_eq!(resp.prev_kv, prev);
            }
            Op::Delete(s) => {
                let (key, range_end) = s.bounds();
                let d = DeleteRangeRequest {
                    key: key.clone(),
                    range_end: range_end.clone(),
                    prev_kv: true,
                };
                let resp = store.kv.delete_range_request(&d).unwrap();
                let gone = model.read(&key, &range_end, model.rev);
                if !gone.is_empty() {
                    model.rev += 1;
                    for kv in &gone {
                        model.write_delete(&kv.key, model.rev);
                    }
                }
                prop_assert_eq!(resp.deleted, gone.len() as i64);
                prop_assert_eq!(resp.prev_kvs, gone);
                prop_assert_eq!(resp.header.revision, model.rev);
            }
            Op::Txn(compares, success, failure) => {
                let t = TxnRequest {
                    compare: compares.clone(),
                    success: to_request_ops(&success),
                    failure: to_request_ops(&failure),
                };
                let result = store.kv.txn_request(&t);
                if has_duplicate(&success) || has_duplicate(&failure) {
                    prop_assert_eq!(result, Err(EtcdError::DuplicateKey));
                    continue;
                }
                let resp = result.unwrap();
                let ok = compares.iter().all(|c| model.compare(c));
                prop_assert_eq!(resp.succeeded, ok);
                let branch = if ok { &success } else { &failure };
                let next = model.rev + 1;
                let mut changed = false;
                for (op, r) in branch.iter().zip(resp.responses.iter()) {
                    let read_rev = if changed { next } else { model.rev };
                    match (op, r) {
                        (TxnOp::Put(k, v), ResponseOp::Put(p)) => {
                            model.write_put(KEYS[*k].as_bytes(), format!("v{v}").as_bytes(), next);
                            changed = true;
                            prop_assert_eq!(p.header.revision, next);
                        }
                        (TxnOp::Delete(k), ResponseOp::DeleteRange(d)) => {
                            let exists = model.get(KEYS[*k].as_bytes(), read_rev).is_some();
                            if exists {
                                model.write_delete(KEYS[*k].as_bytes(), next);
                                changed = true;
                            }
                            prop_assert_eq!(d.deleted, i64::from(exists));
                        }
                        (TxnOp::Get(k), ResponseOp::Range(g)) => {
                            let want: Vec<KeyValue> = model
                                .get(KEYS[*k].as_bytes(), read_rev)
                                .into_iter()
                                .collect();
                            prop_assert_eq!(&g.kvs, &want);
                            prop_assert_eq!(g.header.revision, read_rev);
                        }
                        (op, r) => prop_assert!(false, "{op:?} answered with {r:?}"),
                    }
                }
                prop_assert_eq!(resp.responses.len(), branch.len());
                if changed {
                    model.rev = next;
                }
                prop_assert_eq!(resp.header.revision, model.rev, "one txn, one revision");
            }
            Op::Compact(back) => {
                let rev = model.rev - back;
                let result = store.kv.compact(rev);
                if rev <= model.compacted {
                    prop_assert_eq!(result, Err(EtcdError::CompactedCompaction));
                } else if rev > model.rev {
                    prop_assert_eq!(result, Err(EtcdError::FutureRevCompaction));
                } else {
                    prop_assert_eq!(result, Ok(()));
                    model.compacted = rev;
                }
            }
            Op::Range(r) => {
                let got = store.kv.range_request(&r);
                match model.range(&r, model.rev) {
                    Err(e) => prop_assert_eq!(got, Err(e)),
                    Ok((kvs, more, count)) => {
                        let got = got.unwrap();
                        prop_assert_eq!(&got.kvs, &kvs, "range {:?}", r);
                        prop_assert_eq!(got.more, more, "more of {:?}", r);
                        prop_assert_eq!(got.count, count, "count of {:?}", r);
                        prop_assert_eq!(got.header.revision, model.rev);
                    }
                }
            }
            Op::Watch(s, start, prev_kv) => {
                let (key, range_end) = s.bounds();
                let start = match start {
                    WatchStart::Now => 0,
                    WatchStart::Compacted(offset) => (model.compacted + offset).max(1),
                    WatchStart::Revision(r) => r,
                };
                let (id, outs) = store.watch(&WatchCreateRequest {
                    key: key.clone(),
                    range_end: range_end.clone(),
                    start_revision: start,
                    prev_kv,
                    ..WatchCreateRequest::default()
                });
                let mut w = ModelWatch {
                    store_id: id,
                    span: (key, range_end),
                    start: if start == 0 { model.rev + 1 } else { start },
                    prev_kv,
                    canceled_at: None,
                    events: Vec::new(),
                    last_batch_rev: 0,
                    compacted_at_start: model.compacted,
                };
                if start != 0 && start <= model.rev && start < model.compacted {
                    w.canceled_at = Some(model.compacted);
                }
                for o in outs {
                    if o.response.canceled {
                        prop_assert_eq!(Some(o.response.compact_revision), w.canceled_at);
                        continue;
                    }
                    prop_assert!(w.canceled_at.is_none());
                    prop_assert!(o.response.header.revision >= w.last_batch_rev);
                    w.last_batch_rev = o.response.header.revision;
                    // Replayed prev_kvs are read now, against what compaction left.
                    for e in o.response.events {
                        let want = expected_prev(&model, &e, prev_kv);
                        prop_assert_eq!(&e.prev_kv, &want);
                        w.events.push(e);
                    }
                }
                watches.push(w);
                continue;
            }
        }
        // Synced watchers: one response per new revision, events of that revision only.
        for o in store.notify(before) {
            let w = watches
                .iter_mut()
                .find(|w| w.store_id == o.watch_id)
                .expect("a known watcher");
            prop_assert!(w.canceled_at.is_none(), "a canceled watch got events");
            let rev = o.response.header.revision;
            prop_assert!(rev > w.last_batch_rev, "batches go forward");
            w.last_batch_rev = rev;
            for e in o.response.events {
                prop_assert_eq!(e.kv.mod_revision, rev, "atomic: one response per revision");
                let want = expected_prev(&model, &e, w.prev_kv);
                prop_assert_eq!(&e.prev_kv, &want);
                w.events.push(e);
            }
        }
    }
    // Reliable, ordered, unique: each watcher got exactly the model's events in its span from
    // its start revision, in revision order, each once. As in etcd, a watch starting at the
    // compaction point misses deletes at that revision: compaction dropped their tombstones.
    for w in &watches {
        if w.canceled_at.is_some() {
            prop_assert!(w.events.is_empty());
            continue;
        }
        let want: Vec<(EventType, KeyValue)> = model
            .events
            .iter()
            .filter(|e| e.kv.mod_revision >= w.start && in_range(&e.kv.key, &w.span.0, &w.span.1))
            .filter(|e| !(e.kind == EventType::Delete && e.kv.mod_revision <= w.compacted_at_start))
            .map(|e| (e.kind, e.kv.clone()))
            .collect();
        let got: Vec<(EventType, KeyValue)> =
            w.events.iter().map(|e| (e.kind, e.kv.clone())).collect();
        prop_assert_eq!(got, want);
    }
    Ok(())
}

/// What etcd attaches as an event's prev_kv: the key at `mod_revision - 1`, unless the event
/// creates the key, or that revision is compacted by the time the event is sent.
fn expected_prev(model: &Model, e: &Event, wanted: bool) -> Option<KeyValue> {
    let creates = e.kind == EventType::Put && e.kv.create_revision == e.kv.mod_revision;
    let at = e.kv.mod_revision - 1;
    if !wanted || creates || at < model.compacted {
        return None;
    }
    model.get(&e.kv.key, at)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_store_agrees_with_the_reference_model(ops in prop::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
