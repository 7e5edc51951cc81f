//! Builds a cluster on the kernel: which components run and where.

use crate::etcd::{EtcdConfig, EtcdServer};
use crate::etcdctl::Etcdctl;
use crate::sim::Sim;

/// Starts every component of a fresh cluster.
pub fn bootstrap(sim: &mut Sim) {
    sim.add_actor(Box::new(EtcdServer::new(EtcdConfig::default())));
    sim.add_actor(Box::new(Etcdctl::new()));
}
