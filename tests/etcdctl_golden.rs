//! Pins kubestep's etcdctl: every script under `tests/etcdctl/scripts` replayed on a fresh
//! cluster must print exactly its golden transcript (`tests/etcdctl/golden/*.out`), which the
//! differential test checks against the real etcdctl 3.4.23. `UPDATE_GOLDEN=1` rewrites them.

#[path = "etcdctl/harness.rs"]
mod harness;

#[test]
fn kubestep_etcdctl_matches_its_golden_transcripts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/etcdctl/golden");
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for (name, script) in harness::scripts() {
        let (transcript, leases) = harness::run_kubestep(&script);
        let transcript = harness::mask_leases(&transcript, &leases);
        let path = dir.join(format!("{name}.out"));
        if update {
            std::fs::write(&path, &transcript).expect("write golden");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != transcript {
            failures.push(format!(
                "--- {name}: golden\n{golden}\n--- {name}: kubestep\n{transcript}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_same_script_gives_the_same_transcript() {
    for (_, script) in harness::scripts() {
        assert_eq!(
            harness::run_kubestep(&script),
            harness::run_kubestep(&script)
        );
    }
}
