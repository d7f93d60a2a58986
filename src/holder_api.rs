// SPDX-License-Identifier: GPL-2.0

//! The holder API's Rust half: the entry points `mfroute_holder.c` calls
//! when a module registers or unregisters a holder
//! (`mfroute_holder_register()`, `mfroute_holder_unregister()`), and the
//! calls back into the registration it made ([`Callbacks`]).
//!
//! The registry itself, and what holders are told, is [`crate::holders`];
//! this file only turns the C arguments into its safe types, the holder
//! into the token C keeps, and keeps a registration from being called once
//! it may be freed.
//!
//! C header: [`include/mfroute.h`](srctree/drivers/mfroute/include/mfroute.h)

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::sync::{Arc, CondVar, Mutex};

use crate::dax::DaxDevice;
use crate::ffi;
use crate::holders::Holder;
use crate::route::range::ByteRange;
use crate::router::router;

/// The callbacks of one registration of `mfroute_holder.c`, and the calls
/// of them in progress.
///
/// # Invariants
///
/// `raw` is valid until [`Callbacks::stop`] returned: the C side frees it
/// only after [`mfroute_rs_unregister`], which stops its callbacks, returned
/// for it. A call starts only while `dead` is clear and is counted in
/// `inflight` until it ends; `stop` sets `dead` and waits for `inflight` to
/// be 0.
#[pin_data]
pub(crate) struct Callbacks {
    /// The C registration.
    raw: *mut ffi::Holder,
    /// Calls in progress.
    inflight: AtomicUsize,
    /// Set by [`Callbacks::stop`]: no new call starts.
    dead: AtomicBool,
    /// Taken to wait for, and to signal, the last call's end.
    #[pin]
    lock: Mutex<()>,
    /// Signalled when the last call ends once `dead` is set.
    #[pin]
    idle: CondVar,
}

// SAFETY: `raw` is only passed to C, which may be called from any thread;
// the rest is atomic or a lock.
unsafe impl Send for Callbacks {}
// SAFETY: As above: shared access calls C, or takes an atomic or a lock.
unsafe impl Sync for Callbacks {}

impl Callbacks {
    /// The callbacks of `raw`.
    ///
    /// # Safety
    ///
    /// `raw` stays valid until [`mfroute_rs_unregister`] returns for the
    /// holder these callbacks go to.
    unsafe fn new(raw: *mut ffi::Holder) -> impl PinInit<Self> {
        // INVARIANT: By the safety requirements, and `mfroute_rs_unregister`
        // stops the callbacks before it returns.
        pin_init!(Self {
            raw,
            inflight: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
            lock <- kernel::new_mutex!((), "mfroute:holder_calls"),
            idle <- kernel::new_condvar!("mfroute:holder_idle"),
        })
    }

    /// Returns whether the callbacks were stopped.
    pub(crate) fn stopped(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }

    /// Runs `f` with the registration as a counted call, unless stopped.
    fn call<R>(&self, f: impl FnOnce(*mut ffi::Holder) -> R) -> Option<R> {
        self.inflight.fetch_add(1, Ordering::SeqCst);
        if self.dead.load(Ordering::SeqCst) {
            self.end_call();
            return None;
        }
        let r = f(self.raw);
        self.end_call();
        Some(r)
    }

    /// Ends a call; wakes a [`Callbacks::stop`] waiting for it.
    fn end_call(&self) {
        if self.inflight.fetch_sub(1, Ordering::SeqCst) == 1 && self.dead.load(Ordering::SeqCst) {
            let _guard = self.lock.lock();
            self.idle.notify_all();
        }
    }

    /// Tells the holder that `range` (dax bytes, inside its registration)
    /// failed, as part of event `seq`; returns its answer, or `None` if
    /// stopped.
    pub(crate) fn deliver(&self, seq: u64, range: ByteRange, flags: c_int) -> Option<c_int> {
        self.call(|raw| {
            // SAFETY: `raw` is valid inside a call (type invariant).
            unsafe { ffi::mfroute_holder_deliver(raw, seq, range.start(), range.len(), flags) }
        })
    }

    /// Tells the holder that `range` (dax bytes) is good again, as part of
    /// event `seq`; returns whether it was told (not stopped).
    pub(crate) fn repair(&self, seq: u64, range: ByteRange) -> bool {
        self.call(|raw| {
            // SAFETY: `raw` is valid inside a call (type invariant).
            unsafe { ffi::mfroute_holder_repair(raw, seq, range.start(), range.len()) }
        })
        .is_some()
    }

    /// Stops the callbacks: returns once none is in progress, and none will
    /// start.
    ///
    /// Context: process context; sleeps. Not from a callback.
    pub(crate) fn stop(&self) {
        self.dead.store(true, Ordering::SeqCst);
        let mut guard = self.lock.lock();
        while self.inflight.load(Ordering::SeqCst) > 0 {
            self.idle.wait(&mut guard);
        }
    }
}

/// Registers a holder for `len` bytes at `start` of dax_device `dax`;
/// stores its token in `token`. Returns 0 or a negative errno.
///
/// # Safety
///
/// `holder` stays valid until [`mfroute_rs_unregister`] returns for the
/// token; the caller is in a dax SRCU read section in which `dax` is alive;
/// `token` is valid for writes.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_register(
    holder: *mut ffi::Holder,
    dax: *mut bindings::dax_device,
    start: u64,
    len: u64,
    token: *mut *mut c_void,
) -> c_int {
    let Some(router) = router() else {
        return ENODEV.to_errno();
    };
    let range = match ByteRange::new(start, len) {
        Ok(range) => range,
        Err(e) => return Error::from(e).to_errno(),
    };
    // SAFETY: `dax` is alive in the caller's read section, which lasts
    // for this call: kill_dax() cannot free it before the section ends.
    let dax = unsafe { DaxDevice::from_raw(dax) };
    // SAFETY: `holder` is valid until `mfroute_rs_unregister` returns.
    let callbacks = unsafe { Callbacks::new(holder) };
    match router.register(callbacks, dax, range) {
        Ok(holder) => {
            // SAFETY: `token` is valid for writes; the reference is given
            // back by `mfroute_rs_unregister`.
            unsafe { *token = Arc::into_raw(holder).cast_mut().cast() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Unregisters the holder of `token` (on `dax`); no callback of it runs
/// after this returns.
///
/// # Safety
///
/// `token` came from [`mfroute_rs_register`] and is given back once; `dax`
/// is the dax_device it was registered on.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_unregister(token: *mut c_void, dax: *mut bindings::dax_device) {
    // SAFETY: `token` is the raw `Arc` `mfroute_rs_register` gave out.
    let holder = unsafe { Arc::from_raw(token.cast::<Holder>()) };
    if let Some(router) = router() {
        // The address only names the device: it is not followed.
        router.unregister(&holder, dax as usize);
    }
    // Whatever happened to the router, the registration may be freed
    // once this returns.
    holder.calls.stop();
}
