//! kubectl's `polymorphichelpers`: what a command does differently per kind of workload —
//! rollout status, history, rollback, restart, pause and resume, where a kind keeps its pod
//! spec (`set image`), and how an object is exposed as a Service (selector, ports,
//! protocols).

pub mod expose;
pub mod history;
pub mod objectpauser;
pub mod objectrestarter;
pub mod objectresumer;
pub mod rollback;
pub mod rollout_status;
pub mod template;
pub mod updatepodspec;
