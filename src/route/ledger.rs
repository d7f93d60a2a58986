// SPDX-License-Identifier: GPL-2.0

//! The ledger: per device, what has failed and what became of it.
//!
//! A [`RangeSet`] keeps the failed ranges already delivered to holders,
//! merged, so that a later per-pfn `memory_failure()` inside one of them is
//! *absorbed* (answered in O(log n), no second callback). [`Ledger`] adds
//! counters and the invariant that every failed byte is delivered, absorbed
//! or left to the legacy per-page fallback exactly once.

use super::range::ByteRange;
use super::slots::Slots;
use super::RouteError;

/// A set of bytes as sorted, disjoint, non-adjacent ranges.
///
/// Storage is caller-provided; its length is the capacity. An operation that
/// would need more ranges than that returns [`RouteError::NoSpace`] and
/// leaves the set unchanged.
///
/// # Invariants
///
/// The first `len` slots are sorted, and there is a gap of at least one byte
/// between consecutive ranges.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::ledger::RangeSet;
/// use mfroute_route::route::range::ByteRange;
///
/// let mut set = RangeSet::new([ByteRange::FILLER; 4]);
/// set.insert(ByteRange::new(0, 10)?)?;
/// set.insert(ByteRange::new(10, 10)?)?;
/// assert_eq!(set.as_slice(), &[ByteRange::new(0, 20)?]);
/// assert_eq!(set.remove(ByteRange::new(5, 5)?)?, 5);
/// assert_eq!(set.as_slice(), &[ByteRange::new(0, 5)?, ByteRange::new(10, 10)?]);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub struct RangeSet<S> {
    /// The ranges, in caller-provided storage.
    slots: Slots<ByteRange, S>,
}

/// A piece of a range, as split by [`RangeSet::split`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Bytes already in the set.
    Known(ByteRange),
    /// Bytes not in the set.
    New(ByteRange),
}

impl<S: AsRef<[ByteRange]> + AsMut<[ByteRange]>> RangeSet<S> {
    /// Creates an empty set over `storage`.
    pub const fn new(storage: S) -> Self {
        Self {
            slots: Slots::new(storage),
        }
    }

    /// Returns the ranges, sorted.
    pub fn as_slice(&self) -> &[ByteRange] {
        self.slots.as_slice()
    }

    /// Returns the number of ranges.
    pub const fn len(&self) -> usize {
        self.slots.len()
    }

    /// Returns whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Returns the maximum number of ranges.
    pub fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Returns the number of bytes in the set.
    pub fn bytes(&self) -> Result<u64, RouteError> {
        self.as_slice()
            .iter()
            .try_fold(0u64, |acc, r| acc.checked_add(r.len()))
            .ok_or(RouteError::Overflow)
    }

    /// Returns whether every byte of `range` is in the set.
    pub fn contains(&self, range: ByteRange) -> bool {
        let ranges = self.as_slice();
        let i = ranges.partition_point(|r| r.end() <= range.start());
        ranges.get(i).is_some_and(|r| r.contains_range(&range))
    }

    /// Returns whether some byte of `range` is in the set.
    pub fn overlaps(&self, range: ByteRange) -> bool {
        let ranges = self.as_slice();
        let i = ranges.partition_point(|r| r.end() <= range.start());
        ranges.get(i).is_some_and(|r| r.overlaps(&range))
    }

    /// Splits `range` into known and new parts, in order, calling `f` on each.
    ///
    /// The cost is O(log n) plus the number of parts.
    pub fn split(
        &self,
        range: ByteRange,
        f: &mut dyn FnMut(Part) -> Result<(), RouteError>,
    ) -> Result<(), RouteError> {
        let ranges = self.as_slice();
        let i = ranges.partition_point(|r| r.end() <= range.start());
        let mut pos = range.start();
        for r in ranges.get(i..).unwrap_or(&[]) {
            if r.start() >= range.end() {
                break;
            }
            if pos < r.start() {
                f(Part::New(ByteRange::from_bounds(pos, r.start())?))?;
            }
            if let Some(known) = r.intersect(&range) {
                f(Part::Known(known))?;
                pos = known.end();
            }
        }
        if pos < range.end() {
            f(Part::New(ByteRange::from_bounds(pos, range.end())?))?;
        }
        Ok(())
    }

    /// Adds `range`, merging it with the ranges it overlaps or touches.
    pub fn insert(&mut self, range: ByteRange) -> Result<(), RouteError> {
        let ranges = self.as_slice();
        let lo = ranges.partition_point(|r| r.end() < range.start());
        let hi = ranges.partition_point(|r| r.start() <= range.end());
        let merged = match (
            ranges.get(lo),
            hi.checked_sub(1).and_then(|i| ranges.get(i)),
        ) {
            (Some(first), Some(last)) if lo < hi => ByteRange::from_bounds(
                first.start().min(range.start()),
                last.end().max(range.end()),
            )?,
            _ => range,
        };
        // Replace `lo..hi` (nothing, if `lo == hi`) by the merged range.
        self.slots.splice(lo..hi, &[merged])
    }

    /// Removes `range`, splitting a range if needed; returns the bytes removed.
    pub fn remove(&mut self, range: ByteRange) -> Result<u64, RouteError> {
        let ranges = self.as_slice();
        let lo = ranges.partition_point(|r| r.end() <= range.start());
        let hi = ranges.partition_point(|r| r.start() < range.end());
        if lo >= hi {
            return Ok(0);
        }
        let mut removed = 0u64;
        for r in ranges.get(lo..hi).unwrap_or(&[]) {
            let cut = r.intersect(&range).map_or(0, |c| c.len());
            removed = removed.checked_add(cut).ok_or(RouteError::Overflow)?;
        }
        let head = ranges.get(lo).and_then(|r| r.subtract(&range).0);
        let tail = hi
            .checked_sub(1)
            .and_then(|i| ranges.get(i))
            .and_then(|r| r.subtract(&range).1);
        // Ranges `lo..hi` become what is left of them.
        match (head, tail) {
            (Some(head), Some(tail)) => self.slots.splice(lo..hi, &[head, tail])?,
            (Some(piece), None) | (None, Some(piece)) => self.slots.splice(lo..hi, &[piece])?,
            (None, None) => self.slots.splice(lo..hi, &[])?,
        }
        Ok(removed)
    }
}

/// A count of ranges (or events) and of the bytes in them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Number of ranges or events.
    pub ranges: u64,
    /// Number of bytes.
    pub bytes: u64,
}

impl Tally {
    /// Nothing counted.
    pub const ZERO: Self = Self {
        ranges: 0,
        bytes: 0,
    };

    /// Adds one range of `bytes` bytes.
    fn add(&mut self, bytes: u64) -> Result<(), RouteError> {
        let ranges = self.ranges.checked_add(1).ok_or(RouteError::Overflow)?;
        let bytes = self.bytes.checked_add(bytes).ok_or(RouteError::Overflow)?;
        *self = Self { ranges, bytes };
        Ok(())
    }
}

/// What became of part of a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Routed to holders; the bytes join the set of delivered ranges.
    Delivered,
    /// Already delivered earlier; no callback made.
    Absorbed,
    /// Left to the legacy per-page handling.
    Fallback,
    /// Routed to holders but not remembered here: a device below, where
    /// repeats arrive, remembers and absorbs them (a dm device above a
    /// failing pmem, whose striped ranges would not merge).
    Relayed,
}

/// The counters of one device's ledger.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Failure events seen (see [`Ledger::event`]).
    pub failed: Tally,
    /// Parts routed to holders.
    pub delivered: Tally,
    /// Parts answered from the ledger.
    pub absorbed: Tally,
    /// Parts left to the per-page fallback.
    pub fallback: Tally,
    /// Errors noted by [`Ledger::error`] (holder or routing failures).
    pub errors: Tally,
    /// Repairs (see [`Ledger::repair`]); bytes actually removed from the set.
    pub repaired: Tally,
    /// The part of `delivered` recorded as [`Outcome::Relayed`], not in the set.
    pub relayed: Tally,
}

/// One device's failed ranges and what became of them.
///
/// The protocol, for a failed range `r`:
///
/// 1. [`Ledger::event`] counts it and splits it into [`Part::Known`]
///    (already delivered) and [`Part::New`] parts.
/// 2. Each known part is recorded as [`Outcome::Absorbed`].
/// 3. Each new part is recorded as [`Outcome::Delivered`] *before* it is
///    delivered (this reserves its place in the set); if that returns
///    [`RouteError::NoSpace`], it is recorded as [`Outcome::Fallback`] and
///    takes the legacy path instead.
///
/// [`Ledger::check`] then holds whenever no event is in progress.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::ledger::{Ledger, Outcome, Part};
/// use mfroute_route::route::range::ByteRange;
///
/// let mut ledger = Ledger::new([ByteRange::FILLER; 8]);
/// for r in [ByteRange::new(0, 8192)?, ByteRange::new(4096, 8192)?] {
///     let (mut parts, mut n) = ([None; 3], 0);
///     ledger.event(r, &mut |p| {
///         parts[n] = Some(p);
///         n += 1;
///         Ok(())
///     })?;
///     for p in parts.iter().flatten() {
///         match *p {
///             Part::Known(r) => ledger.record(r, Outcome::Absorbed)?,
///             Part::New(r) => ledger.record(r, Outcome::Delivered)?,
///         }
///     }
/// }
/// ledger.check()?;
/// assert_eq!(ledger.counters().absorbed.bytes, 4096);
/// assert_eq!(ledger.counters().delivered.bytes, 12288);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub struct Ledger<S> {
    /// Bytes delivered and not since repaired.
    set: RangeSet<S>,
    /// What happened so far.
    counters: Counters,
}

impl<S: AsRef<[ByteRange]> + AsMut<[ByteRange]>> Ledger<S> {
    /// Creates an empty ledger keeping at most `storage.len()` ranges.
    pub const fn new(storage: S) -> Self {
        Self {
            set: RangeSet::new(storage),
            counters: Counters {
                failed: Tally::ZERO,
                delivered: Tally::ZERO,
                absorbed: Tally::ZERO,
                fallback: Tally::ZERO,
                errors: Tally::ZERO,
                repaired: Tally::ZERO,
                relayed: Tally::ZERO,
            },
        }
    }

    /// Returns the counters.
    pub const fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Returns the set of delivered ranges.
    pub const fn delivered(&self) -> &RangeSet<S> {
        &self.set
    }

    /// Counts a failure event and splits it into known and new parts.
    pub fn event(
        &mut self,
        range: ByteRange,
        f: &mut dyn FnMut(Part) -> Result<(), RouteError>,
    ) -> Result<(), RouteError> {
        self.counters.failed.add(range.len())?;
        self.set.split(range, f)
    }

    /// Records what became of one part of an event.
    ///
    /// [`Outcome::Delivered`] needs `range` to be new and
    /// [`Outcome::Absorbed`] needs it known, else [`RouteError::Invalid`];
    /// on any error nothing changes.
    pub fn record(&mut self, range: ByteRange, outcome: Outcome) -> Result<(), RouteError> {
        match outcome {
            Outcome::Delivered => {
                if self.set.overlaps(range) {
                    return Err(RouteError::Invalid);
                }
                let mut tally = self.counters.delivered;
                tally.add(range.len())?;
                self.set.insert(range)?;
                self.counters.delivered = tally;
            }
            Outcome::Absorbed => {
                if !self.set.contains(range) {
                    return Err(RouteError::Invalid);
                }
                self.counters.absorbed.add(range.len())?;
            }
            Outcome::Fallback => self.counters.fallback.add(range.len())?,
            Outcome::Relayed => {
                let mut delivered = self.counters.delivered;
                delivered.add(range.len())?;
                self.counters.relayed.add(range.len())?;
                self.counters.delivered = delivered;
            }
        }
        Ok(())
    }

    /// Turns a part recorded as [`Outcome::Delivered`] into [`Outcome::Fallback`].
    ///
    /// For a delivery that nobody took after all (the holder declined): the
    /// bytes leave the set, so later failures there are not absorbed, and
    /// count as left to the legacy path. `range` must be in the set, else
    /// [`RouteError::Invalid`]; on any error nothing changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use mfroute_route::route::ledger::{Ledger, Outcome};
    /// use mfroute_route::route::range::ByteRange;
    ///
    /// let mut ledger = Ledger::new([ByteRange::FILLER; 4]);
    /// let r = ByteRange::new(0, 4096)?;
    /// ledger.event(r, &mut |_| Ok(()))?;
    /// ledger.record(r, Outcome::Delivered)?;
    /// ledger.retract(r)?;
    /// ledger.check()?;
    /// assert_eq!(ledger.counters().fallback.bytes, 4096);
    /// assert!(ledger.delivered().is_empty());
    /// # Ok::<(), mfroute_route::route::RouteError>(())
    /// ```
    pub fn retract(&mut self, range: ByteRange) -> Result<(), RouteError> {
        if !self.set.contains(range) {
            return Err(RouteError::Invalid);
        }
        let mut delivered = self.counters.delivered;
        delivered.ranges = delivered.ranges.checked_sub(1).ok_or(RouteError::Invalid)?;
        delivered.bytes = delivered
            .bytes
            .checked_sub(range.len())
            .ok_or(RouteError::Invalid)?;
        let mut fallback = self.counters.fallback;
        fallback.add(range.len())?;
        self.set.remove(range)?;
        self.counters.delivered = delivered;
        self.counters.fallback = fallback;
        Ok(())
    }

    /// Counts an error (a holder or a translator failed) on `range`.
    pub fn error(&mut self, range: ByteRange) -> Result<(), RouteError> {
        self.counters.errors.add(range.len())
    }

    /// Takes a repaired `range` out of the set; returns the bytes removed.
    ///
    /// A later failure there is delivered again.
    pub fn repair(&mut self, range: ByteRange) -> Result<u64, RouteError> {
        let mut tally = self.counters.repaired;
        let removed = self.set.remove(range)?;
        // The bytes were in the set, so they were counted as delivered.
        tally.ranges = tally.ranges.checked_add(1).ok_or(RouteError::Overflow)?;
        tally.bytes = tally
            .bytes
            .checked_add(removed)
            .ok_or(RouteError::Overflow)?;
        self.counters.repaired = tally;
        Ok(removed)
    }

    /// Checks that every failed byte is accounted for exactly once.
    ///
    /// Holds between events: failed = delivered + absorbed + fallback, and
    /// the set holds exactly the delivered bytes neither relayed nor since
    /// repaired.
    pub fn check(&self) -> Result<(), RouteError> {
        let c = &self.counters;
        let outcomes = c
            .delivered
            .bytes
            .checked_add(c.absorbed.bytes)
            .and_then(|b| b.checked_add(c.fallback.bytes))
            .ok_or(RouteError::Overflow)?;
        let live = c
            .delivered
            .bytes
            .checked_sub(c.repaired.bytes)
            .and_then(|b| b.checked_sub(c.relayed.bytes))
            .ok_or(RouteError::Invalid)?;
        if outcomes != c.failed.bytes || live != self.set.bytes()? {
            return Err(RouteError::Invalid);
        }
        Ok(())
    }
}
