// SPDX-License-Identifier: GPL-2.0

//! The C half of `mfroute.ko`, as seen from Rust.
//!
//! Everything C-shaped (debugfs files, block device and superblock walks,
//! the exported holder API) lives in the module's C files; these are their
//! entry points.  See `src/mfroute.h`.

use kernel::bindings;
use kernel::ffi::{c_int, c_ulong};

/// A holder registration, `struct mfroute_holder` in `mfroute_holder.c`.
#[repr(C)]
pub(crate) struct Holder {
    /// Never accessed from Rust.
    _private: [u8; 0],
}

/// Most targets one level of the dm walk copies out (`mfroute_dm_targets`).
pub(crate) const MAX_DM_TARGETS: usize = 16;
/// Most stripes of one striped target (`MFROUTE_DM_MAX_STRIPES`).
pub(crate) const MAX_STRIPES: usize = 16;

/// A dm target mapping a member, `struct mfroute_dm_target`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct DmTarget {
    /// The mapped device's dax_device, referenced until `mfroute_dm_put`.
    pub(crate) upper: *mut bindings::dax_device,
    /// The mapped device's disk name, NUL-terminated.
    pub(crate) name: [u8; 32],
    /// First sector of the target in the mapped device.
    pub(crate) begin: u64,
    /// Sectors of the target.
    pub(crate) len: u64,
    /// Start of the target's data on the member, in member dax sectors.
    pub(crate) member_start: u64,
    /// Striped: chunk size in sectors; 0 for linear.
    pub(crate) chunk: u64,
    /// Striped: number of stripes.
    pub(crate) stripes: u32,
    /// Striped: which stripe the member is.
    pub(crate) stripe: u32,
}

impl DmTarget {
    /// An empty entry, for preallocated buffers.
    pub(crate) const EMPTY: Self = DmTarget {
        upper: core::ptr::null_mut(),
        name: [0; 32],
        begin: 0,
        len: 0,
        member_start: 0,
        chunk: 0,
        stripes: 0,
        stripe: 0,
    };
}

extern "C" {
    /// Creates the debugfs directory and its files.
    pub(crate) fn mfroute_debugfs_init() -> c_int;
    /// Removes the debugfs directory and everything below it.
    pub(crate) fn mfroute_debugfs_exit();
    /// Calls `holder`'s callback for `len` bytes at dax_device offset `off`.
    pub(crate) fn mfroute_holder_deliver(
        holder: *mut Holder,
        off: u64,
        len: u64,
        flags: c_int,
    ) -> c_int;
    /// Tells `holder` that `len` bytes at dax_device offset `off` are good again.
    pub(crate) fn mfroute_holder_repair(holder: *mut Holder, off: u64, len: u64);
    /// Unmaps every DAX mapping of the superblocks on `dax_dev`.
    pub(crate) fn mfroute_revoke_dax_mappings(dax_dev: *mut bindings::dax_device) -> c_ulong;
    /// Copies out the dm targets mapping `member`; returns their number.
    pub(crate) fn mfroute_dm_targets(
        member: *mut bindings::dax_device,
        out: *mut DmTarget,
        max: c_int,
    ) -> c_int;
    /// Drops the references of `n` targets from `mfroute_dm_targets`.
    pub(crate) fn mfroute_dm_put(targets: *mut DmTarget, n: c_int);
}
