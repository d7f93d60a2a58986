#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mfroute monitor --json" sees a failure travel: xfs (rmapbt, DAX) on a
# dm-linear concatenation of pmem0 and pmem1, the sample holder on the dm
# device, the monitor following the tracepoints.  A page of a file on
# pmem1 is poisoned while a process maps it.  The monitor prints exactly
# three records for it: the event entering the router (pmem1, the page's
# byte offset in it, 4096 bytes, the madvise flags, origin
# memory_failure), and one delivery each to xfs and to the holder (the dm
# device, the page's sector in it, 8 sectors, result 0), each resolved
# with FS_IOC_GETFSMAP to the file: its inode, its path and file offset 0.
# Each record says when, by the wall clock and the boot clock: the
# monitor's trace instance runs on the boot clock (as tracefs shows), and
# the event's RFC 3339 timestamp and boot_ns fall within the seconds around
# the poisoning, by date(1) and /proc/uptime.  The event names the
# namespace, region and DIMM that ndctl lists for pmem1.
# "mfroute stack" shows the chain pmem1 -> dm-linear -> /mnt.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
concat_xfs concat /mnt
hold_device "$dm"
pmem_off=$(( $(pfn_of "$f" 0) * 4096 - $(data_start "$p1") ))
dm_sector=$(( s0 + pmem_off / 512 ))

stack=$(mfroute stack --json "$p1") || fail "mfroute stack --json $p1"
echo "$stack"
expect_match "stack: dm-linear above $p1" "$(echo "$stack" | tr -d ' \n')" \
	"\"dm_name\":\"concat\".*\"type\":\"linear\""
expect_match "stack: the mount" "$(echo "$stack" | tr -d ' \n')" "\"mount_point\":\"/mnt\""
mfroute stack "$p1" || fail "mfroute stack $p1"

# Room for a fourth record, and 10 s for it to come: exactly three do.
mfroute monitor --json --count 4 --timeout 10 --log /tmp/monitor.json &
monitor=$!
wait_for 10 monitor_ready $monitor
# Its instance runs on the boot clock (tracefs says), so its records can
# carry wall-clock time.
expect_match "instance clock" \
	"$(cat "$tracing/instances/mfroute-monitor.$monitor/trace_clock")" '\[boot\]'
wall0=$(date +%s)
boot0=$(cut -d. -f1 /proc/uptime)
expect_eq "process sees" "$(dax-probe poison "$f" 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
wall1=$(date +%s)
boot1=$(cut -d' ' -f1 /proc/uptime)
wait $monitor || fail "mfroute monitor exited $?"
cat /tmp/monitor.json
expect_eq "records" "$(grep -c . /tmp/monitor.json)" 3
ev=$(grep '"event":"mfroute_event"' /tmp/monitor.json)
# When it happened, by the wall clock (the guest has no zone: UTC) and
# by the boot clock, within the seconds around the poisoning.
ts=$(echo "$ev" | sed -n 's/.*"timestamp":"\([0-9-]*\)T\([0-9:]*\)\.[0-9]\{9\}+00:00".*/\1 \2/p')
[ -n "$ts" ] || fail "no RFC 3339 timestamp: $ev"
at=$(date -u -d "$ts" +%s)
[ "$at" -ge "$wall0" ] && [ "$at" -le "$wall1" ] ||
	fail "timestamp $ts ($at) not within $wall0..$wall1"
boot_s=$(( $(echo "$ev" | sed -n 's/.*"boot_ns":\([0-9]*\),.*/\1/p') / 1000000000 ))
[ "$boot_s" -ge "$boot0" ] && [ "$boot_s" -le "${boot1%.*}" ] ||
	fail "boot_ns ($boot_s s) not within $boot0..$boot1 s of /proc/uptime"
pass "record times: $ts UTC, $boot_s s after boot"
expect_match "event: pmem range" "$ev" \
	"\"blockdev\":\"$p1\",\"offset_bytes\":$pmem_off,\"len_bytes\":4096,"
expect_match "event: flags" "$ev" "\"flags_raw\":35,"
expect_match "event: origin" "$ev" "\"origin\":\"memory_failure\""
# Where the media is, as ndctl lists it: the namespace, region and DIMM
# behind $p1.
ndctl_place "$p1"
dimm=$(ndctl list -r "$region" -D | sed -n 's/.*"dev":"\(nmem[0-9]*\)".*/\1/p')
id=$(ndctl list -r "$region" -D | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
ndctl list -r "$region" -N -D
expect_match "event: where" "$ev" \
	"\"namespace\":\"$ns\",\"region\":\"$region\",\"dimms\":\[\{\"dev\":\"$dimm\",\"id\":\"$id\"\}\]"
ino=$(stat -c %i "$f")
for kind in filesystem holder; do
	d=$(grep "\"event\":\"mfroute_deliver\".*\"kind\":\"$kind\"" /tmp/monitor.json)
	expect_match "$kind: dm range" "$d" \
		"\"blockdev\":\"$dm\",\"sector\":$dm_sector,\"nr_sectors\":8,"
	expect_match "$kind: result" "$d" "\"result\":0,"
	expect_match "$kind: the file" "$d" \
		"\"type\":\"file\",\"inode\":$ino,\"path\":\"$f\",\"file_offset_bytes\":0,"
done
run umount /mnt
