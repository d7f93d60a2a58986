// SPDX-License-Identifier: GPL-2.0

//! Cutting a range of a disk at its partitions' boundaries.
//!
//! Each partition of a disk may have its own filesystem holding its range
//! of the dax_device, so the router tells each partition's part of a range
//! separately. The boundaries (every partition's start and end) are sorted
//! once per routing pass; [`cut`] then costs O(log p) plus the pieces.

use super::range::ByteRange;

/// Calls `f` on the pieces of `range` cut at `edges`, in order: each lies
/// in one partition, or in none.
///
/// `edges` holds the starts and ends of the disk's partitions, sorted;
/// repeats do no harm.
pub fn cut(edges: &[u64], range: ByteRange, f: &mut dyn FnMut(ByteRange)) {
    let first = edges.partition_point(|&e| e <= range.start());
    let mut pos = range.start();
    for &edge in edges.iter().skip(first) {
        if edge >= range.end() {
            break;
        }
        if let Ok(piece) = ByteRange::from_bounds(pos, edge) {
            f(piece);
        }
        pos = edge;
    }
    if let Ok(piece) = ByteRange::from_bounds(pos, range.end()) {
        f(piece);
    }
}
