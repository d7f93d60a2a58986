// SPDX-License-Identifier: GPL-2.0

//! Output sinks: where translators and chains stream the ranges they produce.
//!
//! A translation never buffers its output: each range goes straight to a
//! [`Sink`], which may deliver it to holders, count it, coalesce it or store
//! it in caller-provided, fixed-capacity storage. A full sink is an error,
//! never a silent truncation.

use super::range::ByteRange;
use super::slots::Slots;
use super::RouteError;

/// A consumer of byte ranges.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::{Counter, Sink};
///
/// let mut count = Counter::default();
/// count.push(ByteRange::new(0, 4096)?)?;
/// count.push(ByteRange::new(8192, 4096)?)?;
/// assert_eq!((count.ranges, count.bytes), (2, 8192));
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub trait Sink {
    /// Consumes one range; an error stops the producer, which returns it.
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError>;
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        (**self).push(range)
    }
}

/// A sink that calls a closure for each range.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::{FnSink, Sink};
///
/// let mut total = 0;
/// let mut sink = FnSink(|r: ByteRange| {
///     total += r.len();
///     Ok(())
/// });
/// sink.push(ByteRange::new(0, 10)?)?;
/// assert_eq!(total, 10);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub struct FnSink<F>(pub F);

impl<F: FnMut(ByteRange) -> Result<(), RouteError>> Sink for FnSink<F> {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        (self.0)(range)
    }
}

/// A sink that counts ranges and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    /// Number of ranges pushed.
    pub ranges: u64,
    /// Total bytes in the ranges pushed.
    pub bytes: u64,
}

impl Sink for Counter {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        let ranges = self.ranges.checked_add(1).ok_or(RouteError::Overflow)?;
        let bytes = self
            .bytes
            .checked_add(range.len())
            .ok_or(RouteError::Overflow)?;
        self.ranges = ranges;
        self.bytes = bytes;
        Ok(())
    }
}

/// A sink adapter that merges overlapping and adjacent ranges.
///
/// Input must arrive sorted by start; a range starting before the pending one
/// is [`RouteError::Invalid`]. The last range is held back until
/// [`Coalesce::finish`], which must be called once the producer is done.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::{Coalesce, Counter, Sink};
///
/// let mut out = Coalesce::new(Counter::default());
/// out.push(ByteRange::new(0, 512)?)?;
/// out.push(ByteRange::new(512, 512)?)?;
/// out.push(ByteRange::new(4096, 512)?)?;
/// out.finish()?;
/// assert_eq!(out.into_inner().ranges, 2);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub struct Coalesce<S> {
    /// Where merged ranges go.
    inner: S,
    /// The range being grown, not yet passed on.
    pending: Option<ByteRange>,
}

impl<S: Sink> Coalesce<S> {
    /// Creates an adapter passing merged ranges to `inner`.
    pub const fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }

    /// Passes the pending range on; call once after the last push.
    pub fn finish(&mut self) -> Result<(), RouteError> {
        match self.pending.take() {
            Some(range) => self.inner.push(range),
            None => Ok(()),
        }
    }

    /// Returns the wrapped sink, dropping any range not yet finished.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Sink> Sink for Coalesce<S> {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        let Some(pending) = self.pending else {
            self.pending = Some(range);
            return Ok(());
        };
        if range.start() < pending.start() {
            return Err(RouteError::Invalid);
        }
        if let Some(merged) = pending.merge(&range) {
            self.pending = Some(merged);
            return Ok(());
        }
        self.inner.push(pending)?;
        self.pending = Some(range);
        Ok(())
    }
}

/// A sink adapter that reduces its input to one covering range.
///
/// Used for `MF_MEM_PRE_REMOVE`, where widening is allowed and one range per
/// upper device is enough. [`Cover::finish`] passes the cover on.
pub struct Cover<S> {
    /// Where the cover goes.
    inner: S,
    /// Smallest range covering everything pushed so far.
    cover: Option<ByteRange>,
}

impl<S: Sink> Cover<S> {
    /// Creates an adapter passing one covering range to `inner`.
    pub const fn new(inner: S) -> Self {
        Self { inner, cover: None }
    }

    /// Passes the covering range on, if anything was pushed.
    pub fn finish(&mut self) -> Result<(), RouteError> {
        match self.cover.take() {
            Some(range) => self.inner.push(range),
            None => Ok(()),
        }
    }

    /// Returns the wrapped sink, dropping any cover not yet finished.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Sink> Sink for Cover<S> {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        self.cover = Some(match self.cover {
            None => range,
            Some(c) => {
                ByteRange::from_bounds(c.start().min(range.start()), c.end().max(range.end()))?
            }
        });
        Ok(())
    }
}

/// A sink that stores ranges in fixed-capacity, caller-provided storage.
///
/// The capacity is the length of the storage slice (a `KBox`-ed array in the
/// kernel, a `Vec` in tests). Pushing into a full sink returns
/// [`RouteError::NoSpace`] and stores nothing.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::{BoundedSink, Sink};
/// use mfroute_route::route::RouteError;
///
/// let mut sink = BoundedSink::new([ByteRange::FILLER; 1]);
/// sink.push(ByteRange::new(0, 1)?)?;
/// assert_eq!(sink.push(ByteRange::new(2, 1)?), Err(RouteError::NoSpace));
/// assert_eq!(sink.as_slice(), &[ByteRange::new(0, 1)?]);
/// # Ok::<(), RouteError>(())
/// ```
pub struct BoundedSink<St> {
    /// The ranges stored, in caller-provided storage.
    slots: Slots<ByteRange, St>,
}

impl<St: AsRef<[ByteRange]> + AsMut<[ByteRange]>> BoundedSink<St> {
    /// Creates an empty sink over `storage`.
    pub const fn new(storage: St) -> Self {
        Self {
            slots: Slots::new(storage),
        }
    }

    /// Returns the ranges stored so far.
    pub fn as_slice(&self) -> &[ByteRange] {
        self.slots.as_slice()
    }

    /// Returns the number of ranges stored.
    pub const fn len(&self) -> usize {
        self.slots.len()
    }

    /// Returns whether no range is stored.
    pub const fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Returns the maximum number of ranges the sink can hold.
    pub fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Forgets all stored ranges, keeping the storage.
    pub fn clear(&mut self) {
        self.slots.clear();
    }

    /// Returns the storage.
    pub fn into_inner(self) -> St {
        self.slots.into_inner()
    }
}

impl<St: AsRef<[ByteRange]> + AsMut<[ByteRange]>> Sink for BoundedSink<St> {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        self.slots.push(range)
    }
}
