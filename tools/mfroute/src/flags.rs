// SPDX-License-Identifier: GPL-2.0
//! The kernel's memory-failure flags (`enum mf_flags` in Linux 6.12's
//! `include/linux/mm.h`) and the errno names of delivery results.

/// `MF_COUNT_INCREASED`: the caller holds a page reference.
pub const MF_COUNT_INCREASED: u32 = 1 << 0;
/// `MF_ACTION_REQUIRED`: a process consumed the poison (synchronous).
pub const MF_ACTION_REQUIRED: u32 = 1 << 1;
/// `MF_MUST_KILL`: processes mapping the page must be killed.
pub const MF_MUST_KILL: u32 = 1 << 2;
/// `MF_SOFT_OFFLINE`: soft offlining, not a failure.
pub const MF_SOFT_OFFLINE: u32 = 1 << 3;
/// `MF_UNPOISON`: unpoisoning.
pub const MF_UNPOISON: u32 = 1 << 4;
/// `MF_SW_SIMULATED`: injected by software (madvise, hwpoison-inject).
pub const MF_SW_SIMULATED: u32 = 1 << 5;
/// `MF_NO_RETRY`: do not retry handling.
pub const MF_NO_RETRY: u32 = 1 << 6;
/// `MF_MEM_PRE_REMOVE`: the range is about to be removed; no data lost yet.
pub const MF_MEM_PRE_REMOVE: u32 = 1 << 7;

const NAMES: [(u32, &str); 8] = [
    (MF_COUNT_INCREASED, "MF_COUNT_INCREASED"),
    (MF_ACTION_REQUIRED, "MF_ACTION_REQUIRED"),
    (MF_MUST_KILL, "MF_MUST_KILL"),
    (MF_SOFT_OFFLINE, "MF_SOFT_OFFLINE"),
    (MF_UNPOISON, "MF_UNPOISON"),
    (MF_SW_SIMULATED, "MF_SW_SIMULATED"),
    (MF_NO_RETRY, "MF_NO_RETRY"),
    (MF_MEM_PRE_REMOVE, "MF_MEM_PRE_REMOVE"),
];

/// The names of the bits set in `flags`, lowest bit first; a bit this
/// tool does not know is named by its value in hex (`0x100`).
pub fn flag_names(flags: u32) -> Vec<String> {
    (0..32)
        .map(|bit| 1u32 << bit)
        .filter(|b| flags & b != 0)
        .map(|b| match NAMES.iter().find(|(v, _)| *v == b) {
            Some((_, name)) => (*name).to_string(),
            None => format!("{b:#x}"),
        })
        .collect()
}

/// The errno of a negative kernel result, if it is one.
fn errno_of(result: i32) -> Option<nix::errno::Errno> {
    if result >= 0 {
        return None;
    }
    Some(
        result
            .checked_neg()
            .map_or(nix::errno::Errno::UnknownErrno, nix::errno::Errno::from_raw),
    )
}

/// The errno name of a negative kernel result (`-95` is `EOPNOTSUPP`), or
/// `None` for 0 and positive values; an errno this system's table does
/// not know is `E<n>`.
pub fn errno_name(result: i32) -> Option<String> {
    let e = errno_of(result)?;
    Some(if e == nix::errno::Errno::UnknownErrno {
        format!("E{}", result.unsigned_abs())
    } else {
        format!("{e:?}")
    })
}

/// A short description of a negative kernel result, for people, as
/// strerror(3) words it, its first word in lower case unless it is an
/// abbreviation (`operation not supported`, `I/O error`).
pub fn errno_text(result: i32) -> Option<String> {
    let e = errno_of(result).filter(|e| *e != nix::errno::Errno::UnknownErrno)?;
    // The C library's words (nix's own table words some differently).
    let text = std::io::Error::from_raw_os_error(e as i32).to_string();
    let desc = text.split(" (os error").next()?;
    let mut chars = desc.chars();
    let first = chars.next()?;
    if chars.next().is_some_and(char::is_lowercase) {
        Some(first.to_lowercase().chain(desc.chars().skip(1)).collect())
    } else {
        Some(desc.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            flag_names(0x23),
            [
                "MF_COUNT_INCREASED",
                "MF_ACTION_REQUIRED",
                "MF_SW_SIMULATED"
            ]
        );
        assert_eq!(flag_names(0x80), ["MF_MEM_PRE_REMOVE"]);
        assert!(flag_names(0).is_empty());
        assert_eq!(flag_names(0x120), ["MF_SW_SIMULATED", "0x100"]);
    }

    /// The values of `enum mf_flags` in Linux 6.12's `include/linux/mm.h`.
    #[test]
    fn kernel_values() {
        assert_eq!(MF_COUNT_INCREASED, 0x01);
        assert_eq!(MF_ACTION_REQUIRED, 0x02);
        assert_eq!(MF_MUST_KILL, 0x04);
        assert_eq!(MF_SOFT_OFFLINE, 0x08);
        assert_eq!(MF_UNPOISON, 0x10);
        assert_eq!(MF_SW_SIMULATED, 0x20);
        assert_eq!(MF_NO_RETRY, 0x40);
        assert_eq!(MF_MEM_PRE_REMOVE, 0x80);
        assert_eq!(
            flag_names(0xff),
            [
                "MF_COUNT_INCREASED",
                "MF_ACTION_REQUIRED",
                "MF_MUST_KILL",
                "MF_SOFT_OFFLINE",
                "MF_UNPOISON",
                "MF_SW_SIMULATED",
                "MF_NO_RETRY",
                "MF_MEM_PRE_REMOVE"
            ]
        );
        for bit in 0..8 {
            assert_eq!(flag_names(1 << bit).len(), 1, "bit {bit}");
            assert!(!flag_names(1 << bit)[0].starts_with("0x"), "bit {bit}");
        }
    }

    #[test]
    fn errnos() {
        assert_eq!(errno_name(0), None);
        assert_eq!(errno_name(-95).as_deref(), Some("EOPNOTSUPP"));
        assert_eq!(errno_name(-133).as_deref(), Some("EHWPOISON"));
        assert_eq!(errno_name(-200).as_deref(), Some("E200"));
        assert_eq!(errno_name(i32::MIN).as_deref(), Some("E2147483648"));
        assert_eq!(errno_text(-5).as_deref(), Some("input/output error"));
        assert_eq!(errno_text(-95).as_deref(), Some("operation not supported"));
        assert_eq!(errno_text(-73).as_deref(), Some("RFS specific error"));
        assert_eq!(
            errno_text(-117).as_deref(),
            Some("structure needs cleaning")
        );
        assert_eq!(errno_text(-200), None);
        assert_eq!(errno_text(i32::MIN), None);
    }
}
