// SPDX-License-Identifier: GPL-2.0

//! Holders registered through mfroute's API, and calling them.
//!
//! A registration ([`Holder`]) lives in the registry of the [`Device`] it
//! holds, keyed by where it starts. A routing pass finds the holders a
//! range concerns under the registry's lock and queues a note for each
//! ([`crate::notify`]); the notify work calls them, with no lock held.
//! Unregistering takes the holder out of the registry and stops its
//! callbacks ([`crate::holder_api::Callbacks::stop`]): it waits until no
//! call of it is in progress, and a call that starts after sees it stopped
//! and skips the holder. So once `mfroute_holder_unregister()` returns, no
//! callback of that holder runs or will run.
//!
//! The registry is sorted by length class, then start
//! ([`crate::route::window`]): a lookup costs O(log n) per length class in
//! use plus what it finds, whatever the other registrations.
//!
//! C header: [`include/mfroute.h`](srctree/drivers/mfroute/include/mfroute.h)

use core::sync::atomic::{AtomicU64, Ordering};

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{Arc, Mutex};

use crate::device::Device;
use crate::holder_api::Callbacks;
use crate::route::ledger::{Part, RangeSet};
use crate::route::range::ByteRange;
use crate::route::sort::sort_by_key;
use crate::route::window;
use crate::route::RouteError;
use crate::store::{self, RbStore};

/// One registration.
#[pin_data]
pub(crate) struct Holder {
    /// Calling the C registration.
    #[pin]
    pub(crate) calls: Callbacks,
    /// The registered bytes of the dax_device.
    pub(crate) range: ByteRange,
    /// Its key in the registry.
    key: Key,
    /// Poison this holder was told of and took (dax bytes), so that it is
    /// not told twice: poison handed over again, for a filesystem that
    /// appeared since, or a per-page repeat of a range.
    #[pin]
    told: Mutex<RangeSet<RbStore>>,
}

impl Holder {
    /// Tells the holder of the parts of poison `range` (dax bytes, inside
    /// its registration) it was not told of before, as part of event
    /// `seq`, and remembers what it took (answered 0): each holder hears of
    /// each failed byte once, until it is repaired. Returns the calls made
    /// and whether one failed.
    pub(crate) fn deliver_poison(&self, seq: u64, range: ByteRange, flags: c_int) -> (u64, bool) {
        let mut parts = KVec::new();
        {
            let mut told = self.told.lock();
            let split = told.split(range, &mut |p| {
                if let Part::New(r) = p {
                    parts.push(r, GFP_KERNEL).map_err(|_| RouteError::NoSpace)?;
                }
                Ok(())
            });
            if split.is_err() {
                // Cannot tell what it was told: tell it all again.
                parts = KVec::new();
                if parts.push(range, GFP_KERNEL).is_err() {
                    return (0, true);
                }
            }
        }
        let mut failed = false;
        let mut calls = 0;
        for r in parts.iter() {
            let Some(rc) = self.calls.deliver(seq, *r, flags) else {
                break;
            };
            calls += 1;
            if rc != 0 {
                failed = true;
                continue;
            }
            // Without a node it is not remembered and is told again next
            // time: nothing is lost.
            let _ = store::with_room(&self.told, |t| t.store(), |t| t.insert(*r));
        }
        (calls, failed)
    }

    /// Tells the holder that `range` (dax bytes) is good again, as part
    /// of event `seq`; returns whether it was told.
    pub(crate) fn repair(&self, seq: u64, range: ByteRange) -> bool {
        let removed = store::with_room(&self.told, |t| t.store(), |t| t.remove(range));
        if removed.is_err() {
            // No node to split a range it was told of.
            self.forget_told(range);
        }
        self.calls.repair(seq, range)
    }

    /// Forgets that the holder was told of poison touching `range`, whole
    /// ranges at a time, with no allocation: it is told again of their
    /// still-bad rest rather than never of a new failure there. For a
    /// repair that cannot be remembered exactly, or not be told at all.
    pub(crate) fn forget_told(&self, range: ByteRange) {
        if self.told.lock().forget(range).is_err() {
            pr_err!("a holder's set of told ranges is inconsistent\n");
        }
    }
}

/// A registration's key in its registry: its length class
/// ([`window::class`]), its start, and its registration number.
type Key = (usize, u64, u64);

/// The holders registered on one device.
pub(crate) struct Holders {
    /// By [`Key`].
    tree: RBTree<Key, Arc<Holder>>,
    /// The number of registrations of each length class.
    classes: [usize; window::CLASSES],
}

impl Holders {
    /// An empty registry.
    pub(crate) fn new() -> Self {
        Self {
            tree: RBTree::new(),
            classes: [0; window::CLASSES],
        }
    }

    /// Appends to `out` every live holder whose registration overlaps
    /// `range`, with a reference, in order of start.
    pub(crate) fn find(&mut self, range: ByteRange, out: &mut KVec<Arc<Holder>>) -> Result {
        let first = out.len();
        self.each(range, &mut |holder| {
            out.push(holder.clone(), GFP_KERNEL)?;
            Ok(())
        })?;
        if let Some(found) = out.as_mut_slice().get_mut(first..) {
            sort_by_key(found, |h| (h.key.1, h.key.2));
        }
        Ok(())
    }

    /// Makes every live holder whose registration overlaps `range` forget
    /// it was told of poison there ([`Holder::forget_told`]), with no
    /// allocation: for a repair that cannot be queued for them.
    pub(crate) fn forget_told(&mut self, range: ByteRange) {
        let forgot = self.each(range, &mut |holder| {
            holder.forget_told(range);
            Ok(())
        });
        // `each` fails only when its callback does.
        debug_assert!(forgot.is_ok());
    }

    /// Calls `f` on every live holder whose registration overlaps `range`,
    /// a length class at a time, until it fails.
    ///
    /// O(log n) per length class in use, plus the registrations found and
    /// those of each class in its window before `range` ([`window`]).
    fn each(&mut self, range: ByteRange, f: &mut dyn FnMut(&Arc<Holder>) -> Result) -> Result {
        for (class, n) in self.classes.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let from = (class, window::lower_bound(range.start(), class), 0);
            let Some(mut cursor) = self.tree.cursor_lower_bound(&from) else {
                continue;
            };
            loop {
                let (key, holder) = cursor.current();
                if key.0 != class || key.1 >= range.end() {
                    break;
                }
                if holder.range.overlaps(&range) && !holder.calls.stopped() {
                    f(holder)?;
                }
                match cursor.move_next() {
                    Some(next) => cursor = next,
                    None => break,
                }
            }
        }
        Ok(())
    }
}

/// Numbers registrations, to tell apart two starting at the same byte.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Registers a holder calling `calls` for `range` of `dev`; returns the
/// holder.
///
/// Allocates outside the registry's lock.
pub(crate) fn register(
    dev: &Device,
    calls: impl PinInit<Callbacks>,
    range: ByteRange,
) -> Result<Arc<Holder>> {
    let class = window::class(range.len());
    let key = (class, range.start(), NEXT.fetch_add(1, Ordering::Relaxed));
    let holder = Arc::pin_init(
        pin_init!(Holder {
            calls <- calls,
            range,
            key,
            told <- kernel::new_mutex!(RangeSet::new(RbStore::new()), "mfroute:told"),
        }),
        GFP_KERNEL,
    )?;
    let node = RBTreeNode::new(key, holder.clone(), GFP_KERNEL)?;
    let mut reg = dev.holders.lock();
    if let Some(n) = reg.classes.get_mut(class) {
        *n = n.saturating_add(1);
    }
    reg.tree.insert(node);
    // Under the lock: a pass that sees the count also finds the holder.
    dev.registered.fetch_add(1, Ordering::Release);
    Ok(holder)
}

/// Takes `holder` out of the registry of `dev`, its device: later passes
/// do not find it. Its callbacks are stopped by the holder API.
pub(crate) fn unregister(dev: &Device, holder: &Holder) {
    let mut reg = dev.holders.lock();
    if reg.tree.remove(&holder.key).is_some() {
        if let Some(n) = reg.classes.get_mut(holder.key.0) {
            *n = n.saturating_sub(1);
        }
        dev.registered.fetch_sub(1, Ordering::Release);
    }
}
