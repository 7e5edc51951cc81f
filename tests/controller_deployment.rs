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
