//! Builds a cluster on the kernel: which components run and where.

use crate::apiserver::server::{ApiServerConfig, KubeApiServer};
use crate::etcd::{EtcdConfig, EtcdServer};
use crate::sim::Sim;

/// Starts every component of a fresh cluster.
pub fn bootstrap(sim: &mut Sim) {
    sim.add_actor(Box::new(EtcdServer::new(EtcdConfig::default())));
    sim.add_actor(Box::new(KubeApiServer::new(ApiServerConfig::default())));
    // kube-scheduler: a client of the API server like every other component.
    sim.add_actor(Box::new(crate::scheduler::KubeScheduler::new()));
}
