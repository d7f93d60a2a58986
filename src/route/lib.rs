// SPDX-License-Identifier: GPL-2.0

//! Host build of mfroute's pure routing core, for `cargo test` and benches.
//!
//! The kernel module includes the same `mod.rs` as `crate::route`; this crate
//! does the same, so paths read `mfroute_route::route::...` here and
//! `crate::route::...` in the module. The lints below mirror the kernel's
//! `rust_common_flags` (plus private-item docs) so the host build fails on
//! what the kernel build would warn about.

#![no_std]
#![deny(
    missing_docs,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    non_ascii_idents,
    rust_2018_idioms,
    clippy::all,
    clippy::missing_docs_in_private_items,
    clippy::ignored_unit_patterns,
    clippy::mut_mut,
    clippy::needless_bitwise_bool,
    clippy::needless_continue,
    clippy::no_mangle_with_rust_abi,
    clippy::dbg_macro,
    clippy::undocumented_unsafe_blocks,
    clippy::float_arithmetic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "mod.rs"]
pub mod route;
