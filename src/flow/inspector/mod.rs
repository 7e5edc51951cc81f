//! The workbench's inspectors, pure and native-tested: what the page shows of one component's
//! state at the learner's cursor (the components in `ui/` only render it).

pub mod etcd;
