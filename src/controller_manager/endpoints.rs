//! The Endpoints controller (`pkg/controller/endpoint`): for every Service with a selector, an
//! Endpoints object of the same name whose subset lists ready pods under `addresses` and the
//! others under `notReadyAddresses` (terminating pods are left out).

use serde_json::{json, Map, Value};

use super::controller_utils::*;
use super::endpointslice::service_selector;
use super::{Actions, Informers, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::SimTime;

pub const NAME: &str = "endpoints";
pub const SERVICE_ACCOUNT: &str = "endpoint-controller";

#[derive(Clone, Debug, Default)]
pub struct EndpointsController {
    pub queue: WorkQueue,
}

impl EndpointsController {
    pub fn on_service(&mut self, delta: &Delta) {
        self.queue.add(&crate::client::object_key(delta.object()));
    }

    /// An Endpoints object changed or went away: its service's view is restored.
    pub fn on_endpoints(&mut self, delta: &Delta) {
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

    pub fn process(&mut self, informers: &Informers, _now: SimTime, actions: &mut Actions) {
        while let Some(key) = self.queue.get() {
            self.sync(&key, informers, actions);
            self.queue.done(&key);
        }
    }

    /// `syncService`.
    fn sync(&mut self, key: &str, informers: &Informers, actions: &mut Actions) {
        let (ns, svc_name) = key.split_once('/').unwrap_or(("", key));
        let Some(svc) = informers.services.get(key).cloned() else {
            return;
        };
        let Some(selector) = service_selector(&svc) else {
            return;
        };
        let publish_not_ready = svc
            .pointer("/spec/publishNotReadyAddresses")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut ready = Vec::new();
        let mut not_ready = Vec::new();
        let mut ports = Vec::new();
        for pod in in_namespace(&informers.pods.cache, ns) {
            let ip = str_at(pod, "/status/podIP");
            let phase = str_at(pod, "/status/phase");
            if ip.is_empty()
                || phase == "Succeeded"
                || phase == "Failed"
                || (is_deleting(pod) && !publish_not_ready)
                || !selector.matches_object(pod)
            {
                continue;
            }
            if ports.is_empty() {
                ports = super::endpointslice::slice_ports(&svc, pod);
            }
            let mut addr = json!({
                "ip": ip,
                "targetRef": {"kind": "Pod", "namespace": ns, "name": name(pod), "uid": uid(pod)},
            });
            let node = str_at(pod, "/spec/nodeName");
            if !node.is_empty() {
                addr["nodeName"] = json!(node);
            }
            if pod_ready(pod).0 || publish_not_ready {
                ready.push(addr);
            } else {
                not_ready.push(addr);
            }
        }
        let mut subsets = Vec::new();
        if !ready.is_empty() || !not_ready.is_empty() {
            let mut subset = Map::new();
            if !ready.is_empty() {
                subset.insert("addresses".into(), json!(ready));
            }
            if !not_ready.is_empty() {
                subset.insert("notReadyAddresses".into(), json!(not_ready));
            }
            subset.insert("ports".into(), json!(ports));
            subsets.push(Value::Object(subset));
        }
        let path = format!("/api/v1/namespaces/{ns}/endpoints");
        let tag = WriteTag::Endpoints {
            service: key.to_string(),
        };
        match informers.endpoints.get(key) {
            None => {
                let mut ep = json!({
                    "apiVersion": "v1",
                    "kind": "Endpoints",
                    "metadata": {"name": svc_name, "namespace": ns},
                });
                if let Some(labels) = svc.pointer("/metadata/labels") {
                    ep["metadata"]["labels"] = labels.clone();
                }
                if !subsets.is_empty() {
                    ep["subsets"] = json!(subsets);
                }
                actions
                    .writes
                    .push(Write::new(SERVICE_ACCOUNT, "POST", path, tag).body(ep));
            }
            Some(current) => {
                let have = current.get("subsets").cloned().unwrap_or_else(|| json!([]));
                if have != json!(subsets) {
                    let mut updated = (**current).clone();
                    if subsets.is_empty() {
                        if let Some(m) = updated.as_object_mut() {
                            m.remove("subsets");
                        }
                    } else {
                        updated["subsets"] = json!(subsets);
                    }
                    actions.writes.push(
                        Write::new(SERVICE_ACCOUNT, "PUT", format!("{path}/{svc_name}"), tag)
                            .body(updated),
                    );
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
        if let WriteTag::Endpoints { service } = tag {
            // In a terminating namespace creates keep failing: the item is dropped.
            if !(200..300).contains(&response.status)
                && !has_status_cause(response, "NamespaceTerminating")
            {
                self.queue.add_rate_limited(service, now);
            }
        }
        Actions::default()
    }
}
