// SPDX-License-Identifier: GPL-2.0

//! The pmem translator: physical addresses to pmem block device bytes.
//!
//! A pmem namespace occupies `[phys_addr, phys_addr + data_offset + size)`.
//! Its first `data_offset` bytes hold the info block and the memmap
//! reservation (metadata); device byte 0 is physical address
//! `phys_addr + data_offset`, as in `pmem_pagemap_memory_failure()`
//! (`drivers/nvdimm/pmem.c`), which computes
//! `offset = PFN_PHYS(pfn) - phys_addr - data_offset`. Unlike that
//! subtraction, a failure in the metadata area is reported as metadata by
//! [`Pmem::classify`], never shifted into (or below) the data area.

use super::range::{ByteRange, PfnRange};
use super::translate::{DeviceId, Lower, Translate};
use super::RouteError;

/// Geometry of one pmem namespace.
///
/// Its lower device is [`DeviceId::MEMORY`]; its upper device is the pmem
/// block device (and its dax_device), in bytes.
///
/// # Invariants
///
/// `size > 0` and `phys_addr + data_offset + size` fits in `u64`.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::pmem::Pmem;
/// use mfroute_route::route::range::{ByteRange, PfnRange};
///
/// // 1 GiB namespace at 4 GiB with a 2 MiB info block + memmap reservation.
/// let pmem = Pmem::new(0x1_0000_0000, 0x20_0000, 0x4000_0000)?;
/// let parts = pmem.classify_pfns(PfnRange::new(0x10_01ff, 2)?)?;
/// assert_eq!(parts.metadata, Some(ByteRange::new(0x1_001f_f000, 0x1000)?));
/// assert_eq!(parts.data, Some(ByteRange::new(0, 0x1000)?));
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pmem {
    /// Physical address of the start of the namespace (`pmem->phys_addr`).
    phys_addr: u64,
    /// Bytes of metadata before device byte 0 (`pmem->data_offset`).
    data_offset: u64,
    /// Device size in bytes (the block device capacity).
    size: u64,
}

/// Where the parts of a physical range fall relative to a pmem namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PmemParts {
    /// Physical bytes below the namespace.
    pub below: Option<ByteRange>,
    /// Physical bytes in the metadata area (info block, memmap).
    pub metadata: Option<ByteRange>,
    /// The data part, as pmem device byte offsets.
    pub data: Option<ByteRange>,
    /// Physical bytes above the namespace.
    pub above: Option<ByteRange>,
}

impl Pmem {
    /// Creates the geometry of a namespace.
    ///
    /// `phys_addr` is where the namespace starts, `data_offset` the metadata
    /// bytes before device byte 0 and `size` the device capacity in bytes.
    pub fn new(phys_addr: u64, data_offset: u64, size: u64) -> Result<Self, RouteError> {
        // Validate that the whole namespace is addressable.
        let data_start = phys_addr
            .checked_add(data_offset)
            .ok_or(RouteError::Overflow)?;
        ByteRange::new(data_start, size)?;
        Ok(Self {
            phys_addr,
            data_offset,
            size,
        })
    }

    /// Returns the device size in bytes.
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// Returns the physical range of the data area (device bytes 0..size).
    pub fn data_phys(&self) -> Result<ByteRange, RouteError> {
        let start = self
            .phys_addr
            .checked_add(self.data_offset)
            .ok_or(RouteError::Overflow)?;
        ByteRange::new(start, self.size)
    }

    /// Returns the physical range of the metadata area, if there is one.
    pub fn metadata_phys(&self) -> Option<ByteRange> {
        ByteRange::new(self.phys_addr, self.data_offset).ok()
    }

    /// Splits a physical range into below, metadata, data and above parts.
    pub fn classify(&self, phys: ByteRange) -> Result<PmemParts, RouteError> {
        let data = self.data_phys()?;
        let (below, rest) = phys.split_at(self.phys_addr);
        let (metadata, rest) = match rest {
            Some(r) => r.split_at(data.start()),
            None => (None, None),
        };
        let (data_part, above) = match rest {
            Some(r) => r.split_at(data.end()),
            None => (None, None),
        };
        Ok(PmemParts {
            below,
            metadata,
            data: data_part.map(|d| d.checked_sub(data.start())).transpose()?,
            above,
        })
    }

    /// Splits a pfn range like [`Pmem::classify`].
    pub fn classify_pfns(&self, pfns: PfnRange) -> Result<PmemParts, RouteError> {
        self.classify(pfns.to_bytes()?)
    }
}

impl Translate for Pmem {
    fn next_upper(&self, pos: u64, lower: &mut dyn Lower) -> Result<Option<ByteRange>, RouteError> {
        if pos >= self.size {
            return Ok(None);
        }
        let data = self.data_phys()?;
        let from = data.start().checked_add(pos).ok_or(RouteError::Overflow)?;
        let Some(failed) = lower.next(DeviceId::MEMORY, from)? else {
            return Ok(None);
        };
        // Metadata and other namespaces are not part of this device.
        match failed.intersect(&data) {
            Some(hit) => Ok(Some(hit.checked_sub(data.start())?)),
            None => Ok(None),
        }
    }
}
