//! kube-controller-manager's StatefulSet controller in a whole cluster: ordered creation (each
//! pod waits for its predecessor to be Running and Ready), scale-down from the highest ordinal,
//! Parallel management, stable identity and claims, rolling updates from the top ordinal down
//! to the partition, and the website example whose claims never bind.

mod workload_support;

use std::collections::BTreeMap;

use kubestep::apiserver::request::HttpRequest;
use kubestep::sim::{Addr, SimDuration};
use serde_json::{json, Value};
use workload_support::*;

const STS: &str = "/apis/apps/v1/namespaces/default/statefulsets";

fn statefulset(replicas: i64, image: &str, extra: Value) -> Value {
    let mut sts = json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "serviceName": "nginx",
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "nginx"}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {"terminationGracePeriodSeconds": 10,
                    "containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80, "name": "web"}]}]}
            }
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        sts["spec"][k] = v.clone();
    }
    sts
}

fn headless_service(c: &mut Cluster) {
    c.create(&json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
        "spec": {"clusterIP": "None", "selector": {"app": "nginx"}, "ports": [{"port": 80, "name": "web"}]}}));
}

fn web_pods(c: &Cluster) -> BTreeMap<String, std::sync::Arc<Value>> {
    c.cached("/registry/pods/")
        .into_iter()
        .filter(|p| p["metadata"]["namespace"] == "default" && name(p).starts_with("web-"))
        .map(|p| (name(&p).to_string(), p))
        .collect()
}

fn sts_status(c: &Cluster) -> Value {
    c.get("/registry/statefulsets/", "default/web")
        .map(|s| s["status"].clone())
        .unwrap_or(Value::Null)
}

/// Steps the cluster 50 ms at a time for up to `secs`, calling `check` after each step;
/// stops early when `done` holds.
fn step_until(
    c: &mut Cluster,
    secs: u64,
    mut check: impl FnMut(&Cluster),
    done: impl Fn(&Cluster) -> bool,
) -> bool {
    for _ in 0..secs * 20 {
        c.sim.advance(SimDuration::from_millis(50));
        check(c);
        if done(c) {
            return true;
        }
    }
    false
}

/// Sends a merge patch of the StatefulSet; the caller steps the cluster.
fn patch_sts(c: &mut Cluster, patch: Value) {
    c.send(
        HttpRequest::new("PATCH", &format!("{STS}/web"))
            .header("Content-Type", "application/merge-patch+json")
            .body(patch.to_string()),
    );
}

#[test]
fn pods_are_created_one_at_a_time_each_after_its_predecessor_is_ready() {
    let seed = 61;
    let mut c = Cluster::new(seed);
    headless_service(&mut c);
    let sts = statefulset(3, "nginx:1.27", json!({}));
    c.send(HttpRequest::new("POST", STS).json_body(sts));
    // The first sighting of each pod, with whether its predecessor was Ready then.
    let mut seen: Vec<(String, bool)> = Vec::new();
    let all_ready = step_until(
        &mut c,
        60,
        |c| {
            let pods = web_pods(c);
            for (n, _) in pods.iter() {
                if seen.iter().any(|(s, _)| s == n) {
                    continue;
                }
                let ord: usize = n.trim_start_matches("web-").parse().unwrap();
                let predecessor_ready = ord == 0
                    || pods
                        .get(&format!("web-{}", ord - 1))
                        .is_some_and(|p| is_ready(p) && p["status"]["phase"] == "Running");
                seen.push((n.clone(), predecessor_ready));
            }
        },
        |c| sts_status(c)["readyReplicas"] == 3,
    );
    assert!(all_ready, "seed {seed}: {}", sts_status(&c));
    assert_eq!(
        seen,
        [
            ("web-0".to_string(), true),
            ("web-1".to_string(), true),
            ("web-2".to_string(), true)
        ],
        "seed {seed}: created in order, each after its predecessor was Running and Ready"
    );
    let pods = web_pods(&c);
    let revs = c.cached("/registry/controllerrevisions/");
    assert_eq!(revs.len(), 1, "seed {seed}");
    let rev = name(&revs[0]).to_string();
    assert!(rev.starts_with("web-"), "seed {seed}: {rev}");
    assert_eq!(revs[0]["revision"], 1);
    for (i, (n, p)) in pods.iter().enumerate() {
        assert_eq!(n, &format!("web-{i}"));
        assert_eq!(
            p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"],
            n.as_str()
        );
        assert_eq!(
            p["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
            i.to_string()
        );
        assert_eq!(
            p["metadata"]["labels"]["controller-revision-hash"],
            rev.as_str()
        );
        assert_eq!(p["spec"]["hostname"], n.as_str());
        assert_eq!(p["spec"]["subdomain"], "nginx");
        assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
    }
    assert!(c
        .get(
            "/registry/serviceaccounts/",
            "kube-system/statefulset-controller"
        )
        .is_some());
    assert!(
        c.sim.trace().entries().iter().any(|e| e.summary.contains(
            "allowed by ClusterRoleBinding \"system:controller:statefulset-controller\""
        )),
        "seed {seed}"
    );
    let status = sts_status(&c);
    assert_eq!(status["replicas"], 3, "seed {seed}: {status}");
    assert_eq!(status["availableReplicas"], 3, "seed {seed}: {status}");
    assert_eq!(status["currentReplicas"], 3, "seed {seed}: {status}");
    assert_eq!(status["updatedReplicas"], 3, "seed {seed}: {status}");
    assert_eq!(
        status["currentRevision"],
        rev.as_str(),
        "seed {seed}: {status}"
    );
    assert_eq!(
        status["updateRevision"],
        rev.as_str(),
        "seed {seed}: {status}"
    );
    assert_eq!(status["collisionCount"], 0, "seed {seed}: {status}");
    assert_eq!(status["observedGeneration"], 1, "seed {seed}: {status}");
    let created: Vec<String> = c
        .events("default", "web")
        .into_iter()
        .filter(|(r, _)| r == "SuccessfulCreate")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        created,
        [
            "create Pod web-0 in StatefulSet web successful",
            "create Pod web-1 in StatefulSet web successful",
            "create Pod web-2 in StatefulSet web successful",
        ],
        "seed {seed}"
    );
}

#[test]
fn scale_down_removes_the_highest_ordinal_first_one_at_a_time() {
    let seed = 62;
    let mut c = Cluster::new(seed);
    headless_service(&mut c);
    c.create(&statefulset(3, "nginx", json!({})));
    assert!(
        step_until(&mut c, 60, |_| {}, |c| sts_status(c)["readyReplicas"] == 3),
        "seed {seed}"
    );
    patch_sts(&mut c, json!({"spec": {"replicas": 1}}));
    // web-1 starts terminating only once web-2 is gone.
    let mut order: Vec<String> = Vec::new();
    let done = step_until(
        &mut c,
        60,
        |c| {
            let pods = web_pods(c);
            for n in ["web-2", "web-1"] {
                let going = pods
                    .get(n)
                    .is_none_or(|p| p.pointer("/metadata/deletionTimestamp").is_some());
                if going && !order.iter().any(|o| o == n) {
                    if n == "web-1" {
                        assert!(
                            !pods.contains_key("web-2"),
                            "seed {seed}: web-1 went before web-2 was gone"
                        );
                    }
                    order.push(n.to_string());
                }
            }
        },
        |c| web_pods(c).len() == 1,
    );
    assert!(
        done,
        "seed {seed}: {:?}",
        web_pods(&c).keys().collect::<Vec<_>>()
    );
    assert_eq!(order, ["web-2", "web-1"], "seed {seed}");
    assert!(web_pods(&c).contains_key("web-0"));
    let deleted: Vec<String> = c
        .events("default", "web")
        .into_iter()
        .filter(|(r, _)| r == "SuccessfulDelete")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        deleted,
        [
            "delete Pod web-2 in StatefulSet web successful",
            "delete Pod web-1 in StatefulSet web successful",
        ],
        "seed {seed}"
    );
    c.advance(2);
    assert_eq!(sts_status(&c)["replicas"], 1, "seed {seed}");
}

#[test]
fn parallel_management_creates_pods_without_waiting_in_slow_start_batches() {
    let seed = 63;
    let mut c = Cluster::new(seed);
    headless_service(&mut c);
    let sts = statefulset(3, "nginx", json!({"podManagementPolicy": "Parallel"}));
    c.send(HttpRequest::new("POST", STS).json_body(sts));
    // The moment the last of the three appears, none of them is ready yet.
    let mut pods = web_pods(&c);
    for _ in 0..200 {
        if pods.len() == 3 {
            break;
        }
        c.sim.advance(SimDuration::from_millis(5));
        pods = web_pods(&c);
    }
    assert_eq!(
        pods.len(),
        3,
        "seed {seed}: {:?}",
        pods.keys().collect::<Vec<_>>()
    );
    assert!(
        pods.values().all(|p| !is_ready(p)),
        "seed {seed}: none waited for another to be ready"
    );
    // Slow start: web-0 alone, then web-1 and web-2 once web-0's create was answered.
    let mut creates_before_first_answer = 0;
    for e in c.sim.trace().entries() {
        if e.to == Addr::ControllerManager && e.summary == "201 Created: Pod web-0" {
            break;
        }
        if e.from == Addr::ControllerManager
            && e.method.as_deref() == Some("POST")
            && e.path.as_deref() == Some("/api/v1/namespaces/default/pods")
        {
            creates_before_first_answer += 1;
        }
    }
    assert_eq!(creates_before_first_answer, 1, "seed {seed}");
}

#[test]
fn a_rolling_update_replaces_pods_from_the_highest_ordinal_down_to_the_partition() {
    let seed = 64;
    let mut c = Cluster::new(seed);
    headless_service(&mut c);
    c.create(&statefulset(
        3,
        "nginx:1.26",
        json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}}),
    ));
    assert!(
        step_until(&mut c, 60, |_| {}, |c| sts_status(c)["readyReplicas"] == 3),
        "seed {seed}"
    );
    patch_sts(
        &mut c,
        json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}),
    );
    let done = step_until(
        &mut c,
        90,
        |_| {},
        |c| {
            let s = sts_status(c);
            s["updatedReplicas"] == 2 && s["readyReplicas"] == 3
        },
    );
    assert!(done, "seed {seed}: {}", sts_status(&c));
    let pods = web_pods(&c);
    let image = |n: &str| pods[n]["spec"]["containers"][0]["image"].clone();
    assert_eq!(
        image("web-0"),
        "nginx:1.26",
        "seed {seed}: below the partition"
    );
    assert_eq!(image("web-1"), "nginx:1.27", "seed {seed}");
    assert_eq!(image("web-2"), "nginx:1.27", "seed {seed}");
    let status = sts_status(&c);
    assert_ne!(
        status["currentRevision"], status["updateRevision"],
        "seed {seed}"
    );
    let deleted: Vec<String> = c
        .events("default", "web")
        .into_iter()
        .filter(|(r, _)| r == "SuccessfulDelete")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        deleted,
        [
            "delete Pod web-2 in StatefulSet web successful",
            "delete Pod web-1 in StatefulSet web successful",
        ],
        "seed {seed}"
    );
    let revs = c.cached("/registry/controllerrevisions/");
    assert_eq!(revs.len(), 2, "seed {seed}");
}

#[test]
fn the_website_statefulset_waits_for_claims_that_never_bind() {
    let seed = 65;
    let mut c = Cluster::new(seed);
    c.apply_file("website-examples/controllers/statefulset.yaml");
    c.advance(20);
    let pvc = c
        .get("/registry/persistentvolumeclaims/", "default/www-web-0")
        .unwrap_or_else(|| panic!("seed {seed}: the claim of web-0 was created"));
    assert_eq!(pvc["spec"]["storageClassName"], "my-storage-class");
    assert_eq!(pvc["metadata"]["labels"]["app"], "nginx");
    assert_eq!(pvc["status"]["phase"], "Pending", "seed {seed}");
    let pods = web_pods(&c);
    assert_eq!(
        pods.keys().collect::<Vec<_>>(),
        ["web-0"],
        "seed {seed}: web-1 waits for web-0"
    );
    let web0 = &pods["web-0"];
    assert_eq!(web0["status"]["phase"], "Pending");
    assert_eq!(
        web0["spec"]["volumes"][0],
        json!({"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}),
        "seed {seed}"
    );
    const MSG: &str = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    let scheduled = web0["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .unwrap()
        .clone();
    assert_eq!(scheduled["status"], "False", "seed {seed}");
    assert_eq!(scheduled["reason"], "Unschedulable");
    assert_eq!(scheduled["message"], MSG, "seed {seed}");
    assert!(
        c.events("default", "web-0")
            .iter()
            .any(|(r, m)| r == "FailedScheduling" && m == MSG),
        "seed {seed}: {:?}",
        c.events("default", "web-0")
    );
    let set_events = c.events("default", "web");
    assert_eq!(
        set_events,
        [
            (
                "SuccessfulCreate".to_string(),
                "create Claim www-web-0 Pod web-0 in StatefulSet web success".to_string()
            ),
            (
                "SuccessfulCreate".to_string(),
                "create Pod web-0 in StatefulSet web successful".to_string()
            ),
        ],
        "seed {seed}"
    );
    // Once something binds the claim (kubestep has no PV controller), web-0 is scheduled.
    c.create(&json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": "pv-www-0"},
        "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
            "storageClassName": "my-storage-class", "hostPath": {"path": "/data/www-0"},
            "claimRef": {"namespace": "default", "name": "www-web-0"}}}));
    let (s, b) = c.call(
        HttpRequest::new(
            "PATCH",
            "/api/v1/namespaces/default/persistentvolumeclaims/www-web-0",
        )
        .header("Content-Type", "application/merge-patch+json")
        .body(
            json!({"metadata": {"annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
                "spec": {"volumeName": "pv-www-0"}})
            .to_string(),
        ),
    );
    assert_eq!(s, 200, "{b}");
    c.advance(15);
    let web0 = &web_pods(&c)["web-0"];
    assert!(
        web0["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| n.starts_with("worker-")),
        "seed {seed}: {}",
        web0["status"]
    );
}

#[test]
fn deleting_a_statefulset_deletes_its_pods_and_revisions() {
    let seed = 66;
    let mut c = Cluster::new(seed);
    headless_service(&mut c);
    c.create(&statefulset(2, "nginx", json!({})));
    assert!(
        step_until(&mut c, 60, |_| {}, |c| sts_status(c)["readyReplicas"] == 2),
        "seed {seed}"
    );
    let (s, _) = c.call(HttpRequest::new("DELETE", &format!("{STS}/web")));
    assert_eq!(s, 200);
    c.advance(40);
    assert!(
        web_pods(&c).is_empty(),
        "seed {seed}: {:?}",
        web_pods(&c).keys().collect::<Vec<_>>()
    );
    assert!(
        c.cached("/registry/controllerrevisions/").is_empty(),
        "seed {seed}"
    );
}

#[test]
fn claims_retained_by_default_and_deleted_with_the_set_when_the_policy_says_so() {
    let seed = 67;
    let template = json!([{"metadata": {"name": "www"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]);
    for (policy, kept) in [
        (json!(null), true),
        (json!({"whenDeleted": "Delete"}), false),
    ] {
        let mut c = Cluster::new(seed);
        let mut sts = statefulset(1, "nginx", json!({"volumeClaimTemplates": template}));
        if !policy.is_null() {
            sts["spec"]["persistentVolumeClaimRetentionPolicy"] = policy.clone();
        }
        c.create(&sts);
        c.advance(5);
        let claim = c
            .get("/registry/persistentvolumeclaims/", "default/www-web-0")
            .unwrap_or_else(|| panic!("seed {seed}: {policy}: claim created"));
        let owners = claim["metadata"]["ownerReferences"].clone();
        if kept {
            assert!(
                owners.is_null(),
                "seed {seed}: Retain leaves the claim unowned: {owners}"
            );
        } else {
            assert_eq!(owners[0]["kind"], "StatefulSet", "seed {seed}: {owners}");
            assert_eq!(owners[0]["controller"], true);
        }
        let (s, _) = c.call(HttpRequest::new("DELETE", &format!("{STS}/web")));
        assert_eq!(s, 200);
        c.advance(40);
        assert_eq!(
            c.get("/registry/persistentvolumeclaims/", "default/www-web-0")
                .is_some(),
            kept,
            "seed {seed}: {policy}"
        );
    }
}
