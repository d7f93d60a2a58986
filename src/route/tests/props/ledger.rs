// SPDX-License-Identifier: GPL-2.0

//! The range set and the ledger against bitmask models.

use proptest::prelude::*;

use mfroute_route::route::ledger::{Ledger, Outcome, Part, RangeSet, RangeStore, VecStore};
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::RouteError;

/// The bytes of a set of ranges below 128 as a bitmask.
pub(crate) fn mask(ranges: &[ByteRange]) -> u128 {
    ranges
        .iter()
        .fold(0, |m, r| (r.start()..r.end()).fold(m, |m, b| m | 1 << b))
}

/// A range inside `[0, 128)`.
pub(crate) fn small() -> impl Strategy<Value = ByteRange> {
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
    assert_eq!(set.is_empty(), model == 0);
    // Walking with next() from anywhere finds the ranges, clipped.
    for pos in [0u64, 1, 37, 64, 127, 128] {
        let want = s
            .iter()
            .find(|r| r.end() > pos)
            .and_then(|r| r.clip_from(pos));
        assert_eq!(set.next(pos), want, "next({pos}) of {s:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Insert, insert_new and remove match a bitmask; out of nodes, they
    /// refuse without changing anything, and never when no node is needed.
    #[test]
    fn range_set_matches_mask(
        ops in prop::collection::vec((0u8..3, small(), 0usize..2), 1..30),
    ) {
        let mut set = RangeSet::new(VecStore::new(0));
        let mut model = 0u128;
        for (op, r, give) in ops {
            set.store().reserve(give);
            let m = mask(&[r]);
            let before = set.ranges();
            // A range of its own is needed when nothing overlaps or touches.
            let touch = (m | m << 1 | m >> 1) & model != 0;
            if op == 2 {
                match set.insert_new(r) {
                    Ok(true) => {
                        prop_assert_eq!(m & model, 0);
                        model |= m;
                    }
                    Ok(false) => {
                        prop_assert_ne!(m & model, 0);
                        prop_assert_eq!(set.ranges(), before);
                    }
                    Err(RouteError::NoSpace) => {
                        prop_assert!(!touch);
                        prop_assert_eq!(set.ranges(), before);
                    }
                    Err(e) => prop_assert!(false, "insert_new: {:?}", e),
                }
            } else if op == 1 {
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

    /// The ledger accounts for every byte of every event exactly once,
    /// and a repair takes exactly the delivered bytes it covers out.
    #[test]
    fn ledger_accounts(
        events in prop::collection::vec((small(), 0u8..4, any::<bool>(), 0usize..2), 1..30),
    ) {
        let mut ledger = Ledger::new(VecStore::new(0));
        let mut seen = 0u64;
        let mut delivered = 0u128;
        let mut repairs = 0u64;
        for (r, fate, repair, give) in events {
            ledger.delivered().store().reserve(give);
            if repair {
                let touched: Vec<_> = ledger
                    .delivered()
                    .ranges()
                    .into_iter()
                    .filter(|d| d.overlaps(&r))
                    .collect();
                let room = ledger.delivered().store().has_room();
                let got = ledger.repair(r).unwrap();
                prop_assert!(!got.widened || !room);
                // Without a node to split, whole ranges go: never less.
                let gone = if got.widened { mask(&touched) } else { delivered & mask(&[r]) };
                prop_assert_eq!(gone & delivered & mask(&[r]), delivered & mask(&[r]));
                prop_assert_eq!(got.removed, u64::from(gone.count_ones()));
                delivered &= !gone;
                repairs += u64::from(gone != 0);
            } else {
                let mut parts = Vec::new();
                ledger.event(r, &mut |p| {
                    parts.push(p);
                    Ok(())
                }).unwrap();
                seen += r.len();
                for p in parts {
                    match p {
                        Part::Known(x) => ledger.record(x, Outcome::Absorbed),
                        Part::New(x) => {
                            let outcome = match fate {
                                0 => Outcome::Delivered,
                                1 => Outcome::Relayed,
                                2 => Outcome::Fallback,
                                _ => Outcome::Failed,
                            };
                            let room = ledger.delivered().store().has_room();
                            let relayed = ledger.counters().relayed.bytes;
                            ledger.record(x, outcome);
                            if fate == 0 {
                                // Kept, or counted relayed: with a node to
                                // spare (or a neighbour to merge with), kept.
                                let kept = ledger.delivered().contains(x);
                                let more = ledger.counters().relayed.bytes - relayed;
                                prop_assert!(kept || !room);
                                prop_assert_eq!(more, if kept { 0 } else { x.len() });
                                if kept {
                                    delivered |= mask(&[x]);
                                }
                            }
                        }
                    }
                }
            }
            prop_assert_eq!(ledger.check(), Ok(()));
            prop_assert_eq!(ledger.counters().events.bytes, seen);
            prop_assert_eq!(mask(&ledger.delivered().ranges()), delivered);
            prop_assert_eq!(ledger.counters().repaired.ranges, repairs);
        }
    }
}

/// An event whose bytes have no outcome yet does not balance, nor does a
/// set holding bytes nobody delivered.
#[test]
fn check_finds_an_imbalance() {
    let mut ledger = Ledger::new(VecStore::new(4));
    let r = ByteRange::new(0, 4096).unwrap();
    ledger.event(r, &mut |_| Ok(())).unwrap();
    assert_eq!(ledger.check(), Err(RouteError::Invalid));
    ledger.record(r, Outcome::Delivered);
    assert_eq!(ledger.check(), Ok(()));
    ledger
        .delivered()
        .insert(ByteRange::new(8192, 4096).unwrap())
        .unwrap();
    assert_eq!(ledger.check(), Err(RouteError::Invalid));
}

/// Removing from the start or up to the end of a range splits nothing,
/// and needs no node.
#[test]
fn remove_at_an_edge_needs_no_node() {
    let mut set = RangeSet::new(VecStore::new(1));
    set.insert(ByteRange::new(0, 100).unwrap()).unwrap();
    assert!(!set.store().has_room());
    assert_eq!(set.remove(ByteRange::new(0, 50).unwrap()), Ok(50));
    assert_eq!(set.remove(ByteRange::new(90, 10).unwrap()), Ok(10));
    assert_eq!(set.ranges(), [ByteRange::new(50, 40).unwrap()]);
    assert_eq!(
        set.remove(ByteRange::new(60, 10).unwrap()),
        Err(RouteError::NoSpace)
    );
}

/// The host store holds what it is given.
#[test]
fn host_store_reserves() {
    let mut set = RangeSet::new(VecStore::new(0));
    let r = ByteRange::new(0, 10).unwrap();
    assert_eq!(set.insert(r), Err(RouteError::NoSpace));
    set.store().reserve(1);
    assert_eq!(set.insert(r), Ok(()));
}

/// Nothing is refused: a delivery the set cannot keep (it overlaps a
/// range delivered meanwhile, or no node is left) counts relayed, and an
/// absorbed range a repair took out since the split still counts.
#[test]
fn record_refuses_nothing() {
    let mut ledger = Ledger::new(VecStore::new(1));
    let r = ByteRange::new(0, 4096).unwrap();
    let s = ByteRange::new(8192, 4096).unwrap();
    for x in [r, r, s] {
        ledger.event(x, &mut |_| Ok(())).unwrap();
        ledger.record(x, Outcome::Delivered);
    }
    assert_eq!(ledger.delivered().ranges(), [r]);
    assert_eq!(ledger.counters().delivered.bytes, 3 * 4096);
    assert_eq!(ledger.counters().relayed.bytes, 2 * 4096);
    assert_eq!(ledger.check(), Ok(()));
    ledger.event(r, &mut |_| Ok(())).unwrap();
    assert_eq!(ledger.repair(r).unwrap().removed, 4096);
    ledger.record(r, Outcome::Absorbed);
    assert_eq!(ledger.counters().absorbed.bytes, 4096);
    assert_eq!(ledger.check(), Ok(()));
}

/// An event counted whole (the dax core told the filesystem itself) balances
/// once its outcome is recorded, even when another event delivered some of
/// it meanwhile: that delivery counts relayed.
#[test]
fn event_counted_whole_balances() {
    let mut ledger = Ledger::new(VecStore::new(2));
    let r = ByteRange::new(4096, 8192).unwrap();
    ledger.count_event(r);
    assert_eq!(ledger.check(), Err(RouteError::Invalid));
    ledger.record(r, Outcome::Delivered);
    assert_eq!(ledger.check(), Ok(()));
    let s = ByteRange::new(0, 8192).unwrap();
    ledger.count_event(s);
    ledger.record(s, Outcome::Delivered);
    assert_eq!(ledger.counters().events.bytes, 16384);
    assert_eq!(ledger.counters().relayed.bytes, 8192);
    assert_eq!(ledger.delivered().ranges(), [r]);
    assert_eq!(ledger.check(), Ok(()));
}

/// A repair inside a delivered range, with no node to split it, forgets
/// the whole range: a failure in its rest is told again, not absorbed.
#[test]
fn repair_without_room_forgets_the_whole_range() {
    let mut ledger = Ledger::new(VecStore::new(1));
    let r = ByteRange::new(0, 3 * 4096).unwrap();
    ledger.event(r, &mut |_| Ok(())).unwrap();
    ledger.record(r, Outcome::Delivered);
    let middle = ByteRange::new(4096, 4096).unwrap();
    let got = ledger.repair(middle).unwrap();
    assert!(got.widened);
    assert_eq!(got.removed, 3 * 4096);
    assert!(ledger.delivered().is_empty());
    assert_eq!(ledger.check(), Ok(()));
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
