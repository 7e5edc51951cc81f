//! Service ClusterIP allocation (pkg/registry/core/service/ipallocator): a CIDR (10.96.0.0/12 by
//! default) without its network and broadcast addresses; requested IPs are taken as given,
//! others are drawn at random — first from the upper part of the range, keeping the lowest
//! addresses (min(max(16, size/16), 256) of them) for static assignment, as the real
//! `randomScanStrategyWithOffset` does. `10.96.0.1`, the first address, is what the
//! `kubernetes` Service gets at bootstrap.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sim::Rng;

/// `--service-cluster-ip-range` default of kubeadm-style clusters.
pub const DEFAULT_SERVICE_CIDR: &str = "10.96.0.0/12";
/// The `kubernetes` Service's ClusterIP: the first address of the range.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";

/// The allocator's errors (`ipallocator.ErrAllocated`, `ErrNotInRange`, `ErrFull`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IpAllocError {
    Allocated,
    NotInRange { ip: String, valid_range: String },
    Full,
}

impl fmt::Display for IpAllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpAllocError::Allocated => f.write_str("provided IP is already allocated"),
            IpAllocError::NotInRange { ip, valid_range } => write!(
                f,
                "the provided IP ({ip}) is not in the valid range. The range of valid IPs is {valid_range}"
            ),
            IpAllocError::Full => f.write_str("range is full"),
        }
    }
}

/// The allocation state of one service CIDR. Cheap to clone for small clusters (a set of the
/// allocated offsets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterIpAllocator {
    network: u32,
    prefix: u8,
    /// Offsets from the first usable address (network + 1).
    allocated: BTreeSet<u32>,
}

impl Default for ClusterIpAllocator {
    fn default() -> Self {
        Self::new(DEFAULT_SERVICE_CIDR).expect("the default CIDR parses")
    }
}

pub fn parse_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        if n > 255 {
            return None;
        }
        v = (v << 8) | n;
    }
    Some(v)
}

pub fn format_ipv4(v: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        v >> 24,
        (v >> 16) & 255,
        (v >> 8) & 255,
        v & 255
    )
}

impl ClusterIpAllocator {
    /// An empty allocator for an IPv4 CIDR with a prefix of /8 to /30.
    pub fn new(cidr: &str) -> Result<Self, String> {
        let (ip, prefix) = cidr
            .split_once('/')
            .ok_or_else(|| format!("invalid CIDR address: {cidr}"))?;
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| format!("invalid CIDR address: {cidr}"))?;
        let ip = parse_ipv4(ip).ok_or_else(|| format!("invalid CIDR address: {cidr}"))?;
        if !(8..=30).contains(&prefix) {
            return Err(format!("unsupported service CIDR prefix length: {cidr}"));
        }
        let mask = u32::MAX << (32 - prefix);
        Ok(ClusterIpAllocator {
            network: ip & mask,
            prefix,
            allocated: BTreeSet::new(),
        })
    }

    /// The range as written in errors (`10.96.0.0/12`).
    pub fn cidr(&self) -> String {
        format!("{}/{}", format_ipv4(self.network), self.prefix)
    }

    /// Usable addresses: the CIDR without network and broadcast address.
    pub fn size(&self) -> u32 {
        (1u32 << (32 - self.prefix)) - 2
    }

    /// `calculateRangeOffset`: min(max(16, cidrSize/16), 256), 0 for ranges of 16 or less.
    pub fn range_offset(&self) -> u32 {
        let cidr_size = 1u64 << (32 - self.prefix);
        if cidr_size <= 16 {
            return 0;
        }
        (cidr_size / 16).clamp(16, 256) as u32
    }

    fn offset_of(&self, ip: &str) -> Result<u32, IpAllocError> {
        let not_in_range = || IpAllocError::NotInRange {
            ip: if parse_ipv4(ip).is_some() {
                ip.to_string()
            } else {
                "<nil>".to_string()
            },
            valid_range: self.cidr(),
        };
        let v = parse_ipv4(ip).ok_or_else(not_in_range)?;
        let first = self.network + 1;
        if v < first || v - first >= self.size() {
            return Err(not_in_range());
        }
        Ok(v - first)
    }

    /// `Allocate(ip)`: reserve a requested address.
    pub fn allocate(&mut self, ip: &str) -> Result<(), IpAllocError> {
        let off = self.offset_of(ip)?;
        if !self.allocated.insert(off) {
            return Err(IpAllocError::Allocated);
        }
        Ok(())
    }

    /// `AllocateNext()`: a random free address, upper block first.
    pub fn allocate_next(&mut self, rng: &mut Rng) -> Result<String, IpAllocError> {
        let max = self.size();
        let offset = self.range_offset();
        let pick = scan_with_offset(&self.allocated, max, offset, rng).ok_or(IpAllocError::Full)?;
        self.allocated.insert(pick);
        Ok(format_ipv4(self.network + 1 + pick))
    }

    /// `Release(ip)`: free an address (no-op if it was free or is not in range).
    pub fn release(&mut self, ip: &str) {
        if let Ok(off) = self.offset_of(ip) {
            self.allocated.remove(&off);
        }
    }

    pub fn has(&self, ip: &str) -> bool {
        self.offset_of(ip)
            .is_ok_and(|off| self.allocated.contains(&off))
    }

    pub fn used(&self) -> usize {
        self.allocated.len()
    }

    /// The allocated addresses, in order.
    pub fn allocated(&self) -> Vec<String> {
        self.allocated
            .iter()
            .map(|o| format_ipv4(self.network + 1 + o))
            .collect()
    }
}

/// `randomScanStrategyWithOffset.AllocateBit`: a random start in `[offset, max)`, scanning
/// upwards with wrap-around; if that block is full, the same in `[0, offset)`.
pub(crate) fn scan_with_offset(
    allocated: &BTreeSet<u32>,
    max: u32,
    offset: u32,
    rng: &mut Rng,
) -> Option<u32> {
    if allocated.len() as u64 >= u64::from(max) {
        return None;
    }
    let scan = |lo: u32, hi: u32, rng: &mut Rng| -> Option<u32> {
        if hi <= lo {
            return None;
        }
        let n = hi - lo;
        let start = rng.below(u64::from(n)) as u32;
        // The first free index at or after lo+start, else the first free from lo.
        let first_free_from = |from: u32, to: u32| -> Option<u32> {
            let mut candidate = from;
            for &a in allocated.range(from..to) {
                if a != candidate {
                    return Some(candidate);
                }
                candidate += 1;
            }
            (candidate < to).then_some(candidate)
        };
        first_free_from(lo + start, hi).or_else(|| first_free_from(lo, lo + start))
    };
    scan(offset, max, rng).or_else(|| scan(0, offset.min(max), rng))
}
