// SPDX-License-Identifier: GPL-2.0

//! The range set and the ledger against bitmask models.

use proptest::prelude::*;

use mfroute_route::route::ledger::{Ledger, Outcome, Part, RangeSet};
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::RouteError;

/// The bytes of a set of ranges below 128 as a bitmask.
fn mask(ranges: &[ByteRange]) -> u128 {
    ranges
        .iter()
        .fold(0, |m, r| (r.start()..r.end()).fold(m, |m, b| m | 1 << b))
}

/// A range inside `[0, 128)`.
fn small() -> impl Strategy<Value = ByteRange> {
    (0u64..127)
        .prop_flat_map(|s| (Just(s), 1..=(128 - s).min(24)))
        .prop_map(|(s, l)| ByteRange::new(s, l).unwrap())
}

/// The number of maximal runs of set bits: the ranges a mask needs.
fn runs(m: u128) -> usize {
    (m & !(m << 1)).count_ones() as usize
}

/// Asserts the set's invariant: sorted with gaps, matching `model`.
fn assert_set<S: AsRef<[ByteRange]> + AsMut<[ByteRange]>>(set: &RangeSet<S>, model: u128) {
    let s = set.as_slice();
    assert!(s.windows(2).all(|w| w[0].end() < w[1].start()), "{s:?}");
    assert_eq!(mask(s), model);
    assert_eq!(set.bytes(), Ok(u64::from(model.count_ones())));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Insert and remove match a bitmask; a full set refuses atomically.
    #[test]
    fn range_set_matches_mask(
        ops in prop::collection::vec((any::<bool>(), small()), 1..30),
        cap in 0usize..6,
    ) {
        let mut set = RangeSet::new(vec![ByteRange::FILLER; cap]);
        let mut model = 0u128;
        for (insert, r) in ops {
            let m = mask(&[r]);
            let next = if insert { model | m } else { model & !m };
            let res = if insert { set.insert(r).map(|_| 0) } else { set.remove(r) };
            if runs(next) > cap {
                prop_assert_eq!(res, Err(RouteError::NoSpace));
            } else {
                let removed = if insert { 0 } else { u64::from((model & m).count_ones()) };
                prop_assert_eq!(res, Ok(removed));
                model = next;
            }
            assert_set(&set, model);
            prop_assert_eq!(set.contains(r), model & m == m);
            prop_assert_eq!(set.overlaps(r), model & m != 0);
        }
    }

    /// Following the protocol, every failed byte is accounted for once.
    #[test]
    fn ledger_accounts_every_byte(
        ops in prop::collection::vec((0u8..4, small()), 1..30),
        cap in 1usize..6,
    ) {
        let mut ledger = Ledger::new(vec![ByteRange::FILLER; cap]);
        let mut delivered = 0u128;
        let (mut absorbed, mut fallback, mut relayed) = (0u64, 0u64, 0u64);
        for (kind, r) in ops {
            if kind == 0 {
                let removed = ledger.repair(r);
                if let Ok(n) = removed {
                    prop_assert_eq!(n, u64::from((delivered & mask(&[r])).count_ones()));
                    delivered &= !mask(&[r]);
                }
                ledger.check().unwrap();
                continue;
            }
            let mut parts = Vec::new();
            ledger.event(r, &mut |p| { parts.push(p); Ok(()) }).unwrap();
            // Parts tile the event in order.
            let tiles: Vec<ByteRange> =
                parts.iter().map(|p| match p { Part::Known(r) | Part::New(r) => *r }).collect();
            prop_assert!(tiles.windows(2).all(|w| w[0].end() == w[1].start()));
            prop_assert_eq!(mask(&tiles), mask(&[r]));
            for p in parts {
                match p {
                    Part::Known(k) => {
                        prop_assert_eq!(delivered & mask(&[k]), mask(&[k]));
                        ledger.record(k, Outcome::Absorbed).unwrap();
                        absorbed += k.len();
                    }
                    Part::New(n) => {
                        prop_assert_eq!(delivered & mask(&[n]), 0);
                        // Recording twice, or absorbing new bytes, is refused.
                        prop_assert_eq!(ledger.record(n, Outcome::Absorbed), Err(RouteError::Invalid));
                        // Vary the outcome: relayed (counted, not remembered),
                        // delivered then retracted (declined: fallback), delivered.
                        if n.start() % 3 == 1 {
                            ledger.record(n, Outcome::Relayed).unwrap();
                            relayed += n.len();
                            continue;
                        }
                        match ledger.record(n, Outcome::Delivered) {
                            Ok(()) if n.start() % 3 == 2 => match ledger.retract(n) {
                                Ok(()) => fallback += n.len(),
                                // Taking it out would split a full set: it stays.
                                Err(RouteError::NoSpace) => delivered |= mask(&[n]),
                                Err(e) => prop_assert!(false, "unexpected {:?}", e),
                            },
                            Ok(()) => {
                                delivered |= mask(&[n]);
                                prop_assert_eq!(
                                    ledger.record(n, Outcome::Delivered),
                                    Err(RouteError::Invalid)
                                );
                            }
                            Err(RouteError::NoSpace) => {
                                ledger.record(n, Outcome::Fallback).unwrap();
                                fallback += n.len();
                            }
                            Err(e) => prop_assert!(false, "unexpected {:?}", e),
                        }
                    }
                }
            }
            ledger.check().unwrap();
        }
        let c = ledger.counters();
        prop_assert_eq!(c.absorbed.bytes, absorbed);
        prop_assert_eq!(c.fallback.bytes, fallback);
        prop_assert_eq!(c.relayed.bytes, relayed);
        prop_assert_eq!(mask(ledger.delivered().as_slice()), delivered);
    }
}

/// The invariant check notices a missing outcome.
#[test]
fn check_catches_unaccounted_bytes() {
    let mut ledger = Ledger::new([ByteRange::FILLER; 2]);
    ledger
        .event(ByteRange::new(0, 10).unwrap(), &mut |_| Ok(()))
        .unwrap();
    assert_eq!(ledger.check(), Err(RouteError::Invalid));
    ledger
        .record(ByteRange::new(0, 10).unwrap(), Outcome::Fallback)
        .unwrap();
    assert_eq!(ledger.check(), Ok(()));
    ledger.error(ByteRange::new(0, 10).unwrap()).unwrap();
    assert_eq!(ledger.counters().errors.ranges, 1);
}
