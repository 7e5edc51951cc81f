//! The generated field schemas of the served kinds: lookups, Go type names, and the
//! strategic-merge-patch metadata checked against Kubernetes' own struct tags.

use kubestep::apiserver::schema::{self, FieldType};

#[test]
fn every_served_kind_resolves_to_its_definition() {
    let cases = [
        ("", "v1", "Pod", "io.k8s.api.core.v1.Pod"),
        ("", "v1", "PodList", "io.k8s.api.core.v1.PodList"),
        ("", "v1", "Binding", "io.k8s.api.core.v1.Binding"),
        ("policy", "v1", "Eviction", "io.k8s.api.policy.v1.Eviction"),
        ("apps", "v1", "Deployment", "io.k8s.api.apps.v1.Deployment"),
        (
            "apps",
            "v1",
            "ControllerRevision",
            "io.k8s.api.apps.v1.ControllerRevision",
        ),
        (
            "autoscaling",
            "v1",
            "Scale",
            "io.k8s.api.autoscaling.v1.Scale",
        ),
        ("batch", "v1", "CronJob", "io.k8s.api.batch.v1.CronJob"),
        (
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "io.k8s.api.rbac.v1.ClusterRoleBinding",
        ),
        (
            "coordination.k8s.io",
            "v1",
            "Lease",
            "io.k8s.api.coordination.v1.Lease",
        ),
        (
            "discovery.k8s.io",
            "v1",
            "EndpointSlice",
            "io.k8s.api.discovery.v1.EndpointSlice",
        ),
        (
            "networking.k8s.io",
            "v1",
            "Ingress",
            "io.k8s.api.networking.v1.Ingress",
        ),
        (
            "scheduling.k8s.io",
            "v1",
            "PriorityClass",
            "io.k8s.api.scheduling.v1.PriorityClass",
        ),
        (
            "storage.k8s.io",
            "v1",
            "StorageClass",
            "io.k8s.api.storage.v1.StorageClass",
        ),
        ("events.k8s.io", "v1", "Event", "io.k8s.api.events.v1.Event"),
        ("", "v1", "Event", "io.k8s.api.core.v1.Event"),
        (
            "authorization.k8s.io",
            "v1",
            "SelfSubjectAccessReview",
            "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
        ),
        (
            "",
            "v1",
            "Status",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        ),
        (
            "",
            "v1",
            "DeleteOptions",
            "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        ),
        (
            "apps",
            "v1",
            "DeleteOptions",
            "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        ),
        (
            "authentication.k8s.io",
            "v1",
            "TokenRequest",
            "io.k8s.api.authentication.v1.TokenRequest",
        ),
        (
            "authorization.k8s.io",
            "v1",
            "SelfSubjectRulesReview",
            "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
        ),
        (
            "",
            "v1",
            "ComponentStatusList",
            "io.k8s.api.core.v1.ComponentStatusList",
        ),
    ];
    for (g, v, k, def) in cases {
        let t = schema::kind(g, v, k).unwrap_or_else(|| panic!("{g}/{v} {k} is served"));
        assert_eq!(t.definition, def);
    }
    assert!(schema::kind("apps", "v1beta1", "Deployment").is_none());
    assert!(schema::kind("", "v1", "Deployment").is_none());
    assert!(
        schema::kind("", "v1", "pod").is_none(),
        "kinds are case-sensitive"
    );
    // ControllerRevision and its List joined the 65 with the DaemonSet and StatefulSet
    // controllers; SelfSubjectReview, TokenRequest, SelfSubjectRulesReview and
    // ComponentStatus (with its List) with the access APIs.
    assert_eq!(schema::kinds().len(), 72);
}

#[test]
fn fields_have_json_names_types_and_go_type_names() {
    let pod = schema::kind("", "v1", "Pod").unwrap();
    assert_eq!(pod.go_name(), "v1.Pod");
    let spec = pod.field("spec").unwrap();
    let spec_t = spec.ty.struct_schema().unwrap();
    assert_eq!(spec_t.struct_name(), "PodSpec");
    assert_eq!(
        spec_t.field("restartPolicy").unwrap().go_type,
        "v1.RestartPolicy"
    );
    assert_eq!(
        spec_t.field("nodeSelector").unwrap().go_type,
        "map[string]string"
    );
    assert_eq!(
        spec_t.field("containers").unwrap().go_type,
        "[]v1.Container"
    );
    assert_eq!(
        spec_t.field("containers").unwrap().elem_go_type().unwrap(),
        "v1.Container"
    );
    assert!(spec_t.field("containers").unwrap().required);
    assert!(
        spec_t.field("Containers").is_none(),
        "JSON names are case-sensitive"
    );

    let port = pod
        .field_at("spec.containers[0].ports[1].containerPort")
        .unwrap();
    assert_eq!(port.ty, FieldType::Int32);
    assert_eq!(port.go_type, "int32");
    let limits = pod.field_at("spec.containers.resources.limits").unwrap();
    assert_eq!(limits.go_type, "v1.ResourceList");
    assert_eq!(limits.ty, FieldType::Map(Box::new(FieldType::Quantity)));
    assert_eq!(limits.elem_go_type().unwrap(), "resource.Quantity");
    let labels = pod.field_at("metadata.labels").unwrap();
    assert_eq!(labels.ty, FieldType::Map(Box::new(FieldType::String)));
    assert_eq!(
        pod.field_at("metadata.creationTimestamp").unwrap().ty,
        FieldType::Time
    );
    assert_eq!(
        pod.field_at("spec.containers.livenessProbe.httpGet.port")
            .unwrap()
            .ty,
        FieldType::IntOrString
    );
    assert_eq!(
        pod.field_at("spec.volumes.hostPath.path").unwrap().ty,
        FieldType::String
    );
    assert_eq!(pod.field_at("metadata.uid").unwrap().go_type, "types.UID");
    assert!(pod.field_at("spec.containers.imagePullPolcy").is_none());
    assert!(
        pod.field_at("metadata.labels.app").is_none(),
        "map keys are not fields"
    );

    let secret = schema::kind("", "v1", "Secret").unwrap();
    assert_eq!(
        secret.field("data").unwrap().ty,
        FieldType::Map(Box::new(FieldType::Bytes))
    );
    assert_eq!(secret.field("data").unwrap().go_type, "map[string][]uint8");
    let lease = schema::kind("coordination.k8s.io", "v1", "Lease").unwrap();
    assert_eq!(
        lease.field_at("spec.renewTime").unwrap().ty,
        FieldType::MicroTime
    );
    let deploy = schema::kind("apps", "v1", "Deployment").unwrap();
    assert_eq!(deploy.field_at("spec.replicas").unwrap().go_type, "int32");
    assert_eq!(
        deploy
            .field_at("spec.template.spec.containers.image")
            .unwrap()
            .go_type,
        "string"
    );
}

/// Strategic-merge-patch metadata as Kubernetes' Go struct tags give it
/// (`patchStrategy:"merge" patchMergeKey:"name"`) and `+listType` markers, kept by hand so a
/// regenerated schema that lost its `x-kubernetes-*` extensions fails here.
#[test]
fn patch_strategies_and_merge_keys_match_kubernetes_struct_tags() {
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
    );
    let table: &[Row] = &[
        // (kind, path, patchStrategy, patchMergeKey, listType)
        ("Pod", "spec.containers", "merge", Some("name"), Some("map")),
        (
            "Pod",
            "spec.initContainers",
            "merge",
            Some("name"),
            Some("map"),
        ),
        (
            "Pod",
            "spec.volumes",
            "merge,retainKeys",
            Some("name"),
            Some("map"),
        ),
        (
            "Pod",
            "spec.containers.env",
            "merge",
            Some("name"),
            Some("map"),
        ),
        (
            "Pod",
            "spec.containers.ports",
            "merge",
            Some("containerPort"),
            Some("map"),
        ),
        (
            "Pod",
            "spec.containers.volumeMounts",
            "merge",
            Some("mountPath"),
            Some("map"),
        ),
        (
            "Pod",
            "spec.imagePullSecrets",
            "merge",
            Some("name"),
            Some("map"),
        ),
        ("Pod", "spec.hostAliases", "merge", Some("ip"), Some("map")),
        (
            "Pod",
            "spec.topologySpreadConstraints",
            "merge",
            Some("topologyKey"),
            Some("map"),
        ),
        ("Pod", "metadata.finalizers", "merge", None, Some("set")),
        (
            "Pod",
            "metadata.ownerReferences",
            "merge",
            Some("uid"),
            Some("map"),
        ),
        (
            "Pod",
            "status.conditions",
            "merge",
            Some("type"),
            Some("map"),
        ),
        ("Service", "spec.ports", "merge", Some("port"), Some("map")),
        (
            "Node",
            "status.addresses",
            "merge",
            Some("type"),
            Some("map"),
        ),
        (
            "Deployment",
            "spec.template.spec.containers",
            "merge",
            Some("name"),
            Some("map"),
        ),
        (
            "Deployment",
            "status.conditions",
            "merge",
            Some("type"),
            Some("map"),
        ),
        ("Deployment", "spec.strategy", "retainKeys", None, None),
    ];
    for (kind, path, strategy, key, list_type) in table {
        let group = if *kind == "Deployment" { "apps" } else { "" };
        let t = schema::kind(group, "v1", kind).unwrap();
        let f = t.field_at(path).unwrap_or_else(|| panic!("{kind} {path}"));
        assert_eq!(
            f.patch_strategy.as_deref(),
            Some(*strategy),
            "{kind} {path}"
        );
        assert_eq!(f.patch_merge_key.as_deref(), *key, "{kind} {path}");
        assert_eq!(f.list_type.as_deref(), *list_type, "{kind} {path}");
    }
    let pod = schema::kind("", "v1", "Pod").unwrap();
    assert_eq!(pod.merge_key("spec.containers"), Some("name"));
    assert_eq!(
        pod.merge_key("spec.containers[0].ports"),
        Some("containerPort")
    );
    assert_eq!(
        pod.merge_key("spec.tolerations"),
        None,
        "tolerations are replaced"
    );
    assert_eq!(pod.merge_key("spec.containers.args"), None);
    let tsc = pod.field_at("spec.topologySpreadConstraints").unwrap();
    assert_eq!(tsc.list_map_keys, ["topologyKey", "whenUnsatisfiable"]);
    assert_eq!(
        pod.field_at("spec.tolerations")
            .unwrap()
            .list_type
            .as_deref(),
        Some("atomic")
    );
}

/// The compact structure is about 56 KB raw (under 10 KB gzipped).
const _: () = assert!(schema::SCHEMA_JSON_BYTES < 80_000);

#[cfg(feature = "explain-descriptions")]
#[test]
fn descriptions_are_kept_apart_for_explain() {
    assert_eq!(
        schema::description("io.k8s.api.core.v1.PodSpec", Some("restartPolicy")).unwrap(),
        "Restart policy for all containers within the pod. One of Always, OnFailure, Never. In some contexts, only a subset of those values may be permitted. Default to Always. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy"
    );
    assert!(schema::description("io.k8s.api.core.v1.Pod", None)
        .unwrap()
        .starts_with("Pod is a collection of containers"));
}
