//! etcd's v3 API as plain values: the requests and responses of the KV, Watch, Lease and
//! Maintenance services, shaped after `etcdserverpb/rpc.proto` and `mvccpb/kv.proto`.
//!
//! These types travel on the simulation bus between etcd's clients (the API server, etcdctl)
//! and the etcd server. They know keys, values and revisions, never Kubernetes kinds.

use serde::{Deserialize, Serialize};

/// Fixed simulation constants for the header fields that a real cluster derives from its
/// member identity (masked in differential tests against real etcd).
pub const CLUSTER_ID: u64 = 0x5e1f_7a2b_9c3d_4e60;
pub const MEMBER_ID: u64 = 0x8e9e_05c5_2164_694d;
pub const RAFT_TERM: u64 = 2;
/// The etcd version kubestep's etcd reports (`etcdctl version`, `endpoint status`).
pub const ETCD_VERSION: &str = "3.4.23";
pub const ETCD_CLUSTER_VERSION: &str = "3.4.0";

/// `mvccpb.KeyValue`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KeyValue {
    pub key: Vec<u8>,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
    pub value: Vec<u8>,
    pub lease: i64,
}

/// `etcdserverpb.ResponseHeader`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResponseHeader {
    pub cluster_id: u64,
    pub member_id: u64,
    pub revision: i64,
    pub raft_term: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortOrder {
    #[default]
    None,
    Ascend,
    Descend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortTarget {
    #[default]
    Key,
    Version,
    Create,
    Mod,
    Value,
}

/// `etcdserverpb.RangeRequest`. An empty `range_end` means the single key `key`;
/// `range_end == [0]` means every key `>= key` (`--from-key`); a key of `[0]` with
/// `range_end == [0]` means all keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RangeRequest {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub limit: i64,
    /// 0 reads the current revision.
    pub revision: i64,
    pub sort_order: SortOrder,
    pub sort_target: SortTarget,
    pub keys_only: bool,
    pub count_only: bool,
    pub min_mod_revision: i64,
    pub max_mod_revision: i64,
    pub min_create_revision: i64,
    pub max_create_revision: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RangeResponse {
    pub header: ResponseHeader,
    pub kvs: Vec<KeyValue>,
    pub more: bool,
    pub count: i64,
}

/// `etcdserverpb.PutRequest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PutRequest {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub lease: i64,
    pub prev_kv: bool,
    pub ignore_value: bool,
    pub ignore_lease: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PutResponse {
    pub header: ResponseHeader,
    pub prev_kv: Option<KeyValue>,
}

/// `etcdserverpb.DeleteRangeRequest` (same `range_end` conventions as [`RangeRequest`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DeleteRangeRequest {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    pub prev_kv: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DeleteRangeResponse {
    pub header: ResponseHeader,
    pub deleted: i64,
    pub prev_kvs: Vec<KeyValue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareResult {
    Equal,
    Greater,
    Less,
    NotEqual,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareTarget {
    Version(i64),
    Create(i64),
    Mod(i64),
    Value(Vec<u8>),
    Lease(i64),
}

/// `etcdserverpb.Compare`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compare {
    pub result: CompareResult,
    pub target: CompareTarget,
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
}

/// `etcdserverpb.RequestOp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestOp {
    Range(RangeRequest),
    Put(PutRequest),
    DeleteRange(DeleteRangeRequest),
    Txn(TxnRequest),
}

/// `etcdserverpb.ResponseOp`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResponseOp {
    Range(RangeResponse),
    Put(PutResponse),
    DeleteRange(DeleteRangeResponse),
    Txn(TxnResponse),
}

/// `etcdserverpb.TxnRequest`: if every compare holds, run `success`, else `failure`;
/// the whole transaction takes at most one revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TxnRequest {
    pub compare: Vec<Compare>,
    pub success: Vec<RequestOp>,
    pub failure: Vec<RequestOp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TxnResponse {
    pub header: ResponseHeader,
    pub succeeded: bool,
    pub responses: Vec<ResponseOp>,
}

/// `etcdserverpb.CompactionRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CompactionRequest {
    pub revision: i64,
    pub physical: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CompactionResponse {
    pub header: ResponseHeader,
}

/// `etcdserverpb.WatchCreateRequest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WatchCreateRequest {
    pub key: Vec<u8>,
    pub range_end: Vec<u8>,
    /// 0 watches from the next revision.
    pub start_revision: i64,
    pub progress_notify: bool,
    pub prev_kv: bool,
    pub filter_noput: bool,
    pub filter_nodelete: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    Put,
    Delete,
}

/// `mvccpb.Event`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventType,
    pub kv: KeyValue,
    pub prev_kv: Option<KeyValue>,
}

/// `etcdserverpb.WatchResponse`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WatchResponse {
    pub header: ResponseHeader,
    pub watch_id: i64,
    pub created: bool,
    pub canceled: bool,
    /// Set when the watch was canceled because its start revision was compacted.
    pub compact_revision: i64,
    pub cancel_reason: String,
    pub events: Vec<Event>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LeaseGrantRequest {
    /// Requested TTL in seconds.
    pub ttl: i64,
    /// 0 lets the server choose an ID.
    pub id: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LeaseGrantResponse {
    pub header: ResponseHeader,
    pub id: i64,
    pub ttl: i64,
    pub error: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LeaseRevokeResponse {
    pub header: ResponseHeader,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LeaseKeepAliveResponse {
    pub header: ResponseHeader,
    pub id: i64,
    pub ttl: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LeaseTimeToLiveResponse {
    pub header: ResponseHeader,
    pub id: i64,
    /// Remaining seconds; -1 when the lease has expired or does not exist.
    pub ttl: i64,
    pub granted_ttl: i64,
    pub keys: Vec<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LeaseLeasesResponse {
    pub header: ResponseHeader,
    pub leases: Vec<i64>,
}

/// `etcdserverpb.StatusResponse` (Maintenance.Status, behind `etcdctl endpoint status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StatusResponse {
    pub header: ResponseHeader,
    pub version: String,
    pub db_size: i64,
    pub leader: u64,
    pub raft_index: u64,
    pub raft_term: u64,
    pub raft_applied_index: u64,
    pub errors: Vec<String>,
    pub db_size_in_use: i64,
    pub is_learner: bool,
}

/// `etcdserverpb.Member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Member {
    pub id: u64,
    pub name: String,
    pub peer_urls: Vec<String>,
    pub client_urls: Vec<String>,
    pub is_learner: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MemberListResponse {
    pub header: ResponseHeader,
    pub members: Vec<Member>,
}

/// `etcdserverpb.AlarmType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum AlarmType {
    /// In a disarm request: every alarm of the member.
    #[default]
    None,
    /// The backend reached its quota (`--quota-backend-bytes`).
    Nospace,
    Corrupt,
}

/// `etcdserverpb.AlarmMember`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AlarmMember {
    pub member_id: u64,
    pub alarm: AlarmType,
}

/// `etcdserverpb.AlarmResponse`: the alarms raised (for a list) or just cleared (for a disarm).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AlarmResponse {
    pub header: ResponseHeader,
    pub alarms: Vec<AlarmMember>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DefragmentResponse {
    pub header: ResponseHeader,
}

/// Every request an etcd client can send over the bus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    Range(RangeRequest),
    Put(PutRequest),
    DeleteRange(DeleteRangeRequest),
    Txn(TxnRequest),
    Compact(CompactionRequest),
    WatchCreate(WatchCreateRequest),
    WatchCancel {
        watch_id: i64,
    },
    /// Ask every watch of this client for a progress notification (`WatchProgressRequest`).
    WatchProgress,
    LeaseGrant(LeaseGrantRequest),
    LeaseRevoke {
        id: i64,
    },
    LeaseKeepAlive {
        id: i64,
    },
    LeaseTimeToLive {
        id: i64,
        keys: bool,
    },
    LeaseLeases,
    Status,
    MemberList,
    /// Maintenance.Snapshot: the whole store as bytes.
    Snapshot,
    /// Maintenance.Alarm with action GET (`etcdctl alarm list`).
    AlarmList,
    /// Maintenance.Alarm with action DEACTIVATE: clears `alarm` of member `member_id`
    /// (`etcdctl alarm disarm` lists the alarms and disarms each).
    AlarmDisarm(AlarmMember),
    /// Maintenance.Defragment (`etcdctl defrag`): the backend file shrinks to what it holds.
    Defragment,
}

/// Every response etcd sends back; watch events arrive as [`Response::Watch`] on their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    Range(RangeResponse),
    Put(PutResponse),
    DeleteRange(DeleteRangeResponse),
    Txn(TxnResponse),
    Compact(CompactionResponse),
    Watch(WatchResponse),
    LeaseGrant(LeaseGrantResponse),
    LeaseRevoke(LeaseRevokeResponse),
    LeaseKeepAlive(LeaseKeepAliveResponse),
    LeaseTimeToLive(LeaseTimeToLiveResponse),
    LeaseLeases(LeaseLeasesResponse),
    Status(StatusResponse),
    MemberList(MemberListResponse),
    Snapshot {
        header: ResponseHeader,
        data: Vec<u8>,
    },
    Alarm(AlarmResponse),
    Defragment(DefragmentResponse),
}

/// Errors with the exact texts etcd's server returns (`etcdserver/api/v3rpc/rpctypes`);
/// `Display` gives the text a client prints after `Error: `.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EtcdError {
    /// `mvcc: required revision has been compacted`
    Compacted,
    /// `mvcc: required revision is a future revision`
    FutureRev,
    /// `etcdserver: request is too large`
    RequestTooLarge,
    /// `etcdserver: mvcc: database space exceeded`
    NoSpace,
    /// `etcdserver: requested lease not found`
    LeaseNotFound,
    /// `etcdserver: lease already exists`
    LeaseExist,
    /// `etcdserver: too large lease TTL` (a grant above etcd's `MaxLeaseTTL`, 9,000,000,000 s)
    LeaseTtlTooLarge,
    /// `etcdserver: too many operations in txn request`
    TooManyOps,
    /// `etcdserver: duplicate key given in txn request`
    DuplicateKey,
    /// `etcdserver: key is not provided`
    EmptyKey,
    /// `etcdserver: value is provided` (put with `ignore_value` and a value)
    ValueProvided,
    /// `etcdserver: lease is provided` (put with `ignore_lease` and a lease)
    LeaseProvided,
    /// `etcdserver: key not found` (put with `ignore_value`/`ignore_lease` on a missing key)
    KeyNotFound,
    /// `etcdserver: mvcc: required revision has been compacted` as a compaction request's error
    CompactedCompaction,
    /// `etcdserver: mvcc: required revision is a future revision` as a compaction request's error
    FutureRevCompaction,
}

impl std::fmt::Display for EtcdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EtcdError::Compacted => "etcdserver: mvcc: required revision has been compacted",
            EtcdError::FutureRev => "etcdserver: mvcc: required revision is a future revision",
            EtcdError::RequestTooLarge => "etcdserver: request is too large",
            EtcdError::NoSpace => "etcdserver: mvcc: database space exceeded",
            EtcdError::LeaseNotFound => "etcdserver: requested lease not found",
            EtcdError::LeaseExist => "etcdserver: lease already exists",
            EtcdError::LeaseTtlTooLarge => "etcdserver: too large lease TTL",
            EtcdError::TooManyOps => "etcdserver: too many operations in txn request",
            EtcdError::DuplicateKey => "etcdserver: duplicate key given in txn request",
            EtcdError::EmptyKey => "etcdserver: key is not provided",
            EtcdError::ValueProvided => "etcdserver: value is provided",
            EtcdError::LeaseProvided => "etcdserver: lease is provided",
            EtcdError::KeyNotFound => "etcdserver: key not found",
            EtcdError::CompactedCompaction => {
                "etcdserver: mvcc: required revision has been compacted"
            }
            EtcdError::FutureRevCompaction => {
                "etcdserver: mvcc: required revision is a future revision"
            }
        })
    }
}

impl std::error::Error for EtcdError {}
