// SPDX-License-Identifier: GPL-2.0
//! Following mfroute's tracepoints through tracefs.
//!
//! The monitor reads a private trace instance
//! (`instances/mfroute-monitor.PID`) with only the mfroute events enabled,
//! so it neither consumes nor disturbs the main buffer that other tools
//! (and other tests) read; the instance is removed on exit.  Where
//! instances are not available it falls back to the main buffer and
//! restores the events' previous enable state on exit.

use crate::error::{Error, Result};
use crate::sysfs::Sys;
use crate::trace::SYSTEM;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Where tracefs may be mounted, in order of preference.
pub const TRACEFS_DIRS: [&str; 2] = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/// The mounted tracefs, or the error saying how to mount it, or what it
/// takes to be let in.
pub fn find(sys: &Sys) -> Result<PathBuf> {
    for d in TRACEFS_DIRS.iter().map(|d| sys.path(d)) {
        let pipe = d.join("trace_pipe");
        match fs::metadata(&pipe) {
            Ok(_) => return Ok(d),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                return Err(Error::tracefs_io("looking up", &pipe, &e));
            }
            Err(_) => {}
        }
    }
    Err(Error::no_tracefs())
}

/// A trace buffer with mfroute's events enabled, undone on drop.
#[derive(Debug)]
pub struct Session {
    dir: PathBuf,
    system: String,
    instance: bool,
    previous_enable: Option<String>,
}

fn write(path: &Path, value: &str) -> Result<()> {
    fs::write(path, value).map_err(|e| Error::tracefs_io("writing", path, &e))
}

impl Session {
    /// Enables mfroute's events in a private instance of `tracefs` (or,
    /// failing that, in the main buffer).
    pub fn start(tracefs: &Path) -> Result<Self> {
        Self::start_system(tracefs, SYSTEM)
    }

    /// Enables the events of tracepoint system `system` in a private
    /// instance of `tracefs` (or, failing that, in the main buffer).
    pub fn start_system(tracefs: &Path, system: &str) -> Result<Self> {
        let events = Path::new("events").join(system).join("enable");
        if !tracefs.join(&events).exists() {
            return Err(Error::environment(
                format!(
                    "the loaded mfroute has no tracepoints (no {})",
                    tracefs.join("events").join(system).display()
                ),
                "load an mfroute module with tracepoints (0.2.0 or later): rmmod mfroute; modprobe mfroute",
            ));
        }
        remove_stale_instances(&tracefs.join("instances"));
        let inst = tracefs
            .join("instances")
            .join(format!("mfroute-monitor.{}", std::process::id()));
        match fs::create_dir(&inst) {
            Ok(()) => {
                let s = Self {
                    dir: inst,
                    system: system.to_string(),
                    instance: true,
                    previous_enable: None,
                };
                // Times of CLOCK_BOOTTIME, which the monitor turns into
                // wall-clock time (crate::clock); the default clock
                // (`local`) has no fixed relation to it. Set before the
                // events are on: a new clock empties the buffer. Never
                // created: a tracefs without the file keeps its clock.
                let _ = OpenOptions::new()
                    .write(true)
                    .open(s.dir.join("trace_clock"))
                    .and_then(|mut f| f.write_all(b"boot"));
                write(&s.dir.join(&events), "1")?;
                // Wake poll(2) at the first record, not when the buffer
                // is half full (the default); kernels without the file
                // wake at once anyway.
                let _ = fs::write(s.dir.join("buffer_percent"), "0");
                Ok(s)
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                Err(Error::tracefs_io("creating trace instance", &inst, &e))
            }
            Err(_) => {
                let path = tracefs.join(&events);
                let previous = fs::read_to_string(&path)
                    .map_err(|e| Error::tracefs_io("reading", &path, &e))?
                    .trim()
                    .to_string();
                write(&path, "1")?;
                Ok(Self {
                    dir: tracefs.to_path_buf(),
                    system: system.to_string(),
                    instance: false,
                    previous_enable: Some(previous),
                })
            }
        }
    }

    /// The `trace_pipe` to read.
    pub fn pipe(&self) -> PathBuf {
        self.dir.join("trace_pipe")
    }

    /// The directory of the buffer read: the instance, or tracefs itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The trace clock of the buffer read (`boot` in an instance), if
    /// tracefs says.
    pub fn clock(&self) -> Option<String> {
        let text = fs::read_to_string(self.dir.join("trace_clock")).ok()?;
        active_clock(&text)
    }

    /// Whether a private instance is used.
    pub fn is_instance(&self) -> bool {
        self.instance
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let enable = self.dir.join("events").join(&self.system).join("enable");
        if self.instance {
            let _ = fs::write(&enable, "0");
            let _ = fs::remove_dir(&self.dir);
        } else if let Some(prev) = &self.previous_enable {
            // "X" (mixed) cannot be written back; leave them enabled then.
            if prev == "0" {
                let _ = fs::write(&enable, "0");
            }
        }
    }
}

/// The clock marked active in the text of a `trace_clock` file:
/// `local global [boot] mono` is `boot`.
fn active_clock(text: &str) -> Option<String> {
    text.split_whitespace()
        .find_map(|w| w.strip_prefix('[')?.strip_suffix(']'))
        .map(str::to_string)
}

/// Removes the instances that monitors killed with SIGKILL left behind,
/// events enabled and buffers allocated: those named after a process
/// that no longer exists.  A monitor that is starting has made its
/// instance but not yet opened its `trace_pipe`, so tracefs would let
/// its instance go (it refuses, EBUSY, only while the pipe is open);
/// the process check keeps it.  A monitor of another PID namespace
/// is judged by the process of that number here: at worst an instance
/// is kept too long, or one still starting is lost and that monitor
/// fails to enable its events and says so.
fn remove_stale_instances(instances: &Path) {
    let Ok(dir) = fs::read_dir(instances) else {
        return;
    };
    for e in dir.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix("mfroute-monitor.")
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if !process_exists(pid) && fs::remove_dir(e.path()).is_ok() {
            eprintln!("mfroute: removed the trace instance {name}, left by a monitor that is gone");
        }
    }
}

/// Whether process `pid` exists (in this PID namespace): kill(2) with no
/// signal finds it, even one this user may not signal (EPERM).
fn process_exists(pid: i32) -> bool {
    use nix::{errno::Errno, sys::signal::kill, unistd::Pid};
    pid > 0 && !matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

/// Why [`follow`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// `stop` was set (a signal).
    Signal,
    /// The handler asked to stop.
    Done,
    /// The deadline passed.
    Timeout,
    /// End of file (a regular file, not a trace pipe).
    Eof,
}

/// The longest wait in poll(2) for a record: how late a deadline is seen,
/// or the records of the main buffer, whose `buffer_percent` (poll wakes
/// when that much of the buffer is full) the monitor leaves alone.  A
/// signal ends the wait at once.
const POLL: Duration = Duration::from_secs(1);

/// Waits until `file` can be read, a signal arrives, or `timeout` passes.
fn wait_readable(file: &File, timeout: Duration) -> io::Result<()> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(ms)) {
        Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Reads `pipe` (opened non-blocking) line by line, calling `on_line` for
/// each until it returns `Ok(false)`, `stop` is set or `deadline` passes.
pub fn follow(
    pipe: &Path,
    stop: &AtomicBool,
    deadline: Option<Instant>,
    mut on_line: impl FnMut(&str) -> io::Result<bool>,
) -> io::Result<Stopped> {
    let mut file: File = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(pipe)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(Stopped::Signal);
        }
        let wait = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left.min(POLL),
                _ => return Ok(Stopped::Timeout),
            },
            None => POLL,
        };
        match file.read(&mut buf) {
            Ok(0) => {
                // trace_pipe never ends; a regular file does.
                if !pending.is_empty() {
                    let line = String::from_utf8_lossy(&pending).into_owned();
                    pending.clear();
                    if !on_line(&line)? {
                        return Ok(Stopped::Done);
                    }
                }
                if fs::metadata(pipe).is_ok_and(|m| m.is_file()) {
                    return Ok(Stopped::Eof);
                }
                wait_readable(&file, wait)?;
            }
            Ok(n) => {
                pending.extend_from_slice(&buf[..n]);
                while let Some(nl) = pending.iter().position(|&b| b == b'\n') {
                    let line = String::from_utf8_lossy(&pending[..nl]).into_owned();
                    pending.drain(..=nl);
                    if !on_line(&line)? {
                        return Ok(Stopped::Done);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_readable(&file, wait)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The nice value of the thread that handles the lines [`follow_queued`]
/// reads.
const RESOLVER_NICE: i32 = 10;

/// As [`follow`], with `pipe` read on a thread of its own into memory:
/// the kernel's buffer is drained as fast as records come, however long
/// `on_line` takes (resolving walks filesystems), so a burst waits in
/// this process, bounded by its memory, not in the trace buffer, where it
/// would overflow and be lost.  When `stop` is set, or the deadline
/// passes, the lines already read are still handed to `on_line`.
pub fn follow_queued(
    pipe: &Path,
    stop: &AtomicBool,
    deadline: Option<Instant>,
    mut on_line: impl FnMut(&str) -> io::Result<bool>,
) -> io::Result<Stopped> {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let quit = AtomicBool::new(false);
    let (tx, rx) = channel::<String>();
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let r = follow(pipe, &quit, deadline, |line| {
                Ok(tx.send(line.to_string()).is_ok())
            });
            drop(tx);
            r
        });
        // Reading must win the CPU in a burst, on a machine busy with
        // the failures themselves: this thread, which resolves, yields
        // to the reader (and to the rest of the system) at nice 10, set
        // once the reader runs (a thread starts with its creator's).
        // Lowering one's own priority needs no privilege; should it
        // fail, records are only resolved sooner.
        let tid = nix::unistd::gettid().as_raw();
        // SAFETY: setpriority() takes plain integers and touches no memory.
        let _ = unsafe {
            nix::libc::setpriority(
                nix::libc::PRIO_PROCESS,
                nix::libc::id_t::try_from(tid).unwrap_or(0),
                RESOLVER_NICE,
            )
        };
        let mut handled = Ok(None);
        loop {
            // On a signal the reader ends within POLL, then the queue
            // drains: checked at every line, records may never pause.
            if stop.load(Ordering::Relaxed) {
                quit.store(true, Ordering::Relaxed);
            }
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => match on_line(&line) {
                    Ok(true) => continue,
                    Ok(false) => handled = Ok(Some(Stopped::Done)),
                    Err(e) => handled = Err(e),
                },
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {}
            }
            break;
        }
        quit.store(true, Ordering::Relaxed);
        drop(rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("reader panicked")));
        match (handled, read) {
            (Err(e), _) | (Ok(None), Err(e)) => Err(e),
            (Ok(Some(done)), _) => Ok(done),
            (Ok(None), Ok(why)) => Ok(why),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_clock_is_bracketed() {
        assert_eq!(
            active_clock("local global counter uptime perf mono mono_raw [boot] tai\n").as_deref(),
            Some("boot")
        );
        assert_eq!(active_clock("[local] global\n").as_deref(), Some("local"));
        assert_eq!(active_clock("local global\n"), None);
    }

    #[test]
    fn stale_instances() {
        let dir = std::env::temp_dir().join(format!("mfroute-instances-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        // pid_max is at most 2^22, so no process has the numbers above.
        let gone = 1 << 22;
        let running = format!("mfroute-monitor.{}", std::process::id());
        // Monitors gone (no process 0 either); one whose instance
        // tracefs will not remove (here: not empty); one still running
        // (this process); names not made by a monitor; another tool's
        // instance.
        for d in [
            format!("mfroute-monitor.{gone}"),
            format!("mfroute-monitor.{}/x", gone + 1),
            running.clone(),
            "mfroute-monitor.x".into(),
            "mfroute-monitor.0".into(),
            "other".into(),
            "mfroute-monitor".into(),
        ] {
            fs::create_dir_all(dir.join(d)).unwrap();
        }
        remove_stale_instances(&dir);
        let mut left = crate::sysfs::list_dir(&dir);
        left.sort();
        let _ = fs::remove_dir_all(&dir);
        let mut want = vec![
            "mfroute-monitor".to_string(),
            format!("mfroute-monitor.{}", gone + 1),
            running,
            "mfroute-monitor.x".into(),
            "other".into(),
        ];
        want.sort();
        assert_eq!(left, want);
        // No instances directory: nothing to do.
        remove_stale_instances(&dir);
    }

    #[test]
    fn processes() {
        assert!(process_exists(std::process::id() as i32));
        assert!(!process_exists(1 << 22));
        assert!(!process_exists(0));
        assert!(!process_exists(-1));
    }
}
