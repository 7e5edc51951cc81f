//! kubectl's client-side apply (three-way merge and the last-applied annotation) and
//! server-side apply with managed fields, conflicts and update ownership.

use kubestep::apiserver::patch::managed_fields::{
    decode_managed_fields, from_fields_v1, to_field_set, to_fields_v1, update_managed_fields,
    Operation,
};
use kubestep::apiserver::patch::server_side_apply::{server_side_apply, ApplyRequest};
use kubestep::apiserver::patch::strategic_merge::strategic_merge_patch;
use kubestep::apiserver::patch::three_way::{
    kubectl_apply_patch, missing_annotation_warning, modified_configuration,
    LAST_APPLIED_CONFIG_ANNOTATION,
};
use kubestep::apiserver::patch::PatchType;
use kubestep::golang::json::marshal as go_json_marshal;
use proptest::prelude::*;
use serde_json::{json, Value};

fn config(image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}]}
            }
        }
    })
}

/// What the server stores for `config`: the applied object plus defaults and server fields.
fn live_from(applied: &Value) -> Value {
    let mut live = applied.clone();
    live["metadata"]["uid"] = json!("0b6b1a4e-1111-2222-3333-444455556666");
    live["metadata"]["resourceVersion"] = json!("1200");
    live["metadata"]["generation"] = json!(1);
    live["spec"]["progressDeadlineSeconds"] = json!(600);
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
    live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = json!("TCP");
    live["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    live["status"] = json!({"replicas": 2, "readyReplicas": 2});
    live
}

#[test]
fn last_applied_annotation_is_go_json_of_the_config() {
    let (obj, annotation) = modified_configuration(&json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": {"url": "http://a?b=1&c=<2>"}
    }));
    assert_eq!(
        annotation,
        "{\"apiVersion\":\"v1\",\"data\":{\"url\":\"http://a?b=1\\u0026c=\\u003c2\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"cfg\",\"namespace\":\"default\"}}\n"
    );
    assert_eq!(
        obj["metadata"]["annotations"][LAST_APPLIED_CONFIG_ANNOTATION],
        annotation.as_str()
    );
}

#[test]
fn reapplying_the_same_config_is_unchanged() {
    let (applied, _) = modified_configuration(&config("nginx:1.25"));
    let live = live_from(&applied);
    let out = kubectl_apply_patch("Deployment", true, &config("nginx:1.25"), &live).unwrap();
    assert!(out.unchanged);
    assert_eq!(out.body, "{}");
    assert!(!out.missing_annotation);
}

#[test]
fn changing_the_image_sends_a_strategic_patch_with_the_new_annotation() {
    let (applied, _) = modified_configuration(&config("nginx:1.25"));
    let live = live_from(&applied);
    let out = kubectl_apply_patch("Deployment", true, &config("nginx:1.27"), &live).unwrap();
    assert_eq!(out.patch_type, PatchType::StrategicMerge);
    assert!(!out.unchanged);
    let (_, annotation) = modified_configuration(&config("nginx:1.27"));
    let expected = format!(
        "{{\"metadata\":{{\"annotations\":{{\"{LAST_APPLIED_CONFIG_ANNOTATION}\":{}}}}},\"spec\":{{\"template\":{{\"spec\":{{\"$setElementOrder/containers\":[{{\"name\":\"nginx\"}}],\"containers\":[{{\"image\":\"nginx:1.27\",\"name\":\"nginx\"}}]}}}}}}}}",
        go_json_marshal(&Value::String(annotation))
    );
    assert_eq!(out.body, expected);
    // The server applies it: defaults and other fields survive.
    let patched = strategic_merge_patch("Deployment", &live, &out.patch).unwrap();
    assert_eq!(
        patched["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    assert_eq!(
        patched["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
        "IfNotPresent"
    );
    assert_eq!(patched["spec"]["progressDeadlineSeconds"], 600);
}

#[test]
fn fields_dropped_from_the_config_are_deleted_but_foreign_fields_stay() {
    let mut first = config("nginx:1.25");
    first["metadata"]["labels"] = json!({"team": "a"});
    first["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "sidecar", "image": "busybox"}));
    let (applied, _) = modified_configuration(&first);
    let mut live = live_from(&applied);
    // Someone else (kubectl scale, a controller) set a field that was never applied.
    live["metadata"]["labels"]["owner"] = json!("ops");

    let out = kubectl_apply_patch("Deployment", true, &config("nginx:1.25"), &live).unwrap();
    let patch = &out.patch;
    assert_eq!(patch["metadata"]["labels"], json!(null));
    assert_eq!(
        patch["spec"]["template"]["spec"]["containers"],
        json!([{"$patch": "delete", "name": "sidecar"}])
    );
    assert_eq!(
        patch["spec"]["template"]["spec"]["$setElementOrder/containers"],
        json!([{"name": "nginx"}])
    );
    let patched = strategic_merge_patch("Deployment", &live, patch).unwrap();
    assert!(patched["metadata"].get("labels").is_none());
    assert_eq!(
        patched["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_live_object_without_the_annotation_gets_a_warning() {
    let live = live_from(&config("nginx:1.25"));
    let out = kubectl_apply_patch("Deployment", true, &config("nginx:1.25"), &live).unwrap();
    assert!(out.missing_annotation);
    assert!(!out.unchanged, "the annotation itself is patched in");
    assert_eq!(
        missing_annotation_warning("deployments", "web"),
        "Warning: resource deployments/web is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n"
    );
}

#[test]
fn custom_resources_get_a_three_way_json_merge_patch() {
    let cr = |size: i64| json!({"apiVersion": "ex.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": size, "tags": ["a"]}});
    let (applied, _) = modified_configuration(&cr(1));
    let mut live = applied.clone();
    live["spec"]["color"] = json!("red");
    let out = kubectl_apply_patch("Widget", false, &cr(2), &live).unwrap();
    assert_eq!(out.patch_type, PatchType::Merge);
    assert_eq!(out.patch["spec"], json!({"size": 2}));
    let mut without_tags = cr(2);
    without_tags["spec"].as_object_mut().unwrap().remove("tags");
    let out = kubectl_apply_patch("Widget", false, &without_tags, &live).unwrap();
    assert_eq!(out.patch["spec"], json!({"size": 2, "tags": null}));
}

// ---------------------------------------------------------------------------------------------
// Server-side apply
// ---------------------------------------------------------------------------------------------

fn req<'a>(manager: &'a str, force: bool, time: &'a str) -> ApplyRequest<'a> {
    ApplyRequest {
        kind: "Deployment",
        api_version: "apps/v1",
        manager,
        force,
        time,
        reset_fields: &["status"],
    }
}

#[test]
fn apply_records_the_applied_fields_in_fields_v1() {
    let obj = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:00:00Z"),
        None,
        &config("nginx:1.25"),
    )
    .unwrap();
    let entries = obj["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0],
        json!({
            "manager": "kubectl",
            "operation": "Apply",
            "apiVersion": "apps/v1",
            "time": "2026-11-23T09:00:00Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                        ".": {},
                        "f:image": {},
                        "f:name": {},
                        "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                    }}}
                }
            }}
        })
    );
    assert_eq!(
        go_json_marshal(&entries[0]["fieldsV1"]),
        r#"{"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}"#
    );
}

#[test]
fn fields_v1_round_trips() {
    let set = to_field_set("Deployment", &config("nginx")).unwrap();
    assert_eq!(from_fields_v1(&to_fields_v1(&set)).unwrap(), set);
}

/// A Deployment created by `kubectl apply` (client side): owned by
/// kubectl-client-side-apply through an Update.
fn created_by_client_side_apply() -> Value {
    let live = live_from(&config("nginx:1.25"));
    update_managed_fields(
        "Deployment",
        &Value::Null,
        &live,
        "kubectl-client-side-apply",
        "",
        "apps/v1",
        "2026-11-23T08:00:00Z",
        &["status"],
    )
    .unwrap()
}

#[test]
fn create_by_update_owns_every_field_with_dots_on_added_nodes() {
    let obj = created_by_client_side_apply();
    let entries = decode_managed_fields(&obj);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].operation, Operation::Update);
    let fields = &obj["metadata"]["managedFields"][0]["fieldsV1"];
    assert_eq!(
        fields["f:spec"]["f:template"]["f:spec"]["f:containers"],
        json!({"k:{\"name\":\"nginx\"}": {
            ".": {},
            "f:image": {},
            "f:imagePullPolicy": {},
            "f:name": {},
            "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}
        }})
    );
    assert_eq!(
        fields["f:spec"]["f:template"]["f:metadata"]["f:labels"],
        json!({".": {}, "f:app": {}})
    );
    assert!(
        fields["f:spec"].get(".").is_none(),
        "spec exists in the zero value"
    );
    assert!(
        fields["f:metadata"].is_null(),
        "name and namespace are never recorded"
    );
}

#[test]
fn apply_over_another_managers_field_conflicts() {
    let live = created_by_client_side_apply();
    let mut cfg = config("nginx:1.25");
    cfg["spec"]["replicas"] = json!(5);
    let err = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:00:00Z"),
        Some(&live),
        &cfg,
    )
    .unwrap_err();
    assert_eq!(err.code, 409);
    assert_eq!(err.reason, "Conflict");
    assert_eq!(
        err.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
    );
    assert_eq!(err.causes[0].reason, "FieldManagerConflict");
    assert_eq!(
        err.causes[0].message,
        "conflict with \"kubectl-client-side-apply\" using apps/v1"
    );
    assert_eq!(err.causes[0].field, ".spec.replicas");

    cfg["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.27");
    let err = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:00:00Z"),
        Some(&live),
        &cfg,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
    );
}

#[test]
fn force_takes_ownership_and_same_values_share_it() {
    let live = created_by_client_side_apply();
    let mut cfg = config("nginx:1.25");
    cfg["spec"]["replicas"] = json!(5);
    let obj = server_side_apply(
        &req("kubectl", true, "2026-11-23T09:00:00Z"),
        Some(&live),
        &cfg,
    )
    .unwrap();
    assert_eq!(obj["spec"]["replicas"], 5);
    let entries = decode_managed_fields(&obj);
    let csa = entries
        .iter()
        .find(|e| e.manager == "kubectl-client-side-apply")
        .unwrap();
    let ssa = entries.iter().find(|e| e.manager == "kubectl").unwrap();
    let replicas = vec![
        kubestep::apiserver::patch::managed_fields::PathElement::Field("spec".into()),
        kubestep::apiserver::patch::managed_fields::PathElement::Field("replicas".into()),
    ];
    assert!(!csa.fields.contains(&replicas));
    assert!(ssa.fields.contains(&replicas));
    // The image was applied with the same value: both own it.
    let image = to_field_set(
        "Deployment",
        &json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "x"}]}}}}),
    )
    .unwrap()
    .into_iter()
    .find(|p| p.len() == 6)
    .unwrap();
    assert!(csa.fields.contains(&image) && ssa.fields.contains(&image));
    // Apply entries come before Update entries.
    assert_eq!(obj["metadata"]["managedFields"][0]["operation"], "Apply");
}

#[test]
fn fields_a_manager_stops_applying_are_removed_unless_others_own_them() {
    let mut first = config("nginx:1.25");
    first["metadata"]["labels"] = json!({"a": "1", "b": "2"});
    let obj =
        server_side_apply(&req("alice", false, "2026-11-23T09:00:00Z"), None, &first).unwrap();
    // bob applies label b too: shared ownership.
    let bob_cfg = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"b": "2"}}});
    let obj = server_side_apply(
        &req("bob", false, "2026-11-23T09:01:00Z"),
        Some(&obj),
        &bob_cfg,
    )
    .unwrap();
    // alice drops both labels and the sidecar-free config keeps the rest.
    let obj = server_side_apply(
        &req("alice", false, "2026-11-23T09:02:00Z"),
        Some(&obj),
        &config("nginx:1.25"),
    )
    .unwrap();
    assert_eq!(obj["metadata"]["labels"], json!({"b": "2"}));
    assert_eq!(obj["spec"]["replicas"], 2);
    // Applying nothing new again changes nothing, so the time stays.
    let again = server_side_apply(
        &req("alice", false, "2026-11-23T09:03:00Z"),
        Some(&obj),
        &config("nginx:1.25"),
    )
    .unwrap();
    assert_eq!(again, obj);
}

#[test]
fn dropping_a_container_from_the_applied_config_removes_it() {
    let mut two = config("nginx:1.25");
    two["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "sidecar", "image": "busybox"}));
    let obj =
        server_side_apply(&req("kubectl", false, "2026-11-23T09:00:00Z"), None, &two).unwrap();
    let obj = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:01:00Z"),
        Some(&obj),
        &config("nginx:1.25"),
    )
    .unwrap();
    let names: Vec<&str> = obj["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["nginx"]);
    assert_eq!(
        obj["metadata"]["managedFields"][0]["time"],
        "2026-11-23T09:01:00Z"
    );
}

#[test]
fn updates_move_changed_fields_and_keep_time_when_nothing_changed() {
    let live = created_by_client_side_apply();
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(7);
    let obj = update_managed_fields(
        "Deployment",
        &live,
        &scaled,
        "kubectl-scale",
        "scale",
        "apps/v1",
        "2026-11-23T10:00:00Z",
        &["status"],
    )
    .unwrap();
    let entries = decode_managed_fields(&obj);
    assert_eq!(entries.len(), 2);
    let scale = entries
        .iter()
        .find(|e| e.manager == "kubectl-scale")
        .unwrap();
    assert_eq!(scale.subresource, "scale");
    assert_eq!(scale.time.as_deref(), Some("2026-11-23T10:00:00Z"));
    assert_eq!(
        obj["metadata"]["managedFields"][1]["fieldsV1"],
        json!({"f:spec": {"f:replicas": {}}})
    );

    let same = update_managed_fields(
        "Deployment",
        &live,
        &live,
        "kubectl-edit",
        "",
        "apps/v1",
        "2026-11-23T10:05:00Z",
        &["status"],
    )
    .unwrap();
    assert_eq!(decode_managed_fields(&same), decode_managed_fields(&live));
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        prop_oneof![Just("nginx"), Just("TCP"), Just(""), Just("a")].prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("spec".to_string()),
                    Just("template".to_string()),
                    Just("containers".to_string()),
                    Just("name".to_string()),
                    Just("ports".to_string()),
                    Just("containerPort".to_string()),
                    Just("metadata".to_string()),
                    Just("finalizers".to_string()),
                    Just("labels".to_string()),
                    Just("managedFields".to_string()),
                    Just("$patch".to_string()),
                    Just("$setElementOrder/containers".to_string()),
                ],
                inner,
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn apply_and_update_never_panic(live in any_json(), cfg in any_json(), force in any::<bool>()) {
        let _ = server_side_apply(&req("m", force, "2026-01-01T00:00:00Z"), Some(&live), &cfg);
        let _ = server_side_apply(&req("m", force, "2026-01-01T00:00:00Z"), None, &cfg);
        let _ = update_managed_fields("Deployment", &live, &cfg, "m", "", "apps/v1", "2026-01-01T00:00:00Z", &["status"]);
        let _ = kubectl_apply_patch("Deployment", true, &cfg, &live);
        let _ = kubectl_apply_patch("Widget", false, &cfg, &live);
    }
}

#[test]
fn patch_options_are_validated_like_the_server() {
    use kubestep::apiserver::patch::validate_patch_options;
    assert!(validate_patch_options(PatchType::ApplyYaml, "kubectl", Some(true)).is_ok());
    let err = validate_patch_options(PatchType::ApplyYaml, "", None).unwrap_err();
    assert_eq!(err.code, 422);
    assert_eq!(
        err.message,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    let status = err.to_status();
    assert_eq!(status["details"]["kind"], "PatchOptions");
    assert_eq!(
        status["details"]["causes"][0]["reason"],
        "FieldValueRequired"
    );
    let err = validate_patch_options(PatchType::StrategicMerge, "", Some(false)).unwrap_err();
    assert_eq!(
        err.message,
        "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch"
    );
}

#[test]
fn conflicts_with_several_managers_list_each_group() {
    let live = created_by_client_side_apply();
    let other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"minReadySeconds": 5}});
    let live = server_side_apply(
        &req("helm", false, "2026-11-23T08:30:00Z"),
        Some(&live),
        &other,
    )
    .unwrap();
    let mut cfg = config("nginx:1.25");
    cfg["spec"]["replicas"] = json!(3);
    cfg["spec"]["minReadySeconds"] = json!(9);
    let err = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:00:00Z"),
        Some(&live),
        &cfg,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Apply failed with 2 conflicts: conflicts with \"helm\":\n- .spec.minReadySeconds\nconflicts with \"kubectl-client-side-apply\" using apps/v1:\n- .spec.replicas"
    );
}

#[test]
fn reset_fields_are_never_owned() {
    let mut cfg = config("nginx:1.25");
    cfg["status"] = json!({"replicas": 99});
    let obj =
        server_side_apply(&req("kubectl", false, "2026-11-23T09:00:00Z"), None, &cfg).unwrap();
    assert!(
        obj.get("status").is_none(),
        "status is not applied through the main resource"
    );
    assert!(obj["metadata"]["managedFields"][0]["fieldsV1"]
        .get("f:status")
        .is_none());

    let live = created_by_client_side_apply();
    let mut changed = live.clone();
    changed["status"]["replicas"] = json!(3);
    let obj = update_managed_fields(
        "Deployment",
        &live,
        &changed,
        "kube-controller-manager",
        "status",
        "apps/v1",
        "2026-11-23T10:00:00Z",
        &["spec"],
    )
    .unwrap();
    let entries = decode_managed_fields(&obj);
    let kcm = entries
        .iter()
        .find(|e| e.manager == "kube-controller-manager")
        .unwrap();
    assert_eq!(kcm.subresource, "status");
    assert_eq!(
        obj["metadata"]["managedFields"][1]["fieldsV1"],
        json!({"f:status": {"f:replicas": {}}})
    );
    assert_eq!(
        kubestep::apiserver::patch::managed_fields::reset_fields("Deployment", ""),
        &["status"]
    );
}

#[test]
fn kubectl_server_side_apply_takes_over_fields_from_client_side_apply() {
    // Created by `kubectl apply` (client side): annotated and owned by kubectl-client-side-apply.
    let (applied, _) = modified_configuration(&config("nginx:1.25"));
    let live = update_managed_fields(
        "Deployment",
        &Value::Null,
        &live_from(&applied),
        "kubectl-client-side-apply",
        "",
        "apps/v1",
        "2026-11-23T08:00:00Z",
        &["status"],
    )
    .unwrap();
    let mut cfg = config("nginx:1.25");
    cfg["spec"]["replicas"] = json!(5);

    // Another manager conflicts on the field the annotation describes...
    let err = server_side_apply(
        &req("helm", false, "2026-11-23T09:00:00Z"),
        Some(&live),
        &cfg,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
    );
    // ...but `kubectl apply --server-side` (manager "kubectl") takes it over without --force-conflicts,
    let obj = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:00:00Z"),
        Some(&live),
        &cfg,
    )
    .unwrap();
    assert_eq!(obj["spec"]["replicas"], 5);
    // and rewrites the annotation to what it applied, for a later client-side apply.
    assert_eq!(
        obj["metadata"]["annotations"][LAST_APPLIED_CONFIG_ANNOTATION],
        format!("{}\n", go_json_marshal(&cfg)).as_str()
    );

    // A field someone changed since the last client-side apply still conflicts.
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(3);
    let scaled = update_managed_fields(
        "Deployment",
        &live,
        &scaled,
        "kubectl-scale",
        "scale",
        "apps/v1",
        "2026-11-23T08:30:00Z",
        &["status"],
    )
    .unwrap();
    let err = server_side_apply(
        &req("kubectl", false, "2026-11-23T09:00:00Z"),
        Some(&scaled),
        &cfg,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Apply failed with 1 conflict: conflict with \"kubectl-scale\" with subresource \"scale\" using apps/v1: .spec.replicas"
    );
}

#[test]
fn more_than_ten_update_managers_are_merged_into_ancient_changes() {
    let mut obj = created_by_client_side_apply();
    for i in 0..11 {
        let mut next = obj.clone();
        next["metadata"]["labels"][format!("l{i}")] = json!("x");
        let time = format!("2026-11-23T09:{:02}:00Z", i + 10);
        obj = update_managed_fields(
            "Deployment",
            &obj,
            &next,
            &format!("m{i:02}"),
            "",
            "apps/v1",
            &time,
            &["status"],
        )
        .unwrap();
    }
    let entries = decode_managed_fields(&obj);
    assert_eq!(entries.len(), 10);
    let managers: Vec<&str> = entries.iter().map(|e| e.manager.as_str()).collect();
    // Twelve updaters: the oldest (kubectl-client-side-apply) became the bucket and the next two
    // (m00, m01) were merged into it, taking m01's time.
    assert_eq!(
        managers,
        [
            "ancient-changes",
            "m02",
            "m03",
            "m04",
            "m05",
            "m06",
            "m07",
            "m08",
            "m09",
            "m10"
        ]
    );
    assert_eq!(entries[0].time.as_deref(), Some("2026-11-23T09:11:00Z"));
    assert!(entries[0].fields.len() > 10);
}

#[test]
fn an_associative_list_item_without_its_key_is_refused() {
    let mut cfg = config("nginx:1.25");
    cfg["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let err =
        server_side_apply(&req("kubectl", false, "2026-11-23T09:00:00Z"), None, &cfg).unwrap_err();
    assert_eq!(err.code, 500);
    assert_eq!(
        err.message,
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default value)"
    );
}
