// SPDX-License-Identifier: GPL-2.0

//! Brute-force models and contract checks shared by the property tests.

use std::collections::BTreeMap;

use mfroute_route::route::range::ByteRange;
use mfroute_route::route::sink::FnSink;
use mfroute_route::route::translate::{translate, DeviceId, Mode, Translate};
use mfroute_route::route::RouteError;

/// Bytes per sector.
pub const SECTOR: u64 = 512;

/// Per upper sector: the lower device and sector backing it, if any.
pub type SectorMap = Vec<Option<(DeviceId, u64)>>;

/// Builds a byte range from bounds, for test code.
pub fn br(start: u64, end: u64) -> ByteRange {
    ByteRange::from_bounds(start, end).expect("test range")
}

/// Merges sorted pieces that touch into maximal ranges.
pub fn merge_sorted(pieces: impl IntoIterator<Item = ByteRange>) -> Vec<ByteRange> {
    let mut out: Vec<ByteRange> = Vec::new();
    for p in pieces {
        if let Some(last) = out.last_mut() {
            assert!(p.start() >= last.start(), "model pieces out of order");
            if let Some(m) = last.merge(&p) {
                *last = m;
                continue;
            }
        }
        out.push(p);
    }
    out
}

/// Returns the failed bytes of the upper device, given each lower device's
/// failed bytes (sorted, disjoint), by walking every upper sector.
pub fn lift(map: &SectorMap, failed: &BTreeMap<DeviceId, Vec<ByteRange>>) -> Vec<ByteRange> {
    let mut pieces = Vec::new();
    for (u, slot) in map.iter().enumerate() {
        let Some((dev, ls)) = *slot else { continue };
        let Some(set) = failed.get(&dev) else {
            continue;
        };
        let window = br(ls * SECTOR, (ls + 1) * SECTOR);
        for f in set {
            if let Some(hit) = f.intersect(&window) {
                let off = hit.start() - window.start();
                let start = u as u64 * SECTOR + off;
                pieces.push(br(start, start + hit.len()));
            }
        }
    }
    merge_sorted(pieces)
}

/// The model output for `mode`: exact for poison, one cover for pre-remove.
pub fn shape(exact: Vec<ByteRange>, mode: Mode) -> Vec<ByteRange> {
    match (mode, exact.first(), exact.last()) {
        (Mode::PreRemove, Some(f), Some(l)) => vec![br(f.start(), l.end())],
        _ => exact,
    }
}

/// Asserts the output contract: sorted, disjoint, coalesced, inside `size`.
pub fn assert_contract(out: &[ByteRange], size: u64) {
    for w in out.windows(2) {
        assert!(w[0].end() < w[1].start(), "not sorted/coalesced: {out:?}");
    }
    if let Some(last) = out.last() {
        assert!(
            last.end() <= size,
            "outside the device: {out:?} size {size}"
        );
    }
}

/// Asserts every output byte maps back (through `map`) into `failed` of `dev`.
pub fn assert_round_trip(out: &[ByteRange], map: &SectorMap, dev: DeviceId, failed: ByteRange) {
    for r in out {
        let mut pos = r.start();
        while pos < r.end() {
            let u = (pos / SECTOR) as usize;
            let (d, ls) = map[u].expect("output byte maps to nothing");
            assert_eq!(d, dev, "output byte from another device");
            let lower = ls * SECTOR + pos % SECTOR;
            assert!(failed.contains(lower), "invented byte {pos} -> {lower}");
            pos = ((u as u64 + 1) * SECTOR).min(r.end());
        }
    }
}

/// Runs `translate` and collects its output.
pub fn run(
    t: &dyn Translate,
    dev: DeviceId,
    range: ByteRange,
    mode: Mode,
) -> Result<Vec<ByteRange>, RouteError> {
    let mut out = Vec::new();
    translate(
        t,
        dev,
        range,
        mode,
        &mut FnSink(|r| {
            out.push(r);
            Ok(())
        }),
    )?;
    Ok(out)
}

/// Checks one translation of `range` on `dev` against `map` in both modes.
pub fn check_translator(t: &dyn Translate, map: &SectorMap, dev: DeviceId, range: ByteRange) {
    let size = map.len() as u64 * SECTOR;
    let failed = BTreeMap::from([(dev, vec![range])]);
    let exact = lift(map, &failed);
    for mode in [Mode::Poison, Mode::PreRemove] {
        let out = run(t, dev, range, mode).expect("translate");
        assert_contract(&out, size);
        assert_eq!(
            out,
            shape(exact.clone(), mode),
            "mode {mode:?} range {range:?}"
        );
    }
    assert_round_trip(&exact, map, dev, range);
    // A failure on a device the translator does not use maps to nothing.
    let other = DeviceId(0xdead);
    assert_eq!(
        run(t, other, range, Mode::Poison).expect("translate"),
        vec![]
    );
}
