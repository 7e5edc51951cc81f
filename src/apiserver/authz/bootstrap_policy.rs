//! The RBAC objects a kubeadm 1.33 cluster starts with: kube-apiserver's bootstrap policy
//! (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`: `policy.go`, `controller_policy.go`,
//! `namespace_policy.go`, whose rendered forms are the `testdata/*.yaml` files the rules here
//! were transcribed from), the objects `kubeadm init` creates (`kubeadm:cluster-admins`,
//! bootstrap-token and kube-proxy/CoreDNS permissions), and kubestep's learner user `jane`.
//!
//! Rules are built like `rbacv1helpers.NewRule(...).Groups(...).Resources(...)`, which sorts
//! every list, so they read as `kubectl get clusterrole -o yaml` shows them.
//!
//! Simplifications: roles behind alpha feature gates are left out, and of the
//! `system:controller:*` roles only the controllers kubestep's controller-manager runs (plus a
//! few every cluster shows) are here.

use serde_json::{json, Value};

use super::rbac::{aggregate, PolicyRule};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// A rule under construction (`rbacv1helpers.PolicyRuleBuilder`).
struct Rule(PolicyRule);

fn rule(verbs: &[&str]) -> Rule {
    Rule(PolicyRule {
        verbs: owned(verbs),
        ..PolicyRule::default()
    })
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Rule {
    fn groups(mut self, g: &[&str]) -> Rule {
        self.0.api_groups = owned(g);
        self
    }
    fn resources(mut self, r: &[&str]) -> Rule {
        self.0.resources = owned(r);
        self
    }
    fn names(mut self, n: &[&str]) -> Rule {
        self.0.resource_names = owned(n);
        self
    }
    fn urls(mut self, u: &[&str]) -> Rule {
        self.0.non_resource_urls = owned(u);
        self
    }
    /// `RuleOrDie`: every list sorted.
    fn build(self) -> PolicyRule {
        let mut r = self.0;
        r.verbs.sort();
        r.api_groups.sort();
        r.resources.sort();
        r.resource_names.sort();
        r.non_resource_urls.sort();
        r
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const EDIT: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const EVENT_VERBS: &[&str] = &["create", "patch", "update"];

/// `eventsRule()`: events in the core and `events.k8s.io` groups.
fn events_rule() -> PolicyRule {
    rule(EVENT_VERBS)
        .groups(&["", "events.k8s.io"])
        .resources(&["events"])
        .build()
}

fn core(verbs: &[&str], resources: &[&str]) -> PolicyRule {
    rule(verbs).groups(&[""]).resources(resources).build()
}

fn group(verbs: &[&str], g: &str, resources: &[&str]) -> PolicyRule {
    rule(verbs).groups(&[g]).resources(resources).build()
}

fn rules_json(rules: &[PolicyRule]) -> Value {
    Value::Array(rules.iter().map(PolicyRule::to_json).collect())
}

/// The metadata every bootstrap object carries: the `kubernetes.io/bootstrapping: rbac-defaults`
/// label (which `kubectl get clusterroles -l` finds them by) and the autoupdate annotation
/// (the API server reconciles them at every start).
fn bootstrap_metadata(name: &str, namespace: Option<&str>, extra_labels: &[(&str, &str)]) -> Value {
    let mut labels = serde_json::Map::new();
    labels.insert("kubernetes.io/bootstrapping".into(), json!("rbac-defaults"));
    for (k, v) in extra_labels {
        labels.insert(k.to_string(), json!(v));
    }
    let mut m = serde_json::Map::new();
    m.insert(
        "annotations".into(),
        json!({"rbac.authorization.kubernetes.io/autoupdate": "true"}),
    );
    m.insert("labels".into(), Value::Object(labels));
    m.insert("name".into(), json!(name));
    if let Some(ns) = namespace {
        m.insert("namespace".into(), json!(ns));
    }
    Value::Object(m)
}

/// Metadata of an object kubeadm creates: just a name (kubeadm adds no labels).
fn plain_metadata(name: &str, namespace: Option<&str>) -> Value {
    match namespace {
        Some(ns) => json!({"name": name, "namespace": ns}),
        None => json!({"name": name}),
    }
}

fn cluster_role_object(metadata: Value, rules: &[PolicyRule]) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": metadata,
        "rules": rules_json(rules)
    })
}

fn bootstrap_cluster_role(name: &str, rules: Vec<PolicyRule>) -> Value {
    cluster_role_object(bootstrap_metadata(name, None, &[]), &rules)
}

/// An aggregated ClusterRole as the API server creates it: a selector, no rules yet (the
/// aggregation controller in kube-controller-manager fills them).
fn aggregated_cluster_role(name: &str, selector_label: &str, labels: &[(&str, &str)]) -> Value {
    json!({
        "aggregationRule": {
            "clusterRoleSelectors": [{"matchLabels": {selector_label: "true"}}]
        },
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": bootstrap_metadata(name, None, labels),
        "rules": null
    })
}

/// A subject as the API server stores it (User and Group defaulted to the RBAC API group).
pub fn subject(kind: &str, name: &str, namespace: Option<&str>) -> Value {
    match (kind, namespace) {
        ("ServiceAccount", Some(ns)) => json!({"kind": kind, "name": name, "namespace": ns}),
        _ => json!({"apiGroup": RBAC_GROUP, "kind": kind, "name": name}),
    }
}

fn users(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| subject("User", n, None)).collect()
}

fn groups(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| subject("Group", n, None)).collect()
}

fn sa(namespace: &str, name: &str) -> Vec<Value> {
    vec![subject("ServiceAccount", name, Some(namespace))]
}

fn binding_object(
    kind: &str,
    metadata: Value,
    role_kind: &str,
    role: &str,
    subjects: Vec<Value>,
) -> Value {
    let mut b = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": metadata,
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role},
    });
    // An empty subject list is omitted (`subjects,omitempty`), as system:node's binding shows.
    if !subjects.is_empty() {
        b["subjects"] = Value::Array(subjects);
    }
    b
}

fn bootstrap_crb(name: &str, subjects: Vec<Value>) -> Value {
    binding_object(
        "ClusterRoleBinding",
        bootstrap_metadata(name, None, &[]),
        "ClusterRole",
        name,
        subjects,
    )
}

/// The static rules of the `system:node` ClusterRole (`bootstrappolicy.NodeRules()`), which
/// the Node authorizer applies to every kubelet.
pub fn node_rules() -> Vec<PolicyRule> {
    vec![
        group(&["create"], "authentication.k8s.io", &["tokenreviews"]),
        group(
            &["create"],
            "authorization.k8s.io",
            &["localsubjectaccessreviews", "subjectaccessreviews"],
        ),
        core(READ, &["services"]),
        core(&["create", "get", "list", "watch"], &["nodes"]),
        core(&["patch", "update"], &["nodes/status"]),
        core(&["patch", "update"], &["nodes"]),
        core(EVENT_VERBS, &["events"]),
        core(READ, &["pods"]),
        core(&["create", "delete"], &["pods"]),
        core(&["patch", "update"], &["pods/status"]),
        core(&["create"], &["pods/eviction"]),
        core(READ, &["configmaps", "secrets"]),
        core(&["get"], &["persistentvolumeclaims", "persistentvolumes"]),
        core(&["get"], &["endpoints"]),
        group(
            &["create", "get", "list", "watch"],
            "certificates.k8s.io",
            &["certificatesigningrequests"],
        ),
        group(
            &["create", "delete", "get", "patch", "update"],
            "coordination.k8s.io",
            &["leases"],
        ),
        group(&["get"], "storage.k8s.io", &["volumeattachments"]),
        core(&["create"], &["serviceaccounts/token"]),
        core(
            &["get", "patch", "update"],
            &["persistentvolumeclaims/status"],
        ),
        group(READ, "storage.k8s.io", &["csidrivers"]),
        group(
            &["create", "delete", "get", "patch", "update"],
            "storage.k8s.io",
            &["csinodes"],
        ),
        group(READ, "node.k8s.io", &["runtimeclasses"]),
    ]
}

/// The ClusterRoles of `policy.go` (`ClusterRoles()`), sorted by name.
pub fn cluster_roles() -> Vec<Value> {
    let agg_admin = "rbac.authorization.k8s.io/aggregate-to-admin";
    let agg_edit = "rbac.authorization.k8s.io/aggregate-to-edit";
    let agg_view = "rbac.authorization.k8s.io/aggregate-to-view";
    let signer = |name: &str| {
        vec![rule(&["approve"])
            .groups(&["certificates.k8s.io"])
            .resources(&["signers"])
            .names(&[name])
            .build()]
    };
    let mut roles = vec![
        aggregated_cluster_role("admin", agg_admin, &[]),
        bootstrap_cluster_role(
            "cluster-admin",
            vec![
                rule(&["*"]).groups(&["*"]).resources(&["*"]).build(),
                rule(&["*"]).urls(&["*"]).build(),
            ],
        ),
        aggregated_cluster_role("edit", agg_edit, &[(agg_admin, "true")]),
        cluster_role_object(
            bootstrap_metadata("system:aggregate-to-admin", None, &[(agg_admin, "true")]),
            &[
                group(
                    &["create"],
                    "authorization.k8s.io",
                    &["localsubjectaccessreviews"],
                ),
                group(READ_WRITE, RBAC_GROUP, &["rolebindings", "roles"]),
            ],
        ),
        cluster_role_object(
            bootstrap_metadata("system:aggregate-to-edit", None, &[(agg_edit, "true")]),
            &[
                core(
                    READ,
                    &[
                        "pods/attach",
                        "pods/exec",
                        "pods/portforward",
                        "pods/proxy",
                        "secrets",
                        "services/proxy",
                    ],
                ),
                core(&["impersonate"], &["serviceaccounts"]),
                core(
                    EDIT,
                    &[
                        "pods",
                        "pods/attach",
                        "pods/exec",
                        "pods/portforward",
                        "pods/proxy",
                    ],
                ),
                core(&["create"], &["pods/eviction"]),
                core(
                    EDIT,
                    &[
                        "configmaps",
                        "events",
                        "persistentvolumeclaims",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "secrets",
                        "serviceaccounts",
                        "services",
                        "services/proxy",
                    ],
                ),
                core(&["create"], &["serviceaccounts/token"]),
                group(
                    EDIT,
                    "apps",
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "replicasets",
                        "replicasets/scale",
                        "statefulsets",
                        "statefulsets/scale",
                    ],
                ),
                group(EDIT, "autoscaling", &["horizontalpodautoscalers"]),
                group(EDIT, "batch", &["cronjobs", "jobs"]),
                group(
                    EDIT,
                    "extensions",
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "ingresses",
                        "networkpolicies",
                        "replicasets",
                        "replicasets/scale",
                        "replicationcontrollers/scale",
                    ],
                ),
                group(EDIT, "policy", &["poddisruptionbudgets"]),
                group(EDIT, "networking.k8s.io", &["ingresses", "networkpolicies"]),
                group(READ_WRITE, "coordination.k8s.io", &["leases"]),
            ],
        ),
        cluster_role_object(
            bootstrap_metadata("system:aggregate-to-view", None, &[(agg_view, "true")]),
            &[
                core(
                    READ,
                    &[
                        "configmaps",
                        "endpoints",
                        "persistentvolumeclaims",
                        "persistentvolumeclaims/status",
                        "pods",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "serviceaccounts",
                        "services",
                        "services/status",
                    ],
                ),
                core(
                    READ,
                    &[
                        "bindings",
                        "events",
                        "limitranges",
                        "namespaces/status",
                        "pods/log",
                        "pods/status",
                        "replicationcontrollers/status",
                        "resourcequotas",
                        "resourcequotas/status",
                    ],
                ),
                core(READ, &["namespaces"]),
                group(READ, "discovery.k8s.io", &["endpointslices"]),
                group(
                    READ,
                    "apps",
                    &[
                        "controllerrevisions",
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "statefulsets",
                        "statefulsets/scale",
                        "statefulsets/status",
                    ],
                ),
                group(
                    READ,
                    "autoscaling",
                    &[
                        "horizontalpodautoscalers",
                        "horizontalpodautoscalers/status",
                    ],
                ),
                group(
                    READ,
                    "batch",
                    &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
                ),
                group(
                    READ,
                    "extensions",
                    &[
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "ingresses",
                        "ingresses/status",
                        "networkpolicies",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "replicationcontrollers/scale",
                    ],
                ),
                group(
                    READ,
                    "policy",
                    &["poddisruptionbudgets", "poddisruptionbudgets/status"],
                ),
                group(
                    READ,
                    "networking.k8s.io",
                    &["ingresses", "ingresses/status", "networkpolicies"],
                ),
            ],
        ),
        bootstrap_cluster_role(
            "system:auth-delegator",
            vec![
                group(&["create"], "authentication.k8s.io", &["tokenreviews"]),
                group(
                    &["create"],
                    "authorization.k8s.io",
                    &["subjectaccessreviews"],
                ),
            ],
        ),
        bootstrap_cluster_role(
            "system:basic-user",
            vec![
                group(
                    &["create"],
                    "authorization.k8s.io",
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
                group(
                    &["create"],
                    "authentication.k8s.io",
                    &["selfsubjectreviews"],
                ),
            ],
        ),
        bootstrap_cluster_role(
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![group(
                &["create"],
                "certificates.k8s.io",
                &["certificatesigningrequests/nodeclient"],
            )],
        ),
        bootstrap_cluster_role(
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![group(
                &["create"],
                "certificates.k8s.io",
                &["certificatesigningrequests/selfnodeclient"],
            )],
        ),
        bootstrap_cluster_role(
            "system:certificates.k8s.io:kube-apiserver-client-approver",
            signer("kubernetes.io/kube-apiserver-client"),
        ),
        bootstrap_cluster_role(
            "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
            signer("kubernetes.io/kube-apiserver-client-kubelet"),
        ),
        bootstrap_cluster_role(
            "system:certificates.k8s.io:kubelet-serving-approver",
            signer("kubernetes.io/kubelet-serving"),
        ),
        bootstrap_cluster_role(
            "system:certificates.k8s.io:legacy-unknown-approver",
            signer("kubernetes.io/legacy-unknown"),
        ),
        bootstrap_cluster_role(
            "system:discovery",
            vec![rule(&["get"])
                .urls(&[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ])
                .build()],
        ),
        bootstrap_cluster_role(
            "system:heapster",
            vec![
                core(READ, &["events", "namespaces", "nodes", "pods"]),
                group(READ, "extensions", &["deployments"]),
            ],
        ),
        bootstrap_cluster_role(
            "system:kube-aggregator",
            vec![core(READ, &["endpoints", "services"])],
        ),
        bootstrap_cluster_role(
            "system:kube-controller-manager",
            vec![
                events_rule(),
                group(&["create"], "coordination.k8s.io", &["leases"]),
                rule(&["get", "update"])
                    .groups(&["coordination.k8s.io"])
                    .resources(&["leases"])
                    .names(&["kube-controller-manager"])
                    .build(),
                core(&["create"], &["secrets", "serviceaccounts"]),
                core(&["delete"], &["secrets"]),
                core(
                    &["get"],
                    &["configmaps", "namespaces", "secrets", "serviceaccounts"],
                ),
                core(&["update"], &["secrets", "serviceaccounts"]),
                group(&["create"], "authentication.k8s.io", &["tokenreviews"]),
                group(
                    &["create"],
                    "authorization.k8s.io",
                    &["subjectaccessreviews"],
                ),
                rule(&["list", "watch"])
                    .groups(&["*"])
                    .resources(&["*"])
                    .build(),
                core(&["create"], &["serviceaccounts/token"]),
            ],
        ),
        bootstrap_cluster_role(
            "system:kube-dns",
            vec![core(&["list", "watch"], &["endpoints", "services"])],
        ),
        bootstrap_cluster_role(
            "system:kube-scheduler",
            vec![
                events_rule(),
                group(&["create"], "coordination.k8s.io", &["leases"]),
                rule(&["get", "update"])
                    .groups(&["coordination.k8s.io"])
                    .resources(&["leases"])
                    .names(&["kube-scheduler"])
                    .build(),
                core(READ, &["nodes"]),
                core(&["delete", "get", "list", "watch"], &["pods"]),
                core(&["create"], &["bindings", "pods/binding"]),
                core(&["patch", "update"], &["pods/status"]),
                core(READ, &["replicationcontrollers", "services"]),
                rule(READ)
                    .groups(&["apps", "extensions"])
                    .resources(&["replicasets"])
                    .build(),
                group(READ, "apps", &["statefulsets"]),
                group(READ, "policy", &["poddisruptionbudgets"]),
                core(READ, &["persistentvolumeclaims", "persistentvolumes"]),
                group(&["create"], "authentication.k8s.io", &["tokenreviews"]),
                group(
                    &["create"],
                    "authorization.k8s.io",
                    &["subjectaccessreviews"],
                ),
                group(READ, "storage.k8s.io", &["csinodes"]),
                core(READ, &["namespaces"]),
                group(READ, "storage.k8s.io", &["csidrivers"]),
                group(READ, "storage.k8s.io", &["csistoragecapacities"]),
            ],
        ),
        bootstrap_cluster_role(
            "system:kubelet-api-admin",
            vec![
                core(READ, &["nodes"]),
                core(&["proxy"], &["nodes"]),
                core(
                    &["*"],
                    &["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"],
                ),
            ],
        ),
        bootstrap_cluster_role(
            "system:monitoring",
            vec![rule(&["get"])
                .urls(&[
                    "/healthz",
                    "/healthz/*",
                    "/livez",
                    "/livez/*",
                    "/metrics",
                    "/metrics/slis",
                    "/readyz",
                    "/readyz/*",
                ])
                .build()],
        ),
        bootstrap_cluster_role("system:node", node_rules()),
        bootstrap_cluster_role(
            "system:node-bootstrapper",
            vec![group(
                &["create", "get", "list", "watch"],
                "certificates.k8s.io",
                &["certificatesigningrequests"],
            )],
        ),
        bootstrap_cluster_role(
            "system:node-problem-detector",
            vec![
                core(&["get"], &["nodes"]),
                core(&["patch"], &["nodes/status"]),
                events_rule(),
            ],
        ),
        bootstrap_cluster_role(
            "system:node-proxier",
            vec![
                core(&["list", "watch"], &["endpoints", "services"]),
                core(READ, &["nodes"]),
                events_rule(),
                group(&["list", "watch"], "discovery.k8s.io", &["endpointslices"]),
            ],
        ),
        bootstrap_cluster_role(
            "system:persistent-volume-provisioner",
            vec![
                core(
                    &["create", "delete", "get", "list", "watch"],
                    &["persistentvolumes"],
                ),
                core(
                    &["get", "list", "update", "watch"],
                    &["persistentvolumeclaims"],
                ),
                group(READ, "storage.k8s.io", &["storageclasses"]),
                core(&["watch"], &["events"]),
                events_rule(),
            ],
        ),
        bootstrap_cluster_role(
            "system:public-info-viewer",
            vec![rule(&["get"])
                .urls(&["/healthz", "/livez", "/readyz", "/version", "/version/"])
                .build()],
        ),
        bootstrap_cluster_role(
            "system:service-account-issuer-discovery",
            vec![rule(&["get"])
                .urls(&["/.well-known/openid-configuration", "/openid/v1/jwks"])
                .build()],
        ),
        bootstrap_cluster_role(
            "system:volume-scheduler",
            vec![
                core(
                    &["get", "list", "patch", "update", "watch"],
                    &["persistentvolumes"],
                ),
                group(READ, "storage.k8s.io", &["storageclasses"]),
                core(
                    &["get", "list", "patch", "update", "watch"],
                    &["persistentvolumeclaims"],
                ),
            ],
        ),
        aggregated_cluster_role("view", agg_view, &[(agg_edit, "true")]),
    ];
    roles.extend(controller_roles());
    sort_by_name(&mut roles);
    roles
}

/// The ClusterRoleBindings of `policy.go` (`ClusterRoleBindings()`).
pub fn cluster_role_bindings() -> Vec<Value> {
    let mut b = vec![
        bootstrap_crb("cluster-admin", groups(&["system:masters"])),
        bootstrap_crb("system:monitoring", groups(&["system:monitoring"])),
        bootstrap_crb("system:discovery", groups(&["system:authenticated"])),
        bootstrap_crb("system:basic-user", groups(&["system:authenticated"])),
        bootstrap_crb(
            "system:public-info-viewer",
            groups(&["system:authenticated", "system:unauthenticated"]),
        ),
        bootstrap_crb("system:node-proxier", users(&["system:kube-proxy"])),
        bootstrap_crb(
            "system:kube-controller-manager",
            users(&["system:kube-controller-manager"]),
        ),
        bootstrap_crb("system:kube-dns", sa("kube-system", "kube-dns")),
        bootstrap_crb("system:kube-scheduler", users(&["system:kube-scheduler"])),
        bootstrap_crb("system:volume-scheduler", users(&["system:kube-scheduler"])),
        // Deprecated since the Node authorizer (1.7): kept with no subjects.
        bootstrap_crb("system:node", vec![]),
        bootstrap_crb(
            "system:service-account-issuer-discovery",
            groups(&["system:serviceaccounts"]),
        ),
    ];
    for (name, _) in CONTROLLERS {
        b.push(bootstrap_crb(
            &format!("system:controller:{name}"),
            sa("kube-system", name),
        ));
    }
    sort_by_name(&mut b);
    b
}

/// The controllers whose `system:controller:<name>` roles are here (kube-controller-manager
/// runs each with the service account `kube-system/<name>`, as kubeadm sets
/// `--use-service-account-credentials=true`), and their rules from `controller_policy.go`.
/// A controller's name and its rules.
type ControllerPolicy = (&'static str, fn() -> Vec<PolicyRule>);

const CONTROLLERS: &[ControllerPolicy] = &[
    ("clusterrole-aggregation-controller", || {
        vec![group(
            &["escalate", "get", "list", "patch", "update", "watch"],
            RBAC_GROUP,
            &["clusterroles"],
        )]
    }),
    ("cronjob-controller", || {
        vec![
            group(&["get", "list", "update", "watch"], "batch", &["cronjobs"]),
            group(
                &[
                    "create", "delete", "get", "list", "patch", "update", "watch",
                ],
                "batch",
                &["jobs"],
            ),
            group(&["update"], "batch", &["cronjobs/status"]),
            group(&["update"], "batch", &["cronjobs/finalizers"]),
            core(&["delete", "list", "watch"], &["pods"]),
            events_rule(),
        ]
    }),
    ("daemon-set-controller", || {
        vec![
            rule(READ)
                .groups(&["apps", "extensions"])
                .resources(&["daemonsets"])
                .build(),
            rule(&["update"])
                .groups(&["apps", "extensions"])
                .resources(&["daemonsets/status"])
                .build(),
            rule(&["update"])
                .groups(&["apps", "extensions"])
                .resources(&["daemonsets/finalizers"])
                .build(),
            core(&["list", "watch"], &["nodes"]),
            core(&["create", "delete", "list", "patch", "watch"], &["pods"]),
            core(&["create"], &["pods/binding"]),
            group(
                &[
                    "create", "delete", "get", "list", "patch", "update", "watch",
                ],
                "apps",
                &["controllerrevisions"],
            ),
            events_rule(),
        ]
    }),
    ("deployment-controller", || {
        vec![
            rule(&["get", "list", "update", "watch"])
                .groups(&["apps", "extensions"])
                .resources(&["deployments"])
                .build(),
            rule(&["update"])
                .groups(&["apps", "extensions"])
                .resources(&["deployments/status"])
                .build(),
            rule(&["update"])
                .groups(&["apps", "extensions"])
                .resources(&["deployments/finalizers"])
                .build(),
            rule(&[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ])
            .groups(&["apps", "extensions"])
            .resources(&["replicasets"])
            .build(),
            core(&["get", "list", "update", "watch"], &["pods"]),
            events_rule(),
        ]
    }),
    ("disruption-controller", || {
        vec![
            rule(READ)
                .groups(&["apps", "extensions"])
                .resources(&["deployments"])
                .build(),
            rule(READ)
                .groups(&["apps", "extensions"])
                .resources(&["replicasets"])
                .build(),
            core(READ, &["replicationcontrollers"]),
            group(READ, "policy", &["poddisruptionbudgets"]),
            group(READ, "apps", &["statefulsets"]),
            group(&["update"], "policy", &["poddisruptionbudgets/status"]),
            core(&["patch", "update"], &["pods/status"]),
            rule(&["get"])
                .groups(&["*"])
                .resources(&["*/scale"])
                .build(),
            events_rule(),
        ]
    }),
    ("endpoint-controller", || {
        vec![
            core(READ, &["pods", "services"]),
            core(
                &["create", "delete", "get", "list", "update", "watch"],
                &["endpoints"],
            ),
            core(&["create"], &["endpoints/restricted"]),
            events_rule(),
        ]
    }),
    ("endpointslice-controller", || {
        vec![
            core(READ, &["nodes", "pods", "services"]),
            core(&["update"], &["services/finalizers"]),
            group(
                &["create", "delete", "get", "list", "update", "watch"],
                "discovery.k8s.io",
                &["endpointslices"],
            ),
            events_rule(),
        ]
    }),
    ("generic-garbage-collector", || {
        vec![
            rule(&["delete", "get", "list", "patch", "update", "watch"])
                .groups(&["*"])
                .resources(&["*"])
                .build(),
            events_rule(),
        ]
    }),
    ("job-controller", || {
        vec![
            group(
                &["get", "list", "patch", "update", "watch"],
                "batch",
                &["jobs"],
            ),
            group(&["update"], "batch", &["jobs/status"]),
            group(&["update"], "batch", &["jobs/finalizers"]),
            core(&["create", "delete", "list", "patch", "watch"], &["pods"]),
            events_rule(),
        ]
    }),
    ("namespace-controller", || {
        vec![
            core(&["delete", "get", "list", "watch"], &["namespaces"]),
            core(&["update"], &["namespaces/finalize", "namespaces/status"]),
            rule(&["delete", "deletecollection", "get", "list", "watch"])
                .groups(&["*"])
                .resources(&["*"])
                .build(),
        ]
    }),
    ("node-controller", || {
        vec![
            core(
                &["delete", "get", "list", "patch", "update", "watch"],
                &["nodes"],
            ),
            core(&["patch", "update"], &["nodes/status"]),
            core(&["patch", "update"], &["pods/status"]),
            core(&["delete", "get", "list", "watch"], &["pods"]),
            events_rule(),
        ]
    }),
    ("pod-garbage-collector", || {
        vec![
            core(&["delete", "list", "watch"], &["pods"]),
            core(READ, &["nodes"]),
            core(&["patch"], &["pods/status"]),
        ]
    }),
    ("replicaset-controller", || {
        vec![
            rule(&["get", "list", "update", "watch"])
                .groups(&["apps", "extensions"])
                .resources(&["replicasets"])
                .build(),
            rule(&["update"])
                .groups(&["apps", "extensions"])
                .resources(&["replicasets/status"])
                .build(),
            rule(&["update"])
                .groups(&["apps", "extensions"])
                .resources(&["replicasets/finalizers"])
                .build(),
            core(&["create", "delete", "list", "patch", "watch"], &["pods"]),
            events_rule(),
        ]
    }),
    ("resourcequota-controller", || {
        vec![
            rule(&["list", "watch"])
                .groups(&["*"])
                .resources(&["*"])
                .build(),
            core(&["update"], &["resourcequotas/status"]),
            events_rule(),
        ]
    }),
    ("root-ca-cert-publisher", || {
        vec![core(&["create", "update"], &["configmaps"]), events_rule()]
    }),
    ("service-account-controller", || {
        vec![core(&["create"], &["serviceaccounts"]), events_rule()]
    }),
    ("statefulset-controller", || {
        vec![
            core(&["list", "watch"], &["pods"]),
            group(READ, "apps", &["statefulsets"]),
            group(&["update"], "apps", &["statefulsets/status"]),
            group(&["update"], "apps", &["statefulsets/finalizers"]),
            core(&["create", "delete", "get", "patch", "update"], &["pods"]),
            group(
                &[
                    "create", "delete", "get", "list", "patch", "update", "watch",
                ],
                "apps",
                &["controllerrevisions"],
            ),
            core(
                &["create", "get", "list", "watch"],
                &["persistentvolumeclaims"],
            ),
            core(&["delete", "update"], &["persistentvolumeclaims"]),
            core(&["update"], &["pods/finalizers"]),
            events_rule(),
        ]
    }),
    ("ttl-after-finished-controller", || {
        vec![
            group(&["delete", "get", "list", "watch"], "batch", &["jobs"]),
            events_rule(),
        ]
    }),
    ("ttl-controller", || {
        vec![
            core(&["list", "patch", "update", "watch"], &["nodes"]),
            events_rule(),
        ]
    }),
];

/// The `system:controller:*` ClusterRoles.
pub fn controller_roles() -> Vec<Value> {
    CONTROLLERS
        .iter()
        .map(|(name, rules)| bootstrap_cluster_role(&format!("system:controller:{name}"), rules()))
        .collect()
}

/// The Roles of `namespace_policy.go` (kube-system and kube-public).
pub fn namespace_roles() -> Vec<Value> {
    let role = |ns: &str, name: &str, rules: Vec<PolicyRule>| {
        let mut r = cluster_role_object(bootstrap_metadata(name, Some(ns), &[]), &rules);
        r["kind"] = json!("Role");
        r
    };
    let leader_locking = || {
        vec![
            group(
                &["create", "get", "list", "update", "watch"],
                "coordination.k8s.io",
                &["leases"],
            ),
            group(
                &["create", "get", "list", "update", "watch"],
                "coordination.k8s.io",
                &["leasecandidates"],
            ),
        ]
    };
    vec![
        role(
            "kube-public",
            "system:controller:bootstrap-signer",
            vec![
                core(READ, &["configmaps"]),
                rule(&["update"])
                    .groups(&[""])
                    .resources(&["configmaps"])
                    .names(&["cluster-info"])
                    .build(),
                events_rule(),
            ],
        ),
        role(
            "kube-system",
            "extension-apiserver-authentication-reader",
            vec![rule(READ)
                .groups(&[""])
                .resources(&["configmaps"])
                .names(&["extension-apiserver-authentication"])
                .build()],
        ),
        role(
            "kube-system",
            "system::leader-locking-kube-controller-manager",
            leader_locking(),
        ),
        role(
            "kube-system",
            "system::leader-locking-kube-scheduler",
            leader_locking(),
        ),
        role(
            "kube-system",
            "system:controller:bootstrap-signer",
            vec![core(READ, &["secrets"])],
        ),
        role(
            "kube-system",
            "system:controller:cloud-provider",
            vec![core(&["create", "get", "list", "watch"], &["configmaps"])],
        ),
        role(
            "kube-system",
            "system:controller:token-cleaner",
            vec![
                core(&["delete", "get", "list", "watch"], &["secrets"]),
                events_rule(),
            ],
        ),
    ]
}

/// The RoleBindings of `namespace_policy.go`.
pub fn namespace_role_bindings() -> Vec<Value> {
    let rb = |ns: &str, name: &str, role: &str, subjects: Vec<Value>| {
        binding_object(
            "RoleBinding",
            bootstrap_metadata(name, Some(ns), &[]),
            "Role",
            role,
            subjects,
        )
    };
    let mut kcm = users(&["system:kube-controller-manager"]);
    kcm.extend(sa("kube-system", "kube-controller-manager"));
    kcm.extend(sa("kube-system", "leader-election-controller"));
    let mut sched = users(&["system:kube-scheduler"]);
    sched.extend(sa("kube-system", "kube-scheduler"));
    vec![
        rb(
            "kube-public",
            "system:controller:bootstrap-signer",
            "system:controller:bootstrap-signer",
            sa("kube-system", "bootstrap-signer"),
        ),
        rb(
            "kube-system",
            "system::extension-apiserver-authentication-reader",
            "extension-apiserver-authentication-reader",
            users(&["system:kube-controller-manager", "system:kube-scheduler"]),
        ),
        rb(
            "kube-system",
            "system::leader-locking-kube-controller-manager",
            "system::leader-locking-kube-controller-manager",
            kcm,
        ),
        rb(
            "kube-system",
            "system::leader-locking-kube-scheduler",
            "system::leader-locking-kube-scheduler",
            sched,
        ),
        rb(
            "kube-system",
            "system:controller:bootstrap-signer",
            "system:controller:bootstrap-signer",
            sa("kube-system", "bootstrap-signer"),
        ),
        rb(
            "kube-system",
            "system:controller:cloud-provider",
            "system:controller:cloud-provider",
            sa("kube-system", "cloud-provider"),
        ),
        rb(
            "kube-system",
            "system:controller:token-cleaner",
            "system:controller:token-cleaner",
            sa("kube-system", "token-cleaner"),
        ),
    ]
}

/// kubeadm's group for nodes joining with the default bootstrap token.
pub const KUBEADM_NODE_BOOTSTRAP_GROUP: &str = "system:bootstrappers:kubeadm:default-node-token";

/// The ClusterRoles kubeadm init creates (`kubeadm:get-nodes`, CoreDNS's `system:coredns`).
pub fn kubeadm_cluster_roles() -> Vec<Value> {
    vec![
        cluster_role_object(
            plain_metadata("kubeadm:get-nodes", None),
            &[core(&["get"], &["nodes"])],
        ),
        cluster_role_object(
            plain_metadata("system:coredns", None),
            &[
                // kubeadm's CoreDNS manifest lists these unsorted, and they are stored as written.
                PolicyRule {
                    verbs: owned(&["list", "watch"]),
                    api_groups: owned(&[""]),
                    resources: owned(&["endpoints", "services", "pods", "namespaces"]),
                    ..PolicyRule::default()
                },
                group(&["list", "watch"], "discovery.k8s.io", &["endpointslices"]),
            ],
        ),
    ]
}

/// The ClusterRoleBindings kubeadm init creates. `kubeadm:cluster-admins` is what makes
/// admin.conf (`O=kubeadm:cluster-admins`) a cluster admin since 1.29.
pub fn kubeadm_cluster_role_bindings() -> Vec<Value> {
    let crb = |name: &str, role: &str, subjects: Vec<Value>| {
        binding_object(
            "ClusterRoleBinding",
            plain_metadata(name, None),
            "ClusterRole",
            role,
            subjects,
        )
    };
    vec![
        crb(
            "kubeadm:cluster-admins",
            "cluster-admin",
            groups(&["kubeadm:cluster-admins"]),
        ),
        crb(
            "kubeadm:get-nodes",
            "kubeadm:get-nodes",
            groups(&[KUBEADM_NODE_BOOTSTRAP_GROUP]),
        ),
        crb(
            "kubeadm:kubelet-bootstrap",
            "system:node-bootstrapper",
            groups(&[KUBEADM_NODE_BOOTSTRAP_GROUP]),
        ),
        crb(
            "kubeadm:node-autoapprove-bootstrap",
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            groups(&[KUBEADM_NODE_BOOTSTRAP_GROUP]),
        ),
        crb(
            "kubeadm:node-autoapprove-certificate-rotation",
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            groups(&["system:nodes"]),
        ),
        crb(
            "kubeadm:node-proxier",
            "system:node-proxier",
            sa("kube-system", "kube-proxy"),
        ),
        crb(
            "system:coredns",
            "system:coredns",
            sa("kube-system", "coredns"),
        ),
    ]
}

/// The Roles kubeadm init creates: read access to the ConfigMaps joining nodes need.
pub fn kubeadm_roles() -> Vec<Value> {
    let role = |ns: &str, name: &str, cm: &str| {
        let mut r = cluster_role_object(
            plain_metadata(name, Some(ns)),
            &[rule(&["get"])
                .groups(&[""])
                .resources(&["configmaps"])
                .names(&[cm])
                .build()],
        );
        r["kind"] = json!("Role");
        r
    };
    vec![
        role(
            "kube-public",
            "kubeadm:bootstrap-signer-clusterinfo",
            "cluster-info",
        ),
        role("kube-system", "kube-proxy", "kube-proxy"),
        role("kube-system", "kubeadm:kubelet-config", "kubelet-config"),
        role(
            "kube-system",
            "kubeadm:nodes-kubeadm-config",
            "kubeadm-config",
        ),
    ]
}

/// The RoleBindings kubeadm init creates.
pub fn kubeadm_role_bindings() -> Vec<Value> {
    let rb = |ns: &str, name: &str, subjects: Vec<Value>| {
        binding_object(
            "RoleBinding",
            plain_metadata(name, Some(ns)),
            "Role",
            name,
            subjects,
        )
    };
    vec![
        rb(
            "kube-public",
            "kubeadm:bootstrap-signer-clusterinfo",
            users(&["system:anonymous"]),
        ),
        rb(
            "kube-system",
            "kube-proxy",
            groups(&[KUBEADM_NODE_BOOTSTRAP_GROUP]),
        ),
        rb(
            "kube-system",
            "kubeadm:kubelet-config",
            groups(&["system:nodes", KUBEADM_NODE_BOOTSTRAP_GROUP]),
        ),
        rb(
            "kube-system",
            "kubeadm:nodes-kubeadm-config",
            groups(&[KUBEADM_NODE_BOOTSTRAP_GROUP, "system:nodes"]),
        ),
    ]
}

/// The namespace of jane's Role.
pub const JANE_NAMESPACE: &str = "default";

/// kubestep's learner user `jane` (a token in the static token file, see
/// `authn::Authenticator::kubestep_default`) is bound to a single namespaced Role, so RBAC lessons
/// can show both sides: in `default` she may work with pods, their logs, deployments,
/// replicasets, services and configmaps; everywhere else, and for everything else (secrets,
/// nodes, namespaces, RBAC objects), she is forbidden.
pub fn jane_role() -> Value {
    let mut r = cluster_role_object(
        plain_metadata("developer", Some(JANE_NAMESPACE)),
        &[
            core(
                &[
                    "create", "delete", "get", "list", "patch", "update", "watch",
                ],
                &["configmaps", "pods", "services"],
            ),
            core(READ, &["pods/log"]),
            group(
                &[
                    "create", "delete", "get", "list", "patch", "update", "watch",
                ],
                "apps",
                &["deployments", "replicasets"],
            ),
        ],
    );
    r["kind"] = json!("Role");
    r
}

/// jane's RoleBinding: `developer` in `default` to User `jane`.
pub fn jane_role_binding() -> Value {
    binding_object(
        "RoleBinding",
        plain_metadata("jane-developer", Some(JANE_NAMESPACE)),
        "Role",
        "developer",
        users(&["jane"]),
    )
}

fn sort_by_name(objects: &mut [Value]) {
    objects.sort_by(|a, b| {
        let key = |o: &Value| {
            (
                o.pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                o.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// Every RBAC object of a fresh kubestep cluster, each list in etcd key order (namespace, name),
/// ClusterRoles already aggregated (as they are once kube-controller-manager has run).
#[derive(Clone, Debug, PartialEq)]
pub struct BootstrapPolicy {
    pub cluster_roles: Vec<Value>,
    pub cluster_role_bindings: Vec<Value>,
    pub roles: Vec<Value>,
    pub role_bindings: Vec<Value>,
}

impl BootstrapPolicy {
    /// kube-apiserver's bootstrap policy + kubeadm init's objects + jane's Role and RoleBinding.
    pub fn kubestep() -> BootstrapPolicy {
        let mut cluster_roles = cluster_roles();
        cluster_roles.extend(kubeadm_cluster_roles());
        sort_by_name(&mut cluster_roles);
        aggregate(&mut cluster_roles);
        let mut cluster_role_bindings = cluster_role_bindings();
        cluster_role_bindings.extend(kubeadm_cluster_role_bindings());
        sort_by_name(&mut cluster_role_bindings);
        let mut roles = namespace_roles();
        roles.extend(kubeadm_roles());
        roles.push(jane_role());
        sort_by_name(&mut roles);
        let mut role_bindings = namespace_role_bindings();
        role_bindings.extend(kubeadm_role_bindings());
        role_bindings.push(jane_role_binding());
        sort_by_name(&mut role_bindings);
        BootstrapPolicy {
            cluster_roles,
            cluster_role_bindings,
            roles,
            role_bindings,
        }
    }

    /// The RBAC authorizer over these objects.
    pub fn rbac(&self) -> super::rbac::RbacAuthorizer<'_> {
        super::rbac::RbacAuthorizer::new(
            &self.roles,
            &self.role_bindings,
            &self.cluster_roles,
            &self.cluster_role_bindings,
        )
    }
}
