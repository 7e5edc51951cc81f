//! kube-apiserver: the only component that talks to etcd; every request runs its handler chain
//! (authentication, authorization, decoding, mutating admission and defaulting, validation,
//! validating admission, storage, response and watch fan-out).

pub mod admission;
pub mod authn;
pub mod authz;
pub mod bootstrap;
pub mod chain;
pub mod componentstatus;
pub mod continue_token;
pub mod conversion;
pub mod decode;
pub mod defaulting;
pub mod delete;
pub mod errors;
pub mod fields;
pub mod fuzzing;
pub mod impersonation;
pub mod kubeadm;
pub mod labels;
pub mod openapi;
pub mod patch;
pub mod printers;
pub mod request;
pub mod request_info;
pub mod resources;
pub mod schema;
pub mod server;
pub mod serviceaccount;
pub mod status;
pub mod storage;
pub mod subresources;
pub mod validation;
pub mod watch;
