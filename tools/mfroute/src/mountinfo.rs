// SPDX-License-Identifier: GPL-2.0
//! `/proc/self/mountinfo` (see proc(5)).

use crate::dev::DevNum;
use serde::Serialize;

/// One mount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// The device of the mounted filesystem (field 3).
    pub dev: DevNum,
    /// The directory of the filesystem mounted here, `/` unless a bind
    /// mount of a subdirectory (field 4).
    pub root: String,
    /// Where it is mounted (field 5).
    pub mount_point: String,
    /// Filesystem type (`xfs`, `ext4`).
    pub fstype: String,
    /// Mount source (`/dev/pmem0`).
    pub source: String,
    /// Per-mount options (`rw,relatime`).
    pub options: String,
    /// Per-superblock options (`rw,dax=always,...`).
    pub super_options: String,
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 4 <= b.len() {
            let oct = &b[i + 1..i + 4];
            if oct.iter().all(|d| (b'0'..=b'7').contains(d)) {
                let v = oct
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                if let Ok(v) = u8::try_from(v) {
                    out.push(v);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses one line; `None` if it is malformed.
pub fn parse_line(line: &str) -> Option<Mount> {
    let (left, right) = line.split_once(" - ")?;
    let l: Vec<&str> = left.split(' ').collect();
    let r: Vec<&str> = right.split(' ').collect();
    if l.len() < 6 || r.len() < 3 {
        return None;
    }
    Some(Mount {
        dev: l[2].parse().ok()?,
        root: unescape(l[3]),
        mount_point: unescape(l[4]),
        options: l[5].to_string(),
        fstype: r[0].to_string(),
        source: unescape(r[1]),
        super_options: r[2].to_string(),
    })
}

/// Parses mountinfo text, skipping malformed lines.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_line).collect()
}

/// The mounts of `dev`, the ones of its whole filesystem (root `/`) first,
/// then in mount order.
pub fn mounts_of(mounts: &[Mount], dev: DevNum) -> Vec<&Mount> {
    let mut v: Vec<&Mount> = mounts.iter().filter(|m| m.dev == dev).collect();
    v.sort_by_key(|m| m.root != "/");
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let m = parse_line(
            "36 35 259:1 / /mnt/my\\040data rw,relatime shared:1 master:2 - xfs /dev/pmem0p1 rw,attr2,dax=always,inode64",
        )
        .unwrap();
        assert_eq!(m.dev, DevNum::new(259, 1));
        assert_eq!(m.mount_point, "/mnt/my data");
        assert_eq!(m.fstype, "xfs");
        assert_eq!(m.source, "/dev/pmem0p1");
        assert_eq!(m.super_options, "rw,attr2,dax=always,inode64");
        assert!(parse_line("36 35 259:1 / /mnt").is_none());
        assert!(parse_line("").is_none());
        // Enough fields on one side of " - " but not on the other.
        assert!(parse_line("36 35 259:1 / /mnt rw - xfs /dev/pmem0").is_none());
        assert!(parse_line("36 35 259:1 / /mnt rw - xfs").is_none());
        assert!(parse_line("36 35 259:1 / /mnt - xfs /dev/pmem0 rw").is_none());
        // Exactly enough: six fields left (no optional ones), three right.
        let m = parse_line("36 35 259:1 / /mnt rw - xfs /dev/pmem0 rw").unwrap();
        assert_eq!((m.options.as_str(), m.super_options.as_str()), ("rw", "rw"));
        // Anything after the super options is ignored.
        let m = parse_line("36 35 259:1 / /mnt rw - xfs /dev/pmem0 rw extra").unwrap();
        assert_eq!(m.super_options, "rw");
        assert_eq!(unescape("a\\134b\\"), "a\\b\\");
        assert_eq!(unescape("tab\\011x\\09"), "tab\tx\\09");
    }
}
