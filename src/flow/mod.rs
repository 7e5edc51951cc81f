//! The flow view's logic, pure and native-testable: the eleven steps of pod creation, and what
//! the page shows of a simulation at one point of its trace. The yew components in `ui/` only
//! render what these modules compute.

pub mod editor;
pub mod inspector;
pub mod journal;
pub mod layout;
pub mod narration;
pub mod steps;
pub mod timeline;
