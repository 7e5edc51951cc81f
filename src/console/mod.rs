//! The console engine shared by the page and the native binary: a small shell that runs
//! `kubectl`, `etcdctl` and `sim` lines against the simulation.

pub mod shell;
