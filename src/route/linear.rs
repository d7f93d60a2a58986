// SPDX-License-Identifier: GPL-2.0

//! The dm-linear translator: member bytes to dm device bytes.
//!
//! A linear target `(begin, len, member, offset)`, in sectors, maps dm sector
//! `begin + i` to member sector `offset + i` for `i < len`
//! (`linear_map_sector()` in `drivers/md/dm-linear.c`). Inverting it for a
//! failed member byte `b`: every target on that member whose window
//! `[offset, offset + len)` (in bytes) holds `b` yields dm byte
//! `begin + (b - offset)`. One member may back several targets, and one table
//! may concatenate several members.

use super::range::{ByteRange, SectorRange, SECTOR_SIZE};
use super::translate::{DeviceId, Lower, Translate};
use super::RouteError;

/// One `linear` target of a dm table, in 512-byte sectors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinearTarget {
    /// First dm sector of the target (`ti->begin`).
    pub begin: u64,
    /// Length in sectors (`ti->len`).
    pub len: u64,
    /// The member device.
    pub member: DeviceId,
    /// First member sector mapped (`lc->start`).
    pub offset: u64,
}

/// A target converted to bytes, validated.
#[derive(Clone, Copy, Debug)]
struct Window {
    /// The dm bytes of the target.
    upper: ByteRange,
    /// The member bytes it maps.
    lower: ByteRange,
}

impl LinearTarget {
    /// Converts the target to bytes, checking every bound.
    fn window(&self) -> Result<Window, RouteError> {
        Ok(Window {
            upper: SectorRange::new(self.begin, self.len)?.to_bytes()?,
            lower: SectorRange::new(self.offset, self.len)?.to_bytes()?,
        })
    }
}

/// The linear targets of one dm table.
///
/// Targets of other types (striped, error, zero) leave gaps; a striped target
/// of the same table is a separate [`super::striped::Striped`] translator
/// with the same upper device.
///
/// # Invariants
///
/// Every target converts to bytes without overflow, and the targets are
/// sorted by `begin` and do not overlap.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::linear::{Linear, LinearTarget};
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::{BoundedSink, Sink};
/// use mfroute_route::route::translate::{translate, DeviceId, Mode};
///
/// let (a, b) = (DeviceId(1), DeviceId(2));
/// // Concatenate 8 sectors of b and 8 sectors of a.
/// let table = Linear::new([
///     LinearTarget { begin: 0, len: 8, member: b, offset: 0 },
///     LinearTarget { begin: 8, len: 8, member: a, offset: 100 },
/// ])?;
/// let mut out = BoundedSink::new([ByteRange::FILLER; 2]);
/// let failed = ByteRange::new(100 * 512, 1024)?;
/// translate(&table, a, failed, Mode::Poison, &mut out)?;
/// assert_eq!(out.as_slice(), &[ByteRange::new(8 * 512, 1024)?]);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Linear<S> {
    /// The targets, sorted by `begin`.
    targets: S,
}

impl<S: AsRef<[LinearTarget]>> Linear<S> {
    /// Validates a table of linear targets sorted by `begin`.
    ///
    /// Returns [`RouteError::Invalid`] for unsorted or overlapping targets and
    /// the range errors for empty or overflowing ones.
    pub fn new(targets: S) -> Result<Self, RouteError> {
        let mut prev_end = 0;
        for t in targets.as_ref() {
            let w = t.window()?;
            if w.upper.start() < prev_end {
                return Err(RouteError::Invalid);
            }
            prev_end = w.upper.end();
        }
        Ok(Self { targets })
    }

    /// Returns the targets.
    pub fn targets(&self) -> &[LinearTarget] {
        self.targets.as_ref()
    }
}

impl<S: AsRef<[LinearTarget]>> Translate for Linear<S> {
    fn next_upper(&self, pos: u64, lower: &mut dyn Lower) -> Result<Option<ByteRange>, RouteError> {
        let targets = self.targets.as_ref();
        // Skip the targets ending at or before `pos` (they are sorted).
        let first = targets
            .partition_point(|t| t.begin.saturating_add(t.len).saturating_mul(SECTOR_SIZE) <= pos);
        for t in targets.get(first..).unwrap_or(&[]) {
            let w = t.window()?;
            let skip = pos.saturating_sub(w.upper.start());
            let from = w
                .lower
                .start()
                .checked_add(skip)
                .ok_or(RouteError::Overflow)?;
            if from >= w.lower.end() {
                continue;
            }
            let Some(failed) = lower.next(t.member, from)? else {
                continue;
            };
            if let Some(hit) = failed.intersect(&w.lower) {
                let hit = hit.checked_sub(w.lower.start())?;
                return Ok(Some(hit.checked_add(w.upper.start())?));
            }
        }
        Ok(None)
    }
}
