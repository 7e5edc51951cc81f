//! The trace: one entry per delivered message, the single source the UI animates.

use serde::{Deserialize, Serialize};

use crate::sim::clock::SimTime;
use crate::sim::message::{Addr, Envelope, Message};

/// One delivered message, with everything a learner needs to follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    pub seq: u64,
    pub time_ms: u64,
    pub from: Addr,
    pub to: Addr,
    pub kind: String,
    /// HTTP method or gRPC call (`GET`, `Put`, `Range`), where the message has one.
    pub method: Option<String>,
    /// URL path or etcd key, where the message has one.
    pub path: Option<String>,
    /// HTTP status, or 0 for an OK gRPC answer and the gRPC code for an error.
    pub status: Option<u16>,
    /// The step (1-11) of the pod creation flow this message belongs to, if any.
    pub step: Option<u8>,
    /// The API server handler-chain stage, if any.
    pub stage: Option<String>,
    pub summary: String,
}

impl TraceEntry {
    pub fn from_envelope(env: &Envelope, delivered_at: SimTime) -> TraceEntry {
        let d = crate::sim::describe::describe(&env.message);
        TraceEntry {
            seq: env.seq,
            time_ms: delivered_at.as_millis(),
            from: env.from.clone(),
            to: env.to.clone(),
            kind: env.message.kind().to_string(),
            method: d.method,
            path: d.path,
            status: d.status,
            step: env.annotation.step,
            stage: env
                .annotation
                .stage
                .or(d.stage)
                .map(|s| s.name().to_string()),
            summary: d.summary,
        }
    }

    /// The canonical one-line JSON form (`kubestep trace` prints these).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(&serde_json::json!({
            "seq": self.seq,
            "time_ms": self.time_ms,
            "from": self.from.name(),
            "to": self.to.name(),
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "step": self.step,
            "stage": self.stage,
            "summary": self.summary,
        }))
        .expect("a trace entry always serialises")
    }
}

/// Counts of every delivery ever made, kept even when old entries are dropped: per step of
/// the pod creation flow, per receiving component, per message kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TraceSummary {
    pub total: u64,
    /// Entries no longer held in full (older than the retention window).
    pub dropped: u64,
    pub per_step: std::collections::BTreeMap<u8, u64>,
    pub per_component: std::collections::BTreeMap<String, u64>,
    pub per_kind: std::collections::BTreeMap<String, u64>,
}

/// The recorded trace and a running hash of it. With a retention limit, only the most recent
/// entries are held in full (between `limit` and `2 * limit` of them: the oldest half is
/// dropped at once, so pushing stays amortised O(1)); the hash and the summary cover all.
/// A cluster of 5,000 nodes sends a heartbeat per node every 10 s: a page must not keep every
/// one of them forever.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    entries: Vec<TraceEntry>,
    hash: Fnv1a64,
    summary: TraceSummary,
    limit: Option<usize>,
}

impl Trace {
    /// A trace that holds at least the last `limit` entries in full.
    pub fn with_retention(limit: usize) -> Trace {
        assert!(limit > 0, "a trace must hold at least one entry");
        Trace {
            limit: Some(limit),
            ..Trace::default()
        }
    }

    pub fn push(&mut self, entry: TraceEntry) {
        self.hash.write(entry.to_json_line().as_bytes());
        self.hash.write(b"\n");
        let s = &mut self.summary;
        s.total += 1;
        if let Some(step) = entry.step {
            *s.per_step.entry(step).or_default() += 1;
        }
        *s.per_component.entry(entry.to.name()).or_default() += 1;
        *s.per_kind.entry(entry.kind.clone()).or_default() += 1;
        self.entries.push(entry);
        if let Some(limit) = self.limit {
            if self.entries.len() >= 2 * limit {
                let drop = self.entries.len() - limit;
                self.entries.drain(..drop);
                self.summary.dropped += drop as u64;
            }
        }
    }

    /// The entries held in full, oldest first (all of them without a retention limit).
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn summary(&self) -> &TraceSummary {
        &self.summary
    }
    /// A copy that holds only the last `keep` entries in full (the others counted as dropped),
    /// with the same hash and summary: a checkpoint's trace, cheap to copy, that goes on
    /// exactly as this one would.
    pub fn tail(&self, keep: usize) -> Trace {
        let from = self.entries.len().saturating_sub(keep);
        let mut summary = self.summary.clone();
        summary.dropped += from as u64;
        Trace {
            entries: self.entries[from..].to_vec(),
            hash: self.hash,
            summary,
            limit: self.limit,
        }
    }

    /// Puts back the entries before this trace's first held one, from `older`: a trace of the
    /// same run that held them (the run this one's checkpoint was copied from, which may have
    /// gone further). Entries are placed by position (how many deliveries came before them).
    pub fn restore_older(&mut self, older: &Trace) {
        let first = self.summary.total - self.entries.len() as u64;
        let older_first = older.summary.total - older.entries.len() as u64;
        // Nothing older to take, or `older` stops short of this trace: no gap may be filled.
        if older_first >= first || older.summary.total < first {
            return;
        }
        let n = usize::try_from(first - older_first)
            .unwrap_or(usize::MAX)
            .min(older.entries.len());
        let mut entries = older.entries[..n].to_vec();
        entries.append(&mut self.entries);
        self.entries = entries;
        self.summary.dropped -= n as u64;
        assert_eq!(
            self.summary.dropped + self.entries.len() as u64,
            self.summary.total,
            "a trace holds or counts every delivery"
        );
    }

    /// FNV-1a 64 over every entry's JSON line: equal on native and wasm for the same run.
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash.0)
    }
}

/// FNV-1a, 64-bit: tiny, dependency-free and the same on every platform.
#[derive(Clone, Copy, Debug)]
struct Fnv1a64(u64);

impl Default for Fnv1a64 {
    fn default() -> Self {
        Fnv1a64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a64 {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Keeps `Message` and trace in one place for callers that only want the line.
pub fn summarize(message: &Message) -> String {
    crate::sim::describe::describe(message).summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_known_vectors() {
        let mut h = Fnv1a64::default();
        h.write(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    fn entry(seq: u64, step: Option<u8>) -> TraceEntry {
        TraceEntry {
            seq,
            time_ms: seq,
            from: Addr::Kubelet("worker-1".into()),
            to: Addr::ApiServer,
            kind: "http-request".into(),
            method: Some("PUT".into()),
            path: Some(
                "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1".into(),
            ),
            status: None,
            step,
            stage: None,
            summary: "heartbeat".into(),
        }
    }

    #[test]
    fn a_retention_limit_keeps_the_recent_entries_and_counts_every_one() {
        let mut limited = Trace::with_retention(10);
        let mut full = Trace::default();
        for i in 0..1000 {
            let e = entry(i, (i % 100 == 0).then_some(1));
            limited.push(e.clone());
            full.push(e);
        }
        assert!(limited.len() >= 10 && limited.len() < 20);
        assert_eq!(limited.entries().last().unwrap().seq, 999);
        assert_eq!(limited.summary().total, 1000);
        assert_eq!(limited.summary().dropped as usize + limited.len(), 1000);
        assert_eq!(limited.summary().per_step[&1], 10);
        assert_eq!(limited.summary().per_component["kube-apiserver"], 1000);
        // What is held changes, never what happened: the hash is the full trace's.
        assert_eq!(limited.hash_hex(), full.hash_hex());
        let (l, f) = (limited.summary(), full.summary());
        assert_eq!(
            (l.total, &l.per_step, &l.per_component, &l.per_kind),
            (f.total, &f.per_step, &f.per_component, &f.per_kind)
        );
    }
}
