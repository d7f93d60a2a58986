// SPDX-License-Identifier: GPL-2.0

//! Sample mfroute holder.
//!
//! Registers with mfroute and records what it is told, so that a test can
//! compare it with what was injected.

use kernel::prelude::*;

module! {
    type: MfRouteHolder,
    name: "mfroute_holder",
    author: "mfroute developers",
    description: "Sample holder recording mfroute notifications",
    license: "GPL",
}

/// The loaded sample.
struct MfRouteHolder;

impl kernel::Module for MfRouteHolder {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("loaded\n");
        Ok(MfRouteHolder)
    }
}

impl Drop for MfRouteHolder {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}
