// SPDX-License-Identifier: GPL-2.0

//! Pure routing core: ranges, device-mapper layouts, the ledger, settling
//! an event, partition boundaries, sorting.
//!
//! Everything below this module is plain `core` Rust with no dependency on the
//! `kernel` crate, so the same files are compiled into `mfroute.ko` and tested
//! on the host with `cargo test` (see `src/route/Cargo.toml`). Files refer to
//! each other through `super::` only, because the crate root differs between
//! the two builds. Nothing here allocates: storage comes from the caller.
//!
//! See `Documentation/mfroute/routing.rst` for the arithmetic.

#![forbid(unsafe_code)]

pub mod layout;
pub mod ledger;
pub mod partition;
pub mod range;
pub mod settle;
pub mod sort;
pub mod window;

/// Errors returned by the routing core.
///
/// The kernel glue converts these into `kernel::error::Error` in one place;
/// [`RouteError::errno`] gives the (positive) errno number each maps to:
///
/// | Variant       | errno        | Meaning                                       |
/// |---------------|--------------|-----------------------------------------------|
/// | `ZeroLength`  | `EINVAL`     | malformed input: an empty range               |
/// | `Invalid`     | `EINVAL`     | malformed input or layout, broken invariant   |
/// | `Overflow`    | `EOVERFLOW`  | an offset or length does not fit in `u64`     |
/// | `OutOfRange`  | `ENXIO`      | outside the device                            |
/// | `NoSpace`     | `ENOMEM`     | no node reserved for one more range           |
///
/// # Examples
///
/// ```
/// use mfroute_route::route::RouteError;
///
/// assert_eq!(RouteError::OutOfRange.errno(), 6);
/// assert_eq!(RouteError::NoSpace.errno(), 12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteError {
    /// A range of length zero where a length is required.
    ZeroLength,
    /// An offset, length or end does not fit in `u64`.
    Overflow,
    /// The range lies (partly) outside the device.
    OutOfRange,
    /// No node reserved for one more range: nothing was changed.
    NoSpace,
    /// Malformed input or layout, or a broken internal invariant.
    Invalid,
}

impl RouteError {
    /// Returns the positive errno number this error maps to.
    ///
    /// The kernel glue negates it (or uses the matching `kernel::error::code`).
    pub const fn errno(self) -> i32 {
        /// No such device or address.
        const ENXIO: i32 = 6;
        /// Out of memory.
        const ENOMEM: i32 = 12;
        /// Invalid argument.
        const EINVAL: i32 = 22;
        /// Value too large for defined data type.
        const EOVERFLOW: i32 = 75;

        match self {
            Self::ZeroLength | Self::Invalid => EINVAL,
            Self::Overflow => EOVERFLOW,
            Self::OutOfRange => ENXIO,
            Self::NoSpace => ENOMEM,
        }
    }
}
