//! Limits on what a client may write: etcd's request size limit (`--max-request-bytes`, checked
//! on the raft proposal in `etcdserver/v3_server.go`) and its backend quota (`etcdserver/quota.go`:
//! what a write would cost, and the NOSPACE alarm).

use crate::etcd::api::{
    Compare, CompareTarget, DeleteRangeRequest, PutRequest, RangeRequest, Request, RequestOp,
    TxnRequest,
};
use crate::etcd::mvcc::kvstore::{KvStore, LEASE_OVERHEAD};

/// etcd's quota `kvOverhead`: what it charges for a key's metadata on top of key and value.
pub const KV_OVERHEAD: i64 = 256;

/// The size of a raft request's header (`RequestHeader` with its 64-bit request ID, which
/// etcd's ID generator fills up to the top bit: a 10-byte varint).
const RAFT_HEADER_SIZE: usize = 13;

fn varint_len(v: u64) -> usize {
    let bits = 64 - v.leading_zeros() as usize;
    bits.max(1).div_ceil(7)
}

fn bytes_field(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        1 + varint_len(len as u64) + len
    }
}

fn int_field(v: i64) -> usize {
    if v == 0 {
        0
    } else {
        1 + varint_len(v as u64)
    }
}

fn bool_field(b: bool) -> usize {
    if b {
        2
    } else {
        0
    }
}

fn message_field(len: usize) -> usize {
    1 + varint_len(len as u64) + len
}

fn put_size(p: &PutRequest) -> usize {
    bytes_field(p.key.len())
        + bytes_field(p.value.len())
        + int_field(p.lease)
        + bool_field(p.prev_kv)
        + bool_field(p.ignore_value)
        + bool_field(p.ignore_lease)
}

fn range_size(r: &RangeRequest) -> usize {
    bytes_field(r.key.len())
        + bytes_field(r.range_end.len())
        + int_field(r.limit)
        + int_field(r.revision)
        + int_field(r.sort_order as i64)
        + int_field(r.sort_target as i64)
        + bool_field(r.keys_only)
        + bool_field(r.count_only)
        + int_field(r.min_mod_revision)
        + int_field(r.max_mod_revision)
        + int_field(r.min_create_revision)
        + int_field(r.max_create_revision)
}

fn delete_size(d: &DeleteRangeRequest) -> usize {
    bytes_field(d.key.len()) + bytes_field(d.range_end.len()) + bool_field(d.prev_kv)
}

fn compare_size(c: &Compare) -> usize {
    let target = match &c.target {
        CompareTarget::Version(v)
        | CompareTarget::Create(v)
        | CompareTarget::Mod(v)
        | CompareTarget::Lease(v) => 1 + varint_len(*v as u64),
        CompareTarget::Value(v) => 1 + varint_len(v.len() as u64) + v.len(),
    };
    int_field(c.result as i64)
        + 2
        + bytes_field(c.key.len())
        + target
        + bytes_field(c.range_end.len())
}

fn op_size(op: &RequestOp) -> usize {
    message_field(match op {
        RequestOp::Range(r) => range_size(r),
        RequestOp::Put(p) => put_size(p),
        RequestOp::DeleteRange(d) => delete_size(d),
        RequestOp::Txn(t) => txn_size(t),
    })
}

fn txn_size(t: &TxnRequest) -> usize {
    t.compare
        .iter()
        .map(|c| message_field(compare_size(c)))
        .sum::<usize>()
        + t.success.iter().map(op_size).sum::<usize>()
        + t.failure.iter().map(op_size).sum::<usize>()
}

/// The encoded size of the raft proposal (`InternalRaftRequest`) etcd makes for `req`, or
/// `None` for requests served without raft (reads, watches, keep-alives, maintenance). etcd
/// refuses a proposal larger than `--max-request-bytes` with `etcdserver: request is too
/// large`; with the default 1.5 MiB a put of key `big` fits with a value of up to 1,572,838
/// bytes on etcd 3.4.23, and so it does here.
pub fn raft_request_size(req: &Request) -> Option<usize> {
    let body = match req {
        Request::Put(p) => put_size(p),
        Request::DeleteRange(d) => delete_size(d),
        Request::Txn(t) if !KvStore::is_txn_readonly(t) => txn_size(t),
        Request::Compact(c) => int_field(c.revision) + bool_field(c.physical),
        Request::LeaseGrant(g) => int_field(g.ttl) + int_field(g.id),
        Request::LeaseRevoke { id } => int_field(*id),
        // Alarm requests are raft proposals too (action GET is 0, DEACTIVATE 1).
        Request::AlarmList => 0,
        Request::AlarmDisarm(a) => {
            int_field(1) + int_field(a.member_id as i64) + int_field(a.alarm as i64)
        }
        _ => return None,
    };
    Some(RAFT_HEADER_SIZE + message_field(body))
}

fn cost_put(p: &PutRequest) -> i64 {
    KV_OVERHEAD + (p.key.len() + p.value.len()) as i64
}

/// What etcd's backend quota charges for `req` (`backendQuota.Cost`): puts (a txn's costlier
/// branch) and lease grants; everything else is free and never refused for space.
pub fn quota_cost(req: &Request) -> i64 {
    let ops_cost = |ops: &[RequestOp]| -> i64 {
        ops.iter()
            .map(|op| match op {
                RequestOp::Put(p) => cost_put(p),
                _ => 0,
            })
            .sum()
    };
    match req {
        Request::Put(p) => cost_put(p),
        Request::Txn(t) => ops_cost(&t.success).max(ops_cost(&t.failure)),
        Request::LeaseGrant(_) => LEASE_OVERHEAD,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_put_is_measured_like_etcds_raft_proposal() {
        let put = |n: usize| {
            Request::Put(PutRequest {
                key: b"big".to_vec(),
                value: vec![b'a'; n],
                ..PutRequest::default()
            })
        };
        // Measured on etcd 3.4.23: 1,572,838 bytes under key `big` is the largest value that
        // fits in the default 1,572,864-byte limit.
        assert_eq!(raft_request_size(&put(1_572_838)), Some(1_572_864));
        assert_eq!(raft_request_size(&put(1_572_839)), Some(1_572_865));
        assert_eq!(
            raft_request_size(&Request::Range(RangeRequest::default())),
            None
        );
    }

    #[test]
    fn varints_take_seven_bits_a_byte() {
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(127), 1);
        assert_eq!(varint_len(128), 2);
        assert_eq!(varint_len(u64::MAX), 10);
    }
}
