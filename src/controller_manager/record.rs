//! client-go's event recorder (`tools/record`) for the controllers: core/v1 Events about the
//! objects they manage, written with the controller's own identity (`source.component` is the
//! controller's name, as `NewRecorder(..., EventSource{Component: "job-controller"})` sets it).
//!
//! Simplification: the real broadcaster's EventCorrelator aggregates repeated events into one
//! with a count; controllers here write each event once (their messages name a pod or a job,
//! so they rarely repeat).

use serde_json::{json, Value};

use super::controller_utils::{name, namespace};
use super::{Write, WriteTag};
use crate::sim::SimTime;

/// One controller's recorder.
#[derive(Clone, Debug)]
pub struct EventRecorder {
    /// Who writes the events (the controller's service account in `kube-system`).
    service_account: &'static str,
    /// `source.component` and `reportingComponent`.
    component: &'static str,
    /// Makes event names unique within one millisecond of simulated time.
    seq: u64,
}

impl EventRecorder {
    pub fn new(service_account: &'static str, component: &'static str) -> EventRecorder {
        EventRecorder {
            service_account,
            component,
            seq: 0,
        }
    }

    /// `recorder.Event(object, eventtype, reason, message)` about `object` of
    /// `(api_version, kind)` (cached objects carry no type meta, as in client-go, where
    /// `GetReference` fills it from the scheme): the POST of the Event.
    pub fn event(
        &mut self,
        object: &Value,
        type_meta: (&str, &str),
        event_type: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) -> Write {
        self.seq += 1;
        let ns = namespace(object);
        let obj_name = name(object);
        let (api_version, kind) = type_meta;
        // `<object>.<unix nanoseconds in hex>`, as `makeEvent` names them.
        let nanos =
            (crate::sim::clock::EPOCH_UNIX_SECONDS * 1000 + now.as_millis()) * 1_000_000 + self.seq;
        let event = json!({
            "kind": "Event",
            "apiVersion": "v1",
            "metadata": {"name": format!("{obj_name}.{nanos:x}"), "namespace": ns},
            "involvedObject": {
                "kind": kind,
                "namespace": ns,
                "name": obj_name,
                "uid": object.pointer("/metadata/uid").cloned().unwrap_or(Value::Null),
                "apiVersion": api_version,
                "resourceVersion": object.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null),
            },
            "reason": reason,
            "message": message,
            "source": {"component": self.component},
            "firstTimestamp": now.rfc3339(),
            "lastTimestamp": now.rfc3339(),
            "count": 1,
            "type": event_type,
            "eventTime": null,
            "reportingComponent": self.component,
            "reportingInstance": "",
        });
        Write::new(
            self.service_account,
            "POST",
            format!("/api/v1/namespaces/{ns}/events"),
            WriteTag::Event,
        )
        .body(event)
    }
}
