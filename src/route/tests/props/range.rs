// SPDX-License-Identifier: GPL-2.0

//! Range arithmetic against bitmask models.

use proptest::prelude::*;

use mfroute_route::route::range::{ByteRange, PfnRange, SectorRange};
use mfroute_route::route::RouteError;

/// The bytes of a range below 128 as a bitmask.
fn mask(r: Option<ByteRange>) -> u128 {
    r.map_or(0, |r| (r.start()..r.end()).fold(0, |m, b| m | 1 << b))
}

/// A range inside `[0, 128)`.
fn small() -> impl Strategy<Value = ByteRange> {
    (0u64..127)
        .prop_flat_map(|s| (Just(s), 1..=128 - s))
        .prop_map(|(s, l)| ByteRange::new(s, l).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Set operations agree with bitmasks.
    #[test]
    fn set_ops_match_masks(a in small(), b in small(), pos in 0u64..130, size in 0u64..130) {
        let (ma, mb) = (mask(Some(a)), mask(Some(b)));
        prop_assert_eq!(mask(a.intersect(&b)), ma & mb);
        prop_assert_eq!(a.overlaps(&b), ma & mb != 0);
        let adjacent = a.end() == b.start() || b.end() == a.start();
        match a.merge(&b) {
            Some(m) => prop_assert_eq!(mask(Some(m)), ma | mb),
            None => prop_assert!(ma & mb == 0 && !adjacent),
        }
        let (head, tail) = a.subtract(&b);
        prop_assert_eq!(mask(head) | mask(tail), ma & !mb);
        prop_assert!(head.is_none_or(|h| tail.is_none_or(|t| h.end() < t.start())));
        let (lo, hi) = a.split_at(pos);
        let below = if pos >= 128 { u128::MAX } else { (1u128 << pos) - 1 };
        prop_assert_eq!(mask(lo), ma & below);
        prop_assert_eq!(mask(hi), ma & !below);
        let in_dev = if size >= 128 { u128::MAX } else { (1u128 << size) - 1 };
        prop_assert_eq!(mask(a.clip(size)), ma & in_dev);
        prop_assert_eq!(mask(a.clip_from(pos)), ma & !below);
        prop_assert_eq!(a.contains_range(&b), ma & mb == mb);
        // What is returned is never empty: nothing is `None`.
        for part in [lo, hi, a.clip(size), a.clip_from(pos), a.intersect(&b), head, tail] {
            prop_assert!(part.is_none_or(|p| p.start() < p.end()));
        }
    }

    /// Bounds make a range only in order.
    #[test]
    fn from_bounds_checks(start in 0u64..200, end in 0u64..200) {
        match ByteRange::from_bounds(start, end) {
            Ok(r) => prop_assert_eq!((r.start(), r.end(), start < end), (start, end, true)),
            Err(RouteError::ZeroLength) => prop_assert_eq!(start, end),
            Err(RouteError::Invalid) => prop_assert!(end < start),
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }

    /// Moving a range shifts both bounds, or fails without wrapping.
    #[test]
    fn shifts(start in any::<u64>(), len in 1u64..1 << 20, delta in any::<u64>()) {
        let Ok(r) = ByteRange::new(start, len) else { return Ok(()) };
        match r.checked_add(delta) {
            Ok(m) => prop_assert_eq!((m.start(), m.len()), (start + delta, len)),
            Err(e) => {
                prop_assert_eq!(e, RouteError::Overflow);
                prop_assert!(r.end().checked_add(delta).is_none());
            }
        }
        match r.checked_sub(delta) {
            Ok(m) => prop_assert_eq!((m.start(), m.len()), (start - delta, len)),
            Err(e) => {
                prop_assert_eq!(e, RouteError::OutOfRange);
                prop_assert!(start < delta);
            }
        }
    }

    /// Alignment is of both bounds, to a power of two.
    #[test]
    fn alignment(start in 0u64..1 << 16, len in 1u64..1 << 16, shift in 0u32..70) {
        let r = ByteRange::new(start, len).unwrap();
        let want = shift < 64 && start % (1 << shift.min(63)) == 0
            && r.end() % (1 << shift.min(63)) == 0;
        prop_assert_eq!(r.is_aligned(shift), want);
    }

    /// Construction rejects zero length and overflow, never panics.
    #[test]
    fn new_checks(start in any::<u64>(), len in any::<u64>()) {
        match ByteRange::new(start, len) {
            Ok(r) => prop_assert_eq!((r.start(), r.len()), (start, len)),
            Err(RouteError::ZeroLength) => prop_assert_eq!(len, 0),
            Err(RouteError::Overflow) => prop_assert!(start.checked_add(len).is_none()),
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
        let sectors = SectorRange::new(start, len.max(1));
        if let Ok(s) = sectors {
            let fits = s.end().checked_mul(512).is_some();
            prop_assert_eq!(s.to_bytes().is_ok(), fits);
        }
    }

    /// Rounding to sectors and pages covers or stays within the bytes.
    #[test]
    fn rounding(start in 0u64..1 << 20, len in 1u64..1 << 16) {
        let b = ByteRange::new(start, len).unwrap();
        let out = SectorRange::covering(b).to_bytes().unwrap();
        prop_assert!(out.contains_range(&b) && out.len() < b.len() + 1024);
        if let Some(inner) = PfnRange::within(b) {
            let inner = inner.to_bytes().unwrap();
            prop_assert!(b.contains_range(&inner) && inner.is_aligned(12));
            prop_assert!(inner.len() + 8192 > b.len());
        } else {
            prop_assert!(b.len() < 8192);
        }
    }
}

/// Errors map to the documented errnos.
#[test]
fn errnos() {
    assert_eq!(RouteError::Invalid.errno(), 22);
    assert_eq!(RouteError::ZeroLength.errno(), 22);
    assert_eq!(RouteError::OutOfRange.errno(), 6);
    assert_eq!(RouteError::NoSpace.errno(), 12);
    assert_eq!(RouteError::Overflow.errno(), 75);
}

proptest! {
    /// The heapsort agrees with the standard sort.
    #[test]
    fn heapsort_sorts(mut v in prop::collection::vec(any::<u16>(), 0..200)) {
        let mut want = v.clone();
        want.sort();
        mfroute_route::route::sort::sort_by_key(&mut v, |x| *x);
        prop_assert_eq!(v, want);
    }
}
