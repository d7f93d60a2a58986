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

const ERRNOS: [(i32, &str, &str); 14] = [
    (1, "EPERM", "operation not permitted"),
    (2, "ENOENT", "no such file or directory"),
    (5, "EIO", "input/output error"),
    (6, "ENXIO", "no such device or address"),
    (11, "EAGAIN", "try again"),
    (12, "ENOMEM", "out of memory"),
    (16, "EBUSY", "device busy"),
    (19, "ENODEV", "no such device"),
    (22, "EINVAL", "invalid argument"),
    (28, "ENOSPC", "no space left"),
    (75, "EOVERFLOW", "value too large"),
    (95, "EOPNOTSUPP", "operation not supported"),
    (117, "EUCLEAN", "filesystem corrupted"),
    (133, "EHWPOISON", "memory page has hardware error"),
];

/// The errno name of a negative kernel result (`-95` is `EOPNOTSUPP`), or
/// `None` for 0 and positive values; an unknown errno is `E<n>`.
pub fn errno_name(result: i32) -> Option<String> {
    if result >= 0 {
        return None;
    }
    let e = result.unsigned_abs();
    Some(
        ERRNOS
            .iter()
            .find(|(n, _, _)| n.unsigned_abs() == e)
            .map_or_else(|| format!("E{e}"), |(_, name, _)| (*name).to_string()),
    )
}

/// A short description of a negative kernel result, for people.
pub fn errno_text(result: i32) -> Option<&'static str> {
    let e = result.checked_neg()?;
    ERRNOS.iter().find(|(n, _, _)| *n == e).map(|(_, _, t)| *t)
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
        assert_eq!(errno_text(-5), Some("input/output error"));
        assert_eq!(errno_text(i32::MIN), None);
    }
}
