//! Builds a cluster on the kernel: which components run and where.

use crate::apiserver::server::{ApiServerConfig, KubeApiServer};
use crate::controller_manager::{self, KubeControllerManager};
use crate::etcd::{EtcdConfig, EtcdServer};
use crate::sim::Sim;

/// Starts every component of a fresh cluster.
pub fn bootstrap(sim: &mut Sim) {
    sim.add_actor(Box::new(EtcdServer::new(EtcdConfig::default())));
    let mut apiserver = KubeApiServer::new(ApiServerConfig::default());
    // kube-controller-manager: one token per controller service account (see
    // `controller_manager`'s module doc for how this models the real start-up).
    let tokens = controller_manager::service_account_tokens();
    for (sa, token) in &tokens {
        apiserver
            .authenticator_mut()
            .add_service_account_token(token, "kube-system", sa, "");
    }
    sim.add_actor(Box::new(apiserver));
    sim.add_actor(Box::new(KubeControllerManager::new(tokens)));
}
