// SPDX-License-Identifier: GPL-2.0

//! Each translator against its brute-force per-sector model.

use proptest::prelude::*;

use mfroute_route::route::linear::{Linear, LinearTarget};
use mfroute_route::route::partition::Partition;
use mfroute_route::route::pmem::Pmem;
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::striped::{Stripe, Striped};
use mfroute_route::route::translate::DeviceId;
use mfroute_route::route::RouteError;

use super::model::{br, check_translator, SectorMap, SECTOR};

/// Cases per translator property.
const CASES: u32 = 10_000;

/// A byte-precise failed range within the first `sectors` sectors (and a bit).
fn failed_range(sectors: u64) -> impl Strategy<Value = ByteRange> {
    (0..sectors * SECTOR, 1..=(sectors / 2 + 2) * SECTOR)
        .prop_map(|(start, len)| ByteRange::new(start, len).expect("range"))
}

/// The forward map of a striped target, written after `stripe_map_sector()`.
fn striped_map(begin: u64, len: u64, chunk: u64, stripes: &[Stripe]) -> SectorMap {
    let nr = stripes.len() as u64;
    (0..begin + len)
        .map(|u| {
            let rel = u.checked_sub(begin)?;
            let (k, off) = (rel / chunk, rel % chunk);
            let s = &stripes[(k % nr) as usize];
            Some((s.member, s.physical_start + (k / nr) * chunk + off))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// pmem: device sector `d` is physical sector `(phys + data_offset) / 512 + d`.
    #[test]
    fn pmem_matches_model(
        phys in 0u64..32, meta in 0u64..16, size in 1u64..48, range in failed_range(100),
    ) {
        let pmem = Pmem::new(phys * SECTOR, meta * SECTOR, size * SECTOR).unwrap();
        let map: SectorMap =
            (0..size).map(|d| Some((DeviceId::MEMORY, phys + meta + d))).collect();
        check_translator(&pmem, &map, DeviceId::MEMORY, range);

        // The metadata area is reported as metadata, not shifted.
        let parts = pmem.classify(range).unwrap();
        let meta_phys = (meta > 0).then(|| br(phys * SECTOR, (phys + meta) * SECTOR));
        prop_assert_eq!(parts.metadata, meta_phys.and_then(|m| m.intersect(&range)));
        let total: u64 = [parts.below, parts.metadata, parts.data, parts.above]
            .iter()
            .flatten()
            .map(|r| r.len())
            .sum();
        prop_assert_eq!(total, range.len());
    }

    /// partition: partition sector `u` is disk sector `start + u`.
    #[test]
    fn partition_matches_model(start in 0u64..64, nr in 1u64..64, range in failed_range(140)) {
        let disk = DeviceId(1);
        let part = Partition::new(disk, start, nr).unwrap();
        let map: SectorMap = (0..nr).map(|u| Some((disk, start + u))).collect();
        check_translator(&part, &map, disk, range);
    }

    /// dm-linear: any number of targets over up to three members, with gaps.
    #[test]
    fn linear_matches_model(
        targets in prop::collection::vec((0u64..3, 1u64..12, 0u64..3, 0u64..40), 1..7),
        member in 0u64..3,
        range in failed_range(56),
    ) {
        let mut table = Vec::new();
        let mut map: SectorMap = Vec::new();
        for (gap, len, m, offset) in targets {
            map.extend((0..gap).map(|_| None));
            let begin = map.len() as u64;
            map.extend((0..len).map(|i| Some((DeviceId(m), offset + i))));
            table.push(LinearTarget { begin, len, member: DeviceId(m), offset });
        }
        let linear = Linear::new(table).unwrap();
        check_translator(&linear, &map, DeviceId(member), range);
    }

    /// dm-striped: 1..5 stripes, any chunk size, members possibly repeated.
    #[test]
    fn striped_matches_model(
        nr in 1usize..6,
        chunk in 1u64..10,
        rows in 1u64..5,
        begin in 0u64..8,
        layout in prop::collection::vec((0u64..3, 0u64..40), 5),
        member in 0u64..3,
        range in failed_range(80),
    ) {
        let stripes: Vec<Stripe> = layout[..nr]
            .iter()
            .map(|&(m, p)| Stripe { member: DeviceId(m), physical_start: p })
            .collect();
        let len = nr as u64 * chunk * rows;
        let map = striped_map(begin, len, chunk, &stripes);
        let striped = Striped::new(begin, len, chunk, stripes).unwrap();
        check_translator(&striped, &map, DeviceId(member), range);
    }

    /// dm-striped rejects what dm-stripe rejects, without panicking.
    #[test]
    fn striped_rejects_bad_geometry(
        nr in 0usize..5, chunk in 0u64..9, len in 0u64..100, begin in 0u64..u64::MAX,
    ) {
        let stripes = vec![Stripe::default(); nr];
        let ok = nr > 0 && chunk > 0 && len > 0
            && len % nr as u64 == 0 && (len / nr as u64) % chunk == 0;
        match Striped::new(begin, len, chunk, stripes) {
            Ok(_) => prop_assert!(ok && begin.checked_add(len).and_then(|e| e.checked_mul(512)).is_some()),
            Err(e) => prop_assert!(!ok || e == RouteError::Overflow),
        }
    }
}

/// Overlapping or unsorted linear targets are rejected.
#[test]
fn linear_rejects_overlap() {
    let t = |begin, len| LinearTarget {
        begin,
        len,
        member: DeviceId(1),
        offset: 0,
    };
    assert_eq!(
        Linear::new([t(0, 8), t(4, 8)]).err(),
        Some(RouteError::Invalid)
    );
    assert_eq!(
        Linear::new([t(8, 8), t(0, 8)]).err(),
        Some(RouteError::Invalid)
    );
    assert_eq!(Linear::new([t(0, 0)]).err(), Some(RouteError::ZeroLength));
    assert_eq!(
        Linear::new([t(u64::MAX / 512, 8)]).err(),
        Some(RouteError::Overflow)
    );
}

/// Geometry at the top of the address space is rejected, not wrapped.
#[test]
fn overflowing_geometry_is_rejected() {
    assert_eq!(
        Pmem::new(u64::MAX - 10, 5, 10).err(),
        Some(RouteError::Overflow)
    );
    assert_eq!(Pmem::new(0, 0, 0).err(), Some(RouteError::ZeroLength));
    assert_eq!(
        Partition::new(DeviceId(1), u64::MAX / 512, 1).err(),
        Some(RouteError::Overflow)
    );
    let s = [Stripe {
        member: DeviceId(1),
        physical_start: u64::MAX / 512,
    }];
    assert_eq!(Striped::new(0, 8, 8, s).err(), Some(RouteError::Overflow));
}

/// Acceptance: a whole 1 TiB member through a 4-way stripe with 2 MiB
/// chunks is one range per chunk it backs, quickly; one cover for removal.
#[test]
fn striped_one_tib_member() {
    use mfroute_route::route::sink::Counter;
    use mfroute_route::route::translate::{translate, Mode};

    const TIB: u64 = 1 << 40;
    let stripes: Vec<Stripe> = (0..4)
        .map(|i| Stripe {
            member: DeviceId(i),
            physical_start: 0,
        })
        .collect();
    let t = Striped::new(0, 4 * TIB / SECTOR, (2 << 20) / SECTOR, stripes).unwrap();
    let member = ByteRange::new(0, TIB).unwrap();

    let started = std::time::Instant::now();
    let mut count = Counter::default();
    translate(&t, DeviceId(2), member, Mode::Poison, &mut count).unwrap();
    let took = started.elapsed();
    println!(
        "1 TiB member, 4 stripes, 2 MiB chunks: {} ranges in {took:?}",
        count.ranges
    );
    assert_eq!((count.ranges, count.bytes), (TIB >> 21, TIB));
    assert!(took.as_secs() < 5, "took {took:?}");

    let mut cover = Counter::default();
    translate(&t, DeviceId(2), member, Mode::PreRemove, &mut cover).unwrap();
    assert_eq!(cover.ranges, 1);

    // With one stripe, contiguous chunks coalesce into a single range.
    let one = Striped::new(0, TIB / SECTOR, (2 << 20) / SECTOR, [Stripe::default()]).unwrap();
    let mut count = Counter::default();
    translate(&one, DeviceId(0), member, Mode::Poison, &mut count).unwrap();
    assert_eq!((count.ranges, count.bytes), (1, TIB));
}

/// The worked examples of `Documentation/mfroute/routing.rst`.
#[test]
fn documented_examples() {
    use super::model::run;
    use mfroute_route::route::range::PfnRange;
    use mfroute_route::route::translate::Mode;

    let pmem = Pmem::new(0x1_0000_0000, 0x20_0000, 0x4000_0000).unwrap();
    let parts = pmem
        .classify_pfns(PfnRange::new(0x10_0300, 4).unwrap())
        .unwrap();
    assert_eq!(parts.data, Some(br(0x10_0000, 0x10_4000)));
    let parts = pmem
        .classify_pfns(PfnRange::new(0x10_01ff, 1).unwrap())
        .unwrap();
    assert_eq!(
        (parts.metadata, parts.data),
        (Some(br(0x1_001f_f000, 0x1_0020_0000)), None)
    );

    let disk = DeviceId(1);
    let part = Partition::new(disk, 2048, 1 << 21).unwrap();
    let out = run(&part, disk, br(0x10_1000, 0x10_3000), Mode::Poison).unwrap();
    assert_eq!(out, vec![br(0x1000, 0x3000)]);

    let (a, b) = (DeviceId(1), DeviceId(2));
    let lin = Linear::new([
        LinearTarget {
            begin: 0,
            len: 1024,
            member: a,
            offset: 0,
        },
        LinearTarget {
            begin: 1024,
            len: 1024,
            member: b,
            offset: 2048,
        },
        LinearTarget {
            begin: 2048,
            len: 1024,
            member: a,
            offset: 1024,
        },
    ])
    .unwrap();
    let out = run(&lin, a, br(0x7_f000, 0x8_1000), Mode::Poison).unwrap();
    assert_eq!(out, vec![br(0x7_f000, 0x8_0000), br(0x10_0000, 0x10_1000)]);
    let out = run(&lin, a, br(0x7_f000, 0x8_1000), Mode::PreRemove).unwrap();
    assert_eq!(out, vec![br(0x7_f000, 0x10_1000)]);

    let m = |i, p| Stripe {
        member: DeviceId(i),
        physical_start: p,
    };
    let st = Striped::new(0, 288, 24, [m(0, 0), m(1, 8), m(2, 0)]).unwrap();
    let out = run(
        &st,
        DeviceId(1),
        br(4096 + 11776, 4096 + 12800),
        Mode::Poison,
    )
    .unwrap();
    assert_eq!(out, vec![br(24064, 24576), br(49152, 49664)]);
}
