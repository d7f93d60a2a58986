// SPDX-License-Identifier: GPL-2.0
//! mfroute(8), the userspace side of mfroute: follows the module's
//! tracepoints and says what each failure hit, shows the translation
//! chain above pmem namespaces, and prints the per-device counters.
//!
//! The binary (`src/main.rs`) is argument parsing around these modules;
//! the parsing and mapping in them is pure and tested on the host, the
//! ioctls (`dm`, `fsmap`, `fiemap`) are thin layers over it.

#![deny(missing_docs)]

pub mod above;
pub mod advice;
pub mod clock;
pub mod dev;
pub mod dm;
pub mod error;
pub mod fiemap;
pub mod flags;
pub mod fsmap;
pub mod history;
pub mod hit;
pub mod monitor;
pub mod mountinfo;
pub mod recent;
pub mod resolve;
pub mod stack;
pub mod status;
pub mod sysfs;
pub mod trace;
pub mod tracefs;
pub mod units;
