//! Revisions: etcd's `mvcc/revision.go`. Every write transaction takes one main revision; each
//! change inside it takes the next sub revision, so `(main, sub)` orders every change ever made.

use serde::{Deserialize, Serialize};

/// A point in the store's history: `main` is the transaction's revision (what clients see as
/// `header.revision`, `mod_revision`, `create_revision`), `sub` the change's index inside it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Revision {
    pub main: i64,
    pub sub: i64,
}

impl Revision {
    pub const fn new(main: i64, sub: i64) -> Self {
        Revision { main, sub }
    }
}

impl std::fmt::Display for Revision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.main, self.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_order_by_main_then_sub() {
        assert!(Revision::new(2, 5) < Revision::new(3, 0));
        assert!(Revision::new(3, 0) < Revision::new(3, 1));
        assert_eq!(Revision::new(7, 1).to_string(), "7_1");
    }
}
