// SPDX-License-Identifier: GPL-2.0
//! Where a failed range of a pmem namespace lands above it: in its
//! partitions and in the device-mapper devices stacked on it, translated
//! with the kernel module's own layout arithmetic
//! (`mfroute_route::route::layout`), so that a failure left to the
//! per-page path can be resolved to files as a delivery is.

use crate::dev::DevNum;
use crate::stack::{DmNode, Namespace};
use mfroute_route::route::layout::Layout;
use mfroute_route::route::range::ByteRange;
use mfroute_route::route::RouteError;

/// Bytes of a block device above a failing namespace that a failed range
/// of the namespace backs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Above {
    /// Kernel name (`dm-0`).
    pub name: String,
    /// Device number.
    pub dev: DevNum,
    /// First byte.
    pub offset: u64,
    /// Bytes.
    pub len: u64,
}

/// The device-mapper devices above `ns`, through its partitions too, and
/// the bytes of each that namespace bytes `[offset, offset + len)` back,
/// nearest first. Targets mfroute does not translate are left out, as the
/// module leaves them.
pub fn above(ns: &Namespace, offset: u64, len: u64) -> Vec<Above> {
    let mut out = Vec::new();
    let Ok(range) = ByteRange::new(offset, len) else {
        return out;
    };
    for d in &ns.holders {
        up(d, &ns.media.name, range, &mut out);
    }
    for p in &ns.partitions {
        let Ok(part) = ByteRange::new(p.offset, p.size) else {
            continue;
        };
        if let Some(hit) = range.intersect(&part) {
            if let Ok(rel) = ByteRange::new(hit.start() - part.start(), hit.len()) {
                for d in &p.holders {
                    up(d, &p.name, rel, &mut out);
                }
            }
        }
    }
    out
}

/// Adds what bytes `range` of device `lower` back in mapped device `d`,
/// and above it.
fn up(d: &DmNode, lower: &str, range: ByteRange, out: &mut Vec<Above>) {
    let mut pieces = Vec::new();
    for t in d.targets.iter().filter(|t| t.uses_lower && t.translated) {
        let stripes = u64::from(t.stripes.unwrap_or(1));
        for (i, m) in t.members.iter().enumerate() {
            if m.name.as_deref() != Some(lower) {
                continue;
            }
            let layout = Layout::new(
                t.start,
                t.length,
                m.offset,
                t.chunk_sectors.unwrap_or(0),
                stripes,
                i as u64,
            );
            let Ok(layout) = layout else { continue };
            let _ = layout.for_each_piece::<RouteError>(range, &mut |_, u| {
                pieces.push(u);
                Ok(())
            });
        }
    }
    pieces.sort_by_key(ByteRange::start);
    for u in pieces {
        if let Some(dev) = d.dev {
            out.push(Above {
                name: d.name.clone(),
                dev,
                offset: u.start(),
                len: u.len(),
            });
        }
        for h in &d.holders {
            up(h, &d.name, u, out);
        }
    }
}
