//! Leases: etcd's `lease/lessor.go`. A lease is granted with a TTL, kept alive by clients, and
//! when it expires (or is revoked) every key attached to it is deleted.
//!
//! Time is the simulation clock: the lessor stores each lease's expiry as a [`SimTime`] and the
//! etcd server actor sets one timer for the earliest expiry (never a periodic tick).

use std::collections::{BTreeMap, BTreeSet};

use crate::etcd::api::EtcdError;
use crate::etcd::mvcc::Bytes;
use crate::sim::{SimDuration, SimTime};

/// etcd's `MaxLeaseTTL`: the largest TTL a lease may be granted with (about 285 years).
pub const MAX_LEASE_TTL: i64 = 9_000_000_000;

/// The smallest TTL etcd grants, from its raft timing (`lessor.minLeaseTTL`): a lease must
/// outlive a leader election, so `minTTL = ceil(3/2 * electionTicks * heartbeat)`. With etcd's
/// defaults (`--heartbeat-interval=100`, `--election-timeout=1000`) that is 1.5 s, rounded up to
/// 2 s: `etcdctl lease grant 1` on etcd 3.4.23 answers `granted with TTL(2s)`.
pub fn min_lease_ttl(heartbeat_ms: u64, election_timeout_ms: u64) -> i64 {
    let election_ticks = election_timeout_ms / heartbeat_ms.max(1);
    let min_ms = (3 * election_ticks) / 2 * heartbeat_ms;
    min_ms.div_ceil(1000) as i64
}

/// One lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub id: i64,
    /// The granted TTL in seconds (what keep-alive answers and renews to).
    pub ttl: i64,
    /// When the lease runs out unless kept alive.
    pub expiry: SimTime,
    /// The keys attached to the lease, sorted.
    pub keys: BTreeSet<Bytes>,
}

impl Lease {
    /// Remaining seconds at `now`, truncated like etcd's `int64(l.Remaining().Seconds())`.
    pub fn remaining_secs(&self, now: SimTime) -> i64 {
        (self.expiry.as_millis().saturating_sub(now.as_millis()) / 1000) as i64
    }
}

/// Every live lease.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lessor {
    leases: BTreeMap<i64, Lease>,
    min_ttl: i64,
}

impl Lessor {
    pub fn new(min_ttl: i64) -> Self {
        Lessor {
            leases: BTreeMap::new(),
            min_ttl,
        }
    }

    pub fn min_ttl(&self) -> i64 {
        self.min_ttl
    }

    /// Grants lease `id` (non-zero, chosen by the caller) with `ttl` seconds, raised to the
    /// minimum TTL.
    pub fn grant(&mut self, id: i64, ttl: i64, now: SimTime) -> Result<&Lease, EtcdError> {
        assert!(id != 0, "lease id 0 means no lease");
        if ttl > MAX_LEASE_TTL {
            return Err(EtcdError::LeaseTtlTooLarge);
        }
        if self.leases.contains_key(&id) {
            return Err(EtcdError::LeaseExist);
        }
        let ttl = ttl.max(self.min_ttl);
        let lease = Lease {
            id,
            ttl,
            expiry: expiry_after(now, ttl),
            keys: BTreeSet::new(),
        };
        Ok(self.leases.entry(id).or_insert(lease))
    }

    /// Renews lease `id` to its full TTL (keep-alive); returns that TTL. A lease past its
    /// expiry cannot be renewed even if its revocation has not run yet (etcd's `Renew`).
    pub fn renew(&mut self, id: i64, now: SimTime) -> Result<i64, EtcdError> {
        let lease = self
            .leases
            .get_mut(&id)
            .filter(|l| l.expiry > now)
            .ok_or(EtcdError::LeaseNotFound)?;
        lease.expiry = expiry_after(now, lease.ttl);
        Ok(lease.ttl)
    }

    pub fn lookup(&self, id: i64) -> Option<&Lease> {
        self.leases.get(&id)
    }

    pub fn contains(&self, id: i64) -> bool {
        self.leases.contains_key(&id)
    }

    pub fn attach(&mut self, id: i64, key: &Bytes) {
        let lease = self
            .leases
            .get_mut(&id)
            .unwrap_or_else(|| panic!("attach to lease {id:x} that does not exist"));
        lease.keys.insert(key.clone());
    }

    pub fn detach(&mut self, id: i64, key: &[u8]) {
        // The lease may already be gone: revoke removes it before deleting its keys.
        if let Some(lease) = self.leases.get_mut(&id) {
            lease.keys.remove(key);
        }
    }

    /// Forgets lease `id` (its keys are deleted by the store).
    pub fn remove(&mut self, id: i64) -> Option<Lease> {
        self.leases.remove(&id)
    }

    /// Leases whose expiry is at or before `now`, by expiry then id.
    pub fn expired(&self, now: SimTime) -> Vec<i64> {
        let mut ids: Vec<(SimTime, i64)> = self
            .leases
            .values()
            .filter(|l| l.expiry <= now)
            .map(|l| (l.expiry, l.id))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// The earliest expiry of any lease.
    pub fn next_expiry(&self) -> Option<SimTime> {
        self.leases.values().map(|l| l.expiry).min()
    }

    /// Every lease, by expiry then id (etcd's `Leases()` sorts by expiry).
    pub fn leases(&self) -> Vec<&Lease> {
        let mut ls: Vec<&Lease> = self.leases.values().collect();
        ls.sort_by_key(|l| (l.expiry, l.id));
        ls
    }

    pub fn len(&self) -> usize {
        self.leases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.leases.is_empty()
    }

    /// Restores a lease from a snapshot: etcd refreshes every lease when a member starts, so
    /// the lease gets its full TTL from `now`.
    pub fn restore(&mut self, id: i64, ttl: i64, now: SimTime) {
        self.leases.insert(
            id,
            Lease {
                id,
                ttl,
                expiry: expiry_after(now, ttl),
                keys: BTreeSet::new(),
            },
        );
    }
}

fn expiry_after(now: SimTime, ttl: i64) -> SimTime {
    now.saturating_add(SimDuration::from_millis(
        (ttl.max(0) as u64).saturating_mul(1000),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_raft_timing_gives_a_two_second_minimum() {
        assert_eq!(min_lease_ttl(100, 1000), 2);
        assert_eq!(min_lease_ttl(100, 2000), 3);
    }

    #[test]
    fn grant_raises_small_ttls_and_refuses_huge_ones() {
        let mut l = Lessor::new(2);
        assert_eq!(l.grant(1, 1, SimTime(0)).unwrap().ttl, 2);
        assert_eq!(l.grant(1, 10, SimTime(0)), Err(EtcdError::LeaseExist));
        assert_eq!(
            l.grant(2, MAX_LEASE_TTL + 1, SimTime(0)),
            Err(EtcdError::LeaseTtlTooLarge)
        );
        assert_eq!(
            l.grant(3, MAX_LEASE_TTL, SimTime(0)).unwrap().ttl,
            MAX_LEASE_TTL
        );
    }

    #[test]
    fn remaining_truncates_and_renew_restarts_the_ttl() {
        let mut l = Lessor::new(2);
        l.grant(7, 10, SimTime(0)).unwrap();
        assert_eq!(l.lookup(7).unwrap().remaining_secs(SimTime(2)), 9);
        assert_eq!(l.expired(SimTime(9_999)), Vec::<i64>::new());
        assert_eq!(l.expired(SimTime(10_000)), vec![7]);
        assert_eq!(l.renew(7, SimTime(5_000)), Ok(10));
        assert_eq!(l.next_expiry(), Some(SimTime(15_000)));
        assert_eq!(l.renew(8, SimTime(0)), Err(EtcdError::LeaseNotFound));
        assert_eq!(
            l.renew(7, SimTime(15_000)),
            Err(EtcdError::LeaseNotFound),
            "expired, even if not revoked yet"
        );
    }
}
