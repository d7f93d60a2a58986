// SPDX-License-Identifier: GPL-2.0

//! The dm-striped translator: member bytes to dm device bytes.
//!
//! A striped target of `len` sectors over `N` stripes with a chunk of `C`
//! sectors (any positive size, power of two or not) cuts the target into
//! `len / C` chunks; dm chunk `k` lives on stripe `k % N` at member sector
//! `physical_start + (k / N) * C + o` for offset `o < C` in the chunk
//! (`stripe_map_sector()` in `drivers/md/dm-stripe.c`, which requires `len`
//! divisible by `N` and the per-stripe width `len / N` divisible by `C`).
//!
//! Inverting it for a failed member byte at `p` bytes into stripe `s`'s area:
//! row `j = p / Cb` (with `Cb = C * 512`), offset `o = p % Cb`, dm byte
//! `begin + (j * N + s) * Cb + o`. Consecutive rows of one stripe are `N`
//! chunks apart, so a member range maps to one dm range per chunk it touches
//! (one range in all when `N == 1`), each exact to the byte.

use super::range::{ByteRange, SectorRange, SECTOR_SIZE};
use super::translate::{DeviceId, Lower, Translate};
use super::RouteError;

/// One stripe of a striped target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stripe {
    /// The member device.
    pub member: DeviceId,
    /// First member sector of the stripe's area (`physical_start`).
    pub physical_start: u64,
}

/// One `striped` target of a dm table.
///
/// # Invariants
///
/// At least one stripe; `chunk > 0`; `span.len()` is a multiple of the
/// number of stripes and `width` of `chunk`; every stripe's area
/// `[physical_start * 512, physical_start * 512 + width)` fits in `u64`.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::sink::Counter;
/// use mfroute_route::route::striped::{Stripe, Striped};
/// use mfroute_route::route::translate::{translate, DeviceId, Mode};
///
/// let m = |i| Stripe { member: DeviceId(i), physical_start: 0 };
/// // 4 stripes, 2 MiB (4096-sector) chunks, 64 MiB target.
/// let t = Striped::new(0, 131072, 4096, [m(0), m(1), m(2), m(3)])?;
/// let mut count = Counter::default();
/// // The first 8 MiB of member 1 back dm chunks 1, 5, 9 and 13.
/// translate(&t, DeviceId(1), ByteRange::new(0, 8 << 20)?, Mode::Poison, &mut count)?;
/// assert_eq!((count.ranges, count.bytes), (4, 8 << 20));
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Striped<S> {
    /// The dm bytes of the target.
    span: ByteRange,
    /// Chunk size in bytes.
    chunk: u64,
    /// Bytes of each stripe's area (`len / N` sectors).
    width: u64,
    /// Number of stripes, `N`.
    nr: u64,
    /// The stripes, in table order.
    stripes: S,
}

impl<S: AsRef<[Stripe]>> Striped<S> {
    /// Validates a striped target of `len` sectors at dm sector `begin`.
    ///
    /// `chunk` is in sectors. Returns [`RouteError::Invalid`] for a geometry
    /// dm-stripe would reject and the range errors for overflow.
    pub fn new(begin: u64, len: u64, chunk: u64, stripes: S) -> Result<Self, RouteError> {
        let nr = u64::try_from(stripes.as_ref().len()).map_err(|_| RouteError::Invalid)?;
        let (width, spare) = div_rem(len, nr)?;
        if spare != 0 || div_rem(width, chunk)?.1 != 0 {
            return Err(RouteError::Invalid);
        }
        let span = SectorRange::new(begin, len)?.to_bytes()?;
        let chunk = SectorRange::new(0, chunk)?.to_bytes()?.len();
        let width = div_rem(span.len(), nr)?.0;
        for s in stripes.as_ref() {
            SectorRange::new(s.physical_start, 1)?
                .to_bytes()?
                .start()
                .checked_add(width)
                .ok_or(RouteError::Overflow)?;
        }
        Ok(Self {
            span,
            chunk,
            width,
            nr,
            stripes,
        })
    }

    /// Returns the target as a dm byte range.
    pub const fn span(&self) -> ByteRange {
        self.span
    }

    /// Returns the stripes.
    pub fn stripes(&self) -> &[Stripe] {
        self.stripes.as_ref()
    }

    /// Returns the first failed dm range on stripe `s` at or after `pos`.
    ///
    /// `k0` is the dm chunk holding `pos` and `within` the offset of `pos`
    /// in it, both relative to the target.
    fn next_on(
        &self,
        s: u64,
        stripe: &Stripe,
        k0: u64,
        within: u64,
        lower: &mut dyn Lower,
    ) -> Result<Option<ByteRange>, RouteError> {
        let overflow = RouteError::Overflow;
        let (row0, col0) = div_rem(k0, self.nr)?;
        // Chunks of this stripe before `k0` are behind us; in `k0` itself
        // start at `pos`; after it, at the chunk start.
        let (row, skip) = match s.cmp(&col0) {
            core::cmp::Ordering::Less => (row0.checked_add(1).ok_or(overflow)?, 0),
            core::cmp::Ordering::Equal => (row0, within),
            core::cmp::Ordering::Greater => (row0, 0),
        };
        let area = stripe
            .physical_start
            .checked_mul(SECTOR_SIZE)
            .ok_or(overflow)?;
        let area = ByteRange::new(area, self.width)?;
        let from = row
            .checked_mul(self.chunk)
            .and_then(|b| b.checked_add(skip))
            .and_then(|b| b.checked_add(area.start()))
            .ok_or(overflow)?;
        if from >= area.end() {
            return Ok(None);
        }
        let Some(failed) = lower.next(stripe.member, from)? else {
            return Ok(None);
        };
        let Some(hit) = failed.intersect(&area) else {
            return Ok(None);
        };
        // Keep to the chunk holding the first failed byte.
        let p = hit.checked_sub(area.start())?;
        let row = div_rem(p.start(), self.chunk)?.0;
        let row_end = row.checked_add(1).and_then(|r| r.checked_mul(self.chunk));
        let p = p
            .clip(row_end.ok_or(overflow)?)
            .ok_or(RouteError::Invalid)?;
        let k = row
            .checked_mul(self.nr)
            .and_then(|c| c.checked_add(s))
            .ok_or(overflow)?;
        let chunk_start = k
            .checked_mul(self.chunk)
            .and_then(|b| b.checked_add(self.span.start()))
            .ok_or(overflow)?;
        // `p` is relative to the row start; move it to the dm chunk start.
        let in_row = p.checked_sub(row.checked_mul(self.chunk).ok_or(overflow)?)?;
        Ok(Some(in_row.checked_add(chunk_start)?))
    }
}

impl<S: AsRef<[Stripe]>> Translate for Striped<S> {
    fn next_upper(&self, pos: u64, lower: &mut dyn Lower) -> Result<Option<ByteRange>, RouteError> {
        if pos >= self.span.end() {
            return Ok(None);
        }
        let rel = pos.saturating_sub(self.span.start());
        let (k0, within) = div_rem(rel, self.chunk)?;
        let mut best: Option<ByteRange> = None;
        for (s, stripe) in self.stripes.as_ref().iter().enumerate() {
            let s = u64::try_from(s).map_err(|_| RouteError::Invalid)?;
            let Some(hit) = self.next_on(s, stripe, k0, within, lower)? else {
                continue;
            };
            if best.map_or(true, |b| hit.start() < b.start()) {
                best = Some(hit);
                if hit.start() == pos {
                    // Nothing can start earlier.
                    break;
                }
            }
        }
        Ok(best)
    }
}

/// Returns `a / b` and `a % b`; [`RouteError::Invalid`] if `b` is zero.
fn div_rem(a: u64, b: u64) -> Result<(u64, u64), RouteError> {
    match (a.checked_div(b), a.checked_rem(b)) {
        (Some(q), Some(r)) => Ok((q, r)),
        _ => Err(RouteError::Invalid),
    }
}
