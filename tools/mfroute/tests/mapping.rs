// SPDX-License-Identifier: GPL-2.0
//! Mapping GETFSMAP records and FIEMAP extents to owners, and combining
//! them, on synthetic input.

use mfroute::dev::DevNum;
use mfroute::fiemap::{self, Extent, WalkResult};
use mfroute::fsmap::{self, Record};
use mfroute::hit::{HitStatus, Owner, Piece};
use mfroute::mountinfo::Mount;
use mfroute::resolve::{combine, locate, Candidate};
use std::io;

fn rec(physical: u64, length: u64, owner: u64, offset: u64, flags: u32) -> Record {
    Record {
        device: DevNum::new(259, 1).new_encode(),
        flags,
        physical,
        owner,
        offset,
        length,
    }
}

fn special(physical: u64, length: u64, owner: u64) -> Record {
    rec(physical, length, owner, 0, fsmap::FMR_OF_SPECIAL_OWNER)
}

fn file_of(p: &Piece) -> (u64, u64, u64, u64, bool, bool) {
    match &p.owner {
        Owner::File {
            inode,
            file_offset,
            unwritten,
            shared,
            ..
        } => (p.offset, p.len, *inode, *file_offset, *unwritten, *shared),
        other => panic!("not a file: {other:?}"),
    }
}

#[test]
fn inode_owner_with_file_offset() {
    // A 64 KiB extent of inode 131 at device 0x100000, file offset 0x10000;
    // a 4 KiB failure 0x3000 into it is at file offset 0x13000.
    let r = [rec(0x10_0000, 0x1_0000, 131, 0x1_0000, 0)];
    let p = fsmap::map_records(0x10_3000, 0x1000, &r);
    assert_eq!(p.len(), 1);
    assert_eq!(
        file_of(&p[0]),
        (0x10_3000, 0x1000, 131, 0x1_3000, false, false)
    );
}

#[test]
fn partial_overlaps_are_clipped() {
    // The failure 0x0ff000..0x112000 starts before the first extent, spans
    // two files and ends inside the second.
    let r = [
        special(0x0f_0000, 0x1_0000, fsmap::FMR_OWN_FREE),
        rec(0x10_0000, 0x1_0000, 131, 0, fsmap::FMR_OF_PREALLOC),
        rec(0x11_0000, 0x8000, 132, 0x4_0000, fsmap::FMR_OF_SHARED),
    ];
    let p = fsmap::map_records(0x0f_f000, 0x1_3000, &r);
    assert_eq!(p.len(), 3, "{p:?}");
    assert_eq!(
        (p[0].offset, p[0].len, &p[0].owner),
        (0x0f_f000, 0x1000, &Owner::Free)
    );
    assert_eq!(file_of(&p[1]), (0x10_0000, 0x1_0000, 131, 0, true, false));
    assert_eq!(
        file_of(&p[2]),
        (0x11_0000, 0x2000, 132, 0x4_0000, false, true)
    );
}

#[test]
fn every_special_owner() {
    let kinds = [
        (fsmap::XFS_FMR_OWN_FS, "fs_headers"),
        (fsmap::XFS_FMR_OWN_LOG, "log"),
        (fsmap::XFS_FMR_OWN_AG, "ag_btrees"),
        (fsmap::XFS_FMR_OWN_INOBT, "inode_btree"),
        (fsmap::XFS_FMR_OWN_INODES, "inodes"),
        (fsmap::XFS_FMR_OWN_REFC, "refcount_btree"),
        (fsmap::XFS_FMR_OWN_COW, "cow_staging"),
        (fsmap::XFS_FMR_OWN_DEFECTIVE, "defective"),
        (fsmap::FMR_OWN_METADATA, "metadata"),
        (fsmap::EXT4_FMR_OWN_GDT, "group_descriptors"),
        (fsmap::EXT4_FMR_OWN_RESV_GDT, "reserved_gdt"),
        (fsmap::EXT4_FMR_OWN_BLKBM, "block_bitmap"),
        (fsmap::EXT4_FMR_OWN_INOBM, "inode_bitmap"),
        (fsmap::fmr_owner(b'Q', 9), "special_0x5100000009"),
    ];
    for (owner, kind) in kinds {
        let p = fsmap::map_records(0x1000, 0x1000, &[special(0, 0x10000, owner)]);
        assert_eq!(
            p,
            [Piece {
                offset: 0x1000,
                len: 0x1000,
                owner: Owner::Metadata { kind: kind.into() }
            }],
            "{kind}"
        );
    }
    let p = fsmap::map_records(0, 0x1000, &[special(0, 0x1000, fsmap::FMR_OWN_FREE)]);
    assert_eq!(p[0].owner, Owner::Free);
    let p = fsmap::map_records(0, 0x1000, &[special(0, 0x1000, fsmap::FMR_OWN_UNKNOWN)]);
    assert_eq!(p[0].owner, Owner::Unknown);
    // The xfs special owners are FMR_OWNER('X', n).
    assert_eq!(fsmap::XFS_FMR_OWN_LOG, 0x58_0000_0002);
}

#[test]
fn forks_and_gaps() {
    let r = [
        rec(0x0000, 0x1000, 77, 0, fsmap::FMR_OF_ATTR_FORK),
        rec(0x1000, 0x1000, 78, 0, fsmap::FMR_OF_EXTENT_MAP),
        // 0x2000..0x3000: no record.
        rec(0x3000, 0x1000, 79, 0x5000, 0),
        rec(0x3000, 0x1000, 80, 0x9000, fsmap::FMR_OF_SHARED),
    ];
    let p = fsmap::map_records(0, 0x4000, &r);
    assert_eq!(
        p[0].owner,
        Owner::Xattr {
            inode: 77,
            path: None
        }
    );
    assert_eq!(
        p[1].owner,
        Owner::ExtentMap {
            inode: 78,
            path: None
        }
    );
    assert_eq!(
        (p[2].offset, p[2].len, &p[2].owner),
        (0x2000, 0x1000, &Owner::Unknown)
    );
    // Reflinked: both owners are reported.
    assert_eq!(file_of(&p[3]).2, 79);
    assert_eq!(file_of(&p[4]).2, 80);
    assert_eq!(p.len(), 5);
    // Adjacent records of one file, continuing offsets, merge.
    let r = [rec(0, 0x1000, 5, 0, 0), rec(0x1000, 0x1000, 5, 0x1000, 0)];
    assert_eq!(fsmap::map_records(0, 0x2000, &r).len(), 1);
    // Nothing outside the range.
    assert!(
        fsmap::map_records(0x10000, 0x1000, &[rec(0, 0x1000, 5, 0, 0)])
            .iter()
            .all(|p| p.owner == Owner::Unknown)
    );
}

#[test]
fn fiemap_extents() {
    let ext = [
        Extent {
            logical: 0,
            physical: 0x20_0000,
            length: 0x4000,
            flags: 0,
        },
        Extent {
            logical: 0x4000,
            physical: 0x30_0000,
            length: 0x4000,
            flags: fiemap::FIEMAP_EXTENT_UNWRITTEN,
        },
        // Delayed allocation has no place yet; skipped.
        Extent {
            logical: 0x8000,
            physical: 0,
            length: 0x1000,
            flags: fiemap::FIEMAP_EXTENT_DELALLOC | fiemap::FIEMAP_EXTENT_LAST,
        },
    ];
    let p = fiemap::map_extents(0x20_3000, 0x1000, 12, Some("/ext/a"), &ext);
    assert_eq!(
        file_of(&p[0]),
        (0x20_3000, 0x1000, 12, 0x3000, false, false)
    );
    if let Owner::File { path, .. } = &p[0].owner {
        assert_eq!(path.as_deref(), Some("/ext/a"));
    }
    // Straddling the end of the first extent.
    let p = fiemap::map_extents(0x20_3800, 0x1000, 12, None, &ext);
    assert_eq!(file_of(&p[0]), (0x20_3800, 0x800, 12, 0x3800, false, false));
    let p = fiemap::map_extents(0x30_1000, 0x10_0000, 12, None, &ext);
    assert_eq!(file_of(&p[0]), (0x30_1000, 0x3000, 12, 0x5000, true, false));
    assert!(fiemap::map_extents(0, 0x1000, 12, None, &ext).is_empty());

    // Clipping to several ranges and filling the rest.
    let clipped = fiemap::clip(
        &fiemap::map_extents(0x20_0000, 0x4000, 12, None, &ext),
        &[(0x20_1000, 0x1000), (0x20_3000, 0x2000)],
    );
    assert_eq!(clipped.len(), 2);
    assert_eq!(
        file_of(&clipped[1]),
        (0x20_3000, 0x1000, 12, 0x3000, false, false)
    );
    let filled = fiemap::fill_gaps(0x20_3000, 0x2000, clipped[1..].to_vec(), &Owner::NoFile);
    assert_eq!(
        filled[1],
        Piece {
            offset: 0x20_4000,
            len: 0x1000,
            owner: Owner::NoFile
        }
    );
}

fn walk_finds(pieces: Vec<Piece>) -> impl FnOnce(&[(u64, u64)]) -> WalkResult {
    move |ranges| WalkResult {
        pieces: fiemap::clip(&pieces, ranges),
        note: None,
    }
}

#[test]
fn combining_fsmap_and_files() {
    // ext4: GETFSMAP names the inode table and free space, file data is
    // "unknown" until the walk finds the file.
    let fsmap_says = vec![
        Piece {
            offset: 0,
            len: 0x1000,
            owner: Owner::Metadata {
                kind: "inodes".into(),
            },
        },
        Piece {
            offset: 0x1000,
            len: 0x2000,
            owner: Owner::Unknown,
        },
        Piece {
            offset: 0x3000,
            len: 0x1000,
            owner: Owner::Free,
        },
    ];
    let file = fiemap::map_extents(
        0,
        0x10000,
        12,
        Some("/ext/a"),
        &[Extent {
            logical: 0,
            physical: 0x1000,
            length: 0x1000,
            flags: 0,
        }],
    );
    let (status, note, p) = combine(0, 0x4000, Ok(fsmap_says.clone()), walk_finds(file));
    assert_eq!((status, note), (HitStatus::Ok, None));
    assert_eq!(p.len(), 4, "{p:?}");
    assert_eq!(file_of(&p[1]), (0x1000, 0x1000, 12, 0, false, false));
    // What the walk did not find stays unknown (a directory, say).
    assert_eq!(
        (p[2].offset, p[2].len, &p[2].owner),
        (0x2000, 0x1000, &Owner::Unknown)
    );

    // xfs with rmapbt: no walk at all.
    let (_, _, p) = combine(0, 0x1000, Ok(vec![fsmap_says[0].clone()]), |_| {
        panic!("walked")
    });
    assert_eq!(p.len(), 1);

    // A shut-down filesystem.
    let (status, note, p) = combine(0, 0x1000, Err(io::Error::from_raw_os_error(5)), |_| {
        panic!("walked")
    });
    assert_eq!(status, HitStatus::FsShutdown);
    assert!(note.unwrap().contains("shut down"));
    assert!(p.is_empty());

    // No GETFSMAP (ENOTTY): walk everything; the rest is no file's data.
    let file = fiemap::map_extents(
        0,
        0x10000,
        9,
        None,
        &[Extent {
            logical: 0x2000,
            physical: 0,
            length: 0x1000,
            flags: 0,
        }],
    );
    let (status, note, p) = combine(
        0,
        0x2000,
        Err(io::Error::from_raw_os_error(25)),
        walk_finds(file.clone()),
    );
    assert_eq!((status, note), (HitStatus::Ok, None));
    assert_eq!(file_of(&p[0]), (0, 0x1000, 9, 0x2000, false, false));
    assert_eq!(p[1].owner, Owner::NoFile);
    // Another GETFSMAP error: the same, with a note.
    let (_, note, _) = combine(
        0,
        0x2000,
        Err(io::Error::from_raw_os_error(22)),
        walk_finds(file),
    );
    assert!(note.unwrap().contains("GETFSMAP failed"));
}

#[test]
fn locating_the_filesystem() {
    let m = |dev, at: &str, root: &str| Mount {
        dev,
        root: root.into(),
        mount_point: at.into(),
        fstype: "xfs".into(),
        source: String::new(),
        options: String::new(),
        super_options: String::new(),
    };
    let disk = Candidate {
        name: "pmem0".into(),
        dev: DevNum::new(259, 0),
        start: 0,
        size: Some(1 << 30),
    };
    let p1 = Candidate {
        name: "pmem0p1".into(),
        dev: DevNum::new(259, 1),
        start: 4 << 20,
        size: Some(32 << 20),
    };
    let p2 = Candidate {
        name: "pmem0p2".into(),
        dev: DevNum::new(259, 2),
        start: 36 << 20,
        size: Some(32 << 20),
    };
    let c = [disk.clone(), p1, p2];
    // A bind mount of a subdirectory is listed first but the whole
    // filesystem's mount is preferred.
    let mounts = [
        m(DevNum::new(259, 2), "/bind", "/sub"),
        m(DevNum::new(259, 2), "/data", "/"),
        m(DevNum::new(259, 1), "/mnt", "/"),
    ];
    let l = locate((36 << 20) + 0x5000, 0x1000, &c, &mounts).unwrap();
    assert_eq!(
        (
            l.candidate.name.as_str(),
            l.mount.mount_point.as_str(),
            l.offset
        ),
        ("pmem0p2", "/data", 0x5000)
    );
    // Straddling two partitions: the larger overlap wins.
    let l = locate((36 << 20) - 0x1000, 0x3000, &c, &mounts).unwrap();
    assert_eq!(
        (l.candidate.name.as_str(), l.offset, l.len),
        ("pmem0p2", 0, 0x2000)
    );
    // The whole disk mounted.
    let whole = [m(DevNum::new(259, 0), "/pm", "/")];
    let l = locate(0x1b000, 0x1000, &c, &whole).unwrap();
    assert_eq!((l.candidate.name.as_str(), l.offset), ("pmem0", 0x1b000));
    assert!(locate(0x1b000, 0x1000, &[disk], &[]).is_none());
}
