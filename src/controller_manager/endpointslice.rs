//! The EndpointSlice controller (`pkg/controller/endpointslice`): for every Service with a
//! selector, slices named `<service>-<5 random chars>` listing the matching pods' IPs with
//! their ready/serving/terminating conditions, node, zone and a reference to the pod.

use serde_json::{json, Value};

use super::controller_utils::*;
use super::{Actions, Informers, Write, WriteTag};
use crate::apiserver::labels::Selector;
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::SimTime;

pub const NAME: &str = "endpointslice";
pub const SERVICE_ACCOUNT: &str = "endpointslice-controller";
pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
pub const LABEL_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";

#[derive(Clone, Debug, Default)]
pub struct EndpointSliceController {
    pub queue: WorkQueue,
}

pub fn service_selector(svc: &Value) -> Option<Selector> {
    let sel = svc.pointer("/spec/selector")?.as_object()?;
    if sel.is_empty() {
        return None;
    }
    let text: Vec<String> = sel
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    Selector::parse(&text.join(",")).ok()
}

impl EndpointSliceController {
    pub fn on_service(&mut self, delta: &Delta) {
        self.queue.add(&crate::client::object_key(delta.object()));
    }

    /// A pod changed: every Service in its namespace that selects it (now or before) syncs.
    pub fn on_pod(&mut self, delta: &Delta, informers: &Informers) {
        let pod = delta.object();
        let old = match delta {
            Delta::Updated { old, .. } => Some(old.clone()),
            _ => None,
        };
        for svc in in_namespace(&informers.services.cache, namespace(pod)) {
            if let Some(sel) = service_selector(svc) {
                if sel.matches_object(pod) || old.as_ref().is_some_and(|o| sel.matches_object(o)) {
                    self.queue.add(&crate::client::object_key(svc));
                }
            }
        }
    }

    pub fn on_slice(&mut self, delta: &Delta) {
        let s = delta.object();
        if str_at(
            s,
            "/metadata/labels/endpointslice.kubernetes.io~1managed-by",
        ) == CONTROLLER_NAME
        {
            let svc = str_at(s, "/metadata/labels/kubernetes.io~1service-name");
            self.queue.add(&format!("{}/{svc}", namespace(s)));
        }
    }

    pub fn process(&mut self, informers: &Informers, _now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.queue.get() {
            self.sync(&key, informers, actions);
            self.queue.done(&key);
        }
    }

    /// `syncService` / `reconcile`: one slice holding every endpoint (the real controller
    /// splits at 100 endpoints per slice).
    fn sync(&mut self, key: &str, informers: &Informers, actions: &mut Actions) {
        let (ns, svc_name) = key.split_once('/').unwrap_or(("", key));
        let slices: Vec<&std::sync::Arc<Value>> = in_namespace(&informers.endpointslices.cache, ns)
            .filter(|s| {
                str_at(s, "/metadata/labels/kubernetes.io~1service-name") == svc_name
                    && str_at(
                        s,
                        "/metadata/labels/endpointslice.kubernetes.io~1managed-by",
                    ) == CONTROLLER_NAME
            })
            .collect();
        let base = format!("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices");
        let tag = WriteTag::EndpointSlice {
            service: key.to_string(),
        };
        let svc = informers.services.get(key).cloned();
        let Some(selector) = svc.as_ref().and_then(|s| service_selector(s)) else {
            // No service (or no selector): its slices go (the garbage collector would also
            // remove them, through their owner reference).
            return;
        };
        let svc = svc.expect("selector came from the service");
        let mut endpoints = Vec::new();
        let mut ports = Vec::new();
        for pod in in_namespace(&informers.pods.cache, ns) {
            let ip = str_at(pod, "/status/podIP");
            let phase = str_at(pod, "/status/phase");
            if ip.is_empty()
                || phase == "Succeeded"
                || phase == "Failed"
                || !selector.matches_object(pod)
            {
                continue;
            }
            if ports.is_empty() {
                ports = slice_ports(&svc, pod);
            }
            let terminating = is_deleting(pod);
            let serving = pod_ready(pod).0;
            let mut ep = json!({
                "addresses": [ip],
                "conditions": {"ready": serving && !terminating, "serving": serving, "terminating": terminating},
                "targetRef": {"kind": "Pod", "namespace": ns, "name": name(pod), "uid": uid(pod)},
            });
            let node = str_at(pod, "/spec/nodeName");
            if !node.is_empty() {
                ep["nodeName"] = json!(node);
                if let Some(zone) = informers
                    .nodes
                    .get(node)
                    .and_then(|n| n.pointer("/metadata/labels/topology.kubernetes.io~1zone"))
                {
                    ep["zone"] = zone.clone();
                }
            }
            endpoints.push(ep);
        }
        if ports.is_empty() {
            ports = slice_ports(&svc, &Value::Null);
        }
        let desired_endpoints = if endpoints.is_empty() {
            Value::Null
        } else {
            json!(endpoints)
        };
        match slices.first() {
            None => {
                let mut slice = json!({
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "generateName": format!("{svc_name}-"),
                        "namespace": ns,
                        "labels": {LABEL_SERVICE_NAME: svc_name, LABEL_MANAGED_BY: CONTROLLER_NAME},
                        "ownerReferences": [new_controller_ref(&svc, "v1", "Service")],
                    },
                    "addressType": "IPv4",
                    "endpoints": desired_endpoints,
                    "ports": ports,
                });
                if slice["endpoints"].is_null() {
                    slice["endpoints"] = Value::Null;
                }
                actions
                    .writes
                    .push(Write::new(SERVICE_ACCOUNT, "POST", base, tag).body(slice));
            }
            Some(first) => {
                let current_endpoints = first.get("endpoints").cloned().unwrap_or(Value::Null);
                let current_ports = first.get("ports").cloned().unwrap_or(Value::Null);
                if current_endpoints != desired_endpoints || current_ports != json!(ports) {
                    let mut updated = (***first).clone();
                    updated["endpoints"] = desired_endpoints;
                    updated["ports"] = json!(ports);
                    actions.writes.push(
                        Write::new(
                            SERVICE_ACCOUNT,
                            "PUT",
                            format!("{base}/{}", name(first)),
                            tag.clone(),
                        )
                        .body(updated),
                    );
                }
                for extra in &slices[1..] {
                    actions.writes.push(Write::new(
                        SERVICE_ACCOUNT,
                        "DELETE",
                        format!("{base}/{}", name(extra)),
                        tag.clone(),
                    ));
                }
            }
        }
    }

    pub fn on_response(
        &mut self,
        tag: &WriteTag,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        if let WriteTag::EndpointSlice { service } = tag {
            // In a terminating namespace creates keep failing: the item is dropped.
            if !(200..300).contains(&response.status)
                && response.status != 404
                && !has_status_cause(response, "NamespaceTerminating")
            {
                self.queue.add_rate_limited(service, now);
            }
        }
        Actions::default()
    }
}

/// The slice's ports: each service port with its target port resolved against the pod
/// (a named targetPort is looked up among the pod's container ports).
pub fn slice_ports(svc: &Value, pod: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for p in svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let port = match &p["targetPort"] {
            Value::Number(n) => n.as_i64(),
            Value::String(name) => pod
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
                .find(|cp| cp["name"] == name.as_str())
                .and_then(|cp| cp["containerPort"].as_i64()),
            _ => p["port"].as_i64(),
        };
        let Some(port) = port else { continue };
        out.push(json!({
            "name": p.get("name").and_then(Value::as_str).unwrap_or(""),
            "port": port,
            "protocol": p.get("protocol").and_then(Value::as_str).unwrap_or("TCP"),
        }));
    }
    out
}
