// SPDX-License-Identifier: GPL-2.0

//! Range storage for the ledgers: an rbtree whose nodes are reserved ahead.
//!
//! The routing core's [`RangeSet`](crate::route::ledger::RangeSet) needs at
//! most one new node per operation, and keeps the nodes of the ranges it
//! merges away. The glue makes sure of that one node before it takes the
//! lock the ledger lives under ([`ensure_room`]), so that nothing
//! allocates under it, and an allocation failure leaves the set unchanged
//! and is seen as [`RouteError::NoSpace`].
//!
//! C header: [`include/linux/rbtree.h`](srctree/include/linux/rbtree.h)

use kernel::prelude::*;
use kernel::rbtree::{RBTree, RBTreeNodeReservation};
use kernel::sync::Mutex;

use crate::route::ledger::RangeStore;
use crate::route::range::ByteRange;
use crate::route::RouteError;

/// A node for one range: its start is the key, its end the value.
pub(crate) type Node = RBTreeNodeReservation<u64, u64>;

/// Spare nodes kept at most: one for the next insertion, one freed by it.
const SPARES: usize = 2;

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
            spare: [None, None],
        }
    }

    /// Gives the store a node, keeping it if one is missing.
    pub(crate) fn give(&mut self, node: Node) {
        if let Some(slot) = self.spare.iter_mut().find(|s| s.is_none()) {
            *slot = Some(node);
        }
    }

    /// Returns the range starting at `start`, if stored.
    fn at(&self, start: u64) -> Option<ByteRange> {
        let end = *self.tree.get(&start)?;
        ByteRange::from_bounds(start, end).ok()
    }
}

/// Makes sure the store that `store` finds under `lock` has a spare node,
/// allocating one outside the lock only when it has none.
///
/// Another user of the store may take the node before the caller's
/// operation: that operation then fails with [`RouteError::NoSpace`] and
/// changes nothing, as without memory.
pub(crate) fn ensure_room<T>(lock: &Mutex<T>, store: impl Fn(&mut T) -> &mut RbStore) {
    if store(&mut lock.lock()).has_room() {
        return;
    }
    if let Ok(node) = Node::new(GFP_KERNEL) {
        store(&mut lock.lock()).give(node);
    }
}

impl RangeStore for RbStore {
    fn floor(&mut self, pos: u64) -> Option<ByteRange> {
        let start = match self.tree.cursor_lower_bound(&pos) {
            Some(cursor) => {
                let (key, _) = cursor.current();
                if *key == pos {
                    *key
                } else {
                    *cursor.peek_prev()?.0
                }
            }
            None => *self.tree.cursor_back()?.current().0,
        };
        self.at(start)
    }

    fn after(&mut self, pos: u64) -> Option<ByteRange> {
        let next = pos.checked_add(1)?;
        let start = *self.tree.cursor_lower_bound(&next)?.current().0;
        self.at(start)
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
        let range = self.at(start)?;
        let node = self.tree.remove_node(&start)?;
        self.give(node.into_reservation());
        Some(range)
    }
}
