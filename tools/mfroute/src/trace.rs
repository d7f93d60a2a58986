// SPDX-License-Identifier: GPL-2.0
//! Parsing ftrace's text output (`trace_pipe`, `trace`) into mfroute
//! records.
//!
//! A line is `TASK-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS`, with the task
//! right-aligned (it may contain spaces, dashes, colons and brackets), the
//! flags column optional (`irq-info` off) and an optional TGID column
//! (`record-tgid`) between PID and CPU.  The header is therefore read from
//! the right, starting at the first `TIMESTAMP: EVENT: ` whose left side
//! parses as a header.

use crate::dev::DevNum;
use crate::units::parse_u64;
use std::fmt;

/// The tracepoint system of mfroute's events.
pub const SYSTEM: &str = "mfroute";

/// A trace timestamp, seconds and nanoseconds.  Clocks that print
/// microseconds (`52.123456`) are widened to nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Timestamp {
    /// Whole seconds.
    pub secs: u64,
    /// Nanoseconds, below 1,000,000,000.
    pub nanos: u32,
}

impl fmt::Display for Timestamp {
    /// `sec.nsec`, nine digits after the point, as `ndctl monitor` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.secs, self.nanos)
    }
}

impl Timestamp {
    /// Parses `52.123456789`, `52.123456` or a bare integer (counter
    /// clocks).
    pub fn parse(s: &str) -> Option<Self> {
        let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
        if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) || s.ends_with('.') {
            return None;
        }
        let nanos = if frac.is_empty() {
            0
        } else {
            frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32)
        };
        Some(Self {
            secs: secs.parse().ok()?,
            nanos,
        })
    }

    /// Microsecond precision, as dmesg shows it: `52.123456`.
    pub fn micros(&self) -> String {
        format!("{}.{:06}", self.secs, self.nanos / 1000)
    }
}

/// Where a failure entered the router (`origin=` of `mfroute_event`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A per-page `memory_failure()`.
    MemoryFailure,
    /// `memory_failure_range()`.
    Range,
    /// A device removal announced by `kill_dax()`.
    PreRemove,
    /// Poison found by the platform (address range scrub, injection).
    Badblocks,
    /// A failed range is good again.
    Repair,
    /// Poison told to a device-mapper device after its resume.
    Deferred,
    /// An origin this tool does not know yet, kept as printed.
    Other(String),
}

impl Origin {
    /// Parses the kernel's name for an origin.
    pub fn parse(s: &str) -> Self {
        match s {
            "memory_failure" => Self::MemoryFailure,
            "range" => Self::Range,
            "pre_remove" => Self::PreRemove,
            "badblocks" => Self::Badblocks,
            "repair" => Self::Repair,
            "deferred" => Self::Deferred,
            other => Self::Other(other.to_string()),
        }
    }

    /// The kernel's name for the origin.
    pub fn as_str(&self) -> &str {
        match self {
            Self::MemoryFailure => "memory_failure",
            Self::Range => "range",
            Self::PreRemove => "pre_remove",
            Self::Badblocks => "badblocks",
            Self::Repair => "repair",
            Self::Deferred => "deferred",
            Self::Other(s) => s,
        }
    }
}

/// `mfroute_event`: a failure entering the router.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailureEvent {
    /// Event sequence number, shared by all records of the event.
    pub seq: u64,
    /// The failing device.
    pub dev: DevNum,
    /// Its kernel name (`pmem0`).
    pub name: String,
    /// First failed byte in the device.
    pub offset: u64,
    /// Failed bytes.
    pub len: u64,
    /// `MF_*` flags.
    pub flags: u32,
    /// Where the failure came from.
    pub origin: Origin,
}

/// Who a delivery went to (`kind=` of `mfroute_deliver`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliverKind {
    /// A filesystem's dax holder operations; the device is the whole disk
    /// whose dax_device the filesystem holds.
    Filesystem,
    /// A module registered through mfroute's holder API on the device.
    Holder,
    /// A kind this tool does not know yet, kept as printed.
    Other(String),
}

impl DeliverKind {
    /// Parses the kernel's name for a delivery kind.
    pub fn parse(s: &str) -> Self {
        match s {
            "filesystem" => Self::Filesystem,
            "holder" => Self::Holder,
            other => Self::Other(other.to_string()),
        }
    }

    /// The kernel's name for the kind.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Filesystem => "filesystem",
            Self::Holder => "holder",
            Self::Other(s) => s,
        }
    }
}

/// `mfroute_deliver`: one call to one holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deliver {
    /// Event sequence number.
    pub seq: u64,
    /// Who was called.
    pub kind: DeliverKind,
    /// The device the call is about.
    pub dev: DevNum,
    /// Its kernel name.
    pub name: String,
    /// First sector of the range, from the start of `dev`.
    pub sector: u64,
    /// Sectors in the range.
    pub nr_sectors: u64,
    /// `MF_*` flags passed (0 for repairs).
    pub flags: u32,
    /// What the holder returned: 0 or a negative errno.
    pub result: i32,
}

/// `mfroute_absorb`: part of an event that was delivered before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Absorb {
    /// Event sequence number.
    pub seq: u64,
    /// The device.
    pub dev: DevNum,
    /// Its kernel name.
    pub name: String,
    /// First byte of the absorbed part.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Why, as printed (`delivered_before`).
    pub reason: String,
}

/// `mfroute_fallback`: part of an event left to the kernel's per-page
/// `memory_failure()` handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    /// Event sequence number.
    pub seq: u64,
    /// The device.
    pub dev: DevNum,
    /// Its kernel name.
    pub name: String,
    /// First byte of the part.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Why (`no_holder`, `holder_declined`, ...), as printed.
    pub reason: String,
}

/// One mfroute event, by tracepoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `mfroute_event`.
    Failure(FailureEvent),
    /// `mfroute_deliver`.
    Deliver(Deliver),
    /// `mfroute_absorb`.
    Absorb(Absorb),
    /// `mfroute_fallback`.
    Fallback(Fallback),
    /// Another `mfroute_*` tracepoint, fields kept as printed.
    Other {
        /// Tracepoint name.
        name: String,
        /// `key=value` pairs in order.
        fields: Vec<(String, String)>,
    },
}

impl Event {
    /// The tracepoint name.
    pub fn name(&self) -> &str {
        match self {
            Self::Failure(_) => "mfroute_event",
            Self::Deliver(_) => "mfroute_deliver",
            Self::Absorb(_) => "mfroute_absorb",
            Self::Fallback(_) => "mfroute_fallback",
            Self::Other { name, .. } => name,
        }
    }

    /// The kernel name of the device the record is about, if it has one.
    pub fn device(&self) -> Option<&str> {
        match self {
            Self::Failure(e) => Some(&e.name),
            Self::Deliver(e) => Some(&e.name),
            Self::Absorb(e) => Some(&e.name),
            Self::Fallback(e) => Some(&e.name),
            Self::Other { .. } => None,
        }
    }

    /// The event sequence number, if the record has one.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Self::Failure(e) => Some(e.seq),
            Self::Deliver(e) => Some(e.seq),
            Self::Absorb(e) => Some(e.seq),
            Self::Fallback(e) => Some(e.seq),
            Self::Other { fields, .. } => fields
                .iter()
                .find(|(k, _)| k == "seq")
                .and_then(|(_, v)| parse_u64(v)),
        }
    }
}

/// One trace record of an mfroute event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The task that was running (`comm`), as printed.
    pub task: String,
    /// Its PID.
    pub pid: u32,
    /// The CPU.
    pub cpu: u32,
    /// When.
    pub timestamp: Timestamp,
    /// What.
    pub event: Event,
}

/// What one line of trace output is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// An mfroute record.
    Record(Record),
    /// A record of another tracepoint, named.
    Foreign(String),
    /// A blank line or a `#` comment (the header of the `trace` file).
    Comment,
    /// `CPU:N [LOST M EVENTS]`: the ring buffer overflowed.
    Lost {
        /// The CPU whose buffer overflowed.
        cpu: u32,
        /// Events lost (0 if not printed).
        count: u64,
    },
}

/// Why a line is not a trace record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(msg.into()))
}

/// The header of a record, left of `TIMESTAMP: `.
struct Header {
    task: String,
    pid: u32,
    cpu: u32,
}

/// Parses `TASK-PID [(TGID)] [CPU] [FLAGS]`, from the right.
fn parse_header(s: &str) -> Option<Header> {
    let s = s.trim_end();
    let (rest, last) = split_last_token(s)?;
    let (rest, cpu) = match parse_cpu(last) {
        Some(cpu) => (rest, cpu),
        None => {
            // `last` is the flags column; the CPU comes before it.  Flags
            // are a few characters like `.....`, `d..1.` or `dNs2.`.
            if last.len() > 8 || last.contains(['[', ']']) {
                return None;
            }
            let (rest, cpu_tok) = split_last_token(rest.trim_end())?;
            (rest, parse_cpu(cpu_tok)?)
        }
    };
    let mut rest = rest.trim_end();
    // record-tgid: "(  123)" or "(-------)".
    if let Some(inner) = rest.strip_suffix(')') {
        let open = inner.rfind('(')?;
        rest = inner[..open].trim_end();
    }
    let (task, pid) = rest.rsplit_once('-')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Header {
        task: task.trim_start().to_string(),
        pid: pid.parse().ok()?,
        cpu,
    })
}

fn split_last_token(s: &str) -> Option<(&str, &str)> {
    match s.rfind(char::is_whitespace) {
        Some(i) => Some((&s[..i], &s[i + 1..])),
        None => None,
    }
}

fn parse_cpu(tok: &str) -> Option<u32> {
    let inner = tok.strip_prefix('[')?.strip_suffix(']')?;
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok()
}

fn is_event_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Parses one line of `trace_pipe` or `trace` output.
///
/// Records of other tracepoints, blank lines and comments are recognised
/// and named, never errors; a line that looks like nothing ftrace prints,
/// or an mfroute record with a missing or malformed field, is an error
/// (the caller reports and skips it).
pub fn parse_line(line: &str) -> Result<Line, ParseError> {
    let line = line.trim_end_matches(['\n', '\r']);
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(Line::Comment);
    }
    if let Some(lost) = parse_lost(trimmed) {
        return Ok(lost);
    }
    // Find "TIMESTAMP: EVENT:" with a header left of it.
    let mut from = 0;
    while let Some(i) = line[from..].find(": ").map(|i| i + from) {
        from = i + 2;
        let left = &line[..i];
        let Some((head, ts_tok)) = split_last_token(left) else {
            continue;
        };
        let Some(timestamp) = Timestamp::parse(ts_tok) else {
            continue;
        };
        let right = &line[i + 2..];
        let (event, fields) = match right.split_once(':') {
            Some((e, f)) if is_event_name(e) => (e, f),
            _ => continue,
        };
        let Some(header) = parse_header(head) else {
            continue;
        };
        if !event.starts_with("mfroute_") {
            return Ok(Line::Foreign(event.to_string()));
        }
        let event = parse_event(event, fields.trim())?;
        return Ok(Line::Record(Record {
            task: header.task,
            pid: header.pid,
            cpu: header.cpu,
            timestamp,
            event,
        }));
    }
    err("not a trace record (no 'TASK-PID [CPU] TIMESTAMP: EVENT:' header)")
}

fn parse_lost(s: &str) -> Option<Line> {
    let rest = s.strip_prefix("CPU:")?;
    let (cpu, rest) = rest.split_once(' ')?;
    let inner = rest.trim().strip_prefix("[LOST ")?.strip_suffix(']')?;
    let count = inner
        .strip_suffix(" EVENTS")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Some(Line::Lost {
        cpu: cpu.parse().ok()?,
        count,
    })
}

/// The `key=value` fields of a record, in order.
struct Fields<'a> {
    event: &'a str,
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Fields<'a> {
    fn parse(event: &'a str, text: &'a str) -> Result<Self, ParseError> {
        let mut pairs = Vec::new();
        for tok in text.split_whitespace() {
            match tok.split_once('=') {
                Some((k, v)) if !k.is_empty() => pairs.push((k, v)),
                _ => return err(format!("{event}: field '{tok}' is not key=value")),
            }
        }
        Ok(Self { event, pairs })
    }

    fn get(&self, key: &str) -> Result<&'a str, ParseError> {
        match self.pairs.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => Ok(v),
            None => err(format!("{}: no '{key}=' field", self.event)),
        }
    }

    fn num(&self, key: &str) -> Result<u64, ParseError> {
        let v = self.get(key)?;
        parse_u64(v).map_or_else(
            || err(format!("{}: {key}={v} is not a number", self.event)),
            Ok,
        )
    }

    fn flags(&self, key: &str) -> Result<u32, ParseError> {
        let n = self.num(key)?;
        u32::try_from(n).or_else(|_| err(format!("{}: {key}={n:#x} is too large", self.event)))
    }

    fn int(&self, key: &str) -> Result<i32, ParseError> {
        let v = self.get(key)?;
        v.parse()
            .or_else(|_| err(format!("{}: {key}={v} is not an integer", self.event)))
    }

    fn dev(&self, key: &str) -> Result<DevNum, ParseError> {
        let v = self.get(key)?;
        v.parse()
            .or_else(|_| err(format!("{}: {key}={v} is not MAJ:MIN", self.event)))
    }

    fn string(&self, key: &str) -> Result<String, ParseError> {
        let v = self.get(key)?;
        if v.is_empty() {
            return err(format!("{}: {key}= is empty", self.event));
        }
        Ok(v.to_string())
    }
}

/// Parses the fields of one `mfroute_*` record.
pub fn parse_event(name: &str, text: &str) -> Result<Event, ParseError> {
    let f = Fields::parse(name, text)?;
    Ok(match name {
        "mfroute_event" => Event::Failure(FailureEvent {
            seq: f.num("seq")?,
            dev: f.dev("dev")?,
            name: f.string("name")?,
            offset: f.num("offset")?,
            len: f.num("len")?,
            flags: f.flags("flags")?,
            origin: Origin::parse(&f.string("origin")?),
        }),
        "mfroute_deliver" => Event::Deliver(Deliver {
            seq: f.num("seq")?,
            kind: DeliverKind::parse(&f.string("kind")?),
            dev: f.dev("dev")?,
            name: f.string("name")?,
            sector: f.num("sector")?,
            nr_sectors: f.num("nr_sectors")?,
            flags: f.flags("flags")?,
            result: f.int("result")?,
        }),
        "mfroute_absorb" => Event::Absorb(Absorb {
            seq: f.num("seq")?,
            dev: f.dev("dev")?,
            name: f.string("name")?,
            offset: f.num("offset")?,
            len: f.num("len")?,
            reason: f.string("reason")?,
        }),
        "mfroute_fallback" => Event::Fallback(Fallback {
            seq: f.num("seq")?,
            dev: f.dev("dev")?,
            name: f.string("name")?,
            offset: f.num("offset")?,
            len: f.num("len")?,
            reason: f.string("reason")?,
        }),
        other => Event::Other {
            name: other.to_string(),
            fields: f
                .pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: &str) -> Record {
        match parse_line(line) {
            Ok(Line::Record(r)) => r,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            Timestamp::parse("52.123456"),
            Some(Timestamp {
                secs: 52,
                nanos: 123_456_000
            })
        );
        assert_eq!(
            Timestamp::parse("52.123456789")
                .map(|t| t.to_string())
                .as_deref(),
            Some("52.123456789")
        );
        assert_eq!(
            Timestamp::parse("7").map(|t| t.to_string()).as_deref(),
            Some("7.000000000")
        );
        assert_eq!(Timestamp::parse("1.5").map(|t| t.nanos), Some(500_000_000));
        for bad in [
            "",
            ".5",
            "5.",
            "1.1234567890",
            "a.1",
            "1.x",
            "-1.0",
            "+1.0",
            "+1",
            "1a.0",
            "1.+5",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        let t = Timestamp {
            secs: 3,
            nanos: 42_000,
        };
        assert_eq!(t.micros(), "3.000042");
    }

    #[test]
    fn header_variants() {
        let r = record("            sh-123     [001] .....    52.123456789: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=0x1000 reason=delivered_before");
        assert_eq!((r.task.as_str(), r.pid, r.cpu), ("sh", 123, 1));
        // No flags column, TGID column, dashes and spaces in the task.
        let r = record("  my task-name-42 (   40) [003] 1.000001: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=0x1000 reason=delivered_before");
        assert_eq!((r.task.as_str(), r.pid, r.cpu), ("my task-name", 42, 3));
        let r = record(
            "kworker/u8:1-9 [000] 2.5: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before",
        );
        assert_eq!((r.task.as_str(), r.pid), ("kworker/u8:1", 9));
        // A task that looks like a header itself.
        let r = record(" x [1] 1.0: y-7 [002] d..1. 9.000000100: mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before");
        assert_eq!((r.task.as_str(), r.pid, r.cpu), ("x [1] 1.0: y", 7, 2));
        assert_eq!(r.timestamp.to_string(), "9.000000100");
    }

    #[test]
    fn others() {
        assert_eq!(parse_line(""), Ok(Line::Comment));
        assert_eq!(parse_line("# tracer: nop"), Ok(Line::Comment));
        assert_eq!(
            parse_line("CPU:1 [LOST 13 EVENTS]"),
            Ok(Line::Lost { cpu: 1, count: 13 })
        );
        assert_eq!(
            parse_line("  bash-1 [000] ..... 3.1: memory_failure_event: pfn 0x1: recovery: x"),
            Ok(Line::Foreign("memory_failure_event".into()))
        );
        assert!(parse_line("garbage").is_err());
        assert_eq!(
            parse_line("garbage").unwrap_err().to_string(),
            "not a trace record (no 'TASK-PID [CPU] TIMESTAMP: EVENT:' header)"
        );
        assert!(parse_line("sh-1 [000] ..... 1.0: mfroute_absorb: seq=1").is_err());
        assert!(parse_line(
            "sh-1 [000] ..... 1.0: mfroute_absorb: seq=1 dev=x name=p offset=0 len=1"
        )
        .is_err());
    }

    const ABSORB: &str =
        "mfroute_absorb: seq=1 dev=259:0 name=pmem0 offset=0 len=1 reason=delivered_before";

    #[test]
    fn flags_column_width() {
        // Flags of up to 8 characters are a flags column ...
        let r = record(&format!("sh-1 [000] 12345678 1.0: {ABSORB}"));
        assert_eq!((r.task.as_str(), r.pid, r.cpu), ("sh", 1, 0));
        let r = record(&format!("sh-1 [002] d 1.0: {ABSORB}"));
        assert_eq!(r.cpu, 2);
        // ... a longer word is not, nor one with brackets.
        assert!(parse_line(&format!("sh-1 [000] 123456789 1.0: {ABSORB}")).is_err());
        assert!(parse_line(&format!("sh-1 [000] d[1 1.0: {ABSORB}")).is_err());
        assert!(parse_line(&format!("sh-1 [000] d]1 1.0: {ABSORB}")).is_err());
    }

    #[test]
    fn pids_and_cpus_are_digits() {
        for bad in [
            format!("sh-+5 [000] 1.0: {ABSORB}"),
            format!("sh- [000] 1.0: {ABSORB}"),
            format!("sh-1x [000] 1.0: {ABSORB}"),
            format!("sh-1 [+1] 1.0: {ABSORB}"),
            format!("sh-1 [] 1.0: {ABSORB}"),
            format!("sh-1 [1x] 1.0: {ABSORB}"),
            format!("sh-1 [+1] .... 1.0: {ABSORB}"),
            format!("sh-1 000 1.0: {ABSORB}"),
        ] {
            assert!(parse_line(&bad).is_err(), "{bad}");
        }
        let r = record(&format!("sh-0 [7] 1.0: {ABSORB}"));
        assert_eq!((r.pid, r.cpu), (0, 7));
    }

    #[test]
    fn event_names() {
        assert!(is_event_name("mfroute_event"));
        assert!(is_event_name("sched_switch2"));
        assert!(!is_event_name(""));
        assert!(!is_event_name("not an event"));
        assert!(!is_event_name("a-b"));
        // What follows "TIMESTAMP: " must be a name and a colon.
        assert!(parse_line("sh-1 [000] 1.0: not an event: seq=1").is_err());
        assert!(parse_line("sh-1 [000] 1.0: : seq=1").is_err());
        assert!(parse_line("sh-1 [000] 1.0: mfroute-absorb: seq=1").is_err());
        assert_eq!(
            parse_line("sh-1 [000] 1.0: sched_switch: prev_comm=sh"),
            Ok(Line::Foreign("sched_switch".into()))
        );
    }

    #[test]
    fn fields_need_keys() {
        for fields in [
            "=5",
            "seq=1 =x",
            "seq=1 dev=259:0 name=pmem0 offset=0 len=1 =1",
        ] {
            let e = parse_event("mfroute_absorb", fields).unwrap_err();
            assert!(e.0.contains("is not key=value"), "{fields}: {e}");
        }
        let e = parse_event("mfroute_ledger", "a=1 =2").unwrap_err();
        assert_eq!(e.to_string(), "mfroute_ledger: field '=2' is not key=value");
        // An empty value is a value (for tracepoints this tool does not
        // know); an empty key is not a key.
        assert_eq!(
            parse_event("mfroute_ledger", "a= b=2"),
            Ok(Event::Other {
                name: "mfroute_ledger".into(),
                fields: vec![("a".into(), String::new()), ("b".into(), "2".into())],
            })
        );
    }
}
