//! kube-apiserver's watch cache: per storage prefix, the current objects and a window of recent
//! events, fed by the server's own etcd watch, and the HTTP watchers it fans events out to.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::FieldSelector;
use super::labels::Selector;
use crate::sim::Addr;

/// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WatchEventType {
    #[serde(rename = "ADDED")]
    Added,
    #[serde(rename = "MODIFIED")]
    Modified,
    #[serde(rename = "DELETED")]
    Deleted,
    #[serde(rename = "BOOKMARK")]
    Bookmark,
    #[serde(rename = "ERROR")]
    Error,
}

impl WatchEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchEventType::Added => "ADDED",
            WatchEventType::Modified => "MODIFIED",
            WatchEventType::Deleted => "DELETED",
            WatchEventType::Bookmark => "BOOKMARK",
            WatchEventType::Error => "ERROR",
        }
    }
}

/// One event of a watch stream, `{"type": "ADDED", "object": {...}}` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEvent {
    #[serde(rename = "type")]
    pub kind: WatchEventType,
    pub object: Arc<Value>,
}

/// A change the cache applied, kept in its window so watches can start in the recent past.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedEvent {
    pub revision: i64,
    pub key: String,
    /// The object after the change (for a delete: the last state, at the delete's revision).
    pub object: Arc<Value>,
    /// The object before the change, `None` for a creation.
    pub prev: Option<Arc<Value>>,
    pub deleted: bool,
}

/// The watch cache of one etcd prefix (`/registry/pods/`).
#[derive(Clone, Debug)]
pub struct WatchCache {
    pub prefix: String,
    pub objects: BTreeMap<String, Arc<Value>>,
    /// The revision the cache reflects.
    pub revision: i64,
    /// Recent events, oldest first; a watch from before the oldest one gets 410 Gone.
    pub window: VecDeque<CachedEvent>,
    pub capacity: usize,
    /// The revision the window starts after: a watch from any revision >= this can be served.
    pub window_start: i64,
    /// Listed from etcd and watching: only a ready cache serves watches.
    pub ready: bool,
}

/// kube-apiserver's default watch cache size per resource (it grows on demand in newer versions;
/// kubestep keeps a fixed window and says so when it answers 410).
pub const DEFAULT_WINDOW: usize = 100;

impl WatchCache {
    pub fn new(prefix: &str) -> WatchCache {
        WatchCache {
            prefix: prefix.to_string(),
            objects: BTreeMap::new(),
            revision: 0,
            window: VecDeque::new(),
            capacity: DEFAULT_WINDOW,
            window_start: 0,
            ready: false,
        }
    }

    /// Replaces the cache's contents with a list read at `revision`.
    pub fn replace(&mut self, objects: BTreeMap<String, Arc<Value>>, revision: i64) {
        self.objects = objects;
        self.revision = revision;
        self.window.clear();
        self.window_start = revision;
        self.ready = true;
    }

    /// Applies one change from etcd. Returns the cached event, or `None` for an event the cache
    /// has already seen (revisions never go backwards).
    pub fn apply(
        &mut self,
        revision: i64,
        key: &str,
        object: Option<Arc<Value>>,
        deleted_at_last: Option<Arc<Value>>,
    ) -> Option<CachedEvent> {
        if revision <= self.revision && self.ready {
            return None;
        }
        let prev = self.objects.get(key).cloned();
        let ev = match object {
            Some(obj) => {
                self.objects.insert(key.to_string(), obj.clone());
                CachedEvent {
                    revision,
                    key: key.to_string(),
                    object: obj,
                    prev,
                    deleted: false,
                }
            }
            None => {
                self.objects.remove(key);
                let last = deleted_at_last.or_else(|| prev.clone())?;
                CachedEvent {
                    revision,
                    key: key.to_string(),
                    object: last,
                    prev,
                    deleted: true,
                }
            }
        };
        self.revision = revision;
        self.window.push_back(ev.clone());
        while self.window.len() > self.capacity {
            if let Some(old) = self.window.pop_front() {
                self.window_start = old.revision;
            }
        }
        Some(ev)
    }

    /// The events after `revision`, or `Err(oldest)` when they have left the window.
    pub fn events_since(&self, revision: i64) -> Result<Vec<CachedEvent>, i64> {
        if revision < self.window_start {
            return Err(self.window_start + 1);
        }
        Ok(self
            .window
            .iter()
            .filter(|e| e.revision > revision)
            .cloned()
            .collect())
    }
}

/// An open HTTP watch.
#[derive(Clone, Debug)]
pub struct Watcher {
    pub client: Addr,
    /// The id of the client's watch request: events go out on it.
    pub request_id: u64,
    pub resource: String,
    pub prefix: String,
    pub namespace: Option<String>,
    pub labels: Selector,
    pub fields: FieldSelector,
    pub bookmarks: bool,
    /// Serve Events as `events.k8s.io/v1` (converted from their stored core form).
    pub events_v1: bool,
    /// Send each object as a one-row meta.k8s.io/v1 Table (`kubectl get -w`): the group and
    /// plural of the resource, and whether the column definitions went out with the first event.
    pub table: Option<(String, String)>,
    pub table_columns_sent: bool,
    /// The last revision sent (events and bookmarks never go backwards).
    pub sent_revision: i64,
}

impl Watcher {
    fn selects(&self, obj: &Value) -> bool {
        if let Some(ns) = &self.namespace {
            if obj.pointer("/metadata/namespace").and_then(Value::as_str) != Some(ns.as_str()) {
                return false;
            }
        }
        self.labels.matches_object(obj) && self.fields.matches(&self.resource, obj)
    }

    /// What this watcher sees of a change: an object entering its selection is ADDED, leaving it
    /// DELETED, staying in it MODIFIED (as kube-apiserver's cacher does).
    pub fn event_for(&self, ev: &CachedEvent) -> Option<WatchEvent> {
        let now = !ev.deleted && self.selects(&ev.object);
        let before = ev.prev.as_ref().is_some_and(|p| self.selects(p));
        let kind = match (before, now, ev.deleted) {
            (_, _, true) if self.selects(&ev.object) => WatchEventType::Deleted,
            (false, true, _) => WatchEventType::Added,
            (true, true, _) => WatchEventType::Modified,
            (true, false, false) => WatchEventType::Deleted,
            _ => return None,
        };
        Some(WatchEvent {
            kind,
            object: ev.object.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, node: &str) -> Arc<Value> {
        Arc::new(
            json!({"metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}}, "spec": {"nodeName": node}}),
        )
    }

    fn watcher(fields: &str) -> Watcher {
        Watcher {
            client: Addr::Client("test".into()),
            request_id: 1,
            resource: "pods".into(),
            prefix: "/registry/pods/".into(),
            namespace: Some("default".into()),
            labels: Selector::parse("app=web").unwrap(),
            fields: FieldSelector::parse(fields, "pods").unwrap(),
            bookmarks: false,
            events_v1: false,
            table: None,
            table_columns_sent: false,
            sent_revision: 0,
        }
    }

    #[test]
    fn objects_leaving_a_selection_are_deleted_for_that_watcher() {
        let mut cache = WatchCache::new("/registry/pods/");
        cache.replace(BTreeMap::new(), 10);
        let unscheduled = watcher("spec.nodeName=");
        let created = cache
            .apply(11, "/registry/pods/default/a", Some(pod("a", "")), None)
            .unwrap();
        assert_eq!(
            unscheduled.event_for(&created).unwrap().kind,
            WatchEventType::Added
        );
        let bound = cache
            .apply(12, "/registry/pods/default/a", Some(pod("a", "n1")), None)
            .unwrap();
        assert_eq!(
            unscheduled.event_for(&bound).unwrap().kind,
            WatchEventType::Deleted
        );
        let on_n1 = watcher("spec.nodeName=n1");
        assert_eq!(on_n1.event_for(&bound).unwrap().kind, WatchEventType::Added);
        let gone = cache
            .apply(13, "/registry/pods/default/a", None, None)
            .unwrap();
        assert_eq!(
            on_n1.event_for(&gone).unwrap().kind,
            WatchEventType::Deleted
        );
        assert!(unscheduled.event_for(&gone).is_none());
    }

    #[test]
    fn the_window_keeps_recent_events_and_refuses_older_ones() {
        let mut cache = WatchCache::new("/registry/pods/");
        cache.capacity = 3;
        cache.replace(BTreeMap::new(), 10);
        for rev in 11..=15 {
            cache.apply(
                rev,
                &format!("/registry/pods/default/p{rev}"),
                Some(pod("p", "")),
                None,
            );
        }
        assert_eq!(cache.events_since(12).unwrap().len(), 3);
        assert_eq!(cache.events_since(11), Err(13));
        assert!(cache
            .apply(14, "/registry/pods/default/x", Some(pod("x", "")), None)
            .is_none());
    }
}
