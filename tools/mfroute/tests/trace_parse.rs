// SPDX-License-Identifier: GPL-2.0
//! Parsing recorded trace output (`tests/data/trace_pipe.txt`).

mod common;

use mfroute::dev::DevNum;
use mfroute::trace::{parse_line, DeliverKind, Event, Line, Origin};

#[test]
fn every_line_is_classified() {
    let text = common::read_data("trace_pipe.txt");
    let (mut records, mut foreign, mut comments, mut lost, mut errors) = (0, 0, 0, 0, 0);
    for line in text.lines() {
        match parse_line(line) {
            Ok(Line::Record(_)) => records += 1,
            Ok(Line::Foreign(_)) => foreign += 1,
            Ok(Line::Comment) => comments += 1,
            Ok(Line::Lost { cpu, count }) => {
                assert_eq!((cpu, count), (0, 3));
                lost += 1;
            }
            Err(e) => {
                assert!(!e.0.is_empty());
                errors += 1;
            }
        }
    }
    assert_eq!(records, 24, "mfroute records");
    assert_eq!(foreign, 2, "other tracepoints");
    assert_eq!(lost, 1);
    assert_eq!(errors, 3, "malformed lines");
    assert_eq!(
        records + foreign + comments + lost + errors,
        text.lines().count()
    );
}

fn records() -> Vec<mfroute::trace::Record> {
    common::read_data("trace_pipe.txt")
        .lines()
        .filter_map(|l| match parse_line(l) {
            Ok(Line::Record(r)) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn fields_and_headers() {
    let r = records();
    let first = &r[0];
    assert_eq!(
        (first.task.as_str(), first.pid, first.cpu),
        ("dax-probe", 131, 1)
    );
    assert_eq!(first.timestamp.to_string(), "52.123456789");
    let Event::Failure(e) = &first.event else {
        panic!("{first:?}")
    };
    assert_eq!(e.seq, 1);
    assert_eq!(e.dev, DevNum::new(259, 0));
    assert_eq!((e.offset, e.len, e.flags), (0x1b000, 0x1000, 0x23));
    assert_eq!(e.origin, Origin::MemoryFailure);

    // A one-digit fraction and a six-digit one.
    let r2 = r.iter().find(|r| r.event.seq() == Some(2)).unwrap();
    assert_eq!(r2.timestamp.to_string(), "53.500000000");
    let absorb = r
        .iter()
        .find(|r| matches!(r.event, Event::Absorb(_)))
        .unwrap();
    assert_eq!(absorb.timestamp.to_string(), "53.500010000");

    // A task with spaces and dashes; <...> for an unknown comm.
    let odd = r.iter().find(|r| r.pid == 201).unwrap();
    assert_eq!(odd.task, "my task-with-dashes");
    let anon = r.iter().find(|r| r.pid == 77).unwrap();
    assert_eq!(anon.task, "<...>");
    let kw = r.iter().find(|r| r.pid == 37).unwrap();
    assert_eq!(kw.task, "kworker/u8:2");

    // A failed delivery and its errno.
    let failed = r
        .iter()
        .find_map(|r| match &r.event {
            Event::Deliver(d) if d.result != 0 && d.seq == 3 => Some(d.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(failed.result, -5);
    assert_eq!(failed.kind, DeliverKind::Filesystem);
    assert_eq!((failed.sector, failed.nr_sectors), (1_024_384, 128));

    // flags=0 (printf's "%#x" of 0) and every origin.
    let origins: Vec<Origin> = r
        .iter()
        .filter_map(|r| match &r.event {
            Event::Failure(e) => Some(e.origin.clone()),
            _ => None,
        })
        .collect();
    for o in [
        Origin::MemoryFailure,
        Origin::Range,
        Origin::Badblocks,
        Origin::PreRemove,
        Origin::Repair,
    ] {
        assert!(origins.contains(&o), "{o:?}");
    }

    // A tracepoint this version does not know, kept whole.
    let other = r
        .iter()
        .find(|r| r.event.name() == "mfroute_ledger")
        .unwrap();
    let Event::Other { fields, .. } = &other.event else {
        panic!()
    };
    assert_eq!(fields.len(), 4);
    assert_eq!(other.event.seq(), Some(8));
}

#[test]
fn malformed_lines_are_errors_not_panics() {
    for line in [
        "this is not a trace line",
        "sh-311 [000] ..... 96.000000000: mfroute_deliver: seq=9 kind=holder dev=259:0",
        "sh-312 [000] ..... 97.0: mfroute_event: seq=10 dev=259:0 name=pmem0 offset=0xzz len=0x1000 flags=0x23 origin=memory_failure",
        "sh-1 [000] ..... 1.0: mfroute_deliver: seq=1 kind=holder dev=259:0 name=pmem0 sector=1 nr_sectors=1 flags=0x1ffffffff result=0",
        "sh-1 [000] ..... 1.0: mfroute_deliver: seq=1 kind=holder dev=259:0 name=pmem0 sector=1 nr_sectors=1 flags=0 result=x",
        "sh-1 [000] ..... 1.0: mfroute_absorb: seq=1 dev=259:0 name= offset=0 len=1 reason=delivered_before",
        "sh-1 [000] ..... 1.0: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before junk",
        "sh-x [000] ..... 1.0: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before",
        "sh-1 [0x0] ..... 1.0: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before",
        "sh-1 [000] ..... 1.0.0: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before",
        "\u{fffd}\u{0}: : : :",
        "[000] 1.0: mfroute_absorb:",
    ] {
        assert!(parse_line(line).is_err(), "{line}");
    }
}
