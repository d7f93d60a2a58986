// SPDX-License-Identifier: GPL-2.0

//! The module's sysfs directory, `/sys/kernel/mfroute/`: the version, and
//! for each device the router tracks its `dev`, its ledger's counters
//! (`stat`) and its failed ranges (`failed`), readable without debugfs.
//!
//! 6.12 has no Rust kobject abstraction, so the directories are owned by
//! `mfroute_sysfs.c`, which calls back into Rust for the content
//! (`mfroute_rs_device_show`) and to drop the reference a directory holds
//! on its device (`mfroute_rs_device_put`).  The format is described in
//! `Documentation/ABI/testing/sysfs-kernel-mfroute`.
//!
//! C header: [`include/linux/kobject.h`](srctree/include/linux/kobject.h)

use core::fmt::{self, Write};

use kernel::error::to_result;
use kernel::ffi::{c_char, c_uint, c_void};
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Arc;

use crate::device::Device;
use crate::ffi;
use crate::route::range::SectorRange;

/// The sysfs directory.
///
/// # Invariants
///
/// `/sys/kernel/mfroute/` exists for as long as this value lives; there is
/// at most one value at a time (it is created once, by module init).
pub(crate) struct Dir(());

impl Dir {
    /// Creates `/sys/kernel/mfroute/`, showing `version`.
    pub(crate) fn create(version: &'static CStr) -> Result<Self> {
        // SAFETY: Called once from module init, with no directory existing;
        // `version` is static, so it outlives the directory.
        to_result(unsafe { ffi::mfroute_sysfs_init(version.as_char_ptr()) })?;
        // INVARIANT: `mfroute_sysfs_init` succeeded, so the directory exists.
        Ok(Dir(()))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the directory exists and this is its
        // only owner.  It is dropped after the router was unregistered, so
        // no device is added any more; removal waits for readers.
        unsafe { ffi::mfroute_sysfs_exit() };
    }
}

/// Gives `device` its directory, `devices/<disk name>/`.
///
/// A device without a disk has none; failing to make one is logged and
/// otherwise harmless: routing does not depend on it.
///
/// # Safety
///
/// The device's dax_device cannot die before this returns, so that
/// [`hide`] (called once it died) runs after it.
pub(crate) unsafe fn show(device: &Arc<Device>) {
    if device.devt == 0 {
        return;
    }
    let raw = Arc::into_raw(device.clone());
    // SAFETY: `raw` is a counted reference the directory owns on success;
    // the name is NUL-terminated and copied by the kobject.
    let rc = unsafe { ffi::mfroute_sysfs_add(raw.cast(), device.devt, device.name.as_ptr()) };
    if rc != 0 {
        // SAFETY: The directory was not made: the reference is still ours.
        drop(unsafe { Arc::from_raw(raw) });
        pr_warn!("{}: no sysfs directory ({})\n", device.name.as_str(), rc);
    }
}

/// Removes the directory of `device`, if it has one; returns once nobody
/// reads it.
pub(crate) fn hide(device: &Arc<Device>) {
    // The address `Arc::into_raw` gave `show`: that of the device.
    let raw: *const Device = &**device;
    // SAFETY: Plain C function; the pointer is only compared.
    unsafe { ffi::mfroute_sysfs_remove(raw.cast()) };
}

/// A `fmt::Write` into a sysfs page that refuses a piece that does not
/// fit (what was written of the line before stays).
struct Page {
    buf: *mut u8,
    len: usize,
}

impl Write for Page {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        if end > kernel::page::PAGE_SIZE {
            return Err(fmt::Error);
        }
        // SAFETY: `buf` is a page (the sysfs show contract) and `end` is
        // within it; `s` does not overlap it.
        unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), self.buf.add(self.len), s.len()) };
        self.len = end;
        Ok(())
    }
}

/// Writes `stat`: twelve counters on one line.
fn show_stat(device: &Device, out: &mut Page) -> fmt::Result {
    let state = device.state.lock();
    let c = state.ledger.counters();
    writeln!(
        out,
        "{} {} {} {} {} {} {} {} {} {} {} {}",
        c.events.ranges,
        c.delivered.ranges,
        c.delivered.bytes,
        c.absorbed.ranges,
        c.absorbed.bytes,
        c.fallback.ranges,
        c.fallback.bytes,
        c.failed.ranges,
        c.failed.bytes,
        c.repaired.ranges,
        c.repaired.bytes,
        device.holder_calls(),
    )
}

/// Writes `failed`: one "START LENGTH" line per failed range, in 512-byte
/// sectors, as many whole lines as a page holds (as `badblocks` does).
fn show_failed(device: &Device, out: &mut Page) {
    let mut state = device.state.lock();
    // Its only error is a full page, which ends the list.
    let _ = state.ledger.delivered().try_for_each(&mut |r| {
        let line = out.len;
        let s = SectorRange::covering(r);
        // A line that does not fit is taken back whole.
        writeln!(out, "{} {}", s.start(), s.len()).inspect_err(|_| out.len = line)
    });
}

/// Fills a sysfs page for attribute `attr` (`enum mfroute_sysfs_attr`) of
/// `device`; returns its length or a negative errno.
///
/// # Safety
///
/// `device` is a reference [`show`] gave a directory that still holds it;
/// `buf` is the page of a sysfs `->show()` call in progress.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_device_show(
    device: *const c_void,
    attr: c_uint,
    buf: *mut c_char,
) -> isize {
    // SAFETY: By the safety requirements the directory's reference keeps
    // the device alive for this call.
    let device = unsafe { &*device.cast::<Device>() };
    let mut page = Page {
        buf: buf.cast(),
        len: 0,
    };
    match attr {
        ffi::MFROUTE_SYSFS_STAT => {
            // Twelve numbers always fit a page.
            let _ = show_stat(device, &mut page);
        }
        ffi::MFROUTE_SYSFS_FAILED => show_failed(device, &mut page),
        _ => return EINVAL.to_errno() as isize,
    }
    page.len as isize
}

/// Drops the reference a directory held on its device.
///
/// # Safety
///
/// `device` is a reference [`show`] gave a directory being released.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_device_put(device: *const c_void) {
    // SAFETY: By the safety requirements this is the `Arc` `show` leaked.
    drop(unsafe { Arc::from_raw(device.cast::<Device>()) });
}
