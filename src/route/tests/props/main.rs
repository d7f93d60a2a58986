// SPDX-License-Identifier: GPL-2.0

//! Property tests of the routing core against brute-force models.
//!
//! Every translator is checked against a per-sector model of the forward
//! mapping that the kernel target implements (upper sector to lower device
//! and sector), on small geometries: the output must equal what the model
//! derives, so no byte is lost or invented, and must obey the output
//! contract (sorted, disjoint, maximally coalesced, inside the device).

mod chain;
mod ledger;
mod model;
mod range;
mod registry;
mod slots;
mod translators;
