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

/// Partitions read into the stack before any allocation.
const ON_STACK: usize = 8;

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
        // Most disks have a few partitions, or none: ask into the stack
        // first, and allocate only for more.
        let mut starts = [0u64; ON_STACK];
        let mut lens = [0u64; ON_STACK];
        let n = disk.partitions(&mut starts, &mut lens);
        if n <= ON_STACK {
            Self::add(&mut edges, starts.iter().zip(lens.iter()).take(n))?;
        } else {
            let mut room = n;
            loop {
                let mut starts = KVec::from_elem(0u64, room, GFP_KERNEL)?;
                let mut lens = KVec::from_elem(0u64, room, GFP_KERNEL)?;
                let n = disk.partitions(starts.as_mut_slice(), lens.as_mut_slice());
                if n > room {
                    // Partitions appeared meanwhile: ask again with room.
                    room = n;
                    continue;
                }
                Self::add(&mut edges, starts.iter().zip(lens.iter()).take(n))?;
                break;
            }
        }
        sort_by_key(edges.as_mut_slice(), |e| *e);
        Ok(Self { edges })
    }

    /// Appends the start and end of each `(start, length)` partition.
    fn add<'e>(edges: &mut KVec<u64>, parts: impl Iterator<Item = (&'e u64, &'e u64)>) -> Result {
        for (start, len) in parts {
            if let Ok(r) = ByteRange::new(*start, *len) {
                edges.push(r.start(), GFP_KERNEL)?;
                edges.push(r.end(), GFP_KERNEL)?;
            }
        }
        Ok(())
    }

    /// Returns whether the disk has no partition (or there is no disk).
    pub(crate) fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Calls `f` on the pieces of `range` cut at partition boundaries, in
    /// order: each lies in one partition, or in none.
    pub(crate) fn split(&self, range: ByteRange, f: &mut dyn FnMut(ByteRange)) {
        partition::cut(self.edges.as_slice(), range, f);
    }
}
