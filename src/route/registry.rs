// SPDX-License-Identifier: GPL-2.0

//! The holder registry: who wants to hear about failures in which ranges.
//!
//! A holder registers interest in a byte range of a device; a device may have
//! many holders and a holder many ranges, overlapping or not. A failed range
//! is delivered to every holder whose range it intersects, clipped to that
//! range. Entries live in caller-provided storage, sorted by device and
//! start, each carrying the largest end of its device's entries so far, so
//! a lookup is two binary searches plus the entries it reports (plus any
//! earlier entries nested inside a longer one).

use super::range::ByteRange;
use super::slots::Slots;
use super::translate::DeviceId;
use super::RouteError;

/// One registration.
///
/// # Invariants
///
/// Inside a [`Registry`], `reach` is the largest `range.end()` of this entry
/// and every earlier entry of the same device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Entry<H> {
    /// The device.
    dev: DeviceId,
    /// The range of interest, in the device's address space.
    range: ByteRange,
    /// The holder's key.
    holder: H,
    /// Largest end among this and the earlier entries of `dev`.
    reach: u64,
}

impl<H: Copy> Entry<H> {
    /// Returns the device.
    pub const fn dev(&self) -> DeviceId {
        self.dev
    }

    /// Returns the registered range.
    pub const fn range(&self) -> ByteRange {
        self.range
    }

    /// Returns the holder's key.
    pub const fn holder(&self) -> H {
        self.holder
    }
}

/// A set of registrations in fixed-capacity, caller-provided storage.
///
/// `H` is the holder's key (an index, a pointer value). The capacity is the
/// storage length; registering into a full registry is
/// [`RouteError::NoSpace`].
///
/// # Examples
///
/// ```
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::registry::{Entry, Registry};
/// use mfroute_route::route::translate::DeviceId;
///
/// let dev = DeviceId(7);
/// let mut reg = Registry::new([Entry::<u32>::default(); 4]);
/// reg.register(dev, ByteRange::new(0, 1 << 20)?, 1)?;
/// reg.register(dev, ByteRange::new(1 << 20, 1 << 20)?, 2)?;
/// let mut hits = [(0, 0); 2];
/// let n = reg.for_each(dev, ByteRange::new(0xff000, 0x2000)?, |e, r| {
///     hits[0] = hits[1];
///     hits[1] = (e.holder(), r.len());
///     Ok(())
/// })?;
/// assert_eq!((n, hits), (2, [(1, 0x1000), (2, 0x1000)]));
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub struct Registry<H, S> {
    /// The entries, in caller-provided storage.
    slots: Slots<Entry<H>, S>,
}

impl<H, S> Registry<H, S>
where
    H: Copy + PartialEq,
    S: AsRef<[Entry<H>]> + AsMut<[Entry<H>]>,
{
    /// Creates an empty registry over `storage`.
    pub const fn new(storage: S) -> Self {
        Self {
            slots: Slots::new(storage),
        }
    }

    /// Returns the entries, sorted by device and start.
    pub fn entries(&self) -> &[Entry<H>] {
        self.slots.as_slice()
    }

    /// Returns the number of registrations.
    pub const fn len(&self) -> usize {
        self.slots.len()
    }

    /// Returns whether there are no registrations.
    pub const fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Returns the maximum number of registrations.
    pub fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Registers `holder`'s interest in `range` of `dev`.
    ///
    /// The same (device, range, holder) twice is [`RouteError::Busy`].
    pub fn register(
        &mut self,
        dev: DeviceId,
        range: ByteRange,
        holder: H,
    ) -> Result<(), RouteError> {
        let key = (dev, range.start());
        let entries = self.entries();
        if entries
            .iter()
            .any(|e| e.dev == dev && e.range == range && e.holder == holder)
        {
            return Err(RouteError::Busy);
        }
        let at = entries.partition_point(|e| (e.dev, e.range.start()) <= key);
        let entry = Entry {
            dev,
            range,
            holder,
            reach: 0,
        };
        self.slots.splice(at..at, &[entry])?;
        self.fix_reach(at, false);
        Ok(())
    }

    /// Removes one registration; [`RouteError::NotFound`] if absent.
    pub fn unregister(
        &mut self,
        dev: DeviceId,
        range: ByteRange,
        holder: H,
    ) -> Result<(), RouteError> {
        let at = self
            .entries()
            .iter()
            .position(|e| e.dev == dev && e.range == range && e.holder == holder)
            .ok_or(RouteError::NotFound)?;
        let end = at.checked_add(1).ok_or(RouteError::Invalid)?;
        self.slots.splice(at..end, &[])?;
        self.fix_reach(at, false);
        Ok(())
    }

    /// Removes every registration matching `pred`, returning how many.
    pub fn remove_if(
        &mut self,
        mut pred: impl FnMut(&Entry<H>) -> bool,
    ) -> Result<usize, RouteError> {
        let removed = self.slots.retain(|e| !pred(e))?;
        self.fix_reach(0, true);
        Ok(removed)
    }

    /// Removes every registration of `holder`, returning how many.
    pub fn remove_holder(&mut self, holder: H) -> Result<usize, RouteError> {
        self.remove_if(|e| e.holder == holder)
    }

    /// Removes every registration on `dev`, returning how many.
    pub fn remove_device(&mut self, dev: DeviceId) -> Result<usize, RouteError> {
        self.remove_if(|e| e.dev == dev)
    }

    /// Recomputes `reach` from entry `from` on.
    ///
    /// Unless `whole` is set, stops at the first device change after `from`:
    /// later devices' entries moved but their `reach` does not depend on it.
    fn fix_reach(&mut self, from: usize, whole: bool) {
        let entries = self.slots.as_mut_slice();
        let mut prev = from
            .checked_sub(1)
            .and_then(|i| entries.get(i))
            .map(|e| (e.dev, e.reach));
        let Some(tail) = entries.get_mut(from..) else {
            return;
        };
        for (i, e) in tail.iter_mut().enumerate() {
            let reach = match prev {
                Some((dev, reach)) if dev == e.dev => reach.max(e.range.end()),
                _ if i > 0 && !whole => break,
                _ => e.range.end(),
            };
            e.reach = reach;
            prev = Some((e.dev, reach));
        }
    }

    /// Calls `f` for every registration on `dev` intersecting `range`.
    ///
    /// `f` receives the entry and the intersection, in the device's address
    /// space, in order of registration start. Returns the number of calls; an
    /// error from `f` stops the walk and is returned.
    pub fn for_each<F>(
        &self,
        dev: DeviceId,
        range: ByteRange,
        mut f: F,
    ) -> Result<usize, RouteError>
    where
        F: FnMut(&Entry<H>, ByteRange) -> Result<(), RouteError>,
    {
        let entries = self.entries();
        let lo = entries.partition_point(|e| e.dev < dev);
        let hi = entries
            .partition_point(|e| e.dev < dev || (e.dev == dev && e.range.start() < range.end()));
        let block = entries.get(lo..hi).unwrap_or(&[]);
        // `reach` only grows within a device: skip entries ending too early.
        let first = block.partition_point(|e| e.reach <= range.start());
        let mut calls = 0usize;
        for e in block.get(first..).unwrap_or(&[]) {
            if let Some(hit) = e.range.intersect(&range) {
                f(e, hit)?;
                calls = calls.checked_add(1).ok_or(RouteError::Overflow)?;
            }
        }
        Ok(calls)
    }
}
