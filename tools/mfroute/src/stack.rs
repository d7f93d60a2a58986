// SPDX-License-Identifier: GPL-2.0
//! `mfroute stack`: the translation chain above pmem namespaces
//! (partitions, device-mapper devices to any depth, mounts), and whether
//! mfroute translates failures through each level.

use crate::dev::DevNum;
use crate::dm::{self, TargetDetail, TargetLine};
use crate::error::{Error, Result};
use crate::mountinfo::{mounts_of, Mount};
use crate::status::MFROUTE_SYSFS;
use crate::sysfs::{is_pmem_name, Sys};
use crate::units::{self, SECTOR};
use serde::Serialize;
use std::fmt::Write as _;
use std::io;

/// The note of a device-mapper device whose table this process may not
/// read.
const TABLE_DENIED: &str =
    "table not read: device-mapper tables need CAP_SYS_ADMIN and access to /dev/mapper/control \
     (run it as root)";
use std::path::{Path, PathBuf};

/// Where device-mapper tables come from.
pub trait Tables {
    /// The live table of mapped device `name` (`dm-N`, number `dev`).
    fn table(&mut self, name: &str, dev: DevNum) -> io::Result<Vec<TargetLine>>;
}

/// Tables read with the `DM_TABLE_STATUS` ioctl.
#[derive(Debug, Clone)]
pub struct IoctlTables {
    control: PathBuf,
}

impl IoctlTables {
    /// Tables read through the device-mapper control node under `sys`.
    pub fn new(sys: &Sys) -> Self {
        Self {
            control: sys.path("/dev/mapper/control"),
        }
    }
}

impl Tables for IoctlTables {
    fn table(&mut self, _name: &str, dev: DevNum) -> io::Result<Vec<TargetLine>> {
        dm::table_status(&self.control, dev)
    }
}

/// A mount of a device in the stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MountRef {
    /// Mount point.
    pub mount_point: String,
    /// Filesystem type.
    pub fstype: String,
    /// Mounted with DAX.
    pub dax: bool,
}

/// A device a table names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberRef {
    /// Its number, if the table gives one.
    pub dev: Option<DevNum>,
    /// Its kernel name, if it exists.
    pub name: Option<String>,
    /// Offset in it, in sectors.
    pub offset: u64,
}

/// One target of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetNode {
    /// First sector in the mapped device.
    pub start: u64,
    /// Sectors.
    pub length: u64,
    /// Target type.
    #[serde(rename = "type")]
    pub target_type: String,
    /// Parameters as the kernel prints them.
    pub params: String,
    /// Whether the target maps the device below in this chain.
    pub uses_lower: bool,
    /// Whether mfroute translates failures through this target.
    pub translated: bool,
    /// Stripes, for `striped`.
    pub stripes: Option<u32>,
    /// Chunk size in sectors, for `striped`.
    pub chunk_sectors: Option<u64>,
    /// The devices mapped (one for `linear`, one per stripe for
    /// `striped`, none for other types).
    pub members: Vec<MemberRef>,
}

/// A device-mapper device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DmNode {
    /// Kernel name (`dm-0`).
    pub name: String,
    /// Device-mapper name (`stripe`, `/dev/mapper/stripe`).
    pub dm_name: Option<String>,
    /// Device number.
    pub dev: Option<DevNum>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Whether failures of the device below reach this one: every target
    /// that maps the device below is translated.
    pub translated: bool,
    /// Why the table is not shown, if it is not.
    pub note: Option<String>,
    /// Live table.
    pub targets: Vec<TargetNode>,
    /// Whether mfroute tracks this device (`/sys/kernel/mfroute/devices`).
    pub tracked: bool,
    /// Mounts.
    pub mounts: Vec<MountRef>,
    /// Mapped devices on top of this one.
    pub holders: Vec<DmNode>,
}

/// A partition of a pmem namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartNode {
    /// Kernel name (`pmem0p1`).
    pub name: String,
    /// Device number.
    pub dev: DevNum,
    /// First sector in the namespace.
    pub start_sector: u64,
    /// Sectors.
    pub sectors: u64,
    /// First byte in the namespace.
    pub offset: u64,
    /// Bytes.
    pub size: u64,
    /// Whether mfroute tracks it.
    pub tracked: bool,
    /// Mounts.
    pub mounts: Vec<MountRef>,
    /// Mapped devices on it.
    pub holders: Vec<DmNode>,
}

/// The device of a pmem namespace (`pmem0`) or a device-dax instance
/// (`dax0.0`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Media {
    /// Kernel name.
    pub name: String,
    /// Device number (of a character device for device-dax).
    pub dev: Option<DevNum>,
    /// The nvdimm device behind it (`namespace0.0`, `pfn0.1`, `dax0.1`).
    pub nd_device: Option<String>,
    /// Physical address of its byte 0.
    pub phys_start: Option<u64>,
    /// Bytes.
    pub size: Option<u64>,
    /// Whether mfroute tracks it (a device-dax instance as `daxMAJ:MIN`).
    pub tracked: bool,
}

impl Media {
    /// Its line: "NAME (MAJ:MIN): KIND ND, SIZE, physical FIRST..LAST;
    /// mfroute tracks it".
    fn line(&self, kind: &str) -> String {
        let dev = self.dev.map_or_else(String::new, |d| format!(" ({d})"));
        let nd = self
            .nd_device
            .as_ref()
            .map_or_else(String::new, |n| format!(" {n}"));
        let phys = match (self.phys_start, self.size) {
            (Some(p), Some(z)) if z > 0 => {
                format!(", physical {:#x}..{:#x}", p, p.saturating_add(z - 1))
            }
            _ => String::new(),
        };
        let tracked = if self.tracked {
            "; mfroute tracks it"
        } else {
            ""
        };
        format!(
            "{}{dev}: {kind}{nd}, {}{phys}{tracked}",
            self.name,
            opt_size(self.size)
        )
    }
}

/// A pmem namespace and everything above it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Namespace {
    /// Its device.
    #[serde(flatten)]
    pub media: Media,
    /// Mounts of the whole namespace.
    pub mounts: Vec<MountRef>,
    /// Partitions.
    pub partitions: Vec<PartNode>,
    /// Mapped devices on the whole namespace.
    pub holders: Vec<DmNode>,
}

/// Everything `mfroute stack` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stack {
    /// The namespaces asked about.
    pub namespaces: Vec<Namespace>,
    /// The device-dax instances asked about. Nothing stacks on one: its
    /// failures go to the processes that map it and to the holders
    /// registered on it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devdax: Vec<Media>,
}

/// How deep dm-on-dm stacks are followed (mfroute translates four).
const MAX_DEPTH: usize = 8;

struct Builder<'a> {
    sys: &'a Sys,
    mounts: &'a [Mount],
    tables: &'a mut dyn Tables,
    /// The devices on the path from the namespace to the current one: a
    /// holder already on it would be a cycle.
    path: Vec<String>,
}

fn is_dax(m: &Mount) -> bool {
    m.options
        .split(',')
        .chain(m.super_options.split(','))
        .any(|o| o == "dax" || o == "dax=always" || o == "dax=inode")
}

impl Builder<'_> {
    fn mounts(&self, dev: Option<DevNum>) -> Vec<MountRef> {
        let Some(dev) = dev else {
            return Vec::new();
        };
        mounts_of(self.mounts, dev)
            .into_iter()
            .map(|m| MountRef {
                mount_point: m.mount_point.clone(),
                fstype: m.fstype.clone(),
                dax: is_dax(m),
            })
            .collect()
    }

    fn tracked(&self, name: &str) -> bool {
        self.sys
            .path(Path::new(MFROUTE_SYSFS).join("devices").join(name))
            .is_dir()
    }

    fn holders(
        &mut self,
        lower: &str,
        lower_dev: Option<DevNum>,
        depth: usize,
    ) -> Result<Vec<DmNode>> {
        let mut out = Vec::new();
        if depth >= MAX_DEPTH {
            return Ok(out);
        }
        for h in self.sys.holders(lower) {
            if !self.sys.is_dm(&h) || self.path.contains(&h) {
                continue;
            }
            self.path.push(h.clone());
            let node = self.dm_node(&h, lower_dev, depth);
            self.path.pop();
            out.push(node?);
        }
        Ok(out)
    }

    fn dm_node(&mut self, name: &str, lower_dev: Option<DevNum>, depth: usize) -> Result<DmNode> {
        let dev = self.sys.dev_of(name);
        let mut note = None;
        let mut targets = Vec::new();
        match dev.map(|d| self.tables.table(name, d)) {
            Some(Ok(lines)) => {
                for t in &lines {
                    targets.push(self.target_node(t, lower_dev));
                }
            }
            Some(Err(e)) if matches!(e.kind(), io::ErrorKind::PermissionDenied) => {
                note = Some(format!("{TABLE_DENIED}: {e}"));
            }
            Some(Err(e)) => note = Some(format!("table unavailable: {e}")),
            None => note = Some("device number unknown".into()),
        }
        let translated = note.is_none()
            && targets
                .iter()
                .filter(|t| t.uses_lower)
                .all(|t| t.translated);
        Ok(DmNode {
            name: name.to_string(),
            dm_name: self.sys.dm_name(name),
            dev,
            size: self.sys.size(name).map(|s| s.saturating_mul(SECTOR)),
            translated,
            note,
            targets,
            tracked: self.tracked(name),
            mounts: self.mounts(dev),
            holders: self.holders(name, dev, depth + 1)?,
        })
    }

    fn target_node(&self, t: &TargetLine, lower: Option<DevNum>) -> TargetNode {
        let member = |m: &dm::Member| MemberRef {
            dev: m.dev,
            name: m.dev.and_then(|d| self.sys.name_of(d)),
            offset: m.offset,
        };
        let detail = dm::parse_target(t);
        let (stripes, chunk_sectors, members) = match &detail {
            Ok(TargetDetail::Linear(m)) => (None, None, vec![member(m)]),
            Ok(TargetDetail::Striped {
                stripes,
                chunk_sectors,
                members,
            }) => (
                Some(*stripes),
                Some(*chunk_sectors),
                members.iter().map(member).collect(),
            ),
            Ok(TargetDetail::Other) | Err(_) => (None, None, Vec::new()),
        };
        TargetNode {
            start: t.start,
            length: t.length,
            target_type: t.target_type.clone(),
            params: t.params.clone(),
            uses_lower: lower.is_some_and(|d| dm::uses_device(t, d)),
            translated: dm::translated(&t.target_type) && detail.is_ok(),
            stripes,
            chunk_sectors,
            members,
        }
    }

    fn namespace(&mut self, name: &str) -> Result<Namespace> {
        let dev = self.sys.dev_of(name);
        let mut partitions = Vec::new();
        for p in self.sys.partitions(name) {
            partitions.push(PartNode {
                tracked: self.tracked(&p.name),
                mounts: self.mounts(Some(p.dev)),
                holders: self.holders(&p.name, Some(p.dev), 0)?,
                offset: p.start.saturating_mul(SECTOR),
                size: p.size.saturating_mul(SECTOR),
                start_sector: p.start,
                sectors: p.size,
                dev: p.dev,
                name: p.name,
            });
        }
        Ok(Namespace {
            media: Media {
                name: name.to_string(),
                dev,
                nd_device: self.sys.nd_device(name),
                phys_start: self.sys.pmem_resource(name),
                size: self.sys.size(name).map(|s| s.saturating_mul(SECTOR)),
                tracked: self.tracked(name),
            },
            mounts: self.mounts(dev),
            partitions,
            holders: self.holders(name, dev, 0)?,
        })
    }

    fn devdax(&self, name: &str) -> Media {
        let dev = self.sys.devdax_dev(name);
        Media {
            name: name.to_string(),
            dev,
            nd_device: self.sys.devdax_nd_device(name),
            phys_start: self.sys.devdax_num(name, "resource"),
            size: self.sys.devdax_num(name, "size"),
            tracked: dev.is_some_and(|d| self.tracked(&format!("dax{d}"))),
        }
    }
}

/// The pmem namespaces under `name`: itself, the disk of a partition,
/// the members of a device-mapper device, recursively.
fn namespaces_under(sys: &Sys, name: &str, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    if is_pmem_name(name) {
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    } else if let Some((disk, _)) = sys.partition_parent(name) {
        namespaces_under(sys, &disk, depth + 1, out);
    } else {
        for s in sys.slaves(name) {
            namespaces_under(sys, &s, depth + 1, out);
        }
    }
}

/// The pmem namespaces a device argument stands for: a pmem device, or a
/// partition or device-mapper device on pmem (its namespaces); an error
/// saying what to give instead otherwise.
pub fn namespaces_arg(sys: &Sys, arg: &str) -> Result<Vec<String>> {
    if let Some(name) = sys.devdax_arg(arg) {
        return Ok(vec![name]);
    }
    let Some(name) = sys.resolve_device(arg) else {
        return Err(Error::unknown_device(
            format!("no block device '{arg}'"),
            "give a pmem device such as pmem0; 'mfroute stack' shows them all",
        ));
    };
    let mut out = Vec::new();
    namespaces_under(sys, &name, 0, &mut out);
    if out.is_empty() {
        return Err(Error::unknown_device(
            format!("{name} is not on persistent memory (no pmem namespace under it)"),
            "give a pmem device such as pmem0; 'mfroute stack' shows them all",
        ));
    }
    Ok(out)
}

/// Builds the stack above `names` (all pmem disks when empty).
pub fn build(sys: &Sys, names: &[String], tables: &mut dyn Tables) -> Result<Stack> {
    let mounts = sys
        .mounts()
        .map_err(|e| Error::io("reading", &sys.path("/proc/self/mountinfo"), &e))?;
    let all;
    let names = if names.is_empty() {
        all = [sys.pmem_disks(), sys.devdax_instances()].concat();
        &all
    } else {
        names
    };
    let mut b = Builder {
        sys,
        mounts: &mounts,
        tables,
        path: Vec::new(),
    };
    let (devdax, pmem): (Vec<&String>, Vec<&String>) =
        names.iter().partition(|n| sys.devdax_arg(n).is_some());
    let namespaces = pmem
        .into_iter()
        .map(|n| b.namespace(n))
        .collect::<Result<_>>()?;
    let devdax = devdax.into_iter().map(|n| b.devdax(n)).collect();
    Ok(Stack { namespaces, devdax })
}

fn mounts_words(m: &[MountRef]) -> String {
    if m.is_empty() {
        return "not mounted".into();
    }
    let first = &m[0];
    let mut s = format!(
        "mounted on {} ({}{})",
        first.mount_point,
        first.fstype,
        if first.dax { ", dax" } else { "" }
    );
    for other in &m[1..] {
        s.push_str(&format!(", also on {}", other.mount_point));
    }
    s
}

fn opt_size(s: Option<u64>) -> String {
    s.map_or_else(|| "size unknown".into(), units::size)
}

fn member_words(m: &MemberRef) -> String {
    let dev = match (&m.name, m.dev) {
        (Some(n), _) => n.clone(),
        (None, Some(d)) => d.to_string(),
        (None, None) => "?".into(),
    };
    format!("{dev} from sector {}", m.offset)
}

fn target_words(t: &TargetNode) -> String {
    let range = format!(
        "sectors {}..{}",
        t.start,
        (t.start + t.length).saturating_sub(1)
    );
    let what = match (t.target_type.as_str(), t.stripes, t.chunk_sectors) {
        ("linear", _, _) if t.members.len() == 1 => {
            format!("linear on {}", member_words(&t.members[0]))
        }
        ("striped", Some(n), Some(c)) => {
            let m: Vec<String> = t.members.iter().map(member_words).collect();
            format!(
                "striped, {n} stripe{} of {} chunks: {}",
                if n == 1 { "" } else { "s" },
                units::size(c.saturating_mul(SECTOR)),
                m.join(", ")
            )
        }
        (ty, _, _) => format!("{ty} {}", t.params),
    };
    let tail = if !t.translated && t.uses_lower {
        " — not translated: failures under it take the per-page path"
    } else {
        ""
    };
    format!("{range}: {what}{tail}")
}

fn render_dm(s: &mut String, d: &DmNode, indent: usize) {
    let pad = " ".repeat(indent);
    let name = match &d.dm_name {
        Some(n) => format!("{} \"{n}\"", d.name),
        None => d.name.clone(),
    };
    let dev = d.dev.map_or_else(String::new, |d| format!(" ({d})"));
    let verdict = if d.translated {
        "failures are translated up to it"
    } else if d.note.is_some() {
        "whether failures are translated up to it is not known"
    } else {
        "failures are NOT translated up to it (per-page path)"
    };
    let _ = writeln!(
        s,
        "{pad}device-mapper {name}{dev}, {}: {verdict}",
        opt_size(d.size)
    );
    if let Some(n) = &d.note {
        let _ = writeln!(s, "{pad}  {n}");
    }
    for t in &d.targets {
        let _ = writeln!(s, "{pad}  {}", target_words(t));
    }
    let _ = writeln!(s, "{pad}  {}", mounts_words(&d.mounts));
    for h in &d.holders {
        render_dm(s, h, indent + 2);
    }
}

/// `mfroute stack` in words.
pub fn render_human(st: &Stack) -> String {
    let mut s = String::new();
    if st.namespaces.is_empty() && st.devdax.is_empty() {
        s.push_str("no pmem devices\n");
    }
    for (i, ns) in st.namespaces.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        let _ = writeln!(s, "{}", ns.media.line("pmem namespace"));
        if ns.partitions.is_empty() || !ns.mounts.is_empty() {
            let _ = writeln!(s, "  {}", mounts_words(&ns.mounts));
        }
        for p in &ns.partitions {
            let _ = writeln!(
                s,
                "  partition {} ({}): {} at byte {:#x} (sectors {}..{}), failures are translated to it",
                p.name,
                p.dev,
                units::size(p.size),
                p.offset,
                p.start_sector,
                (p.start_sector + p.sectors).saturating_sub(1)
            );
            let _ = writeln!(s, "    {}", mounts_words(&p.mounts));
            for h in &p.holders {
                render_dm(&mut s, h, 4);
            }
        }
        for h in &ns.holders {
            render_dm(&mut s, h, 2);
        }
    }
    for (i, d) in st.devdax.iter().enumerate() {
        if i > 0 || !st.namespaces.is_empty() {
            s.push('\n');
        }
        let _ = writeln!(s, "{}", d.line("device-dax instance"));
        let _ = writeln!(
            s,
            "  failures go to the processes that map it and to the holders registered on it"
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(options: &str, super_options: &str) -> Mount {
        Mount {
            dev: DevNum::new(259, 0),
            root: "/".into(),
            mount_point: "/mnt".into(),
            fstype: "xfs".into(),
            source: "/dev/pmem0".into(),
            options: options.into(),
            super_options: super_options.into(),
        }
    }

    #[test]
    fn dax_options() {
        assert!(!is_dax(&mount("rw,relatime", "rw,attr2,inode64")));
        assert!(!is_dax(&mount("rw", "rw,dax=never")));
        assert!(!is_dax(&mount("rw", "rw,daxx,nodax")));
        assert!(is_dax(&mount("rw", "rw,dax")));
        assert!(is_dax(&mount("rw", "rw,dax=always")));
        assert!(is_dax(&mount("rw", "rw,dax=inode")));
        assert!(is_dax(&mount("rw,dax", "rw")));
    }

    fn target(ty: &str, params: &str, members: Vec<MemberRef>) -> TargetNode {
        TargetNode {
            start: 8,
            length: 8,
            target_type: ty.into(),
            params: params.into(),
            uses_lower: true,
            translated: false,
            stripes: None,
            chunk_sectors: None,
            members,
        }
    }

    #[test]
    fn target_lines() {
        let m = |name: &str, offset| MemberRef {
            dev: None,
            name: Some(name.into()),
            offset,
        };
        let mut t = target("linear", "259:0 16", vec![m("pmem0", 16)]);
        t.translated = true;
        assert_eq!(
            target_words(&t),
            "sectors 8..15: linear on pmem0 from sector 16"
        );
        // A linear target whose members could not be read is shown as
        // printed by the kernel.
        let t = target("linear", "259:0", Vec::new());
        assert_eq!(
            target_words(&t),
            "sectors 8..15: linear 259:0 — not translated: failures under it take the per-page path"
        );
        let t = target(
            "linear",
            "259:0 0 259:1 0",
            vec![m("pmem0", 0), m("pmem1", 0)],
        );
        assert!(target_words(&t).starts_with("sectors 8..15: linear 259:0 0 259:1 0"));
        let mut t = target("striped", "1 8 259:0 0", vec![m("pmem0", 0)]);
        (t.stripes, t.chunk_sectors, t.translated) = (Some(1), Some(8), true);
        assert_eq!(
            target_words(&t),
            "sectors 8..15: striped, 1 stripe of 4 KiB chunks: pmem0 from sector 0"
        );
    }

    fn dm(name: &str, holders: Vec<DmNode>) -> DmNode {
        DmNode {
            name: name.into(),
            dm_name: None,
            dev: None,
            size: None,
            translated: true,
            note: None,
            targets: Vec::new(),
            tracked: false,
            mounts: Vec::new(),
            holders,
        }
    }

    fn namespace(size: Option<u64>) -> Namespace {
        Namespace {
            media: Media {
                name: "pmem0".into(),
                dev: None,
                nd_device: None,
                phys_start: Some(0x1_0000_0000),
                size,
                tracked: false,
            },
            mounts: Vec::new(),
            partitions: Vec::new(),
            holders: Vec::new(),
        }
    }

    #[test]
    fn nesting() {
        let mut ns = namespace(Some(1 << 20));
        ns.partitions.push(PartNode {
            name: "pmem0p1".into(),
            dev: DevNum::new(259, 1),
            start_sector: 8,
            sectors: 8,
            offset: 4096,
            size: 4096,
            tracked: false,
            mounts: Vec::new(),
            holders: vec![dm("dm-0", vec![dm("dm-1", vec![dm("dm-2", Vec::new())])])],
        });
        let text = render_human(&Stack {
            namespaces: vec![ns],
            devdax: Vec::new(),
        });
        let verdict = ": failures are translated up to it";
        for (indent, name) in [(4, "dm-0"), (6, "dm-1"), (8, "dm-2")] {
            let want = format!(
                "\n{}device-mapper {name}, size unknown{verdict}\n",
                " ".repeat(indent)
            );
            assert!(text.contains(&want), "{want:?} in\n{text}");
        }
    }

    #[test]
    fn physical_range() {
        let line = |size| {
            render_human(&Stack {
                namespaces: vec![namespace(size)],
                devdax: Vec::new(),
            })
            .lines()
            .next()
            .unwrap()
            .to_string()
        };
        assert_eq!(
            line(Some(4096)),
            "pmem0: pmem namespace, 4 KiB, physical 0x100000000..0x100000fff"
        );
        assert_eq!(
            line(Some(1)),
            "pmem0: pmem namespace, 1 byte, physical 0x100000000..0x100000000"
        );
        assert_eq!(line(Some(0)), "pmem0: pmem namespace, 0 bytes");
        assert_eq!(line(None), "pmem0: pmem namespace, size unknown");
    }
}
