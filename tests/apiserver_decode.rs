//! kube-apiserver's decoding of request bodies: Go's type errors, `fieldValidation`
//! (Strict/Warn/Ignore) with sigs.k8s.io/json's unknown and duplicate field errors, YAML
//! bodies, the 3 MiB limit, and the texts of the Status the handler answers.

use kubestep::apiserver::decode::{
    decode, ContentType, DecodeError, Decoded, FieldValidation, Gvk, MAX_REQUEST_BODY_BYTES,
};
use serde_json::json;

fn pods() -> Gvk {
    Gvk::new("", "v1", "Pod")
}

fn decode_json(body: &str, validation: FieldValidation) -> Result<Decoded, DecodeError> {
    decode(body.as_bytes(), ContentType::Json, &pods(), validation)
}

fn strict_error(body: &str) -> String {
    decode_json(body, FieldValidation::Strict)
        .unwrap_err()
        .message()
}

/// Type errors, exactly as kubectl v1.33.1's local decoder printed them for these bodies (it
/// runs the same apimachinery serializer and sigs.k8s.io/json decoder as kube-apiserver).
#[test]
fn type_errors_match_the_go_decoder() {
    let table: &[(&str, &str)] = &[
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":"nginx"}}"#,
            r#"json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}]}]}}"#,
            r#"json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","ports":[{"containerPort":80.5}]}]}}"#,
            r#"json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"1x"}}}]}}"#,
            r#"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"1Gb"}}}]}}"#,
            r#"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","resources":{"limits":{"memory":true}}}]}}"#,
            r#"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80,"targetPort":1.5}]}}"#,
            r#"json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80,"targetPort":{}}]}}"#,
            r#"json: cannot unmarshal object into Go struct field ServicePort.spec.ports.targetPort of type int32"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"yesterday"}}"#,
            r#"parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006""#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":5}}"#,
            r#"json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Secret","data":{"a":"hello"}}"#,
            r#"illegal base64 data at input byte 4"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":1}}}"#,
            r#"json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":"x"}"#,
            r#"json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec"#,
        ),
        (
            r#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"3"}}"#,
            r#"json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"#,
        ),
        (
            r#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":3000000000}}"#,
            r#"json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":5}"#,
            r#"couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string"#,
        ),
        (
            r#"{"apiVersion":"a/b/c","kind":"Pod"}"#,
            r#"unexpected GroupVersion string: a/b/c"#,
        ),
        (
            r#"[1]"#,
            r#"couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","env":[{"name":"A","value":true}]}]}}"#,
            r#"json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","command":"sh"}]}}"#,
            r#"json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","command":[1]}]}}"#,
            r#"json: cannot unmarshal number into Go struct field Container.spec.containers.command of type string"#,
        ),
        (
            r#"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","spec":{"renewTime":"2024-01-02T03:04:05Z"}}"#,
            r#"parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000""#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}],"resources":{"limits":{"cpu":"x"}}}]}}"#,
            r#"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"restartPolicy":1,"containers":"x"}}"#,
            r#"json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","livenessProbe":{"httpGet":{"port":true}}}]}}"#,
            r#"json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"ConfigMap","binaryData":{"a":"@@"}}"#,
            r#"illegal base64 data at input byte 0"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","spec":{"nodeSelector":[]}}"#,
            r#"json: cannot unmarshal array into Go struct field PodSpec.spec.nodeSelector of type map[string]string"#,
        ),
        (
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"2024-01-02T03:04:05"}}"#,
            r#"parsing time "2024-01-02T03:04:05" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#,
        ),
    ];
    for (body, expected) in table {
        for validation in [
            FieldValidation::Ignore,
            FieldValidation::Warn,
            FieldValidation::Strict,
        ] {
            let err = decode_json(body, validation).unwrap_err();
            assert_eq!(err.message(), *expected, "{body}");
            assert_eq!(err.code(), 400);
        }
    }
}

#[test]
fn strict_decoding_reports_unknown_fields_with_their_paths() {
    let body = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
        "spec":{"containers":[{"name":"c","image":"nginx","imagePullPolcy":"Always"}]}}"#;
    assert_eq!(
        strict_error(body),
        r#"strict decoding error: unknown field "spec.containers[0].imagePullPolcy""#
    );
    let body = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labelz":{}},"spek":{"x":{"y":1}},
        "spec":{"containers":[{"name":"a"},{"name":"b","ports":[{"containerPort":80,"hostport":1}]}]}}"#;
    assert_eq!(
        strict_error(body),
        r#"strict decoding error: unknown field "metadata.labelz", unknown field "spek", unknown field "spec.containers[1].ports[0].hostport""#,
        "errors in document order, nothing reported inside an unknown field"
    );
    // Field names are case-sensitive.
    assert_eq!(
        strict_error(r#"{"apiVersion":"v1","kind":"Pod","Spec":{}}"#),
        r#"strict decoding error: unknown field "Spec""#
    );
}

#[test]
fn strict_decoding_reports_duplicate_fields_and_map_keys() {
    let body = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b","labels":{"app":"x","app":"y"}}}"#;
    assert_eq!(
        strict_error(body),
        r#"strict decoding error: duplicate field "metadata.name", duplicate field "metadata.labels.app""#
    );
    // A top-level duplicate has no parent path; the same error is reported once.
    let body = r#"{"apiVersion":"v1","kind":"Pod","spec":{},"spec":{},"spec":{}}"#;
    assert_eq!(
        strict_error(body),
        r#"strict decoding error: duplicate field "spec""#
    );
}

#[test]
fn a_type_error_wins_over_strict_errors() {
    let body = r#"{"apiVersion":"v1","kind":"Pod","bogus":1,"spec":{"containers":"x"}}"#;
    assert_eq!(
        strict_error(body),
        "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"
    );
}

#[test]
fn at_most_one_hundred_strict_errors_are_kept() {
    let fields: Vec<String> = (0..150).map(|i| format!(r#""f{i}":1"#)).collect();
    let body = format!(r#"{{"apiVersion":"v1","kind":"Pod",{}}}"#, fields.join(","));
    let msg = strict_error(&body);
    assert_eq!(msg.matches("unknown field").count(), 100);
    assert!(msg.ends_with(r#"unknown field "f99""#), "{msg}");
}

#[test]
fn warn_turns_strict_errors_into_warnings_and_ignore_drops_them() {
    let body = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","name":"q"},"spec":{"containers":[{"name":"c","imagePullPolcy":"x"}]}}"#;
    let d = decode_json(body, FieldValidation::Warn).unwrap();
    assert_eq!(
        d.warnings,
        [
            r#"duplicate field "metadata.name""#,
            r#"unknown field "spec.containers[0].imagePullPolcy""#
        ]
    );
    assert_eq!(
        d.object,
        json!({"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"},"spec":{"containers":[{"name":"c"}]}})
    );
    let d = decode_json(body, FieldValidation::Ignore).unwrap();
    assert!(d.warnings.is_empty());
    assert_eq!(d.object["spec"]["containers"][0], json!({"name":"c"}));
}

#[test]
fn repeated_struct_fields_merge_like_go() {
    let body = r#"{"metadata":{"name":"a"},"metadata":{"labels":{"x":"1"}}}"#;
    let d = decode_json(body, FieldValidation::Ignore).unwrap();
    assert_eq!(d.object["metadata"], json!({"name":"a","labels":{"x":"1"}}));
}

#[test]
fn kind_and_version_default_from_the_url() {
    let d = decode_json(r#"{"metadata":{"name":"p"}}"#, FieldValidation::Strict).unwrap();
    assert_eq!(d.gvk, pods());
    assert_eq!(
        d.object,
        json!({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})
    );
    let deploy = Gvk::new("apps", "v1", "Deployment");
    let d = decode(
        br#"{"kind":"Deployment","spec":{"replicas":2}}"#,
        ContentType::Json,
        &deploy,
        FieldValidation::Strict,
    )
    .unwrap();
    assert_eq!(d.gvk, deploy);
    assert_eq!(d.object["apiVersion"], "apps/v1");
    // `null` is the zero object.
    assert_eq!(
        decode_json("null", FieldValidation::Strict).unwrap().object,
        json!({"apiVersion":"v1","kind":"Pod"})
    );
}

#[test]
fn status_messages_are_transform_decode_errors_texts() {
    let body = r#"{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"c","imagePullPolcy":"x"}]}}"#;
    let err = decode_json(body, FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Pod", body.as_bytes()),
        r#"Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolcy""#
    );
    let deploy = Gvk::new("apps", "v1", "Deployment");
    let body = br#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"3"}}"#;
    let err = decode(body, ContentType::Json, &deploy, FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Deployment", body),
        r#"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"#
    );
    let body = br#"{"apiVersion":"v1","kind":"Pod",}"#;
    let err = decode(body, ContentType::Json, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Pod", body),
        r#"the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string ({"apiVersion":"v1","kind":"Pod ...)"#
    );
    let body = b"kind: Pod\napiVersion: v1\n";
    let err = decode(body, ContentType::Json, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Pod", body),
        "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: invalid character 'k' looking for beginning of value (6b696e643a20506f640a61706956657273696f6e3a2076310a)"
    );
    let err = decode(b"", ContentType::Json, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Pod", b""),
        "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)"
    );
}

#[test]
fn unserved_kinds_are_not_registered() {
    let body = r#"{"apiVersion":"v1","kind":"Widget"}"#;
    let err = decode_json(body, FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Pod", body.as_bytes()),
        r#"Widget in version "v1" cannot be handled as a Pod: no kind "Widget" is registered for version "v1" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:29""#
    );
}

#[test]
fn bodies_over_three_mebibytes_are_too_large() {
    let body = vec![b' '; MAX_REQUEST_BODY_BYTES + 1];
    let err = decode(&body, ContentType::Json, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(err.code(), 413);
    assert_eq!(
        err.status_message("Pod", &body),
        "Request entity too large: limit is 3145728"
    );
}

#[test]
fn yaml_bodies_convert_with_yaml_1_1_scalars() {
    let body = b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: c\n    env:\n    - name: A\n      value: yes\n";
    let err = decode(body, ContentType::Yaml, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.message(),
        "json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string"
    );
    let body = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: a: b\n";
    let err = decode(body, ContentType::Yaml, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.status_message("Pod", body),
        "the object provided is unrecognized (must be of type Pod): yaml: line 5: mapping values are not allowed in this context (61706956657273696f6e3a2076310a6b696e643a20506f640a6d65746164 ...)"
    );
}

#[test]
fn yaml_duplicate_keys_are_strict_errors_before_json_ones() {
    let body = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  name: q\n  bogus: 1\n";
    let err = decode(body, ContentType::Yaml, &pods(), FieldValidation::Strict).unwrap_err();
    assert_eq!(
        err.message(),
        "strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map, unknown field \"metadata.bogus\""
    );
    let d = decode(body, ContentType::Yaml, &pods(), FieldValidation::Warn).unwrap();
    assert_eq!(
        d.warnings,
        [
            "line 5: key \"name\" already set in map",
            "unknown field \"metadata.bogus\""
        ]
    );
    assert_eq!(d.object["metadata"]["name"], "q", "the later key wins");
    let d = decode(body, ContentType::Yaml, &pods(), FieldValidation::Ignore).unwrap();
    assert!(d.warnings.is_empty());
}

#[test]
fn an_absent_field_validation_directive_means_warn() {
    assert_eq!(
        FieldValidation::from_query(None),
        Some(FieldValidation::Warn)
    );
    assert_eq!(
        FieldValidation::from_query(Some("")),
        Some(FieldValidation::Warn)
    );
    assert_eq!(
        FieldValidation::from_query(Some("Strict")),
        Some(FieldValidation::Strict)
    );
    assert_eq!(
        FieldValidation::from_query(Some("Ignore")),
        Some(FieldValidation::Ignore)
    );
    assert_eq!(FieldValidation::from_query(Some("strict")), None);
}

/// Values with their own Go types are stored as Go re-encodes them (checked against kubectl
/// v1.33.1's decoder): canonical quantities, times in UTC.
#[test]
fn quantities_and_times_are_stored_in_canonical_form() {
    let body = r#"{"metadata":{"name":"p","creationTimestamp":"2024-01-01T01:00:00+02:00"},
        "spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":0.5,"memory":"1024Mi"},"requests":{"cpu":"1500m"}}}]}}"#;
    let d = decode_json(body, FieldValidation::Strict).unwrap();
    assert_eq!(
        d.object["metadata"]["creationTimestamp"],
        "2023-12-31T23:00:00Z"
    );
    let resources = &d.object["spec"]["containers"][0]["resources"];
    assert_eq!(resources["limits"], json!({"cpu": "500m", "memory": "1Gi"}));
    assert_eq!(resources["requests"], json!({"cpu": "1500m"}));
}

#[test]
fn null_int_or_string_is_zero_only_where_go_holds_a_value() {
    let svc = Gvk::new("", "v1", "Service");
    let body = br#"{"spec":{"ports":[{"port":80,"targetPort":null}]}}"#;
    let d = decode(body, ContentType::Json, &svc, FieldValidation::Strict).unwrap();
    assert_eq!(d.object["spec"]["ports"][0]["targetPort"], 0);
    let deploy = Gvk::new("apps", "v1", "Deployment");
    let body = br#"{"spec":{"strategy":{"rollingUpdate":{"maxSurge":null,"maxUnavailable":1}}}}"#;
    let d = decode(body, ContentType::Json, &deploy, FieldValidation::Strict).unwrap();
    assert_eq!(
        d.object["spec"]["strategy"]["rollingUpdate"],
        json!({"maxUnavailable": 1})
    );
}

/// The bodies and expected texts of kube-apiserver's own integration test
/// (test/integration/apiserver/field_validation_test.go, post-strict-validation[-yaml]).
#[test]
fn field_validation_integration_test_texts() {
    let deploy = Gvk::new("apps", "v1", "Deployment");
    let json_body = r#"
	{
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {
			"name": "dupename",
			"name": "test-deployment",
			"labels": {"app": "nginx"},
			"unknownMeta": "metaVal"
		},
		"spec": {
			"unknown1": "val1",
			"unknownDupe": "valDupe",
			"unknownDupe": "valDupe2",
			"paused": true,
			"paused": false,
			"selector": {
				"matchLabels": {
					"app": "nginx"
				}
			},
			"template": {
				"metadata": {
					"labels": {
						"app": "nginx"
					}
				},
				"spec": {
					"containers": [{
						"name":  "nginx",
						"image": "nginx:latest",
						"unknownNested": "val1",
						"imagePullPolicy": "Always",
						"imagePullPolicy": "Never"
					}]
				}
			}
		}
	}
		"#;
    let err = decode(
        json_body.as_bytes(),
        ContentType::Json,
        &deploy,
        FieldValidation::Strict,
    )
    .unwrap_err();
    assert_eq!(
        err.message(),
        r#"strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy""#
    );
    let d = decode(
        json_body.as_bytes(),
        ContentType::Json,
        &deploy,
        FieldValidation::Warn,
    )
    .unwrap();
    assert_eq!(d.warnings.len(), 7);
    assert_eq!(d.object["spec"]["paused"], false);

    let yaml_body = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: test-deployment
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never";
    let err = decode(
        yaml_body.as_bytes(),
        ContentType::Yaml,
        &deploy,
        FieldValidation::Strict,
    )
    .unwrap_err();
    assert_eq!(
        err.message(),
        "strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map\n  line 12: key \"unknownDupe\" already set in map\n  line 14: key \"paused\" already set in map\n  line 28: key \"imagePullPolicy\" already set in map, unknown field \"metadata.unknownMeta\", unknown field \"spec.template.spec.containers[0].unknownNested\", unknown field \"spec.unknown1\", unknown field \"spec.unknownDupe\""
    );
    let d = decode(
        yaml_body.as_bytes(),
        ContentType::Yaml,
        &deploy,
        FieldValidation::Warn,
    )
    .unwrap();
    assert_eq!(
        d.warnings,
        [
            "line 5: key \"name\" already set in map",
            "line 12: key \"unknownDupe\" already set in map",
            "line 14: key \"paused\" already set in map",
            "line 28: key \"imagePullPolicy\" already set in map",
            "unknown field \"metadata.unknownMeta\"",
            "unknown field \"spec.template.spec.containers[0].unknownNested\"",
            "unknown field \"spec.unknown1\"",
            "unknown field \"spec.unknownDupe\"",
        ]
    );
}
