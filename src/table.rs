// SPDX-License-Identifier: GPL-2.0

//! The devices the router knows, and how long it knows them.
//!
//! A [`Device`] is made the first time the router needs one for a live
//! dax_device - a failure on it, a holder registering on it, a failure
//! translated up to it - always while the dax_device cannot die: inside the
//! dax SRCU read section in which the dax core (or the holder API) checked
//! that it is alive, or while its mapped device is referenced. It is entered
//! in the table before that ends, and taken out when `kill_dax()` tells the
//! router to forget the dax_device ([`forget`]), after the grace
//! period that makes it dead and before it is put: no state outlives its
//! device, and a new dax_device at the same address starts afresh.
//!
//! C header: [`include/linux/dax.h`](srctree/include/linux/dax.h)

use core::sync::atomic::{AtomicU64, AtomicUsize};

use kernel::bindings;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{Arc, ArcBorrow, Mutex};
use kernel::types::Opaque;

use crate::dax::{DaxDevice, Kept};
use crate::device::{Device, DeviceState};
use crate::holders::Holders;
use crate::route::ledger::Ledger;
use crate::store::RbStore;
use crate::sysfs;

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

    /// Returns the device of the dax_device at address `key`, if known.
    pub(crate) fn get(&self, key: usize) -> Option<Arc<Device>> {
        self.table.get(&key).cloned()
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
pub(crate) fn device_of(devices: &Mutex<Devices>, dax: &DaxDevice) -> Result<Arc<Device>> {
    if let Some(device) = devices.lock().get(dax.key()) {
        return Ok(device);
    }
    let (devt, name) = match dax.disk() {
        Some(disk) => (disk.devt(), disk.name()),
        None => (dax.devt(), dax.devdax_name()),
    };
    let device = Arc::pin_init(
        pin_init!(Device {
            // SAFETY: The device is entered in the table below, while `dax`
            // cannot die (the reference's lifetime), so before kill_dax()
            // asks `forget` to forget it; one that raced is dropped unused.
            dax <- unsafe { Kept::new(dax) },
            devt,
            name,
            state <- new_mutex!(DeviceState {
                ledger: Ledger::new(RbStore::new()),
                pre_removes: 0,
                spares_wanted: false,
                holder_errors: 0,
            }, "mfroute:device"),
            holders <- new_mutex!(Holders::new(), "mfroute:holders"),
            registered: AtomicUsize::new(0),
            holder_calls: AtomicU64::new(0),
        }),
        GFP_KERNEL,
    )?;
    let node = RBTreeNode::new(dax.key(), device.clone(), GFP_KERNEL)?;
    {
        let mut table = devices.lock();
        if let Some(raced) = table.get(dax.key()) {
            return Ok(raced);
        }
        table.table.insert(node);
    }
    // SAFETY: `dax` cannot die before this returns, so the device is
    // forgotten, and hidden, only after it is shown.
    unsafe { sysfs::show(&device) };
    Ok(device)
}

/// Returns the device of `dax`, for a call of the dax core into `router`
/// about it, making it if new: the one the dax_device keeps for the router
/// ([`DaxDevice::router_data`]; no lookup, no lock), else the table's, which
/// the dax_device then keeps.
///
/// # Safety
///
/// `dax` is alive for the call: the dax core called the router about it,
/// inside the read section in which it saw it alive. `router` is the
/// router's own, and `devices` its table.
pub(crate) unsafe fn device_in_call(
    devices: &Mutex<Devices>,
    router: &Opaque<bindings::dax_failure_router>,
    dax: &DaxDevice,
) -> Result<Arc<Device>> {
    let kept = dax.router_data().cast::<Device>();
    if !kept.is_null() {
        // SAFETY: Only this function keeps data in a dax_device, a pointer
        // from `Arc::into_raw` to the table's device for it (below). The
        // table holds that reference until `forget`, which runs only once no
        // call about `dax`, alive, runs; the dax core drops the data of a
        // killed device, and of every device when the router unregisters,
        // so it is never an earlier router's.
        let device = unsafe { ArcBorrow::from_raw(kept) };
        return Ok(device.into());
    }
    let device = device_of(devices, dax)?;
    let raw = Arc::into_raw(device.clone());
    // SAFETY: `raw` is from `Arc::into_raw` just above, taken back once.
    drop(unsafe { Arc::from_raw(raw) });
    // Refused only while the router is being unregistered (`dax` is
    // alive): then nothing is kept, and the next call, if any, looks the
    // device up in the table again.
    // SAFETY: `raw` points to the table's device for `dax`, as readers
    // above expect; the table holds it until `forget`.
    unsafe { dax.set_router_data(router, raw.cast()) };
    Ok(device)
}

/// Forgets the dax_device at address `key`, dead: its device leaves the
/// table, waits for every [`Kept::with`] in progress, and hides.
///
/// Called by the router's `->forget()`, which `kill_dax()` calls before it
/// puts the dax_device.
pub(crate) fn forget(devices: &Mutex<Devices>, key: usize) {
    let gone = devices.lock().table.remove(&key);
    if let Some(device) = gone {
        device.dax.forget();
        sysfs::hide(&device);
    }
}
