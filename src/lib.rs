//! kubestep: a simulated but faithful Kubernetes control plane, one request at a time.
//!
//! See ARCHITECTURE.md for the map. The simulation modules (`sim`, `etcd`, `cluster`) are pure
//! and deterministic and compile for x86_64 and wasm32; `ui` is the yew app (wasm32 only) and
//! `cli` the headless binary's commands (native only).

pub mod apimachinery;
pub mod apiserver;
pub mod client;
pub mod cluster;
pub mod console;
pub mod controller_manager;
pub mod etcd;
pub mod etcdctl;
pub mod flow;
pub mod golang;
pub mod kube_proxy;
pub mod kubectl;
pub mod kubelet;
pub mod scheduler;
pub mod sim;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use sim::{Sim, SimConfig};
