//! Specifications of kubestep's etcdctl that the real tool cannot be asked in the differential
//! test: kubeadm's TLS flags, the console's interrupt, and checkpoints of open streams.

use kubestep::etcdctl::Etcdctl;
use kubestep::sim::{Addr, Input, Sim, SimConfig, SimDuration};

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn run(sim: &mut Sim, line: &str) -> u64 {
    let id = sim.submit(Input::Etcdctl {
        argv: words(line),
        stdin: None,
    });
    sim.run_until_idle();
    id
}

fn output(sim: &Sim, id: u64) -> String {
    sim.console()
        .iter()
        .filter(|c| c.input_id == id)
        .map(|c| c.text.as_str())
        .collect()
}

fn exit_code(sim: &Sim, id: u64) -> Option<i32> {
    sim.actor::<Etcdctl>(&Addr::Etcdctl)
        .expect("etcdctl runs in every cluster")
        .exit_code(id)
}

/// The control plane's etcd member with etcdctl beside it, and nothing writing to it (the API
/// server's own objects would move the revisions these tests count).
fn cluster() -> Sim {
    let mut sim = Sim::empty(SimConfig::default(), 7);
    sim.add_actor(Box::new(kubestep::etcd::EtcdServer::new(
        kubestep::etcd::EtcdConfig::default(),
    )));
    sim.add_actor(Box::new(kubestep::etcdctl::Etcdctl::new()));
    sim.run_until_idle();
    sim
}

#[test]
fn etcdctl_sees_what_the_api_server_stored() {
    let mut sim = kubestep::cluster::booted(7);
    let keys = run(&mut sim, "get /registry/namespaces --prefix --keys-only");
    assert_eq!(
        output(&sim, keys),
        "/registry/namespaces/default\n\n/registry/namespaces/kube-node-lease\n\n/registry/namespaces/kube-public\n\n/registry/namespaces/kube-system\n\n"
    );
}

const KUBEADM: &str = "--endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key";

#[test]
fn kubeadm_style_tls_flags_reach_the_control_plane_etcd() {
    let mut sim = cluster();
    let put = run(&mut sim, &format!("{KUBEADM} put /registry/demo hello"));
    assert_eq!(output(&sim, put), "OK\n");
    let get = run(&mut sim, &format!("{KUBEADM} get /registry/demo"));
    assert_eq!(output(&sim, get), "/registry/demo\nhello\n");
    let status = run(&mut sim, &format!("{KUBEADM} endpoint status"));
    assert!(
        output(&sim, status).starts_with("https://127.0.0.1:2379, 8e9e05c52164694d, 3.4.23, "),
        "{}",
        output(&sim, status)
    );
    // The client's log names the endpoint without its scheme.
    let bad = run(&mut sim, &format!("{KUBEADM} get /registry/demo --rev=99"));
    assert!(output(&sim, bad).contains("/127.0.0.1:2379\",\"attempt\":0"));
    assert_eq!(exit_code(&sim, bad), Some(1));
}

#[test]
fn the_environment_assignment_form_is_accepted() {
    let mut sim = cluster();
    let id = run(&mut sim, "ETCDCTL_API=3 version");
    assert_eq!(
        output(&sim, id),
        "etcdctl version: 3.4.23\nAPI version: 3.4\n"
    );
    assert_eq!(exit_code(&sim, id), Some(0));
}

#[test]
fn a_watch_prints_events_as_they_happen_until_interrupted() {
    let mut sim = cluster();
    let watch = run(&mut sim, "watch --prefix /registry/");
    assert_eq!(output(&sim, watch), "");
    assert_eq!(exit_code(&sim, watch), None, "the watch stays open");
    run(&mut sim, "put /registry/a 1");
    assert_eq!(output(&sim, watch), "PUT\n/registry/a\n1\n");
    run(&mut sim, "del /registry/a");
    assert_eq!(
        output(&sim, watch),
        "PUT\n/registry/a\n1\nDELETE\n/registry/a\n\n"
    );
    sim.submit(Input::Interrupt { input_id: watch });
    sim.run_until_idle();
    assert_eq!(exit_code(&sim, watch), Some(130));
    // After Ctrl-C nothing more arrives, and a second Ctrl-C changes nothing.
    run(&mut sim, "put /registry/b 2");
    sim.submit(Input::Interrupt { input_id: watch });
    sim.run_until_idle();
    assert_eq!(
        output(&sim, watch),
        "PUT\n/registry/a\n1\nDELETE\n/registry/a\n\n"
    );
}

#[test]
fn keep_alive_renews_a_third_of_the_ttl_apart() {
    let mut sim = cluster();
    let grant = run(&mut sim, "lease grant 9");
    let id = output(&sim, grant)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let ka = run(&mut sim, &format!("lease keep-alive {id}"));
    sim.advance(SimDuration::from_secs(7));
    let line = format!("lease {id} keepalived with TTL(9)\n");
    assert_eq!(output(&sim, ka), line.repeat(3));
    run(&mut sim, &format!("lease revoke {id}"));
    sim.advance(SimDuration::from_secs(3));
    assert_eq!(
        output(&sim, ka),
        format!("{}lease {id} expired or revoked.\n", line.repeat(3))
    );
    assert_eq!(exit_code(&sim, ka), Some(0));
}

#[test]
fn a_checkpoint_keeps_open_watches_and_files() {
    let mut sim = cluster();
    let watch = run(&mut sim, "watch k");
    run(&mut sim, "snapshot save s.db");
    let mut copy = sim.clone();
    run(&mut copy, "put k v");
    assert_eq!(output(&copy, watch), "PUT\nk\nv\n");
    let status = run(&mut copy, "snapshot status s.db -w json");
    assert!(output(&copy, status).contains("\"revision\":1,"));
    assert_eq!(output(&sim, watch), "", "the original is untouched");
}

#[test]
fn commands_kubestep_does_not_model_say_so() {
    let mut sim = cluster();
    for line in [
        "auth enable",
        "help auth",
        "user list",
        "watch k -- echo event",
    ] {
        let id = run(&mut sim, line);
        assert!(
            output(&sim, id).starts_with("Error: kubestep's etcdctl does not "),
            "{line}: {}",
            output(&sim, id)
        );
        assert_eq!(exit_code(&sim, id), Some(4), "{line}");
    }
}
