#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hardware poison reported page by page inside a range the bus already
# knows bad must not shrink what the bus knows.  On a QEMU pmem with
# nothing mounted: 256 pages (1 MiB) reported as hardware poison at once
# (the inject file's "hw": as a platform reports it), which pmem keeps bad
# and records, merged, in the bus's badrange list; then one page at the
# range's start reported again, as a machine check on it would be.  The
# region's list ("ndctl list --media-errors" reads it) still has the
# whole MiB, and so has the pmem's badblocks list once the namespace is
# disabled and enabled again (probed from the bus's list).  (The bus list
# replaces the length of an entry that starts at the same address: the
# series once recorded the second report and the MiB became 4 KiB.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
fsdax_namespace region0
region=region0
pfn=$(( $(data_start "$pmem") / 4096 + 4096 ))
sector=$(( 4096 * 8 ))
witness_reprobe_probe

# region_bad: the sectors the region's badblocks list has bad from the
# namespace's sector on, in the 2048 that follow (records hold at most
# 512), or nothing.
region_bad() {
	local base
	base=$(( ($(data_start "$pmem") - $(cat /sys/bus/nd/devices/$region/resource)) / 512 ))
	awk -v b="$base" -v s="$sector" '$1 - b >= s && $1 - b < s + 2048 { n += $2 }
		END { if (n) print n }' /sys/bus/nd/devices/$region/badblocks
}

# region_has_bad: the region's list has something at the sector.
region_has_bad() {
	[ -n "$(region_bad)" ]
}

witness_start
# Nothing maps the pages: the per-page path answers EBUSY, as upstream.
expect_eq "1 MiB of hardware poison" "$(answer $mf_inject "$pfn 256 hw")" "$per_page_busy"
wait_for 20 witnessed route_done
wait_for 20 region_has_bad
expect_eq "the region's list: the MiB" "$(region_bad)" 2048
witness_start
expect_eq "its first page again" "$(answer $mf_inject "$pfn 1 hw")" "$per_page_busy"
wait_for 20 witnessed route_done
expect_eq "the region's list after it: still the MiB" "$(region_bad)" 2048
run ndctl disable-namespace "$ns"
run ndctl enable-namespace "$ns"
wait_for 10 test -b "/dev/$pmem"
expect_match "the pmem's list, probed again" "$(cat /sys/block/$pmem/badblocks)" "^$sector 512\$"
expect_eq "the pmem's list, probed again: all of the MiB" \
	"$(awk -v s=$sector '$1 >= s && $1 < s + 2048 { n += $2 } END { print n + 0 }' /sys/block/$pmem/badblocks)" 2048
