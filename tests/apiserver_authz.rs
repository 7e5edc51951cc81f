//! Specification of kube-apiserver's authentication and authorization in a kubeadm 1.33
//! cluster: who a request is, whether it may do what it asks, and the exact texts of the
//! answers (401/403 Status messages, RBAC reasons, access review statuses).

use kubestep::apiserver::authn::{
    unauthorized_status, Authenticator, AuthenticatorKind, ClientCertificate, RequestCredentials,
    UserInfo, JANE_TOKEN,
};
use kubestep::apiserver::authz::attributes::{non_resource_verb, resource_verb, Attributes};
use kubestep::apiserver::authz::bootstrap_policy::BootstrapPolicy;
use kubestep::apiserver::authz::node::{node_restriction_node_error, NodeAuthorizer, NodeGraph};
use kubestep::apiserver::authz::{Authorizer, AuthorizerName, Decision};
use serde_json::{json, Value};

/// A kubestep cluster's authorization state: bootstrap RBAC and two pods bound to worker-1.
struct Cluster {
    policy: BootstrapPolicy,
    node: NodeAuthorizer,
}

impl Cluster {
    fn new() -> Cluster {
        let pods = vec![json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "nodeName": "worker-1",
                "serviceAccountName": "default",
                "containers": [{
                    "name": "web",
                    "env": [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-pass", "key": "p"}}}],
                    "envFrom": [{"configMapRef": {"name": "web-config"}}]
                }],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}}]
            }
        })];
        let pvs = vec![json!({
            "metadata": {"name": "pv-1"},
            "spec": {"claimRef": {"namespace": "default", "name": "web-data"}}
        })];
        Cluster {
            policy: BootstrapPolicy::kubestep(),
            node: NodeAuthorizer::new(NodeGraph::build(&pods, &pvs, &[])),
        }
    }

    fn authorizer(&self) -> Authorizer<'_> {
        Authorizer::new(Some(&self.node), self.policy.rbac())
    }
}

fn authn(creds: RequestCredentials) -> UserInfo {
    let mut a = Authenticator::kubestep_default();
    a.add_service_account_token("sa-default-token", "default", "default", "uid-sa-default");
    a.authenticate(&creds).expect("authenticates").user
}

fn admin() -> UserInfo {
    authn(RequestCredentials::certificate(
        ClientCertificate::kubeadm_admin(),
    ))
}

fn jane() -> UserInfo {
    authn(RequestCredentials::bearer(JANE_TOKEN))
}

fn kubelet(node: &str) -> UserInfo {
    authn(RequestCredentials::certificate(ClientCertificate::kubelet(
        node,
    )))
}

fn res(
    user: &UserInfo,
    verb: &str,
    ns: &str,
    group: &str,
    resource: &str,
    sub: &str,
    name: &str,
) -> Attributes {
    Attributes::resource(user, verb, ns, group, resource, sub, name)
}

/// Allowed, with this reason.
fn assert_allowed(c: &Cluster, a: &Attributes, reason: &str) {
    let d = c.authorizer().authorize(a);
    assert_eq!(
        d.decision,
        Decision::Allow,
        "{a:?} should be allowed, got {d:?}"
    );
    assert_eq!(d.reason, reason);
}

/// Forbidden, with this 403 message.
fn assert_forbidden(c: &Cluster, a: &Attributes, message: &str) {
    let status = c
        .authorizer()
        .authorize_request(a)
        .expect_err("should be forbidden");
    assert_eq!(status["message"], message);
    assert_eq!(status["code"], 403);
    assert_eq!(status["reason"], "Forbidden");
}

// ---- authentication ----

#[test]
fn kubeadm_admin_certificate_is_kubernetes_admin_in_kubeadm_cluster_admins() {
    let a = Authenticator::kubestep_default();
    let r = a
        .authenticate(&RequestCredentials::certificate(
            ClientCertificate::kubeadm_admin(),
        ))
        .unwrap();
    assert_eq!(r.by, AuthenticatorKind::X509);
    assert_eq!(r.by.name(), "x509");
    assert_eq!(r.user.name, "kubernetes-admin");
    assert_eq!(
        r.user.groups,
        vec!["kubeadm:cluster-admins", "system:authenticated"]
    );
}

#[test]
fn component_certificates_carry_their_identities() {
    assert_eq!(kubelet("worker-1").name, "system:node:worker-1");
    assert_eq!(
        kubelet("worker-1").groups,
        vec!["system:nodes", "system:authenticated"]
    );
    let s = authn(RequestCredentials::certificate(
        ClientCertificate::kube_scheduler(),
    ));
    assert_eq!(
        (s.name.as_str(), s.groups.clone()),
        (
            "system:kube-scheduler",
            vec!["system:authenticated".to_string()]
        )
    );
    let m = authn(RequestCredentials::certificate(
        ClientCertificate::kube_controller_manager(),
    ));
    assert_eq!(m.name, "system:kube-controller-manager");
}

#[test]
fn bearer_tokens_map_to_jane_and_service_accounts() {
    let mut a = Authenticator::kubestep_default();
    a.add_service_account_token("sa-token", "team-a", "builder", "uid-1");
    let j = a
        .authenticate(&RequestCredentials::bearer(JANE_TOKEN))
        .unwrap();
    assert_eq!(j.by, AuthenticatorKind::TokenFile);
    assert_eq!(
        (j.user.name.as_str(), j.user.uid.as_str()),
        ("jane", "1001")
    );
    assert_eq!(j.user.groups, vec!["system:authenticated"]);
    let sa = a
        .authenticate(&RequestCredentials::bearer("sa-token"))
        .unwrap();
    assert_eq!(sa.by.name(), "serviceaccount");
    assert_eq!(sa.user.name, "system:serviceaccount:team-a:builder");
    assert_eq!(
        sa.user.groups,
        vec![
            "system:serviceaccounts",
            "system:serviceaccounts:team-a",
            "system:authenticated"
        ]
    );
    // The scheme is case-insensitive, as in bearertoken.Authenticator.
    let creds = RequestCredentials {
        client_certificate: None,
        authorization: Some(format!("bearer {JANE_TOKEN}")),
    };
    assert_eq!(a.authenticate(&creds).unwrap().user.name, "jane");
}

#[test]
fn no_credentials_is_anonymous_but_bad_credentials_are_401() {
    let a = Authenticator::kubestep_default();
    let anon = a.authenticate(&RequestCredentials::none()).unwrap();
    assert_eq!(anon.by, AuthenticatorKind::Anonymous);
    assert_eq!(anon.user.name, "system:anonymous");
    assert_eq!(anon.user.groups, vec!["system:unauthenticated"]);
    // A header of another scheme is no bearer token at all.
    let basic = RequestCredentials {
        client_certificate: None,
        authorization: Some("Basic amFuZTpwdw==".into()),
    };
    assert_eq!(
        a.authenticate(&basic).unwrap().by,
        AuthenticatorKind::Anonymous
    );

    let err = a
        .authenticate(&RequestCredentials::bearer("not-a-token"))
        .unwrap_err();
    assert_eq!(err.cause, "invalid bearer token");
    assert_eq!(
        err.status(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
    );
    let foreign = ClientCertificate {
        issuer_common_name: "evil-ca".into(),
        ..ClientCertificate::kubeadm_admin()
    };
    let err = a
        .authenticate(&RequestCredentials::certificate(foreign))
        .unwrap_err();
    assert!(
        err.cause
            .ends_with("x509: certificate signed by unknown authority"),
        "{}",
        err.cause
    );
    assert_eq!(err.status(), unauthorized_status());

    let mut closed = Authenticator::kubestep_default();
    closed.anonymous = false;
    assert!(closed.authenticate(&RequestCredentials::none()).is_err());
}

// ---- authorization: users ----

#[test]
fn kubeadm_admin_is_cluster_admin_through_the_kubeadm_binding() {
    let c = Cluster::new();
    assert_allowed(
        &c,
        &res(
            &admin(),
            "delete",
            "kube-system",
            "apps",
            "deployments",
            "",
            "coredns",
        ),
        r#"RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins""#,
    );
    assert_allowed(
        &c,
        &Attributes::non_resource(&admin(), "get", "/metrics"),
        r#"RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins""#,
    );
}

#[test]
fn system_masters_bypasses_rbac_and_rbac_alone_names_the_cluster_admin_binding() {
    let c = Cluster::new();
    let super_admin = authn(RequestCredentials::certificate(
        ClientCertificate::kubeadm_super_admin(),
    ));
    let a = res(&super_admin, "create", "default", "", "pods", "", "");
    let d = c.authorizer().authorize(&a);
    assert_eq!(
        (d.decision, d.reason.as_str(), d.decided_by),
        (Decision::Allow, "", Some(AuthorizerName::PrivilegedGroups))
    );
    let r = c.policy.rbac().authorize(&a);
    assert_eq!(
        r.reason,
        r#"RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters""#
    );
}

#[test]
fn jane_works_in_default_only() {
    let c = Cluster::new();
    let reason = r#"RBAC: allowed by RoleBinding "jane-developer/default" of Role "developer" to User "jane""#;
    assert_allowed(
        &c,
        &res(&jane(), "create", "default", "", "pods", "", ""),
        reason,
    );
    assert_allowed(
        &c,
        &res(&jane(), "get", "default", "", "pods", "log", "web"),
        reason,
    );
    assert_allowed(
        &c,
        &res(
            &jane(),
            "patch",
            "default",
            "apps",
            "deployments",
            "",
            "web",
        ),
        reason,
    );

    assert_forbidden(
        &c,
        &res(&jane(), "create", "kube-system", "", "pods", "", ""),
        r#"pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "kube-system""#,
    );
    assert_forbidden(
        &c,
        &res(&jane(), "get", "default", "", "secrets", "", "db-pass"),
        r#"secrets "db-pass" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "default""#,
    );
    assert_forbidden(
        &c,
        &res(&jane(), "create", "default", "", "pods", "exec", "web"),
        r#"pods "web" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "default""#,
    );
    assert_forbidden(
        &c,
        &res(&jane(), "list", "", "", "pods", "", ""),
        r#"pods is forbidden: User "jane" cannot list resource "pods" in API group "" at the cluster scope"#,
    );
    assert_forbidden(
        &c,
        &res(
            &jane(),
            "delete",
            "kube-system",
            "apps",
            "deployments",
            "",
            "coredns",
        ),
        r#"deployments.apps "coredns" is forbidden: User "jane" cannot delete resource "deployments" in API group "apps" in the namespace "kube-system""#,
    );
}

#[test]
fn forbidden_status_has_the_details_of_the_resource() {
    let c = Cluster::new();
    let status = c
        .authorizer()
        .authorize_request(&res(
            &jane(),
            "delete",
            "kube-system",
            "apps",
            "deployments",
            "",
            "coredns",
        ))
        .unwrap_err();
    assert_eq!(
        status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "deployments.apps \"coredns\" is forbidden: User \"jane\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"kube-system\"",
               "reason": "Forbidden",
               "details": {"name": "coredns", "group": "apps", "kind": "deployments"},
               "code": 403})
    );
}

#[test]
fn public_info_and_discovery_paths() {
    let c = Cluster::new();
    let anon = UserInfo::anonymous();
    for path in ["/healthz", "/livez", "/readyz", "/version", "/version/"] {
        assert_allowed(
            &c,
            &Attributes::non_resource(&anon, "get", path),
            r#"RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated""#,
        );
    }
    // Discovery is for authenticated users only.
    let status = c
        .authorizer()
        .authorize_request(&Attributes::non_resource(&anon, "get", "/api"))
        .unwrap_err();
    assert_eq!(
        status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "forbidden: User \"system:anonymous\" cannot get path \"/api\"",
               "reason": "Forbidden", "details": {}, "code": 403})
    );
    assert_allowed(
        &c,
        &Attributes::non_resource(&jane(), "get", "/apis/apps/v1"),
        r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#,
    );
    assert_forbidden(
        &c,
        &Attributes::non_resource(&jane(), "get", "/foo"),
        r#"forbidden: User "jane" cannot get path "/foo""#,
    );
    assert_forbidden(
        &c,
        &Attributes::non_resource(&jane(), "post", "/healthz"),
        r#"forbidden: User "jane" cannot post path "/healthz""#,
    );
    // Anonymous may read the kubeadm cluster-info ConfigMap, and nothing else there.
    assert_allowed(
        &c,
        &res(
            &anon,
            "get",
            "kube-public",
            "",
            "configmaps",
            "",
            "cluster-info",
        ),
        r#"RBAC: allowed by RoleBinding "kubeadm:bootstrap-signer-clusterinfo/kube-public" of Role "kubeadm:bootstrap-signer-clusterinfo" to User "system:anonymous""#,
    );
    assert_forbidden(
        &c,
        &res(&anon, "list", "kube-public", "", "configmaps", "", ""),
        r#"configmaps is forbidden: User "system:anonymous" cannot list resource "configmaps" in API group "" in the namespace "kube-public""#,
    );
}

// ---- authorization: control plane components ----

#[test]
fn scheduler_binds_pods() {
    let c = Cluster::new();
    let sched = authn(RequestCredentials::certificate(
        ClientCertificate::kube_scheduler(),
    ));
    let reason = r#"RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler""#;
    assert_allowed(
        &c,
        &res(&sched, "create", "default", "", "pods", "binding", "web"),
        reason,
    );
    assert_allowed(&c, &res(&sched, "watch", "", "", "pods", "", ""), reason);
    assert_allowed(
        &c,
        &res(
            &sched,
            "update",
            "kube-system",
            "coordination.k8s.io",
            "leases",
            "",
            "kube-scheduler",
        ),
        reason,
    );
    // Any lease in kube-system through the leader-locking Role; none elsewhere but its own.
    assert_allowed(
        &c,
        &res(
            &sched,
            "update",
            "kube-system",
            "coordination.k8s.io",
            "leases",
            "",
            "kube-controller-manager",
        ),
        r#"RBAC: allowed by RoleBinding "system::leader-locking-kube-scheduler/kube-system" of Role "system::leader-locking-kube-scheduler" to User "system:kube-scheduler""#,
    );
    assert_forbidden(
        &c,
        &res(
            &sched,
            "update",
            "default",
            "coordination.k8s.io",
            "leases",
            "",
            "kube-controller-manager",
        ),
        r#"leases.coordination.k8s.io "kube-controller-manager" is forbidden: User "system:kube-scheduler" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "default""#,
    );
    assert_forbidden(
        &c,
        &res(&sched, "create", "default", "", "pods", "", ""),
        r#"pods is forbidden: User "system:kube-scheduler" cannot create resource "pods" in API group "" in the namespace "default""#,
    );
}

#[test]
fn controllers_act_with_their_own_service_accounts() {
    let c = Cluster::new();
    let rs = UserInfo::service_account("kube-system", "replicaset-controller", "uid");
    let rs = authn_like(rs);
    assert_allowed(
        &c,
        &res(&rs, "create", "default", "", "pods", "", ""),
        r#"RBAC: allowed by ClusterRoleBinding "system:controller:replicaset-controller" of ClusterRole "system:controller:replicaset-controller" to ServiceAccount "replicaset-controller/kube-system""#,
    );
    assert_forbidden(
        &c,
        &res(&rs, "create", "default", "apps", "replicasets", "", ""),
        r#"replicasets.apps is forbidden: User "system:serviceaccount:kube-system:replicaset-controller" cannot create resource "replicasets" in API group "apps" in the namespace "default""#,
    );
    let dep = authn_like(UserInfo::service_account(
        "kube-system",
        "deployment-controller",
        "uid",
    ));
    assert_allowed(
        &c,
        &res(&dep, "create", "default", "apps", "replicasets", "", ""),
        r#"RBAC: allowed by ClusterRoleBinding "system:controller:deployment-controller" of ClusterRole "system:controller:deployment-controller" to ServiceAccount "deployment-controller/kube-system""#,
    );
    let kcm = authn(RequestCredentials::certificate(
        ClientCertificate::kube_controller_manager(),
    ));
    assert_allowed(
        &c,
        &res(&kcm, "watch", "", "apps", "deployments", "", ""),
        r#"RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager""#,
    );
    let gc = authn_like(UserInfo::service_account(
        "kube-system",
        "generic-garbage-collector",
        "uid",
    ));
    assert!(c
        .authorizer()
        .authorize(&res(&gc, "delete", "team-a", "batch", "jobs", "", "x"))
        .allowed());
}

/// A service account as its token authenticates it (with `system:authenticated`).
fn authn_like(mut sa: UserInfo) -> UserInfo {
    sa.groups.push("system:authenticated".into());
    sa
}

#[test]
fn service_accounts_get_nothing_but_discovery_by_default() {
    let c = Cluster::new();
    let sa = authn(RequestCredentials::bearer("sa-default-token"));
    assert_forbidden(
        &c,
        &res(&sa, "list", "default", "", "pods", "", ""),
        r#"pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default""#,
    );
    assert_allowed(
        &c,
        &Attributes::non_resource(&sa, "get", "/openid/v1/jwks"),
        r#"RBAC: allowed by ClusterRoleBinding "system:service-account-issuer-discovery" of ClusterRole "system:service-account-issuer-discovery" to Group "system:serviceaccounts""#,
    );
    let proxy = authn_like(UserInfo::service_account(
        "kube-system",
        "kube-proxy",
        "uid",
    ));
    assert_allowed(
        &c,
        &res(
            &proxy,
            "watch",
            "",
            "discovery.k8s.io",
            "endpointslices",
            "",
            "",
        ),
        r#"RBAC: allowed by ClusterRoleBinding "kubeadm:node-proxier" of ClusterRole "system:node-proxier" to ServiceAccount "kube-proxy/kube-system""#,
    );
}

// ---- the Node authorizer ----

#[test]
fn kubelet_updates_its_node_status_and_reads_only_its_own_node() {
    let c = Cluster::new();
    let k = kubelet("worker-1");
    let d = c
        .authorizer()
        .authorize(&res(&k, "patch", "", "", "nodes", "status", "worker-1"));
    assert_eq!(
        (d.decision, d.reason.as_str(), d.decided_by),
        (Decision::Allow, "", Some(AuthorizerName::Node))
    );
    assert_allowed(&c, &res(&k, "get", "", "", "nodes", "", "worker-1"), "");
    assert_forbidden(
        &c,
        &res(&k, "get", "", "", "nodes", "", "worker-2"),
        r#"nodes "worker-2" is forbidden: User "system:node:worker-1" cannot get resource "nodes" in API group "" at the cluster scope: node 'worker-1' cannot read 'worker-2', only its own Node object"#,
    );
    assert_forbidden(
        &c,
        &res(&k, "list", "", "", "nodes", "", ""),
        r#"nodes is forbidden: User "system:node:worker-1" cannot list resource "nodes" in API group "" at the cluster scope: node 'worker-1' cannot read all nodes, only its own Node object"#,
    );
    assert_forbidden(
        &c,
        &res(&k, "delete", "", "", "nodes", "", "worker-1"),
        r#"nodes "worker-1" is forbidden: User "system:node:worker-1" cannot delete resource "nodes" in API group "" at the cluster scope"#,
    );
    // Another node's status passes the authorizer; the NodeRestriction admission plugin refuses it.
    let other = res(&k, "patch", "", "", "nodes", "status", "worker-2");
    assert!(c.authorizer().authorize(&other).allowed());
    assert_eq!(
        node_restriction_node_error(&other).as_deref(),
        Some(
            r#"nodes "worker-2" is forbidden: node "worker-1" is not allowed to modify node "worker-2""#
        )
    );
    assert_eq!(
        node_restriction_node_error(&res(&k, "patch", "", "", "nodes", "status", "worker-1")),
        None
    );
}

#[test]
fn kubelet_reads_secrets_configmaps_and_volumes_of_its_pods_only() {
    let c = Cluster::new();
    let w1 = kubelet("worker-1");
    let w2 = kubelet("worker-2");
    assert_allowed(
        &c,
        &res(&w1, "get", "default", "", "secrets", "", "db-pass"),
        "",
    );
    assert_allowed(
        &c,
        &res(&w1, "watch", "default", "", "configmaps", "", "web-config"),
        "",
    );
    assert_allowed(
        &c,
        &res(
            &w1,
            "get",
            "default",
            "",
            "persistentvolumeclaims",
            "",
            "web-data",
        ),
        "",
    );
    assert_allowed(
        &c,
        &res(&w1, "get", "", "", "persistentvolumes", "", "pv-1"),
        "",
    );
    assert_allowed(
        &c,
        &res(
            &w1,
            "create",
            "default",
            "",
            "serviceaccounts",
            "token",
            "default",
        ),
        "",
    );
    assert_forbidden(
        &c,
        &res(&w2, "get", "default", "", "secrets", "", "db-pass"),
        r#"secrets "db-pass" is forbidden: User "system:node:worker-2" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'worker-2' and this object"#,
    );
    assert_forbidden(
        &c,
        &res(&w1, "get", "default", "", "secrets", "", "other"),
        r#"secrets "other" is forbidden: User "system:node:worker-1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'worker-1' and this object"#,
    );
    assert_forbidden(
        &c,
        &res(&w1, "list", "default", "", "secrets", "", ""),
        r#"secrets is forbidden: User "system:node:worker-1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found"#,
    );
    assert_forbidden(
        &c,
        &res(&w1, "update", "default", "", "secrets", "", "db-pass"),
        r#"secrets "db-pass" is forbidden: User "system:node:worker-1" cannot update resource "secrets" in API group "" in the namespace "default": can only read resources of this type"#,
    );
}

#[test]
fn kubelet_pods_leases_and_events() {
    let c = Cluster::new();
    let w1 = kubelet("worker-1");
    let w2 = kubelet("worker-2");
    assert_allowed(&c, &res(&w1, "get", "default", "", "pods", "", "web"), "");
    assert_allowed(
        &c,
        &res(&w1, "patch", "default", "", "pods", "status", "web"),
        "",
    );
    assert_allowed(
        &c,
        &res(&w1, "list", "", "", "pods", "", "").with_field_selector("spec.nodeName=worker-1"),
        "",
    );
    assert_forbidden(
        &c,
        &res(&w2, "get", "default", "", "pods", "", "web"),
        r#"pods "web" is forbidden: User "system:node:worker-2" cannot get resource "pods" in API group "" in the namespace "default": no relationship found between node 'worker-2' and this object"#,
    );
    assert_forbidden(
        &c,
        &res(&w2, "watch", "", "", "pods", "", "").with_field_selector("spec.nodeName=worker-1"),
        r#"pods is forbidden: User "system:node:worker-2" cannot watch resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector"#,
    );
    assert_allowed(
        &c,
        &res(
            &w1,
            "update",
            "kube-node-lease",
            "coordination.k8s.io",
            "leases",
            "",
            "worker-1",
        ),
        "",
    );
    assert_forbidden(
        &c,
        &res(
            &w1,
            "update",
            "kube-node-lease",
            "coordination.k8s.io",
            "leases",
            "",
            "worker-2",
        ),
        r#"leases.coordination.k8s.io "worker-2" is forbidden: User "system:node:worker-1" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node"#,
    );
    assert_forbidden(
        &c,
        &res(
            &w1,
            "get",
            "default",
            "coordination.k8s.io",
            "leases",
            "",
            "worker-1",
        ),
        r#"leases.coordination.k8s.io "worker-1" is forbidden: User "system:node:worker-1" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "default": can only access leases in the "kube-node-lease" system namespace"#,
    );
    // Everything else by the static system:node rules.
    assert_allowed(&c, &res(&w1, "create", "default", "", "events", "", ""), "");
    assert_allowed(
        &c,
        &res(&w1, "list", "", "node.k8s.io", "runtimeclasses", "", ""),
        "",
    );
    assert_forbidden(
        &c,
        &res(&w1, "create", "default", "apps", "deployments", "", ""),
        r#"deployments.apps is forbidden: User "system:node:worker-1" cannot create resource "deployments" in API group "apps" in the namespace "default""#,
    );
}

#[test]
fn a_node_name_outside_system_nodes_is_not_a_node() {
    let c = Cluster::new();
    let impostor = UserInfo::new("system:node:worker-1", &["system:authenticated"]);
    assert_forbidden(
        &c,
        &res(&impostor, "get", "", "", "nodes", "", "worker-1"),
        r#"nodes "worker-1" is forbidden: User "system:node:worker-1" cannot get resource "nodes" in API group "" at the cluster scope"#,
    );
}

// ---- RBAC rule matching and resolution ----

#[test]
fn rbac_rule_matching_follows_rbac_v1() {
    use kubestep::apiserver::authz::rbac::PolicyRule;
    let u = UserInfo::new("u", &[]);
    let rule = |v: Value| PolicyRule::from_json(&v);
    let scale = rule(json!({"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["get"]}));
    assert!(scale.allows(&res(&u, "get", "ns", "apps", "deployments", "scale", "d")));
    assert!(!scale.allows(&res(&u, "get", "ns", "apps", "deployments", "", "d")));
    let all = rule(json!({"apiGroups": [""], "resources": ["*"], "verbs": ["*"]}));
    assert!(all.allows(&res(&u, "create", "ns", "", "pods", "exec", "p")));
    assert!(!all.allows(&res(&u, "create", "ns", "apps", "deployments", "", "")));
    let pods = rule(json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}));
    assert!(
        !pods.allows(&res(&u, "get", "ns", "", "pods", "log", "p")),
        "a subresource is its own resource"
    );
    let named = rule(
        json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]}),
    );
    assert!(named.allows(&res(&u, "get", "ns", "", "configmaps", "", "a")));
    assert!(!named.allows(&res(&u, "get", "ns", "", "configmaps", "", "b")));
    assert!(!named.allows(&res(&u, "list", "ns", "", "configmaps", "", "")));
    let urls = rule(json!({"nonResourceURLs": ["/healthz/*", "/version"], "verbs": ["get"]}));
    assert!(urls.allows(&Attributes::non_resource(&u, "get", "/healthz/etcd")));
    assert!(!urls.allows(&Attributes::non_resource(&u, "get", "/healthz")));
    assert!(!urls.allows(&Attributes::non_resource(&u, "get", "/version/")));
    assert!(
        !urls.allows(&res(&u, "get", "", "", "healthz", "", "")),
        "URL rules never match resources"
    );
}

#[test]
fn rolebinding_to_a_clusterrole_and_missing_roles() {
    let mut policy = BootstrapPolicy::kubestep();
    policy.role_bindings.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "bob-view", "namespace": "team-a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "ci"}, {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]
    }));
    policy.role_bindings.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "ghost", "namespace": "team-a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "ghost"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]
    }));
    let authz = Authorizer::new(None, policy.rbac());
    let bob = UserInfo::new("bob", &["system:authenticated"]);
    let d = authz.authorize(&res(&bob, "list", "team-a", "apps", "deployments", "", ""));
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by RoleBinding "bob-view/team-a" of ClusterRole "view" to User "bob""#
    );
    let ci = UserInfo::service_account("team-a", "ci", "");
    let d = authz.authorize(&res(&ci, "get", "team-a", "", "pods", "", "p"));
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by RoleBinding "bob-view/team-a" of ClusterRole "view" to ServiceAccount "ci/team-a""#
    );
    // A ClusterRole bound in a namespace grants nothing elsewhere, and a binding to a missing
    // Role shows in the reason.
    let status = authz
        .authorize_request(&res(&bob, "delete", "team-a", "", "pods", "", "p"))
        .unwrap_err();
    assert_eq!(
        status["message"],
        r#"pods "p" is forbidden: User "bob" cannot delete resource "pods" in API group "" in the namespace "team-a": RBAC: role.rbac.authorization.k8s.io "ghost" not found"#
    );
    let status = authz
        .authorize_request(&res(&bob, "list", "default", "", "pods", "", ""))
        .unwrap_err();
    assert_eq!(
        status["message"],
        r#"pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default""#
    );
}

// ---- aggregation and bootstrap objects ----

fn role<'a>(roles: &'a [Value], name: &str) -> &'a Value {
    roles
        .iter()
        .find(|r| r["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

fn rules(roles: &[Value], name: &str) -> Vec<Value> {
    role(roles, name)["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn admin_edit_view_are_aggregated_from_their_parts() {
    use kubestep::apiserver::authz::bootstrap_policy::cluster_roles;
    use kubestep::apiserver::authz::rbac::{aggregate, aggregated_rules};
    let mut roles = cluster_roles();
    assert_eq!(
        role(&roles, "view")["rules"],
        Value::Null,
        "created without rules"
    );
    let changed = aggregate(&mut roles);
    assert_eq!(
        changed,
        vec!["admin", "edit", "view"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    );
    let view = rules(&roles, "view");
    assert_eq!(view, rules(&roles, "system:aggregate-to-view"));
    // edit selects system:aggregate-to-edit and view (by name), admin selects edit and
    // system:aggregate-to-admin.
    let mut edit = rules(&roles, "system:aggregate-to-edit");
    edit.extend(view.clone());
    assert_eq!(rules(&roles, "edit"), edit);
    let mut admin = edit.clone();
    admin.extend(rules(&roles, "system:aggregate-to-admin"));
    assert_eq!(rules(&roles, "admin"), admin);
    for r in &roles {
        assert_eq!(
            aggregated_rules(r, &roles),
            None,
            "{} is at its fixed point",
            r["metadata"]["name"]
        );
    }
    // A new role labelled aggregate-to-view reaches view, edit and admin.
    roles.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "crontab-reader", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [{"apiGroups": ["stable.example.com"], "resources": ["crontabs"], "verbs": ["get", "list", "watch"]}]
    }));
    let changed = aggregate(&mut roles);
    assert_eq!(changed.len(), 3);
    for name in ["view", "edit", "admin"] {
        assert!(
            rules(&roles, name)
                .iter()
                .any(|r| r["resources"] == json!(["crontabs"])),
            "{name} has the crontab rule"
        );
    }
}

#[test]
fn aggregation_honours_match_expressions() {
    use kubestep::apiserver::authz::rbac::label_selector_matches;
    let labels = json!({"tier": "web", "team": "a"});
    assert!(label_selector_matches(&json!({}), &labels));
    assert!(label_selector_matches(
        &json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "db"]}]}),
        &labels
    ));
    assert!(!label_selector_matches(
        &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]}),
        &labels
    ));
    assert!(label_selector_matches(
        &json!({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}),
        &labels
    ));
    assert!(!label_selector_matches(
        &json!({"matchLabels": {"team": "b"}}),
        &labels
    ));
}

#[test]
fn bootstrap_objects_look_like_a_kubeadm_cluster() {
    let p = BootstrapPolicy::kubestep();
    let view = role(&p.cluster_roles, "view");
    assert_eq!(
        view["metadata"]["labels"]["kubernetes.io/bootstrapping"],
        "rbac-defaults"
    );
    assert_eq!(
        view["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"],
        "true"
    );
    assert_eq!(
        view["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"],
        "true"
    );
    assert_eq!(
        view["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"]
            ["rbac.authorization.k8s.io/aggregate-to-view"],
        "true"
    );
    assert_eq!(
        role(&p.cluster_roles, "cluster-admin")["rules"],
        json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}])
    );
    assert_eq!(
        role(&p.cluster_roles, "system:public-info-viewer")["rules"],
        json!([{"nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]}])
    );
    for name in [
        "system:basic-user",
        "system:discovery",
        "system:kube-scheduler",
        "system:kube-controller-manager",
        "system:node",
        "system:node-proxier",
        "system:kube-dns",
        "system:volume-scheduler",
        "system:monitoring",
        "system:controller:replicaset-controller",
        "system:controller:namespace-controller",
        "system:controller:endpointslice-controller",
        "kubeadm:get-nodes",
    ] {
        role(&p.cluster_roles, name);
    }
    let kubeadm = role(&p.cluster_role_bindings, "kubeadm:cluster-admins");
    assert_eq!(
        *kubeadm,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "kubeadm:cluster-admins"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "kubeadm:cluster-admins"}]})
    );
    assert!(
        role(&p.cluster_role_bindings, "system:node")
            .get("subjects")
            .is_none(),
        "bound to nobody since 1.7"
    );
    // Lists are in etcd key order.
    let names: Vec<&str> = p
        .cluster_roles
        .iter()
        .map(|r| r["metadata"]["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(
        role(&p.roles, "developer")["metadata"]["namespace"],
        "default"
    );
}

// ---- access reviews ----

#[test]
fn self_subject_access_review_answers_kubectl_auth_can_i() {
    use kubestep::apiserver::authz::subject_access_review::self_subject_access_review;
    let c = Cluster::new();
    let review = |ns: &str| {
        json!({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {},
               "spec": {"resourceAttributes": {"namespace": ns, "verb": "create", "resource": "pods"}}})
    };
    let yes = self_subject_access_review(&review("default"), &jane(), &c.authorizer()).unwrap();
    assert_eq!(
        yes["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"jane-developer/default\" of Role \"developer\" to User \"jane\""})
    );
    assert_eq!(yes["metadata"], json!({"creationTimestamp": null}));
    let no = self_subject_access_review(&review("kube-system"), &jane(), &c.authorizer()).unwrap();
    assert_eq!(no["status"], json!({"allowed": false}));
    let healthz = json!({"spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}});
    let r = self_subject_access_review(&healthz, &UserInfo::anonymous(), &c.authorizer()).unwrap();
    assert_eq!(r["status"]["allowed"], true);

    let both = json!({"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"},
                               "nonResourceAttributes": {"path": "/healthz", "verb": "get"}}});
    let err = self_subject_access_review(&both, &jane(), &c.authorizer()).unwrap_err();
    assert_eq!(
        err.message(),
        r#"SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/healthz", Verb:"get"}: cannot be specified in combination with resourceAttributes"#
    );
    assert_eq!(err.status()["code"], 422);
}

#[test]
fn subject_access_review_checks_the_given_subject() {
    use kubestep::apiserver::authz::subject_access_review::subject_access_review;
    let c = Cluster::new();
    let sar = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                     "spec": {"user": "system:node:worker-2", "groups": ["system:nodes"],
                              "resourceAttributes": {"namespace": "default", "verb": "get", "resource": "secrets", "name": "db-pass"}}});
    let r = subject_access_review(&sar, &c.authorizer()).unwrap();
    assert_eq!(
        r["status"],
        json!({"allowed": false, "reason": "no relationship found between node 'worker-2' and this object"})
    );
    assert_eq!(r["spec"], sar["spec"]);

    let empty = json!({"spec": {}});
    let err = subject_access_review(&empty, &c.authorizer()).unwrap_err();
    assert_eq!(
        err.message(),
        r#"SubjectAccessReview.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified]"#
    );
    assert_eq!(
        err.status()["details"]["causes"][1],
        json!({"reason": "FieldValueInvalid", "message": "Invalid value: \"\": at least one of user or group must be specified", "field": "spec.user"})
    );
}

// ---- verbs ----

#[test]
fn http_methods_map_to_verbs_like_request_info_factory() {
    assert_eq!(resource_verb("GET", true, None), Some("get"));
    assert_eq!(resource_verb("GET", false, None), Some("list"));
    assert_eq!(resource_verb("GET", false, Some("true")), Some("watch"));
    assert_eq!(resource_verb("GET", false, Some("1")), Some("watch"));
    assert_eq!(resource_verb("GET", false, Some("false")), Some("list"));
    assert_eq!(resource_verb("HEAD", true, None), Some("get"));
    assert_eq!(resource_verb("POST", false, None), Some("create"));
    assert_eq!(resource_verb("PUT", true, None), Some("update"));
    assert_eq!(resource_verb("PATCH", true, None), Some("patch"));
    assert_eq!(resource_verb("DELETE", true, None), Some("delete"));
    assert_eq!(
        resource_verb("DELETE", false, None),
        Some("deletecollection")
    );
    assert_eq!(resource_verb("OPTIONS", false, None), None);
    assert_eq!(non_resource_verb("GET"), "get");
    assert_eq!(non_resource_verb("POST"), "post");
}

#[test]
fn whoami_and_can_i_list() {
    use kubestep::apiserver::authn::{self_subject_review, BoundTokenInfo};
    use kubestep::apiserver::authz::subject_access_review::self_subject_rules_review;
    assert_eq!(
        self_subject_review(&admin(), kubestep::sim::SimTime(1_000)),
        json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
               "metadata": {"creationTimestamp": "2026-01-01T00:00:01Z"},
               "status": {"userInfo": {"username": "kubernetes-admin", "groups": ["kubeadm:cluster-admins", "system:authenticated"]}}})
    );
    let mut a = Authenticator::kubestep_default();
    let binding = BoundTokenInfo {
        credential_id: "9b1f".into(),
        pod_name: "web".into(),
        pod_uid: "p-uid".into(),
        node_name: "worker-1".into(),
        node_uid: "n-uid".into(),
    };
    a.add_bound_service_account_token("bound", "default", "default", "sa-uid", &binding);
    let user = a
        .authenticate(&RequestCredentials::bearer("bound"))
        .unwrap()
        .user;
    assert_eq!(
        self_subject_review(&user, kubestep::sim::SimTime(0))["status"]["userInfo"],
        json!({"username": "system:serviceaccount:default:default", "uid": "sa-uid",
               "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
               "extra": {"authentication.kubernetes.io/credential-id": ["JTI=9b1f"],
                         "authentication.kubernetes.io/node-name": ["worker-1"],
                         "authentication.kubernetes.io/node-uid": ["n-uid"],
                         "authentication.kubernetes.io/pod-name": ["web"],
                         "authentication.kubernetes.io/pod-uid": ["p-uid"]}})
    );

    let c = Cluster::new();
    let review = json!({"spec": {"namespace": "default"}});
    let r = self_subject_rules_review(&review, &jane(), &c.authorizer()).unwrap();
    let status = &r["status"];
    assert_eq!(status["incomplete"], false);
    assert!(status.get("evaluationError").is_none());
    // basic-user's rules come first (ClusterRoleBindings), jane's Role last.
    assert_eq!(
        status["resourceRules"][0],
        json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
    );
    assert_eq!(
        status["resourceRules"].as_array().unwrap().last().unwrap(),
        &json!({"verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "apiGroups": ["apps"], "resources": ["deployments", "replicasets"]})
    );
    assert!(status["nonResourceRules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["nonResourceURLs"][0] == "/healthz"));
    let k = self_subject_rules_review(&review, &kubelet("worker-1"), &c.authorizer()).unwrap();
    assert_eq!(k["status"]["incomplete"], true);
    assert_eq!(
        k["status"]["evaluationError"],
        "node authorizer does not support user rule resolution"
    );
    let err =
        self_subject_rules_review(&json!({"spec": {}}), &jane(), &c.authorizer()).unwrap_err();
    assert_eq!(err.status()["message"], "no namespace on request");
}

#[test]
fn mirror_pods_grant_nothing_and_ephemeral_volumes_name_their_claims() {
    let pods = vec![
        json!({"metadata": {"name": "static-web", "namespace": "default", "annotations": {"kubernetes.io/config.mirror": "abc"}},
               "spec": {"nodeName": "worker-1", "volumes": [{"name": "s", "secret": {"secretName": "stolen"}}]}}),
        json!({"metadata": {"name": "db", "namespace": "default"},
               "spec": {"nodeName": "worker-1", "volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {}}}],
                        "imagePullSecrets": [{"name": "regcred"}]}}),
    ];
    let node = NodeAuthorizer::new(NodeGraph::build(&pods, &[], &[]));
    let policy = BootstrapPolicy::kubestep();
    let authz = Authorizer::new(Some(&node), policy.rbac());
    let w1 = kubelet("worker-1");
    assert!(authz
        .authorize(&res(&w1, "get", "default", "", "pods", "", "static-web"))
        .allowed());
    assert!(!authz
        .authorize(&res(&w1, "get", "default", "", "secrets", "", "stolen"))
        .allowed());
    assert!(authz
        .authorize(&res(
            &w1,
            "get",
            "default",
            "",
            "persistentvolumeclaims",
            "",
            "db-scratch"
        ))
        .allowed());
    assert!(authz
        .authorize(&res(&w1, "get", "default", "", "secrets", "", "regcred"))
        .allowed());
}

#[test]
fn issued_tokens_are_checked_against_the_clock_and_the_objects_they_name() {
    use kubestep::apiserver::authn::{
        ClaimRef, IssuedToken, LiveObject, SERVICE_ACCOUNT_ISSUER, TOKEN_LEEWAY_SECONDS,
    };
    use kubestep::sim::clock::EPOCH_UNIX_SECONDS;
    use kubestep::sim::SimTime;
    let at = |unix: u64| SimTime((unix - EPOCH_UNIX_SECONDS) * 1000);
    let t0 = EPOCH_UNIX_SECONDS + 100;
    let claims = IssuedToken {
        namespace: "default".into(),
        service_account: ClaimRef {
            name: "default".into(),
            uid: "sa-1".into(),
        },
        audiences: vec![SERVICE_ACCOUNT_ISSUER.into()],
        not_before: t0,
        expires: t0 + 600,
        id: "jti-1".into(),
        pod: Some(ClaimRef {
            name: "web".into(),
            uid: "pod-1".into(),
        }),
        secret: None,
        node: None,
    };
    let mut a = Authenticator::kubestep_default();
    a.add_issued_token("tok", claims.clone());
    let creds = RequestCredentials::bearer("tok");
    let cause = |a: &Authenticator, now: SimTime, pod: Option<LiveObject>| {
        let live = move |resource: &str, _ns: &str, name: &str| match (resource, name) {
            ("serviceaccounts", "default") => Some(LiveObject {
                uid: "sa-1".into(),
                deleted_at: None,
            }),
            ("pods", "web") => pod.clone(),
            _ => None,
        };
        a.authenticate_at(&creds, now, &live).map_err(|e| e.cause)
    };
    let web = |uid: &str, deleted_at: Option<u64>| {
        Some(LiveObject {
            uid: uid.into(),
            deleted_at,
        })
    };

    // Valid: the service account, with the credential id and the pod it is bound to.
    let who = cause(&a, at(t0 + 10), web("pod-1", None)).unwrap();
    assert_eq!(who.by, AuthenticatorKind::ServiceAccount);
    assert_eq!(who.user.name, "system:serviceaccount:default:default");
    assert_eq!(who.user.uid, "sa-1");
    assert_eq!(
        who.user.groups,
        [
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated"
        ]
    );
    assert_eq!(
        who.user.extra["authentication.kubernetes.io/credential-id"],
        ["JTI=jti-1"]
    );
    assert_eq!(
        who.user.extra["authentication.kubernetes.io/pod-name"],
        ["web"]
    );

    // Times, with a minute of leeway either side.
    let deadline = t0 + 600 + TOKEN_LEEWAY_SECONDS;
    assert!(cause(&a, at(deadline), web("pod-1", None)).is_ok());
    assert_eq!(
        cause(&a, at(deadline + 1), web("pod-1", None)).unwrap_err(),
        "service account token has expired"
    );
    assert_eq!(
        cause(&a, at(t0 - TOKEN_LEEWAY_SECONDS - 1), web("pod-1", None)).unwrap_err(),
        "service account token is not valid yet"
    );

    // The bound pod: gone, recreated, or deleted more than the leeway ago.
    assert_eq!(
        cause(&a, at(t0 + 10), None).unwrap_err(),
        "pod \"web\" not found"
    );
    assert_eq!(
        cause(&a, at(t0 + 10), web("pod-2", None)).unwrap_err(),
        "pod UID (pod-2) does not match claim (pod-1)"
    );
    assert!(cause(&a, at(t0 + 100), web("pod-1", Some(t0 + 50))).is_ok());
    assert_eq!(
        cause(&a, at(t0 + 200), web("pod-1", Some(t0 + 50))).unwrap_err(),
        "pod default/web has been deleted"
    );

    // An audience other than the API server's.
    let mut other = Authenticator::kubestep_default();
    other.add_issued_token(
        "tok",
        IssuedToken {
            audiences: vec!["vault".into()],
            ..claims
        },
    );
    assert_eq!(
        cause(&other, at(t0 + 10), web("pod-1", None)).unwrap_err(),
        "token audiences [\"vault\"] is invalid for the target audiences [\"https://kubernetes.default.svc.cluster.local\"]"
    );

    // Without a clock and the objects, an issued token cannot be checked: refused.
    assert!(a.authenticate(&creds).is_err());
}
