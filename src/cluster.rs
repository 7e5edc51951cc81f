//! Builds a cluster on the kernel: which components run and where.

use crate::sim::Sim;

/// Starts every component of a fresh cluster.
pub fn bootstrap(_sim: &mut Sim) {}
