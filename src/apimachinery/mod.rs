//! Pieces of `k8s.io/apimachinery` that servers and clients share (the API server's printers
//! and kubectl use the same duration formatting, as both link the same Go package).

pub mod duration;
