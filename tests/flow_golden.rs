//! The eleven steps of the pod creation flow, pinned: one Deployment with one replica applied
//! as kubectl would (step 1) on a booted cluster, run until idle; every trace entry that
//! carries a step is compared with `tests/golden/deployment_flow.txt` (the simulation is
//! deterministic for a seed, so the whole sequence is). `UPDATE_GOLDEN=1` rewrites it.
//!
//! A bare Pod skips step 3 (and 4), and the trace says why.

mod cluster_support;

use cluster_support::*;
use kubestep::apiserver::request::HttpRequest;
use kubestep::sim::TraceEntry;
use serde_json::json;

const SEED: u64 = 2026;

/// One line per stepped entry: step, from, to, kind, method, path, status, stage, summary.
fn line(e: &TraceEntry) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    format!(
        "{:>2} {} -> {} {} {} {} {} {} | {}",
        e.step.expect("a stepped entry"),
        e.from.name(),
        e.to.name(),
        e.kind,
        opt(&e.method),
        opt(&e.path),
        e.status.map_or("-".to_string(), |s| s.to_string()),
        opt(&e.stage),
        e.summary
    )
}

/// The steps of `entries` in trace order, and the index of each step's first entry.
fn first_of_each_step(entries: &[&TraceEntry]) -> Vec<usize> {
    (1..=11u8)
        .map(|s| {
            entries
                .iter()
                .position(|e| e.step == Some(s))
                .unwrap_or_else(|| panic!("step {s} missing (seed {SEED})"))
        })
        .collect()
}

#[test]
fn one_deployment_goes_through_the_eleven_steps_as_pinned() {
    let mut c = Cluster::booted(SEED);
    let start = c.sim.trace().len();
    c.send(
        HttpRequest::new("POST", "/apis/apps/v1/namespaces/default/deployments")
            .json_body(deployment("web", 1, "nginx")),
        Some(1),
    );
    c.sim.run_until_idle();
    let stepped: Vec<&TraceEntry> = c.sim.trace().entries()[start..]
        .iter()
        .filter(|e| e.step.is_some())
        .collect();

    // Every step, in order: the first entry of each comes after the first of the one before.
    let firsts = first_of_each_step(&stepped);
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "steps out of order (seed {SEED}): {firsts:?}"
    );
    // The pod's own steps: its create by the ReplicaSet controller (3), stored (4), seen by
    // the scheduler (5), decided (6), bound (7, 8), seen by its kubelet (9), reported
    // Running (10, 11).
    let pod_create = stepped
        .iter()
        .find(|e| {
            e.step == Some(3)
                && e.kind == "http-request"
                && e.method.as_deref() == Some("POST")
                && e.path.as_deref() == Some("/api/v1/namespaces/default/pods")
        })
        .unwrap_or_else(|| panic!("the ReplicaSet controller's pod create (seed {SEED})"));
    assert_eq!(pod_create.from.name(), "kube-controller-manager");
    let binding = stepped
        .iter()
        .find(|e| e.step == Some(7) && e.kind == "http-request")
        .unwrap();
    assert_eq!(binding.from.name(), "kube-scheduler");
    assert!(binding.summary.contains("/binding"), "{}", binding.summary);
    let status = stepped
        .iter()
        .find(|e| e.step == Some(10) && e.kind == "http-request")
        .unwrap();
    assert!(status.from.name().starts_with("kubelet/worker-"));
    assert!(status.summary.contains("/status"), "{}", status.summary);

    let got: String = stepped.iter().map(|e| line(e) + "\n").collect();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/deployment_flow.txt");
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &got).expect("write the golden file");
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let diff = got
            .lines()
            .zip(want.lines().chain(std::iter::repeat("<missing>")))
            .enumerate()
            .find(|(_, (g, w))| g != w)
            .map(|(i, (g, w))| format!("line {}:\n  golden: {w}\n  now:    {g}", i + 1))
            .unwrap_or_else(|| {
                format!(
                    "{} lines now, {} golden",
                    got.lines().count(),
                    want.lines().count()
                )
            });
        panic!("the stepped trace changed (seed {SEED}; UPDATE_GOLDEN=1 rewrites it)\n{diff}");
    }
}

#[test]
fn a_bare_pod_skips_step_three_and_the_trace_says_why() {
    let mut c = Cluster::booted(SEED);
    let start = c.sim.trace().len();
    c.send(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}
        })),
        Some(1),
    );
    c.sim.run_until_idle();
    let entries = &c.sim.trace().entries()[start..];
    let steps: Vec<u8> = entries.iter().filter_map(|e| e.step).collect();
    assert!(!steps.contains(&3), "no controller acts (seed {SEED})");
    assert!(
        !steps.contains(&4),
        "nothing of a controller is stored (seed {SEED})"
    );
    for s in [1, 2, 5, 6, 7, 8, 9, 10, 11] {
        assert!(steps.contains(&s), "step {s} (seed {SEED})");
    }
    let why = entries
        .iter()
        .find(|e| e.summary.contains("no controller owns pod bare"))
        .unwrap_or_else(|| panic!("the trace says why step 3 is missing (seed {SEED})"));
    assert_eq!(why.kind, "api-stage");
    assert_eq!(why.stage.as_deref(), Some("storage"));
    assert!(
        why.summary.contains("steps 3 and 4 do not happen"),
        "{}",
        why.summary
    );
    // It comes after the pod is stored (step 2) and before the scheduler sees it (step 5).
    let at = |pred: &dyn Fn(&TraceEntry) -> bool| entries.iter().position(pred).unwrap();
    let why_at = at(&|e| e.summary.contains("no controller owns pod bare"));
    assert!(at(&|e| e.step == Some(2)) < why_at);
    assert!(why_at < at(&|e| e.step == Some(5)));
    // A pod a controller creates gets no such note.
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.summary.contains("no controller owns"))
            .count(),
        1
    );
}
