//! The resources kubestep's kube-apiserver serves: names, kinds, verbs, short names and where
//! each is stored in etcd (the real key layout), and the discovery documents built from them.

use serde_json::{json, Value};

/// A subresource such as `pods/status` or `deployments/scale`.
#[derive(Debug, PartialEq, Eq)]
pub struct Subresource {
    pub name: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

/// One served resource, as discovery lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct Resource {
    pub group: &'static str,
    pub version: &'static str,
    /// The plural resource name in URLs (`pods`).
    pub name: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// base64 of the first 8 bytes of sha256("group/version/Kind"), as kube-apiserver computes it.
    pub storage_version_hash: &'static str,
    /// The etcd key prefix (`/registry/pods`); `None` for resources that are never stored
    /// (bindings and access reviews answer without storing anything).
    pub etcd_prefix: Option<&'static str>,
    pub subresources: &'static [Subresource],
}

/// Every resource kubestep serves, sorted by group then name as discovery lists them.
/// kube-apiserver also serves subresources kubestep does not simulate (`pods/exec`,
/// `pods/attach`, `pods/portforward`, `pods/proxy`, ...): they are left out of discovery here.
pub static RESOURCES: &[Resource] = &[
    Resource {
        group: "",
        version: "v1",
        name: "bindings",
        singular: "binding",
        kind: "Binding",
        namespaced: true,
        verbs: &["create"],
        short_names: &[],
        categories: &[],
        storage_version_hash: "EoznZCNBXSc=",
        etcd_prefix: None,
        subresources: &[],
    },
    // Deprecated (v1.19+) but served: each read probes the scheduler, the controller-manager
    // and etcd (`pkg/registry/core/componentstatus`); nothing is stored.
    Resource {
        group: "",
        version: "v1",
        name: "componentstatuses",
        singular: "componentstatus",
        kind: "ComponentStatus",
        namespaced: false,
        verbs: &["get", "list"],
        short_names: &["cs"],
        categories: &[],
        storage_version_hash: "qkFR/SQhcPY=",
        etcd_prefix: None,
        subresources: &[],
    },
    Resource {
        group: "",
        version: "v1",
        name: "configmaps",
        singular: "configmap",
        kind: "ConfigMap",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["cm"],
        categories: &[],
        storage_version_hash: "qFsyl6wFWjQ=",
        etcd_prefix: Some("/registry/configmaps"),
        subresources: &[],
    },
    Resource {
        group: "",
        version: "v1",
        name: "endpoints",
        singular: "endpoints",
        kind: "Endpoints",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["ep"],
        categories: &[],
        storage_version_hash: "fWeeMqaN/OA=",
        etcd_prefix: Some("/registry/services/endpoints"),
        subresources: &[],
    },
    Resource {
        group: "",
        version: "v1",
        name: "events",
        singular: "event",
        kind: "Event",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["ev"],
        categories: &[],
        storage_version_hash: "r2yiGXH7wu8=",
        etcd_prefix: Some("/registry/events"),
        subresources: &[],
    },
    Resource {
        group: "",
        version: "v1",
        name: "limitranges",
        singular: "limitrange",
        kind: "LimitRange",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["limits"],
        categories: &[],
        storage_version_hash: "EBKMFVe6cwo=",
        etcd_prefix: Some("/registry/limitranges"),
        subresources: &[],
    },
    Resource {
        group: "",
        version: "v1",
        name: "namespaces",
        singular: "namespace",
        kind: "Namespace",
        namespaced: false,
        verbs: &[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        short_names: &["ns"],
        categories: &[],
        storage_version_hash: "Q3oi5N2YM8M=",
        etcd_prefix: Some("/registry/namespaces"),
        subresources: &[
            Subresource {
                name: "finalize",
                group: "",
                version: "v1",
                kind: "Namespace",
                verbs: &["update"],
            },
            Subresource {
                name: "status",
                group: "",
                version: "v1",
                kind: "Namespace",
                verbs: &["get", "patch", "update"],
            },
        ],
    },
    Resource {
        group: "",
        version: "v1",
        name: "nodes",
        singular: "node",
        kind: "Node",
        namespaced: false,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["no"],
        categories: &[],
        storage_version_hash: "XwShjMxG9Fs=",
        etcd_prefix: Some("/registry/minions"),
        subresources: &[Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "Node",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "",
        version: "v1",
        name: "persistentvolumeclaims",
        singular: "persistentvolumeclaim",
        kind: "PersistentVolumeClaim",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["pvc"],
        categories: &[],
        storage_version_hash: "QWTyNDq0dC4=",
        etcd_prefix: Some("/registry/persistentvolumeclaims"),
        subresources: &[Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "PersistentVolumeClaim",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "",
        version: "v1",
        name: "persistentvolumes",
        singular: "persistentvolume",
        kind: "PersistentVolume",
        namespaced: false,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["pv"],
        categories: &[],
        storage_version_hash: "HN/zwEC+JgM=",
        etcd_prefix: Some("/registry/persistentvolumes"),
        subresources: &[Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "PersistentVolume",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "",
        version: "v1",
        name: "pods",
        singular: "pod",
        kind: "Pod",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["po"],
        categories: &["all"],
        storage_version_hash: "xPOwRZ+Yhw8=",
        etcd_prefix: Some("/registry/pods"),
        subresources: &[
            Subresource {
                name: "binding",
                group: "",
                version: "v1",
                kind: "Binding",
                verbs: &["create"],
            },
            Subresource {
                name: "eviction",
                group: "policy",
                version: "v1",
                kind: "Eviction",
                verbs: &["create"],
            },
            Subresource {
                name: "log",
                group: "",
                version: "v1",
                kind: "Pod",
                verbs: &["get"],
            },
            Subresource {
                name: "status",
                group: "",
                version: "v1",
                kind: "Pod",
                verbs: &["get", "patch", "update"],
            },
        ],
    },
    Resource {
        group: "",
        version: "v1",
        name: "resourcequotas",
        singular: "resourcequota",
        kind: "ResourceQuota",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["quota"],
        categories: &[],
        storage_version_hash: "8uhSgffRX6w=",
        etcd_prefix: Some("/registry/resourcequotas"),
        subresources: &[Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "ResourceQuota",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "",
        version: "v1",
        name: "secrets",
        singular: "secret",
        kind: "Secret",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "S6u1pOWzb84=",
        etcd_prefix: Some("/registry/secrets"),
        subresources: &[],
    },
    Resource {
        group: "",
        version: "v1",
        name: "serviceaccounts",
        singular: "serviceaccount",
        kind: "ServiceAccount",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["sa"],
        categories: &[],
        storage_version_hash: "pbx9ZvyFpBE=",
        etcd_prefix: Some("/registry/serviceaccounts"),
        subresources: &[Subresource {
            name: "token",
            group: "authentication.k8s.io",
            version: "v1",
            kind: "TokenRequest",
            verbs: &["create"],
        }],
    },
    Resource {
        group: "",
        version: "v1",
        name: "services",
        singular: "service",
        kind: "Service",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["svc"],
        categories: &["all"],
        storage_version_hash: "0/CO1lhkEBI=",
        etcd_prefix: Some("/registry/services/specs"),
        subresources: &[Subresource {
            name: "status",
            group: "",
            version: "v1",
            kind: "Service",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "apps",
        version: "v1",
        name: "controllerrevisions",
        singular: "controllerrevision",
        kind: "ControllerRevision",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "85nkx63pcBU=",
        etcd_prefix: Some("/registry/controllerrevisions"),
        subresources: &[],
    },
    Resource {
        group: "apps",
        version: "v1",
        name: "daemonsets",
        singular: "daemonset",
        kind: "DaemonSet",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["ds"],
        categories: &["all"],
        storage_version_hash: "dd7pWHUlMKQ=",
        etcd_prefix: Some("/registry/daemonsets"),
        subresources: &[Subresource {
            name: "status",
            group: "apps",
            version: "v1",
            kind: "DaemonSet",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "apps",
        version: "v1",
        name: "deployments",
        singular: "deployment",
        kind: "Deployment",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["deploy"],
        categories: &["all"],
        storage_version_hash: "8aSe+NMegvE=",
        etcd_prefix: Some("/registry/deployments"),
        subresources: &[
            Subresource {
                name: "scale",
                group: "autoscaling",
                version: "v1",
                kind: "Scale",
                verbs: &["get", "patch", "update"],
            },
            Subresource {
                name: "status",
                group: "apps",
                version: "v1",
                kind: "Deployment",
                verbs: &["get", "patch", "update"],
            },
        ],
    },
    Resource {
        group: "apps",
        version: "v1",
        name: "replicasets",
        singular: "replicaset",
        kind: "ReplicaSet",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["rs"],
        categories: &["all"],
        storage_version_hash: "P1RzHs8/mWQ=",
        etcd_prefix: Some("/registry/replicasets"),
        subresources: &[
            Subresource {
                name: "scale",
                group: "autoscaling",
                version: "v1",
                kind: "Scale",
                verbs: &["get", "patch", "update"],
            },
            Subresource {
                name: "status",
                group: "apps",
                version: "v1",
                kind: "ReplicaSet",
                verbs: &["get", "patch", "update"],
            },
        ],
    },
    Resource {
        group: "apps",
        version: "v1",
        name: "statefulsets",
        singular: "statefulset",
        kind: "StatefulSet",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["sts"],
        categories: &["all"],
        storage_version_hash: "H+vl74LkKdo=",
        etcd_prefix: Some("/registry/statefulsets"),
        subresources: &[
            Subresource {
                name: "scale",
                group: "autoscaling",
                version: "v1",
                kind: "Scale",
                verbs: &["get", "patch", "update"],
            },
            Subresource {
                name: "status",
                group: "apps",
                version: "v1",
                kind: "StatefulSet",
                verbs: &["get", "patch", "update"],
            },
        ],
    },
    Resource {
        group: "authentication.k8s.io",
        version: "v1",
        name: "selfsubjectreviews",
        singular: "selfsubjectreview",
        kind: "SelfSubjectReview",
        namespaced: false,
        verbs: &["create"],
        short_names: &[],
        categories: &[],
        storage_version_hash: "lXQEzH/UnRo=",
        etcd_prefix: None,
        subresources: &[],
    },
    Resource {
        group: "authorization.k8s.io",
        version: "v1",
        name: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview",
        kind: "SelfSubjectAccessReview",
        namespaced: false,
        verbs: &["create"],
        short_names: &[],
        categories: &[],
        storage_version_hash: "QyItbxiCXUY=",
        etcd_prefix: None,
        subresources: &[],
    },
    Resource {
        group: "authorization.k8s.io",
        version: "v1",
        name: "selfsubjectrulesreviews",
        singular: "selfsubjectrulesreview",
        kind: "SelfSubjectRulesReview",
        namespaced: false,
        verbs: &["create"],
        short_names: &[],
        categories: &[],
        storage_version_hash: "cOj0rRNQ5a8=",
        etcd_prefix: None,
        subresources: &[],
    },
    Resource {
        group: "authorization.k8s.io",
        version: "v1",
        name: "subjectaccessreviews",
        singular: "subjectaccessreview",
        kind: "SubjectAccessReview",
        namespaced: false,
        verbs: &["create"],
        short_names: &[],
        categories: &[],
        storage_version_hash: "qbbO15Rngr4=",
        etcd_prefix: None,
        subresources: &[],
    },
    Resource {
        group: "batch",
        version: "v1",
        name: "cronjobs",
        singular: "cronjob",
        kind: "CronJob",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["cj"],
        categories: &["all"],
        storage_version_hash: "sd5LIXh4Fjs=",
        etcd_prefix: Some("/registry/cronjobs"),
        subresources: &[Subresource {
            name: "status",
            group: "batch",
            version: "v1",
            kind: "CronJob",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "batch",
        version: "v1",
        name: "jobs",
        singular: "job",
        kind: "Job",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &["all"],
        storage_version_hash: "mudhfqk/qZY=",
        etcd_prefix: Some("/registry/jobs"),
        subresources: &[Subresource {
            name: "status",
            group: "batch",
            version: "v1",
            kind: "Job",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "coordination.k8s.io",
        version: "v1",
        name: "leases",
        singular: "lease",
        kind: "Lease",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "gqkMMb/YqFM=",
        etcd_prefix: Some("/registry/leases"),
        subresources: &[],
    },
    Resource {
        group: "discovery.k8s.io",
        version: "v1",
        name: "endpointslices",
        singular: "endpointslice",
        kind: "EndpointSlice",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "qgS0xkrxYAI=",
        etcd_prefix: Some("/registry/endpointslices"),
        subresources: &[],
    },
    Resource {
        group: "events.k8s.io",
        version: "v1",
        name: "events",
        singular: "event",
        kind: "Event",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["ev"],
        categories: &[],
        storage_version_hash: "x51sC10/5OA=",
        etcd_prefix: Some("/registry/events"),
        subresources: &[],
    },
    Resource {
        group: "networking.k8s.io",
        version: "v1",
        name: "ingresses",
        singular: "ingress",
        kind: "Ingress",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["ing"],
        categories: &[],
        storage_version_hash: "39NQlfNR+bo=",
        etcd_prefix: Some("/registry/ingress"),
        subresources: &[Subresource {
            name: "status",
            group: "networking.k8s.io",
            version: "v1",
            kind: "Ingress",
            verbs: &["get", "patch", "update"],
        }],
    },
    Resource {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        name: "clusterrolebindings",
        singular: "clusterrolebinding",
        kind: "ClusterRoleBinding",
        namespaced: false,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "48tpQ8gZHFc=",
        etcd_prefix: Some("/registry/clusterrolebindings"),
        subresources: &[],
    },
    Resource {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        name: "clusterroles",
        singular: "clusterrole",
        kind: "ClusterRole",
        namespaced: false,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "bYE5ZWDrJ44=",
        etcd_prefix: Some("/registry/clusterroles"),
        subresources: &[],
    },
    Resource {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        name: "rolebindings",
        singular: "rolebinding",
        kind: "RoleBinding",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "eGsCzGH6b1g=",
        etcd_prefix: Some("/registry/rolebindings"),
        subresources: &[],
    },
    Resource {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        name: "roles",
        singular: "role",
        kind: "Role",
        namespaced: true,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &[],
        categories: &[],
        storage_version_hash: "7FuwZcIIItM=",
        etcd_prefix: Some("/registry/roles"),
        subresources: &[],
    },
    Resource {
        group: "scheduling.k8s.io",
        version: "v1",
        name: "priorityclasses",
        singular: "priorityclass",
        kind: "PriorityClass",
        namespaced: false,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["pc"],
        categories: &[],
        storage_version_hash: "1QwjyaZjj3Y=",
        etcd_prefix: Some("/registry/priorityclasses"),
        subresources: &[],
    },
    Resource {
        group: "storage.k8s.io",
        version: "v1",
        name: "storageclasses",
        singular: "storageclass",
        kind: "StorageClass",
        namespaced: false,
        verbs: &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        short_names: &["sc"],
        categories: &[],
        storage_version_hash: "K+m6uJwbjGY=",
        etcd_prefix: Some("/registry/storageclasses"),
        subresources: &[],
    },
];

impl Resource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `pods` for the core group (the name in error messages).
    pub fn qualified_name(&self) -> String {
        if self.group.is_empty() {
            self.name.to_string()
        } else {
            format!("{}.{}", self.name, self.group)
        }
    }

    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }

    pub fn subresource(&self, name: &str) -> Option<&'static Subresource> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// The etcd key of an object: `/registry/pods/default/web`, `/registry/minions/node-1`.
    pub fn etcd_key(&self, namespace: Option<&str>, name: &str) -> Option<String> {
        let prefix = self.etcd_prefix?;
        Some(match (self.namespaced, namespace) {
            (true, Some(ns)) => format!("{prefix}/{ns}/{name}"),
            _ => format!("{prefix}/{name}"),
        })
    }

    /// The etcd prefix that holds every object of this resource, or of one namespace, with the
    /// trailing slash.
    pub fn etcd_list_prefix(&self, namespace: Option<&str>) -> Option<String> {
        let prefix = self.etcd_prefix?;
        Some(match (self.namespaced, namespace) {
            (true, Some(ns)) => format!("{prefix}/{ns}/"),
            _ => format!("{prefix}/"),
        })
    }
}

/// The resource served at `group`/`version` with plural name `name`.
pub fn find(group: &str, version: &str, name: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.name == name)
}

/// The resource of a kind in `group`/`version`.
pub fn by_kind(group: &str, version: &str, kind: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.kind == kind)
}

/// The served group versions, core first then the named groups sorted by name.
pub fn groups() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for r in RESOURCES {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out.sort_by_key(|(g, _)| (!g.is_empty(), *g));
    out
}

/// `/api/v1` or `/apis/<group>/<version>`: the `APIResourceList`.
pub fn api_resource_list(group: &str, version: &str) -> Option<Value> {
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let mut list = Vec::new();
    for r in RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let mut entry = json!({
            "name": r.name,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs,
        });
        if !r.short_names.is_empty() {
            entry["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            entry["categories"] = json!(r.categories);
        }
        if r.etcd_prefix.is_some() {
            entry["storageVersionHash"] = json!(r.storage_version_hash);
        }
        list.push(entry);
        for s in r.subresources {
            let mut sub = json!({
                "name": format!("{}/{}", r.name, s.name),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": s.kind,
                "verbs": s.verbs,
            });
            if s.group != r.group || s.version != r.version {
                sub["group"] = json!(s.group);
                sub["version"] = json!(s.version);
            }
            list.push(sub);
        }
    }
    if list.is_empty() {
        return None;
    }
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": list,
    }))
}

/// `/api`: the core group's versions.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": server_address }],
    })
}

/// `/apis`: every named group with its versions.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| api_group(g, v))
        .collect();
    json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
}

/// `/apis/<group>`: one group.
pub fn api_group(group: &str, version: &str) -> Value {
    let gv = json!({ "groupVersion": format!("{group}/{version}"), "version": version });
    json!({
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [gv.clone()],
        "preferredVersion": gv,
    })
}

/// The media type of aggregated discovery (`apidiscovery.k8s.io/v2`), what kubectl asks `/api`
/// and `/apis` for first.
pub const AGGREGATED_DISCOVERY_V2: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether content negotiation over `accept` picks aggregated discovery: the first media range
/// the server can serve decides (aggregated `v2`, or plain JSON for the legacy documents).
pub fn wants_aggregated_discovery(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        let mut params: Vec<(&str, &str)> = Vec::new();
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                params.push((k.trim(), v.trim()));
            }
        }
        let param = |k: &str| params.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        if param("q") == Some("0") {
            continue;
        }
        if !matches!(media, "application/json" | "application/*" | "*/*") {
            continue;
        }
        match (param("g"), param("v"), param("as")) {
            (None, None, None) => return false,
            (Some("apidiscovery.k8s.io"), Some("v2"), Some("APIGroupDiscoveryList")) => {
                return true
            }
            // Other conversions (v2beta1, which 1.33 no longer serves, or a Table) are not
            // served here: the next range decides.
            _ => continue,
        }
    }
    false
}

/// One `APIResourceDiscovery` of aggregated discovery (`ConvertGroupVersionIntoToDiscovery`):
/// the resource with its subresources nested, response kinds with group and version only when
/// they differ from the resource's.
fn resource_discovery(r: &Resource) -> Value {
    let mut entry = json!({
        "resource": r.name,
        "responseKind": {"group": "", "version": "", "kind": r.kind},
        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular,
        "verbs": r.verbs,
    });
    if !r.short_names.is_empty() {
        entry["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        entry["categories"] = json!(r.categories);
    }
    if !r.subresources.is_empty() {
        let subs: Vec<Value> = r
            .subresources
            .iter()
            .map(|s| {
                let (group, version) = if s.group != r.group || s.version != r.version {
                    (s.group, s.version)
                } else {
                    ("", "")
                };
                json!({
                    "subresource": s.name,
                    "responseKind": {"group": group, "version": version, "kind": s.kind},
                    "verbs": s.verbs,
                })
            })
            .collect();
        entry["subresources"] = json!(subs);
    }
    entry
}

/// Aggregated discovery (`APIGroupDiscoveryList`, `apidiscovery.k8s.io/v2`): of the core group
/// for `/api` (`core`), of every named group for `/apis`, each version with its resources.
pub fn aggregated_discovery(core: bool) -> Value {
    let mut served: Vec<(&str, Vec<&str>)> = Vec::new();
    for (g, v) in groups() {
        if g.is_empty() != core {
            continue;
        }
        match served.iter_mut().find(|(name, _)| *name == g) {
            Some((_, versions)) => versions.push(v),
            None => served.push((g, vec![v])),
        }
    }
    let items: Vec<Value> = served
        .into_iter()
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .into_iter()
                .map(|v| {
                    let resources: Vec<Value> = RESOURCES
                        .iter()
                        .filter(|r| r.group == g && r.version == v)
                        .map(resource_discovery)
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if g.is_empty() {
                json!({"creationTimestamp": null})
            } else {
                json!({"name": g, "creationTimestamp": null})
            };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_gets_aggregated_discovery_and_others_the_legacy_documents() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,\
                       application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,\
                       application/json";
        assert!(wants_aggregated_discovery(Some(kubectl)));
        assert!(!wants_aggregated_discovery(Some("application/json, */*")));
        assert!(!wants_aggregated_discovery(None));
        assert!(!wants_aggregated_discovery(Some(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        )));
        assert!(!wants_aggregated_discovery(Some(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,application/json"
        )));
    }

    #[test]
    fn aggregated_discovery_nests_subresources_under_their_resource() {
        let core = aggregated_discovery(true);
        assert_eq!(core["kind"], "APIGroupDiscoveryList");
        assert_eq!(core["items"].as_array().unwrap().len(), 1);
        assert_eq!(
            core["items"][0]["metadata"],
            json!({"creationTimestamp": null})
        );
        let v1 = &core["items"][0]["versions"][0];
        assert_eq!(v1["version"], "v1");
        assert_eq!(v1["freshness"], "Current");
        let pods = v1["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "pods")
            .unwrap();
        assert_eq!(pods["scope"], "Namespaced");
        assert_eq!(pods["singularResource"], "pod");
        assert_eq!(pods["shortNames"], json!(["po"]));
        assert_eq!(
            pods["responseKind"],
            json!({"group": "", "version": "", "kind": "Pod"})
        );
        let eviction = pods["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subresource"] == "eviction")
            .unwrap();
        assert_eq!(
            eviction["responseKind"],
            json!({"group": "policy", "version": "v1", "kind": "Eviction"})
        );
        let named = aggregated_discovery(false);
        let apps = named["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["metadata"]["name"] == "apps")
            .unwrap();
        let deployments = apps["versions"][0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "deployments")
            .unwrap();
        let scale = deployments["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subresource"] == "scale")
            .unwrap();
        assert_eq!(scale["responseKind"]["group"], "autoscaling");
        assert!(named["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["metadata"]["name"] != ""));
    }

    #[test]
    fn pods_are_stored_and_discovered_like_a_real_cluster() {
        let pods = find("", "v1", "pods").unwrap();
        assert_eq!(pods.storage_version_hash, "xPOwRZ+Yhw8=");
        assert_eq!(
            pods.etcd_key(Some("default"), "web").unwrap(),
            "/registry/pods/default/web"
        );
        let nodes = find("", "v1", "nodes").unwrap();
        assert_eq!(
            nodes.etcd_key(None, "node-1").unwrap(),
            "/registry/minions/node-1"
        );
        let svc = find("", "v1", "services").unwrap();
        assert_eq!(
            svc.etcd_key(Some("default"), "kubernetes").unwrap(),
            "/registry/services/specs/default/kubernetes"
        );
        assert_eq!(
            find("apps", "v1", "deployments").unwrap().qualified_name(),
            "deployments.apps"
        );
        // The workload controllers' history (DaemonSets, StatefulSets) is a served kind.
        let revisions = find("apps", "v1", "controllerrevisions").unwrap();
        assert_eq!(revisions.storage_version_hash, "85nkx63pcBU=");
        assert_eq!(
            revisions
                .etcd_key(Some("kube-system"), "kube-proxy-7d5b8f")
                .unwrap(),
            "/registry/controllerrevisions/kube-system/kube-proxy-7d5b8f"
        );
        let list = api_resource_list("", "v1").unwrap();
        let names: Vec<&str> = list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"pods/status") && names.contains(&"pods/binding"));
        let eviction = list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "pods/eviction")
            .unwrap();
        assert_eq!(eviction["group"], "policy");
    }

    #[test]
    fn groups_list_core_first() {
        let g = groups();
        assert_eq!(g[0], ("", "v1"));
        assert!(g.contains(&("apps", "v1")));
    }
}
