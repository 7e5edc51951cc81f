//! The yew app.
pub fn start() {}
