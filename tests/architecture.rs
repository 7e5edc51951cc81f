//! ARCHITECTURE.md's invariants that can be checked by reading the source: the simulation core
//! never imports browser crates, never reads the wall clock or OS randomness, never iterates a
//! HashMap.

use std::path::{Path, PathBuf};

/// The directories and files of the pure simulation core.
const CORE: &[&str] = &[
    "src/sim",
    "src/etcd",
    "src/etcdctl",
    "src/apiserver",
    "src/console",
    "src/client",
    "src/scheduler",
    "src/controller_manager",
    "src/kubelet",
    "src/kube_proxy",
    "src/kubectl",
    "src/apimachinery",
    "src/golang",
    "src/flow",
    "src/cluster.rs",
];

const FORBIDDEN: &[(&str, &str)] = &[
    ("yew", "the core must not know the UI"),
    ("web_sys", "the core must not touch the browser"),
    ("js_sys", "the core must not touch the browser"),
    ("gloo", "the core must not touch the browser"),
    (
        "std::time::Instant",
        "the core must not read the wall clock",
    ),
    ("SystemTime", "the core must not read the wall clock"),
    ("thread_rng", "the core must not use OS randomness"),
    ("getrandom", "the core must not use OS randomness"),
    ("HashMap", "iterate in a fixed order: BTreeMap or IndexMap"),
    ("HashSet", "iterate in a fixed order: BTreeSet or IndexSet"),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .expect("readable source dir")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            rust_files(&p, out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

#[test]
fn the_simulation_core_stays_pure_and_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for c in CORE {
        rust_files(&root.join(c), &mut files);
    }
    assert!(
        files.len() >= 10,
        "expected the core's sources, found {files:?}"
    );
    let mut violations = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (word, why) in FORBIDDEN {
                if code.contains(word) {
                    violations.push(format!("{}:{}: `{word}`: {why}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
