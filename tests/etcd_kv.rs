//! The KV service's rules, each checked against etcd 3.4.23 with etcdctl: versions and
//! revisions across delete and re-create, txn branches, sub-response headers, put flags,
//! and the errors of invalid requests.

use kubestep::etcd::api::{
    Compare, CompareResult, CompareTarget, DeleteRangeRequest, EtcdError, PutRequest, RangeRequest,
    RequestOp, ResponseOp, SortOrder, SortTarget, TxnRequest,
};
use kubestep::etcd::mvcc::KvStore;
use kubestep::etcd::prefix_end;

fn store() -> KvStore {
    KvStore::new(2, 128)
}

fn put(kv: &mut KvStore, key: &str, value: &str) -> i64 {
    kv.put_request(&PutRequest {
        key: key.into(),
        value: value.into(),
        ..PutRequest::default()
    })
    .unwrap()
    .header
    .revision
}

fn put_op(key: &str, value: &str) -> RequestOp {
    RequestOp::Put(PutRequest {
        key: key.into(),
        value: value.into(),
        ..PutRequest::default()
    })
}

fn del_op(key: &str) -> RequestOp {
    RequestOp::DeleteRange(DeleteRangeRequest {
        key: key.into(),
        ..DeleteRangeRequest::default()
    })
}

fn get_op(key: &str) -> RequestOp {
    RequestOp::Range(RangeRequest {
        key: key.into(),
        ..RangeRequest::default()
    })
}

fn txn(success: Vec<RequestOp>) -> TxnRequest {
    TxnRequest {
        compare: vec![],
        success,
        failure: vec![],
    }
}

#[test]
fn delete_resets_the_version_and_recreation_gets_a_new_create_revision() {
    let mut kv = store();
    put(&mut kv, "a", "1"); // 2
    put(&mut kv, "a", "2"); // 3
    kv.delete_range(b"a", b""); // 4
    put(&mut kv, "a", "3"); // 5
    let r = kv
        .range_request(&RangeRequest {
            key: b"a".to_vec(),
            ..RangeRequest::default()
        })
        .unwrap();
    let a = &r.kvs[0];
    assert_eq!((a.create_revision, a.mod_revision, a.version), (5, 5, 1));
    let old = kv
        .range_request(&RangeRequest {
            key: b"a".to_vec(),
            revision: 3,
            ..RangeRequest::default()
        })
        .unwrap();
    assert_eq!(
        (
            old.kvs[0].create_revision,
            old.kvs[0].version,
            old.header.revision
        ),
        (2, 2, 5),
        "a past read answers with the current revision in its header"
    );
}

#[test]
fn limit_counts_every_key_and_sets_more() {
    // etcd 3.4.23: `get k --prefix --limit 2` over k1..k5 gives 2 kvs, more, count 5.
    let mut kv = store();
    for i in 1..=5 {
        put(&mut kv, &format!("k{i}"), &format!("v{i}"));
    }
    let r = kv
        .range_request(&RangeRequest {
            key: b"k".to_vec(),
            range_end: prefix_end(b"k"),
            limit: 2,
            ..RangeRequest::default()
        })
        .unwrap();
    assert_eq!(r.kvs.len(), 2);
    assert!(r.more);
    assert_eq!(r.count, 5);
    let all = kv
        .range_request(&RangeRequest {
            key: b"k".to_vec(),
            range_end: prefix_end(b"k"),
            limit: 5,
            sort_order: SortOrder::Descend,
            sort_target: SortTarget::Key,
            ..RangeRequest::default()
        })
        .unwrap();
    assert!(!all.more, "exactly the limit is not more");
    assert_eq!(all.kvs[0].key, b"k5");
    let counted = kv
        .range_request(&RangeRequest {
            key: vec![0],
            range_end: vec![0],
            count_only: true,
            ..RangeRequest::default()
        })
        .unwrap();
    assert_eq!((counted.count, counted.kvs.len()), (5, 0));
    let unlimited = kv
        .range_request(&RangeRequest {
            key: b"k".to_vec(),
            range_end: prefix_end(b"k"),
            limit: i64::MAX,
            ..RangeRequest::default()
        })
        .unwrap();
    assert_eq!((unlimited.kvs.len(), unlimited.more), (5, false));
}

#[test]
fn a_read_only_txn_or_one_that_changes_nothing_keeps_the_revision() {
    let mut kv = store();
    put(&mut kv, "q", "1"); // 2
    let r = kv.txn_request(&txn(vec![get_op("q")])).unwrap();
    assert_eq!(r.header.revision, 2);
    let r = kv.txn_request(&txn(vec![del_op("nothing")])).unwrap();
    assert_eq!(r.header.revision, 2);
    assert_eq!(kv.current_rev(), 2);
}

#[test]
fn sub_responses_carry_only_the_revision_they_saw() {
    // etcd 3.4.23, txn `del zz; put e 1; del zz; get e` at revision 20: the first delete
    // reports 20, everything after the put 21.
    let mut kv = store();
    let r = kv
        .txn_request(&txn(vec![
            del_op("zz"),
            put_op("e", "1"),
            del_op("zz"),
            get_op("e"),
        ]))
        .unwrap();
    let revs: Vec<i64> = r
        .responses
        .iter()
        .map(|op| match op {
            ResponseOp::Range(x) => x.header.revision,
            ResponseOp::Put(x) => x.header.revision,
            ResponseOp::DeleteRange(x) => x.header.revision,
            ResponseOp::Txn(x) => x.header.revision,
        })
        .collect();
    assert_eq!(revs, vec![1, 2, 2, 2]);
    let ResponseOp::Range(g) = &r.responses[3] else {
        panic!("a range")
    };
    assert_eq!(
        g.header.cluster_id, 0,
        "sub-response headers carry no member identity"
    );
    assert_eq!(g.kvs[0].value, b"1", "a txn reads its own writes");
    assert_eq!(r.header.revision, 2);
}

#[test]
fn compares_on_missing_keys_follow_etcd() {
    let mut kv = store();
    let cmp = |target, result| Compare {
        result,
        target,
        key: b"nonexist".to_vec(),
        range_end: vec![],
    };
    // value("nonexist") != "x" fails: a missing key has no value to compare.
    let t = TxnRequest {
        compare: vec![cmp(
            CompareTarget::Value(b"x".to_vec()),
            CompareResult::NotEqual,
        )],
        success: vec![put_op("f", "1")],
        failure: vec![],
    };
    assert!(!kv.txn_request(&t).unwrap().succeeded);
    // version("nonexist") = 0 holds.
    let t = TxnRequest {
        compare: vec![cmp(CompareTarget::Version(0), CompareResult::Equal)],
        success: vec![put_op("f", "1")],
        failure: vec![],
    };
    assert!(kv.txn_request(&t).unwrap().succeeded);
}

#[test]
fn nested_txns_take_their_branch_from_the_state_before_the_txn() {
    let mut kv = store();
    put(&mut kv, "flag", "on"); // 2
    let inner = TxnRequest {
        // Evaluated before the outer put runs: "flag" is still "on".
        compare: vec![Compare {
            result: CompareResult::Equal,
            target: CompareTarget::Value(b"on".to_vec()),
            key: b"flag".to_vec(),
            range_end: vec![],
        }],
        success: vec![put_op("inner", "then")],
        failure: vec![put_op("inner", "else")],
    };
    let outer = txn(vec![put_op("flag", "off"), RequestOp::Txn(inner)]);
    let r = kv.txn_request(&outer).unwrap();
    let ResponseOp::Txn(nested) = &r.responses[1] else {
        panic!("a nested txn")
    };
    assert!(nested.succeeded);
    assert_eq!(r.header.revision, 3, "the whole txn is one revision");
    assert_eq!(kv.history(b"inner")[0].value[..], b"then"[..]);
}

#[test]
fn invalid_txns_are_refused_before_anything_runs() {
    let mut kv = store();
    assert_eq!(
        kv.txn_request(&txn(vec![put_op("d", "1"), put_op("d", "2")])),
        Err(EtcdError::DuplicateKey)
    );
    assert_eq!(
        kv.txn_request(&txn(vec![put_op("d", "1"), del_op("d")])),
        Err(EtcdError::DuplicateKey)
    );
    assert!(
        kv.txn_request(&txn(vec![del_op("d"), del_op("d")])).is_ok(),
        "deleting twice is allowed"
    );
    let many: Vec<RequestOp> = (0..129).map(|i| put_op(&format!("m{i}"), "1")).collect();
    assert_eq!(kv.txn_request(&txn(many)), Err(EtcdError::TooManyOps));
    let leased = RequestOp::Put(PutRequest {
        key: b"x".to_vec(),
        lease: 0x1234,
        ..PutRequest::default()
    });
    assert_eq!(
        kv.txn_request(&txn(vec![put_op("ok", "1"), leased])),
        Err(EtcdError::LeaseNotFound)
    );
    assert_eq!(kv.current_rev(), 1, "nothing was written");
    // Branches of a nested txn may put the same key: only one of them runs.
    let nested = TxnRequest {
        compare: vec![],
        success: vec![put_op("n", "a")],
        failure: vec![put_op("n", "b")],
    };
    assert!(kv.txn_request(&txn(vec![RequestOp::Txn(nested)])).is_ok());
}

#[test]
fn put_flags_keep_value_or_lease_of_an_existing_key() {
    let mut kv = store();
    assert_eq!(
        kv.put_request(&PutRequest {
            key: b"nokey".to_vec(),
            ignore_value: true,
            ..PutRequest::default()
        }),
        Err(EtcdError::KeyNotFound)
    );
    assert_eq!(
        kv.put_request(&PutRequest {
            key: b"k".to_vec(),
            value: b"v".to_vec(),
            ignore_value: true,
            ..PutRequest::default()
        }),
        Err(EtcdError::ValueProvided)
    );
    kv.lease_grant(0x10, 30, kubestep::sim::SimTime(0)).unwrap();
    kv.put_request(&PutRequest {
        key: b"k".to_vec(),
        value: b"v1".to_vec(),
        lease: 0x10,
        ..PutRequest::default()
    })
    .unwrap();
    let r = kv
        .put_request(&PutRequest {
            key: b"k".to_vec(),
            value: b"v2".to_vec(),
            ignore_lease: true,
            prev_kv: true,
            ..PutRequest::default()
        })
        .unwrap();
    assert_eq!(r.prev_kv.unwrap().value, b"v1");
    let now = &kv.live_keys()[0];
    assert_eq!((&now.value[..], now.lease), (&b"v2"[..], 0x10));
    kv.put_request(&PutRequest {
        key: b"k".to_vec(),
        ignore_value: true,
        ..PutRequest::default()
    })
    .unwrap();
    let now = &kv.live_keys()[0];
    assert_eq!((&now.value[..], now.lease, now.version), (&b"v2"[..], 0, 3));
    assert!(
        kv.lessor().lookup(0x10).unwrap().keys.is_empty(),
        "a put without the lease detaches the key"
    );
}

#[test]
fn revoking_a_lease_deletes_its_keys_in_one_revision() {
    let mut kv = store();
    kv.lease_grant(0x20, 30, kubestep::sim::SimTime(0)).unwrap();
    for k in ["a", "b", "c"] {
        kv.put_request(&PutRequest {
            key: k.into(),
            value: b"v".to_vec(),
            lease: 0x20,
            ..PutRequest::default()
        })
        .unwrap();
    }
    assert_eq!(kv.lease_revoke(0x20), Ok(5));
    assert!(kv.live_keys().is_empty());
    assert_eq!(kv.lease_revoke(0x20), Err(EtcdError::LeaseNotFound));
    kv.lease_grant(0x21, 30, kubestep::sim::SimTime(0)).unwrap();
    assert_eq!(kv.lease_revoke(0x21), Ok(5), "no keys, no new revision");
}

#[test]
fn compaction_frees_what_no_read_can_see() {
    let mut kv = store();
    put(&mut kv, "a", "1"); // 2
    kv.delete_range(b"a", b""); // 3
    put(&mut kv, "b", "1"); // 4
    put(&mut kv, "b", "2"); // 5
    let in_use = kv.db_size_in_use();
    kv.compact(4).unwrap();
    // "a" is gone for good; "b" keeps revision 4 (what a read at 4 sees) and 5.
    assert_eq!(kv.revisions_held(), 2);
    assert_eq!(kv.keys_indexed(), 1);
    assert!(kv.db_size_in_use() < in_use);
    assert_eq!(
        kv.db_size(),
        in_use,
        "the file does not shrink before defrag"
    );
    kv.defragment();
    assert_eq!(kv.db_size(), kv.db_size_in_use());
    assert_eq!(kv.compact(4), Err(EtcdError::CompactedCompaction));
    assert_eq!(kv.compact(6), Err(EtcdError::FutureRevCompaction));
    assert_eq!(
        EtcdError::FutureRevCompaction.to_string(),
        "etcdserver: mvcc: required revision is a future revision"
    );
}

#[test]
fn a_non_key_sort_without_an_order_sorts_only_the_first_limit_plus_one_keys() {
    // etcd 3.4.23: s1..s5 put, then s1..s3 put again; `get s --prefix --sort-by=MODIFY
    // --limit 2` answers s1, s2 (etcd read s1..s3, then sorted), while with `--order=ASCEND`
    // it reads everything and answers s4, s5.
    let mut kv = store();
    for i in 1..=5 {
        put(&mut kv, &format!("s{i}"), "a");
    }
    for i in 1..=3 {
        put(&mut kv, &format!("s{i}"), "b");
    }
    let keys = |order| {
        kv.range_request(&RangeRequest {
            key: b"s".to_vec(),
            range_end: prefix_end(b"s"),
            limit: 2,
            sort_target: SortTarget::Mod,
            sort_order: order,
            keys_only: true,
            ..RangeRequest::default()
        })
        .unwrap()
        .kvs
        .into_iter()
        .map(|kv| String::from_utf8(kv.key).unwrap())
        .collect::<Vec<_>>()
    };
    assert_eq!(keys(SortOrder::None), vec!["s1", "s2"]);
    assert_eq!(keys(SortOrder::Ascend), vec!["s4", "s5"]);
}
