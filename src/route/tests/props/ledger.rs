// SPDX-License-Identifier: GPL-2.0

//! The range set and the ledger against bitmask models.

use proptest::prelude::*;

use mfroute_route::route::ledger::{Ledger, Outcome, Part, RangeSet, VecStore};
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
fn assert_set(set: &mut RangeSet<VecStore>, model: u128) {
    let s = set.ranges();
    assert!(s.windows(2).all(|w| w[0].end() < w[1].start()), "{s:?}");
    assert_eq!(mask(&s), model);
    assert_eq!(set.bytes(), u64::from(model.count_ones()));
    assert_eq!(set.len(), runs(model));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Insert and remove match a bitmask; out of nodes, they refuse
    /// without changing anything, and never when no node is needed.
    #[test]
    fn range_set_matches_mask(
        ops in prop::collection::vec((any::<bool>(), small(), 0usize..2), 1..30),
    ) {
        let mut set = RangeSet::new(VecStore::new(0));
        let mut model = 0u128;
        for (insert, r, give) in ops {
            set.store().reserve(give);
            let m = mask(&[r]);
            let before = set.ranges();
            if insert {
                // A range of its own is needed when nothing overlaps or touches.
                let touch = (m | m << 1 | m >> 1) & model != 0;
                match set.insert(r) {
                    Ok(()) => model |= m,
                    Err(RouteError::NoSpace) => {
                        prop_assert!(!touch);
                        prop_assert_eq!(set.ranges(), before);
                    }
                    Err(e) => prop_assert!(false, "insert: {:?}", e),
                }
            } else {
                match set.remove(r) {
                    Ok(n) => {
                        prop_assert_eq!(n, u64::from((model & m).count_ones()));
                        model &= !m;
                    }
                    Err(RouteError::NoSpace) => {
                        // Only splitting one range in two needs a node.
                        prop_assert_eq!(runs(model & !m), runs(model) + 1);
                        prop_assert_eq!(set.ranges(), before);
                    }
                    Err(e) => prop_assert!(false, "remove: {:?}", e),
                }
            }
            assert_set(&mut set, model);
        }
    }

    /// Split cuts a range into known and new parts exactly, in order.
    #[test]
    fn split_matches_mask(ins in prop::collection::vec(small(), 0..10), r in small()) {
        let mut set = RangeSet::new(VecStore::new(16));
        for i in &ins {
            set.insert(*i).unwrap();
        }
        let model = mask(&set.ranges());
        let mut parts = Vec::new();
        set.split(r, &mut |p| {
            parts.push(p);
            Ok(())
        })
        .unwrap();
        let mut pos = r.start();
        let (mut known, mut new) = (0u128, 0u128);
        for p in &parts {
            let (Part::Known(x) | Part::New(x)) = *p;
            prop_assert_eq!(x.start(), pos);
            pos = x.end();
            match p {
                Part::Known(x) => known |= mask(&[*x]),
                Part::New(x) => new |= mask(&[*x]),
            }
        }
        prop_assert_eq!(pos, r.end());
        prop_assert_eq!(known, mask(&[r]) & model);
        prop_assert_eq!(new, mask(&[r]) & !model);
        prop_assert_eq!(set.contains(r), known == mask(&[r]));
        prop_assert_eq!(set.overlaps(r), known != 0);
    }

    /// The ledger accounts for every byte of every event exactly once.
    #[test]
    fn ledger_accounts(
        events in prop::collection::vec((small(), 0u8..4, any::<bool>()), 1..30),
    ) {
        let mut ledger = Ledger::new(VecStore::new(64));
        let mut seen = 0u64;
        for (r, fate, repair) in events {
            if repair {
                ledger.repair(r).unwrap();
            } else {
                let mut parts = Vec::new();
                ledger.event(r, &mut |p| {
                    parts.push(p);
                    Ok(())
                }).unwrap();
                seen += r.len();
                for p in parts {
                    match p {
                        Part::Known(x) => ledger.record(x, Outcome::Absorbed).unwrap(),
                        Part::New(x) => {
                            let outcome = match fate {
                                0 => Outcome::Delivered,
                                1 => Outcome::Relayed,
                                2 => Outcome::Fallback,
                                _ => Outcome::Failed,
                            };
                            ledger.record(x, outcome).unwrap();
                        }
                    }
                }
            }
            prop_assert_eq!(ledger.check(), Ok(()));
            prop_assert_eq!(ledger.counters().events.bytes, seen);
        }
    }
}

/// Absorbed needs known bytes, delivered new ones; nothing changes else.
#[test]
fn record_checks_its_outcome() {
    let mut ledger = Ledger::new(VecStore::new(4));
    let r = ByteRange::new(0, 4096).unwrap();
    assert_eq!(
        ledger.record(r, Outcome::Absorbed),
        Err(RouteError::Invalid)
    );
    ledger.record(r, Outcome::Delivered).unwrap();
    assert_eq!(
        ledger.record(r, Outcome::Delivered),
        Err(RouteError::Invalid)
    );
    ledger.record(r, Outcome::Absorbed).unwrap();
    assert_eq!(ledger.counters().delivered.bytes, 4096);
    assert_eq!(ledger.counters().absorbed.bytes, 4096);
}

/// Out of nodes, delivering fails and the caller records it relayed.
#[test]
fn delivery_without_room_can_be_relayed() {
    let mut ledger = Ledger::new(VecStore::new(0));
    let r = ByteRange::new(0, 4096).unwrap();
    ledger.event(r, &mut |_| Ok(())).unwrap();
    assert_eq!(
        ledger.record(r, Outcome::Delivered),
        Err(RouteError::NoSpace)
    );
    ledger.record(r, Outcome::Relayed).unwrap();
    assert_eq!(ledger.check(), Ok(()));
    assert!(ledger.delivered().is_empty());
}

/// A walk stops at the first range its callback refuses.
#[test]
fn walk_stops_at_the_first_error() {
    let mut set = RangeSet::new(VecStore::new(3));
    for start in [0u64, 8192, 16384] {
        set.insert(ByteRange::new(start, 4096).unwrap()).unwrap();
    }
    let mut seen = Vec::new();
    let result = set.try_for_each(&mut |r| {
        seen.push(r.start());
        if r.start() == 8192 {
            Err(r.start())
        } else {
            Ok(())
        }
    });
    assert_eq!(result, Err(8192));
    assert_eq!(seen, [0, 8192]);
}
