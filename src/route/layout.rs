// SPDX-License-Identifier: GPL-2.0

//! Device-mapper target layouts: member bytes to mapped-device bytes.
//!
//! dm reports, for each device a linear or striped target uses, how the
//! target's sectors lie on it (`struct dm_layout`, from the target's
//! `->iterate_layouts()`). A [`Layout`] inverts that mapping: it cuts a range
//! of member bytes into *pieces*, each a contiguous run of member bytes
//! backing a contiguous run of mapped-device bytes, so that what a holder
//! of the mapped device is told, or takes, can be carried back to the
//! member.
//!
//! dm-linear maps target sector `t` to member sector `dev_start + t`
//! (`linear_map_sector()`). dm-striped cuts the target into chunks of `c`
//! sectors dealt round `n` stripes: target sector `t` is in chunk `t / c`,
//! which lies on stripe `(t / c) % n` in that stripe's row `(t / c) / n`,
//! at member sector `dev_start + row * c + t % c` (`stripe_map_sector()`).
//! A linear layout is a striped one with one stripe and one chunk.

use super::range::{ByteRange, SECTOR_SIZE};
use super::RouteError;

/// How a target lays its sectors out on one member, in 512-byte sectors.
///
/// # Invariants
///
/// `len` is a positive multiple of `stripes`; for a striped layout the
/// member's share `len / stripes` is a multiple of `chunk`; `stripe` is
/// below `stripes`; every byte offset derived below fits in `u64`.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::layout::Layout;
/// use mfroute_route::route::range::ByteRange;
///
/// // Stripe 1 of 2, 64 KiB chunks, member data from sector 0: member chunk
/// // 0 is target chunk 1, member chunk 1 is target chunk 3.
/// let layout = Layout::striped(0, 1024, 0, 128, 2, 1)?;
/// let mut pieces = Vec::new();
/// layout.for_each_piece(ByteRange::new(60 << 10, 8 << 10)?, &mut |m, u| {
///     pieces.push((m, u));
///     Ok(())
/// })?;
/// assert_eq!(pieces, [
///     (ByteRange::new(60 << 10, 4 << 10)?, ByteRange::new(124 << 10, 4 << 10)?),
///     (ByteRange::new(64 << 10, 4 << 10)?, ByteRange::new(192 << 10, 4 << 10)?),
/// ]);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// First byte of the target in the mapped device.
    begin: u64,
    /// The member bytes the target uses.
    window: ByteRange,
    /// Bytes per chunk; the member's whole share for a linear layout.
    chunk: u64,
    /// Number of stripes.
    stripes: u64,
    /// Which stripe the member is.
    stripe: u64,
}

impl Layout {
    /// A linear target of `len` sectors at `begin`, its data on the member
    /// from sector `dev_start`.
    pub fn linear(begin: u64, len: u64, dev_start: u64) -> Result<Self, RouteError> {
        Self::new(begin, len, dev_start, 0, 1, 0)
    }

    /// A striped target of `len` sectors at `begin` with `stripes` stripes
    /// of `chunk`-sector chunks, the member being stripe `stripe` with its
    /// data from sector `dev_start`.
    pub fn striped(
        begin: u64,
        len: u64,
        dev_start: u64,
        chunk: u64,
        stripes: u64,
        stripe: u64,
    ) -> Result<Self, RouteError> {
        if chunk == 0 {
            return Err(RouteError::Invalid);
        }
        Self::new(begin, len, dev_start, chunk, stripes, stripe)
    }

    /// Validates a layout as `struct dm_layout` reports it (`chunk` 0:
    /// linear, with one stripe).
    pub fn new(
        begin: u64,
        len: u64,
        dev_start: u64,
        chunk: u64,
        stripes: u64,
        stripe: u64,
    ) -> Result<Self, RouteError> {
        if len == 0 {
            return Err(RouteError::ZeroLength);
        }
        if stripes == 0 || stripe >= stripes || (chunk == 0 && stripes != 1) {
            return Err(RouteError::Invalid);
        }
        let whole = |a: u64, b: u64| a.checked_rem(b).is_some_and(|r| r == 0);
        if !whole(len, stripes) {
            return Err(RouteError::Invalid);
        }
        let share = len.checked_div(stripes).ok_or(RouteError::Invalid)?;
        let chunk = if chunk == 0 { share } else { chunk };
        if !whole(share, chunk) {
            return Err(RouteError::Invalid);
        }
        let bytes = |sectors: u64| sectors.checked_mul(SECTOR_SIZE).ok_or(RouteError::Overflow);
        let begin = bytes(begin)?;
        // The end of the target in the mapped device must fit too.
        begin.checked_add(bytes(len)?).ok_or(RouteError::Overflow)?;
        Ok(Self {
            begin,
            window: ByteRange::new(bytes(dev_start)?, bytes(share)?)?,
            chunk: bytes(chunk)?,
            stripes,
            stripe,
        })
    }

    /// Returns the member bytes the target uses.
    pub const fn window(&self) -> ByteRange {
        self.window
    }

    /// Returns the mapped-device byte backed by member byte `m` of the
    /// window.
    fn upper(&self, m: u64) -> Result<u64, RouteError> {
        // Every offset below is bounded by the target's end, checked in
        // `new`; checked arithmetic anyway, as the values come from C.
        let rel = m
            .checked_sub(self.window.start())
            .ok_or(RouteError::Invalid)?;
        let row = rel.checked_div(self.chunk).ok_or(RouteError::Invalid)?;
        let off = rel.checked_rem(self.chunk).ok_or(RouteError::Invalid)?;
        row.checked_mul(self.stripes)
            .and_then(|c| c.checked_add(self.stripe))
            .and_then(|c| c.checked_mul(self.chunk))
            .and_then(|t| t.checked_add(off))
            .and_then(|t| t.checked_add(self.begin))
            .ok_or(RouteError::Overflow)
    }

    /// Calls `f(member, upper)` for each piece of member bytes `range`
    /// that the target maps, in member order.
    ///
    /// A piece is a maximal run of member bytes backing a contiguous run
    /// of mapped-device bytes: one per chunk for a striped layout with
    /// several stripes, one in all for a linear one. Bytes outside the
    /// window map to nothing. The work is one step per piece.
    pub fn for_each_piece<E: From<RouteError>>(
        &self,
        range: ByteRange,
        f: &mut dyn FnMut(ByteRange, ByteRange) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(hit) = range.intersect(&self.window) else {
            return Ok(());
        };
        if self.stripes == 1 {
            // One stripe: consecutive chunks are consecutive in the target.
            return f(hit, ByteRange::new(self.upper(hit.start())?, hit.len())?);
        }
        let step = self.chunk;
        let mut pos = hit.start();
        while pos < hit.end() {
            let rel = pos
                .checked_sub(self.window.start())
                .ok_or(RouteError::Invalid)?;
            let chunk_end = rel
                .checked_div(step)
                .and_then(|n| n.checked_add(1))
                .and_then(|n| n.checked_mul(step))
                .and_then(|e| e.checked_add(self.window.start()))
                .ok_or(RouteError::Overflow)?;
            let end = chunk_end.min(hit.end());
            let member = ByteRange::from_bounds(pos, end)?;
            let upper = ByteRange::new(self.upper(pos)?, member.len())?;
            f(member, upper)?;
            pos = end;
        }
        Ok(())
    }

    /// Returns the mapped-device bytes from the first to the last byte that
    /// member bytes `range` back, or `None` if the target maps none of them.
    ///
    /// For a removal, which may cover healthy data: one range per target,
    /// whatever the number of chunks.
    pub fn cover(&self, range: ByteRange) -> Result<Option<ByteRange>, RouteError> {
        let Some(hit) = range.intersect(&self.window) else {
            return Ok(None);
        };
        if self.stripes == 1 {
            return Ok(Some(ByteRange::new(self.upper(hit.start())?, hit.len())?));
        }
        // Striped: the first chunk's first byte, the last chunk's last.
        let first = self.upper(hit.start())?;
        let last = self.upper(hit.last())?;
        Ok(Some(ByteRange::from_bounds(
            first,
            last.checked_add(1).ok_or(RouteError::Overflow)?,
        )?))
    }
}
