//! kubestep's etcd: an in-memory MVCC key-value store with etcd's v3 semantics.
//!
//! It knows keys, values, revisions and leases, never Kubernetes kinds.

pub mod api;

use api::EtcdError;

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
        | EtcdError::FutureRevCompaction => 11,
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
