//! kube-apiserver end to end on the kernel: a client sends HTTP requests over the bus, the
//! server runs its handler chain, stores in etcd, answers, and streams watch events.

use std::any::Any;
use std::collections::BTreeMap;

use kubestep::apiserver::request::HttpRequest;
use kubestep::apiserver::request::HttpResponse;
use kubestep::apiserver::watch::WatchEvent;
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim};
use serde_json::{json, Value};

/// Records every response and watch event it receives.
#[derive(Clone, Default)]
struct Client {
    responses: BTreeMap<u64, HttpResponse>,
    events: BTreeMap<u64, Vec<WatchEvent>>,
}

impl Actor for Client {
    fn addr(&self) -> Addr {
        Addr::Client("test-client".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::HttpResponse { id, response } => {
                self.responses.insert(*id, response.clone());
            }
            Message::WatchEvent { id, event } => {
                self.events.entry(*id).or_default().push(event.clone())
            }
            _ => {}
        }
    }
    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct Harness {
    sim: Sim,
    next: u64,
}

const SEED: u64 = 7;

impl Harness {
    fn new() -> Harness {
        let mut sim = kubestep::cluster::booted(SEED);
        sim.add_actor(Box::new(Client::default()));
        sim.run_until_idle();
        Harness { sim, next: 0 }
    }

    fn admin(req: HttpRequest) -> HttpRequest {
        req.certificate("kubernetes-admin", &["kubeadm:cluster-admins"])
    }

    fn send(&mut self, req: HttpRequest) -> u64 {
        let id = self.next;
        self.next += 1;
        self.sim.inject(
            Addr::Client("test-client".into()),
            Addr::ApiServer,
            Message::HttpRequest { id, request: req },
        );
        self.sim.run_until_idle();
        id
    }

    fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let id = self.send(req);
        let client = self
            .sim
            .actor::<Client>(&Addr::Client("test-client".into()))
            .unwrap();
        let r = client
            .responses
            .get(&id)
            .unwrap_or_else(|| panic!("no response to request {id} (seed {SEED})"));
        (
            r.status,
            r.body_json().map(|v| (*v).clone()).unwrap_or(Value::Null),
        )
    }

    fn events(&self, id: u64) -> Vec<(String, String)> {
        let client = self
            .sim
            .actor::<Client>(&Addr::Client("test-client".into()))
            .unwrap();
        client
            .events
            .get(&id)
            .map(|evs| {
                evs.iter()
                    .map(|e| {
                        (
                            e.kind.as_str().to_string(),
                            e.object["metadata"]["name"]
                                .as_str()
                                .unwrap_or("")
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A pod no scheduler will touch (its `schedulerName` names none that runs), so these tests see
/// the API server alone at work.
fn pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": name, "labels": { "app": "web" } },
        "spec": { "schedulerName": "no-such-scheduler", "containers": [{ "name": "nginx", "image": "nginx:1.27" }] },
    })
}

#[test]
fn a_fresh_cluster_has_the_system_namespaces_and_the_kubernetes_service() {
    let mut h = Harness::new();
    let (code, list) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces",
    )));
    assert_eq!(code, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(list["kind"], "NamespaceList");
    assert!(
        list["items"][0].get("kind").is_none(),
        "list items carry no kind"
    );
    let (code, svc) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/services/kubernetes",
    )));
    assert_eq!(code, 200);
    assert_eq!(svc["spec"]["clusterIP"], "10.96.0.1");
    // kubeadm's control plane runs as static pods, mirrored into kube-system with their flags.
    let (_, pods) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/kube-system/pods",
    )));
    let names: Vec<&str> = pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "etcd-control-plane",
            "kube-apiserver-control-plane",
            "kube-controller-manager-control-plane",
            "kube-scheduler-control-plane"
        ]
    );
    let apiserver = &pods["items"][1]["spec"]["containers"][0]["command"];
    assert!(apiserver
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "--authorization-mode=Node,RBAC"));
    let (_, nodes) = h.call(Harness::admin(HttpRequest::new("GET", "/api/v1/nodes")));
    assert_eq!(
        nodes["items"][0]["spec"]["taints"][0]["key"],
        "node-role.kubernetes.io/control-plane"
    );
}

#[test]
fn create_stores_under_the_registry_key_and_get_reads_it_back() {
    let mut h = Harness::new();
    let (code, created) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    assert_eq!(code, 201, "{created}");
    let rv = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(created["metadata"]["namespace"], "default");
    assert_eq!(
        created["metadata"]["creationTimestamp"]
            .as_str()
            .unwrap()
            .len(),
        20
    );
    let etcd = h
        .sim
        .actor::<kubestep::etcd::EtcdServer>(&Addr::Etcd)
        .unwrap();
    let kv = etcd
        .keys()
        .into_iter()
        .find(|kv| &kv.key[..] == b"/registry/pods/default/web")
        .expect("stored at /registry/pods/default/web");
    assert_eq!(kv.mod_revision.to_string(), rv);
    let stored: Value = serde_json::from_slice(&kv.value).unwrap();
    assert!(stored["metadata"].get("resourceVersion").is_none());

    let (code, got) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods/web",
    )));
    assert_eq!(code, 200);
    assert_eq!(got, created);

    let (code, again) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    assert_eq!(code, 409);
    assert_eq!(again["message"], "pods \"web\" already exists");
    assert_eq!(again["reason"], "AlreadyExists");
}

#[test]
fn updates_with_a_stale_resource_version_conflict() {
    let mut h = Harness::new();
    let (_, created) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    let mut v1 = created.clone();
    v1["metadata"]["labels"]["tier"] = json!("front");
    let (code, updated) = h.call(Harness::admin(
        HttpRequest::new("PUT", "/api/v1/namespaces/default/pods/web").json_body(v1.clone()),
    ));
    assert_eq!(code, 200, "{updated}");
    assert_ne!(
        updated["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
    // The same body again carries the old resourceVersion: someone else's write won.
    let (code, conflict) = h.call(Harness::admin(
        HttpRequest::new("PUT", "/api/v1/namespaces/default/pods/web").json_body(v1),
    ));
    assert_eq!(code, 409);
    assert_eq!(
        conflict["message"],
        "Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again"
    );
}

#[test]
fn get_of_a_missing_object_is_404_with_the_real_message() {
    let mut h = Harness::new();
    let (code, body) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/nope",
    )));
    assert_eq!(code, 404);
    assert_eq!(body["message"], "deployments.apps \"nope\" not found");
    let (code, _) = h.call(Harness::admin(HttpRequest::new("GET", "/api/v1/podz")));
    assert_eq!(code, 404);
}

#[test]
fn bad_credentials_get_401_and_anonymous_users_get_403() {
    let mut h = Harness::new();
    let (code, body) = h.call(HttpRequest::new("GET", "/api/v1/pods").bearer("not-a-token"));
    assert_eq!(code, 401);
    assert_eq!(body["reason"], "Unauthorized");
    let (code, body) = h.call(HttpRequest::new("GET", "/api/v1/pods"));
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" at the cluster scope"
    );
    let (code, _) = h.call(HttpRequest::new("GET", "/version"));
    assert_eq!(
        code, 200,
        "system:public-info-viewer lets anyone read /version"
    );
}

#[test]
fn jane_may_work_in_default_but_not_in_kube_system() {
    use kubestep::apiserver::authn::JANE_TOKEN;
    let mut h = Harness::new();
    let (code, body) = h.call(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods")
            .bearer(JANE_TOKEN)
            .json_body(pod("mine")),
    );
    assert_eq!(code, 201, "{body}");
    let (code, body) = h.call(
        HttpRequest::new("POST", "/api/v1/namespaces/kube-system/pods")
            .bearer(JANE_TOKEN)
            .json_body(pod("theirs")),
    );
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"kube-system\""
    );
    // The trace says which rule allowed the first request.
    assert!(h.sim.trace().entries().iter().any(|e| e
        .summary
        .contains("RBAC: allowed by RoleBinding \"jane-developer/default\"")));
}

#[test]
fn watches_stream_changes_filtered_by_their_selectors() {
    let mut h = Harness::new();
    let all = h.send(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods?watch=true",
    )));
    let unscheduled = h.send(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3D",
    )));
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("a")),
    ));
    // Only a binding may assign a node: a patch of spec.nodeName is refused by validation.
    let (code, refused) = h.call(Harness::admin(
        HttpRequest::new("PATCH", "/api/v1/namespaces/default/pods/a")
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"spec":{"nodeName":"worker-1"}}"#),
    ));
    assert_eq!(code, 422);
    assert!(
        refused["message"].as_str().unwrap().starts_with(
            "Pod \"a\" is invalid: spec: Forbidden: pod updates may not change fields other than"
        ),
        "{refused}"
    );
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods/a/binding")
            .json_body(json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "a"}, "target": {"kind": "Node", "name": "node-x"}})),
    ));
    // (node-x has no kubelet, so nothing else touches the pod.) A pod on a node is deleted gracefully: first marked, then removed with grace 0 (by its
    // kubelet, in a full cluster).
    let (code, marked) = h.call(Harness::admin(HttpRequest::new(
        "DELETE",
        "/api/v1/namespaces/default/pods/a",
    )));
    assert_eq!(code, 200);
    assert_eq!(marked["metadata"]["deletionGracePeriodSeconds"], 30);
    assert!(marked["metadata"]["deletionTimestamp"].is_string());
    let (code, gone) = h.call(Harness::admin(HttpRequest::new(
        "DELETE",
        "/api/v1/namespaces/default/pods/a?gracePeriodSeconds=0",
    )));
    assert_eq!(code, 200, "{gone}");
    let (code, _) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods/a",
    )));
    assert_eq!(code, 404);
    let a = |k: &str| (k.to_string(), "a".to_string());
    assert_eq!(
        h.events(all),
        vec![a("ADDED"), a("MODIFIED"), a("MODIFIED"), a("DELETED")]
    );
    assert_eq!(h.events(unscheduled), vec![a("ADDED"), a("DELETED")]);
}

#[test]
fn binding_assigns_a_node_once_and_scale_reads_and_writes_replicas() {
    let mut h = Harness::new();
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    let binding = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web"}, "target": {"apiVersion": "v1", "kind": "Node", "name": "worker-1"}});
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods/web/binding")
            .json_body(binding.clone()),
    ));
    assert_eq!((code, body["status"].as_str()), (201, Some("Success")));
    let (_, got) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods/web",
    )));
    assert_eq!(got["spec"]["nodeName"], "worker-1");
    let (code, again) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods/web/binding").json_body(binding),
    ));
    assert_eq!(code, 409);
    assert_eq!(again["message"], "Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"worker-1\"");
}

#[test]
fn status_writes_go_through_the_status_subresource_only() {
    let mut h = Harness::new();
    let (_, created) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    let mut with_status = created.clone();
    with_status["status"] = json!({"phase": "Running"});
    let (_, main) = h.call(Harness::admin(
        HttpRequest::new("PUT", "/api/v1/namespaces/default/pods/web")
            .json_body(with_status.clone()),
    ));
    assert_ne!(
        main["status"]["phase"], "Running",
        "the main resource ignores status"
    );
    with_status["metadata"]["resourceVersion"] = main["metadata"]["resourceVersion"].clone();
    let (code, st) = h.call(Harness::admin(
        HttpRequest::new("PUT", "/api/v1/namespaces/default/pods/web/status")
            .json_body(with_status),
    ));
    assert_eq!(code, 200, "{st}");
    assert_eq!(st["status"]["phase"], "Running");
}

#[test]
fn a_watch_from_a_revision_replays_what_came_after() {
    let mut h = Harness::new();
    let (_, a) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("a")),
    ));
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("b")),
    ));
    let rv = a["metadata"]["resourceVersion"].as_str().unwrap();
    let w = h.send(Harness::admin(HttpRequest::new(
        "GET",
        &format!("/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}"),
    )));
    assert_eq!(h.events(w), vec![("ADDED".to_string(), "b".to_string())]);
    // The watch cache keeps the last 100 changes of a resource: older starts get 410 Gone, sent
    // as an ERROR event with an Expired Status, as a real server does.
    for i in 0..100 {
        h.send(Harness::admin(
            HttpRequest::new("POST", "/api/v1/namespaces/default/pods")
                .json_body(pod(&format!("p{i}"))),
        ));
    }
    let w0 = h.send(Harness::admin(HttpRequest::new(
        "GET",
        &format!("/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}"),
    )));
    assert_eq!(h.events(w0), vec![("ERROR".to_string(), String::new())]);
    let client = h
        .sim
        .actor::<Client>(&Addr::Client("test-client".into()))
        .unwrap();
    let status = &client.events[&w0][0].object;
    assert_eq!(status["code"], 410);
    assert_eq!(status["reason"], "Expired");
    assert!(status["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("too old resource version: {rv} (")));
}

#[test]
fn discovery_and_version() {
    let mut h = Harness::new();
    let (code, v) = h.call(Harness::admin(HttpRequest::new("GET", "/version")));
    assert_eq!(code, 200);
    assert_eq!(v["gitVersion"], "v1.33.1");
    let (_, apps) = h.call(Harness::admin(HttpRequest::new("GET", "/apis/apps/v1")));
    assert_eq!(apps["groupVersion"], "apps/v1");
    let (code, _) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/apis/nope.example.com/v1",
    )));
    assert_eq!(code, 404);
}

#[test]
fn every_handler_chain_stage_is_in_the_trace_in_order() {
    let mut h = Harness::new();
    let before = h.sim.trace().len();
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    let stages: Vec<String> = h.sim.trace().entries()[before..]
        .iter()
        .filter_map(|e| e.stage.clone())
        .collect();
    let mut dedup = stages.clone();
    dedup.dedup();
    assert_eq!(
        dedup,
        [
            "authentication",
            "authorization",
            "decoding",
            "mutating-admission",
            "validation",
            "validating-admission",
            "storage",
            "response"
        ],
        "{stages:?}"
    );
}

#[test]
fn lists_page_with_limit_and_continue() {
    let mut h = Harness::new();
    for name in ["a", "b", "c", "d", "e"] {
        h.call(Harness::admin(
            HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps")
                .json_body(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}})),
        ));
    }
    let (code, page1) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/configmaps?limit=2",
    )));
    assert_eq!(code, 200);
    let names = |l: &Value| -> Vec<String> {
        l["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&page1), ["a", "b"]);
    // c, d, e and the namespace's kube-root-ca.crt remain.
    assert_eq!(page1["metadata"]["remainingItemCount"], 4);
    let token = page1["metadata"]["continue"].as_str().unwrap().to_string();
    // A write between pages does not show up: the rest is read at the first page's revision.
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps").json_body(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bb"}}),
        ),
    ));
    let (_, page2) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}"),
    )));
    assert_eq!(names(&page2), ["c", "d"]);
    assert_eq!(
        page2["metadata"]["resourceVersion"],
        page1["metadata"]["resourceVersion"]
    );
    let token = page2["metadata"]["continue"].as_str().unwrap().to_string();
    let (_, page3) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}"),
    )));
    assert_eq!(names(&page3), ["e", "kube-root-ca.crt"]);
    assert!(page3["metadata"].get("continue").is_none());
    let (code, bad) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/configmaps?continue=garbage!",
    )));
    assert_eq!(code, 400, "{bad}");
}

#[test]
fn resource_version_zero_is_served_from_the_watch_cache() {
    let mut h = Harness::new();
    let before = h.sim.trace().len();
    let (code, list) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces?resourceVersion=0",
    )));
    assert_eq!(code, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    let etcd_reads = h.sim.trace().entries()[before..]
        .iter()
        .filter(|e| e.to.name() == "etcd")
        .count();
    assert_eq!(etcd_reads, 0, "no etcd traffic for resourceVersion=0");
}

#[test]
fn deletecollection_deletes_what_the_selector_selects() {
    let mut h = Harness::new();
    for (name, app) in [("a", "web"), ("b", "web"), ("c", "db")] {
        h.call(Harness::admin(
            HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps")
                .json_body(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": app}}})),
        ));
    }
    let (code, deleted) = h.call(Harness::admin(HttpRequest::new(
        "DELETE",
        "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb",
    )));
    assert_eq!(code, 200, "{deleted}");
    assert_eq!(deleted["items"].as_array().unwrap().len(), 2);
    let (_, left) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/configmaps",
    )));
    let names: Vec<&str> = left["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c", "kube-root-ca.crt"]);
}

#[test]
fn events_expire_after_an_hour_through_their_etcd_lease() {
    let mut h = Harness::new();
    let event = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": "web.1", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
        "reason": "Scheduled", "message": "Successfully assigned default/web to worker-1",
        "type": "Normal", "source": {"component": "default-scheduler"},
    });
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/events").json_body(event),
    ));
    assert_eq!(code, 201, "{body}");
    let etcd = h
        .sim
        .actor::<kubestep::etcd::EtcdServer>(&Addr::Etcd)
        .unwrap();
    let kv = etcd
        .keys()
        .into_iter()
        .find(|kv| &kv.key[..] == b"/registry/events/default/web.1")
        .unwrap();
    assert_ne!(kv.lease, 0, "events are attached to a lease");
    let lease = etcd
        .leases_at(h.sim.now())
        .into_iter()
        .find(|l| l.id == kv.lease)
        .unwrap();
    assert_eq!(
        lease.granted_ttl, 3660,
        "the event TTL plus the lease manager's reuse window"
    );
    let w = h.send(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/events?watch=1&resourceVersion=0",
    )));
    h.sim.advance(kubestep::sim::SimDuration::from_secs(3661));
    let (code, _) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/events/web.1",
    )));
    assert_eq!(code, 404, "gone with its lease");
    assert_eq!(h.events(w).last().unwrap().0, "DELETED");
}

#[test]
fn events_k8s_io_serves_the_same_stored_events_converted() {
    let mut h = Harness::new();
    let event = json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "web.2", "namespace": "default"},
        "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
        "reason": "Started", "note": "Started container nginx", "type": "Normal",
        "reportingController": "kubelet", "reportingInstance": "worker-1", "action": "Started",
        "eventTime": "2026-01-01T00:00:00.000000Z",
    });
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/apis/events.k8s.io/v1/namespaces/default/events")
            .json_body(event),
    ));
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["apiVersion"], "events.k8s.io/v1");
    assert_eq!(body["note"], "Started container nginx");
    let (_, core) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/events/web.2",
    )));
    assert_eq!(core["apiVersion"], "v1");
    assert_eq!(core["message"], "Started container nginx");
    assert_eq!(core["involvedObject"]["name"], "web");
    let (_, list) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/apis/events.k8s.io/v1/namespaces/default/events",
    )));
    assert_eq!(list["kind"], "EventList");
    assert_eq!(list["apiVersion"], "events.k8s.io/v1");
    assert_eq!(list["items"][0]["regarding"]["name"], "web");
}

#[test]
fn a_created_pod_is_defaulted_and_admitted_like_a_real_one() {
    let mut h = Harness::new();
    let (code, p) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body({
            let mut p = pod("web");
            p["spec"].as_object_mut().unwrap().remove("schedulerName");
            p
        }),
    ));
    assert_eq!(code, 201, "{p}");
    if std::env::var("SHOW").is_ok() {
        println!("{}", serde_json::to_string_pretty(&p).unwrap());
    }
    assert_eq!(p["spec"]["restartPolicy"], "Always");
    assert_eq!(p["spec"]["dnsPolicy"], "ClusterFirst");
    assert_eq!(p["spec"]["schedulerName"], "default-scheduler");
    assert_eq!(p["spec"]["terminationGracePeriodSeconds"], 30);
    assert_eq!(p["spec"]["serviceAccountName"], "default");
    assert_eq!(
        p["spec"]["containers"][0]["imagePullPolicy"],
        "IfNotPresent"
    );
    assert_eq!(
        p["spec"]["containers"][0]["volumeMounts"][0]["mountPath"],
        "/var/run/secrets/kubernetes.io/serviceaccount"
    );
    assert_eq!(
        p["spec"]["tolerations"].as_array().unwrap().len(),
        2,
        "DefaultTolerationSeconds"
    );
    assert_eq!(p["status"]["phase"], "Pending");
    assert_eq!(p["status"]["qosClass"], "BestEffort");
    assert_eq!(p["metadata"]["generation"], 1);
}

#[test]
fn the_flow_steps_follow_a_request_into_storage_and_out_to_watchers() {
    use kubestep::sim::Annotation;
    let mut h = Harness::new();
    let before = h.sim.trace().len();
    // A bare pod for the default scheduler, sent as kubectl would (step 1).
    let mut bare = pod("bare");
    bare["spec"]["schedulerName"] = json!("default-scheduler");
    h.sim.inject_annotated(
        Addr::Client("test-client".into()),
        Addr::ApiServer,
        Message::HttpRequest {
            id: 901,
            request: Harness::admin(
                HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(bare),
            ),
        },
        Annotation {
            step: Some(1),
            stage: None,
        },
    );
    h.sim.run_until_idle();
    let entries = &h.sim.trace().entries()[before..];
    let first = |step: u8| entries.iter().position(|e| e.step == Some(step));
    // Steps 1-2 (kubectl's request stored), no 3-4 (no controller owns a bare pod), then 5-11.
    assert!(
        first(3).is_none() && first(4).is_none(),
        "a bare pod skips steps 3 and 4"
    );
    let order: Vec<usize> = [1, 2, 5, 6, 7, 8, 9, 10, 11]
        .iter()
        .map(|s| first(*s).unwrap_or_else(|| panic!("step {s} missing (seed {SEED})")))
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "steps in order: {order:?}"
    );
    let at = |s: u8| &entries[first(s).unwrap()];
    assert_eq!(at(1).kind, "http-request");
    assert_eq!(
        (at(2).kind.as_str(), at(2).to.name()),
        ("etcd-request", "etcd".to_string())
    );
    assert_eq!(
        (at(5).kind.as_str(), at(5).to.name()),
        ("watch-event", "kube-scheduler".to_string())
    );
    assert_eq!(at(6).kind, "scheduling-decision");
    assert!(at(7).summary.contains("/binding"), "{}", at(7).summary);
    assert!(
        at(9).to.name().starts_with("kubelet/"),
        "{}",
        at(9).to.name()
    );
    assert!(at(10).summary.contains("/status"), "{}", at(10).summary);
    assert_eq!(at(11).kind, "etcd-request");
}

#[test]
fn bodies_are_decoded_strictly_like_kube_apiserver() {
    let mut h = Harness::new();
    let typo = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"typo"},"spec":{"containers":[{"name":"c","image":"nginx","imagePullPolcy":"Always"}]}}"#;
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new(
            "POST",
            "/api/v1/namespaces/default/pods?fieldValidation=Strict",
        )
        .header("Content-Type", "application/json")
        .body(typo),
    ));
    assert_eq!(code, 400);
    assert_eq!(
        body["message"],
        "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagePullPolcy\""
    );
    // Without fieldValidation the server warns and drops the field.
    let id = h.send(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods")
            .header("Content-Type", "application/json")
            .body(typo),
    ));
    let client = h
        .sim
        .actor::<Client>(&Addr::Client("test-client".into()))
        .unwrap();
    let r = &client.responses[&id];
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header_value("Warning"),
        Some(r#"299 - "unknown field \"spec.containers[0].imagePullPolcy\"""#)
    );
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  enabled: \"yes\"\n";
    let (code, cm) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps")
            .header("Content-Type", "application/yaml")
            .body(yaml),
    ));
    assert_eq!(code, 201, "{cm}");
    assert_eq!(cm["data"]["enabled"], "yes");
    let (code, _) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps")
            .header("Content-Type", "text/plain")
            .body("hello"),
    ));
    assert_eq!(code, 415);
    let big = format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"big"}},"data":{{"a":"{}"}}}}"#,
        "x".repeat(3 * 1024 * 1024)
    );
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps").body(big),
    ));
    assert_eq!(code, 413, "{body}");
}

#[test]
fn invalid_objects_get_422_with_every_cause() {
    let mut h = Harness::new();
    let bad = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "MyPod"}, "spec": {"containers": [{"name": "c"}, {"name": "c", "image": "nginx"}]}});
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(bad),
    ));
    assert_eq!(code, 422);
    assert_eq!(body["reason"], "Invalid");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Pod \"MyPod\" is invalid: ["),
        "{message}"
    );
    assert!(
        message.contains("metadata.name: Invalid value: \"MyPod\": a lowercase RFC 1123 subdomain"),
        "{message}"
    );
    assert!(
        message.contains("spec.containers[0].image: Required value"),
        "{message}"
    );
    assert!(
        message.contains("spec.containers[1].name: Duplicate value: \"c\""),
        "{message}"
    );
    assert_eq!(
        body["details"]["causes"].as_array().unwrap().len(),
        3,
        "{body}"
    );
}

#[test]
fn every_patch_type_and_server_side_apply_with_managed_fields() {
    let mut h = Harness::new();
    let deploy = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "sidecar", "image": "busybox"}]}}}
    });
    let (code, created) = h.call(Harness::admin(
        HttpRequest::new("POST", "/apis/apps/v1/namespaces/default/deployments")
            .header(
                "User-Agent",
                "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0",
            )
            .json_body(deploy),
    ));
    assert_eq!(code, 201, "{created}");
    assert_eq!(
        created["metadata"]["managedFields"][0]["manager"],
        "kubectl"
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["operation"],
        "Update"
    );
    // The deployment controller has acted on it meanwhile: read where it stands.
    let (_, before) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/apis/apps/v1/namespaces/default/deployments/web",
    )));
    let generation = before["metadata"]["generation"].as_i64().unwrap();
    // Strategic merge: the container list merges by name.
    let (code, smp) = h.call(Harness::admin(
        HttpRequest::new("PATCH", "/apis/apps/v1/namespaces/default/deployments/web")
            .header("Content-Type", "application/strategic-merge-patch+json")
            .body(r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}"#),
    ));
    assert_eq!(code, 200, "{smp}");
    let containers = smp["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 2);
    assert_eq!(containers[0]["image"], "nginx:1.28");
    assert_eq!(
        smp["metadata"]["generation"].as_i64(),
        Some(generation + 1),
        "a spec change bumps the generation"
    );
    // JSON patch, all or nothing.
    let (code, jp) = h.call(Harness::admin(
        HttpRequest::new("PATCH", "/apis/apps/v1/namespaces/default/deployments/web")
            .header("Content-Type", "application/json-patch+json")
            .body(r#"[{"op":"replace","path":"/spec/replicas","value":3}]"#),
    ));
    assert_eq!((code, jp["spec"]["replicas"].as_i64()), (200, Some(3)));
    // Server-side apply by another manager that wants other replicas: a conflict.
    let apply =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n";
    let (code, conflict) = h.call(Harness::admin(
        HttpRequest::new(
            "PATCH",
            "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=scaler",
        )
        .header("Content-Type", "application/apply-patch+yaml")
        .body(apply),
    ));
    assert_eq!(code, 409, "{conflict}");
    assert!(
        conflict["message"]
            .as_str()
            .unwrap()
            .starts_with("Apply failed with 1 conflict"),
        "{conflict}"
    );
    let (code, forced) = h.call(Harness::admin(
        HttpRequest::new(
            "PATCH",
            "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=scaler&force=true",
        )
        .header("Content-Type", "application/apply-patch+yaml")
        .body(apply),
    ));
    assert_eq!(
        (code, forced["spec"]["replicas"].as_i64()),
        (200, Some(5)),
        "{forced}"
    );
    // Apply creates what does not exist.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n";
    let (code, created) = h.call(Harness::admin(
        HttpRequest::new(
            "PATCH",
            "/api/v1/namespaces/default/configmaps/applied?fieldManager=kubectl",
        )
        .header("Content-Type", "application/apply-patch+yaml")
        .body(cm),
    ));
    assert_eq!(code, 201, "{created}");
    assert_eq!(
        created["metadata"]["managedFields"][0]["operation"],
        "Apply"
    );
}

#[test]
fn the_api_server_compacts_etcd_every_five_minutes() {
    let mut h = Harness::new();
    let (_, first) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps").json_body(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "v1"}}),
        ),
    ));
    let old_rv = first["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/configmaps").json_body(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "v2"}}),
        ),
    ));
    // First interval: the server records the revision; second: it compacts to that record.
    h.sim.advance(kubestep::sim::SimDuration::from_secs(601));
    let etcd = h
        .sim
        .actor::<kubestep::etcd::EtcdServer>(&Addr::Etcd)
        .unwrap();
    assert!(
        etcd.kv().compact_rev() > old_rv.parse::<i64>().unwrap(),
        "compacted past {old_rv}"
    );
    let (code, body) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        &format!("/api/v1/namespaces/default/configmaps?resourceVersion={old_rv}&resourceVersionMatch=Exact"),
    )));
    assert_eq!(code, 410, "{body}");
    assert_eq!(body["reason"], "Expired");
}

#[test]
fn dry_run_runs_every_stage_but_stores_nothing() {
    let mut h = Harness::new();
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods?dryRun=All")
            .json_body(pod("dry")),
    ));
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["spec"]["restartPolicy"], "Always");
    let (code, _) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods/dry",
    )));
    assert_eq!(code, 404);
}

#[test]
fn watches_that_allow_bookmarks_get_one_a_minute() {
    let mut h = Harness::new();
    let w = h.send(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=0",
    )));
    h.sim.advance(kubestep::sim::SimDuration::from_secs(125));
    let kinds: Vec<String> = h.events(w).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "BOOKMARK").count(),
        2,
        "{kinds:?}"
    );
}

#[test]
fn access_reviews_answer_without_storing_anything() {
    use kubestep::apiserver::authn::JANE_TOKEN;
    let mut h = Harness::new();
    let review = |ns: &str| json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"namespace": ns, "verb": "create", "resource": "pods"}}});
    let (code, yes) = h.call(
        HttpRequest::new(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        )
        .bearer(JANE_TOKEN)
        .json_body(review("default")),
    );
    assert_eq!(code, 201, "{yes}");
    assert_eq!(yes["status"]["allowed"], true);
    let (_, no) = h.call(
        HttpRequest::new(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        )
        .bearer(JANE_TOKEN)
        .json_body(review("kube-system")),
    );
    assert_eq!(no["status"]["allowed"], false);
    let sar = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": {"user": "jane", "resourceAttributes": {"namespace": "default", "verb": "delete", "resource": "pods"}}});
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews")
            .json_body(sar),
    ));
    assert_eq!(
        (code, body["status"]["allowed"].as_bool()),
        (201, Some(true)),
        "{body}"
    );
}

#[test]
fn kubectl_get_asks_for_tables_and_the_server_prints_them() {
    let mut h = Harness::new();
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("web")),
    ));
    h.sim.advance(kubestep::sim::SimDuration::from_secs(125));
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    let (code, table) = h.call(Harness::admin(
        HttpRequest::new("GET", "/api/v1/namespaces/default/pods?limit=500")
            .header("Accept", accept),
    ));
    assert_eq!(code, 200);
    assert_eq!(table["kind"], "Table");
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            "IP",
            "Node",
            "Nominated Node",
            "Readiness Gates"
        ]
    );
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["web", "0/1", "Pending", "0", "2m5s", "<none>", "<none>", "<none>", "<none>"])
    );
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    let (_, ns) = h.call(Harness::admin(
        HttpRequest::new("GET", "/api/v1/namespaces/kube-system").header("Accept", accept),
    ));
    assert_eq!(
        ns["rows"][0]["cells"],
        json!(["kube-system", "Active", "2m8s"])
    );
    let (_, nodes) = h.call(Harness::admin(
        HttpRequest::new("GET", "/api/v1/nodes").header("Accept", accept),
    ));
    assert_eq!(
        nodes["rows"][0]["cells"].as_array().unwrap()[..5],
        [
            json!("control-plane"),
            json!("Ready"),
            json!("control-plane"),
            json!("2m8s"),
            json!("v1.33.1")
        ]
    );
}

#[test]
fn table_watches_send_columns_once() {
    let mut h = Harness::new();
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    let w = h.send(Harness::admin(
        HttpRequest::new("GET", "/api/v1/namespaces/default/pods?watch=true")
            .header("Accept", accept),
    ));
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("a")),
    ));
    h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("b")),
    ));
    let client = h
        .sim
        .actor::<Client>(&Addr::Client("test-client".into()))
        .unwrap();
    let events = &client.events[&w];
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].object["kind"], "Table");
    assert!(events[0].object["columnDefinitions"].is_array());
    assert!(events[1].object["columnDefinitions"].is_null());
    assert_eq!(events[1].object["rows"][0]["cells"][0], "b");
}

#[test]
fn a_deleted_service_gives_its_cluster_ip_back() {
    let mut h = Harness::new();
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"clusterIP": "10.96.0.42", "ports": [{"port": 80}]}});
    let (code, created) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/services").json_body(svc.clone()),
    ));
    assert_eq!(code, 201, "{created}");
    let (code, deleted) = h.call(Harness::admin(HttpRequest::new(
        "DELETE",
        "/api/v1/namespaces/default/services/web",
    )));
    assert_eq!(code, 200);
    assert_eq!(deleted["status"], "Success");
    assert_eq!(deleted["details"]["kind"], "services");
    assert_eq!(deleted["details"]["uid"], created["metadata"]["uid"]);
    let (code, again) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/services").json_body(svc),
    ));
    assert_eq!(code, 201, "the IP is free again: {again}");
}

#[test]
fn impersonation_runs_a_request_as_the_user_it_names_once_allowed() {
    use kubestep::apiserver::authn::JANE_TOKEN;
    let mut h = Harness::new();
    // The admin acting as jane gets jane's answers, and the created object records jane as
    // its field manager's user.
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/kube-system/pods")
            .header("Impersonate-User", "jane")
            .json_body(pod("theirs")),
    ));
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"kube-system\""
    );
    let (code, body) = h.call(Harness::admin(
        HttpRequest::new("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
            .header("Impersonate-User", "jane")
            .json_body(json!({
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": {"namespace": "default", "verb": "create", "resource": "pods"}}
            })),
    ));
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["status"]["allowed"], true, "{body}");
    // The trace shows who acted as whom.
    assert!(h.sim.trace().entries().iter().any(|e| e
        .summary
        .contains("kubernetes-admin impersonates jane (groups system:authenticated)")));
    // jane may not impersonate anyone: the 403 names what she tried.
    let (code, body) = h.call(
        HttpRequest::new("GET", "/api/v1/namespaces/default/pods")
            .bearer(JANE_TOKEN)
            .header("Impersonate-User", "kubernetes-admin")
            .header("Impersonate-Group", "kubeadm:cluster-admins"),
    );
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "users \"kubernetes-admin\" is forbidden: User \"jane\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
    // Groups without a user are a server error in plain text, as in kube-apiserver.
    let id = h.send(Harness::admin(
        HttpRequest::new("GET", "/api/v1/namespaces/default/pods")
            .header("Impersonate-Group", "system:masters"),
    ));
    let client = h
        .sim
        .actor::<Client>(&Addr::Client("test-client".into()))
        .unwrap();
    let r = &client.responses[&id];
    assert_eq!(r.status, 500);
    assert_eq!(
        String::from_utf8_lossy(&r.body.to_bytes()),
        "Internal Server Error: \"/api/v1/namespaces/default/pods\": requested [{Group  system:masters    }] without impersonating a user\n"
    );
}

#[test]
fn an_update_that_changes_nothing_is_not_written() {
    let mut h = Harness::new();
    let (_, created) = h.call(Harness::admin(
        HttpRequest::new("POST", "/api/v1/namespaces/default/pods").json_body(pod("same")),
    ));
    let (code, patched) = h.call(Harness::admin(
        HttpRequest::new("PATCH", "/api/v1/namespaces/default/pods/same")
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"metadata":{"labels":{}}}"#),
    ));
    assert_eq!(code, 200, "{patched}");
    // GuaranteedUpdate compares the new object with the stored one and skips the write.
    assert_eq!(patched, created);
    let (code, put) = h.call(Harness::admin(
        HttpRequest::new("PUT", "/api/v1/namespaces/default/pods/same").json_body(created.clone()),
    ));
    assert_eq!(code, 200, "{put}");
    assert_eq!(
        put["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
}
