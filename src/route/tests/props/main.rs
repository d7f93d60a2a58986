// SPDX-License-Identifier: GPL-2.0

//! Property tests of the routing core against brute-force models.
//!
//! Layouts are checked against a per-sector model of the forward mapping
//! the kernel targets implement (target sector to member sector), the range
//! set and the ledger against bitmasks, on small geometries: no byte is lost
//! or invented, and a store out of nodes refuses without changing anything.

mod layout;
mod ledger;
mod partition;
mod range;
mod settle;
mod window;
