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

/// The recorded trace and a running hash of it.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    entries: Vec<TraceEntry>,
    hash: Fnv1a64,
}

impl Trace {
    pub fn push(&mut self, entry: TraceEntry) {
        self.hash.write(entry.to_json_line().as_bytes());
        self.hash.write(b"\n");
        self.entries.push(entry);
    }
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
}
