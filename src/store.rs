// SPDX-License-Identifier: GPL-2.0

//! Range storage for the ledgers: an rbtree whose nodes are reserved ahead.
//!
//! The routing core's [`RangeSet`](crate::route::ledger::RangeSet) needs at
//! most one new node per operation, and keeps the nodes of the ranges it
//! merges away. The glue makes sure of that one node under the lock the
//! set lives under ([`with_room`]), allocating it outside that lock only
//! when the store has none, so that nothing allocates under it; an
//! allocation failure leaves the set unchanged and is seen as
//! [`RouteError::NoSpace`]. A failing device's ledger is topped up ahead
//! ([`RbStore::wants_spares`], the router's refill work), so that a
//! failure rarely allocates at all.
//!
//! C header: [`include/linux/rbtree.h`](srctree/include/linux/rbtree.h)

use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNodeReservation};
use kernel::sync::Mutex;

use crate::ffi;
use crate::route::ledger::RangeStore;
use crate::route::range::ByteRange;
use crate::route::RouteError;

/// A node for one range: its start is the key, its end the value.
pub(crate) type Node = RBTreeNodeReservation<u64, u64>;

/// Spare nodes a store keeps at most: enough for a run of one-page
/// failures, each of which takes one, between two refills.
const SPARES: usize = 16;

/// Returns how many spare nodes the refill work keeps in a failing
/// device's ledger: the `ledger_spares` module parameter, at most
/// [`SPARES`].
fn refill_target() -> usize {
    // SAFETY: Plain C function, any context.
    let wanted = unsafe { ffi::mfroute_ledger_spares() };
    usize::try_from(wanted).map_or(SPARES, |n| n.min(SPARES))
}

/// Disjoint byte ranges in an rbtree keyed by their start.
///
/// # Invariants
///
/// Every stored key is a range start and its value the range end, above it.
pub(crate) struct RbStore {
    /// Range start to range end.
    tree: RBTree<u64, u64>,
    /// Nodes reserved ahead or left by removals.
    spare: [Option<Node>; SPARES],
}

impl RbStore {
    /// Creates an empty store with no spare node.
    pub(crate) fn new() -> Self {
        Self {
            tree: RBTree::new(),
            spare: [const { None }; SPARES],
        }
    }

    /// Gives the store a node, keeping it if one is missing.
    pub(crate) fn give(&mut self, node: Node) {
        if let Some(slot) = self.spare.iter_mut().find(|s| s.is_none()) {
            *slot = Some(node);
        }
    }

    /// Returns how many spare nodes the store has.
    fn spares(&self) -> usize {
        self.spare.iter().filter(|s| s.is_some()).count()
    }

    /// Whether the store is down to a quarter of the refill target: a
    /// ledger then asks the refill work to top it up ([`refill`]).
    pub(crate) fn wants_spares(&self) -> bool {
        self.spares() < refill_target().div_ceil(4)
    }
}

/// Returns the range a node of the tree holds.
fn range_of((start, end): (&u64, &u64)) -> Option<ByteRange> {
    ByteRange::from_bounds(*start, *end).ok()
}

/// Runs `op` under `lock` once the store that `store` finds there has a
/// spare node, allocating one outside the lock only when it has none.
///
/// Another user of the store may take the node while the lock is
/// dropped: `op` then fails with [`RouteError::NoSpace`] and changes
/// nothing, as without memory.
pub(crate) fn with_room<T, R>(
    lock: &Mutex<T>,
    store: impl Fn(&mut T) -> &mut RbStore,
    op: impl FnOnce(&mut T) -> R,
) -> R {
    let mut guard = lock.lock();
    if !store(&mut guard).has_room() {
        drop(guard);
        let node = Node::new(GFP_KERNEL).ok();
        guard = lock.lock();
        if let Some(node) = node {
            store(&mut guard).give(node);
        }
    }
    op(&mut guard)
}

/// Schedules the refill work, which tops up the ledgers that asked for it
/// (`Router::refill`); any context.
pub(crate) fn refill_soon() {
    // SAFETY: Plain C function, any context.
    unsafe { ffi::mfroute_refill_schedule() };
}

/// Tops up the store that `store` finds under `lock` to the refill target
/// of spare nodes, allocating outside the lock; stops at the first
/// allocation that fails (a later insertion then allocates for itself, or
/// does without).
pub(crate) fn refill<T>(lock: &Mutex<T>, store: impl Fn(&mut T) -> &mut RbStore) {
    let missing = refill_target().saturating_sub(store(&mut lock.lock()).spares());
    let mut nodes: [Option<Node>; SPARES] = [const { None }; SPARES];
    for slot in nodes.iter_mut().take(missing) {
        match Node::new(GFP_KERNEL) {
            Ok(node) => *slot = Some(node),
            Err(_) => break,
        }
    }
    let mut guard = lock.lock();
    let store = store(&mut guard);
    for node in nodes.iter_mut().filter_map(Option::take) {
        store.give(node);
    }
}

impl RangeStore for RbStore {
    // Each lookup is one descent of the tree: the node found holds both
    // ends of its range.
    fn floor(&mut self, pos: u64) -> Option<ByteRange> {
        match self.tree.cursor_lower_bound(&pos) {
            Some(cursor) if *cursor.current().0 == pos => range_of(cursor.current()),
            Some(cursor) => range_of(cursor.peek_prev()?),
            None => range_of(self.tree.cursor_back()?.current()),
        }
    }

    fn after(&mut self, pos: u64) -> Option<ByteRange> {
        let next = pos.checked_add(1)?;
        range_of(self.tree.cursor_lower_bound(&next)?.current())
    }

    fn around(&mut self, pos: u64) -> (Option<ByteRange>, Option<ByteRange>) {
        match self.tree.cursor_lower_bound(&pos) {
            Some(cursor) if *cursor.current().0 == pos => (
                range_of(cursor.current()),
                cursor.peek_next().and_then(range_of),
            ),
            Some(cursor) => (
                cursor.peek_prev().and_then(range_of),
                range_of(cursor.current()),
            ),
            None => (
                self.tree
                    .cursor_back()
                    .and_then(|cursor| range_of(cursor.current())),
                None,
            ),
        }
    }

    fn has_room(&self) -> bool {
        self.spare.iter().any(Option::is_some)
    }

    fn insert(&mut self, range: ByteRange) -> Result<(), RouteError> {
        let node = self
            .spare
            .iter_mut()
            .find_map(Option::take)
            .ok_or(RouteError::NoSpace)?;
        // INVARIANT: the key is the start of `range`, the value its end.
        self.tree.insert(node.into_node(range.start(), range.end()));
        Ok(())
    }

    fn remove(&mut self, start: u64) -> Option<ByteRange> {
        let cursor = self.tree.cursor_lower_bound(&start)?;
        if *cursor.current().0 != start {
            return None;
        }
        let range = range_of(cursor.current())?;
        let (_, node) = cursor.remove_current();
        self.give(node.into_reservation());
        Some(range)
    }
}
