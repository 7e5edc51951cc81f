//! A benchmark of kube-scheduler in the simulation: N pods on M nodes, created through the API
//! server, scheduled and bound. The test runs a small size and prints the numbers; the large
//! run (`cargo test --release --test scheduler_bench -- --ignored --nocapture`) measures
//! 1,000 nodes × 10,000 pods.

use std::time::Instant;

use kubestep::apiserver::request::HttpRequest;
use kubestep::scheduler::KubeScheduler;
use kubestep::sim::{Addr, Message, Sim, SimConfig};
use serde_json::json;

pub struct BenchResult {
    pub nodes: usize,
    pub pods: usize,
    pub bound: u64,
    pub wall_secs: f64,
    pub sim_ms: u64,
    pub cycles: u64,
}

impl BenchResult {
    pub fn pods_per_sec(&self) -> f64 {
        self.bound as f64 / self.wall_secs.max(1e-9)
    }
}

fn admin(sim: &mut Sim, id: &mut u64, req: HttpRequest) {
    *id += 1;
    sim.inject(
        Addr::Client("bench".into()),
        Addr::ApiServer,
        Message::HttpRequest {
            id: *id,
            request: req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"]),
        },
    );
}

/// Creates `nodes` nodes (cpu 32, 128Gi, 110 pods, two zones) and then `pods` pods of 100m /
/// 128Mi, and runs until the scheduler has bound them all. Only the pod phase is timed.
pub fn bench_schedule(nodes: usize, pods: usize, seed: u64) -> BenchResult {
    let config = SimConfig {
        max_steps_per_run: u64::MAX,
        ..SimConfig::default()
    };
    let mut sim = Sim::new(config, seed);
    sim.run_until_idle();
    let mut id = 0;
    for i in 0..nodes {
        let name = format!("node-{i}");
        let zone = if i % 2 == 0 { "a-zone" } else { "b-zone" };
        admin(
            &mut sim,
            &mut id,
            HttpRequest::new("POST", "/api/v1/nodes").json_body(json!({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                    "topology.kubernetes.io/zone": zone}},
                "status": {"capacity": {"cpu": "32", "memory": "128Gi", "pods": "110"},
                    "allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"}},
            })),
        );
    }
    sim.run_until_idle();
    let start = Instant::now();
    let sim_start = sim.now().as_millis();
    for i in 0..pods {
        admin(
            &mut sim,
            &mut id,
            HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("pod-{i}"), "labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "c", "image": "nginx",
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]},
            })),
        );
    }
    sim.run_until_idle();
    let wall_secs = start.elapsed().as_secs_f64();
    let s = sim.actor::<KubeScheduler>(&Addr::Scheduler).unwrap();
    BenchResult {
        nodes,
        pods,
        bound: s.bound,
        wall_secs,
        sim_ms: sim.now().as_millis() - sim_start,
        cycles: s.cycles,
    }
}

fn report(r: &BenchResult) {
    println!(
        "scheduler bench: {} nodes, {} pods: {} bound in {} cycles, {:.2} s wall ({:.0} pods/s), {} ms simulated",
        r.nodes,
        r.pods,
        r.bound,
        r.cycles,
        r.wall_secs,
        r.pods_per_sec(),
        r.sim_ms
    );
}

#[test]
fn bench_small_cluster_binds_every_pod() {
    let r = bench_schedule(20, 200, 1);
    report(&r);
    assert_eq!(r.bound, 200);
    assert_eq!(r.cycles, 200, "one cycle per pod: nothing failed");
}

#[test]
#[ignore = "large: run in release mode"]
fn bench_1000_nodes_10000_pods() {
    let r = bench_schedule(1000, 10_000, 1);
    report(&r);
    assert_eq!(r.bound, 10_000);
}

/// The scheduling algorithm alone, without the API server: `pods` cycles (filter, score,
/// select, assume) on a cache of `nodes` nodes. Returns cycles per second.
pub fn bench_cycles(nodes: usize, pods: usize) -> f64 {
    use kubestep::scheduler::cache::Cache;
    use kubestep::scheduler::framework::{PodInfo, Profile};
    use kubestep::scheduler::schedule_one::schedule_pod;
    use std::sync::Arc;
    let mut cache = Cache::default();
    for i in 0..nodes {
        let zone = if i % 2 == 0 { "a-zone" } else { "b-zone" };
        cache.add_or_update_node(Arc::new(json!({
            "metadata": {"name": format!("node-{i}"), "labels": {"topology.kubernetes.io/zone": zone,
                "kubernetes.io/hostname": format!("node-{i}")}},
            "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"}},
        })));
    }
    let profile = Profile::default_profile();
    let mut rng = kubestep::sim::Rng::seed_from_u64(1);
    let mut next = 0;
    let start = Instant::now();
    for i in 0..pods {
        let pod = Arc::new(PodInfo::new(Arc::new(json!({
            "metadata": {"name": format!("pod-{i}"), "namespace": "default", "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]},
        }))));
        cache.update_snapshot();
        let r = schedule_pod(&profile, &cache, &pod, None, 0, &mut next, &mut rng);
        let node = r.selected.expect("every pod fits");
        cache.assume_pod(pod, &node);
    }
    pods as f64 / start.elapsed().as_secs_f64()
}

#[test]
fn bench_cycles_small() {
    let rate = bench_cycles(50, 500);
    println!("scheduler cycles alone: 50 nodes, 500 pods: {rate:.0} cycles/s");
    assert!(rate > 0.0);
}

#[test]
#[ignore = "large: run in release mode"]
fn bench_cycles_1000_nodes_10000_pods() {
    let rate = bench_cycles(1000, 10_000);
    println!("scheduler cycles alone: 1000 nodes, 10000 pods: {rate:.0} cycles/s");
}
