// SPDX-License-Identifier: GPL-2.0
//! The command itself: help, exit statuses and error lines, and output
//! against the golden files, on made-up systems.

mod common;

use std::fs;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mfroute(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mfroute"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

#[test]
fn help_is_a_manual() {
    let o = mfroute(&["--help"]);
    assert!(o.status.success());
    let out = text(&o.stdout);
    for section in [
        "EXAMPLES:",
        "FILES:",
        "EXIT STATUS:",
        "monitor",
        "stack",
        "status",
    ] {
        assert!(out.contains(section), "--help lacks {section}");
    }
    for sub in ["monitor", "stack", "status"] {
        let o = mfroute(&[sub, "--help"]);
        assert!(o.status.success());
        assert!(text(&o.stdout).contains("EXAMPLES:"), "{sub} --help");
    }
    let o = mfroute(&["--version"]);
    assert!(text(&o.stdout).starts_with("mfroute "));
    // Usage errors exit 2.
    assert_eq!(mfroute(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        mfroute(&["monitor", "--json", "--human"]).status.code(),
        Some(2)
    );
}

#[test]
fn status_json_matches_golden() {
    let fake = common::fake_system("cli-status");
    let root = fake.0.to_str().unwrap();
    let o = mfroute(&["status", "--json", "--root", root]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), common::read_data("status.json"));
    let o = mfroute(&["status", "--root", root]);
    assert_eq!(text(&o.stdout), common::read_data("status.txt"));
    let o = mfroute(&["status", "pmem4", "--root", root]);
    assert_eq!(o.status.code(), Some(4));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("mfroute: mfroute does not track pmem4"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2);
    assert!(err.lines().nth(1).unwrap().starts_with("hint: "));
}

#[test]
fn not_loaded_and_unknown_device() {
    let empty = common::Scratch::new("cli-empty");
    let root = empty.0.to_str().unwrap();
    let o = mfroute(&["status", "--root", root]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        text(&o.stderr),
        "mfroute: mfroute is not loaded (no /sys/kernel/mfroute)\nhint: load it with: modprobe mfroute\n"
    );
    let o = mfroute(&["monitor", "--root", root]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr).contains("modprobe mfroute"),
        "{}",
        text(&o.stderr)
    );

    let fake = common::fake_system("cli-stack");
    let root = fake.0.to_str().unwrap();
    let o = mfroute(&["stack", "pmem9", "--root", root]);
    assert_eq!(o.status.code(), Some(4));
    assert!(text(&o.stderr).starts_with("mfroute: no block device 'pmem9'"));
    // pmem0 has no device-mapper device above it: no ioctl, no root needed.
    let o = mfroute(&["stack", "pmem0", "--root", root]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("partition pmem0p1 (259:1)"));
}

#[test]
fn no_tracefs() {
    if !is_root() {
        return;
    }
    let fake = common::fake_system("cli-notracefs");
    let o = mfroute(&["monitor", "--root", fake.0.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = text(&o.stderr);
    assert!(err.starts_with("mfroute: tracefs is not mounted"), "{err}");
    assert!(err.contains("hint: mount it with: mount -t tracefs nodev /sys/kernel/tracing"));
}

#[test]
fn monitor_from_a_saved_trace() {
    let trace = common::data("trace_pipe.txt");
    let o = mfroute(&[
        "monitor",
        "--json",
        "--no-resolve",
        "--from",
        trace.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(
        text(&o.stdout),
        common::read_data("monitor-unresolved.jsonl")
    );
    // Malformed lines are reported, with their line numbers, and skipped.
    let err = text(&o.stderr);
    let skipped: Vec<&str> = err.lines().filter(|l| l.contains("skipping")).collect();
    assert_eq!(skipped.len(), 3, "{err}");
    assert!(skipped[0].contains("line 42"), "{}", skipped[0]);
    assert!(err.contains("warning: the trace buffer overflowed: 3 records lost on CPU 0"));

    // From standard input, stopping after 2 records.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mfroute"))
        .args(["monitor", "--no-resolve", "--count", "2", "--from", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(common::read_data("trace_pipe.txt").as_bytes())
        .unwrap_or(());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 2);
    assert!(out.starts_with("[52.123456] #1 pmem0: 4 KiB at byte 0x1b000 failed"));

    // Appending to a log.
    let dir = common::Scratch::new("cli-log");
    let log = dir.0.join("log.json");
    fs::write(&log, "earlier\n").unwrap();
    let o = mfroute(&[
        "monitor",
        "--json",
        "--no-resolve",
        "--count",
        "1",
        "--log",
        log.to_str().unwrap(),
        "--from",
        trace.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    let l = fs::read_to_string(&log).unwrap();
    assert_eq!(l.lines().count(), 2);
    assert!(l
        .lines()
        .nth(1)
        .unwrap()
        // A recording's clock is unknown: no wall-clock time.
        .starts_with("{\"timestamp\":null,\"boot_ns\":null,\"trace_time\":\"52.123456789\""));

    // The whole trace into a log: the warnings are in it too, as records.
    let log = dir.0.join("all.json");
    let o = mfroute(&[
        "monitor",
        "--json",
        "--no-resolve",
        "--log",
        log.to_str().unwrap(),
        "--from",
        trace.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let l = fs::read_to_string(&log).unwrap();
    let warnings: Vec<serde_json::Value> = l
        .lines()
        .map(|r| serde_json::from_str::<serde_json::Value>(r).unwrap())
        .filter(|r| r["event"] == "mfroute_warning")
        .collect();
    assert_eq!(warnings.len(), 4, "{l}");
    assert!(warnings
        .iter()
        .any(|w| w["warning"].as_str().unwrap().contains("line 42")));
    assert!(warnings
        .iter()
        .any(|w| w["warning"] == "the trace buffer overflowed: 3 records lost on CPU 0"));
    assert_eq!(text(&o.stderr).lines().count(), 4, "{}", text(&o.stderr));
}

/// The live path against a made-up tracefs without instances: events
/// enabled in the main buffer, trace_pipe read, the enable state restored.
#[test]
fn monitor_live_without_instances() {
    if !is_root() {
        return;
    }
    let fake = common::fake_system("cli-live");
    fake.file("/sys/kernel/tracing/events/mfroute/enable", "0\n")
        .file(
            "/sys/kernel/tracing/trace_pipe",
            &common::read_data("trace_pipe.txt"),
        );
    let root = fake.0.to_str().unwrap();
    let o = mfroute(&["monitor", "--json", "--no-resolve", "--root", root]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        common::read_data("monitor-unresolved.jsonl")
    );
    assert!(text(&o.stderr).contains("no trace instances"));
    let enable = fake.0.join("sys/kernel/tracing/events/mfroute/enable");
    assert_eq!(fs::read_to_string(enable).unwrap().trim(), "0");

    // With resolution against the made-up mounts: nothing there to open,
    // every delivery still gets a record.
    let o = mfroute(&["monitor", "--json", "--root", root]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), 24);

    // A module without tracepoints.
    fs::remove_dir_all(fake.0.join("sys/kernel/tracing/events/mfroute")).unwrap();
    let o = mfroute(&["monitor", "--root", root]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o.stderr).contains("has no tracepoints"));
}

/// `mfroute ARGS` with standard output `out`.
fn mfroute_to(args: &[&str], out: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mfroute"))
        .args(args)
        .stdout(out)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// A pipe whose reading end is closed: writes fail with EPIPE.
fn closed_pipe() -> Stdio {
    let (r, w) = nix::unistd::pipe().unwrap();
    drop(r);
    Stdio::from(w)
}

fn dev_full() -> Stdio {
    Stdio::from(
        fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

#[test]
fn output_errors() {
    let trace = common::data("trace_pipe.txt");
    let trace = trace.to_str().unwrap();
    let fake = common::fake_system("cli-output");
    let root = fake.0.to_str().unwrap();
    let monitor = ["monitor", "--no-resolve", "--from", trace];
    let status = ["status", "--root", root];
    for args in [&monitor[..], &status[..]] {
        // A reader that went away (`| head`): done, quietly.
        let o = mfroute_to(args, closed_pipe());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        assert!(
            !text(&o.stderr).contains("writing"),
            "{args:?}: {}",
            text(&o.stderr)
        );
        // Any other write error fails.
        let o = mfroute_to(args, dev_full());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.starts_with("mfroute: writing"), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
    }
}

#[test]
fn monitor_timeout() {
    let trace = common::data("trace_pipe.txt");
    // A saved trace is read to its end well within the timeout.
    let o = mfroute(&[
        "monitor",
        "--json",
        "--no-resolve",
        "--timeout",
        "3600",
        "--from",
        trace.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        common::read_data("monitor-unresolved.jsonl")
    );
}

/// --event, --origin and --dev keep only the records they name; a device
/// is named as for the other subcommands (here MAJ:MIN, through the
/// made-up sysfs).
#[test]
fn monitor_filters() {
    let trace = common::data("trace_pipe.txt");
    let fake = common::fake_system("cli-filters");
    let root = fake.0.to_str().unwrap();
    let events = |args: &[&str]| -> Vec<String> {
        let mut all = vec![
            "monitor",
            "--json",
            "--no-resolve",
            "--root",
            root,
            "--from",
            trace.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let o = mfroute(&all);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                format!(
                    "{}/{}/{}",
                    v["event"].as_str().unwrap(),
                    v["seq"],
                    v["blockdev"]
                )
            })
            .collect()
    };
    assert_eq!(
        events(&["--event", "absorb", "--event", "mfroute_fallback"]),
        [
            "mfroute_absorb/2/\"pmem0\"",
            "mfroute_fallback/5/\"pmem1\"",
            "mfroute_fallback/8/\"pmem0\""
        ]
    );
    // The records of the ranged failure (seq 3), and of nothing else.
    let range = events(&["--origin", "range"]);
    assert_eq!(range.len(), 4);
    assert!(range.iter().all(|r| r.contains("/3/")), "{range:?}");
    // 253:0 is dm-0: its three deliveries.
    assert_eq!(
        events(&["--dev", "253:0", "--event", "deliver"]),
        ["mfroute_deliver/3/\"dm-0\""; 3]
    );
    // Warnings are never filtered: the recording's malformed lines are
    // still reported.
    let o = mfroute(&[
        "monitor",
        "--json",
        "--no-resolve",
        "--event",
        "absorb",
        "--from",
        trace.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr).matches("warning: skipping").count(), 3);
    // A device no sysfs knows (the empty root: a recording's device gone
    // since) is matched by its name.
    let empty = common::Scratch::new("cli-filters-empty");
    let o = mfroute(&[
        "monitor",
        "--json",
        "--no-resolve",
        "--root",
        empty.0.to_str().unwrap(),
        "--dev",
        "dm-0",
        "--from",
        trace.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), 3);
    assert_eq!(
        events(&["--dev", "pmem1", "--origin", "memory_failure"]),
        [
            "mfroute_event/5/\"pmem1\"",
            "mfroute_deliver/5/\"pmem1\"",
            "mfroute_fallback/5/\"pmem1\""
        ]
    );
}

/// status takes a device as the other subcommands do.
#[test]
fn status_device_syntax() {
    let fake = common::fake_system("cli-status-dev");
    let root = fake.0.to_str().unwrap();
    let by_name = mfroute(&["status", "dm-0", "--root", root]);
    assert!(by_name.status.success(), "{}", text(&by_name.stderr));
    let by_number = mfroute(&["status", "253:0", "--root", root]);
    assert!(by_number.status.success(), "{}", text(&by_number.stderr));
    assert_eq!(text(&by_name.stdout), text(&by_number.stdout));
    assert!(text(&by_name.stdout).contains("dm-0 (253:0)"));
}
