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

use kernel::bindings;
use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::sync::Arc;

use crate::device::{device_of, Device, Devices};
use crate::dm::{Mapping, Use, Walk};
use crate::fs::{self, Partitions};
use crate::holders::Quiesce;
use crate::route::ledger::{Outcome, Part};
use crate::route::range::ByteRange;
use crate::route::sort::sort_by_key;
use crate::route::RouteError;
use crate::store::RbStore;
use crate::trace::{self, Origin, Reason};
use kernel::sync::Mutex;

/// Device-mapper levels followed above a failing device; deeper stacks
/// leave their part to the per-page path. It bounds the kernel stack the
/// recursion uses, not what is routed: real stacks are a few levels deep.
const MAX_DEPTH: u32 = 32;

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

/// What became of a failure, for the dax core.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Routed; what nobody took was handed back.
    Routed,
    /// Routed, and nobody took any of it.
    Untaken,
    /// All of it was delivered before.
    Absorbed,
}

/// One routing pass.
pub(crate) struct Pass<'a> {
    /// The devices the router knows.
    devices: &'a Mutex<Devices>,
    /// Where unregistration waits for calls to end.
    quiesce: &'a Quiesce,
    /// The event's number.
    seq: u64,
    /// Its `MF_*` flags.
    flags: c_int,
    /// Its origin.
    origin: Origin,
    /// Device-mapper walks done in this pass, by member dax_device
    /// address; a walk in use is taken out of its slot.
    walks: KVec<(usize, Option<Walk>)>,
    /// The first error a filesystem returned.
    pub(crate) error: c_int,
    /// Holder calls made, registered and filesystems.
    pub(crate) calls: u64,
    /// The worst reason a part was left to the per-page path.
    pub(crate) reason: Reason,
    /// A filesystem failed the part being routed.
    fs_failed: bool,
}

/// What one device made of a range routed to it.
#[derive(Default)]
struct Reach {
    /// A registered holder failed.
    holder_failed: bool,
    /// A table was reloaded since the walk: it must not be used again.
    stale: bool,
}

impl<'a> Pass<'a> {
    /// Starts a pass for event `seq`.
    pub(crate) fn new(
        devices: &'a Mutex<Devices>,
        quiesce: &'a Quiesce,
        seq: u64,
        flags: c_int,
        origin: Origin,
    ) -> Self {
        Self {
            devices,
            quiesce,
            seq,
            flags,
            origin,
            walks: KVec::new(),
            error: 0,
            calls: 0,
            reason: Reason::NoHolder,
            fs_failed: false,
        }
    }

    /// Notes why a part is left to the per-page path.
    fn untaken_because(&mut self, reason: Reason) {
        self.reason = self.reason.max(reason);
    }

    /// Routes a poison `range` of `dev`, the failing device.
    ///
    /// `untaken` is called, in order, with each part nobody took, unless
    /// the verdict is [`Verdict::Untaken`] for a one-page failure, which
    /// the per-page path then handles whole.
    pub(crate) fn poison(
        &mut self,
        dev: &Arc<Device>,
        range: ByteRange,
        untaken: &mut dyn FnMut(ByteRange),
    ) -> Verdict {
        let mut parts = KVec::new();
        let split = {
            let mut state = dev.state.lock();
            let split = state.ledger.event(range, &mut |p| {
                parts.push(p, GFP_KERNEL).map_err(|_| RouteError::NoSpace)
            });
            if split.is_err() {
                // No memory to split it: all of it goes per page.
                let _ = state.ledger.record(range, Outcome::Fallback);
            }
            split
        };
        if split.is_err() {
            self.untaken_because(Reason::NoMemory);
            trace::fallback(self.seq, dev.devt, &dev.name, range, self.reason);
            return Verdict::Untaken;
        }

        let mut any_new = false;
        let mut any_taken = false;
        let mut left = KVec::new();
        for part in parts.iter() {
            match *part {
                Part::Known(r) => {
                    let _ = dev.state.lock().ledger.record(r, Outcome::Absorbed);
                    trace::absorb(self.seq, dev.devt, &dev.name, r);
                    any_taken = true;
                }
                Part::New(r) => {
                    any_new = true;
                    let taken = self.deliver_part(dev, r, &mut left);
                    any_taken |= taken;
                }
            }
        }
        if !any_new {
            return Verdict::Absorbed;
        }
        if left.is_empty() {
            return Verdict::Routed;
        }
        if !any_taken && self.origin == Origin::Page {
            return Verdict::Untaken;
        }
        for r in left.iter() {
            untaken(*r);
        }
        Verdict::Routed
    }

    /// Routes new part `r` of the failing device; appends what nobody took
    /// to `left` (or all of it, when it cannot be told apart); returns
    /// whether something was taken.
    fn deliver_part(
        &mut self,
        dev: &Arc<Device>,
        r: ByteRange,
        left: &mut KVec<ByteRange>,
    ) -> bool {
        let mut taken: KVec<ByteRange> = KVec::new();
        let mut lost = false;
        self.fs_failed = false;
        let reach = self.deliver(dev, dev.dax(), r, 0, &mut |t| {
            if taken.push(t, GFP_KERNEL).is_err() {
                lost = true;
            }
        });
        if lost {
            // Cannot tell what was taken: nothing is lost if all of it goes
            // per page too, some pages twice.
            taken = KVec::new();
            self.untaken_because(Reason::NoMemory);
        }
        sort_by_key(taken.as_mut_slice(), |t| t.start());

        // Record: taken parts delivered, the rest fallen back; a holder's
        // failure keeps all of it out of the set, to be told again.
        let failed = reach.holder_failed || self.fs_failed;
        let record = |piece: ByteRange, got: bool, this: &mut Self| {
            let outcome = match (got, failed) {
                (_, true) => Outcome::Failed,
                (true, false) => Outcome::Delivered,
                (false, false) => Outcome::Fallback,
            };
            record_part(dev, piece, outcome);
            if !got {
                trace::fallback(this.seq, dev.devt, &dev.name, piece, this.reason);
            }
        };
        // Walk the taken pieces, merged into runs, and the gaps between.
        let mut pos = r.start();
        let mut run: Option<ByteRange> = None;
        let mut any = false;
        let gap = |from: u64, to: u64, this: &mut Self, left: &mut KVec<ByteRange>| {
            if let Ok(g) = ByteRange::from_bounds(from, to) {
                record(g, false, this);
                if left.push(g, GFP_KERNEL).is_err() {
                    this.untaken_because(Reason::NoMemory);
                }
            }
        };
        for t in taken.iter().filter_map(|t| t.intersect(&r)) {
            match run {
                Some(cur) if t.start() <= cur.end() => {
                    run = ByteRange::from_bounds(cur.start(), cur.end().max(t.end())).ok();
                }
                _ => {
                    if let Some(cur) = run.take() {
                        record(cur, true, self);
                        any = true;
                        pos = cur.end();
                    }
                    if pos < t.start() {
                        gap(pos, t.start(), self, left);
                    }
                    run = Some(t);
                }
            }
        }
        if let Some(cur) = run {
            record(cur, true, self);
            any = true;
            pos = cur.end();
        }
        if pos < r.end() {
            gap(pos, r.end(), self, left);
        }
        any
    }

    /// Routes `r` to `dev` (at `dax`, `depth` levels above the failing
    /// device), calling `taken` with each part a filesystem took.
    fn deliver(
        &mut self,
        dev: &Arc<Device>,
        dax: *mut bindings::dax_device,
        r: ByteRange,
        depth: u32,
        taken: &mut dyn FnMut(ByteRange),
    ) -> Reach {
        let mut reach = Reach {
            holder_failed: self.call_holders(dev, r),
            ..Reach::default()
        };
        self.call_filesystem(dev, dax, r, taken);
        if depth >= MAX_DEPTH {
            self.untaken_because(Reason::Unsupported);
            return reach;
        }
        let walk = self.walk(dax);
        for group in walk.groups() {
            let up = self.deliver_up(group, r, depth, taken);
            reach.holder_failed |= up.holder_failed;
            reach.stale |= up.stale;
        }
        // A stale walk is dropped: the next range walks the tables again.
        if !reach.stale {
            self.put_walk(dax, walk);
        }
        reach.stale = false;
        reach
    }

    /// Calls the holders registered on `dev` that `r` concerns; returns
    /// whether one failed.
    fn call_holders(&mut self, dev: &Arc<Device>, r: ByteRange) -> bool {
        let mut found = KVec::new();
        if dev.holders.lock().find(r, &mut found).is_err() {
            // No memory to list them: they are not told, and the part is
            // not remembered, so a later failure tells them.
            return true;
        }
        let mut failed = false;
        for holder in found.iter() {
            let Some(clip) = holder.range.intersect(&r) else {
                continue;
            };
            if self.origin == Origin::Badblocks {
                // Handed over again for a filesystem that appeared since:
                // each holder hears of each range once.
                if let Some(f) = holder.deliver_new(self.quiesce, self.seq, clip, self.flags) {
                    self.calls = self.calls.saturating_add(1);
                    failed |= f;
                }
            } else if let Some(rc) = holder.deliver(self.quiesce, self.seq, clip, self.flags) {
                self.calls = self.calls.saturating_add(1);
                failed |= rc != 0;
            }
        }
        failed
    }

    /// Tells the filesystem holding `dax`, if any, of `r`, one partition's
    /// part at a time, calling `taken` with what it took.
    fn call_filesystem(
        &mut self,
        dev: &Arc<Device>,
        dax: *mut bindings::dax_device,
        r: ByteRange,
        taken: &mut dyn FnMut(ByteRange),
    ) {
        // SAFETY: `dax` is alive for the pass (see `Router::route`).
        if unsafe { bindings::dax_holder(dax) }.is_null() {
            return;
        }
        // SAFETY: The disk of a live dax_device is valid for the pass.
        let parts = match unsafe { Partitions::of(dev.disk()) } {
            Ok(parts) => parts,
            Err(_) => {
                self.untaken_because(Reason::NoMemory);
                return;
            }
        };
        let _ = parts.split(r, &mut |piece| -> Result<(), RouteError> {
            // SAFETY: `dax` is alive, as above.
            let rc = unsafe {
                bindings::dax_holder_notify_failure(dax, piece.start(), piece.len(), self.flags)
            };
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
                    // Handled, and failed (xfs shut down for it: telling
                    // it again changes nothing): no per-page handling, as
                    // memory_failure() does on such an answer.
                    taken(piece);
                    self.fs_failed = true;
                    if self.error == 0 {
                        self.error = error;
                    }
                }
            }
            Ok(())
        });
    }

    /// Routes member range `r` to the mapped device whose targets using
    /// the member are `group`.
    fn deliver_up(
        &mut self,
        group: &[Use],
        r: ByteRange,
        depth: u32,
        taken: &mut dyn FnMut(ByteRange),
    ) -> Reach {
        let mut reach = Reach::default();
        // What a target that is not translated uses stays untaken.
        if group
            .iter()
            .any(|u| matches!(u.mapping, Mapping::Opaque(area) if area.overlaps(&r)))
        {
            self.untaken_because(Reason::Unsupported);
        }
        let Some(first) = group.first() else {
            return reach;
        };
        if first.upper.is_null() {
            return reach;
        }
        if !group.iter().all(Use::is_current) {
            // A reload since the walk: the pieces would be wrong.
            self.untaken_because(Reason::TableChanged);
            reach.stale = true;
            return reach;
        }
        // SAFETY: The mapped device is referenced by the walk, so its
        // dax_device is alive until it is dropped (dm kills it only once
        // nobody holds the device).
        let Ok(upper) = (unsafe { device_of(self.devices, first.upper) }) else {
            self.untaken_because(Reason::NoMemory);
            return reach;
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
        for (m, up) in pieces.iter() {
            let (m, up) = (*m, *up);
            self.count_up(&upper, up);
            let r = self.deliver(&upper, first.upper, up, depth.saturating_add(1), &mut |t| {
                // Back to the member: the piece is a shift.
                if let Some(back) = t
                    .checked_sub(up.start())
                    .ok()
                    .and_then(|t| t.checked_add(m.start()).ok())
                {
                    taken(back);
                }
            });
            reach.holder_failed |= r.holder_failed;
        }
        reach
    }

    /// Counts a range relayed to a device above the failing one.
    fn count_up(&self, upper: &Arc<Device>, r: ByteRange) {
        let mut state = upper.state.lock();
        if state.ledger.event(r, &mut |_| Ok(())).is_ok() {
            let _ = state.ledger.record(r, Outcome::Relayed);
        }
    }

    /// Returns the walk of `member` done in this pass, walking if needed;
    /// give it back with [`Pass::put_walk`].
    fn walk(&mut self, member: *mut bindings::dax_device) -> Walk {
        let key = member as usize;
        let cached = self
            .walks
            .as_mut_slice()
            .iter_mut()
            .find(|(k, w)| *k == key && w.is_some())
            .and_then(|(_, w)| w.take());
        if let Some(walk) = cached {
            return walk;
        }
        // SAFETY: `member` is alive for the pass.
        let walk = unsafe { Walk::of(member) };
        if walk.incomplete {
            self.untaken_because(Reason::NoMemory);
        }
        walk
    }

    /// Keeps `walk` of `member` for the rest of the pass.
    fn put_walk(&mut self, member: *mut bindings::dax_device, walk: Walk) {
        let key = member as usize;
        if let Some(entry) = self
            .walks
            .as_mut_slice()
            .iter_mut()
            .find(|(k, w)| *k == key || w.is_none())
        {
            *entry = (key, Some(walk));
            return;
        }
        // Without memory to keep it, the next range walks again.
        let _ = self.walks.push((key, Some(walk)), GFP_KERNEL);
    }

    /// Announces that `r` of `dev` (at `dax`) is about to be removed
    /// (`whole`: the whole device, from `kill_dax()`), to its holders, its
    /// filesystem and everything above; then revokes the DAX mappings
    /// that would outlive it, whatever the holders answered.
    pub(crate) fn remove(
        &mut self,
        dev: &Arc<Device>,
        dax: *mut bindings::dax_device,
        r: ByteRange,
        whole: bool,
        depth: u32,
    ) {
        let _ = self.call_holders(dev, r);
        // SAFETY: `dax` is alive for the pass.
        if !unsafe { bindings::dax_holder(dax) }.is_null() {
            // The filesystem gets what kill_dax() would have sent it.
            let (off, len) = if whole {
                (0, u64::MAX)
            } else {
                (r.start(), r.len())
            };
            // SAFETY: As above.
            let rc = unsafe { bindings::dax_holder_notify_failure(dax, off, len, self.flags) };
            self.calls = self.calls.saturating_add(1);
            trace::deliver_fs(self.seq, dev.devt, &dev.name, r, self.flags, rc);
        }
        if depth < MAX_DEPTH {
            let walk = self.walk(dax);
            for group in walk.groups() {
                self.remove_up(group, r, depth);
            }
            self.put_walk(dax, walk);
        }
        // Every mapping of the dying memory goes, even when a holder
        // failed (an xfs already shut down, or frozen).
        if whole || depth > 0 {
            // SAFETY: The disk is valid for the pass; no lock is held.
            let revoked = unsafe { fs::revoke(dev.disk()) };
            if revoked > 0 && trace::may_log() {
                pr_info!(
                    "{}: DAX mappings of {} inodes revoked\n",
                    dev.name.as_str(),
                    revoked
                );
            }
        }
        let mut state = dev.state.lock();
        state.pre_removes = state.pre_removes.saturating_add(1);
    }

    /// Announces the removal of member range `r` to the mapped device of
    /// `group`, as one range covering what its targets map there.
    fn remove_up(&mut self, group: &[Use], r: ByteRange, depth: u32) {
        let Some(first) = group.first() else { return };
        if first.upper.is_null() {
            return;
        }
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
        // SAFETY: As in `deliver_up`.
        if let Ok(upper) = unsafe { device_of(self.devices, first.upper) } {
            self.remove(&upper, first.upper, cover, false, depth.saturating_add(1));
        }
    }

    /// Tells the holders of `dev` and everything above that `r` is good
    /// again.
    pub(crate) fn repair(
        &mut self,
        dev: &Arc<Device>,
        dax: *mut bindings::dax_device,
        r: ByteRange,
        depth: u32,
    ) {
        let mut found = KVec::new();
        if dev.holders.lock().find(r, &mut found).is_ok() {
            for holder in found.iter() {
                if let Some(clip) = holder.range.intersect(&r) {
                    if holder.repair(self.quiesce, self.seq, clip) {
                        self.calls = self.calls.saturating_add(1);
                    }
                }
            }
        }
        if depth >= MAX_DEPTH {
            return;
        }
        let walk = self.walk(dax);
        for group in walk.groups() {
            self.repair_up(group, r, depth);
        }
        self.put_walk(dax, walk);
    }

    /// Routes the repair of member range `r` to the mapped device of `group`.
    fn repair_up(&mut self, group: &[Use], r: ByteRange, depth: u32) {
        let Some(first) = group.first() else { return };
        if first.upper.is_null() {
            return;
        }
        // SAFETY: As in `deliver_up`.
        let Ok(upper) = (unsafe { device_of(self.devices, first.upper) }) else {
            return;
        };
        let mut pieces = KVec::new();
        for u in group.iter() {
            if let Mapping::Layout(layout) = &u.mapping {
                let _ = layout.for_each_piece(r, &mut |_, up| -> Result<(), RouteError> {
                    pieces.push(up, GFP_KERNEL).map_err(|_| RouteError::NoSpace)
                });
            }
        }
        for up in pieces.iter() {
            self.repair(&upper, first.upper, *up, depth.saturating_add(1));
        }
    }
}

/// Records `outcome` for `piece` in `dev`'s ledger, with a node reserved
/// ahead for a delivered range; without one it is delivered, not kept.
fn record_part(dev: &Arc<Device>, piece: ByteRange, outcome: Outcome) {
    let node = if outcome == Outcome::Delivered {
        RbStore::reserve(GFP_KERNEL)
    } else {
        None
    };
    let mut state = dev.state.lock();
    if let Some(node) = node {
        state.ledger.delivered().store().give(node);
    }
    if state.ledger.record(piece, outcome).is_err() && outcome == Outcome::Delivered {
        // Overlaps a range delivered meanwhile, or no node: count it
        // delivered, not kept (a repeat is told again).
        let _ = state.ledger.record(piece, Outcome::Relayed);
    }
}
