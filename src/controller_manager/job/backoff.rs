//! The Job controller's pod failure back-off (`pkg/controller/job/backoff_utils.go`): how many
//! pods failed since the last success and when the last one finished decide how long the
//! controller waits before it creates a replacement — 10 s, doubling, at most 10 minutes
//! (`DefaultJobPodFailureBackOff`, `MaxJobPodFailureBackOff`; the documentation's "capped at
//! six minutes" predates the 10-minute cap in the code).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::apiserver::printers::parse_rfc3339;
use crate::sim::{SimDuration, SimTime};

/// `DefaultJobPodFailureBackOff`.
pub const DEFAULT_BACKOFF: SimDuration = SimDuration::from_secs(10);
/// `MaxJobPodFailureBackOff`.
pub const MAX_BACKOFF: SimDuration = SimDuration::from_secs(600);

/// `backoffRecord`: failures since the last success, and when the last of them finished
/// (Unix seconds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackoffRecord {
    pub key: String,
    pub failures_after_last_success: i64,
    pub last_failure_time: Option<i64>,
}

/// `backoffStore`, by job key.
#[derive(Clone, Debug, Default)]
pub struct BackoffStore {
    records: BTreeMap<String, BackoffRecord>,
}

impl BackoffStore {
    pub fn update(&mut self, record: BackoffRecord) {
        self.records.insert(record.key.clone(), record);
    }

    pub fn remove(&mut self, key: &str) {
        self.records.remove(key);
    }

    pub fn get(&self, key: &str) -> Option<&BackoffRecord> {
        self.records.get(key)
    }

    /// `newBackoffRecord`: the record after the pods that newly succeeded and failed.
    pub fn new_record(&self, key: &str, succeeded: &[&Value], failed: &[&Value]) -> BackoffRecord {
        let mut backoff = self.records.get(key).cloned().unwrap_or(BackoffRecord {
            key: key.to_string(),
            ..BackoffRecord::default()
        });
        let mut succeeded: Vec<i64> = succeeded.iter().map(|p| finished_time(p)).collect();
        let mut failed: Vec<i64> = failed.iter().map(|p| finished_time(p)).collect();
        succeeded.sort();
        failed.sort();
        match (succeeded.last(), failed.is_empty()) {
            (None, true) => {}
            (None, false) => {
                backoff.failures_after_last_success += failed.len() as i64;
                backoff.last_failure_time = failed.last().copied();
            }
            (Some(_), true) => {
                backoff.failures_after_last_success = 0;
                backoff.last_failure_time = None;
            }
            (Some(&last_success), false) => {
                backoff.failures_after_last_success = 0;
                backoff.last_failure_time = None;
                for &t in failed.iter().rev() {
                    if t <= last_success {
                        break;
                    }
                    if backoff.last_failure_time.is_none() {
                        backoff.last_failure_time = Some(t);
                    }
                    backoff.failures_after_last_success += 1;
                }
            }
        }
        backoff
    }
}

impl BackoffRecord {
    /// `getRemainingTime`: how long to wait before creating pods again.
    pub fn remaining(&self, now: SimTime) -> SimDuration {
        let Some(last) = self.last_failure_time else {
            return SimDuration::from_millis(0);
        };
        if self.failures_after_last_success == 0 {
            return SimDuration::from_millis(0);
        }
        let mut backoff = DEFAULT_BACKOFF.as_millis();
        for _ in 1..self.failures_after_last_success {
            backoff *= 2;
            if backoff >= MAX_BACKOFF.as_millis() {
                backoff = MAX_BACKOFF.as_millis();
                break;
            }
        }
        let now_ms = now.unix_seconds() as i64 * 1000 + (now.as_millis() % 1000) as i64;
        let elapsed = now_ms - last * 1000;
        if (backoff as i64) < elapsed {
            SimDuration::from_millis(0)
        } else {
            SimDuration::from_millis((backoff as i64 - elapsed) as u64)
        }
    }
}

/// `getFinishedTime`: the latest container finish time if every container finished, else the
/// time Ready went False, else the deletion time less the grace period, else the creation time
/// (Unix seconds).
pub fn finished_time(pod: &Value) -> i64 {
    let ts = |p: &str| {
        pod.pointer(p)
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
    };
    let statuses = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    if let Some(statuses) = statuses.filter(|s| !s.is_empty()) {
        let finished: Option<Vec<i64>> = statuses
            .iter()
            .map(|c| {
                c.pointer("/state/terminated/finishedAt")
                    .and_then(Value::as_str)
                    .and_then(parse_rfc3339)
            })
            .collect();
        if let Some(t) = finished.and_then(|f| f.into_iter().max()) {
            return t;
        }
    }
    if let Some(ready) = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
    {
        if ready["status"] == "False" {
            if let Some(t) = ready["lastTransitionTime"].as_str().and_then(parse_rfc3339) {
                return t;
            }
        }
    }
    if let Some(t) = ts("/metadata/deletionTimestamp") {
        let grace = pod
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        return t - grace;
    }
    ts("/metadata/creationTimestamp").unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn failed_at(t: &str) -> Value {
        json!({"status": {"phase": "Failed", "containerStatuses": [
            {"state": {"terminated": {"finishedAt": t}}}
        ]}})
    }

    #[test]
    fn the_back_off_doubles_from_ten_seconds_to_ten_minutes() {
        let store = BackoffStore::default();
        let p = failed_at("2026-01-01T00:00:00Z");
        let r = store.new_record("ns/j", &[], &[&p]);
        assert_eq!(r.failures_after_last_success, 1);
        assert_eq!(r.remaining(SimTime(4_000)), SimDuration::from_secs(6));
        assert_eq!(r.remaining(SimTime(11_000)), SimDuration::from_secs(0));
        let mut r3 = r.clone();
        r3.failures_after_last_success = 3;
        assert_eq!(r3.remaining(SimTime(0)), SimDuration::from_secs(40));
        r3.failures_after_last_success = 20;
        assert_eq!(r3.remaining(SimTime(0)), MAX_BACKOFF);
    }

    #[test]
    fn a_success_after_the_failures_resets_the_count() {
        let mut store = BackoffStore::default();
        let f = failed_at("2026-01-01T00:00:05Z");
        store.update(store.new_record("ns/j", &[], &[&f]));
        let ok = json!({"status": {"phase": "Succeeded", "containerStatuses": [
            {"state": {"terminated": {"finishedAt": "2026-01-01T00:00:09Z"}}}
        ]}});
        let r = store.new_record("ns/j", &[&ok], &[]);
        assert_eq!(r.failures_after_last_success, 0);
        assert_eq!(r.last_failure_time, None);
    }
}
