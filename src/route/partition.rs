// SPDX-License-Identifier: GPL-2.0

//! The partition translator: whole-disk bytes to partition bytes.
//!
//! A partition starting at sector `start` with `nr` sectors maps disk byte
//! `b` in `[start * 512, (start + nr) * 512)` to partition byte
//! `b - start * 512`; disk bytes outside it map to nothing.

use super::range::{ByteRange, SectorRange};
use super::translate::{DeviceId, Lower, Translate};
use super::RouteError;

/// One partition of a disk.
///
/// # Invariants
///
/// `span` is the partition's whole-disk byte range; it is not empty.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::partition::Partition;
/// use mfroute_route::route::translate::DeviceId;
///
/// let part = Partition::new(DeviceId(259 << 20), 2048, 1 << 21)?;
/// assert_eq!(part.size(), 1 << 30);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// The whole disk.
    disk: DeviceId,
    /// The partition, in whole-disk bytes.
    span: ByteRange,
}

impl Partition {
    /// Creates a partition of `disk` at `start` sectors, `nr_sectors` long.
    pub fn new(disk: DeviceId, start: u64, nr_sectors: u64) -> Result<Self, RouteError> {
        Ok(Self {
            disk,
            span: SectorRange::new(start, nr_sectors)?.to_bytes()?,
        })
    }

    /// Returns the partition size in bytes.
    pub const fn size(&self) -> u64 {
        self.span.len()
    }

    /// Returns the partition as a whole-disk byte range.
    pub const fn span(&self) -> ByteRange {
        self.span
    }
}

impl Translate for Partition {
    fn next_upper(&self, pos: u64, lower: &mut dyn Lower) -> Result<Option<ByteRange>, RouteError> {
        let Some(from) = self.span.start().checked_add(pos) else {
            return Ok(None);
        };
        if from >= self.span.end() {
            return Ok(None);
        }
        let Some(failed) = lower.next(self.disk, from)? else {
            return Ok(None);
        };
        match failed.intersect(&self.span) {
            Some(hit) => Ok(Some(hit.checked_sub(self.span.start())?)),
            None => Ok(None),
        }
    }
}
