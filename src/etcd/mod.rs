//! kubestep's etcd: an in-memory MVCC key-value store with etcd's v3 semantics.
//!
//! It knows keys, values, revisions and leases, never Kubernetes kinds. The map to etcd's
//! source (`server/` in etcd 3.5, top level in 3.4):
//! - `mvcc`: `mvcc/` (revisions, the key index, the store and its watchers);
//! - `lessor`: `lease/lessor.go`;
//! - `quota`: `etcdserver/quota.go` and the request size limit of `etcdserver/v3_server.go`;
//! - `snapshot`: `etcdserver/api/snapshot` (save, restore, status);
//! - `server`: `etcdserver` with its gRPC services (`etcdserver/api/v3rpc`), as an actor;
//! - `api`: the wire types of `etcdserverpb` and `mvccpb`.

pub mod api;
pub mod bench;

pub mod lessor;
pub mod mvcc;
pub mod quota;
pub mod server;
pub mod snapshot;

use api::EtcdError;

pub use server::EtcdServer;

/// How the simulated etcd member is configured: etcd's flags with their defaults, and the
/// member identity a kubeadm control plane gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtcdConfig {
    /// `--quota-backend-bytes` (etcd's default: 2 GiB).
    pub quota_backend_bytes: i64,
    /// `--max-request-bytes` (1.5 MiB).
    pub max_request_bytes: usize,
    /// `--max-txn-ops` (128).
    pub max_txn_ops: usize,
    /// `--heartbeat-interval` and `--election-timeout` in ms: they set the minimum lease TTL.
    pub heartbeat_ms: u64,
    pub election_timeout_ms: u64,
    /// `--name`: kubeadm names the member after its node.
    pub name: String,
    /// `--initial-advertise-peer-urls`, as kubeadm sets it (`https://<node IP>:2380`).
    pub peer_urls: Vec<String>,
    /// `--advertise-client-urls`, as kubeadm sets it (`https://<node IP>:2379`).
    pub client_urls: Vec<String>,
}

/// The control-plane node's IP in kubestep (the first address of a kind network, where
/// kubeadm's etcd advertises itself).
pub const CONTROL_PLANE_IP: &str = "172.18.0.2";

impl Default for EtcdConfig {
    fn default() -> Self {
        EtcdConfig {
            quota_backend_bytes: 2 * 1024 * 1024 * 1024,
            max_request_bytes: 1024 * 1024 + 512 * 1024,
            max_txn_ops: 128,
            heartbeat_ms: 100,
            election_timeout_ms: 1000,
            name: "control-plane".to_string(),
            peer_urls: vec![format!("https://{CONTROL_PLANE_IP}:2380")],
            client_urls: vec![format!("https://{CONTROL_PLANE_IP}:2379")],
        }
    }
}

/// The end of the range that holds every key starting with `prefix` (etcd's `GetPrefixRangeEnd`):
/// the prefix with its last byte below 0xff incremented and the rest cut off; `[0]` (every key)
/// when no such byte exists.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(&last) = end.last() {
        if last < 0xff {
            *end.last_mut().expect("non-empty") += 1;
            return end;
        }
        end.pop();
    }
    vec![0]
}

/// The gRPC status code etcd answers an error with (shown in the trace's status column).
pub fn grpc_code(error: &EtcdError) -> u16 {
    match error {
        // codes.OutOfRange
        EtcdError::Compacted
        | EtcdError::FutureRev
        | EtcdError::CompactedCompaction
        | EtcdError::FutureRevCompaction
        | EtcdError::LeaseTtlTooLarge => 11,
        // codes.InvalidArgument
        EtcdError::RequestTooLarge
        | EtcdError::TooManyOps
        | EtcdError::DuplicateKey
        | EtcdError::EmptyKey
        | EtcdError::ValueProvided
        | EtcdError::LeaseProvided
        | EtcdError::KeyNotFound => 3,
        // codes.ResourceExhausted
        EtcdError::NoSpace => 8,
        // codes.NotFound
        EtcdError::LeaseNotFound => 5,
        // codes.FailedPrecondition
        EtcdError::LeaseExist => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_follows_etcd() {
        assert_eq!(prefix_end(b"/registry/pods/"), b"/registry/pods0".to_vec());
        assert_eq!(prefix_end(b"a\xff"), b"b".to_vec());
        assert_eq!(prefix_end(b"\xff\xff"), vec![0]);
        assert_eq!(prefix_end(b""), vec![0]);
    }
}
