//! Service NodePort allocation (pkg/registry/core/service/portallocator): the
//! `--service-node-port-range` (30000-32767 by default); requested ports are taken as given,
//! others drawn at random from the upper part of the range first, keeping the lowest
//! min(max(16, size/32), 128) ports for static assignment.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ipallocator::scan_with_offset;
use crate::sim::Rng;

/// The allocator's errors (`portallocator.ErrAllocated`, `ErrNotInRange`, `ErrFull`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortAllocError {
    Allocated,
    NotInRange { valid_ports: String },
    Full,
}

impl fmt::Display for PortAllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortAllocError::Allocated => f.write_str("provided port is already allocated"),
            PortAllocError::NotInRange { valid_ports } => write!(
                f,
                "provided port is not in the valid range. The range of valid ports is {valid_ports}"
            ),
            PortAllocError::Full => f.write_str("range is full"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePortAllocator {
    base: u32,
    size: u32,
    allocated: BTreeSet<u32>,
}

impl Default for NodePortAllocator {
    fn default() -> Self {
        Self::new(30000, 32767)
    }
}

impl NodePortAllocator {
    /// An empty allocator for the ports `first..=last`.
    pub fn new(first: u16, last: u16) -> Self {
        assert!(first <= last, "empty node port range {first}-{last}");
        NodePortAllocator {
            base: u32::from(first),
            size: u32::from(last) - u32::from(first) + 1,
            allocated: BTreeSet::new(),
        }
    }

    /// `net.PortRange.String()`: `30000-32767`.
    pub fn range(&self) -> String {
        format!("{}-{}", self.base, self.base + self.size - 1)
    }

    /// `calculateRangeOffset`: min(max(16, size/32), 128), 0 for 16 ports or less.
    pub fn range_offset(&self) -> u32 {
        if self.size <= 16 {
            return 0;
        }
        (self.size / 32).clamp(16, 128)
    }

    fn offset_of(&self, port: i64) -> Result<u32, PortAllocError> {
        let base = i64::from(self.base);
        if port < base || port >= base + i64::from(self.size) {
            return Err(PortAllocError::NotInRange {
                valid_ports: self.range(),
            });
        }
        Ok((port - base) as u32)
    }

    /// `Allocate(port)`
    pub fn allocate(&mut self, port: i64) -> Result<(), PortAllocError> {
        let off = self.offset_of(port)?;
        if !self.allocated.insert(off) {
            return Err(PortAllocError::Allocated);
        }
        Ok(())
    }

    /// `AllocateNext()`
    pub fn allocate_next(&mut self, rng: &mut Rng) -> Result<i64, PortAllocError> {
        let pick = scan_with_offset(&self.allocated, self.size, self.range_offset(), rng)
            .ok_or(PortAllocError::Full)?;
        self.allocated.insert(pick);
        Ok(i64::from(self.base + pick))
    }

    /// `Release(port)`
    pub fn release(&mut self, port: i64) {
        if let Ok(off) = self.offset_of(port) {
            self.allocated.remove(&off);
        }
    }

    pub fn has(&self, port: i64) -> bool {
        self.offset_of(port)
            .is_ok_and(|off| self.allocated.contains(&off))
    }

    pub fn used(&self) -> usize {
        self.allocated.len()
    }
}
