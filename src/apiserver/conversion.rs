//! Conversion between the versions one storage serves: `events.k8s.io/v1` Events are stored
//! as core `v1` Events (`/registry/events/...`) and converted on the way in and out, as
//! `pkg/apis/events/v1` conversions do.

use serde_json::{Map, Value};

/// (core v1 field, events.k8s.io/v1 field), for the fields that change name.
const RENAMES: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("reportingComponent", "reportingController"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
];

fn rename(obj: &Value, forward: bool, api_version: &str) -> Value {
    let Some(map) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        let key = RENAMES
            .iter()
            .find_map(|(core, ev)| match forward {
                true if k == core => Some(*ev),
                false if k == ev => Some(*core),
                _ => None,
            })
            .unwrap_or(k.as_str());
        out.insert(key.to_string(), v.clone());
    }
    out.insert("apiVersion".into(), Value::String(api_version.to_string()));
    out.insert("kind".into(), Value::String("Event".into()));
    Value::Object(out)
}

/// A stored core Event as `events.k8s.io/v1` serves it.
pub fn core_event_to_events_v1(obj: &Value) -> Value {
    rename(obj, true, "events.k8s.io/v1")
}

/// An `events.k8s.io/v1` Event as it is stored.
pub fn events_v1_to_core_event(obj: &Value) -> Value {
    rename(obj, false, "v1")
}

/// Whether objects of `group` are converted from their stored form.
pub fn is_events_v1(group: &str) -> bool {
    group == "events.k8s.io"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_round_trip_between_versions() {
        let core = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "web"}, "message": "Pulled", "reason": "Pulled", "source": {"component": "kubelet"}, "count": 2});
        let ev = core_event_to_events_v1(&core);
        assert_eq!(ev["apiVersion"], "events.k8s.io/v1");
        assert_eq!(ev["regarding"]["name"], "web");
        assert_eq!(ev["note"], "Pulled");
        assert_eq!(ev["deprecatedSource"]["component"], "kubelet");
        assert_eq!(ev["deprecatedCount"], 2);
        assert_eq!(events_v1_to_core_event(&ev), core);
    }
}
