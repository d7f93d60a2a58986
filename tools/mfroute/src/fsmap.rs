// SPDX-License-Identifier: GPL-2.0
//! What owns a byte range of a filesystem: `FS_IOC_GETFSMAP`
//! (`linux/fsmap.h`; special owners from xfs's `fs/xfs/libxfs/xfs_fs.h`
//! and ext4's `fs/ext4/fsmap.h`).  xfs with a reverse-mapping btree names
//! every owner; ext4 names its metadata and free space, and reports file
//! data as unknown (see [`crate::fiemap`] for that).
//!
//! [`query`] is the thin ioctl layer; [`map_records`] turns its records
//! into owner pieces and is pure.

use crate::dev::DevNum;
use crate::hit::{coalesce, gaps, Owner, Piece};
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// `FMR_OF_PREALLOC`: unwritten preallocation.
pub const FMR_OF_PREALLOC: u32 = 0x1;
/// `FMR_OF_ATTR_FORK`: attribute fork.
pub const FMR_OF_ATTR_FORK: u32 = 0x2;
/// `FMR_OF_EXTENT_MAP`: extent map (bmbt) blocks.
pub const FMR_OF_EXTENT_MAP: u32 = 0x4;
/// `FMR_OF_SHARED`: shared with another file.
pub const FMR_OF_SHARED: u32 = 0x8;
/// `FMR_OF_SPECIAL_OWNER`: `fmr_owner` is a special value.
pub const FMR_OF_SPECIAL_OWNER: u32 = 0x10;
/// `FMR_OF_LAST`: the last record of the dataset.
pub const FMR_OF_LAST: u32 = 0x20;

/// `FMR_OWNER(type, code)`.
pub const fn fmr_owner(ty: u8, code: u32) -> u64 {
    ((ty as u64) << 32) | code as u64
}

/// `FMR_OWN_FREE`: free space.
pub const FMR_OWN_FREE: u64 = fmr_owner(0, 1);
/// `FMR_OWN_UNKNOWN`: unknown owner.
pub const FMR_OWN_UNKNOWN: u64 = fmr_owner(0, 2);
/// `FMR_OWN_METADATA`: metadata.
pub const FMR_OWN_METADATA: u64 = fmr_owner(0, 3);
/// `XFS_FMR_OWN_FS`: static fs metadata.
pub const XFS_FMR_OWN_FS: u64 = fmr_owner(b'X', 1);
/// `XFS_FMR_OWN_LOG`: journalling log.
pub const XFS_FMR_OWN_LOG: u64 = fmr_owner(b'X', 2);
/// `XFS_FMR_OWN_AG`: per-AG metadata (free-space btrees).
pub const XFS_FMR_OWN_AG: u64 = fmr_owner(b'X', 3);
/// `XFS_FMR_OWN_INOBT`: inode btree blocks.
pub const XFS_FMR_OWN_INOBT: u64 = fmr_owner(b'X', 4);
/// `XFS_FMR_OWN_INODES`: inodes.
pub const XFS_FMR_OWN_INODES: u64 = fmr_owner(b'X', 5);
/// `XFS_FMR_OWN_REFC`: refcount tree.
pub const XFS_FMR_OWN_REFC: u64 = fmr_owner(b'X', 6);
/// `XFS_FMR_OWN_COW`: copy-on-write staging.
pub const XFS_FMR_OWN_COW: u64 = fmr_owner(b'X', 7);
/// `XFS_FMR_OWN_DEFECTIVE`: bad blocks.
pub const XFS_FMR_OWN_DEFECTIVE: u64 = fmr_owner(b'X', 8);
/// `EXT4_FMR_OWN_GDT`: group descriptors.
pub const EXT4_FMR_OWN_GDT: u64 = fmr_owner(b'f', 1);
/// `EXT4_FMR_OWN_RESV_GDT`: reserved group descriptor blocks.
pub const EXT4_FMR_OWN_RESV_GDT: u64 = fmr_owner(b'f', 2);
/// `EXT4_FMR_OWN_BLKBM`: block bitmap.
pub const EXT4_FMR_OWN_BLKBM: u64 = fmr_owner(b'f', 3);
/// `EXT4_FMR_OWN_INOBM`: inode bitmap.
pub const EXT4_FMR_OWN_INOBM: u64 = fmr_owner(b'f', 4);

/// One reverse-mapping record, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Device (`new_encode_dev()` form, `FMH_OF_DEV_T`).
    pub device: u32,
    /// `FMR_OF_*` flags.
    pub flags: u32,
    /// Byte offset in the device.
    pub physical: u64,
    /// Inode number, or a special owner.
    pub owner: u64,
    /// Byte offset in the file.
    pub offset: u64,
    /// Bytes.
    pub length: u64,
}

/// What a special owner value (`FMR_OF_SPECIAL_OWNER`) stands for.
pub fn special_kind(owner: u64) -> Owner {
    let kind = match owner {
        FMR_OWN_FREE => return Owner::Free,
        FMR_OWN_UNKNOWN => return Owner::Unknown,
        FMR_OWN_METADATA => "metadata",
        XFS_FMR_OWN_FS => "fs_headers",
        XFS_FMR_OWN_LOG => "log",
        XFS_FMR_OWN_AG => "ag_btrees",
        XFS_FMR_OWN_INOBT => "inode_btree",
        XFS_FMR_OWN_INODES => "inodes",
        XFS_FMR_OWN_REFC => "refcount_btree",
        XFS_FMR_OWN_COW => "cow_staging",
        XFS_FMR_OWN_DEFECTIVE => "defective",
        EXT4_FMR_OWN_GDT => "group_descriptors",
        EXT4_FMR_OWN_RESV_GDT => "reserved_gdt",
        EXT4_FMR_OWN_BLKBM => "block_bitmap",
        EXT4_FMR_OWN_INOBM => "inode_bitmap",
        other => {
            return Owner::Metadata {
                kind: format!("special_{other:#x}"),
            }
        }
    };
    Owner::Metadata { kind: kind.into() }
}

/// What owns `[start, start + len)` according to `records`: one piece per
/// overlap, clipped to the range, with the file offset of a file piece
/// moved to the piece's first byte; bytes no record covers are `unknown`.
/// Paths are left empty.
pub fn map_records(start: u64, len: u64, records: &[Record]) -> Vec<Piece> {
    let end = start.saturating_add(len);
    let mut pieces = Vec::new();
    for r in records {
        let r_end = r.physical.saturating_add(r.length);
        let lo = start.max(r.physical);
        let hi = end.min(r_end);
        if lo >= hi {
            continue;
        }
        let owner = if r.flags & FMR_OF_SPECIAL_OWNER != 0 {
            special_kind(r.owner)
        } else if r.flags & FMR_OF_ATTR_FORK != 0 {
            Owner::Xattr {
                inode: r.owner,
                path: None,
            }
        } else if r.flags & FMR_OF_EXTENT_MAP != 0 {
            Owner::ExtentMap {
                inode: r.owner,
                path: None,
            }
        } else {
            Owner::File {
                inode: r.owner,
                path: None,
                file_offset: r.offset.saturating_add(lo - r.physical),
                unwritten: r.flags & FMR_OF_PREALLOC != 0,
                shared: r.flags & FMR_OF_SHARED != 0,
            }
        };
        pieces.push(Piece {
            offset: lo,
            len: hi - lo,
            owner,
        });
    }
    let covered: Vec<(u64, u64)> = pieces.iter().map(|p| (p.offset, p.len)).collect();
    for (offset, len) in gaps(start, len, &covered) {
        pieces.push(Piece {
            offset,
            len,
            owner: Owner::Unknown,
        });
    }
    // Several files may share a block (reflink): keep each, sorted by
    // offset; coalesce only merges what continues.
    coalesce(pieces)
}

/// `struct fsmap`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct Fsmap {
    fmr_device: u32,
    fmr_flags: u32,
    fmr_physical: u64,
    fmr_owner: u64,
    fmr_offset: u64,
    fmr_length: u64,
    fmr_reserved: [u64; 3],
}

/// `struct fsmap_head` without its flexible array of records.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct FsmapHead {
    fmh_iflags: u32,
    fmh_oflags: u32,
    fmh_count: u32,
    fmh_entries: u32,
    fmh_reserved: [u64; 6],
    fmh_keys: [Fsmap; 2],
}

const BATCH: usize = 128;

#[repr(C)]
struct FsmapBuffer {
    head: FsmapHead,
    recs: [Fsmap; BATCH],
}

nix::ioctl_readwrite!(
    /// `FS_IOC_GETFSMAP`: `_IOWR('X', 59, struct fsmap_head)`.
    fs_ioc_getfsmap, b'X', 59, FsmapHead
);

/// At most this many batches per query: a 4 KiB failure has a handful of
/// owners, a whole-device one may have many; the rest is reported as
/// unknown.
const MAX_BATCHES: usize = 64;

/// Asks the filesystem of `dir` (an open directory of it, whose data
/// device is `dev`) who owns bytes `[start, start + len)` of that device.
pub fn query(dir: &File, dev: DevNum, start: u64, len: u64) -> io::Result<Vec<Record>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let device = dev.new_encode();
    let mut buf = Box::new(FsmapBuffer {
        head: FsmapHead::default(),
        recs: [Fsmap::default(); BATCH],
    });
    buf.head.fmh_count = BATCH as u32;
    buf.head.fmh_keys[0] = Fsmap {
        fmr_device: device,
        fmr_physical: start,
        ..Fsmap::default()
    };
    buf.head.fmh_keys[1] = Fsmap {
        fmr_device: device,
        fmr_flags: u32::MAX,
        fmr_physical: start.saturating_add(len - 1),
        fmr_owner: u64::MAX,
        fmr_offset: u64::MAX,
        // Must be 0: newer kernels refuse anything else in the high key.
        fmr_length: 0,
        fmr_reserved: [0; 3],
    };
    let mut out = Vec::new();
    for _ in 0..MAX_BATCHES {
        // SAFETY: `buf` is a live, exclusively borrowed FsmapBuffer: the
        // header is followed by fmh_count records, which is all the
        // kernel reads or writes.
        unsafe {
            fs_ioc_getfsmap(
                dir.as_raw_fd(),
                std::ptr::from_mut(&mut *buf).cast::<FsmapHead>(),
            )
        }
        .map_err(io::Error::from)?;
        let n = (buf.head.fmh_entries as usize).min(BATCH);
        out.extend(buf.recs[..n].iter().map(|r| Record {
            device: r.fmr_device,
            flags: r.fmr_flags,
            physical: r.fmr_physical,
            owner: r.fmr_owner,
            offset: r.fmr_offset,
            length: r.fmr_length,
        }));
        if n < BATCH || buf.recs[n - 1].fmr_flags & FMR_OF_LAST != 0 {
            break;
        }
        // fsmap_advance(): continue after the last record.
        buf.head.fmh_keys[0] = buf.recs[n - 1];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn layout() {
        assert_eq!(size_of::<Fsmap>(), 64);
        assert_eq!(size_of::<FsmapHead>(), 192);
        // _IOWR('X', 59, struct fsmap_head) as in linux/fsmap.h.
        assert_eq!(
            nix::request_code_readwrite!(b'X', 59, size_of::<FsmapHead>()) as u64,
            0xc0c0_583b
        );
    }
}
