// SPDX-License-Identifier: GPL-2.0

//! The module's debugfs directory, `/sys/kernel/debug/mfroute/`.
//!
//! 6.12 has no Rust debugfs abstraction and debugfs files are C-shaped (file
//! operations, `seq_file`), so the directory and its files are owned by
//! `mfroute_debugfs.c`, which calls back into Rust for the content
//! (`mfroute_rs_ledger_show`, the ledger of every device the router knows).
//!
//! C header: [`include/linux/debugfs.h`](srctree/include/linux/debugfs.h)

use core::fmt::{self, Write};
use core::sync::atomic::Ordering;

use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::prelude::*;

use crate::device::Device;
use crate::ffi;
use crate::router::router;

/// The debugfs directory.
///
/// # Invariants
///
/// The directory exists for as long as this value lives; there is at most
/// one value at a time (it is created once, by module init).
pub(crate) struct Dir(());

impl Dir {
    /// Creates `/sys/kernel/debug/mfroute/` and its files.
    pub(crate) fn create() -> Result<Self> {
        // SAFETY: Called once from module init, with no directory existing.
        to_result(unsafe { ffi::mfroute_debugfs_init() })?;
        // INVARIANT: `mfroute_debugfs_init` succeeded, so the directory exists.
        Ok(Dir(()))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the directory exists and this is its
        // only owner; removal waits for open files to be released.
        unsafe { ffi::mfroute_debugfs_exit() };
    }
}

/// Writes `dev`'s ledger as text, as `ledger` shows it.
fn show_device(dev: &Device, out: &mut dyn Write) -> fmt::Result {
    let holders = dev.registered.load(Ordering::Relaxed);
    let mut state = dev.state.lock();
    let c = *state.ledger.counters();
    let check = if state.ledger.check().is_ok() {
        "ok"
    } else {
        "BROKEN"
    };
    writeln!(
        out,
        "{} events={} delivered={}/{} absorbed={}/{} fallback={}/{} errors={}/{} \
         relayed={}/{} repaired={}/{} pre_remove={} holder_calls={} holder_errors={} \
         holders={} check={}",
        dev.name.as_str(),
        c.events.ranges,
        c.delivered.ranges,
        c.delivered.bytes,
        c.absorbed.ranges,
        c.absorbed.bytes,
        c.fallback.ranges,
        c.fallback.bytes,
        c.failed.ranges,
        c.failed.bytes,
        c.relayed.ranges,
        c.relayed.bytes,
        c.repaired.ranges,
        c.repaired.bytes,
        state.pre_removes,
        dev.holder_calls(),
        state.holder_errors,
        holders,
        check
    )?;
    state
        .ledger
        .delivered()
        .try_for_each(&mut |r| writeln!(out, "  failed {:#x}+{:#x}", r.start(), r.len()))
}

/// A `fmt::Write` into a `seq_file`.
struct SeqWriter(*mut ffi::SeqFile);

impl Write for SeqWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // SAFETY: The seq_file is valid during `mfroute_rs_ledger_show`.
        let rc = unsafe { ffi::seq_write(self.0, s.as_ptr().cast(), s.len()) };
        if rc == 0 {
            Ok(())
        } else {
            Err(fmt::Error)
        }
    }
}

/// Writes the ledgers into `m`; returns 0 or a negative errno.
///
/// # Safety
///
/// `m` is the seq_file of a `->show()` call in progress.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_ledger_show(m: *mut ffi::SeqFile) -> c_int {
    let Some(router) = router() else {
        return ENODEV.to_errno();
    };
    let devices = match router.devices() {
        Ok(devices) => devices,
        Err(e) => return e.to_errno(),
    };
    let mut out = SeqWriter(m);
    // An overflowing seq_file is grown and shown again by its caller, so a
    // write error here needs no answer of its own.
    let _ = devices
        .iter()
        .try_for_each(|dev| show_device(dev, &mut out))
        .and_then(|()| writeln!(out, "untracked={}", router.untracked()));
    0
}
