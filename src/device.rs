// SPDX-License-Identifier: GPL-2.0

//! What the router keeps about a dax_device, and for how long.
//!
//! A [`Device`] is made the first time the router needs one for a live
//! dax_device - a failure on it, a holder registering on it, a failure
//! translated up to it - always from inside the dax SRCU read section in
//! which the dax core (or the holder API) checked that the dax_device is
//! alive. It is dropped from the table when `kill_dax()` tells the router
//! to forget the dax_device, after the grace period that makes it dead: no
//! state outlives its device, and a new dax_device at the same address
//! starts afresh.
//!
//! C header: [`include/linux/dax.h`](srctree/include/linux/dax.h)

use kernel::bindings;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{Arc, Mutex};

use crate::ffi;
use crate::holders::Holders;
use crate::route::ledger::Ledger;
use crate::store::RbStore;
use crate::sysfs;

/// Bytes kept of a device's name, NUL included.
pub(crate) const NAME_LEN: usize = 32;

/// A NUL-terminated name, as kept for logs and tracepoints.
///
/// # Invariants
///
/// The last byte is NUL: [`Name::as_ptr`] is always a C string.
#[derive(Clone, Copy)]
pub(crate) struct Name([u8; NAME_LEN]);

impl Name {
    /// A name for a device with no disk.
    pub(crate) fn unknown() -> Self {
        Self::from_bytes(b"dax")
    }

    /// Copies `bytes`, truncated to leave room for the NUL.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        let mut name = [0u8; NAME_LEN];
        let room = NAME_LEN.saturating_sub(1);
        for (dst, src) in name
            .iter_mut()
            .take(room)
            .zip(bytes.iter().take_while(|&&b| b != 0))
        {
            *dst = *src;
        }
        // INVARIANT: at most `NAME_LEN - 1` bytes were copied into zeroes.
        Self(name)
    }

    /// Copies a C string.
    ///
    /// # Safety
    ///
    /// `ptr` is null or points to a NUL-terminated string valid for the call.
    pub(crate) unsafe fn from_c(ptr: *const kernel::ffi::c_char) -> Self {
        if ptr.is_null() {
            return Self::unknown();
        }
        // SAFETY: `ptr` is a valid NUL-terminated string by the safety
        // requirements.
        Self::from_bytes(unsafe { kernel::str::CStr::from_char_ptr(ptr) }.as_bytes())
    }

    /// Returns the name as a C string pointer, for C.
    pub(crate) fn as_ptr(&self) -> *const kernel::ffi::c_char {
        self.0.as_ptr().cast()
    }

    /// Returns the name as text.
    pub(crate) fn as_str(&self) -> &str {
        let n = self.0.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
        self.0
            .get(..n)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("?")
    }
}

/// The ledger of a device and what else changes with its events.
pub(crate) struct DeviceState {
    /// Delivered ranges and per-outcome counters.
    pub(crate) ledger: Ledger<RbStore>,
    /// Removal announcements seen.
    pub(crate) pre_removes: u64,
    /// Holder callbacks made, registered and filesystems.
    pub(crate) holder_calls: u64,
    /// Notes registered holders failed, or that could not be queued.
    pub(crate) holder_errors: u64,
}

/// What the router keeps about one live dax_device.
///
/// # Invariants
///
/// `dax` is the address of a dax_device that was alive when this was made.
/// Until `gone` is set (by [`Device::forget`], which `kill_dax()` calls
/// before it puts the dax_device) the dax_device is not freed; after, it
/// may be, and `dax` is never followed again.
#[pin_data]
pub(crate) struct Device {
    /// The dax_device's address.
    pub(crate) dax: usize,
    /// The dax_device was forgotten (it is dead, and may be freed): held
    /// by whoever uses `dax` outside the dax core's calls into the router.
    #[pin]
    gone: Mutex<bool>,
    /// The encoded `dev_t` of its disk, 0 without one.
    pub(crate) devt: u32,
    /// The disk's name.
    pub(crate) name: Name,
    /// The ledger and counters.
    #[pin]
    pub(crate) state: Mutex<DeviceState>,
    /// Holders registered on the device.
    #[pin]
    pub(crate) holders: Mutex<Holders>,
}

impl Device {
    /// Returns the dax_device.
    pub(crate) fn dax(&self) -> *mut bindings::dax_device {
        self.dax as *mut bindings::dax_device
    }

    /// Calls `f` with the dax_device unless it was forgotten, holding off
    /// [`Device::forget`] until `f` returns; for work done outside the dax
    /// core's calls into the router (which hold the device alive).
    ///
    /// `f` may sleep, and must not forget a device.
    pub(crate) fn with_dax<R>(&self, f: impl FnOnce(*mut bindings::dax_device) -> R) -> Option<R> {
        let gone = self.gone.lock();
        if *gone {
            return None;
        }
        Some(f(self.dax()))
    }

    /// Marks the dax_device forgotten, once every [`Device::with_dax`] in
    /// progress returned: from `kill_dax()`, before it puts the device.
    pub(crate) fn forget(&self) {
        // INVARIANT: `dax` is not followed once `gone` is set.
        *self.gone.lock() = true;
    }

    /// Returns the disk of the dax_device, or null.
    ///
    /// Valid, like the dax_device, inside the caller's read section.
    pub(crate) fn disk(&self) -> *mut ffi::Disk {
        // SAFETY: By the type invariant `dax` is alive for the caller.
        unsafe { bindings::dax_host(self.dax()) }.cast()
    }
}

/// The devices the router knows, by dax_device address.
pub(crate) struct Devices {
    /// The table.
    table: RBTree<usize, Arc<Device>>,
}

impl Devices {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Self {
            table: RBTree::new(),
        }
    }

    /// Returns the device of `dax`, if known.
    pub(crate) fn get(&self, dax: *mut bindings::dax_device) -> Option<Arc<Device>> {
        self.table.get(&(dax as usize)).cloned()
    }

    /// Removes the device of `dax`; returns it.
    pub(crate) fn remove(&mut self, dax: *mut bindings::dax_device) -> Option<Arc<Device>> {
        self.table.remove(&(dax as usize))
    }

    /// Calls `f` on every device, in address order.
    pub(crate) fn for_each(&self, f: &mut dyn FnMut(&Arc<Device>)) {
        for device in self.table.values() {
            f(device);
        }
    }
}

/// Returns the device of `dax` in `devices`, making it if new.
///
/// Allocates with `GFP_KERNEL`, never under the table's lock.
///
/// # Safety
///
/// The caller is in a dax SRCU read section in which `dax` was seen alive.
pub(crate) unsafe fn device_of(
    devices: &Mutex<Devices>,
    dax: *mut bindings::dax_device,
) -> Result<Arc<Device>> {
    if let Some(device) = devices.lock().get(dax) {
        return Ok(device);
    }
    // SAFETY: `dax` is alive in the caller's read section; its host disk
    // is valid until kill_dax() returns, which waits for that section.
    let disk = unsafe { bindings::dax_host(dax) }.cast::<ffi::Disk>();
    let (devt, name) = if disk.is_null() {
        (0, Name::unknown())
    } else {
        // SAFETY: `disk` is valid, as above; the name lives with it.
        unsafe {
            (
                ffi::mfroute_disk_devt(disk),
                Name::from_c(ffi::mfroute_disk_name(disk)),
            )
        }
    };
    let device = Arc::pin_init(
        pin_init!(Device {
            // INVARIANT: `dax` is alive, and is entered in the table below
            // inside the same read section, before kill_dax() can forget it.
            dax: dax as usize,
            gone <- new_mutex!(false, "mfroute:gone"),
            devt,
            name,
            state <- new_mutex!(DeviceState {
                ledger: Ledger::new(RbStore::new()),
                pre_removes: 0,
                holder_calls: 0,
                holder_errors: 0,
            }, "mfroute:device"),
            holders <- new_mutex!(Holders::new(), "mfroute:holders"),
        }),
        GFP_KERNEL,
    )?;
    let node = RBTreeNode::new(dax as usize, device.clone(), GFP_KERNEL)?;
    {
        let mut table = devices.lock();
        if let Some(raced) = table.get(dax) {
            return Ok(raced);
        }
        table.table.insert(node);
    }
    // SAFETY: `dax` is alive in the caller's read section (by the safety
    // requirements), so it is forgotten, and hidden, only after this.
    unsafe { sysfs::show(&device) };
    Ok(device)
}
