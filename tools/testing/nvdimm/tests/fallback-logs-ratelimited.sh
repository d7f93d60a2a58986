#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# mfroute's log lines are rate-limited; the kernel's own per-page lines are
# not touched.  ext4 -o dax (no holder operations) with a 4 MiB file; 200
# of its pages fail one event each (ranged inject of one page), all going
# to the per-page path.  memory_failure() logs its "recovery action" line
# and emits ras:memory_failure_event for each of the 200 pages, as
# upstream; mfroute prints at most ten lines per five seconds (version 1
# printed one per event, under mf_mutex).
. /lib/mfroute-test-lib.sh

run modprobe mfroute
pmem_fs ext4
dmesg -c >/dev/null
witness_start
start=$(date +%s)
for i in $(seq 0 199); do
	pfn=$(pfn_of /mnt/data $((i * 4 + 1)))
	answer $mf_inject "$pfn 1" >/dev/null
done
secs=$(( $(date +%s) - start + 1 ))
expect_per_page "200 pages" 200
log=$(dmesg)
expect_eq "kernel's recovery lines" \
	"$(echo "$log" | grep -c 'Memory failure: .*: recovery action for dax page')" 200
lines=$(echo "$log" | grep -c 'mfroute: ')
limit=$(( (secs / 5 + 1) * 10 + 10 ))
echo "mfroute lines: $lines in $secs s (limit $limit)"
[ "$lines" -le "$limit" ] || fail "mfroute printed $lines lines for 200 events in $secs s"
pass "mfroute lines rate-limited: $lines"
run umount /mnt
