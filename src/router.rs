// SPDX-License-Identifier: GPL-2.0

//! The failure router: every dax_device failure, routed to its holders.
//!
//! The router registers with the dax core (`dax_register_failure_router()`,
//! from the hook series), which then hands it every failure notified on a
//! dax_device: ranged poison from `memory_failure_range()`, per-page poison
//! from `memory_failure()`, and the removal `kill_dax()` announces.  For each
//! event the router
//!
//! 1. splits a poison range with the device's ledger into parts already
//!    delivered (absorbed: no callback) and new parts;
//! 2. calls every registered holder once per new part it overlaps, clipped
//!    to its registration (the holder sees its own block device's offsets);
//! 3. calls the device's direct holder, the filesystem's dax holder
//!    operations, once per new part through `dax_notify_holder()`;
//! 4. translates each new part through the live tables of the dm devices
//!    mapping the device (linear and striped targets, see `mfroute_dm.c`)
//!    and routes the results to those devices the same way, recursively;
//!
//! and answers `-EHWPOISON` when everything was absorbed, the direct
//! holder's result when it took the parts, or `-EOPNOTSUPP` when nobody with
//! holder operations did, so that the legacy per-page handling takes over:
//! nothing is dropped.  A removal that no direct holder takes revokes the
//! DAX mappings of the filesystems on the device instead.
//!
//! Locking: one mutex, [`Router::state`], protects the registry and the
//! ledgers; holder callbacks run under it, so unregistering (which takes it)
//! waits for them and no callback runs after it returns.  Callers of
//! [`Router::notify`] hold the dax SRCU read lock, so the dax_device is not
//! freed under us; unregistering the router waits for them.
//!
//! C header: [`include/linux/dax.h`](srctree/include/linux/dax.h)

use core::fmt::{self, Write};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::ffi::{c_char, c_int};

use kernel::alloc::{flags, Flags};
use kernel::bindings;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Mutex;
use kernel::types::Opaque;
use kernel::{container_of, new_mutex};

use crate::ffi;
use crate::ffi::{DmTarget, MAX_DM_TARGETS, MAX_STRIPES};
use crate::route::ledger::{Ledger, Outcome, Part, RangeSet};
use crate::route::linear::{Linear, LinearTarget};
use crate::route::range::ByteRange;
use crate::route::registry::{Entry, Registry};
use crate::route::striped::{Stripe, Striped};
use crate::route::translate::{DeviceId, Single, Translate};
use crate::route::RouteError;

/// Holder registrations the router keeps, over all devices.
const MAX_HOLDERS: usize = 64;
/// Failed ranges a device's ledger remembers (merged, so usually few).
const MAX_RANGES: usize = 16;
/// Parts one event can split into: one more than the ranges it can hit.
const MAX_PARTS: usize = MAX_RANGES + 1;
/// Bytes kept of a device's name.
const NAME_LEN: usize = 32;
/// Levels of stacked devices followed above a failing one (dm on dm...).
const MAX_DEPTH: usize = 4;
/// Upper ranges translated per round before they are routed further.
const MAX_OUT: usize = 32;
/// The failing member, as the routing core's translators see it.
const MEMBER: DeviceId = DeviceId(1);
/// Any other member of a striped target.
const OTHER: DeviceId = DeviceId(2);

/// `MF_MEM_PRE_REMOVE`: the range is about to be removed, nothing was lost.
// CAST: the MF_* flags are small bit values that fit in a C int.
const PRE_REMOVE: c_int = bindings::mf_flags_MF_MEM_PRE_REMOVE as c_int;

/// The router the C entry points reach; set while one is registered.
static ROUTER: AtomicPtr<Router> = AtomicPtr::new(ptr::null_mut());

/// A `KVec` filled to capacity, as fixed storage for the routing core.
struct KVecStorage<T>(KVec<T>);

impl<T> AsRef<[T]> for KVecStorage<T> {
    fn as_ref(&self) -> &[T] {
        self.0.as_slice()
    }
}

impl<T> AsMut<[T]> for KVecStorage<T> {
    fn as_mut(&mut self) -> &mut [T] {
        self.0.as_mut_slice()
    }
}

/// One dax_device the router has seen, and its ledger.
struct Device {
    /// The dax_device's address, used as identity only and never followed.
    id: DeviceId,
    /// A name for logs and debugfs: the disk's, once a holder registered.
    name: [u8; NAME_LEN],
    /// Delivered ranges and the per-outcome counters.
    ledger: Ledger<[ByteRange; MAX_RANGES]>,
    /// Ranges told to registered holders but left to the per-page path
    /// (no direct holder): the per-page repeats do not tell them again.
    notified: RangeSet<[ByteRange; MAX_RANGES]>,
    /// Scratch space for the parts of the event being routed.
    parts: [Option<Part>; MAX_PARTS],
    /// Removal announcements seen.
    pre_removes: u64,
    /// Holder callbacks made, registered and direct.
    holder_calls: u64,
    /// Set once the whole device was announced removed.
    removed: bool,
}

impl Device {
    /// Creates the state of a device first seen now.
    fn new(id: DeviceId, name: &[u8]) -> Self {
        let mut dev = Device {
            id,
            name: [0; NAME_LEN],
            ledger: Ledger::new([ByteRange::FILLER; MAX_RANGES]),
            notified: RangeSet::new([ByteRange::FILLER; MAX_RANGES]),
            parts: [None; MAX_PARTS],
            pre_removes: 0,
            holder_calls: 0,
            removed: false,
        };
        dev.set_name(name);
        dev
    }

    /// Sets the device's name, truncated to [`NAME_LEN`] bytes.
    fn set_name(&mut self, name: &[u8]) {
        let n = name.len().min(NAME_LEN);
        self.name = [0; NAME_LEN];
        if let (Some(dst), Some(src)) = (self.name.get_mut(..n), name.get(..n)) {
            dst.copy_from_slice(src);
        }
    }

    /// Returns the device's name.
    fn name(&self) -> &str {
        name_str(&self.name)
    }
}

/// Returns the text of a NUL-padded name.
fn name_str(name: &[u8; NAME_LEN]) -> &str {
    let n = name.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
    name.get(..n)
        .and_then(|b| core::str::from_utf8(b).ok())
        .unwrap_or("?")
}

/// What the router knows, behind [`Router::state`].
struct State {
    /// Holder registrations, in dax_device byte ranges.
    registry: Registry<usize, KVecStorage<Entry<usize>>>,
    /// Devices seen; `None` marks a free slot.
    devices: KVec<Option<KBox<Device>>>,
    /// Scratch space of each level of the walk up the dm stacks.
    levels: KVec<Level>,
    /// Events on devices that could not be tracked (no memory): upstream.
    untracked: u64,
}

/// Scratch space for one level of the walk up the dm stacks.
#[derive(Clone)]
struct Level {
    /// The targets mapping the device of this level, from `mfroute_dm_targets`.
    targets: [DmTarget; MAX_DM_TARGETS],
    /// The linear targets of the mapped device being translated to.
    linear: [LinearTarget; MAX_DM_TARGETS],
    /// The stripes of the striped target being translated through.
    stripes: [Stripe; MAX_STRIPES],
    /// Upper ranges translated, waiting to be routed.
    out: [ByteRange; MAX_OUT],
}

impl Level {
    /// An empty level.
    const EMPTY: Self = Level {
        targets: [DmTarget::EMPTY; MAX_DM_TARGETS],
        linear: [LinearTarget {
            begin: 0,
            len: 0,
            member: OTHER,
            offset: 0,
        }; MAX_DM_TARGETS],
        stripes: [Stripe {
            member: OTHER,
            physical_start: 0,
        }; MAX_STRIPES],
        out: [ByteRange::FILLER; MAX_OUT],
    };
}

impl State {
    /// Creates an empty state with room for [`MAX_HOLDERS`] registrations.
    fn new() -> Result<Self> {
        let entries = KVec::from_elem(Entry::default(), MAX_HOLDERS, GFP_KERNEL)?;
        Ok(State {
            registry: Registry::new(KVecStorage(entries)),
            devices: KVec::new(),
            levels: KVec::from_elem(Level::EMPTY, MAX_DEPTH, GFP_KERNEL)?,
            untracked: 0,
        })
    }

    /// Forgets device slot `at` if it was removed and no holder is left.
    fn reap(&mut self, at: usize) {
        let Some(slot) = self.devices.as_mut_slice().get_mut(at) else {
            return;
        };
        let Some(dev) = slot.as_ref() else { return };
        let id = dev.id;
        let held = self.registry.entries().iter().any(|e| e.dev() == id);
        if dev.removed && !held {
            // A new dax_device may reuse the address: never absorb its
            // failures with this one's ledger.
            *slot = None;
        }
    }
}

/// Returns the slot of device `id`, creating it with `gfp` if new.
fn device_slot(
    devices: &mut KVec<Option<KBox<Device>>>,
    id: DeviceId,
    name: &[u8],
    gfp: Flags,
) -> Result<usize> {
    let slots = devices.as_slice();
    if let Some(at) = slots
        .iter()
        .position(|d| d.as_ref().is_some_and(|d| d.id == id))
    {
        return Ok(at);
    }
    let dev = KBox::new(Device::new(id, name), gfp)?;
    if let Some(at) = slots.iter().position(Option::is_none) {
        if let Some(slot) = devices.as_mut_slice().get_mut(at) {
            *slot = Some(dev);
            return Ok(at);
        }
    }
    devices.push(Some(dev), gfp)?;
    Ok(devices.len().saturating_sub(1))
}

/// Returns the device in slot `at`.
fn device_at(devices: &mut KVec<Option<KBox<Device>>>, at: usize) -> Option<&mut Device> {
    devices
        .as_mut_slice()
        .get_mut(at)
        .and_then(Option::as_mut)
        .map(|d| &mut **d)
}

/// Calls every registered holder of `id` overlapping `range`.
///
/// Returns the number of calls; failed callbacks count as ledger errors.
fn deliver_registered(
    registry: &Registry<usize, KVecStorage<Entry<usize>>>,
    ledger: &mut Ledger<[ByteRange; MAX_RANGES]>,
    id: DeviceId,
    range: ByteRange,
    flags: c_int,
) -> u64 {
    let mut calls = 0;
    let _ = registry.for_each(id, range, |entry, hit| {
        let holder = entry.holder() as *mut ffi::Holder;
        // SAFETY: Registered holders stay valid until they unregister, which
        // takes the state lock our caller holds.
        let rc = unsafe { ffi::mfroute_holder_deliver(holder, hit.start(), hit.len(), flags) };
        calls += 1;
        if rc != 0 {
            let _ = ledger.error(hit);
        }
        Ok(())
    });
    calls
}

/// What became of a range routed to a device and the devices above it.
#[derive(Clone, Copy, Default)]
struct Reach {
    /// Holder callbacks made.
    calls: u64,
    /// Some holder with holder operations (a filesystem) took a part.
    taken: bool,
    /// Some part must also take the legacy per-page path.
    fallback: bool,
    /// Every part was already delivered: nothing new happened.
    absorbed: bool,
    /// The first error a holder returned.
    error: c_int,
}

impl Reach {
    /// Adds what happened above to what happened here.
    fn add(&mut self, up: Reach) {
        self.calls = self.calls.saturating_add(up.calls);
        self.taken |= up.taken;
        self.fallback |= up.fallback;
        if self.error == 0 {
            self.error = up.error;
        }
    }
}

/// One routing pass: the parts of [`State`] it works on, and the event.
struct Pass<'a> {
    /// Holder registrations.
    registry: &'a Registry<usize, KVecStorage<Entry<usize>>>,
    /// Devices and their ledgers.
    devices: &'a mut KVec<Option<KBox<Device>>>,
    /// Scratch space per level.
    levels: &'a mut KVec<Level>,
    /// Events on devices that could not be tracked.
    untracked: &'a mut u64,
    /// The `MF_*` flags of the event.
    flags: c_int,
}

impl Pass<'_> {
    /// Whether this is a removal announcement.
    fn pre_remove(&self) -> bool {
        self.flags & PRE_REMOVE != 0
    }

    /// Routes `range` of `dax` to its holders and the devices above it.
    ///
    /// `whole` marks the whole-device removal `kill_dax()` announces, which
    /// the direct holder gets as `(0, U64_MAX)`, as upstream.
    fn route(
        &mut self,
        dax: *mut bindings::dax_device,
        name: &[u8],
        range: ByteRange,
        whole: bool,
        depth: usize,
    ) -> (Option<usize>, Reach) {
        let id = DeviceId(dax as usize as u64);
        let gfp = flags::GFP_NOWAIT | flags::__GFP_NOWARN;
        let Ok(at) = device_slot(self.devices, id, name, gfp) else {
            *self.untracked = self.untracked.saturating_add(1);
            return (
                None,
                Reach {
                    fallback: true,
                    ..Reach::default()
                },
            );
        };
        let reach = if self.pre_remove() {
            self.remove_at(at, dax, range, whole, depth)
        } else {
            self.poison_at(at, dax, range, depth)
        };
        (Some(at), reach)
    }

    /// Routes a poison range of the device in slot `at`.
    fn poison_at(
        &mut self,
        at: usize,
        dax: *mut bindings::dax_device,
        range: ByteRange,
        depth: usize,
    ) -> Reach {
        let mut reach = Reach::default();
        let Some(dev) = device_at(self.devices, at) else {
            reach.fallback = true;
            return reach;
        };
        let id = dev.id;
        let (ledger, parts) = (&mut dev.ledger, &mut dev.parts);
        let mut n = 0usize;
        let split = ledger.event(range, &mut |part| {
            *parts.get_mut(n).ok_or(RouteError::NoSpace)? = Some(part);
            n += 1;
            Ok(())
        });
        if split.is_err() {
            // Too fragmented to split here: the whole event goes per page.
            let _ = dev.ledger.record(range, Outcome::Fallback);
            reach.fallback = true;
            return reach;
        }

        // SAFETY: The caller of the router holds the dax SRCU read lock, and
        // upper devices are referenced by the walk, so `dax` is live.
        let direct = !unsafe { bindings::dax_holder(dax) }.is_null();
        let mut delivered = false;
        for i in 0..n {
            let Some(dev) = device_at(self.devices, at) else {
                break;
            };
            let Some(Some(part)) = dev.parts.get(i).copied() else {
                break;
            };
            let r = match part {
                Part::Known(r) => {
                    let _ = dev.ledger.record(r, Outcome::Absorbed);
                    continue;
                }
                Part::New(r) => r,
            };
            // The failing device itself remembers what it delivered, so
            // that per-page repeats are absorbed where they arrive; it
            // reserves the part first, and a full ledger sends it per page.
            // Devices above only relay: their ranges (one per dm chunk)
            // need not merge, and the device below absorbs the repeats.
            let track = depth == 0;
            if track && dev.ledger.record(r, Outcome::Delivered).is_err() {
                let _ = dev.ledger.record(r, Outcome::Fallback);
                reach.fallback = true;
                continue;
            }
            let told = dev.notified.contains(r);
            let mut here = Reach::default();
            if !told {
                here.calls = deliver_registered(self.registry, &mut dev.ledger, id, r, self.flags);
            }
            if direct {
                // SAFETY: As above, `dax` is live.
                let rc =
                    unsafe { bindings::dax_notify_holder(dax, r.start(), r.len(), self.flags) };
                here.calls += 1;
                if rc != EOPNOTSUPP.to_errno() {
                    here.taken = true;
                    here.error = rc;
                }
            }
            here.add(self.route_up(dax, r, depth));

            let Some(dev) = device_at(self.devices, at) else {
                break;
            };
            if here.error != 0 {
                let _ = dev.ledger.error(r);
            }
            if here.taken && !here.fallback {
                if !track {
                    let _ = dev.ledger.record(r, Outcome::Relayed);
                }
                delivered = true;
            } else {
                // Nobody with holder operations took it, or some device
                // above could not be translated: the per-page path must
                // see it, and must not be absorbed here.
                let undone = if track {
                    dev.ledger.retract(r)
                } else {
                    dev.ledger.record(r, Outcome::Fallback)
                };
                if undone.is_err() {
                    let _ = dev.ledger.error(r);
                }
                if here.calls > 0 || told {
                    let _ = dev.notified.insert(r);
                }
                here.fallback = true;
            }
            dev.holder_calls = dev.holder_calls.saturating_add(here.calls);
            reach.add(here);
        }
        reach.absorbed = !delivered && !reach.fallback;
        reach.taken = delivered;
        reach
    }

    /// Routes a removal announcement of the device in slot `at`.
    fn remove_at(
        &mut self,
        at: usize,
        dax: *mut bindings::dax_device,
        range: ByteRange,
        whole: bool,
        depth: usize,
    ) -> Reach {
        let mut reach = Reach::default();
        let Some(dev) = device_at(self.devices, at) else {
            return reach;
        };
        let id = dev.id;
        reach.calls = deliver_registered(self.registry, &mut dev.ledger, id, range, self.flags);
        // The direct holder gets what the dax core would have sent it.
        let (off, len) = if whole {
            (0, u64::MAX)
        } else {
            (range.start(), range.len())
        };
        // SAFETY: As in `poison_at`, `dax` is live.
        let rc = unsafe { bindings::dax_notify_holder(dax, off, len, self.flags) };
        let mut revoked = 0;
        if rc == EOPNOTSUPP.to_errno() {
            // No filesystem holder operations: unmap its DAX files ourselves.
            // SAFETY: As above, `dax` is live.
            revoked = unsafe { ffi::mfroute_revoke_dax_mappings(dax) };
        } else {
            reach.calls += 1;
            reach.taken = true;
        }
        let here = reach.calls;
        reach.add(self.route_up(dax, range, depth));
        if let Some(dev) = device_at(self.devices, at) {
            dev.pre_removes = dev.pre_removes.saturating_add(1);
            dev.holder_calls = dev.holder_calls.saturating_add(here);
            dev.removed |= whole;
            pr_info!(
                "{}: pre-remove [{:#x}, +{:#x}): {} holder calls, {} DAX inodes revoked\n",
                dev.name(),
                off,
                len,
                here,
                revoked
            );
        }
        reach
    }

    /// Routes `range` of member `dax` to every dm device mapping it.
    fn route_up(
        &mut self,
        dax: *mut bindings::dax_device,
        range: ByteRange,
        depth: usize,
    ) -> Reach {
        let mut reach = Reach::default();
        let Some(level) = self.levels.as_mut_slice().get_mut(depth) else {
            // Deeper than we follow: leave it to the per-page path.
            reach.fallback = true;
            return reach;
        };
        // CAST: MAX_DM_TARGETS is a small constant.
        let max = MAX_DM_TARGETS as c_int;
        // SAFETY: `dax` is live (see `poison_at`) and `targets` has room for
        // `max` entries.
        let n = unsafe { ffi::mfroute_dm_targets(dax, level.targets.as_mut_ptr(), max) };
        let Ok(n) = usize::try_from(n) else {
            reach.fallback = true;
            return reach;
        };
        let mut first = 0;
        while first < n {
            // Targets come mapped device by mapped device.
            let (upper, end) = {
                let targets = self
                    .levels
                    .as_slice()
                    .get(depth)
                    .map_or(&[][..], |l| &l.targets[..n]);
                let upper = targets.get(first).map_or(ptr::null_mut(), |t| t.upper);
                let end = targets
                    .iter()
                    .skip(first)
                    .position(|t| t.upper != upper)
                    .map_or(n, |k| first + k);
                (upper, end)
            };
            reach.add(self.route_to(upper, range, depth, first..end));
            first = end;
        }
        if let Some(level) = self.levels.as_mut_slice().get_mut(depth) {
            // CAST: `n` came from a non-negative C int.
            // SAFETY: These `n` entries came from `mfroute_dm_targets`.
            unsafe { ffi::mfroute_dm_put(level.targets.as_mut_ptr(), n as c_int) };
        }
        reach
    }

    /// Translates member `range` through targets `which` of level `depth`,
    /// all of one mapped device, and routes the result to it.
    fn route_to(
        &mut self,
        upper: *mut bindings::dax_device,
        range: ByteRange,
        depth: usize,
        which: core::ops::Range<usize>,
    ) -> Reach {
        let mut reach = Reach::default();
        let mut name = [0u8; NAME_LEN];
        let mut pos = 0;
        let mut pending: Option<ByteRange> = None;
        let pre_remove = self.pre_remove();
        loop {
            // Translate a batch, coalescing as we go.
            let Some(level) = self.levels.as_mut_slice().get_mut(depth) else {
                reach.fallback = true;
                return reach;
            };
            if let Some(t) = level.targets.get(which.start) {
                name = t.name;
            }
            let (count, done) = match translate_batch(
                level,
                which.clone(),
                range,
                pre_remove,
                &mut pos,
                &mut pending,
            ) {
                Ok(batch) => batch,
                Err(e) => {
                    pr_warn!("{}: cannot translate: {:?}\n", name_str(&name), e);
                    reach.fallback = true;
                    return reach;
                }
            };
            for i in 0..count {
                let Some(r) = self
                    .levels
                    .as_slice()
                    .get(depth)
                    .and_then(|l| l.out.get(i))
                    .copied()
                else {
                    break;
                };
                let (_, up) = self.route(upper, &name, r, false, depth + 1);
                reach.add(up);
            }
            if done {
                return reach;
            }
        }
    }
}

/// Translates the next batch of upper ranges into `level.out`.
///
/// Returns how many are ready and whether the translation is complete;
/// `pos` and `pending` carry the state between batches (a range that may
/// still grow is held back in `pending`).
fn translate_batch(
    level: &mut Level,
    which: core::ops::Range<usize>,
    range: ByteRange,
    pre_remove: bool,
    pos: &mut u64,
    pending: &mut Option<ByteRange>,
) -> Result<(usize, bool), RouteError> {
    let Level {
        targets,
        linear,
        stripes,
        out,
    } = level;
    let targets = targets.get(which).ok_or(RouteError::Invalid)?;
    // The linear targets of the mapped device form one table.
    let mut nlinear = 0;
    for t in targets.iter().filter(|t| t.chunk == 0) {
        let slot = linear.get_mut(nlinear).ok_or(RouteError::NoSpace)?;
        *slot = LinearTarget {
            begin: t.begin,
            len: t.len,
            member: MEMBER,
            offset: t.member_start,
        };
        nlinear += 1;
    }
    let linear = linear.get(..nlinear).ok_or(RouteError::Invalid)?;
    let mut count = 0;
    loop {
        let next = next_upper(targets, linear, stripes, range, *pos)?;
        let Some(next) = next else {
            if let Some(p) = pending.take() {
                *out.get_mut(count).ok_or(RouteError::Invalid)? = p;
                count += 1;
            }
            return Ok((count, true));
        };
        *pos = next.end();
        *pending = match pending.take() {
            // Pre-remove: one covering range per mapped device.
            Some(p) if pre_remove => Some(ByteRange::from_bounds(p.start(), next.end())?),
            Some(p) if p.end() == next.start() => Some(p.merge(&next).ok_or(RouteError::Invalid)?),
            Some(p) => {
                *out.get_mut(count).ok_or(RouteError::Invalid)? = p;
                count += 1;
                Some(next)
            }
            None => Some(next),
        };
        if count == MAX_OUT {
            return Ok((count, false));
        }
    }
}

/// Returns the first upper range at or after `pos` backed by member `range`.
///
/// The targets of one mapped device cover disjoint upper ranges, so the
/// answer is the earliest of each target's own.
fn next_upper(
    targets: &[DmTarget],
    linear: &[LinearTarget],
    stripes: &mut [Stripe; MAX_STRIPES],
    range: ByteRange,
    pos: u64,
) -> Result<Option<ByteRange>, RouteError> {
    let mut lower = Single { dev: MEMBER, range };
    let mut best = if linear.is_empty() {
        None
    } else {
        Linear::new(linear)?.next_upper(pos, &mut lower)?
    };
    for (i, t) in targets.iter().enumerate() {
        // One translator per striped target, built at its first entry (a
        // member may be several of its stripes).
        if t.chunk == 0 || targets.iter().take(i).any(|u| u.begin == t.begin) {
            continue;
        }
        let n = usize::try_from(t.stripes).map_err(|_| RouteError::Invalid)?;
        let set = stripes.get_mut(..n).ok_or(RouteError::Unsupported)?;
        set.fill(Stripe {
            member: OTHER,
            physical_start: 0,
        });
        for u in targets
            .iter()
            .filter(|u| u.chunk != 0 && u.begin == t.begin)
        {
            let slot = usize::try_from(u.stripe).map_err(|_| RouteError::Invalid)?;
            *set.get_mut(slot).ok_or(RouteError::Invalid)? = Stripe {
                member: MEMBER,
                physical_start: u.member_start,
            };
        }
        let hit = Striped::new(t.begin, t.len, t.chunk, &*set)?.next_upper(pos, &mut lower)?;
        if let Some(h) = hit {
            if best.map_or(true, |b| h.start() < b.start()) {
                best = Some(h);
            }
        }
    }
    Ok(best)
}

/// The failure router, registered with the dax core while it lives.
///
/// # Invariants
///
/// `raw` is registered with `dax_register_failure_router()` from
/// [`Router::new`] until [`PinnedDrop::drop`], and `ROUTER` points to this
/// router during that time.
#[pin_data(PinnedDrop)]
pub(crate) struct Router {
    /// Registry, ledgers and counters.
    #[pin]
    state: Mutex<State>,
    /// The `struct dax_failure_router` handed to the dax core.
    #[pin]
    raw: Opaque<bindings::dax_failure_router>,
}

// SAFETY: The only C state, `raw`, is immutable after initialisation; the
// rest is behind a mutex.
unsafe impl Send for Router {}
// SAFETY: As above: shared access only reads `raw` or takes the mutex.
unsafe impl Sync for Router {}

impl Router {
    /// Creates the router and registers it with the dax core.
    pub(crate) fn new() -> Result<Pin<KBox<Self>>> {
        let state = State::new()?;
        let this = KBox::pin_init(
            pin_init!(Router {
                state <- new_mutex!(state, "mfroute:state"),
                raw: Opaque::new(bindings::dax_failure_router {
                    notify_failure: Some(notify_failure_callback),
                    notify_repair: Some(notify_repair_callback),
                }),
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: `raw` is pinned and initialised; it stays registered only
        // until `drop`, which unregisters it before it is freed.
        to_result(unsafe { bindings::dax_register_failure_router(this.raw.get()) })?;
        // INVARIANT: Registered just above; `drop` clears `ROUTER` first.
        ROUTER.store(ptr::from_ref(&*this).cast_mut(), Ordering::Release);
        pr_info!("failure router registered\n");
        Ok(this)
    }

    /// Routes one failure of `dax` (see the module documentation).
    fn notify(&self, dax: *mut bindings::dax_device, off: u64, len: u64, flags: c_int) -> c_int {
        let range = match ByteRange::new(off, len) {
            Ok(range) => range,
            Err(e) => {
                pr_warn!("failure [{:#x}, +{:#x}) refused: {:?}\n", off, len, e);
                return -e.errno();
            }
        };
        let pre_remove = flags & PRE_REMOVE != 0;
        let mut guard = self.state.lock();
        let state = &mut *guard;
        let (at, reach) = {
            let State {
                registry,
                devices,
                levels,
                untracked,
            } = &mut *state;
            let mut pass = Pass {
                registry,
                devices,
                levels,
                untracked,
                flags,
            };
            pass.route(
                dax,
                b"dax",
                range,
                pre_remove && off == 0 && len == u64::MAX,
                0,
            )
        };
        if pre_remove {
            if let Some(at) = at {
                state.reap(at);
            }
            return 0;
        }
        if reach.calls > 0 {
            let name = at
                .and_then(|at| state.devices.as_slice().get(at))
                .and_then(Option::as_ref)
                .map_or("dax", |d| d.name());
            pr_info!(
                "{}: poison [{:#x}, +{:#x}): {} holder calls{}\n",
                name,
                off,
                len,
                reach.calls,
                if reach.fallback {
                    ", rest left to per-page handling"
                } else {
                    ""
                }
            );
        }
        if reach.fallback {
            EOPNOTSUPP.to_errno()
        } else if reach.taken {
            reach.error
        } else {
            EHWPOISON.to_errno()
        }
    }

    /// Routes the repair of a failed range of `dax` to its holders.
    ///
    /// The range leaves the device's ledger (a later failure there is new
    /// again) and every registered holder overlapping it is told.
    fn repair(&self, dax: *mut bindings::dax_device, off: u64, len: u64) {
        let Ok(range) = ByteRange::new(off, len) else {
            return;
        };
        let id = DeviceId(dax as usize as u64);
        let mut guard = self.state.lock();
        let State {
            registry, devices, ..
        } = &mut *guard;
        let at = devices
            .as_slice()
            .iter()
            .position(|d| d.as_ref().is_some_and(|d| d.id == id));
        let Some(dev) = at.and_then(|at| device_at(devices, at)) else {
            return;
        };
        let bytes = dev.ledger.repair(range).unwrap_or(0);
        let _ = dev.notified.remove(range);
        let mut calls = 0u64;
        let _ = registry.for_each(id, range, |entry, hit| {
            let holder = entry.holder() as *mut ffi::Holder;
            // SAFETY: Registered holders stay valid until they unregister,
            // which takes the state lock we hold.
            unsafe { ffi::mfroute_holder_repair(holder, hit.start(), hit.len()) };
            calls += 1;
            Ok(())
        });
        dev.holder_calls = dev.holder_calls.saturating_add(calls);
        pr_info!(
            "{}: repaired [{:#x}, +{:#x}): {} bytes were failed, {} holder calls\n",
            dev.name(),
            off,
            len,
            bytes,
            calls
        );
    }

    /// Registers `holder` for `range` of dax_device `dax`, named `name`.
    fn register(
        &self,
        holder: *mut ffi::Holder,
        dax: *mut bindings::dax_device,
        range: ByteRange,
        name: &[u8],
    ) -> Result {
        let id = DeviceId(dax as usize as u64);
        let mut state = self.state.lock();
        let at = device_slot(&mut state.devices, id, name, GFP_KERNEL)?;
        if let Some(dev) = device_at(&mut state.devices, at) {
            dev.set_name(name);
        }
        state.registry.register(id, range, holder as usize)?;
        Ok(())
    }

    /// Removes every registration of `holder`.
    fn unregister(&self, holder: *mut ffi::Holder) {
        let mut state = self.state.lock();
        let gone = state
            .registry
            .entries()
            .iter()
            .find(|e| e.holder() == holder as usize)
            .map(Entry::dev);
        let _ = state.registry.remove_holder(holder as usize);
        if let Some(id) = gone {
            let at = state
                .devices
                .as_slice()
                .iter()
                .position(|d| d.as_ref().is_some_and(|d| d.id == id));
            if let Some(at) = at {
                state.reap(at);
            }
        }
    }

    /// Writes the ledgers as text, as shown in debugfs.
    fn show(&self, out: &mut dyn Write) -> fmt::Result {
        let state = self.state.lock();
        for dev in state.devices.as_slice().iter().flatten() {
            let c = dev.ledger.counters();
            let check = if dev.ledger.check().is_ok() {
                "ok"
            } else {
                "BROKEN"
            };
            writeln!(
                out,
                "{} events={} delivered={}/{} absorbed={}/{} fallback={}/{} errors={}/{} \
                 repaired={}/{} pre_remove={} holder_calls={} check={}",
                dev.name(),
                c.failed.ranges,
                c.delivered.ranges,
                c.delivered.bytes,
                c.absorbed.ranges,
                c.absorbed.bytes,
                c.fallback.ranges,
                c.fallback.bytes,
                c.errors.ranges,
                c.errors.bytes,
                c.repaired.ranges,
                c.repaired.bytes,
                dev.pre_removes,
                dev.holder_calls,
                check
            )?;
            for r in dev.ledger.delivered().as_slice() {
                writeln!(out, "  failed {:#x}+{:#x}", r.start(), r.len())?;
            }
        }
        writeln!(out, "untracked={}", state.untracked)
    }
}

#[pinned_drop]
impl PinnedDrop for Router {
    fn drop(self: Pin<&mut Self>) {
        ROUTER.store(ptr::null_mut(), Ordering::Release);
        // SAFETY: By the type invariant `raw` is registered; this waits for
        // every notification in flight, after which nothing uses it.
        unsafe { bindings::dax_unregister_failure_router(self.raw.get()) };
        pr_info!("failure router unregistered\n");
    }
}

/// The `notify_failure` callback of `struct dax_failure_router`.
///
/// # Safety
///
/// `router` is the `raw` field of a registered [`Router`], and the caller
/// holds the dax SRCU read lock with `dax` live, as
/// `dax_holder_notify_failure()` does.
unsafe extern "C" fn notify_failure_callback(
    router: *mut bindings::dax_failure_router,
    dax: *mut bindings::dax_device,
    off: u64,
    len: u64,
    flags: c_int,
) -> c_int {
    let raw = router.cast::<Opaque<bindings::dax_failure_router>>();
    // SAFETY: By the safety requirements `raw` is the `raw` field of a
    // `Router`, which stays alive until unregistration has waited for us.
    let this = unsafe { &*container_of!(raw, Router, raw) };
    this.notify(dax, off, len, flags)
}

/// The `notify_repair` callback of `struct dax_failure_router`.
///
/// # Safety
///
/// As for [`notify_failure_callback`].
unsafe extern "C" fn notify_repair_callback(
    router: *mut bindings::dax_failure_router,
    dax: *mut bindings::dax_device,
    off: u64,
    len: u64,
) {
    let raw = router.cast::<Opaque<bindings::dax_failure_router>>();
    // SAFETY: By the safety requirements `raw` is the `raw` field of a
    // `Router`, which stays alive until unregistration has waited for us.
    let this = unsafe { &*container_of!(raw, Router, raw) };
    this.repair(dax, off, len);
}

/// Returns the registered router, if any.
fn router() -> Option<&'static Router> {
    let router = ROUTER.load(Ordering::Acquire);
    // SAFETY: `ROUTER` is non-null only while the router it points to is
    // registered (type invariant); holders calling in from other modules
    // keep mfroute, and so the router, loaded.
    unsafe { router.as_ref() }
}

/// Registers a holder for `len` bytes at `start` of dax_device `dax`.
///
/// Returns 0 or a negative errno.
///
/// # Safety
///
/// `holder` stays valid until passed to [`mfroute_rs_unregister`]; `dax` is
/// referenced by the caller; `name` is a NUL-terminated string.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_register(
    holder: *mut ffi::Holder,
    dax: *mut bindings::dax_device,
    start: u64,
    len: u64,
    name: *const c_char,
) -> c_int {
    let Some(router) = router() else {
        return ENODEV.to_errno();
    };
    // SAFETY: `name` is NUL-terminated by the safety requirements.
    let name = unsafe { CStr::from_char_ptr(name) };
    let result = ByteRange::new(start, len)
        .map_err(Error::from)
        .and_then(|range| router.register(holder, dax, range, name.as_bytes()));
    match result {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Removes every registration of `holder`; no callback of it runs after.
///
/// # Safety
///
/// `holder` was registered with [`mfroute_rs_register`].
#[no_mangle]
unsafe extern "C" fn mfroute_rs_unregister(holder: *mut ffi::Holder) {
    if let Some(router) = router() {
        router.unregister(holder);
    }
}

/// A `fmt::Write` into a byte buffer, failing when it is full.
struct Buffer<'a> {
    /// The buffer.
    buf: &'a mut [u8],
    /// Bytes written so far.
    len: usize,
}

impl Write for Buffer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes the ledgers as text into `buf`; returns the length or `-ENOSPC`.
///
/// # Safety
///
/// `buf` is valid for writes of `size` bytes.
#[no_mangle]
unsafe extern "C" fn mfroute_rs_ledger_show(buf: *mut u8, size: usize) -> isize {
    let Some(router) = router() else {
        return ENODEV.to_errno() as isize;
    };
    // SAFETY: `buf` is valid for `size` bytes by the safety requirements.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf, size) };
    let mut out = Buffer { buf, len: 0 };
    match router.show(&mut out) {
        // CAST: `len` is at most `size`, a buffer length, which fits isize.
        Ok(()) => out.len as isize,
        Err(_) => ENOSPC.to_errno() as isize,
    }
}
