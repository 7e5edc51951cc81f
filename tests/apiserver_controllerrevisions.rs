//! `apps/v1` ControllerRevisions as kube-apiserver serves them: discovery, storage, the
//! validation of `data` and `revision` (data immutable, revision renumberable), and the
//! server-side table `kubectl get controllerrevisions` prints.

mod workload_support;

use kubestep::apiserver::request::HttpRequest;
use serde_json::{json, Value};
use workload_support::*;

const REVISIONS: &str = "/apis/apps/v1/namespaces/default/controllerrevisions";

fn revision(name: &str, data: Value, revision: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "agent"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent",
                "uid": "5f2c1c3e-0000-4000-8000-000000000001", "controller": true}]},
        "data": data, "revision": revision})
}

/// A booted cluster whose controller-manager is stopped: the revisions here name owners that
/// do not exist, which the garbage collector would otherwise delete.
fn api_only(seed: u64) -> Cluster {
    let mut c = Cluster::new(seed);
    c.sim.stop_actor(&kubestep::sim::Addr::ControllerManager);
    c
}

fn template_patch(image: &str) -> Value {
    json!({"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": "agent"}},
        "spec": {"containers": [{"name": "c", "image": image}]}}}})
}

#[test]
fn controllerrevisions_are_discovered_and_stored_like_a_real_cluster() {
    let seed = 71;
    let mut c = api_only(seed);
    let (s, list) = c.call(HttpRequest::new("GET", "/apis/apps/v1"));
    assert_eq!(s, 200);
    let entry = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "controllerrevisions")
        .cloned()
        .unwrap_or_else(|| panic!("seed {seed}: not discovered: {list}"));
    assert_eq!(entry["kind"], "ControllerRevision");
    assert_eq!(entry["namespaced"], true);
    assert_eq!(entry["singularName"], "controllerrevision");
    assert_eq!(entry["storageVersionHash"], "85nkx63pcBU=");
    assert_eq!(
        entry["verbs"],
        json!([
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ])
    );
    let created = c.create(&revision(
        "agent-6d4b8f5c7",
        template_patch("nginx:1.26"),
        1,
    ));
    assert_eq!(created["revision"], 1);
    assert_eq!(created["data"], template_patch("nginx:1.26"));
    let stored = c
        .get("/registry/controllerrevisions/", "default/agent-6d4b8f5c7")
        .unwrap_or_else(|| panic!("seed {seed}: stored under /registry/controllerrevisions/"));
    assert_eq!(stored["metadata"]["labels"]["app"], "agent");
}

#[test]
fn data_is_mandatory_and_immutable_and_the_revision_is_not_negative() {
    let seed = 72;
    let mut c = api_only(seed);
    let refused = |c: &mut Cluster, obj: Value| {
        let (s, body) = c.call(HttpRequest::new("POST", REVISIONS).json_body(obj));
        assert_eq!(s, 422, "{body}");
        body["message"].as_str().unwrap().to_string()
    };
    let mut no_data = revision("r1", Value::Null, 1);
    no_data.as_object_mut().unwrap().remove("data");
    assert_eq!(
        refused(&mut c, no_data),
        "ControllerRevision.apps \"r1\" is invalid: data: Required value: data is mandatory"
    );
    assert_eq!(
        refused(&mut c, revision("r2", template_patch("nginx"), -1)),
        "ControllerRevision.apps \"r2\" is invalid: revision: Invalid value: -1: must be greater than or equal to 0"
    );
    let mut cr = c.create(&revision("r3", template_patch("nginx:1.26"), 1));
    // The DaemonSet controller renumbers a revision it rolls back to: allowed.
    cr["revision"] = json!(3);
    let (s, body) =
        c.call(HttpRequest::new("PUT", &format!("{REVISIONS}/r3")).json_body(cr.clone()));
    assert_eq!(s, 200, "seed {seed}: {body}");
    assert_eq!(body["revision"], 3);
    // What it recorded may not change.
    let mut changed = body.clone();
    changed["data"] = template_patch("nginx:1.27");
    let (s, body) = c.call(HttpRequest::new("PUT", &format!("{REVISIONS}/r3")).json_body(changed));
    assert_eq!(s, 422, "seed {seed}: {body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("ControllerRevision.apps \"r3\" is invalid: data: Invalid value: ")
            && message.ends_with(": field is immutable"),
        "seed {seed}: {message}"
    );
}

#[test]
fn kubectl_get_controllerrevisions_shows_the_controller_and_the_revision() {
    let seed = 73;
    let mut c = api_only(seed);
    c.create(&revision("agent-6d4b8f5c7", template_patch("nginx"), 2));
    let mut orphan = revision("loose-1", template_patch("nginx"), 1);
    orphan["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("ownerReferences");
    c.create(&orphan);
    let (s, table) = c.call(
        HttpRequest::new("GET", REVISIONS)
            .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"),
    );
    assert_eq!(s, 200, "{table}");
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Name", "Controller", "Revision", "Age"]);
    let rows: Vec<Value> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["cells"][0], r["cells"][1], r["cells"][2]]))
        .collect();
    assert_eq!(
        rows,
        [
            json!(["agent-6d4b8f5c7", "daemonset.apps/agent", 2]),
            json!(["loose-1", "<none>", 1]),
        ],
        "seed {seed}"
    );
}
