//! Bad input never panics or hangs the member: random, often nonsensical requests (negative
//! or future revisions, inverted ranges, unknown leases and watches, nested txns) each get
//! exactly one answer, and the store keeps its invariants.

mod etcd_support;

use etcd_support::Harness;
use kubestep::etcd::api::{
    AlarmMember, CompactionRequest, Compare, CompareResult, CompareTarget, DeleteRangeRequest,
    LeaseGrantRequest, PutRequest, RangeRequest, Request, RequestOp, SortOrder, SortTarget,
    TxnRequest, WatchCreateRequest,
};
use kubestep::etcd::EtcdConfig;
use kubestep::sim::SimDuration;
use proptest::prelude::*;

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![]),
        Just(vec![0]),
        Just(vec![0xff]),
        prop::collection::vec(
            prop_oneof![Just(b'a'), Just(b'b'), Just(0u8), Just(0xffu8)],
            1..4
        ),
    ]
}

fn rev() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(-1),
        Just(i64::MAX),
        Just(i64::MIN),
        -3i64..20
    ]
}

fn range() -> impl Strategy<Value = RangeRequest> {
    (
        bytes(),
        bytes(),
        rev(),
        rev(),
        rev(),
        0usize..3,
        0usize..5,
        any::<(bool, bool)>(),
    )
        .prop_map(
            |(key, range_end, limit, revision, min_mod, order, target, (keys_only, count_only))| {
                RangeRequest {
                    key,
                    range_end,
                    limit,
                    revision,
                    sort_order: [SortOrder::None, SortOrder::Ascend, SortOrder::Descend][order],
                    sort_target: [
                        SortTarget::Key,
                        SortTarget::Version,
                        SortTarget::Create,
                        SortTarget::Mod,
                        SortTarget::Value,
                    ][target],
                    keys_only,
                    count_only,
                    min_mod_revision: min_mod,
                    max_create_revision: min_mod.wrapping_neg(),
                    ..RangeRequest::default()
                }
            },
        )
}

fn put() -> impl Strategy<Value = PutRequest> {
    (
        bytes(),
        bytes(),
        prop_oneof![Just(0i64), Just(7), rev()],
        any::<(bool, bool, bool)>(),
    )
        .prop_map(
            |(key, value, lease, (prev_kv, ignore_value, ignore_lease))| PutRequest {
                key,
                value,
                lease,
                prev_kv,
                ignore_value,
                ignore_lease,
            },
        )
}

fn delete() -> impl Strategy<Value = DeleteRangeRequest> {
    (bytes(), bytes(), any::<bool>()).prop_map(|(key, range_end, prev_kv)| DeleteRangeRequest {
        key,
        range_end,
        prev_kv,
    })
}

fn compare() -> impl Strategy<Value = Compare> {
    (bytes(), bytes(), rev(), 0usize..4, 0usize..5).prop_map(|(key, range_end, n, r, t)| Compare {
        result: [
            CompareResult::Equal,
            CompareResult::Greater,
            CompareResult::Less,
            CompareResult::NotEqual,
        ][r],
        target: match t {
            0 => CompareTarget::Version(n),
            1 => CompareTarget::Create(n),
            2 => CompareTarget::Mod(n),
            3 => CompareTarget::Lease(n),
            _ => CompareTarget::Value(key.clone()),
        },
        key,
        range_end,
    })
}

fn op() -> impl Strategy<Value = RequestOp> {
    let leaf = prop_oneof![
        range().prop_map(RequestOp::Range),
        put().prop_map(RequestOp::Put),
        delete().prop_map(RequestOp::DeleteRange),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        (
            prop::collection::vec(compare(), 0..2),
            prop::collection::vec(inner.clone(), 0..3),
            prop::collection::vec(inner, 0..3),
        )
            .prop_map(|(compare, success, failure)| {
                RequestOp::Txn(TxnRequest {
                    compare,
                    success,
                    failure,
                })
            })
    })
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        range().prop_map(Request::Range),
        put().prop_map(Request::Put),
        delete().prop_map(Request::DeleteRange),
        (
            prop::collection::vec(compare(), 0..3),
            prop::collection::vec(op(), 0..4),
            prop::collection::vec(op(), 0..4)
        )
            .prop_map(|(compare, success, failure)| Request::Txn(TxnRequest {
                compare,
                success,
                failure
            })),
        (rev(), any::<bool>()).prop_map(|(revision, physical)| Request::Compact(
            CompactionRequest { revision, physical }
        )),
        (prop_oneof![Just(0i64), Just(7), rev()], rev())
            .prop_map(|(id, ttl)| Request::LeaseGrant(LeaseGrantRequest { ttl, id })),
        rev().prop_map(|id| Request::LeaseRevoke { id }),
        rev().prop_map(|id| Request::LeaseKeepAlive { id }),
        (rev(), any::<bool>()).prop_map(|(id, keys)| Request::LeaseTimeToLive { id, keys }),
        Just(Request::LeaseLeases),
        Just(Request::Status),
        Just(Request::MemberList),
        Just(Request::Snapshot),
        Just(Request::AlarmList),
        Just(Request::AlarmDisarm(AlarmMember::default())),
        Just(Request::Defragment),
        Just(Request::WatchProgress),
    ]
}

fn watch() -> impl Strategy<Value = Request> {
    (bytes(), bytes(), rev(), any::<(bool, bool, bool, bool)>()).prop_map(
        |(key, range_end, start_revision, (progress_notify, prev_kv, noput, nodelete))| {
            Request::WatchCreate(WatchCreateRequest {
                key,
                range_end,
                start_revision,
                progress_notify,
                prev_kv,
                filter_noput: noput,
                filter_nodelete: nodelete,
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_request_gets_one_answer_and_nothing_panics(
        watches in prop::collection::vec(watch(), 0..3),
        requests in prop::collection::vec(request(), 1..30),
        cancels in prop::collection::vec(-1i64..4, 0..3),
    ) {
        let mut h = Harness::new(EtcdConfig::default());
        for w in watches {
            h.send(w);
        }
        let mut ids = Vec::new();
        for r in requests {
            ids.push(h.send(r));
        }
        for watch_id in cancels {
            h.send(Request::WatchCancel { watch_id });
        }
        h.sim.run_until_idle();
        h.sim.advance(SimDuration::from_secs(700));
        for id in ids {
            prop_assert_eq!(h.answers(id).len(), 1, "request {} answered once", id);
        }
        // Every watcher still registered sits after the current revision.
        let rev = h.server().kv().current_rev();
        for w in h.server().watches() {
            prop_assert!(w.next_revision > rev);
        }
    }
}
