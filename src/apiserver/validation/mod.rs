//! Validation with the real field paths and messages, every error at once.
//!
//! Mirrors kube-apiserver 1.33's registry strategies: `validate_create` runs a kind's
//! `Validate`, `validate_update` its `ValidateUpdate`. The returned [`field::ErrorList`] becomes
//! a 422 `Invalid` status via [`crate::apiserver::status::invalid`].
//!
//! What the stages before validation must have done, as in kube-apiserver:
//! - defaulting (`SetDefaults_*`): pod `restartPolicy`, `dnsPolicy`,
//!   `terminationGracePeriodSeconds`, container `imagePullPolicy` and
//!   `terminationMessagePolicy`, port protocols, probe thresholds, Service `sessionAffinity`,
//!   `internalTrafficPolicy`, `allocateLoadBalancerNodePorts`, workload strategies...;
//! - `rest.BeforeCreate`: `metadata.name` generated from `generateName`, `metadata.uid` set;
//! - the Job strategy's `PrepareForCreate`: the generated selector and pod template labels;
//! - the Service registry: cluster IPs and node ports allocated;
//! - on update, `metadata.resourceVersion` copied from the stored object when the request left
//!   it empty (kinds that allow unconditional updates).
//!
//! Values Go prints with `%#v` are rendered like Go for strings, numbers, maps, string slices,
//! label selectors and small structs; a few large structs (pod templates, security contexts)
//! are shown as their type frame, and "may not change" diffs follow go-cmp's layout only
//! loosely (go-cmp randomises its own output).

pub mod apps;
pub mod batch;
pub mod core;
pub mod field;
pub mod meta;
pub mod names;
pub mod other;
pub mod pod;
pub mod quantity;
pub mod rbac;
pub mod value;

use serde_json::Value;

pub use field::{ErrorList, FieldError, Path};

/// The group of a served kind (`""` for the core group), for `Invalid` statuses.
pub fn group_of(kind: &str) -> &'static str {
    match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "ControllerRevision" => "apps",
        "Job" | "CronJob" => "batch",
        "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
            "rbac.authorization.k8s.io"
        }
        "Lease" => "coordination.k8s.io",
        "EndpointSlice" => "discovery.k8s.io",
        "Ingress" => "networking.k8s.io",
        "PriorityClass" => "scheduling.k8s.io",
        "StorageClass" => "storage.k8s.io",
        "Scale" => "autoscaling",
        _ => "",
    }
}

/// True for the kinds kubestep validates.
pub fn is_served(kind: &str) -> bool {
    matches!(
        kind,
        "Pod"
            | "Node"
            | "Namespace"
            | "Service"
            | "Endpoints"
            | "ConfigMap"
            | "Secret"
            | "ServiceAccount"
            | "Event"
            | "PersistentVolume"
            | "PersistentVolumeClaim"
            | "LimitRange"
            | "ResourceQuota"
            | "Deployment"
            | "ReplicaSet"
            | "DaemonSet"
            | "StatefulSet"
            | "ControllerRevision"
            | "Job"
            | "CronJob"
            | "Role"
            | "RoleBinding"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "Lease"
            | "EndpointSlice"
            | "Ingress"
            | "PriorityClass"
            | "StorageClass"
            | "Binding"
            | "Scale"
    )
}

/// The create validation of a kind. `api_version` tells the two Event kinds apart
/// (`v1` Event vs `events.k8s.io/v1` Event). An unserved kind is a caller bug.
pub fn validate_create(api_version: &str, kind: &str, obj: &Value) -> ErrorList {
    match kind {
        "Pod" => pod::validate_pod_create(obj),
        "Node" => core::validate_node(obj),
        "Namespace" => core::validate_namespace(obj),
        "Service" => core::validate_service(obj),
        "Endpoints" => core::validate_endpoints(obj),
        "ConfigMap" => core::validate_config_map(obj),
        "Secret" => core::validate_secret(obj),
        "ServiceAccount" => core::validate_service_account(obj),
        "Event" if api_version.starts_with("events.k8s.io/") => other::validate_events_event(obj),
        "Event" => core::validate_event(obj),
        "PersistentVolume" => core::validate_persistent_volume(obj),
        "PersistentVolumeClaim" => core::validate_persistent_volume_claim(obj),
        "LimitRange" => core::validate_limit_range(obj),
        "ResourceQuota" => core::validate_resource_quota(obj),
        "Binding" => core::validate_binding(obj),
        "Deployment" => apps::validate_deployment(obj),
        "ReplicaSet" => apps::validate_replica_set(obj),
        "DaemonSet" => apps::validate_daemon_set(obj),
        "StatefulSet" => apps::validate_stateful_set(obj),
        "ControllerRevision" => apps::validate_controller_revision(obj),
        "Scale" => apps::validate_scale(obj),
        "Job" => batch::validate_job(obj),
        "CronJob" => batch::validate_cron_job(obj),
        "Role" => rbac::validate_role(obj),
        "ClusterRole" => rbac::validate_cluster_role(obj),
        "RoleBinding" => rbac::validate_role_binding(obj),
        "ClusterRoleBinding" => rbac::validate_cluster_role_binding(obj),
        "Lease" => other::validate_lease(obj),
        "EndpointSlice" => other::validate_endpoint_slice(obj),
        "Ingress" => other::validate_ingress(obj),
        "PriorityClass" => other::validate_priority_class(obj),
        "StorageClass" => other::validate_storage_class(obj),
        _ => panic!("validate_create called for unserved kind {kind:?}"),
    }
}

/// The update validation of a kind (`new` after defaulting, `old` as stored).
pub fn validate_update(api_version: &str, kind: &str, new: &Value, old: &Value) -> ErrorList {
    match kind {
        "Pod" => pod::validate_pod_update(new, old),
        "Node" => core::validate_node_update(new, old),
        "Namespace" => core::validate_namespace_update(new, old),
        "Service" => core::validate_service_update(new, old),
        "Endpoints" => core::validate_endpoints_update(new, old),
        "ConfigMap" => core::validate_config_map_update(new, old),
        "Secret" => core::validate_secret_update(new, old),
        "ServiceAccount" => core::validate_service_account_update(new, old),
        "PersistentVolume" => core::validate_persistent_volume_update(new, old),
        "PersistentVolumeClaim" => core::validate_persistent_volume_claim_update(new, old),
        "LimitRange" => core::validate_limit_range_update(new, old),
        "ResourceQuota" => core::validate_resource_quota_update(new, old),
        "Deployment" => apps::validate_deployment_update(new, old),
        "ReplicaSet" => apps::validate_replica_set_update(new, old),
        "DaemonSet" => apps::validate_daemon_set_update(new, old),
        "StatefulSet" => apps::validate_stateful_set_update(new, old),
        "ControllerRevision" => apps::validate_controller_revision_update(new, old),
        "Job" => batch::validate_job_update(new, old),
        "CronJob" => batch::validate_cron_job_update(new, old),
        "Role" => rbac::validate_role_update(new, old),
        "ClusterRole" => rbac::validate_cluster_role_update(new, old),
        "RoleBinding" => rbac::validate_role_binding_update(new, old),
        "ClusterRoleBinding" => rbac::validate_cluster_role_binding_update(new, old),
        "Lease" => other::validate_lease_update(new, old),
        "EndpointSlice" => other::validate_endpoint_slice_update(new, old),
        "Ingress" => other::validate_ingress_update(new, old),
        "PriorityClass" => other::validate_priority_class_update(new, old),
        "StorageClass" => other::validate_storage_class_update(new, old),
        // core/v1 Events accept any update that passes the legacy rules (old clients).
        "Event" if !api_version.starts_with("events.k8s.io/") => core::validate_event(new),
        "Event" => {
            let mut errs = core::validate_event_legacy(new, true);
            errs.extend(meta::validate_object_meta_update(
                meta::metadata(new),
                meta::metadata(old),
                &Path::new("metadata"),
            ));
            errs
        }
        // Bindings and scales are validated as on create, plus the metadata rules.
        "Binding" | "Scale" => {
            let mut errs = meta::validate_object_meta_update(
                meta::metadata(new),
                meta::metadata(old),
                &Path::new("metadata"),
            );
            if kind != "Binding" {
                errs.extend(validate_create(api_version, kind, new));
            }
            errs
        }
        _ => panic!("validate_update called for unserved kind {kind:?}"),
    }
}
