// SPDX-License-Identifier: GPL-2.0
//! The monitor's output for a recorded session, JSON and words, against
//! checked-in golden files, with deliveries resolved by a stand-in for the
//! system resolver.

mod common;

use mfroute::clock::WallClock;
use mfroute::dev::DevNum;
use mfroute::hit::{Hit, HitStatus, Owner, Piece};
use mfroute::monitor::{Format, Monitor, Output};
use mfroute::resolve::Resolve;
use mfroute::sysfs::Place;
use mfroute::trace::{Deliver, Fallback};
use std::collections::HashMap;

/// Hits by (seq, kind, sector); what is not listed is not mounted.
struct Canned {
    hits: HashMap<(u64, &'static str, u64), Hit>,
    asked: Vec<(u64, String, u64)>,
}

fn file(
    offset: u64,
    len: u64,
    inode: u64,
    path: Option<&str>,
    file_offset: u64,
    unwritten: bool,
) -> Piece {
    Piece {
        offset,
        len,
        owner: Owner::File {
            inode,
            path: path.map(str::to_string),
            file_offset,
            unwritten,
            shared: false,
        },
    }
}

fn ok(device: &str, dev: DevNum, mount: &str, offset: u64, len: u64, owners: Vec<Piece>) -> Hit {
    Hit {
        status: HitStatus::Ok,
        message: None,
        device: Some(device.into()),
        dev: Some(dev),
        mount: Some(mount.into()),
        fstype: Some("xfs".into()),
        offset,
        len,
        owners,
    }
}

impl Canned {
    fn new() -> Self {
        let mut hits = HashMap::new();
        let pmem0 = DevNum::new(259, 0);
        let data = ok(
            "pmem0",
            pmem0,
            "/mnt",
            0x1b000,
            0x1000,
            vec![file(0x1b000, 0x1000, 131, Some("/mnt/data"), 0x3000, false)],
        );
        hits.insert((1, "holder", 216), data.clone());
        hits.insert((1, "filesystem", 216), data);
        let dm0 = DevNum::new(253, 0);
        let striped = ok(
            "dm-0",
            dm0,
            "/mnt/striped data",
            0x1f410000,
            0x10000,
            vec![
                Piece {
                    offset: 0x1f410000,
                    len: 0x8000,
                    owner: Owner::Metadata { kind: "log".into() },
                },
                file(0x1f418000, 0x8000, 1029, None, 0, true),
            ],
        );
        hits.insert((3, "holder", 1_024_128), striped.clone());
        hits.insert((3, "filesystem", 1_024_128), striped);
        let mut down = Hit::failed(
            HitStatus::FsShutdown,
            "the filesystem has shut down and cannot say what was hit (EIO)",
            0x1f430000,
            0x10000,
        );
        down.device = Some("dm-0".into());
        down.dev = Some(dm0);
        down.mount = Some("/mnt/striped data".into());
        down.fstype = Some("xfs".into());
        hits.insert((3, "filesystem", 1_024_384), down);
        let p1 = DevNum::new(259, 1);
        let part = ok(
            "pmem0p1",
            p1,
            "/mnt",
            0x1000,
            0x8000,
            vec![file(0x1000, 0x8000, 2051, Some("/mnt/d1/f"), 0x1000, false)],
        );
        hits.insert((4, "holder", 8), part.clone());
        hits.insert((4, "filesystem", 8200), part);
        hits.insert(
            (8, "filesystem", 40),
            ok(
                "pmem0",
                pmem0,
                "/mnt",
                0x5000,
                0x1000,
                vec![
                    Piece {
                        offset: 0x5000,
                        len: 0x800,
                        owner: Owner::Free,
                    },
                    Piece {
                        offset: 0x5800,
                        len: 0x400,
                        owner: Owner::NoFile,
                    },
                    Piece {
                        offset: 0x5c00,
                        len: 0x400,
                        owner: Owner::Xattr {
                            inode: 140,
                            path: Some("/mnt/x".into()),
                        },
                    },
                ],
            ),
        );
        Self {
            hits,
            asked: Vec::new(),
        }
    }
}

impl Resolve for Canned {
    /// pmem0 is on two interleaved DIMMs, one without an NFIT id; pmem1's
    /// place is unknown.
    fn place(&mut self, name: &str) -> Option<Place> {
        (name == "pmem0").then(common::pmem0_place)
    }

    /// Event 5's page, left to the per-page path on pmem1, is page 2 of
    /// an ext4 file on dm-0 above it.
    fn resolve_left(&mut self, f: &Fallback) -> Vec<Hit> {
        if f.seq != 5 {
            return Vec::new();
        }
        let mut h = ok(
            "dm-0",
            DevNum::new(253, 0),
            "/mnt/ext4",
            0x4000_2000,
            4096,
            vec![file(
                0x4000_2000,
                4096,
                12,
                Some("/mnt/ext4/f"),
                8192,
                false,
            )],
        );
        h.fstype = Some("ext4".into());
        vec![h]
    }

    fn resolve(&mut self, d: &Deliver) -> Hit {
        self.asked
            .push((d.seq, d.kind.as_str().to_string(), d.sector));
        let key = self
            .hits
            .keys()
            .find(|k| k.0 == d.seq && k.1 == d.kind.as_str() && k.2 == d.sector)
            .copied();
        match key.and_then(|k| self.hits.get(&k)) {
            Some(h) => h.clone(),
            None => {
                let mut h = Hit::failed(
                    HitStatus::NotMounted,
                    format!("no filesystem is mounted on {} there", d.name),
                    d.sector * 512,
                    d.nr_sectors * 512,
                );
                h.device = Some(d.name.clone());
                h.dev = Some(d.dev);
                h
            }
        }
    }
}

/// The recording's trace times as if on the boot clock of a machine booted
/// at 2026-12-06T00:00:00Z.
fn clock() -> WallClock {
    WallClock::fixed(1_796_515_200_000_000_000, jiff::tz::TimeZone::UTC)
}

/// Renders the recording; without `clock`, as a recording of unknown clock
/// (what `mfroute monitor --from` prints).
fn run_with(
    format: Format,
    resolver: Option<&mut dyn Resolve>,
    clock: Option<WallClock>,
) -> (String, usize) {
    render("trace_pipe.txt", format, resolver, clock)
}

/// Renders the trace in `tests/data/NAME`, as [`run_with`] does; returns
/// the output and the number of lines that did not parse.
fn render(
    name: &str,
    format: Format,
    resolver: Option<&mut dyn Resolve>,
    clock: Option<WallClock>,
) -> (String, usize) {
    let mut mon = Monitor::new(format, resolver);
    if let Some(c) = clock {
        mon = mon.clock(c);
    }
    let mut out = String::new();
    let mut errors = 0;
    for line in common::read_data(name).lines() {
        match mon.line(line) {
            Ok(Output::Record(s, _)) => {
                out.push_str(&s);
                out.push('\n');
            }
            Ok(Output::Lost(_) | Output::Nothing) => {}
            Err(_) => errors += 1,
        }
    }
    (out, errors)
}

fn run(format: Format, resolver: Option<&mut dyn Resolve>) -> (String, usize) {
    run_with(format, resolver, Some(clock()))
}

#[test]
fn json_golden() {
    let mut r = Canned::new();
    let (out, errors) = run(Format::Json, Some(&mut r));
    assert_eq!(errors, 3);
    common::golden("monitor.jsonl", &out);
    // Poison deliveries are resolved; removals and repairs are not.
    let seqs: Vec<u64> = r.asked.iter().map(|a| a.0).collect();
    assert_eq!(seqs, [1, 1, 3, 3, 3, 4, 4, 5, 8]);
}

#[test]
fn human_golden() {
    let mut r = Canned::new();
    let (out, _) = run(Format::Human, Some(&mut r));
    common::golden("monitor.txt", &out);
}

#[test]
fn json_unresolved_golden() {
    let (out, _) = run_with(Format::Json, None, None);
    common::golden("monitor-unresolved.jsonl", &out);
}

/// The promise of tool.rst: one object per line, the common keys first,
/// every documented key present for each event kind.
#[test]
fn json_shape() {
    let mut r = Canned::new();
    let (out, _) = run(Format::Json, Some(&mut r));
    let common_keys = [
        "timestamp",
        "boot_ns",
        "trace_time",
        "pid",
        "task",
        "cpu",
        "system",
        "event",
    ];
    let keys_of = |event: &str| -> &[&str] {
        match event {
            "mfroute_event" => &[
                "seq",
                "maj_min",
                "blockdev",
                "offset_bytes",
                "len_bytes",
                "flags",
                "flags_raw",
                "origin",
                "namespace",
                "region",
                "dimms",
            ],
            "mfroute_deliver" => &[
                "seq",
                "kind",
                "maj_min",
                "blockdev",
                "sector",
                "nr_sectors",
                "flags",
                "flags_raw",
                "result",
                "error",
                "hit",
            ],
            // A fallback's are an absorb's and "hits" (below).
            "mfroute_absorb" | "mfroute_fallback" => &[
                "seq",
                "maj_min",
                "blockdev",
                "offset_bytes",
                "len_bytes",
                "reason",
            ],
            _ => &["fields"],
        }
    };
    let mut kinds = std::collections::BTreeSet::new();
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let o = v.as_object().unwrap();
        let event = o["event"].as_str().unwrap();
        kinds.insert(event.to_string());
        let mut want: Vec<&str> = common_keys.iter().chain(keys_of(event)).copied().collect();
        if event == "mfroute_fallback" {
            want.push("hits");
        }
        let got: Vec<&str> = o.keys().map(String::as_str).collect();
        let mut sorted_want = want.clone();
        sorted_want.sort_unstable();
        assert_eq!(got, sorted_want, "{line}");
        // Key order on the line is the documented one.
        let pos: Vec<usize> = want
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "key order: {line}");
        let tt = o["trace_time"].as_str().unwrap();
        let (s, ns) = tt.split_once('.').unwrap();
        assert!(s.parse::<u64>().is_ok() && ns.len() == 9, "{tt}");
        // The same instant three ways: wall clock, boot clock, trace text.
        let boot_ns = o["boot_ns"].as_u64().unwrap();
        assert_eq!(
            boot_ns,
            s.parse::<u64>().unwrap() * 1_000_000_000 + ns.parse::<u64>().unwrap()
        );
        let ts: jiff::Timestamp = o["timestamp"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            ts.as_nanosecond(),
            1_796_515_200_000_000_000 + i128::from(boot_ns)
        );
        if let Some(dimms) = o.get("dimms").and_then(|d| d.as_array()) {
            for d in dimms {
                let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys, ["dev", "id"], "dimms: {line}");
            }
        }
        if let Some(h) = o.get("hit").and_then(|h| h.as_object()) {
            for k in [
                "status",
                "message",
                "blockdev",
                "maj_min",
                "mount",
                "fstype",
                "offset_bytes",
                "len_bytes",
                "owners",
            ] {
                assert!(h.contains_key(k), "hit.{k}: {line}");
            }
            for p in h["owners"].as_array().unwrap() {
                let p = p.as_object().unwrap();
                assert!(
                    p.contains_key("offset_bytes")
                        && p.contains_key("len_bytes")
                        && p.contains_key("type")
                );
                if p["type"] == "file" {
                    for k in ["inode", "path", "file_offset_bytes", "unwritten", "shared"] {
                        assert!(p.contains_key(k), "file.{k}");
                    }
                }
            }
        }
    }
    let want: std::collections::BTreeSet<String> = [
        "mfroute_event",
        "mfroute_deliver",
        "mfroute_absorb",
        "mfroute_fallback",
        "mfroute_ledger",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(kinds, want);
}

/// The records of the kernel, as `make tool-fixtures` recorded them in a
/// guest: every line parses, and it has each of the four tracepoints.
#[test]
fn recorded_trace_parses() {
    let text = common::read_data("trace_recorded.txt");
    let mut kinds = std::collections::BTreeSet::new();
    for line in text.lines() {
        match mfroute::trace::parse_line(line) {
            Ok(mfroute::trace::Line::Record(r)) => {
                kinds.insert(r.event.name().to_string());
            }
            Ok(mfroute::trace::Line::Comment) => {}
            other => panic!("trace_recorded.txt: {line}: {other:?}"),
        }
    }
    for k in [
        "mfroute_event",
        "mfroute_deliver",
        "mfroute_absorb",
        "mfroute_fallback",
    ] {
        assert!(kinds.contains(k), "trace_recorded.txt has no {k}");
    }
}

/// The recording in JSON, unresolved, as on the boot clock of a machine
/// booted at 2026-12-06T00:00:00Z.
#[test]
fn recorded_json_golden() {
    let (out, errors) = render("trace_recorded.txt", Format::Json, None, Some(clock()));
    assert_eq!(errors, 0);
    common::golden("monitor-recorded.jsonl", &out);
}

/// `tracepoint: key=value ...` keys of a trace line, with its tracepoint.
fn keys_of_line(line: &str) -> Option<(String, Vec<String>)> {
    let (_, rest) = line.split_once(": mfroute_")?;
    let (name, fields) = rest.split_once(": ")?;
    let keys = fields
        .split(' ')
        .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string()))
        .collect();
    Some((format!("mfroute_{name}"), keys))
}

/// The hand-written recording (for the records a guest cannot make on
/// demand) prints each tracepoint's fields as the kernel does: the same
/// keys in the same order as in the real one.
#[test]
fn hand_written_matches_recorded() {
    let mut real: HashMap<String, Vec<String>> = HashMap::new();
    for line in common::read_data("trace_recorded.txt").lines() {
        if let Some((name, keys)) = keys_of_line(line) {
            let seen = real.entry(name.clone()).or_insert_with(|| keys.clone());
            assert_eq!(*seen, keys, "the kernel printed {name} two ways");
        }
    }
    let mut compared = 0;
    for line in common::read_data("trace_pipe.txt").lines() {
        let Some((name, keys)) = keys_of_line(line) else {
            continue;
        };
        // Cut short on purpose, for the parser's errors.
        if line.ends_with(": mfroute_deliver: seq=9 kind=holder dev=259:0") {
            continue;
        }
        if let Some(want) = real.get(&name) {
            assert_eq!(&keys, want, "trace_pipe.txt: {line}");
            compared += 1;
        }
    }
    assert!(compared > 10, "only {compared} lines compared");
}
