// SPDX-License-Identifier: GPL-2.0
//! Parsing sample dm tables, mountinfo and mfroute's sysfs files, and the
//! stack and status built from a made-up sysfs tree.

mod common;

use mfroute::above;
use mfroute::dev::DevNum;
use mfroute::dm::{self, TargetDetail, TargetLine};
use mfroute::mountinfo;
use mfroute::stack::{self, Tables};
use mfroute::status;
use mfroute::sysfs::Sys;
use std::collections::HashMap;
use std::io;

/// The `== NAME` blocks of `dm_tables.txt`.
fn tables() -> HashMap<String, Vec<TargetLine>> {
    let mut out = HashMap::new();
    let mut name = String::new();
    let mut text = String::new();
    let flush = |name: &str, text: &str, out: &mut HashMap<String, Vec<TargetLine>>| {
        if !name.is_empty() {
            out.insert(name.to_string(), dm::parse_table_text(text).unwrap());
        }
    };
    for line in common::read_data("dm_tables.txt").lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(n) = line.strip_prefix("== ") {
            flush(&name, &text, &mut out);
            name = n.to_string();
            text.clear();
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(&name, &text, &mut out);
    out
}

#[test]
fn dm_table_text() {
    let t = tables();
    let concat = &t["concat"];
    assert_eq!(concat.len(), 2);
    assert_eq!(concat[1].start, 2_097_152);
    assert_eq!(
        dm::parse_target(&concat[1]).unwrap(),
        TargetDetail::Linear(dm::Member {
            device: "259:3".into(),
            dev: Some(DevNum::new(259, 3)),
            offset: 0
        })
    );
    let stripe = &t["stripe"][0];
    let TargetDetail::Striped {
        stripes,
        chunk_sectors,
        members,
    } = dm::parse_target(stripe).unwrap()
    else {
        panic!()
    };
    assert_eq!((stripes, chunk_sectors, members.len()), (2, 128, 2));
    assert_eq!(members[1].dev, Some(DevNum::new(259, 3)));
    let top = &t["top"];
    assert_eq!(dm::parse_target(&top[1]).unwrap(), TargetDetail::Other);
    assert!(!dm::translated(&top[1].target_type));
    assert!(dm::translated("linear") && dm::translated("striped"));
    assert!(dm::uses_device(&top[1], DevNum::new(253, 0)));
    assert!(!dm::uses_device(&top[1], DevNum::new(253, 1)));

    // Malformed parameters.
    let bad = |ty: &str, params: &str| TargetLine {
        start: 0,
        length: 8,
        target_type: ty.into(),
        params: params.into(),
    };
    assert!(dm::parse_target(&bad("linear", "259:0")).is_err());
    assert!(dm::parse_target(&bad("linear", "259:0 x")).is_err());
    assert!(dm::parse_target(&bad("striped", "2 128 259:0 0")).is_err());
    assert!(dm::parse_target(&bad("striped", "0 128")).is_err());
    assert!(dm::parse_table_text("0 8").is_err());
    assert!(dm::parse_table_text("a 8 linear 259:0 0").is_err());
    // A path instead of MAJ:MIN (dmsetup input) is kept, without a number.
    let TargetDetail::Linear(m) = dm::parse_target(&bad("linear", "/dev/pmem0 0")).unwrap() else {
        panic!()
    };
    assert_eq!((m.device.as_str(), m.dev), ("/dev/pmem0", None));
}

/// Builds what DM_TABLE_STATUS returns after its header.
fn status_buffer(targets: &[(u64, u64, &str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (start, len, ty, params)) in targets.iter().enumerate() {
        let at = out.len();
        out.extend_from_slice(&start.to_ne_bytes());
        out.extend_from_slice(&len.to_ne_bytes());
        out.extend_from_slice(&0i32.to_ne_bytes());
        out.extend_from_slice(&0u32.to_ne_bytes()); // next, patched below
        let mut name = [0u8; 16];
        name[..ty.len()].copy_from_slice(ty.as_bytes());
        out.extend_from_slice(&name);
        out.extend_from_slice(params.as_bytes());
        out.push(0);
        while out.len() % 8 != 0 {
            out.push(0);
        }
        if i + 1 < targets.len() {
            let next = u32::try_from(out.len()).unwrap();
            out[at + 20..at + 24].copy_from_slice(&next.to_ne_bytes());
        }
    }
    out
}

#[test]
fn dm_status_buffer() {
    let buf = status_buffer(&[
        (0, 2_097_152, "linear", "259:2 0"),
        (
            2_097_152,
            2_097_152,
            "striped",
            "2 128 259:2 2097152 259:3 0",
        ),
    ]);
    let t = dm::parse_status_data(&buf, 2).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[1].start, t[1].length, t[1].target_type.as_str()),
        (2_097_152, 2_097_152, "striped")
    );
    assert_eq!(t[1].params, "2 128 259:2 2097152 259:3 0");
    assert!(dm::parse_status_data(&buf[..30], 1).is_err());
    assert!(dm::parse_status_data(&buf, 3).is_err());
    assert!(dm::parse_status_data(&[], 0).unwrap().is_empty());
}

#[test]
fn mountinfo_sample() {
    let m = mountinfo::parse(&common::read_data("mountinfo.txt"));
    assert_eq!(m.len(), 10, "the malformed line is skipped");
    let striped = mountinfo::mounts_of(&m, DevNum::new(253, 1));
    assert_eq!(striped.len(), 2);
    assert_eq!(striped[0].mount_point, "/mnt/striped data");
    assert_eq!(striped[1].root, "/sub");
    let ext = mountinfo::mounts_of(&m, DevNum::new(259, 4));
    assert_eq!(
        (ext[0].fstype.as_str(), ext[0].super_options.as_str()),
        ("ext4", "rw,dax")
    );
}

#[test]
fn sysfs_files() {
    let s = status::parse_stat(&common::read_data("sysfs_stat.txt")).unwrap();
    assert_eq!(
        (s.events, s.delivered_ranges, s.delivered_bytes),
        (3, 2, 1_052_672)
    );
    assert_eq!(
        (s.repaired_ranges, s.repaired_bytes, s.holder_calls),
        (1, 4096, 4)
    );
    let f = status::parse_failed(&common::read_data("sysfs_failed.txt")).unwrap();
    assert_eq!(
        (f[1].sector, f[1].sectors, f[1].offset, f[1].len),
        (2240, 2048, 2240 * 512, 1 << 20)
    );
}

struct FakeTables(HashMap<String, Vec<TargetLine>>);

impl Tables for FakeTables {
    fn table(&mut self, name: &str, _dev: DevNum) -> io::Result<Vec<TargetLine>> {
        let dm_name = match name {
            "dm-0" => "stripe",
            "dm-1" => "top",
            _ => return Err(io::Error::from_raw_os_error(6)),
        };
        Ok(self.0[dm_name].clone())
    }
}

#[test]
fn stack_of_made_up_system() {
    let fake = common::fake_system("stack");
    let sys = Sys::new(&fake.0);
    let mut t = FakeTables(tables());
    let st = stack::build(&sys, &[], &mut t).unwrap();
    assert_eq!(st.namespaces.len(), 3);
    let p0 = &st.namespaces[0];
    assert_eq!(p0.media.nd_device.as_deref(), Some("pfn0.1"));
    assert_eq!(p0.media.phys_start, Some(0x1_4020_0000));
    assert_eq!(p0.partitions[0].mounts[0].mount_point, "/mnt");
    assert!(p0.partitions[0].mounts[0].dax);
    let dm0 = &st.namespaces[1].holders[0];
    assert_eq!(
        (dm0.name.as_str(), dm0.dm_name.as_deref()),
        ("dm-0", Some("stripe"))
    );
    assert!(dm0.translated && dm0.tracked);
    assert_eq!(dm0.targets[0].members[1].name.as_deref(), Some("pmem2"));
    let dm1 = &dm0.holders[0];
    assert!(!dm1.translated, "a crypt target maps dm-0");
    assert_eq!(dm1.mounts.len(), 2);
    common::golden(
        "stack.json",
        &(serde_json::to_string_pretty(&st).unwrap() + "\n"),
    );
    common::golden("stack.txt", &stack::render_human(&st));

    // One namespace by name, path or number; the namespaces under a
    // partition or a mapped device; errors for the rest.
    let ns = |arg: &str| stack::namespaces_arg(&sys, arg);
    assert_eq!(ns("pmem1").unwrap(), ["pmem1"]);
    assert_eq!(ns("259:2").unwrap(), ["pmem1"]);
    assert_eq!(ns("pmem0p1").unwrap(), ["pmem0"]);
    assert_eq!(ns("dm-1").unwrap(), ["pmem1", "pmem2"]);
    assert_eq!(ns("/dev/mapper/top").unwrap(), ["pmem1", "pmem2"]);
    // /dev/pmem1 is not in the made-up /dev.
    assert_eq!(ns("/dev/pmem1").unwrap_err().exit_code, 4);
    let e = ns("pmem9").unwrap_err();
    assert_eq!(e.exit_code, 4);
    assert!(e.hint.unwrap().contains("mfroute stack"));
    assert_eq!(ns("..").unwrap_err().exit_code, 4);
    // A device-dax instance by name or path: itself, with nothing above.
    assert_eq!(ns("dax1.0").unwrap(), ["dax1.0"]);
    assert_eq!(ns("/dev/dax1.0").unwrap(), ["dax1.0"]);
    assert_eq!(ns("dax1.9").unwrap_err().exit_code, 4);
    let one = stack::build(&sys, &ns("/dev/dax1.0").unwrap(), &mut t).unwrap();
    assert!(one.namespaces.is_empty());
    assert_eq!(one.devdax, st.devdax);
}

/// Tables that fail with `errno`.
struct FailingTables(i32);

impl Tables for FailingTables {
    fn table(&mut self, _name: &str, _dev: DevNum) -> io::Result<Vec<TargetLine>> {
        Err(io::Error::from_raw_os_error(self.0))
    }
}

#[test]
fn stack_without_tables() {
    let fake = common::fake_system("stack-no-tables");
    let sys = Sys::new(&fake.0);
    assert!(sys.is_dm("dm-0") && sys.is_dm("dm-1"));
    assert!(!sys.is_dm("pmem1") && !sys.is_dm("pmem0p1") && !sys.is_dm("nothing"));
    // A table that cannot be read is a note, and nothing is translated
    // through the device.
    let st = stack::build(&sys, &["pmem1".into()], &mut FailingTables(6)).unwrap();
    let dm0 = &st.namespaces[0].holders[0];
    assert_eq!(
        dm0.note.as_deref(),
        Some("table unavailable: No such device or address (os error 6)")
    );
    assert!(!dm0.translated && dm0.targets.is_empty());
    assert_eq!(dm0.holders[0].name, "dm-1");
    // Not allowed to read it: the rest is shown, with what is missing.
    let st = stack::build(&sys, &["pmem1".into()], &mut FailingTables(13)).unwrap();
    let dm0 = &st.namespaces[0].holders[0];
    assert_eq!(
        dm0.note.as_deref(),
        Some(
            "table not read: device-mapper tables need CAP_SYS_ADMIN and access to \
             /dev/mapper/control (run it as root): Permission denied (os error 13)"
        )
    );
    assert!(!dm0.translated && dm0.targets.is_empty());
    assert_eq!(dm0.holders[0].name, "dm-1");
    assert!(
        stack::render_human(&st).contains("whether failures are translated up to it is not known")
    );
}

/// A made-up pmem0p1 under a chain of ten device-mapper devices, dm-10 on
/// pmem0p1, dm-11 on dm-10, ... dm-19 on dm-18, and a holder of pmem0p1
/// that is not a device-mapper device (md0).
fn deep_system(name: &str) -> common::Scratch {
    let fake = common::fake_system(name);
    let class = "/sys/class/block";
    let below = |n: u32| {
        if n == 10 {
            "pmem0p1".to_string()
        } else {
            format!("dm-{}", n - 1)
        }
    };
    for n in 10..20 {
        fake.file(&format!("{class}/dm-{n}/dev"), &format!("253:{n}\n"))
            .dir(&format!("{class}/dm-{n}/dm"))
            .dir(&format!("{class}/dm-{n}/slaves/{}", below(n)))
            .dir(&format!("{class}/dm-{n}/holders"));
        if n > 10 {
            fake.dir(&format!("{class}/dm-{}/holders/dm-{n}", n - 1));
        }
    }
    fake.dir("/sys/devices/virtual/block/pmem0/pmem0p1/holders/dm-10")
        .dir("/sys/devices/virtual/block/pmem0/pmem0p1/holders/md0")
        .file(&format!("{class}/md0/dev"), "9:0\n")
        .dir(&format!("{class}/md0/slaves/pmem0p1"));
    fake
}

#[test]
fn deep_stacks_are_cut() {
    let fake = deep_system("stack-deep");
    let sys = Sys::new(&fake.0);
    let mut t = FakeTables(tables());
    let st = stack::build(&sys, &["pmem0".into()], &mut t).unwrap();
    // md0 is not a device-mapper device: left out.  Of the chain, the
    // first eight levels are shown.
    let mut level = &st.namespaces[0].partitions[0].holders;
    let mut names = Vec::new();
    while let [one] = level.as_slice() {
        names.push(one.name.clone());
        level = &one.holders;
    }
    assert!(level.is_empty(), "{level:?}");
    let want: Vec<String> = (10..18).map(|n| format!("dm-{n}")).collect();
    assert_eq!(names, want);

    // From the top down: pmem0 is found eight levels down, not nine
    // (from dm-16: dm-16 .. dm-10 at 0 .. 6, pmem0p1 at 7, pmem0 at 8).
    let ns = |arg: &str| stack::namespaces_arg(&sys, arg);
    assert_eq!(ns("dm-10").unwrap(), ["pmem0"]);
    assert_eq!(ns("dm-16").unwrap(), ["pmem0"]);
    assert_eq!(ns("dm-17").unwrap_err().exit_code, 4);
    assert_eq!(ns("dm-19").unwrap_err().exit_code, 4);
    assert_eq!(ns("md0").unwrap(), ["pmem0"]);
}

#[test]
fn status_of_made_up_system() {
    let fake = common::fake_system("status");
    let sys = Sys::new(&fake.0);
    let st = status::read(&sys, None).unwrap();
    assert_eq!(st.version, "0.2.0");
    assert_eq!(st.devices.len(), 2);
    common::golden(
        "status.json",
        &(serde_json::to_string_pretty(&st).unwrap() + "\n"),
    );
    common::golden("status.txt", &status::render_human(&st));
    let one = status::read(&sys, Some("pmem0")).unwrap();
    assert_eq!(one.devices.len(), 1);
    assert_eq!(one.devices[0].name, "pmem0");
    assert_eq!(one.devices[0], st.devices[1]);
    let one = status::read(&sys, Some("dm-0")).unwrap();
    assert_eq!(one.devices, st.devices[..1]);
    assert_eq!(status::read(&sys, Some("pmem7")).unwrap_err().exit_code, 4);
    let empty = common::Scratch::new("status-unloaded");
    let e = status::read(&Sys::new(&empty.0), None).unwrap_err();
    assert_eq!(e.exit_code, 3);
    assert!(e.hint.unwrap().contains("modprobe mfroute"));
}

#[test]
fn place_of_made_up_pmem() {
    let fake = common::fake_system("place");
    let sys = Sys::new(&fake.0);
    // Through its pfn device, to the namespace that the pfn names.
    assert_eq!(sys.place_of("pmem0"), Some(common::pmem0_place()));
    let p1 = sys.place_of("pmem1").unwrap();
    assert_eq!(
        (p1.namespace.as_str(), p1.region.as_str()),
        ("namespace1.0", "region1")
    );
    assert_eq!(p1.dimms.len(), 1);
    assert_eq!(sys.place_of("dm-0"), None);
}

#[test]
fn place_of_made_up_devdax() {
    let fake = common::fake_system("place-devdax");
    let sys = Sys::new(&fake.0);
    // mfroute names an instance by its character device's number.
    let p = sys.place_of("dax252:0").unwrap();
    assert_eq!(
        (p.namespace.as_str(), p.region.as_str(), p.dimms.len()),
        ("namespace1.1", "region1", 1)
    );
    // Not an instance as mfroute names it; not on this system.
    assert_eq!(Sys::devdax_number("dax1.0"), None);
    assert_eq!(sys.place_of("dax252:1"), None);
}

#[test]
fn above_made_up_pmem() {
    let fake = common::fake_system("above");
    let sys = Sys::new(&fake.0);
    let mut t = FakeTables(tables());
    let st = stack::build(&sys, &["pmem1".to_string()], &mut t).unwrap();
    let ns = &st.namespaces[0];
    let at = |off: u64, len: u64| -> Vec<(String, u64, u64)> {
        above::above(ns, off, len)
            .into_iter()
            .map(|a| (a.name, a.offset, a.len))
            .collect()
    };
    // pmem1 is stripe 0 of dm-0 (64 KiB chunks): its chunk 9 is dm-0's
    // chunk 18, at 1152 KiB, which dm-1's linear target maps from 1 MiB.
    assert_eq!(
        at(576 << 10, 8 << 10),
        [
            ("dm-0".to_string(), 1152 << 10, 8 << 10),
            ("dm-1".to_string(), 128 << 10, 8 << 10)
        ]
    );
    // Across a chunk boundary: two pieces of dm-0, below what dm-1 maps.
    assert_eq!(
        at(60 << 10, 8 << 10),
        [
            ("dm-0".to_string(), 60 << 10, 4 << 10),
            ("dm-0".to_string(), 128 << 10, 4 << 10)
        ]
    );
    // Past what dm-0 maps of pmem1: nothing above.
    assert!(at(4 << 30, 4096).is_empty());
}
