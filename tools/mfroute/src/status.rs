// SPDX-License-Identifier: GPL-2.0
//! `mfroute status`: the per-device counters and failed ranges in
//! `/sys/kernel/mfroute`.

use crate::advice;
use crate::dev::DevNum;
use crate::error::{Error, Result};
use crate::hit::{self, Hit};
use crate::resolve::SystemResolver;
use crate::sysfs::{list_dir, Place, Sys};
use crate::units::{self, SECTOR};
use serde::Serialize;
use std::fmt::Write as _;

/// Where the module shows itself.
pub const MFROUTE_SYSFS: &str = "/sys/kernel/mfroute";

/// The counters of one device (`devices/<name>/stat`, twelve numbers in
/// this order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stat {
    /// Failure events that reached the device.
    pub events: u64,
    /// Ranges delivered to holders.
    pub delivered_ranges: u64,
    /// Bytes in them.
    pub delivered_bytes: u64,
    /// Ranges absorbed (delivered before).
    pub absorbed_ranges: u64,
    /// Bytes in them.
    pub absorbed_bytes: u64,
    /// Ranges left to the per-page path.
    pub fallback_ranges: u64,
    /// Bytes in them.
    pub fallback_bytes: u64,
    /// Ranges a holder returned an error for.
    pub errors_ranges: u64,
    /// Bytes in them.
    pub errors_bytes: u64,
    /// Ranges repaired.
    pub repaired_ranges: u64,
    /// Bytes in them.
    pub repaired_bytes: u64,
    /// Holder callbacks made.
    pub holder_calls: u64,
}

/// Parses a `stat` file: twelve decimal numbers on one line (later
/// numbers, if a newer module adds some, are ignored).
pub fn parse_stat(text: &str) -> std::result::Result<Stat, String> {
    let n: Vec<u64> = text
        .split_whitespace()
        .map(|t| t.parse().map_err(|_| format!("'{t}' is not a number")))
        .collect::<std::result::Result<_, _>>()?;
    if n.len() < 12 {
        return Err(format!("{} numbers, expected 12", n.len()));
    }
    Ok(Stat {
        events: n[0],
        delivered_ranges: n[1],
        delivered_bytes: n[2],
        absorbed_ranges: n[3],
        absorbed_bytes: n[4],
        fallback_ranges: n[5],
        fallback_bytes: n[6],
        errors_ranges: n[7],
        errors_bytes: n[8],
        repaired_ranges: n[9],
        repaired_bytes: n[10],
        holder_calls: n[11],
    })
}

/// A failed range, in 512-byte sectors of the device (`failed`, like
/// `/sys/block/*/badblocks`), with the same range in bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailedRange {
    /// First sector.
    pub sector: u64,
    /// Sectors.
    pub sectors: u64,
    /// First byte.
    pub offset: u64,
    /// Bytes.
    pub len: u64,
    /// What it hit in the filesystems mounted on the device, its
    /// partitions and the device-mapper devices above (`--resolve`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits: Option<Vec<Damage>>,
}

/// What a failed range hit in one filesystem, and the next step: one
/// line per owner piece, in their order, or one for a filesystem that
/// shut down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Damage {
    /// The hit, as `mfroute monitor` prints it.
    #[serde(flatten)]
    pub hit: Hit,
    /// The next steps.
    pub advice: Vec<String>,
}

/// Parses a `failed` file: one `START LENGTH` line per range.
pub fn parse_failed(text: &str) -> std::result::Result<Vec<FailedRange>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            let (Some(s), Some(n), None) = (it.next(), it.next(), it.next()) else {
                return Err(format!("'{l}' is not 'START LENGTH'"));
            };
            let sector: u64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
            let sectors: u64 = n.parse().map_err(|_| format!("'{n}' is not a number"))?;
            Ok(FailedRange {
                sector,
                sectors,
                offset: sector.saturating_mul(SECTOR),
                len: sectors.saturating_mul(SECTOR),
                hits: None,
            })
        })
        .collect()
}

/// One device the router tracks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceStatus {
    /// Kernel name.
    pub name: String,
    /// Device number.
    pub dev: DevNum,
    /// Counters.
    pub stat: Stat,
    /// Currently failed ranges.
    pub failed: Vec<FailedRange>,
    /// With `--resolve`, the ranges of the block device's `badblocks`
    /// that no failed range covers, resolved the same way: what the
    /// platform reported (address range scrub, machine checks) and the
    /// router did not remember, such as ranges left to the per-page path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badblocks: Option<Vec<FailedRange>>,
    /// Where its media is (`--resolve`; `null` when not a pmem disk of
    /// the nvdimm bus).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Option<Place>>,
}

/// Everything `mfroute status` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The module's version.
    pub version: String,
    /// Tracked devices, by name.
    pub devices: Vec<DeviceStatus>,
}

/// Whether the module is loaded.
pub fn loaded(sys: &Sys) -> bool {
    sys.path(MFROUTE_SYSFS).is_dir()
}

/// Reads `/sys/kernel/mfroute`; `only` restricts it to one device.
pub fn read(sys: &Sys, only: Option<&str>) -> Result<Status> {
    if !loaded(sys) {
        return Err(Error::not_loaded());
    }
    let base = std::path::Path::new(MFROUTE_SYSFS);
    let version = sys
        .read(base.join("version"))
        .map_err(|e| Error::io("reading", &sys.path(base.join("version")), &e))?;
    let mut names = list_dir(&sys.path(base.join("devices")));
    names.sort();
    if let Some(want) = only {
        if !names.iter().any(|n| n == want) {
            return Err(Error::unknown_device(
                format!("mfroute does not track {want}: no failure and no holder on it yet"),
                "run 'mfroute status' to list the devices it tracks",
            ));
        }
        names.retain(|n| n == want);
    }
    let mut devices = Vec::new();
    for name in names {
        let dir = base.join("devices").join(&name);
        let read = |f: &str| {
            sys.read(dir.join(f))
                .map_err(|e| Error::io("reading", &sys.path(dir.join(f)), &e))
        };
        let bad =
            |f: &str, e: String| Error::failed(format!("{}: {e}", sys.path(dir.join(f)).display()));
        let dev = read("dev")?;
        devices.push(DeviceStatus {
            dev: dev
                .parse()
                .map_err(|_| bad("dev", format!("'{dev}' is not MAJ:MIN")))?,
            stat: parse_stat(&read("stat")?).map_err(|e| bad("stat", e))?,
            failed: parse_failed(&read("failed")?).map_err(|e| bad("failed", e))?,
            name,
            badblocks: None,
            place: None,
        });
    }
    Ok(Status { version, devices })
}

/// Resolves every failed range of `st` to what it hit now, with advice,
/// and names where each device's media is.
pub fn resolve(sys: &Sys, st: &mut Status) {
    let mut resolver = SystemResolver::new(sys.clone());
    for d in &mut st.devices {
        d.place = Some(sys.place_of(&d.name));
        // A device without the file (not a disk, or gone) has none.
        let bad = sys
            .read(format!("/sys/block/{}/badblocks", d.name))
            .ok()
            .and_then(|t| parse_failed(&t).ok())
            .unwrap_or_default();
        let known: Vec<(u64, u64)> = d.failed.iter().map(|f| (f.sector, f.sectors)).collect();
        let mut extra = Vec::new();
        for b in bad {
            for (sector, sectors) in hit::gaps(b.sector, b.sectors, &known) {
                extra.push(FailedRange {
                    sector,
                    sectors,
                    offset: sector.saturating_mul(SECTOR),
                    len: sectors.saturating_mul(SECTOR),
                    hits: None,
                });
            }
        }
        let stack = resolver.stack_of(&d.name);
        for f in d.failed.iter_mut().chain(extra.iter_mut()) {
            let hits = resolver.resolve_range_in(&stack, &d.name, d.dev, f.offset, f.len);
            f.hits = Some(
                hits.into_iter()
                    .map(|hit| Damage {
                        advice: advice::for_hit(&hit),
                        hit,
                    })
                    .collect(),
            );
        }
        d.badblocks = Some(extra);
    }
}

fn ranges(n: u64, bytes: u64) -> String {
    match n {
        0 => "none".to_string(),
        1 => format!("1 range, {}", units::size(bytes)),
        _ => format!("{n} ranges, {}", units::size(bytes)),
    }
}

/// `mfroute status` in words.
pub fn render_human(st: &Status) -> String {
    let mut s = format!("mfroute {}: ", st.version);
    match st.devices.len() {
        0 => s.push_str("no device has seen a failure or a holder yet\n"),
        1 => s.push_str("1 device\n"),
        n => {
            let _ = writeln!(s, "{n} devices");
        }
    }
    for d in &st.devices {
        let t = &d.stat;
        let _ = writeln!(
            s,
            "\n{} ({}): {} failure event{}, {} holder call{}",
            d.name,
            d.dev,
            t.events,
            if t.events == 1 { "" } else { "s" },
            t.holder_calls,
            if t.holder_calls == 1 { "" } else { "s" },
        );
        let rows = [
            ("told to holders", t.delivered_ranges, t.delivered_bytes),
            ("already known", t.absorbed_ranges, t.absorbed_bytes),
            ("per-page path", t.fallback_ranges, t.fallback_bytes),
            ("holder errors", t.errors_ranges, t.errors_bytes),
            ("repaired", t.repaired_ranges, t.repaired_bytes),
        ];
        for (what, n, b) in rows {
            let _ = writeln!(s, "  {what:<16} {}", ranges(n, b));
        }
        if d.failed.is_empty() {
            let _ = writeln!(s, "  {:<16} none", "failed now");
        }
        range_rows(&mut s, "failed now", &d.failed, "");
        let bad = d.badblocks.as_deref().unwrap_or_default();
        range_rows(&mut s, "bad blocks", bad, ", not failed in mfroute");
        if let Some(place) = &d.place {
            let where_ = place.as_ref().map_or_else(
                || "not a pmem namespace".into(),
                crate::monitor::place_words,
            );
            let _ = writeln!(s, "  {:<16} {where_}", "media");
        }
    }
    s
}

/// A row per range, the first labelled, each followed by what it hit
/// (`--resolve`).
fn range_rows(s: &mut String, label: &str, ranges: &[FailedRange], note: &str) {
    for (i, f) in ranges.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {:<16} {} at byte {:#x} (sectors {}..{}){note}",
            if i == 0 { label } else { "" },
            units::size(f.len),
            f.offset,
            f.sector,
            (f.sector + f.sectors).saturating_sub(1),
        );
        if let Some(hits) = &f.hits {
            damage_words(s, hits);
        }
    }
}

/// What a failed range hit, under it: a line per filesystem, then each
/// owner and its next step.
fn damage_words(s: &mut String, hits: &[Damage]) {
    const INDENT: &str = "                   ";
    if hits.is_empty() {
        let _ = writeln!(s, "{INDENT}in no mounted filesystem");
    }
    for d in hits {
        let h = &d.hit;
        let device = h.device.as_deref().unwrap_or("?");
        let fs = match (&h.fstype, &h.mount) {
            (Some(t), Some(m)) => format!("{t} on {m}"),
            _ => "a filesystem".into(),
        };
        let _ = writeln!(
            s,
            "{INDENT}{device} bytes {}, {fs}:",
            units::byte_range(h.offset, h.len)
        );
        if h.owners.is_empty() {
            let why = h.message.as_deref().unwrap_or("nothing found");
            let _ = writeln!(s, "{INDENT}  {why}");
        }
        for (i, p) in h.owners.iter().enumerate() {
            let _ = writeln!(s, "{INDENT}  {}", hit::piece_words(p));
            if let Some(a) = d.advice.get(i) {
                let _ = writeln!(s, "{INDENT}    next: {a}");
            }
        }
        if h.owners.is_empty() {
            for a in &d.advice {
                let _ = writeln!(s, "{INDENT}    next: {a}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_file() {
        let s = parse_stat("3 2 1052672 1 4096 0 0 0 0 0 0 4\n").unwrap();
        assert_eq!(s.events, 3);
        assert_eq!(s.delivered_bytes, 1_052_672);
        assert_eq!(s.holder_calls, 4);
        assert!(parse_stat("1 2 3").is_err());
        assert!(parse_stat("1 2 3 4 5 6 7 8 9 10 11 x").is_err());
        assert_eq!(
            parse_stat("1 2 3 4 5 6 7 8 9 10 11 12 13")
                .unwrap()
                .holder_calls,
            12
        );
    }

    #[test]
    fn failed_file() {
        let f = parse_failed("216 8\n2240 2048\n").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].offset, f[0].len), (0x1b000, 0x1000));
        assert!(parse_failed("").unwrap().is_empty());
        assert!(parse_failed("1").is_err());
        assert!(parse_failed("1 2 3").is_err());
    }
}
