#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbinding a pmem under mounted xfs with a mapped file: xfs is told once,
# as upstream, that the whole device (0, U64_MAX) is about to be removed;
# the sample holder gets one call covering its registration, flags
# MF_MEM_PRE_REMOVE; no per-page memory_failure() handling; the mapping
# process faults on its next access.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs xfs
hold_device "$pmem"
size=$(blockdev --getsize64 "/dev/$pmem")
majmin=$(cat /sys/class/block/$pmem/dev)

hold_mapping /mnt/data
dmesg -c >/dev/null
witness_start
unbind_pmem "$pmem"
release_mapping
expect_match "mapping process" "$seen" '^sigbus '
events=$(cat $holder/events)
echo "$events"
expect_eq "sample holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "sample holder event" "$events" \
	"dev=$majmin offset=0x0 len=$(printf '%#x' "$size") flags=0x80"
expect_fs_told "removal" 0x0 0xffffffffffffffff 0x80
expect_per_page "removal" 0
expect_eq "xfs told once" "$(xfs_said 'about to be removed' | grep -c .)" 1
umount /mnt
