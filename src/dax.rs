// SPDX-License-Identifier: GPL-2.0

//! dax_devices and their disks, as the router uses them.
//!
//! A [`&DaxDevice`](DaxDevice) is only ever made for as long as its
//! dax_device, and the disk it serves, cannot be freed: for the dax core's
//! call into the router (inside the dax SRCU read section in which the core
//! saw it alive: `kill_dax()` waits for that section before it lets go), for
//! a mapped device's dax_device while the mapped device is referenced (dm
//! kills it only once nobody holds it), or inside [`Kept::with`]. Everything
//! the router asks of a dax_device or a disk goes through these types.
//!
//! C header: [`include/linux/dax.h`](srctree/include/linux/dax.h)

use core::marker::PhantomData;

use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Mutex;
use kernel::types::Opaque;

use crate::device::{Name, NAME_LEN};
use crate::ffi;

/// A `struct dax_device`.
///
/// # Invariants
///
/// A reference to it is only made while the dax_device and its host disk,
/// if any, are not freed: for the reference's whole lifetime.
#[repr(transparent)]
pub(crate) struct DaxDevice(Opaque<bindings::dax_device>);

impl DaxDevice {
    /// Returns the dax_device at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` is a dax_device that, with its host disk, is not freed for
    /// `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::dax_device) -> &'a Self {
        // INVARIANT: By the safety requirements.
        // SAFETY: `DaxDevice` is a transparent wrapper of the C type, and
        // `ptr` is valid for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// Returns the C pointer, for C.
    pub(crate) fn as_raw(&self) -> *mut bindings::dax_device {
        self.0.get()
    }

    /// Returns the address, which names the dax_device among live ones.
    pub(crate) fn key(&self) -> usize {
        self.as_raw() as usize
    }

    /// Returns whether the dax_device is alive (not being killed).
    pub(crate) fn alive(&self) -> bool {
        // SAFETY: The dax_device is not freed (type invariant).
        unsafe { bindings::dax_alive(self.as_raw()) }
    }

    /// Returns whether a holder (a filesystem, through its partition)
    /// holds some of `[off, off + len)`; `(0, u64::MAX)` is all of it.
    pub(crate) fn has_holder(&self, off: u64, len: u64) -> bool {
        self.has_holder_in(&ReadSection::enter().held(), off, len)
    }

    /// As [`DaxDevice::has_holder`], inside `section`.
    pub(crate) fn has_holder_in(&self, _section: &Held<'_>, off: u64, len: u64) -> bool {
        // SAFETY: The dax_device is not freed (type invariant), and the
        // holder list is read inside a dax read section (`_section`), as
        // it requires.
        unsafe { bindings::dax_has_holder(self.as_raw(), off, len) }
    }

    /// Returns what the router keeps in the dax_device for itself
    /// ([`DaxDevice::set_router_data`]), or null.
    pub(crate) fn router_data(&self) -> *const c_void {
        // SAFETY: The dax_device is not freed (type invariant).
        unsafe { bindings::dax_router_data(self.as_raw()) }.cast_const()
    }

    /// Keeps `data` in the dax_device for `router`, until the device is
    /// killed or the router unregistered; false, keeping nothing, if
    /// either happened already.
    ///
    /// # Safety
    ///
    /// `data` is what the router's readers of [`DaxDevice::router_data`]
    /// expect to find there for this device.
    pub(crate) unsafe fn set_router_data(
        &self,
        router: &Opaque<bindings::dax_failure_router>,
        data: *const c_void,
    ) -> bool {
        // SAFETY: The dax_device is not freed (type invariant); the dax
        // core only compares `router` with the registered one.
        unsafe { bindings::dax_set_router_data(router.get(), self.as_raw(), data.cast_mut()) }
    }

    /// Tells the holder of `[off, off + len)` that it failed (or is about
    /// to be removed, with `MF_MEM_PRE_REMOVE` in `flags`); returns its
    /// answer, 0 or a negative errno.
    pub(crate) fn notify_failure(&self, off: u64, len: u64, flags: c_int) -> c_int {
        // SAFETY: The dax_device is not freed (type invariant); the dax
        // core checks that it is alive, inside a read section of its own.
        unsafe { bindings::dax_holder_notify_failure(self.as_raw(), off, len, flags) }
    }

    /// Returns the device number of the dax_device: a device-dax
    /// instance's character device has it.
    pub(crate) fn devt(&self) -> u32 {
        // SAFETY: The dax_device is not freed (type invariant).
        unsafe { ffi::mfroute_dax_devt(self.as_raw()) }
    }

    /// Returns the name of a device-dax instance in logs and traces,
    /// "daxMAJ:MIN" of its character device, as its holders have it.
    pub(crate) fn devdax_name(&self) -> Name {
        let mut name = [0u8; NAME_LEN];
        // SAFETY: The dax_device is not freed (type invariant); the helper
        // writes at most `NAME_LEN` bytes into `name`, NUL included.
        unsafe { ffi::mfroute_dax_name(self.as_raw(), name.as_mut_ptr().cast(), NAME_LEN) };
        Name::from_bytes(&name)
    }

    /// Asks the dax_device's driver for the poison it knows, if it is
    /// alive and its driver can tell.
    pub(crate) fn report_poison(&self) {
        // SAFETY: The dax_device is not freed (type invariant); the dax
        // core checks that it is alive and has operations.
        unsafe { bindings::dax_report_poison(self.as_raw()) }
    }

    /// Returns the disk the dax_device serves, if any.
    pub(crate) fn disk(&self) -> Option<&Disk> {
        // SAFETY: The dax_device is not freed (type invariant).
        let disk = unsafe { bindings::dax_host(self.as_raw()) }.cast::<ffi::Disk>();
        if disk.is_null() {
            return None;
        }
        // SAFETY: The host disk is not freed while the dax_device is not
        // (type invariant), and the reference does not outlive `self`.
        Some(unsafe { &*disk.cast::<Disk>() })
    }
}

/// A `struct gendisk`.
///
/// # Invariants
///
/// Only made by [`DaxDevice::disk`]: it is not freed for the reference's
/// lifetime.
#[repr(transparent)]
pub(crate) struct Disk(Opaque<ffi::Disk>);

impl Disk {
    /// Returns the C pointer, for C.
    fn as_raw(&self) -> *mut ffi::Disk {
        self.0.get()
    }

    /// Returns the encoded `dev_t` of the disk.
    pub(crate) fn devt(&self) -> u32 {
        // SAFETY: The disk is not freed (type invariant).
        unsafe { ffi::mfroute_disk_devt(self.as_raw()) }
    }

    /// Returns the disk's name.
    pub(crate) fn name(&self) -> Name {
        // SAFETY: The disk is not freed (type invariant); its name is a
        // NUL-terminated array inside it.
        let name = unsafe { CStr::from_char_ptr(ffi::mfroute_disk_name(self.as_raw())) };
        Name::from_bytes(name.as_bytes())
    }

    /// Returns whether the disk has a partition.
    pub(crate) fn has_partitions(&self) -> bool {
        // SAFETY: The disk is not freed (type invariant).
        unsafe { ffi::mfroute_disk_has_partitions(self.as_raw()) }
    }

    /// Stores the start and length, in bytes, of as many partitions as
    /// `starts` and `lens` hold; returns how many the disk has, which may
    /// be more.
    pub(crate) fn partitions(&self, starts: &mut [u64], lens: &mut [u64]) -> usize {
        let room = starts.len().min(lens.len());
        let max = c_int::try_from(room).unwrap_or(c_int::MAX);
        // SAFETY: The disk is not freed (type invariant); both buffers
        // hold at least `max` entries.
        let n = unsafe {
            ffi::mfroute_disk_partitions(self.as_raw(), starts.as_mut_ptr(), lens.as_mut_ptr(), max)
        };
        // A count is never negative.
        usize::try_from(n).unwrap_or(0)
    }
}

/// A dax SRCU read section: while it lasts, a dax_device seen alive in it
/// is not killed to the end (`kill_dax()` waits for it).
pub(crate) struct ReadSection {
    /// The SRCU index `dax_read_lock()` returned.
    id: c_int,
    /// Ended by the task that began it.
    _not_send: PhantomData<*mut ()>,
}

impl ReadSection {
    /// Begins a read section; it may sleep inside.
    pub(crate) fn enter() -> Self {
        // SAFETY: Plain C function, any context.
        let id = unsafe { bindings::dax_read_lock() };
        Self {
            id,
            _not_send: PhantomData,
        }
    }

    /// Returns a token of the section, for what must run inside one.
    pub(crate) fn held(&self) -> Held<'_> {
        Held(PhantomData)
    }
}

/// A dax SRCU read section that lasts for `'a`: the router's own
/// ([`ReadSection::held`]), or the one the dax core calls into the router
/// in ([`Held::by_caller`]), not entered again.
pub(crate) struct Held<'a>(PhantomData<&'a *mut ()>);

impl Held<'_> {
    /// The read section the caller is in.
    ///
    /// # Safety
    ///
    /// The caller is inside a dax read section for `'a`: a call of the dax
    /// core into the router, for that call.
    pub(crate) unsafe fn by_caller<'a>() -> Held<'a> {
        Held(PhantomData)
    }
}

impl Drop for ReadSection {
    fn drop(&mut self) {
        // SAFETY: Ends the section `enter` began, in the same task.
        unsafe { bindings::dax_read_unlock(self.id) };
    }
}

/// A dax_device the router keeps state for, followed until it is forgotten.
///
/// # Invariants
///
/// Until [`Kept::forget`] returned, the dax_device at `addr` and its host
/// disk are not freed; once `gone` is set `addr` is never followed again.
#[pin_data]
pub(crate) struct Kept {
    /// The dax_device's address.
    addr: usize,
    /// The dax_device was forgotten (it is dead, and may be freed). Held
    /// while `addr` is followed outside the dax core's calls.
    #[pin]
    gone: Mutex<bool>,
}

impl Kept {
    /// Keeps `dax`.
    ///
    /// # Safety
    ///
    /// [`Kept::forget`] is called, and returns, before the dax_device can be
    /// freed: the caller enters what it makes in the table that the
    /// router's `->forget()`, which `kill_dax()` calls, empties, before the
    /// section in which `dax` was seen alive ends.
    pub(crate) unsafe fn new(dax: &DaxDevice) -> impl PinInit<Self> {
        let addr = dax.key();
        // INVARIANT: By the safety requirements.
        pin_init!(Self {
            addr,
            gone <- new_mutex!(false, "mfroute:gone"),
        })
    }

    /// Calls `f` with the dax_device unless it was forgotten, holding off
    /// [`Kept::forget`] until `f` returns; for work done outside the dax
    /// core's calls into the router. `f` may sleep, and must not forget a
    /// device.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&DaxDevice) -> R) -> Option<R> {
        let gone = self.gone.lock();
        if *gone {
            return None;
        }
        // SAFETY: Not forgotten, and `forget` waits for `gone`, held until
        // `f` returns: the dax_device is not freed meanwhile (type
        // invariant).
        let dax = unsafe { DaxDevice::from_raw(self.addr as *mut bindings::dax_device) };
        Some(f(dax))
    }

    /// Marks the dax_device forgotten, once every [`Kept::with`] in
    /// progress returned: from `kill_dax()`, before it puts the device.
    pub(crate) fn forget(&self) {
        // INVARIANT: `addr` is not followed once `gone` is set.
        *self.gone.lock() = true;
    }
}
