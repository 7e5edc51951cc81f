//! Specification of the admission plugins: what each one changes, and the exact texts and codes
//! of its rejections (kube-apiserver 1.33).

use kubestep::apiserver::admission::{
    default_storage_class, default_toleration_seconds, limit_ranger, namespace_lifecycle, priority,
    resource_quota, service_account, AdmissionError, Attributes, Operation,
};
use kubestep::sim::Rng;
use serde_json::{json, Value};

fn attrs<'a>(
    op: Operation,
    group: &'a str,
    resource: &'a str,
    kind: &'a str,
    ns: &'a str,
    name: &'a str,
) -> Attributes<'a> {
    Attributes {
        operation: op,
        group,
        resource,
        subresource: "",
        kind,
        namespace: ns,
        name,
        old_object: None,
    }
}

fn create_pod(ns: &str) -> Attributes<'_> {
    attrs(Operation::Create, "", "pods", "Pod", ns, "")
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

fn nginx() -> Value {
    pod(
        "nginx",
        json!({"containers": [{"name": "nginx", "image": "nginx"}]}),
    )
}

fn err_text(r: Result<impl std::fmt::Debug, AdmissionError>) -> (u16, String) {
    let e = r.expect_err("expected a rejection");
    (e.code, e.message)
}

// ---- NamespaceLifecycle ----

#[test]
fn namespace_lifecycle() {
    let namespaces = vec![
        namespace_lifecycle::namespace_object("default", "Active"),
        namespace_lifecycle::namespace_object("old", "Terminating"),
    ];
    let ok = namespace_lifecycle::admit(&create_pod("default"), nginx(), &namespaces).unwrap();
    assert_eq!(ok.object, nginx());
    assert_eq!(ok.note, "");

    assert_eq!(
        err_text(namespace_lifecycle::admit(
            &create_pod("foo"),
            nginx(),
            &namespaces
        )),
        (404, r#"namespaces "foo" not found"#.to_string())
    );
    let update = attrs(Operation::Update, "", "pods", "Pod", "foo", "nginx");
    assert_eq!(
        err_text(namespace_lifecycle::admit(&update, nginx(), &namespaces)).0,
        404
    );

    let e = namespace_lifecycle::admit(&create_pod("old"), nginx(), &namespaces).unwrap_err();
    assert_eq!(e.code, 403);
    assert_eq!(
        e.message,
        r#"pods "nginx" is forbidden: unable to create new content in namespace old because it is being terminated"#
    );
    let status = e.to_status();
    assert_eq!(status["reason"], "Forbidden");
    assert_eq!(
        status["details"],
        json!({"name": "nginx", "kind": "pods", "causes": [
        {"reason": "NamespaceTerminating", "message": "namespace old is being terminated", "field": "metadata.namespace"}]})
    );
    // Updates and deletes in a terminating namespace are allowed.
    let update_old = attrs(Operation::Update, "", "pods", "Pod", "old", "nginx");
    assert!(namespace_lifecycle::admit(&update_old, nginx(), &namespaces).is_ok());

    for ns in ["default", "kube-system", "kube-public"] {
        let del = attrs(Operation::Delete, "", "namespaces", "Namespace", "", ns);
        assert_eq!(
            err_text(namespace_lifecycle::admit(&del, Value::Null, &namespaces)),
            (
                403,
                format!(r#"namespaces "{ns}" is forbidden: this namespace may not be deleted"#)
            )
        );
    }
    let del = attrs(Operation::Delete, "", "namespaces", "Namespace", "", "dev");
    assert!(namespace_lifecycle::admit(&del, Value::Null, &namespaces).is_ok());
    let node = attrs(Operation::Create, "", "nodes", "Node", "", "n1");
    assert!(
        namespace_lifecycle::admit(&node, json!({}), &[]).is_ok(),
        "cluster-scoped objects need no namespace"
    );
    let status = AdmissionError::not_found("", "namespaces", "foo").to_status();
    assert_eq!(
        status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "namespaces \"foo\" not found", "reason": "NotFound", "details": {"name": "foo", "kind": "namespaces"}, "code": 404})
    );
}

// ---- ServiceAccount ----

fn sa(name: &str, extra: Value) -> Value {
    let mut v = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "default"}});
    if let (Some(m), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    v
}

#[test]
fn service_account_mounts_the_token_volume() {
    let mut rng = Rng::seed_from_u64(1);
    let p = pod(
        "web",
        json!({
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx",
                "volumeMounts": [{"name": "own", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
            "volumes": [{"name": "own", "emptyDir": {}}]
        }),
    );
    let out = service_account::admit(
        &create_pod("default"),
        p,
        &[sa("default", json!({}))],
        &mut rng,
    )
    .unwrap();
    let spec = &out.object["spec"];
    assert_eq!(spec["serviceAccountName"], "default");
    assert_eq!(
        spec["serviceAccount"], "default",
        "the v1 encoder mirrors the deprecated field"
    );
    let vol = &spec["volumes"][1];
    let name = vol["name"].as_str().unwrap().to_string();
    let suffix = name
        .strip_prefix("kube-api-access-")
        .expect("generated name");
    assert_eq!(suffix.len(), 5);
    assert!(suffix
        .chars()
        .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    assert_eq!(
        vol["projected"],
        json!({
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ]
        })
    );
    let mount = json!({"name": name, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"});
    assert_eq!(spec["initContainers"][0]["volumeMounts"], json!([mount]));
    assert_eq!(spec["containers"][0]["volumeMounts"], json!([mount]));
    assert_eq!(
        spec["containers"][1]["volumeMounts"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "an existing mount at the path wins"
    );
    assert_eq!(out.note, format!("set serviceAccountName=default; mounted projected volume {name} at /var/run/secrets/kubernetes.io/serviceaccount in init, a"));

    // Same seed, same name: the suffix comes from the simulation's PRNG only.
    let again = service_account::admit(
        &create_pod("default"),
        nginx(),
        &[sa("default", json!({}))],
        &mut Rng::seed_from_u64(1),
    )
    .unwrap();
    let first = service_account::admit(
        &create_pod("default"),
        nginx(),
        &[sa("default", json!({}))],
        &mut Rng::seed_from_u64(1),
    )
    .unwrap();
    assert_eq!(again.object, first.object);
}

#[test]
fn service_account_automount_pull_secrets_and_errors() {
    let mut rng = Rng::seed_from_u64(2);
    let accounts = [
        sa("default", json!({})),
        sa(
            "robot",
            json!({"automountServiceAccountToken": false, "imagePullSecrets": [{"name": "regcred"}]}),
        ),
    ];
    let p = pod(
        "p",
        json!({"serviceAccountName": "robot", "containers": [{"name": "c", "image": "x"}]}),
    );
    let out = service_account::admit(&create_pod("default"), p, &accounts, &mut rng).unwrap();
    assert!(
        out.object["spec"].get("volumes").is_none(),
        "the account turned automount off"
    );
    assert_eq!(
        out.object["spec"]["imagePullSecrets"],
        json!([{"name": "regcred"}])
    );

    let p = pod(
        "p",
        json!({"automountServiceAccountToken": false, "containers": [{"name": "c", "image": "x"}]}),
    );
    let out = service_account::admit(&create_pod("default"), p, &accounts, &mut rng).unwrap();
    assert!(
        out.object["spec"].get("volumes").is_none(),
        "the pod's choice wins"
    );

    let p = pod(
        "p",
        json!({"serviceAccountName": "foo", "containers": [{"name": "c", "image": "x"}]}),
    );
    assert_eq!(
        err_text(service_account::admit(&create_pod("default"), p, &accounts, &mut rng)),
        (403, r#"pods "p" is forbidden: error looking up service account default/foo: serviceaccount "foo" not found"#.to_string())
    );
    let generated = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-", "namespace": "dev"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
    assert_eq!(
        err_text(service_account::admit(
            &create_pod("dev"),
            generated,
            &accounts,
            &mut rng
        ))
        .1,
        r#"pods "web-" is forbidden: error looking up service account dev/default: serviceaccount "default" not found"#
    );
    let update = attrs(Operation::Update, "", "pods", "Pod", "default", "p");
    assert_eq!(
        service_account::admit(&update, nginx(), &[], &mut rng)
            .unwrap()
            .object,
        nginx(),
        "only creates are mutated"
    );
    let mirror = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m", "annotations": {"kubernetes.io/config.mirror": "x"}},
        "spec": {"serviceAccountName": "default", "containers": [{"name": "c", "image": "x"}]}});
    assert_eq!(
        err_text(service_account::admit(
            &create_pod("default"),
            mirror,
            &accounts,
            &mut rng
        ))
        .1,
        r#"pods "m" is forbidden: a mirror pod may not reference service accounts"#
    );
}

// ---- DefaultTolerationSeconds ----

#[test]
fn default_toleration_seconds() {
    let out = default_toleration_seconds::admit(&create_pod("default"), nginx()).unwrap();
    assert_eq!(
        out.object["spec"]["tolerations"],
        json!([
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ])
    );
    let p = pod(
        "p",
        json!({"containers": [], "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}]}),
    );
    let out = default_toleration_seconds::admit(&create_pod("default"), p).unwrap();
    let t = out.object["spec"]["tolerations"].as_array().unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0]["tolerationSeconds"], 60);
    assert_eq!(t[1]["key"], "node.kubernetes.io/unreachable");
    let p = pod(
        "p",
        json!({"containers": [], "tolerations": [{"operator": "Exists"}]}),
    );
    let out = default_toleration_seconds::admit(&create_pod("default"), p.clone()).unwrap();
    assert_eq!(out.object, p, "a wildcard toleration tolerates both taints");
    assert_eq!(out.note, "");
}

// ---- LimitRanger ----

fn limit_range(limits: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr", "namespace": "default"}, "spec": {"limits": limits}})
}

#[test]
fn limit_ranger_applies_container_defaults() {
    let lrs = [limit_range(
        json!([{"type": "Container", "default": {"cpu": "1", "memory": "512Mi"}, "defaultRequest": {"cpu": "500m"}}]),
    )];
    let p = pod(
        "p",
        json!({"containers": [{"name": "nginx", "image": "nginx", "resources": {"requests": {"memory": "128Mi"}}}]}),
    );
    let out = limit_ranger::admit(&create_pod("default"), p, &lrs).unwrap();
    assert_eq!(
        out.object["spec"]["containers"][0]["resources"],
        json!({
        "requests": {"memory": "128Mi", "cpu": "500m"}, "limits": {"cpu": "1", "memory": "512Mi"}})
    );
    let text = "LimitRanger plugin set: cpu request for container nginx; cpu, memory limit for container nginx";
    assert_eq!(
        out.object["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        text
    );
    assert_eq!(out.note, text);
    // Other namespaces' LimitRanges do not apply.
    let other = attrs(Operation::Create, "", "pods", "Pod", "dev", "");
    let p = json!({"metadata": {"name": "p", "namespace": "dev"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
    assert_eq!(
        limit_ranger::admit(&other, p.clone(), &lrs).unwrap().object,
        p
    );
}

#[test]
fn limit_ranger_enforces_min_max_and_ratio() {
    let lrs = [limit_range(
        json!([{"type": "Container", "max": {"cpu": "800m"}, "min": {"cpu": "200m"}, "maxLimitRequestRatio": {"memory": "2"}}]),
    )];
    let check = |resources: Value| {
        let p = pod(
            "constraints-cpu-demo",
            json!({"containers": [{"name": "c", "image": "x", "resources": resources}]}),
        );
        limit_ranger::validate(&create_pod("default"), &p, &lrs).map_err(|e| (e.code, e.message))
    };
    let prefix = r#"pods "constraints-cpu-demo" is forbidden: "#;
    assert_eq!(
        check(
            json!({"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1500m", "memory": "1Gi"}})
        ),
        Err((
            403,
            format!("{prefix}maximum cpu usage per Container is 800m, but limit is 1500m")
        ))
    );
    assert_eq!(
        check(
            json!({"requests": {"cpu": "100m", "memory": "1Gi"}, "limits": {"cpu": "800m", "memory": "1Gi"}})
        ),
        Err((
            403,
            format!("{prefix}minimum cpu usage per Container is 200m, but request is 100m")
        ))
    );
    assert_eq!(
        check(json!({"requests": {"cpu": "500m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "1Gi"}})),
        Err((403, format!("{prefix}memory max limit to request ratio per Container is 2, but provided ratio is 4.000000")))
    );
    assert_eq!(
        check(json!({"requests": {"memory": "1Gi"}})),
        Err((403, format!("{prefix}[minimum cpu usage per Container is 200m.  No request is specified, maximum cpu usage per Container is 800m.  No limit is specified, memory max limit to request ratio per Container is 2, but no limit is specified or limit is 0]")))
    );
    assert_eq!(
        check(
            json!({"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "800m", "memory": "2Gi"}})
        ),
        Ok(())
    );

    let pvc_lrs = [limit_range(
        json!([{"type": "PersistentVolumeClaim", "max": {"storage": "2Gi"}, "min": {"storage": "1Gi"}}]),
    )];
    let pvc = |size: &str| json!({"metadata": {"name": "claim", "namespace": "default"}, "spec": {"resources": {"requests": {"storage": size}}}});
    let create_pvc = attrs(
        Operation::Create,
        "",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        "default",
        "",
    );
    assert_eq!(
        err_text(limit_ranger::validate(&create_pvc, &pvc("5Gi"), &pvc_lrs)).1,
        r#"persistentvolumeclaims "claim" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"#
    );
    assert_eq!(
        err_text(limit_ranger::validate(&create_pvc, &pvc("500Mi"), &pvc_lrs)).1,
        r#"persistentvolumeclaims "claim" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"#
    );
    assert!(limit_ranger::validate(&create_pvc, &pvc("1536Mi"), &pvc_lrs).is_ok());

    let pod_lrs = [limit_range(json!([{"type": "Pod", "max": {"cpu": "1"}}]))];
    let two = pod(
        "big",
        json!({"containers": [
        {"name": "a", "image": "x", "resources": {"limits": {"cpu": "600m"}}},
        {"name": "b", "image": "x", "resources": {"limits": {"cpu": "600m"}}}]}),
    );
    assert_eq!(
        err_text(limit_ranger::validate(
            &create_pod("default"),
            &two,
            &pod_lrs
        ))
        .1,
        r#"pods "big" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m"#
    );
}

// ---- Priority ----

fn priority_class(name: &str, value: i64, global_default: bool) -> Value {
    json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name, "creationTimestamp": "2026-11-23T09:00:00Z"},
        "value": value, "globalDefault": global_default, "preemptionPolicy": "PreemptLowerPriority"})
}

#[test]
fn priority_resolves_classes() {
    let mut classes = priority::system_priority_classes();
    let p = pod(
        "p",
        json!({"priorityClassName": "system-node-critical", "containers": []}),
    );
    let out = priority::admit(&create_pod("kube-system"), p, &classes).unwrap();
    assert_eq!(out.object["spec"]["priority"], 2000001000);
    assert_eq!(
        out.object["spec"]["preemptionPolicy"],
        "PreemptLowerPriority"
    );

    let out = priority::admit(&create_pod("default"), nginx(), &classes).unwrap();
    assert_eq!(
        out.object["spec"]["priority"], 0,
        "no global default: priority 0"
    );
    assert_eq!(
        out.object["spec"]["preemptionPolicy"],
        "PreemptLowerPriority"
    );
    assert!(out.object["spec"].get("priorityClassName").is_none());

    classes.push(priority_class("low", 100, true));
    let out = priority::admit(&create_pod("default"), nginx(), &classes).unwrap();
    assert_eq!(
        (
            out.object["spec"]["priorityClassName"].clone(),
            out.object["spec"]["priority"].clone()
        ),
        (json!("low"), json!(100))
    );

    let p = pod("p", json!({"priorityClassName": "foo", "containers": []}));
    assert_eq!(
        err_text(priority::admit(&create_pod("default"), p, &classes)),
        (
            403,
            r#"pods "p" is forbidden: no PriorityClass with name foo was found"#.to_string()
        )
    );
    let p = pod(
        "p",
        json!({"priorityClassName": "low", "priority": 5, "containers": []}),
    );
    assert_eq!(
        err_text(priority::admit(&create_pod("default"), p, &classes)).1,
        r#"pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name"#
    );

    let create_pc = attrs(
        Operation::Create,
        "scheduling.k8s.io",
        "priorityclasses",
        "PriorityClass",
        "",
        "",
    );
    assert_eq!(
        err_text(priority::validate(
            &create_pc,
            &priority_class("high", 1000, true),
            &classes
        ))
        .1,
        r#"priorityclasses.scheduling.k8s.io "high" is forbidden: PriorityClass low is already marked as default. Only one default can exist"#
    );
    assert!(priority::validate(&create_pc, &priority_class("high", 1000, false), &classes).is_ok());

    let old = json!({"spec": {"priority": 100, "preemptionPolicy": "Never"}});
    let mut update = attrs(Operation::Update, "", "pods", "Pod", "default", "nginx");
    update.old_object = Some(&old);
    let out = priority::admit(&update, nginx(), &classes).unwrap();
    assert_eq!(
        out.object["spec"]["priority"], 100,
        "updates keep the stored priority"
    );
}

// ---- DefaultStorageClass ----

fn storage_class(name: &str, default: bool, created: &str) -> Value {
    let ann = if default {
        json!({"storageclass.kubernetes.io/is-default-class": "true"})
    } else {
        json!({})
    };
    json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name, "annotations": ann, "creationTimestamp": created}, "provisioner": "x"})
}

#[test]
fn default_storage_class() {
    let create_pvc = attrs(
        Operation::Create,
        "",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        "default",
        "",
    );
    let pvc =
        |spec: Value| json!({"metadata": {"name": "c", "namespace": "default"}, "spec": spec});
    let classes = [
        storage_class("standard", true, "2026-11-23T09:00:00Z"),
        storage_class("fast", false, "2026-11-23T09:01:00Z"),
        storage_class("newer", true, "2026-11-23T09:02:00Z"),
    ];
    let out = default_storage_class::admit(&create_pvc, pvc(json!({})), &classes).unwrap();
    assert_eq!(
        out.object["spec"]["storageClassName"], "newer",
        "the newest default wins"
    );
    let out =
        default_storage_class::admit(&create_pvc, pvc(json!({"storageClassName": ""})), &classes)
            .unwrap();
    assert_eq!(
        out.object["spec"]["storageClassName"], "",
        "an explicit empty class means no class"
    );
    let out = default_storage_class::admit(&create_pvc, pvc(json!({})), &classes[1..2]).unwrap();
    assert!(
        out.object["spec"].get("storageClassName").is_none(),
        "no default class: nothing changes"
    );
}

// ---- ResourceQuota ----

fn quota(name: &str, hard: Value, used: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": "default"},
        "spec": {"hard": hard.clone()}, "status": {"hard": hard, "used": used}})
}

fn pending(mut p: Value) -> Value {
    p["status"] = json!({"phase": "Pending"});
    p
}

#[test]
fn resource_quota_counts_and_rejects() {
    let quotas = [quota(
        "compute-resources",
        json!({"pods": "4"}),
        json!({"pods": "4"}),
    )];
    assert_eq!(
        err_text(resource_quota::validate(&create_pod("default"), &pending(nginx()), &quotas)),
        (403, r#"pods "nginx" is forbidden: exceeded quota: compute-resources, requested: pods=1, used: pods=4, limited: pods=4"#.to_string())
    );
    let quotas = [quota(
        "compute-resources",
        json!({"pods": "4"}),
        json!({"pods": "1"}),
    )];
    let charged =
        resource_quota::validate(&create_pod("default"), &pending(nginx()), &quotas).unwrap();
    assert_eq!(charged.updated_quotas.len(), 1);
    assert_eq!(
        charged.updated_quotas[0]["status"]["used"],
        json!({"pods": "2"})
    );
    assert_eq!(charged.note, "charged quota compute-resources (pods=1)");

    let quotas = [quota(
        "compute-resources",
        json!({"limits.cpu": "2", "requests.memory": "1Gi"}),
        json!({"limits.cpu": "0", "requests.memory": "0"}),
    )];
    let p = pending(pod(
        "nginx",
        json!({"containers": [{"name": "nginx", "image": "nginx", "resources": {"requests": {"memory": "64Mi"}}}]}),
    ));
    assert_eq!(
        err_text(resource_quota::validate(
            &create_pod("default"),
            &p,
            &quotas
        ))
        .1,
        r#"pods "nginx" is forbidden: failed quota: compute-resources: must specify limits.cpu for: nginx"#
    );
    let p = pending(pod(
        "nginx",
        json!({"containers": [
        {"name": "a", "image": "x", "resources": {"requests": {"memory": "512Mi"}, "limits": {"cpu": "1500m"}}},
        {"name": "b", "image": "x", "resources": {"requests": {"memory": "768Mi"}, "limits": {"cpu": "1"}}}]}),
    ));
    assert_eq!(
        err_text(resource_quota::validate(
            &create_pod("default"),
            &p,
            &quotas
        ))
        .1,
        r#"pods "nginx" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2500m,requests.memory=1280Mi, used: limits.cpu=0,requests.memory=0, limited: limits.cpu=2,requests.memory=1Gi"#
    );

    let unknown = [
        json!({"metadata": {"name": "q", "namespace": "default"}, "status": {"hard": {"pods": "10", "cpu": "4"}}}),
    ];
    assert_eq!(
        err_text(resource_quota::validate(
            &create_pod("default"),
            &pending(nginx()),
            &unknown
        ))
        .1,
        r#"pods "nginx" is forbidden: failed quota: q: must specify cpu for: nginx"#
    );
    let p = pending(pod(
        "nginx",
        json!({"containers": [{"name": "nginx", "image": "nginx", "resources": {"requests": {"cpu": "1"}}}]}),
    ));
    assert_eq!(
        err_text(resource_quota::validate(
            &create_pod("default"),
            &p,
            &unknown
        ))
        .1,
        r#"pods "nginx" is forbidden: status unknown for quota: q, resources: cpu,pods"#
    );
    let not_reconciled = [
        json!({"metadata": {"name": "q", "namespace": "default"}, "spec": {"hard": {"pods": "0"}}}),
    ];
    assert!(
        resource_quota::validate(&create_pod("default"), &pending(nginx()), &not_reconciled)
            .is_ok(),
        "no status.hard yet: the quota matches nothing"
    );
}

#[test]
fn resource_quota_scopes_and_object_counts() {
    let best_effort = [
        json!({"metadata": {"name": "be", "namespace": "default"}, "spec": {"scopes": ["BestEffort"]},
        "status": {"hard": {"pods": "0"}, "used": {"pods": "0"}}}),
    ];
    assert_eq!(
        err_text(resource_quota::validate(
            &create_pod("default"),
            &pending(nginx()),
            &best_effort
        ))
        .1,
        r#"pods "nginx" is forbidden: exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0"#
    );
    let burstable = pending(pod(
        "b",
        json!({"containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "1"}}}]}),
    ));
    assert!(
        resource_quota::validate(&create_pod("default"), &burstable, &best_effort).is_ok(),
        "scope does not match"
    );

    let counts = [quota(
        "object-counts",
        json!({"count/deployments.apps": "1", "configmaps": "2"}),
        json!({"count/deployments.apps": "1", "configmaps": "0"}),
    )];
    let create_deploy = attrs(
        Operation::Create,
        "apps",
        "deployments",
        "Deployment",
        "default",
        "",
    );
    let d = json!({"metadata": {"name": "web", "namespace": "default"}});
    assert_eq!(
        err_text(resource_quota::validate(&create_deploy, &d, &counts)).1,
        r#"deployments.apps "web" is forbidden: exceeded quota: object-counts, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1"#
    );
    let create_cm = attrs(
        Operation::Create,
        "",
        "configmaps",
        "ConfigMap",
        "default",
        "",
    );
    let charged = resource_quota::validate(
        &create_cm,
        &json!({"metadata": {"name": "c", "namespace": "default"}}),
        &counts,
    )
    .unwrap();
    assert_eq!(
        charged.updated_quotas[0]["status"]["used"]["configmaps"],
        "1"
    );

    let svc_quota = [quota(
        "svc",
        json!({"services.nodeports": "1"}),
        json!({"services.nodeports": "0"}),
    )];
    let create_svc = attrs(Operation::Create, "", "services", "Service", "default", "");
    let svc = json!({"metadata": {"name": "np", "namespace": "default"}, "spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 443}]}});
    assert_eq!(
        err_text(resource_quota::validate(&create_svc, &svc, &svc_quota)).1,
        r#"services "np" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1"#
    );

    // PVC updates are charged by the difference.
    let storage = [quota(
        "storage",
        json!({"requests.storage": "10Gi"}),
        json!({"requests.storage": "8Gi"}),
    )];
    let old = json!({"metadata": {"name": "c", "namespace": "default", "resourceVersion": "9"}, "spec": {"resources": {"requests": {"storage": "8Gi"}}}});
    let new = json!({"metadata": {"name": "c", "namespace": "default"}, "spec": {"resources": {"requests": {"storage": "12Gi"}}}});
    let mut update = attrs(
        Operation::Update,
        "",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        "default",
        "c",
    );
    update.old_object = Some(&old);
    assert_eq!(
        err_text(resource_quota::validate(&update, &new, &storage)).1,
        r#"persistentvolumeclaims "c" is forbidden: exceeded quota: storage, requested: requests.storage=4Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi"#
    );
}
