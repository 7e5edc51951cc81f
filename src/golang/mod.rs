//! Ports of the Go library behaviour whose exact output kubestep reproduces, shared by the API
//! server and the clients so that each Go function has one Rust counterpart: `strconv`'s float
//! formatting and number parsing, `unicode`'s character classes, `fmt`'s `%v`/`%q` forms,
//! `encoding/json`'s marshalling, `sort.Sort`'s order of ties, go-yaml's scalar resolution and cobra's command suggestions.

pub mod cobra;
pub mod fmt;
pub mod json;
pub mod sort;
pub mod strconv;
pub mod unicode;
pub mod yaml_resolve;
