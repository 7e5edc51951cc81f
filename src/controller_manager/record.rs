//! The controllers' event recorder: client-go's recorder (`client::events`, with its
//! correlator) writing as the controller's own service account, `source.component` being the
//! controller's name, as `NewRecorder(..., EventSource{Component: "job-controller"})` sets it.

use serde_json::Value;

use super::Write;
use crate::client::events;
use crate::sim::SimTime;

/// One controller's recorder.
#[derive(Clone, Debug)]
pub struct EventRecorder {
    /// Who writes the events (the controller's service account in `kube-system`).
    service_account: &'static str,
    inner: events::EventRecorder,
}

impl EventRecorder {
    pub fn new(service_account: &'static str, component: &'static str) -> EventRecorder {
        EventRecorder {
            service_account,
            inner: events::EventRecorder::new(component, ""),
        }
    }

    /// `recorder.Event(object, eventtype, reason, message)` about `object` of
    /// `(api_version, kind)`: the Event's write.
    pub fn event(
        &mut self,
        object: &Value,
        type_meta: (&str, &str),
        event_type: &str,
        reason: &str,
        message: &str,
        now: SimTime,
    ) -> Write {
        let e = self
            .inner
            .event_typed(object, type_meta, None, event_type, reason, message, now);
        Write::event(self.service_account, e)
    }
}
