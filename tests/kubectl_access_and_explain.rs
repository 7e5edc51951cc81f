//! kubectl's access commands and `explain` against a booted cluster: `auth whoami`,
//! `auth can-i --list`, `create token` (and the token in use), `get componentstatuses`, and
//! `explain` over the API server's OpenAPI v3 documents — what they print, exactly.

mod kubectl_support;
use kubectl_support::Console;

use base64::Engine;

fn claims_of(token: &str) -> serde_json::Value {
    let payload = token
        .trim()
        .split('.')
        .nth(1)
        .expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[test]
fn whoami_prints_the_user_the_api_server_sees() {
    let mut c = Console::new(11);
    assert_eq!(
        c.run("kubectl auth whoami"),
        "ATTRIBUTE   VALUE\n\
         Username    kubernetes-admin\n\
         Groups      [kubeadm:cluster-admins system:authenticated]\n"
    );
    assert_eq!(
        c.run("kubectl --context jane@kubernetes auth whoami"),
        "ATTRIBUTE   VALUE\n\
         Username    jane\n\
         UID         1001\n\
         Groups      [system:authenticated]\n"
    );
    // Impersonated, the request runs as the user it names.
    assert_eq!(
        c.run("kubectl auth whoami --as jane --as-group devs"),
        "ATTRIBUTE   VALUE\n\
         Username    jane\n\
         Groups      [devs system:authenticated]\n"
    );
    let yaml = c.run("kubectl auth whoami -o yaml");
    let lines: Vec<&str> = yaml.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "apiVersion: authentication.k8s.io/v1",
            "kind: SelfSubjectReview",
            "metadata:"
        ],
        "{yaml}"
    );
    assert!(
        lines[3].starts_with("  creationTimestamp: \"2026-01-01T00:"),
        "{yaml}"
    );
    assert_eq!(
        lines[4..],
        [
            "status:",
            "  userInfo:",
            "    groups:",
            "    - kubeadm:cluster-admins",
            "    - system:authenticated",
            "    username: kubernetes-admin"
        ]
    );
    assert_eq!(
        c.run("kubectl auth whoami -o jsonpath={.status.userInfo.username}"),
        "kubernetes-admin"
    );
    assert_eq!(
        c.run("kubectl auth whoami -o wide"),
        "error: unable to match a printer suitable for the output format \"wide\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"
    );
}

/// The non-resource rules every authenticated user has (system:discovery, system:basic-user's
/// and system:public-info-viewer's overlap: kubectl prints the duplicates).
fn everyone_can_get() -> String {
    [
        "/api/*",
        "/api",
        "/apis/*",
        "/apis",
        "/healthz",
        "/healthz",
        "/livez",
        "/livez",
        "/openapi/*",
        "/openapi",
        "/readyz",
        "/readyz",
        "/version/",
        "/version/",
        "/version",
        "/version",
    ]
    .iter()
    .map(|u| format!("{:48}{:20}[]               [get]\n", "", format!("[{u}]")))
    .collect()
}

#[test]
fn can_i_list_prints_the_rules_broken_down_compacted_and_sorted() {
    let mut c = Console::new(12);
    assert_eq!(
        c.run("kubectl auth can-i --list"),
        "Resources                                       Non-Resource URLs   Resource Names   Verbs\n\
         *.*                                             []                  []               [*]\n\
         \x20                                               [*]                 []               [*]\n\
         selfsubjectreviews.authentication.k8s.io        []                  []               [create]\n\
         selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]\n\
         selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]\n"
            .to_string()
            + &everyone_can_get()
    );
    assert_eq!(
        c.run("kubectl --context jane@kubernetes auth can-i --list"),
        "Resources                                       Non-Resource URLs   Resource Names   Verbs\n\
         configmaps                                      []                  []               [create delete get list patch update watch]\n\
         pods                                            []                  []               [create delete get list patch update watch]\n\
         services                                        []                  []               [create delete get list patch update watch]\n\
         deployments.apps                                []                  []               [create delete get list patch update watch]\n\
         replicasets.apps                                []                  []               [create delete get list patch update watch]\n\
         selfsubjectreviews.authentication.k8s.io        []                  []               [create]\n\
         selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]\n\
         selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]\n\
         pods/log                                        []                  []               [get list watch]\n"
            .to_string()
            + &everyone_can_get()
    );
    // In another namespace jane keeps only what every authenticated user has.
    let elsewhere =
        c.run("kubectl --context jane@kubernetes auth can-i --list -n kube-system --no-headers");
    assert!(
        elsewhere.starts_with("selfsubjectreviews.authentication.k8s.io        []"),
        "{elsewhere}"
    );
    assert_eq!(elsewhere.lines().count(), 3 + 16);
    // A kubelet: the Node authorizer cannot enumerate what it may do.
    let kubelet = c.run(
        "kubectl auth can-i --list --as system:node:worker-1 --as-group system:nodes -n kube-system",
    );
    assert!(
        kubelet.starts_with("Warning: the list may be incomplete: node authorizer does not support user rule resolution\nResources "),
        "{kubelet}"
    );
    assert!(kubelet.ends_with(
        "configmaps                                                      []                  [kubeadm-config]   [get]\n\
         configmaps                                                      []                  [kubelet-config]   [get]\n"
    ));
    // The flags --list refuses.
    assert_eq!(
        c.run("kubectl auth can-i --list pods"),
        "error: list option must be specified with no arguments\n"
    );
    assert_eq!(
        c.run("kubectl auth can-i --list -A"),
        "error: list option can't be specified with neither quiet, all-namespaces nor subresource options\n"
    );
    assert_eq!(
        c.run("kubectl auth can-i get pods --no-headers"),
        "error: --no-headers cannot be set without --list specified\n"
    );
}

#[test]
fn create_token_issues_a_token_that_authenticates_as_the_service_account() {
    let mut c = Console::new(13);
    let token = c.run("kubectl create token default");
    assert!(
        token.ends_with('\n') && token.lines().count() == 1,
        "{token}"
    );
    let token = token.trim().to_string();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert!(
        parts[2].starts_with("kubestep-simulated-signature-"),
        "{token}"
    );
    let claims = claims_of(&token);
    assert_eq!(claims["sub"], "system:serviceaccount:default:default");
    assert_eq!(
        claims["aud"],
        serde_json::json!(["https://kubernetes.default.svc.cluster.local"])
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    let sa_uid = claims["kubernetes.io"]["serviceaccount"]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    let jti = claims["jti"].as_str().unwrap().to_string();

    // The token in use: the service account, with the token's id in its extra.
    assert_eq!(
        c.run(&format!("kubectl --token {token} auth whoami")),
        format!(
            "ATTRIBUTE                                           VALUE\n\
             Username                                            system:serviceaccount:default:default\n\
             UID                                                 {sa_uid}\n\
             Groups                                              [system:serviceaccounts system:serviceaccounts:default system:authenticated]\n\
             Extra: authentication.kubernetes.io/credential-id   [JTI={jti}]\n"
        )
    );
    assert_eq!(
        c.run(&format!("kubectl --token {token} get pods")),
        "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"\n"
    );
    // A token for another audience does not authenticate to the API server.
    let vault = c.run("kubectl create token default --audience vault");
    assert_eq!(claims_of(&vault)["aud"], serde_json::json!(["vault"]));
    assert_eq!(
        c.run(&format!("kubectl --token {} get pods", vault.trim())),
        "error: You must be logged in to the server (Unauthorized)\n"
    );

    // -o prints the TokenRequest the server answered.
    let yaml = c.run("kubectl create token default --duration 20m -o yaml");
    assert!(yaml.starts_with("apiVersion: authentication.k8s.io/v1\nkind: TokenRequest\nmetadata:\n  creationTimestamp: "), "{yaml}");
    assert!(yaml.contains("  name: default\n  namespace: default\nspec:\n  audiences:\n  - https://kubernetes.default.svc.cluster.local\n  boundObjectRef: null\n  expirationSeconds: 1200\nstatus:\n  expirationTimestamp: "), "{yaml}");

    // What kubectl refuses itself, then what the server refuses.
    for (line, want) in [
        ("kubectl create token", "error: exactly one NAME is required, got 0\nSee 'kubectl create token -h' for help and examples\n"),
        ("kubectl create token default --duration=-1s", "error: --duration must be greater than or equal to 0\n"),
        ("kubectl create token default --duration=1500ms", "error: --duration cannot be expressed in units less than seconds\n"),
        ("kubectl create token default --duration=x", "error: invalid argument \"x\" for \"--duration\" flag: time: invalid duration \"x\"\nSee 'kubectl create token --help' for usage.\n"),
        ("kubectl create token default --audience=", "error: --audience must not be an empty string\n"),
        ("kubectl create token default --bound-object-name web", "error: --bound-object-name can only be set if --bound-object-kind is provided\n"),
        ("kubectl create token default --bound-object-kind ConfigMap --bound-object-name x", "error: supported --bound-object-kind values are Node, Pod, Secret\n"),
        ("kubectl create token default --bound-object-kind Pod", "error: --bound-object-name is required if --bound-object-kind is provided\n"),
        ("kubectl create token default -o wide", "error: unable to match a printer suitable for the output format \"wide\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"),
        ("kubectl create token builder", "error: failed to create token: serviceaccounts \"builder\" not found\n"),
        ("kubectl create token default --duration 1m", "error: failed to create token: TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes\n"),
        ("kubectl create token default --bound-object-kind Pod --bound-object-name web", "error: failed to create token: pods \"web\" not found\n"),
    ] {
        assert_eq!(c.run(line), want, "seed {}: {line}", c.seed);
    }
}

#[test]
fn a_pod_bound_token_names_the_pod_and_dies_with_it() {
    let mut c = Console::new(14);
    c.file(
        "web.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx\n",
    );
    assert_eq!(c.run("kubectl apply -f web.yaml"), "pod/web created\n");
    let token =
        c.run("kubectl create token default --bound-object-kind Pod --bound-object-name web");
    let token = token.trim().to_string();
    let claims = claims_of(&token);
    assert_eq!(claims["kubernetes.io"]["pod"]["name"], "web");
    let node = claims["kubernetes.io"]["node"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let me = c.run(&format!("kubectl --token {token} auth whoami"));
    // The column is as wide as the longest attribute (`Extra: .../credential-id`).
    let row = |k: &str, v: &str| {
        format!(
            "{:52}{v}\n",
            format!("Extra: authentication.kubernetes.io/{k}")
        )
    };
    assert!(
        me.contains(&row("node-name", &format!("[{node}]"))),
        "seed {}: {me}",
        c.seed
    );
    assert!(me.contains(&row("pod-name", "[web]")), "{me}");
    assert_eq!(c.run("kubectl delete pod web"), "pod \"web\" deleted\n");
    assert_eq!(
        c.run(&format!("kubectl --token {token} auth whoami")),
        "error: You must be logged in to the server (Unauthorized)\n"
    );
}

#[test]
fn componentstatuses_are_deprecated_probes_of_the_control_plane() {
    let mut c = Console::new(15);
    let out = c.run("kubectl get cs");
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Warning: v1 ComponentStatus is deprecated in v1.19+"
    );
    assert_eq!(lines[1], "NAME                 STATUS    MESSAGE   ERROR");
    // The rows come in the order the probes answered.
    lines[2..].sort();
    assert_eq!(
        lines[2..],
        [
            "controller-manager   Healthy   ok        ",
            "etcd-0               Healthy   ok        ",
            "scheduler            Healthy   ok        "
        ]
    );
    assert_eq!(
        c.run("kubectl get cs nope"),
        "Warning: v1 ComponentStatus is deprecated in v1.19+\nError from server: Component not found: nope\n"
    );
    // A stopped scheduler does not answer its probe: after 20 seconds it is Unhealthy.
    c.sim.stop_actor(&kubestep::sim::Addr::Scheduler);
    assert_eq!(
        c.run("kubectl get componentstatus scheduler"),
        "Warning: v1 ComponentStatus is deprecated in v1.19+\n\
         NAME        STATUS      MESSAGE                                                                                                             ERROR\n\
         scheduler   Unhealthy   Get \"https://127.0.0.1:10259/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)   \n"
    );
}

#[test]
fn explain_prints_the_schema_as_kubectl_1_33_renders_it() {
    let mut c = Console::new(16);
    let described = cfg!(feature = "explain-descriptions");
    let note = if described {
        String::new()
    } else {
        kubestep::kubectl::cmd::explain::NO_DESCRIPTIONS_NOTE.to_string()
    };
    let ports = c.run("kubectl explain svc.spec.ports --recursive");
    let description = if described {
        "    The list of ports that are exposed by this service. More info:\n    https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies\n    ServicePort contains information on service's port.\n    \n"
    } else {
        "    <empty>\n"
    };
    assert_eq!(
        ports,
        format!(
            "KIND:       Service\nVERSION:    v1\n\nFIELD: ports <[]ServicePort>\n\n\nDESCRIPTION:\n{description}FIELDS:\n  appProtocol\t<string>\n  name\t<string>\n  nodePort\t<integer>\n  port\t<integer> -required-\n  protocol\t<string>\n  targetPort\t<IntOrString>\n\n{note}"
        )
    );
    if described {
        assert_eq!(
            c.run("kubectl explain cs"),
            "KIND:       ComponentStatus\nVERSION:    v1\n\nDESCRIPTION:\n    ComponentStatus (and ComponentStatusList) holds the cluster validation info.\n    Deprecated: This API is deprecated in v1.19+\n    \nFIELDS:\n  apiVersion\t<string>\n    APIVersion defines the versioned schema of this representation of an object.\n    Servers should convert recognized schemas to the latest internal value, and\n    may reject unrecognized values. More info:\n    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources\n\n  conditions\t<[]ComponentCondition>\n    List of component conditions observed\n\n  kind\t<string>\n    Kind is a string value representing the REST resource this object\n    represents. Servers may infer this from the endpoint the client submits\n    requests to. Cannot be updated. In CamelCase. More info:\n    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds\n\n  metadata\t<ObjectMeta>\n    Standard object's metadata. More info:\n    https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata\n\n\n"
        );
        // A group's kind, a field reached through a list, and a map of quantities.
        assert!(c
            .run("kubectl explain deployments.apps.spec.template.spec.containers.ports.containerPort")
            .starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: containerPort <integer>\n\n\nDESCRIPTION:\n    Number of port to expose on the pod's IP address. This must be a valid port\n    number, 0 < x < 65536.\n"));
        assert_eq!(
            c.run("kubectl explain pods.spec.overhead"),
            "KIND:       Pod\nVERSION:    v1\n\nFIELD: overhead <map[string]Quantity>\n\n\nDESCRIPTION:\n    Overhead represents the resource overhead associated with running a pod for\n    a given RuntimeClass. This field will be autopopulated at admission time by\n    the RuntimeClass admission controller. If the RuntimeClass admission\n    controller is enabled, overhead must not be set in Pod create requests. The\n    RuntimeClass admission controller will reject Pod create requests which have\n    the overhead already set. If RuntimeClass is configured and selected in the\n    PodSpec, Overhead will be set to the value defined in the corresponding\n    RuntimeClass, otherwise it will remain unset and treated as zero. More info:\n    https://git.k8s.io/enhancements/keps/sig-node/688-pod-overhead/README.md\n    \n\n"
        );
    } else {
        assert!(c.run("kubectl explain cs").ends_with(&note));
    }
    // What it asks: the OpenAPI v3 paths, then the group version's document by its hash.
    let logged = c.run("kubectl explain pods -v=6");
    let requests: Vec<&str> = logged
        .lines()
        .filter(|l| l.contains("\"Response\""))
        .collect();
    assert_eq!(requests.len(), 2, "{logged}");
    assert!(requests[0]
        .contains("url=\"https://172.18.0.2:6443/openapi/v3?timeout=32s\" status=\"200 OK\""));
    assert!(requests[1].contains("url=\"https://172.18.0.2:6443/openapi/v3/api/v1?hash="));
}

#[test]
fn explain_errors_read_as_the_real_ones() {
    let mut c = Console::new(17);
    for (line, want) in [
        ("kubectl explain podz", "the server doesn't have a resource type \"podz\"\n"),
        ("kubectl explain pods.spec.foo", "KIND:       Pod\nVERSION:    v1\n\nerror: field \"foo\" does not exist\n"),
        // The error names the last word of the path, whichever was missing.
        ("kubectl explain pods.spec.containers.foo.bar", "KIND:       Pod\nVERSION:    v1\n\nerror: field \"bar\" does not exist\n"),
        ("kubectl explain deploy.apps.spec", "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nerror: field \"spec\" does not exist\n"),
        ("kubectl explain pods --api-version=apps/v1", "error: GVR (apps/v1, Resource=pods) not found in OpenAPI schema\n"),
        ("kubectl explain pods --api-version=v2", "error: couldn't find resource for \"/v2, Resource=pods\"\n"),
        ("kubectl explain pods --api-version=a/b/c", "error: unexpected GroupVersion string: a/b/c\n"),
        ("kubectl explain pods --output=foo", "error: unrecognized format: foo\n"),
        ("kubectl explain pods --output=plaintext-openapiv2", "Error from server (NotFound): the server could not find the requested resource\n"),
        ("kubectl explain .spec", "error: invalid jsonpath syntax, first node must be field node\n"),
        ("kubectl explain", "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n"),
        ("kubectl explain pods x", "error: We accept only this format: explain RESOURCE\n"),
        ("kubectl explain pods -o yaml", "error: unknown shorthand flag: 'o' in -o\nSee 'kubectl explain --help' for usage.\n"),
    ] {
        assert_eq!(c.run(line), want, "seed {}: {line}", c.seed);
    }
}
