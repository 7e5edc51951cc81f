//! How kube-apiserver keeps objects in etcd: JSON values under the real key layout, the
//! resourceVersion taken from etcd's `mod_revision`, and the transactions behind optimistic
//! concurrency (`compare mod_revision, then put`), as in `k8s.io/apiserver/pkg/storage/etcd3`.
//!
//! kubestep stores JSON; a real kube-apiserver stores built-in kinds as protobuf
//! (`k8s\x00` + the encoded object). The UI says so where it shows a stored value.

use std::sync::Arc;

use serde_json::Value;

use crate::etcd::api::{
    Compare, CompareResult, CompareTarget, DeleteRangeRequest, KeyValue, PutRequest, RangeRequest,
    RequestOp, TxnRequest,
};

/// The bytes kube-apiserver writes for an object: its JSON without `metadata.resourceVersion`
/// (the version is etcd's own `mod_revision`, never stored in the value).
pub fn encode(obj: &Value) -> Vec<u8> {
    let mut obj = obj.clone();
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    serde_json::to_vec(&obj).expect("a JSON value always serialises")
}

/// An object read from etcd, with `metadata.resourceVersion` set from the key's `mod_revision`
/// (or from `revision`, for a deletion), and defaulted as the storage codec does on every read.
pub fn decode(kv: &KeyValue, revision: i64) -> Option<Value> {
    let mut obj: Value = serde_json::from_slice(&kv.value).ok()?;
    super::defaulting::set_object_defaults(&mut obj);
    set_resource_version(&mut obj, revision);
    Some(obj)
}

pub fn decode_shared(kv: &KeyValue, revision: i64) -> Option<Arc<Value>> {
    decode(kv, revision).map(Arc::new)
}

pub fn set_resource_version(obj: &mut Value, revision: i64) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert(
            "resourceVersion".to_string(),
            Value::String(revision.to_string()),
        );
    }
}

/// Create: put only if the key has never been created (`create_revision == 0`); else read it.
pub fn create_txn(key: &str, value: Vec<u8>, lease: i64) -> TxnRequest {
    TxnRequest {
        compare: vec![Compare {
            result: CompareResult::Equal,
            target: CompareTarget::Mod(0),
            key: key.as_bytes().to_vec(),
            range_end: vec![],
        }],
        success: vec![RequestOp::Put(PutRequest {
            key: key.as_bytes().to_vec(),
            value,
            lease,
            ..PutRequest::default()
        })],
        failure: vec![RequestOp::Range(RangeRequest {
            key: key.as_bytes().to_vec(),
            ..RangeRequest::default()
        })],
    }
}

/// Update: put only if nobody wrote the key since we read it at `mod_revision`; else read it
/// again (GuaranteedUpdate retries with the fresh object).
pub fn update_txn(key: &str, mod_revision: i64, value: Vec<u8>, lease: i64) -> TxnRequest {
    TxnRequest {
        compare: vec![Compare {
            result: CompareResult::Equal,
            target: CompareTarget::Mod(mod_revision),
            key: key.as_bytes().to_vec(),
            range_end: vec![],
        }],
        success: vec![RequestOp::Put(PutRequest {
            key: key.as_bytes().to_vec(),
            value,
            lease,
            ..PutRequest::default()
        })],
        failure: vec![RequestOp::Range(RangeRequest {
            key: key.as_bytes().to_vec(),
            ..RangeRequest::default()
        })],
    }
}

/// Delete: only if unchanged since read at `mod_revision`; else read it again.
pub fn delete_txn(key: &str, mod_revision: i64) -> TxnRequest {
    TxnRequest {
        compare: vec![Compare {
            result: CompareResult::Equal,
            target: CompareTarget::Mod(mod_revision),
            key: key.as_bytes().to_vec(),
            range_end: vec![],
        }],
        success: vec![RequestOp::DeleteRange(DeleteRangeRequest {
            key: key.as_bytes().to_vec(),
            prev_kv: true,
            ..DeleteRangeRequest::default()
        })],
        failure: vec![RequestOp::Range(RangeRequest {
            key: key.as_bytes().to_vec(),
            ..RangeRequest::default()
        })],
    }
}

/// A range over every key under `prefix` (which ends with `/`).
pub fn list_range(
    prefix: &str,
    start_after: Option<&str>,
    limit: i64,
    revision: i64,
) -> RangeRequest {
    let start = match start_after {
        Some(k) => {
            let mut s = k.as_bytes().to_vec();
            s.push(0);
            s
        }
        None => prefix.as_bytes().to_vec(),
    };
    RangeRequest {
        key: start,
        range_end: crate::etcd::prefix_end(prefix.as_bytes()),
        limit,
        revision,
        ..RangeRequest::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resource_version_lives_in_etcd_not_in_the_value() {
        let obj = json!({"metadata": {"name": "web", "resourceVersion": "41"}});
        let bytes = encode(&obj);
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"metadata":{"name":"web"}}"#
        );
        let kv = KeyValue {
            key: b"/registry/pods/default/web".to_vec(),
            value: bytes,
            mod_revision: 57,
            ..KeyValue::default()
        };
        assert_eq!(
            decode(&kv, 57).unwrap()["metadata"]["resourceVersion"],
            "57"
        );
    }
}
