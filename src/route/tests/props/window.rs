// SPDX-License-Identifier: GPL-2.0

//! The registry window against overlap itself.

use proptest::prelude::*;

use mfroute_route::route::window::{class, lower_bound, CLASSES};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// A registration overlapping bytes from `a` on starts at or after
    /// its class's lower bound, which lies less than twice its length
    /// before `a`.
    #[test]
    fn overlapping_registrations_are_in_the_window(
        shift in 0u32..64,
        len_bits in any::<u64>(),
        a in any::<u64>(),
        back in any::<u64>(),
    ) {
        let len = (len_bits >> shift).max(1);
        let c = class(len);
        prop_assert!(c < CLASSES);
        prop_assert!(len >> c == 1);
        // A registration [s, s + len) that reaches a: s + len > a.
        let s = a.saturating_sub(back % len);
        prop_assert!(s >= lower_bound(a, c));
        prop_assert!(a - lower_bound(a, c) <= len.saturating_mul(2));
    }
}

/// The classes' edges.
#[test]
fn classes() {
    assert_eq!(class(0), 0);
    assert_eq!(class(1), 0);
    assert_eq!(class(2), 1);
    assert_eq!(class(4095), 11);
    assert_eq!(class(4096), 12);
    assert_eq!(class(u64::MAX), 63);
    assert_eq!(lower_bound(100, 0), 99);
    assert_eq!(lower_bound(100, 1), 97);
    assert_eq!(lower_bound(100, 63), 0);
}
