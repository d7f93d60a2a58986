// SPDX-License-Identifier: GPL-2.0

//! The holder API's Rust half: the entry points `mfroute_holder.c` calls
//! when a module registers or unregisters a holder
//! (`mfroute_holder_register()`, `mfroute_holder_unregister()`).
//!
//! The registry itself, and calling holders, is [`crate::holders`]; this
//! file only turns the C arguments into its safe types, and the holder
//! into the token C keeps.
//!
//! C header: [`include/mfroute.h`](srctree/drivers/mfroute/include/mfroute.h)

use kernel::bindings;
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::sync::Arc;

use crate::ffi;
use crate::holders::Holder;
use crate::route::range::ByteRange;
use crate::router::router;

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
    // SAFETY: By the safety requirements.
    match unsafe { router.register(holder, dax, range) } {
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
/// is the dax_device it was registered on, referenced by the caller.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_unregister(token: *mut c_void, dax: *mut bindings::dax_device) {
    // SAFETY: `token` is the raw `Arc` `mfroute_rs_register` gave out.
    let holder = unsafe { Arc::from_raw(token.cast::<Holder>()) };
    if let Some(router) = router() {
        router.unregister(&holder, dax);
    }
}
