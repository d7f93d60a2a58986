// SPDX-License-Identifier: GPL-2.0

//! The C half of `mfroute.ko`, as seen from Rust.
//!
//! Everything C-shaped (the exported holder API, debugfs files, block
//! device and superblock walks, the device-mapper walk, tracepoints) lives
//! in the module's C files; these are their entry points. See
//! `src/mfroute.h`.

use kernel::bindings;
use kernel::ffi::{c_char, c_int, c_uint, c_void};

/// A holder registration, `struct mfroute_holder` in `mfroute_holder.c`.
#[repr(C)]
pub(crate) struct Holder {
    /// Never accessed from Rust.
    _private: [u8; 0],
}

/// A mapped device, `struct mapped_device` in `drivers/md/dm-core.h`.
#[repr(C)]
pub(crate) struct MappedDevice {
    /// Never accessed from Rust.
    _private: [u8; 0],
}

/// A `struct gendisk`; only handed back to C.
#[repr(C)]
pub(crate) struct Disk {
    /// Never accessed from Rust.
    _private: [u8; 0],
}

/// A `struct seq_file`; only handed back to C.
#[repr(C)]
pub(crate) struct SeqFile {
    /// Never accessed from Rust.
    _private: [u8; 0],
}

/// A target of a live table using a member, `struct mfroute_dm_use`.
#[repr(C)]
pub(crate) struct DmUse {
    /// The mapped device, referenced for the router (`mfroute_dm_put`).
    pub(crate) md: *mut MappedDevice,
    /// Its dax_device, valid while `md` is referenced, or null.
    pub(crate) upper: *mut bindings::dax_device,
    /// The generation of the table this comes from.
    pub(crate) generation: c_uint,
    /// First sector of the target in the mapped device.
    pub(crate) begin: u64,
    /// Sectors of the target.
    pub(crate) len: u64,
    /// The target reported its layout (linear, striped).
    pub(crate) translatable: bool,
    /// Where the target's data (or its use) starts on the member, in
    /// sectors of the member's dax_device.
    pub(crate) dev_start: u64,
    /// Untranslatable: how many member sectors it uses.
    pub(crate) dev_len: u64,
    /// Striped: chunk size in sectors; 0: linear.
    pub(crate) chunk: u64,
    /// Number of stripes; 1: linear.
    pub(crate) stripes: u32,
    /// Which stripe the member is.
    pub(crate) stripe: u32,
    /// The mapped device is suspended: its I/O waits for a resume.
    pub(crate) suspended: bool,
}

/// `enum mfroute_sysfs_attr`: a device's `stat` file.
pub(crate) const MFROUTE_SYSFS_STAT: c_uint = 0;
/// `enum mfroute_sysfs_attr`: a device's `failed` file.
pub(crate) const MFROUTE_SYSFS_FAILED: c_uint = 1;

extern "C" {
    /// Hands every live target using `member` to [`crate::dm`]'s callback.
    pub(crate) fn mfroute_dm_uses(member: *mut bindings::dax_device, ctx: *mut c_void) -> c_int;
    /// Returns whether the live table of `md` changed since `generation`.
    pub(crate) fn mfroute_dm_changed(md: *mut MappedDevice, generation: c_uint) -> bool;
    /// Drops the reference a [`DmUse`] held on `md`.
    pub(crate) fn mfroute_dm_put(md: *mut MappedDevice);

    /// Stores up to `max` partitions of `disk`; returns how many it has.
    pub(crate) fn mfroute_disk_partitions(
        disk: *mut Disk,
        starts: *mut u64,
        lens: *mut u64,
        max: c_int,
    ) -> c_int;
    /// Returns whether `disk` has a partition.
    pub(crate) fn mfroute_disk_has_partitions(disk: *mut Disk) -> bool;
    /// Returns the encoded `dev_t` of `disk`.
    pub(crate) fn mfroute_disk_devt(disk: *mut Disk) -> u32;
    /// Returns the name of `disk`.
    pub(crate) fn mfroute_disk_name(disk: *mut Disk) -> *const c_char;
    /// Returns the encoded `dev_t` of `dax`, its character device's for a
    /// device-dax instance.
    pub(crate) fn mfroute_dax_devt(dax: *mut bindings::dax_device) -> u32;
    /// Writes the name of device-dax `dax`, "daxMAJ:MIN", into the `len`
    /// bytes at `buf`, NUL-terminated.
    pub(crate) fn mfroute_dax_name(dax: *mut bindings::dax_device, buf: *mut c_char, len: usize);

    /// Calls `holder`'s callback for `len` bytes at dax_device offset `off`
    /// and traces it as part of event `seq`; returns the holder's answer.
    pub(crate) fn mfroute_holder_deliver(
        holder: *mut Holder,
        seq: u64,
        off: u64,
        len: u64,
        flags: c_int,
    ) -> c_int;
    /// Tells `holder` that `len` bytes at dax_device offset `off` are good
    /// again, as part of event `seq`.
    pub(crate) fn mfroute_holder_repair(holder: *mut Holder, seq: u64, off: u64, len: u64);
    /// Asks drivers for poison nobody took, from `delay_ms` on.
    pub(crate) fn mfroute_reprobe_schedule(delay_ms: c_uint);
    /// Stops asking; waits for a request in progress.
    pub(crate) fn mfroute_reprobe_cancel();
    /// Schedules the notify work; any context.
    pub(crate) fn mfroute_notify_schedule();
    /// Waits until the notify work delivered what was queued before.
    pub(crate) fn mfroute_notify_flush();
    /// Cancels the notify work; waits for a run in progress.
    pub(crate) fn mfroute_notify_cancel();
    /// Schedules the deferred deliveries' work in `delay_ms`.
    pub(crate) fn mfroute_defer_schedule(delay_ms: c_uint);
    /// Cancels the deferred deliveries' work; waits for a run in progress.
    pub(crate) fn mfroute_defer_cancel();
    /// The `ledger_spares` module parameter; any context.
    pub(crate) fn mfroute_ledger_spares() -> c_uint;
    /// Schedules the refill work; any context.
    pub(crate) fn mfroute_refill_schedule();
    /// Cancels the refill work; waits for a run in progress.
    pub(crate) fn mfroute_refill_cancel();

    /// Creates the debugfs directory and its files, if debugfs exists.
    pub(crate) fn mfroute_debugfs_init() -> c_int;
    /// Removes the debugfs directory and everything below it.
    pub(crate) fn mfroute_debugfs_exit();
    /// Creates `/sys/kernel/mfroute/`; `version` outlives it.
    pub(crate) fn mfroute_sysfs_init(version: *const c_char) -> c_int;
    /// Removes `/sys/kernel/mfroute/` and every device's directory.
    pub(crate) fn mfroute_sysfs_exit();
    /// Shows `device` (a reference the entry owns on success) as `name`.
    pub(crate) fn mfroute_sysfs_add(device: *const c_void, devt: u32, name: *const c_char)
        -> c_int;
    /// Removes the directory of `device`, if any; drops its reference.
    pub(crate) fn mfroute_sysfs_remove(device: *const c_void);
    /// Whether one more log line about an event may be printed now.
    pub(crate) fn mfroute_log_ratelimit() -> bool;

    /// Appends `len` bytes at `data` to `m`.
    pub(crate) fn seq_write(m: *mut SeqFile, data: *const c_void, len: usize) -> c_int;

    /// Tracepoint `mfroute:mfroute_event`.
    pub(crate) fn mfroute_trace_event(
        seq: u64,
        dev: u32,
        name: *const c_char,
        offset: u64,
        len: u64,
        flags: c_int,
        origin: *const c_char,
    );
    /// Tracepoint `mfroute:mfroute_deliver`.
    pub(crate) fn mfroute_trace_deliver(
        seq: u64,
        kind: *const c_char,
        dev: u32,
        name: *const c_char,
        sector: u64,
        nr_sectors: u64,
        flags: c_int,
        result: c_int,
    );
    /// Tracepoint `mfroute:mfroute_absorb`.
    pub(crate) fn mfroute_trace_absorb(
        seq: u64,
        dev: u32,
        name: *const c_char,
        offset: u64,
        len: u64,
        reason: *const c_char,
    );
    /// Tracepoint `mfroute:mfroute_fallback`.
    pub(crate) fn mfroute_trace_fallback(
        seq: u64,
        dev: u32,
        name: *const c_char,
        offset: u64,
        len: u64,
        reason: *const c_char,
    );
}
