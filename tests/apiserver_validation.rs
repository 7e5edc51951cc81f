//! kube-apiserver 1.33 validation, specified by the exact texts a learner sees: field error
//! strings, every error of an object at once, and the `metav1.Status` bodies.

use kubestep::apiserver::validation::field::{go_quote, BadValue, FieldError, Path};
use kubestep::apiserver::validation::{validate_create, validate_update};
use serde_json::{json, Value};

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn texts(errs: &[FieldError]) -> Vec<String> {
    errs.iter().map(|e| e.to_string()).collect()
}

fn create(kind: &str, o: &Value) -> Vec<String> {
    let api_version = o["apiVersion"].as_str().unwrap_or("v1");
    texts(&validate_create(api_version, kind, o))
}

fn update(kind: &str, new: &Value, old: &Value) -> Vec<String> {
    let api_version = new["apiVersion"].as_str().unwrap_or("v1");
    texts(&validate_update(api_version, kind, new, old))
}

/// A pod as it looks after defaulting.
fn pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7",
                     "creationTimestamp": "2026-11-23T09:00:00Z", "labels": {"app": "web"}},
        "spec": {
            "containers": [{
                "name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "ports": [{"containerPort": 80, "protocol": "TCP"}]
            }],
            "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler",
            "securityContext": {}
        }
    })
}

fn container0(p: &mut Value) -> &mut Value {
    &mut p["spec"]["containers"][0]
}

#[test]
fn field_errors_render_like_go() {
    let p = Path::new("spec").child("containers").index(0).child("name");
    assert_eq!(
        FieldError::required(&p, "").to_string(),
        "spec.containers[0].name: Required value"
    );
    assert_eq!(
        FieldError::invalid(
            &Path::from_names(&["metadata", "name"]),
            "MyPod",
            SUBDOMAIN_MSG
        )
        .to_string(),
        format!("metadata.name: Invalid value: \"MyPod\": {SUBDOMAIN_MSG}")
    );
    assert_eq!(
        FieldError::not_supported(&Path::from_names(&["spec", "restartPolicy"]), "Sometimes", &["Always", "OnFailure", "Never"]).to_string(),
        "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
    );
    assert_eq!(
        FieldError::duplicate(
            &Path::new("spec").child("containers").index(1).child("name"),
            "nginx"
        )
        .to_string(),
        "spec.containers[1].name: Duplicate value: \"nginx\""
    );
    assert_eq!(
        FieldError::too_long(&Path::from_names(&["metadata", "annotations"]), 262144).to_string(),
        "metadata.annotations: Too long: may not be more than 262144 bytes"
    );
    assert_eq!(
        FieldError::too_many(&Path::new("endpoints"), 1001, 1000).to_string(),
        "endpoints: Too many: 1001: must have at most 1000 items"
    );
    assert_eq!(
        FieldError::forbidden(&Path::new("spec"), "nope").to_string(),
        "spec: Forbidden: nope"
    );
    assert_eq!(
        FieldError::invalid(
            &Path::from_names(&["metadata", "resourceVersion"]),
            BadValue::Uint64(0),
            "must be specified for an update"
        )
        .to_string(),
        "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"
    );
    assert_eq!(
        FieldError::not_found(&Path::new("data").key("my.key"), "x").to_string(),
        "data[my.key]: Not found: \"x\""
    );
    assert_eq!(
        FieldError::internal(&Path::new("spec"), "boom").to_string(),
        "spec: Internal error: boom"
    );
    // Values of each Go type.
    let v = |b: BadValue| FieldError::invalid(&Path::new("f"), b, "d").to_string();
    assert_eq!(v(BadValue::Int(-1)), "f: Invalid value: -1: d");
    assert_eq!(v(BadValue::Bool(true)), "f: Invalid value: true: d");
    assert_eq!(v(BadValue::Null), "f: Invalid value: null: d");
    assert_eq!(v(BadValue::Float(0.5)), "f: Invalid value: 0.5: d");
    assert_eq!(v(BadValue::Float(1e21)), "f: Invalid value: 1e+21: d");
    assert_eq!(
        v(BadValue::string_map(Some(&json!({"b": "2", "a": "1"})))),
        "f: Invalid value: map[string]string{\"a\":\"1\", \"b\":\"2\"}: d"
    );
    assert_eq!(
        v(BadValue::StringSlice(None)),
        "f: Invalid value: []string(nil): d"
    );
    assert_eq!(
        v(BadValue::string_slice(Some(&json!(["x", "y"])))),
        "f: Invalid value: []string{\"x\", \"y\"}: d"
    );
    assert_eq!(
        go_quote("a\"b\\c\nd\té\u{1}"),
        "\"a\\\"b\\\\c\\nd\\té\\x01\""
    );
}

#[test]
fn pod_errors_are_all_reported_at_once() {
    let mut p = pod();
    p["metadata"]["name"] = json!("MyPod");
    let c = container0(&mut p);
    c["image"] = json!("");
    c["ports"][0]["containerPort"] = json!(70000);
    c["ports"][0]["protocol"] = json!("HTTP");
    p["spec"]["restartPolicy"] = json!("Sometimes");
    p["spec"]["dnsPolicy"] = json!("Cluster");
    assert_eq!(
        create("Pod", &p),
        vec![
            format!("metadata.name: Invalid value: \"MyPod\": {SUBDOMAIN_MSG}"),
            "spec.containers[0].image: Required value".to_string(),
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive".to_string(),
            "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"".to_string(),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"".to_string(),
            "spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"".to_string(),
        ]
    );
}

#[test]
fn a_valid_pod_passes() {
    assert_eq!(create("Pod", &pod()), Vec::<String>::new());
}

#[test]
fn container_names_are_unique_and_dns_labels() {
    let mut p = pod();
    let second = p["spec"]["containers"][0].clone();
    p["spec"]["containers"].as_array_mut().unwrap().push(second);
    let mut third = p["spec"]["containers"][0].clone();
    third["name"] = json!("Side_Car");
    p["spec"]["containers"].as_array_mut().unwrap().push(third);
    assert_eq!(
        create("Pod", &p),
        vec![
            "spec.containers[1].name: Duplicate value: \"nginx\"".to_string(),
            format!("spec.containers[2].name: Invalid value: \"Side_Car\": {LABEL_MSG}"),
        ]
    );
}

#[test]
fn requests_may_not_exceed_limits() {
    let mut p = pod();
    container0(&mut p)["resources"] = json!({
        "requests": {"cpu": "2000m", "memory": "64Mi"},
        "limits": {"cpu": "1", "memory": "128Mi"}
    });
    assert_eq!(
        create("Pod", &p),
        vec!["spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"]
    );
    container0(&mut p)["resources"] = json!({"requests": {"cpu": "-1", "gpu": "1"}});
    assert_eq!(
        create("Pod", &p),
        vec![
            "spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
            "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
            "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard resource for containers",
        ]
    );
}

#[test]
fn env_ports_mounts_and_probes() {
    let mut p = pod();
    let c = container0(&mut p);
    c["env"] = json!([{"name": "A=B", "value": "x"}, {"name": "FROM", "valueFrom": {}}]);
    c["ports"] = json!([
        {"name": "http-web-server-1", "containerPort": 80, "protocol": "TCP"},
        {"name": "web", "containerPort": 81, "protocol": "TCP"},
        {"name": "web", "containerPort": 82, "protocol": "TCP"}
    ]);
    c["volumeMounts"] = json!([{"name": "data", "mountPath": "/data"}]);
    c["livenessProbe"] = json!({"exec": {"command": ["true"]}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 2, "failureThreshold": 3});
    c["readinessProbe"] = json!({"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3});
    assert_eq!(
        create("Pod", &p),
        vec![
            "spec.containers[0].ports[0].name: Invalid value: \"http-web-server-1\": must be no more than 15 characters",
            "spec.containers[0].ports[2].name: Duplicate value: \"web\"",
            "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
            "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            "spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            "spec.containers[0].readinessProbe: Required value: must specify a handler type",
        ]
    );
}

#[test]
fn volumes_need_one_source_and_unique_names() {
    let mut p = pod();
    p["spec"]["volumes"] = json!([
        {"name": "a", "emptyDir": {}, "hostPath": {"path": "/x", "type": ""}},
        {"name": "b", "secret": {"defaultMode": 420}},
        {"name": "c", "configMap": {"name": "cm", "defaultMode": 420}},
        {"name": "c", "emptyDir": {}},
        {"name": "d"}
    ]);
    container0(&mut p)["volumeMounts"] =
        json!([{"name": "c", "mountPath": "/c"}, {"name": "a", "mountPath": "/c"}]);
    assert_eq!(
        create("Pod", &p),
        vec![
            "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
            "spec.volumes[1].secret.secretName: Required value",
            "spec.volumes[3].name: Duplicate value: \"c\"",
            "spec.volumes[4]: Required value: must specify a volume type",
            "spec.containers[0].volumeMounts[1].name: Not found: \"a\"",
            "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/c\": must be unique",
        ]
    );
}

#[test]
fn metadata_rules() {
    let mut p = pod();
    p["metadata"] = json!({
        "generateName": "Web-", "namespace": "Default",
        "labels": {"app": "a b", "-bad": "x"},
        "annotations": {"example.com/ok": "1", "a/b/c": "x"}
    });
    assert_eq!(
        create("Pod", &p),
        vec![
            format!("metadata.generateName: Invalid value: \"Web-\": {SUBDOMAIN_MSG}"),
            "metadata.name: Required value: name or generateName is required".to_string(),
            format!("metadata.namespace: Invalid value: \"Default\": {LABEL_MSG}"),
            "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".to_string(),
            "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string(),
            "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_string(),
        ]
    );
    let mut big = pod();
    big["metadata"]["annotations"] = json!({"k": "x".repeat(262144)});
    assert_eq!(
        create("Pod", &big),
        vec!["metadata.annotations: Too long: may not be more than 262144 bytes"]
    );
}

#[test]
fn pod_updates_may_change_images_only() {
    let old = pod();
    let mut new = pod();
    container0(&mut new)["image"] = json!("nginx:1.28");
    assert_eq!(update("Pod", &new, &old), Vec::<String>::new());

    container0(&mut new)["ports"][0]["containerPort"] = json!(8080);
    let errs = update("Pod", &new, &old);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n"), "{}", errs[0]);

    let mut added = pod();
    let mut c = added["spec"]["containers"][0].clone();
    c["name"] = json!("sidecar");
    added["spec"]["containers"].as_array_mut().unwrap().push(c);
    assert_eq!(
        update("Pod", &added, &old),
        vec!["spec.containers: Forbidden: pod updates may not add or remove containers"]
    );

    let mut renamed = pod();
    renamed["metadata"]["name"] = json!("web2");
    renamed["metadata"]["resourceVersion"] = json!("");
    assert_eq!(
        update("Pod", &renamed, &old),
        vec![
            "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            "metadata.name: Invalid value: \"web2\": field is immutable",
        ]
    );
}

fn deployment() -> Value {
    let mut template = pod();
    template.as_object_mut().unwrap().remove("apiVersion");
    template.as_object_mut().unwrap().remove("kind");
    template["metadata"] = json!({"labels": {"app": "web"}});
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "uid": "d1", "resourceVersion": "3", "generation": 1},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": template,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600
        }
    })
}

#[test]
fn deployment_rules() {
    assert_eq!(create("Deployment", &deployment()), Vec::<String>::new());
    let mut d = deployment();
    d["spec"]["replicas"] = json!(-1);
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "x"});
    d["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
    d["spec"]["strategy"]["rollingUpdate"] = json!({"maxUnavailable": 0, "maxSurge": "120%"});
    assert_eq!(
        create("Deployment", &d),
        vec![
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`",
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
        ]
    );
    d["spec"]["strategy"]["rollingUpdate"] = json!({"maxUnavailable": 0, "maxSurge": 0});
    d["spec"]["replicas"] = json!(1);
    d["spec"]["template"] = deployment()["spec"]["template"].clone();
    assert_eq!(
        create("Deployment", &d),
        vec!["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]
    );
    d["spec"]["strategy"] = json!({"type": "Canary"});
    assert_eq!(
        create("Deployment", &d),
        vec!["spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Canary\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\""]
    );
    let mut empty = deployment();
    empty["spec"]["selector"] = json!({});
    assert_eq!(
        create("Deployment", &empty),
        vec!["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"]
    );
}

#[test]
fn selectors_are_immutable_on_update() {
    let old = deployment();
    let mut new = deployment();
    new["spec"]["selector"] = json!({"matchLabels": {"app": "web", "tier": "fe"}});
    new["spec"]["template"]["metadata"]["labels"] = json!({"app": "web", "tier": "fe"});
    assert_eq!(
        update("Deployment", &new, &old),
        vec!["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"fe\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]
    );
    let mut rs = deployment();
    rs["kind"] = json!("ReplicaSet");
    rs["spec"].as_object_mut().unwrap().remove("strategy");
    let mut rs2 = rs.clone();
    rs2["spec"]["replicas"] = json!(5);
    assert_eq!(update("ReplicaSet", &rs2, &rs), Vec::<String>::new());
}

#[test]
fn daemon_set_and_stateful_set_rules() {
    let mut ds = deployment();
    ds["kind"] = json!("DaemonSet");
    let spec = ds["spec"].as_object_mut().unwrap();
    spec.remove("replicas");
    spec.remove("strategy");
    spec.remove("progressDeadlineSeconds");
    spec.insert(
        "updateStrategy".into(),
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
    );
    assert_eq!(create("DaemonSet", &ds), Vec::<String>::new());
    ds["spec"]["template"]["spec"]["restartPolicy"] = json!("OnFailure");
    ds["spec"]["updateStrategy"]["rollingUpdate"] = json!({"maxUnavailable": 0, "maxSurge": 0});
    assert_eq!(
        create("DaemonSet", &ds),
        vec![
            "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
        ]
    );

    let mut ss = deployment();
    ss["kind"] = json!("StatefulSet");
    let spec = ss["spec"].as_object_mut().unwrap();
    spec.remove("strategy");
    spec.remove("progressDeadlineSeconds");
    spec.insert("serviceName".into(), json!("web"));
    spec.insert("podManagementPolicy".into(), json!("OrderedReady"));
    spec.insert(
        "updateStrategy".into(),
        json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
    );
    assert_eq!(create("StatefulSet", &ss), Vec::<String>::new());
    let mut ss2 = ss.clone();
    ss2["spec"]["serviceName"] = json!("other");
    ss2["spec"]["replicas"] = json!(1);
    assert_eq!(
        update("StatefulSet", &ss2, &ss),
        vec!["spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]
    );
}

fn job() -> Value {
    let mut template = deployment()["spec"]["template"].clone();
    template["spec"]["restartPolicy"] = json!("Never");
    template["metadata"]["labels"] = json!({
        "batch.kubernetes.io/controller-uid": "j1", "controller-uid": "j1",
        "batch.kubernetes.io/job-name": "pi", "job-name": "pi"
    });
    json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "pi", "namespace": "default", "uid": "j1", "resourceVersion": "9"},
        "spec": {
            "parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
            "suspend": false,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "j1"}},
            "template": template
        }
    })
}

#[test]
fn job_and_cron_job_rules() {
    assert_eq!(create("Job", &job()), Vec::<String>::new());
    let mut j = job();
    j["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    j["spec"]["backoffLimit"] = json!(-1);
    assert_eq!(
        create("Job", &j),
        vec![
            "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
            "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"",
        ]
    );
    let mut j2 = job();
    j2["spec"]["template"]["spec"]["containers"][0]["image"] = json!("perl:5.40");
    assert_eq!(
        update("Job", &j2, &job()),
        vec!["spec.template: Invalid value: core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{...}, Spec:core.PodSpec{...}}: field is immutable"]
    );

    let mut jt = job()["spec"].clone();
    jt.as_object_mut().unwrap().remove("selector");
    jt["template"]["metadata"] = json!({});
    let cj = json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "hello", "namespace": "default"},
        "spec": {"schedule": "*/1 * * * *", "concurrencyPolicy": "Allow", "jobTemplate": {"spec": jt}}
    });
    assert_eq!(create("CronJob", &cj), Vec::<String>::new());
    let mut bad = cj.clone();
    bad["spec"]["schedule"] = json!("61 * * * *");
    bad["spec"]["concurrencyPolicy"] = json!("Sometimes");
    assert_eq!(
        create("CronJob", &bad),
        vec![
            "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61",
            "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
        ]
    );
}

fn service() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "default", "uid": "s1", "resourceVersion": "4"},
        "spec": {
            "type": "ClusterIP", "selector": {"app": "web"}, "sessionAffinity": "None",
            "clusterIP": "10.96.0.11", "clusterIPs": ["10.96.0.11"], "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster",
            "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]
        }
    })
}

#[test]
fn service_rules() {
    assert_eq!(create("Service", &service()), Vec::<String>::new());
    let mut s = service();
    s["metadata"]["name"] = json!("1web");
    s["spec"]["ports"] = json!([
        {"port": 80, "targetPort": 8080, "protocol": "TCP", "nodePort": 30080},
        {"name": "b", "port": 80, "targetPort": 0, "protocol": "TCP"}
    ]);
    assert_eq!(
        create("Service", &s),
        vec![
            "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "spec.ports[0].name: Required value",
            "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
            "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
        ]
    );
    let mut t = service();
    t["spec"]["type"] = json!("Balanced");
    assert_eq!(
        create("Service", &t),
        vec!["spec.type: Unsupported value: \"Balanced\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""]
    );
    let mut moved = service();
    moved["spec"]["clusterIP"] = json!("10.96.0.12");
    moved["spec"]["clusterIPs"] = json!(["10.96.0.12"]);
    assert_eq!(
        update("Service", &moved, &service()),
        vec![
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.12\"}: may not change once set"
        ]
    );
}

#[test]
fn config_map_and_secret_rules() {
    let cm = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default", "resourceVersion": "2"},
        "data": {"game.properties": "x", "bad key": "y"}
    });
    assert_eq!(
        create("ConfigMap", &cm),
        vec!["data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]
    );
    let old = json!({
        "apiVersion": "v1", "kind": "ConfigMap", "immutable": true,
        "metadata": {"name": "cfg", "namespace": "default", "resourceVersion": "2"},
        "data": {"a": "1"}
    });
    let mut new = old.clone();
    new["data"]["a"] = json!("2");
    new["immutable"] = json!(false);
    assert_eq!(
        update("ConfigMap", &new, &old),
        vec![
            "immutable: Forbidden: field is immutable when `immutable` is set",
            "data: Forbidden: field is immutable when `immutable` is set",
        ]
    );
    let big = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": {"a": "x".repeat(1024 * 1024 + 1)}
    });
    assert_eq!(
        create("ConfigMap", &big),
        vec![": Too long: may not be more than 1048576 bytes"]
    );

    let secret = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": "tls", "namespace": "default", "resourceVersion": "5"},
        "data": {"tls.crt": "Y2VydA=="}
    });
    assert_eq!(
        create("Secret", &secret),
        vec!["data[tls.key]: Required value"]
    );
    let mut retyped = secret.clone();
    retyped["type"] = json!("Opaque");
    assert_eq!(
        update("Secret", &retyped, &secret),
        vec!["type: Invalid value: \"Opaque\": field is immutable"]
    );
    let docker = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "reg", "namespace": "default"},
        "data": {".dockerconfigjson": "eA=="}
    });
    assert_eq!(
        create("Secret", &docker),
        vec!["data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'x' looking for beginning of value"]
    );
}

#[test]
fn namespace_node_and_rbac_rules() {
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev.team"}, "spec": {"finalizers": ["kubernetes", "custom"]}});
    assert_eq!(
        create("Namespace", &ns),
        vec![
            "metadata.name: Invalid value: \"dev.team\": must not contain dots",
            "spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified",
        ]
    );
    let node = json!({
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "namespace": "default"},
        "spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoRun"}]}
    });
    assert_eq!(
        create("Node", &node),
        vec![
            "metadata.namespace: Forbidden: not allowed on this type",
            "metadata.taints[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
        ]
    );
    let role = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "reader", "namespace": "default"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": []}, {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]
    });
    assert_eq!(
        create("Role", &role),
        vec![
            "rules[0].verbs: Required value: verbs must contain at least one value",
            "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs",
        ]
    );
    let rb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "read", "namespace": "default", "resourceVersion": "1"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
        "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"}, {"kind": "Robot", "name": "r2"}]
    });
    assert_eq!(
        create("RoleBinding", &rb),
        vec!["subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\""]
    );
    let mut rb2 = rb.clone();
    rb2["roleRef"]["name"] = json!("admin");
    rb2["subjects"] = json!([]);
    assert_eq!(
        update("RoleBinding", &rb2, &rb),
        vec!["roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"admin\"}: cannot change roleRef"]
    );
}

#[test]
fn jobs_need_the_generated_selector_and_labels() {
    let mut j = job();
    j["spec"]["template"]["metadata"]["labels"] = json!({"app": "pi"});
    assert_eq!(
        create("Job", &j),
        vec![
            "spec.template.metadata.labels[controller-uid]: Required value: must be 'j1'",
            "spec.template.metadata.labels[job-name]: Required value: must be 'pi'",
            "spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Required value: must be 'j1'",
            "spec.template.metadata.labels[batch.kubernetes.io/job-name]: Required value: must be 'pi'",
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"pi\"}: `selector` does not match template `labels`",
        ]
    );
    let mut manual = j.clone();
    manual["spec"]["manualSelector"] = json!(true);
    manual["spec"]["selector"] = json!({"matchLabels": {"app": "pi"}});
    assert_eq!(create("Job", &manual), Vec::<String>::new());
}

#[test]
fn upstream_path_quirks_are_kept() {
    // Go's volume validation spells these two paths its own way.
    let mut p = pod();
    p["spec"]["volumes"] = json!([
        {"name": "a", "emptyDir": {}, "downwardAPI": {"defaultMode": 420}},
        {"name": "b", "emptyDir": {}, "cephfs": {"monitors": ["m"]}},
        {"name": "c", "nfs": {"server": "nfs.local", "path": ""}},
    ]);
    assert_eq!(
        create("Pod", &p),
        vec![
            "spec.volumes[0].downwarAPI: Forbidden: may not specify more than 1 volume type",
            "spec.volumes[1].cephFS: Forbidden: may not specify more than 1 volume type",
            "spec.volumes[2].nfs.path: Required value",
            "spec.volumes[2].nfs.path: Invalid value: \"\": must be an absolute path",
        ]
    );
    // A LoadBalancer Service without allocateLoadBalancerNodePorts: Go's path lacks "spec.".
    let mut s = service();
    s["spec"]["type"] = json!("LoadBalancer");
    s["spec"]["externalTrafficPolicy"] = json!("Cluster");
    s["spec"]["ports"][0]["nodePort"] = json!(30080);
    assert_eq!(
        create("Service", &s),
        vec!["allocateLoadBalancerNodePorts: Required value"]
    );
    // Node capacity paths are children, not keys.
    let node = json!({
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
        "status": {"capacity": {"cpu": "-2"}}
    });
    assert_eq!(
        create("Node", &node),
        vec!["status.capacity.cpu: Invalid value: \"-2\": must be greater than or equal to 0"]
    );
}

#[test]
fn finalizers_must_be_standard_or_qualified() {
    let mut cm = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "default", "finalizers": ["kubernetes", "example.com/keep", "keep", "orphan", "foregroundDeletion"]}
    });
    assert_eq!(
        create("ConfigMap", &cm),
        vec![
            "metadata.finalizers: Invalid value: []string{\"kubernetes\", \"example.com/keep\", \"keep\", \"orphan\", \"foregroundDeletion\"}: finalizer orphan and foregroundDeletion cannot be both set",
            "metadata.finalizers[2]: Invalid value: \"keep\": name is neither a standard finalizer name nor is it fully qualified",
        ]
    );
    cm["metadata"]["finalizers"] = json!(["example.com/keep"]);
    let mut deleting = cm.clone();
    deleting["metadata"]["resourceVersion"] = json!("3");
    deleting["metadata"]["deletionTimestamp"] = json!("2026-11-23T09:00:00Z");
    let mut added = deleting.clone();
    added["metadata"]["finalizers"] = json!(["example.com/keep", "example.com/more"]);
    assert_eq!(
        update("ConfigMap", &added, &deleting),
        vec!["metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/more\"}"]
    );
}

#[test]
fn limit_ranges_compare_their_bounds() {
    let lr = json!({
        "apiVersion": "v1", "kind": "LimitRange",
        "metadata": {"name": "lr", "namespace": "default"},
        "spec": {"limits": [{
            "type": "Container",
            "max": {"cpu": "1"}, "min": {"cpu": "2"},
            "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "1500m"}
        }]}
    });
    assert_eq!(
        create("LimitRange", &lr),
        vec![
            "spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1",
            "spec.limits[0].defaultRequest[cpu]: Invalid value: 1500m: min value 2 is greater than default request value 1500m",
            "spec.limits[0].defaultRequest[cpu]: Invalid value: 1500m: default request value 1500m is greater than max value 1",
            "spec.limits[0].defaultRequest[cpu]: Invalid value: 1500m: default request value 1500m is greater than default limit value 500m",
            "spec.limits[0].default[cpu]: Invalid value: 2: min value 2 is greater than default value 500m",
        ]
    );
}

/// Arbitrary JSON, to check that no input panics.
fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9./:=_-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("metadata".to_string()),
            Just("spec".to_string()),
            Just("name".to_string()),
            Just("containers".to_string()),
            Just("ports".to_string()),
            Just("selector".to_string()),
            Just("template".to_string()),
            Just("resources".to_string()),
            Just("limits".to_string()),
            Just("requests".to_string()),
            Just("volumes".to_string()),
            Just("data".to_string()),
            Just("type".to_string()),
            Just("rules".to_string()),
            Just("subjects".to_string()),
            "[a-z]{1,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn no_input_panics(new in arbitrary_json(), old in arbitrary_json()) {
        for kind in [
            "Pod", "Node", "Namespace", "Service", "Endpoints", "ConfigMap", "Secret",
            "ServiceAccount", "Event", "PersistentVolume", "PersistentVolumeClaim", "LimitRange",
            "ResourceQuota", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
            "CronJob", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Lease",
            "EndpointSlice", "Ingress", "PriorityClass", "StorageClass", "Binding", "Scale",
        ] {
            let errs = validate_create("v1", kind, &new);
            let _ = kubestep::apiserver::status::invalid("", kind, "x", &errs).to_json();
            let _ = validate_update("v1", kind, &new, &old);
        }
        let _ = validate_create("events.k8s.io/v1", "Event", &new);
    }
}

#[test]
fn ingress_rules() {
    let ing = json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"rules": [
            {"host": "*.Example.com", "http": {"paths": [
                {"path": "/a//b", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"path": "/", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {}}}}
            ]}},
            {"host": "10.0.0.1"}
        ]}
    });
    assert_eq!(
        create("Ingress", &ing),
        vec![
            "spec.rules[0].host: Invalid value: \"*.Example.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'",
            "spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified",
            "spec.rules[0].http.paths[2].backend: Required value: port name or number is required",
            "spec.rules[1].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
        ]
    );
    let empty = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "e", "namespace": "default"}, "spec": {}});
    assert_eq!(
        create("Ingress", &empty),
        vec!["spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"]
    );
}

#[test]
fn service_session_affinity_and_cluster_role_bindings() {
    let mut s = service();
    s["spec"]["sessionAffinity"] = json!("ClientIP");
    s["spec"]["sessionAffinityConfig"] = json!({"clientIP": {"timeoutSeconds": 0}});
    assert_eq!(
        create("Service", &s),
        vec!["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400"]
    );
    let crb = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "a/b"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
        "subjects": [{"kind": "ServiceAccount", "name": "default"}]
    });
    assert_eq!(
        create("ClusterRoleBinding", &crb),
        vec![
            "metadata.name: Invalid value: \"a/b\": may not contain '/'",
            "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
            "subjects[0].namespace: Required value",
        ]
    );
}

#[test]
fn updates_of_nodes_claims_and_secrets() {
    let node = json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "n1", "resourceVersion": "5"},
        "spec": {"podCIDRs": ["10.244.1.0/24"], "providerID": "kubestep://n1"}
    });
    let mut moved = node.clone();
    moved["spec"] = json!({"podCIDRs": ["10.244.2.0/24"], "providerID": "kubestep://n2"});
    assert_eq!(
        update("Node", &moved, &node),
        vec![
            "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid",
            "spec.providerID: Forbidden: node updates may not change providerID except from \"\" to valid",
        ]
    );

    let pvc = json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "default", "resourceVersion": "8"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"},
        "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}}
    });
    let mut grown = pvc.clone();
    grown["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
    assert_eq!(
        update("PersistentVolumeClaim", &grown, &pvc),
        Vec::<String>::new()
    );
    let mut shrunk = pvc.clone();
    shrunk["spec"]["resources"]["requests"]["storage"] = json!("512Mi");
    assert_eq!(
        update("PersistentVolumeClaim", &shrunk, &pvc),
        vec!["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"]
    );
    let mut remoded = pvc.clone();
    remoded["spec"]["accessModes"] = json!(["ReadWriteMany"]);
    let errs = update("PersistentVolumeClaim", &remoded, &pvc);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n"), "{}", errs[0]);

    let secret = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": true,
        "metadata": {"name": "s", "namespace": "default", "resourceVersion": "2"},
        "data": {"k": "djE="}
    });
    let mut changed = secret.clone();
    changed["data"]["k"] = json!("djI=");
    assert_eq!(
        update("Secret", &changed, &secret),
        vec!["data: Forbidden: field is immutable when `immutable` is set"]
    );
    let mut too_big = secret.clone();
    too_big["immutable"] = json!(false);
    too_big["metadata"]["resourceVersion"] = json!("2");
    too_big["stringData"] = json!({"big": "x".repeat(1024 * 1024)});
    assert_eq!(
        create("Secret", &too_big),
        vec!["data: Too long: may not be more than 1048576 bytes"]
    );
}
