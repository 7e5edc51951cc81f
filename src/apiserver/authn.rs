//! Authentication: who is making the request (bearer tokens, client certificates, component identities).
//!
//! Mirrors kube-apiserver's authenticator chain (`pkg/kubeapiserver/authenticator/config.go`):
//! x509 client certificates, then bearer tokens (the static token file, then service account
//! tokens), all wrapped by `group.AuthenticatedGroupAdder` (which adds `system:authenticated`),
//! and finally the anonymous authenticator, joined with `union.NewFailOnError`: a request that
//! carries *no* credentials becomes `system:anonymous`, but a request that carries *bad*
//! credentials is rejected with 401 `Unauthorized`, never downgraded to anonymous.
//!
//! The TLS layer is simulated: it hands over the verified client certificate's subject (CN and
//! O values) and the common name of the CA that issued it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::sim::SimTime;

/// `user.AllAuthenticated`.
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
/// `user.AllUnauthenticated`.
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// `user.Anonymous`.
pub const ANONYMOUS: &str = "system:anonymous";
/// `user.SystemPrivilegedGroup`: the group every authorizer chain lets do anything.
pub const SYSTEM_PRIVILEGED_GROUP: &str = "system:masters";
/// `user.NodesGroup`.
pub const NODES_GROUP: &str = "system:nodes";
/// `user.KubeScheduler`.
pub const KUBE_SCHEDULER: &str = "system:kube-scheduler";
/// `user.KubeControllerManager`.
pub const KUBE_CONTROLLER_MANAGER: &str = "system:kube-controller-manager";
/// `user.KubeProxy`.
pub const KUBE_PROXY: &str = "system:kube-proxy";
/// The user name prefix of kubelets (`nodeidentifier`'s `system:node:`).
pub const NODE_USER_PREFIX: &str = "system:node:";
/// `serviceaccount.ServiceAccountUsernamePrefix`.
pub const SERVICE_ACCOUNT_USERNAME_PREFIX: &str = "system:serviceaccount:";
/// `serviceaccount.AllServiceAccountsGroup`.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// kubeadm's `ClusterAdminsGroupAndClusterRoleBinding` (1.29+): the O of admin.conf's
/// certificate and the name of the ClusterRoleBinding that binds it to `cluster-admin`.
pub const KUBEADM_CLUSTER_ADMINS_GROUP: &str = "kubeadm:cluster-admins";
/// The common name of kubeadm's cluster CA (`/etc/kubernetes/pki/ca.crt`).
pub const KUBEADM_CA_COMMON_NAME: &str = "kubernetes";
/// The message of the 401 Status the API server answers for rejected credentials
/// (`filters.Unauthorized` → `apierrors.NewUnauthorized("Unauthorized")`).
pub const UNAUTHORIZED_MESSAGE: &str = "Unauthorized";

/// `user.Info`: the identity a request is made as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// A user with a name and groups, no uid and no extra.
    pub fn new(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.to_string(),
            uid: String::new(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            extra: BTreeMap::new(),
        }
    }

    /// The identity a service account token authenticates as (`serviceaccount.UserInfo`):
    /// `system:serviceaccount:<ns>:<name>` in `system:serviceaccounts` and
    /// `system:serviceaccounts:<ns>`.
    pub fn service_account(namespace: &str, name: &str, uid: &str) -> UserInfo {
        UserInfo {
            name: service_account_username(namespace, name),
            uid: uid.to_string(),
            groups: vec![
                ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
                format!("{ALL_SERVICE_ACCOUNTS_GROUP}:{namespace}"),
            ],
            extra: BTreeMap::new(),
        }
    }

    /// The anonymous user (`anonymous.NewAuthenticator`).
    pub fn anonymous() -> UserInfo {
        UserInfo::new(ANONYMOUS, &[ALL_UNAUTHENTICATED])
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// The `user` field of a TokenReview / SelfSubjectReview status (`authentication/v1.UserInfo`).
    pub fn to_json(&self) -> Value {
        let mut user = serde_json::Map::new();
        user.insert("username".into(), json!(self.name));
        if !self.uid.is_empty() {
            user.insert("uid".into(), json!(self.uid));
        }
        if !self.groups.is_empty() {
            user.insert("groups".into(), json!(self.groups));
        }
        if !self.extra.is_empty() {
            user.insert("extra".into(), json!(self.extra));
        }
        Value::Object(user)
    }
}

/// `serviceaccount.MakeUsername`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_USERNAME_PREFIX}{namespace}:{name}")
}

/// `serviceaccount.SplitUsername`: the namespace and name of a service account user name.
pub fn split_service_account_username(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_USERNAME_PREFIX)?;
    let (namespace, name) = rest.split_once(':')?;
    if namespace.is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some((namespace, name))
}

/// What a bound service account token (a projected token) records of its holder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoundTokenInfo {
    /// The token's `jti` claim.
    pub credential_id: String,
    pub pod_name: String,
    pub pod_uid: String,
    pub node_name: String,
    pub node_uid: String,
}

impl BoundTokenInfo {
    /// The `extra` of the user (`serviceaccount.ServiceAccountInfo.UserInfo`), empty values left out.
    pub fn extra(&self) -> BTreeMap<String, Vec<String>> {
        let mut extra = BTreeMap::new();
        let mut put = |key: &str, value: String| {
            if !value.is_empty() {
                extra.insert(format!("authentication.kubernetes.io/{key}"), vec![value]);
            }
        };
        if !self.credential_id.is_empty() {
            put("credential-id", format!("JTI={}", self.credential_id));
        }
        put("node-name", self.node_name.clone());
        put("node-uid", self.node_uid.clone());
        put("pod-name", self.pod_name.clone());
        put("pod-uid", self.pod_uid.clone());
        extra
    }
}

/// The SelfSubjectReview `kubectl auth whoami` creates, answered for `user`
/// (`POST /apis/authentication.k8s.io/v1/selfsubjectreviews`, `selfsubjectreview/rest.go`):
/// a new object stamped with the time it was made, never stored.
pub fn self_subject_review(user: &UserInfo, now: SimTime) -> Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": now.rfc3339()},
        "status": {"userInfo": user.to_json()}
    })
}

/// A name and uid in a token's `kubernetes.io` claim (`serviceaccount.ref`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimRef {
    pub name: String,
    pub uid: String,
}

/// The kinds of object a TokenRequest may bind a token to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundKind {
    Pod,
    Secret,
    Node,
}

impl BoundKind {
    pub fn from_kind(kind: &str) -> Option<BoundKind> {
        match kind {
            "Pod" => Some(BoundKind::Pod),
            "Secret" => Some(BoundKind::Secret),
            "Node" => Some(BoundKind::Node),
            _ => None,
        }
    }

    /// `pods`, `secrets`, `nodes`: the resource the claim names.
    pub fn resource(self) -> &'static str {
        match self {
            BoundKind::Pod => "pods",
            BoundKind::Secret => "secrets",
            BoundKind::Node => "nodes",
        }
    }
}

/// The claims of a token the TokenRequest API issued (`serviceaccount.Claims`: the public JWT
/// claims and the private `kubernetes.io` claim), checked again each time the token is used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssuedToken {
    pub namespace: String,
    pub service_account: ClaimRef,
    /// `aud`.
    pub audiences: Vec<String>,
    /// `nbf` and `exp`, Unix seconds.
    pub not_before: u64,
    pub expires: u64,
    /// `jti`.
    pub id: String,
    pub pod: Option<ClaimRef>,
    pub secret: Option<ClaimRef>,
    /// The node of a pod-bound token, or the node a token is bound to.
    pub node: Option<ClaimRef>,
}

impl IssuedToken {
    /// The user the token authenticates as (`ServiceAccountInfo.UserInfo`): the service
    /// account, with the credential id and the pod and node it is bound to in `extra`.
    pub fn user(&self) -> UserInfo {
        let mut user = UserInfo::service_account(
            &self.namespace,
            &self.service_account.name,
            &self.service_account.uid,
        );
        let binding = BoundTokenInfo {
            credential_id: self.id.clone(),
            pod_name: self
                .pod
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            pod_uid: self.pod.as_ref().map(|p| p.uid.clone()).unwrap_or_default(),
            node_name: self
                .node
                .as_ref()
                .map(|n| n.name.clone())
                .unwrap_or_default(),
            node_uid: self
                .node
                .as_ref()
                .map(|n| n.uid.clone())
                .unwrap_or_default(),
        };
        user.extra = binding.extra();
        user
    }
}

/// `jwt.DefaultLeeway`: how far past `exp` (and before `nbf`) a token is still accepted, and
/// how long an object may have been deleted before its tokens stop working.
pub const TOKEN_LEEWAY_SECONDS: u64 = 60;

/// What the service account token validator reads of an object a token names: its uid and,
/// while it is being deleted, its `deletionTimestamp` (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveObject {
    pub uid: String,
    pub deleted_at: Option<u64>,
}

/// How the validator finds the objects a token names (the API server's caches):
/// `(resource, namespace, name)`, namespace empty for nodes.
pub type ObjectLookup<'a> = dyn Fn(&str, &str, &str) -> Option<LiveObject> + 'a;

/// What the (simulated) TLS layer knows of a verified client certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClientCertificate {
    /// Subject CN: becomes the user name.
    pub common_name: String,
    /// Subject O values: become the groups.
    pub organizations: Vec<String>,
    /// CN of the CA that signed the certificate; only the cluster CA is trusted.
    pub issuer_common_name: String,
}

impl ClientCertificate {
    /// A certificate signed by kubeadm's cluster CA.
    pub fn signed_by_cluster_ca(common_name: &str, organizations: &[&str]) -> ClientCertificate {
        ClientCertificate {
            common_name: common_name.to_string(),
            organizations: organizations.iter().map(|o| o.to_string()).collect(),
            issuer_common_name: KUBEADM_CA_COMMON_NAME.to_string(),
        }
    }

    /// `/etc/kubernetes/admin.conf` (kubeadm 1.29+): `CN=kubernetes-admin, O=kubeadm:cluster-admins`,
    /// which is cluster-admin only through the `kubeadm:cluster-admins` ClusterRoleBinding.
    pub fn kubeadm_admin() -> ClientCertificate {
        Self::signed_by_cluster_ca("kubernetes-admin", &[KUBEADM_CLUSTER_ADMINS_GROUP])
    }

    /// `/etc/kubernetes/super-admin.conf`: `CN=kubernetes-super-admin, O=system:masters`,
    /// which bypasses RBAC entirely.
    pub fn kubeadm_super_admin() -> ClientCertificate {
        Self::signed_by_cluster_ca("kubernetes-super-admin", &[SYSTEM_PRIVILEGED_GROUP])
    }

    /// `/etc/kubernetes/scheduler.conf`: `CN=system:kube-scheduler`.
    pub fn kube_scheduler() -> ClientCertificate {
        Self::signed_by_cluster_ca(KUBE_SCHEDULER, &[])
    }

    /// `/etc/kubernetes/controller-manager.conf`: `CN=system:kube-controller-manager`.
    pub fn kube_controller_manager() -> ClientCertificate {
        Self::signed_by_cluster_ca(KUBE_CONTROLLER_MANAGER, &[])
    }

    /// A kubelet's client certificate (`/var/lib/kubelet/pki/kubelet-client-current.pem`):
    /// `CN=system:node:<name>, O=system:nodes`.
    pub fn kubelet(node_name: &str) -> ClientCertificate {
        Self::signed_by_cluster_ca(&format!("{NODE_USER_PREFIX}{node_name}"), &[NODES_GROUP])
    }
}

/// The credentials a request carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestCredentials {
    /// The verified client certificate of the TLS connection, if the client presented one.
    pub client_certificate: Option<ClientCertificate>,
    /// The raw `Authorization` header value, e.g. `Bearer abc.def`.
    pub authorization: Option<String>,
}

impl RequestCredentials {
    pub fn none() -> RequestCredentials {
        RequestCredentials::default()
    }

    pub fn certificate(cert: ClientCertificate) -> RequestCredentials {
        RequestCredentials {
            client_certificate: Some(cert),
            authorization: None,
        }
    }

    pub fn bearer(token: &str) -> RequestCredentials {
        RequestCredentials {
            client_certificate: None,
            authorization: Some(format!("Bearer {token}")),
        }
    }
}

/// Which authenticator of the chain accepted the request (for the trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthenticatorKind {
    /// `x509.Authenticator` with `CommonNameUserConversion`.
    X509,
    /// `tokenfile.TokenAuthenticator` (`--token-auth-file`).
    TokenFile,
    /// The service account token authenticator (`serviceaccount.JWTTokenAuthenticator`).
    ServiceAccount,
    /// `anonymous.NewAuthenticator`.
    Anonymous,
}

impl AuthenticatorKind {
    pub fn name(self) -> &'static str {
        match self {
            AuthenticatorKind::X509 => "x509",
            AuthenticatorKind::TokenFile => "token-file",
            AuthenticatorKind::ServiceAccount => "serviceaccount",
            AuthenticatorKind::Anonymous => "anonymous",
        }
    }
}

/// A successful authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub user: UserInfo,
    pub by: AuthenticatorKind,
}

/// A rejected request: always answered with 401 `Unauthorized`; `cause` is what kube-apiserver
/// logs ("Unable to authenticate the request due to an error"), never shown to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthnError {
    pub cause: String,
}

impl AuthnError {
    /// The 401 `metav1.Status` body (`apierrors.NewUnauthorized("Unauthorized")`).
    pub fn status(&self) -> Value {
        unauthorized_status()
    }
}

/// The 401 `metav1.Status` the API server answers for rejected credentials.
pub fn unauthorized_status() -> Value {
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": UNAUTHORIZED_MESSAGE,
        "reason": "Unauthorized",
        "code": 401
    })
}

/// kube-apiserver's authenticator chain, configured as a kubeadm cluster's.
#[derive(Clone, Debug)]
pub struct Authenticator {
    /// CN of the CA trusted for client certificates (`--client-ca-file`).
    pub client_ca_common_name: String,
    /// `--token-auth-file`: token → user.
    pub static_tokens: BTreeMap<String, UserInfo>,
    /// Service account tokens handed out at cluster start-up: token → service account
    /// identity (legacy tokens, valid as long as the cluster runs).
    pub service_account_tokens: BTreeMap<String, UserInfo>,
    /// Tokens the TokenRequest API issued, with their claims. A real server verifies the JWT's
    /// RS256 signature; kubestep's tokens carry a simulated one, so the server recognises the
    /// tokens it issued by their exact text and checks their claims as the real validator does.
    pub issued_tokens: BTreeMap<String, IssuedToken>,
    /// `--api-audiences` (kubeadm leaves it to default to `--service-account-issuer`): a
    /// token must name one of them in `aud`.
    pub api_audiences: Vec<String>,
    /// `--anonymous-auth` (kube-apiserver's default, which kubeadm keeps: true).
    pub anonymous: bool,
}

/// kubeadm's `--service-account-issuer`: the `iss` of the tokens the API server issues, and
/// (through `--api-audiences`' default) the audience they must name to authenticate to it.
pub const SERVICE_ACCOUNT_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// jane's bearer token in the default token table.
pub const JANE_TOKEN: &str = "jane-4f1c0d2e9a7b6358";
/// jane's uid in the default token table.
pub const JANE_UID: &str = "1001";
/// The admin's bearer token in the default token table: `kubernetes-admin` in
/// `kubeadm:cluster-admins`, the identity of kubeadm's admin.conf certificate, for clients that
/// cannot present a certificate (the real kubectl against `kubestep serve`, which speaks plain
/// HTTP).
pub const ADMIN_TOKEN: &str = "kubernetes-admin-9d3b7e0c41a2f865";
/// The admin's uid in the default token table.
pub const ADMIN_UID: &str = "1000";

impl Authenticator {
    /// A chain that trusts the kubeadm cluster CA, with no tokens and anonymous auth on.
    pub fn new() -> Authenticator {
        Authenticator {
            client_ca_common_name: KUBEADM_CA_COMMON_NAME.to_string(),
            static_tokens: BTreeMap::new(),
            service_account_tokens: BTreeMap::new(),
            issued_tokens: BTreeMap::new(),
            api_audiences: vec![SERVICE_ACCOUNT_ISSUER.to_string()],
            anonymous: true,
        }
    }

    /// kubestep's cluster: the kubeadm CA, and in the static token table the learner user
    /// `jane` and the admin (the user of kubeadm's admin.conf, for clients without a
    /// certificate).
    pub fn kubestep_default() -> Authenticator {
        let mut a = Authenticator::new();
        a.add_static_token(
            ADMIN_TOKEN,
            UserInfo {
                uid: ADMIN_UID.into(),
                ..UserInfo::new("kubernetes-admin", &[KUBEADM_CLUSTER_ADMINS_GROUP])
            },
        );
        a.add_static_token(
            JANE_TOKEN,
            UserInfo {
                uid: JANE_UID.into(),
                ..UserInfo::new("jane", &[])
            },
        );
        a
    }

    /// A line of the token file: `token,user,uid,"group1,group2"`.
    pub fn add_static_token(&mut self, token: &str, user: UserInfo) {
        self.static_tokens.insert(token.to_string(), user);
    }

    /// Record a token issued for a service account (by the token controller or TokenRequest).
    pub fn add_service_account_token(
        &mut self,
        token: &str,
        namespace: &str,
        name: &str,
        uid: &str,
    ) {
        self.service_account_tokens.insert(
            token.to_string(),
            UserInfo::service_account(namespace, name, uid),
        );
    }

    /// Record a token bound to a pod (TokenRequest from the kubelet), whose user carries the
    /// pod and node in `extra` the way the service account authenticator of 1.33 reports them.
    pub fn add_bound_service_account_token(
        &mut self,
        token: &str,
        namespace: &str,
        name: &str,
        uid: &str,
        binding: &BoundTokenInfo,
    ) {
        let mut user = UserInfo::service_account(namespace, name, uid);
        user.extra = binding.extra();
        self.service_account_tokens.insert(token.to_string(), user);
    }

    /// Forget a service account token (its Secret or ServiceAccount was deleted).
    pub fn remove_service_account_token(&mut self, token: &str) {
        self.service_account_tokens.remove(token);
    }

    /// Record a token the TokenRequest API issued.
    pub fn add_issued_token(&mut self, token: &str, claims: IssuedToken) {
        self.issued_tokens.insert(token.to_string(), claims);
    }

    /// Run the chain over a request's credentials, with no clock and no objects to check
    /// issued tokens against: they are refused (see [`Authenticator::authenticate_at`]).
    pub fn authenticate(&self, creds: &RequestCredentials) -> Result<Authenticated, AuthnError> {
        self.authenticate_at(creds, SimTime::ZERO, &|_, _, _| None)
    }

    /// Run the chain over a request's credentials at `now`: tokens the TokenRequest API
    /// issued are checked against the clock (`exp`, `nbf`) and against the objects they name,
    /// which `lookup` finds.
    pub fn authenticate_at(
        &self,
        creds: &RequestCredentials,
        now: SimTime,
        lookup: &ObjectLookup<'_>,
    ) -> Result<Authenticated, AuthnError> {
        match self.authenticate_credentials(creds, now, lookup)? {
            Some((user, by)) => Ok(Authenticated {
                user: add_authenticated_group(user),
                by,
            }),
            None if self.anonymous => Ok(Authenticated {
                user: UserInfo::anonymous(),
                by: AuthenticatorKind::Anonymous,
            }),
            None => Err(AuthnError {
                cause: "no credentials".into(),
            }),
        }
    }

    /// The union of x509 and bearer token authenticators: `Ok(None)` when the request carries
    /// no credentials at all.
    fn authenticate_credentials(
        &self,
        creds: &RequestCredentials,
        now: SimTime,
        lookup: &ObjectLookup<'_>,
    ) -> Result<Option<(UserInfo, AuthenticatorKind)>, AuthnError> {
        let mut errors = Vec::new();
        if let Some(cert) = &creds.client_certificate {
            match self.authenticate_x509(cert) {
                Ok(Some(user)) => return Ok(Some((user, AuthenticatorKind::X509))),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if let Some(header) = &creds.authorization {
            match self.authenticate_bearer(header, now, lookup) {
                Ok(Some(found)) => return Ok(Some(found)),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(None)
        } else {
            Err(AuthnError {
                cause: aggregate_messages(&errors),
            })
        }
    }

    /// `x509.Authenticator`: verify the chain, then `CommonNameUserConversion`.
    fn authenticate_x509(&self, cert: &ClientCertificate) -> Result<Option<UserInfo>, String> {
        if cert.issuer_common_name != self.client_ca_common_name {
            return Err(format!(
                "verifying certificate with subject CN={} failed: x509: certificate signed by unknown authority",
                cert.common_name
            ));
        }
        if cert.common_name.is_empty() {
            // CommonNameUserConversion: no CN, no user; other authenticators may still accept.
            return Ok(None);
        }
        Ok(Some(UserInfo {
            name: cert.common_name.clone(),
            uid: String::new(),
            groups: cert.organizations.clone(),
            extra: BTreeMap::new(),
        }))
    }

    /// `bearertoken.Authenticator` over the union of the token file and service account tokens.
    fn authenticate_bearer(
        &self,
        header: &str,
        now: SimTime,
        lookup: &ObjectLookup<'_>,
    ) -> Result<Option<(UserInfo, AuthenticatorKind)>, String> {
        let header = header.trim();
        if header.is_empty() {
            return Ok(None);
        }
        let parts: Vec<&str> = header.splitn(3, ' ').collect();
        if parts.len() < 2 || !parts[0].eq_ignore_ascii_case("bearer") {
            return Ok(None);
        }
        let token = parts[1];
        if token.is_empty() {
            // "Bearer  token" (two spaces): an empty token is no token.
            return Ok(None);
        }
        if let Some(user) = self.static_tokens.get(token) {
            return Ok(Some((user.clone(), AuthenticatorKind::TokenFile)));
        }
        if let Some(user) = self.service_account_tokens.get(token) {
            return Ok(Some((user.clone(), AuthenticatorKind::ServiceAccount)));
        }
        if let Some(claims) = self.issued_tokens.get(token) {
            self.validate_issued(claims, now, lookup)?;
            return Ok(Some((claims.user(), AuthenticatorKind::ServiceAccount)));
        }
        // The bearer token authenticator turns "no authenticator accepted it" into an error,
        // which is why a wrong token gets 401 instead of falling back to anonymous.
        Err("invalid bearer token".to_string())
    }
}

impl Authenticator {
    /// The JWT authenticator's audience check and `serviceaccount.validator.Validate`: the
    /// token must name one of the API server's audiences, be within its validity (with
    /// [`TOKEN_LEEWAY_SECONDS`] of leeway), and every object it names must still exist with the
    /// same uid (deleted less than the leeway ago at most). The errors are what kube-apiserver
    /// logs; the client only ever sees 401.
    fn validate_issued(
        &self,
        claims: &IssuedToken,
        now: SimTime,
        lookup: &ObjectLookup<'_>,
    ) -> Result<(), String> {
        if !claims
            .audiences
            .iter()
            .any(|a| self.api_audiences.contains(a))
        {
            return Err(format!(
                "token audiences {} is invalid for the target audiences {}",
                go_string_slice(&claims.audiences),
                go_string_slice(&self.api_audiences)
            ));
        }
        let t = now.unix_seconds();
        if t > claims.expires + TOKEN_LEEWAY_SECONDS {
            return Err("service account token has expired".into());
        }
        if t + TOKEN_LEEWAY_SECONDS < claims.not_before {
            return Err("service account token is not valid yet".into());
        }
        let invalid_if_deleted_before = t.saturating_sub(TOKEN_LEEWAY_SECONDS);
        let ns = claims.namespace.as_str();
        // `kind` is also the lister's resource in its NotFound text (`pod "web" not found`).
        let check = |resource: &str, kind: &str, namespace: &str, r: &ClaimRef| {
            let shown = if namespace.is_empty() {
                r.name.clone()
            } else {
                format!("{namespace}/{}", r.name)
            };
            let lister = kind.replace(' ', "");
            let live = lookup(resource, namespace, &r.name)
                .ok_or_else(|| format!("{lister} {} not found", go_quote(&r.name)))?;
            if live
                .deleted_at
                .is_some_and(|d| d < invalid_if_deleted_before)
            {
                return Err(format!("{kind} {shown} has been deleted"));
            }
            if live.uid != r.uid {
                return Err(format!(
                    "{kind} UID ({}) does not match claim ({})",
                    live.uid, r.uid
                ));
            }
            Ok(())
        };
        check(
            "serviceaccounts",
            "service account",
            ns,
            &claims.service_account,
        )?;
        if let Some(s) = &claims.secret {
            check("secrets", "secret", ns, s)?;
        }
        if let Some(p) = &claims.pod {
            check("pods", "pod", ns, p)?;
        }
        if let Some(n) = &claims.node {
            check("nodes", "node", "", n)?;
        }
        Ok(())
    }
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
fn go_string_slice(v: &[String]) -> String {
    let parts: Vec<String> = v.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", parts.join(" "))
}

impl Default for Authenticator {
    fn default() -> Self {
        Authenticator::new()
    }
}

/// `group.AuthenticatedGroupAdder`: every authenticated user (but `system:anonymous`) is in
/// `system:authenticated`, appended after its own groups.
fn add_authenticated_group(mut user: UserInfo) -> UserInfo {
    if user.name == ANONYMOUS
        || user.in_group(ALL_AUTHENTICATED)
        || user.in_group(ALL_UNAUTHENTICATED)
    {
        return user;
    }
    user.groups.push(ALL_AUTHENTICATED.to_string());
    user
}

/// `utilerrors.NewAggregate(errs).Error()`: one message as is, several deduplicated in brackets.
pub(crate) fn aggregate_messages(messages: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for m in messages {
        if !seen.contains(&m.as_str()) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].to_string(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_token_table_holds_jane_and_the_kubeadm_admin() {
        let a = Authenticator::kubestep_default();
        let admin = a
            .authenticate(&RequestCredentials::bearer(ADMIN_TOKEN))
            .expect("the admin token authenticates");
        assert_eq!(admin.by, AuthenticatorKind::TokenFile);
        assert_eq!(admin.user.name, "kubernetes-admin");
        assert_eq!(
            admin.user.groups,
            vec![KUBEADM_CLUSTER_ADMINS_GROUP, ALL_AUTHENTICATED]
        );
        let jane = a
            .authenticate(&RequestCredentials::bearer(JANE_TOKEN))
            .expect("jane's token authenticates");
        assert_eq!(jane.user.name, "jane");
        assert_eq!(jane.user.groups, vec![ALL_AUTHENTICATED]);
        assert!(a
            .authenticate(&RequestCredentials::bearer("kubernetes-admin"))
            .is_err());
    }
}
