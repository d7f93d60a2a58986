// SPDX-License-Identifier: GPL-2.0
//! Resolving a delivery (`mfroute_deliver`) to what it hit: the mounted
//! filesystem on the delivered device or one of its partitions, then the
//! files and metadata in the range.
//!
//! The steps are pure functions ([`locate`], [`combine`]) over data the
//! [`SystemResolver`] gathers from sysfs, mountinfo and the ioctls.

use crate::above::above;
use crate::dev::DevNum;
use crate::fiemap::{self, PathFinder, WalkResult};
use crate::fsmap;
use crate::hit::{coalesce, gaps, Hit, HitStatus, Owner, Piece};
use crate::mountinfo::{mounts_of, Mount};
use crate::recent::Recent;
use crate::stack::{self, IoctlTables, Namespace};
use crate::sysfs::{Place, Sys};
use crate::trace::{Deliver, DeliverKind, Fallback};
use crate::units::SECTOR;
use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::path::Path;
use std::time::Duration;

/// The message of a `fs_shutdown` hit.
const SHUTDOWN: &str = "the filesystem has shut down and cannot say what was hit (EIO)";

/// Something that can say what a delivery hit.
pub trait Resolve {
    /// What the range of `d` hit.
    fn resolve(&mut self, d: &Deliver) -> Hit;

    /// Where the media of failing device `name` is, if it is a pmem disk.
    fn place(&mut self, _name: &str) -> Option<Place> {
        None
    }

    /// What the range `f` left to the per-page path hit, wherever a
    /// filesystem is mounted: on the failing device or its partitions,
    /// and on the device-mapper devices above them.
    fn resolve_left(&mut self, _f: &Fallback) -> Vec<Hit> {
        Vec::new()
    }
}

/// A block device that may carry the filesystem: the delivered device
/// itself, or a partition of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Kernel name.
    pub name: String,
    /// Device number.
    pub dev: DevNum,
    /// First byte in the delivered device.
    pub start: u64,
    /// Bytes, if known.
    pub size: Option<u64>,
}

/// Where a delivered range lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Landing<'a> {
    /// The device the filesystem is on.
    pub candidate: &'a Candidate,
    /// The mount of that filesystem.
    pub mount: &'a Mount,
    /// First byte of the range in `candidate`.
    pub offset: u64,
    /// Bytes of the range inside `candidate`.
    pub len: u64,
}

/// Picks the mounted candidate that the delivered range
/// `[start, start + len)` overlaps most, and the range clipped to it in
/// its own offsets.
pub fn locate<'a>(
    start: u64,
    len: u64,
    candidates: &'a [Candidate],
    mounts: &'a [Mount],
) -> Option<Landing<'a>> {
    let end = start.saturating_add(len);
    candidates
        .iter()
        .filter_map(|c| {
            let mount = *mounts_of(mounts, c.dev).first()?;
            let c_end = c.size.map_or(u64::MAX, |s| c.start.saturating_add(s));
            let lo = start.max(c.start);
            let hi = end.min(c_end);
            (lo < hi).then(|| Landing {
                candidate: c,
                mount,
                offset: lo - c.start,
                len: hi - lo,
            })
        })
        .max_by_key(|l| (l.len, std::cmp::Reverse(l.candidate.start)))
}

/// Combines what GETFSMAP said about `[start, start + len)` with a walk of
/// the files, run only for what GETFSMAP could not attribute: the pieces
/// it calls unknown (ext4's file data, xfs without reverse mapping), or
/// the whole range when GETFSMAP is not available.  A filesystem that
/// answers `EIO` has shut down.
pub fn combine(
    start: u64,
    len: u64,
    fsmap: io::Result<Vec<Piece>>,
    walk: impl FnOnce(&[(u64, u64)]) -> WalkResult,
) -> (HitStatus, Option<String>, Vec<Piece>) {
    match fsmap {
        Ok(pieces) => {
            let unknown: Vec<(u64, u64)> = pieces
                .iter()
                .filter(|p| p.owner == Owner::Unknown)
                .map(|p| (p.offset, p.len))
                .collect();
            if unknown.is_empty() {
                return (HitStatus::Ok, None, pieces);
            }
            let found = walk(&unknown);
            let mut out: Vec<Piece> = pieces
                .into_iter()
                .filter(|p| p.owner != Owner::Unknown)
                .collect();
            let files: Vec<(u64, u64)> = found.pieces.iter().map(|p| (p.offset, p.len)).collect();
            for &(o, l) in &unknown {
                for (go, gl) in gaps(o, l, &files) {
                    out.push(Piece {
                        offset: go,
                        len: gl,
                        owner: Owner::Unknown,
                    });
                }
            }
            out.extend(found.pieces);
            (HitStatus::Ok, found.note, coalesce(out))
        }
        Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {
            (HitStatus::FsShutdown, Some(SHUTDOWN.into()), Vec::new())
        }
        Err(e) => {
            let found = walk(&[(start, len)]);
            let mut notes = Vec::new();
            let unsupported = matches!(
                e.raw_os_error(),
                Some(nix::libc::ENOTTY | nix::libc::EOPNOTSUPP)
            );
            if !unsupported {
                notes.push(format!(
                    "GETFSMAP failed ({e}); files found by walking the mount"
                ));
            }
            notes.extend(found.note);
            let pieces = fiemap::fill_gaps(start, len, found.pieces, &Owner::NoFile);
            (
                HitStatus::Ok,
                (!notes.is_empty()).then(|| notes.join("; ")),
                pieces,
            )
        }
    }
}

/// Resolves deliveries on the running system.
#[derive(Debug)]
pub struct SystemResolver {
    sys: Sys,
    paths: PathFinder,
    /// What a range of a device hit, by device number, name, offset and
    /// length in bytes.
    hits: Recent<(DevNum, String, u64, u64), Hit>,
    places: Recent<String, Option<Place>>,
    stacks: Recent<String, Vec<Namespace>>,
}

/// How long an answer is kept ([`Recent`]): long enough for the records
/// of one failure, and for a burst to ask each question once, however
/// slow the answer (it is kept from when it was found).
const KEEP_ANSWERS: Duration = Duration::from_secs(5);

/// At most this many distinct inodes get a path looked up per delivery.
const MAX_PATH_LOOKUPS: usize = 16;

impl SystemResolver {
    /// A resolver looking at `sys`.
    pub fn new(sys: Sys) -> Self {
        Self::keeping(sys, KEEP_ANSWERS)
    }

    /// A resolver looking at `sys` that keeps each answer for `ttl`.
    fn keeping(sys: Sys, ttl: Duration) -> Self {
        Self {
            sys,
            paths: PathFinder::default(),
            hits: Recent::new(ttl),
            places: Recent::new(ttl),
            stacks: Recent::new(ttl),
        }
    }

    /// The delivered device and its partitions.
    fn candidates(&self, d: &Deliver) -> Vec<Candidate> {
        // A device-dax instance carries no filesystem, and its number is
        // a character device's: no block device of that number is it.
        if Sys::devdax_number(&d.name).is_some() {
            return Vec::new();
        }
        let name = if self.sys.dev_of(&d.name) == Some(d.dev) {
            Some(d.name.clone())
        } else {
            self.sys.name_of(d.dev)
        };
        let Some(name) = name else {
            // Gone (removed): only a mount by number can still match.
            return vec![Candidate {
                name: d.name.clone(),
                dev: d.dev,
                start: 0,
                size: None,
            }];
        };
        let mut v = vec![Candidate {
            dev: d.dev,
            start: 0,
            size: self.sys.size(&name).map(|s| s.saturating_mul(SECTOR)),
            name: name.clone(),
        }];
        v.extend(self.sys.partitions(&name).into_iter().map(|p| Candidate {
            name: p.name,
            dev: p.dev,
            start: p.start.saturating_mul(SECTOR),
            size: Some(p.size.saturating_mul(SECTOR)),
        }));
        v
    }

    fn fill_paths(&mut self, mount: &Path, pieces: &mut [Piece]) {
        let mut looked = HashSet::new();
        for p in pieces.iter_mut() {
            let (Owner::File { inode, path, .. }
            | Owner::Xattr { inode, path }
            | Owner::ExtentMap { inode, path }) = &mut p.owner
            else {
                continue;
            };
            if path.is_some() {
                continue;
            }
            if looked.len() >= MAX_PATH_LOOKUPS && !looked.contains(inode) {
                continue;
            }
            looked.insert(*inode);
            *path = self.paths.path_of(mount, *inode);
        }
    }

    /// The pmem namespaces of failing device `name` and what sits above
    /// them (none when the stack cannot be read), for
    /// [`SystemResolver::resolve_range_in`].
    pub fn stack_of(&mut self, name: &str) -> Vec<Namespace> {
        let key = name.to_string();
        let sys = &self.sys;
        self.stacks.get_or_find(key.clone(), || {
            stack::build(sys, &[key], &mut IoctlTables::new(sys))
                .map(|st| st.namespaces)
                .unwrap_or_default()
        })
    }

    /// What bytes `[offset, offset + len)` of failing device `name`
    /// (number `dev`) hit wherever a filesystem is mounted: on the device
    /// or its partitions, and on the device-mapper devices above them.
    pub fn resolve_range(&mut self, name: &str, dev: DevNum, offset: u64, len: u64) -> Vec<Hit> {
        let stack = self.stack_of(name);
        self.resolve_range_in(&stack, name, dev, offset, len)
    }

    /// As [`SystemResolver::resolve_range`], through `stack` (from
    /// [`SystemResolver::stack_of`]): many ranges of one device read the
    /// stack once.
    pub fn resolve_range_in(
        &mut self,
        stack: &[Namespace],
        name: &str,
        dev: DevNum,
        offset: u64,
        len: u64,
    ) -> Vec<Hit> {
        // Resolved as a delivery of the range to each device would be.
        let on = |name: String, dev: DevNum, offset: u64, len: u64| Deliver {
            seq: 0,
            kind: DeliverKind::Filesystem,
            dev,
            name,
            sector: offset / SECTOR,
            nr_sectors: (offset % SECTOR + len).div_ceil(SECTOR),
            flags: 0,
            result: 0,
        };
        let mut hits = vec![self.resolve(&on(name.to_string(), dev, offset, len))];
        for ns in stack {
            for a in above(ns, offset, len) {
                hits.push(self.resolve(&on(a.name, a.dev, a.offset, a.len)));
            }
        }
        hits.retain(|h| h.status != HitStatus::NotMounted);
        hits
    }
}

impl Resolve for SystemResolver {
    fn place(&mut self, name: &str) -> Option<Place> {
        let sys = &self.sys;
        self.places
            .get_or_find(name.to_string(), || sys.place_of(name))
    }

    fn resolve_left(&mut self, f: &Fallback) -> Vec<Hit> {
        self.resolve_range(&f.name, f.dev, f.offset, f.len)
    }

    fn resolve(&mut self, d: &Deliver) -> Hit {
        let start = d.sector.saturating_mul(SECTOR);
        let len = d.nr_sectors.saturating_mul(SECTOR);
        let key = (d.dev, d.name.clone(), start, len);
        if let Some(hit) = self.hits.get(&key) {
            return hit;
        }
        let hit = self.find(d, start, len);
        self.hits.insert(key, hit.clone());
        hit
    }
}

impl SystemResolver {
    /// What bytes `[start, start + len)` of the device of `d` hit, looked
    /// up now.
    fn find(&mut self, d: &Deliver, start: u64, len: u64) -> Hit {
        let mounts = match self.sys.mounts() {
            Ok(m) => m,
            Err(e) => {
                return Hit::failed(
                    HitStatus::Error,
                    format!("cannot read /proc/self/mountinfo: {e}"),
                    start,
                    len,
                )
            }
        };
        let candidates = self.candidates(d);
        let Some(land) = locate(start, len, &candidates, &mounts) else {
            let what = if candidates.len() > 1 {
                format!("{} or its partitions", d.name)
            } else {
                d.name.clone()
            };
            let mut hit = Hit::failed(
                HitStatus::NotMounted,
                format!("no filesystem is mounted on {what} there"),
                start,
                len,
            );
            hit.device = Some(d.name.clone());
            hit.dev = Some(d.dev);
            return hit;
        };
        let mount_point = self.sys.path(&land.mount.mount_point);
        let (offset, len) = (land.offset, land.len);
        let mut hit = Hit {
            status: HitStatus::Ok,
            message: None,
            device: Some(land.candidate.name.clone()),
            dev: Some(land.candidate.dev),
            mount: Some(land.mount.mount_point.clone()),
            fstype: Some(land.mount.fstype.clone()),
            offset,
            len,
            owners: Vec::new(),
        };
        let dir = match File::open(&mount_point) {
            Ok(d) => d,
            // A shut-down xfs refuses even to open its root.
            Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {
                hit.status = HitStatus::FsShutdown;
                hit.message = Some(SHUTDOWN.into());
                return hit;
            }
            Err(e) => {
                hit.status = HitStatus::Error;
                hit.message = Some(format!("cannot open {}: {e}", mount_point.display()));
                return hit;
            }
        };
        let fsmap = fsmap::query(&dir, land.candidate.dev, offset, len)
            .map(|recs| fsmap::map_records(offset, len, &recs));
        let (status, message, mut owners) = combine(offset, len, fsmap, |ranges| {
            fiemap::files_in_ranges(&mount_point, ranges)
        });
        self.fill_paths(&mount_point, &mut owners);
        hit.status = status;
        hit.message = message;
        hit.owners = owners;
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn mount(dev: DevNum, at: &str) -> Mount {
        Mount {
            dev,
            root: "/".into(),
            mount_point: at.into(),
            fstype: "xfs".into(),
            source: String::new(),
            options: String::new(),
            super_options: String::new(),
        }
    }

    #[test]
    fn partition_is_chosen() {
        let c = vec![
            Candidate {
                name: "pmem0".into(),
                dev: DevNum::new(259, 0),
                start: 0,
                size: Some(1 << 30),
            },
            Candidate {
                name: "pmem0p1".into(),
                dev: DevNum::new(259, 1),
                start: 1 << 20,
                size: Some(32 << 20),
            },
        ];
        let m = vec![mount(DevNum::new(259, 1), "/mnt")];
        let l = locate((1 << 20) + 0x3000, 0x1000, &c, &m).unwrap();
        assert_eq!(
            (l.candidate.name.as_str(), l.offset, l.len),
            ("pmem0p1", 0x3000, 0x1000)
        );
        // Outside the partition: nothing mounted there.
        assert!(locate(0, 0x1000, &c, &m).is_none());
        // Straddling the partition's end: clipped.
        let l = locate((33 << 20) - 0x1000, 0x3000, &c, &m).unwrap();
        assert_eq!((l.offset, l.len), ((32 << 20) - 0x1000, 0x1000));
        // Touching the partition at either end, or empty: no overlap.
        assert!(locate(33 << 20, 0x1000, &c, &m).is_none());
        assert!(locate((1 << 20) - 0x1000, 0x1000, &c, &m).is_none());
        assert!(locate((1 << 20) + 0x3000, 0, &c, &m).is_none());
        // One byte inside at either end.
        let l = locate((33 << 20) - 1, 0x1000, &c, &m).unwrap();
        assert_eq!((l.offset, l.len), ((32 << 20) - 1, 1));
        let l = locate((1 << 20) - 0x1000, 0x1001, &c, &m).unwrap();
        assert_eq!((l.offset, l.len), (0, 1));
    }

    /// A delivery of page 3 of pmem0 (259:0).
    fn page_3() -> Deliver {
        Deliver {
            seq: 1,
            kind: DeliverKind::Filesystem,
            dev: DevNum::new(259, 0),
            name: "pmem0".into(),
            sector: 24,
            nr_sectors: 8,
            flags: 0,
            result: 0,
        }
    }

    #[test]
    fn answers_are_kept_for_a_while() {
        let root = std::env::temp_dir().join(format!("mfroute-recent-{}", std::process::id()));
        let proc = root.join("proc/self");
        fs::create_dir_all(&proc).unwrap();
        let _ = fs::remove_file(proc.join("mountinfo"));
        let mut kept = SystemResolver::keeping(Sys::new(&root), Duration::from_secs(3600));
        let mut fresh = SystemResolver::keeping(Sys::new(&root), Duration::ZERO);
        // No mountinfo: an error, each.
        assert_eq!(kept.resolve(&page_3()).status, HitStatus::Error);
        assert_eq!(fresh.resolve(&page_3()).status, HitStatus::Error);
        // Now it can be read, and names no mount: the resolver that keeps
        // answers gives the one it found, the other looks again.
        fs::write(proc.join("mountinfo"), "").unwrap();
        assert_eq!(kept.resolve(&page_3()).status, HitStatus::Error);
        assert_eq!(fresh.resolve(&page_3()).status, HitStatus::NotMounted);
        // Another range is another question.
        let mut other = page_3();
        other.sector += 8;
        assert_eq!(kept.resolve(&other).status, HitStatus::NotMounted);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn devdax_is_no_block_device() {
        // Block device vda is 252:0, as device-dax instance dax252:0's
        // character device is.
        let root = std::env::temp_dir().join(format!("mfroute-devdax-{}", std::process::id()));
        let vda = root.join("sys/devices/virtual/block/vda");
        fs::create_dir_all(&vda).unwrap();
        fs::write(vda.join("dev"), "252:0\n").unwrap();
        for (dir, to) in [
            ("sys/dev/block", "../../devices/virtual/block/vda"),
            ("sys/class/block", "../../devices/virtual/block/vda"),
        ] {
            fs::create_dir_all(root.join(dir)).unwrap();
            let link = root.join(dir).join(if dir.ends_with("dev/block") {
                "252:0"
            } else {
                "vda"
            });
            let _ = fs::remove_file(&link);
            std::os::unix::fs::symlink(to, link).unwrap();
        }
        let r = SystemResolver::new(Sys::new(&root));
        let mut d = page_3();
        d.dev = DevNum::new(252, 0);
        d.name = "vda".into();
        assert_eq!(r.candidates(&d).len(), 1);
        d.name = "dax252:0".into();
        assert_eq!(r.candidates(&d), Vec::new());
        fs::remove_dir_all(&root).unwrap();
    }
}
