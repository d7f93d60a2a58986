// SPDX-License-Identifier: GPL-2.0
//! mfroute(8): follow, explain and count the persistent-memory failures
//! that the mfroute kernel module routes.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use mfroute::clock::WallClock;
use mfroute::error::{Error, Result};
use mfroute::monitor::{Filter, Format, Monitor, Output};
use mfroute::resolve::{Resolve, SystemResolver};
use mfroute::stack::{self, IoctlTables};
use mfroute::sysfs::Sys;
use mfroute::{history, status, tracefs};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const ABOUT: &str = "Follow, explain and count persistent-memory failures routed by mfroute";

const LONG_ABOUT: &str = "\
Follow, explain and count persistent-memory failures routed by mfroute.

mfroute is a kernel module that reports pmem failures (poison, device
removal, repair) as byte ranges and routes them up the storage stack: pmem
namespace, partition, device-mapper linear and striped devices, and the
filesystem or any other registered holder on top.  This command is its
userspace side:

  monitor  follows the module's tracepoints and prints one line per record;
           each poison delivery is resolved to the file (path, inode and
           offset) or the filesystem metadata it hit
  stack    shows the translation chain above each pmem namespace and
           whether mfroute translates failures through each level
  status   prints the per-device counters and the ranges failed now, and
           with --resolve which files they damaged and what to do

Human-readable output is the default; --json prints the same information as
JSON (one object per line for monitor), whose shape is stable and documented
in Documentation/mfroute/tool.rst.";

const AFTER_LONG_HELP: &str = "\
EXAMPLES:
  Follow failures and say what they hit:
      mfroute monitor

  The same as JSON lines, appended to a log, in the background:
      mfroute monitor --json --log /var/log/mfroute.json &

  Stop after the first 3 records, or after 10 seconds:
      mfroute monitor --json --count 3 --timeout 10

  Explain a saved trace (no root needed without resolution):
      mfroute monitor --from saved-trace.txt --no-resolve

  Show what sits on top of pmem0, and the counters:
      mfroute stack pmem0
      mfroute status --json

  Which files are damaged now, and what to do about each:
      mfroute status --resolve

FILES:
  /sys/kernel/tracing/events/mfroute/   the module's tracepoints (also under
                                        /sys/kernel/debug/tracing)
  /sys/kernel/tracing/instances/        monitor reads a private instance,
                                        mfroute-monitor.PID, removed on exit
  /sys/kernel/mfroute/                  module version and per-device
                                        counters (devices/NAME/{dev,stat,failed})
  /sys/block/pmemN/                     namespaces, partitions, holders
  /dev/mapper/control                   device-mapper tables (DM_TABLE_STATUS)
  /proc/self/mountinfo                  what is mounted where

EXIT STATUS:
  0  success (monitor: stopped by --count, --timeout, end of input or a
     signal)
  1  failure: an I/O error or data that could not be read
  2  bad command line
  3  the system is not ready: tracefs refused, or not mounted, mfroute not
     loaded or without tracepoints
  4  unknown device, or not the kind of device the command needs";

#[derive(Parser, Debug)]
#[command(
    name = "mfroute",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = "Run 'mfroute --help' for examples, files and exit status.",
    after_long_help = AFTER_LONG_HELP,
    propagate_version = true
)]
struct Cli {
    /// Look for /sys, /proc and /dev under DIR (for testing).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "/",
        hide = true
    )]
    root: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Follow routed failures and say what each delivery hit
    #[command(
        long_about = "\
Follow routed failures and say what each delivery hit.

Enables the mfroute tracepoints in a private trace instance and prints one
line per record: a failure entering the router (mfroute_event), a call to
a holder (mfroute_deliver), a part delivered before (mfroute_absorb) or a
part left to the kernel's per-page handling (mfroute_fallback).  Records of
one failure share its sequence number (#N).

Each poison delivery to a filesystem or a holder is resolved: the mount on
the delivered device (or on its partition that the range falls in) is
asked with FS_IOC_GETFSMAP who owns the bytes, giving a file's inode and
offset, with its path when a walk of the mount finds it, or the kind of
metadata; bytes GETFSMAP cannot attribute (ext4 file data, xfs without
rmapbt) are looked up with FS_IOC_FIEMAP on the mount's files.  A
filesystem that has shut down, or a device nothing is mounted on, is said
so in the record.  Removals and repairs are not resolved.

Runs until interrupted, --count records or --timeout seconds.",
        after_long_help = "\
EXAMPLES:
  mfroute monitor
  mfroute monitor --json --log /tmp/mfroute.json --timeout 30 &
  mfroute monitor --from /sys/kernel/tracing/trace --no-resolve

EXIT STATUS:
  0 when stopped by --count, --timeout, end of --from input, SIGINT or
  SIGTERM (SIGHUP reopens the --log file); 3 when tracefs refuses it (root,
  or CAP_DAC_OVERRIDE, is needed) or is not mounted, or mfroute is not
  loaded; 1 on other errors."
    )]
    Monitor(MonitorArgs),

    /// Show the translation chain above pmem namespaces
    #[command(
        long_about = "\
Show the translation chain above pmem namespaces.

For each pmem namespace (all of them, or DEV's: a pmem device, or the
namespaces under a partition or device-mapper device): its nvdimm device, size and
physical data range; its partitions; the device-mapper devices above it,
recursively (dm on dm), each with its live table and whether mfroute
translates failures through it (linear and striped targets: yes; any other
target type: no, failures under it take the kernel's per-page path); and
what is mounted on each level.  Reading device-mapper tables needs
CAP_SYS_ADMIN and access to /dev/mapper/control; without them each
device-mapper device says its table was not read.",
        after_long_help = "\
EXAMPLES:
  mfroute stack
  mfroute stack pmem1 --json
  mfroute stack /dev/mapper/stripe"
    )]
    Stack(StackArgs),

    /// Print per-device counters and failed ranges
    #[command(
        long_about = "\
Print per-device counters and failed ranges.

For each device mfroute tracks (a device it has seen a failure on, or a
holder registered on): failure events, ranges and bytes told to holders,
absorbed (reported before), left to the per-page path, refused by a
holder with an error, and repaired; holder calls made; and the ranges that
are failed now.  Read from /sys/kernel/mfroute; root is not needed.

With --resolve, also the ranges of the device's badblocks that mfroute
does not list (poison the platform reported that went the per-page way),
and for each range what it holds now in the filesystems mounted on the
device, its partitions and the device-mapper devices above (files with
their byte ranges, metadata), each with the next step, and where the
media is (namespace, region, DIMMs).  Resolving needs root (GETFSMAP,
device-mapper tables).",
        after_long_help = "\
EXAMPLES:
  mfroute status
  mfroute status pmem0 --json
  mfroute status --resolve /dev/pmem0"
    )]
    Status(StatusArgs),
    /// Show the failures a monitor stored (--store), with what they hit
    #[command(
        long_about = "\
Show the failures a monitor stored (mfroute monitor --store FILE; the
systemd unit keeps /var/lib/mfroute/events.jsonl), one line per record
with its wall-clock time: each failure, each holder told and what the
range hit then (files, metadata), parts already known and parts left to
the per-page path.  The history outlives the monitor and, on persistent
disk, the machine: a monitor started after a failure cannot see it.",
        after_long_help = "\
EXAMPLES:
  mfroute log --since 2h
  mfroute log --since 2026-12-06T14:00:00Z --dev pmem0 --json
  mfroute log --summary"
    )]
    Log(LogArgs),
    /// Write the manual page or a shell's completion script to standard
    /// output (for packaging: make install-tool)
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
struct LogArgs {
    /// The history to read
    #[arg(long, value_name = "FILE", default_value = history::DEFAULT_STORE)]
    store: PathBuf,
    /// Only records from WHEN on: an RFC 3339 time, or a span back from
    /// now (30m, 2h, 1d)
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Only records about device DEV (pmem0, /dev/pmem0, MAJ:MIN;
    /// repeatable)
    #[arg(long = "dev", value_name = "DEV")]
    devs: Vec<String>,
    /// Only records of tracepoint EVENT (event, deliver, absorb,
    /// fallback, warning; repeatable)
    #[arg(long = "event", value_name = "EVENT")]
    events: Vec<String>,
    /// Print the records as stored, one JSON object per line
    #[arg(long, conflicts_with = "summary")]
    json: bool,
    /// Print, per device, how many failures, what became of them and
    /// which files they hit
    #[arg(long)]
    summary: bool,
}

#[derive(Args, Debug)]
struct GenerateArgs {
    /// What to write
    #[arg(value_enum)]
    what: Generated,
    /// For man: the directory to write the pages to
    #[arg(value_name = "DIR", required_if_eq("what", "man"))]
    dir: Option<PathBuf>,
}

/// What `mfroute generate` writes.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Generated {
    /// mfroute(8) and a page per command (mfroute-monitor(8), ...), roff
    Man,
    /// bash completion
    Bash,
    /// zsh completion
    Zsh,
    /// fish completion
    Fish,
}

#[derive(Args, Debug)]
struct MonitorArgs {
    /// Print one JSON object per line
    #[arg(long, conflicts_with = "human")]
    json: bool,
    /// Print sentences (the default)
    #[arg(long)]
    human: bool,
    /// Append to FILE instead of writing to standard output (reopened on
    /// SIGHUP, as after logrotate moved it)
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Also append every record printed, as JSON, to FILE, the history
    /// 'mfroute log' reads (reopened on SIGHUP; its directory is made)
    #[arg(long, value_name = "FILE")]
    store: Option<PathBuf>,
    /// Read trace text from FILE ('-': standard input) instead of tracefs
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// Do not look up what deliveries hit
    #[arg(long)]
    no_resolve: bool,
    /// Stop after N mfroute records
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Stop after SECONDS seconds
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Only records about device DEV (pmem0, /dev/mapper/NAME, MAJ:MIN;
    /// repeatable)
    #[arg(long = "dev", value_name = "DEV")]
    devs: Vec<String>,
    /// Only records of tracepoint EVENT (event, deliver, absorb, fallback,
    /// with or without "mfroute_"; repeatable)
    #[arg(long = "event", value_name = "EVENT")]
    events: Vec<String>,
    /// Only records of failures of ORIGIN (memory_failure, range,
    /// badblocks, pre_remove, repair, deferred; repeatable)
    #[arg(long = "origin", value_name = "ORIGIN")]
    origins: Vec<String>,
}

#[derive(Args, Debug)]
struct StackArgs {
    /// pmem0, /dev/pmem0, MAJ:MIN, or a partition or dm device on pmem (default: all)
    #[arg(value_name = "DEV")]
    dev: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct StatusArgs {
    /// Only this device (pmem0, /dev/mapper/NAME, MAJ:MIN)
    #[arg(value_name = "DEV")]
    dev: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Name what each failed range hit now (files, metadata) and the
    /// next step, and where the media is
    #[arg(long)]
    resolve: bool,
}

static STOP: AtomicBool = AtomicBool::new(false);
static REOPEN: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

extern "C" fn on_hangup(_: nix::libc::c_int) {
    REOPEN.store(true, Ordering::Relaxed);
}

/// Makes SIGINT and SIGTERM stop the monitor cleanly (the trace instance
/// is removed), interrupting a blocked read, and SIGHUP reopen its log.
fn install_signal_handlers() -> Result<()> {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    for (sig, handler) in [
        (Signal::SIGINT, on_signal as extern "C" fn(nix::libc::c_int)),
        (Signal::SIGTERM, on_signal),
        (Signal::SIGHUP, on_hangup),
    ] {
        let act = SigAction::new(
            SigHandler::Handler(handler),
            SaFlags::empty(),
            SigSet::empty(),
        );
        // SAFETY: the handlers only store to an atomic, which is
        // async-signal-safe.
        unsafe { sigaction(sig, &act) }
            .map_err(|e| Error::failed(format!("installing a {sig} handler: {e}")))?;
    }
    Ok(())
}

/// Where monitor output goes.
struct Sink {
    out: Box<dyn Write>,
    /// The log file, if not standard output.
    log: Option<PathBuf>,
    /// The store, if one is kept, and its path.
    store: Option<(File, PathBuf)>,
}

impl Sink {
    fn open(log: Option<&Path>, store: Option<&Path>) -> Result<Self> {
        let out: Box<dyn Write> = match log {
            Some(p) => Box::new(Self::append(p).map_err(|e| Error::io("opening", p, &e))?),
            None => Box::new(io::stdout()),
        };
        let store = match store {
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| Error::io("making", dir, &e))?;
                }
                let f = Self::append(p).map_err(|e| Error::io("opening", p, &e))?;
                Some((f, p.to_path_buf()))
            }
            None => None,
        };
        Ok(Self {
            out,
            log: log.map(Path::to_path_buf),
            store,
        })
    }

    fn append(p: &Path) -> io::Result<File> {
        OpenOptions::new().create(true).append(true).open(p)
    }

    /// Opens the log file again, by name: after logrotate moved it, the
    /// next line goes to a new file.
    fn reopen(&mut self) -> io::Result<()> {
        if let Some(p) = &self.log {
            self.out = Box::new(Self::append(p)?);
        }
        if let Some((f, p)) = &mut self.store {
            *f = Self::append(p)?;
        }
        Ok(())
    }

    /// Writes one line, and its JSON form to the store, and flushes them,
    /// so a reader of the log sees every record as soon as it is printed.
    fn line(&mut self, s: &str, json: Option<&str>) -> io::Result<()> {
        if REOPEN.swap(false, Ordering::Relaxed) {
            self.reopen()?;
        }
        writeln!(self.out, "{s}")?;
        self.out.flush()?;
        self.store_line(json)
    }

    /// Appends `json`, if any, to the store, if one is kept, in one write:
    /// a crash leaves whole lines.
    fn store_line(&mut self, json: Option<&str>) -> io::Result<()> {
        match (&mut self.store, json) {
            (Some((f, _)), Some(j)) => f.write_all(format!("{j}\n").as_bytes()),
            _ => Ok(()),
        }
    }

    /// Reports `msg` on standard error and, when logging to a file, in the
    /// log too, as a record of `mon`'s format, and in the store: the log
    /// and the store have no silent holes.
    fn warn(&mut self, mon: &Monitor, msg: &str) -> io::Result<()> {
        eprintln!("mfroute: warning: {msg}");
        let json = self.store.is_some().then(|| mon.warning_json(msg));
        if self.log.is_some() {
            self.line(&mon.warning(msg), json.as_deref())
        } else {
            self.store_line(json.as_deref())
        }
    }
}

fn monitor(sys: &Sys, a: &MonitorArgs) -> Result<()> {
    let format = if a.json { Format::Json } else { Format::Human };
    let live = a.from.is_none();
    // Whether tracefs lets it in is found out by trying (root, the
    // capabilities, or a tracefs mounted with gid= for its group).
    if live && !status::loaded(sys) {
        return Err(Error::not_loaded());
    }
    let mut resolver = SystemResolver::new(sys.clone());
    let resolver: Option<&mut dyn Resolve> = if a.no_resolve {
        None
    } else {
        Some(&mut resolver)
    };
    if a.count == Some(0) {
        return Ok(());
    }
    // Before the instance exists, so that a signal cannot leave it behind.
    install_signal_handlers()?;
    // Started before anything is read, so that its clock is known.
    let session = if live {
        Some(tracefs::Session::start(&tracefs::find(sys)?)?)
    } else {
        None
    };
    let clock_name = session.as_ref().and_then(tracefs::Session::clock);
    let clock = if clock_name.as_deref() == Some("boot") {
        WallClock::boot_now()
    } else {
        WallClock::unknown()
    };
    let filter = Filter {
        events: a.events.clone(),
        origins: a.origins.clone(),
        devs: a.devs.iter().map(|d| kernel_name(sys, d)).collect(),
    };
    let mut mon = Monitor::new(format, resolver)
        .clock(clock)
        .filter(filter)
        .store(a.store.is_some());
    let mut sink = Sink::open(a.log.as_deref(), a.store.as_deref())?;
    if let Some(s) = &session {
        if !s.is_instance() {
            sink.warn(&mon, "no trace instances; reading the main trace buffer")
                .map_err(|e| Error::failed(format!("writing: {e}")))?;
        }
        if clock_name.as_deref() != Some("boot") {
            let name = clock_name.as_deref().unwrap_or("unknown");
            sink.warn(
                &mon,
                &format!("the trace clock is {name}, not boot: records carry no wall-clock time"),
            )
            .map_err(|e| Error::failed(format!("writing: {e}")))?;
        }
    }
    let mut printed = 0u64;
    let mut lineno = 0u64;
    let count = a.count;
    let source = a
        .from
        .as_ref()
        .map_or_else(|| "trace_pipe".to_string(), |p| p.display().to_string());
    let mut write_error: Option<io::Error> = None;
    let mut handle = |line: &str| -> io::Result<bool> {
        lineno += 1;
        let mut warning = None;
        match mon.line(line) {
            Ok(Output::Record(s, json)) => {
                if let Err(e) = sink.line(&s, json.as_deref()) {
                    write_error = Some(e);
                    return Ok(false);
                }
                printed += 1;
            }
            Ok(Output::Nothing) => {}
            Ok(Output::Lost(msg)) => warning = Some(msg),
            Err(e) => warning = Some(format!("skipping {source} line {lineno}: {e}: {line}")),
        }
        if let Some(msg) = warning {
            if let Err(e) = sink.warn(&mon, &msg) {
                write_error = Some(e);
                return Ok(false);
            }
        }
        Ok(count.is_none_or(|n| printed < n))
    };
    let deadline = a.timeout.map(|s| Instant::now() + Duration::from_secs(s));
    let result = match (&session, &a.from) {
        (Some(session), _) => {
            let pipe = session.pipe();
            tracefs::follow_queued(&pipe, &STOP, deadline, &mut handle)
                .map(|_| ())
                .map_err(|e| Error::io("reading", &pipe, &e))
        }
        (None, Some(p)) => follow_reader(p, deadline, &mut handle),
        // Not reached: without --from the monitor is live.
        (None, None) => Ok(()),
    };
    drop(session);
    match write_error {
        // Output closed (`mfroute monitor | head`): done.
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Some(e) => {
            let to = a.log.as_ref().map_or_else(
                || "standard output".to_string(),
                |p| p.display().to_string(),
            );
            Err(Error::failed(format!("writing {to}: {e}")))
        }
        None => result,
    }
}

/// Reads trace text from a file or standard input.
fn follow_reader(
    path: &Path,
    deadline: Option<Instant>,
    handle: &mut dyn FnMut(&str) -> io::Result<bool>,
) -> Result<()> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(BufReader::new(io::stdin()))
    } else {
        Box::new(BufReader::new(
            File::open(path).map_err(|e| Error::io("opening", path, &e))?,
        ))
    };
    for line in reader.split(b'\n') {
        if STOP.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let line = line.map_err(|e| Error::io("reading", path, &e))?;
        let line = String::from_utf8_lossy(&line);
        match handle(&line) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(Error::failed(format!("writing: {e}"))),
        }
    }
    Ok(())
}

fn print(s: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Error::failed(format!("writing: {e}")))
        }
        _ => Ok(()),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Error::failed(format!("encoding JSON: {e}")))
}

fn stack_cmd(sys: &Sys, a: &StackArgs) -> Result<()> {
    let names = match &a.dev {
        Some(d) => stack::namespaces_arg(sys, d)?,
        None => Vec::new(),
    };
    let mut tables = IoctlTables::new(sys);
    let st = stack::build(sys, &names, &mut tables)?;
    if a.json {
        print(&json(&st)?)
    } else {
        print(&stack::render_human(&st))
    }
}

/// The kernel name of device argument `arg` (`pmem0`, `/dev/pmem0`,
/// `/dev/mapper/NAME`, `MAJ:MIN`), as the other subcommands take it; an
/// argument naming no present device is kept as given (a device gone, or
/// one of a recording).
fn kernel_name(sys: &Sys, arg: &str) -> String {
    sys.resolve_device(arg).unwrap_or_else(|| arg.to_string())
}

fn status_cmd(sys: &Sys, a: &StatusArgs) -> Result<()> {
    let dev = a.dev.as_deref().map(|d| kernel_name(sys, d));
    let mut st = status::read(sys, dev.as_deref())?;
    if a.resolve {
        status::resolve(sys, &mut st);
    }
    if a.json {
        print(&json(&st)?)
    } else {
        print(&status::render_human(&st))
    }
}

fn log_cmd(sys: &Sys, a: &LogArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.store).map_err(|e| {
        let err = Error::io("reading", &a.store, &e);
        if e.kind() == io::ErrorKind::NotFound {
            err.hint("start a monitor with --store (systemctl enable --now mfroute-monitor)")
        } else {
            err
        }
    })?;
    let h = history::parse(&text);
    if h.skipped > 0 {
        eprintln!(
            "mfroute: warning: {}: {} line{} not a record, skipped",
            a.store.display(),
            h.skipped,
            if h.skipped == 1 { "" } else { "s" }
        );
    }
    let since = a
        .since
        .as_deref()
        .map(|s| history::parse_since(s, &jiff::Zoned::now()))
        .transpose()
        .map_err(|e| Error {
            message: format!("--since: {e}"),
            hint: None,
            exit_code: mfroute::error::EXIT_USAGE,
        })?;
    let q = history::Query {
        since,
        devs: a.devs.iter().map(|d| kernel_name(sys, d)).collect(),
        events: a.events.clone(),
    };
    let kept: Vec<&history::Stored> = h.records.iter().filter(|r| q.keeps(&r.value)).collect();
    let out = if a.summary {
        history::summary(&kept.iter().map(|r| &r.value).collect::<Vec<_>>())
    } else {
        kept.iter()
            .map(|r| {
                let line = if a.json {
                    r.line.clone()
                } else {
                    history::words(&r.value)
                };
                line + "\n"
            })
            .collect()
    };
    print(&out)
}

fn generate(a: &GenerateArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let shell = match a.what {
        Generated::Man => return man_pages(cmd, a.dir.as_deref().unwrap_or(Path::new("."))),
        Generated::Bash => clap_complete::Shell::Bash,
        Generated::Zsh => clap_complete::Shell::Zsh,
        Generated::Fish => clap_complete::Shell::Fish,
    };
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "mfroute", &mut out);
    out.flush()
        .map_err(|e| Error::failed(format!("writing standard output: {e}")))
}

/// Writes mfroute.8 and mfroute-COMMAND.8 for each command not hidden
/// into `dir`.
fn man_pages(cmd: clap::Command, dir: &Path) -> Result<()> {
    let write = |name: &str, page: clap::Command| {
        let path = dir.join(format!("{name}.8"));
        let mut text = Vec::new();
        clap_mangen::Man::new(page)
            .section("8")
            .render(&mut text)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| Error::io("writing", &path, &e))
    };
    let version = cmd.get_version().unwrap_or_default().to_string();
    for sub in cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
    {
        let name = format!("mfroute-{}", sub.get_name());
        let page = sub
            .clone()
            .name(&name)
            .bin_name(format!("mfroute {}", sub.get_name()))
            .version(version.clone());
        write(&name, page)?;
    }
    write("mfroute", cmd)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let sys = Sys::new(&cli.root);
    let r = match &cli.command {
        Command::Monitor(a) => monitor(&sys, a),
        Command::Stack(a) => stack_cmd(&sys, a),
        Command::Status(a) => status_cmd(&sys, a),
        Command::Log(a) => log_cmd(&sys, a),
        Command::Generate(a) => generate(a),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "mfroute: {}", e.message);
            if let Some(h) = &e.hint {
                let _ = writeln!(err, "hint: {h}");
            }
            ExitCode::from(u8::try_from(e.exit_code).unwrap_or(1))
        }
    }
}
