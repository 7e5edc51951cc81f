//! kube-apiserver: the only component that talks to etcd; every request runs its handler chain
//! (authentication, authorization, decoding, mutating admission and defaulting, validation,
//! validating admission, storage, response and watch fan-out).

pub mod authn;
pub mod authz;
pub mod decode;
pub mod defaulting;
pub mod patch;
pub mod schema;
pub mod status;
pub mod validation;
