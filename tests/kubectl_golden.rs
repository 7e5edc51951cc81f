//! Pins kubestep's kubectl: every script under `tests/kubectl/scripts` run through the console
//! engine of `kubestep console` on a fresh cluster must print exactly its golden transcript
//! (`tests/kubectl/golden/*.out`). Files the scripts name (`-f manifests/...`) are read from
//! disk relative to the script, as `kubestep console --script` reads them. Each output was
//! checked line by line against kubectl 1.33 (its source, and the real binary for what it
//! prints without a server); `UPDATE_GOLDEN=1` rewrites the transcripts.

use std::path::{Path, PathBuf};

/// The seed every script runs from (`kubestep console --seed 1`, the default).
const SEED: u64 = 1;

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl/scripts")
}

/// Every script, by name, in a fixed order.
fn scripts() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(scripts_dir())
        .expect("scripts dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("script"),
            )
        })
        .collect();
    out.sort();
    out
}

fn transcript(script: &str) -> String {
    kubestep::cli::run_console(SEED, script, &scripts_dir()).0
}

#[test]
fn kubestep_kubectl_matches_its_golden_transcripts() {
    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl/golden");
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let scripts = scripts();
    assert!(scripts.len() >= 5, "the kubectl scripts are missing");
    let mut failures = Vec::new();
    for (name, script) in scripts {
        let got = transcript(&script);
        let path = golden_dir.join(format!("{name}.out"));
        if update {
            std::fs::write(&path, &got).expect("write golden");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != got {
            // The first differing line, then both transcripts.
            let line = golden
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(golden.lines().count().min(got.lines().count()));
            failures.push(format!(
                "--- {name} (seed {SEED}): first difference at line {}\n--- golden\n{golden}\n--- kubestep\n{got}",
                line + 1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
