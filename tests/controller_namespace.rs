//! The namespace controller on a full cluster: deleting a namespace marks it Terminating, its
//! content goes (pods first, gracefully through their kubelets), its conditions say what is
//! left, and once it is empty the controller finalizes it and the API server deletes it.
//! Nothing new may be created in it meanwhile.

mod cluster_support;

use cluster_support::*;
use kubestep::apiserver::request::HttpRequest;
use serde_json::{json, Value};

const NS: &str = "shop";

fn namespace_phase(c: &mut Cluster) -> Option<String> {
    let (status, ns) = c.get(&format!("/api/v1/namespaces/{NS}"));
    (status == 200).then(|| ns["status"]["phase"].as_str().unwrap_or("").to_string())
}

/// A namespace with a Deployment of two running pods, a Service and a ConfigMap.
fn populated(seed: u64) -> Cluster {
    let mut c = Cluster::booted(seed);
    c.create(
        "/api/v1/namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
    );
    c.create(
        &format!("/apis/apps/v1/namespaces/{NS}/deployments"),
        deployment("web", 2, "nginx"),
    );
    c.create(
        &format!("/api/v1/namespaces/{NS}/services"),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
    );
    c.create(
        &format!("/api/v1/namespaces/{NS}/configmaps"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
               "data": {"color": "blue"}}),
    );
    c.wait_until(60, "two pods Running and Ready", |c| {
        c.pods(NS).iter().filter(|p| running_and_ready(p)).count() == 2
    });
    c
}

#[test]
fn deleting_a_namespace_terminates_it_removes_its_content_then_the_namespace() {
    for seed in [41, 42] {
        let mut c = populated(seed);
        let start = c.sim.trace().len();
        let (status, ns) = c.delete(&format!("/api/v1/namespaces/{NS}"));
        assert_eq!(status, 200, "seed {seed}: {ns}");
        // The DELETE answers with the namespace, now Terminating and still finalized by
        // the namespace controller.
        assert_eq!(ns["status"]["phase"], "Terminating", "seed {seed}");
        assert!(
            ns["metadata"]["deletionTimestamp"].is_string(),
            "seed {seed}"
        );
        assert_eq!(
            ns["spec"]["finalizers"],
            json!(["kubernetes"]),
            "seed {seed}"
        );

        // The controller waits 5 s, then deletes the pods first: they terminate gracefully
        // through their kubelets, and the conditions say what remains meanwhile.
        let mut saw_pods_remaining = false;
        c.wait_until(60, "the pods gone", |c| {
            let (_, ns) = c.get(&format!("/api/v1/namespaces/{NS}"));
            if let Some(cond) = condition(&ns, "NamespaceContentRemaining") {
                let msg = cond["message"].as_str().unwrap_or("");
                if cond["status"] == "True"
                    && msg.starts_with("Some resources are remaining: pods. has ")
                {
                    assert_eq!(cond["reason"], "SomeResourcesRemain");
                    // Pods first: the rest waits until they are gone.
                    let configmaps = c.items(&format!("/api/v1/namespaces/{NS}/configmaps"));
                    assert_eq!(
                        configmaps.len(),
                        1,
                        "seed {seed}: the ConfigMap still there"
                    );
                    saw_pods_remaining = true;
                }
            }
            c.pods(NS).is_empty()
        });
        assert!(
            saw_pods_remaining,
            "seed {seed}: NamespaceContentRemaining named the pods"
        );

        // Then everything else, and the namespace itself.
        c.wait_until(120, "the namespace gone", |c| namespace_phase(c).is_none());
        let (status, body) = c.get(&format!("/api/v1/namespaces/{NS}"));
        assert_eq!(status, 404, "seed {seed}: {body}");
        assert_eq!(body["message"], format!("namespaces \"{NS}\" not found"));
        for path in [
            format!("/apis/apps/v1/namespaces/{NS}/deployments"),
            format!("/apis/apps/v1/namespaces/{NS}/replicasets"),
            format!("/api/v1/namespaces/{NS}/services"),
            format!("/api/v1/namespaces/{NS}/configmaps"),
            format!("/api/v1/namespaces/{NS}/serviceaccounts"),
            format!("/apis/discovery.k8s.io/v1/namespaces/{NS}/endpointslices"),
        ] {
            assert_eq!(c.items(&path), Vec::<Value>::new(), "seed {seed}: {path}");
        }
        // The controller did all of it as itself.
        let finalize = c
            .sim
            .trace()
            .entries()
            .iter()
            .find(|e| {
                e.path.as_deref() == Some(&format!("/api/v1/namespaces/{NS}/finalize")[..])
                    && e.kind == "http-request"
            })
            .unwrap_or_else(|| panic!("seed {seed}: a finalize request"));
        assert_eq!(finalize.from.name(), "kube-controller-manager");
        assert_eq!(finalize.method.as_deref(), Some("PUT"));
        // The ReplicaSet, Endpoints and EndpointSlice controllers take the namespace's
        // refusal (NamespaceTerminating) as final rather than retrying it.
        let refused: Vec<&str> = c.sim.trace().entries()[start..]
            .iter()
            .filter(|e| {
                e.to.name() == "kube-controller-manager"
                    && e.kind == "http-response"
                    && e.status == Some(403)
            })
            .map(|e| e.summary.as_str())
            .collect();
        assert!(refused.len() <= 3, "seed {seed}: {refused:#?}");
    }
}

#[test]
fn nothing_new_may_be_created_in_a_terminating_namespace() {
    let seed = 43;
    let mut c = populated(seed);
    let (status, _) = c.delete(&format!("/api/v1/namespaces/{NS}"));
    assert_eq!(status, 200);
    let (status, body) = c.call(
        HttpRequest::new("POST", &format!("/api/v1/namespaces/{NS}/configmaps")).json_body(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}}),
        ),
    );
    assert_eq!(status, 403, "seed {seed}: {body}");
    assert_eq!(body["reason"], "Forbidden");
    assert_eq!(
        body["message"],
        format!("configmaps \"late\" is forbidden: unable to create new content in namespace {NS} because it is being terminated")
    );
    assert_eq!(
        body["details"]["causes"][0],
        json!({"reason": "NamespaceTerminating", "message": format!("namespace {NS} is being terminated"), "field": "metadata.namespace"})
    );
    // A second DELETE changes nothing while the content goes.
    let (status, ns) = c.delete(&format!("/api/v1/namespaces/{NS}"));
    assert_eq!(status, 200, "seed {seed}: {ns}");
    assert_eq!(ns["status"]["phase"], "Terminating");
}

#[test]
fn the_conditions_end_all_clear_before_the_namespace_goes() {
    let seed = 44;
    let mut c = populated(seed);
    c.delete(&format!("/api/v1/namespaces/{NS}"));
    // The last state the API server held before the namespace went, message by message.
    let mut last: Option<Value> = None;
    c.run_watching(120, |c| {
        if let Some(ns) = c
            .cached("/registry/namespaces/")
            .into_iter()
            .find(|ns| name(ns) == NS)
        {
            last = Some((*ns).clone());
        }
    });
    assert_eq!(
        namespace_phase(&mut c),
        None,
        "seed {seed}: the namespace is gone"
    );
    let last = last.expect("the namespace was seen Terminating");
    let conditions: Vec<(String, String, String)> = last["status"]["conditions"]
        .as_array()
        .unwrap_or_else(|| panic!("seed {seed}: conditions in {last}"))
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        (
            "NamespaceDeletionDiscoveryFailure",
            "False",
            "ResourcesDiscovered",
        ),
        (
            "NamespaceDeletionGroupVersionParsingFailure",
            "False",
            "ParsedGroupVersions",
        ),
        ("NamespaceDeletionContentFailure", "False", "ContentDeleted"),
        ("NamespaceContentRemaining", "False", "ContentRemoved"),
        (
            "NamespaceFinalizersRemaining",
            "False",
            "ContentHasNoFinalizers",
        ),
    ];
    assert_eq!(
        conditions,
        want.iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect::<Vec<_>>(),
        "seed {seed}"
    );
}

#[test]
fn the_immortal_namespaces_cannot_be_deleted() {
    let mut c = Cluster::booted(45);
    for ns in ["default", "kube-system", "kube-public"] {
        let (status, body) = c.delete(&format!("/api/v1/namespaces/{ns}"));
        assert_eq!(status, 403, "{body}");
        assert_eq!(
            body["message"],
            format!("namespaces \"{ns}\" is forbidden: this namespace may not be deleted")
        );
        let (_, still) = c.get(&format!("/api/v1/namespaces/{ns}"));
        assert_eq!(still["status"]["phase"], "Active");
    }
}

#[test]
fn a_pod_that_ignores_sigterm_holds_the_namespace_for_its_grace_period() {
    let seed = 46;
    let mut c = Cluster::booted(seed);
    c.create(
        "/api/v1/namespaces",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
    );
    // `sleep` ignores SIGTERM: its kubelet waits the whole 30 s, then kills it.
    c.create(
        &format!("/api/v1/namespaces/{NS}/pods"),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sleeper"},
               "spec": {"containers": [{"name": "sleeper", "image": "busybox",
                                        "command": ["sleep", "3600"]}]}}),
    );
    c.wait_until(60, "the pod Running", |c| {
        c.pods(NS).iter().any(running_and_ready)
    });
    c.delete(&format!("/api/v1/namespaces/{NS}"));
    let took = c.wait_until(120, "the namespace gone", |c| {
        if let Some(phase) = namespace_phase(c) {
            assert_eq!(phase, "Terminating");
            false
        } else {
            true
        }
    });
    // 5 s before the controller starts, the 30 s grace period, then the last sync.
    assert!(
        (35..=60).contains(&took),
        "seed {seed}: the namespace went after {took} s"
    );
}
