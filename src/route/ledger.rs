// SPDX-License-Identifier: GPL-2.0

//! The ledger: per device, what has failed and what became of it.
//!
//! A [`RangeSet`] keeps the failed ranges already delivered to holders,
//! merged, so that a later per-page `memory_failure()` inside one of them is
//! *absorbed*: answered in O(log n), with no second holder callback.
//! [`Ledger`] adds counters and the invariant that every failed byte is
//! delivered, absorbed, left to the per-page path or failed by a holder,
//! exactly once.
//!
//! The set lives in a [`RangeStore`], a sorted map from range start to
//! range that the kernel backs with an rbtree and the host tests with a
//! `BTreeMap`. Nothing here allocates: a store holds the nodes it may need,
//! and an operation that would need one more than it holds fails with
//! [`RouteError::NoSpace`] before changing anything.

use super::range::ByteRange;
use super::RouteError;

/// Sorted storage for disjoint byte ranges, keyed by their start.
///
/// Implementations keep the nodes of removed ranges for the next insertion,
/// so that merging never needs memory, and report whether one more range
/// fits without allocating ([`RangeStore::has_room`]).
pub trait RangeStore {
    /// Returns the stored range with the greatest start at or below `pos`.
    fn floor(&mut self, pos: u64) -> Option<ByteRange>;
    /// Returns the stored range with the least start above `pos`.
    fn after(&mut self, pos: u64) -> Option<ByteRange>;
    /// Returns [`RangeStore::floor`] and [`RangeStore::after`] of `pos`;
    /// a store that finds both in one lookup says so here.
    fn around(&mut self, pos: u64) -> (Option<ByteRange>, Option<ByteRange>) {
        (self.floor(pos), self.after(pos))
    }
    /// Returns whether [`RangeStore::insert`] can store one more range now.
    fn has_room(&self) -> bool;
    /// Stores `range`, which overlaps no stored range.
    ///
    /// Fails with [`RouteError::NoSpace`], storing nothing, when
    /// [`RangeStore::has_room`] is false.
    fn insert(&mut self, range: ByteRange) -> Result<(), RouteError>;
    /// Removes the range starting at `start`, keeping its node for reuse.
    fn remove(&mut self, start: u64) -> Option<ByteRange>;
}

/// A set of bytes as sorted, disjoint, non-adjacent ranges.
///
/// # Invariants
///
/// The stored ranges are disjoint and no two touch; `bytes` is the sum of
/// their lengths and `len` their number.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::ledger::{RangeSet, VecStore};
/// use mfroute_route::route::range::ByteRange;
///
/// let mut set = RangeSet::new(VecStore::new(4));
/// set.insert(ByteRange::new(0, 10)?)?;
/// set.insert(ByteRange::new(10, 10)?)?;
/// assert_eq!(set.ranges(), [ByteRange::new(0, 20)?]);
/// assert_eq!(set.remove(ByteRange::new(5, 5)?)?, 5);
/// assert_eq!(set.ranges(), [ByteRange::new(0, 5)?, ByteRange::new(10, 10)?]);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub struct RangeSet<S> {
    /// The ranges.
    store: S,
    /// The number of bytes in the set.
    bytes: u64,
    /// The number of ranges in the set.
    len: usize,
}

/// A piece of a range, as split by [`RangeSet::split`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Bytes already in the set.
    Known(ByteRange),
    /// Bytes not in the set.
    New(ByteRange),
}

impl<S: RangeStore> RangeSet<S> {
    /// Creates an empty set over `store`, which must be empty.
    pub const fn new(store: S) -> Self {
        Self {
            store,
            bytes: 0,
            len: 0,
        }
    }

    /// Returns the store, to give it nodes (see [`RangeStore::has_room`]).
    pub fn store(&mut self) -> &mut S {
        &mut self.store
    }

    /// Returns the number of ranges.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Returns whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Returns the number of bytes in the set.
    pub const fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Returns the first range of the set ending after `pos`.
    fn first_ending_after(&mut self, pos: u64) -> Option<ByteRange> {
        match self.store.around(pos) {
            (Some(r), _) if r.end() > pos => Some(r),
            (_, after) => after,
        }
    }

    /// Returns the first range of the set at or after `pos`, clipped to it.
    ///
    /// Walks the set in order in O(log n) per range.
    pub fn next(&mut self, pos: u64) -> Option<ByteRange> {
        self.first_ending_after(pos).and_then(|r| r.clip_from(pos))
    }

    /// Returns whether every byte of `range` is in the set.
    pub fn contains(&mut self, range: ByteRange) -> bool {
        self.first_ending_after(range.start())
            .is_some_and(|r| r.contains_range(&range))
    }

    /// Returns whether some byte of `range` is in the set.
    pub fn overlaps(&mut self, range: ByteRange) -> bool {
        self.first_ending_after(range.start())
            .is_some_and(|r| r.start() < range.end())
    }

    /// Splits `range` into known and new parts, in order, calling `f` on each.
    ///
    /// The cost is O(log n) per part.
    pub fn split(
        &mut self,
        range: ByteRange,
        f: &mut dyn FnMut(Part) -> Result<(), RouteError>,
    ) -> Result<(), RouteError> {
        let mut pos = range.start();
        while pos < range.end() {
            match self.first_ending_after(pos) {
                Some(r) if r.start() < range.end() => {
                    if pos < r.start() {
                        f(Part::New(ByteRange::from_bounds(pos, r.start())?))?;
                    }
                    let from = pos.max(r.start());
                    let to = r.end().min(range.end());
                    f(Part::Known(ByteRange::from_bounds(from, to)?))?;
                    pos = to;
                }
                _ => {
                    f(Part::New(ByteRange::from_bounds(pos, range.end())?))?;
                    pos = range.end();
                }
            }
        }
        Ok(())
    }

    /// Adds `range`, merging it with the ranges it overlaps or touches.
    ///
    /// Fails with [`RouteError::NoSpace`], changing nothing, when `range`
    /// needs a range of its own and the store has no room.
    pub fn insert(&mut self, range: ByteRange) -> Result<(), RouteError> {
        // A range ending at or after `range` starts (touching counts).
        let (before, after) = self.store.around(range.start());
        let first = before.filter(|r| r.end() >= range.start()).or(after);
        self.merge_from(range, first)
    }

    /// Adds `range` if no byte of it is in the set, merging it with the
    /// ranges it touches; returns whether it was added.
    ///
    /// [`RangeSet::overlaps`] and then [`RangeSet::insert`], with one
    /// lookup of its neighbours ([`RangeStore::around`]). Fails with
    /// [`RouteError::NoSpace`], changing nothing, when `range` needs a
    /// range of its own and the store has no room.
    pub fn insert_new(&mut self, range: ByteRange) -> Result<bool, RouteError> {
        let (before, after) = self.store.around(range.start());
        if before.is_some_and(|r| r.end() > range.start())
            || after.is_some_and(|r| r.start() < range.end())
        {
            return Ok(false);
        }
        let first = before.filter(|r| r.end() == range.start()).or(after);
        self.merge_from(range, first)?;
        Ok(true)
    }

    /// Adds `range`, merging it with `first`, the first range of the set
    /// ending at or after it starts, and with every range after `first`
    /// that the merged range overlaps or touches.
    fn merge_from(&mut self, range: ByteRange, first: Option<ByteRange>) -> Result<(), RouteError> {
        let merges = first.is_some_and(|r| r.start() <= range.end());
        if !merges && !self.store.has_room() {
            return Err(RouteError::NoSpace);
        }
        let mut lo = range.start();
        let mut hi = range.end();
        let mut removed = 0u64;
        let mut next = first;
        while let Some(r) = next.filter(|r| r.start() <= hi) {
            self.store.remove(r.start()).ok_or(RouteError::Invalid)?;
            self.len = self.len.checked_sub(1).ok_or(RouteError::Invalid)?;
            removed = removed.checked_add(r.len()).ok_or(RouteError::Overflow)?;
            lo = lo.min(r.start());
            hi = hi.max(r.end());
            next = self.store.after(r.start());
        }
        let merged = ByteRange::from_bounds(lo, hi)?;
        // The removed nodes are the store's to reuse: this cannot fail.
        self.store.insert(merged)?;
        self.len = self.len.checked_add(1).ok_or(RouteError::Overflow)?;
        self.bytes = self
            .bytes
            .checked_sub(removed)
            .and_then(|b| b.checked_add(merged.len()))
            .ok_or(RouteError::Invalid)?;
        Ok(())
    }

    /// Removes `range`, splitting a range if needed; returns the bytes removed.
    ///
    /// Fails with [`RouteError::NoSpace`], changing nothing, when a range
    /// must be split in two and the store has no room.
    pub fn remove(&mut self, range: ByteRange) -> Result<u64, RouteError> {
        let first = self.first_ending_after(range.start());
        let splits = first.is_some_and(|r| r.start() < range.start() && r.end() > range.end());
        if splits && !self.store.has_room() {
            return Err(RouteError::NoSpace);
        }
        let mut removed = 0u64;
        let mut next = first;
        while let Some(r) = next.filter(|r| r.start() < range.end()) {
            self.store.remove(r.start()).ok_or(RouteError::Invalid)?;
            self.len = self.len.checked_sub(1).ok_or(RouteError::Invalid)?;
            let (head, tail) = r.subtract(&range);
            let cut = r.intersect(&range).map_or(0, |c| c.len());
            removed = removed.checked_add(cut).ok_or(RouteError::Overflow)?;
            for piece in [head, tail].into_iter().flatten() {
                self.store.insert(piece)?;
                self.len = self.len.checked_add(1).ok_or(RouteError::Overflow)?;
            }
            next = self.store.after(r.start());
        }
        self.bytes = self.bytes.checked_sub(removed).ok_or(RouteError::Invalid)?;
        Ok(removed)
    }

    /// Removes every range that overlaps `range`, whole; returns the bytes
    /// removed. Splits nothing, so it needs no node.
    pub fn forget(&mut self, range: ByteRange) -> Result<u64, RouteError> {
        let mut removed = 0u64;
        let mut next = self.first_ending_after(range.start());
        while let Some(r) = next.filter(|r| r.start() < range.end()) {
            self.store.remove(r.start()).ok_or(RouteError::Invalid)?;
            self.len = self.len.checked_sub(1).ok_or(RouteError::Invalid)?;
            removed = removed.checked_add(r.len()).ok_or(RouteError::Overflow)?;
            next = self.store.after(r.start());
        }
        self.bytes = self.bytes.checked_sub(removed).ok_or(RouteError::Invalid)?;
        Ok(removed)
    }

    /// Calls `f` on every range, in order, until it fails; returns its
    /// error.
    pub fn try_for_each<E>(
        &mut self,
        f: &mut dyn FnMut(ByteRange) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut pos = 0;
        while let Some(r) = self.first_ending_after(pos) {
            f(r)?;
            pos = r.end();
        }
        Ok(())
    }
}

#[cfg(feature = "host")]
extern crate std;

#[cfg(feature = "host")]
impl<S: RangeStore> RangeSet<S> {
    /// Returns every range, in order (host builds only).
    pub fn ranges(&mut self) -> std::vec::Vec<ByteRange> {
        let mut out = std::vec::Vec::new();
        let _ = self.try_for_each(&mut |r| -> Result<(), ()> {
            out.push(r);
            Ok(())
        });
        out
    }
}

/// A [`RangeStore`] in a `BTreeMap` with a budget of nodes, for host tests
/// and examples (host builds only: the module uses an rbtree).
#[cfg(feature = "host")]
pub struct VecStore {
    /// Range start to range end.
    map: std::collections::BTreeMap<u64, u64>,
    /// Nodes not in use: allocated ahead, or left by removals.
    spare: usize,
}

#[cfg(feature = "host")]
impl VecStore {
    /// Creates an empty store holding `spare` nodes.
    pub fn new(spare: usize) -> Self {
        Self {
            map: std::collections::BTreeMap::new(),
            spare,
        }
    }

    /// Gives the store `n` more nodes.
    pub fn reserve(&mut self, n: usize) {
        self.spare = self.spare.saturating_add(n);
    }
}

#[cfg(feature = "host")]
impl RangeStore for VecStore {
    fn floor(&mut self, pos: u64) -> Option<ByteRange> {
        let (s, e) = self.map.range(..=pos).next_back()?;
        ByteRange::from_bounds(*s, *e).ok()
    }

    fn after(&mut self, pos: u64) -> Option<ByteRange> {
        let (s, e) = self.map.range(pos.checked_add(1)?..).next()?;
        ByteRange::from_bounds(*s, *e).ok()
    }

    fn has_room(&self) -> bool {
        self.spare > 0
    }

    fn insert(&mut self, range: ByteRange) -> Result<(), RouteError> {
        self.spare = self.spare.checked_sub(1).ok_or(RouteError::NoSpace)?;
        self.map.insert(range.start(), range.end());
        Ok(())
    }

    fn remove(&mut self, start: u64) -> Option<ByteRange> {
        let end = self.map.remove(&start)?;
        self.spare = self.spare.saturating_add(1);
        ByteRange::from_bounds(start, end).ok()
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
    ///
    /// Saturates: 2^64 bytes of failures are never seen, and a counter
    /// stuck at the top makes [`Ledger::check`] fail rather than wrap.
    fn add(&mut self, bytes: u64) {
        self.ranges = self.ranges.saturating_add(1);
        self.bytes = self.bytes.saturating_add(bytes);
    }
}

/// What became of part of a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Taken by the holders it concerns; the bytes join the set of
    /// delivered ranges, and failures there are absorbed from then on.
    Delivered,
    /// Delivered, but not remembered here: a device below, where repeats
    /// arrive, remembers them (a device-mapper device above a pmem).
    Relayed,
    /// Already delivered earlier; no holder told again.
    Absorbed,
    /// No filesystem took it: left to the per-page path.
    Fallback,
    /// A holder it was told to failed: not remembered, so a later failure
    /// there is told again.
    Failed,
}

/// The counters of one device's ledger.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Failure events seen (see [`Ledger::event`]).
    pub events: Tally,
    /// Parts delivered, remembered or relayed.
    pub delivered: Tally,
    /// The part of `delivered` relayed, not remembered here.
    pub relayed: Tally,
    /// Parts answered from the ledger.
    pub absorbed: Tally,
    /// Parts left to the per-page path.
    pub fallback: Tally,
    /// Parts a holder failed.
    pub failed: Tally,
    /// Repairs (see [`Ledger::repair`]); bytes taken out of the set.
    pub repaired: Tally,
}

/// What [`Ledger::repair`] took out of the set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Bytes taken out of the set.
    pub removed: u64,
    /// More than the repaired range was taken out, for want of a node.
    pub widened: bool,
}

/// One device's failed ranges and what became of them.
///
/// For a failed range `r`: [`Ledger::event`] counts it and splits it into
/// [`Part::Known`] (already delivered) and [`Part::New`] parts; each known
/// part is recorded [`Outcome::Absorbed`], and each new part, once routed,
/// with its [`Outcome`]. [`Ledger::check`] then holds.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::ledger::{Ledger, Outcome, Part, VecStore};
/// use mfroute_route::route::range::ByteRange;
///
/// let mut ledger = Ledger::new(VecStore::new(8));
/// for r in [ByteRange::new(0, 8192)?, ByteRange::new(4096, 8192)?] {
///     let mut parts = Vec::new();
///     ledger.event(r, &mut |p| {
///         parts.push(p);
///         Ok(())
///     })?;
///     for p in parts {
///         match p {
///             Part::Known(r) => ledger.record(r, Outcome::Absorbed),
///             Part::New(r) => ledger.record(r, Outcome::Delivered),
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

impl<S: RangeStore> Ledger<S> {
    /// Creates an empty ledger over `store`.
    pub const fn new(store: S) -> Self {
        Self {
            set: RangeSet::new(store),
            counters: Counters {
                events: Tally::ZERO,
                delivered: Tally::ZERO,
                relayed: Tally::ZERO,
                absorbed: Tally::ZERO,
                fallback: Tally::ZERO,
                failed: Tally::ZERO,
                repaired: Tally::ZERO,
            },
        }
    }

    /// Returns the counters.
    pub const fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Returns the set of delivered ranges.
    pub fn delivered(&mut self) -> &mut RangeSet<S> {
        &mut self.set
    }

    /// Counts a failure event and splits it into known and new parts.
    pub fn event(
        &mut self,
        range: ByteRange,
        f: &mut dyn FnMut(Part) -> Result<(), RouteError>,
    ) -> Result<(), RouteError> {
        self.counters.events.add(range.len());
        self.set.split(range, f)
    }

    /// Counts a failure event settled whole, without being split: the
    /// caller found none of it delivered before, and records an outcome
    /// for all of it ([`Ledger::record`] takes a delivered range that
    /// another event delivered meanwhile as relayed).
    pub fn count_event(&mut self, range: ByteRange) {
        self.counters.events.add(range.len());
    }

    /// Records what became of one part of an event.
    ///
    /// Nothing is refused, so no byte goes unaccounted:
    ///
    /// - a [`Outcome::Delivered`] range that overlaps the set (delivered
    ///   meanwhile by another pass) or finds no node in the store is
    ///   counted relayed, delivered but not remembered: a repeat there is
    ///   told again, never lost;
    /// - an [`Outcome::Absorbed`] range is counted even when a repair took
    ///   it out of the set since [`Ledger::event`] split it: it was
    ///   absorbed then.
    pub fn record(&mut self, range: ByteRange, outcome: Outcome) {
        let len = range.len();
        match outcome {
            Outcome::Delivered => {
                if self.set.insert_new(range) != Ok(true) {
                    self.counters.relayed.add(len);
                }
                self.counters.delivered.add(len);
            }
            Outcome::Relayed => {
                self.counters.delivered.add(len);
                self.counters.relayed.add(len);
            }
            Outcome::Absorbed => self.counters.absorbed.add(len),
            Outcome::Fallback => self.counters.fallback.add(len),
            Outcome::Failed => self.counters.failed.add(len),
        }
    }

    /// Takes a repaired `range` out of the set.
    ///
    /// A later failure there is delivered again. When a delivered range
    /// would have to be split and the store has no node for it, the whole
    /// delivered ranges `range` touches are taken out instead
    /// ([`Repair::widened`]): failures in their still-bad rest are told
    /// again, none is absorbed without having been told.
    pub fn repair(&mut self, range: ByteRange) -> Result<Repair, RouteError> {
        let (removed, widened) = match self.set.remove(range) {
            Ok(removed) => (removed, false),
            Err(RouteError::NoSpace) => (self.set.forget(range)?, true),
            Err(e) => return Err(e),
        };
        if removed > 0 {
            self.counters.repaired.add(removed);
        }
        Ok(Repair { removed, widened })
    }

    /// Checks that every failed byte is accounted for exactly once.
    ///
    /// Holds between events: the bytes of events are the bytes delivered,
    /// absorbed, fallen back and failed, and the set holds exactly the
    /// delivered bytes neither relayed nor since repaired.
    pub fn check(&self) -> Result<(), RouteError> {
        let c = &self.counters;
        let outcomes = c
            .delivered
            .bytes
            .checked_add(c.absorbed.bytes)
            .and_then(|b| b.checked_add(c.fallback.bytes))
            .and_then(|b| b.checked_add(c.failed.bytes))
            .ok_or(RouteError::Overflow)?;
        let live = c
            .delivered
            .bytes
            .checked_sub(c.relayed.bytes)
            .and_then(|b| b.checked_sub(c.repaired.bytes))
            .ok_or(RouteError::Invalid)?;
        if outcomes != c.events.bytes || live != self.set.bytes() {
            return Err(RouteError::Invalid);
        }
        Ok(())
    }
}
