// SPDX-License-Identifier: GPL-2.0

//! The fixed-capacity list against a `Vec`.

use proptest::prelude::*;

use mfroute_route::route::slots::Slots;
use mfroute_route::route::RouteError;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// Splice, push and retain match `Vec`; a failed call changes nothing.
    #[test]
    fn slots_match_vec(
        ops in prop::collection::vec(
            (0usize..8, 0usize..8, prop::collection::vec(0u8..16, 0..4)),
            1..30,
        ),
        cap in 0usize..6,
    ) {
        let mut slots = Slots::new(vec![0u8; cap]);
        let mut model: Vec<u8> = Vec::new();
        for (a, b, items) in ops {
            let (lo, hi) = (a.min(b), a.max(b));
            let res = match a % 4 {
                0 => slots.push(b as u8),
                1 => slots.retain(|&x| x % 3 != b as u8 % 3).map(|_| ()),
                _ => slots.splice(lo..hi, &items),
            };
            if a % 4 == 0 {
                if model.len() == cap {
                    prop_assert_eq!(res, Err(RouteError::NoSpace));
                } else {
                    prop_assert_eq!(res, Ok(()));
                    model.push(b as u8);
                }
            } else if a % 4 == 1 {
                prop_assert_eq!(res, Ok(()));
                model.retain(|&x| x % 3 != b as u8 % 3);
            } else if hi > model.len() {
                prop_assert_eq!(res, Err(RouteError::Invalid));
            } else if model.len() - (hi - lo) + items.len() > cap {
                prop_assert_eq!(res, Err(RouteError::NoSpace));
            } else {
                prop_assert_eq!(res, Ok(()));
                model.splice(lo..hi, items);
            }
            prop_assert_eq!(slots.as_slice(), &model[..]);
            prop_assert_eq!(slots.len(), model.len());
            prop_assert_eq!(slots.capacity(), cap);
        }
    }
}
