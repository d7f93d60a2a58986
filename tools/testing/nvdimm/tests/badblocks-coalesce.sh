#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# One contiguous range of poison is told once, whatever it takes to keep
# it: a badblocks record holds at most 256 KiB, and a 1 MiB range found by
# one scrub spans four.  On nfit_test, 2048 blocks under a file: the
# sample holder and xfs are each told once, of the whole MiB.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
nfit_xfs 8
fsblock=$(xfs_io -c "fiemap" /mnt/data | sed -n 's/^[[:space:]]*0: \[0\.\.\([0-9]*\)\]: \([0-9]*\)\.\..*/\2 \1/p')
set -- $fsblock
[ -n "$1" ] && [ "$2" -ge 2047 ] || fail "no 1 MiB extent for /mnt/data: $fsblock"
start=$1
hold_device "$pmem"
witness_holder_probe
witness_start
inject_scrubbed "$ns" "$start" 2048
# Wait until both were told of all of the MiB, in however many calls:
# then count the calls.
wait_for 20 told_bytes fs_notify 1048576
wait_for 20 told_bytes holder_told 1048576
cat /sys/block/$pmem/badblocks
expect_fs_told "the MiB" "$(printf '%#x' $((start * 512)))" 0x100000 0x0
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "one call for the MiB" "$events" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=$(printf '%#x' $((start * 512))) len=0x100000 flags=0x0"
expect_mf_actions "the MiB" 0
expect_per_page "the MiB" 0
umount /mnt 2>/dev/null
