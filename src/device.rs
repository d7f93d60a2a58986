// SPDX-License-Identifier: GPL-2.0

//! What the router keeps about a dax_device: its name, its ledger and
//! counters, and the holders registered on it. [`crate::table`] says when
//! a [`Device`] is made and when it goes.
//!
//! C header: [`include/linux/dax.h`](srctree/include/linux/dax.h)

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Mutex;

use crate::dax::Kept;
use crate::holders::Holders;
use crate::route::ledger::Ledger;
use crate::store::RbStore;

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

    /// Returns the name as a C string.
    pub(crate) fn as_c_str(&self) -> &CStr {
        // The bytes up to the first NUL, which the invariant says exists.
        let n = self.0.iter().position(|&b| b == 0).unwrap_or(0);
        self.0
            .get(..=n)
            .and_then(|b| CStr::from_bytes_with_nul(b).ok())
            .unwrap_or(c_str!("?"))
    }

    /// Returns the name as a C string pointer, for C.
    pub(crate) fn as_ptr(&self) -> *const kernel::ffi::c_char {
        self.as_c_str().as_char_ptr()
    }

    /// Returns the name as text.
    pub(crate) fn as_str(&self) -> &str {
        self.as_c_str().to_str().unwrap_or("?")
    }
}

/// The ledger of a device and what else changes with its events.
pub(crate) struct DeviceState {
    /// Delivered ranges and per-outcome counters.
    pub(crate) ledger: Ledger<RbStore>,
    /// Removal announcements seen.
    pub(crate) pre_removes: u64,
    /// The refill work is asked to top up the ledger's spare nodes.
    pub(crate) spares_wanted: bool,
    /// Notes registered holders failed, or that could not be queued.
    pub(crate) holder_errors: u64,
}

/// What the router keeps about one live dax_device, until `kill_dax()`
/// tells it to forget the dax_device ([`crate::table`]).
#[pin_data]
pub(crate) struct Device {
    /// The dax_device, followed until forgotten.
    #[pin]
    pub(crate) dax: Kept,
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
    /// Registrations in `holders`, read without its lock: a pass takes it
    /// only when there are some.
    pub(crate) registered: AtomicUsize,
    /// Holder callbacks made, registered and filesystems; counted without
    /// a lock, since every event counts some.
    pub(crate) holder_calls: AtomicU64,
}

impl Device {
    /// Counts `n` holder callbacks, saturating.
    pub(crate) fn count_calls(&self, n: u64) {
        if n > 0 {
            // The update never fails: it always answers a value.
            let _ = self
                .holder_calls
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                    Some(c.saturating_add(n))
                });
        }
    }

    /// Returns the holder callbacks made.
    pub(crate) fn holder_calls(&self) -> u64 {
        self.holder_calls.load(Ordering::Relaxed)
    }
}
