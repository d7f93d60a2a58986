// SPDX-License-Identifier: GPL-2.0

//! Where to look for the registrations a range overlaps.
//!
//! Holders register ranges of a device, of any length, possibly
//! overlapping. A registry sorted by start finds those overlapping a
//! range `[a, b)` among the registrations starting before `b`; how far
//! before `a` to start depends on how long they may be. One bound for all
//! (the longest registration) makes a lookup visit every short
//! registration in that distance once a single long one exists.
//!
//! So registrations are kept by length *class*: class `c` holds the
//! lengths in `[2^c, 2^(c+1))`. Within a class a lookup starts at
//! [`lower_bound`]`(a, c)`, less than `2^(c+1)` before `a`, and the
//! registrations it visits that do not overlap `[a, b)` all start in that
//! window and end at or before `a`: at most two of them when the
//! registrations of the class are disjoint. A lookup costs O(log n) per
//! non-empty class (at most 64) plus what it finds.

/// The number of length classes.
pub const CLASSES: usize = 64;

/// Returns the class of a registration `len` bytes long (`len` > 0; a
/// zero length counts as one byte).
pub const fn class(len: u64) -> usize {
    let len = if len == 0 { 1 } else { len };
    // CAST: the log of a u64 is at most 63.
    len.ilog2() as usize
}

/// Returns the least start a registration of class `c` overlapping bytes
/// from `a` on can have.
pub const fn lower_bound(a: u64, c: usize) -> u64 {
    // The longest length of class c, 2^(c+1) - 1: the c + 1 low bits.
    // CAST: at most 63.
    let longest = match u64::MAX.checked_shr(63usize.saturating_sub(c) as u32) {
        Some(ones) => ones,
        None => u64::MAX,
    };
    a.saturating_sub(longest)
}
