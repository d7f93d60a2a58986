// SPDX-License-Identifier: GPL-2.0

//! Telling registered holders, from a work item.
//!
//! A routing pass does not call the registered holders (the in-kernel
//! users of `include/mfroute.h`, not filesystems): it queues a [`Note`] for
//! each, and the notify work (`mfroute_holder.c`) delivers the notes in the
//! order they were queued, outside `mf_mutex`, the dax SRCU read section
//! and every router lock. A holder that sleeps in its callback delays the
//! notes queued after it, never a memory failure, which only waits for the
//! filesystems it must tell. A removal waits until its notes were
//! delivered, since the device goes away once `kill_dax()` returns; so
//! does `mfroute_holder_flush()`, for everything queued before it.
//!
//! Each holder hears of each failed byte once, until it is repaired
//! ([`Holder::deliver_poison`]): a holder that failed is told again at the
//! next failure there, one that registered after a failure is told at the
//! next failure there, and one that took it is not told twice.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

use crate::device::Device;
use crate::ffi;
use crate::holders::Holder;
use crate::route::range::ByteRange;

/// What a note tells.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Poison: the parts the holder was not told of.
    Poison,
    /// The range is about to be removed: all of it.
    Removal,
    /// The range is good again.
    Repair,
}

/// One notification for one registered holder.
pub(crate) struct Note {
    /// The holder, kept alive (its C side may be gone: it is dead then).
    pub(crate) holder: Arc<Holder>,
    /// The device it holds, for its counters.
    pub(crate) device: Arc<Device>,
    /// The event's number.
    pub(crate) seq: u64,
    /// What, in the device's bytes, clipped to the registration.
    pub(crate) range: ByteRange,
    /// The event's `MF_*` flags.
    pub(crate) flags: c_int,
    /// What it tells.
    pub(crate) kind: Kind,
}

/// Notes not delivered yet, in the order they were queued.
pub(crate) struct Notes {
    /// The queue.
    queue: KVec<Note>,
}

impl Notes {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        Self { queue: KVec::new() }
    }
}

/// Queues `note` in `notes` and schedules the notify work; a note that
/// cannot be queued (no memory) is counted as a holder error of its
/// device: the holder is told at the next failure there (for a repair,
/// it forgets it was told of the range, so that it is).
///
/// Context: process context; no router lock held.
pub(crate) fn queue(notes: &Mutex<Notes>, note: Note) {
    let (device, holder, range, kind) = (
        note.device.clone(),
        note.holder.clone(),
        note.range,
        note.kind,
    );
    if notes.lock().queue.push(note, GFP_KERNEL).is_err() {
        if kind == Kind::Repair {
            holder.forget_told(range);
        }
        let mut state = device.state.lock();
        state.holder_errors = state.holder_errors.saturating_add(1);
        return;
    }
    // SAFETY: Plain C function, any context.
    unsafe { ffi::mfroute_notify_schedule() };
}

/// Waits until every note queued before the call was delivered.
///
/// Context: process context; not from the notify work (a holder callback).
pub(crate) fn flush() {
    // SAFETY: Plain C function; not called from the work it flushes.
    unsafe { ffi::mfroute_notify_flush() };
}

/// Delivers every note queued in `notes`, in order; the notify work.
pub(crate) fn deliver(notes: &Mutex<Notes>) {
    loop {
        let batch = core::mem::replace(&mut notes.lock().queue, KVec::new());
        if batch.is_empty() {
            return;
        }
        for note in batch.iter() {
            let (calls, failed) = match note.kind {
                Kind::Poison => note.holder.deliver_poison(note.seq, note.range, note.flags),
                Kind::Removal => {
                    match note.holder.calls.deliver(note.seq, note.range, note.flags) {
                        Some(rc) => (1, rc != 0),
                        None => (0, false),
                    }
                }
                Kind::Repair => (u64::from(note.holder.repair(note.seq, note.range)), false),
            };
            note.device.count_calls(calls);
            if failed {
                let mut state = note.device.state.lock();
                state.holder_errors = state.holder_errors.saturating_add(1);
            }
        }
    }
}
