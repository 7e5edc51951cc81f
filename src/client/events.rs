//! client-go's event recorder (`tools/record`) for components: a core/v1 Event about an object,
//! named `<object>.<UnixNano in hex>`, and the EventCorrelator's aggregation: the same event
//! again (same object, field, type, reason and message) bumps the first one's `count` and
//! `lastTimestamp` with a PATCH instead of creating another.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::sim::SimTime;

/// The request a recorded event turns into.
#[derive(Clone, Debug, PartialEq)]
pub struct EventWrite {
    pub method: &'static str,
    pub path: String,
    pub content_type: &'static str,
    pub body: Value,
}

/// One component's recorder (`source.component`, and `source.host` for kubelets).
#[derive(Clone, Debug, Default)]
pub struct EventRecorder {
    component: String,
    host: String,
    /// Correlation key → (event name, count).
    recorded: BTreeMap<String, (String, i64)>,
    /// Events recorded in the same millisecond get distinct names.
    seq: u64,
}

impl EventRecorder {
    pub fn new(component: &str, host: &str) -> EventRecorder {
        EventRecorder {
            component: component.to_string(),
            host: host.to_string(),
            ..EventRecorder::default()
        }
    }

    /// Records an event of `kind` (`Normal`/`Warning`) about `object` (an API object with
    /// apiVersion, kind and metadata); `field_path` names a part of it
    /// (`spec.containers{nginx}`).
    pub fn event(
        &mut self,
        object: &Value,
        field_path: Option<&str>,
        kind: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) -> EventWrite {
        let type_meta = (
            object["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            object["kind"].as_str().unwrap_or_default().to_string(),
        );
        self.event_typed(
            object,
            (&type_meta.0, &type_meta.1),
            field_path,
            kind,
            reason,
            message,
            now,
        )
    }

    /// [`EventRecorder::event`] about an object whose `(apiVersion, kind)` is given: objects
    /// from an informer's list carry no type meta (client-go's `GetReference` fills it from
    /// the scheme).
    #[allow(clippy::too_many_arguments)]
    pub fn event_typed(
        &mut self,
        object: &Value,
        type_meta: (&str, &str),
        field_path: Option<&str>,
        kind: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) -> EventWrite {
        let meta = &object["metadata"];
        let name = meta["name"].as_str().unwrap_or_default();
        let ns = meta["namespace"].as_str().unwrap_or("default");
        let uid = meta["uid"].as_str().unwrap_or_default();
        let key = format!(
            "{uid}/{}/{kind}/{reason}/{message}",
            field_path.unwrap_or_default()
        );
        if let Some((event, count)) = self.recorded.get_mut(&key) {
            *count += 1;
            return EventWrite {
                method: "PATCH",
                path: format!("/api/v1/namespaces/{ns}/events/{event}"),
                content_type: "application/strategic-merge-patch+json",
                body: json!({"count": *count, "lastTimestamp": now.rfc3339(), "message": message}),
            };
        }
        self.seq += 1;
        let nanos =
            (crate::sim::clock::EPOCH_UNIX_SECONDS * 1000 + now.as_millis()) * 1_000_000 + self.seq;
        let event_name = format!("{name}.{nanos:x}");
        self.recorded.insert(key, (event_name.clone(), 1));
        let mut involved = json!({
            "kind": type_meta.1,
            "namespace": ns,
            "name": name,
            "uid": uid,
            "apiVersion": type_meta.0,
            "resourceVersion": meta["resourceVersion"],
        });
        if let Some(f) = field_path {
            involved["fieldPath"] = json!(f);
        }
        let mut source = json!({"component": self.component});
        if !self.host.is_empty() {
            source["host"] = json!(self.host);
        }
        EventWrite {
            method: "POST",
            path: format!("/api/v1/namespaces/{ns}/events"),
            content_type: "application/json",
            body: json!({
                "kind": "Event",
                "apiVersion": "v1",
                "metadata": {"name": event_name, "namespace": ns},
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "source": source,
                "firstTimestamp": now.rfc3339(),
                "lastTimestamp": now.rfc3339(),
                "count": 1,
                "type": kind,
                "eventTime": null,
                "reportingComponent": self.component,
                "reportingInstance": self.host,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_event_is_counted_on_the_first_one() {
        let mut r = EventRecorder::new("replicaset-controller", "");
        let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "web-1", "namespace": "default", "uid": "u1", "resourceVersion": "7"}});
        let first = r.event(
            &rs,
            None,
            "Normal",
            "SuccessfulCreate",
            "Created pod: web-1-abcde",
            SimTime(5000),
        );
        assert_eq!(first.method, "POST");
        assert_eq!(first.path, "/api/v1/namespaces/default/events");
        assert_eq!(first.body["involvedObject"]["kind"], "ReplicaSet");
        assert_eq!(
            first.body["source"],
            json!({"component": "replicaset-controller"})
        );
        let other = r.event(
            &rs,
            None,
            "Normal",
            "SuccessfulCreate",
            "Created pod: web-1-fghij",
            SimTime(5000),
        );
        assert_ne!(
            other.body["metadata"]["name"],
            first.body["metadata"]["name"]
        );
        let again = r.event(
            &rs,
            None,
            "Normal",
            "SuccessfulCreate",
            "Created pod: web-1-abcde",
            SimTime(9000),
        );
        assert_eq!(again.method, "PATCH");
        assert_eq!(
            again.path,
            format!(
                "/api/v1/namespaces/default/events/{}",
                first.body["metadata"]["name"].as_str().unwrap()
            )
        );
        assert_eq!(again.body["count"], 2);
    }
}
