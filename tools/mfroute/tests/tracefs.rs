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
