// SPDX-License-Identifier: GPL-2.0
//! Which files own a byte range, by walking a mount and asking each
//! regular file for its extents with `FS_IOC_FIEMAP` (`linux/fiemap.h`);
//! used for ext4, which has no reverse mapping, and for xfs without one.
//! Also finds a path for an inode number.
//!
//! [`extents`] is the thin ioctl layer; [`map_extents`] is pure.

use crate::hit::{coalesce, gaps, Owner, Piece};
use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use walkdir::{DirEntryExt, WalkDir};

/// `FIEMAP_EXTENT_LAST`.
pub const FIEMAP_EXTENT_LAST: u32 = 0x1;
/// `FIEMAP_EXTENT_UNKNOWN`: no location.
pub const FIEMAP_EXTENT_UNKNOWN: u32 = 0x2;
/// `FIEMAP_EXTENT_DELALLOC`: location not decided yet.
pub const FIEMAP_EXTENT_DELALLOC: u32 = 0x4;
/// `FIEMAP_EXTENT_UNWRITTEN`: allocated, never written.
pub const FIEMAP_EXTENT_UNWRITTEN: u32 = 0x800;
/// `FIEMAP_EXTENT_SHARED`: shared with other files.
pub const FIEMAP_EXTENT_SHARED: u32 = 0x2000;

/// One extent of a file, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// Offset in the file.
    pub logical: u64,
    /// Offset in the filesystem's device.
    pub physical: u64,
    /// Bytes.
    pub length: u64,
    /// `FIEMAP_EXTENT_*` flags.
    pub flags: u32,
}

/// Where a file's extents overlap `[start, start + len)` of the device:
/// one piece per overlap, clipped, with the file offset of its first byte.
/// Extents without a location (delayed allocation) are skipped.
pub fn map_extents(
    start: u64,
    len: u64,
    inode: u64,
    path: Option<&str>,
    extents: &[Extent],
) -> Vec<Piece> {
    let end = start.saturating_add(len);
    extents
        .iter()
        .filter(|e| e.flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC) == 0)
        .filter_map(|e| {
            let lo = start.max(e.physical);
            let hi = end.min(e.physical.saturating_add(e.length));
            (lo < hi).then(|| Piece {
                offset: lo,
                len: hi - lo,
                owner: Owner::File {
                    inode,
                    path: path.map(str::to_string),
                    file_offset: e.logical.saturating_add(lo - e.physical),
                    unwritten: e.flags & FIEMAP_EXTENT_UNWRITTEN != 0,
                    shared: e.flags & FIEMAP_EXTENT_SHARED != 0,
                },
            })
        })
        .collect()
}

/// The parts of `pieces` inside `ranges` (`(offset, len)` pairs), a piece
/// split where ranges end; a file piece's offset moves with its start.
pub fn clip(pieces: &[Piece], ranges: &[(u64, u64)]) -> Vec<Piece> {
    let mut out = Vec::new();
    for p in pieces {
        for &(o, l) in ranges {
            let lo = p.offset.max(o);
            let hi = p.offset.saturating_add(p.len).min(o.saturating_add(l));
            if lo >= hi {
                continue;
            }
            let mut owner = p.owner.clone();
            if let Owner::File { file_offset, .. } = &mut owner {
                *file_offset = file_offset.saturating_add(lo - p.offset);
            }
            out.push(Piece {
                offset: lo,
                len: hi - lo,
                owner,
            });
        }
    }
    out
}

/// Adds pieces owned by `owner` for the bytes of `[start, start + len)`
/// that no piece covers, and sorts and merges.
pub fn fill_gaps(start: u64, len: u64, mut pieces: Vec<Piece>, owner: &Owner) -> Vec<Piece> {
    let covered: Vec<(u64, u64)> = pieces.iter().map(|p| (p.offset, p.len)).collect();
    for (offset, len) in gaps(start, len, &covered) {
        pieces.push(Piece {
            offset,
            len,
            owner: owner.clone(),
        });
    }
    coalesce(pieces)
}

/// `struct fiemap` without its flexible array.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct Fiemap {
    fm_start: u64,
    fm_length: u64,
    fm_flags: u32,
    fm_mapped_extents: u32,
    fm_extent_count: u32,
    fm_reserved: u32,
}

/// `struct fiemap_extent`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct FiemapExtent {
    fe_logical: u64,
    fe_physical: u64,
    fe_length: u64,
    fe_reserved64: [u64; 2],
    fe_flags: u32,
    fe_reserved: [u32; 3],
}

const BATCH: usize = 64;

#[repr(C)]
struct FiemapBuffer {
    head: Fiemap,
    extents: [FiemapExtent; BATCH],
}

nix::ioctl_readwrite!(
    /// `FS_IOC_FIEMAP`: `_IOWR('f', 11, struct fiemap)`.
    fs_ioc_fiemap, b'f', 11, Fiemap
);

/// Most extents read from one file: beyond this the file is very
/// fragmented and the rest is not looked at.
const MAX_EXTENTS: usize = 1 << 16;

/// The extents of an open file.
pub fn extents(file: &File) -> io::Result<Vec<Extent>> {
    let mut buf = Box::new(FiemapBuffer {
        head: Fiemap::default(),
        extents: [FiemapExtent::default(); BATCH],
    });
    let mut out = Vec::new();
    let mut pos = 0u64;
    while out.len() < MAX_EXTENTS {
        buf.head = Fiemap {
            fm_start: pos,
            fm_length: u64::MAX - pos,
            fm_extent_count: BATCH as u32,
            ..Fiemap::default()
        };
        // SAFETY: `buf` is a live, exclusively borrowed FiemapBuffer: the
        // header is followed by fm_extent_count extents, all the kernel
        // writes.
        unsafe {
            fs_ioc_fiemap(
                file.as_raw_fd(),
                std::ptr::from_mut(&mut *buf).cast::<Fiemap>(),
            )
        }
        .map_err(io::Error::from)?;
        let n = (buf.head.fm_mapped_extents as usize).min(BATCH);
        if n == 0 {
            break;
        }
        out.extend(buf.extents[..n].iter().map(|e| Extent {
            logical: e.fe_logical,
            physical: e.fe_physical,
            length: e.fe_length,
            flags: e.fe_flags,
        }));
        let last = buf.extents[n - 1];
        let next = last.fe_logical.saturating_add(last.fe_length);
        if last.fe_flags & FIEMAP_EXTENT_LAST != 0 || n < BATCH || next <= pos {
            break;
        }
        pos = next;
    }
    Ok(out)
}

/// Most files a walk looks at.
pub const MAX_FILES: usize = 200_000;

/// What a walk of a mount found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkResult {
    /// The file pieces inside the ranges asked about.
    pub pieces: Vec<Piece>,
    /// Set when the walk stopped early or skipped files.
    pub note: Option<String>,
}

/// Walks the filesystem mounted at `mount` (not crossing into other
/// mounts) and reports which regular files have data in `ranges`
/// (`(offset, len)` in its device).
pub fn files_in_ranges(mount: &Path, ranges: &[(u64, u64)]) -> WalkResult {
    let (Some(lo), Some(hi)) = (
        ranges.iter().map(|r| r.0).min(),
        ranges.iter().map(|r| r.0.saturating_add(r.1)).max(),
    ) else {
        return WalkResult::default();
    };
    let mut pieces = Vec::new();
    let mut files = 0usize;
    let mut unreadable = 0usize;
    let mut truncated = false;
    for entry in WalkDir::new(mount).same_file_system(true) {
        let Ok(entry) = entry else {
            unreadable += 1;
            continue;
        };
        if !entry.file_type().is_file() {
            continue;
        }
        files += 1;
        if files > MAX_FILES {
            truncated = true;
            break;
        }
        match File::open(entry.path()).and_then(|f| extents(&f)) {
            Ok(ext) => {
                let path = entry.path().to_string_lossy();
                let found = map_extents(lo, hi - lo, entry.ino(), Some(&path), &ext);
                pieces.extend(clip(&found, ranges));
            }
            Err(_) => unreadable += 1,
        }
    }
    let mut notes = Vec::new();
    if truncated {
        notes.push(format!("looked at the first {MAX_FILES} files only"));
    }
    if unreadable > 0 {
        notes.push(format!(
            "{unreadable} files or directories could not be read"
        ));
    }
    WalkResult {
        pieces,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Finds paths for inode numbers by walking mounts, remembering what it
/// found.
#[derive(Debug, Default)]
pub struct PathFinder {
    found: HashMap<(PathBuf, u64), String>,
}

impl PathFinder {
    /// A path of inode `ino` of the filesystem mounted at `mount`, if a
    /// walk of at most [`MAX_FILES`] entries finds one.
    pub fn path_of(&mut self, mount: &Path, ino: u64) -> Option<String> {
        let key = (mount.to_path_buf(), ino);
        if let Some(p) = self.found.get(&key) {
            // The file may have been renamed or removed since.
            if std::fs::symlink_metadata(p)
                .is_ok_and(|m| std::os::unix::fs::MetadataExt::ino(&m) == ino)
            {
                return Some(p.clone());
            }
            self.found.remove(&key);
        }
        let hit = WalkDir::new(mount)
            .same_file_system(true)
            .into_iter()
            .take(MAX_FILES)
            .filter_map(Result::ok)
            .find(|e| e.ino() == ino)?;
        let p = hit.path().to_string_lossy().into_owned();
        self.found.insert(key, p.clone());
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn layout() {
        assert_eq!(size_of::<Fiemap>(), 32);
        assert_eq!(size_of::<FiemapExtent>(), 56);
        // _IOWR('f', 11, struct fiemap) as in linux/fs.h.
        assert_eq!(
            nix::request_code_readwrite!(b'f', 11, size_of::<Fiemap>()) as u64,
            0xc020_660b
        );
        // Enough batches for a very fragmented file, not unbounded.
        assert_eq!(MAX_EXTENTS, 65536);
    }

    #[test]
    fn touching_extents_are_not_hits() {
        let ext = [Extent {
            logical: 0x1000,
            physical: 0x20_0000,
            length: 0x4000,
            flags: 0,
        }];
        // Ranges ending where the extent starts, starting where it ends,
        // and empty ones.
        assert!(map_extents(0x1f_f000, 0x1000, 7, None, &ext).is_empty());
        assert!(map_extents(0x20_4000, 0x1000, 7, None, &ext).is_empty());
        assert!(map_extents(0x20_1000, 0, 7, None, &ext).is_empty());
        // One byte in at either end.
        let p = map_extents(0x1f_f000, 0x1001, 7, None, &ext);
        assert_eq!((p.len(), p[0].offset, p[0].len), (1, 0x20_0000, 1));
        let p = map_extents(0x20_3fff, 0x1000, 7, None, &ext);
        assert_eq!((p.len(), p[0].offset, p[0].len), (1, 0x20_3fff, 1));
        // Unknown and delayed extents have no place on the device.
        for flags in [
            FIEMAP_EXTENT_UNKNOWN,
            FIEMAP_EXTENT_DELALLOC,
            FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC,
        ] {
            let e = [Extent { flags, ..ext[0] }];
            assert!(map_extents(0x20_0000, 0x1000, 7, None, &e).is_empty());
        }
    }

    /// A scratch directory, removed when dropped.
    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn ino(p: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::symlink_metadata(p).unwrap())
    }

    #[test]
    fn paths_of_inodes() {
        let d = Dir(std::env::temp_dir().join(format!("mfroute-pathof-{}", std::process::id())));
        let _ = std::fs::remove_dir_all(&d.0);
        std::fs::create_dir_all(d.0.join("sub")).unwrap();
        let a = d.0.join("sub/a");
        let b = d.0.join("b");
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let (ia, ib) = (ino(&a), ino(&b));
        let mut pf = PathFinder::default();
        let s = |p: &Path| p.to_string_lossy().into_owned();
        assert_eq!(pf.path_of(&d.0, ia), Some(s(&a)));
        assert_eq!(pf.path_of(&d.0, ib), Some(s(&b)));
        // The mount point itself is found too.
        assert_eq!(pf.path_of(&d.0, ino(&d.0)), Some(s(&d.0)));
        // Remembered: found again while it is there.
        assert_eq!(pf.path_of(&d.0, ia), Some(s(&a)));
        // Renamed, and another file now at the old path: the remembered
        // path is not that inode's any more, the walk finds the new one.
        let moved = d.0.join("moved");
        std::fs::rename(&a, &moved).unwrap();
        std::fs::write(&a, "new").unwrap();
        assert_ne!(ino(&a), ia);
        assert_eq!(pf.path_of(&d.0, ia), Some(s(&moved)));
        // Removed: no path.
        std::fs::remove_file(&moved).unwrap();
        assert_eq!(pf.path_of(&d.0, ia), None);
        let unused = (1..).find(|i| ![ino(&a), ib, ino(&d.0), ino(&d.0.join("sub"))].contains(i));
        assert_eq!(pf.path_of(&d.0, unused.unwrap()), None);
    }
}
