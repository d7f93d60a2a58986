// SPDX-License-Identifier: GPL-2.0

//! Sorting without the standard library's sort.
//!
//! `core`'s slice sorts may panic on an inconsistent order, through a
//! function objtool does not know as `noreturn` in 6.12 (it then warns that
//! code falls through); a heapsort on `swap` needs neither, sorts in place
//! in O(n log n) and allocates nothing.

/// Sorts `v` by `key`, in place (not stable).
///
/// # Examples
///
/// ```
/// use mfroute_route::route::sort::sort_by_key;
///
/// let mut v = [5, 3, 9, 1, 3];
/// sort_by_key(&mut v, |x| *x);
/// assert_eq!(v, [1, 3, 3, 5, 9]);
/// ```
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    let n = v.len();
    // Build a max-heap, then move the maximum to the end, n - 1 times.
    let mut i = n / 2;
    while let Some(j) = i.checked_sub(1) {
        i = j;
        sift_down(v, i, n, &key);
    }
    let mut end = n;
    while end > 1 {
        end = end.saturating_sub(1);
        v.swap(0, end);
        sift_down(v, 0, end, &key);
    }
}

/// Restores the heap property of `v[..end]` below `root`.
fn sift_down<T, K: Ord>(v: &mut [T], mut root: usize, end: usize, key: &impl Fn(&T) -> K) {
    loop {
        let Some(left) = root.checked_mul(2).and_then(|x| x.checked_add(1)) else {
            return;
        };
        if left >= end {
            return;
        }
        let right = left.saturating_add(1);
        let mut child = left;
        if right < end {
            if let (Some(l), Some(r)) = (v.get(left), v.get(right)) {
                if key(r) > key(l) {
                    child = right;
                }
            }
        }
        match (v.get(root), v.get(child)) {
            (Some(a), Some(b)) if key(b) > key(a) => {
                v.swap(root, child);
                root = child;
            }
            _ => return,
        }
    }
}
