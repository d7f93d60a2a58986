// SPDX-License-Identifier: GPL-2.0
//! Sizes and byte ranges in words an administrator reads at a glance.

/// Bytes in a sector, the unit of sysfs block sizes and of dm tables.
pub const SECTOR: u64 = 512;

/// A size, exact: `4 KiB`, `1 MiB`, `2 GiB`, `512 bytes`, `1 byte`, in the
/// largest binary unit that divides it; when a larger unit would read
/// better, a rounded figure in it follows (`1028 KiB (1.00 MiB)`,
/// `1500 bytes (1.46 KiB)`).
pub fn size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    for (i, (unit, name)) in UNITS.iter().enumerate() {
        if bytes >= *unit && bytes % unit == 0 {
            let exact = format!("{} {name}", bytes / unit);
            // 999936 KiB is easier read as about 976.50 MiB.
            return match UNITS[..i].iter().rev().find(|(big, _)| bytes >= *big) {
                Some((big, big_name)) => {
                    format!("{exact} ({:.2} {big_name})", bytes as f64 / *big as f64)
                }
                None => exact,
            };
        }
    }
    let exact = if bytes == 1 {
        "1 byte".to_string()
    } else {
        format!("{bytes} bytes")
    };
    match UNITS.iter().find(|(unit, _)| bytes >= *unit) {
        // Precision loss is fine: this is an approximation shown next to
        // the exact figure.
        Some((unit, name)) => format!("{exact} ({:.2} {name})", bytes as f64 / *unit as f64),
        None => exact,
    }
}

/// An inclusive byte range in hex, `0x3000..0x3fff`; a single byte is
/// `0x3000`.  `len` 0 gives an empty range shown as `0x3000..`.
pub fn byte_range(start: u64, len: u64) -> String {
    match len {
        0 => format!("{start:#x}.."),
        1 => format!("{start:#x}"),
        _ => format!("{start:#x}..{:#x}", start.saturating_add(len - 1)),
    }
}

/// Parses a number the way the kernel prints `%#llx` (`0x1b000`, or `0`
/// for zero) or `%llu`: hex with a `0x` prefix, decimal otherwise.
pub fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() => u64::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(4096), "4 KiB");
        assert_eq!(size(6144), "6 KiB");
        assert_eq!(size(1 << 20), "1 MiB");
        assert_eq!(size(3 << 30), "3 GiB");
        assert_eq!(size(1_052_672), "1028 KiB (1.00 MiB)");
        assert_eq!(size(1_023_934_464), "999936 KiB (976.50 MiB)");
        assert_eq!(size(3 << 20), "3 MiB");
        assert_eq!(size(1_048_577), "1048577 bytes (1.00 MiB)");
        assert_eq!(size(1500), "1500 bytes (1.46 KiB)");
    }

    #[test]
    fn ranges() {
        assert_eq!(byte_range(0x3000, 0x1000), "0x3000..0x3fff");
        assert_eq!(byte_range(0x10, 1), "0x10");
        assert_eq!(byte_range(0, 0), "0x0..");
        assert_eq!(
            byte_range(u64::MAX, 5),
            format!("{:#x}..{:#x}", u64::MAX, u64::MAX)
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64("0x1b000"), Some(0x1b000));
        assert_eq!(parse_u64("0"), Some(0));
        assert_eq!(parse_u64("123"), Some(123));
        assert_eq!(parse_u64("0x"), None);
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("0xfffffffffffffffff"), None);
    }
}
