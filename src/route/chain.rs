// SPDX-License-Identifier: GPL-2.0

//! Chains: routing a failure through a graph of translators to every device.
//!
//! The storage stack is a graph: each [`Edge`] says "device `upper` is made
//! from its translator's lower devices". A pmem namespace is an edge from
//! [`DeviceId::MEMORY`], a partition an edge from its disk, a dm table one
//! edge per target group. One lower device may sit under several upper
//! devices (fan-out), and stacks may be of any depth up to [`MAX_DEPTH`].
//!
//! [`route`] sweeps each upper device in turn, pulling failed ranges up
//! through every path below it, so each device receives sorted, coalesced
//! ranges in its own address space with no intermediate buffer.

use super::range::ByteRange;
use super::sink::Sink;
use super::translate::{sweep, DeviceId, Lower, Mode, Single, Translate};
use super::RouteError;

/// Maximum number of translators stacked between the failing device and a
/// device it reaches; deeper (or cyclic) graphs are [`RouteError::Invalid`].
pub const MAX_DEPTH: usize = 8;

/// One upper device and the translator from its lower device(s).
#[derive(Clone, Copy)]
pub struct Edge<'a> {
    /// The device the translator produces.
    pub upper: DeviceId,
    /// The translator; it names its own lower devices.
    pub map: &'a dyn Translate,
}

/// A consumer of per-device failed ranges.
pub trait Deliver {
    /// Consumes one failed range of `dev`, in `dev`'s address space.
    fn deliver(&mut self, dev: DeviceId, range: ByteRange) -> Result<(), RouteError>;
}

/// A [`Deliver`] that calls a closure.
pub struct FnDeliver<F>(pub F);

impl<F: FnMut(DeviceId, ByteRange) -> Result<(), RouteError>> Deliver for FnDeliver<F> {
    fn deliver(&mut self, dev: DeviceId, range: ByteRange) -> Result<(), RouteError> {
        (self.0)(dev, range)
    }
}

/// The failed bytes of every device in a graph, computed on demand.
struct Graph<'a, 'b> {
    /// All edges.
    edges: &'b [Edge<'a>],
    /// The original failure.
    event: Single,
    /// Edges crossed so far.
    depth: usize,
}

impl Lower for Graph<'_, '_> {
    fn next(&mut self, dev: DeviceId, pos: u64) -> Result<Option<ByteRange>, RouteError> {
        if dev == self.event.dev {
            return self.event.next(dev, pos);
        }
        if self.depth >= MAX_DEPTH {
            return Err(RouteError::Invalid);
        }
        let mut below = Graph {
            edges: self.edges,
            event: self.event,
            depth: self.depth.checked_add(1).ok_or(RouteError::Invalid)?,
        };
        let mut best: Option<ByteRange> = None;
        for e in self.edges.iter().filter(|e| e.upper == dev) {
            if let Some(hit) = e.map.next_upper(pos, &mut below)? {
                if best.map_or(true, |b| hit.start() < b.start()) {
                    best = Some(hit);
                }
            }
        }
        Ok(best)
    }
}

/// A translator producing one device of the graph from the whole graph.
struct Node {
    /// The device.
    dev: DeviceId,
}

impl Translate for Node {
    fn next_upper(&self, pos: u64, lower: &mut dyn Lower) -> Result<Option<ByteRange>, RouteError> {
        lower.next(self.dev, pos)
    }
}

/// A [`Sink`] that tags ranges with their device.
struct Tag<'c> {
    /// The device the ranges belong to.
    dev: DeviceId,
    /// Where tagged ranges go.
    out: &'c mut dyn Deliver,
}

impl Sink for Tag<'_> {
    fn push(&mut self, range: ByteRange) -> Result<(), RouteError> {
        self.out.deliver(self.dev, range)
    }
}

/// Routes a failed `range` of `dev` to every device of the graph it reaches.
///
/// `dev` itself receives `range` first; then every other upper device of
/// `edges` (once each, in order of first appearance) receives its failed
/// ranges: sorted and maximally coalesced for [`Mode::Poison`], one covering
/// range for [`Mode::PreRemove`]. Devices the failure does not reach receive
/// nothing. The first error from a translator or from `out` stops routing.
///
/// # Examples
///
/// ```
/// use mfroute_route::route::chain::{route, Edge, FnDeliver};
/// use mfroute_route::route::linear::{Linear, LinearTarget};
/// use mfroute_route::route::partition::Partition;
/// use mfroute_route::route::range::ByteRange;
/// use mfroute_route::route::translate::{DeviceId, Mode};
///
/// let (disk, part, dm) = (DeviceId(1), DeviceId(2), DeviceId(3));
/// let p = Partition::new(disk, 8, 64)?;
/// let t = Linear::new([LinearTarget { begin: 16, len: 32, member: part, offset: 0 }])?;
/// let edges = [Edge { upper: part, map: &p }, Edge { upper: dm, map: &t }];
/// let mut seen = [None; 3];
/// let mut n = 0;
/// route(&edges, disk, ByteRange::new(8 * 512, 512)?, Mode::Poison,
///       &mut FnDeliver(|d: DeviceId, r: ByteRange| {
///           seen[n] = Some((d.0, r.start()));
///           n += 1;
///           Ok(())
///       }))?;
/// assert_eq!(seen, [Some((1, 4096)), Some((2, 0)), Some((3, 16 * 512))]);
/// # Ok::<(), mfroute_route::route::RouteError>(())
/// ```
pub fn route(
    edges: &[Edge<'_>],
    dev: DeviceId,
    range: ByteRange,
    mode: Mode,
    out: &mut dyn Deliver,
) -> Result<(), RouteError> {
    out.deliver(dev, range)?;
    let event = Single { dev, range };
    for (i, e) in edges.iter().enumerate() {
        let seen = edges.iter().take(i).any(|p| p.upper == e.upper);
        if seen || e.upper == dev {
            continue;
        }
        let mut graph = Graph {
            edges,
            event,
            depth: 0,
        };
        let mut tag = Tag {
            dev: e.upper,
            out: &mut *out,
        };
        sweep(&Node { dev: e.upper }, &mut graph, mode, &mut tag)?;
    }
    Ok(())
}
