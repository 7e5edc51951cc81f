//! The etcd member on the simulation bus: requests from a client, answers with etcd's headers
//! and errors, watch streams, lease expiry on the simulation clock, quota and size limits.

mod etcd_support;

use etcd_support::Harness;
use kubestep::etcd::api::{
    self, AlarmMember, AlarmType, CompactionRequest, DeleteRangeRequest, EtcdError, EventType,
    LeaseGrantRequest, PutRequest, RangeRequest, Request, Response, WatchCreateRequest,
};
use kubestep::etcd::{prefix_end, EtcdConfig};
use kubestep::sim::SimDuration;

fn put(key: &str, value: &str) -> Request {
    Request::Put(PutRequest {
        key: key.into(),
        value: value.into(),
        ..PutRequest::default()
    })
}

fn get(key: &str) -> Request {
    Request::Range(RangeRequest {
        key: key.into(),
        ..RangeRequest::default()
    })
}

fn watch_prefix(prefix: &str, start_revision: i64) -> Request {
    Request::WatchCreate(WatchCreateRequest {
        key: prefix.into(),
        range_end: prefix_end(prefix.as_bytes()),
        start_revision,
        ..WatchCreateRequest::default()
    })
}

#[test]
fn a_put_is_answered_with_the_next_revision_and_read_back() {
    let mut h = Harness::new(EtcdConfig::default());
    let Ok(Response::Put(p)) = h.call(put("foo", "bar")) else {
        panic!("put failed")
    };
    assert_eq!(p.header.revision, 2, "a fresh etcd is at revision 1");
    assert_eq!(p.header.cluster_id, api::CLUSTER_ID);
    assert_eq!(p.header.member_id, api::MEMBER_ID);
    assert_eq!(p.header.raft_term, api::RAFT_TERM);
    let Ok(Response::Range(r)) = h.call(get("foo")) else {
        panic!("get failed")
    };
    assert_eq!(r.count, 1);
    assert_eq!(r.kvs[0].value, b"bar");
    assert_eq!(
        (
            r.kvs[0].create_revision,
            r.kvs[0].mod_revision,
            r.kvs[0].version
        ),
        (2, 2, 1)
    );
    assert_eq!(h.server().keys().len(), 1);
}

#[test]
fn errors_carry_etcds_texts() {
    let mut h = Harness::new(EtcdConfig::default());
    h.call(put("a", "1")).unwrap();
    assert_eq!(
        h.call(put("", "x")).unwrap_err().to_string(),
        "etcdserver: key is not provided"
    );
    let future = Request::Range(RangeRequest {
        key: b"a".to_vec(),
        revision: 100,
        ..RangeRequest::default()
    });
    assert_eq!(
        h.call(future).unwrap_err().to_string(),
        "etcdserver: mvcc: required revision is a future revision"
    );
    h.call(Request::Compact(CompactionRequest {
        revision: 2,
        physical: false,
    }))
    .unwrap();
    let compacted = Request::Range(RangeRequest {
        key: b"a".to_vec(),
        revision: 1,
        ..RangeRequest::default()
    });
    assert_eq!(
        h.call(compacted).unwrap_err().to_string(),
        "etcdserver: mvcc: required revision has been compacted"
    );
    let again = Request::Compact(CompactionRequest {
        revision: 2,
        physical: false,
    });
    assert_eq!(h.call(again).unwrap_err(), EtcdError::CompactedCompaction);
    assert_eq!(
        h.call(Request::LeaseRevoke { id: 0x1234 })
            .unwrap_err()
            .to_string(),
        "etcdserver: requested lease not found"
    );
    let huge = Request::LeaseGrant(LeaseGrantRequest {
        ttl: 9_000_000_001,
        id: 0,
    });
    assert_eq!(
        h.call(huge).unwrap_err().to_string(),
        "etcdserver: too large lease TTL"
    );
}

#[test]
fn a_request_over_one_and_a_half_mebibytes_is_too_large() {
    let mut h = Harness::new(EtcdConfig::default());
    let at_limit = Request::Put(PutRequest {
        key: b"big".to_vec(),
        value: vec![b'a'; 1_572_838],
        ..PutRequest::default()
    });
    assert!(h.call(at_limit).is_ok());
    let over = Request::Put(PutRequest {
        key: b"big".to_vec(),
        value: vec![b'a'; 1_572_839],
        ..PutRequest::default()
    });
    assert_eq!(
        h.call(over).unwrap_err().to_string(),
        "etcdserver: request is too large"
    );
}

#[test]
fn the_quota_raises_nospace_until_disarmed() {
    let config = EtcdConfig {
        quota_backend_bytes: 64 * 1024,
        ..EtcdConfig::default()
    };
    let mut h = Harness::new(config);
    let mut refused = None;
    for i in 0..200 {
        if let Err(e) = h.call(put(&format!("k{i}"), &"v".repeat(1000))) {
            refused = Some(e);
            break;
        }
    }
    assert_eq!(
        refused.expect("the quota was reached").to_string(),
        "etcdserver: mvcc: database space exceeded"
    );
    assert!(h.server().nospace_alarm());
    // Deletes are still served; puts stay refused while the alarm is raised.
    assert!(h
        .call(Request::DeleteRange(DeleteRangeRequest {
            key: b"k".to_vec(),
            range_end: prefix_end(b"k"),
            prev_kv: false,
        }))
        .is_ok());
    assert_eq!(h.call(put("x", "1")).unwrap_err(), EtcdError::NoSpace);
    let Ok(Response::Status(s)) = h.call(Request::Status) else {
        panic!("status failed")
    };
    assert_eq!(
        s.errors,
        vec![format!("memberID:{} alarm:NOSPACE ", api::MEMBER_ID)]
    );
    let nospace = AlarmMember {
        member_id: api::MEMBER_ID,
        alarm: AlarmType::Nospace,
    };
    let Ok(Response::Alarm(list)) = h.call(Request::AlarmList) else {
        panic!("alarm list failed")
    };
    assert_eq!(list.alarms, vec![nospace]);
    // Disarming without freeing space: the next put raises the alarm again.
    h.call(Request::AlarmDisarm(nospace)).unwrap();
    assert_eq!(h.call(put("x", "1")).unwrap_err(), EtcdError::NoSpace);
    // Compaction and defragmentation free the space; then disarming lets writes in.
    let rev = h.server().kv().current_rev();
    h.call(Request::Compact(CompactionRequest {
        revision: rev,
        physical: true,
    }))
    .unwrap();
    h.call(Request::Defragment).unwrap();
    let Ok(Response::Alarm(cleared)) = h.call(Request::AlarmDisarm(AlarmMember::default())) else {
        panic!("disarm failed")
    };
    assert_eq!(cleared.alarms, vec![nospace]);
    assert!(h.call(put("x", "1")).is_ok());
    let Ok(Response::Alarm(list)) = h.call(Request::AlarmList) else {
        panic!("alarm list failed")
    };
    assert!(list.alarms.is_empty());
}

#[test]
fn a_watch_replays_history_then_follows_writes_in_order() {
    let mut h = Harness::new(EtcdConfig::default());
    h.call(put("/a/1", "x")).unwrap(); // rev 2
    h.call(put("/b/1", "y")).unwrap(); // rev 3
    h.call(put("/a/2", "z")).unwrap(); // rev 4
    let w = h.send(watch_prefix("/a/", 2));
    h.sim.run_until_idle();
    // Writes from the same client, back to back, without waiting in between.
    h.send(put("/a/1", "x2")); // rev 5
    h.send(Request::DeleteRange(DeleteRangeRequest {
        key: b"/a/2".to_vec(),
        ..DeleteRangeRequest::default()
    })); // rev 6
    h.send(put("/b/2", "ignored")); // rev 7
    h.sim.run_until_idle();
    let rs = h.watch_responses(w);
    assert!(rs[0].created);
    assert_eq!(rs[0].header.revision, 4);
    let events: Vec<(EventType, Vec<u8>, i64)> = rs[1..]
        .iter()
        .flat_map(|r| r.events.iter())
        .map(|e| (e.kind, e.kv.key.clone(), e.kv.mod_revision))
        .collect();
    assert_eq!(
        events,
        vec![
            (EventType::Put, b"/a/1".to_vec(), 2),
            (EventType::Put, b"/a/2".to_vec(), 4),
            (EventType::Put, b"/a/1".to_vec(), 5),
            (EventType::Delete, b"/a/2".to_vec(), 6),
        ]
    );
    assert_eq!(h.server().watches().len(), 1);
    assert_eq!(h.server().watches()[0].next_revision, 8);
}

#[test]
fn a_watch_from_a_compacted_revision_is_canceled_with_the_compact_revision() {
    let mut h = Harness::new(EtcdConfig::default());
    for i in 0..4 {
        h.call(put("k", &i.to_string())).unwrap(); // revs 2..=5
    }
    h.call(Request::Compact(CompactionRequest {
        revision: 4,
        physical: true,
    }))
    .unwrap();
    let w = h.send(watch_prefix("k", 3));
    h.sim.run_until_idle();
    let rs = h.watch_responses(w);
    assert_eq!(rs.len(), 2);
    assert!(rs[0].created);
    assert!(rs[1].canceled);
    assert_eq!(rs[1].compact_revision, 4);
    assert!(h.server().watches().is_empty());
    // Starting exactly at the compaction point still works.
    let ok = h.send(watch_prefix("k", 4));
    h.sim.run_until_idle();
    let rs = h.watch_responses(ok);
    assert_eq!(rs[1].events.len(), 2, "revisions 4 and 5");
}

#[test]
fn canceling_a_watch_ends_its_stream() {
    let mut h = Harness::new(EtcdConfig::default());
    let w = h.send(watch_prefix("k", 0));
    h.sim.run_until_idle();
    let watch_id = h.watch_responses(w)[0].watch_id;
    assert_eq!(watch_id, 0, "the first watch of a stream has ID 0");
    h.send(Request::WatchCancel { watch_id });
    h.sim.run_until_idle();
    h.call(put("k1", "v")).unwrap();
    let rs = h.watch_responses(w);
    assert_eq!(rs.len(), 2);
    assert!(rs[1].canceled);
    assert!(h.server().watches().is_empty());
}

#[test]
fn an_expired_lease_deletes_its_keys_and_watchers_see_deletes() {
    let mut h = Harness::new(EtcdConfig::default());
    let Ok(Response::LeaseGrant(g)) =
        h.call(Request::LeaseGrant(LeaseGrantRequest { ttl: 5, id: 0 }))
    else {
        panic!("grant failed")
    };
    assert_eq!(g.ttl, 5);
    assert!(g.id > 0);
    for k in ["/l/a", "/l/b"] {
        h.call(Request::Put(PutRequest {
            key: k.into(),
            value: b"v".to_vec(),
            lease: g.id,
            ..PutRequest::default()
        }))
        .unwrap();
    }
    let w = h.send(watch_prefix("/l/", 0));
    h.sim.run_until_idle();
    h.sim.advance(SimDuration::from_secs(3));
    let Ok(Response::LeaseTimeToLive(t)) = h.call(Request::LeaseTimeToLive {
        id: g.id,
        keys: true,
    }) else {
        panic!("ttl failed")
    };
    assert_eq!((t.ttl, t.granted_ttl), (1, 5), "remaining seconds truncate");
    assert_eq!(t.keys, vec![b"/l/a".to_vec(), b"/l/b".to_vec()]);
    h.sim.advance(SimDuration::from_secs(3));
    assert!(h.server().keys().is_empty());
    let rs = h.watch_responses(w);
    let deletes: Vec<_> = rs
        .iter()
        .flat_map(|r| r.events.iter())
        .filter(|e| e.kind == EventType::Delete)
        .map(|e| (e.kv.key.clone(), e.kv.mod_revision))
        .collect();
    assert_eq!(
        deletes,
        vec![(b"/l/a".to_vec(), 4), (b"/l/b".to_vec(), 4)],
        "one revision deletes every key of the lease"
    );
    let Ok(Response::LeaseTimeToLive(t)) = h.call(Request::LeaseTimeToLive {
        id: g.id,
        keys: false,
    }) else {
        panic!("ttl failed")
    };
    assert_eq!(t.ttl, -1);
    let Ok(Response::LeaseKeepAlive(k)) = h.call(Request::LeaseKeepAlive { id: g.id }) else {
        panic!("keepalive failed")
    };
    assert_eq!(
        k.ttl, 0,
        "etcd answers a keep-alive of a gone lease with TTL 0"
    );
    // One expiry timer, not a periodic tick.
    let timers = h
        .sim
        .trace()
        .entries()
        .iter()
        .filter(|e| e.kind == "timer")
        .count();
    assert_eq!(timers, 1);
    assert!(h.server().leases_at(h.sim.now()).is_empty());
}

#[test]
fn keep_alive_postpones_expiry_and_a_small_ttl_is_raised_to_two_seconds() {
    let mut h = Harness::new(EtcdConfig::default());
    let Ok(Response::LeaseGrant(g)) =
        h.call(Request::LeaseGrant(LeaseGrantRequest { ttl: 1, id: 0x42 }))
    else {
        panic!("grant failed")
    };
    assert_eq!((g.id, g.ttl), (0x42, 2));
    h.sim.advance(SimDuration::from_millis(1500));
    h.call(Request::LeaseKeepAlive { id: 0x42 }).unwrap();
    h.sim.advance(SimDuration::from_millis(1000));
    assert_eq!(h.server().leases_at(h.sim.now()).len(), 1, "kept alive");
    h.sim.advance(SimDuration::from_millis(1100));
    assert!(h.server().leases_at(h.sim.now()).is_empty(), "expired");
}

#[test]
fn member_list_and_status_describe_a_kubeadm_member() {
    let mut h = Harness::new(EtcdConfig::default());
    let Ok(Response::MemberList(m)) = h.call(Request::MemberList) else {
        panic!("member list failed")
    };
    assert_eq!(m.members.len(), 1);
    assert_eq!(m.members[0].name, "control-plane");
    assert_eq!(m.members[0].client_urls, vec!["https://172.18.0.2:2379"]);
    let Ok(Response::Status(s)) = h.call(Request::Status) else {
        panic!("status failed")
    };
    assert_eq!(s.version, "3.4.23");
    assert_eq!(s.leader, api::MEMBER_ID);
    assert_eq!(s.header.revision, 1);
}

#[test]
fn a_checkpoint_of_the_member_replays_identically() {
    let script = |h: &mut Harness| {
        h.send(watch_prefix("/p/", 0));
        h.send(Request::LeaseGrant(LeaseGrantRequest { ttl: 3, id: 0 }));
        for i in 0..5 {
            h.send(put(&format!("/p/{i}"), "v"));
        }
        h.sim.run_until_idle();
    };
    let trace = |h: &Harness| -> Vec<String> {
        h.sim
            .trace()
            .entries()
            .iter()
            .map(|e| e.to_json_line())
            .collect()
    };
    let mut original = Harness::new(EtcdConfig::default());
    script(&mut original);
    let mut replay = original.clone();
    for h in [&mut original, &mut replay] {
        h.sim.advance(SimDuration::from_secs(5));
        script(h);
    }
    // Same lease IDs (drawn from the kernel's PRNG), revisions, expiries and watch events.
    assert_eq!(trace(&replay), trace(&original));
    assert!(trace(&original).iter().any(|l| l.contains("lease-expiry")));
}
