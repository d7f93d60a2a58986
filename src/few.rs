// SPDX-License-Identifier: GPL-2.0

//! A list that holds its first element without allocating.
//!
//! Most routing passes deal with one part, one piece taken and one device,
//! and on the sanitizer kernel every allocation costs more than the rest
//! of a one-page pass: [`Few`] allocates only from its second element on.

use kernel::alloc::AllocError;
use kernel::prelude::*;

/// A list of `T`, its first element held inline.
pub(crate) enum Few<T> {
    /// No element.
    Empty,
    /// One element, not allocated.
    One(T),
    /// Two or more, in a vector.
    Many(KVec<T>),
}

impl<T> Few<T> {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        Self::Empty
    }

    /// Appends `t`; fails, changing nothing, when it needs memory it
    /// cannot get.
    pub(crate) fn push(&mut self, t: T) -> Result<(), AllocError> {
        match self {
            Self::Empty => *self = Self::One(t),
            Self::Many(v) => v.push(t, GFP_KERNEL)?,
            Self::One(_) => {
                let mut v = KVec::with_capacity(4, GFP_KERNEL)?;
                if let Self::One(first) = core::mem::replace(self, Self::Empty) {
                    // Within the capacity just allocated: cannot fail.
                    v.push(first, GFP_KERNEL)?;
                }
                v.push(t, GFP_KERNEL)?;
                *self = Self::Many(v);
            }
        }
        Ok(())
    }

    /// Returns the elements, in order.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match self {
            Self::Empty => &mut [],
            Self::One(t) => core::slice::from_mut(t),
            Self::Many(v) => v.as_mut_slice(),
        }
    }

    /// Returns the elements, in order.
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Self::Empty => &[],
            Self::One(t) => core::slice::from_ref(t),
            Self::Many(v) => v.as_slice(),
        }
    }
}
