// SPDX-License-Identifier: GPL-2.0
//! What a delivered range hit: the files and metadata under it.

use crate::dev::DevNum;
use crate::units;
use serde::{Deserialize, Serialize};

/// Who owns a piece of a filesystem's device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Owner {
    /// Data of a file.
    File {
        /// Inode number.
        inode: u64,
        /// A path of the file under the mount, if one was found.
        path: Option<String>,
        /// Offset in the file of the piece's first byte.
        #[serde(rename = "file_offset_bytes")]
        file_offset: u64,
        /// Preallocated, never written (no data lost).
        unwritten: bool,
        /// Shared with other files (reflink).
        shared: bool,
    },
    /// Extended attributes of a file.
    Xattr {
        /// Inode number.
        inode: u64,
        /// A path of the file, if found.
        path: Option<String>,
    },
    /// Block-map (extent tree) blocks of a file.
    ExtentMap {
        /// Inode number.
        inode: u64,
        /// A path of the file, if found.
        path: Option<String>,
    },
    /// Filesystem metadata of a known kind.
    Metadata {
        /// `fs_headers`, `log`, `ag_btrees`, `inode_btree`, `inodes`,
        /// `refcount_btree`, `cow_staging`, `defective` (xfs),
        /// `group_descriptors`, `reserved_gdt`, `block_bitmap`,
        /// `inode_bitmap` (ext4), `metadata` or `special_0x...`.
        kind: String,
    },
    /// Free space.
    Free,
    /// In use, owner unknown: xfs without reverse mapping, or ext4 space
    /// that is neither metadata it names nor a regular file's data
    /// (directories, extent tree blocks).
    Unknown,
    /// No regular file's data: free space, metadata, a directory or
    /// another special file (ext4, where FIEMAP only tells about files).
    NoFile,
}

impl Owner {
    fn same_file(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::File { inode: a, .. }, Self::File { inode: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// A piece of the hit range and its owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// First byte in the filesystem's device.
    #[serde(rename = "offset_bytes")]
    pub offset: u64,
    /// Bytes.
    #[serde(rename = "len_bytes")]
    pub len: u64,
    /// Who owns it.
    #[serde(flatten)]
    pub owner: Owner,
}

/// Sorts pieces and merges neighbours with the same owner (a file's pieces
/// only when their file offsets continue too).
pub fn coalesce(mut pieces: Vec<Piece>) -> Vec<Piece> {
    pieces.sort_by_key(|p| p.offset);
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        if let Some(last) = out.last_mut() {
            let touches = last.offset.checked_add(last.len) == Some(p.offset);
            let same = match (&last.owner, &p.owner) {
                (
                    Owner::File {
                        file_offset: a,
                        unwritten: ua,
                        ..
                    },
                    Owner::File {
                        file_offset: b,
                        unwritten: ub,
                        ..
                    },
                ) => {
                    last.owner.same_file(&p.owner)
                        && a.checked_add(last.len) == Some(*b)
                        && ua == ub
                }
                (a, b) => a == b,
            };
            if touches && same {
                last.len += p.len;
                continue;
            }
        }
        out.push(p);
    }
    out
}

/// The parts of `[start, start + len)` not covered by `covered` (sorted or
/// not, possibly overlapping), as `(offset, len)`.
pub fn gaps(start: u64, len: u64, covered: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let end = start.saturating_add(len);
    let mut c: Vec<(u64, u64)> = covered.to_vec();
    c.sort_unstable();
    let mut out = Vec::new();
    let mut pos = start;
    for (o, l) in c {
        let e = o.saturating_add(l);
        if e <= pos {
            continue;
        }
        if o >= end {
            break;
        }
        if o > pos {
            out.push((pos, o - pos));
        }
        pos = pos.max(e);
    }
    if pos < end {
        out.push((pos, end - pos));
    }
    out
}

/// How resolving a delivery went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitStatus {
    /// The owners were found.
    Ok,
    /// No filesystem is mounted on the device or its partitions there.
    NotMounted,
    /// The filesystem has shut down; it can no longer say what was hit.
    FsShutdown,
    /// The lookup failed; `message` says why.
    Error,
}

/// What one delivery hit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Outcome.
    pub status: HitStatus,
    /// Why, when the status is not `ok`.
    pub message: Option<String>,
    /// The block device the filesystem is on (the delivered device or a
    /// partition of it).
    #[serde(rename = "blockdev")]
    pub device: Option<String>,
    /// Its number.
    #[serde(rename = "maj_min")]
    pub dev: Option<DevNum>,
    /// Mount point.
    pub mount: Option<String>,
    /// Filesystem type.
    pub fstype: Option<String>,
    /// First byte of the hit range in `device`.
    #[serde(rename = "offset_bytes")]
    pub offset: u64,
    /// Bytes.
    #[serde(rename = "len_bytes")]
    pub len: u64,
    /// What is there, by device offset.
    pub owners: Vec<Piece>,
}

impl Hit {
    /// A hit with no owners and the given status and message.
    pub fn failed(status: HitStatus, message: impl Into<String>, offset: u64, len: u64) -> Self {
        Self {
            status,
            message: Some(message.into()),
            device: None,
            dev: None,
            mount: None,
            fstype: None,
            offset,
            len,
            owners: Vec::new(),
        }
    }
}

/// Describes a metadata kind in words.
pub fn metadata_words(kind: &str) -> String {
    match kind {
        "fs_headers" => "filesystem headers (superblocks)".into(),
        "log" => "the filesystem journal (log)".into(),
        "ag_btrees" => "allocation-group btrees (free space)".into(),
        "inode_btree" => "the inode btree".into(),
        "inodes" => "inodes (file metadata)".into(),
        "refcount_btree" => "the reflink refcount btree".into(),
        "cow_staging" => "copy-on-write staging blocks".into(),
        "defective" => "blocks already marked bad".into(),
        "group_descriptors" => "block group descriptors".into(),
        "reserved_gdt" => "reserved group descriptor blocks".into(),
        "block_bitmap" => "a block bitmap".into(),
        "inode_bitmap" => "an inode bitmap".into(),
        "metadata" => "filesystem metadata".into(),
        other => format!("filesystem metadata ({other})"),
    }
}

fn file_words(inode: u64, path: &Option<String>) -> String {
    match path {
        Some(p) => format!("{p} (inode {inode})"),
        None => format!("inode {inode}"),
    }
}

/// One owner piece in words: `/mnt/data bytes 0x3000..0x3fff (inode 131)`.
pub fn piece_words(p: &Piece) -> String {
    match &p.owner {
        Owner::File {
            inode,
            path,
            file_offset,
            unwritten,
            shared,
        } => {
            let bytes = units::byte_range(*file_offset, p.len);
            let mut notes = Vec::new();
            let what = match path {
                Some(path) => {
                    notes.push(format!("inode {inode}"));
                    format!("{path} bytes {bytes}")
                }
                None => format!("inode {inode} bytes {bytes}"),
            };
            if *unwritten {
                notes.push("preallocated, never written: no data lost".into());
            }
            if *shared {
                notes.push("shared with other files".into());
            }
            if notes.is_empty() {
                what
            } else {
                format!("{what} ({})", notes.join(", "))
            }
        }
        Owner::Xattr { inode, path } => {
            format!("extended attributes of {}", file_words(*inode, path))
        }
        Owner::ExtentMap { inode, path } => {
            format!("the block map of {}", file_words(*inode, path))
        }
        Owner::Metadata { kind } => format!("{} of {}", units::size(p.len), metadata_words(kind)),
        Owner::Free => format!("{} of free space (no data lost)", units::size(p.len)),
        Owner::Unknown => format!("{} in use, owner unknown", units::size(p.len)),
        Owner::NoFile => format!(
            "{} outside any file's data (free space or metadata)",
            units::size(p.len)
        ),
    }
}

/// The owners in words, at most `max` of them, then how many more:
/// `A`, `A and B`, `A, B and C`.
pub fn owners_words(pieces: &[Piece], max: usize) -> String {
    let mut parts: Vec<String> = pieces.iter().take(max).map(piece_words).collect();
    if pieces.len() > max {
        parts.push(format!("{} more", pieces.len() - max));
    }
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(offset: u64, len: u64, inode: u64, file_offset: u64) -> Piece {
        Piece {
            offset,
            len,
            owner: Owner::File {
                inode,
                path: None,
                file_offset,
                unwritten: false,
                shared: false,
            },
        }
    }

    #[test]
    fn merging() {
        let v = coalesce(vec![
            file(0x2000, 0x1000, 5, 0x1000),
            file(0x1000, 0x1000, 5, 0),
            file(0x3000, 0x1000, 5, 0x9000),
            Piece {
                offset: 0x4000,
                len: 0x1000,
                owner: Owner::Free,
            },
            Piece {
                offset: 0x5000,
                len: 0x1000,
                owner: Owner::Free,
            },
        ]);
        assert_eq!(v.len(), 3);
        assert_eq!((v[0].offset, v[0].len), (0x1000, 0x2000));
        assert_eq!((v[2].offset, v[2].len), (0x4000, 0x2000));
    }

    #[test]
    fn different_files_stay_apart() {
        // Adjacent on the device and continuing in file offsets, but two
        // inodes: two pieces.
        let v = coalesce(vec![
            file(0x1000, 0x1000, 5, 0),
            file(0x2000, 0x1000, 6, 0x1000),
        ]);
        assert_eq!(v.len(), 2);
        assert_eq!(v[1], file(0x2000, 0x1000, 6, 0x1000));
        // A file and something else never merge either.
        let v = coalesce(vec![
            file(0x1000, 0x1000, 5, 0),
            Piece {
                offset: 0x2000,
                len: 0x1000,
                owner: Owner::Xattr {
                    inode: 5,
                    path: None,
                },
            },
        ]);
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn holes() {
        assert_eq!(gaps(0, 100, &[]), [(0, 100)]);
        assert_eq!(gaps(0, 100, &[(0, 100)]), []);
        assert_eq!(
            gaps(10, 100, &[(0, 20), (50, 10), (55, 10)]),
            [(20, 30), (65, 45)]
        );
        assert_eq!(gaps(10, 10, &[(30, 5)]), [(10, 10)]);
    }

    #[test]
    fn words() {
        let mut p = file(0, 0x1000, 131, 0x3000);
        if let Owner::File { path, .. } = &mut p.owner {
            *path = Some("/mnt/data".into());
        }
        assert_eq!(
            piece_words(&p),
            "/mnt/data bytes 0x3000..0x3fff (inode 131)"
        );
        let q = Piece {
            offset: 0,
            len: 4096,
            owner: Owner::Metadata { kind: "log".into() },
        };
        assert_eq!(piece_words(&q), "4 KiB of the filesystem journal (log)");
        assert_eq!(
            owners_words(&[p.clone(), q.clone(), q.clone()], 2),
            "/mnt/data bytes 0x3000..0x3fff (inode 131), 4 KiB of the filesystem journal (log) and 1 more"
        );
        assert_eq!(
            owners_words(std::slice::from_ref(&q), 2),
            "4 KiB of the filesystem journal (log)"
        );
        assert_eq!(owners_words(&[], 2), "");
    }
}
