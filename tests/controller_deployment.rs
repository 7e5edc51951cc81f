//! kube-controller-manager's Deployment and ReplicaSet controllers against the real
//! (simulated) API server, with the test playing the scheduler and kubelets.

mod controller_support;

use controller_support::*;
use serde_json::json;

const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

#[test]
fn a_deployment_creates_a_hashed_replicaset_and_three_pods() {
    let seed = 11;
    let mut h = Harness::new(seed);
    h.create(DEPLOYMENTS, deployment("web", 3, "nginx:1.27"));
    let rss = h.replicasets("default");
    assert_eq!(rss.len(), 1, "seed {seed}");
    let rs = &rss[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap();
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"), "seed {seed}");
    assert_eq!(hash.len(), 10, "seed {seed}: {hash}");
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    assert_eq!(rs["metadata"]["ownerReferences"][0]["controller"], true);
    assert_eq!(
        rs["metadata"]["ownerReferences"][0]["blockOwnerDeletion"],
        true
    );
    let pods = h.pods("default");
    assert_eq!(pods.len(), 3, "seed {seed}: {:?}", names(&pods));
    for p in &pods {
        let n = p["metadata"]["name"].as_str().unwrap();
        assert!(n.starts_with(&format!("web-{hash}-")), "seed {seed}: {n}");
        assert_eq!(n.len(), format!("web-{hash}-").len() + 5);
        assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
    }
    h.run_pods("default", "controlplane");
    let (_, d) = h.get(&format!("{DEPLOYMENTS}/web"));
    assert_eq!(d["status"]["availableReplicas"], 3, "seed {seed}: {d}");
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let progressing = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .unwrap()
        .clone();
    assert_eq!(
        progressing["reason"], "NewReplicaSetAvailable",
        "seed {seed}: {d}"
    );
    assert_eq!(
        progressing["message"],
        format!("ReplicaSet \"web-{hash}\" has successfully progressed.")
    );
}

#[test]
fn scaling_up_and_down_and_self_healing() {
    let seed = 12;
    let mut h = Harness::new(seed);
    h.create(DEPLOYMENTS, deployment("web", 3, "nginx"));
    h.run_pods("default", "controlplane");
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"replicas": 5}}),
    );
    assert_eq!(h.pods("default").len(), 5, "seed {seed}");
    h.run_pods("default", "controlplane");
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"replicas": 2}}),
    );
    let live = live_pods(&mut h, "default");
    assert_eq!(live.len(), 2, "seed {seed}");
    let rs = &h.replicasets("default")[0];
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"],
        "2"
    );
    // A pod deleted by hand is replaced.
    let victim = live[0]["metadata"]["name"].as_str().unwrap().to_string();
    let (s, _) = h.call(kubestep::apiserver::request::HttpRequest::new(
        "DELETE",
        &format!("/api/v1/namespaces/default/pods/{victim}"),
    ));
    assert_eq!(s, 200);
    // Bound pods end gracefully (the kubelet would finish them): count the live ones.
    let pods = live_pods(&mut h, "default");
    let names = names(&pods);
    assert!(!names.contains(&victim), "seed {seed}: {names:?}");
    assert_eq!(pods.len(), 2, "seed {seed}: {names:?}");
}

fn rs_by_image(h: &mut Harness, image: &str) -> Option<serde_json::Value> {
    h.replicasets("default")
        .into_iter()
        .find(|rs| rs["spec"]["template"]["spec"]["containers"][0]["image"] == image)
}

fn spec_replicas(rs: &Option<serde_json::Value>) -> i64 {
    rs.as_ref()
        .and_then(|r| r["spec"]["replicas"].as_i64())
        .unwrap_or(0)
}

#[test]
fn a_rolling_update_respects_max_surge_and_max_unavailable_step_by_step() {
    let seed = 13;
    let mut h = Harness::new(seed);
    // 4 replicas: 25% surge rounds up to 1, 25% unavailable rounds down to 1.
    h.create(DEPLOYMENTS, deployment("web", 4, "nginx:1.26"));
    h.run_pods("default", "controlplane");
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}),
    );
    let mut steps = 0;
    let mut seen = Vec::new();
    loop {
        let old = rs_by_image(&mut h, "nginx:1.26");
        let new = rs_by_image(&mut h, "nginx:1.27");
        let (o, n) = (spec_replicas(&old), spec_replicas(&new));
        assert!(
            o + n <= 5,
            "seed {seed}: step {steps}: old {o} + new {n} exceeds replicas + maxSurge"
        );
        let ready = live_pods(&mut h, "default")
            .iter()
            .filter(|p| {
                p["status"]["conditions"].as_array().is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                })
            })
            .count();
        assert!(
            ready >= 3,
            "seed {seed}: step {steps}: only {ready} ready pods"
        );
        seen.push((o, n));
        if o == 0 && n == 4 {
            break;
        }
        steps += 1;
        assert!(steps < 20, "seed {seed}: rollout stuck at old {o} new {n}");
        // The kubelet starts the new pods.
        h.run_pods("default", "controlplane");
    }
    // Surge one new pod (4+1), retire one old (3+1: 3 stay available), surge again (3+2);
    // once the new pods are ready, old ones go as new ones come, never below 3 ready.
    assert_eq!(seen, [(3, 2), (1, 4), (0, 4)], "seed {seed}");
    let new = rs_by_image(&mut h, "nginx:1.27").unwrap();
    assert_eq!(
        new["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    let (_, d) = h.get(&format!("{DEPLOYMENTS}/web"));
    assert_eq!(d["status"]["updatedReplicas"], 4, "seed {seed}: {d}");
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );

    // Rollback (what `kubectl rollout undo` patches): the old template comes back, and its
    // ReplicaSet is reused with a new revision that remembers the old one.
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}}}),
    );
    for _ in 0..20 {
        h.run_pods("default", "controlplane");
    }
    let back = rs_by_image(&mut h, "nginx:1.26").unwrap();
    assert_eq!(back["spec"]["replicas"], 4, "seed {seed}");
    assert_eq!(
        back["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    assert_eq!(
        back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"],
        "1"
    );
    assert_eq!(spec_replicas(&rs_by_image(&mut h, "nginx:1.27")), 0);
    assert_eq!(h.replicasets("default").len(), 2, "seed {seed}");
}

#[test]
fn scaling_down_in_the_middle_of_a_rollout_lets_the_rollout_finish() {
    let seed = 17;
    let mut h = Harness::new(seed);
    // 2 replicas: 25% surge rounds up to 1, 25% unavailable rounds down to 0.
    h.create(DEPLOYMENTS, deployment("web", 2, "nginx:1.26"));
    h.run_pods("default", "controlplane");
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}),
    );
    // The new ReplicaSet surged to 1 next to the old 2; scaling to 1 takes the old one down to
    // 1 and leaves the new one at its size: its desired-replicas annotation still says 2, and
    // the scaling event must rewrite it, or every later sync sees a scaling event again and
    // the rollout never goes on.
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"replicas": 1}}),
    );
    for _ in 0..20 {
        h.run_pods("default", "controlplane");
    }
    let new = rs_by_image(&mut h, "nginx:1.27");
    let old = rs_by_image(&mut h, "nginx:1.26");
    assert_eq!(
        (spec_replicas(&old), spec_replicas(&new)),
        (0, 1),
        "seed {seed}: old {old:?} new {new:?}"
    );
    let anns = &new.as_ref().unwrap()["metadata"]["annotations"];
    assert_eq!(
        anns["deployment.kubernetes.io/desired-replicas"], "1",
        "seed {seed}"
    );
    assert_eq!(
        anns["deployment.kubernetes.io/max-replicas"], "2",
        "seed {seed}"
    );
    let (_, d) = h.get(&format!("{DEPLOYMENTS}/web"));
    assert_eq!(d["status"]["updatedReplicas"], 1, "seed {seed}: {d}");
    assert_eq!(d["status"]["replicas"], 1, "seed {seed}: {d}");
}

#[test]
fn deleting_a_deployment_deletes_its_replicasets_and_pods_in_the_background() {
    let seed = 14;
    let mut h = Harness::new(seed);
    h.create(DEPLOYMENTS, deployment("web", 2, "nginx"));
    assert_eq!(h.pods("default").len(), 2);
    let (s, _) = h.call(kubestep::apiserver::request::HttpRequest::new(
        "DELETE",
        &format!("{DEPLOYMENTS}/web"),
    ));
    assert_eq!(s, 200);
    assert!(h.replicasets("default").is_empty(), "seed {seed}");
    assert!(h.pods("default").is_empty(), "seed {seed}");
}

#[test]
fn orphan_deletion_keeps_the_replicaset_and_its_pods() {
    let seed = 15;
    let mut h = Harness::new(seed);
    h.create(DEPLOYMENTS, deployment("web", 2, "nginx"));
    let (s, body) = h.call(
        kubestep::apiserver::request::HttpRequest::new("DELETE", &format!("{DEPLOYMENTS}/web"))
            .json_body(
                json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan"}),
            ),
    );
    assert_eq!(s, 200, "{body}");
    let (s, _) = h.get(&format!("{DEPLOYMENTS}/web"));
    assert_eq!(s, 404, "seed {seed}: the orphan finalizer was removed");
    let rss = h.replicasets("default");
    assert_eq!(rss.len(), 1, "seed {seed}");
    assert!(
        rss[0]["metadata"]
            .get("ownerReferences")
            .is_none_or(|r| r.as_array().is_some_and(|a| a.is_empty())),
        "seed {seed}: {}",
        rss[0]["metadata"]
    );
    assert_eq!(h.pods("default").len(), 2, "seed {seed}");
}

#[test]
fn foreground_deletion_removes_dependents_before_the_owner() {
    let seed = 16;
    let mut h = Harness::new(seed);
    h.create(DEPLOYMENTS, deployment("web", 2, "nginx"));
    let (s, body) = h.call(
        kubestep::apiserver::request::HttpRequest::new("DELETE", &format!("{DEPLOYMENTS}/web"))
            .json_body(json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"})),
    );
    assert_eq!(s, 200, "{body}");
    h.advance(5);
    assert!(h.pods("default").is_empty(), "seed {seed}");
    assert!(h.replicasets("default").is_empty(), "seed {seed}");
    let (s, _) = h.get(&format!("{DEPLOYMENTS}/web"));
    assert_eq!(s, 404, "seed {seed}");
}

#[test]
fn a_stopped_controller_manager_catches_up_after_restart() {
    let seed = 17;
    let mut h = Harness::new(seed);
    h.create(DEPLOYMENTS, deployment("web", 2, "nginx"));
    assert_eq!(h.pods("default").len(), 2);
    let kcm = kubestep::sim::Addr::ControllerManager;
    h.sim.stop_actor(&kcm);
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"replicas": 4}}),
    );
    h.advance(30);
    assert_eq!(
        h.pods("default").len(),
        2,
        "seed {seed}: nobody reconciles while it is down"
    );
    h.sim.start_actor(&kcm);
    h.advance(5);
    assert_eq!(
        h.pods("default").len(),
        4,
        "seed {seed}: caught up by relisting"
    );
    let rs = &h.replicasets("default")[0];
    assert_eq!(rs["spec"]["replicas"], 4, "seed {seed}");
    assert_eq!(rs["status"]["replicas"], 4, "seed {seed}");
}

#[test]
fn recreate_waits_for_every_old_pod_to_be_gone_before_the_new_replicaset() {
    let seed = 18;
    let mut h = Harness::new(seed);
    let mut d = deployment("web", 2, "nginx:1.26");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    h.create(DEPLOYMENTS, d);
    h.run_pods("default", "controlplane");
    h.patch(
        &format!("{DEPLOYMENTS}/web"),
        json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}),
    );
    assert_eq!(
        spec_replicas(&rs_by_image(&mut h, "nginx:1.26")),
        0,
        "seed {seed}"
    );
    // The old pods are terminating (their kubelet has not finished them): no new ReplicaSet.
    assert!(rs_by_image(&mut h, "nginx:1.27").is_none(), "seed {seed}");
    // The kubelet finishes them.
    for p in h.pods("default") {
        let name = p["metadata"]["name"].as_str().unwrap().to_string();
        let (s, _) = h.call(
            kubestep::apiserver::request::HttpRequest::new(
                "DELETE",
                &format!("/api/v1/namespaces/default/pods/{name}"),
            )
            .json_body(
                json!({"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}),
            ),
        );
        assert_eq!(s, 200);
    }
    let new = rs_by_image(&mut h, "nginx:1.27");
    assert_eq!(spec_replicas(&new), 2, "seed {seed}");
    assert_eq!(live_pods(&mut h, "default").len(), 2, "seed {seed}");
}
