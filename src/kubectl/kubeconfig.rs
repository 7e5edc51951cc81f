//! The kubeconfig the cluster comes with (`/root/.kube/config` on the control-plane node, as
//! kubeadm's `admin.conf` plus a second user): one cluster, the `kubernetes-admin` user with a
//! client certificate (group `kubeadm:cluster-admins`, which kubeadm binds to cluster-admin),
//! and `jane` with a bearer token bound only to the `developer` Role in `default`.

use serde_json::{json, Value};

use crate::apiserver::authn::JANE_TOKEN;

/// Where kubectl reads it from.
pub const PATH: &str = "/root/.kube/config";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub cluster: String,
    pub user: String,
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserAuth {
    /// A client certificate: CN and O of the subject.
    Certificate {
        common_name: String,
        organizations: Vec<String>,
    },
    Token(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub auth: UserAuth,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kubeconfig {
    pub server: String,
    pub cluster: String,
    pub contexts: Vec<Context>,
    pub users: Vec<User>,
    pub current_context: String,
}

impl Default for Kubeconfig {
    fn default() -> Kubeconfig {
        Kubeconfig {
            server: super::logging::SERVER.to_string(),
            cluster: "kubernetes".into(),
            contexts: vec![
                Context {
                    name: "jane@kubernetes".into(),
                    cluster: "kubernetes".into(),
                    user: "jane".into(),
                    namespace: None,
                },
                Context {
                    name: "kubernetes-admin@kubernetes".into(),
                    cluster: "kubernetes".into(),
                    user: "kubernetes-admin".into(),
                    namespace: None,
                },
            ],
            users: vec![
                User {
                    name: "jane".into(),
                    auth: UserAuth::Token(JANE_TOKEN.to_string()),
                },
                User {
                    name: "kubernetes-admin".into(),
                    auth: UserAuth::Certificate {
                        common_name: "kubernetes-admin".into(),
                        organizations: vec!["kubeadm:cluster-admins".into()],
                    },
                },
            ],
            current_context: "kubernetes-admin@kubernetes".into(),
        }
    }
}

impl Kubeconfig {
    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == name)
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The kubeconfig as `kubectl config view` shows it (secrets redacted unless `raw`), as a
    /// JSON value in the field order `clientcmdapi/v1.Config` marshals.
    pub fn view(&self, raw: bool, minify: bool) -> Value {
        let current = self.context(&self.current_context);
        let contexts: Vec<Value> = self
            .contexts
            .iter()
            .filter(|c| !minify || Some(*c) == current)
            .map(|c| {
                let mut ctx = json!({"cluster": c.cluster});
                if let Some(ns) = &c.namespace {
                    ctx["namespace"] = json!(ns);
                }
                ctx["user"] = json!(c.user);
                json!({"context": ctx, "name": c.name})
            })
            .collect();
        let users: Vec<Value> = self
            .users
            .iter()
            .filter(|u| !minify || current.is_some_and(|c| c.user == u.name))
            .map(|u| {
                let user = match &u.auth {
                    UserAuth::Certificate { common_name, .. } => {
                        if raw {
                            json!({
                                "client-certificate-data": pem_data("CERTIFICATE", common_name),
                                "client-key-data": pem_data("RSA PRIVATE KEY", common_name),
                            })
                        } else {
                            json!({
                                "client-certificate-data": "DATA+OMITTED",
                                "client-key-data": "DATA+OMITTED",
                            })
                        }
                    }
                    UserAuth::Token(t) => {
                        json!({"token": if raw { t.as_str() } else { "REDACTED" }})
                    }
                };
                json!({"name": u.name, "user": user})
            })
            .collect();
        let ca = if raw {
            json!(pem_data("CERTIFICATE", "kubernetes"))
        } else {
            json!("DATA+OMITTED")
        };
        json!({
            "apiVersion": "v1",
            "clusters": [{
                "cluster": {"certificate-authority-data": ca, "server": self.server},
                "name": self.cluster,
            }],
            "contexts": contexts,
            "current-context": self.current_context,
            "kind": "Config",
            "preferences": {},
            "users": users,
        })
    }
}

/// A stand-in for base64 PEM data: kubestep's cluster has no real keys, so `--raw` shows a
/// clearly simulated value of the right shape.
fn pem_data(kind: &str, subject: &str) -> String {
    use base64::Engine;
    let pem = format!(
        "-----BEGIN {kind}-----\nkubestep simulated {kind} for {subject}\n-----END {kind}-----\n"
    );
    base64::engine::general_purpose::STANDARD.encode(pem)
}
