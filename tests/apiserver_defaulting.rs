//! Specification of kube-apiserver 1.33 defaulting (`SetObjectDefaults_*`) and of the REST
//! strategies' create/update preparation, kind by kind.

use kubestep::apiserver::defaulting::{
    pod_qos_class, prepare_for_create, prepare_for_status_update, prepare_for_update,
    set_object_defaults,
};
use serde_json::{json, Value};

fn defaulted(mut obj: Value) -> Value {
    set_object_defaults(&mut obj);
    obj
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}, "spec": spec})
}

fn one_container(c: Value) -> Value {
    pod(json!({"containers": [c]}))
}

#[test]
fn image_pull_policy_follows_the_image_tag() {
    let cases = [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("localhost:5000/nginx", "Always"),
        ("localhost:5000/nginx:v1", "IfNotPresent"),
        ("registry.k8s.io/pause:3.9", "IfNotPresent"),
        (
            "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "IfNotPresent",
        ),
        (
            "nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "Always",
        ),
        ("Nginx", "IfNotPresent"),
    ];
    for (image, want) in cases {
        let p = defaulted(one_container(json!({"name": "c", "image": image})));
        assert_eq!(
            p["spec"]["containers"][0]["imagePullPolicy"], want,
            "image {image}"
        );
    }
    let p = defaulted(one_container(
        json!({"name": "c", "image": "nginx", "imagePullPolicy": "Never"}),
    ));
    assert_eq!(
        p["spec"]["containers"][0]["imagePullPolicy"], "Never",
        "an explicit policy stays"
    );
}

#[test]
fn pod_spec_and_container_defaults() {
    let p = defaulted(one_container(json!({
        "name": "c", "image": "nginx:1.25",
        "ports": [{"containerPort": 80}],
        "readinessProbe": {"httpGet": {"port": 80}},
        "startupProbe": {"grpc": {"port": 9000}},
        "lifecycle": {"preStop": {"httpGet": {"port": 8080}}},
        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
    })));
    let spec = &p["spec"];
    for (field, want) in [
        ("restartPolicy", json!("Always")),
        ("dnsPolicy", json!("ClusterFirst")),
        ("schedulerName", json!("default-scheduler")),
        ("terminationGracePeriodSeconds", json!(30)),
        ("securityContext", json!({})),
        ("enableServiceLinks", json!(true)),
    ] {
        assert_eq!(spec[field], want, "spec.{field}");
    }
    assert!(
        spec.get("priority").is_none(),
        "priority comes from the Priority admission plugin"
    );
    let c = &spec["containers"][0];
    assert_eq!(c["ports"][0]["protocol"], "TCP");
    assert_eq!(
        c["readinessProbe"],
        json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
    );
    assert_eq!(c["startupProbe"]["grpc"]["service"], "");
    assert_eq!(c["lifecycle"]["preStop"]["httpGet"]["path"], "/");
    assert_eq!(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
}

#[test]
fn requests_default_to_limits_on_pods_only() {
    let c = json!({"name": "c", "image": "nginx", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m"}}});
    let p = defaulted(one_container(c.clone()));
    assert_eq!(
        p["spec"]["containers"][0]["resources"]["requests"],
        json!({"cpu": "250m", "memory": "1Gi"})
    );
    let d = defaulted(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"template": {"spec": {"containers": [c]}}}}),
    );
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"],
        json!({"cpu": "250m"})
    );
    assert!(d["spec"]["template"]["spec"]
        .get("enableServiceLinks")
        .is_none());
}

#[test]
fn quantities_are_rounded_to_milli_and_written_canonically() {
    let p = defaulted(one_container(json!({"name": "c", "image": "x",
        "resources": {"limits": {"cpu": 0.5, "memory": "1024Mi"}, "requests": {"cpu": "100u", "memory": 1000}}})));
    let r = &p["spec"]["containers"][0]["resources"];
    assert_eq!(r["limits"], json!({"cpu": "500m", "memory": "1Gi"}));
    assert_eq!(r["requests"], json!({"cpu": "1m", "memory": "1k"}));
}

#[test]
fn host_network_pods_get_host_ports() {
    let p = defaulted(pod(
        json!({"hostNetwork": true, "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 8080}]}]}),
    ));
    assert_eq!(p["spec"]["containers"][0]["ports"][0]["hostPort"], 8080);
}

#[test]
fn volume_defaults() {
    let p = defaulted(pod(
        json!({"containers": [{"name": "c", "image": "x"}], "volumes": [
            {"name": "scratch"},
            {"name": "s", "secret": {"secretName": "s"}},
            {"name": "cm", "configMap": {"name": "cm"}},
            {"name": "h", "hostPath": {"path": "/var/log"}},
            {"name": "d", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
            {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
            {"name": "e", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
        ]}),
    ));
    let v = &p["spec"]["volumes"];
    assert_eq!(v[0], json!({"name": "scratch", "emptyDir": {}}));
    assert_eq!(v[1]["secret"]["defaultMode"], 420);
    assert_eq!(v[2]["configMap"]["defaultMode"], 420);
    assert_eq!(v[3]["hostPath"]["type"], "");
    assert_eq!(v[4]["downwardAPI"]["defaultMode"], 420);
    assert_eq!(
        v[4]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"],
        "v1"
    );
    assert_eq!(v[5]["projected"]["defaultMode"], 420);
    assert_eq!(
        v[5]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
        3600
    );
    assert_eq!(
        v[6]["ephemeral"]["volumeClaimTemplate"]["spec"]["volumeMode"],
        "Filesystem"
    );
}

fn service(spec: Value) -> Value {
    defaulted(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec}),
    )["spec"]
        .clone()
}

#[test]
fn service_defaults_by_type() {
    let s = service(json!({"ports": [{"port": 80}]}));
    assert_eq!(s["type"], "ClusterIP");
    assert_eq!(s["sessionAffinity"], "None");
    assert_eq!(
        s["ports"][0],
        json!({"port": 80, "protocol": "TCP", "targetPort": 80})
    );
    assert_eq!(s["internalTrafficPolicy"], "Cluster");
    assert!(s.get("externalTrafficPolicy").is_none());

    let s = service(json!({"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]}));
    assert_eq!(s["externalTrafficPolicy"], "Cluster");
    assert_eq!(
        s["ports"][0]["targetPort"], "http",
        "a named target port stays"
    );

    let s = service(json!({"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 0}]}));
    assert_eq!(s["allocateLoadBalancerNodePorts"], true);
    assert_eq!(s["externalTrafficPolicy"], "Cluster");
    assert_eq!(s["ports"][0]["targetPort"], 443);

    let s = service(
        json!({"type": "ClusterIP", "externalIPs": ["192.0.2.1"], "ports": [{"port": 80}]}),
    );
    assert_eq!(
        s["externalTrafficPolicy"], "Cluster",
        "external IPs make a ClusterIP service externally accessible"
    );

    let s = service(json!({"type": "ExternalName", "externalName": "example.com"}));
    assert!(s.get("internalTrafficPolicy").is_none());

    let s = service(json!({"sessionAffinity": "ClientIP", "ports": [{"port": 80}]}));
    assert_eq!(
        s["sessionAffinityConfig"],
        json!({"clientIP": {"timeoutSeconds": 10800}})
    );
    let s = service(
        json!({"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}}, "ports": [{"port": 80}]}),
    );
    assert!(
        s.get("sessionAffinityConfig").is_none(),
        "dropped when affinity is None"
    );
}

#[test]
fn workload_defaults() {
    let rs = defaulted(
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {}}),
    );
    assert_eq!(rs["spec"]["replicas"], 1);
    let d = defaulted(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"strategy": {"type": "Recreate"}}}),
    );
    assert_eq!(
        d["spec"]["strategy"],
        json!({"type": "Recreate"}),
        "no rollingUpdate for Recreate"
    );
    assert_eq!(d["spec"]["replicas"], 1);
    let ds = defaulted(
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {}}),
    );
    assert_eq!(ds["spec"]["revisionHistoryLimit"], 10);
    let sts = defaulted(
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"updateStrategy": {"type": "OnDelete"}}}),
    );
    assert_eq!(sts["spec"]["updateStrategy"], json!({"type": "OnDelete"}));
    assert_eq!(sts["spec"]["replicas"], 1);
    let rc = defaulted(
        json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
        "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}}),
    );
    assert_eq!(rc["spec"]["selector"], json!({"app": "x"}));
    assert_eq!(rc["metadata"]["labels"], json!({"app": "x"}));
    assert_eq!(rc["spec"]["replicas"], 1);
}

fn job_spec(spec: Value) -> Value {
    defaulted(
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": spec}),
    )["spec"]
        .clone()
}

#[test]
fn job_defaults() {
    let s = job_spec(json!({"completions": 5}));
    assert_eq!(
        (s["completions"].clone(), s["parallelism"].clone()),
        (json!(5), json!(1))
    );
    let s = job_spec(json!({"parallelism": 3}));
    assert!(
        s.get("completions").is_none(),
        "completions stays unset when parallelism is given"
    );
    assert_eq!(s["backoffLimit"], 6);
    assert_eq!(s["manualSelector"], false);
    let s =
        job_spec(json!({"completionMode": "Indexed", "completions": 3, "backoffLimitPerIndex": 1}));
    assert_eq!(s["backoffLimit"], 2147483647);
    let s = job_spec(
        json!({"podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}}),
    );
    assert_eq!(s["podReplacementPolicy"], "Failed");
    assert_eq!(
        s["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"],
        "True"
    );
}

#[test]
fn defaults_of_the_other_groups() {
    let ns =
        defaulted(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}));
    assert_eq!(
        ns["metadata"]["labels"],
        json!({"kubernetes.io/metadata.name": "dev"})
    );
    assert_eq!(ns["status"], json!({"phase": "Active"}));
    let secret =
        defaulted(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}));
    assert_eq!(secret["type"], "Opaque");
    let sc = defaulted(
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "s"}, "provisioner": "x"}),
    );
    assert_eq!(
        (sc["reclaimPolicy"].clone(), sc["volumeBindingMode"].clone()),
        (json!("Delete"), json!("Immediate"))
    );
    let pc = defaulted(
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "p"}, "value": 10}),
    );
    assert_eq!(pc["preemptionPolicy"], "PreemptLowerPriority");
    let eps = defaulted(
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "e"}, "addressType": "IPv4", "endpoints": [], "ports": [{"port": 80}]}),
    );
    assert_eq!(
        eps["ports"][0],
        json!({"port": 80, "name": "", "protocol": "TCP"})
    );
    let np = defaulted(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"}, "spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}}),
    );
    assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(np["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");
    let crb = defaulted(
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
        "roleRef": {"kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "User", "name": "jane"}, {"kind": "ServiceAccount", "name": "default", "namespace": "default"}]}),
    );
    assert_eq!(crb["roleRef"]["apiGroup"], "rbac.authorization.k8s.io");
    assert_eq!(crb["subjects"][0]["apiGroup"], "rbac.authorization.k8s.io");
    assert_eq!(crb["subjects"][1]["apiGroup"], "");
    let pv = defaulted(
        json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "10Gi"}}}),
    );
    assert_eq!(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
    let lr = defaulted(
        json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l"},
        "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}}]}}),
    );
    assert_eq!(
        lr["spec"]["limits"][0]["default"],
        json!({"cpu": "2"}),
        "default limit from max"
    );
    assert_eq!(
        lr["spec"]["limits"][0]["defaultRequest"],
        json!({"cpu": "2", "memory": "64Mi"}),
        "default request from default, then min"
    );
    let hpa = defaulted(
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {"maxReplicas": 5}}),
    );
    assert_eq!(hpa["spec"]["minReplicas"], 1);
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"],
        json!({"type": "Utilization", "averageUtilization": 80})
    );
    let hook = defaulted(
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": {"name": "m"},
        "webhooks": [{"name": "a.example.com", "clientConfig": {"service": {"name": "s", "namespace": "n"}}, "rules": [{"operations": ["CREATE"]}],
            "sideEffects": "None", "admissionReviewVersions": ["v1"]}]}),
    );
    let w = &hook["webhooks"][0];
    assert_eq!(
        (
            w["failurePolicy"].clone(),
            w["matchPolicy"].clone(),
            w["timeoutSeconds"].clone()
        ),
        (json!("Fail"), json!("Equivalent"), json!(10))
    );
    assert_eq!(
        (w["namespaceSelector"].clone(), w["objectSelector"].clone()),
        (json!({}), json!({}))
    );
    assert_eq!(w["reinvocationPolicy"], "Never");
    assert_eq!(w["rules"][0]["scope"], "*");
    assert_eq!(w["clientConfig"]["service"]["port"], 443);
    let unknown = json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {}});
    assert_eq!(defaulted(unknown.clone()), unknown);
    for bad in [
        json!(null),
        json!([1, 2]),
        json!({"apiVersion": "v1", "kind": "Pod", "spec": "oops"}),
    ] {
        assert_eq!(
            defaulted(bad.clone()),
            bad,
            "wrongly typed input is left for validation"
        );
    }
    let p = defaulted(json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": "x"}}));
    assert_eq!(
        p["spec"]["containers"], "x",
        "a wrongly typed field stays as it is"
    );
    assert_eq!(p["spec"]["restartPolicy"], "Always");
}

fn container_with(requests: Value, limits: Value) -> Value {
    json!({"name": "c", "image": "x", "resources": {"requests": requests, "limits": limits}})
}

#[test]
fn qos_class_is_computed_exactly() {
    let cases = [
        (
            json!([{"name": "c", "image": "x"}]),
            json!([]),
            "BestEffort",
        ),
        (
            json!([container_with(json!({"cpu": "100m"}), json!({}))]),
            json!([]),
            "Burstable",
        ),
        (
            json!([container_with(
                json!({"cpu": "1", "memory": "1Gi"}),
                json!({"cpu": "1", "memory": "1Gi"})
            )]),
            json!([]),
            "Guaranteed",
        ),
        (
            json!([container_with(
                json!({"cpu": "1000m", "memory": "1024Mi"}),
                json!({"cpu": "1", "memory": "1Gi"})
            )]),
            json!([]),
            "Guaranteed",
        ),
        (
            json!([container_with(
                json!({"cpu": "500m", "memory": "1Gi"}),
                json!({"cpu": "1", "memory": "1Gi"})
            )]),
            json!([]),
            "Burstable",
        ),
        (
            json!([container_with(json!({}), json!({"cpu": "1"}))]),
            json!([]),
            "Burstable",
        ),
        (
            json!([container_with(
                json!({"cpu": "1", "memory": "1Gi"}),
                json!({"cpu": "1", "memory": "1Gi"})
            )]),
            json!([{"name": "i", "image": "x"}]),
            "Burstable",
        ),
        (
            json!([container_with(json!({"cpu": "0"}), json!({"cpu": "0"}))]),
            json!([]),
            "BestEffort",
        ),
        (
            json!([container_with(
                json!({"nvidia.com/gpu": "1"}),
                json!({"nvidia.com/gpu": "1"})
            )]),
            json!([]),
            "BestEffort",
        ),
    ];
    for (i, (containers, init, want)) in cases.into_iter().enumerate() {
        let p = pod(json!({"containers": containers, "initContainers": init}));
        assert_eq!(pod_qos_class(&p), want, "case {i}");
    }
    // Limits only: defaulting copies them to requests, so the pod is Guaranteed.
    let p = defaulted(one_container(container_with(
        json!({}),
        json!({"cpu": "1", "memory": "1Gi"}),
    )));
    assert_eq!(pod_qos_class(&p), "Guaranteed");
}

fn created(kind: &str, mut obj: Value) -> Value {
    obj["metadata"]["uid"] = json!("0e7a4c2e-1111-4222-8333-444455556666");
    obj["metadata"]["creationTimestamp"] = json!("2026-11-23T09:00:00Z");
    prepare_for_create(kind, &mut obj);
    obj
}

#[test]
fn create_resets_status_and_sets_generation() {
    let p = created(
        "Pod",
        pod(json!({"containers": [{"name": "c", "image": "x"}]})),
    );
    assert_eq!(
        p["status"],
        json!({"phase": "Pending", "qosClass": "BestEffort"})
    );
    assert_eq!(p["metadata"]["generation"], 1);
    let gated = created(
        "Pod",
        pod(
            json!({"schedulingGates": [{"name": "wait"}], "containers": [{"name": "c", "image": "x"}]}),
        ),
    );
    assert_eq!(
        gated["status"]["conditions"][0]["reason"],
        "SchedulingGated"
    );
    assert_eq!(
        gated["status"]["conditions"][0]["message"],
        "Scheduling is blocked due to non-empty scheduling gates"
    );

    let cases = [
        ("Deployment", "apps/v1", json!({}), true),
        ("ReplicaSet", "apps/v1", json!({"replicas": 0}), true),
        (
            "StatefulSet",
            "apps/v1",
            json!({"replicas": 0, "availableReplicas": 0}),
            true,
        ),
        ("CronJob", "batch/v1", json!({}), true),
        ("Service", "v1", json!({"loadBalancer": {}}), false),
        ("PersistentVolumeClaim", "v1", json!({}), false),
        ("ResourceQuota", "v1", json!({}), false),
    ];
    for (kind, api_version, status, generation) in cases {
        let obj = created(
            kind,
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "generation": 7}, "spec": {}, "status": {"bogus": true}}),
        );
        assert_eq!(obj["status"], status, "{kind} status");
        assert_eq!(
            obj["metadata"].get("generation") == Some(&json!(1)),
            generation,
            "{kind} generation"
        );
    }
    let ds = created(
        "DaemonSet",
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {}}),
    );
    assert_eq!(
        ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
        "1"
    );
    let ns = created(
        "Namespace",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}, "status": {"phase": "Terminating"}}),
    );
    assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
    assert_eq!(ns["status"], json!({"phase": "Active"}));
    let pv = created(
        "PersistentVolume",
        json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv"}, "spec": {}}),
    );
    assert_eq!(
        pv["status"],
        json!({"phase": "Pending", "lastPhaseTransitionTime": "2026-11-23T09:00:00Z"})
    );
}

#[test]
fn job_create_generates_the_selector() {
    // Without template labels: only the template gets them; the Job's own labels are copied on
    // the next read (defaulting), not stored.
    let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
        "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}], "restartPolicy": "Never"}}}});
    set_object_defaults(&mut job);
    let job = created("Job", job);
    let uid = "0e7a4c2e-1111-4222-8333-444455556666";
    assert_eq!(job["spec"]["manualSelector"], false);
    assert_eq!(
        job["spec"]["selector"],
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
    );
    assert_eq!(
        job["spec"]["template"]["metadata"]["labels"],
        json!({
        "job-name": "pi", "batch.kubernetes.io/job-name": "pi", "controller-uid": uid, "batch.kubernetes.io/controller-uid": uid})
    );
    assert!(job["metadata"].get("labels").is_none());
    assert_eq!(job["status"], json!({}));
    let mut read_back = job.clone();
    set_object_defaults(&mut read_back);
    assert_eq!(
        read_back["metadata"]["labels"],
        job["spec"]["template"]["metadata"]["labels"]
    );

    // With template labels, the Job shares the map with its template and gets them all.
    let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
        "spec": {"template": {"metadata": {"labels": {"app": "pi"}}, "spec": {"containers": [{"name": "pi", "image": "perl"}]}}}});
    set_object_defaults(&mut job);
    let job = created("Job", job);
    assert_eq!(
        job["metadata"]["labels"]["batch.kubernetes.io/controller-uid"],
        uid
    );
    assert_eq!(job["metadata"]["labels"]["app"], "pi");

    let job = created(
        "Job",
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "m"},
        "spec": {"manualSelector": true, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}}}}),
    );
    assert_eq!(
        job["spec"]["template"]["metadata"]["labels"],
        json!({"a": "b"}),
        "manual selectors are left alone"
    );
}

#[test]
fn updates_keep_status_and_bump_generation_on_spec_changes() {
    let old = created(
        "Deployment",
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "d", "resourceVersion": "5"}, "spec": {"replicas": 1}}),
    );
    let mut old = old;
    old["status"] = json!({"replicas": 1});

    let mut new = old.clone();
    new["spec"]["replicas"] = json!(3);
    new["status"] = json!({"replicas": 99});
    new["metadata"]["generation"] = json!(42);
    prepare_for_update("Deployment", &mut new, &old);
    assert_eq!(new["metadata"]["generation"], 2);
    assert_eq!(
        new["status"],
        json!({"replicas": 1}),
        "the main resource cannot change status"
    );

    let mut labels_only = old.clone();
    labels_only["metadata"]["labels"] = json!({"a": "b"});
    prepare_for_update("Deployment", &mut labels_only, &old);
    assert_eq!(labels_only["metadata"]["generation"], 1);

    let mut annotated = old.clone();
    annotated["metadata"]["annotations"] = json!({"a": "b"});
    prepare_for_update("Deployment", &mut annotated, &old);
    assert_eq!(
        annotated["metadata"]["generation"], 2,
        "Deployment annotations bump the generation"
    );

    let mut status = old.clone();
    status["spec"]["replicas"] = json!(10);
    status["status"] = json!({"replicas": 1, "readyReplicas": 1});
    prepare_for_status_update("Deployment", &mut status, &old);
    assert_eq!(
        status["spec"]["replicas"], 1,
        "a status update cannot change spec"
    );
    assert_eq!(status["status"]["readyReplicas"], 1);
    assert_eq!(status["metadata"]["generation"], 1);

    let mut cm_old = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "uid": "u1", "creationTimestamp": "t0"}, "data": {"a": "1"}});
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "creationTimestamp": "t9"}, "data": {"a": "2"}});
    prepare_for_update("ConfigMap", &mut cm, &cm_old);
    assert_eq!(cm["metadata"]["uid"], "u1");
    assert_eq!(cm["metadata"]["creationTimestamp"], "t0");
    assert!(cm["metadata"].get("generation").is_none());
    cm_old["metadata"]["deletionTimestamp"] = json!("t5");
    prepare_for_update("ConfigMap", &mut cm, &cm_old);
    assert_eq!(cm["metadata"]["deletionTimestamp"], "t5");

    let ds_old = created(
        "DaemonSet",
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": {}}}}),
    );
    let mut ds = ds_old.clone();
    ds["spec"]["template"]["spec"]["hostNetwork"] = json!(true);
    prepare_for_update("DaemonSet", &mut ds, &ds_old);
    assert_eq!(
        ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
        "2"
    );
    assert_eq!(ds["metadata"]["generation"], 2);
}

#[test]
fn system_fields_uids_and_generated_names() {
    use kubestep::apiserver::defaulting::strategy::{
        fill_object_meta_system_fields, generate_name, new_uid,
    };
    let mut rng = kubestep::sim::Rng::seed_from_u64(4);
    let uid = new_uid(&mut rng);
    assert_eq!(uid.len(), 36);
    assert_eq!(&uid[14..15], "4", "version 4");
    assert!("89ab".contains(&uid[19..20]), "RFC 4122 variant");
    assert_ne!(uid, new_uid(&mut rng));

    let mut obj = json!({"metadata": {"generateName": "web-", "selfLink": "/x"}});
    fill_object_meta_system_fields(&mut obj, &uid, "2026-11-23T09:00:00Z", &mut rng);
    let name = obj["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    assert_eq!(obj["metadata"]["uid"], Value::from(uid.clone()));
    assert!(obj["metadata"].get("selfLink").is_none());
    let long = "x".repeat(70);
    assert_eq!(generate_name(&long, &mut rng).len(), 63);
    assert_eq!(
        generate_name("é".repeat(40).as_str(), &mut rng)
            .chars()
            .count(),
        29 + 5,
        "cut on a character boundary"
    );
}
