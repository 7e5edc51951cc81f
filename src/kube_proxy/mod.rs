//! kube-proxy in iptables mode on one node: watches Services and EndpointSlices through the API
//! server (as the `kube-proxy` service account kubeadm's DaemonSet uses, bound to
//! `system:node-proxier`) and renders the nat table it would program (`pkg/proxy/iptables`),
//! as `iptables-save -t nat` prints it, for the node view.

pub mod iptables;

use std::any::Any;

use crate::client::reflector::{Reflector, ReflectorCall};
use crate::client::{ApiClient, Credentials};
use crate::sim::{Actor, Addr, Ctx, Envelope, Message};

/// The token of the `kube-system/kube-proxy` service account (kubeadm mounts it into the
/// kube-proxy pods); registered with the API server's authenticator by `cluster::bootstrap`.
pub const KUBE_PROXY_TOKEN: &str = "kube-proxy-sa-token-7c9f2d41b8e3a605";
pub const KUBE_PROXY_SA_UID: &str = "5b0e3c1a-7d2f-4e8b-9a6c-1f0d2e3c4b5a";
pub const USER_AGENT: &str = "kube-proxy/v1.33.1 (linux/amd64) kubernetes/8adc0f0";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    ServiceList,
    ServiceWatch,
    SliceList,
    SliceWatch,
}

/// kube-proxy at [`Addr::KubeProxy`].
#[derive(Clone)]
pub struct KubeProxy {
    node: String,
    client: ApiClient<Call>,
    services: Reflector,
    slices: Reflector,
    /// How many times the rules were synced.
    pub syncs: u64,
}

impl KubeProxy {
    pub fn new(node: &str) -> KubeProxy {
        KubeProxy {
            node: node.to_string(),
            client: ApiClient::new(Credentials::Token(KUBE_PROXY_TOKEN.into()), USER_AGENT),
            // kube-proxy skips headless Services and those another proxy implements.
            services: Reflector::new(
                "/api/v1/services",
                "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name",
                "",
            ),
            slices: Reflector::new(
                "/apis/discovery.k8s.io/v1/endpointslices",
                "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name",
                "",
            ),
            syncs: 0,
        }
    }

    /// The nat table as `iptables-save -t nat` shows it on this node.
    pub fn iptables_save(&self) -> String {
        iptables::render(
            self.services.list_cached().map(|v| v.as_ref()),
            self.slices.list_cached().map(|v| v.as_ref()),
            crate::cluster::CLUSTER_CIDR,
        )
    }

    pub fn synced(&self) -> bool {
        self.services.synced && self.slices.synced
    }
}

impl Actor for KubeProxy {
    fn addr(&self) -> Addr {
        Addr::KubeProxy(self.node.clone())
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.services.list(&mut self.client, ctx, Call::ServiceList);
        self.slices.list(&mut self.client, ctx, Call::SliceList);
    }

    fn handle(&mut self, env: &Envelope, ctx: &mut Ctx<'_>) {
        match &env.message {
            Message::HttpResponse { id, response } => {
                for (r, list, watch) in [
                    (&mut self.services, Call::ServiceList, Call::ServiceWatch),
                    (&mut self.slices, Call::SliceList, Call::SliceWatch),
                ] {
                    match r.owns(*id) {
                        Some(ReflectorCall::List) => {
                            self.client.complete(*id);
                            if !r
                                .on_list(response, &mut self.client, ctx, watch, list)
                                .is_empty()
                            {
                                self.syncs += 1;
                            }
                            return;
                        }
                        Some(ReflectorCall::Watch) => {
                            r.on_watch_response(response, &mut self.client, ctx, list);
                            return;
                        }
                        None => {}
                    }
                }
                self.client.complete(*id);
            }
            Message::WatchEvent { id, event } => {
                for (r, list) in [
                    (&mut self.services, Call::ServiceList),
                    (&mut self.slices, Call::SliceList),
                ] {
                    if r.owns(*id).is_some() {
                        if r.on_event(event, &mut self.client, ctx, list).is_some() {
                            self.syncs += 1;
                        }
                        return;
                    }
                }
            }
            _ => {}
        }
    }

    fn box_clone(&self) -> Box<dyn Actor> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
