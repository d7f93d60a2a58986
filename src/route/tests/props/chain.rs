// SPDX-License-Identifier: GPL-2.0

//! Routing through stacks of translators against the composed model.

use std::collections::BTreeMap;

use proptest::prelude::*;

use mfroute_route::route::chain::{route, Edge, FnDeliver, MAX_DEPTH};
use mfroute_route::route::linear::{Linear, LinearTarget};
use mfroute_route::route::partition::Partition;
use mfroute_route::route::pmem::Pmem;
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::striped::{Stripe, Striped};
use mfroute_route::route::translate::{DeviceId, Mode};
use mfroute_route::route::RouteError;

use super::model::{assert_contract, lift, shape, SectorMap, SECTOR};

/// pmem namespace over memory: the failing device's parent.
const PMEM: DeviceId = DeviceId(1);
/// A second disk that never fails.
const OTHER: DeviceId = DeviceId(2);
/// Partition of the pmem.
const PART: DeviceId = DeviceId(10);
/// dm-linear over the pmem and the other disk.
const LIN: DeviceId = DeviceId(11);
/// dm-striped over level-1 devices.
const STRIPE: DeviceId = DeviceId(20);
/// dm-linear over everything below: a diamond.
const TOP: DeviceId = DeviceId(30);

/// Linear targets (gap, len, member index, offset) to a table and its map.
fn linear_table(
    spec: &[(u64, u64, usize, u64)],
    members: &[DeviceId],
) -> (Vec<LinearTarget>, SectorMap) {
    let mut table = Vec::new();
    let mut map: SectorMap = Vec::new();
    for &(gap, len, m, offset) in spec {
        let member = members[m % members.len()];
        map.extend((0..gap).map(|_| None));
        let begin = map.len() as u64;
        map.extend((0..len).map(|i| Some((member, offset + i))));
        table.push(LinearTarget {
            begin,
            len,
            member,
            offset,
        });
    }
    (table, map)
}

/// A linear table spec strategy.
fn linear_spec() -> impl Strategy<Value = Vec<(u64, u64, usize, u64)>> {
    prop::collection::vec((0u64..3, 1u64..10, 0usize..3, 0u64..24), 1..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Every device of a random four-level stack gets exactly the model's ranges.
    #[test]
    fn stack_matches_model(
        (phys, meta, size) in (0u64..8, 0u64..4, 8u64..40),
        (pstart, plen) in (0u64..8, 1u64..32),
        lin in linear_spec(),
        (nr, chunk, rows, layout) in (1usize..4, 1u64..6, 1u64..4,
                                      prop::collection::vec((0usize..3, 0u64..12), 3)),
        top in linear_spec(),
        (fstart, flen) in (0u64..52 * SECTOR, 1u64..24 * SECTOR),
        reverse in any::<bool>(),
    ) {
        let failed = ByteRange::new(fstart, flen).unwrap();

        let pmem = Pmem::new(phys * SECTOR, meta * SECTOR, size * SECTOR).unwrap();
        let pmem_map: SectorMap =
            (0..size).map(|d| Some((DeviceId::MEMORY, phys + meta + d))).collect();

        let part = Partition::new(PMEM, pstart, plen).unwrap();
        let part_map: SectorMap = (0..plen).map(|u| Some((PMEM, pstart + u))).collect();

        let (lin_table, lin_map) = linear_table(&lin, &[PMEM, OTHER, PMEM]);
        let lin = Linear::new(lin_table).unwrap();

        let level1 = [PART, LIN, PMEM];
        let stripes: Vec<Stripe> = layout[..nr]
            .iter()
            .map(|&(m, p)| Stripe { member: level1[m], physical_start: p })
            .collect();
        let len = nr as u64 * chunk * rows;
        let stripe_map: SectorMap = (0..len)
            .map(|u| {
                let (k, off) = (u / chunk, u % chunk);
                let s = &stripes[(k % nr as u64) as usize];
                Some((s.member, s.physical_start + (k / nr as u64) * chunk + off))
            })
            .collect();
        let striped = Striped::new(0, len, chunk, stripes).unwrap();

        let (top_table, top_map) = linear_table(&top, &[STRIPE, PART, LIN]);
        let top = Linear::new(top_table).unwrap();

        let mut edges = vec![
            Edge { upper: PMEM, map: &pmem },
            Edge { upper: PART, map: &part },
            Edge { upper: LIN, map: &lin },
            Edge { upper: STRIPE, map: &striped },
            Edge { upper: TOP, map: &top },
        ];
        if reverse {
            edges.reverse();
        }

        // The model, bottom up.
        let mut model = BTreeMap::from([(DeviceId::MEMORY, vec![failed])]);
        let mut sizes = BTreeMap::new();
        for (dev, map) in [(PMEM, &pmem_map), (PART, &part_map), (LIN, &lin_map),
                           (STRIPE, &stripe_map), (TOP, &top_map)] {
            let got = lift(map, &model);
            model.insert(dev, got);
            sizes.insert(dev, map.len() as u64 * SECTOR);
        }
        model.retain(|_, v| !v.is_empty());

        for mode in [Mode::Poison, Mode::PreRemove] {
            let mut got: BTreeMap<DeviceId, Vec<ByteRange>> = BTreeMap::new();
            route(&edges, DeviceId::MEMORY, failed, mode, &mut FnDeliver(|d, r| {
                got.entry(d).or_default().push(r);
                Ok(())
            })).unwrap();
            prop_assert_eq!(got.remove(&DeviceId::MEMORY), Some(vec![failed]));
            for (dev, out) in &got {
                assert_contract(out, sizes[dev]);
            }
            let want: BTreeMap<_, _> = model
                .iter()
                .filter(|(d, _)| **d != DeviceId::MEMORY)
                .map(|(d, v)| (*d, shape(v.clone(), mode)))
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}

/// A cycle in the graph is an error, not endless recursion.
#[test]
fn cycle_is_rejected() {
    let (a, b, c) = (DeviceId(1), DeviceId(2), DeviceId(3));
    let t = |member| {
        [LinearTarget {
            begin: 0,
            len: 8,
            member,
            offset: 0,
        }]
    };
    let (ta, tb) = (Linear::new(t(b)).unwrap(), Linear::new(t(a)).unwrap());
    let edges = [Edge { upper: a, map: &ta }, Edge { upper: b, map: &tb }];
    let r = ByteRange::new(0, 512).unwrap();
    let res = route(&edges, c, r, Mode::Poison, &mut FnDeliver(|_, _| Ok(())));
    assert_eq!(res, Err(RouteError::Invalid));
}

/// A chain of exactly `MAX_DEPTH` translators works; one more is refused.
#[test]
fn depth_limit() {
    let t = |i: u64| {
        [LinearTarget {
            begin: 0,
            len: 8,
            member: DeviceId(i),
            offset: 0,
        }]
    };
    let tables: Vec<_> = (0..=MAX_DEPTH as u64)
        .map(|i| Linear::new(t(i)).unwrap())
        .collect();
    let edges: Vec<Edge<'_>> = tables
        .iter()
        .enumerate()
        .map(|(i, tab)| Edge {
            upper: DeviceId(i as u64 + 1),
            map: tab,
        })
        .collect();
    let r = ByteRange::new(0, 512).unwrap();
    let mut n = 0;
    let res = route(
        &edges[..MAX_DEPTH],
        DeviceId(0),
        r,
        Mode::Poison,
        &mut FnDeliver(|_, _| {
            n += 1;
            Ok(())
        }),
    );
    assert_eq!((res, n), (Ok(()), MAX_DEPTH + 1));
    let res = route(
        &edges,
        DeviceId(0),
        r,
        Mode::Poison,
        &mut FnDeliver(|_, _| Ok(())),
    );
    assert_eq!(res, Err(RouteError::Invalid));
}

/// An error from the consumer stops routing and is returned.
#[test]
fn deliver_error_stops() {
    let p = Partition::new(DeviceId(1), 0, 8).unwrap();
    let edges = [Edge {
        upper: DeviceId(2),
        map: &p,
    }];
    let r = ByteRange::new(0, 512).unwrap();
    let res = route(
        &edges,
        DeviceId(1),
        r,
        Mode::Poison,
        &mut FnDeliver(|d, _| {
            if d == DeviceId(2) {
                Err(RouteError::NoSpace)
            } else {
                Ok(())
            }
        }),
    );
    assert_eq!(res, Err(RouteError::NoSpace));
}
