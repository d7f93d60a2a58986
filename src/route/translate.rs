// SPDX-License-Identifier: GPL-2.0

//! The translator interface and the sweep that drives it.
//!
//! A translator maps failed bytes of its lower device(s) to the bytes of its
//! upper device that they back. Rather than pushing its output, a translator
//! answers one question, "what is the first failed upper range at or after
//! `pos`?", asking the lower side the same question in turn through
//! [`Lower`]. Driving that question from `pos = 0` upwards ([`sweep`])
//! yields the upper ranges in order with no buffering, however the lower
//! ranges are permuted (dm-linear tables may map a member in any order,
//! dm-striped interleaves chunks, stacked tables may fan in), which a
//! push-through pipeline could only achieve by sorting.

use super::range::ByteRange;
use super::sink::{Coalesce, Cover, Sink};
use super::RouteError;

/// Identifies a device in the routing graph (for example a `dev_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(pub u64);

impl DeviceId {
    /// The system physical address space, the lower side of every pmem device.
    pub const MEMORY: Self = Self(u64::MAX);
}

/// What kind of failure is being routed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Poisoned memory: report exactly the failed bytes, never healthy data.
    Poison,
    /// The device is going away (`MF_MEM_PRE_REMOVE`): one covering range per
    /// upper device is enough, and may include healthy data.
    PreRemove,
}

/// The failed bytes of the lower devices, as seen by a translator.
pub trait Lower {
    /// Returns the first failed range of `dev` ending after `pos`.
    ///
    /// The range is clipped to start at or after `pos`, every byte in it has
    /// failed, and no byte of `dev` in `[pos, start)` has. It need not be
    /// maximal: the byte just after it may have failed too.
    fn next(&mut self, dev: DeviceId, pos: u64) -> Result<Option<ByteRange>, RouteError>;
}

/// A mapping from lower device bytes to upper device bytes.
///
/// Implementations must make every upper byte depend on at most one lower
/// byte, as block remapping targets do.
pub trait Translate {
    /// Returns the first upper range at or after `pos` backed by failed bytes.
    ///
    /// The range starts at or after `pos`, lies inside the upper device, every
    /// byte of it is backed by a failed lower byte and no byte in
    /// `[pos, start)` is. It need not be maximal. The work done is bounded by
    /// the chunks or targets skipped, never by pages.
    fn next_upper(&self, pos: u64, lower: &mut dyn Lower) -> Result<Option<ByteRange>, RouteError>;
}

/// A [`Lower`] holding a single failed range on a single device.
#[derive(Clone, Copy, Debug)]
pub struct Single {
    /// The failing device.
    pub dev: DeviceId,
    /// The failed bytes, in `dev`'s address space.
    pub range: ByteRange,
}

impl Lower for Single {
    fn next(&mut self, dev: DeviceId, pos: u64) -> Result<Option<ByteRange>, RouteError> {
        Ok(if dev == self.dev {
            self.range.clip_from(pos)
        } else {
            None
        })
    }
}

/// Streams every failed upper range of `t` into `out`.
///
/// In [`Mode::Poison`] the output is sorted, non-overlapping and maximally
/// coalesced; in [`Mode::PreRemove`] it is at most one covering range.
pub fn sweep(
    t: &(impl Translate + ?Sized),
    lower: &mut dyn Lower,
    mode: Mode,
    out: &mut dyn Sink,
) -> Result<(), RouteError> {
    match mode {
        Mode::Poison => {
            let mut sink = Coalesce::new(out);
            walk(t, lower, &mut sink)?;
            sink.finish()
        }
        Mode::PreRemove => {
            let mut sink = Cover::new(out);
            walk(t, lower, &mut sink)?;
            sink.finish()
        }
    }
}

/// Pushes each range `t` yields, from position zero upwards.
fn walk(
    t: &(impl Translate + ?Sized),
    lower: &mut dyn Lower,
    out: &mut dyn Sink,
) -> Result<(), RouteError> {
    let mut pos = 0;
    while let Some(range) = t.next_upper(pos, lower)? {
        // A translator going backwards would loop for ever.
        if range.start() < pos {
            return Err(RouteError::Invalid);
        }
        out.push(range)?;
        pos = range.end();
    }
    Ok(())
}

/// Translates one failed range of device `dev` through `t` into `out`.
///
/// Output follows [`sweep`]: sorted and coalesced for poison, one cover for
/// pre-remove. Parts of `range` that `t` does not map produce nothing.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::partition::Partition;
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::{BoundedSink, Sink};
/// use mfroute_route::route::translate::{translate, DeviceId, Mode};
///
/// let disk = DeviceId(1);
/// // Partition starting at sector 2048, 1 MiB long.
/// let part = Partition::new(disk, 2048, 2048)?;
/// let mut out = BoundedSink::new([ByteRange::FILLER; 4]);
/// translate(&part, disk, ByteRange::new(2048 * 512 + 100, 50)?, Mode::Poison, &mut out)?;
/// assert_eq!(out.as_slice(), &[ByteRange::new(100, 50)?]);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub fn translate(
    t: &(impl Translate + ?Sized),
    dev: DeviceId,
    range: ByteRange,
    mode: Mode,
    out: &mut dyn Sink,
) -> Result<(), RouteError> {
    sweep(t, &mut Single { dev, range }, mode, out)
}
