// SPDX-License-Identifier: GPL-2.0
//! Errors the command reports: what went wrong, one line saying what to
//! do, and the exit status.

use std::fmt;

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: the command failed (I/O error, unreadable data).
pub const EXIT_FAILED: i32 = 1;
/// Exit status: bad command line (clap's own status for usage errors).
pub const EXIT_USAGE: i32 = 2;
/// Exit status: the system is not ready (no access to tracefs, no
/// tracefs, mfroute not loaded).
pub const EXIT_ENVIRONMENT: i32 = 3;
/// Exit status: the named device does not exist or is not the right kind.
pub const EXIT_UNKNOWN_DEVICE: i32 = 4;

/// What following the tracepoints needs, said when it is missing.
pub const TRACEFS_HINT: &str =
    "run it as root, or with the capabilities CAP_DAC_OVERRIDE (tracefs) \
     and CAP_SYS_ADMIN (to resolve: GETFSMAP, device-mapper tables), for example \
     AmbientCapabilities= in a systemd unit";

/// A reportable error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong, one line.
    pub message: String,
    /// What to do about it, one line, if there is something to say.
    pub hint: Option<String>,
    /// The exit status.
    pub exit_code: i32,
}

/// Results of this crate's commands.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A plain failure (exit status 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            exit_code: EXIT_FAILED,
        }
    }

    /// The same error with a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The system is not ready (exit status 3).
    pub fn environment(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
            exit_code: EXIT_ENVIRONMENT,
        }
    }

    /// Not allowed to use tracefs: `what` (`creating trace instance
    /// /sys/kernel/tracing/instances/...: Permission denied`).
    pub fn no_tracefs_access(what: impl Into<String>) -> Self {
        Self::environment(what, TRACEFS_HINT)
    }

    /// The module is not loaded (`/sys/kernel/mfroute` is missing).
    pub fn not_loaded() -> Self {
        Self::environment(
            "mfroute is not loaded (no /sys/kernel/mfroute)",
            "load it with: modprobe mfroute",
        )
    }

    /// No tracefs mounted.
    pub fn no_tracefs() -> Self {
        Self::environment(
            "tracefs is not mounted (no /sys/kernel/tracing/trace_pipe, no /sys/kernel/debug/tracing/trace_pipe)",
            "mount it with: mount -t tracefs nodev /sys/kernel/tracing",
        )
    }

    /// A device argument that names nothing usable (exit status 4).
    pub fn unknown_device(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
            exit_code: EXIT_UNKNOWN_DEVICE,
        }
    }

    /// An I/O error on `path` while doing `what` (`reading`); permission
    /// denied says what privilege would do.
    pub fn io(what: &str, path: &std::path::Path, e: &std::io::Error) -> Self {
        let message = format!("{what} {}: {e}", path.display());
        match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                Self::environment(message, "run it as root (for example with sudo)")
            }
            _ => Self::failed(message),
        }
    }

    /// As [`Error::io`], for a path in tracefs.
    pub fn tracefs_io(what: &str, path: &std::path::Path, e: &std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                Self::no_tracefs_access(format!("{what} {}: {e}", path.display()))
            }
            _ => Self::io(what, path, e),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n{h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error as IoError, ErrorKind};
    use std::path::Path;

    #[test]
    fn io_errors() {
        let p = Path::new("/sys/kernel/mfroute/version");
        let e = Error::io("reading", p, &IoError::from(ErrorKind::PermissionDenied));
        assert_eq!(e.exit_code, EXIT_ENVIRONMENT);
        assert_eq!(
            e.hint.as_deref(),
            Some("run it as root (for example with sudo)")
        );
        assert!(
            e.message
                .starts_with("reading /sys/kernel/mfroute/version: "),
            "{}",
            e.message
        );
        let e = Error::io("reading", p, &IoError::from_raw_os_error(5));
        assert_eq!((e.exit_code, e.hint), (EXIT_FAILED, None));
        assert!(e.message.contains("(os error 5)"), "{}", e.message);
    }

    #[test]
    fn display() {
        assert_eq!(Error::failed("it broke").to_string(), "it broke");
        assert_eq!(
            Error::failed("it broke").hint("mend it").to_string(),
            "it broke\nmend it"
        );
        assert_eq!(
            Error::not_loaded().to_string(),
            "mfroute is not loaded (no /sys/kernel/mfroute)\nload it with: modprobe mfroute"
        );
    }
}
