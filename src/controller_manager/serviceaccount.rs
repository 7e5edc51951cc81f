//! The ServiceAccounts controller (`pkg/controller/serviceaccount`): every active namespace
//! has a `default` ServiceAccount; one that is missing (a new namespace, or deleted by hand)
//! is created.

use serde_json::json;

use super::controller_utils::*;
use super::{Actions, Informers, Write, WriteTag};
use crate::apiserver::request::HttpResponse;
use crate::client::reflector::Delta;
use crate::client::workqueue::WorkQueue;
use crate::sim::SimTime;

pub const NAME: &str = "serviceaccount";
pub const SERVICE_ACCOUNT: &str = "service-account-controller";
/// `--service-account-names` (kube-controller-manager's default).
pub const MANAGED_NAMES: [&str; 1] = ["default"];

#[derive(Clone, Debug, Default)]
pub struct ServiceAccountsController {
    pub queue: WorkQueue,
}

impl ServiceAccountsController {
    pub fn on_namespace(&mut self, delta: &Delta) {
        if !matches!(delta, Delta::Deleted(_)) {
            self.queue.add(name(delta.object()));
        }
    }

    /// A deleted `default` ServiceAccount is recreated.
    pub fn on_service_account(&mut self, delta: &Delta) {
        if let Delta::Deleted(sa) = delta {
            if MANAGED_NAMES.contains(&name(sa)) {
                self.queue.add(namespace(sa));
            }
        }
    }

    pub fn process(&mut self, informers: &Informers, _now: SimTime, actions: &mut Actions) {
        while let Some(ns) = self.queue.get() {
            self.sync(&ns, informers, actions);
            self.queue.done(&ns);
        }
    }

    /// `syncNamespace`: only an Active namespace gets its accounts.
    fn sync(&mut self, ns: &str, informers: &Informers, actions: &mut Actions) {
        let Some(namespace_obj) = informers.namespaces.get(ns) else {
            return;
        };
        if str_at(namespace_obj, "/status/phase") != "Active" {
            return;
        }
        for sa in MANAGED_NAMES {
            if informers
                .serviceaccounts
                .get(&format!("{ns}/{sa}"))
                .is_some()
            {
                continue;
            }
            actions.writes.push(
                Write::new(
                    SERVICE_ACCOUNT,
                    "POST",
                    format!("/api/v1/namespaces/{ns}/serviceaccounts"),
                    WriteTag::ServiceAccounts {
                        namespace: ns.to_string(),
                    },
                )
                .body(json!({
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": sa, "namespace": ns},
                })),
            );
        }
    }

    pub fn on_response(
        &mut self,
        tag: &WriteTag,
        response: &HttpResponse,
        now: SimTime,
    ) -> Actions {
        if let WriteTag::ServiceAccounts { namespace } = tag {
            // AlreadyExists means the informer is behind: nothing to do.
            if !(200..300).contains(&response.status) && response.status != 409 {
                self.queue.add_rate_limited(namespace, now);
            }
        }
        Actions::default()
    }
}
