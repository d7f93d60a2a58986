// SPDX-License-Identifier: GPL-2.0

//! One routing pass: a failure, a removal or a repair, from the failing
//! device up through everything stacked on it.
//!
//! For each range reaching a device the pass
//!
//! 1. calls every holder registered on the device whose registration the
//!    range overlaps, clipped to it;
//! 2. tells the filesystem holding the device (its dax holder, through
//!    `dax_holder_notify_failure()`) of each partition's part of the range
//!    separately, and notes the parts it took;
//! 3. translates the range through the live tables of the device-mapper
//!    devices above ([`crate::dm`], [`crate::route::layout`]) and routes
//!    each piece to them the same way, noting what was taken there in the
//!    failing device's bytes; a target that is not translated leaves its
//!    part untaken, and a table swapped meanwhile is walked again.
//!
//! A failed byte is *taken* when a filesystem took it (with or without an
//! error): the per-page path must not handle it again. What nobody took is
//! handed back to the caller, for the per-page path. Only the failing
//! device keeps a set of delivered ranges; the devices above count.
//!
//! No router lock is held while a holder is called.

use core::sync::atomic::Ordering;

use kernel::bindings;
use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::sync::Arc;

use crate::dax::{DaxDevice, Disk, Held};
use crate::defer::{self, Defer, Defers};
use crate::device::Device;
use crate::dm::{Mapping, Use, Walk};
use crate::few::Few;
use crate::fs::Partitions;
use crate::notify::{self, Kind, Note, Notes};
use crate::route::ledger::{Outcome, Part};
use crate::route::range::ByteRange;
use crate::route::settle::{Books, Event, Verdict};
use crate::route::sort::sort_by_key;
use crate::route::RouteError;
use crate::store;
use crate::table::{device_of, Devices};
use crate::trace::{self, Origin, Reason};
use kernel::sync::Mutex;

/// Device-mapper levels followed above a failing device; deeper stacks
/// leave their part to the per-page path. It bounds the kernel stack the
/// recursion uses, not what is routed: real stacks are a few levels deep.
const MAX_DEPTH: u32 = 32;

/// Walks of the live tables above a device for one range, when tables
/// keep changing under it; then what they map there goes per page.
const MAX_WALKS: u32 = 8;

/// `MF_MEM_PRE_REMOVE`.
// CAST: the MF_* flags are small bit values that fit in a C int.
pub(crate) const PRE_REMOVE: c_int = bindings::mf_flags_MF_MEM_PRE_REMOVE as c_int;

/// `EOPNOTSUPP` as C returns it.
const DECLINED: c_int = -(bindings::EOPNOTSUPP as c_int);
/// `ENXIO` as C returns it.
const NOT_MINE: c_int = -(bindings::ENXIO as c_int);
/// `EIO` as C returns it: what xfs answers before it is mounted (and for
/// ranges it can no longer read, once shut down).
const NOT_READY: c_int = -(bindings::EIO as c_int);

/// What [`Pass::up`] does with each group of uses of one mapped device:
/// the pass, the group, and where it puts what was taken.
type UpperGroup<'f, 'a> = dyn FnMut(&mut Pass<'a>, &[Use], &mut KVec<ByteRange>) + 'f;

/// How [`Pass::settle_part`] delivers a part: the pass, and where it
/// puts each part a filesystem took.
type Delivery<'f, 'a> = dyn FnMut(&mut Pass<'a>, &mut dyn FnMut(ByteRange)) + 'f;

/// A pass's handling of poison ([`Pass::poison`], [`Pass::settle_direct`]),
/// given the pass and where it hands what nobody took.
pub(crate) type Poison<'f> = dyn FnMut(&mut Pass<'_>, &mut dyn FnMut(ByteRange)) -> Verdict + 'f;

/// One routing pass.
pub(crate) struct Pass<'a> {
    /// The devices the router knows.
    devices: &'a Mutex<Devices>,
    /// Where notes for registered holders are queued.
    notes: &'a Mutex<Notes>,
    /// Where deliveries to suspended mapped devices wait.
    defers: &'a Mutex<Defers>,
    /// The event's number.
    seq: u64,
    /// Its `MF_*` flags.
    flags: c_int,
    /// Its origin.
    origin: Origin,
    /// Device-mapper walks done in this pass, by member.
    walks: PerDevice<Walk>,
    /// Partitions read in this pass, by disk.
    partitions: PerDevice<Partitions>,
    /// The first error a filesystem returned.
    pub(crate) error: c_int,
    /// Filesystem calls made (registered holders are called by the notify
    /// work, which counts its own).
    pub(crate) calls: u64,
    /// The worst reason a part was left to the per-page path.
    pub(crate) reason: Reason,
    /// A filesystem failed the part being routed.
    fs_failed: bool,
    /// This pass delivers what was put off ([`Pass::deliver_deferred`]).
    deferred: bool,
    /// A mapped device it reached was suspended.
    suspended: bool,
}

/// What the mapped devices above a device took of a range.
#[derive(Default)]
struct Up {
    /// What their filesystems took, in the lower device's bytes.
    taken: KVec<ByteRange>,
    /// Some of what was taken could not be noted.
    lost: bool,
}

impl<'a> Pass<'a> {
    /// Starts a pass for event `seq`.
    pub(crate) fn new(
        devices: &'a Mutex<Devices>,
        notes: &'a Mutex<Notes>,
        defers: &'a Mutex<Defers>,
        seq: u64,
        flags: c_int,
        origin: Origin,
    ) -> Self {
        Self {
            devices,
            notes,
            defers,
            seq,
            flags,
            origin,
            walks: PerDevice::new(),
            partitions: PerDevice::new(),
            error: 0,
            calls: 0,
            reason: Reason::NoHolder,
            fs_failed: false,
            deferred: origin == Origin::Deferred,
            suspended: false,
        }
    }

    /// Notes why a part is left to the per-page path.
    fn untaken_because(&mut self, reason: Reason) {
        self.reason = self.reason.max(reason);
    }

    /// Routes a poison `range` of `dev`, the failing device.
    ///
    /// `untaken` is called, in order, with each part nobody took, unless
    /// the verdict is [`Verdict::Untaken`]: nothing taken of a one-page
    /// failure, or a part nobody took that could not be noted (no memory),
    /// and the per-page path then handles all of it.
    pub(crate) fn poison(
        &mut self,
        dev: &Arc<Device>,
        dax: &DaxDevice,
        range: ByteRange,
        untaken: &mut dyn FnMut(ByteRange),
    ) -> Verdict {
        let mut parts = Few::new();
        let split = {
            let mut state = dev.state.lock();
            let split = state.ledger.event(range, &mut |p| {
                parts.push(p).map_err(|_| RouteError::NoSpace)
            });
            if split.is_err() {
                // No memory to split it: all of it goes per page.
                state.ledger.record(range, Outcome::Fallback);
            }
            split
        };
        if split.is_err() {
            self.untaken_because(Reason::NoMemory);
            trace::fallback(self.seq, dev.devt, &dev.name, range, self.reason);
            return Verdict::Untaken;
        }

        let mut event = Event::new();
        let mut left = KVec::new();
        for part in parts.as_slice().iter() {
            match *part {
                Part::Known(r) => {
                    dev.state.lock().ledger.record(r, Outcome::Absorbed);
                    event.absorbed();
                    trace::absorb(self.seq, dev.devt, &dev.name, r);
                    // A holder that failed, or came after, hears of it now.
                    self.call_holders(dev, r, Kind::Poison);
                }
                Part::New(r) => {
                    self.settle_part(dev, r, &mut event, &mut left, &mut |this, taken| {
                        this.deliver(dev, dax, r, 0, taken)
                    })
                }
            }
        }
        self.hand_back(&event, &left, untaken)
    }

    /// Returns the verdict on `event`, and hands `left` to `untaken` if
    /// some of it was taken.
    fn hand_back(
        &self,
        event: &Event,
        left: &KVec<ByteRange>,
        untaken: &mut dyn FnMut(ByteRange),
    ) -> Verdict {
        let verdict = event.verdict(self.origin == Origin::Page);
        if verdict == Verdict::Routed {
            for r in left.iter() {
                untaken(*r);
            }
        }
        verdict
    }

    /// Settles poison `range` of `dev`, the failing device, whose
    /// filesystem the dax core told itself and answered `rc`
    /// ([`begin_direct`] counted the event), as [`Pass::poison`] would
    /// have: `untaken` is called as there.
    pub(crate) fn settle_direct(
        &mut self,
        dev: &Arc<Device>,
        range: ByteRange,
        rc: c_int,
        untaken: &mut dyn FnMut(ByteRange),
    ) -> Verdict {
        let mut event = Event::new();
        let mut left = KVec::new();
        self.settle_part(dev, range, &mut event, &mut left, &mut |this, taken| {
            this.told(dev, range, rc, taken)
        });
        self.hand_back(&event, &left, untaken)
    }

    /// Routes new part `r` of the failing device with `deliver` and
    /// settles it in `event`: what nobody took is appended to `left`.
    fn settle_part(
        &mut self,
        dev: &Arc<Device>,
        r: ByteRange,
        event: &mut Event,
        left: &mut KVec<ByteRange>,
        deliver: &mut Delivery<'_, 'a>,
    ) {
        let mut taken: Few<ByteRange> = Few::new();
        let mut lost = false;
        self.fs_failed = false;
        deliver(self, &mut |t| {
            if taken.push(t).is_err() {
                lost = true;
            }
        });
        if lost {
            // Cannot tell what was taken: nothing is lost if all of it goes
            // per page too, some pages twice.
            self.untaken_because(Reason::NoMemory);
        }
        let mut book = Book {
            dev,
            seq: self.seq,
            reason: self.reason,
            left,
        };
        let taken = (!lost).then_some(taken.as_mut_slice());
        event.settle(r, taken, self.fs_failed, &mut book);
        self.untaken_because(book.reason);
    }

    /// Routes `r` to `dev` (at `dax`, `depth` levels above the failing
    /// device), calling `taken` with each part a filesystem took.
    fn deliver(
        &mut self,
        dev: &Arc<Device>,
        dax: &DaxDevice,
        r: ByteRange,
        depth: u32,
        taken: &mut dyn FnMut(ByteRange),
    ) {
        self.call_holders(dev, r, Kind::Poison);
        self.call_filesystem(dev, dax, r, taken);
        if depth >= MAX_DEPTH {
            self.untaken_because(Reason::Unsupported);
            return;
        }
        let up = self.up(dax, None, &mut |this, group, got| {
            this.deliver_up(dev, group, r, depth, got)
        });
        if up.lost {
            // What was taken above is not all known: none of it counts as
            // taken, and all of it goes per page too (some pages twice).
            self.untaken_because(Reason::NoMemory);
        } else {
            for t in up.taken.iter() {
                taken(*t);
            }
        }
    }

    /// Hands a range of the device at `member` to every mapped device above
    /// it, with `each(self, group, taken)` for the targets of one mapped
    /// device's live table using the member (`group`), which appends what
    /// was taken there, in the member's bytes, to `taken`.
    ///
    /// This is the one upward walk of failures, removals and repairs. A
    /// table looked at must be live from before the walk until after
    /// `each` returns (the dm sequence count did not move): otherwise what
    /// `each` did used a stale translation, and the mapped device is
    /// handed the range again from a new walk of its live table; what was
    /// taken under the stale one is dropped. After [`MAX_WALKS`] walks a
    /// mapped device whose table keeps changing is left to the per-page
    /// path. With `only`, only that mapped device is handed the range.
    fn up(&mut self, member: &DaxDevice, only: Option<usize>, each: &mut UpperGroup<'_, 'a>) -> Up {
        let mut up = Up::default();
        // Mapped devices to hand the range to again; `None`: every one.
        let mut again: Option<KVec<usize>> = None;
        if let Some(md) = only {
            let mut one = KVec::new();
            if one.push(md, GFP_KERNEL).is_err() {
                self.untaken_because(Reason::NoMemory);
                return up;
            }
            again = Some(one);
        }
        for _ in 0..MAX_WALKS {
            let walk = self.walk(member);
            let mut stale = KVec::new();
            for group in walk.groups() {
                let Some(first) = group.first() else { continue };
                if let Some(again) = &again {
                    if !again.iter().any(|md| *md == first.device()) {
                        continue;
                    }
                }
                let mut got = KVec::new();
                let mut current = group.iter().all(Use::is_current);
                if current {
                    each(self, group, &mut got);
                    current = group.iter().all(Use::is_current);
                }
                if !current {
                    if stale.push(first.device(), GFP_KERNEL).is_err() {
                        // Cannot note which: left to the per-page path.
                        self.untaken_because(Reason::NoMemory);
                    }
                } else if up
                    .taken
                    .extend_from_slice(got.as_slice(), GFP_KERNEL)
                    .is_err()
                {
                    up.lost = true;
                }
            }
            if stale.is_empty() {
                self.walks.put(member.key(), walk);
                return up;
            }
            // A stale walk is dropped: the next one reads the live tables.
            self.untaken_because(Reason::TableChanged);
            again = Some(stale);
        }
        up
    }

    /// Delivers `d`, put off while its mapped device was suspended, if it
    /// is resumed now: through the mapped device's live table, to what
    /// sits on it. Returns whether it is still suspended.
    ///
    /// `dax` is the dax_device of `d.lower`.
    pub(crate) fn deliver_deferred(&mut self, d: &Defer, dax: &DaxDevice) -> bool {
        self.up(dax, Some(d.md), &mut |this, group, got| {
            this.deliver_up(&d.lower, group, d.range, 0, got)
        });
        self.suspended
    }

    /// Queues a note of `kind` for each holder registered on `dev` that
    /// `r` concerns, clipped to its registration, for the notify work.
    fn call_holders(&mut self, dev: &Arc<Device>, r: ByteRange, kind: Kind) {
        if dev.registered.load(Ordering::Acquire) == 0 {
            // Most devices have none: their lock is not taken.
            return;
        }
        let mut found = KVec::new();
        let mut holders = dev.holders.lock();
        if holders.find(r, &mut found).is_err() {
            // No memory to list them: counted; they hear of poison next
            // time, and forget what a repair made good, to hear of it
            // again too.
            if kind == Kind::Repair {
                holders.forget_told(r);
            }
            drop(holders);
            let mut state = dev.state.lock();
            state.holder_errors = state.holder_errors.saturating_add(1);
            return;
        }
        drop(holders);
        for holder in found.iter() {
            if let Some(range) = holder.range.intersect(&r) {
                notify::queue(
                    self.notes,
                    Note {
                        holder: holder.clone(),
                        device: dev.clone(),
                        seq: self.seq,
                        range,
                        flags: self.flags,
                        kind,
                    },
                );
            }
        }
    }

    /// Tells the filesystem holding `dax`, if any, of `r`, one partition's
    /// part at a time, calling `taken` with what it took.
    fn call_filesystem(
        &mut self,
        dev: &Arc<Device>,
        dax: &DaxDevice,
        r: ByteRange,
        taken: &mut dyn FnMut(ByteRange),
    ) {
        if !dax.has_holder(r.start(), r.len()) {
            return;
        }
        let parts = match self.partitions.take(dax.key()) {
            Some(parts) => parts,
            None => match Partitions::of(dax.disk()) {
                Ok(parts) => parts,
                Err(_) => {
                    self.untaken_because(Reason::NoMemory);
                    return;
                }
            },
        };
        if parts.is_empty() {
            // No partition: `r` is one piece, whose holder was just
            // looked for.
            self.tell_filesystem(dev, dax, r, taken);
        } else {
            parts.split(r, &mut |piece| {
                if dax.has_holder(piece.start(), piece.len()) {
                    self.tell_filesystem(dev, dax, piece, taken);
                }
            });
        }
        self.partitions.put(dax.key(), parts);
    }

    /// Tells the filesystem holding `piece` of `dax`, in one partition or
    /// none, calling `taken` with it if it took it.
    fn tell_filesystem(
        &mut self,
        dev: &Arc<Device>,
        dax: &DaxDevice,
        piece: ByteRange,
        taken: &mut dyn FnMut(ByteRange),
    ) {
        let rc = dax.notify_failure(piece.start(), piece.len(), self.flags);
        self.told(dev, piece, rc, taken);
    }

    /// Settles `piece` of `dev`, whose filesystem answered `rc`, calling
    /// `taken` with it if it took it.
    fn told(
        &mut self,
        dev: &Arc<Device>,
        piece: ByteRange,
        rc: c_int,
        taken: &mut dyn FnMut(ByteRange),
    ) {
        self.calls = self.calls.saturating_add(1);
        trace::deliver_fs(self.seq, dev.devt, &dev.name, piece, self.flags, rc);
        match rc {
            0 => taken(piece),
            DECLINED => self.untaken_because(Reason::Declined),
            NOT_MINE => {}
            NOT_READY if self.origin == Origin::Badblocks => {
                // Nobody consumed it and the filesystem may not be
                // mounted yet: left untaken, to be told again.
                self.fs_failed = true;
                if self.error == 0 {
                    self.error = NOT_READY;
                }
            }
            error => {
                // Handled, and failed (xfs shut down for it: telling it
                // again changes nothing): no per-page handling, as
                // memory_failure() does on such an answer.
                taken(piece);
                self.fs_failed = true;
                if self.error == 0 {
                    self.error = error;
                }
            }
        }
    }

    /// Routes member range `r` to the mapped device whose targets using
    /// the member are `group`; appends what its filesystems took, in the
    /// member's bytes, to `got`.
    fn deliver_up(
        &mut self,
        lower: &Arc<Device>,
        group: &[Use],
        r: ByteRange,
        depth: u32,
        got: &mut KVec<ByteRange>,
    ) {
        // What a target that is not translated uses stays untaken.
        if group
            .iter()
            .any(|u| matches!(u.mapping, Mapping::Opaque(area) if area.overlaps(&r)))
        {
            self.untaken_because(Reason::Unsupported);
        }
        let Some(first) = group.first() else {
            return;
        };
        let Some(upper_dax) = first.upper() else {
            return;
        };
        if first.suspended {
            // Its filesystem's I/O would wait for the resume: the per-page
            // path handles it now, and the filesystem is told after.
            self.untaken_because(Reason::Suspended);
            if !self.deferred {
                defer::put_off(
                    self.defers,
                    Defer {
                        lower: lower.clone(),
                        md: first.device(),
                        range: r,
                        flags: self.flags,
                    },
                );
            }
            self.suspended = true;
            return;
        }
        let Ok(upper) = device_of(self.devices, upper_dax) else {
            self.untaken_because(Reason::NoMemory);
            return;
        };
        let mut pieces = KVec::new();
        for u in group.iter() {
            if let Mapping::Layout(layout) = &u.mapping {
                let mut push = |m: ByteRange, up: ByteRange| -> Result<(), RouteError> {
                    pieces
                        .push((m, up), GFP_KERNEL)
                        .map_err(|_| RouteError::NoSpace)
                };
                if layout.for_each_piece(r, &mut push).is_err() {
                    self.untaken_because(Reason::NoMemory);
                }
            }
        }
        sort_by_key(pieces.as_mut_slice(), |(_, up): &(ByteRange, ByteRange)| {
            up.start()
        });
        let mut lost = false;
        for (m, up) in pieces.iter() {
            let (m, up) = (*m, *up);
            self.count_up(&upper, up);
            self.deliver(&upper, upper_dax, up, depth.saturating_add(1), &mut |t| {
                // Back to the member: the piece is a shift.
                if let Some(back) = t
                    .checked_sub(up.start())
                    .ok()
                    .and_then(|t| t.checked_add(m.start()).ok())
                {
                    lost |= got.push(back, GFP_KERNEL).is_err();
                }
            });
        }
        if lost {
            // What was taken is not all known: none of it counts as taken,
            // and all of it goes per page too (some pages twice).
            *got = KVec::new();
            self.untaken_because(Reason::NoMemory);
        }
    }

    /// Counts a range relayed to a device above the failing one.
    fn count_up(&self, upper: &Arc<Device>, r: ByteRange) {
        let mut state = upper.state.lock();
        if state.ledger.event(r, &mut |_| Ok(())).is_ok() {
            state.ledger.record(r, Outcome::Relayed);
        }
    }

    /// Returns the walk of `member` done in this pass, walking if needed;
    /// give it back with `self.walks.put()`.
    fn walk(&mut self, member: &DaxDevice) -> Walk {
        if let Some(walk) = self.walks.take(member.key()) {
            return walk;
        }
        let walk = Walk::of(member);
        if walk.incomplete {
            self.untaken_because(Reason::NoMemory);
        }
        walk
    }

    /// Announces that `r` of `dev` (at `dax`) is about to be removed
    /// (`whole`: the whole device, from `kill_dax()`), to its holders, its
    /// filesystems and everything above.  The filesystems revoke the DAX
    /// mappings that would outlive it (ext4, xfs: their `MF_MEM_PRE_REMOVE`
    /// handling).
    pub(crate) fn remove(
        &mut self,
        dev: &Arc<Device>,
        dax: &DaxDevice,
        r: ByteRange,
        whole: bool,
        depth: u32,
    ) {
        self.call_holders(dev, r, Kind::Removal);
        // The filesystems get what kill_dax() would have sent them.
        let (off, len) = if whole {
            (0, u64::MAX)
        } else {
            (r.start(), r.len())
        };
        if dax.has_holder(off, len) {
            let rc = dax.notify_failure(off, len, self.flags);
            self.calls = self.calls.saturating_add(1);
            trace::deliver_fs(self.seq, dev.devt, &dev.name, r, self.flags, rc);
        }
        if depth < MAX_DEPTH {
            self.up(dax, None, &mut |this, group, _| {
                this.remove_up(group, r, depth)
            });
        }
        let mut state = dev.state.lock();
        state.pre_removes = state.pre_removes.saturating_add(1);
    }

    /// Announces the removal of member range `r` to the mapped device of
    /// `group`, as one range covering what its targets map there.
    fn remove_up(&mut self, group: &[Use], r: ByteRange, depth: u32) {
        let Some(first) = group.first() else { return };
        let Some(upper_dax) = first.upper() else {
            return;
        };
        let mut cover: Option<ByteRange> = None;
        for u in group.iter() {
            if let Mapping::Layout(layout) = &u.mapping {
                if let Ok(Some(c)) = layout.cover(r) {
                    cover = Some(match cover {
                        None => c,
                        Some(p) => {
                            ByteRange::from_bounds(p.start().min(c.start()), p.end().max(c.end()))
                                .unwrap_or(p)
                        }
                    });
                }
            }
        }
        let Some(cover) = cover else { return };
        if let Ok(upper) = device_of(self.devices, upper_dax) {
            self.remove(&upper, upper_dax, cover, false, depth.saturating_add(1));
        }
    }

    /// Tells the holders of `dev` and everything above that `r` is good
    /// again.
    pub(crate) fn repair(&mut self, dev: &Arc<Device>, dax: &DaxDevice, r: ByteRange, depth: u32) {
        self.call_holders(dev, r, Kind::Repair);
        if depth >= MAX_DEPTH {
            return;
        }
        self.up(dax, None, &mut |this, group, _| {
            this.repair_up(group, r, depth)
        });
    }

    /// Routes the repair of member range `r` to the mapped device of `group`.
    fn repair_up(&mut self, group: &[Use], r: ByteRange, depth: u32) {
        let Some(first) = group.first() else { return };
        let Some(upper_dax) = first.upper() else {
            return;
        };
        let Ok(upper) = device_of(self.devices, upper_dax) else {
            return;
        };
        for u in group.iter() {
            if let Mapping::Layout(layout) = &u.mapping {
                let relayed = layout.for_each_piece(r, &mut |_, up| -> Result<(), RouteError> {
                    self.repair(&upper, upper_dax, up, depth.saturating_add(1));
                    Ok(())
                });
                if let Err(e) = relayed {
                    // A layout that does not fit in 64 bits: said, since
                    // what sits above keeps the range failed.
                    if trace::may_log() {
                        pr_warn!(
                            "{}: repair of [{:#x}, +{:#x}) not relayed: error {}\n",
                            upper.name.as_str(),
                            r.start(),
                            r.len(),
                            e.errno()
                        );
                    }
                }
            }
        }
    }
}

/// Returns whether the filesystem holding `dax` directly is the only one to
/// tell of poison `range` of `dev`, the failing device, none of which was
/// delivered before: no holder registered on `dev`, no partition, no mapped
/// device above it. If so the event is counted in the ledger: the dax core
/// tells the filesystem itself, from its own frame rather than from deep in
/// a pass, and [`Pass::settle_direct`] records what became of it. Runs in
/// the dax core's call into the router (`section`), which it does not enter
/// again.
///
/// What it looks at may change before the settling, as it may during a
/// pass: a mapped device or holder that comes meanwhile hears of the next
/// failures.
pub(crate) fn begin_direct(
    dev: &Device,
    dax: &DaxDevice,
    section: &Held<'_>,
    range: ByteRange,
) -> bool {
    if dev.registered.load(Ordering::Acquire) != 0
        || !dax.has_holder_in(section, range.start(), range.len())
        || dax.disk().is_some_and(Disk::has_partitions)
        || !Walk::of(dax).is_empty()
    {
        return false;
    }
    let mut state = dev.state.lock();
    let ledger = &mut state.ledger;
    if ledger.delivered().overlaps(range) {
        return false;
    }
    ledger.count_event(range);
    true
}

/// What a pass looked up once per device (a dm walk, a partition table),
/// by dax_device address; an entry in use is taken out of its slot.
struct PerDevice<T>(Few<(usize, Option<T>)>);

impl<T> PerDevice<T> {
    /// Nothing looked up yet.
    fn new() -> Self {
        Self(Few::new())
    }

    /// Takes out what was kept for the device at `key`, if anything.
    fn take(&mut self, key: usize) -> Option<T> {
        self.0
            .as_mut_slice()
            .iter_mut()
            .find(|(k, v)| *k == key && v.is_some())
            .and_then(|(_, v)| v.take())
    }

    /// Keeps `value` for the device at `key` for the rest of the pass;
    /// without memory to keep it, it is looked up again when next needed.
    fn put(&mut self, key: usize, value: T) {
        if let Some(entry) = self
            .0
            .as_mut_slice()
            .iter_mut()
            .find(|(k, v)| *k == key || v.is_none())
        {
            *entry = (key, Some(value));
        } else {
            let _ = self.0.push((key, Some(value)));
        }
    }
}

/// The failing device's ledger, and the parts nobody took, for settling
/// an event ([`Event::settle`]).
struct Book<'b> {
    /// The failing device.
    dev: &'b Arc<Device>,
    /// The event's number.
    seq: u64,
    /// Why a part was left to the per-page path.
    reason: Reason,
    /// What nobody took, for the per-page path.
    left: &'b mut KVec<ByteRange>,
}

impl Books for Book<'_> {
    fn record(&mut self, piece: ByteRange, outcome: Outcome) {
        if outcome != Outcome::Delivered {
            self.dev.state.lock().ledger.record(piece, outcome);
            return;
        }
        // The node it may need, allocated outside the ledger's lock when
        // no spare is left; without one it is counted relayed, not kept
        // (a repeat is told again).
        let ask = store::with_room(
            &self.dev.state,
            |s| s.ledger.delivered().store(),
            |s| {
                s.ledger.record(piece, outcome);
                // Asked once until the refill work ran.
                let ask = s.ledger.delivered().store().wants_spares() && !s.spares_wanted;
                s.spares_wanted |= ask;
                ask
            },
        );
        if ask {
            store::refill_soon();
        }
    }

    fn hand_back(&mut self, piece: ByteRange) -> Result<(), RouteError> {
        let pushed = self.left.push(piece, GFP_KERNEL);
        if pushed.is_err() {
            self.reason = self.reason.max(Reason::NoMemory);
        }
        trace::fallback(self.seq, self.dev.devt, &self.dev.name, piece, self.reason);
        pushed.map_err(|_| RouteError::NoSpace)
    }
}
