// SPDX-License-Identifier: GPL-2.0
//! The history: what `mfroute monitor --store FILE` appended, one JSON
//! record a line (the monitor's JSON shape), read back by `mfroute log`.
//!
//! JSON lines rather than a database: the records are the monitor's own,
//! so the store needs no schema of its own and no C library in the
//! binary; it is read with `jq` or `grep` as well; each record is one
//! `write(2)` in append mode, so a crash leaves whole lines (a torn last
//! line is skipped and counted).  A query reads the whole file: a
//! failure history is small (10,000 delivery records, 8 MB with their words,
//! are read and summed up in 0.3 s on the build host).

use crate::monitor::names_event;
use crate::units;
use jiff::{Span, Timestamp, Zoned};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where the systemd unit keeps the history.
pub const DEFAULT_STORE: &str = "/var/lib/mfroute/events.jsonl";

/// A stored record: its line as stored (keys in the monitor's order),
/// and its value.
#[derive(Debug)]
pub struct Stored {
    /// The line.
    pub line: String,
    /// The parsed record.
    pub value: Value,
}

/// The records of a store, and how many lines were not records.
#[derive(Debug, Default)]
pub struct History {
    /// The records, in the order they were stored.
    pub records: Vec<Stored>,
    /// Lines that are not a JSON object (a torn last line).
    pub skipped: usize,
}

/// Parses the text of a store.
pub fn parse(text: &str) -> History {
    let mut h = History::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Value>(line) {
            Ok(value) if value.is_object() => h.records.push(Stored {
                line: line.to_string(),
                value,
            }),
            _ => h.skipped += 1,
        }
    }
    h
}

/// Parses `--since`: an RFC 3339 time (`2026-12-06T14:00:00Z`) or a span
/// back from `now` (`90s`, `30m`, `2h`, `1d`, `1h 30m`).
pub fn parse_since(s: &str, now: &Zoned) -> Result<Timestamp, String> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let span: Span = s.parse().map_err(|_| {
        format!("'{s}' is neither an RFC 3339 time (2026-12-06T14:00:00Z) nor a span (2h, 30m, 1d)")
    })?;
    now.checked_sub(span)
        .map(|z| z.timestamp())
        .map_err(|e| format!("'{s}' back from now: {e}"))
}

/// Which records `mfroute log` shows.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Only records at or after this time; records without one are left
    /// out when it is given.
    pub since: Option<Timestamp>,
    /// Only records about these devices (kernel names or `MAJ:MIN`).
    pub devs: Vec<String>,
    /// Only these events (`event`, `mfroute_deliver`).
    pub events: Vec<String>,
}

/// When a record was made, if it says.
fn time_of(rec: &Value) -> Option<Timestamp> {
    rec["timestamp"].as_str()?.parse().ok()
}

fn str_of<'a>(rec: &'a Value, key: &str) -> &'a str {
    rec[key].as_str().unwrap_or("?")
}

fn u64_of(rec: &Value, key: &str) -> u64 {
    rec[key].as_u64().unwrap_or(0)
}

impl Query {
    /// Whether `rec` is shown.
    pub fn keeps(&self, rec: &Value) -> bool {
        if let Some(since) = self.since {
            if time_of(rec).is_none_or(|t| t < since) {
                return false;
            }
        }
        let event = rec["event"].as_str().unwrap_or("");
        if !self.events.is_empty() && !self.events.iter().any(|e| names_event(e, event)) {
            return false;
        }
        self.devs.is_empty()
            || self.devs.iter().any(|d| {
                rec["blockdev"].as_str() == Some(d.as_str())
                    || rec["maj_min"].as_str() == Some(d.as_str())
            })
    }
}

/// One stored record in words: as the monitor printed it (its `text`).
pub fn words(rec: &Value) -> String {
    if let Some(text) = rec["text"].as_str() {
        return text.to_string();
    }
    let when = rec["timestamp"].as_str().unwrap_or("no time");
    match rec["event"].as_str() {
        Some("mfroute_warning") => format!("[{when}] warning: {}", str_of(rec, "warning")),
        // Stored without its words: a store written by another program.
        other => format!(
            "[{when}] {} (no words stored; --json shows it)",
            other.unwrap_or("?")
        ),
    }
}

/// Per device, what the records say: as `ras-mc-ctl --summary` for the
/// routed failures.
pub fn summary(records: &[&Value]) -> String {
    #[derive(Default)]
    struct Dev {
        events: u64,
        bytes: u64,
        origins: BTreeMap<String, u64>,
        deliveries: u64,
        errors: u64,
        absorbed: u64,
        fallbacks: u64,
        files: Vec<String>,
        first: Option<String>,
        last: Option<String>,
    }
    let mut devs: BTreeMap<String, Dev> = BTreeMap::new();
    let mut warnings = 0;
    for rec in records {
        let event = rec["event"].as_str().unwrap_or("");
        if event == "mfroute_warning" {
            warnings += 1;
            continue;
        }
        let d = devs.entry(str_of(rec, "blockdev").to_string()).or_default();
        if let Some(t) = rec["timestamp"].as_str() {
            d.first.get_or_insert_with(|| t.to_string());
            d.last = Some(t.to_string());
        }
        let hits: Vec<&Value> = match event {
            "mfroute_event" => {
                d.events += 1;
                d.bytes += u64_of(rec, "len_bytes");
                *d.origins
                    .entry(str_of(rec, "origin").to_string())
                    .or_default() += 1;
                Vec::new()
            }
            "mfroute_deliver" => {
                d.deliveries += 1;
                if rec["error"].is_string() {
                    d.errors += 1;
                }
                vec![&rec["hit"]]
            }
            "mfroute_absorb" => {
                d.absorbed += 1;
                Vec::new()
            }
            "mfroute_fallback" => {
                d.fallbacks += 1;
                rec["hits"].as_array().into_iter().flatten().collect()
            }
            _ => Vec::new(),
        };
        for h in hits {
            for o in h["owners"].as_array().into_iter().flatten() {
                if let Some(p) = o["path"].as_str() {
                    if !d.files.iter().any(|f| f == p) {
                        d.files.push(p.to_string());
                    }
                }
            }
        }
    }
    let mut s = String::new();
    if devs.is_empty() {
        s.push_str("no failures recorded\n");
    }
    for (name, d) in &devs {
        let origins: Vec<String> = d.origins.iter().map(|(o, n)| format!("{o} {n}")).collect();
        let _ = writeln!(
            s,
            "{name}: {} failure event{}, {}{}",
            d.events,
            if d.events == 1 { "" } else { "s" },
            units::size(d.bytes),
            if origins.is_empty() {
                String::new()
            } else {
                format!(" ({})", origins.join(", "))
            }
        );
        if let (Some(first), Some(last)) = (&d.first, &d.last) {
            let _ = writeln!(s, "  from {first} to {last}");
        }
        let _ = writeln!(
            s,
            "  told to holders {} (errors {}), already known {}, per-page {}",
            d.deliveries, d.errors, d.absorbed, d.fallbacks
        );
        if !d.files.is_empty() {
            let _ = writeln!(s, "  files hit: {}", d.files.join(", "));
        }
    }
    if warnings > 0 {
        let _ = writeln!(s, "warnings: {warnings} (records may be missing)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORE: &str = r#"{"timestamp":"2026-12-06T14:40:21.162596000+00:00","event":"mfroute_event","seq":5,"maj_min":"259:0","blockdev":"pmem0","offset_bytes":5341184,"len_bytes":4096,"origin":"memory_failure","namespace":"namespace0.0","region":"region0","dimms":[{"dev":"nmem0","id":null}],"text":"[2026-12-06T14:40:21.162596+00:00] #5 pmem0: 4 KiB at byte 0x518000 failed (poison, a process touched it, simulated) — on namespace0.0 in region0 (DIMM nmem0)"}
{"timestamp":"2026-12-06T14:40:21.165860000+00:00","event":"mfroute_deliver","seq":5,"kind":"filesystem","maj_min":"259:0","blockdev":"pmem0","sector":10432,"nr_sectors":8,"result":0,"error":null,"hit":{"status":"ok","message":null,"blockdev":"pmem0","maj_min":"259:0","mount":"/mnt","fstype":"xfs","offset_bytes":5341184,"len_bytes":4096,"owners":[{"offset_bytes":5341184,"len_bytes":4096,"type":"file","inode":133,"path":"/mnt/unit","file_offset_bytes":0,"unwritten":false,"shared":false}]}}
{"timestamp":"2026-12-06T15:00:00.000000000+00:00","event":"mfroute_event","seq":1,"maj_min":"259:1","blockdev":"pmem1","offset_bytes":0,"len_bytes":8192,"origin":"badblocks","namespace":null,"region":null,"dimms":null}
{"timestamp":"2026-12-06T15:00:00.5+00:00","event":"mfroute_fallback","seq":1,"maj_min":"259:1","blockdev":"pmem1","offset_bytes":0,"len_bytes":8192,"reason":"no_holder","hits":[]}
{"timestamp":null,"event":"mfroute_warning","warning":"the trace buffer overflowed"}
{"timestamp":"2026-12-06T15:0"#;

    #[test]
    fn parse_and_query() {
        let h = parse(STORE);
        assert_eq!((h.records.len(), h.skipped), (5, 1));
        // As stored, not re-encoded (whose keys would be sorted).
        assert!(h.records[0]
            .line
            .starts_with(r#"{"timestamp":"2026-12-06T14:40:21.162596000+00:00","event""#));
        let keep = |q: &Query| h.records.iter().filter(|r| q.keeps(&r.value)).count();
        assert_eq!(keep(&Query::default()), 5);
        let since = "2026-12-06T14:50:00Z".parse().unwrap();
        assert_eq!(
            keep(&Query {
                since: Some(since),
                ..Query::default()
            }),
            2
        );
        let dev = |d: &str| Query {
            devs: vec![d.into()],
            ..Query::default()
        };
        assert_eq!((keep(&dev("pmem0")), keep(&dev("259:1"))), (2, 2));
        let ev = Query {
            events: vec!["event".into()],
            ..Query::default()
        };
        assert_eq!(keep(&ev), 2);
    }

    #[test]
    fn since() {
        let now: Zoned = "2026-12-06T15:00:00+00:00[UTC]".parse().unwrap();
        let t = |s| parse_since(s, &now).unwrap().to_string();
        assert_eq!(t("2h"), "2026-12-06T13:00:00Z");
        assert_eq!(t("1h 30m"), "2026-12-06T13:30:00Z");
        assert_eq!(t("1d"), "2026-12-05T15:00:00Z");
        assert_eq!(t("2026-12-06T14:00:00+01:00"), "2026-12-06T13:00:00Z");
        assert!(parse_since("yesterday", &now).is_err());
    }

    #[test]
    fn in_words() {
        let h = parse(STORE);
        let w: Vec<String> = h.records.iter().map(|r| words(&r.value)).collect();
        // As the monitor printed it.
        assert_eq!(
            w[0],
            "[2026-12-06T14:40:21.162596+00:00] #5 pmem0: 4 KiB at byte 0x518000 failed \
             (poison, a process touched it, simulated) — on namespace0.0 in region0 (DIMM nmem0)"
        );
        assert_eq!(
            w[1],
            "[2026-12-06T14:40:21.165860000+00:00] mfroute_deliver (no words stored; --json \
             shows it)"
        );
        assert_eq!(w[4], "[no time] warning: the trace buffer overflowed");
    }

    #[test]
    fn summed_up() {
        let h = parse(STORE);
        let all: Vec<&Value> = h.records.iter().map(|r| &r.value).collect();
        assert_eq!(
            summary(&all),
            "pmem0: 1 failure event, 4 KiB (memory_failure 1)\n  \
             from 2026-12-06T14:40:21.162596000+00:00 to 2026-12-06T14:40:21.165860000+00:00\n  \
             told to holders 1 (errors 0), already known 0, per-page 0\n  \
             files hit: /mnt/unit\n\
             pmem1: 1 failure event, 8 KiB (badblocks 1)\n  \
             from 2026-12-06T15:00:00.000000000+00:00 to 2026-12-06T15:00:00.5+00:00\n  \
             told to holders 0 (errors 0), already known 0, per-page 1\n\
             warnings: 1 (records may be missing)\n"
        );
        assert_eq!(summary(&[]), "no failures recorded\n");
    }
}
