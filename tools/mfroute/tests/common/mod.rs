// SPDX-License-Identifier: GPL-2.0
//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// A file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The text of a file under `tests/data`.
pub fn read_data(name: &str) -> String {
    fs::read_to_string(data(name)).unwrap_or_else(|e| panic!("{}: {e}", data(name).display()))
}

/// Compares `got` with the golden file `name`; with MFROUTE_BLESS=1 in
/// the environment, writes `got` to it instead.
pub fn golden(name: &str, got: &str) {
    let path = data(name);
    if std::env::var_os("MFROUTE_BLESS").is_some() {
        fs::write(&path, got).unwrap();
        return;
    }
    let want = fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            if g != w {
                panic!(
                    "{} line {} differs\n got: {g}\nwant: {w}\n(MFROUTE_BLESS=1 cargo test rewrites the golden files)",
                    path.display(),
                    i + 1
                );
            }
        }
        panic!(
            "{}: {} lines, want {} (MFROUTE_BLESS=1 cargo test rewrites the golden files)",
            path.display(),
            got.lines().count(),
            want.lines().count()
        );
    }
}

/// A scratch directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after the test.
    pub fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("mfroute-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    /// Writes `text` to `rel` (an absolute-looking path under the root),
    /// creating directories.
    pub fn file(&self, rel: &str, text: &str) -> &Self {
        let p = self.0.join(rel.trim_start_matches('/'));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
        self
    }

    /// Creates directory `rel`.
    pub fn dir(&self, rel: &str) -> &Self {
        fs::create_dir_all(self.0.join(rel.trim_start_matches('/'))).unwrap();
        self
    }

    /// Creates symlink `rel` pointing at `target`.
    pub fn link(&self, rel: &str, target: &str) -> &Self {
        let p = self.0.join(rel.trim_start_matches('/'));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
        self
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A made-up system: pmem0 (259:0) with partition pmem0p1 (259:1), xfs
/// on it mounted on /mnt; pmem1 (259:2) and pmem2 (259:3) striped into
/// dm-0 "stripe" (253:0), dm-1 "top" (253:1) on dm-0 (a linear and a
/// crypt target), xfs on it mounted on "/mnt/striped data"; mfroute
/// loaded, tracking pmem0 and dm-0 (tables: `dm_tables.txt`).
pub fn fake_system(name: &str) -> Scratch {
    let s = Scratch::new(name);
    let dev = |s: &Scratch, path: &str, name: &str, devnum: &str, size: u64| {
        s.file(&format!("{path}/{name}/dev"), &format!("{devnum}\n"))
            .file(&format!("{path}/{name}/size"), &format!("{size}\n"));
        s.link(
            &format!("/sys/dev/block/{devnum}"),
            &format!("../../devices/virtual/block/{name}"),
        );
    };
    // Whole disks live in /sys/devices/virtual/block (the class and
    // /sys/block entries link there), partitions inside their disk.
    let base = "/sys/devices/virtual/block";
    dev(&s, base, "pmem0", "259:0", 2_097_152);
    dev(&s, base, "pmem1", "259:2", 2_097_152);
    dev(&s, base, "pmem2", "259:3", 2_097_152);
    dev(&s, base, "dm-0", "253:0", 4_194_304);
    dev(&s, base, "dm-1", "253:1", 2_097_152);
    s.file(&format!("{base}/pmem0/pmem0p1/dev"), "259:1\n")
        .file(&format!("{base}/pmem0/pmem0p1/size"), "65536\n")
        .file(&format!("{base}/pmem0/pmem0p1/start"), "8192\n")
        .file(&format!("{base}/pmem0/pmem0p1/partition"), "1\n")
        .link(
            "/sys/dev/block/259:1",
            "../../devices/virtual/block/pmem0/pmem0p1",
        );
    for n in ["pmem0", "pmem1", "pmem2", "dm-0", "dm-1"] {
        s.link(
            &format!("/sys/class/block/{n}"),
            &format!("../../devices/virtual/block/{n}"),
        );
        s.link(
            &format!("/sys/block/{n}"),
            &format!("../devices/virtual/block/{n}"),
        );
    }
    s.link(
        "/sys/class/block/pmem0p1",
        "../../devices/virtual/block/pmem0/pmem0p1",
    );
    // The nvdimm devices behind the disks.
    let nd = "/sys/devices/platform/ACPI0012:00/ndbus0";
    s.file(&format!("{nd}/region0/pfn0.1/resource"), "0x140200000\n")
        .file(
            &format!("{nd}/region1/namespace1.0/resource"),
            "0x180000000\n",
        )
        .file(
            &format!("{nd}/region2/namespace2.0/resource"),
            "0x1c0000000\n",
        );
    let abs = |rel: &str| {
        s.0.join(rel.trim_start_matches('/'))
            .to_string_lossy()
            .into_owned()
    };
    s.link(
        &format!("{base}/pmem0/device"),
        &abs(&format!("{nd}/region0/pfn0.1")),
    )
    .link(
        &format!("{base}/pmem1/device"),
        &abs(&format!("{nd}/region1/namespace1.0")),
    )
    .link(
        &format!("{base}/pmem2/device"),
        &abs(&format!("{nd}/region2/namespace2.0")),
    )
    .dir(&format!("{base}/pmem0/holders"))
    .dir(&format!("{base}/pmem1/holders/dm-0"))
    .dir(&format!("{base}/pmem2/holders/dm-0"))
    .dir(&format!("{base}/dm-0/holders/dm-1"))
    .dir(&format!("{base}/dm-0/slaves/pmem1"))
    .dir(&format!("{base}/dm-0/slaves/pmem2"))
    .dir(&format!("{base}/dm-1/slaves/dm-0"))
    .dir(&format!("{base}/pmem0/pmem0p1/holders"))
    .file(&format!("{base}/dm-0/dm/name"), "stripe\n")
    .file(&format!("{base}/dm-1/dm/name"), "top\n");
    // The nvdimm bus: region0 interleaves two DIMMs, one with an NFIT id.
    s.file(&format!("{nd}/region0/pfn0.1/namespace"), "namespace0.0\n")
        .file(&format!("{nd}/region0/mapping0"), "nmem0,0,536870912,0\n")
        .file(&format!("{nd}/region0/mapping1"), "nmem1,0,536870912,1\n")
        .file(&format!("{nd}/region1/mapping0"), "nmem2,0,1073741824,0\n")
        .file(&format!("{nd}/nmem0/nfit/id"), "8089-a2-1740-00000000\n")
        .dir(&format!("{nd}/nmem1"))
        .dir(&format!("{nd}/nmem2"));
    // A device-dax instance in region1, character device 252:0.
    s.file(&format!("{nd}/region1/dax1.1/namespace"), "namespace1.1\n")
        .file(&format!("{nd}/region1/dax1.1/dax1.0/dev"), "252:0\n")
        .file(&format!("{nd}/region1/dax1.1/dax1.0/size"), "264241152\n")
        .file(
            &format!("{nd}/region1/dax1.1/dax1.0/resource"),
            "0x190200000\n",
        )
        .link(
            "/sys/dev/char/252:0",
            &abs(&format!("{nd}/region1/dax1.1/dax1.0")),
        )
        .link(
            "/sys/bus/dax/devices/dax1.0",
            &abs(&format!("{nd}/region1/dax1.1/dax1.0")),
        );
    for d in [
        "region0",
        "region1",
        "region0/pfn0.1",
        "region1/namespace1.0",
        "region1/dax1.1",
        "nmem0",
        "nmem1",
        "nmem2",
    ] {
        let name = d.rsplit('/').next().unwrap();
        s.link(
            &format!("/sys/bus/nd/devices/{name}"),
            &abs(&format!("{nd}/{d}")),
        );
    }
    s.file("/proc/self/mountinfo", &read_data("mountinfo.txt"));
    s.file("/sys/kernel/mfroute/version", "0.2.0\n")
        .file("/sys/kernel/mfroute/devices/pmem0/dev", "259:0\n")
        .file(
            "/sys/kernel/mfroute/devices/pmem0/stat",
            &read_data("sysfs_stat.txt"),
        )
        .file(
            "/sys/kernel/mfroute/devices/pmem0/failed",
            &read_data("sysfs_failed.txt"),
        )
        .file("/sys/kernel/mfroute/devices/dm-0/dev", "253:0\n")
        .file(
            "/sys/kernel/mfroute/devices/dm-0/stat",
            "1 8 524288 0 0 0 0 0 0 0 0 16\n",
        )
        .file("/sys/kernel/mfroute/devices/dm-0/failed", "");
    s
}

/// Where the made-up system's pmem0 is ([`fake_system`]): region0
/// interleaves two DIMMs, one with an NFIT id.
pub fn pmem0_place() -> mfroute::sysfs::Place {
    use mfroute::sysfs::{Dimm, Place};
    Place {
        namespace: "namespace0.0".into(),
        region: "region0".into(),
        dimms: vec![
            Dimm {
                dev: "nmem0".into(),
                id: Some("8089-a2-1740-00000000".into()),
            },
            Dimm {
                dev: "nmem1".into(),
                id: None,
            },
        ],
    }
}
