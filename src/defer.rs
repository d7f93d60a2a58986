// SPDX-License-Identifier: GPL-2.0

//! Deliveries put off while a mapped device is suspended.
//!
//! A filesystem told of poison reads its metadata (xfs walks its reverse
//! map), and on a suspended mapped device (pvmove, a snapshot, `dmsetup
//! suspend`) that I/O waits for the resume: under `mf_mutex`, it would
//! hold up every memory failure in the system, and the hung-task detector
//! fires. So a routing pass does not tell what sits on a suspended mapped
//! device: that part takes the per-page path now, as it does upstream
//! (the processes mapping it are signalled, the pages unmapped), and a
//! [`Defer`] remembers the lower device's range; the defer work tries it
//! again every [`RETRY_MS`] and, once the mapped device is resumed,
//! routes it to it through its live table then (which a reload during the
//! suspension may have changed), so that the filesystem still learns of
//! it: of its metadata, for one.
//!
//! A mapped device that no longer uses the lower device, or a lower device
//! that went away, ends its deferred deliveries.

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

use crate::device::Device;
use crate::ffi;
use crate::route::range::ByteRange;

/// How often deferred deliveries are tried again, in milliseconds.
pub(crate) const RETRY_MS: u32 = 200;

/// A delivery to a suspended mapped device, to be made after its resume.
pub(crate) struct Defer {
    /// The device below it, where the range is.
    pub(crate) lower: Arc<Device>,
    /// The mapped device, as [`crate::dm::Use::device`] names it.
    pub(crate) md: usize,
    /// The range, in the lower device's bytes.
    pub(crate) range: ByteRange,
    /// The failure's `MF_*` flags.
    pub(crate) flags: c_int,
}

/// Deliveries waiting for a resume.
pub(crate) struct Defers {
    /// The waiting ones, oldest first.
    pub(crate) waiting: KVec<Defer>,
}

impl Defers {
    /// None waiting.
    pub(crate) fn new() -> Self {
        Self {
            waiting: KVec::new(),
        }
    }
}

/// Puts `defer` off until its mapped device is resumed; returns whether
/// it could be (no memory: the filesystem is not told later).
pub(crate) fn put_off(defers: &Mutex<Defers>, defer: Defer) -> bool {
    if defers.lock().waiting.push(defer, GFP_KERNEL).is_err() {
        return false;
    }
    // SAFETY: Plain C function, any context.
    unsafe { ffi::mfroute_defer_schedule(RETRY_MS) };
    true
}

/// Takes every deferred delivery out, for the defer work to try.
pub(crate) fn take(defers: &Mutex<Defers>) -> KVec<Defer> {
    core::mem::replace(&mut defers.lock().waiting, KVec::new())
}

/// Puts back the deliveries still waiting, and tries them again later.
pub(crate) fn put_back(defers: &Mutex<Defers>, waiting: KVec<Defer>) {
    if waiting.is_empty() {
        return;
    }
    {
        let mut defers = defers.lock();
        // Older ones first, then those deferred meanwhile.
        let mut all = waiting;
        let newer = core::mem::replace(&mut defers.waiting, KVec::new());
        for d in newer {
            // Without memory for them, the newer ones are not told later.
            let _ = all.push(d, GFP_KERNEL);
        }
        defers.waiting = all;
    }
    // SAFETY: Plain C function, any context.
    unsafe { ffi::mfroute_defer_schedule(RETRY_MS) };
}
