//! Authorization: may this user do this verb on this resource (RBAC, the Node authorizer, bootstrap policy).
//!
//! kube-apiserver as kubeadm configures it (`--authorization-mode=Node,RBAC`) builds the chain
//! in `pkg/kubeapiserver/authorizer/config.go`: first the privileged-group authorizer (members
//! of `system:masters` may do anything, with no reason), then Node, then RBAC, joined by
//! `union.New`: the first Allow or Deny wins; if every authorizer has no opinion the request is
//! forbidden, and the reasons they gave are joined with newlines into the 403's suffix.
//!
//! How the API server's handler chain uses this module and `authn`:
//!
//! ```
//! use kubestep::apiserver::authn::{Authenticator, RequestCredentials, JANE_TOKEN};
//! use kubestep::apiserver::authz::attributes::{resource_verb, Attributes};
//! use kubestep::apiserver::authz::bootstrap_policy::BootstrapPolicy;
//! use kubestep::apiserver::authz::node::{NodeAuthorizer, NodeGraph};
//! use kubestep::apiserver::authz::Authorizer;
//!
//! // Stage "authentication": 401 Unauthorized on Err.
//! let authn = Authenticator::kubestep_default();
//! let who = authn.authenticate(&RequestCredentials::bearer(JANE_TOKEN)).unwrap();
//! assert_eq!(who.by.name(), "token-file");
//!
//! // Stage "authorization": the RBAC objects and pods come from the API server's caches.
//! let policy = BootstrapPolicy::kubestep();
//! let node = NodeAuthorizer::new(NodeGraph::build(&[], &[], &[]));
//! let authz = Authorizer::new(Some(&node), policy.rbac());
//! let verb = resource_verb("POST", false, None).unwrap();
//! let attrs = Attributes::resource(&who.user, verb, "kube-system", "", "pods", "", "");
//! let status = authz.authorize_request(&attrs).unwrap_err(); // the 403 body
//! assert_eq!(
//!     status["message"],
//!     r#"pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "kube-system""#
//! );
//! ```

pub mod attributes;
pub mod bootstrap_policy;
pub mod node;
pub mod rbac;
pub mod subject_access_review;

use attributes::Attributes;
use node::NodeAuthorizer;
use rbac::RbacAuthorizer;

use crate::apiserver::authn::{aggregate_messages, UserInfo, SYSTEM_PRIVILEGED_GROUP};

/// `authorizer.Decision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
    NoOpinion,
}

/// The authorizer of the chain that decided (for the trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizerName {
    /// `authorizerfactory.NewPrivilegedGroups(system:masters)`.
    PrivilegedGroups,
    Node,
    Rbac,
}

impl AuthorizerName {
    pub fn name(self) -> &'static str {
        match self {
            AuthorizerName::PrivilegedGroups => "system:masters",
            AuthorizerName::Node => "Node",
            AuthorizerName::Rbac => "RBAC",
        }
    }
}

/// What the union authorizer answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub decision: Decision,
    /// For Allow/Deny, the deciding authorizer's reason; for NoOpinion, all reasons joined by
    /// `\n`.
    pub reason: String,
    /// The aggregated evaluation error (`SubjectAccessReview.status.evaluationError`); the
    /// in-tree authorizers report resolution problems as reasons, so this stays empty.
    pub evaluation_error: String,
    /// Who decided, `None` when nobody had an opinion.
    pub decided_by: Option<AuthorizerName>,
}

impl Authorization {
    pub fn allowed(&self) -> bool {
        self.decision == Decision::Allow
    }
}

/// What [`Authorizer::rules_for`] finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesForResult {
    /// Rules with resources (their non-resource URLs, if any, are ignored).
    pub resource_rules: Vec<rbac::PolicyRule>,
    /// Rules with non-resource URLs.
    pub non_resource_rules: Vec<rbac::PolicyRule>,
    pub incomplete: bool,
    pub evaluation_error: String,
}

/// kube-apiserver's authorizer chain over the API server's caches.
#[derive(Clone, Debug)]
pub struct Authorizer<'a> {
    /// `None` if the Node mode is not configured.
    pub node: Option<&'a NodeAuthorizer>,
    pub rbac: RbacAuthorizer<'a>,
}

impl<'a> Authorizer<'a> {
    pub fn new(node: Option<&'a NodeAuthorizer>, rbac: RbacAuthorizer<'a>) -> Authorizer<'a> {
        Authorizer { node, rbac }
    }

    /// `union.unionAuthzHandler.Authorize` over [system:masters, Node, RBAC].
    pub fn authorize(&self, a: &Attributes) -> Authorization {
        if a.user.in_group(SYSTEM_PRIVILEGED_GROUP) {
            return Authorization {
                decision: Decision::Allow,
                reason: String::new(),
                evaluation_error: String::new(),
                decided_by: Some(AuthorizerName::PrivilegedGroups),
            };
        }
        let mut reasons: Vec<String> = Vec::new();
        if let Some(node) = self.node {
            let (decision, reason) = node.authorize(a);
            if decision != Decision::NoOpinion {
                return Authorization {
                    decision,
                    reason,
                    evaluation_error: String::new(),
                    decided_by: Some(AuthorizerName::Node),
                };
            }
            if !reason.is_empty() {
                reasons.push(reason);
            }
        }
        let r = self.rbac.authorize(a);
        if r.decision != Decision::NoOpinion {
            return Authorization {
                decision: r.decision,
                reason: r.reason,
                evaluation_error: String::new(),
                decided_by: Some(AuthorizerName::Rbac),
            };
        }
        if !r.reason.is_empty() {
            reasons.push(r.reason);
        }
        Authorization {
            decision: Decision::NoOpinion,
            reason: reasons.join("\n"),
            evaluation_error: String::new(),
            decided_by: None,
        }
    }

    /// `union.unionAuthzRulesHandler.RulesFor` over [Node, RBAC] (the privileged-group
    /// authorizer resolves no rules): the rules `user` has in `namespace`, whether the list is
    /// incomplete (kubelets: the Node authorizer cannot enumerate its graph), and the
    /// aggregated evaluation error.
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> RulesForResult {
        let mut errors = Vec::new();
        let mut incomplete = false;
        if self.node.is_some() && node::node_identity(user).1 {
            incomplete = true;
            errors.push("node authorizer does not support user rule resolution".to_string());
        }
        let (rules, rbac_errors) = self.rbac.rules_for(user, namespace);
        // Nested aggregates print flattened.
        errors.extend(rbac_errors);
        RulesForResult {
            resource_rules: rules
                .iter()
                .filter(|r| !r.resources.is_empty())
                .cloned()
                .collect(),
            non_resource_rules: rules
                .iter()
                .filter(|r| !r.non_resource_urls.is_empty())
                .cloned()
                .collect(),
            incomplete,
            evaluation_error: aggregate_messages(&errors),
        }
    }

    /// Authorize, and for a refusal the 403 Status body the API server answers with
    /// (`responsewriters.Forbidden`).
    pub fn authorize_request(&self, a: &Attributes) -> Result<Authorization, serde_json::Value> {
        let decision = self.authorize(a);
        if decision.allowed() {
            Ok(decision)
        } else {
            Err(a.forbidden_status(&decision.reason))
        }
    }
}
