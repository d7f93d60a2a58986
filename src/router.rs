// SPDX-License-Identifier: GPL-2.0

//! The failure router, as registered with the dax core: its callbacks, and
//! the entry points of the work items that act for it.
//!
//! The dax core hands the router every failure of a live dax_device
//! (`dax_route_failure()`: poison from `memory_failure()` and
//! `memory_failure_range()`, poison the platform found, the removal
//! `kill_dax()` announces), every repair, and tells it when a dax_device is
//! dead (forget its state) or gets a new user (a holder may take poison
//! nobody took). Each failure is routed by a [`Pass`]; the router answers
//! with a verdict, never an errno: routed, untaken (the per-page path must
//! handle all of it) or absorbed. In the common case, where the filesystem
//! holding the device directly is the only one to tell ([`begin_direct`]),
//! the dax core tells it itself, from its own frame, and the router settles
//! what it answered ([`Router::settle`]).
//!
//! Locking: the device table, each device's state and each device's
//! registry have their own mutex, held only to look up or record, never
//! while a holder is called; the dax core's calls find their device
//! without the table's ([`device_in_call`]). The dax core calls in under
//! the dax SRCU read lock, and `memory_failure()` under `mf_mutex`: these
//! mutexes nest inside both. Unregistering the router waits for every call in progress.
//!
//! C header: [`include/linux/dax.h`](srctree/include/linux/dax.h)

use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use kernel::bindings;
use kernel::container_of;
use kernel::error::to_result;
use kernel::ffi::c_int;
use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};
use kernel::types::{ForeignOwnable, Opaque};

use crate::dax::{DaxDevice, Held, ReadSection};
use crate::defer::{self, Defers};
use crate::device::Device;
use crate::ffi;
use crate::holder_api::Callbacks;
use crate::holders::{self, Holder};
use crate::notify::{self, Notes};
use crate::pass::{begin_direct, Pass, Poison, PRE_REMOVE};
use crate::route::range::ByteRange;
use crate::route::settle::Verdict;
use crate::store;
use crate::table::{self, device_in_call, device_of, Devices};
use crate::trace::{self, Origin};

/// Whom bytes nobody took are left to, for a caller that hands them back.
const PER_PAGE: &str = "per-page handling";

/// The router the C entry points reach; set while one is registered.
static ROUTER: AtomicPtr<Router> = AtomicPtr::new(ptr::null_mut());

/// The failure router, registered with the dax core while it lives.
///
/// # Invariants
///
/// `raw` is registered with `dax_register_failure_router()` from
/// [`Router::new`] until [`PinnedDrop::drop`], and `ROUTER` points to this
/// router during that time.
#[pin_data(PinnedDrop)]
pub(crate) struct Router {
    /// The devices the router knows.
    #[pin]
    devices: Mutex<Devices>,
    /// Notes for registered holders, delivered by the notify work.
    #[pin]
    notes: Mutex<Notes>,
    /// Deliveries waiting for a suspended mapped device's resume.
    #[pin]
    defers: Mutex<Defers>,
    /// The last event number given out.
    seq: AtomicU64,
    /// Failures routed per page as a whole for want of memory for their
    /// device's state.
    untracked: AtomicU64,
    /// The `struct dax_failure_router` handed to the dax core.
    #[pin]
    raw: Opaque<bindings::dax_failure_router>,
}

// SAFETY: `raw` is immutable after initialisation and only read by C; the
// rest is behind mutexes or atomic.
unsafe impl Send for Router {}
// SAFETY: As above: shared access reads `raw`, takes a mutex or an atomic.
unsafe impl Sync for Router {}

impl Router {
    /// Creates the router and registers it with the dax core.
    pub(crate) fn new() -> Result<Pin<KBox<Self>>> {
        let this = KBox::pin_init(
            pin_init!(Router {
                devices <- new_mutex!(Devices::new(), "mfroute:devices"),
                notes <- new_mutex!(Notes::new(), "mfroute:notes"),
                defers <- new_mutex!(Defers::new(), "mfroute:defers"),
                seq: AtomicU64::new(0),
                untracked: AtomicU64::new(0),
                raw: Opaque::new(bindings::dax_failure_router {
                    route: Some(route_callback),
                    direct: Some(direct_callback),
                    settle: Some(settle_callback),
                    repair: Some(repair_callback),
                    forget: Some(forget_callback),
                    attached: Some(attached_callback),
                }),
            }),
            GFP_KERNEL,
        )?;
        // INVARIANT: `ROUTER` is set before the router can be called, and
        // cleared by `drop` before it is unregistered.
        ROUTER.store(ptr::from_ref(&*this).cast_mut(), Ordering::Release);
        // SAFETY: `raw` is pinned and initialised; it stays registered
        // until `drop`, which unregisters it before it is freed.
        if let Err(e) = to_result(unsafe { bindings::dax_register_failure_router(this.raw.get()) })
        {
            ROUTER.store(ptr::null_mut(), Ordering::Release);
            return Err(e);
        }
        // SAFETY: Plain C function, undone by `drop`.  From now on a burst
        // of queued platform-reported failures of pmem pages reaches the
        // router as ranges, not dropped by the queue's kfifo.
        unsafe { bindings::memory_failure_queue_ranges_enable() };
        Ok(this)
    }

    /// Returns the next event number.
    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    /// Routes `failure` of `dax` (see the module documentation).
    ///
    /// # Safety
    ///
    /// Called as `->route()` by the dax core: `dax` is alive in the
    /// caller's dax SRCU read section.
    unsafe fn route(
        &self,
        dax: *mut bindings::dax_device,
        failure: *mut bindings::dax_failure,
    ) -> bindings::dax_failure_verdict {
        // SAFETY: `failure` is valid for the call (the caller's).
        let (off, len, flags, origin) = unsafe {
            let f = &*failure;
            (f.off, f.len, f.mf_flags, origin_of(f.origin))
        };
        let Ok(range) = ByteRange::new(off, len) else {
            if trace::may_log() {
                pr_warn!(
                    "failure [{:#x}, +{:#x}) refused: empty or wrapping\n",
                    off,
                    len
                );
            }
            return bindings::dax_failure_verdict_DAX_FAILURE_NOT_ROUTED;
        };
        // SAFETY: `dax` is alive in the caller's read section, which lasts
        // for the call: kill_dax() waits for it before it lets go.
        let dax = unsafe { DaxDevice::from_raw(dax) };
        // SAFETY: `dax` is alive for the call, as above.
        let dev = match unsafe { device_in_call(&self.devices, &self.raw, dax) } {
            Ok(dev) => dev,
            Err(_) => {
                // No memory for its state: as without a router.
                self.untracked.fetch_add(1, Ordering::Relaxed);
                return bindings::dax_failure_verdict_DAX_FAILURE_NOT_ROUTED;
            }
        };
        let mut pass = self.start(&dev, range, flags, origin);

        if flags & PRE_REMOVE != 0 {
            let whole = off == 0 && len == u64::MAX;
            pass.remove(&dev, dax, range, whole, 0);
            self.account(&dev, &pass, "removal of", range, 0, PER_PAGE);
            // The device goes away once this returns: its holders first.
            notify::flush();
            return bindings::dax_failure_verdict_DAX_FAILURE_ROUTED;
        }

        let mut poison = |pass: &mut Pass<'_>, untaken: &mut dyn FnMut(ByteRange)| {
            pass.poison(&dev, dax, range, untaken)
        };
        // SAFETY: `failure` is valid for the call.
        unsafe { self.poisoned(&dev, &mut pass, range, failure, false, &mut poison) }
    }

    /// Whether the dax core is to tell the filesystem holding `dax` of
    /// `failure` itself, as the only one to tell ([`begin_direct`]); then
    /// [`Router::settle`] follows, and finds the device in `failure`.
    ///
    /// # Safety
    ///
    /// As for [`Router::route`].
    unsafe fn direct(
        &self,
        dax: *mut bindings::dax_device,
        failure: *mut bindings::dax_failure,
    ) -> bool {
        // SAFETY: `failure` is valid for the call (the caller's).
        let (off, len, flags) = unsafe { ((*failure).off, (*failure).len, (*failure).mf_flags) };
        let Ok(range) = ByteRange::new(off, len) else {
            // Refused, and said, by `route`.
            return false;
        };
        if flags & PRE_REMOVE != 0 {
            return false;
        }
        // SAFETY: As in `route`.
        let dax = unsafe { DaxDevice::from_raw(dax) };
        // SAFETY: `dax` is alive for the call, as above.
        let Ok(dev) = (unsafe { device_in_call(&self.devices, &self.raw, dax) }) else {
            return false;
        };
        // SAFETY: The dax core calls in inside a dax read section.
        let section = unsafe { Held::by_caller() };
        if !begin_direct(&dev, dax, &section, range) {
            return false;
        }
        // SAFETY: `failure` is valid for the call; the dax core hands it
        // to `settle` next, which takes the reference back.
        unsafe { (*failure).router_data = dev.into_foreign().cast_mut() };
        true
    }

    /// Settles `failure`, of which the dax core told the filesystem
    /// holding its device itself after [`Router::direct`], and which it
    /// answered `rc`: recorded and said as [`Router::route`] does.
    ///
    /// # Safety
    ///
    /// Called as `->settle()` by the dax core: `failure` is valid for the
    /// call, and [`Router::direct`] answered true for it (once per answer).
    unsafe fn settle(
        &self,
        failure: *mut bindings::dax_failure,
        rc: c_int,
    ) -> bindings::dax_failure_verdict {
        // SAFETY: `failure` is valid for the call (the caller's), and
        // `direct` put a reference to the failing device in it, which is
        // taken back once, here.
        let (off, len, flags, origin, dev) = unsafe {
            let f = &*failure;
            let dev = Arc::<Device>::from_foreign(f.router_data);
            (f.off, f.len, f.mf_flags, origin_of(f.origin), dev)
        };
        let Ok(range) = ByteRange::new(off, len) else {
            // `direct` answered only for a valid range.
            return bindings::dax_failure_verdict_DAX_FAILURE_UNTAKEN;
        };
        let mut pass = self.start(&dev, range, flags, origin);
        let mut settle = |pass: &mut Pass<'_>, untaken: &mut dyn FnMut(ByteRange)| {
            pass.settle_direct(&dev, range, rc, untaken)
        };
        // SAFETY: `failure` is valid for the call.
        unsafe { self.poisoned(&dev, &mut pass, range, failure, true, &mut settle) }
    }

    /// Starts the pass of a new event of `dev`, traced.
    fn start(&self, dev: &Device, range: ByteRange, flags: c_int, origin: Origin) -> Pass<'_> {
        let seq = self.next_seq();
        trace::event(seq, dev.devt, &dev.name, range, flags, origin);
        Pass::new(&self.devices, &self.notes, &self.defers, seq, flags, origin)
    }

    /// Routes poison `range` of `dev` with `poison`, one of `pass`'s
    /// ([`Pass::poison`], [`Pass::settle_direct`]: `direct`), handing what
    /// nobody took to the caller's `untaken`; accounts for it, and answers.
    ///
    /// # Safety
    ///
    /// `failure` is valid for the call, the caller's failure of `dev`.
    unsafe fn poisoned(
        &self,
        dev: &Arc<Device>,
        pass: &mut Pass<'_>,
        range: ByteRange,
        failure: *mut bindings::dax_failure,
        direct: bool,
        poison: &mut Poison<'_>,
    ) -> bindings::dax_failure_verdict {
        // SAFETY: `failure` is valid for the call.
        let untaken = unsafe { (*failure).untaken };
        let mut left = 0u64;
        let mut no_callback = false;
        let verdict = poison(pass, &mut |r| {
            left = left.saturating_add(r.len());
            match untaken {
                // SAFETY: The caller's callback, for its own failure.
                Some(f) => unsafe { f(failure, r.start(), r.len()) },
                None => no_callback = true,
            }
        });
        // SAFETY: `failure` is valid for the call.
        unsafe { (*failure).error = pass.error };
        // A caller with no `untaken` (device-dax) handles every page itself.
        let left_to = if untaken.is_some() {
            PER_PAGE
        } else {
            "the driver"
        };
        if direct && verdict == Verdict::Routed && left == 0 {
            // The filesystem the dax core told took all of it: the
            // kernel's own recovery line says so, as without the router.
            dev.count_calls(pass.calls);
        } else {
            self.account(dev, pass, "poison", range, left, left_to);
        }
        match verdict {
            Verdict::Absorbed => bindings::dax_failure_verdict_DAX_FAILURE_ABSORBED,
            Verdict::Untaken => bindings::dax_failure_verdict_DAX_FAILURE_UNTAKEN,
            // Parts nobody took cannot be handed back: all per page.
            Verdict::Routed if no_callback => bindings::dax_failure_verdict_DAX_FAILURE_UNTAKEN,
            Verdict::Routed => bindings::dax_failure_verdict_DAX_FAILURE_ROUTED,
        }
    }

    /// Counts what `pass` did on `dev`, and says so, rate-limited: `left`
    /// bytes nobody took, left to `left_to`.
    fn account(
        &self,
        dev: &Arc<Device>,
        pass: &Pass<'_>,
        what: &str,
        range: ByteRange,
        left: u64,
        left_to: &str,
    ) {
        dev.count_calls(pass.calls);
        if (pass.calls > 0 || left > 0) && trace::may_log() {
            pr_info!(
                "{}: {} [{:#x}, +{:#x}): {} filesystem calls, {} bytes left to {}\n",
                dev.name.as_str(),
                what,
                range.start(),
                range.len(),
                pass.calls,
                left,
                left_to
            );
        }
    }

    /// Routes the repair of `[off, off + len)` of `dax`.
    ///
    /// # Safety
    ///
    /// As for [`Router::route`].
    unsafe fn repair(&self, dax: *mut bindings::dax_device, off: u64, len: u64) {
        let Ok(range) = ByteRange::new(off, len) else {
            return;
        };
        // SAFETY: As in `route`.
        let dax = unsafe { DaxDevice::from_raw(dax) };
        // Nothing routed from an unknown device: nothing to repair.
        let Some(dev) = self.devices.lock().get(dax.key()) else {
            return;
        };
        let seq = self.next_seq();
        trace::event(seq, dev.devt, &dev.name, range, 0, Origin::Repair);
        let repaired = store::with_room(
            &dev.state,
            |s| s.ledger.delivered().store(),
            |s| s.ledger.repair(range),
        );
        let removed = match repaired {
            Ok(r) => {
                if r.widened && trace::may_log() {
                    // No node to split a delivered range with: the whole
                    // range was forgotten, and failures in its still-bad
                    // rest are told again rather than absorbed.
                    pr_info!(
                        "{}: repair of [{:#x}, +{:#x}) forgot {:#x} bytes around it: no memory\n",
                        dev.name.as_str(),
                        range.start(),
                        range.len(),
                        r.removed
                    );
                }
                Some(r.removed)
            }
            Err(e) => {
                // A broken ledger invariant: said, and the holders are
                // told of the repair all the same.
                if trace::may_log() {
                    pr_err!(
                        "{}: repair of [{:#x}, +{:#x}) not recorded: error {}\n",
                        dev.name.as_str(),
                        range.start(),
                        range.len(),
                        e.errno()
                    );
                }
                None
            }
        };
        let mut pass = Pass::new(
            &self.devices,
            &self.notes,
            &self.defers,
            seq,
            0,
            Origin::Repair,
        );
        pass.repair(&dev, dax, range, 0);
        self.account(&dev, &pass, "repair of", range, 0, PER_PAGE);
        if removed == Some(0) && trace::may_log() {
            pr_info!("{}: repaired range was not failed\n", dev.name.as_str());
        }
    }

    /// Tries the deliveries put off while their mapped device was
    /// suspended; puts back those still waiting.
    fn deliver_deferred(&self) {
        let mut waiting = KVec::new();
        for d in defer::take(&self.defers) {
            // The lower device forgotten: nothing above it to tell.
            let still = d.lower.dax.with(|dax| {
                // Routed as the dax core routes: alive in a read section.
                let _section = ReadSection::enter();
                dax.alive() && {
                    let seq = self.next_seq();
                    trace::event(
                        seq,
                        d.lower.devt,
                        &d.lower.name,
                        d.range,
                        d.flags,
                        Origin::Deferred,
                    );
                    let mut pass = Pass::new(
                        &self.devices,
                        &self.notes,
                        &self.defers,
                        seq,
                        d.flags,
                        Origin::Deferred,
                    );
                    let still = pass.deliver_deferred(&d, dax);
                    self.account(&d.lower, &pass, "deferred poison", d.range, 0, PER_PAGE);
                    still
                }
            });
            if still == Some(true) && waiting.push(d, GFP_KERNEL).is_err() {
                // No memory to keep it: the filesystem is not told later.
                break;
            }
        }
        defer::put_back(&self.defers, waiting);
    }

    /// Asks every known device's driver for the poison nobody took.
    ///
    /// Without memory for the list, nobody is asked: the poison stays
    /// untaken, to be asked for at the next new user.
    fn reprobe(&self) {
        let Ok(devices) = self.devices() else {
            return;
        };
        for dev in devices.iter() {
            // A device forgotten meanwhile may be freed: `with` skips it
            // (the dax SRCU read section `dax_report_poison()` takes does
            // not keep it: `kill_dax()` forgets it after its grace period).
            dev.dax.with(DaxDevice::report_poison);
        }
    }

    /// Registers a holder calling `calls` for `range` of `dax`; returns it.
    pub(crate) fn register(
        &self,
        calls: impl PinInit<Callbacks>,
        dax: &DaxDevice,
        range: ByteRange,
    ) -> Result<Arc<Holder>> {
        let dev = device_of(&self.devices, dax)?;
        let holder = holders::register(&dev, calls, range)?;
        // A holder appeared: it may take poison nobody took before.
        // SAFETY: Plain C function, any context.
        unsafe { ffi::mfroute_reprobe_schedule(0) };
        Ok(holder)
    }

    /// Takes `holder` out of the registry of the dax_device at address
    /// `key`, if it is still known.
    pub(crate) fn unregister(&self, holder: &Holder, key: usize) {
        let dev = self.devices.lock().get(key);
        if let Some(dev) = dev {
            holders::unregister(&dev, holder);
        }
    }

    /// Tops up the spare nodes of the ledgers that asked for it, so that
    /// the next failures there need not allocate; the refill work.
    ///
    /// Without memory for the list of devices, nothing is topped up: the
    /// failures allocate for themselves.
    fn refill(&self) {
        let Ok(devices) = self.devices() else {
            return;
        };
        for dev in devices.iter() {
            if core::mem::take(&mut dev.state.lock().spares_wanted) {
                store::refill(&dev.state, |s| s.ledger.delivered().store());
            }
        }
    }

    /// Returns the devices the router knows, in no particular order.
    ///
    /// Fails only for want of memory for the list.
    pub(crate) fn devices(&self) -> Result<KVec<Arc<Device>>> {
        let mut devices = KVec::new();
        let mut res = Ok(());
        self.devices.lock().for_each(&mut |d| {
            if res.is_ok() {
                res = devices.push(d.clone(), GFP_KERNEL).map_err(Error::from);
            }
        });
        res.map(|()| devices)
    }

    /// Returns how many failures went per page as a whole for want of
    /// memory for their device's state.
    pub(crate) fn untracked(&self) -> u64 {
        self.untracked.load(Ordering::Relaxed)
    }
}

#[pinned_drop]
impl PinnedDrop for Router {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: Plain C function, undoing `new`'s enable.  Ranges already
        // queued are handled without the router, as pmem does without one.
        unsafe { bindings::memory_failure_queue_ranges_disable() };
        ROUTER.store(ptr::null_mut(), Ordering::Release);
        // SAFETY: By the type invariant `raw` is registered; this waits for
        // every call in progress, after which nothing uses it.
        unsafe { bindings::dax_unregister_failure_router(self.raw.get()) };
        // SAFETY: Plain C function; no `->attached()` can queue it again.
        unsafe { ffi::mfroute_reprobe_cancel() };
        // SAFETY: Plain C function: the router routes nothing any more, so
        // nothing queues notes; the ones left have no holder to tell (they
        // unregistered before the module could go).
        unsafe { ffi::mfroute_notify_cancel() };
        // SAFETY: Plain C function: nothing defers deliveries any more.
        unsafe { ffi::mfroute_defer_cancel() };
        // SAFETY: Plain C function: nothing routes, so nothing asks for a
        // refill any more.
        unsafe { ffi::mfroute_refill_cancel() };
    }
}

/// Returns the router of `raw`.
///
/// # Safety
///
/// `raw` is the `raw` field of a registered [`Router`], which stays alive
/// until unregistration has waited for the caller.
unsafe fn router_of<'a>(raw: *mut bindings::dax_failure_router) -> &'a Router {
    let raw = raw.cast::<Opaque<bindings::dax_failure_router>>();
    // SAFETY: By the safety requirements.
    unsafe { &*container_of!(raw, Router, raw) }
}

/// The origin of a failure handed to the router.
fn origin_of(origin: bindings::dax_failure_origin) -> Origin {
    match origin {
        bindings::dax_failure_origin_DAX_FAILURE_PAGE => Origin::Page,
        bindings::dax_failure_origin_DAX_FAILURE_RANGE => Origin::Range,
        bindings::dax_failure_origin_DAX_FAILURE_BADBLOCKS => Origin::Badblocks,
        _ => Origin::PreRemove,
    }
}

/// `->route()` of `struct dax_failure_router`.
///
/// # Safety
///
/// Called by the dax core as documented in `include/linux/dax.h`.
unsafe extern "C" fn route_callback(
    raw: *mut bindings::dax_failure_router,
    dax: *mut bindings::dax_device,
    failure: *mut bindings::dax_failure,
) -> bindings::dax_failure_verdict {
    // SAFETY: The dax core calls with its registered router, a live `dax`
    // and a valid `failure`.
    unsafe { router_of(raw).route(dax, failure) }
}

/// `->direct()` of `struct dax_failure_router`.
///
/// # Safety
///
/// As for [`route_callback`].
unsafe extern "C" fn direct_callback(
    raw: *mut bindings::dax_failure_router,
    dax: *mut bindings::dax_device,
    failure: *mut bindings::dax_failure,
) -> bool {
    // SAFETY: As for `route_callback`.
    unsafe { router_of(raw).direct(dax, failure) }
}

/// `->settle()` of `struct dax_failure_router`.
///
/// # Safety
///
/// As for [`route_callback`].
unsafe extern "C" fn settle_callback(
    raw: *mut bindings::dax_failure_router,
    _dax: *mut bindings::dax_device,
    failure: *mut bindings::dax_failure,
    rc: c_int,
) -> bindings::dax_failure_verdict {
    // SAFETY: The dax core calls with its registered router, once for each
    // failure `direct_callback` answered true for.
    unsafe { router_of(raw).settle(failure, rc) }
}

/// `->repair()` of `struct dax_failure_router`.
///
/// # Safety
///
/// As for [`route_callback`].
unsafe extern "C" fn repair_callback(
    raw: *mut bindings::dax_failure_router,
    dax: *mut bindings::dax_device,
    off: u64,
    len: u64,
) {
    // SAFETY: As for `route_callback`.
    unsafe { router_of(raw).repair(dax, off, len) }
}

/// `->forget()` of `struct dax_failure_router`.
///
/// # Safety
///
/// As for [`route_callback`].
unsafe extern "C" fn forget_callback(
    raw: *mut bindings::dax_failure_router,
    dax: *mut bindings::dax_device,
) {
    // The dax_device is dead: no call about it runs or will run.
    // SAFETY: As for `route_callback`.
    table::forget(&unsafe { router_of(raw) }.devices, dax as usize);
}

/// `->attached()` of `struct dax_failure_router`: must not sleep.
///
/// # Safety
///
/// As for [`route_callback`].
unsafe extern "C" fn attached_callback(
    _raw: *mut bindings::dax_failure_router,
    _dax: *mut bindings::dax_device,
) {
    // A mounting filesystem is not ready at once: ask in a second.
    // SAFETY: Plain C function, any context.
    unsafe { ffi::mfroute_reprobe_schedule(1000) };
}

/// Returns the registered router, if any.
pub(crate) fn router() -> Option<&'static Router> {
    let router = ROUTER.load(Ordering::Acquire);
    // SAFETY: `ROUTER` is non-null only while the router it points to is
    // registered (type invariant); the holder API's users keep mfroute,
    // and so the router, loaded.
    unsafe { router.as_ref() }
}

/// Tries the deliveries put off for suspended mapped devices; the defer
/// work of `mfroute_holder.c`.
#[no_mangle]
extern "C" fn mfroute_rs_defer() {
    if let Some(router) = router() {
        router.deliver_deferred();
    }
}

/// Delivers the notes queued for registered holders; the notify work of
/// `mfroute_holder.c`.
#[no_mangle]
extern "C" fn mfroute_rs_notify() {
    if let Some(router) = router() {
        notify::deliver(&router.notes);
    }
}

/// Tops up the ledgers' spare nodes; the refill work of `mfroute_holder.c`.
#[no_mangle]
extern "C" fn mfroute_rs_refill() {
    if let Some(router) = router() {
        router.refill();
    }
}

/// Asks drivers for poison nobody took; called by `mfroute_holder.c`'s work.
#[no_mangle]
extern "C" fn mfroute_rs_reprobe() {
    if let Some(router) = router() {
        router.reprobe();
    }
}
