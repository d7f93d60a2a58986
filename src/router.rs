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

use kernel::ffi::{c_char, c_int};
use core::fmt::{self, Write};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::alloc::{flags, Flags};
use kernel::bindings;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::str::CStr;
use kernel::sync::Mutex;
use kernel::types::Opaque;
use kernel::{container_of, new_mutex};

use crate::ffi;
use crate::route::ledger::{Ledger, Outcome, Part, RangeSet};
use crate::route::range::ByteRange;
use crate::route::registry::{Entry, Registry};
use crate::route::translate::DeviceId;
use crate::route::RouteError;

/// Holder registrations the router keeps, over all devices.
const MAX_HOLDERS: usize = 64;
/// Failed ranges a device's ledger remembers (merged, so usually few).
const MAX_RANGES: usize = 16;
/// Parts one event can split into: one more than the ranges it can hit.
const MAX_PARTS: usize = MAX_RANGES + 1;
/// Bytes kept of a device's name.
const NAME_LEN: usize = 32;

/// `MF_MEM_PRE_REMOVE`: the range is about to be removed, nothing was lost.
// CAST: the MF_* flags are small bit values that fit in a C int.
const PRE_REMOVE: c_int = bindings::mf_flags_MF_MEM_PRE_REMOVE as c_int;

/// The router the C entry points reach; set while one is registered.
static ROUTER: AtomicPtr<Router> = AtomicPtr::new(ptr::null_mut());

/// A `KVec` filled to capacity, as fixed storage for the routing core.
struct Slots<T>(KVec<T>);

impl<T> AsRef<[T]> for Slots<T> {
    fn as_ref(&self) -> &[T] {
        self.0.as_slice()
    }
}

impl<T> AsMut<[T]> for Slots<T> {
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
    registry: Registry<usize, Slots<Entry<usize>>>,
    /// Devices seen; `None` marks a free slot.
    devices: KVec<Option<KBox<Device>>>,
    /// Events on devices that could not be tracked (no memory): upstream.
    untracked: u64,
}

impl State {
    /// Creates an empty state with room for [`MAX_HOLDERS`] registrations.
    fn new() -> Result<Self> {
        let entries = KVec::from_elem(Entry::default(), MAX_HOLDERS, GFP_KERNEL)?;
        Ok(State {
            registry: Registry::new(Slots(entries)),
            devices: KVec::new(),
            untracked: 0,
        })
    }

    /// Returns the slot of device `id`, creating it with `gfp` if new.
    fn device(&mut self, id: DeviceId, name: &[u8], gfp: Flags) -> Result<usize> {
        let devices = self.devices.as_slice();
        if let Some(at) = devices.iter().position(|d| d.as_ref().is_some_and(|d| d.id == id)) {
            return Ok(at);
        }
        let dev = KBox::new(Device::new(id, name), gfp)?;
        if let Some(at) = devices.iter().position(Option::is_none) {
            if let Some(slot) = self.devices.as_mut_slice().get_mut(at) {
                *slot = Some(dev);
                return Ok(at);
            }
        }
        self.devices.push(Some(dev), gfp)?;
        Ok(self.devices.len() - 1)
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

/// Calls every registered holder of `id` overlapping `range`.
///
/// Returns the number of calls; failed callbacks count as ledger errors.
fn deliver_registered(
    registry: &Registry<usize, Slots<Entry<usize>>>,
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
        let id = DeviceId(dax as usize as u64);
        let mut guard = self.state.lock();
        let state = &mut *guard;
        let at = match state.device(id, b"dax", flags::GFP_NOWAIT | flags::__GFP_NOWARN) {
            Ok(at) => at,
            Err(_) => {
                state.untracked = state.untracked.saturating_add(1);
                return EOPNOTSUPP.to_errno();
            }
        };
        let rc = {
            let State {
                registry, devices, ..
            } = &mut *state;
            let Some(dev) = devices.as_mut_slice().get_mut(at).and_then(Option::as_mut) else {
                return EOPNOTSUPP.to_errno();
            };
            if flags & PRE_REMOVE != 0 {
                pre_remove(registry, dev, dax, off, len, range, flags)
            } else {
                poison(registry, dev, dax, range, flags)
            }
        };
        if flags & PRE_REMOVE != 0 {
            state.reap(at);
        }
        rc
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
        let at = state.device(id, name, GFP_KERNEL)?;
        if let Some(dev) = state.devices.as_mut_slice().get_mut(at).and_then(Option::as_mut) {
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
            let check = if dev.ledger.check().is_ok() { "ok" } else { "BROKEN" };
            writeln!(
                out,
                "{} events={} delivered={}/{} absorbed={}/{} fallback={}/{} errors={}/{} \
                 pre_remove={} holder_calls={} check={}",
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

/// Routes a poison event of `dev` (see the module documentation).
fn poison(
    registry: &Registry<usize, Slots<Entry<usize>>>,
    dev: &mut Device,
    dax: *mut bindings::dax_device,
    range: ByteRange,
    flags: c_int,
) -> c_int {
    let Device {
        id,
        name,
        ledger,
        notified,
        parts,
        holder_calls,
        ..
    } = dev;
    let mut n = 0usize;
    let split = ledger.event(range, &mut |part| {
        *parts.get_mut(n).ok_or(RouteError::NoSpace)? = Some(part);
        n += 1;
        Ok(())
    });
    if split.is_err() {
        // Too fragmented to split here: the whole event takes the legacy path.
        let _ = ledger.record(range, Outcome::Fallback);
        return EOPNOTSUPP.to_errno();
    }

    // SAFETY: The caller holds the dax SRCU read lock, so `dax` is live.
    let direct = !unsafe { bindings::dax_holder(dax) }.is_null();
    let (mut delivered, mut fallback, mut calls, mut first_error) = (0u32, false, 0u64, 0);
    for part in parts.iter().take(n).flatten() {
        match *part {
            Part::Known(r) => {
                let _ = ledger.record(r, Outcome::Absorbed);
            }
            Part::New(r) if !direct => {
                // Nobody with holder operations: tell the registered holders
                // once, leave the process killing to the per-page path.
                if !notified.contains(r) {
                    calls += deliver_registered(registry, ledger, *id, r, flags);
                    let _ = notified.insert(r);
                }
                let _ = ledger.record(r, Outcome::Fallback);
                fallback = true;
            }
            Part::New(r) => {
                // Reserve the part in the ledger first; a full ledger leaves
                // it to the per-page path rather than forget it.
                if ledger.record(r, Outcome::Delivered).is_err() {
                    let _ = ledger.record(r, Outcome::Fallback);
                    fallback = true;
                    continue;
                }
                calls += deliver_registered(registry, ledger, *id, r, flags);
                // SAFETY: As above, `dax` is live.
                let rc = unsafe { bindings::dax_notify_holder(dax, r.start(), r.len(), flags) };
                calls += 1;
                if rc == EOPNOTSUPP.to_errno() {
                    // The holder declined (e.g. xfs without rmapbt).
                    if ledger.retract(r).is_err() {
                        let _ = ledger.error(r);
                    }
                    fallback = true;
                } else {
                    if rc != 0 {
                        let _ = ledger.error(r);
                        if first_error == 0 {
                            first_error = rc;
                        }
                    }
                    delivered += 1;
                }
            }
        }
    }
    *holder_calls = holder_calls.saturating_add(calls);
    if calls > 0 {
        pr_info!(
            "{}: poison [{:#x}, +{:#x}): {} holder calls{}\n",
            name_str(name),
            range.start(),
            range.len(),
            calls,
            if fallback { ", rest left to per-page handling" } else { "" }
        );
    }
    if fallback {
        EOPNOTSUPP.to_errno()
    } else if delivered > 0 {
        first_error
    } else {
        EHWPOISON.to_errno()
    }
}

/// Routes a removal announcement of `dev`.
fn pre_remove(
    registry: &Registry<usize, Slots<Entry<usize>>>,
    dev: &mut Device,
    dax: *mut bindings::dax_device,
    off: u64,
    len: u64,
    range: ByteRange,
    flags: c_int,
) -> c_int {
    let mut calls = deliver_registered(registry, &mut dev.ledger, dev.id, range, flags);
    // The direct holder gets exactly what the dax core would have sent it.
    // SAFETY: The caller holds the dax SRCU read lock, so `dax` is live.
    let rc = unsafe { bindings::dax_notify_holder(dax, off, len, flags) };
    let mut revoked = 0;
    if rc == EOPNOTSUPP.to_errno() {
        // No filesystem holder operations: unmap its DAX files ourselves.
        // SAFETY: As above, `dax` is live.
        revoked = unsafe { ffi::mfroute_revoke_dax_mappings(dax) };
    } else {
        calls += 1;
    }
    dev.pre_removes = dev.pre_removes.saturating_add(1);
    dev.holder_calls = dev.holder_calls.saturating_add(calls);
    dev.removed |= off == 0 && len == u64::MAX;
    pr_info!(
        "{}: pre-remove [{:#x}, +{:#x}): {} holder calls, {} DAX inodes revoked\n",
        dev.name(),
        off,
        len,
        calls,
        revoked
    );
    0
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
