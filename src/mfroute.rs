// SPDX-License-Identifier: GPL-2.0

//! Ranged memory-failure routing for persistent memory.
//!
//! mfroute turns a failure of persistent memory into one notification per
//! holder per contiguous range, routed from the failing pmem namespace up
//! through partitions and device-mapper tables to the filesystems and other
//! holders on top.  See `Documentation/mfroute/`.

use kernel::prelude::*;

mod dax;
mod debugfs;
mod defer;
mod device;
mod dm;
mod errno;
mod few;
mod ffi;
mod fs;
mod holder_api;
mod holders;
mod notify;
mod pass;
pub mod route;
mod router;
mod store;
mod sysfs;
mod table;
mod trace;

module! {
    type: MfRoute,
    name: "mfroute",
    author: "mfroute developers",
    description: "Route persistent-memory failures as ranges up the storage stack",
    license: "GPL",
}

/// The module's version, printed on load and shown in sysfs.
const VERSION: &kernel::str::CStr = kernel::c_str!("0.2.0");

/// The loaded module; fields drop in order, undoing `init` in reverse.
struct MfRoute {
    /// The root-only debugfs directory, whose files read the router.
    _debugfs: debugfs::Dir,
    /// The failure router, registered with the dax core.
    _router: Pin<KBox<router::Router>>,
    /// `/sys/kernel/mfroute/`, removed once the router adds no device.
    _sysfs: sysfs::Dir,
}

impl kernel::Module for MfRoute {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let sysfs = sysfs::Dir::create(VERSION)?;
        let router = router::Router::new()?;
        let debugfs = debugfs::Dir::create()?;
        pr_info!("version {} loaded\n", VERSION);
        Ok(MfRoute {
            _debugfs: debugfs,
            _router: router,
            _sysfs: sysfs,
        })
    }
}

impl Drop for MfRoute {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}
