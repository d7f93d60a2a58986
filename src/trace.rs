// SPDX-License-Identifier: GPL-2.0

//! The router's tracepoints and log lines.
//!
//! 6.12 has no Rust tracepoints: the `TRACE_EVENT`s are C
//! (`src/mfroute_trace.h`, system `mfroute`) and these wrappers call them.
//! Every record of one event carries its sequence number. Log lines about
//! events are rate-limited: a storm of failures must not become a storm of
//! lines under `mf_mutex`.
//!
//! C header: [`include/linux/tracepoint.h`](srctree/include/linux/tracepoint.h)

use kernel::ffi::{c_char, c_int};

use crate::device::Name;
use crate::ffi;
use crate::route::range::{ByteRange, SECTOR_SHIFT};

/// Where an event comes from, as its tracepoint says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `memory_failure()` of one page.
    Page,
    /// `memory_failure_range()`.
    Range,
    /// `kill_dax()`, or a ranged removal.
    PreRemove,
    /// Poison the platform found before anyone hit it.
    Badblocks,
    /// A failed range is good again.
    Repair,
    /// A delivery put off while a mapped device was suspended.
    Deferred,
}

impl Origin {
    /// The name the tracepoint shows.
    fn label(self) -> &'static [u8] {
        match self {
            Origin::Page => b"memory_failure\0",
            Origin::Range => b"range\0",
            Origin::PreRemove => b"pre_remove\0",
            Origin::Badblocks => b"badblocks\0",
            Origin::Repair => b"repair\0",
            Origin::Deferred => b"deferred\0",
        }
    }
}

/// Why part of a failure was left to the per-page path.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reason {
    /// No filesystem with holder operations is there.
    NoHolder,
    /// The filesystem declined (xfs without rmapbt).
    Declined,
    /// A device-mapper target that is not translated uses it.
    Unsupported,
    /// A table was swapped while the failure was routed, time and again.
    TableChanged,
    /// The mapped device above is suspended: told after its resume.
    Suspended,
    /// No memory to route it.
    NoMemory,
}

impl Reason {
    /// The name the tracepoint shows.
    fn label(self) -> &'static [u8] {
        match self {
            Reason::NoHolder => b"no_holder\0",
            Reason::Declined => b"holder_declined\0",
            Reason::Unsupported => b"unsupported_target\0",
            Reason::TableChanged => b"table_changed\0",
            Reason::Suspended => b"suspended\0",
            Reason::NoMemory => b"no_memory\0",
        }
    }
}

/// Returns a static NUL-terminated label as a C string.
fn c(label: &'static [u8]) -> *const c_char {
    label.as_ptr().cast()
}

/// `mfroute:mfroute_event`: a failure, removal or repair enters the router.
pub(crate) fn event(
    seq: u64,
    devt: u32,
    name: &Name,
    range: ByteRange,
    flags: c_int,
    origin: Origin,
) {
    // SAFETY: The strings are NUL-terminated and live for the call.
    unsafe {
        ffi::mfroute_trace_event(
            seq,
            devt,
            name.as_ptr(),
            range.start(),
            range.len(),
            flags,
            c(origin.label()),
        )
    };
}

/// `mfroute:mfroute_deliver` for the filesystem holding a dax_device:
/// told of `range` of its disk, answering `result`.
pub(crate) fn deliver_fs(
    seq: u64,
    devt: u32,
    name: &Name,
    range: ByteRange,
    flags: c_int,
    result: c_int,
) {
    // SAFETY: The strings are NUL-terminated and live for the call.
    unsafe {
        ffi::mfroute_trace_deliver(
            seq,
            c(b"filesystem\0"),
            devt,
            name.as_ptr(),
            range.start() >> SECTOR_SHIFT,
            range.len() >> SECTOR_SHIFT,
            flags,
            result,
        )
    };
}

/// `mfroute:mfroute_absorb`: `range` was delivered before.
pub(crate) fn absorb(seq: u64, devt: u32, name: &Name, range: ByteRange) {
    // SAFETY: The strings are NUL-terminated and live for the call.
    unsafe {
        ffi::mfroute_trace_absorb(
            seq,
            devt,
            name.as_ptr(),
            range.start(),
            range.len(),
            c(b"delivered_before\0"),
        )
    };
}

/// `mfroute:mfroute_fallback`: `range` is left to the per-page path.
pub(crate) fn fallback(seq: u64, devt: u32, name: &Name, range: ByteRange, reason: Reason) {
    // SAFETY: The strings are NUL-terminated and live for the call.
    unsafe {
        ffi::mfroute_trace_fallback(
            seq,
            devt,
            name.as_ptr(),
            range.start(),
            range.len(),
            c(reason.label()),
        )
    };
}

/// Whether one more log line about an event may be printed now.
pub(crate) fn may_log() -> bool {
    // SAFETY: Plain C function, any context.
    unsafe { ffi::mfroute_log_ratelimit() }
}
