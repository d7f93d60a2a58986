// SPDX-License-Identifier: GPL-2.0

//! Layouts against a per-sector model of dm-linear and dm-striped.

use proptest::prelude::*;

use mfroute_route::route::layout::Layout;
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::RouteError;

/// Bytes per sector.
const SECTOR: u64 = 512;

/// The member sector dm maps target sector `t` to (`stripe_map_sector()`,
/// or `linear_map_sector()` for one stripe), if it is on stripe `stripe`.
fn forward(t: u64, dev_start: u64, chunk: u64, stripes: u64, stripe: u64) -> Option<u64> {
    let (c, o) = (t / chunk, t % chunk);
    (c % stripes == stripe).then(|| dev_start + (c / stripes) * chunk + o)
}

/// A striped (or, with one stripe, linear) geometry and a member range.
fn geometry() -> impl Strategy<Value = (u64, u64, u64, u64, u64, u64, ByteRange)> {
    (1u64..5, 1u64..9, 1u64..5, 0u64..64, 0u64..64)
        .prop_flat_map(|(stripes, chunk, rows, begin, dev_start)| {
            let len = stripes * chunk * rows;
            let member_end = (dev_start + chunk * rows + 4) * SECTOR;
            (
                Just((stripes, chunk, len, begin, dev_start)),
                0..stripes,
                (0..member_end).prop_flat_map(move |s| (Just(s), 1..=member_end - s + 8)),
            )
        })
        .prop_map(
            |((stripes, chunk, len, begin, dev_start), stripe, (s, l))| {
                (
                    begin,
                    len,
                    dev_start,
                    chunk,
                    stripes,
                    stripe,
                    ByteRange::new(s, l).unwrap(),
                )
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Pieces cover exactly the member bytes the target maps, each mapping
    /// byte for byte as dm does, in member order; the cover spans them.
    #[test]
    fn pieces_match_dm(g in geometry()) {
        let (begin, len, dev_start, chunk, stripes, stripe, range) = g;
        let layout = Layout::striped(begin, len, dev_start, chunk, stripes, stripe).unwrap();
        // The model: every member byte in `range` that some target byte maps.
        let mut want = std::collections::BTreeMap::new();
        for t in 0..len {
            if let Some(m) = forward(t, dev_start, chunk, stripes, stripe) {
                for b in 0..SECTOR {
                    let mb = m * SECTOR + b;
                    if range.contains(mb) {
                        want.insert(mb, (begin + t) * SECTOR + b);
                    }
                }
            }
        }
        let mut got = std::collections::BTreeMap::new();
        let mut last_end = 0;
        layout
            .for_each_piece(range, &mut |m, u| -> Result<(), RouteError> {
                assert!(m.start() >= last_end, "pieces out of order");
                last_end = m.end();
                assert_eq!(m.len(), u.len());
                for i in 0..m.len() {
                    assert!(got.insert(m.start() + i, u.start() + i).is_none());
                }
                Ok(())
            })
            .unwrap();
        prop_assert_eq!(&got, &want);
        let cover = layout.cover(range).unwrap();
        match (want.values().min(), want.values().max()) {
            (Some(lo), Some(hi)) => {
                let c = cover.unwrap();
                prop_assert_eq!((c.start(), c.end()), (*lo, hi + 1));
            }
            _ => prop_assert_eq!(cover, None),
        }
    }

    /// A linear layout is one piece, shifted.
    #[test]
    fn linear_is_one_piece(begin in 0u64..1 << 20, len in 1u64..1 << 20, dev_start in 0u64..1 << 20,
                           s in 0u64..1 << 30, l in 1u64..1 << 30) {
        let layout = Layout::linear(begin, len, dev_start).unwrap();
        let range = ByteRange::new(s, l).unwrap();
        let mut n = 0;
        layout.for_each_piece(range, &mut |m, u| -> Result<(), RouteError> {
            n += 1;
            assert_eq!(u.start() - begin * SECTOR, m.start() - dev_start * SECTOR);
            Ok(())
        }).unwrap();
        let hits = range.intersect(&layout.window()).is_some();
        prop_assert_eq!(n, usize::from(hits));
    }

    /// Malformed layouts are refused, never a panic.
    #[test]
    fn new_never_panics(begin in any::<u64>(), len in any::<u64>(), dev_start in any::<u64>(),
                        chunk in any::<u64>(), stripes in any::<u64>(), stripe in any::<u64>()) {
        if let Ok(l) = Layout::new(begin, len, dev_start, chunk, stripes, stripe) {
            prop_assert!(stripe < stripes && len % stripes == 0);
            let _ = l.cover(l.window());
        }
    }
}

/// The documented refusals.
#[test]
fn refusals() {
    assert_eq!(Layout::linear(0, 0, 0), Err(RouteError::ZeroLength));
    assert_eq!(Layout::striped(0, 8, 0, 0, 2, 0), Err(RouteError::Invalid));
    assert_eq!(Layout::striped(0, 9, 0, 1, 2, 0), Err(RouteError::Invalid));
    assert_eq!(Layout::striped(0, 8, 0, 3, 2, 0), Err(RouteError::Invalid));
    assert_eq!(Layout::striped(0, 8, 0, 2, 2, 2), Err(RouteError::Invalid));
    assert_eq!(Layout::linear(u64::MAX, 1, 0), Err(RouteError::Overflow));
}
