// SPDX-License-Identifier: GPL-2.0

//! The device-mapper devices above a dax_device, from the live tables.
//!
//! [`Walk::of`] asks dm, through `mfroute_dm.c`, for every target of the
//! live tables that use a member (dm finds them in an index of its own): its layout on the member when the target
//! reports one (linear, striped), or only the member sectors it uses. Each
//! [`Use`] holds a reference on its mapped device until the walk is
//! dropped, so its dax_device and disk stay valid while the router
//! delivers to the filesystem above, outside the RCU read
//! section, and the table's sequence count tells whether the table it was
//! translated with is still live.
//!
//! C header: [`include/linux/device-mapper.h`](srctree/include/linux/device-mapper.h)

use kernel::alloc::flags;
use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;

use crate::dax::DaxDevice;
use crate::ffi;
use crate::route::layout::Layout;
use crate::route::range::{ByteRange, SectorRange};

/// How a target uses the member.
pub(crate) enum Mapping {
    /// Its layout: member bytes translate to the mapped device's.
    Layout(Layout),
    /// Not translatable; the member bytes it uses.
    Opaque(ByteRange),
}

/// A target of a live table using the member.
///
/// # Invariants
///
/// `md` holds a reference taken by `mfroute_dm.c` for this use, dropped by
/// `Drop`; `upper` is valid while it is held.
pub(crate) struct Use {
    /// The mapped device.
    md: *mut ffi::MappedDevice,
    /// Its dax_device, or null.
    upper: *mut bindings::dax_device,
    /// The generation of the table this comes from.
    generation: u32,
    /// How the target uses the member.
    pub(crate) mapping: Mapping,
    /// The mapped device was suspended when walked: its I/O waits.
    pub(crate) suspended: bool,
}

// SAFETY: The pointers are handed to C only; the reference held makes them
// valid from any thread.
unsafe impl Send for Use {}

impl Use {
    /// Returns whether the table this use comes from is still live, and
    /// was live all along since it was looked at.
    pub(crate) fn is_current(&self) -> bool {
        // SAFETY: `md` is referenced (type invariant).
        !unsafe { ffi::mfroute_dm_changed(self.md, self.generation) }
    }

    /// Returns the mapped device's dax_device, if it has one.
    pub(crate) fn upper(&self) -> Option<&DaxDevice> {
        if self.upper.is_null() {
            return None;
        }
        // SAFETY: `md` is referenced while `self` lives (type invariant),
        // and dm kills and frees its dax_device, or its disk, only once
        // nobody holds it.
        Some(unsafe { DaxDevice::from_raw(self.upper) })
    }

    /// Returns a key naming the mapped device, for the walk it is in.
    pub(crate) fn device(&self) -> usize {
        self.md as usize
    }

    /// Returns whether `other` is a target of the same mapped device.
    pub(crate) fn same_device(&self, other: &Use) -> bool {
        self.md == other.md
    }
}

impl Drop for Use {
    fn drop(&mut self) {
        // SAFETY: The reference taken for this use is dropped once.
        unsafe { ffi::mfroute_dm_put(self.md) };
    }
}

/// The targets of live tables using one member.
pub(crate) struct Walk {
    /// The uses, grouped by mapped device in walk order.
    uses: KVec<Use>,
    /// A use could not be kept (no memory): the walk is incomplete.
    pub(crate) incomplete: bool,
}

impl Walk {
    /// Walks the live tables for targets using `member`.
    pub(crate) fn of(member: &DaxDevice) -> Self {
        let mut walk = Walk {
            uses: KVec::new(),
            incomplete: false,
        };
        let ctx = core::ptr::from_mut(&mut walk).cast::<c_void>();
        // SAFETY: `member` is not freed for the call (it is a reference);
        // `ctx` points to `walk` for the call, which is all
        // `mfroute_rs_dm_use` uses it for.
        if unsafe { ffi::mfroute_dm_uses(member.as_raw(), ctx) } != 0 {
            walk.incomplete = true;
        }
        walk
    }

    /// Returns whether the walk is complete and found no use.
    pub(crate) fn is_empty(&self) -> bool {
        !self.incomplete && self.uses.is_empty()
    }

    /// Returns the uses one mapped device at a time (the walk reports the
    /// targets of a mapped device together).
    pub(crate) fn groups(&self) -> impl Iterator<Item = &[Use]> {
        self.uses.chunk_by(Use::same_device)
    }
}

/// Keeps one use found by the walk; called by `mfroute_dm.c`.
///
/// Runs inside an RCU read section: it must not sleep, so it allocates
/// with `GFP_NOWAIT`. Always returns 0: the use's reference
/// is kept with it or dropped here, and a use that cannot be kept marks the
/// walk incomplete.
///
/// # Safety
///
/// `ctx` is the [`Walk`] given to `mfroute_dm_uses`, `raw` a valid use
/// holding a reference for the callee.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_dm_use(ctx: *mut c_void, raw: *const ffi::DmUse) -> c_int {
    // SAFETY: By the safety requirements `ctx` is the walk, not otherwise
    // borrowed during the call, and `raw` is valid.
    let (walk, raw) = unsafe { (&mut *ctx.cast::<Walk>(), &*raw) };
    let layout = raw.translatable.then(|| {
        Layout::new(
            raw.begin,
            raw.len,
            raw.dev_start,
            raw.chunk,
            u64::from(raw.stripes),
            u64::from(raw.stripe),
        )
    });
    // A layout dm reports but that does not add up is not translated: at
    // most `len` member sectors from `dev_start` are in use.
    let used = if raw.translatable {
        raw.len
    } else {
        raw.dev_len
    };
    let mapping = match layout {
        Some(Ok(layout)) => Some(Mapping::Layout(layout)),
        _ => SectorRange::new(raw.dev_start, used)
            .and_then(|s| s.to_bytes())
            .ok()
            .map(Mapping::Opaque),
    };
    let Some(mapping) = mapping else {
        // Nothing sensible to keep: drop the reference taken for this use,
        // and say the walk is short.
        // SAFETY: The reference was taken for this use, which is not kept.
        unsafe { ffi::mfroute_dm_put(raw.md) };
        walk.incomplete = true;
        return 0;
    };
    let one = Use {
        // INVARIANT: the reference taken for this use is handed over.
        md: raw.md,
        upper: raw.upper,
        generation: raw.generation,
        mapping,
        suspended: raw.suspended,
    };
    // On failure `push` drops the use, and with it the reference.
    if walk
        .uses
        .push(one, flags::GFP_NOWAIT | flags::__GFP_NOWARN)
        .is_err()
    {
        walk.incomplete = true;
    }
    0
}
