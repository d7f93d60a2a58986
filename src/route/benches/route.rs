// SPDX-License-Identifier: GPL-2.0

//! Benchmarks of the routing core: `cargo bench --features bench`.
//!
//! The ledger's per-event cost with 10, 1,000 and 100,000 ranges already
//! in it (it must grow like log n), and the pieces a whole 1 TiB member
//! becomes through a 4-way stripe with 2 MiB chunks. The per-event cost in
//! the kernel, with its rbtree, is measured by `make bench`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use mfroute_route::route::layout::Layout;
use mfroute_route::route::ledger::{Ledger, Outcome, Part, VecStore};
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::RouteError;

/// One tebibyte.
const TIB: u64 = 1 << 40;

/// Splits and records a 4 KiB failure in a ledger of `n` disjoint ranges.
fn ledger_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("ledger_event");
    for n in [10u64, 1_000, 100_000] {
        let mut ledger = Ledger::new(VecStore::new(n as usize));
        for i in 0..n {
            let r = ByteRange::new(i * 8192, 4096).unwrap();
            ledger.event(r, &mut |_| Ok(())).unwrap();
            ledger.record(r, Outcome::Delivered);
        }
        let mut i = 0u64;
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| {
                // A repeat inside a known range: absorbed.
                i = (i + 7919) % n;
                let r = ByteRange::new(i * 8192, 4096).unwrap();
                let mut parts = 0;
                ledger
                    .event(black_box(r), &mut |p| {
                        if let Part::Known(x) = p {
                            parts += x.len();
                        }
                        Ok(())
                    })
                    .unwrap();
                ledger.record(r, Outcome::Absorbed);
                black_box(parts)
            })
        });
        println!("ledger_event/{n}: {} ranges", ledger.delivered().len());
    }
    group.finish();
}

/// Counts the pieces of a whole 1 TiB member of a 4-way, 2 MiB stripe.
fn stripe_pieces(c: &mut Criterion) {
    let chunk = (2 << 20) / 512;
    let layout = Layout::striped(0, 4 * TIB / 512, 0, chunk, 4, 1).unwrap();
    let mut pieces = 0u64;
    c.bench_function("stripe_pieces_1tib", |b| {
        b.iter(|| {
            pieces = 0;
            layout
                .for_each_piece(layout.window(), &mut |_, _| -> Result<(), RouteError> {
                    pieces += 1;
                    Ok(())
                })
                .unwrap();
            black_box(pieces)
        })
    });
    println!("stripe_pieces_1tib: {pieces} pieces (one per 2 MiB chunk)");
}

criterion_group!(benches, ledger_event, stripe_pieces);
criterion_main!(benches);
