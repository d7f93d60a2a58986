// SPDX-License-Identifier: GPL-2.0

//! The module's debugfs directory, `/sys/kernel/debug/mfroute/`.
//!
//! 6.12 has no Rust debugfs abstraction and debugfs files are C-shaped (file
//! operations, `seq_file`), so the directory and its files are owned by
//! `mfroute_debugfs.c`, which calls back into Rust for the content
//! (`mfroute_rs_ledger_show`).
//!
//! C header: [`include/linux/debugfs.h`](srctree/include/linux/debugfs.h)

use kernel::error::to_result;
use kernel::prelude::*;

use crate::ffi;

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
