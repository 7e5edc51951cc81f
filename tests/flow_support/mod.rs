//! What the flow tests share: a session's fingerprint, everything a learner could see at one
//! point of a run.
#![allow(dead_code)]

use kubestep::console::Session;
use kubestep::etcd::server::EtcdServer;
use kubestep::flow::timeline;
use kubestep::sim::Addr;

/// Everything a learner could see at one point: position, time, trace hash, every etcd key
/// with its revisions, and what the console printed.
pub fn fingerprint(s: &Session) -> String {
    let sim = s.sim();
    let etcd: &EtcdServer = sim.actor(&Addr::Etcd).expect("etcd runs");
    let mut out = format!(
        "{} {} {}\n",
        timeline::position(s),
        sim.now().as_millis(),
        sim.trace().hash_hex()
    );
    for kv in etcd.keys() {
        out += &format!(
            "{} {} {} {}\n",
            String::from_utf8_lossy(&kv.key),
            kv.create_revision,
            kv.mod_revision,
            kv.value.len()
        );
    }
    for e in s.entries() {
        out += &s.transcript_of(e);
    }
    out
}
