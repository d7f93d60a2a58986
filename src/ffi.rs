// SPDX-License-Identifier: GPL-2.0

//! The C half of `mfroute.ko`, as seen from Rust.
//!
//! Everything C-shaped (debugfs files, block device and superblock walks,
//! the exported holder API) lives in the module's C files; these are their
//! entry points.  See `src/mfroute.h`.

use kernel::ffi::{c_int, c_ulong};
use kernel::bindings;

/// A holder registration, `struct mfroute_holder` in `mfroute_holder.c`.
#[repr(C)]
pub(crate) struct Holder {
    /// Never accessed from Rust.
    _private: [u8; 0],
}

extern "C" {
    /// Creates the debugfs directory and its files.
    pub(crate) fn mfroute_debugfs_init() -> c_int;
    /// Removes the debugfs directory and everything below it.
    pub(crate) fn mfroute_debugfs_exit();
    /// Calls `holder`'s callback for `len` bytes at dax_device offset `off`.
    pub(crate) fn mfroute_holder_deliver(holder: *mut Holder, off: u64, len: u64, flags: c_int)
        -> c_int;
    /// Unmaps every DAX mapping of the superblocks on `dax_dev`.
    pub(crate) fn mfroute_revoke_dax_mappings(dax_dev: *mut bindings::dax_device)
        -> c_ulong;
}
