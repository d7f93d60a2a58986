// SPDX-License-Identifier: GPL-2.0

//! Ranged memory-failure routing for persistent memory.
//!
//! mfroute turns a failure of persistent memory into one notification per
//! holder per contiguous range, routed from the failing pmem namespace up
//! through partitions and device-mapper tables to the filesystems and other
//! holders on top.  See `Documentation/mfroute/`.

use kernel::prelude::*;

mod debugfs;
pub mod route;

module! {
    type: MfRoute,
    name: "mfroute",
    author: "mfroute developers",
    description: "Route persistent-memory failures as ranges up the storage stack",
    license: "GPL",
}

/// The module's version, printed on load.
const VERSION: &str = "0.1.0";

/// The loaded module; dropping it undoes `init` in reverse order.
struct MfRoute {
    /// The root-only debugfs directory.
    _debugfs: debugfs::Dir,
}

impl kernel::Module for MfRoute {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let debugfs = debugfs::Dir::create()?;
        pr_info!("version {} loaded\n", VERSION);
        Ok(MfRoute { _debugfs: debugfs })
    }
}

impl Drop for MfRoute {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}
