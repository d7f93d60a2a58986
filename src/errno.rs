// SPDX-License-Identifier: GPL-2.0

//! The one conversion from the routing core's errors to kernel errors.

use crate::route::RouteError;
use kernel::error::Error;

impl From<RouteError> for Error {
    fn from(e: RouteError) -> Self {
        // CAST: `errno()` is a small positive errno number.
        Error::from_errno(-(e.errno()))
    }
}
