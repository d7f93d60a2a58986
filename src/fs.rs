// SPDX-License-Identifier: GPL-2.0

//! Disks and their partitions, as filesystems hold them.
//!
//! Each partition of a disk may have its own filesystem holding its range
//! of the dax_device, so the router tells the filesystems of each
//! partition's part of a range separately and knows which bytes each took
//! ([`Partitions::split`], cut by [`crate::route::partition`]).
//!
//! C header: [`include/linux/blkdev.h`](srctree/include/linux/blkdev.h)

use kernel::prelude::*;

use crate::dax::Disk;
use crate::route::partition;
use crate::route::range::ByteRange;
use crate::route::sort::sort_by_key;

/// The partition boundaries of a disk, in bytes, sorted.
pub(crate) struct Partitions {
    /// Each partition's start and end.
    edges: KVec<u64>,
}

impl Partitions {
    /// Reads the partitions of `disk` (none without a disk).
    pub(crate) fn of(disk: Option<&Disk>) -> Result<Self> {
        let mut edges = KVec::new();
        let Some(disk) = disk else {
            return Ok(Self { edges });
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
                    edges.push(r.start(), GFP_KERNEL)?;
                    edges.push(r.end(), GFP_KERNEL)?;
                }
            }
            sort_by_key(edges.as_mut_slice(), |e| *e);
            return Ok(Self { edges });
        }
    }

    /// Calls `f` on the pieces of `range` cut at partition boundaries, in
    /// order: each lies in one partition, or in none.
    pub(crate) fn split(&self, range: ByteRange, f: &mut dyn FnMut(ByteRange)) {
        partition::cut(self.edges.as_slice(), range, f);
    }
}
