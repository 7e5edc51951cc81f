//! Watch guarantees through the simulation bus, named after etcd's robustness checks
//! (`tests/robustness/validate`): ordered, unique, atomic, reliable, resumable; plus progress
//! notifications and filters.

mod etcd_support;

use etcd_support::Harness;
use kubestep::etcd::api::{
    DeleteRangeRequest, Event, EventType, PutRequest, Request, RequestOp, Response, TxnRequest,
    WatchCreateRequest,
};
use kubestep::etcd::EtcdConfig;
use kubestep::sim::{Rng, SimDuration};

fn watch_all(start_revision: i64) -> Request {
    Request::WatchCreate(WatchCreateRequest {
        key: vec![0],
        range_end: vec![0],
        start_revision,
        ..WatchCreateRequest::default()
    })
}

fn put(key: &str, value: &str) -> RequestOp {
    RequestOp::Put(PutRequest {
        key: key.into(),
        value: value.into(),
        ..PutRequest::default()
    })
}

/// Sends a random mix of puts, deletes and multi-key txns, back to back, without waiting.
fn random_writes(h: &mut Harness, seed: u64, n: usize) {
    let mut rng = Rng::seed_from_u64(seed);
    for i in 0..n {
        let k = |rng: &mut Rng| format!("k{}", rng.below(6));
        let req = match rng.below(4) {
            0 | 1 => Request::Put(PutRequest {
                key: k(&mut rng).into(),
                value: format!("v{i}").into(),
                ..PutRequest::default()
            }),
            2 => Request::DeleteRange(DeleteRangeRequest {
                key: k(&mut rng).into(),
                ..DeleteRangeRequest::default()
            }),
            _ => Request::Txn(TxnRequest {
                compare: vec![],
                success: vec![
                    put(&format!("t{}a", rng.below(3)), "x"),
                    put(&format!("t{}b", rng.below(3)), "y"),
                ],
                failure: vec![],
            }),
        };
        h.send(req);
    }
}

fn events(h: &Harness, stream: u64) -> Vec<Event> {
    h.watch_responses(stream)
        .into_iter()
        .flat_map(|r| r.events)
        .collect()
}

fn current_rev(h: &mut Harness) -> i64 {
    match h.call(Request::Status) {
        Ok(Response::Status(s)) => s.header.revision,
        other => panic!("status failed: {other:?}"),
    }
}

#[test]
fn ordered_events_never_go_back_in_revision() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(watch_all(0));
    random_writes(&mut h, 1, 200);
    h.sim.run_until_idle();
    let evs = events(&h, w);
    assert!(!evs.is_empty());
    assert!(evs
        .windows(2)
        .all(|p| p[0].kv.mod_revision <= p[1].kv.mod_revision));
}

#[test]
fn unique_events_arrive_once() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(watch_all(0));
    random_writes(&mut h, 2, 200);
    h.sim.run_until_idle();
    let mut seen = std::collections::BTreeSet::new();
    for e in events(&h, w) {
        assert!(
            seen.insert((e.kv.mod_revision, e.kv.key.clone())),
            "event {e:?} twice"
        );
    }
}

#[test]
fn atomic_a_txn_is_one_revision_in_one_response() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(watch_all(0));
    h.send(Request::Txn(TxnRequest {
        compare: vec![],
        success: vec![put("a", "1"), put("b", "2"), put("c", "3")],
        failure: vec![],
    }));
    h.sim.run_until_idle();
    let rs = h.watch_responses(w);
    assert_eq!(rs.len(), 2, "created, then one batch");
    let revs: Vec<i64> = rs[1].events.iter().map(|e| e.kv.mod_revision).collect();
    assert_eq!(revs, vec![2, 2, 2]);
    assert_eq!(rs[1].header.revision, 2);
}

#[test]
fn reliable_every_revision_reaches_a_watcher_of_all_keys() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(watch_all(0));
    random_writes(&mut h, 3, 300);
    h.sim.run_until_idle();
    let rev = current_rev(&mut h);
    let revs: std::collections::BTreeSet<i64> =
        events(&h, w).iter().map(|e| e.kv.mod_revision).collect();
    let want: std::collections::BTreeSet<i64> = (2..=rev).collect();
    assert_eq!(revs, want, "no gaps");
}

#[test]
fn resumable_from_the_last_event_revision_plus_one() {
    let mut h = Harness::new(EtcdConfig::default());
    let whole = h.send(watch_all(0));
    let first = h.send(watch_all(0));
    random_writes(&mut h, 4, 100);
    h.sim.run_until_idle();
    // The first watcher goes away after what it has seen so far...
    let first_id = h.watch_responses(first)[0].watch_id;
    h.send(Request::WatchCancel { watch_id: first_id });
    h.sim.run_until_idle();
    let seen = events(&h, first);
    let last = seen.last().expect("events").kv.mod_revision;
    random_writes(&mut h, 5, 100);
    h.sim.run_until_idle();
    // ...and resumes later from the revision after its last event.
    let resumed = h.send(watch_all(last + 1));
    random_writes(&mut h, 6, 50);
    h.sim.run_until_idle();
    let mut joined = seen;
    joined.extend(events(&h, resumed));
    assert_eq!(joined, events(&h, whole));
}

#[test]
fn watch_ids_count_per_client_stream() {
    let mut h = Harness::new(EtcdConfig::default());
    let a = h.send(watch_all(0));
    let b = h.send(watch_all(0));
    h.sim.run_until_idle();
    assert_eq!(h.watch_responses(a)[0].watch_id, 0);
    assert_eq!(h.watch_responses(b)[0].watch_id, 1);
}

#[test]
fn progress_notify_reports_the_revision_after_ten_quiet_minutes() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(Request::WatchCreate(WatchCreateRequest {
        key: b"quiet".to_vec(),
        progress_notify: true,
        ..WatchCreateRequest::default()
    }));
    h.sim.run_until_idle();
    h.call(Request::Put(PutRequest {
        key: b"other".to_vec(),
        value: b"1".to_vec(),
        ..PutRequest::default()
    }))
    .unwrap();
    h.sim.advance(SimDuration::from_secs(599));
    assert_eq!(h.watch_responses(w).len(), 1, "only created so far");
    h.sim.advance(SimDuration::from_secs(2));
    let rs = h.watch_responses(w);
    assert_eq!(rs.len(), 2);
    assert!(rs[1].events.is_empty() && !rs[1].canceled);
    assert_eq!(rs[1].header.revision, 2);
    // A client-requested progress answers once for the stream, with watch ID -1.
    let Ok(Response::Watch(p)) = h.call(Request::WatchProgress) else {
        panic!("progress failed")
    };
    assert_eq!((p.watch_id, p.header.revision), (-1, 2));
}

#[test]
fn filters_drop_events_and_empty_batches() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(Request::WatchCreate(WatchCreateRequest {
        key: b"k".to_vec(),
        filter_noput: true,
        prev_kv: true,
        ..WatchCreateRequest::default()
    }));
    h.send(Request::Put(PutRequest {
        key: b"k".to_vec(),
        value: b"1".to_vec(),
        ..PutRequest::default()
    }));
    h.send(Request::DeleteRange(DeleteRangeRequest {
        key: b"k".to_vec(),
        ..DeleteRangeRequest::default()
    }));
    h.sim.run_until_idle();
    let rs = h.watch_responses(w);
    assert_eq!(rs.len(), 2, "created, then the delete alone");
    let e = &rs[1].events[0];
    assert_eq!(e.kind, EventType::Delete);
    assert_eq!(
        e.prev_kv.as_ref().map(|kv| kv.value.clone()),
        Some(b"1".to_vec())
    );
}
