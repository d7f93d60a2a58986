// SPDX-License-Identifier: GPL-2.0

//! Range arithmetic and sinks against bitmask models.

use proptest::prelude::*;

use mfroute_route::route::range::{ByteRange, PfnRange, SectorRange};
use mfroute_route::route::sink::{BoundedSink, Coalesce, FnSink, Sink};
use mfroute_route::route::RouteError;

use super::model::merge_sorted;

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

    /// Coalescing sorted ranges equals merging them in the model.
    #[test]
    fn coalesce_merges(parts in prop::collection::vec((0u64..8, 1u64..8), 0..20)) {
        let mut pos = 0;
        let mut input = Vec::new();
        for (gap, len) in parts {
            // Allow overlap with the previous range too.
            let start = (pos + gap).saturating_sub(4);
            let start = start.max(input.last().map_or(0, |r: &ByteRange| r.start()));
            input.push(ByteRange::new(start, len).unwrap());
            pos = pos.max(start + len);
        }
        let mut got = Vec::new();
        {
            let mut sink = Coalesce::new(FnSink(|r| {
                got.push(r);
                Ok(())
            }));
            for r in &input {
                sink.push(*r).unwrap();
            }
            sink.finish().unwrap();
        }
        prop_assert_eq!(got, merge_sorted(input));
    }
}

/// Out-of-order input to the coalescer is an error, not silent disorder.
#[test]
fn coalesce_rejects_disorder() {
    let mut sink = Coalesce::new(FnSink(|_| Ok(())));
    sink.push(ByteRange::new(100, 1).unwrap()).unwrap();
    assert_eq!(
        sink.push(ByteRange::new(0, 1).unwrap()),
        Err(RouteError::Invalid)
    );
}

/// A bounded sink fills up and then refuses, keeping what it had.
#[test]
fn bounded_sink_refuses_when_full() {
    let mut sink = BoundedSink::new(vec![ByteRange::FILLER; 3]);
    for i in 0..3 {
        sink.push(ByteRange::new(i * 10, 1).unwrap()).unwrap();
    }
    assert_eq!(
        sink.push(ByteRange::new(99, 1).unwrap()),
        Err(RouteError::NoSpace)
    );
    assert_eq!(sink.len(), 3);
    assert_eq!(sink.as_slice()[2], ByteRange::new(20, 1).unwrap());
    sink.clear();
    assert!(sink.is_empty());
    let mut empty = BoundedSink::new([ByteRange::FILLER; 0]);
    assert_eq!(empty.push(ByteRange::FILLER), Err(RouteError::NoSpace));
}

/// Errors map to the documented errnos.
#[test]
fn errnos() {
    assert_eq!(RouteError::Invalid.errno(), 22);
    assert_eq!(RouteError::ZeroLength.errno(), 22);
    assert_eq!(RouteError::OutOfRange.errno(), 6);
    assert_eq!(RouteError::Metadata.errno(), 95);
    assert_eq!(RouteError::NoSpace.errno(), 28);
    assert_eq!(RouteError::Overflow.errno(), 75);
    assert_eq!(RouteError::Busy.errno(), 16);
    assert_eq!(RouteError::NotFound.errno(), 2);
}
