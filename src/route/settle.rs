// SPDX-License-Identifier: GPL-2.0

//! Settling a failure event: what each byte became, and what goes back to
//! the per-page path.
//!
//! [`super::ledger::Ledger::event`] splits an event into known parts,
//! absorbed, and new parts, which a routing pass delivers to the holders
//! above the failing device. For each new part the pass learns which
//! pieces a filesystem *took* (it handled them, with or without an error)
//! and whether one *failed* the part. [`Event::settle`] turns that into
//! one ledger outcome per byte and hands every byte nobody took back to
//! the caller, for the per-page path; [`Event::verdict`] then says what
//! the event as a whole became.
//!
//! Running out of memory never loses a byte: a pass that could not keep
//! the list of what was taken passes `None`, and all of the part is handed
//! back (some pages are then handled twice); a byte that cannot be handed
//! back makes the verdict [`Verdict::Untaken`], and the per-page path
//! handles the whole event.

use super::ledger::Outcome;
use super::range::ByteRange;
use super::sort::sort_by_key;
use super::RouteError;

/// Where [`Event::settle`] writes what became of each piece.
pub trait Books {
    /// Records `outcome` for `piece` (see [`super::ledger::Ledger::record`]).
    fn record(&mut self, piece: ByteRange, outcome: Outcome);
    /// Hands `piece`, which nobody took, back for the per-page path.
    ///
    /// Fails with [`RouteError::NoSpace`] when it cannot be noted.
    fn hand_back(&mut self, piece: ByteRange) -> Result<(), RouteError>;
}

/// What became of a failure event, for the caller of the router.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Routed; what nobody took was handed back.
    Routed,
    /// Nothing of a one-page event was taken, or a byte nobody took could
    /// not be handed back: the per-page path handles all of it.
    Untaken,
    /// All of it was delivered before.
    Absorbed,
}

/// The settling of one event, part by part.
#[derive(Clone, Copy, Debug, Default)]
pub struct Event {
    /// A new part was settled.
    new: bool,
    /// A byte was taken, or absorbed.
    taken: bool,
    /// A byte was handed back.
    handed_back: bool,
    /// A byte nobody took could not be handed back.
    lost: bool,
}

impl Event {
    /// Starts settling an event.
    pub const fn new() -> Self {
        Self {
            new: false,
            taken: false,
            handed_back: false,
            lost: false,
        }
    }

    /// Notes a known part, which the caller recorded absorbed.
    pub fn absorbed(&mut self) {
        self.taken = true;
    }

    /// Settles new part `part`.
    ///
    /// `taken` holds the pieces a filesystem took, in any order, possibly
    /// overlapping or reaching outside `part`; `None` when they are not
    /// all known, and then none counts as taken. With `failed` a
    /// filesystem failed the part: all of it is recorded
    /// [`Outcome::Failed`], to be told again. Otherwise taken bytes are
    /// [`Outcome::Delivered`] and the others [`Outcome::Fallback`]. Each
    /// run of bytes nobody took is handed back, in order.
    ///
    /// Returns whether a byte of `part` was taken.
    pub fn settle(
        &mut self,
        part: ByteRange,
        taken: Option<&mut [ByteRange]>,
        failed: bool,
        books: &mut dyn Books,
    ) -> bool {
        self.new = true;
        let mut any = false;
        let mut pos = part.start();
        if let Some(taken) = taken {
            sort_by_key(taken, |t| t.start());
            let mut run: Option<ByteRange> = None;
            for t in taken.iter().filter_map(|t| t.intersect(&part)) {
                match run {
                    Some(cur) if t.start() <= cur.end() => run = cur.merge(&t),
                    _ => {
                        if let Some(cur) = run.take() {
                            pos = self.took(cur, failed, books);
                            any = true;
                        }
                        self.gap(pos, t.start(), failed, books);
                        run = Some(t);
                    }
                }
            }
            if let Some(cur) = run {
                pos = self.took(cur, failed, books);
                any = true;
            }
        }
        self.gap(pos, part.end(), failed, books);
        self.taken |= any;
        any
    }

    /// Records run `r` taken; returns where it ends.
    fn took(&mut self, r: ByteRange, failed: bool, books: &mut dyn Books) -> u64 {
        let outcome = if failed {
            Outcome::Failed
        } else {
            Outcome::Delivered
        };
        books.record(r, outcome);
        r.end()
    }

    /// Records the bytes from `from` to `to`, if any, untaken and hands
    /// them back.
    fn gap(&mut self, from: u64, to: u64, failed: bool, books: &mut dyn Books) {
        let Ok(g) = ByteRange::from_bounds(from, to) else {
            return;
        };
        let outcome = if failed {
            Outcome::Failed
        } else {
            Outcome::Fallback
        };
        books.record(g, outcome);
        self.handed_back = true;
        if books.hand_back(g).is_err() {
            self.lost = true;
        }
    }

    /// Returns what the event became; `one_page`: it is a single page's
    /// failure, which the per-page path handles whole when nothing of it
    /// was taken (as upstream, with its usual report).
    pub const fn verdict(&self, one_page: bool) -> Verdict {
        if !self.new {
            Verdict::Absorbed
        } else if self.lost {
            Verdict::Untaken
        } else if !self.handed_back {
            Verdict::Routed
        } else if !self.taken && one_page {
            Verdict::Untaken
        } else {
            Verdict::Routed
        }
    }
}
