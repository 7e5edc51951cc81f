//! The etcd inspector at the learner's cursor: after the default Deployment is applied, its key
//! is in the tree with the revision etcd wrote, its history grows as controllers update it, two
//! revisions diff, leases count down on the simulation clock, the watches the write fans out to
//! light up, and a compaction leaves only the latest revision.

use kubestep::console::{FileEntry, Session};
use kubestep::flow::editor::templates::DEFAULT;
use kubestep::flow::inspector::etcd::{self, DiffLine, Folder, Inspector};
use kubestep::flow::timeline::Timeline;

const KEY: &str = "/registry/deployments/default/web";

fn editor_file(path: &str) -> Option<FileEntry> {
    (path == "editor.yaml").then(|| FileEntry::File(DEFAULT.yaml.to_string()))
}

/// A booted cluster with the default Deployment applied; the cursor where the learner acted.
fn applied(seed: u64) -> (Timeline, u64) {
    let mut t = Timeline::new(Session::new(seed));
    let from = t.position();
    t.act(|s| s.type_line("kubectl apply -f editor.yaml", &editor_file));
    (t, from)
}

fn inspector(t: &Timeline) -> Inspector {
    Inspector::at(t.session().sim()).expect("etcd runs")
}

fn leaf_revision(tree: &Folder, key: &str) -> Option<i64> {
    let folder = Folder::ancestors_of(key).pop()?;
    tree.find(&folder)?
        .keys
        .iter()
        .find(|l| l.key == key)
        .map(|l| l.mod_revision)
}

/// Every folder's count is the number of live keys under its path.
fn assert_counts(f: &Folder, keys: &[String], seed: u64) {
    let under = keys
        .iter()
        .filter(|k| f.path == "/" || k.starts_with(&f.path))
        .count();
    assert_eq!(f.count, under, "seed {seed}: count of {}", f.path);
    assert_eq!(
        f.count,
        f.keys.len() + f.folders.iter().map(|c| c.count).sum::<usize>(),
        "seed {seed}: {} counts its keys and its folders' keys",
        f.path
    );
    for c in &f.folders {
        assert!(c.path.starts_with(&f.path), "seed {seed}: {}", c.path);
        assert_counts(c, keys, seed);
    }
}

#[test]
fn at_step_2_the_deployment_key_is_in_the_tree_with_the_revision_etcd_wrote_and_its_value() {
    let seed = 11;
    let (mut t, from) = applied(seed);
    assert!(t.seek_step(2, from), "seed {seed}: step 2 happens");
    let sim = t.session().sim();
    let inspector = inspector(&t);
    let server = etcd::etcd(sim).unwrap();
    let keys: Vec<String> = server
        .keys()
        .iter()
        .map(|kv| String::from_utf8_lossy(&kv.key).into_owned())
        .collect();
    assert_eq!(inspector.key_count, keys.len(), "seed {seed}");
    assert_eq!(inspector.tree.count, keys.len(), "seed {seed}");
    assert_counts(&inspector.tree, &keys, seed);
    let registry = inspector
        .tree
        .find("/registry/")
        .expect("a /registry/ folder");
    assert!(
        registry.count > 20,
        "seed {seed}: a booted cluster's objects"
    );

    let write = inspector.write.clone().expect("step 2 is etcd's write");
    assert_eq!(write.keys, vec![KEY.to_string()], "seed {seed}");
    assert_eq!(write.revision, inspector.revision, "seed {seed}");
    assert_eq!(
        leaf_revision(&inspector.tree, KEY),
        Some(write.revision),
        "seed {seed}: the leaf shows the revision just written"
    );
    let d = etcd::key_details(server, KEY).expect("the key has revisions");
    assert_eq!(d.current.mod_revision, write.revision, "seed {seed}");
    assert_eq!(d.current.create_revision, write.revision, "seed {seed}");
    assert_eq!(d.current.version, 1, "seed {seed}");
    assert_eq!(d.current.lease, 0, "seed {seed}: objects have no lease");
    assert_eq!(d.history.len(), 1, "seed {seed}");
    assert!(
        d.current.value.contains("\"name\": \"web\"") && d.current.value.contains("\n  "),
        "seed {seed}: pretty JSON: {}",
        d.current.value
    );
    assert!(
        !d.current.value.contains("resourceVersion"),
        "seed {seed}: the resourceVersion is etcd's mod_revision, not stored"
    );
}

#[test]
fn a_write_lights_exactly_the_watches_whose_range_holds_its_key() {
    let seed = 5;
    let (mut t, from) = applied(seed);
    assert!(t.seek_step(2, from));
    let i = inspector(&t);
    assert!(!i.watches.is_empty(), "seed {seed}: kube-apiserver watches");
    let lit: Vec<_> = i.watches.iter().filter(|w| w.lit).collect();
    assert_eq!(lit.len(), 1, "seed {seed}: {lit:?}");
    assert_eq!(lit[0].watcher, "kube-apiserver", "seed {seed}");
    assert_eq!(lit[0].range, "prefix /registry/deployments/", "seed {seed}");
    assert!(
        i.watches
            .iter()
            .any(|w| w.range == "prefix /registry/pods/" && !w.lit),
        "seed {seed}: the pods watch stays dark"
    );
    // One message earlier is not etcd's write: nothing is lit.
    assert!(t.step_back());
    let before = inspector(&t);
    assert!(before.write.is_none(), "seed {seed}: {:?}", before.write);
    assert!(before.watches.iter().all(|w| !w.lit), "seed {seed}");
}

#[test]
fn the_history_grows_as_controllers_update_the_deployment_and_two_revisions_diff() {
    let seed = 3;
    let (mut t, from) = applied(seed);
    assert!(t.seek_step(2, from));
    let first = etcd::key_details(etcd::etcd(t.session().sim()).unwrap(), KEY).unwrap();
    let end = t.end();
    t.seek(end);
    let sim = t.session().sim();
    let d = etcd::key_details(etcd::etcd(sim).unwrap(), KEY).unwrap();
    assert!(
        d.history.len() >= 2,
        "seed {seed}: the Deployment controller wrote its status: {:?}",
        d.history.iter().map(|v| v.mod_revision).collect::<Vec<_>>()
    );
    assert_eq!(
        d.history[0], first.current,
        "seed {seed}: the first revision stays"
    );
    assert!(
        d.history
            .windows(2)
            .all(|w| w[0].mod_revision < w[1].mod_revision && w[0].version + 1 == w[1].version),
        "seed {seed}: revisions ascend, versions count up"
    );
    let last = d.current.mod_revision;
    let diff = etcd::diff_revisions(&d, first.current.mod_revision, last).unwrap();
    // The diff rebuilds both texts, and the status the controller wrote is added.
    let old: Vec<&str> = diff
        .iter()
        .filter_map(|l| match l {
            DiffLine::Same(s) | DiffLine::Removed(s) => Some(s.as_str()),
            DiffLine::Added(_) => None,
        })
        .collect();
    let new: Vec<&str> = diff
        .iter()
        .filter_map(|l| match l {
            DiffLine::Same(s) | DiffLine::Added(s) => Some(s.as_str()),
            DiffLine::Removed(_) => None,
        })
        .collect();
    assert_eq!(old.join("\n"), first.current.value, "seed {seed}");
    assert_eq!(new.join("\n"), d.current.value, "seed {seed}");
    assert!(
        diff.iter()
            .any(|l| matches!(l, DiffLine::Added(s) if s.contains("\"availableReplicas\": 2"))),
        "seed {seed}: {diff:?}"
    );
    assert!(
        etcd::diff_revisions(&d, 1, last).is_none(),
        "seed {seed}: no diff with a revision the key never had"
    );
}

#[test]
fn leases_count_down_on_the_simulation_clock_and_hold_the_events() {
    let seed = 9;
    let (mut t, _) = applied(seed);
    let end = t.end();
    t.seek(end);
    let i = inspector(&t);
    let event_lease = i
        .leases
        .iter()
        .find(|l| {
            l.keys
                .iter()
                .any(|k| k.starts_with("/registry/events/default/"))
        })
        .unwrap_or_else(|| {
            panic!(
                "seed {seed}: the Deployment's events have a lease: {:?}",
                i.leases
            )
        });
    assert_eq!(
        event_lease.granted_ttl, 3660,
        "seed {seed}: --event-ttl and reuse"
    );
    assert!(
        event_lease.remaining_ttl <= event_lease.granted_ttl,
        "seed {seed}"
    );
    assert_eq!(event_lease.id_hex, format!("{:x}", event_lease.id));
    let (id, before) = (event_lease.id, event_lease.remaining_ttl);
    let then = t.session().sim().now().as_millis() as i64;
    // Every kubelet's heartbeat, renewed within its lease duration.
    assert_eq!(i.heartbeats.len(), 3, "seed {seed}: {:?}", i.heartbeats);
    for h in &i.heartbeats {
        assert!(h.since_renew_ms >= 0, "seed {seed}: {h:?}");
        assert!(
            h.remaining_ms > 0 && h.remaining_ms <= h.lease_duration_seconds * 1000,
            "seed {seed}: {h:?}"
        );
        assert_eq!(
            h.since_renew_ms + h.remaining_ms,
            h.lease_duration_seconds * 1000,
            "seed {seed}"
        );
    }
    t.act(|s| s.type_line("sim advance 90s", &kubestep::console::no_files));
    let end = t.end();
    t.seek(end);
    let later = inspector(&t);
    let elapsed = t.session().sim().now().as_millis() as i64 - then;
    assert!(elapsed >= 90_000, "seed {seed}: {elapsed} ms");
    let l = later
        .leases
        .iter()
        .find(|l| l.id == id)
        .expect("still live");
    // Both are truncated to whole seconds, so they differ from the elapsed time by under one.
    let dropped = (before - l.remaining_ttl) * 1000;
    assert!(
        (elapsed - 1000 < dropped) && (dropped < elapsed + 1000),
        "seed {seed}: {before} then {} after {elapsed} ms",
        l.remaining_ttl
    );
    // The kubelets renewed their heartbeats meanwhile (every 10 s).
    for h in &later.heartbeats {
        assert!(h.since_renew_ms <= 10_000 + 1_000, "seed {seed}: {h:?}");
    }
}

#[test]
fn a_compaction_leaves_only_each_keys_latest_revision() {
    let seed = 4;
    let (mut t, _) = applied(seed);
    let end = t.end();
    t.seek(end);
    let before = etcd::key_details(etcd::etcd(t.session().sim()).unwrap(), KEY).unwrap();
    assert!(before.history.len() >= 2, "seed {seed}");
    t.act(|s| s.type_line("sim compact", &kubestep::console::no_files));
    let end = t.end();
    t.seek(end);
    let i = inspector(&t);
    let after = etcd::key_details(etcd::etcd(t.session().sim()).unwrap(), KEY).unwrap();
    assert!(
        i.compact_revision >= before.current.mod_revision,
        "seed {seed}"
    );
    assert_eq!(after.compact_revision, i.compact_revision, "seed {seed}");
    assert_eq!(after.history.len(), 1, "seed {seed}: {:?}", after.history);
    assert_eq!(after.current, before.current, "seed {seed}");
}

#[test]
fn a_snapshot_is_saved_by_etcdctl_from_a_console_line() {
    let seed = 2;
    let mut t = Timeline::new(Session::new(seed));
    t.act(|s| {
        s.type_line(
            "ETCDCTL_API=3 etcdctl snapshot save snap.db",
            &kubestep::console::no_files,
        )
    });
    let end = t.end();
    t.seek(end);
    let s = t.session();
    let out = s.transcript_of(s.entries().last().unwrap());
    assert!(
        out.contains("Snapshot saved at snap.db"),
        "seed {seed}: {out}"
    );
}

mod etcd_support;

/// Steps `h` until etcd has just received a request.
fn to_next_etcd_request(h: &mut etcd_support::Harness) {
    loop {
        h.sim.step().expect("a request is on its way");
        let env = h.sim.last_delivered().unwrap();
        if env.to == kubestep::sim::Addr::Etcd {
            return;
        }
    }
}

#[test]
fn only_a_write_that_changed_keys_lights_the_watches_and_a_failed_compare_lights_none() {
    use kubestep::etcd::api::{
        Compare, CompareResult, CompareTarget, PutRequest, RangeRequest, Request, RequestOp,
        TxnRequest, WatchCreateRequest,
    };
    use kubestep::etcd::{prefix_end, EtcdConfig};
    let mut h = etcd_support::Harness::new(EtcdConfig::default());
    let put = |v: &str| PutRequest {
        key: b"/a/x".to_vec(),
        value: v.as_bytes().to_vec(),
        ..PutRequest::default()
    };
    h.call(Request::Put(put("1"))).unwrap();
    h.call(Request::WatchCreate(WatchCreateRequest {
        key: b"/a/".to_vec(),
        range_end: prefix_end(b"/a/"),
        ..WatchCreateRequest::default()
    }))
    .unwrap();
    h.call(Request::WatchCreate(WatchCreateRequest {
        key: b"/b/".to_vec(),
        range_end: prefix_end(b"/b/"),
        ..WatchCreateRequest::default()
    }))
    .unwrap();
    let txn = |mod_revision: i64| {
        Request::Txn(TxnRequest {
            compare: vec![Compare {
                key: b"/a/x".to_vec(),
                result: CompareResult::Equal,
                target: CompareTarget::Mod(mod_revision),
                range_end: Vec::new(),
            }],
            success: vec![RequestOp::Put(put("2"))],
            failure: vec![RequestOp::Range(RangeRequest {
                key: b"/a/x".to_vec(),
                ..RangeRequest::default()
            })],
        })
    };
    // The compare fails: etcd runs the read, the revision that last wrote /a/x is not this one.
    h.send(txn(99));
    to_next_etcd_request(&mut h);
    let server = etcd::etcd(&h.sim).unwrap();
    assert_eq!(etcd::last_write(&h.sim, server), None);
    assert!(etcd::watches(server, None).iter().all(|w| !w.lit));
    h.sim.run_until_idle();
    // The compare holds: the put lights the /a/ watch only.
    h.send(txn(2));
    to_next_etcd_request(&mut h);
    let server = etcd::etcd(&h.sim).unwrap();
    let write = etcd::last_write(&h.sim, server).expect("a write");
    assert_eq!(write.keys, vec!["/a/x".to_string()]);
    assert_eq!(write.revision, 3);
    let watches = etcd::watches(server, Some(&write));
    let lit: Vec<_> = watches.iter().filter(|w| w.lit).map(|w| &w.range).collect();
    assert_eq!(lit, vec!["prefix /a/"]);
    assert!(watches.iter().all(|w| w.watcher == "etcdctl"));
}
