//! kubectl's output printers as pure functions over the JSON objects the API server sends,
//! each a port of the Go code kubectl 1.33 runs, checked against the real binary
//! (tests/kubectl_printers_differential.rs):
//!
//! - `-o yaml`: [`yaml::to_yaml`] (one object), [`yaml::to_yaml_documents`] (`---` between);
//! - `-o json`: [`json::to_json`];
//! - `-o name` and `<kind>.<group>/<name> created`: [`name::to_name`], [`name::name_line`];
//! - `-o jsonpath=`: [`jsonpath::print`], or [`jsonpath::JsonPath`] for `jsonpath-as-json`
//!   and `--allow-missing-template-keys=false`;
//! - `-o custom-columns=`: [`custom_columns::CustomColumns`];
//! - tables: [`tabwriter::TabWriter::kubectl`] (keeps column widths across flushes, as
//!   `get -w` needs), ages: [`duration::human_duration`].
//!
//! Objects are taken as kubectl holds them (unstructured content): map keys come out in Go's
//! orders whatever order they have, and a number is an int64 when the server's text of it is
//! an integer (`1e6` prints as `1000000`), a float64 otherwise. Errors `Display` kubectl's
//! text, which it prints after `error: `.

pub mod custom_columns;
pub use crate::apimachinery::duration;
pub mod json;
pub mod jsonpath;
pub mod name;
pub mod tabwriter;
pub mod yaml;
