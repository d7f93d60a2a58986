// SPDX-License-Identifier: GPL-2.0
//! What sysfs and procfs say about block devices.
//!
//! Every path is taken relative to a root directory, `/` on a real system,
//! so tests can run against a made-up tree.

use crate::dev::DevNum;
use crate::mountinfo::{self, Mount};
use crate::units::parse_u64;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The device-dax instances, one link each.
const DAX_BUS: &str = "/sys/bus/dax/devices";

/// A view of `/sys`, `/proc` and `/dev` under a root directory.
#[derive(Clone, Debug)]
pub struct Sys {
    root: PathBuf,
}

impl Default for Sys {
    fn default() -> Self {
        Self::new("/")
    }
}

/// Where a pmem disk's media is: what `ndctl list` names, so that a failure
/// says which part to look at or replace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    /// The namespace (`namespace0.0`).
    pub namespace: String,
    /// Its region (`region0`).
    pub region: String,
    /// The DIMMs the region interleaves, in mapping order.
    pub dimms: Vec<Dimm>,
}

/// A DIMM of a region.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dimm {
    /// Its nvdimm name (`nmem0`).
    pub dev: String,
    /// Its NFIT identifier (vendor, location, serial), when the platform
    /// has one.
    pub id: Option<String>,
}

/// A partition of a disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Kernel name (`pmem0p1`).
    pub name: String,
    /// Device number.
    pub dev: DevNum,
    /// First sector in the disk.
    pub start: u64,
    /// Size in sectors.
    pub size: u64,
}

impl Sys {
    /// A view rooted at `root` (`/` for the running system).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `rel` (an absolute path like `/sys/block`) under the root.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        let rel = rel.as_ref();
        self.root.join(rel.strip_prefix("/").unwrap_or(rel))
    }

    /// Reads a sysfs attribute, trimmed.
    pub fn read(&self, rel: impl AsRef<Path>) -> io::Result<String> {
        Ok(fs::read_to_string(self.path(rel))?.trim().to_string())
    }

    fn read_num(&self, rel: impl AsRef<Path>) -> Option<u64> {
        parse_u64(&self.read(rel).ok()?)
    }

    fn class(name: &str) -> PathBuf {
        Path::new("/sys/class/block").join(name)
    }

    /// Whether block device `name` exists.
    pub fn exists(&self, name: &str) -> bool {
        is_name(name) && self.path(Self::class(name)).join("dev").exists()
    }

    /// The device number of block device `name`.
    pub fn dev_of(&self, name: &str) -> Option<DevNum> {
        if !is_name(name) {
            return None;
        }
        self.read(Self::class(name).join("dev")).ok()?.parse().ok()
    }

    /// The kernel name of block device `dev`, from `/sys/dev/block`.
    pub fn name_of(&self, dev: DevNum) -> Option<String> {
        let link = self.path(format!("/sys/dev/block/{dev}"));
        let target = fs::read_link(&link).ok()?;
        let name = target.file_name()?.to_str()?.to_string();
        // The link names the device directory; check it really is `dev`.
        (self.dev_of(&name) == Some(dev)).then_some(name)
    }

    /// Size of block device `name` in 512-byte sectors.
    pub fn size(&self, name: &str) -> Option<u64> {
        self.read_num(Self::class(name).join("size"))
    }

    /// The partitions of disk `name`, by start sector.
    pub fn partitions(&self, name: &str) -> Vec<Partition> {
        let dir = self.path(Self::class(name));
        let mut parts: Vec<Partition> = list_dir(&dir)
            .into_iter()
            .filter(|p| dir.join(p).join("partition").is_file())
            .filter_map(|p| {
                let base = Self::class(name).join(&p);
                Some(Partition {
                    dev: self.read(base.join("dev")).ok()?.parse().ok()?,
                    start: self.read_num(base.join("start"))?,
                    size: self.read_num(base.join("size"))?,
                    name: p,
                })
            })
            .collect();
        parts.sort_by_key(|p| (p.start, p.name.clone()));
        parts
    }

    /// For a partition, its disk and start sector; `None` for a disk.
    pub fn partition_parent(&self, name: &str) -> Option<(String, u64)> {
        let base = Self::class(name);
        if !self.path(base.join("partition")).is_file() {
            return None;
        }
        let start = self.read_num(base.join("start"))?;
        let real = fs::canonicalize(self.path(&base)).ok()?;
        let disk = real.parent()?.file_name()?.to_str()?.to_string();
        Some((disk, start))
    }

    /// The block devices holding `name` (`holders/`: dm devices on it).
    pub fn holders(&self, name: &str) -> Vec<String> {
        let mut v = list_dir(&self.path(Self::class(name).join("holders")));
        v.sort_by_key(|a| natural_key(a));
        v
    }

    /// The block devices `name` is built on (`slaves/`: a dm device's
    /// members).
    pub fn slaves(&self, name: &str) -> Vec<String> {
        let mut v = list_dir(&self.path(Self::class(name).join("slaves")));
        v.sort_by_key(|a| natural_key(a));
        v
    }

    /// The device-mapper name of `dm-N` (`/sys/block/dm-N/dm/name`).
    pub fn dm_name(&self, name: &str) -> Option<String> {
        self.read(Self::class(name).join("dm/name")).ok()
    }

    /// Whether `name` is a device-mapper device.
    pub fn is_dm(&self, name: &str) -> bool {
        self.path(Self::class(name).join("dm")).is_dir()
    }

    /// The pmem block devices (`/sys/block/pmem*`), in numeric order.
    pub fn pmem_disks(&self) -> Vec<String> {
        let mut v: Vec<String> = list_dir(&self.path("/sys/block"))
            .into_iter()
            .filter(|n| is_pmem_name(n))
            .collect();
        v.sort_by_key(|a| natural_key(a));
        v
    }

    /// Physical address of byte 0 of pmem disk `name`
    /// (`/sys/block/pmemN/device/resource`).
    pub fn pmem_resource(&self, name: &str) -> Option<u64> {
        self.read_num(Path::new("/sys/block").join(name).join("device/resource"))
    }

    /// The nvdimm device behind pmem disk `name` (`namespace0.0`, or
    /// `pfn0.1` for an fsdax namespace with its memmap on the device).
    pub fn nd_device(&self, name: &str) -> Option<String> {
        let link =
            fs::read_link(self.path(Path::new("/sys/block").join(name).join("device"))).ok()?;
        Some(link.file_name()?.to_str()?.to_string())
    }

    /// The device-dax instances (`dax0.0`), in natural order.
    pub fn devdax_instances(&self) -> Vec<String> {
        let mut v = list_dir(&self.path(DAX_BUS));
        v.sort_by_key(|a| natural_key(a));
        v
    }

    /// The device-dax instance a device argument names (`dax0.0`,
    /// `/dev/dax0.0`), if it exists.
    pub fn devdax_arg(&self, arg: &str) -> Option<String> {
        let name = arg.strip_prefix("/dev/").unwrap_or(arg);
        (is_name(name) && name.starts_with("dax") && self.path(DAX_BUS).join(name).exists())
            .then(|| name.to_string())
    }

    /// Attribute `attr` of device-dax instance `name`, as a number.
    pub fn devdax_num(&self, name: &str, attr: &str) -> Option<u64> {
        self.read_num(Path::new(DAX_BUS).join(name).join(attr))
    }

    /// The character device number of device-dax instance `name`.
    pub fn devdax_dev(&self, name: &str) -> Option<DevNum> {
        self.read(Path::new(DAX_BUS).join(name).join("dev"))
            .ok()?
            .parse()
            .ok()
    }

    /// The nvdimm dax device that serves device-dax instance `name`
    /// (`dax0.1`), if the instance is on the nvdimm bus.
    pub fn devdax_nd_device(&self, name: &str) -> Option<String> {
        let real = fs::canonicalize(self.path(DAX_BUS).join(name)).ok()?;
        let nd = real.parent()?;
        let region = nd.parent()?.file_name()?.to_str()?;
        region
            .starts_with("region")
            .then(|| nd.file_name()?.to_str().map(str::to_string))
            .flatten()
    }

    /// The device number of a device-dax instance as mfroute names it,
    /// `daxMAJ:MIN` of its character device; `None` for any other name.
    pub fn devdax_number(name: &str) -> Option<DevNum> {
        name.strip_prefix("dax")?.parse().ok()
    }

    /// The sysfs directory of the nvdimm bus device that serves pmem disk
    /// or device-dax instance `name`: a namespace, or the pfn or dax
    /// device that names it.
    fn nd_path(&self, name: &str) -> Option<PathBuf> {
        match Self::devdax_number(name) {
            // The instance (dax0.0) sits in its nd dax device (dax0.1).
            Some(dev) => Some(
                fs::canonicalize(self.path(format!("/sys/dev/char/{dev}")))
                    .ok()?
                    .parent()?
                    .to_path_buf(),
            ),
            None => {
                fs::canonicalize(self.path(Path::new("/sys/block").join(name).join("device"))).ok()
            }
        }
    }

    /// Where pmem disk or device-dax instance `name` is: its namespace,
    /// region and DIMMs, from the nvdimm bus in sysfs.
    pub fn place_of(&self, name: &str) -> Option<Place> {
        let real = self.nd_path(name)?;
        let nd = real.file_name()?.to_str()?.to_string();
        let bus = Path::new("/sys/bus/nd/devices");
        // An fsdax namespace with its memmap on the device is served
        // through a pfn (or dax) device that names its namespace, and so
        // is a device-dax namespace.
        let namespace = if nd.starts_with("namespace") {
            nd.clone()
        } else {
            self.read(bus.join(&nd).join("namespace")).ok()?
        };
        let region = real.parent()?.file_name()?.to_str()?.to_string();
        let mut mappings: Vec<(u64, String)> = list_dir(&self.path(bus.join(&region)))
            .into_iter()
            .filter_map(|f| {
                let n = parse_u64(f.strip_prefix("mapping")?)?;
                // "nmem0,OFFSET,LENGTH,POSITION"
                let m = self.read(bus.join(&region).join(&f)).ok()?;
                Some((n, m.split(',').next()?.to_string()))
            })
            .collect();
        mappings.sort();
        let dimms = mappings
            .into_iter()
            .map(|(_, dev)| Dimm {
                id: self.read(bus.join(&dev).join("nfit/id")).ok(),
                dev,
            })
            .collect();
        Some(Place {
            namespace,
            region,
            dimms,
        })
    }

    /// The mounts, from `/proc/self/mountinfo`.
    pub fn mounts(&self) -> io::Result<Vec<Mount>> {
        Ok(mountinfo::parse(&fs::read_to_string(
            self.path("/proc/self/mountinfo"),
        )?))
    }

    /// Resolves a device argument: a kernel name (`pmem0`), a path under
    /// `/dev` (`/dev/pmem0`, `/dev/mapper/stripe`) or `MAJ:MIN`.
    pub fn resolve_device(&self, arg: &str) -> Option<String> {
        if let Ok(dev) = arg.parse::<DevNum>() {
            return self.name_of(dev);
        }
        if arg.contains('/') {
            let path = self.path(arg);
            if let Ok(real) = fs::canonicalize(&path) {
                if let Some(n) = real.file_name().and_then(|n| n.to_str()) {
                    if self.exists(n) {
                        return Some(n.to_string());
                    }
                }
            }
            // /dev/mapper/NAME without udev links: match dm names.
            if let Some(dm) = arg.strip_prefix("/dev/mapper/") {
                return list_dir(&self.path("/sys/class/block"))
                    .into_iter()
                    .find(|n| self.dm_name(n).as_deref() == Some(dm));
            }
            return None;
        }
        self.exists(arg).then(|| arg.to_string())
    }
}

/// A name that is one path component.
fn is_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}

/// `pmemN` (a whole pmem disk, not `pmemNpM` or `pmemN.M`).
pub fn is_pmem_name(name: &str) -> bool {
    name.strip_prefix("pmem")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Sorts `pmem2` before `pmem10`.
fn natural_key(s: &str) -> (String, u64) {
    let digits = s.len() - s.bytes().rev().take_while(u8::is_ascii_digit).count();
    (s[..digits].to_string(), s[digits..].parse().unwrap_or(0))
}

/// File names in a directory, empty if it cannot be read.
pub fn list_dir(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_pmem_name("pmem0"));
        assert!(is_pmem_name("pmem12"));
        assert!(!is_pmem_name("pmem0p1"));
        assert!(!is_pmem_name("pmem"));
        assert!(!is_pmem_name("dm-0"));
        let mut v = vec!["pmem10", "pmem2", "pmem1"];
        v.sort_by_key(|a| natural_key(a));
        assert_eq!(v, ["pmem1", "pmem2", "pmem10"]);
        assert!(!is_name(".."));
    }

    #[test]
    fn paths() {
        let s = Sys::new("/tmp/x");
        assert_eq!(s.path("/sys/block"), Path::new("/tmp/x/sys/block"));
        assert_eq!(Sys::default().path("/sys"), Path::new("/sys"));
    }
}
