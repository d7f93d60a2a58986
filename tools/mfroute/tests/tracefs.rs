// SPDX-License-Identifier: GPL-2.0
//! The trace instance against a real tracefs, with a tracepoint system
//! every kernel has.  Needs root and a mounted tracefs:
//!
//!   MFROUTE_TEST_TRACEFS=/sys/kernel/tracing cargo test --test tracefs -- --ignored

use mfroute::trace::{parse_line, Line};
use mfroute::tracefs::{follow, Session, Stopped};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

#[test]
#[ignore = "needs root and MFROUTE_TEST_TRACEFS=<mounted tracefs>"]
fn instance_is_made_read_and_removed() {
    let tfs =
        PathBuf::from(std::env::var_os("MFROUTE_TEST_TRACEFS").expect("MFROUTE_TEST_TRACEFS"));
    let session = Session::start_system(&tfs, "sched").unwrap();
    assert!(session.is_instance());
    let dir = session.dir().to_path_buf();
    assert!(dir.join("trace_pipe").exists());
    let stop = AtomicBool::new(false);
    let mut lines = Vec::new();
    let r = follow(
        &session.pipe(),
        &stop,
        Some(Instant::now() + Duration::from_secs(2)),
        |l| {
            lines.push(l.to_string());
            Ok(lines.len() < 200)
        },
    )
    .unwrap();
    assert!(matches!(r, Stopped::Done | Stopped::Timeout));
    drop(session);
    assert!(!dir.exists(), "instance left behind");
    assert!(!lines.is_empty(), "no sched events in 2 s");
    // Every line of real ftrace output parses as a record of another
    // system: the header parser copes with this kernel's format.
    for l in &lines {
        match parse_line(l) {
            Ok(Line::Foreign(name)) => assert!(name.starts_with("sched_"), "{l}"),
            other => panic!("{l}: {other:?}"),
        }
    }
}

/// The reading loop on files that are not tracefs: a regular file ends,
/// a FIFO with a writer blocks until the deadline.
mod host {
    use mfroute::tracefs::{follow, Session, Stopped};
    use std::fs;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::PathBuf;
    use std::sync::atomic::AtomicBool;
    use std::time::{Duration, Instant};

    /// A scratch directory, removed when dropped.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Self {
            let p =
                std::env::temp_dir().join(format!("mfroute-test-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            Self(p)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn read_all(
        path: &std::path::Path,
        deadline: Option<Instant>,
        stop_after: usize,
    ) -> (std::io::Result<Stopped>, Vec<String>) {
        let stop = AtomicBool::new(false);
        let mut lines = Vec::new();
        let r = follow(path, &stop, deadline, |l| {
            lines.push(l.to_string());
            Ok(lines.len() < stop_after)
        });
        (r, lines)
    }

    #[test]
    fn regular_file() {
        let d = Dir::new("follow-file");
        let f = d.0.join("trace");
        fs::write(&f, "a\nb\nlast").unwrap();
        // To the end, the unterminated last line included, with or
        // without a deadline.
        for deadline in [None, Some(Instant::now() + Duration::from_secs(600))] {
            let (r, lines) = read_all(&f, deadline, usize::MAX);
            assert_eq!(r.unwrap(), Stopped::Eof);
            assert_eq!(lines, ["a", "b", "last"]);
        }
        // The handler stops it, at a whole line or at the last one.
        let (r, lines) = read_all(&f, None, 2);
        assert_eq!((r.unwrap(), lines.len()), (Stopped::Done, 2));
        let (r, lines) = read_all(&f, None, 3);
        assert_eq!((r.unwrap(), lines.len()), (Stopped::Done, 3));
        // A deadline already passed.
        let (r, lines) = read_all(&f, Some(Instant::now()), usize::MAX);
        assert_eq!((r.unwrap(), lines.len()), (Stopped::Timeout, 0));
        // Stopped by a signal before reading.
        let (r, lines) = {
            let stop = AtomicBool::new(true);
            let mut lines = Vec::new();
            let r = follow(&f, &stop, None, |l| {
                lines.push(l.to_string());
                Ok(true)
            });
            (r, lines)
        };
        assert_eq!((r.unwrap(), lines.len()), (Stopped::Signal, 0));
        // An empty file.
        fs::write(&f, "").unwrap();
        let (r, lines) = read_all(&f, None, usize::MAX);
        assert_eq!((r.unwrap(), lines.len()), (Stopped::Eof, 0));
    }

    #[test]
    fn fifo_waits_for_records() {
        let d = Dir::new("follow-fifo");
        let p = d.0.join("trace_pipe");
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        // Held open for writing (and reading, so that opening does not
        // block): reads find nothing rather than the end.
        let mut w = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(&p)
            .unwrap();
        w.write_all(b"one\ntwo\n").unwrap();
        let start = Instant::now();
        let (r, lines) = read_all(&p, Some(start + Duration::from_millis(1500)), usize::MAX);
        assert_eq!(r.unwrap(), Stopped::Timeout);
        assert!(start.elapsed() >= Duration::from_millis(1500));
        assert_eq!(lines, ["one", "two"]);
    }

    /// Writes `n` lines of 100 bytes to FIFO `w`, 100 lines a
    /// millisecond, as a burst of trace records comes; returns how many
    /// writes found the pipe full (EAGAIN: the trace buffer overflowing)
    /// and were retried.
    fn burst(mut w: fs::File, n: usize) -> usize {
        let mut full = 0;
        for chunk in 0..n / 100 {
            let text: String = (0..100)
                .map(|i| format!("{:>99}\n", chunk * 100 + i))
                .collect();
            let mut left = text.as_bytes();
            while !left.is_empty() {
                match w.write(left) {
                    Ok(k) => left = &left[k..],
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        full += 1;
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        full
    }

    /// A burst of 20,000 records while each takes 0.1 ms to handle: the
    /// queued reader keeps the pipe drained (the writer never finds it
    /// full) and handles every line; the plain reader, for comparison,
    /// lets it fill.
    #[test]
    fn queued_reader_drains_a_burst() {
        use mfroute::tracefs::follow_queued;
        const N: usize = 20_000;
        let d = Dir::new("follow-queued");
        let p = d.0.join("trace_pipe");
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let open = || {
            fs::OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(nix::libc::O_NONBLOCK)
                .open(&p)
                .unwrap()
        };
        let stop = AtomicBool::new(false);
        for queued in [true, false] {
            let w = open();
            let writer = std::thread::spawn(move || burst(w, N));
            let mut seen = 0;
            let handler = |_: &str| {
                std::thread::sleep(Duration::from_micros(100));
                seen += 1;
                Ok(seen < N)
            };
            let r = if queued {
                follow_queued(&p, &stop, None, handler)
            } else {
                follow(&p, &stop, None, handler)
            };
            assert_eq!(r.unwrap(), Stopped::Done);
            let full = writer.join().unwrap();
            if queued {
                assert_eq!(
                    (seen, full),
                    (N, 0),
                    "queued: lines handled, pipe found full"
                );
            } else {
                assert!(full > 0, "plain: the pipe never filled");
            }
        }
    }

    /// The handler asking to stop, and a signal, end the queued reader.
    #[test]
    fn queued_reader_stops() {
        use mfroute::tracefs::follow_queued;
        let d = Dir::new("follow-queued-stop");
        let f = d.0.join("trace");
        fs::write(&f, "a\nb\nc\n").unwrap();
        let stop = AtomicBool::new(false);
        let mut seen = 0;
        let r = follow_queued(&f, &stop, None, |_| {
            seen += 1;
            Ok(seen < 2)
        });
        assert_eq!((r.unwrap(), seen), (Stopped::Done, 2));
        // A regular file ends.
        let r = follow_queued(&f, &stop, None, |_| Ok(true));
        assert_eq!(r.unwrap(), Stopped::Eof);
        // A signal on a FIFO nobody writes to.
        let p = d.0.join("trace_pipe");
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let idle = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(&p)
            .unwrap();
        let stop = AtomicBool::new(true);
        let start = Instant::now();
        let r = follow_queued(&p, &stop, None, |_| Ok(true));
        assert_eq!(r.unwrap(), Stopped::Signal);
        assert!(start.elapsed() < Duration::from_secs(5));
        // A signal while records never pause: it stops too.
        let writing = std::sync::Arc::new(AtomicBool::new(true));
        let mut w = idle.try_clone().unwrap();
        let go = writing.clone();
        let writer = std::thread::spawn(move || {
            while go.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = w.write_all(b"record\n");
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        let stop = AtomicBool::new(false);
        let start = Instant::now();
        let mut seen = 0;
        let r = follow_queued(&p, &stop, None, |_| {
            seen += 1;
            if seen == 100 {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(true)
        });
        writing.store(false, std::sync::atomic::Ordering::Relaxed);
        writer.join().unwrap();
        assert_eq!(r.unwrap(), Stopped::Signal);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn read_errors_end_it() {
        // A directory opens but cannot be read (EISDIR): an error at
        // once, not a wait for the deadline.
        let d = Dir::new("follow-dir");
        let start = Instant::now();
        let (r, lines) = read_all(&d.0, Some(start + Duration::from_secs(5)), usize::MAX);
        let e = r.unwrap_err();
        assert_eq!(e.raw_os_error(), Some(nix::libc::EISDIR), "{e}");
        assert!(lines.is_empty());
        assert!(start.elapsed() < Duration::from_secs(5));
        // Missing.
        assert!(read_all(&d.0.join("nothing"), None, 1).0.is_err());
    }

    /// An instance whose events cannot be enabled (here: a plain directory,
    /// so no `events/` appears in it) is an error, and is removed.
    #[test]
    fn instance_without_events() {
        let d = Dir::new("tracefs-instance");
        fs::create_dir_all(d.0.join("events/mfroute")).unwrap();
        fs::write(d.0.join("events/mfroute/enable"), "0\n").unwrap();
        fs::create_dir_all(d.0.join("instances")).unwrap();
        let e = Session::start(&d.0).unwrap_err();
        assert_eq!(e.exit_code, 1, "{e}");
        assert!(e.message.starts_with("writing "), "{e}");
        assert!(mfroute::sysfs::list_dir(&d.0.join("instances")).is_empty());
        // The main buffer was not touched.
        assert_eq!(
            fs::read_to_string(d.0.join("events/mfroute/enable")).unwrap(),
            "0\n"
        );
    }
}
