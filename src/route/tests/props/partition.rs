// SPDX-License-Identifier: GPL-2.0

//! Cutting at partition boundaries against the boundaries themselves.

use proptest::prelude::*;

use mfroute_route::route::partition::cut;
use mfroute_route::route::range::ByteRange;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// The pieces are the range, in order, cut at every boundary inside
    /// it and nowhere else.
    #[test]
    fn cut_at_every_boundary(
        parts in prop::collection::vec((0u64..200, 1u64..60), 0..8),
        start in 0u64..250,
        len in 1u64..100,
    ) {
        let mut edges: Vec<u64> = parts.iter().flat_map(|&(s, l)| [s, s + l]).collect();
        let want: std::collections::BTreeSet<u64> = edges.iter().copied().collect();
        edges.sort();
        let r = ByteRange::new(start, len).unwrap();
        let mut pieces = Vec::new();
        cut(&edges, r, &mut |p| pieces.push(p));
        prop_assert_eq!(pieces.first().map(|p| p.start()), Some(r.start()));
        prop_assert_eq!(pieces.last().map(|p| p.end()), Some(r.end()));
        for w in pieces.windows(2) {
            prop_assert_eq!(w[0].end(), w[1].start());
        }
        let cuts: Vec<u64> = pieces.iter().skip(1).map(|p| p.start()).collect();
        let inside: Vec<u64> = want.range(r.start() + 1..r.end()).copied().collect();
        prop_assert_eq!(cuts, inside);
    }
}

/// Repeated boundaries count once.
#[test]
fn repeats_cut_once() {
    let edges = [0, 4, 4, 8, 8, 12];
    let mut pieces = Vec::new();
    cut(&edges, ByteRange::new(2, 8).unwrap(), &mut |p| {
        pieces.push(p)
    });
    assert_eq!(
        pieces,
        [
            ByteRange::new(2, 2).unwrap(),
            ByteRange::new(4, 4).unwrap(),
            ByteRange::new(8, 2).unwrap()
        ]
    );
}
