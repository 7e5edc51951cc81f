//! The EndpointSlice controller: a Service's slice follows its pods' IPs and readiness.

mod controller_support;

use controller_support::*;
use kubestep::apiserver::request::HttpRequest;
use serde_json::{json, Value};

fn slices(h: &mut Harness) -> Vec<Value> {
    h.items("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb")
}

fn set_pod(h: &mut Harness, name: &str, ip: &str, ready: bool) {
    let now = h.sim.now().rfc3339();
    let (s, b) = h.call(
        HttpRequest::new("PATCH", &format!("/api/v1/namespaces/default/pods/{name}/status"))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"status": {"podIP": ip, "podIPs": [{"ip": ip}], "conditions": [
                {"type": "Ready", "status": if ready { "True" } else { "False" }, "lastTransitionTime": now}
            ]}}).to_string()),
    );
    assert_eq!(s, 200, "{b}");
}

#[test]
fn endpointslices_follow_ready_pods() {
    let seed = 31;
    let mut h = Harness::new(seed);
    h.create(
        "/api/v1/namespaces/default/services",
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}),
    );
    let s = slices(&mut h);
    assert_eq!(s.len(), 1, "seed {seed}");
    assert!(s[0]["endpoints"].is_null(), "seed {seed}: {}", s[0]);
    let slice_name = s[0]["metadata"]["name"].as_str().unwrap().to_string();
    assert!(
        slice_name.starts_with("web-") && slice_name.len() == 9,
        "{slice_name}"
    );
    assert_eq!(
        s[0]["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert_eq!(s[0]["metadata"]["ownerReferences"][0]["kind"], "Service");

    h.create(
        "/apis/apps/v1/namespaces/default/deployments",
        deployment("web", 2, "nginx"),
    );
    h.run_pods("default", "controlplane");
    let pods = names(&h.pods("default"));
    set_pod(&mut h, &pods[0], "10.244.0.10", true);
    set_pod(&mut h, &pods[1], "10.244.0.11", false);
    let s = slices(&mut h);
    assert_eq!(s.len(), 1, "seed {seed}");
    let eps = s[0]["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 2, "seed {seed}: {}", s[0]);
    let by_ip = |ip: &str| {
        eps.iter()
            .find(|e| e["addresses"][0] == ip)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_ip("10.244.0.10")["conditions"],
        json!({"ready": true, "serving": true, "terminating": false})
    );
    assert_eq!(by_ip("10.244.0.11")["conditions"]["ready"], false);
    assert_eq!(by_ip("10.244.0.10")["targetRef"]["name"], pods[0].as_str());
    assert_eq!(by_ip("10.244.0.10")["nodeName"], "controlplane");
    assert_eq!(
        s[0]["ports"],
        json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
    );

    // The Endpoints object says the same in the older API.
    let (status, ep) = h.get("/api/v1/namespaces/default/endpoints/web");
    assert_eq!(status, 200, "seed {seed}");
    assert_eq!(
        ep["subsets"][0]["addresses"][0]["ip"], "10.244.0.10",
        "seed {seed}: {ep}"
    );
    assert_eq!(
        ep["subsets"][0]["notReadyAddresses"][0]["ip"],
        "10.244.0.11"
    );
    assert_eq!(
        ep["subsets"][0]["ports"],
        json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
    );

    set_pod(&mut h, &pods[1], "10.244.0.11", true);
    let s = slices(&mut h);
    let ready: Vec<bool> = s[0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["conditions"]["ready"].as_bool().unwrap())
        .collect();
    assert_eq!(ready, [true, true], "seed {seed}");
}
