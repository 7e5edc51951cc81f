//! kube-apiserver's access APIs on a booted cluster, as a client sees them over the bus:
//! SelfSubjectReview (`kubectl auth whoami`), SelfSubjectRulesReview (`kubectl auth can-i
//! --list`), TokenRequest (`kubectl create token`) with the tokens it issues authenticating
//! afterwards, and the deprecated componentstatuses that probe the control plane.

use std::any::Any;
use std::collections::BTreeMap;

use kubestep::apiserver::request::{HttpRequest, HttpResponse};
use kubestep::apiserver::serviceaccount::{decode_claims, SIMULATED_SIGNATURE_PREFIX};
use kubestep::sim::{Actor, Addr, Ctx, Envelope, Message, Sim, SimDuration};
use serde_json::{json, Value};

/// Records every response it receives.
#[derive(Clone, Default)]
struct Client {
    responses: BTreeMap<u64, HttpResponse>,
}

impl Actor for Client {
    fn addr(&self) -> Addr {
        Addr::Client("test-client".into())
    }
    fn handle(&mut self, env: &Envelope, _ctx: &mut Ctx<'_>) {
        if let Message::HttpResponse { id, response } = &env.message {
            self.responses.insert(*id, response.clone());
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
    seed: u64,
    next: u64,
}

impl Harness {
    fn new(seed: u64) -> Harness {
        let mut sim = kubestep::cluster::booted(seed);
        sim.add_actor(Box::new(Client::default()));
        sim.run_until_idle();
        Harness { sim, seed, next: 0 }
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

    fn response(&self, id: u64) -> Option<HttpResponse> {
        let client = self
            .sim
            .actor::<Client>(&Addr::Client("test-client".into()))
            .unwrap();
        client.responses.get(&id).cloned()
    }

    fn call_full(&mut self, req: HttpRequest) -> HttpResponse {
        let id = self.send(req);
        self.response(id)
            .unwrap_or_else(|| panic!("seed {}: no response to request {id}", self.seed))
    }

    fn call(&mut self, req: HttpRequest) -> (u16, Value) {
        let r = self.call_full(req);
        (
            r.status,
            r.body_json().map(|v| (*v).clone()).unwrap_or(Value::Null),
        )
    }

    fn post(&mut self, req: HttpRequest, body: Value) -> (u16, Value) {
        self.call(req.json_body(body))
    }

    /// `POST selfsubjectreviews` with `req`'s credentials: the user the server sees.
    fn whoami(&mut self, req: HttpRequest) -> (u16, Value) {
        self.post(
            req,
            json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}),
        )
    }

    fn token(&mut self, sa: &str, spec: Value) -> (u16, Value) {
        let path = format!("/api/v1/namespaces/default/serviceaccounts/{sa}/token");
        self.post(
            Harness::admin(HttpRequest::new("POST", &path)),
            json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}),
        )
    }
}

fn review_path() -> HttpRequest {
    HttpRequest::new("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews")
}

fn rules(h: &mut Harness, req: HttpRequest, namespace: &str) -> (u16, Value) {
    h.post(
        req,
        json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
               "spec": {"namespace": namespace}}),
    )
}

fn rules_path() -> HttpRequest {
    HttpRequest::new(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
    )
}

#[test]
fn a_self_subject_review_answers_who_the_request_is_from() {
    let mut h = Harness::new(1);
    let (code, review) = h.whoami(Harness::admin(review_path()));
    assert_eq!(code, 201, "seed {}: {review}", h.seed);
    assert_eq!(review["kind"], "SelfSubjectReview");
    assert_eq!(
        review["status"]["userInfo"],
        json!({"username": "kubernetes-admin", "groups": ["kubeadm:cluster-admins", "system:authenticated"]})
    );
    let now = h.sim.now().rfc3339();
    assert_eq!(review["metadata"]["creationTimestamp"], json!(now));
    // Impersonation: the review tells whom the request runs as.
    let (_, jane) = h.whoami(Harness::admin(review_path()).header("Impersonate-User", "jane"));
    assert_eq!(
        jane["status"]["userInfo"],
        json!({"username": "jane", "groups": ["system:authenticated"]})
    );
    // system:basic-user grants it to every authenticated user, not to anonymous ones.
    let (code, refused) = h.whoami(review_path());
    assert_eq!(code, 403);
    assert_eq!(
        refused["message"],
        "selfsubjectreviews.authentication.k8s.io is forbidden: User \"system:anonymous\" cannot create resource \"selfsubjectreviews\" in API group \"authentication.k8s.io\" at the cluster scope"
    );
}

#[test]
fn a_rules_review_lists_what_rbac_grants_in_the_namespace() {
    let mut h = Harness::new(2);
    let jane = rules_path().bearer(kubestep::apiserver::authn::JANE_TOKEN);
    let (code, review) = rules(&mut h, jane.clone(), "default");
    assert_eq!(code, 201, "seed {}: {review}", h.seed);
    let status = &review["status"];
    assert_eq!(status["incomplete"], false);
    assert!(status.get("evaluationError").is_none());
    let resources: Vec<&Value> = status["resourceRules"].as_array().unwrap().iter().collect();
    // ClusterRoleBindings first (system:basic-user), then jane's RoleBinding in `default`.
    assert_eq!(
        resources[0],
        &json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
    );
    assert_eq!(
        resources[1],
        &json!({"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]})
    );
    assert_eq!(
        resources.last().unwrap(),
        &&json!({"verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                 "apiGroups": ["apps"], "resources": ["deployments", "replicasets"]})
    );
    // Elsewhere jane has only what every user has.
    let (_, elsewhere) = rules(&mut h, jane, "kube-system");
    assert!(elsewhere["status"]["resourceRules"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["apiGroups"] == json!(["authentication.k8s.io"])
            || r["apiGroups"] == json!(["authorization.k8s.io"])));

    // A kubelet's rules are incomplete: the Node authorizer cannot list them.
    let kubelet = rules_path().certificate("system:node:worker-1", &["system:nodes"]);
    let (_, k) = rules(&mut h, kubelet, "default");
    assert_eq!(k["status"]["incomplete"], true);
    assert_eq!(
        k["status"]["evaluationError"],
        "node authorizer does not support user rule resolution"
    );

    // A binding to a role that does not exist is an evaluation error, not an incomplete list.
    let (code, _) = h.post(
        Harness::admin(HttpRequest::new(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        )),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "dangling"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "ghost"},
               "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"}]}),
    );
    assert_eq!(code, 201);
    let jane = rules_path().bearer(kubestep::apiserver::authn::JANE_TOKEN);
    let (_, dangling) = rules(&mut h, jane.clone(), "default");
    assert_eq!(dangling["status"]["incomplete"], false);
    assert_eq!(
        dangling["status"]["evaluationError"],
        "role.rbac.authorization.k8s.io \"ghost\" not found"
    );

    // No namespace: 400.
    let (code, e) = rules(&mut h, jane, "");
    assert_eq!(code, 400);
    assert_eq!(e["message"], "no namespace on request");
}

#[test]
fn a_requested_token_authenticates_as_its_service_account_until_it_expires() {
    let mut h = Harness::new(3);
    let (code, answer) = h.token("default", json!({}));
    assert_eq!(code, 201, "seed {}: {answer}", h.seed);
    let now = h.sim.now();
    assert_eq!(
        answer["spec"],
        json!({"audiences": ["https://kubernetes.default.svc.cluster.local"],
               "expirationSeconds": 3600, "boundObjectRef": null})
    );
    assert_eq!(answer["metadata"]["name"], "default");
    assert_eq!(answer["metadata"]["namespace"], "default");
    assert_eq!(
        answer["status"]["expirationTimestamp"],
        json!(kubestep::sim::SimTime(now.0 + 3_600_000).rfc3339())
    );
    let token = answer["status"]["token"].as_str().unwrap().to_string();
    assert!(token
        .split('.')
        .nth(2)
        .unwrap()
        .starts_with(SIMULATED_SIGNATURE_PREFIX));
    let claims = decode_claims(&token).unwrap();
    assert_eq!(claims["sub"], "system:serviceaccount:default:default");
    assert_eq!(claims["exp"], now.unix_seconds() + 3600);

    let (code, me) = h.whoami(review_path().bearer(&token));
    assert_eq!(code, 201);
    assert_eq!(
        me["status"]["userInfo"]["username"],
        "system:serviceaccount:default:default"
    );
    assert_eq!(
        me["status"]["userInfo"]["extra"]["authentication.kubernetes.io/credential-id"],
        json!([format!("JTI={}", claims["jti"].as_str().unwrap())])
    );
    // The default service account may do nothing else.
    let (code, _) =
        h.call(HttpRequest::new("GET", "/api/v1/namespaces/default/pods").bearer(&token));
    assert_eq!(code, 403);

    // A token for another audience is not for the API server.
    let (_, vault) = h.token("default", json!({"audiences": ["vault"]}));
    let vault = vault["status"]["token"].as_str().unwrap().to_string();
    assert_eq!(h.whoami(review_path().bearer(&vault)).0, 401);
    // Nor is a token with its text altered.
    assert_eq!(h.whoami(review_path().bearer(&format!("{token}x"))).0, 401);

    // Ten minutes and the minute of leeway later, the shortest token has expired.
    let (_, short) = h.token("default", json!({"expirationSeconds": 600}));
    let short = short["status"]["token"].as_str().unwrap().to_string();
    h.sim.advance(SimDuration::from_secs(600 + 55));
    assert_eq!(h.whoami(review_path().bearer(&short)).0, 201);
    h.sim.advance(SimDuration::from_secs(10));
    let (code, e) = h.whoami(review_path().bearer(&short));
    assert_eq!((code, e["message"].clone()), (401, json!("Unauthorized")));
    assert_eq!(h.whoami(review_path().bearer(&token)).0, 201);
}

#[test]
fn a_token_bound_to_a_pod_dies_with_the_pod() {
    let mut h = Harness::new(4);
    let (code, _) = h.post(
        Harness::admin(HttpRequest::new("POST", "/api/v1/namespaces/default/pods")),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
               "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}),
    );
    assert_eq!(code, 201);
    h.sim.advance(SimDuration::from_secs(5));
    let (_, pod) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods/web",
    )));
    let uid = pod["metadata"]["uid"].as_str().unwrap().to_string();
    let node = pod["spec"]["nodeName"].as_str().unwrap().to_string();

    let (code, answer) = h.token(
        "default",
        json!({"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web"}}),
    );
    assert_eq!(code, 201, "seed {}: {answer}", h.seed);
    let token = answer["status"]["token"].as_str().unwrap().to_string();
    let claims = decode_claims(&token).unwrap();
    assert_eq!(
        claims["kubernetes.io"]["pod"],
        json!({"name": "web", "uid": uid})
    );
    assert_eq!(claims["kubernetes.io"]["node"]["name"], json!(node));
    let (_, me) = h.whoami(review_path().bearer(&token));
    let extra = &me["status"]["userInfo"]["extra"];
    assert_eq!(
        extra["authentication.kubernetes.io/pod-name"],
        json!(["web"])
    );
    assert_eq!(extra["authentication.kubernetes.io/pod-uid"], json!([uid]));
    assert_eq!(
        extra["authentication.kubernetes.io/node-name"],
        json!([node])
    );

    // The handler's refusals, with the real texts.
    let (code, e) = h.token(
        "default",
        json!({"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web", "uid": "stale"}}),
    );
    assert_eq!(code, 409);
    assert_eq!(
        e["message"],
        "Operation cannot be fulfilled on Pod \"web\": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated"
    );
    let (code, e) = h.token(
        "default",
        json!({"boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "nope"}}),
    );
    assert_eq!(
        (code, e["message"].clone()),
        (404, json!("secrets \"nope\" not found"))
    );
    let (code, e) = h.token("builder", json!({}));
    assert_eq!(
        (code, e["message"].clone()),
        (404, json!("serviceaccounts \"builder\" not found"))
    );
    let (code, e) = h.token("default", json!({"expirationSeconds": 60}));
    assert_eq!(code, 422);
    assert_eq!(
        e["message"],
        "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"
    );

    // Once the pod is gone, its token no longer authenticates.
    let (code, _) = h.call(Harness::admin(HttpRequest::new(
        "DELETE",
        "/api/v1/namespaces/default/pods/web",
    )));
    assert_eq!(code, 200);
    h.sim.advance(SimDuration::from_secs(40));
    let (code, _) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/namespaces/default/pods/web",
    )));
    assert_eq!(code, 404, "seed {}: the pod is gone", h.seed);
    assert_eq!(h.whoami(review_path().bearer(&token)).0, 401);
}

#[test]
fn componentstatuses_probe_the_control_plane_and_warn_that_they_are_deprecated() {
    let mut h = Harness::new(5);
    let list = h.call_full(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/componentstatuses",
    )));
    assert_eq!(list.status, 200);
    assert_eq!(
        list.header_value("Warning"),
        Some("299 - \"v1 ComponentStatus is deprecated in v1.19+\"")
    );
    let body = list.body_json().unwrap();
    assert_eq!(body["kind"], "ComponentStatusList");
    let mut names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["controller-manager", "etcd-0", "scheduler"]);
    for item in body["items"].as_array().unwrap() {
        assert_eq!(
            item["conditions"],
            json!([{"type": "Healthy", "status": "True", "message": "ok"}]),
            "seed {}",
            h.seed
        );
    }

    let (code, one) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/componentstatuses/etcd-0",
    )));
    assert_eq!(code, 200);
    assert_eq!(
        one,
        json!({"kind": "ComponentStatus", "apiVersion": "v1",
               "metadata": {"name": "etcd-0", "creationTimestamp": null},
               "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}]})
    );
    let (code, e) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/componentstatuses/kubelet",
    )));
    assert_eq!(code, 500);
    assert_eq!(e["message"], "Component not found: kubelet");
    assert!(e.get("reason").is_none());

    // Selectors filter the statuses once probed: components have names, but no labels.
    let (_, one) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/componentstatuses?fieldSelector=metadata.name%3Detcd-0",
    )));
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0]["metadata"]["name"], "etcd-0");
    let (_, none) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/api/v1/componentstatuses?labelSelector=tier%3Dcontrol-plane",
    )));
    assert_eq!(none["items"], json!([]));

    // A stopped scheduler never answers: its probe times out after 20 seconds.
    h.sim.stop_actor(&Addr::Scheduler);
    let id = h.send(Harness::admin(
        HttpRequest::new("GET", "/api/v1/componentstatuses/scheduler")
            .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"),
    ));
    assert!(h.response(id).is_none(), "the probe waits for its timeout");
    h.sim.advance(SimDuration::from_secs(20));
    let table = h.response(id).expect("answered after the timeout");
    let table = table.body_json().unwrap();
    assert_eq!(
        table["rows"][0]["cells"],
        json!(["scheduler", "Unhealthy", "Get \"https://127.0.0.1:10259/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", ""])
    );
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Name", "Status", "Message", "Error"]);
}

#[test]
fn discovery_and_openapi_serve_the_new_resources() {
    let mut h = Harness::new(6);
    let (_, authn) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/apis/authentication.k8s.io/v1",
    )));
    assert_eq!(
        authn["resources"],
        json!([{"name": "selfsubjectreviews", "singularName": "selfsubjectreview",
                "namespaced": false, "kind": "SelfSubjectReview", "verbs": ["create"]}])
    );
    let (_, core) = h.call(Harness::admin(HttpRequest::new("GET", "/api/v1")));
    let find = |name: &str| {
        core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is not discovered"))
    };
    assert_eq!(
        find("componentstatuses"),
        json!({"name": "componentstatuses", "singularName": "componentstatus", "namespaced": false,
               "kind": "ComponentStatus", "verbs": ["get", "list"], "shortNames": ["cs"]})
    );
    assert_eq!(
        find("serviceaccounts/token"),
        json!({"name": "serviceaccounts/token", "singularName": "", "namespaced": true,
               "kind": "TokenRequest", "verbs": ["create"],
               "group": "authentication.k8s.io", "version": "v1"})
    );
    let (_, authz) = h.call(Harness::admin(HttpRequest::new(
        "GET",
        "/apis/authorization.k8s.io/v1",
    )));
    assert!(authz["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "selfsubjectrulesreviews"));
    let doc = kubestep::apiserver::openapi::group_version("authentication.k8s.io", "v1");
    assert!(doc["components"]["schemas"]
        .get("io.k8s.api.authentication.v1.SelfSubjectReview")
        .is_some());
    let core_doc = kubestep::apiserver::openapi::group_version("", "v1");
    assert!(core_doc["paths"]
        .get("/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token")
        .is_some());
    assert!(core_doc["paths"].get("/api/v1/componentstatuses").is_some());
}
