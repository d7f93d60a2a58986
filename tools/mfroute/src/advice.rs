// SPDX-License-Identifier: GPL-2.0
//! The next step for what a failure hit, one line per owner: what is
//! lost and how to get it back, or which checker to run.

use crate::hit::{Hit, HitStatus, Owner, Piece};
use crate::units;

/// The checker of a filesystem type, without and with repairing:
/// (`xfs_repair -n /dev/pmem0`, `xfs_repair /dev/pmem0`).
fn checker(fstype: &str, dev: &str) -> (String, String) {
    match fstype {
        "xfs" => (format!("xfs_repair -n {dev}"), format!("xfs_repair {dev}")),
        "ext2" | "ext3" | "ext4" => (format!("e2fsck -fn {dev}"), format!("e2fsck -f {dev}")),
        _ => (
            format!("fsck -n {dev}"),
            format!("the {fstype} checker on {dev}"),
        ),
    }
}

/// Where the hit filesystem is, for the advice: its mount point, device
/// path and type.
struct Mounted<'a> {
    mount: &'a str,
    dev: String,
    fstype: &'a str,
}

impl<'a> Mounted<'a> {
    fn of(h: &'a Hit) -> Self {
        Self {
            mount: h.mount.as_deref().unwrap_or("the filesystem"),
            dev: h
                .device
                .as_deref()
                .map_or_else(|| "its device".into(), |d| format!("/dev/{d}")),
            fstype: h.fstype.as_deref().unwrap_or(""),
        }
    }

    /// Unmount, look, then repair.
    fn check(&self) -> String {
        let (look, repair) = checker(self.fstype, &self.dev);
        format!(
            "unmount {} and run {look} to see the damage, then {repair}",
            self.mount
        )
    }
}

fn file_name(inode: u64, path: &Option<String>) -> String {
    path.clone().unwrap_or_else(|| format!("inode {inode}"))
}

/// The next step for piece `p` of hit `h`.
pub fn for_piece(h: &Hit, p: &Piece) -> String {
    let at = Mounted::of(h);
    match &p.owner {
        Owner::File {
            unwritten: true, ..
        } => "nothing lost (preallocated, never written); writing there clears the poison".into(),
        Owner::File {
            inode,
            path,
            file_offset,
            shared,
            ..
        } => {
            let bytes = units::byte_range(*file_offset, p.len);
            let what = format!("{} bytes {bytes}", file_name(*inode, path));
            if *shared {
                format!(
                    "restore {what} from a backup; the blocks are shared, so every file \
                     sharing them lost the same bytes"
                )
            } else {
                format!("restore {what} from a backup; writing those bytes again clears the poison")
            }
        }
        Owner::Xattr { inode, path } => format!(
            "restore the extended attributes of {} from a backup (setfattr)",
            file_name(*inode, path)
        ),
        Owner::ExtentMap { inode, path } => format!(
            "{}; then restore {} from a backup if the repair drops it",
            at.check(),
            file_name(*inode, path)
        ),
        Owner::Metadata { .. } => at.check(),
        Owner::Free => "nothing lost (free space)".into(),
        Owner::Unknown | Owner::NoFile => format!("no file named: {}", at.check()),
    }
}

/// The next steps for hit `h`: one per owner piece, in their order, or
/// one for the hit when it has no owners (`None` when there is nothing
/// to advise: a failed lookup, or nothing mounted).
pub fn for_hit(h: &Hit) -> Vec<String> {
    match h.status {
        HitStatus::Ok => h.owners.iter().map(|p| for_piece(h, p)).collect(),
        HitStatus::FsShutdown => {
            let at = Mounted::of(h);
            vec![format!(
                "the filesystem shut down: {}; restore from a backup what the repair reports lost",
                at.check()
            )]
        }
        HitStatus::NotMounted | HitStatus::Error => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev::DevNum;

    fn hit(fstype: &str, owners: Vec<Piece>) -> Hit {
        Hit {
            status: HitStatus::Ok,
            message: None,
            device: Some("pmem0p1".into()),
            dev: Some(DevNum::new(259, 1)),
            mount: Some("/mnt".into()),
            fstype: Some(fstype.into()),
            offset: 0,
            len: 0x2000,
            owners,
        }
    }

    fn piece(owner: Owner) -> Piece {
        Piece {
            offset: 0,
            len: 0x1000,
            owner,
        }
    }

    fn file(shared: bool, unwritten: bool) -> Owner {
        Owner::File {
            inode: 131,
            path: Some("/mnt/data".into()),
            file_offset: 0x3000,
            unwritten,
            shared,
        }
    }

    #[test]
    fn one_line_per_owner() {
        let h = hit(
            "xfs",
            vec![
                piece(file(false, false)),
                piece(file(true, false)),
                piece(file(false, true)),
                piece(Owner::Metadata { kind: "log".into() }),
                piece(Owner::Free),
                piece(Owner::ExtentMap {
                    inode: 7,
                    path: None,
                }),
            ],
        );
        assert_eq!(
            for_hit(&h),
            [
                "restore /mnt/data bytes 0x3000..0x3fff from a backup; writing those bytes again \
                 clears the poison",
                "restore /mnt/data bytes 0x3000..0x3fff from a backup; the blocks are shared, so \
                 every file sharing them lost the same bytes",
                "nothing lost (preallocated, never written); writing there clears the poison",
                "unmount /mnt and run xfs_repair -n /dev/pmem0p1 to see the damage, then \
                 xfs_repair /dev/pmem0p1",
                "nothing lost (free space)",
                "unmount /mnt and run xfs_repair -n /dev/pmem0p1 to see the damage, then \
                 xfs_repair /dev/pmem0p1; then restore inode 7 from a backup if the repair drops it",
            ]
        );
    }

    #[test]
    fn checker_by_type() {
        let h = hit("ext4", vec![piece(Owner::NoFile)]);
        assert_eq!(
            for_hit(&h),
            [
                "no file named: unmount /mnt and run e2fsck -fn /dev/pmem0p1 to see the damage, \
              then e2fsck -f /dev/pmem0p1"
            ]
        );
        let mut h = hit("xfs", Vec::new());
        h.status = HitStatus::FsShutdown;
        assert_eq!(
            for_hit(&h),
            [
                "the filesystem shut down: unmount /mnt and run xfs_repair -n /dev/pmem0p1 to see \
              the damage, then xfs_repair /dev/pmem0p1; restore from a backup what the repair \
              reports lost"
            ]
        );
        h.status = HitStatus::NotMounted;
        assert!(for_hit(&h).is_empty());
    }
}
