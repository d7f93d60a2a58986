#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbinding a pmem under mounted xfs with a mapped file: one ranged
# pre-remove call per holder (the sample holder's, and xfs's through its
# dax holder operations), no per-page storm, and the mapping process
# faults on its next access.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
hold_device "$pmem"
size=$(blockdev --getsize64 "/dev/$pmem")
majmin=$(cat /sys/class/block/$pmem/dev)

hold_mapping /mnt/data
dmesg -c >/dev/null
unbind_pmem "$pmem"
release_mapping
expect_match "mapping process" "$seen" '^sigbus '
events=$(cat $holder/events)
echo "$events"
expect_eq "sample holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "sample holder event" "$events" \
	"dev=$majmin offset=0x0 len=$(printf '%#x' "$size") flags=0x80"
log=$(dmesg)
echo "$log" | grep -E 'mfroute|XFS'
expect_match "router line" "$log" "mfroute: $pmem: pre-remove \[0x0, \+0xffffffffffffffff\): 2 holder calls"
expect_eq "xfs told once" "$(echo "$log" | grep -c 'about to be removed')" 1
# xfs itself unmaps and signals page by page, as upstream; what must not
# happen is per-page memory_failure() handling.
expect_eq "no per-page memory_failure()" "$(echo "$log" | grep -c 'recovery action for dax page')" 0
umount /mnt
