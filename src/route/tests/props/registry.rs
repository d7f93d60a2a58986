// SPDX-License-Identifier: GPL-2.0

//! The holder registry against a plain list.

use proptest::prelude::*;

use mfroute_route::route::range::ByteRange;
use mfroute_route::route::registry::{Entry, Registry};
use mfroute_route::route::translate::DeviceId;
use mfroute_route::route::RouteError;

/// One step of a random registry workload.
#[derive(Clone, Debug)]
enum Op {
    /// Register (device, start, len, holder).
    Register(u64, u64, u64, u32),
    /// Unregister the model's n-th entry (modulo its length).
    Unregister(usize),
    /// Remove a holder everywhere.
    RemoveHolder(u32),
    /// Remove a device.
    RemoveDevice(u64),
    /// Look up (device, start, len).
    Query(u64, u64, u64),
}

/// A random operation.
fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u64..3, 0u64..64, 1u64..32, 0u32..4).prop_map(|(d, s, l, h)| Op::Register(d, s, l, h)),
        1 => any::<usize>().prop_map(Op::Unregister),
        1 => (0u32..4).prop_map(Op::RemoveHolder),
        1 => (0u64..3).prop_map(Op::RemoveDevice),
        4 => (0u64..3, 0u64..100, 1u64..40).prop_map(|(d, s, l)| Op::Query(d, s, l)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Every operation matches the list model, including when full.
    #[test]
    fn registry_matches_list(ops in prop::collection::vec(op(), 1..40), cap in 0usize..12) {
        let mut reg = Registry::new(vec![Entry::<u32>::default(); cap]);
        let mut model: Vec<(DeviceId, ByteRange, u32)> = Vec::new();
        for op in ops {
            match op {
                Op::Register(d, s, l, h) => {
                    let e = (DeviceId(d), ByteRange::new(s, l).unwrap(), h);
                    let res = reg.register(e.0, e.1, e.2);
                    if model.contains(&e) {
                        prop_assert_eq!(res, Err(RouteError::Busy));
                    } else if model.len() == cap {
                        prop_assert_eq!(res, Err(RouteError::NoSpace));
                    } else {
                        prop_assert_eq!(res, Ok(()));
                        model.push(e);
                    }
                }
                Op::Unregister(i) => {
                    if model.is_empty() {
                        let r = ByteRange::new(0, 1).unwrap();
                        prop_assert_eq!(reg.unregister(DeviceId(0), r, 9), Err(RouteError::NotFound));
                    } else {
                        let e = model.remove(i % model.len());
                        prop_assert_eq!(reg.unregister(e.0, e.1, e.2), Ok(()));
                    }
                }
                Op::RemoveHolder(h) => {
                    let n = model.iter().filter(|e| e.2 == h).count();
                    model.retain(|e| e.2 != h);
                    prop_assert_eq!(reg.remove_holder(h), Ok(n));
                }
                Op::RemoveDevice(d) => {
                    let n = model.iter().filter(|e| e.0 == DeviceId(d)).count();
                    model.retain(|e| e.0 != DeviceId(d));
                    prop_assert_eq!(reg.remove_device(DeviceId(d)), Ok(n));
                }
                Op::Query(d, s, l) => {
                    let q = ByteRange::new(s, l).unwrap();
                    let mut want: Vec<_> = model
                        .iter()
                        .filter(|e| e.0 == DeviceId(d))
                        .filter_map(|e| e.1.intersect(&q).map(|hit| (e.1, e.2, hit)))
                        .collect();
                    let mut got = Vec::new();
                    let n = reg.for_each(DeviceId(d), q, |e, hit| {
                        got.push((e.range(), e.holder(), hit));
                        Ok(())
                    });
                    prop_assert_eq!(n, Ok(want.len()));
                    // Reported in order of registration start.
                    prop_assert!(got.windows(2).all(|w| w[0].0.start() <= w[1].0.start()));
                    got.sort();
                    want.sort();
                    prop_assert_eq!(got, want);
                }
            }
            prop_assert_eq!(reg.len(), model.len());
        }
    }
}
