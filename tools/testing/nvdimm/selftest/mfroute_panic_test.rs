// SPDX-License-Identifier: GPL-2.0

//! A module that panics when loaded, to prove that the test harness sees a
//! Rust panic (`tools/testing/nvdimm/selftest/rust-panic.sh`).

use kernel::prelude::*;

module! {
    type: PanicTest,
    name: "mfroute_panic_test",
    author: "mfroute developers",
    description: "Panics on load, for the mfroute harness self-test",
    license: "GPL",
}

/// Never constructed: loading the module panics.
struct PanicTest;

impl kernel::Module for PanicTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        panic!("mfroute_panic_test: panic on request");
    }
}
