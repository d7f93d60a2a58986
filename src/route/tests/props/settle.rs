// SPDX-License-Identifier: GPL-2.0

//! Settling events against a bitmask model, with allocations that may fail
//! at every point: every byte of an event gets exactly one outcome, and
//! what was handed back plus what was taken is the event.

use proptest::prelude::*;

use mfroute_route::route::ledger::{Ledger, Outcome, Part, VecStore};
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::settle::{Books, Event, Verdict};
use mfroute_route::route::RouteError;

use crate::ledger::{mask, small};

/// What a filesystem made of one new part: the pieces it took (any
/// order, overlapping, outside the part), whether the list of them was
/// lost, whether it failed the part.
fn answer() -> impl Strategy<Value = (Vec<ByteRange>, bool, bool)> {
    (
        prop::collection::vec(small(), 0..5),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.2),
    )
}

/// A ledger as the books, with hand-backs that fail where `fail` says.
struct Book<'a> {
    /// The device's ledger.
    ledger: &'a mut Ledger<VecStore>,
    /// Bytes recorded in this event, to see each recorded once.
    recorded: u128,
    /// A byte was recorded twice.
    twice: bool,
    /// Bytes handed back.
    handed: u128,
    /// Which hand-backs fail, by number.
    fail: u64,
    /// Hand-backs tried.
    tries: u32,
    /// A hand-back failed.
    failed: bool,
}

impl<'a> Book<'a> {
    /// Books over `ledger`, whose hand-backs fail where `fail` says.
    fn new(ledger: &'a mut Ledger<VecStore>, fail: u64) -> Self {
        Self {
            ledger,
            recorded: 0,
            twice: false,
            handed: 0,
            fail,
            tries: 0,
            failed: false,
        }
    }
}

impl Books for Book<'_> {
    fn record(&mut self, piece: ByteRange, outcome: Outcome) {
        let m = mask(&[piece]);
        self.twice |= self.recorded & m != 0;
        self.recorded |= m;
        self.ledger.record(piece, outcome);
    }

    fn hand_back(&mut self, piece: ByteRange) -> Result<(), RouteError> {
        let fails = self.fail >> (self.tries % 64) & 1 == 1;
        self.tries += 1;
        if fails {
            self.failed = true;
            return Err(RouteError::NoSpace);
        }
        self.handed |= mask(&[piece]);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Every byte of every event is delivered, absorbed, fallen back or
    /// failed exactly once (the ledger balances), whatever allocation
    /// fails; on a routed verdict what was handed back and what was taken
    /// or known make up the event, and never overlap.
    #[test]
    fn settling_loses_nothing(
        events in prop::collection::vec(
            (small(), prop::collection::vec(answer(), 4), any::<u64>(), 0usize..3),
            1..12,
        ),
    ) {
        let mut ledger = Ledger::new(VecStore::new(0));
        for (r, answers, fail, give) in events {
            ledger.delivered().store().reserve(give);
            let mut parts = Vec::new();
            ledger.event(r, &mut |p| {
                parts.push(p);
                Ok(())
            }).unwrap();
            let mut event = Event::new();
            let mut book = Book::new(&mut ledger, fail);
            let mut known = 0u128;
            let mut taken = 0u128;
            let mut new = 0u128;
            let mut answers = answers.into_iter().cycle();
            for p in parts {
                match p {
                    Part::Known(x) => {
                        book.record(x, Outcome::Absorbed);
                        event.absorbed();
                        known |= mask(&[x]);
                    }
                    Part::New(x) => {
                        let (mut took, lost, failed) = answers.next().unwrap();
                        let before = book.handed;
                        let any = event.settle(
                            x,
                            (!lost).then_some(took.as_mut_slice()),
                            failed,
                            &mut book,
                        );
                        let got = if lost { 0 } else { mask(&took) & mask(&[x]) };
                        prop_assert_eq!(any, got != 0);
                        // Handed back: exactly what was not taken (those
                        // that did not fail).
                        let handed = book.handed & !before;
                        prop_assert_eq!(handed & got, 0);
                        if fail == 0 {
                            prop_assert_eq!(handed | got, mask(&[x]));
                        }
                        taken |= got;
                        new |= mask(&[x]);
                    }
                }
            }
            prop_assert!(!book.twice);
            prop_assert_eq!(book.recorded, mask(&[r]));
            let (handed, failed) = (book.handed, book.failed);
            prop_assert_eq!(ledger.check(), Ok(()));
            let one_page = r.len() == 1;
            match event.verdict(one_page) {
                Verdict::Absorbed => prop_assert_eq!(new, 0),
                Verdict::Untaken => prop_assert!(failed || one_page && taken | known == 0),
                Verdict::Routed => {
                    prop_assert!(!failed);
                    prop_assert_eq!(handed | taken | known, mask(&[r]));
                    prop_assert_eq!(handed & (taken | known), 0);
                }
            }
        }
    }
}

/// A failed part is recorded failed, all of it, and what was not taken
/// of it is still handed back, to be handled per page.
#[test]
fn a_failed_part_is_failed_whole() {
    let mut ledger = Ledger::new(VecStore::new(4));
    let r = ByteRange::new(0, 4).unwrap();
    ledger.event(r, &mut |_| Ok(())).unwrap();
    let mut book = Book::new(&mut ledger, 0);
    let mut took = [ByteRange::new(1, 1).unwrap()];
    let mut event = Event::new();
    assert!(event.settle(r, Some(&mut took), true, &mut book));
    assert_eq!(event.verdict(false), Verdict::Routed);
    assert_eq!(ledger.counters().failed.bytes, 4);
    assert!(ledger.delivered().is_empty());
    assert_eq!(ledger.check(), Ok(()));
}

/// Nothing taken of a one-page event: the per-page path has all of it,
/// as upstream; of a longer event, what nobody took is handed back.
#[test]
fn nothing_taken_of_one_page_is_untaken() {
    for (len, verdict) in [(1, Verdict::Untaken), (2, Verdict::Routed)] {
        let mut ledger = Ledger::new(VecStore::new(4));
        let r = ByteRange::new(0, len).unwrap();
        ledger.event(r, &mut |_| Ok(())).unwrap();
        let mut book = Book::new(&mut ledger, 0);
        let mut event = Event::new();
        assert!(!event.settle(r, Some(&mut []), false, &mut book));
        assert_eq!(event.verdict(len == 1), verdict);
    }
}
