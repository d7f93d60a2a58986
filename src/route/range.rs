// SPDX-License-Identifier: GPL-2.0

//! Byte, sector and page-frame ranges with overflow-checked arithmetic.
//!
//! A range is half-open, `[start, end)`, in units of `1 << SHIFT` bytes, and
//! never empty: constructors reject a zero length and any `start + len` that
//! does not fit in `u64`. The three units the router needs are type aliases
//! of one generic type, so intersect, clip, split and merge exist once.

use super::RouteError;

/// Bytes per sector (`SECTOR_SIZE` in `include/linux/blk_types.h`).
pub const SECTOR_SIZE: u64 = 512;
/// Log2 of [`SECTOR_SIZE`] (`SECTOR_SHIFT`).
pub const SECTOR_SHIFT: u32 = 9;
/// Bytes per page on the architectures mfroute supports (`PAGE_SIZE`).
pub const PAGE_SIZE: u64 = 4096;
/// Log2 of [`PAGE_SIZE`] (`PAGE_SHIFT`).
pub const PAGE_SHIFT: u32 = 12;

/// A non-empty half-open range `[start, end)` in units of `1 << SHIFT` bytes.
///
/// # Invariants
///
/// `start < end`, so the length is at least one unit and `end` fits in `u64`.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::{range::ByteRange, RouteError};
///
/// let r = ByteRange::new(4096, 8192)?;
/// assert_eq!((r.start(), r.len(), r.end()), (4096, 8192, 12288));
/// assert_eq!(ByteRange::new(1, 0), Err(RouteError::ZeroLength));
/// assert_eq!(ByteRange::new(u64::MAX, 1), Err(RouteError::Overflow));
/// # Ok::<(), RouteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Extent<const SHIFT: u32> {
    /// First unit in the range.
    start: u64,
    /// First unit after the range; always greater than `start`.
    end: u64,
}

/// A range of bytes.
pub type ByteRange = Extent<0>;
/// A range of 512-byte sectors.
pub type SectorRange = Extent<SECTOR_SHIFT>;
/// A range of page frames (pfns), or of pages within a device.
pub type PfnRange = Extent<PAGE_SHIFT>;

impl<const SHIFT: u32> Default for Extent<SHIFT> {
    /// Returns [`Extent::FILLER`].
    fn default() -> Self {
        Self::FILLER
    }
}

impl<const SHIFT: u32> Extent<SHIFT> {
    /// Bytes per unit; a compile error if `SHIFT` is 64 or more.
    pub const UNIT: u64 = 1u64 << SHIFT;

    /// A valid one-unit range at zero, used to fill preallocated storage.
    pub const FILLER: Self = Self { start: 0, end: 1 };

    /// Creates the range `[start, start + len)`.
    ///
    /// Returns [`RouteError::ZeroLength`] if `len` is zero and
    /// [`RouteError::Overflow`] if `start + len` does not fit in `u64`.
    pub const fn new(start: u64, len: u64) -> Result<Self, RouteError> {
        if len == 0 {
            return Err(RouteError::ZeroLength);
        }
        match start.checked_add(len) {
            Some(end) => Ok(Self { start, end }),
            None => Err(RouteError::Overflow),
        }
    }

    /// Creates the range `[start, end)` from its bounds.
    ///
    /// Returns [`RouteError::ZeroLength`] if `end == start` and
    /// [`RouteError::Invalid`] if `end < start`.
    pub const fn from_bounds(start: u64, end: u64) -> Result<Self, RouteError> {
        if end == start {
            Err(RouteError::ZeroLength)
        } else if end < start {
            Err(RouteError::Invalid)
        } else {
            Ok(Self { start, end })
        }
    }

    /// Returns the first unit of the range.
    pub const fn start(&self) -> u64 {
        self.start
    }

    /// Returns the first unit after the range.
    pub const fn end(&self) -> u64 {
        self.end
    }

    /// Returns the last unit of the range (inclusive).
    #[expect(clippy::arithmetic_side_effects, reason = "end > start >= 0")]
    pub const fn last(&self) -> u64 {
        // NO-OVERFLOW: `end > start >= 0` by the type invariant.
        self.end - 1
    }

    /// Returns the number of units in the range, at least one.
    #[expect(clippy::len_without_is_empty, reason = "a range is never empty")]
    #[expect(clippy::arithmetic_side_effects, reason = "end > start")]
    pub const fn len(&self) -> u64 {
        // NO-OVERFLOW: `end > start` by the type invariant.
        self.end - self.start
    }

    /// Returns whether `pos` lies inside the range.
    pub const fn contains(&self, pos: u64) -> bool {
        self.start <= pos && pos < self.end
    }

    /// Returns whether `other` lies entirely inside this range.
    pub const fn contains_range(&self, other: &Self) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Returns whether the two ranges share at least one unit.
    pub const fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Returns whether the two ranges overlap or are adjacent.
    pub const fn touches(&self, other: &Self) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Returns the units common to both ranges, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use mfroute_route::route::range::ByteRange;
    ///
    /// let a = ByteRange::new(0, 100)?;
    /// let b = ByteRange::new(50, 100)?;
    /// assert_eq!(a.intersect(&b), Some(ByteRange::new(50, 50)?));
    /// assert_eq!(a.intersect(&ByteRange::new(100, 1)?), None);
    /// # Ok::<(), mfroute_route::route::RouteError>(())
    /// ```
    pub fn intersect(&self, other: &Self) -> Option<Self> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Self { start, end })
    }

    /// Clips the range to a device of `size` units, `[0, size)`.
    ///
    /// Returns `None` when nothing of the range lies inside the device.
    pub fn clip(&self, size: u64) -> Option<Self> {
        let end = self.end.min(size);
        (self.start < end).then_some(Self {
            start: self.start,
            end,
        })
    }

    /// Clips the range to start at or after `pos`.
    pub fn clip_from(&self, pos: u64) -> Option<Self> {
        let start = self.start.max(pos);
        (start < self.end).then_some(Self {
            start,
            end: self.end,
        })
    }

    /// Splits the range at `pos` into the parts below and at-or-above it.
    ///
    /// # Examples
    ///
    /// ```
    /// use mfroute_route::route::range::ByteRange;
    ///
    /// let r = ByteRange::new(10, 10)?;
    /// assert_eq!(
    ///     r.split_at(15),
    ///     (Some(ByteRange::new(10, 5)?), Some(ByteRange::new(15, 5)?))
    /// );
    /// assert_eq!(r.split_at(5), (None, Some(r)));
    /// # Ok::<(), mfroute_route::route::RouteError>(())
    /// ```
    pub fn split_at(&self, pos: u64) -> (Option<Self>, Option<Self>) {
        let below = (self.start < pos).then(|| Self {
            start: self.start,
            end: self.end.min(pos),
        });
        let above = (pos < self.end).then(|| Self {
            start: self.start.max(pos),
            end: self.end,
        });
        (below, above)
    }

    /// Returns the union of two ranges that overlap or are adjacent.
    ///
    /// Returns `None` when a gap separates them.
    pub fn merge(&self, other: &Self) -> Option<Self> {
        self.touches(other).then(|| Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        })
    }

    /// Removes `other` from the range, returning what is left below and above.
    pub fn subtract(&self, other: &Self) -> (Option<Self>, Option<Self>) {
        if !self.overlaps(other) {
            return (Some(*self), None);
        }
        let head = (self.start < other.start).then_some(Self {
            start: self.start,
            end: other.start,
        });
        let tail = (other.end < self.end).then_some(Self {
            start: other.end,
            end: self.end,
        });
        (head, tail)
    }

    /// Moves the range up by `delta` units.
    pub fn checked_add(&self, delta: u64) -> Result<Self, RouteError> {
        match (self.start.checked_add(delta), self.end.checked_add(delta)) {
            (Some(start), Some(end)) => Ok(Self { start, end }),
            _ => Err(RouteError::Overflow),
        }
    }

    /// Moves the range down by `delta` units.
    ///
    /// Returns [`RouteError::OutOfRange`] if the range starts below `delta`.
    pub fn checked_sub(&self, delta: u64) -> Result<Self, RouteError> {
        match (self.start.checked_sub(delta), self.end.checked_sub(delta)) {
            (Some(start), Some(end)) => Ok(Self { start, end }),
            _ => Err(RouteError::OutOfRange),
        }
    }

    /// Converts the range to bytes.
    ///
    /// Returns [`RouteError::Overflow`] if the byte end does not fit in `u64`.
    ///
    /// # Examples
    ///
    /// ```
    /// use mfroute_route::route::range::{ByteRange, PfnRange};
    ///
    /// let pfns = PfnRange::new(0x100, 2)?;
    /// assert_eq!(pfns.to_bytes()?, ByteRange::new(0x10_0000, 0x2000)?);
    /// # Ok::<(), mfroute_route::route::RouteError>(())
    /// ```
    pub fn to_bytes(&self) -> Result<ByteRange, RouteError> {
        match (
            self.start.checked_mul(Self::UNIT),
            self.end.checked_mul(Self::UNIT),
        ) {
            (Some(start), Some(end)) => Ok(Extent { start, end }),
            _ => Err(RouteError::Overflow),
        }
    }

    /// Returns the smallest range of units covering every byte of `bytes`.
    ///
    /// # Examples
    ///
    /// ```
    /// use mfroute_route::route::range::{ByteRange, SectorRange};
    ///
    /// let bytes = ByteRange::new(511, 2)?;
    /// assert_eq!(SectorRange::covering(bytes), SectorRange::new(0, 2)?);
    /// assert_eq!(SectorRange::within(bytes), None);
    /// # Ok::<(), mfroute_route::route::RouteError>(())
    /// ```
    pub fn covering(bytes: ByteRange) -> Self {
        Self {
            start: bytes.start >> SHIFT,
            // NO-OVERFLOW: `div_ceil` of a `u64` by a unit >= 1 fits in `u64`,
            // and `end > start` implies the rounded end exceeds the rounded start.
            end: bytes.end.div_ceil(Self::UNIT),
        }
    }

    /// Returns the largest range of whole units inside `bytes`, if any.
    pub fn within(bytes: ByteRange) -> Option<Self> {
        let start = bytes.start.div_ceil(Self::UNIT);
        let end = bytes.end >> SHIFT;
        (start < end).then_some(Self { start, end })
    }

    /// Returns whether both bounds are multiples of `1 << align_shift` units.
    pub fn is_aligned(&self, align_shift: u32) -> bool {
        match 1u64.checked_shl(align_shift) {
            Some(align) => {
                self.start.checked_rem(align) == Some(0) && self.end.checked_rem(align) == Some(0)
            }
            None => false,
        }
    }
}
