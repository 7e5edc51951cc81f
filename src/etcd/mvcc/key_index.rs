//! A key's history: etcd's `mvcc/key_index.go`.
//!
//! A key lives through generations. A generation starts when the key is created (its
//! `create_revision`), gains a revision with every put (its `version` counts them), and ends
//! with a tombstone when the key is deleted; the next put starts a new generation with version 1
//! and a new create revision. An empty last generation means the key does not exist now.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::revision::Revision;

/// One life of a key, from its creation to its tombstone (if deleted).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generation {
    /// Number of puts in this generation so far (plus the tombstone, once deleted).
    pub ver: i64,
    /// The revision that created the key in this generation.
    pub created: Revision,
    /// Every revision of the key in this generation, ascending; the last one is the tombstone
    /// when the generation has ended.
    pub revs: Vec<Revision>,
}

impl Generation {
    pub fn is_empty(&self) -> bool {
        self.revs.is_empty()
    }
}

/// What the index knows about a key at a revision (the rest lives in the revision log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub modified: Revision,
    pub created: Revision,
    pub version: i64,
}

/// All generations of one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyIndex {
    /// The latest revision of the key (put or tombstone).
    pub modified: Revision,
    pub generations: Vec<Generation>,
}

impl Default for KeyIndex {
    fn default() -> Self {
        KeyIndex::new()
    }
}

impl KeyIndex {
    pub fn new() -> Self {
        KeyIndex {
            modified: Revision::default(),
            generations: vec![Generation::default()],
        }
    }

    /// Records a put at `rev`.
    pub fn put(&mut self, rev: Revision) {
        assert!(
            rev > self.modified,
            "key index: put at {rev} is not after the last revision {}",
            self.modified
        );
        let g = self
            .generations
            .last_mut()
            .expect("a key index has a generation");
        if g.revs.is_empty() {
            g.created = rev;
        }
        g.revs.push(rev);
        g.ver += 1;
        self.modified = rev;
    }

    /// Records a delete at `rev`: the tombstone ends the current generation.
    pub fn tombstone(&mut self, rev: Revision) {
        assert!(
            !self.is_deleted(),
            "key index: tombstone on a key that does not exist"
        );
        self.put(rev);
        self.generations.push(Generation::default());
    }

    /// Whether the key does not exist at the latest revision.
    pub fn is_deleted(&self) -> bool {
        self.generations.last().is_none_or(Generation::is_empty)
    }

    /// The key's entry as of `at_rev`, or `None` if it did not exist then.
    pub fn get(&self, at_rev: i64) -> Option<IndexEntry> {
        let g = self.find_generation(at_rev)?;
        // The newest revision at or below at_rev; find_generation guarantees one exists.
        let n = g.revs.partition_point(|r| r.main <= at_rev);
        debug_assert!(n > 0);
        let idx = n - 1;
        Some(IndexEntry {
            modified: g.revs[idx],
            created: g.created,
            version: g.ver - (g.revs.len() - idx - 1) as i64,
        })
    }

    /// The generation holding the key at `rev`, or `None` when the key was absent then (before
    /// its creation, or between a tombstone and the next creation).
    fn find_generation(&self, rev: i64) -> Option<&Generation> {
        let last = self.generations.len() - 1;
        for (i, g) in self.generations.iter().enumerate().rev() {
            if g.revs.is_empty() {
                continue;
            }
            if i != last {
                let tomb = g.revs[g.revs.len() - 1].main;
                if tomb <= rev {
                    return None;
                }
            }
            if g.revs[0].main <= rev {
                return Some(g);
            }
        }
        None
    }

    /// Compacts the key's history at `at_rev` (etcd's `keyIndex.compact`): revisions that no
    /// read at or after `at_rev` can see are dropped. The revisions still needed in the revision
    /// log are added to `available`. After this the index may be empty (the key was deleted at
    /// or before `at_rev`): the caller then removes it.
    pub fn compact(&mut self, at_rev: i64, available: &mut BTreeSet<Revision>) {
        assert!(!self.is_empty(), "key index: compacting an empty index");
        let (mut gen_idx, rev_index) = self.do_compact(at_rev, available);
        let last = self.generations.len() - 1;
        let g = &mut self.generations[gen_idx];
        if !g.is_empty() {
            if let Some(ri) = rev_index {
                g.revs.drain(..ri);
            }
            // A generation left with only its tombstone is gone for good.
            if g.revs.len() == 1 && gen_idx != last {
                available.remove(&g.revs[0]);
                gen_idx += 1;
            }
        }
        self.generations.drain(..gen_idx);
    }

    /// Like [`KeyIndex::compact`] without changing the index: which revisions a compaction at
    /// `at_rev` would keep (etcd's `keyIndex.keep`, used by the hash of a compacted store).
    pub fn keep(&self, at_rev: i64, available: &mut BTreeSet<Revision>) {
        if self.is_empty() {
            return;
        }
        let mut scratch = self.clone();
        scratch.compact(at_rev, available);
    }

    /// Finds the first generation that holds `at_rev` or was created after it, and the index of
    /// its newest revision at or below `at_rev` (which is marked available).
    fn do_compact(
        &self,
        at_rev: i64,
        available: &mut BTreeSet<Revision>,
    ) -> (usize, Option<usize>) {
        let mut gen_idx = 0;
        while gen_idx < self.generations.len() - 1 {
            let g = &self.generations[gen_idx];
            let tomb = g.revs[g.revs.len() - 1].main;
            if tomb > at_rev {
                break;
            }
            gen_idx += 1;
        }
        let g = &self.generations[gen_idx];
        let n = g.revs.partition_point(|r| r.main <= at_rev);
        if n == 0 {
            return (gen_idx, None);
        }
        available.insert(g.revs[n - 1]);
        (gen_idx, Some(n - 1))
    }

    /// An index with no revision at all (only possible after compaction removed a deleted key).
    pub fn is_empty(&self) -> bool {
        self.generations.len() == 1 && self.generations[0].is_empty()
    }

    /// Every revision of the key with main revision `>= rev`, ascending (etcd's `since`, without
    /// its per-main-revision dedup: a txn never touches one key twice).
    pub fn since(&self, rev: i64) -> Vec<Revision> {
        self.generations
            .iter()
            .flat_map(|g| g.revs.iter().copied())
            .filter(|r| r.main >= rev)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(main: i64) -> Revision {
        Revision::new(main, 0)
    }

    /// The key index of etcd's key_index_test: puts at 2, 4, tombstone 6; puts 8, 10,
    /// tombstone 12; puts 14, 14.1, 16.
    fn sample() -> KeyIndex {
        let mut ki = KeyIndex::new();
        ki.put(r(2));
        ki.put(r(4));
        ki.tombstone(r(6));
        ki.put(r(8));
        ki.put(r(10));
        ki.tombstone(r(12));
        ki.put(r(14));
        ki.put(Revision::new(14, 1));
        ki.put(r(16));
        ki
    }

    #[test]
    fn get_sees_the_generation_alive_at_a_revision() {
        let ki = sample();
        assert_eq!(ki.get(1), None);
        let e = ki.get(5).unwrap();
        assert_eq!((e.modified, e.created, e.version), (r(4), r(2), 2));
        assert_eq!(ki.get(6), None, "deleted at 6");
        assert_eq!(ki.get(7), None);
        let e = ki.get(11).unwrap();
        assert_eq!((e.modified, e.created, e.version), (r(10), r(8), 2));
        let e = ki.get(14).unwrap();
        assert_eq!(
            (e.modified, e.created, e.version),
            (Revision::new(14, 1), r(14), 2)
        );
        let e = ki.get(100).unwrap();
        assert_eq!(e.version, 3);
    }

    #[test]
    fn compaction_keeps_what_reads_at_or_after_it_need() {
        let mut ki = sample();
        let mut avail = BTreeSet::new();
        ki.compact(5, &mut avail);
        assert_eq!(avail, BTreeSet::from([r(4)]));
        assert_eq!(ki.get(5).unwrap().modified, r(4));
        let mut avail = BTreeSet::new();
        ki.compact(6, &mut avail);
        assert!(
            avail.is_empty(),
            "a generation reduced to its tombstone goes"
        );
        assert_eq!(ki.generations.len(), 2);
        let mut avail = BTreeSet::new();
        ki.compact(12, &mut avail);
        assert!(avail.is_empty());
        assert_eq!(ki.generations.len(), 1);
        let mut avail = BTreeSet::new();
        ki.compact(100, &mut avail);
        assert_eq!(avail, BTreeSet::from([r(16)]));
        assert_eq!(ki.generations[0].revs, vec![r(16)]);
    }

    #[test]
    fn a_deleted_key_disappears_when_compacted_past_its_tombstone() {
        let mut ki = KeyIndex::new();
        ki.put(r(2));
        ki.tombstone(r(3));
        let mut avail = BTreeSet::new();
        ki.compact(3, &mut avail);
        assert!(ki.is_empty());
        assert!(avail.is_empty());
    }
}
