// SPDX-License-Identifier: GPL-2.0
//! `mfroute monitor`: turning trace records into JSON objects or sentences.
//!
//! [`Monitor::line`] takes one line of trace output and returns what to
//! print for it; reading tracefs is [`crate::tracefs`]'s business.

use crate::clock::WallClock;
use crate::dev::DevNum;
use crate::flags::{self, MF_ACTION_REQUIRED, MF_MEM_PRE_REMOVE, MF_SW_SIMULATED};
use crate::hit::{self, Hit, HitStatus};
use crate::resolve::Resolve;
use crate::sysfs::{Dimm, Place};
use crate::trace::{self, DeliverKind, Event, FailureEvent, Line, Origin, ParseError, Record};
use crate::units::{self, SECTOR};
use serde::Serialize;
use std::collections::VecDeque;

/// How records are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// One sentence per record.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// The fields of a record in JSON, after the common ones.
#[derive(Serialize)]
#[serde(untagged)]
enum Body<'a> {
    Failure {
        seq: u64,
        #[serde(rename = "maj_min")]
        dev: DevNum,
        #[serde(rename = "blockdev")]
        name: &'a str,
        #[serde(rename = "offset_bytes")]
        offset: u64,
        #[serde(rename = "len_bytes")]
        len: u64,
        flags: Vec<String>,
        flags_raw: u32,
        origin: &'a str,
        namespace: Option<&'a str>,
        region: Option<&'a str>,
        dimms: Option<&'a [Dimm]>,
    },
    Deliver {
        seq: u64,
        kind: &'a str,
        #[serde(rename = "maj_min")]
        dev: DevNum,
        #[serde(rename = "blockdev")]
        name: &'a str,
        sector: u64,
        nr_sectors: u64,
        flags: Vec<String>,
        flags_raw: u32,
        result: i32,
        error: Option<String>,
        hit: Option<&'a Hit>,
    },
    Absorb {
        seq: u64,
        #[serde(rename = "maj_min")]
        dev: DevNum,
        #[serde(rename = "blockdev")]
        name: &'a str,
        #[serde(rename = "offset_bytes")]
        offset: u64,
        #[serde(rename = "len_bytes")]
        len: u64,
        reason: &'a str,
    },
    Fallback {
        seq: u64,
        #[serde(rename = "maj_min")]
        dev: DevNum,
        #[serde(rename = "blockdev")]
        name: &'a str,
        #[serde(rename = "offset_bytes")]
        offset: u64,
        #[serde(rename = "len_bytes")]
        len: u64,
        reason: &'a str,
        hits: Option<&'a [Hit]>,
    },
    Other {
        fields: serde_json::Map<String, serde_json::Value>,
    },
}

/// One record in JSON.
#[derive(Serialize)]
struct JsonRecord<'a> {
    timestamp: Option<String>,
    boot_ns: Option<u64>,
    trace_time: String,
    pid: u32,
    task: &'a str,
    cpu: u32,
    system: &'static str,
    event: &'a str,
    #[serde(flatten)]
    body: Body<'a>,
    /// The record in words, in a store only.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

/// A record as one line of JSON (see `Documentation/mfroute/tool.rst` for
/// the shape).  `hit` is what a delivery hit, if it was resolved; `place`
/// where a failure's media is, if known; `clock` turns the trace time into
/// wall-clock time; `text`, the record in words, is added last (for a
/// store).
pub fn render_json(
    rec: &Record,
    hit: Option<&Hit>,
    place: Option<&Place>,
    left_hits: Option<&[Hit]>,
    clock: &WallClock,
    text: Option<&str>,
) -> String {
    let body = match &rec.event {
        Event::Failure(e) => Body::Failure {
            seq: e.seq,
            dev: e.dev,
            name: &e.name,
            offset: e.offset,
            len: e.len,
            flags: flags::flag_names(e.flags),
            flags_raw: e.flags,
            origin: e.origin.as_str(),
            namespace: place.map(|p| p.namespace.as_str()),
            region: place.map(|p| p.region.as_str()),
            dimms: place.map(|p| p.dimms.as_slice()),
        },
        Event::Deliver(d) => Body::Deliver {
            seq: d.seq,
            kind: d.kind.as_str(),
            dev: d.dev,
            name: &d.name,
            sector: d.sector,
            nr_sectors: d.nr_sectors,
            flags: flags::flag_names(d.flags),
            flags_raw: d.flags,
            result: d.result,
            error: flags::errno_name(d.result),
            hit,
        },
        Event::Absorb(a) => Body::Absorb {
            seq: a.seq,
            dev: a.dev,
            name: &a.name,
            offset: a.offset,
            len: a.len,
            reason: &a.reason,
        },
        Event::Fallback(f) => Body::Fallback {
            seq: f.seq,
            dev: f.dev,
            name: &f.name,
            offset: f.offset,
            len: f.len,
            reason: &f.reason,
            hits: left_hits,
        },
        Event::Other { fields, .. } => Body::Other {
            fields: fields
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        },
    };
    let j = JsonRecord {
        timestamp: clock.rfc3339(&rec.timestamp),
        boot_ns: clock.boot_ns(&rec.timestamp),
        trace_time: rec.timestamp.to_string(),
        pid: rec.pid,
        task: &rec.task,
        cpu: rec.cpu,
        system: trace::SYSTEM,
        event: rec.event.name(),
        body,
        text,
    };
    // Serialising plain strings, numbers and maps with string keys cannot
    // fail; fall back to an error object rather than panic regardless.
    serde_json::to_string(&j).unwrap_or_else(|e| {
        serde_json::json!({ "event": "mfroute_tool_error", "error": e.to_string() }).to_string()
    })
}

/// What a failure event is, in words: `pmem0: 4 KiB at byte 0x1b000
/// failed (poison, a process touched it, simulated)`.  `brief` leaves out
/// how the poison was found (for the context of the records after it).
pub fn event_words(e: &FailureEvent, brief: bool) -> String {
    let what = format!("{}: {} at byte {:#x}", e.name, units::size(e.len), e.offset);
    let mut cause = match &e.origin {
        Origin::PreRemove if brief => return format!("{what} is being removed"),
        Origin::PreRemove => {
            return format!("{what} is being removed (device going away, no data lost yet)")
        }
        Origin::Repair => return format!("{what} was repaired and is good again"),
        Origin::MemoryFailure if e.flags & MF_ACTION_REQUIRED != 0 => {
            vec!["poison", "a process touched it"]
        }
        Origin::MemoryFailure => vec!["poison"],
        Origin::Range => vec!["poison", "reported as one range"],
        Origin::Badblocks => vec!["poison", "found by the platform before anyone touched it"],
        Origin::Deferred => vec!["poison", "told after a device-mapper resume"],
        Origin::Other(_) => vec!["poison"],
    };
    if brief {
        cause.truncate(1);
    }
    if e.flags & MF_SW_SIMULATED != 0 {
        cause.push("simulated");
    }
    let mut words = cause.join(", ");
    if let (Origin::Other(o), false) = (&e.origin, brief) {
        words.push_str(&format!(", origin {o}"));
    }
    format!("{what} failed ({words})")
}

/// Why a part took the per-page path, in words.
pub fn fallback_words(reason: &str) -> String {
    match reason {
        "no_holder" => "no filesystem there takes ranged reports (ext4, or nothing mounted)".into(),
        "holder_declined" => "the filesystem declined it".into(),
        "unsupported_target" => {
            "it is under a device-mapper target mfroute does not translate".into()
        }
        "no_memory" => "mfroute ran out of memory".into(),
        "table_changed" => "a device-mapper table changed during the event".into(),
        "suspended" => {
            "the device-mapper device above is suspended: its filesystem is told after the resume"
                .into()
        }
        other => format!("reason {other}"),
    }
}

fn result_words(result: i32) -> String {
    let name = flags::errno_name(result);
    match (result, name, flags::errno_text(result)) {
        (_, None, _) => "ok".into(),
        (-95, Some(name), _) => format!("declined ({name})"),
        (_, Some(name), Some(text)) => format!("failed with {name} ({text})"),
        (_, Some(name), None) => format!("failed with {name}"),
    }
}

fn hit_status_words(h: &Hit) -> String {
    match h.status {
        HitStatus::Ok => "nothing found there".into(),
        HitStatus::NotMounted => "nothing mounted there".into(),
        HitStatus::FsShutdown => "filesystem shut down, contents unknown".into(),
        HitStatus::Error => h
            .message
            .clone()
            .unwrap_or_else(|| "could not look it up".into()),
    }
}

/// `NAME: SIZE at byte OFFSET`, or nothing when it is the whole of the
/// event `e` (then the context already says it).
fn part_words(name: &str, offset: u64, len: u64, e: Option<&FailureEvent>) -> Option<String> {
    if e.is_some_and(|e| e.name == name && e.offset == offset && e.len == len) {
        return None;
    }
    Some(format!("{name}: {} at byte {offset:#x}", units::size(len)))
}

/// A record in words, prefixed by its trace time.  `event` is the
/// `mfroute_event` of the same `seq`, if it was seen; `hit` is what a
/// delivery hit, if resolved.
pub fn render_human(rec: &Record, event: Option<&FailureEvent>, hit: Option<&Hit>) -> String {
    render_human_at(&rec.timestamp.micros(), rec, event, hit)
}

/// As [`render_human`], prefixed by `when` (the record's wall-clock
/// time, when it is known).
pub fn render_human_at(
    when: &str,
    rec: &Record,
    event: Option<&FailureEvent>,
    hit: Option<&Hit>,
) -> String {
    let ctx = match event {
        Some(e) => event_words(e, true),
        None => rec
            .event
            .seq()
            .map_or_else(String::new, |s| format!("event #{s}")),
    };
    let text = match &rec.event {
        Event::Failure(e) => event_words(e, false),
        Event::Deliver(d) => {
            let start = d.sector.saturating_mul(SECTOR);
            let len = d.nr_sectors.saturating_mul(SECTOR);
            let removal = d.flags & MF_MEM_PRE_REMOVE != 0
                || event.is_some_and(|e| e.origin == Origin::PreRemove);
            let repair = event.is_some_and(|e| e.origin == Origin::Repair);
            let bytes = format!("bytes {}", units::byte_range(start, len));
            let whole = part_words(&d.name, start, len, event).is_none();
            let (device, what) = match hit {
                Some(h) if h.status == HitStatus::Ok && !h.owners.is_empty() => (
                    h.device.clone().unwrap_or_else(|| d.name.clone()),
                    Some(hit::owners_words(&h.owners, 3)),
                ),
                Some(h) => match &h.device {
                    Some(dev) => (
                        dev.clone(),
                        Some(format!(
                            "bytes {} ({})",
                            units::byte_range(h.offset, h.len),
                            hit_status_words(h)
                        )),
                    ),
                    None => (
                        d.name.clone(),
                        Some(format!("{bytes} ({})", hit_status_words(h))),
                    ),
                },
                None if whole && (removal || repair) => (d.name.clone(), None),
                None if removal => (
                    d.name.clone(),
                    Some(format!("{} at byte {start:#x}", units::size(len))),
                ),
                None => (d.name.clone(), Some(bytes)),
            };
            let who = match (&d.kind, hit) {
                (
                    DeliverKind::Filesystem,
                    Some(Hit {
                        fstype: Some(t),
                        mount: Some(m),
                        ..
                    }),
                ) => format!("{t} on {m}"),
                (DeliverKind::Filesystem, _) => "the filesystem".into(),
                (DeliverKind::Holder, _) => format!("the holder module on {}", d.name),
                (DeliverKind::Other(k), _) => format!("the {k} holder on {}", d.name),
            };
            let result = result_words(d.result);
            match what {
                Some(what) => format!("{ctx} — {device}: {what} told to {who}: {result}"),
                None => format!("{ctx} — told to {who}: {result}"),
            }
        }
        Event::Absorb(a) => match part_words(&a.name, a.offset, a.len, event) {
            Some(p) => format!("{ctx} — {p} was reported before: nobody told again"),
            None => format!("{ctx} — reported before: nobody told again"),
        },
        Event::Fallback(f) => {
            let why = fallback_words(&f.reason);
            match part_words(&f.name, f.offset, f.len, event) {
                Some(p) => {
                    format!("{ctx} — {p} left to the kernel's per-page handling: {why}")
                }
                None => format!("{ctx} — left to the kernel's per-page handling: {why}"),
            }
        }
        Event::Other { name, fields } => {
            let kv: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{name} {}", kv.join(" "))
        }
    };
    let seq = rec
        .event
        .seq()
        .map_or_else(String::new, |s| format!("#{s} "));
    format!("[{when}] {seq}{text}")
}

/// How many `mfroute_event` records are remembered for the words of the
/// records that follow them.
const REMEMBERED_EVENTS: usize = 256;

/// What [`Monitor::line`] made of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// A record to print, and its JSON form for the store when one is
    /// kept ([`Monitor::store`]).
    Record(String, Option<String>),
    /// Nothing to print (a comment, another tracepoint).
    Nothing,
    /// The kernel dropped records: warn.
    Lost(String),
}

/// Turns trace lines into output, resolving deliveries.
pub struct Monitor<'r> {
    format: Format,
    resolver: Option<&'r mut dyn Resolve>,
    events: VecDeque<FailureEvent>,
    clock: WallClock,
    filter: Filter,
    store: bool,
}

/// Which records a monitor prints; an empty list lets everything through.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Tracepoint names, with or without `mfroute_` (`deliver`).
    pub events: Vec<String>,
    /// Origins of the failure a record belongs to (`range`, `badblocks`).
    pub origins: Vec<String>,
    /// Kernel names of the device a record is about (`pmem0`, `dm-0`).
    pub devs: Vec<String>,
}

/// Whether an `--event` value names tracepoint `name`, with or without
/// its `mfroute_` prefix (`deliver`, `mfroute_deliver`).
pub fn names_event(wanted: &str, name: &str) -> bool {
    wanted == name || name.strip_prefix("mfroute_") == Some(wanted)
}

impl Filter {
    /// Whether `rec`, part of failure `event` (if remembered), passes.
    fn keeps(&self, rec: &Record, event: Option<&FailureEvent>) -> bool {
        let name = rec.event.name();
        let any = |list: &[String], f: &dyn Fn(&str) -> bool| {
            list.is_empty() || list.iter().any(|x| f(x))
        };
        any(&self.events, &|e| names_event(e, name))
            && any(&self.origins, &|o| {
                event.is_some_and(|ev| ev.origin.as_str() == o)
            })
            && any(&self.devs, &|d| rec.event.device() == Some(d))
    }
}

impl<'r> Monitor<'r> {
    /// A monitor printing in `format`, resolving deliveries with
    /// `resolver` (none: deliveries are printed without what they hit).
    /// Its JSON records carry no wall-clock time until [`Monitor::clock`]
    /// says how to compute it.
    pub fn new(format: Format, resolver: Option<&'r mut dyn Resolve>) -> Self {
        Self {
            format,
            resolver,
            events: VecDeque::new(),
            clock: WallClock::unknown(),
            filter: Filter::default(),
            store: false,
        }
    }

    /// Renders every record printed in JSON too, for a store
    /// (`--store`), whatever the format printed, with its words as a last
    /// key, `text`: what a delivery hit is looked up once for all.
    #[must_use]
    pub fn store(mut self, store: bool) -> Self {
        self.store = store;
        self
    }

    /// Prints only the records `filter` keeps.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }

    /// Computes wall-clock times with `clock`.
    #[must_use]
    pub fn clock(mut self, clock: WallClock) -> Self {
        self.clock = clock;
        self
    }

    fn event(&self, seq: u64) -> Option<&FailureEvent> {
        self.events.iter().rev().find(|e| e.seq == seq)
    }

    /// Whether a delivery is for poison (resolved), not a removal or a
    /// repair.
    fn is_poison(&self, d: &trace::Deliver) -> bool {
        if d.flags & MF_MEM_PRE_REMOVE != 0 {
            return false;
        }
        !matches!(
            self.event(d.seq).map(|e| &e.origin),
            Some(Origin::PreRemove | Origin::Repair)
        )
    }

    /// Renders a warning of the monitor's own (records lost, a line
    /// skipped) as a line of the monitor's format.
    pub fn warning(&self, msg: &str) -> String {
        match self.format {
            Format::Human => format!("warning: {msg}"),
            Format::Json => self.warning_json(msg),
        }
    }

    /// A warning as a JSON record: `mfroute_warning`, with the time it
    /// was noticed (`null` when the clock is not known).
    pub fn warning_json(&self, msg: &str) -> String {
        serde_json::json!({
            "timestamp": self.clock.now_rfc3339(),
            "event": "mfroute_warning",
            "warning": msg,
        })
        .to_string()
    }

    /// Handles one line of trace output.
    pub fn line(&mut self, line: &str) -> Result<Output, ParseError> {
        let rec = match trace::parse_line(line)? {
            Line::Record(r) => r,
            Line::Foreign(_) | Line::Comment => return Ok(Output::Nothing),
            Line::Lost { cpu, count } => {
                return Ok(Output::Lost(if count > 0 {
                    format!("the trace buffer overflowed: {count} records lost on CPU {cpu}")
                } else {
                    format!("the trace buffer overflowed: records lost on CPU {cpu}")
                }))
            }
        };
        self.remember(&rec);
        let event = rec.event.seq().and_then(|s| self.event(s));
        if !self.filter.keeps(&rec, event) {
            return Ok(Output::Nothing);
        }
        let (text, json) = self.render(&rec);
        Ok(Output::Record(text, json))
    }

    /// Remembers a failure event, for the words and the filter of the
    /// records that follow it.
    fn remember(&mut self, rec: &Record) {
        if let Event::Failure(e) = &rec.event {
            if self.events.len() == REMEMBERED_EVENTS {
                self.events.pop_front();
            }
            self.events.push_back(e.clone());
        }
    }

    /// Renders one record, resolving it if it is a poison delivery.
    pub fn record(&mut self, rec: &Record) -> String {
        self.remember(rec);
        self.render(rec).0
    }

    /// Renders one record already remembered, and its JSON form when a
    /// store is kept.
    fn render(&mut self, rec: &Record) -> (String, Option<String>) {
        let place = match &rec.event {
            Event::Failure(e) => self.resolver.as_mut().and_then(|r| r.place(&e.name)),
            _ => None,
        };
        let left_hits = match &rec.event {
            Event::Fallback(f) => self.resolver.as_mut().map(|r| r.resolve_left(f)),
            _ => None,
        };
        let hit = match &rec.event {
            Event::Deliver(d)
                if matches!(d.kind, DeliverKind::Filesystem | DeliverKind::Holder)
                    && self.is_poison(d) =>
            {
                self.resolver.as_mut().map(|r| r.resolve(d))
            }
            _ => None,
        };
        let json = |text: Option<&str>| {
            render_json(
                rec,
                hit.as_ref(),
                place.as_ref(),
                left_hits.as_deref(),
                &self.clock,
                text,
            )
        };
        let words = (self.format == Format::Human || self.store).then(|| {
            let ev = match &rec.event {
                Event::Failure(_) => None,
                _ => rec.event.seq().and_then(|s| self.event(s)),
            };
            let when = self
                .clock
                .rfc3339_micros(&rec.timestamp)
                .unwrap_or_else(|| rec.timestamp.micros());
            let mut text = render_human_at(&when, rec, ev, hit.as_ref());
            if let Some(p) = &place {
                text = format!("{text} — {}", place_words(p));
            }
            for h in left_hits.iter().flatten() {
                text = format!("{text} — {}", left_hit_words(h));
            }
            text
        });
        let stored = self.store.then(|| json(words.as_deref()));
        let text = match self.format {
            Format::Json => json(None),
            Format::Human => words.unwrap_or_default(),
        };
        (text, stored)
    }
}

/// What a range left to the per-page path hit, in words: `dm-0: /mnt/f
/// bytes 0x2000..0x2fff (inode 12) on ext4 /mnt`.
fn left_hit_words(h: &Hit) -> String {
    let device = h.device.as_deref().unwrap_or("?");
    let what = if h.status == HitStatus::Ok && !h.owners.is_empty() {
        hit::owners_words(&h.owners, 3)
    } else {
        format!(
            "bytes {} ({})",
            units::byte_range(h.offset, h.len),
            hit_status_words(h)
        )
    };
    match (&h.fstype, &h.mount) {
        (Some(t), Some(m)) => format!("{device}: {what}, {t} on {m}"),
        _ => format!("{device}: {what}"),
    }
}

/// Where a failure's media is, in words: `on namespace0.0 in region0
/// (DIMM nmem0, id 8089-a2-1740-00000000)`.
pub fn place_words(p: &Place) -> String {
    let dimms: Vec<String> = p
        .dimms
        .iter()
        .map(|d| match &d.id {
            Some(id) => format!("{}, id {id}", d.dev),
            None => d.dev.clone(),
        })
        .collect();
    let what = if dimms.len() == 1 { "DIMM" } else { "DIMMs" };
    if dimms.is_empty() {
        format!("on {} in {}", p.namespace, p.region)
    } else {
        format!(
            "on {} in {} ({what} {})",
            p.namespace,
            p.region,
            dimms.join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hit::{Owner, Piece};
    use crate::trace::{Absorb, Deliver, Timestamp};

    #[test]
    fn warnings_in_json_say_when() {
        let m = Monitor::new(Format::Human, None);
        assert_eq!(
            m.warning_json("lost"),
            r#"{"event":"mfroute_warning","timestamp":null,"warning":"lost"}"#
        );
        assert_eq!(m.warning("lost"), "warning: lost");
        let m = m.clock(WallClock::fixed(0, jiff::tz::TimeZone::UTC));
        let v: serde_json::Value = serde_json::from_str(&m.warning_json("lost")).unwrap();
        let at: jiff::Timestamp = v["timestamp"].as_str().unwrap().parse().unwrap();
        assert!((jiff::Timestamp::now() - at).get_seconds().abs() < 60);
    }

    fn failure(seq: u64, offset: u64, len: u64, flags: u32, origin: Origin) -> FailureEvent {
        FailureEvent {
            seq,
            dev: DevNum::new(259, 0),
            name: "pmem0".into(),
            offset,
            len,
            flags,
            origin,
        }
    }

    fn rec(event: Event) -> Record {
        Record {
            task: "sh".into(),
            pid: 1,
            cpu: 0,
            timestamp: Timestamp { secs: 5, nanos: 0 },
            event,
        }
    }

    fn deliver(seq: u64, sector: u64, nr_sectors: u64, flags: u32) -> Record {
        rec(Event::Deliver(Deliver {
            seq,
            kind: DeliverKind::Holder,
            dev: DevNum::new(259, 0),
            name: "pmem0".into(),
            sector,
            nr_sectors,
            flags,
            result: 0,
        }))
    }

    fn absorb(seq: u64, name: &str, offset: u64, len: u64) -> Record {
        rec(Event::Absorb(Absorb {
            seq,
            dev: DevNum::new(259, 0),
            name: name.into(),
            offset,
            len,
            reason: "delivered_before".into(),
        }))
    }

    #[test]
    fn memory_failure_words() {
        let e = failure(1, 0x1000, 4096, 0, Origin::MemoryFailure);
        assert_eq!(
            event_words(&e, false),
            "pmem0: 4 KiB at byte 0x1000 failed (poison)"
        );
        let e = failure(1, 0x1000, 4096, MF_ACTION_REQUIRED, Origin::MemoryFailure);
        assert_eq!(
            event_words(&e, false),
            "pmem0: 4 KiB at byte 0x1000 failed (poison, a process touched it)"
        );
        assert_eq!(
            event_words(&e, true),
            "pmem0: 4 KiB at byte 0x1000 failed (poison)"
        );
        let e = failure(
            1,
            0x1000,
            4096,
            MF_ACTION_REQUIRED | MF_SW_SIMULATED | flags::MF_MUST_KILL,
            Origin::MemoryFailure,
        );
        assert_eq!(
            event_words(&e, false),
            "pmem0: 4 KiB at byte 0x1000 failed (poison, a process touched it, simulated)"
        );
    }

    #[test]
    fn parts_of_an_event() {
        let ev = failure(1, 0x1000, 0x2000, 0, Origin::MemoryFailure);
        let words = |r: &Record| render_human(r, Some(&ev), None);
        // The whole event: no need to say which part.
        assert_eq!(
            words(&absorb(1, "pmem0", 0x1000, 0x2000)),
            "[5.000000] #1 pmem0: 8 KiB at byte 0x1000 failed (poison) — reported before: nobody told again"
        );
        // Any of name, offset or length different: the part is named.
        for (name, offset, len, part) in [
            ("pmem0", 0x2000, 0x2000, "pmem0: 8 KiB at byte 0x2000"),
            ("pmem0", 0x1000, 0x1000, "pmem0: 4 KiB at byte 0x1000"),
            ("pmem1", 0x1000, 0x2000, "pmem1: 8 KiB at byte 0x1000"),
            ("pmem1", 0x2000, 0x2000, "pmem1: 8 KiB at byte 0x2000"),
        ] {
            assert_eq!(
                words(&absorb(1, name, offset, len)),
                format!("[5.000000] #1 pmem0: 8 KiB at byte 0x1000 failed (poison) — {part} was reported before: nobody told again")
            );
        }
        // No event: the part is always named.
        assert_eq!(
            render_human(&absorb(1, "pmem0", 0x1000, 0x2000), None, None),
            "[5.000000] #1 event #1 — pmem0: 8 KiB at byte 0x1000 was reported before: nobody told again"
        );
    }

    #[test]
    fn deliveries_unresolved() {
        let told = "told to the holder module on pmem0: ok";
        // Poison without its event: the bytes.
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), None, None),
            format!("[5.000000] #1 event #1 — pmem0: bytes 0x1000..0x1fff {told}")
        );
        // Poison of the whole event: still the bytes.
        let poison = failure(1, 0x1000, 0x1000, 0, Origin::MemoryFailure);
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), Some(&poison), None),
            format!("[5.000000] #1 pmem0: 4 KiB at byte 0x1000 failed (poison) — pmem0: bytes 0x1000..0x1fff {told}")
        );
        // A removal flagged in the delivery, without its event: the size.
        assert_eq!(
            render_human(&deliver(1, 8, 8, MF_MEM_PRE_REMOVE), None, None),
            format!("[5.000000] #1 event #1 — pmem0: 4 KiB at byte 0x1000 {told}")
        );
        // A removal of the whole event: nothing to add.
        let removal = failure(1, 0x1000, 0x1000, 0, Origin::PreRemove);
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), Some(&removal), None),
            format!("[5.000000] #1 pmem0: 4 KiB at byte 0x1000 is being removed — {told}")
        );
        // A removal of part of the event: the size of the part.
        assert_eq!(
            render_human(&deliver(1, 8, 1, 0), Some(&removal), None),
            format!("[5.000000] #1 pmem0: 4 KiB at byte 0x1000 is being removed — pmem0: 512 bytes at byte 0x1000 {told}")
        );
        // A repair of the whole event, and of part of it.
        let repair = failure(1, 0x1000, 0x1000, 0, Origin::Repair);
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), Some(&repair), None),
            format!(
                "[5.000000] #1 pmem0: 4 KiB at byte 0x1000 was repaired and is good again — {told}"
            )
        );
        assert_eq!(
            render_human(&deliver(1, 8, 1, 0), Some(&repair), None),
            format!("[5.000000] #1 pmem0: 4 KiB at byte 0x1000 was repaired and is good again — pmem0: bytes 0x1000..0x11ff {told}")
        );
    }

    #[test]
    fn deliveries_resolved() {
        let mut hit = Hit::failed(HitStatus::Ok, "x", 0x1000, 0x1000);
        hit.message = None;
        hit.device = Some("pmem0p1".into());
        // Looked up, nothing there.
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), None, Some(&hit)),
            "[5.000000] #1 event #1 — pmem0p1: bytes 0x1000..0x1fff (nothing found there) told to the holder module on pmem0: ok"
        );
        // Owners found but the lookup failed: the failure is said.
        hit.status = HitStatus::Error;
        hit.message = Some("cannot open /mnt: gone".into());
        hit.owners = vec![Piece {
            offset: 0x1000,
            len: 0x1000,
            owner: Owner::Free,
        }];
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), None, Some(&hit)),
            "[5.000000] #1 event #1 — pmem0p1: bytes 0x1000..0x1fff (cannot open /mnt: gone) told to the holder module on pmem0: ok"
        );
        hit.status = HitStatus::Ok;
        assert_eq!(
            render_human(&deliver(1, 8, 8, 0), None, Some(&hit)),
            "[5.000000] #1 event #1 — pmem0p1: 4 KiB of free space (no data lost) told to the holder module on pmem0: ok"
        );
    }

    #[test]
    fn lost_records() {
        let mut m = Monitor::new(Format::Human, None);
        assert_eq!(
            m.line("CPU:1 [LOST 1 EVENTS]"),
            Ok(Output::Lost(
                "the trace buffer overflowed: 1 records lost on CPU 1".into()
            ))
        );
        assert_eq!(
            m.line("CPU:1 [LOST EVENTS]"),
            Ok(Output::Lost(
                "the trace buffer overflowed: records lost on CPU 1".into()
            ))
        );
    }

    #[test]
    fn stored_records_carry_their_words() {
        let line = "  dax-probe-131  [001] d..1.  5.000000000: mfroute_event: seq=1 dev=259:0 \
                    name=pmem0 offset=0x1000 len=0x1000 flags=0x23 origin=memory_failure";
        let clock = WallClock::fixed(1_796_515_200_000_000_000, jiff::tz::TimeZone::UTC);
        let words = "[2026-12-06T00:00:05.000000+00:00] #1 pmem0: 4 KiB at byte 0x1000 failed \
                     (poison, a process touched it, simulated)";
        for format in [Format::Human, Format::Json] {
            let mut m = Monitor::new(format, None).store(true).clock(clock.clone());
            let Ok(Output::Record(printed, Some(stored))) = m.line(line) else {
                panic!("{format:?}: no record stored");
            };
            let mut v: serde_json::Value = serde_json::from_str(&stored).unwrap();
            assert_eq!(v["text"], words, "{format:?}");
            match format {
                Format::Human => assert_eq!(printed, words),
                // The store's record is the printed one and its words.
                Format::Json => {
                    v.as_object_mut().unwrap().remove("text");
                    let p: serde_json::Value = serde_json::from_str(&printed).unwrap();
                    assert_eq!(p, v);
                    assert!(p.get("text").is_none());
                }
            }
        }
    }

    #[test]
    fn remembered_events() {
        let mut m = Monitor::new(Format::Human, None);
        let event = |seq: u64| {
            rec(Event::Failure(failure(
                seq,
                0x1000,
                0x1000,
                0,
                Origin::Range,
            )))
        };
        let context = "pmem0: 4 KiB at byte 0x1000 failed (poison)";
        m.record(&event(1));
        m.record(&event(2));
        // Both remembered, not only the latest.
        for seq in [1, 2] {
            assert_eq!(
                m.record(&absorb(seq, "pmem0", 0x1000, 0x1000)),
                format!("[5.000000] #{seq} {context} — reported before: nobody told again")
            );
        }
        // The last REMEMBERED_EVENTS of them.
        for seq in 3..=REMEMBERED_EVENTS as u64 {
            m.record(&event(seq));
        }
        assert!(m
            .record(&absorb(1, "pmem0", 0x1000, 0x1000))
            .contains(context));
        m.record(&event(REMEMBERED_EVENTS as u64 + 1));
        assert_eq!(
            m.record(&absorb(1, "pmem0", 0x1000, 0x1000)),
            "[5.000000] #1 event #1 — pmem0: 4 KiB at byte 0x1000 was reported before: nobody told again"
        );
        assert!(m
            .record(&absorb(2, "pmem0", 0x1000, 0x1000))
            .contains(context));
        // A failure record itself is said in full, whatever is remembered.
        assert_eq!(
            m.record(&event(2)),
            "[5.000000] #2 pmem0: 4 KiB at byte 0x1000 failed (poison, reported as one range)"
        );
    }
}
