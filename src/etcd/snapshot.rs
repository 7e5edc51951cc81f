//! Snapshots: the whole store as bytes (etcd's `Maintenance.Snapshot`, behind `etcdctl snapshot
//! save`), restoring a store from them (`etcdctl snapshot restore`) and their status
//! (`etcdctl snapshot status`: hash, revision, total keys, total size).
//!
//! A real snapshot is a bbolt database file with a SHA-256 appended; kubestep's is a compact
//! binary encoding of what the store holds (every revision not compacted away, the compaction
//! point, the current revision and the leases) framed by a magic header, its length and a
//! CRC-32C, so corrupt, truncated or foreign bytes are refused before anything is restored.

use crate::etcd::mvcc::kvstore::{KeyValue, KvStore};
use crate::etcd::mvcc::Bytes;
use crate::sim::SimTime;

/// The first bytes of every kubestep etcd snapshot.
pub const MAGIC: &[u8; 16] = b"kubestep-etcd-v1";

/// Why a snapshot was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a snapshot at all (wrong magic bytes).
    InvalidDatabase,
    /// Shorter than its header says.
    Truncated { expected: usize, got: usize },
    /// The content does not match its hash.
    HashMismatch { expected: u32, got: u32 },
    /// The hash matches but the content is inconsistent.
    Corrupt(String),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // bbolt's text for a file that is not a database.
            SnapshotError::InvalidDatabase => f.write_str("invalid database"),
            SnapshotError::Truncated { expected, got } => write!(
                f,
                "snapshot file is truncated: expected {expected} bytes, got {got}"
            ),
            SnapshotError::HashMismatch { expected, got } => write!(
                f,
                "snapshot file integrity check failed: expected hash {expected:08x}, got {got:08x}"
            ),
            SnapshotError::Corrupt(why) => write!(f, "snapshot file is corrupt: {why}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// What `etcdctl snapshot status` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotStatus {
    /// CRC-32C of the snapshot's content (etcd's is a CRC-32C over the database's buckets).
    pub hash: u32,
    pub revision: i64,
    /// Stored entries: every revision held plus every lease (etcd counts the keys of all of
    /// the database's buckets).
    pub total_keys: usize,
    /// The snapshot's size in bytes.
    pub total_size: usize,
}

// ---- CRC-32C (Castagnoli), as etcd hashes its database ------------------------------------

const fn crc32c_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x82F6_3B78
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC32C: [u32; 256] = crc32c_table();

/// CRC-32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC32C[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

// ---- encoding -----------------------------------------------------------------------------

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u64(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// The whole store as snapshot bytes.
pub fn save(kv: &KvStore) -> Vec<u8> {
    let mut payload = Vec::new();
    put_i64(&mut payload, kv.current_rev());
    put_i64(&mut payload, kv.compact_rev());
    let (first_main, revisions) = kv.log_revisions();
    put_i64(&mut payload, first_main);
    put_u64(&mut payload, revisions.len() as u64);
    for changes in revisions {
        put_u64(&mut payload, changes.len() as u64);
        for change in changes {
            match change {
                None => payload.push(0),
                Some(c) => {
                    payload.push(1);
                    put_bytes(&mut payload, &c.key);
                    put_bytes(&mut payload, &c.value);
                    put_i64(&mut payload, c.create_revision);
                    put_i64(&mut payload, c.mod_revision);
                    put_i64(&mut payload, c.version);
                    put_i64(&mut payload, c.lease);
                }
            }
        }
    }
    let leases = kv.lessor().leases();
    put_u64(&mut payload, leases.len() as u64);
    let mut ids: Vec<(i64, i64)> = leases.iter().map(|l| (l.id, l.ttl)).collect();
    ids.sort();
    for (id, ttl) in ids {
        put_i64(&mut payload, id);
        put_i64(&mut payload, ttl);
    }
    let mut out = Vec::with_capacity(payload.len() + 28);
    out.extend_from_slice(MAGIC);
    put_u64(&mut out, payload.len() as u64);
    let hash = crc32c(&payload);
    out.extend_from_slice(&payload);
    out.extend_from_slice(&hash.to_le_bytes());
    out
}

/// Checks the frame and returns the payload with its hash.
fn open(data: &[u8]) -> Result<(&[u8], u32), SnapshotError> {
    if data.len() < MAGIC.len() || &data[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::InvalidDatabase);
    }
    let header = MAGIC.len() + 8;
    if data.len() < header {
        return Err(SnapshotError::Truncated {
            expected: header,
            got: data.len(),
        });
    }
    let len = u64::from_le_bytes(data[MAGIC.len()..header].try_into().expect("8 bytes"));
    let expected = usize::try_from(len)
        .ok()
        .and_then(|l| l.checked_add(header + 4))
        .ok_or_else(|| SnapshotError::Corrupt("impossible length".to_string()))?;
    if data.len() < expected {
        return Err(SnapshotError::Truncated {
            expected,
            got: data.len(),
        });
    }
    if data.len() > expected {
        return Err(SnapshotError::Corrupt(format!(
            "{} bytes after the end",
            data.len() - expected
        )));
    }
    let payload = &data[header..expected - 4];
    let stored = u32::from_le_bytes(data[expected - 4..].try_into().expect("4 bytes"));
    let got = crc32c(payload);
    if stored != got {
        return Err(SnapshotError::HashMismatch {
            expected: stored,
            got,
        });
    }
    Ok((payload, got))
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| SnapshotError::Corrupt("content ends early".to_string()))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn i64(&mut self) -> Result<i64, SnapshotError> {
        Ok(i64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }
    fn len(&mut self) -> Result<usize, SnapshotError> {
        let n = self.u64()?;
        // A count can never exceed the bytes left: refuse before allocating for it.
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.data.len() - self.pos)
            .ok_or_else(|| SnapshotError::Corrupt("impossible count".to_string()))
    }
    fn bytes(&mut self) -> Result<Bytes, SnapshotError> {
        let n = self.len()?;
        Ok(Bytes::from(self.take(n)?))
    }
}

/// Restores a store from snapshot bytes, as a new member would start from them. Leases get
/// their full TTL from `now` (etcd refreshes leases when a member starts). Nothing is touched
/// on failure: the caller keeps its store.
pub fn restore(
    data: &[u8],
    min_lease_ttl: i64,
    max_txn_ops: usize,
    now: SimTime,
) -> Result<KvStore, SnapshotError> {
    let (payload, _) = open(data)?;
    let mut r = Reader {
        data: payload,
        pos: 0,
    };
    let current_rev = r.i64()?;
    let compact_rev = r.i64()?;
    let first_main = r.i64()?;
    let nrevs = r.len()?;
    let mut revisions = Vec::with_capacity(nrevs);
    for _ in 0..nrevs {
        let n = r.len()?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            match r.u8()? {
                0 => changes.push(None),
                1 => {
                    let key = r.bytes()?;
                    let value = r.bytes()?;
                    changes.push(Some(KeyValue {
                        key,
                        value,
                        create_revision: r.i64()?,
                        mod_revision: r.i64()?,
                        version: r.i64()?,
                        lease: r.i64()?,
                    }));
                }
                t => return Err(SnapshotError::Corrupt(format!("unknown entry tag {t}"))),
            }
        }
        revisions.push(changes);
    }
    let nleases = r.len()?;
    let mut leases = Vec::with_capacity(nleases);
    for _ in 0..nleases {
        leases.push((r.i64()?, r.i64()?));
    }
    if r.pos != payload.len() {
        return Err(SnapshotError::Corrupt("trailing content".to_string()));
    }
    let mut kv = KvStore::rebuild(
        min_lease_ttl,
        max_txn_ops,
        current_rev,
        compact_rev,
        first_main,
        revisions,
    )
    .map_err(SnapshotError::Corrupt)?;
    for (id, ttl) in leases {
        if id == 0 || ttl < 1 || kv.lessor().contains(id) {
            return Err(SnapshotError::Corrupt(format!("bad lease {id:x}")));
        }
        kv.restore_lease(id, ttl, now);
    }
    kv.reattach_leases().map_err(SnapshotError::Corrupt)?;
    Ok(kv)
}

/// `etcdctl snapshot status` for snapshot bytes.
pub fn status(data: &[u8]) -> Result<SnapshotStatus, SnapshotError> {
    let (payload, hash) = open(data)?;
    let kv = restore(data, 1, usize::MAX, SimTime::ZERO)?;
    debug_assert!(!payload.is_empty());
    Ok(SnapshotStatus {
        hash,
        revision: kv.current_rev(),
        total_keys: kv.revisions_held() + kv.lessor().len(),
        total_size: data.len(),
    })
}

impl KvStore {
    /// Replaces this store with the one in `data`; on error this store is left as it was.
    pub fn restore_from(&mut self, data: &[u8], now: SimTime) -> Result<(), SnapshotError> {
        let restored = restore(data, self.lessor().min_ttl(), self.max_txn_ops(), now)?;
        *self = restored;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }
}
