// SPDX-License-Identifier: GPL-2.0

//! Fixed-capacity lists in caller-provided storage.
//!
//! [`Slots`] is the storage-plus-length pair behind the ledger's range set,
//! the holder registry and the bounded sink: the first `len` slots of the
//! storage are in use, the rest are spare, and the storage length is the
//! capacity. An operation that would need more slots than that returns
//! [`RouteError::NoSpace`] and changes nothing.

use core::marker::PhantomData;
use core::ops::Range;

use super::RouteError;

/// A list of `T` in the front of caller-provided storage `S`.
///
/// # Invariants
///
/// `len` is at most the storage length.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::slots::Slots;
/// use mfroute_route::route::RouteError;
///
/// let mut slots = Slots::new([0u32; 4]);
/// slots.push(1)?;
/// slots.push(4)?;
/// slots.splice(1..1, &[2, 3])?;
/// assert_eq!(slots.as_slice(), &[1, 2, 3, 4]);
/// assert_eq!(slots.push(5), Err(RouteError::NoSpace));
/// slots.splice(0..2, &[])?;
/// assert_eq!(slots.retain(|&x| x > 3)?, 1);
/// assert_eq!(slots.as_slice(), &[4]);
/// assert_eq!((slots.len(), slots.capacity()), (1, 4));
/// # Ok::<(), RouteError>(())
/// ```
pub struct Slots<T, S> {
    /// Backing storage; its length is the capacity.
    storage: S,
    /// Number of slots in use, at the front of `storage`.
    len: usize,
    /// Ties `T` to the storage type.
    _item: PhantomData<T>,
}

impl<T, S> Slots<T, S> {
    /// Creates an empty list over `storage`.
    pub const fn new(storage: S) -> Self {
        Self {
            storage,
            len: 0,
            _item: PhantomData,
        }
    }

    /// Returns the number of slots in use.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Returns whether no slot is in use.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets all items, keeping the storage.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Returns the storage.
    pub fn into_inner(self) -> S {
        self.storage
    }
}

impl<T, S: AsRef<[T]> + AsMut<[T]>> Slots<T, S> {
    /// Returns the items in use.
    pub fn as_slice(&self) -> &[T] {
        self.storage.as_ref().get(..self.len).unwrap_or(&[])
    }

    /// Returns the items in use, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.storage.as_mut().get_mut(..self.len).unwrap_or(&mut [])
    }

    /// Returns the maximum number of items.
    pub fn capacity(&self) -> usize {
        self.storage.as_ref().len()
    }

    /// Appends `item`; [`RouteError::NoSpace`] if the list is full.
    pub fn push(&mut self, item: T) -> Result<(), RouteError> {
        let slot = self
            .storage
            .as_mut()
            .get_mut(self.len)
            .ok_or(RouteError::NoSpace)?;
        *slot = item;
        self.len = self.len.checked_add(1).ok_or(RouteError::NoSpace)?;
        Ok(())
    }

    /// Replaces the items at `range` by `items`, moving the later ones.
    ///
    /// Returns [`RouteError::Invalid`] if `range` is not within the items in
    /// use and [`RouteError::NoSpace`] if the result would not fit; on error
    /// nothing changes. The cost is O(`len - range.start`).
    pub fn splice(&mut self, range: Range<usize>, items: &[T]) -> Result<(), RouteError>
    where
        T: Copy,
    {
        let Range { start, end } = range;
        let len = self.len;
        if end > len {
            return Err(RouteError::Invalid);
        }
        let gone = end.checked_sub(start).ok_or(RouteError::Invalid)?;
        let added = items.len();
        let new_len = len
            .checked_sub(gone)
            .and_then(|n| n.checked_add(added))
            .ok_or(RouteError::NoSpace)?;
        let window = self
            .storage
            .as_mut()
            .get_mut(start..new_len.max(len))
            .ok_or(RouteError::NoSpace)?;
        // Move the items after `range` to just after where `items` go.
        let shift = added.abs_diff(gone);
        if added >= gone {
            window.rotate_right(shift);
        } else {
            window.rotate_left(shift);
        }
        for (slot, item) in window.iter_mut().zip(items) {
            *slot = *item;
        }
        self.len = new_len;
        Ok(())
    }

    /// Keeps only the items for which `keep` is true, in order.
    ///
    /// Returns how many items were dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) -> Result<usize, RouteError>
    where
        T: Copy,
    {
        let items = self.as_mut_slice();
        let mut kept = 0usize;
        for i in 0..items.len() {
            let Some(&item) = items.get(i) else { break };
            if !keep(&item) {
                continue;
            }
            if let Some(slot) = items.get_mut(kept) {
                *slot = item;
            }
            kept = kept.checked_add(1).ok_or(RouteError::Invalid)?;
        }
        let dropped = self.len.checked_sub(kept).ok_or(RouteError::Invalid)?;
        self.len = kept;
        Ok(dropped)
    }
}
