//! The merge metadata of the built-in kinds: for each field that is not a plain "merge maps,
//! replace lists" field, the Go struct tags `patchStrategy:"..." patchMergeKey:"..."` that
//! strategic merge patch reads (`strategicpatch.LookupPatchMeta`) and the
//! `+listType`/`+listMapKey`/`+structType=atomic` markers that server-side apply reads
//! (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`). Taken from `k8s.io/api` 1.33
//! (`core/v1/types.go`, `apps/v1/types.go`, `batch/v1/types.go`, `meta/v1/types.go`).
//!
//! The table is keyed by Go type, like the real lookup walks Go struct fields: the kind gives the
//! root type, each field name the next type. Fields not listed have no strategy: their maps are
//! merged key by key and their lists replaced whole (atomic for server-side apply).
//!
//! Reconcile with the generated schemas (branch `api-schema`) once both are merged: this table
//! should then be derived from those schemas' `x-kubernetes-patch-strategy`,
//! `x-kubernetes-patch-merge-key` and `x-kubernetes-list-*` extensions.

/// A Go type the table knows fields of. `Unknown` has no listed fields (maps, leaf structs,
/// custom resources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Unknown,
    /// A top-level object of a built-in kind not listed below: only `metadata` is special.
    Object,
    ObjectMeta,
    Pod,
    PodSpec,
    PodStatus,
    PodTemplate,
    PodTemplateSpec,
    Container,
    /// `spec.template`-carrying workload specs (ReplicaSet, DaemonSet, Job,
    /// ReplicationController) with an atomic `selector`.
    WorkloadSpec,
    Deployment,
    DeploymentSpec,
    StatefulSet,
    StatefulSetSpec,
    /// Workloads whose `spec` is a [`Ty::WorkloadSpec`] and whose status has `conditions`.
    Workload,
    CronJob,
    CronJobSpec,
    JobTemplateSpec,
    Service,
    ServiceSpec,
    Node,
    NodeSpec,
    NodeStatus,
    ServiceAccount,
    /// Objects whose only special status field is `conditions` merged by `type` (Namespace,
    /// PersistentVolumeClaim, PodDisruptionBudget, HorizontalPodAutoscaler).
    ConditionsObject,
    /// A status whose `conditions` merge by `type`.
    ConditionsStatus,
    LabelSelector,
    /// `MergeItem`, the test type of strategicpatch's own test tables (`patch_test.go`), so that
    /// its cases run here unchanged. No kind maps to it.
    MergeItem,
    /// `RetainKeysMergeItem` of the same tests.
    RetainKeysMergeItem,
}

/// How server-side apply treats a list (`x-kubernetes-list-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListType {
    Atomic,
    Set,
    /// An associative list keyed by these fields (`x-kubernetes-list-map-keys`).
    Map(&'static [&'static str]),
}

/// The metadata of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMeta {
    /// Type of the value, or of the list's items.
    pub ty: Ty,
    /// The `patchStrategy` tag: "", "merge", "replace", "retainKeys" or "merge,retainKeys".
    pub patch_strategy: &'static str,
    /// The `patchMergeKey` tag ("" when none).
    pub merge_key: &'static str,
    /// List semantics for server-side apply.
    pub list_type: ListType,
    /// `+structType=atomic` / `+mapType=atomic`: owned and replaced as a whole.
    pub atomic: bool,
}

const fn plain(ty: Ty) -> FieldMeta {
    FieldMeta {
        ty,
        patch_strategy: "",
        merge_key: "",
        list_type: ListType::Atomic,
        atomic: false,
    }
}

const fn atomic(ty: Ty) -> FieldMeta {
    FieldMeta {
        atomic: true,
        ..plain(ty)
    }
}

const fn merge_by(ty: Ty, key: &'static str, keys: &'static [&'static str]) -> FieldMeta {
    FieldMeta {
        ty,
        patch_strategy: "merge",
        merge_key: key,
        list_type: ListType::Map(keys),
        atomic: false,
    }
}

const fn merge_retain_by(ty: Ty, key: &'static str, keys: &'static [&'static str]) -> FieldMeta {
    FieldMeta {
        patch_strategy: "merge,retainKeys",
        ..merge_by(ty, key, keys)
    }
}

const fn merge_set() -> FieldMeta {
    FieldMeta {
        ty: Ty::Unknown,
        patch_strategy: "merge",
        merge_key: "",
        list_type: ListType::Set,
        atomic: false,
    }
}

const CONDITIONS: FieldMeta = merge_by(Ty::Unknown, "type", &["type"]);

/// The root type of a built-in kind; `None` for kinds this table does not know as built-in
/// (custom resources: no strategic merge patch, deduced schema for apply).
pub fn root_type(kind: &str) -> Option<Ty> {
    Some(match kind {
        "Pod" => Ty::Pod,
        "PodTemplate" => Ty::PodTemplate,
        "Deployment" => Ty::Deployment,
        "StatefulSet" => Ty::StatefulSet,
        "ReplicaSet" | "DaemonSet" | "Job" | "ReplicationController" => Ty::Workload,
        "CronJob" => Ty::CronJob,
        "Service" => Ty::Service,
        "Node" => Ty::Node,
        "ServiceAccount" => Ty::ServiceAccount,
        "Namespace"
        | "PersistentVolumeClaim"
        | "PersistentVolume"
        | "PodDisruptionBudget"
        | "HorizontalPodAutoscaler" => Ty::ConditionsObject,
        "ConfigMap"
        | "Secret"
        | "Endpoints"
        | "EndpointSlice"
        | "Event"
        | "LimitRange"
        | "ResourceQuota"
        | "Role"
        | "RoleBinding"
        | "ClusterRole"
        | "ClusterRoleBinding"
        | "Ingress"
        | "IngressClass"
        | "NetworkPolicy"
        | "Lease"
        | "PriorityClass"
        | "StorageClass"
        | "CSIDriver"
        | "CSINode"
        | "VolumeAttachment"
        | "RuntimeClass"
        | "ControllerRevision"
        | "CustomResourceDefinition"
        | "APIService"
        | "MutatingWebhookConfiguration"
        | "ValidatingWebhookConfiguration"
        | "ValidatingAdmissionPolicy"
        | "ValidatingAdmissionPolicyBinding"
        | "CertificateSigningRequest"
        | "FlowSchema"
        | "PriorityLevelConfiguration" => Ty::Object,
        _ => return None,
    })
}

/// Whether `kind` is a built-in kind (which accepts strategic merge patch).
pub fn is_builtin_kind(kind: &str) -> bool {
    root_type(kind).is_some()
}

/// The metadata of field `name` of type `ty`.
pub fn field(ty: Ty, name: &str) -> FieldMeta {
    use Ty::*;
    match (ty, name) {
        (
            Object | Pod | PodTemplate | Deployment | StatefulSet | Workload | CronJob | Service
            | Node | ServiceAccount | ConditionsObject,
            "metadata",
        ) => plain(ObjectMeta),
        (Pod, "spec") => plain(PodSpec),
        (Pod, "status") => plain(PodStatus),
        (PodTemplate, "template") => plain(PodTemplateSpec),
        (Deployment, "spec") => plain(DeploymentSpec),
        (StatefulSet, "spec") => plain(StatefulSetSpec),
        (Workload, "spec") => plain(WorkloadSpec),
        (CronJob, "spec") => plain(CronJobSpec),
        (Service, "spec") => plain(ServiceSpec),
        (Node, "spec") => plain(NodeSpec),
        (Node, "status") => plain(NodeStatus),
        (Deployment | StatefulSet | Workload | Service | ConditionsObject, "status") => {
            plain(ConditionsStatus)
        }
        (ConditionsStatus, "conditions") => CONDITIONS,

        (ObjectMeta, "finalizers") => merge_set(),
        (ObjectMeta, "ownerReferences") => merge_by(Unknown, "uid", &["uid"]),

        (PodTemplateSpec, "metadata") => plain(ObjectMeta),
        (PodTemplateSpec, "spec") => plain(PodSpec),
        (JobTemplateSpec, "metadata") => plain(ObjectMeta),
        (JobTemplateSpec, "spec") => plain(WorkloadSpec),
        (CronJobSpec, "jobTemplate") => plain(JobTemplateSpec),
        (DeploymentSpec | StatefulSetSpec | WorkloadSpec, "template") => plain(PodTemplateSpec),
        (DeploymentSpec | StatefulSetSpec | WorkloadSpec, "selector") => atomic(LabelSelector),
        (DeploymentSpec, "strategy") => FieldMeta {
            patch_strategy: "retainKeys",
            ..plain(Unknown)
        },

        (PodSpec, "volumes") => merge_retain_by(Unknown, "name", &["name"]),
        (PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
            merge_by(Container, "name", &["name"])
        }
        (PodSpec, "imagePullSecrets") => FieldMeta {
            list_type: ListType::Atomic,
            ..merge_by(Unknown, "name", &[])
        },
        (PodSpec, "hostAliases") => merge_by(Unknown, "ip", &["ip"]),
        (PodSpec, "topologySpreadConstraints") => merge_by(
            Unknown,
            "topologyKey",
            &["topologyKey", "whenUnsatisfiable"],
        ),
        (PodSpec, "schedulingGates") => merge_by(Unknown, "name", &["name"]),
        (PodSpec, "resourceClaims") => merge_retain_by(Unknown, "name", &["name"]),
        (PodStatus, "conditions") => CONDITIONS,
        (PodStatus, "podIPs" | "hostIPs") => merge_by(Unknown, "ip", &["ip"]),
        (PodStatus, "resourceClaimStatuses") => merge_retain_by(Unknown, "name", &["name"]),

        (Container, "ports") => merge_by(Unknown, "containerPort", &["containerPort", "protocol"]),
        (Container, "env") => merge_by(Unknown, "name", &["name"]),
        (Container, "volumeMounts") => merge_by(Unknown, "mountPath", &["mountPath"]),
        (Container, "volumeDevices") => merge_by(Unknown, "devicePath", &["devicePath"]),

        (ServiceSpec, "ports") => merge_by(Unknown, "port", &["port", "protocol"]),
        (ServiceSpec, "selector") => atomic(Unknown),

        (NodeSpec, "podCIDRs") => merge_set(),
        (NodeStatus, "conditions") => CONDITIONS,
        (NodeStatus, "addresses") => FieldMeta {
            list_type: ListType::Atomic,
            ..merge_by(Unknown, "type", &[])
        },

        (ServiceAccount, "secrets") => merge_by(Unknown, "name", &["name"]),

        (MergeItem | RetainKeysMergeItem, "mergingList") => merge_by(MergeItem, "name", &["name"]),
        (MergeItem | RetainKeysMergeItem, "nonMergingList") => plain(MergeItem),
        (MergeItem | RetainKeysMergeItem, "mergingIntList") => merge_set(),
        (MergeItem, "mergeItemPtr") => merge_by(MergeItem, "name", &["name"]),
        (MergeItem, "replacingItem") => FieldMeta {
            patch_strategy: "replace",
            ..plain(Unknown)
        },
        (MergeItem, "retainKeysMap") => FieldMeta {
            patch_strategy: "retainKeys",
            ..plain(RetainKeysMergeItem)
        },
        (MergeItem, "retainKeysMergingList") => merge_retain_by(MergeItem, "name", &["name"]),

        _ => plain(Unknown),
    }
}

/// How strategic merge patch combines a list field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStrategy {
    /// `patchStrategy:"merge" patchMergeKey:"<key>"`: items are matched by this key.
    MergeByKey(&'static str),
    /// `patchStrategy:"merge"` on a list of scalars: the lists are merged as sets.
    MergeSet,
}

/// The metadata of the field at `path` (dot-separated field names, list items skipped, e.g.
/// `spec.template.spec.containers`) of `kind`; `None` for kinds that are not built-in.
pub fn field_meta(kind: &str, path: &str) -> Option<FieldMeta> {
    let mut ty = root_type(kind)?;
    let mut meta = plain(ty);
    for name in path.split('.').filter(|s| !s.is_empty()) {
        meta = field(ty, name);
        ty = meta.ty;
    }
    Some(meta)
}

/// The strategic merge strategy of the list at `path` of `kind` (`spec.template.spec.containers`
/// of a Deployment merges by `name`); `None` when the list is replaced whole, or the kind is not
/// built-in.
pub fn merge_strategy(kind: &str, path: &str) -> Option<ListStrategy> {
    let meta = field_meta(kind, path)?;
    if !meta.patch_strategy.split(',').any(|s| s == "merge") {
        return None;
    }
    if meta.merge_key.is_empty() {
        Some(ListStrategy::MergeSet)
    } else {
        Some(ListStrategy::MergeByKey(meta.merge_key))
    }
}

/// The server-side apply list type of the list at `path` of `kind` (atomic for unknown kinds,
/// whose schema is deduced).
pub fn list_type(kind: &str, path: &str) -> ListType {
    field_meta(kind, path).map_or(ListType::Atomic, |m| m.list_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_walks_types() {
        assert_eq!(
            merge_strategy("Deployment", "spec.template.spec.containers"),
            Some(ListStrategy::MergeByKey("name"))
        );
        assert_eq!(
            merge_strategy(
                "CronJob",
                "spec.jobTemplate.spec.template.spec.containers.ports"
            ),
            Some(ListStrategy::MergeByKey("containerPort"))
        );
        assert_eq!(
            merge_strategy("Pod", "metadata.finalizers"),
            Some(ListStrategy::MergeSet)
        );
        assert_eq!(merge_strategy("Pod", "spec.tolerations"), None);
        assert_eq!(merge_strategy("Widget", "spec.items"), None);
        assert_eq!(
            list_type("Pod", "spec.containers.ports"),
            ListType::Map(&["containerPort", "protocol"])
        );
    }
}
