//! Snapshots: a saved store restores to the same reads, history, compaction point and leases;
//! corrupt, truncated or foreign bytes are refused and leave the store as it was.

mod etcd_support;

use etcd_support::Harness;
use kubestep::etcd::api::{PutRequest, RangeRequest, Request, Response};
use kubestep::etcd::mvcc::{Bytes, KvStore, RangeOptions};
use kubestep::etcd::snapshot::{self, SnapshotError};
use kubestep::etcd::EtcdConfig;
use kubestep::sim::SimTime;

fn sample() -> KvStore {
    let mut kv = KvStore::new(2, 128);
    kv.lease_grant(0x77, 60, SimTime(0)).unwrap();
    for i in 0..20 {
        kv.put(
            format!("/k/{}", i % 7).as_bytes(),
            Bytes::from(format!("v{i}").as_bytes()),
            0,
        );
    }
    kv.delete_range(b"/k/3", b"");
    kv.put_request(&PutRequest {
        key: b"/leased".to_vec(),
        value: b"x".to_vec(),
        lease: 0x77,
        ..PutRequest::default()
    })
    .unwrap();
    kv.compact(12).unwrap();
    kv.put(b"/k/9", Bytes::from(&b"late"[..]), 0);
    kv
}

fn read_all(kv: &KvStore, rev: i64) -> Vec<kubestep::etcd::api::KeyValue> {
    kv.range_request(&RangeRequest {
        key: vec![0],
        range_end: vec![0],
        revision: rev,
        ..RangeRequest::default()
    })
    .unwrap()
    .kvs
}

#[test]
fn a_snapshot_restores_every_revision_still_held() {
    let kv = sample();
    let data = snapshot::save(&kv);
    let restored = snapshot::restore(&data, 2, 128, SimTime(5_000)).unwrap();
    assert_eq!(restored.current_rev(), kv.current_rev());
    assert_eq!(restored.compact_rev(), 12);
    for rev in 12..=kv.current_rev() {
        assert_eq!(
            read_all(&restored, rev),
            read_all(&kv, rev),
            "revision {rev}"
        );
    }
    assert_eq!(
        restored.range(
            b"/k/",
            b"",
            RangeOptions {
                rev: 11,
                ..RangeOptions::default()
            }
        ),
        Err(kubestep::etcd::api::EtcdError::Compacted)
    );
    assert_eq!(restored.history(b"/k/2"), kv.history(b"/k/2"));
    let lease = restored.lessor().lookup(0x77).expect("lease restored");
    assert_eq!(lease.ttl, 60);
    assert_eq!(
        lease.expiry,
        SimTime(65_000),
        "a restored lease restarts its TTL"
    );
    assert_eq!(lease.keys.len(), 1);
    // The restored store keeps working: the next write takes the next revision.
    let mut restored = restored;
    let rev = restored.put(b"/k/new", Bytes::from(&b"n"[..]), 0);
    assert_eq!(rev, kv.current_rev() + 1);
    assert_eq!(snapshot::save(&kv), data, "saving is deterministic");
}

#[test]
fn status_reports_hash_revision_keys_and_size() {
    let kv = sample();
    let data = snapshot::save(&kv);
    let st = snapshot::status(&data).unwrap();
    assert_eq!(st.revision, kv.current_rev());
    assert_eq!(st.total_size, data.len());
    assert_eq!(st.total_keys, kv.revisions_held() + 1);
    assert_eq!(st.hash, snapshot::crc32c(&data[24..data.len() - 4]));
}

#[test]
fn corrupt_truncated_or_foreign_bytes_are_refused_and_the_store_is_untouched() {
    let mut kv = sample();
    let before = read_all(&kv, 0);
    let data = snapshot::save(&KvStore::new(2, 128));

    let good = snapshot::save(&sample());
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    assert!(matches!(
        kv.restore_from(&flipped, SimTime(0)),
        Err(SnapshotError::HashMismatch { .. })
    ));
    assert!(matches!(
        kv.restore_from(&good[..good.len() - 10], SimTime(0)),
        Err(SnapshotError::Truncated { .. })
    ));
    assert_eq!(
        kv.restore_from(b"SQLite format 3\0 and more", SimTime(0)),
        Err(SnapshotError::InvalidDatabase)
    );
    assert_eq!(
        kv.restore_from(&[], SimTime(0)),
        Err(SnapshotError::InvalidDatabase)
    );
    assert_eq!(
        SnapshotError::InvalidDatabase.to_string(),
        "invalid database"
    );
    assert_eq!(read_all(&kv, 0), before, "the store is untouched");
    // Every prefix of a snapshot is refused, never a panic.
    for cut in 0..good.len() {
        assert!(snapshot::restore(&good[..cut], 2, 128, SimTime(0)).is_err());
    }
    // An empty store round-trips too, and restoring replaces the store.
    kv.restore_from(&data, SimTime(0)).unwrap();
    assert_eq!(kv.current_rev(), 1);
    assert!(read_all(&kv, 0).is_empty());
}

#[test]
fn a_consistent_hash_over_inconsistent_content_is_refused() {
    // Content whose frame and hash are right but whose revisions make no sense.
    let mut payload = Vec::new();
    payload.extend_from_slice(&5i64.to_le_bytes()); // current revision
    payload.extend_from_slice(&(-1i64).to_le_bytes()); // compaction
    payload.extend_from_slice(&9i64.to_le_bytes()); // first revision, beyond current
    payload.extend_from_slice(&1u64.to_le_bytes());
    payload.extend_from_slice(&1u64.to_le_bytes());
    payload.push(0);
    payload.extend_from_slice(&0u64.to_le_bytes()); // no leases
    let mut data = snapshot::MAGIC.to_vec();
    data.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    data.extend_from_slice(&payload);
    data.extend_from_slice(&snapshot::crc32c(&payload).to_le_bytes());
    assert!(matches!(
        snapshot::restore(&data, 2, 128, SimTime(0)),
        Err(SnapshotError::Corrupt(_))
    ));
}

#[test]
fn the_server_streams_a_snapshot_that_restores() {
    let mut h = Harness::new(EtcdConfig::default());
    h.call(Request::Put(PutRequest {
        key: b"a".to_vec(),
        value: b"1".to_vec(),
        ..PutRequest::default()
    }))
    .unwrap();
    let Ok(Response::Snapshot { header, data }) = h.call(Request::Snapshot) else {
        panic!("snapshot failed")
    };
    assert_eq!(header.revision, 2);
    let restored = snapshot::restore(&data, 2, 128, SimTime(0)).unwrap();
    assert_eq!(read_all(&restored, 0), read_all(h.server().kv(), 0));
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut data = snapshot::MAGIC.to_vec();
    data.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    data.extend_from_slice(payload);
    data.extend_from_slice(&snapshot::crc32c(payload).to_le_bytes());
    data
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Content with a valid frame but damaged bytes is refused or restored, never a panic.
    #[test]
    fn damaged_content_with_a_valid_hash_never_panics(
        flips in proptest::collection::vec((0usize..10_000, 0u8..=255), 1..6)
    ) {
        let good = snapshot::save(&sample());
        let mut payload = good[24..good.len() - 4].to_vec();
        for (at, byte) in flips {
            let i = at % payload.len();
            payload[i] = byte;
        }
        let _ = snapshot::restore(&framed(&payload), 2, 128, SimTime(0));
    }
}
