// SPDX-License-Identifier: GPL-2.0

//! Holders registered through mfroute's API, and calling them.
//!
//! A registration ([`Holder`]) lives in the registry of the [`Device`] it
//! holds, keyed by where it starts. A routing pass finds the holders a
//! range concerns under the registry's lock and queues a note for each
//! ([`crate::notify`]); the notify work calls them, with no lock held.
//! Unregistering marks the holder dead, takes it out of the registry and
//! waits until no call of it is in progress; a call that starts after the
//! mark sees it and skips the holder. So once `mfroute_holder_unregister()`
//! returns, no callback of that holder runs or will run.
//!
//! Lookups cost O(log n) plus the registrations starting within the longest
//! registration's length before the range: registrations of one device are
//! usually few and alike.
//!
//! C header: [`include/mfroute.h`](srctree/drivers/mfroute/include/mfroute.h)

use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use kernel::ffi::c_int;
use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNode};
use kernel::sync::{Arc, CondVar, Mutex};

use crate::ffi;
use crate::route::ledger::{Part, RangeSet};
use crate::route::range::ByteRange;
use crate::route::RouteError;
use crate::store::RbStore;

/// One registration.
///
/// # Invariants
///
/// `raw` is a registration of `mfroute_holder.c`, valid until the C side
/// frees it, which it does only after [`unregister`] returned for it; once
/// `dead` is set no new call of it starts.
#[pin_data]
pub(crate) struct Holder {
    /// The C registration.
    raw: *mut ffi::Holder,
    /// The registered bytes of the dax_device.
    pub(crate) range: ByteRange,
    /// Its key in the registry.
    key: (u64, u64),
    /// Calls in progress.
    inflight: AtomicUsize,
    /// Set by unregistration: no new call starts.
    dead: AtomicBool,
    /// Poison this holder was told of and took (dax bytes), so that it is
    /// not told twice: poison handed over again, for a filesystem that
    /// appeared since, or a per-page repeat of a range.
    #[pin]
    told: Mutex<RangeSet<RbStore>>,
}

// SAFETY: `raw` is only passed to C, which may be called from any thread;
// the rest is immutable or atomic.
unsafe impl Send for Holder {}
// SAFETY: As above: shared access calls C or reads atomics.
unsafe impl Sync for Holder {}

/// Waiting for the calls of dead holders to end, shared by all devices.
#[pin_data]
pub(crate) struct Quiesce {
    /// Taken to wait and to wake.
    #[pin]
    lock: Mutex<()>,
    /// Signalled when a dead holder's last call ends.
    #[pin]
    idle: CondVar,
}

impl Quiesce {
    /// Creates the waiting place.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            lock <- kernel::new_mutex!((), "mfroute:quiesce"),
            idle <- kernel::new_condvar!("mfroute:idle"),
        })
    }
}

impl Holder {
    /// Starts a call, unless the holder is dead.
    fn enter(&self) -> bool {
        self.inflight.fetch_add(1, Ordering::SeqCst);
        if self.dead.load(Ordering::SeqCst) {
            self.inflight.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        true
    }

    /// Ends a call; wakes an unregistration waiting for it.
    fn exit(&self, quiesce: &Quiesce) {
        if self.inflight.fetch_sub(1, Ordering::SeqCst) == 1 && self.dead.load(Ordering::SeqCst) {
            let _guard = quiesce.lock.lock();
            quiesce.idle.notify_all();
        }
    }

    /// Tells the holder that `range` (dax bytes, inside its registration)
    /// failed, as part of event `seq`; returns its answer, or `None` if it
    /// is dead.
    pub(crate) fn deliver(
        &self,
        quiesce: &Quiesce,
        seq: u64,
        range: ByteRange,
        flags: c_int,
    ) -> Option<c_int> {
        if !self.enter() {
            return None;
        }
        // SAFETY: `raw` is valid: the holder is not dead, and the C side
        // frees it only after unregistration waited for this call.
        let rc = unsafe {
            ffi::mfroute_holder_deliver(self.raw, seq, range.start(), range.len(), flags)
        };
        self.exit(quiesce);
        Some(rc)
    }

    /// Tells the holder of the parts of poison `range` (dax bytes, inside
    /// its registration) it was not told of before, as part of event
    /// `seq`, and remembers what it took (answered 0): each holder hears of
    /// each failed byte once, until it is repaired. Returns the calls made
    /// and whether one failed.
    pub(crate) fn deliver_poison(
        &self,
        quiesce: &Quiesce,
        seq: u64,
        range: ByteRange,
        flags: c_int,
    ) -> (u64, bool) {
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
            let Some(rc) = self.deliver(quiesce, seq, *r, flags) else {
                break;
            };
            calls += 1;
            if rc != 0 {
                failed = true;
                continue;
            }
            let node = RbStore::reserve(GFP_KERNEL);
            let mut told = self.told.lock();
            if let Some(node) = node {
                told.store().give(node);
            }
            // Without a node it is told again next time: nothing is lost.
            let _ = told.insert(*r);
        }
        (calls, failed)
    }

    /// Tells the holder that `range` (dax bytes) is good again, as part
    /// of event `seq`.
    pub(crate) fn repair(&self, quiesce: &Quiesce, seq: u64, range: ByteRange) -> bool {
        let node = RbStore::reserve(GFP_KERNEL);
        {
            let mut told = self.told.lock();
            if let Some(node) = node {
                told.store().give(node);
            }
            let _ = told.remove(range);
        }
        if !self.enter() {
            return false;
        }
        // SAFETY: As in `deliver`.
        unsafe { ffi::mfroute_holder_repair(self.raw, seq, range.start(), range.len()) };
        self.exit(quiesce);
        true
    }
}

/// The holders registered on one device.
pub(crate) struct Holders {
    /// By (start, registration number).
    tree: RBTree<(u64, u64), Arc<Holder>>,
    /// The longest registration ever made here, to bound lookups.
    longest: u64,
}

impl Holders {
    /// An empty registry.
    pub(crate) fn new() -> Self {
        Self {
            tree: RBTree::new(),
            longest: 0,
        }
    }

    /// Returns the number of registrations.
    pub(crate) fn len(&self) -> usize {
        self.tree.iter().count()
    }

    /// Appends to `out` every live holder whose registration overlaps
    /// `range`, with a reference, in order of start.
    pub(crate) fn find(&mut self, range: ByteRange, out: &mut KVec<Arc<Holder>>) -> Result {
        let from = (range.start().saturating_sub(self.longest), 0);
        let Some(mut cursor) = self.tree.cursor_lower_bound(&from) else {
            return Ok(());
        };
        loop {
            let (key, holder) = cursor.current();
            if key.0 >= range.end() {
                break;
            }
            if holder.range.overlaps(&range) && !holder.dead.load(Ordering::SeqCst) {
                out.push(holder.clone(), GFP_KERNEL)?;
            }
            match cursor.move_next() {
                Some(next) => cursor = next,
                None => break,
            }
        }
        Ok(())
    }
}

/// Numbers registrations, to tell apart two starting at the same byte.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Registers `raw` for `range` of `holders`' device; returns the holder.
///
/// Allocates outside the registry's lock.
pub(crate) fn register(
    holders: &Mutex<Holders>,
    raw: *mut ffi::Holder,
    range: ByteRange,
) -> Result<Arc<Holder>> {
    let key = (range.start(), NEXT.fetch_add(1, Ordering::Relaxed));
    // INVARIANT: `raw` is valid until unregistration, which the C side
    // does before freeing it.
    let holder = Arc::pin_init(
        pin_init!(Holder {
            raw,
            range,
            key,
            inflight: AtomicUsize::new(0),
            dead: AtomicBool::new(false),
            told <- kernel::new_mutex!(RangeSet::new(RbStore::new()), "mfroute:told"),
        }),
        GFP_KERNEL,
    )?;
    let node = RBTreeNode::new(key, holder.clone(), GFP_KERNEL)?;
    let mut reg = holders.lock();
    reg.longest = reg.longest.max(range.len());
    reg.tree.insert(node);
    Ok(holder)
}

/// Marks `holder` dead, takes it out of `holders` (if its device is still
/// known) and waits until no call of it is in progress.
///
/// Context: process context, no router lock held: it sleeps.
pub(crate) fn unregister(holders: Option<&Mutex<Holders>>, holder: &Holder, quiesce: &Quiesce) {
    holder.dead.store(true, Ordering::SeqCst);
    if let Some(holders) = holders {
        let _ = holders.lock().tree.remove(&holder.key);
    }
    let mut guard = quiesce.lock.lock();
    while holder.inflight.load(Ordering::SeqCst) > 0 {
        quiesce.idle.wait(&mut guard);
    }
}
