#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# mfroute's log lines are rate-limited; the kernel's own per-page lines are
# not touched.  ext4 -o dax (no holder operations) with a 4 MiB file; 200
# of its pages fail one event each (ranged inject of one page), all going
# to the per-page path.  memory_failure() logs its "recovery action" line
# and emits ras:memory_failure_event for each of the 200 pages, as
# upstream; the router's own lines about the events (its "holder calls,
# bytes left to per-page handling" lines; the inject file's lines are
# another, separately rate-limited source, and not counted) come at most
# ten at a time per five seconds: at most twenty in any five-second span
# of the kernel log's timestamps, and at least the first ten.  (Version 1
# printed one per event, under mf_mutex.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
pmem_fs ext4
# The file is one extent, so its pfns are known up front: the injections
# then come back to back, fast enough that 200 lines unlimited would put
# far more than twenty in five seconds.
expect_eq "/mnt/data: extents" "$(xfs_io -c 'fiemap' /mnt/data | grep -vc ' hole$\|:$')" 1
pfn0=$(pfn_of /mnt/data 0)
dmesg -c >/dev/null
witness_start
start=$(date +%s)
for i in $(seq 0 199); do
	answer $mf_inject "$((pfn0 + i * 4 + 1)) 1" >/dev/null
done
secs=$(( $(date +%s) - start + 1 ))
[ "$secs" -le 25 ] ||
	fail "200 injections took $secs s: too slow to tell a rate limit from none"
expect_mf_actions "200 pages" 200
expect_per_page "200 pages" 200
log=$(dmesg)
expect_eq "kernel's recovery lines" \
	"$(echo "$log" | grep -c 'Memory failure: .*: recovery action for dax page')" 200
mine=$(echo "$log" | grep 'mfroute: .* bytes left to per-page handling')
lines=$(echo "$mine" | grep -c .)
# The most lines in any five seconds of log time.
peak=$(echo "$mine" | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]*\)\].*/\1\2/p' |
	awk '{ t[NR] = $1 / 1000000 } END {
		for (i = 1; i <= NR; i++) { n = 0
			for (j = i; j <= NR && t[j] < t[i] + 5; j++) n++
			if (n > m) m = n }
		print m + 0 }')
echo "router lines: $lines in $secs s, at most $peak in five seconds"
[ "$lines" -ge 10 ] || fail "the router said less than its first burst: $lines lines"
[ "$peak" -le 20 ] || fail "the router printed $peak lines in five seconds: not rate-limited"
pass "router lines rate-limited: $lines, at most $peak in five seconds"
run umount /mnt
