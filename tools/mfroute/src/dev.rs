// SPDX-License-Identifier: GPL-2.0
//! Block device numbers (`MAJ:MIN`) and the kernel's encodings of them.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A block device number, shown and parsed as `MAJ:MIN` like sysfs's `dev`
/// files and `/proc/self/mountinfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DevNum {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
}

impl DevNum {
    /// A device number from its major and minor.
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// The 32-bit encoding of the kernel's `new_encode_dev()`, which is
    /// also what userspace's `makedev()` gives for numbers that fit: xfs
    /// reports and expects `fmr_device` in this form, and device-mapper's
    /// `huge_decode_dev()` takes it (widened) in `dm_ioctl.dev`.
    pub const fn new_encode(self) -> u32 {
        (self.minor & 0xff) | (self.major << 8) | ((self.minor & !0xff) << 12)
    }

    /// Decodes a userspace `dev_t` (`st_dev`, `st_rdev`, glibc's layout),
    /// which covers [`DevNum::new_encode`] and the kernel's
    /// `huge_encode_dev()`.
    pub const fn from_dev_t(dev: u64) -> Self {
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
        let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
        // Both halves are at most 32 bits wide by construction.
        Self {
            major: major as u32,
            minor: minor as u32,
        }
    }
}

impl fmt::Display for DevNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.major, self.minor)
    }
}

/// Why a `MAJ:MIN` string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDevError(pub String);

impl fmt::Display for ParseDevError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a MAJ:MIN device number: '{}'", self.0)
    }
}

impl std::error::Error for ParseDevError {}

impl FromStr for DevNum {
    type Err = ParseDevError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseDevError(s.to_string());
        let (maj, min) = s.trim().split_once(':').ok_or_else(err)?;
        Ok(Self {
            major: maj.parse().map_err(|_| err())?,
            minor: min.parse().map_err(|_| err())?,
        })
    }
}

impl Serialize for DevNum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_show() {
        let d: DevNum = "259:0".parse().unwrap();
        assert_eq!(d, DevNum::new(259, 0));
        assert_eq!(d.to_string(), "259:0");
        assert!("259".parse::<DevNum>().is_err());
        assert!("a:b".parse::<DevNum>().is_err());
    }

    #[test]
    fn encodings_round_trip() {
        for d in [
            DevNum::new(259, 0),
            DevNum::new(253, 3),
            DevNum::new(8, 17),
            DevNum::new(259, 300),
            DevNum::new(4000, 70000),
        ] {
            assert_eq!(DevNum::from_dev_t(u64::from(d.new_encode())), d);
        }
        // new_encode_dev(MKDEV(259, 1)) as the kernel computes it.
        assert_eq!(DevNum::new(259, 1).new_encode(), 0x10301);
        assert_eq!(DevNum::new(259, 256).new_encode(), 0x0011_0300);
        // A minor beyond 8 bits: its low byte, the major, then the rest
        // of the minor from bit 20.
        assert_eq!(DevNum::new(259, 0x12345).new_encode(), 0x1231_0345);
        assert_eq!(DevNum::from_dev_t(0x1231_0345), DevNum::new(259, 0x12345));
    }

    /// glibc's `makedev()` (`bits/sysmacros.h`): the low 12 bits of the
    /// major at bit 8, the rest at bit 44; the low 8 bits of the minor at
    /// bit 0, the rest at bit 20.
    fn glibc_makedev(major: u32, minor: u32) -> u64 {
        let (major, minor) = (u64::from(major), u64::from(minor));
        ((major & 0x0000_0fff) << 8)
            | ((major & 0xffff_f000) << 32)
            | (minor & 0x0000_00ff)
            | ((minor & 0xffff_ff00) << 12)
    }

    #[test]
    fn wide_dev_t() {
        for (major, minor) in [
            (259, 0x12345),
            (0, 0x10_0000),
            (0, u32::MAX),
            (0x1000, 0),
            (u32::MAX, 0),
            (u32::MAX, u32::MAX),
            (0xabcd_e123, 0x8765_4321),
        ] {
            let dev = glibc_makedev(major, minor);
            assert_eq!(
                DevNum::from_dev_t(dev),
                DevNum::new(major, minor),
                "{major:#x}:{minor:#x} as {dev:#x}"
            );
        }
        // Known values: a major past 12 bits lives in the high word, a
        // minor past 20 bits does not leak into the major.
        assert_eq!(
            DevNum::from_dev_t(0x0000_1000_0000_0000),
            DevNum::new(0x1000, 0)
        );
        assert_eq!(
            DevNum::from_dev_t(0x0000_0001_0000_0000),
            DevNum::new(0, 0x10_0000)
        );
    }

    #[test]
    fn parse_error_text() {
        let e = "pmem0".parse::<DevNum>().unwrap_err();
        assert_eq!(e, ParseDevError("pmem0".into()));
        assert_eq!(e.to_string(), "not a MAJ:MIN device number: 'pmem0'");
    }
}
