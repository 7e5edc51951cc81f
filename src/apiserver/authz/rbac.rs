//! The RBAC authorizer (`plugin/pkg/auth/authorizer/rbac`): rule matching as `rbac/v1` defines
//! it, rule resolution through RoleBindings and ClusterRoleBindings
//! (`pkg/registry/rbac/validation.DefaultRuleResolver`), and the ClusterRole aggregation
//! controller (`pkg/controller/clusterroleaggregation`) as a pure function.
//!
//! Roles and bindings are the `rbac.authorization.k8s.io/v1` objects as JSON, the way the API
//! server's informer cache holds them; they have passed validation on write, so fields are read
//! leniently (a missing list is an empty list).

use serde_json::{json, Value};

use super::attributes::{quote, Attributes};
use super::Decision;
use crate::apiserver::authn::{aggregate_messages, service_account_username, UserInfo};

/// `rbacv1.VerbAll`, `rbacv1.APIGroupAll`, `rbacv1.ResourceAll`, `rbacv1.NonResourceAll`.
const ALL: &str = "*";

/// `rbacv1.PolicyRule`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn str_field<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

impl PolicyRule {
    pub fn from_json(v: &Value) -> PolicyRule {
        PolicyRule {
            verbs: strings(v, "verbs"),
            api_groups: strings(v, "apiGroups"),
            resources: strings(v, "resources"),
            resource_names: strings(v, "resourceNames"),
            non_resource_urls: strings(v, "nonResourceURLs"),
        }
    }

    /// The JSON form, fields in the order `kubectl get -o json` prints them, empty ones omitted.
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        if !self.api_groups.is_empty() {
            m.insert("apiGroups".into(), json!(self.api_groups));
        }
        if !self.non_resource_urls.is_empty() {
            m.insert("nonResourceURLs".into(), json!(self.non_resource_urls));
        }
        if !self.resource_names.is_empty() {
            m.insert("resourceNames".into(), json!(self.resource_names));
        }
        if !self.resources.is_empty() {
            m.insert("resources".into(), json!(self.resources));
        }
        m.insert("verbs".into(), json!(self.verbs));
        Value::Object(m)
    }

    /// `rbacv1helpers.VerbMatches`.
    pub fn verb_matches(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == ALL || v == verb)
    }

    /// `rbacv1helpers.APIGroupMatches`.
    pub fn api_group_matches(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| g == ALL || g == group)
    }

    /// `rbacv1helpers.ResourceMatches`: `*`, the exact `resource/subresource`, or `*/subresource`.
    pub fn resource_matches(&self, combined: &str, subresource: &str) -> bool {
        self.resources.iter().any(|r| {
            r == ALL
                || r == combined
                || (!subresource.is_empty()
                    && r.len() == subresource.len() + 2
                    && r.starts_with("*/")
                    && r.ends_with(subresource))
        })
    }

    /// `rbacv1helpers.ResourceNameMatches`: no names means every name.
    pub fn resource_name_matches(&self, name: &str) -> bool {
        self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == name)
    }

    /// `rbacv1helpers.NonResourceURLMatches`: `*`, exact, or a `prefix*`.
    pub fn non_resource_url_matches(&self, path: &str) -> bool {
        self.non_resource_urls.iter().any(|u| {
            u == ALL || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
        })
    }

    /// `rbac.RuleAllows`.
    pub fn allows(&self, a: &Attributes) -> bool {
        if a.resource_request {
            self.verb_matches(&a.verb)
                && self.api_group_matches(&a.api_group)
                && self.resource_matches(&a.combined_resource(), &a.subresource)
                && self.resource_name_matches(&a.name)
        } else {
            self.verb_matches(&a.verb) && self.non_resource_url_matches(&a.path)
        }
    }
}

/// `rbac.RulesAllow`.
pub fn rules_allow(a: &Attributes, rules: &[PolicyRule]) -> bool {
    rules.iter().any(|r| r.allows(a))
}

/// The rules of a Role or ClusterRole object.
pub fn rules_of(role: &Value) -> Vec<PolicyRule> {
    role.get("rules")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(PolicyRule::from_json).collect())
        .unwrap_or_default()
}

/// `rbacv1.Subject`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl Subject {
    fn from_json(v: &Value) -> Subject {
        Subject {
            kind: str_field(v, "/kind").to_string(),
            name: str_field(v, "/name").to_string(),
            namespace: str_field(v, "/namespace").to_string(),
        }
    }

    /// `appliesToUser`: a ServiceAccount subject without a namespace means the binding's.
    fn applies_to(&self, user: &UserInfo, binding_namespace: &str) -> bool {
        match self.kind.as_str() {
            "User" => user.name == self.name,
            "Group" => user.in_group(&self.name),
            "ServiceAccount" => {
                let ns = if self.namespace.is_empty() {
                    binding_namespace
                } else {
                    &self.namespace
                };
                !ns.is_empty() && user.name == service_account_username(ns, &self.name)
            }
            _ => false,
        }
    }

    /// `describeSubject`.
    fn describe(&self, binding_namespace: &str) -> String {
        if self.kind == "ServiceAccount" {
            let ns = if self.namespace.is_empty() {
                binding_namespace
            } else {
                &self.namespace
            };
            return format!("{} {}", self.kind, quote(&format!("{}/{}", self.name, ns)));
        }
        format!("{} {}", self.kind, quote(&self.name))
    }
}

/// The RBAC objects of the API server's cache. Bindings are visited in the order given: pass
/// them in etcd key order (sorted by namespace, then name) to stay deterministic; the real
/// informer cache lists them in no particular order, which only matters for which of several
/// granting bindings the allow reason names.
#[derive(Clone, Debug, Default)]
pub struct RbacAuthorizer<'a> {
    pub roles: Vec<&'a Value>,
    pub role_bindings: Vec<&'a Value>,
    pub cluster_roles: Vec<&'a Value>,
    pub cluster_role_bindings: Vec<&'a Value>,
}

/// Where a rule came from (`clusterRoleBindingDescriber` / `roleBindingDescriber`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSource {
    /// `ClusterRoleBinding "name"` or `RoleBinding "name/namespace"`.
    pub binding: String,
    pub role_kind: String,
    pub role_name: String,
    /// e.g. `Group "system:masters"`.
    pub subject: String,
}

impl std::fmt::Display for RuleSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} {} to {}",
            self.binding,
            self.role_kind,
            quote(&self.role_name),
            self.subject
        )
    }
}

/// `VisitRulesFor`'s visitor: (source, rule) for each rule, or an error; false stops the walk.
pub type RuleVisitor<'v> =
    dyn FnMut(Option<&RuleSource>, Option<&PolicyRule>, Option<&str>) -> bool + 'v;

/// Result of one authorizer in the chain: decision and reason (`authorizer.Authorize`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizerResult {
    pub decision: Decision,
    pub reason: String,
}

impl<'a> RbacAuthorizer<'a> {
    /// An authorizer over any collections of the four kinds (a `Vec<Value>`, the values of a
    /// `BTreeMap` keyed by etcd key, ...).
    pub fn new(
        roles: impl IntoIterator<Item = &'a Value>,
        role_bindings: impl IntoIterator<Item = &'a Value>,
        cluster_roles: impl IntoIterator<Item = &'a Value>,
        cluster_role_bindings: impl IntoIterator<Item = &'a Value>,
    ) -> RbacAuthorizer<'a> {
        RbacAuthorizer {
            roles: roles.into_iter().collect(),
            role_bindings: role_bindings.into_iter().collect(),
            cluster_roles: cluster_roles.into_iter().collect(),
            cluster_role_bindings: cluster_role_bindings.into_iter().collect(),
        }
    }

    fn find<'v>(objects: &[&'v Value], namespace: &str, name: &str) -> Option<&'v Value> {
        objects.iter().copied().find(|o| {
            str_field(o, "/metadata/name") == name
                && str_field(o, "/metadata/namespace") == namespace
        })
    }

    /// `GetRoleReferenceRules`, with the NotFound texts of the listers.
    fn role_reference_rules(
        &self,
        role_ref: &Value,
        binding_namespace: &str,
    ) -> Result<Vec<PolicyRule>, String> {
        let kind = str_field(role_ref, "/kind");
        let name = str_field(role_ref, "/name");
        match kind {
            "Role" => Self::find(&self.roles, binding_namespace, name)
                .map(rules_of)
                .ok_or_else(|| format!("role.rbac.authorization.k8s.io {} not found", quote(name))),
            "ClusterRole" => Self::find(&self.cluster_roles, "", name)
                .map(rules_of)
                .ok_or_else(|| {
                    format!(
                        "clusterrole.rbac.authorization.k8s.io {} not found",
                        quote(name)
                    )
                }),
            other => Err(format!("unsupported role reference kind: {}", quote(other))),
        }
    }

    /// `DefaultRuleResolver.VisitRulesFor`: ClusterRoleBindings first, then the RoleBindings of
    /// `namespace`. The visitor returns false to stop.
    pub fn visit_rules_for(&self, user: &UserInfo, namespace: &str, visitor: &mut RuleVisitor<'_>) {
        for crb in self.cluster_role_bindings.iter().copied() {
            let Some(subject) = applies_to(user, crb, "") else {
                continue;
            };
            let role_ref = crb.get("roleRef").unwrap_or(&Value::Null);
            match self.role_reference_rules(role_ref, "") {
                Err(e) => {
                    if !visitor(None, None, Some(&e)) {
                        return;
                    }
                }
                Ok(rules) => {
                    let source = RuleSource {
                        binding: format!(
                            "ClusterRoleBinding {}",
                            quote(str_field(crb, "/metadata/name"))
                        ),
                        role_kind: str_field(role_ref, "/kind").to_string(),
                        role_name: str_field(role_ref, "/name").to_string(),
                        subject: subject.describe(""),
                    };
                    for rule in &rules {
                        if !visitor(Some(&source), Some(rule), None) {
                            return;
                        }
                    }
                }
            }
        }
        if namespace.is_empty() {
            return;
        }
        for rb in self
            .role_bindings
            .iter()
            .filter(|rb| str_field(rb, "/metadata/namespace") == namespace)
        {
            let Some(subject) = applies_to(user, rb, namespace) else {
                continue;
            };
            let role_ref = rb.get("roleRef").unwrap_or(&Value::Null);
            match self.role_reference_rules(role_ref, namespace) {
                Err(e) => {
                    if !visitor(None, None, Some(&e)) {
                        return;
                    }
                }
                Ok(rules) => {
                    let name = str_field(rb, "/metadata/name");
                    let source = RuleSource {
                        binding: format!("RoleBinding {}", quote(&format!("{name}/{namespace}"))),
                        role_kind: str_field(role_ref, "/kind").to_string(),
                        role_name: str_field(role_ref, "/name").to_string(),
                        subject: subject.describe(namespace),
                    };
                    for rule in &rules {
                        if !visitor(Some(&source), Some(rule), None) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// `RBACAuthorizer.Authorize`: Allow with `RBAC: allowed by <source>`, or NoOpinion with
    /// `RBAC: <resolution errors>` (empty when every binding resolved). RBAC never denies.
    pub fn authorize(&self, a: &Attributes) -> AuthorizerResult {
        let mut allowed_by: Option<String> = None;
        let mut errors: Vec<String> = Vec::new();
        self.visit_rules_for(&a.user, &a.namespace, &mut |source, rule, err| {
            if let (Some(source), Some(rule)) = (source, rule) {
                if rule.allows(a) {
                    allowed_by = Some(source.to_string());
                    return false;
                }
            }
            if let Some(e) = err {
                errors.push(e.to_string());
            }
            true
        });
        if let Some(source) = allowed_by {
            return AuthorizerResult {
                decision: Decision::Allow,
                reason: format!("RBAC: allowed by {source}"),
            };
        }
        let reason = if errors.is_empty() {
            String::new()
        } else {
            format!("RBAC: {}", aggregate_messages(&errors))
        };
        AuthorizerResult {
            decision: Decision::NoOpinion,
            reason,
        }
    }

    /// `DefaultRuleResolver.RulesFor`: every rule that applies to `user` in `namespace`, and the
    /// resolution errors (what SelfSubjectRulesReview reports).
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        self.visit_rules_for(user, namespace, &mut |_, rule, err| {
            if let Some(r) = rule {
                rules.push(r.clone());
            }
            if let Some(e) = err {
                errors.push(e.to_string());
            }
            true
        });
        (rules, errors)
    }
}

/// `appliesTo`: the first subject of the binding that applies to the user.
fn applies_to(user: &UserInfo, binding: &Value, namespace: &str) -> Option<Subject> {
    binding
        .get("subjects")
        .and_then(Value::as_array)?
        .iter()
        .map(Subject::from_json)
        .find(|s| s.applies_to(user, namespace))
}

/// Does a `metav1.LabelSelector` (matchLabels and matchExpressions) select these labels?
/// An empty selector selects everything, as `LabelSelectorAsSelector` makes it.
pub fn label_selector_matches(selector: &Value, labels: &Value) -> bool {
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    if let Some(ml) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            if label(k) != v.as_str() {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Value::as_array) {
        for e in exprs {
            let key = str_field(e, "/key");
            let values = strings(e, "values");
            let has_value = |v: &str| values.iter().any(|x| x == v);
            let ok = match str_field(e, "/operator") {
                "In" => label(key).is_some_and(has_value),
                "NotIn" => !label(key).is_some_and(has_value),
                "Exists" => label(key).is_some(),
                "DoesNotExist" => label(key).is_none(),
                // Validation rejects other operators; a selector that cannot be parsed selects
                // nothing (the controller returns the parse error).
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}

/// One sync of the ClusterRole aggregation controller for `target`: the rules it should have
/// (`syncClusterRole`), or `None` when it has no aggregationRule or its rules are already right.
/// Selected roles are visited by name; duplicates (equal rules) are dropped; the role never
/// aggregates itself.
pub fn aggregated_rules(target: &Value, cluster_roles: &[Value]) -> Option<Vec<Value>> {
    let selectors = target
        .pointer("/aggregationRule/clusterRoleSelectors")?
        .as_array()?;
    let target_name = str_field(target, "/metadata/name");
    let mut new_rules: Vec<PolicyRule> = Vec::new();
    for selector in selectors {
        let mut selected: Vec<&Value> = cluster_roles
            .iter()
            .filter(|cr| {
                let labels = cr.pointer("/metadata/labels").cloned().unwrap_or(json!({}));
                label_selector_matches(selector, &labels)
            })
            .collect();
        selected.sort_by(|a, b| str_field(a, "/metadata/name").cmp(str_field(b, "/metadata/name")));
        for cr in selected {
            if str_field(cr, "/metadata/name") == target_name {
                continue;
            }
            for rule in rules_of(cr) {
                if !new_rules.contains(&rule) {
                    new_rules.push(rule);
                }
            }
        }
    }
    // `equality.Semantic.DeepEqual` treats a nil and an empty list alike.
    if new_rules == rules_of(target) {
        return None;
    }
    Some(new_rules.iter().map(PolicyRule::to_json).collect())
}

/// Run the aggregation controller to a fixed point over all ClusterRoles, as its repeated syncs
/// do (aggregated roles can select other aggregated roles: `admin` selects `edit`, which
/// selects `view`). Returns the names of the roles whose rules changed, in order of change.
pub fn aggregate(cluster_roles: &mut [Value]) -> Vec<String> {
    let mut changed = Vec::new();
    // Each pass can only lengthen a chain of aggregations by one; the number of roles bounds it.
    for _ in 0..=cluster_roles.len() {
        let mut any = false;
        for i in 0..cluster_roles.len() {
            if let Some(rules) = aggregated_rules(&cluster_roles[i], cluster_roles) {
                let name = str_field(&cluster_roles[i], "/metadata/name").to_string();
                cluster_roles[i]["rules"] = Value::Array(rules);
                if !changed.contains(&name) {
                    changed.push(name);
                }
                any = true;
            }
        }
        if !any {
            return changed;
        }
    }
    // Only roles whose selectors select each other in a cycle can keep changing; the real
    // controller would keep rewriting them too. Stop after the bounded passes.
    changed
}
