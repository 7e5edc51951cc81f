//! etcd's multi-version concurrency control store (`server/mvcc`): every write makes a new
//! revision, old revisions stay readable until compacted, and watchers replay them in order.

pub mod key_index;
pub mod kvstore;
pub mod revision;
pub mod watchable_store;

use std::sync::Arc;

/// Shared, immutable bytes for keys and values: a read or an event shares them instead of
/// copying (1 KiB values are the common case in Kubernetes).
pub type Bytes = Arc<[u8]>;

pub use key_index::KeyIndex;
pub use kvstore::{KeyValue, KvStore, RangeOptions, RangeResult};
pub use revision::Revision;
pub use watchable_store::{WatchableStore, Watcher};
