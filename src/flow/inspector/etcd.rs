//! The etcd inspector at the learner's cursor: the key tree under `/registry/` with counts per
//! folder, one key's metadata, value and history across the revisions etcd still holds (with a
//! line diff between any two), the leases with their remaining TTL at the simulation's now and
//! their keys, the node heartbeats (coordination.k8s.io Leases, which are objects, not etcd
//! leases), and the active watches, with the ones the write at the cursor fans out to.
//!
//! Everything here reads etcd's public inspection API (`EtcdServer::keys`, `history`,
//! `leases_at`, `watches`, `kv`) and the message at the cursor; it never changes the simulation.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::etcd::api::{Request, RequestOp, Response};
use crate::etcd::mvcc::kvstore::KeyValue;
use crate::etcd::prefix_end;
use crate::etcd::server::{EtcdServer, WatchInfo};
use crate::sim::{Addr, Message, Sim};

/// A folder of the key tree: the keys whose path continues below `path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folder {
    /// The last segment (`pods`), empty for the root.
    pub name: String,
    /// The folder's path with its trailing slash (`/registry/pods/`); `/` for the root.
    pub path: String,
    /// Live keys anywhere below this folder.
    pub count: usize,
    pub folders: Vec<Folder>,
    pub keys: Vec<Leaf>,
}

/// A live key in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    /// The last segment (`web`).
    pub name: String,
    /// The whole key (`/registry/deployments/default/web`).
    pub key: String,
    pub mod_revision: i64,
    /// The etcd lease the key is attached to (0: none).
    pub lease: i64,
}

impl Folder {
    fn new(name: &str, path: String) -> Folder {
        Folder {
            name: name.to_string(),
            path,
            count: 0,
            folders: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// The folder at `path` (`/registry/pods/`), if there is one.
    pub fn find(&self, path: &str) -> Option<&Folder> {
        if self.path == path {
            return Some(self);
        }
        self.folders
            .iter()
            .filter(|f| path.starts_with(&f.path))
            .find_map(|f| f.find(path))
    }

    /// Every folder path from the root down to the folder that holds `key`: the folders to
    /// open to show it.
    pub fn ancestors_of(key: &str) -> Vec<String> {
        let mut out = vec!["/".to_string()];
        let body = key.strip_prefix('/').unwrap_or(key);
        let mut path = "/".to_string();
        let segments: Vec<&str> = body.split('/').collect();
        for seg in &segments[..segments.len().saturating_sub(1)] {
            path.push_str(seg);
            path.push('/');
            out.push(path.clone());
        }
        out
    }
}

/// A tree under construction: folders and leaves by name, so the output is in key order.
#[derive(Default)]
struct Building {
    folders: BTreeMap<String, Building>,
    keys: BTreeMap<String, Leaf>,
}

impl Building {
    fn finish(self, name: &str, path: String) -> Folder {
        let mut f = Folder::new(name, path);
        for (n, b) in self.folders {
            let child = b.finish(&n, format!("{}{n}/", f.path));
            f.count += child.count;
            f.folders.push(child);
        }
        f.count += self.keys.len();
        f.keys = self.keys.into_values().collect();
        f
    }
}

/// The key tree of every live key, split on `/` (`/registry/<resource>/<namespace>/<name>`);
/// keys without a leading slash (kube-apiserver's `compact_rev_key`) sit at the root.
pub fn key_tree(keys: &[KeyValue]) -> Folder {
    let mut root = Building::default();
    for kv in keys {
        let key = String::from_utf8_lossy(&kv.key).into_owned();
        let body = key.strip_prefix('/').unwrap_or(&key);
        let mut segments: Vec<&str> = body.split('/').collect();
        let name = segments.pop().unwrap_or_default().to_string();
        let mut at = &mut root;
        for seg in segments {
            at = at.folders.entry(seg.to_string()).or_default();
        }
        at.keys.insert(
            name.clone(),
            Leaf {
                name,
                key: key.clone(),
                mod_revision: kv.mod_revision,
                lease: kv.lease,
            },
        );
    }
    root.finish("", "/".to_string())
}

/// A value as the inspector shows it: pretty JSON when it is JSON, else the text.
pub fn value_text(v: &[u8]) -> String {
    match serde_json::from_slice::<Value>(v) {
        Ok(j) => serde_json::to_string_pretty(&j).expect("a JSON value always serialises"),
        Err(_) => String::from_utf8_lossy(v).into_owned(),
    }
}

/// One revision of a key that etcd still holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub mod_revision: i64,
    pub create_revision: i64,
    pub version: i64,
    pub lease: i64,
    /// A delete (tombstone): no value.
    pub deleted: bool,
    pub value: String,
}

impl Version {
    fn of(kv: &KeyValue) -> Version {
        Version {
            mod_revision: kv.mod_revision,
            create_revision: kv.create_revision,
            version: kv.version,
            lease: kv.lease,
            deleted: kv.is_tombstone(),
            value: if kv.is_tombstone() {
                String::new()
            } else {
                value_text(&kv.value)
            },
        }
    }
}

/// One key: its latest revision and every revision still held, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyDetails {
    pub key: String,
    /// The latest revision (a tombstone if the key was deleted).
    pub current: Version,
    pub history: Vec<Version>,
    /// The store's compaction revision: revisions before it are gone.
    pub compact_revision: i64,
}

impl KeyDetails {
    /// The revision of this key written at `mod_revision`, if etcd still holds it.
    pub fn at(&self, mod_revision: i64) -> Option<&Version> {
        self.history.iter().find(|v| v.mod_revision == mod_revision)
    }
}

/// The key's details, or None if etcd holds no revision of it.
pub fn key_details(etcd: &EtcdServer, key: &str) -> Option<KeyDetails> {
    let history: Vec<Version> = etcd
        .history(key.as_bytes())
        .iter()
        .map(Version::of)
        .collect();
    let current = history.last()?.clone();
    Some(KeyDetails {
        key: key.to_string(),
        current,
        history,
        compact_revision: etcd.kv().compact_rev(),
    })
}

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// Past this many cells (lines × lines after the common head and tail), the diff is every old
/// line removed and every new one added: still true, only not the shortest.
const DIFF_CELLS: usize = 4_000_000;

/// A line diff from `old` to `new` (a longest common subsequence of lines).
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out: Vec<DiffLine> = a[..head]
        .iter()
        .map(|l| DiffLine::Same(l.to_string()))
        .collect();
    if ma.len().saturating_mul(mb.len()) > DIFF_CELLS {
        out.extend(ma.iter().map(|l| DiffLine::Removed(l.to_string())));
        out.extend(mb.iter().map(|l| DiffLine::Added(l.to_string())));
    } else {
        // lcs[i][j]: the longest common subsequence of ma[i..] and mb[j..].
        let (n, m) = (ma.len(), mb.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                out.push(DiffLine::Same(ma[i].to_string()));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                // A replaced line reads as diff prints it: the old line, then the new.
                out.push(DiffLine::Removed(ma[i].to_string()));
                i += 1;
            } else {
                out.push(DiffLine::Added(mb[j].to_string()));
                j += 1;
            }
        }
    }
    out.extend(
        a[a.len() - tail..]
            .iter()
            .map(|l| DiffLine::Same(l.to_string())),
    );
    out
}

/// A diff as shown: changed lines with their context, runs of unchanged lines folded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffPiece {
    Line(DiffLine),
    /// This many unchanged lines, not shown.
    Folded(usize),
}

/// `lines` with only `context` unchanged lines kept around each change (as `diff -U`), the
/// other unchanged runs folded.
pub fn fold(lines: &[DiffLine], context: usize) -> Vec<DiffPiece> {
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(l, DiffLine::Same(_)))
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| changed.iter().any(|&c| c.abs_diff(i) <= context);
    let mut out = Vec::new();
    let mut folded = 0;
    for (i, l) in lines.iter().enumerate() {
        if matches!(l, DiffLine::Same(_)) && !near(i) {
            folded += 1;
            continue;
        }
        if folded > 0 {
            out.push(DiffPiece::Folded(folded));
            folded = 0;
        }
        out.push(DiffPiece::Line(l.clone()));
    }
    if folded > 0 {
        out.push(DiffPiece::Folded(folded));
    }
    out
}

/// The diff between two revisions of a key, None if etcd no longer holds either.
pub fn diff_revisions(details: &KeyDetails, from: i64, to: i64) -> Option<Vec<DiffLine>> {
    Some(diff_lines(&details.at(from)?.value, &details.at(to)?.value))
}

/// An etcd lease at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseView {
    pub id: i64,
    /// As etcdctl prints lease IDs (`694d9a...`, lower-case hex).
    pub id_hex: String,
    pub granted_ttl: i64,
    /// Seconds left at the simulation's now, truncated as `etcdctl lease timetolive` prints.
    pub remaining_ttl: i64,
    pub keys: Vec<String>,
}

/// Every etcd lease with its remaining TTL at the simulation's now, by expiry.
pub fn leases(sim: &Sim, etcd: &EtcdServer) -> Vec<LeaseView> {
    etcd.leases_at(sim.now())
        .into_iter()
        .map(|l| LeaseView {
            id: l.id,
            id_hex: format!("{:x}", l.id),
            granted_ttl: l.granted_ttl,
            remaining_ttl: l.remaining_ttl,
            keys: l
                .keys
                .iter()
                .map(|k| String::from_utf8_lossy(k).into_owned())
                .collect(),
        })
        .collect()
}

/// Where the kubelets' heartbeats are: one coordination.k8s.io Lease object per node.
pub const NODE_LEASE_PREFIX: &str = "/registry/leases/kube-node-lease/";

/// A node's heartbeat: its Lease object (an ordinary key with no etcd lease), renewed by the
/// kubelet; the holder's claim lasts `leaseDurationSeconds` from `renewTime`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heartbeat {
    pub node: String,
    pub key: String,
    pub mod_revision: i64,
    pub renew_time: String,
    pub lease_duration_seconds: i64,
    /// Milliseconds since the last renewal at the simulation's now.
    pub since_renew_ms: i64,
    /// Milliseconds until `renewTime + leaseDurationSeconds` (negative once past).
    pub remaining_ms: i64,
}

/// Milliseconds of the simulation clock an RFC 3339 time (`2026-01-01T00:00:05.123456Z`)
/// stands for.
fn sim_millis(ts: &str) -> Option<i64> {
    let secs = crate::apiserver::printers::parse_rfc3339(ts)?;
    let frac = ts
        .get(19..)
        .and_then(|r| r.strip_prefix('.'))
        .map(|r| r.trim_end_matches('Z'))
        .unwrap_or("");
    let millis = format!("{frac:0<3}")
        .get(..3)
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or(0);
    Some((secs - crate::sim::clock::EPOCH_UNIX_SECONDS as i64) * 1000 + millis)
}

/// The node heartbeats at the cursor, by node.
pub fn heartbeats(sim: &Sim, keys: &[KeyValue]) -> Vec<Heartbeat> {
    let now = sim.now().as_millis() as i64;
    keys.iter()
        .filter_map(|kv| {
            let key = std::str::from_utf8(&kv.key).ok()?;
            let node = key.strip_prefix(NODE_LEASE_PREFIX)?;
            let obj: Value = serde_json::from_slice(&kv.value).ok()?;
            let spec = obj.get("spec")?;
            let renew_time = spec.get("renewTime")?.as_str()?.to_string();
            let duration = spec.get("leaseDurationSeconds")?.as_i64()?;
            let renewed = sim_millis(&renew_time)?;
            Some(Heartbeat {
                node: node.to_string(),
                key: key.to_string(),
                mod_revision: kv.mod_revision,
                renew_time,
                lease_duration_seconds: duration,
                since_renew_ms: now - renewed,
                remaining_ms: renewed + duration * 1000 - now,
            })
        })
        .collect()
}

/// The write at the cursor: an etcd Put, DeleteRange or Txn etcd has just applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The revision it created.
    pub revision: i64,
    /// The keys it changed.
    pub keys: Vec<String>,
}

fn op_keys(op: &RequestOp, out: &mut Vec<Vec<u8>>) {
    match op {
        RequestOp::Put(p) => out.push(p.key.clone()),
        RequestOp::DeleteRange(d) => out.push(d.key.clone()),
        RequestOp::Txn(t) => t
            .success
            .iter()
            .chain(&t.failure)
            .for_each(|o| op_keys(o, out)),
        RequestOp::Range(_) => {}
    }
}

/// The write etcd applied at the cursor, if the message delivered there is an etcd write that
/// changed keys (a transaction whose compares failed and that only read writes nothing). The
/// keys are those of the branch etcd ran (from its answer, still on the bus) whose latest
/// change is the store's current revision.
pub fn last_write(sim: &Sim, etcd: &EtcdServer) -> Option<Write> {
    let env = sim.last_delivered()?;
    if env.to != Addr::Etcd {
        return None;
    }
    let Message::EtcdRequest { id, request } = &env.message else {
        return None;
    };
    // etcd's answer, on its way back at the cursor: a refused write wrote nothing, and a
    // transaction ran only the branch its compares chose.
    let answer = sim.queued().into_iter().find_map(|e| match &e.message {
        Message::EtcdResponse { id: a, result }
            if *a == *id && e.from == Addr::Etcd && e.to == env.from =>
        {
            Some(result)
        }
        _ => None,
    });
    if matches!(answer, Some(Err(_))) {
        return None;
    }
    let mut candidates = Vec::new();
    match request {
        Request::Put(p) => candidates.push(p.key.clone()),
        Request::DeleteRange(d) => {
            // A range delete: every key of the range that has a tombstone at this revision.
            let rev = etcd.kv().current_rev();
            let end = if d.range_end.is_empty() {
                None
            } else {
                Some(d.range_end.clone())
            };
            let changed = etcd
                .kv()
                .changes(rev, rev)
                .filter(|kv| {
                    kv.key[..] >= d.key[..]
                        && match &end {
                            None => kv.key[..] == d.key[..],
                            Some(e) if e[..] == [0] => true,
                            Some(e) => kv.key[..] < e[..],
                        }
                })
                .map(|kv| kv.key.to_vec())
                .collect::<Vec<_>>();
            candidates.extend(changed);
        }
        Request::Txn(t) => {
            let branches: Vec<&RequestOp> = match answer {
                Some(Ok(Response::Txn(r))) if r.succeeded => t.success.iter().collect(),
                Some(Ok(Response::Txn(_))) => t.failure.iter().collect(),
                _ => t.success.iter().chain(&t.failure).collect(),
            };
            branches
                .into_iter()
                .for_each(|o| op_keys(o, &mut candidates));
        }
        _ => return None,
    }
    let revision = etcd.kv().current_rev();
    // Only what this request wrote: the keys whose latest change is the store's revision.
    let mut keys: Vec<String> = etcd
        .kv()
        .changes(revision, revision)
        .filter(|kv| candidates.iter().any(|c| c[..] == kv.key[..]))
        .map(|kv| String::from_utf8_lossy(&kv.key).into_owned())
        .collect();
    keys.dedup();
    (!keys.is_empty()).then_some(Write { revision, keys })
}

/// An active watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchView {
    /// Who watches (`kube-apiserver`, `etcdctl`).
    pub watcher: String,
    pub watch_id: i64,
    /// What it watches: `prefix /registry/pods/`, `key /a`, `range [/a, /b)`, `keys >= /a`.
    pub range: String,
    /// The revision it asked to start from (0: from the next write).
    pub start_revision: i64,
    pub next_revision: i64,
    /// Whether the write at the cursor fans out to it.
    pub lit: bool,
}

fn range_text(w: &WatchInfo) -> String {
    let key = String::from_utf8_lossy(&w.key);
    if w.range_end.is_empty() {
        format!("key {key}")
    } else if w.range_end == [0] {
        format!("keys >= {key}")
    } else if w.range_end == prefix_end(&w.key) {
        format!("prefix {key}")
    } else {
        format!("range [{key}, {})", String::from_utf8_lossy(&w.range_end))
    }
}

fn watch_matches(w: &WatchInfo, key: &[u8]) -> bool {
    if w.range_end.is_empty() {
        key == &w.key[..]
    } else if w.range_end == [0] {
        key >= &w.key[..]
    } else {
        key >= &w.key[..] && key < &w.range_end[..]
    }
}

/// Every active watch, lit if `write` changed a key in its range.
pub fn watches(etcd: &EtcdServer, write: Option<&Write>) -> Vec<WatchView> {
    etcd.watches()
        .iter()
        .map(|w| WatchView {
            watcher: w.client.name(),
            watch_id: w.watch_id,
            range: range_text(w),
            start_revision: w.start_revision,
            next_revision: w.next_revision,
            lit: write.is_some_and(|wr| wr.keys.iter().any(|k| watch_matches(w, k.as_bytes()))),
        })
        .collect()
}

/// What the inspector shows at the cursor (all but one key's details, asked for separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspector {
    /// The store's current revision.
    pub revision: i64,
    pub compact_revision: i64,
    pub key_count: usize,
    pub tree: Folder,
    pub leases: Vec<LeaseView>,
    pub heartbeats: Vec<Heartbeat>,
    pub write: Option<Write>,
    pub watches: Vec<WatchView>,
}

/// The etcd server of a simulation, if it runs one.
pub fn etcd(sim: &Sim) -> Option<&EtcdServer> {
    sim.actor::<EtcdServer>(&Addr::Etcd)
}

impl Inspector {
    pub fn at(sim: &Sim) -> Option<Inspector> {
        let etcd = etcd(sim)?;
        let keys = etcd.keys();
        let write = last_write(sim, etcd);
        Some(Inspector {
            revision: etcd.kv().current_rev(),
            compact_revision: etcd.kv().compact_rev(),
            key_count: keys.len(),
            tree: key_tree(&keys),
            leases: leases(sim, etcd),
            heartbeats: heartbeats(sim, &keys),
            watches: watches(etcd, write.as_ref()),
            write,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_keeps_common_lines_and_marks_changes() {
        let d = diff_lines("a\nb\nc\nd", "a\nc\nx\nd");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("x".into()),
                DiffLine::Same("d".into()),
            ]
        );
        assert!(diff_lines("same\n", "same\n")
            .iter()
            .all(|l| matches!(l, DiffLine::Same(_))));
    }

    #[test]
    fn unchanged_runs_are_folded_beyond_the_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8";
        let new = "1\n2\n3\n4\nX\n6\n7\n8";
        let same = |s: &str| DiffPiece::Line(DiffLine::Same(s.into()));
        assert_eq!(
            fold(&diff_lines(old, new), 1),
            vec![
                DiffPiece::Folded(3),
                same("4"),
                DiffPiece::Line(DiffLine::Removed("5".into())),
                DiffPiece::Line(DiffLine::Added("X".into())),
                same("6"),
                DiffPiece::Folded(2),
            ]
        );
        assert_eq!(
            fold(&diff_lines("a\nb", "a\nb"), 3),
            vec![DiffPiece::Folded(2)]
        );
    }

    #[test]
    fn the_folders_to_open_for_a_key_go_from_the_root_down() {
        assert_eq!(
            Folder::ancestors_of("/registry/pods/default/web-1"),
            vec![
                "/",
                "/registry/",
                "/registry/pods/",
                "/registry/pods/default/"
            ]
        );
        assert_eq!(Folder::ancestors_of("compact_rev_key"), vec!["/"]);
    }

    #[test]
    fn a_renew_time_maps_to_the_simulation_clock() {
        assert_eq!(sim_millis("2026-01-01T00:00:05.123456Z"), Some(5123));
        assert_eq!(sim_millis("2026-01-01T00:01:00Z"), Some(60_000));
        assert_eq!(sim_millis("not a time"), None);
    }
}
