// SPDX-License-Identifier: GPL-2.0

//! Benchmarks of the routing core: `cargo bench --features bench`.
//!
//! Prints the output counts next to criterion's timings: registry lookups at
//! 1k/10k/100k registrations, a whole 1 TiB member through a 4-way stripe
//! with 2 MiB chunks, and the holder callbacks a 4 GiB device-wide event
//! costs when routed as one range versus page by page.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use mfroute_route::route::chain::{route, Edge, FnDeliver};
use mfroute_route::route::linear::{Linear, LinearTarget};
use mfroute_route::route::pmem::Pmem;
use mfroute_route::route::range::{ByteRange, PAGE_SIZE, SECTOR_SIZE};
use mfroute_route::route::registry::{Entry, Registry};
use mfroute_route::route::sink::Counter;
use mfroute_route::route::striped::{Stripe, Striped};
use mfroute_route::route::translate::{translate, DeviceId, Mode};

/// One tebibyte.
const TIB: u64 = 1 << 40;
/// One gibibyte.
const GIB: u64 = 1 << 30;

/// Looks up a 4 KiB failure among `n` 2 MiB registrations on 8 devices.
fn registry_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("registry_lookup");
    for n in [1_000u64, 10_000, 100_000] {
        let mut reg = Registry::new(vec![Entry::<u64>::default(); n as usize]);
        for i in 0..n {
            let range = ByteRange::new((i / 8) << 21, 1 << 21).unwrap();
            reg.register(DeviceId(i % 8), range, i).unwrap();
        }
        let mut i = 0u64;
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                i = (i + 7919) % n;
                let q = ByteRange::new(((i / 8) << 21) + 4096, 4096).unwrap();
                let mut hits = 0;
                reg.for_each(DeviceId(i % 8), q, |_, _| {
                    hits += 1;
                    Ok(())
                })
                .unwrap();
                black_box(hits)
            })
        });
    }
    group.finish();
}

/// Translates a whole 1 TiB member of a 4-way, 2 MiB-chunk stripe.
fn striped_tib(c: &mut Criterion) {
    let stripes: Vec<Stripe> = (0..4)
        .map(|i| Stripe {
            member: DeviceId(i),
            physical_start: 0,
        })
        .collect();
    let t = Striped::new(0, 4 * TIB / SECTOR_SIZE, (2 << 20) / SECTOR_SIZE, stripes).unwrap();
    let member = ByteRange::new(0, TIB).unwrap();
    for mode in [Mode::Poison, Mode::PreRemove] {
        let started = Instant::now();
        let mut count = Counter::default();
        translate(&t, DeviceId(1), member, mode, &mut count).unwrap();
        println!(
            "striped 1 TiB member, 4 stripes, 2 MiB chunks, {mode:?}: {} ranges, {} bytes, {:?}",
            count.ranges,
            count.bytes,
            started.elapsed()
        );
    }
    let mut group = c.benchmark_group("striped_1tib_member");
    group.sample_size(20);
    for mode in [Mode::Poison, Mode::PreRemove] {
        group.bench_function(format!("{mode:?}"), |b| {
            b.iter(|| {
                let mut count = Counter::default();
                translate(&t, DeviceId(1), member, mode, &mut count).unwrap();
                black_box(count)
            })
        });
    }
    group.finish();
}

/// Routes a 4 GiB device-wide event through pmem and dm-linear, as one
/// range and page by page, counting holder callbacks.
fn device_wide(c: &mut Criterion) {
    let pmem = Pmem::new(4 * GIB, 2 << 20, 4 * GIB).unwrap();
    let dm = DeviceId(2);
    let lin = Linear::new([LinearTarget {
        begin: 0,
        len: 4 * GIB / SECTOR_SIZE,
        member: DeviceId(1),
        offset: 0,
    }])
    .unwrap();
    let edges = [
        Edge {
            upper: DeviceId(1),
            map: &pmem,
        },
        Edge {
            upper: dm,
            map: &lin,
        },
    ];
    let data = pmem.data_phys().unwrap();
    let ranged = |mode| {
        let mut calls = 0u64;
        let mut deliver = FnDeliver(|d: DeviceId, _| {
            calls += u64::from(d != DeviceId::MEMORY);
            Ok(())
        });
        route(&edges, DeviceId::MEMORY, data, mode, &mut deliver).unwrap();
        calls
    };
    let per_page = || {
        let mut calls = 0u64;
        let mut deliver = FnDeliver(|d: DeviceId, _| {
            calls += u64::from(d != DeviceId::MEMORY);
            Ok(())
        });
        for page in 0..data.len() / PAGE_SIZE {
            let r = ByteRange::new(data.start() + page * PAGE_SIZE, PAGE_SIZE).unwrap();
            route(&edges, DeviceId::MEMORY, r, Mode::Poison, &mut deliver).unwrap();
        }
        calls
    };
    for (name, f) in [
        (
            "ranged poison",
            &(|| ranged(Mode::Poison)) as &dyn Fn() -> u64,
        ),
        ("ranged pre-remove", &|| ranged(Mode::PreRemove)),
        ("per-page poison", &per_page),
    ] {
        let started = Instant::now();
        let calls = f();
        println!(
            "4 GiB device-wide event, pmem + dm-linear, {name}: {calls} callbacks, {:?}",
            started.elapsed()
        );
    }
    let mut group = c.benchmark_group("device_wide_4gib");
    group.sample_size(10);
    group.bench_function("ranged", |b| b.iter(|| black_box(ranged(Mode::Poison))));
    group.bench_function("per_page", |b| b.iter(|| black_box(per_page())));
    group.finish();
}

criterion_group!(benches, registry_lookup, striped_tib, device_wide);
criterion_main!(benches);
