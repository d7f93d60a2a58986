// SPDX-License-Identifier: GPL-2.0

//! Disks and their partitions, as filesystems hold them.
//!
//! Each partition of a disk may have its own filesystem holding its range
//! of the dax_device, so the router tells the filesystems of each
//! partition's part of a range separately and knows which bytes each took
//! ([`Partitions::split`]).
//!
//! C header: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h)

use kernel::prelude::*;

use crate::dax::Disk;
use crate::route::range::ByteRange;
use crate::route::sort::sort_by_key;

/// The partitions of a disk, as byte ranges of it.
pub(crate) struct Partitions {
    /// Each partition's bytes, in disk order.
    parts: KVec<ByteRange>,
}

impl Partitions {
    /// Reads the partitions of `disk` (none without a disk).
    pub(crate) fn of(disk: Option<&Disk>) -> Result<Self> {
        let mut parts = KVec::new();
        let Some(disk) = disk else {
            return Ok(Self { parts });
        };
        let mut room: usize = 4;
        loop {
            let mut starts = KVec::from_elem(0u64, room, GFP_KERNEL)?;
            let mut lens = KVec::from_elem(0u64, room, GFP_KERNEL)?;
            let n = disk.partitions(starts.as_mut_slice(), lens.as_mut_slice());
            if n > room {
                // Partitions appeared meanwhile: ask again with room.
                room = n;
                continue;
            }
            for (start, len) in starts.iter().zip(lens.iter()).take(n) {
                if let Ok(r) = ByteRange::new(*start, *len) {
                    parts.push(r, GFP_KERNEL)?;
                }
            }
            sort_by_key(parts.as_mut_slice(), |r| r.start());
            return Ok(Self { parts });
        }
    }

    /// Calls `f` on the pieces of `range` cut at partition boundaries, in
    /// order: each lies in one partition, or in none.
    pub(crate) fn split<E>(
        &self,
        range: ByteRange,
        f: &mut dyn FnMut(ByteRange) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<crate::route::RouteError>,
    {
        let mut pos = range.start();
        while pos < range.end() {
            // The nearest boundary after `pos`.
            let mut cut = range.end();
            for p in self.parts.iter() {
                for edge in [p.start(), p.end()] {
                    if edge > pos && edge < cut {
                        cut = edge;
                    }
                }
            }
            f(ByteRange::from_bounds(pos, cut)?)?;
            pos = cut;
        }
        Ok(())
    }
}
