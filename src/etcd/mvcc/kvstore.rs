//! The MVCC key-value store: etcd's `mvcc/kvstore.go` and `kvstore_txn.go`, with the request
//! rules etcd applies on top of it in `etcdserver/apply.go` (range filters, sort and limit;
//! txn compares and branches; put's prev_kv/ignore_value/ignore_lease; compaction).
//!
//! Layout, for speed: the key index (`BTreeMap<key, KeyIndex>`, etcd's treeIndex) says which
//! revisions a key has; the revision log (etcd's backend `key` bucket) holds the key-values by
//! revision in one dense vector indexed by main revision, so reading a revision is an array
//! access. Keys and values are shared bytes ([`Bytes`]): a read clones pointers, not values.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use crate::etcd::api::{
    self, Compare, CompareResult, CompareTarget, DeleteRangeRequest, DeleteRangeResponse,
    EtcdError, PutRequest, PutResponse, RangeRequest, RangeResponse, RequestOp, ResponseHeader,
    ResponseOp, SortOrder, SortTarget, TxnRequest, TxnResponse,
};
use crate::etcd::lessor::Lessor;
use crate::etcd::mvcc::key_index::KeyIndex;
use crate::etcd::mvcc::revision::Revision;
use crate::etcd::mvcc::Bytes;
use crate::sim::SimTime;

/// Bytes a stored revision costs beyond its key and value (etcd's backend keeps a 17-byte
/// revision key and the protobuf-encoded `KeyValue` with its four revision fields).
pub const REVISION_OVERHEAD: i64 = 64;
/// Bytes a lease costs in the backend (etcd's quota `leaseOverhead`).
pub const LEASE_OVERHEAD: i64 = 64;

/// One stored version of a key (`mvccpb.KeyValue` as etcd's backend holds it). A tombstone
/// (delete) has `create_revision == 0`, `version == 0` and an empty value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Bytes,
    pub value: Bytes,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
    pub lease: i64,
}

impl KeyValue {
    pub fn is_tombstone(&self) -> bool {
        self.create_revision == 0
    }

    /// The wire form (copies key and value).
    pub fn to_api(&self) -> api::KeyValue {
        api::KeyValue {
            key: self.key.to_vec(),
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
            value: self.value.to_vec(),
            lease: self.lease,
        }
    }

    fn size(&self) -> i64 {
        (self.key.len() + self.value.len()) as i64 + REVISION_OVERHEAD
    }
}

/// The revision log: every change still held, by revision. Main revisions are contiguous
/// (a revision exists only if its transaction changed something), so `starts[m - first_main]`
/// locates main revision `m` and its sub revisions follow it.
#[derive(Clone, Debug, Default)]
pub(crate) struct RevLog {
    first_main: i64,
    /// Index into `entries` of each main revision's first change.
    starts: Vec<usize>,
    /// `None` once compacted away.
    entries: Vec<Option<KeyValue>>,
}

impl RevLog {
    fn next_main(&self) -> Option<i64> {
        if self.starts.is_empty() {
            None
        } else {
            Some(self.first_main + self.starts.len() as i64)
        }
    }

    fn push(&mut self, rev: Revision, kv: KeyValue) {
        if rev.sub == 0 {
            match self.next_main() {
                None => self.first_main = rev.main,
                Some(next) => assert_eq!(next, rev.main, "revision log: main revisions skip"),
            }
            self.starts.push(self.entries.len());
        } else {
            let last = self.first_main + self.starts.len() as i64 - 1;
            assert_eq!(
                last, rev.main,
                "revision log: sub revision of an old revision"
            );
            let start = self.starts[self.starts.len() - 1];
            assert_eq!(self.entries.len() - start, rev.sub as usize);
        }
        self.entries.push(Some(kv));
    }

    /// The span of `entries` holding main revision `main`.
    fn span(&self, main: i64) -> Option<std::ops::Range<usize>> {
        if self.starts.is_empty() || main < self.first_main {
            return None;
        }
        let i = usize::try_from(main - self.first_main).ok()?;
        let start = *self.starts.get(i)?;
        let end = self
            .starts
            .get(i + 1)
            .copied()
            .unwrap_or(self.entries.len());
        Some(start..end)
    }

    pub(crate) fn get(&self, rev: Revision) -> Option<&KeyValue> {
        let span = self.span(rev.main)?;
        let idx = span.start + rev.sub as usize;
        if idx >= span.end {
            return None;
        }
        self.entries[idx].as_ref()
    }

    /// Every change held with main revision in `from..=to`, in revision order.
    pub(crate) fn changes(&self, from: i64, to: i64) -> impl Iterator<Item = &KeyValue> + '_ {
        let from = from.max(self.first_main);
        let start = self
            .span(from)
            .map(|s| s.start)
            .unwrap_or(self.entries.len());
        let end = self
            .span(to)
            .map(|s| s.end)
            .unwrap_or(if to >= self.first_main {
                self.entries.len()
            } else {
                0
            });
        let end = end.max(start);
        self.entries[start..end].iter().flatten()
    }

    /// Drops every change with main revision `<= at` that is not in `keep`; returns the bytes
    /// freed. Leading revisions left with nothing are removed from the vectors.
    fn compact(&mut self, at: i64, keep: &BTreeSet<Revision>) -> i64 {
        let mut freed = 0;
        for i in 0..self.starts.len() {
            let main = self.first_main + i as i64;
            if main > at {
                break;
            }
            let start = self.starts[i];
            let end = self
                .starts
                .get(i + 1)
                .copied()
                .unwrap_or(self.entries.len());
            for (sub, slot) in self.entries[start..end].iter_mut().enumerate() {
                if let Some(kv) = slot {
                    if !keep.contains(&Revision::new(main, sub as i64)) {
                        freed += kv.size();
                        *slot = None;
                    }
                }
            }
        }
        // Drop the leading run of fully compacted revisions.
        let mut drop_revs = 0;
        while drop_revs < self.starts.len() {
            let start = self.starts[drop_revs];
            let end = self
                .starts
                .get(drop_revs + 1)
                .copied()
                .unwrap_or(self.entries.len());
            if self.entries[start..end].iter().any(Option::is_some) {
                break;
            }
            drop_revs += 1;
        }
        if drop_revs > 0 {
            let cut = self
                .starts
                .get(drop_revs)
                .copied()
                .unwrap_or(self.entries.len());
            self.entries.drain(..cut);
            self.starts.drain(..drop_revs);
            for s in &mut self.starts {
                *s -= cut;
            }
            self.first_main += drop_revs as i64;
        }
        freed
    }

    /// Number of changes still held.
    fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.is_some()).count()
    }
}

/// etcd's `mvcc.RangeOptions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RangeOptions {
    pub limit: i64,
    pub rev: i64,
    pub count: bool,
}

/// etcd's `mvcc.RangeResult`: `count` is every key in the range, `kvs` at most `limit` of them,
/// `rev` the store's revision the read ran at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeResult {
    pub kvs: Vec<KeyValue>,
    pub rev: i64,
    pub count: i64,
}

/// A write transaction in progress: every change gets main revision `begin_rev + 1` and the
/// next sub revision; the store's revision moves only if something changed.
#[derive(Clone, Copy, Debug)]
struct Write {
    begin_rev: i64,
    changes: i64,
}

impl Write {
    /// The revision reads inside the transaction see (its own writes included).
    fn read_rev(&self) -> i64 {
        if self.changes > 0 {
            self.begin_rev + 1
        } else {
            self.begin_rev
        }
    }
}

/// The store: key index, revision log, lessor and the size the quota watches.
#[derive(Clone, Debug)]
pub struct KvStore {
    index: BTreeMap<Bytes, KeyIndex>,
    pub(crate) log: RevLog,
    current_rev: i64,
    /// Reads below this revision fail as compacted (-1 before the first compaction).
    compact_main_rev: i64,
    pub(crate) lessor: Lessor,
    /// Bytes held by revisions and leases now.
    size_in_use: i64,
    /// The backend file's size: it grows with writes and shrinks only on defragmentation,
    /// as bbolt's does.
    db_size: i64,
    max_txn_ops: usize,
}

/// The size of a fresh etcd 3.4 database file (bbolt's initial pages), as `etcdctl endpoint
/// status` reports it for an empty member.
pub const EMPTY_DB_SIZE: i64 = 20_480;

impl KvStore {
    /// An empty store at revision 1, as a fresh etcd member starts.
    pub fn new(min_lease_ttl: i64, max_txn_ops: usize) -> Self {
        KvStore {
            index: BTreeMap::new(),
            log: RevLog::default(),
            current_rev: 1,
            compact_main_rev: -1,
            lessor: Lessor::new(min_lease_ttl),
            size_in_use: 0,
            db_size: EMPTY_DB_SIZE,
            max_txn_ops,
        }
    }

    pub fn current_rev(&self) -> i64 {
        self.current_rev
    }
    /// The last compaction's revision (-1 if never compacted).
    pub fn compact_rev(&self) -> i64 {
        self.compact_main_rev
    }
    pub fn lessor(&self) -> &Lessor {
        &self.lessor
    }
    pub fn max_txn_ops(&self) -> usize {
        self.max_txn_ops
    }
    /// The backend's size in bytes (what the quota compares with).
    pub fn db_size(&self) -> i64 {
        self.db_size
    }
    /// Bytes actually held by revisions and leases.
    pub fn db_size_in_use(&self) -> i64 {
        EMPTY_DB_SIZE + self.size_in_use
    }
    /// Number of revisions (changes) held, like the entries of etcd's `key` bucket.
    pub fn revisions_held(&self) -> usize {
        self.log.len()
    }
    /// Number of keys in the index (live or with history still held).
    pub fn keys_indexed(&self) -> usize {
        self.index.len()
    }

    /// Rewrites the backend without its free pages (`etcdctl defrag`): the file shrinks to what
    /// is in use.
    pub fn defragment(&mut self) {
        self.db_size = self.db_size_in_use();
    }

    fn grow(&mut self, bytes: i64) {
        self.size_in_use += bytes;
        self.db_size = self.db_size.max(self.db_size_in_use());
    }

    fn header(rev: i64) -> ResponseHeader {
        ResponseHeader {
            cluster_id: api::CLUSTER_ID,
            member_id: api::MEMBER_ID,
            revision: rev,
            raft_term: api::RAFT_TERM,
        }
    }

    /// A header with only the revision, as etcd puts inside a txn's responses.
    fn sub_header(rev: i64) -> ResponseHeader {
        ResponseHeader {
            revision: rev,
            ..ResponseHeader::default()
        }
    }

    fn index_range<'a>(
        &'a self,
        key: &'a [u8],
        end: &'a [u8],
    ) -> std::collections::btree_map::Range<'a, Bytes, KeyIndex> {
        let bounds: (Bound<&[u8]>, Bound<&[u8]>) = if end.is_empty() {
            (Bound::Included(key), Bound::Included(key))
        } else if end == [0] {
            (Bound::Included(key), Bound::Unbounded)
        } else if key < end {
            (Bound::Included(key), Bound::Excluded(end))
        } else {
            // An empty interval.
            (Bound::Included(key), Bound::Excluded(key))
        };
        self.index.range::<[u8], _>(bounds)
    }

    fn kv_at(&self, rev: Revision) -> &KeyValue {
        self.log
            .get(rev)
            .unwrap_or_else(|| panic!("key index names revision {rev} missing from the log"))
    }

    // ---- mvcc-level reads and writes -------------------------------------------------------

    /// Reads `[key, end)` (etcd's `range_end` conventions) at `ro.rev` (0: now).
    pub fn range(
        &self,
        key: &[u8],
        end: &[u8],
        ro: RangeOptions,
    ) -> Result<RangeResult, EtcdError> {
        self.range_at(key, end, self.current_rev, ro)
    }

    fn range_at(
        &self,
        key: &[u8],
        end: &[u8],
        cur_rev: i64,
        ro: RangeOptions,
    ) -> Result<RangeResult, EtcdError> {
        if ro.rev > cur_rev {
            return Err(EtcdError::FutureRev);
        }
        let rev = if ro.rev <= 0 { cur_rev } else { ro.rev };
        if rev < self.compact_main_rev {
            return Err(EtcdError::Compacted);
        }
        let limit = if ro.limit <= 0 {
            usize::MAX
        } else {
            usize::try_from(ro.limit).unwrap_or(usize::MAX)
        };
        if end.is_empty() {
            // One key: a single descent of the index instead of a range's two.
            let kv = self
                .index
                .get(key)
                .and_then(|ki| ki.get(rev))
                .map(|e| self.kv_at(e.modified));
            let count = i64::from(kv.is_some());
            let kvs = match kv {
                Some(kv) if !ro.count && limit > 0 => vec![kv.clone()],
                _ => Vec::new(),
            };
            return Ok(RangeResult {
                kvs,
                rev: cur_rev,
                count,
            });
        }
        let mut kvs = Vec::new();
        let mut count = 0i64;
        for (_, ki) in self.index_range(key, end) {
            if let Some(e) = ki.get(rev) {
                count += 1;
                if !ro.count && kvs.len() < limit {
                    kvs.push(self.kv_at(e.modified).clone());
                }
            }
        }
        Ok(RangeResult {
            kvs,
            rev: cur_rev,
            count,
        })
    }

    /// Puts `key` in one transaction; returns the new revision.
    pub fn put(&mut self, key: &[u8], value: Bytes, lease: i64) -> i64 {
        let mut w = self.begin();
        self.put_in(&mut w, key, value, lease);
        self.end(w)
    }

    /// Deletes `[key, end)` in one transaction; returns how many keys and the revision.
    pub fn delete_range(&mut self, key: &[u8], end: &[u8]) -> (i64, i64) {
        let mut w = self.begin();
        let n = self.delete_range_in(&mut w, key, end);
        let rev = self.end(w);
        (n, rev)
    }

    fn begin(&self) -> Write {
        Write {
            begin_rev: self.current_rev,
            changes: 0,
        }
    }

    /// Ends a write: the store's revision moves if anything changed. Returns the revision.
    fn end(&mut self, w: Write) -> i64 {
        if w.changes > 0 {
            self.current_rev += 1;
            debug_assert_eq!(self.current_rev, w.begin_rev + 1);
        }
        self.current_rev
    }

    fn put_in(&mut self, w: &mut Write, key: &[u8], value: Bytes, lease: i64) {
        let rev = w.begin_rev + 1;
        let idx_rev = Revision::new(rev, w.changes);
        let (key_bytes, create_rev, version, old_lease) = match self.index.get_key_value(key) {
            Some((k, ki)) if !ki.is_deleted() => {
                let g = ki.generations.last().expect("a generation");
                let old = self.kv_at(ki.modified);
                (k.clone(), g.created.main, g.ver + 1, old.lease)
            }
            Some((k, _)) => (k.clone(), rev, 1, 0),
            None => (Bytes::from(key), rev, 1, 0),
        };
        let kv = KeyValue {
            key: key_bytes.clone(),
            value,
            create_revision: create_rev,
            mod_revision: rev,
            version,
            lease,
        };
        self.grow(kv.size());
        self.index
            .entry(key_bytes.clone())
            .or_default()
            .put(idx_rev);
        self.log.push(idx_rev, kv);
        if old_lease != 0 {
            self.lessor.detach(old_lease, key);
        }
        if lease != 0 {
            self.lessor.attach(lease, &key_bytes);
        }
        w.changes += 1;
    }

    fn delete_range_in(&mut self, w: &mut Write, key: &[u8], end: &[u8]) -> i64 {
        let rrev = w.read_rev();
        let keys: Vec<Bytes> = self
            .index_range(key, end)
            .filter(|(_, ki)| ki.get(rrev).is_some())
            .map(|(k, _)| k.clone())
            .collect();
        for k in &keys {
            self.delete_in(w, k);
        }
        keys.len() as i64
    }

    fn delete_in(&mut self, w: &mut Write, key: &Bytes) {
        let rev = w.begin_rev + 1;
        let idx_rev = Revision::new(rev, w.changes);
        let ki = self.index.get(&key[..]).expect("deleting an indexed key");
        let old_lease = self.kv_at(ki.modified).lease;
        let kv = KeyValue {
            key: key.clone(),
            value: Bytes::from(&[][..]),
            create_revision: 0,
            mod_revision: rev,
            version: 0,
            lease: 0,
        };
        self.grow(kv.size());
        self.index
            .get_mut(&key[..])
            .expect("deleting an indexed key")
            .tombstone(idx_rev);
        self.log.push(idx_rev, kv);
        if old_lease != 0 {
            self.lessor.detach(old_lease, key);
        }
        w.changes += 1;
    }

    /// Compacts the history at `rev` (etcd's `store.Compact`): reads below `rev` fail from now
    /// on, and every revision no read at or after `rev` can see is dropped.
    pub fn compact(&mut self, rev: i64) -> Result<(), EtcdError> {
        if rev <= self.compact_main_rev {
            return Err(EtcdError::CompactedCompaction);
        }
        if rev > self.current_rev {
            return Err(EtcdError::FutureRevCompaction);
        }
        self.compact_main_rev = rev;
        let mut available = BTreeSet::new();
        let mut gone = Vec::new();
        for (k, ki) in self.index.iter_mut() {
            ki.compact(rev, &mut available);
            if ki.is_empty() {
                gone.push(k.clone());
            }
        }
        for k in gone {
            self.index.remove(&k);
        }
        let freed = self.log.compact(rev, &available);
        self.size_in_use -= freed;
        assert!(self.size_in_use >= 0, "store size went negative");
        Ok(())
    }

    // ---- etcd's apply layer: requests as clients send them ----------------------------------

    /// A `Range` request (etcd's `applierV3backend.Range`).
    pub fn range_request(&self, r: &RangeRequest) -> Result<RangeResponse, EtcdError> {
        if r.key.is_empty() {
            return Err(EtcdError::EmptyKey);
        }
        let mut resp = self.apply_range(self.current_rev, r)?;
        resp.header = Self::header(resp.header.revision);
        Ok(resp)
    }

    fn apply_range(&self, cur_rev: i64, r: &RangeRequest) -> Result<RangeResponse, EtcdError> {
        let filtered = r.min_mod_revision != 0
            || r.max_mod_revision != 0
            || r.min_create_revision != 0
            || r.max_create_revision != 0;
        // etcd fetches everything when it must sort or filter, and one extra key otherwise so
        // that it can tell whether there is `more`.
        let mut limit = if r.sort_order != SortOrder::None || filtered {
            0
        } else {
            r.limit
        };
        if limit > 0 {
            limit = limit.saturating_add(1);
        }
        let ro = RangeOptions {
            limit,
            rev: r.revision,
            count: r.count_only,
        };
        let mut rr = self.range_at(&r.key, &r.range_end, cur_rev, ro)?;
        if r.max_mod_revision != 0 {
            rr.kvs.retain(|kv| kv.mod_revision <= r.max_mod_revision);
        }
        if r.min_mod_revision != 0 {
            rr.kvs.retain(|kv| kv.mod_revision >= r.min_mod_revision);
        }
        if r.max_create_revision != 0 {
            rr.kvs
                .retain(|kv| kv.create_revision <= r.max_create_revision);
        }
        if r.min_create_revision != 0 {
            rr.kvs
                .retain(|kv| kv.create_revision >= r.min_create_revision);
        }
        let mut order = r.sort_order;
        // The index returns keys ascending, so only a non-key target needs a default order.
        if r.sort_target != SortTarget::Key && order == SortOrder::None {
            order = SortOrder::Ascend;
        }
        if order != SortOrder::None {
            // Stable, so ties keep key order (etcd's sort.Sort leaves ties unspecified).
            match r.sort_target {
                SortTarget::Key => rr.kvs.sort_by(|a, b| a.key.cmp(&b.key)),
                SortTarget::Version => rr.kvs.sort_by_key(|kv| kv.version),
                SortTarget::Create => rr.kvs.sort_by_key(|kv| kv.create_revision),
                SortTarget::Mod => rr.kvs.sort_by_key(|kv| kv.mod_revision),
                SortTarget::Value => rr.kvs.sort_by(|a, b| a.value.cmp(&b.value)),
            }
            if order == SortOrder::Descend {
                rr.kvs.reverse();
            }
        }
        let mut more = false;
        let max = usize::try_from(r.limit).unwrap_or(usize::MAX);
        if r.limit > 0 && rr.kvs.len() > max {
            rr.kvs.truncate(max);
            more = true;
        }
        let kvs = rr
            .kvs
            .iter()
            .map(|kv| {
                let mut out = kv.to_api_key_only(r.keys_only);
                if r.keys_only {
                    out.value.clear();
                }
                out
            })
            .collect();
        Ok(RangeResponse {
            header: Self::sub_header(rr.rev),
            kvs,
            more,
            count: rr.count,
        })
    }

    /// Checks a put before anything is written (etcd's `checkRequestPut`): its lease must exist,
    /// and the key must exist when the put keeps its value or lease.
    fn check_put(&self, p: &PutRequest) -> Result<(), EtcdError> {
        if p.ignore_value || p.ignore_lease {
            let rr = self.range(&p.key, &[], RangeOptions::default())?;
            if rr.kvs.is_empty() {
                return Err(EtcdError::KeyNotFound);
            }
        }
        if p.lease != 0 && !self.lessor.contains(p.lease) {
            return Err(EtcdError::LeaseNotFound);
        }
        Ok(())
    }

    /// A `Put` request (validation of `v3rpc.checkPutRequest`, then `applierV3backend.Put`).
    pub fn put_request(&mut self, p: &PutRequest) -> Result<PutResponse, EtcdError> {
        check_put_request(p)?;
        self.check_put(p)?;
        let mut w = self.begin();
        let mut resp = self.apply_put(&mut w, p);
        let rev = self.end(w);
        resp.header = Self::header(rev);
        Ok(resp)
    }

    fn apply_put(&mut self, w: &mut Write, p: &PutRequest) -> PutResponse {
        let mut prev = None;
        if p.prev_kv || p.ignore_value || p.ignore_lease {
            let ro = RangeOptions::default();
            let rr = self
                .range_at(&p.key, &[], w.read_rev(), ro)
                .expect("reading the current revision cannot fail");
            prev = rr.kvs.into_iter().next();
        }
        let value = if p.ignore_value {
            prev.as_ref().expect("checked: key exists").value.clone()
        } else {
            Bytes::from(&p.value[..])
        };
        let lease = if p.ignore_lease {
            prev.as_ref().expect("checked: key exists").lease
        } else {
            p.lease
        };
        self.put_in(w, &p.key, value, lease);
        PutResponse {
            header: Self::sub_header(w.begin_rev + 1),
            prev_kv: if p.prev_kv {
                prev.map(|kv| kv.to_api())
            } else {
                None
            },
        }
    }

    /// A `DeleteRange` request.
    pub fn delete_range_request(
        &mut self,
        d: &DeleteRangeRequest,
    ) -> Result<DeleteRangeResponse, EtcdError> {
        if d.key.is_empty() {
            return Err(EtcdError::EmptyKey);
        }
        let mut w = self.begin();
        let mut resp = self.apply_delete_range(&mut w, d);
        let rev = self.end(w);
        resp.header = Self::header(rev);
        Ok(resp)
    }

    fn apply_delete_range(&mut self, w: &mut Write, d: &DeleteRangeRequest) -> DeleteRangeResponse {
        let mut prev_kvs = Vec::new();
        if d.prev_kv {
            let rr = self
                .range_at(&d.key, &d.range_end, w.read_rev(), RangeOptions::default())
                .expect("reading the current revision cannot fail");
            prev_kvs = rr.kvs.iter().map(KeyValue::to_api).collect();
        }
        let n = self.delete_range_in(w, &d.key, &d.range_end);
        // etcd's storeTxnWrite.DeleteRange: the txn's next revision once anything changed.
        let rev = if n != 0 || w.changes > 0 {
            w.begin_rev + 1
        } else {
            w.begin_rev
        };
        DeleteRangeResponse {
            header: Self::sub_header(rev),
            deleted: n,
            prev_kvs,
        }
    }

    /// A `Txn` request: validated, compares evaluated against the store as it is, then the
    /// chosen branches run as one transaction (one revision, or none if nothing changed).
    pub fn txn_request(&mut self, t: &TxnRequest) -> Result<TxnResponse, EtcdError> {
        check_txn_request(t, self.max_txn_ops)?;
        check_intervals(&t.success)?;
        check_intervals(&t.failure)?;
        let rv = self.current_rev;
        let path = self.compare_to_path(rv, t);
        self.check_requests(t, &path, &mut 0)?;
        let mut w = self.begin();
        let mut resp = self.apply_txn(&mut w, t, &path, &mut 0);
        let rev = self.end(w);
        resp.header = Self::header(rev);
        Ok(resp)
    }

    /// Whether a txn only reads (etcd serves those without raft, quota or size checks).
    pub fn is_txn_readonly(t: &TxnRequest) -> bool {
        t.success.iter().chain(t.failure.iter()).all(|op| match op {
            RequestOp::Range(_) => true,
            RequestOp::Txn(inner) => Self::is_txn_readonly(inner),
            RequestOp::Put(_) | RequestOp::DeleteRange(_) => false,
        })
    }

    /// The branch every (nested) txn takes, in the order they run (etcd's `compareToPath`).
    fn compare_to_path(&self, rev: i64, t: &TxnRequest) -> Vec<bool> {
        let ok = t.compare.iter().all(|c| self.apply_compare(rev, c));
        let mut path = vec![ok];
        let ops = if ok { &t.success } else { &t.failure };
        for op in ops {
            if let RequestOp::Txn(inner) = op {
                path.extend(self.compare_to_path(rev, inner));
            }
        }
        path
    }

    fn apply_compare(&self, rev: i64, c: &Compare) -> bool {
        let rr = match self.range_at(&c.key, &c.range_end, rev, RangeOptions::default()) {
            Ok(rr) => rr,
            Err(_) => return false,
        };
        if rr.kvs.is_empty() {
            // A value compare on a missing key always fails: there is no value to compare.
            if matches!(c.target, CompareTarget::Value(_)) {
                return false;
            }
            return compare_kv(c, None);
        }
        rr.kvs.iter().all(|kv| compare_kv(c, Some(kv)))
    }

    /// Checks the ops on the chosen path before anything is written: puts (lease, existing key)
    /// and ranges (revision neither compacted nor in the future).
    fn check_requests(
        &self,
        t: &TxnRequest,
        path: &[bool],
        at: &mut usize,
    ) -> Result<(), EtcdError> {
        let ok = path[*at];
        *at += 1;
        let ops = if ok { &t.success } else { &t.failure };
        for op in ops {
            match op {
                RequestOp::Put(p) => self.check_put(p)?,
                RequestOp::Range(r) if r.revision != 0 => {
                    if r.revision > self.current_rev {
                        return Err(EtcdError::FutureRev);
                    }
                    if r.revision < self.compact_main_rev {
                        return Err(EtcdError::Compacted);
                    }
                }
                RequestOp::Txn(inner) => self.check_requests(inner, path, at)?,
                RequestOp::Range(_) | RequestOp::DeleteRange(_) => {}
            }
        }
        Ok(())
    }

    fn apply_txn(
        &mut self,
        w: &mut Write,
        t: &TxnRequest,
        path: &[bool],
        at: &mut usize,
    ) -> TxnResponse {
        let succeeded = path[*at];
        *at += 1;
        let ops = if succeeded { &t.success } else { &t.failure };
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            let resp = match op {
                RequestOp::Range(r) => ResponseOp::Range(
                    self.apply_range(w.read_rev(), r)
                        .expect("checked before the txn ran"),
                ),
                RequestOp::Put(p) => ResponseOp::Put(self.apply_put(w, p)),
                RequestOp::DeleteRange(d) => ResponseOp::DeleteRange(self.apply_delete_range(w, d)),
                RequestOp::Txn(inner) => ResponseOp::Txn(self.apply_txn(w, inner, path, at)),
            };
            responses.push(resp);
        }
        TxnResponse {
            header: ResponseHeader::default(),
            succeeded,
            responses,
        }
    }

    // ---- leases ---------------------------------------------------------------------------

    /// Grants lease `id` (non-zero) with `ttl` seconds at `now`; returns the granted TTL.
    pub fn lease_grant(&mut self, id: i64, ttl: i64, now: SimTime) -> Result<i64, EtcdError> {
        let granted = self.lessor.grant(id, ttl, now)?.ttl;
        self.grow(LEASE_OVERHEAD);
        Ok(granted)
    }

    /// Revokes lease `id`: its keys are deleted in one transaction (one revision, or none if
    /// it had no keys). Returns the store's revision afterwards.
    pub fn lease_revoke(&mut self, id: i64) -> Result<i64, EtcdError> {
        let lease = self.lessor.remove(id).ok_or(EtcdError::LeaseNotFound)?;
        self.size_in_use -= LEASE_OVERHEAD;
        let mut w = self.begin();
        for key in &lease.keys {
            self.delete_in(&mut w, key);
        }
        Ok(self.end(w))
    }

    // ---- inspection (read-only, for the UI and snapshots) ---------------------------------

    /// Every live key with its current metadata, in key order.
    pub fn live_keys(&self) -> Vec<KeyValue> {
        self.index
            .values()
            .filter(|ki| !ki.is_deleted())
            .map(|ki| self.kv_at(ki.modified).clone())
            .collect()
    }

    /// Every revision of `key` still held (puts and tombstones), oldest first.
    pub fn history(&self, key: &[u8]) -> Vec<KeyValue> {
        match self.index.get(key) {
            None => Vec::new(),
            Some(ki) => ki
                .since(0)
                .into_iter()
                .filter_map(|r| self.log.get(r).cloned())
                .collect(),
        }
    }

    /// Every change held with main revision in `from..=to`, in revision order.
    pub fn changes(&self, from: i64, to: i64) -> impl Iterator<Item = &KeyValue> + '_ {
        self.log.changes(from, to)
    }

    /// Every held revision with its change, in order (for snapshots).
    pub(crate) fn all_changes(&self) -> Vec<(Revision, &KeyValue)> {
        let mut out = Vec::with_capacity(self.log.entries.len());
        for (i, &start) in self.log.starts.iter().enumerate() {
            let main = self.log.first_main + i as i64;
            let end = self
                .log
                .starts
                .get(i + 1)
                .copied()
                .unwrap_or(self.log.entries.len());
            for (sub, e) in self.log.entries[start..end].iter().enumerate() {
                if let Some(kv) = e {
                    out.push((Revision::new(main, sub as i64), kv));
                }
            }
        }
        out
    }

    /// The revision log as saved in a snapshot: its first main revision and, for each main
    /// revision from there on, its changes (`None` where compacted away).
    pub(crate) fn log_revisions(&self) -> (i64, Vec<&[Option<KeyValue>]>) {
        let mut out = Vec::with_capacity(self.log.starts.len());
        for i in 0..self.log.starts.len() {
            let start = self.log.starts[i];
            let end = self
                .log
                .starts
                .get(i + 1)
                .copied()
                .unwrap_or(self.log.entries.len());
            out.push(&self.log.entries[start..end]);
        }
        (self.log.first_main, out)
    }

    /// Rebuilds a store from a snapshot's content: the revision log as
    /// [`KvStore::log_revisions`] gives it, the current revision and the compaction point. The
    /// key index is rebuilt by replaying the log. Inconsistent content is refused.
    pub(crate) fn rebuild(
        min_lease_ttl: i64,
        max_txn_ops: usize,
        current_rev: i64,
        compact_rev: i64,
        first_main: i64,
        revisions: Vec<Vec<Option<KeyValue>>>,
    ) -> Result<Self, String> {
        let mut s = KvStore::new(min_lease_ttl, max_txn_ops);
        // Far beyond any real store: refused so later writes cannot overflow.
        if !(1..=i64::MAX / 2).contains(&current_rev)
            || compact_rev < -1
            || compact_rev > current_rev
        {
            return Err(format!(
                "revision {current_rev} with compaction at {compact_rev} is impossible"
            ));
        }
        if !revisions.is_empty() {
            let last = i64::try_from(revisions.len())
                .ok()
                .and_then(|n| first_main.checked_add(n - 1))
                .unwrap_or(i64::MAX);
            if first_main < 2 || last > current_rev {
                return Err(format!(
                    "revisions {first_main}..={last} do not fit under revision {current_rev}"
                ));
            }
        }
        s.current_rev = current_rev;
        s.compact_main_rev = compact_rev;
        s.log.first_main = first_main;
        for changes in revisions {
            if changes.is_empty() {
                return Err("a revision without changes".to_string());
            }
            s.log.starts.push(s.log.entries.len());
            s.log.entries.extend(changes);
        }
        let held: Vec<(Revision, KeyValue)> = s
            .all_changes()
            .into_iter()
            .map(|(r, kv)| (r, kv.clone()))
            .collect();
        for (rev, kv) in held {
            if kv.mod_revision != rev.main || kv.key.is_empty() {
                return Err(format!("revision {rev} holds a mismatched key-value"));
            }
            s.index_restored(rev, &kv)?;
        }
        Ok(s)
    }

    fn index_restored(&mut self, rev: Revision, kv: &KeyValue) -> Result<(), String> {
        self.grow(kv.size());
        let ki = self.index.entry(kv.key.clone()).or_default();
        if kv.is_tombstone() {
            if ki.is_deleted() {
                return Err(format!("revision {rev} deletes a key that does not exist"));
            }
            ki.tombstone(rev);
        } else {
            if kv.version < 1 || kv.create_revision > kv.mod_revision {
                return Err(format!("revision {rev} has impossible metadata"));
            }
            ki.put(rev);
            // The held revisions may begin mid-generation (older ones compacted): the
            // generation's creation and version come from the key-value itself.
            let g = ki.generations.last_mut().expect("a generation");
            g.created = Revision::new(kv.create_revision, 0);
            g.ver = kv.version;
        }
        Ok(())
    }

    pub(crate) fn restore_lease(&mut self, id: i64, ttl: i64, now: SimTime) {
        self.lessor.restore(id, ttl, now);
        self.grow(LEASE_OVERHEAD);
    }

    /// Re-attaches every live key to its lease (after a restore).
    pub(crate) fn reattach_leases(&mut self) -> Result<(), String> {
        for kv in self.live_keys() {
            if kv.lease != 0 {
                if !self.lessor.contains(kv.lease) {
                    return Err(format!(
                        "key {:?} names lease {:x} that the snapshot lacks",
                        String::from_utf8_lossy(&kv.key),
                        kv.lease
                    ));
                }
                self.lessor.attach(kv.lease, &kv.key);
            }
        }
        Ok(())
    }
}

impl KeyValue {
    fn to_api_key_only(&self, keys_only: bool) -> api::KeyValue {
        api::KeyValue {
            key: self.key.to_vec(),
            create_revision: self.create_revision,
            mod_revision: self.mod_revision,
            version: self.version,
            value: if keys_only {
                Vec::new()
            } else {
                self.value.to_vec()
            },
            lease: self.lease,
        }
    }
}

fn compare_kv(c: &Compare, kv: Option<&KeyValue>) -> bool {
    use std::cmp::Ordering;
    let ord: Ordering = match &c.target {
        CompareTarget::Value(v) => match kv {
            Some(kv) => kv.value[..].cmp(&v[..]),
            None => return false,
        },
        CompareTarget::Version(v) => kv.map_or(0, |kv| kv.version).cmp(v),
        CompareTarget::Create(v) => kv.map_or(0, |kv| kv.create_revision).cmp(v),
        CompareTarget::Mod(v) => kv.map_or(0, |kv| kv.mod_revision).cmp(v),
        CompareTarget::Lease(v) => kv.map_or(0, |kv| kv.lease).cmp(v),
    };
    match c.result {
        CompareResult::Equal => ord == Ordering::Equal,
        CompareResult::Greater => ord == Ordering::Greater,
        CompareResult::Less => ord == Ordering::Less,
        CompareResult::NotEqual => ord != Ordering::Equal,
    }
}

/// etcd's `v3rpc.checkPutRequest`.
pub fn check_put_request(p: &PutRequest) -> Result<(), EtcdError> {
    if p.key.is_empty() {
        return Err(EtcdError::EmptyKey);
    }
    if p.ignore_value && !p.value.is_empty() {
        return Err(EtcdError::ValueProvided);
    }
    if p.ignore_lease && p.lease != 0 {
        return Err(EtcdError::LeaseProvided);
    }
    Ok(())
}

/// etcd's `v3rpc.checkTxnRequest`: operation count and keys, recursively.
pub fn check_txn_request(t: &TxnRequest, max_txn_ops: usize) -> Result<(), EtcdError> {
    let opc = t.compare.len().max(t.success.len()).max(t.failure.len());
    if opc > max_txn_ops {
        return Err(EtcdError::TooManyOps);
    }
    if t.compare.iter().any(|c| c.key.is_empty()) {
        return Err(EtcdError::EmptyKey);
    }
    for op in t.success.iter().chain(t.failure.iter()) {
        match op {
            RequestOp::Range(r) if r.key.is_empty() => return Err(EtcdError::EmptyKey),
            RequestOp::Put(p) => check_put_request(p)?,
            RequestOp::DeleteRange(d) if d.key.is_empty() => return Err(EtcdError::EmptyKey),
            RequestOp::Txn(inner) => check_txn_request(inner, max_txn_ops)?,
            _ => {}
        }
    }
    Ok(())
}

/// A deleted interval `[start, end)`; `end == None` is a single key, `Some([])` unbounded.
type Interval = (Vec<u8>, Option<Vec<u8>>);

fn interval_contains(iv: &Interval, key: &[u8]) -> bool {
    match &iv.1 {
        None => iv.0 == key,
        Some(end) if end.is_empty() || end[..] == [0] => key >= &iv.0[..],
        Some(end) => key >= &iv.0[..] && key < &end[..],
    }
}

/// etcd's `v3rpc.checkIntervals`: no key may be put twice or both put and deleted in one
/// txn (the two branches of a nested txn may put the same key: only one of them runs).
fn check_intervals(ops: &[RequestOp]) -> Result<(BTreeSet<Vec<u8>>, Vec<Interval>), EtcdError> {
    let mut dels: Vec<Interval> = ops
        .iter()
        .filter_map(|op| match op {
            RequestOp::DeleteRange(d) => Some((
                d.key.clone(),
                if d.range_end.is_empty() {
                    None
                } else {
                    Some(d.range_end.clone())
                },
            )),
            _ => None,
        })
        .collect();
    let deleted = |dels: &[Interval], k: &[u8]| dels.iter().any(|iv| interval_contains(iv, k));
    let mut puts: BTreeSet<Vec<u8>> = BTreeSet::new();
    for op in ops {
        let RequestOp::Txn(inner) = op else { continue };
        let (puts_then, dels_then) = check_intervals(&inner.success)?;
        let (puts_else, dels_else) = check_intervals(&inner.failure)?;
        for k in &puts_then {
            if puts.contains(k) || deleted(&dels, k) {
                return Err(EtcdError::DuplicateKey);
            }
            puts.insert(k.clone());
        }
        for k in &puts_else {
            if puts.contains(k) && !puts_then.contains(k) {
                return Err(EtcdError::DuplicateKey);
            }
            if deleted(&dels, k) {
                return Err(EtcdError::DuplicateKey);
            }
            puts.insert(k.clone());
        }
        dels.extend(dels_then);
        dels.extend(dels_else);
    }
    for op in ops {
        let RequestOp::Put(p) = op else { continue };
        if puts.contains(&p.key) || deleted(&dels, &p.key) {
            return Err(EtcdError::DuplicateKey);
        }
        puts.insert(p.key.clone());
    }
    Ok((puts, dels))
}
