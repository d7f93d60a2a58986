// SPDX-License-Identifier: GPL-2.0
//! Wall-clock time for trace records.
//!
//! The monitor's trace instance runs on the `boot` clock
//! (`CLOCK_BOOTTIME`: it counts time spent suspended, as the wall clock
//! does), so a record's trace time plus the offset from `CLOCK_BOOTTIME`
//! to `CLOCK_REALTIME` is when it happened. The offset is read once, when
//! the monitor starts; a later step of the wall clock (NTP, `date -s`)
//! shows as that step's error.

use crate::trace::Timestamp;
use jiff::tz::TimeZone;
use jiff::Timestamp as Instant;

/// Turns trace times into wall-clock times, when it can.
#[derive(Clone, Debug)]
pub struct WallClock {
    /// `CLOCK_REALTIME` minus `CLOCK_BOOTTIME`, in nanoseconds; `None`
    /// when the trace times are not `CLOCK_BOOTTIME` of this boot.
    boot_to_real_ns: Option<i128>,
    /// The zone times are printed in.
    tz: TimeZone,
}

impl WallClock {
    /// For trace times of the `boot` clock of the running system, in the
    /// system's time zone (`TZ`, `/etc/localtime`, else UTC).
    pub fn boot_now() -> Self {
        use nix::time::{clock_gettime, ClockId};
        let ns = |id| {
            clock_gettime(id)
                .map(|t| i128::from(t.tv_sec()) * 1_000_000_000 + i128::from(t.tv_nsec()))
        };
        // Read around the boot clock: the offset is the two realtime
        // reads' middle minus it.
        let offset = match (
            ns(ClockId::CLOCK_REALTIME),
            ns(ClockId::CLOCK_BOOTTIME),
            ns(ClockId::CLOCK_REALTIME),
        ) {
            (Ok(r1), Ok(b), Ok(r2)) => Some((r1 + r2) / 2 - b),
            _ => None,
        };
        Self {
            boot_to_real_ns: offset,
            tz: TimeZone::try_system().unwrap_or(TimeZone::UTC),
        }
    }

    /// For trace times that cannot be turned into wall-clock time (another
    /// trace clock, or a recording from elsewhere).
    pub fn unknown() -> Self {
        Self {
            boot_to_real_ns: None,
            tz: TimeZone::UTC,
        }
    }

    /// A fixed offset and zone, for tests.
    pub fn fixed(boot_to_real_ns: i128, tz: TimeZone) -> Self {
        Self {
            boot_to_real_ns: Some(boot_to_real_ns),
            tz,
        }
    }

    /// The trace time in nanoseconds of `CLOCK_BOOTTIME`, when the trace
    /// times are that clock's.
    pub fn boot_ns(&self, t: &Timestamp) -> Option<u64> {
        self.boot_to_real_ns?;
        t.secs
            .checked_mul(1_000_000_000)?
            .checked_add(u64::from(t.nanos))
    }

    /// When the record was made, in RFC 3339 with nine fractional digits
    /// and the zone's offset: `2026-12-06T12:00:00.123456789+00:00`.
    pub fn rfc3339(&self, t: &Timestamp) -> Option<String> {
        self.at(t, "%.9f")
    }

    /// As [`WallClock::rfc3339`], to the microsecond as the trace prints
    /// times, for a line in words: `2026-12-06T12:00:00.123456+00:00`.
    pub fn rfc3339_micros(&self, t: &Timestamp) -> Option<String> {
        self.at(t, "%.6f")
    }

    fn at(&self, t: &Timestamp, fraction: &str) -> Option<String> {
        let real = i128::from(self.boot_ns(t)?) + self.boot_to_real_ns?;
        Some(self.format(Instant::from_nanosecond(real).ok()?, fraction))
    }

    /// Now, as [`WallClock::rfc3339`] prints it, for what the monitor
    /// notices itself (a warning); `None` when its records carry no
    /// wall-clock time either.
    pub fn now_rfc3339(&self) -> Option<String> {
        self.boot_to_real_ns?;
        Some(self.format(Instant::now(), "%.9f"))
    }

    fn format(&self, at: Instant, fraction: &str) -> String {
        at.to_zoned(self.tz.clone())
            .strftime(&format!("%Y-%m-%dT%H:%M:%S{fraction}%:z"))
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(secs: u64, nanos: u32) -> Timestamp {
        Timestamp { secs, nanos }
    }

    #[test]
    fn utc() {
        // 2026-12-06T00:00:00Z is 1,796,515,200 s after the epoch.
        let c = WallClock::fixed(1_796_515_200_000_000_000, TimeZone::UTC);
        assert_eq!(
            c.rfc3339(&ts(52, 123_456_789)).unwrap(),
            "2026-12-06T00:00:52.123456789+00:00"
        );
        assert_eq!(c.boot_ns(&ts(52, 123_456_789)), Some(52_123_456_789));
        assert_eq!(
            c.rfc3339_micros(&ts(52, 123_456_789)).unwrap(),
            "2026-12-06T00:00:52.123456+00:00"
        );
    }

    #[test]
    fn zone_offset() {
        let c = WallClock::fixed(
            1_796_515_200_000_000_000,
            TimeZone::fixed(jiff::tz::offset(-5)),
        );
        assert_eq!(
            c.rfc3339(&ts(0, 1)).unwrap(),
            "2026-12-05T19:00:00.000000001-05:00"
        );
    }

    #[test]
    fn unknown_clock() {
        let c = WallClock::unknown();
        assert_eq!(c.rfc3339(&ts(52, 0)), None);
        assert_eq!(c.boot_ns(&ts(52, 0)), None);
    }

    #[test]
    fn now_is_now() {
        use nix::time::{clock_gettime, ClockId};
        let c = WallClock::boot_now();
        let b = clock_gettime(ClockId::CLOCK_BOOTTIME).unwrap();
        let now = ts(b.tv_sec() as u64, b.tv_nsec() as u32);
        let printed = c.rfc3339(&now).unwrap();
        let parsed: jiff::Timestamp = printed.parse().unwrap();
        let drift = (jiff::Timestamp::now().as_nanosecond() - parsed.as_nanosecond()).abs();
        assert!(drift < 1_000_000_000, "{printed}: {drift} ns off");
    }
}
