//! The `metav1.Status` bodies kube-apiserver sends, byte for byte, and how kubectl prints them.

use kubestep::apiserver::status::{self, GroupResource, Status};
use kubestep::apiserver::validation::field::{FieldError, Path};
use kubestep::apiserver::validation::validate_create;
use serde_json::json;

const PODS: GroupResource = GroupResource {
    group: "",
    resource: "pods",
};
const DEPLOYMENTS: GroupResource = GroupResource {
    group: "apps",
    resource: "deployments",
};

fn body(s: &Status) -> String {
    serde_json::to_string(&s.to_json()).expect("json")
}

#[test]
fn status_bodies_match_the_server() {
    let cases: Vec<(Status, &str)> = vec![
        (
            status::not_found(PODS, "web"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}"#,
        ),
        (
            status::not_found(DEPLOYMENTS, "web"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"web\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}"#,
        ),
        (
            status::already_exists(PODS, "web"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" already exists","reason":"AlreadyExists","details":{"name":"web","kind":"pods"},"code":409}"#,
        ),
        (
            status::conflict_optimistic_lock(DEPLOYMENTS, "web"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}"#,
        ),
        (
            status::forbidden(PODS, "", "User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}"#,
        ),
        (
            status::forbidden(PODS, "web", "User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\""),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"web\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"default\"","reason":"Forbidden","details":{"name":"web","kind":"pods"},"code":403}"#,
        ),
        (
            status::unauthorized("Unauthorized"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#,
        ),
        (
            status::bad_request("the server rejected our request for an unknown reason"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server rejected our request for an unknown reason","reason":"BadRequest","code":400}"#,
        ),
        (
            status::method_not_supported(GroupResource { group: "", resource: "bindings" }, "list"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"list is not supported on resources of kind \"bindings\"","reason":"MethodNotAllowed","details":{"kind":"bindings"},"code":405}"#,
        ),
        (
            status::too_old_resource_version(5, 100),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (100)","reason":"Expired","code":410}"#,
        ),
        (
            status::gone("gone"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"gone","reason":"Gone","code":410}"#,
        ),
        (
            status::request_entity_too_large("limit is 3145728"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit is 3145728","reason":"RequestEntityTooLarge","code":413}"#,
        ),
        (
            status::too_many_requests("too many requests, please try again later.", 1),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}"#,
        ),
        (
            status::internal_error("etcdserver: request timed out"),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: etcdserver: request timed out","reason":"InternalError","details":{"causes":[{"message":"etcdserver: request timed out"}]},"code":500}"#,
        ),
        (
            status::not_acceptable(&["application/json", "application/yaml"]),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"only the following media types are accepted: application/json, application/yaml","reason":"NotAcceptable","code":406}"#,
        ),
        (
            status::unsupported_media_type(&["application/json", "application/yaml"]),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml","reason":"UnsupportedMediaType","code":415}"#,
        ),
    ];
    for (status, want) in cases {
        assert_eq!(body(&status), want);
        assert_eq!(
            Status::from_json(&status.to_json()),
            Some(status),
            "round trip"
        );
    }
}

fn invalid_pod() -> Status {
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "MyPod", "namespace": "default"},
        "spec": {
            "containers": [{"name": "c", "image": "", "imagePullPolicy": "Always", "terminationMessagePolicy": "File"}],
            "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "terminationGracePeriodSeconds": 30
        }
    });
    let errs = validate_create("v1", "Pod", &pod);
    status::invalid("", "Pod", "MyPod", &errs)
}

#[test]
fn invalid_status_lists_every_cause() {
    let subdomain = r#"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#;
    let want = format!(
        r#"{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure","message":"Pod \"MyPod\" is invalid: [metadata.name: Invalid value: \"MyPod\": {subdomain}, spec.containers[0].image: Required value]","reason":"Invalid","details":{{"name":"MyPod","kind":"Pod","causes":[{{"reason":"FieldValueInvalid","message":"Invalid value: \"MyPod\": {subdomain}","field":"metadata.name"}},{{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].image"}}]}},"code":422}}"#
    );
    assert_eq!(body(&invalid_pod()), want);

    let one = [FieldError::required(
        &Path::from_names(&["spec", "selector"]),
        "",
    )];
    let s = status::invalid("apps", "Deployment", "web", &one);
    assert_eq!(
        s.message,
        "Deployment.apps \"web\" is invalid: spec.selector: Required value"
    );
    assert_eq!(
        status::invalid("", "Pod", "web", &[]).message,
        "Pod \"web\" is invalid"
    );
    // Identical errors appear once in the message but every time in the causes.
    let twice = [one[0].clone(), one[0].clone()];
    let s = status::invalid("apps", "Deployment", "web", &twice);
    assert_eq!(
        s.message,
        "Deployment.apps \"web\" is invalid: spec.selector: Required value"
    );
    assert_eq!(s.details.expect("details").causes.len(), 2);
}

#[test]
fn updates_without_resource_version_name_the_resource() {
    assert_eq!(
        body(&status::update_without_resource_version(DEPLOYMENTS, "web")),
        r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"web\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update","reason":"Invalid","details":{"name":"web","group":"apps","kind":"deployments","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: 0x0: must be specified for an update","field":"metadata.resourceVersion"}]},"code":422}"#
    );
    let e = kubestep::apiserver::validation::core::node_port_allocation_error(
        0,
        80,
        kubestep::apiserver::validation::core::NODE_PORT_NOT_IN_RANGE,
    );
    assert_eq!(
        e.to_string(),
        "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
}

#[test]
fn kubectl_prints_statuses_like_check_err() {
    assert_eq!(
        status::kubectl_error(&status::not_found(PODS, "web")),
        "Error from server (NotFound): pods \"web\" not found\n"
    );
    assert_eq!(
        status::kubectl_error(&status::unauthorized("Unauthorized")),
        "error: You must be logged in to the server (Unauthorized)\n"
    );
    let one = [FieldError::required(
        &Path::new("spec")
            .child("containers")
            .index(0)
            .child("image"),
        "",
    )];
    assert_eq!(
        status::kubectl_error(&status::invalid("", "Pod", "web", &one)),
        "The Pod \"web\" is invalid: spec.containers[0].image: Required value\n"
    );
    let printed = status::kubectl_error(&invalid_pod());
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 3, "{printed}");
    assert_eq!(lines[0], "The Pod \"MyPod\" is invalid: ");
    assert!(lines[1]
        .starts_with("* metadata.name: Invalid value: \"MyPod\": a lowercase RFC 1123 subdomain"));
    assert_eq!(lines[2], "* spec.containers[0].image: Required value");
    let no_reason = Status {
        code: 500,
        reason: String::new(),
        message: "boom".into(),
        details: None,
    };
    assert_eq!(
        status::kubectl_error(&no_reason),
        "Error from server: boom\n"
    );
}
