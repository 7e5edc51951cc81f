//! client-go's Reflector and its store, as an explicit state machine (in the manner of
//! kube-runtime's watcher): list, then watch from the list's resourceVersion; keep a local cache;
//! on a 410 Gone (or any broken watch) list again and report what changed meanwhile.
//!
//! Cached objects are shared (`Arc`), never copied: every informer of a component, and the
//! events it hands to its controllers, point at the same decoded object.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::{object_key, query, ApiClient};
use crate::apiserver::request::HttpResponse;
use crate::apiserver::watch::{WatchEvent, WatchEventType};
use crate::sim::Ctx;

/// What a reflector's request was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReflectorCall {
    List,
    Watch,
}

/// The state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Not started, or stopped.
    Idle,
    /// Waiting for the list with this request id.
    Listing(u64),
    /// Streaming the watch with this request id.
    Watching(u64),
}

/// A change the reflector saw, for the component's event handlers.
#[derive(Clone, Debug, PartialEq)]
pub enum Delta {
    Added(Arc<Value>),
    Updated { old: Arc<Value>, new: Arc<Value> },
    Deleted(Arc<Value>),
}

impl Delta {
    pub fn object(&self) -> &Arc<Value> {
        match self {
            Delta::Added(o) | Delta::Deleted(o) => o,
            Delta::Updated { new, .. } => new,
        }
    }
}

/// A reflector over one collection (`/api/v1/pods?fieldSelector=spec.nodeName=node-1`).
#[derive(Clone, Debug)]
pub struct Reflector {
    /// The collection path without query.
    pub path: String,
    pub label_selector: String,
    pub field_selector: String,
    pub state: State,
    /// The local cache, by `namespace/name`.
    pub cache: BTreeMap<String, Arc<Value>>,
    /// The last resourceVersion seen (list, event or bookmark).
    pub resource_version: String,
    /// Whether the first list has completed (`HasSynced`).
    pub synced: bool,
    /// How many times it has listed (1 after the first list).
    pub lists: u64,
}

impl Reflector {
    pub fn new(path: &str, label_selector: &str, field_selector: &str) -> Reflector {
        Reflector {
            path: path.to_string(),
            label_selector: label_selector.to_string(),
            field_selector: field_selector.to_string(),
            state: State::Idle,
            cache: BTreeMap::new(),
            resource_version: String::new(),
            synced: false,
            lists: 0,
        }
    }

    /// Lists: the first time from the watch cache (`resourceVersion=0`), after a 410 with a
    /// consistent read from etcd (`resourceVersion` unset), as client-go does.
    pub fn list<T: Clone>(&mut self, client: &mut ApiClient<T>, ctx: &mut Ctx<'_>, tag: T) {
        let rv = if self.lists == 0 || !self.resource_version.is_empty() {
            "0"
        } else {
            ""
        };
        let q = query(&[
            ("labelSelector", &self.label_selector),
            ("fieldSelector", &self.field_selector),
            ("resourceVersion", rv),
        ]);
        let req = client.request("GET", &format!("{}{q}", self.path));
        let id = client.send(ctx, req, tag, None);
        self.state = State::Listing(id);
    }

    /// Watches again from the last resourceVersion seen, as a restarted component does. If the
    /// server no longer holds that version, the watch ends in 410 Gone and the reflector lists.
    pub fn resume_watch<T: Clone>(&mut self, client: &mut ApiClient<T>, ctx: &mut Ctx<'_>, tag: T) {
        if let State::Watching(id) = self.state {
            client.cancel(ctx, id);
        }
        self.watch(client, ctx, tag);
    }

    fn watch<T: Clone>(&mut self, client: &mut ApiClient<T>, ctx: &mut Ctx<'_>, tag: T) {
        let q = query(&[
            ("allowWatchBookmarks", "true"),
            ("labelSelector", &self.label_selector),
            ("fieldSelector", &self.field_selector),
            ("resourceVersion", &self.resource_version),
            ("watch", "true"),
        ]);
        let req = client.request("GET", &format!("{}{q}", self.path));
        let id = client.send(ctx, req, tag, None);
        self.state = State::Watching(id);
    }

    /// Whether request `id` belongs to this reflector, and what it was.
    pub fn owns(&self, id: u64) -> Option<ReflectorCall> {
        match self.state {
            State::Listing(l) if l == id => Some(ReflectorCall::List),
            State::Watching(w) if w == id => Some(ReflectorCall::Watch),
            _ => None,
        }
    }

    /// The list's answer: replace the cache (reporting the differences as deltas), then watch
    /// from the list's resourceVersion. `watch_tag` tags the watch request.
    pub fn on_list<T: Clone>(
        &mut self,
        response: &HttpResponse,
        client: &mut ApiClient<T>,
        ctx: &mut Ctx<'_>,
        watch_tag: T,
        list_tag: T,
    ) -> Vec<Delta> {
        let Some(list) = response.body_json().filter(|_| response.status == 200) else {
            // A failed list is retried (client-go backs off; the next try goes out at once
            // here, after the answer, so a broken server cannot make it spin without time
            // passing on the bus).
            self.resource_version.clear();
            self.list(client, ctx, list_tag);
            return Vec::new();
        };
        self.lists += 1;
        self.resource_version = list
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut fresh: BTreeMap<String, Arc<Value>> = BTreeMap::new();
        for item in list["items"].as_array().into_iter().flatten() {
            fresh.insert(object_key(item), Arc::new(item.clone()));
        }
        let mut deltas = Vec::new();
        for (k, old) in &self.cache {
            if !fresh.contains_key(k) {
                deltas.push(Delta::Deleted(old.clone()));
            }
        }
        for (k, new) in &fresh {
            match self.cache.get(k) {
                None => deltas.push(Delta::Added(new.clone())),
                Some(old) if rv(old) != rv(new) => deltas.push(Delta::Updated {
                    old: old.clone(),
                    new: new.clone(),
                }),
                Some(_) => {}
            }
        }
        self.cache = fresh;
        self.synced = true;
        self.watch(client, ctx, watch_tag);
        deltas
    }

    /// The watch's response header: anything but 200 means list again.
    pub fn on_watch_response<T: Clone>(
        &mut self,
        response: &HttpResponse,
        client: &mut ApiClient<T>,
        ctx: &mut Ctx<'_>,
        list_tag: T,
    ) {
        if response.status != 200 {
            if let State::Watching(id) = self.state {
                client.complete(id);
            }
            if response.status == 410 {
                self.resource_version.clear();
            }
            self.list(client, ctx, list_tag);
        }
    }

    /// One watch event: update the cache and report the delta. An ERROR (410 Expired: the
    /// watch fell out of the server's window) closes the watch and lists again.
    pub fn on_event<T: Clone>(
        &mut self,
        event: &WatchEvent,
        client: &mut ApiClient<T>,
        ctx: &mut Ctx<'_>,
        list_tag: T,
    ) -> Option<Delta> {
        let obj = &event.object;
        match event.kind {
            WatchEventType::Error => {
                if let State::Watching(id) = self.state {
                    client.complete(id);
                }
                self.resource_version.clear();
                self.list(client, ctx, list_tag);
                None
            }
            WatchEventType::Bookmark => {
                self.resource_version = rv(obj);
                None
            }
            WatchEventType::Added | WatchEventType::Modified => {
                self.resource_version = rv(obj);
                let key = object_key(obj);
                match self.cache.insert(key, obj.clone()) {
                    None => Some(Delta::Added(obj.clone())),
                    Some(old) => Some(Delta::Updated {
                        old,
                        new: obj.clone(),
                    }),
                }
            }
            WatchEventType::Deleted => {
                self.resource_version = rv(obj);
                let key = object_key(obj);
                self.cache.remove(&key);
                Some(Delta::Deleted(obj.clone()))
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Arc<Value>> {
        self.cache.get(key)
    }

    pub fn list_cached(&self) -> impl Iterator<Item = &Arc<Value>> {
        self.cache.values()
    }
}

fn rv(obj: &Value) -> String {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
