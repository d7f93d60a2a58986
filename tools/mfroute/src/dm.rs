// SPDX-License-Identifier: GPL-2.0
//! Device-mapper tables: reading the live table with the `DM_TABLE_STATUS`
//! ioctl (`linux/dm-ioctl.h`), and parsing table text per target type.
//!
//! The ioctl layer is thin: it fills one fixed buffer and hands the bytes
//! to [`parse_status_data`], which is pure and tested on its own.

use crate::dev::DevNum;
use std::fs::OpenOptions;
use std::io;
use std::mem::size_of;
use std::os::fd::AsRawFd;
use std::path::Path;

/// One line of a table: `START LENGTH TYPE PARAMS`, in sectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetLine {
    /// First sector of the target in the mapped device.
    pub start: u64,
    /// Sectors.
    pub length: u64,
    /// Target type (`linear`, `striped`, `crypt`, ...).
    pub target_type: String,
    /// Parameters as the kernel prints them (devices as `MAJ:MIN`).
    pub params: String,
}

/// A device and an offset in it, as a table names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The device as written: `MAJ:MIN` from the kernel, or a path.
    pub device: String,
    /// The device number when `device` is `MAJ:MIN`.
    pub dev: Option<DevNum>,
    /// Offset in the device, in sectors.
    pub offset: u64,
}

/// What a target maps to, for the target types mfroute translates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetDetail {
    /// `linear DEV OFFSET`.
    Linear(Member),
    /// `striped STRIPES CHUNK DEV OFFSET ...`.
    Striped {
        /// Number of stripes.
        stripes: u32,
        /// Chunk size in sectors.
        chunk_sectors: u64,
        /// One member per stripe, in order.
        members: Vec<Member>,
    },
    /// Any other target type: not translated by mfroute.
    Other,
}

/// Whether mfroute translates failures through targets of this type.
pub fn translated(target_type: &str) -> bool {
    matches!(target_type, "linear" | "striped")
}

fn member(dev: &str, off: &str) -> Result<Member, String> {
    Ok(Member {
        device: dev.to_string(),
        dev: dev.parse().ok(),
        offset: off
            .parse()
            .map_err(|_| format!("offset '{off}' is not a number"))?,
    })
}

/// Parses the parameters of a target.
pub fn parse_target(t: &TargetLine) -> Result<TargetDetail, String> {
    let p: Vec<&str> = t.params.split_whitespace().collect();
    match t.target_type.as_str() {
        "linear" => match p.as_slice() {
            [dev, off] => Ok(TargetDetail::Linear(member(dev, off)?)),
            _ => Err(format!("linear: '{}' is not 'DEV OFFSET'", t.params)),
        },
        "striped" => {
            let bad = || {
                format!(
                    "striped: '{}' is not 'STRIPES CHUNK DEV OFFSET...'",
                    t.params
                )
            };
            let [n, chunk, rest @ ..] = p.as_slice() else {
                return Err(bad());
            };
            let stripes: u32 = n.parse().map_err(|_| bad())?;
            let chunk_sectors: u64 = chunk.parse().map_err(|_| bad())?;
            if stripes == 0 || rest.len() != 2 * stripes as usize {
                return Err(bad());
            }
            let members = rest
                .chunks(2)
                .map(|c| member(c[0], c[1]))
                .collect::<Result<_, _>>()?;
            Ok(TargetDetail::Striped {
                stripes,
                chunk_sectors,
                members,
            })
        }
        _ => Ok(TargetDetail::Other),
    }
}

/// Parses table text as `dmsetup table` prints it, one target a line.
pub fn parse_table_text(text: &str) -> Result<Vec<TargetLine>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            let (Some(s), Some(n), Some(ty)) = (it.next(), it.next(), it.next()) else {
                return Err(format!("'{l}' is not 'START LENGTH TYPE PARAMS'"));
            };
            Ok(TargetLine {
                start: s
                    .parse()
                    .map_err(|_| format!("start '{s}' is not a number"))?,
                length: n
                    .parse()
                    .map_err(|_| format!("length '{n}' is not a number"))?,
                target_type: ty.to_string(),
                params: it.collect::<Vec<_>>().join(" "),
            })
        })
        .collect()
}

/// Whether a target's parameters name device `dev` (as `MAJ:MIN`).
pub fn uses_device(t: &TargetLine, dev: DevNum) -> bool {
    let want = dev.to_string();
    t.params.split_whitespace().any(|w| w == want)
}

const DM_NAME_LEN: usize = 128;
const DM_UUID_LEN: usize = 129;
const DM_MAX_TYPE_NAME: usize = 16;
/// `DM_STATUS_TABLE_FLAG`: return the table, not the status.
const DM_STATUS_TABLE_FLAG: u32 = 1 << 4;
/// `DM_BUFFER_FULL_FLAG`: the result did not fit.
const DM_BUFFER_FULL_FLAG: u32 = 1 << 8;
const DM_IOCTL: u8 = 0xfd;
const DM_TABLE_STATUS_CMD: u8 = 12;

/// `struct dm_ioctl`.
#[repr(C)]
#[derive(Clone, Copy)]
struct DmIoctl {
    version: [u32; 3],
    data_size: u32,
    data_start: u32,
    target_count: u32,
    open_count: i32,
    flags: u32,
    event_nr: u32,
    padding: u32,
    dev: u64,
    name: [u8; DM_NAME_LEN],
    uuid: [u8; DM_UUID_LEN],
    data: [u8; 7],
}

/// `struct dm_target_spec`, without the parameter string after it.
const SPEC_SIZE: usize = 8 + 8 + 4 + 4 + DM_MAX_TYPE_NAME;

/// Room for the table of any device mfroute can translate, many times.
const DATA_SIZE: usize = 64 * 1024;

#[repr(C)]
struct DmBuffer {
    io: DmIoctl,
    data: [u8; DATA_SIZE],
}

nix::ioctl_readwrite!(
    /// `DM_TABLE_STATUS`: `_IOWR(DM_IOCTL, DM_TABLE_STATUS_CMD, struct dm_ioctl)`.
    dm_table_status, DM_IOCTL, DM_TABLE_STATUS_CMD, DmIoctl
);

/// Reads the live table of mapped device `dev` through `control`
/// (`/dev/mapper/control`).  Needs CAP_SYS_ADMIN.
pub fn table_status(control: &Path, dev: DevNum) -> io::Result<Vec<TargetLine>> {
    let file = OpenOptions::new().read(true).write(true).open(control)?;
    let mut buf = Box::new(DmBuffer {
        io: DmIoctl {
            // Any 4.x kernel understands version 4.0.0 requests.
            version: [4, 0, 0],
            data_size: u32::try_from(size_of::<DmBuffer>()).map_err(io::Error::other)?,
            data_start: u32::try_from(size_of::<DmIoctl>()).map_err(io::Error::other)?,
            target_count: 0,
            open_count: 0,
            flags: DM_STATUS_TABLE_FLAG,
            event_nr: 0,
            padding: 0,
            dev: u64::from(dev.new_encode()),
            name: [0; DM_NAME_LEN],
            uuid: [0; DM_UUID_LEN],
            data: [0; 7],
        },
        data: [0; DATA_SIZE],
    });
    // SAFETY: `buf` is a live, exclusively borrowed DmBuffer whose first
    // member is the dm_ioctl header and whose data_size covers the whole
    // allocation, so the kernel reads and writes only inside it.
    unsafe {
        dm_table_status(
            file.as_raw_fd(),
            std::ptr::from_mut(&mut *buf).cast::<DmIoctl>(),
        )
    }
    .map_err(io::Error::from)?;
    if buf.io.flags & DM_BUFFER_FULL_FLAG != 0 {
        return Err(io::Error::other("device-mapper table too large"));
    }
    let start = (buf.io.data_start as usize)
        .checked_sub(size_of::<DmIoctl>())
        .filter(|s| *s <= DATA_SIZE)
        .ok_or_else(|| io::Error::other("device-mapper: bad data_start"))?;
    let end = (buf.io.data_size as usize)
        .saturating_sub(size_of::<DmIoctl>())
        .min(DATA_SIZE)
        .max(start);
    parse_status_data(&buf.data[start..end], buf.io.target_count).map_err(io::Error::other)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Parses what `DM_TABLE_STATUS` returns after the header: `count`
/// `struct dm_target_spec`s, each followed by its NUL-terminated
/// parameters, `next` counting from the first spec.
pub fn parse_status_data(data: &[u8], count: u32) -> Result<Vec<TargetLine>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for i in 0..count {
        let bad = || format!("device-mapper: target {i} runs past the result");
        let spec = data.get(at..at + SPEC_SIZE).ok_or_else(bad)?;
        let start = u64_at(spec, 0).ok_or_else(bad)?;
        let length = u64_at(spec, 8).ok_or_else(bad)?;
        let next = u32_at(spec, 20).ok_or_else(bad)? as usize;
        let target_type = c_string(&spec[24..24 + DM_MAX_TYPE_NAME]);
        let params_end = if i + 1 < count { next } else { data.len() };
        let params = data
            .get(at + SPEC_SIZE..params_end.max(at + SPEC_SIZE))
            .ok_or_else(bad)?;
        out.push(TargetLine {
            start,
            length,
            target_type,
            params: c_string(params),
        });
        if i + 1 < count {
            if next <= at {
                return Err(format!("device-mapper: target {i} has a bad next offset"));
            }
            at = next;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        assert_eq!(size_of::<DmIoctl>(), 312);
        assert_eq!(size_of::<DmBuffer>() % 8, 0);
        assert_eq!(std::mem::offset_of!(DmIoctl, dev), 40);
        assert_eq!(std::mem::offset_of!(DmIoctl, name), 48);
        // DM_TABLE_STATUS as dmsetup issues it.
        assert_eq!(
            nix::request_code_readwrite!(DM_IOCTL, DM_TABLE_STATUS_CMD, size_of::<DmIoctl>())
                as u64,
            0xc138_fd0c
        );
        assert_eq!(SPEC_SIZE, 40);
        // linux/dm-ioctl.h.
        assert_eq!(DM_STATUS_TABLE_FLAG, 0x10);
        assert_eq!(DM_BUFFER_FULL_FLAG, 0x100);
        // 64 KiB for the table after the header.
        assert_eq!(DATA_SIZE, 65536);
        assert_eq!(size_of::<DmBuffer>(), 312 + 65536);
    }

    fn line(ty: &str, params: &str) -> TargetLine {
        TargetLine {
            start: 0,
            length: 8,
            target_type: ty.into(),
            params: params.into(),
        }
    }

    #[test]
    fn stripe_counts() {
        // Two words per stripe, whatever the number of stripes.
        let Ok(TargetDetail::Striped {
            stripes, members, ..
        }) = parse_target(&line("striped", "1 128 259:0 0"))
        else {
            panic!()
        };
        assert_eq!((stripes, members.len()), (1, 1));
        let Ok(TargetDetail::Striped {
            stripes, members, ..
        }) = parse_target(&line("striped", "3 64 259:0 0 259:1 8 259:2 16"))
        else {
            panic!()
        };
        assert_eq!((stripes, members.len()), (3, 3));
        assert_eq!(members[2].offset, 16);
        for bad in [
            "1 128 259:0",
            "1 128 259:0 0 259:1",
            "3 64 259:0 0 259:1 8 259:2",
            "3 64 259:0 0 259:1 8 259:2 16 259:3 0",
        ] {
            assert!(parse_target(&line("striped", bad)).is_err(), "{bad}");
        }
    }

    fn spec(start: u64, length: u64, next: u32, ty: &str) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&start.to_ne_bytes());
        b.extend_from_slice(&length.to_ne_bytes());
        b.extend_from_slice(&0i32.to_ne_bytes());
        b.extend_from_slice(&next.to_ne_bytes());
        let mut name = [0u8; DM_MAX_TYPE_NAME];
        name[..ty.len()].copy_from_slice(ty.as_bytes());
        b.extend_from_slice(&name);
        b
    }

    #[test]
    fn params_end_at_next() {
        // The parameters of a target that is not the last end at `next`,
        // NUL or not; the last target's end with the data.
        let mut data = spec(0, 8, 47, "linear");
        data.extend_from_slice(b"259:2 0");
        assert_eq!(data.len(), 47);
        data.extend_from_slice(&spec(0x4141_4141_4141_4141, 16, 0, "linear"));
        data.extend_from_slice(b"259:3 8");
        let t = parse_status_data(&data, 2).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].params, "259:2 0");
        assert_eq!(
            (t[1].start, t[1].params.as_str()),
            (0x4141_4141_4141_4141, "259:3 8")
        );
    }
}
