// SPDX-License-Identifier: GPL-2.0

//! Pure routing core: ranges, translators, chains, holder registry and ledger.
//!
//! Everything below this module is plain `core` Rust with no dependency on the
//! `kernel` crate, so the same files are compiled into `mfroute.ko` and tested
//! on the host with `cargo test` (see `src/route/Cargo.toml`). Files refer to
//! each other through `super::` only, because the crate root differs between
//! the two builds. Storage is always provided by the caller; nothing here
//! allocates.
//!
//! See `Documentation/mfroute/routing.rst` for the translator arithmetic.

#![forbid(unsafe_code)]

pub mod chain;
pub mod ledger;
pub mod linear;
pub mod partition;
pub mod pmem;
pub mod range;
pub mod registry;
pub mod sink;
pub mod slots;
pub mod striped;
pub mod translate;

/// Errors returned by the routing core.
///
/// The kernel glue converts these into `kernel::error::Error` in one place;
/// [`RouteError::errno`] gives the (positive) errno number each maps to:
///
/// | Variant       | errno        | Meaning                                       |
/// |---------------|--------------|-----------------------------------------------|
/// | `ZeroLength`  | `EINVAL`     | malformed input: an empty range               |
/// | `Invalid`     | `EINVAL`     | malformed input or table, broken invariant    |
/// | `Overflow`    | `EOVERFLOW`  | an offset or length does not fit in `u64`     |
/// | `OutOfRange`  | `ENXIO`      | outside the device                            |
/// | `Metadata`    | `EOPNOTSUPP` | pmem metadata area: fall back to legacy path  |
/// | `Unsupported` | `EOPNOTSUPP` | not handled here: fall back to legacy path    |
/// | `NoSpace`     | `ENOSPC`     | caller-provided storage is full               |
/// | `Busy`        | `EBUSY`      | a live conflicting registration               |
/// | `NotFound`    | `ENOENT`     | no such registration                          |
///
/// # Examples
///
/// ```
/// use mfroute_route::route::RouteError;
///
/// assert_eq!(RouteError::OutOfRange.errno(), 6);
/// assert_eq!(RouteError::Unsupported.errno(), 95);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteError {
    /// A range of length zero where a length is required.
    ZeroLength,
    /// An offset, length or end does not fit in `u64`.
    Overflow,
    /// The range lies (partly) outside the device.
    OutOfRange,
    /// The range touches the pmem metadata area (info block, memmap).
    Metadata,
    /// Caller-provided storage is full; nothing was changed.
    NoSpace,
    /// Not handled by the router; the caller falls back to per-page handling.
    Unsupported,
    /// Malformed input or table, or a broken internal invariant.
    Invalid,
    /// The registration conflicts with a live one.
    Busy,
    /// No matching registration.
    NotFound,
}

impl RouteError {
    /// Returns the positive errno number this error maps to.
    ///
    /// The kernel glue negates it (or uses the matching `kernel::error::code`).
    pub const fn errno(self) -> i32 {
        /// No such file or directory.
        const ENOENT: i32 = 2;
        /// No such device or address.
        const ENXIO: i32 = 6;
        /// Device or resource busy.
        const EBUSY: i32 = 16;
        /// Invalid argument.
        const EINVAL: i32 = 22;
        /// No space left on device.
        const ENOSPC: i32 = 28;
        /// Value too large for defined data type.
        const EOVERFLOW: i32 = 75;
        /// Operation not supported.
        const EOPNOTSUPP: i32 = 95;

        match self {
            Self::ZeroLength | Self::Invalid => EINVAL,
            Self::Overflow => EOVERFLOW,
            Self::OutOfRange => ENXIO,
            Self::Metadata | Self::Unsupported => EOPNOTSUPP,
            Self::NoSpace => ENOSPC,
            Self::Busy => EBUSY,
            Self::NotFound => ENOENT,
        }
    }
}
