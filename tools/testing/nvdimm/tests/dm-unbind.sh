#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbinding pmem1 under xfs on a dm-linear concatenation with a file on
# pmem1 mapped: xfs is told once, through the dm device, that exactly the
# dm range pmem1 backs is about to be removed (MF_MEM_PRE_REMOVE); the
# dm device's holder gets the same single call; no per-page handling
# runs; the mapping faults on its next access.  Upstream, dm tells nobody.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
concat_pmems concat
mount_xfs_dax /dev/mapper/concat /mnt
spread_files /mnt 8
hold_device "$dm"
f=$(file_on "$p1" /mnt/d*/f) || fail "no file on $p1"

hold_mapping "$f"
dmesg -c >/dev/null
witness_start
unbind_pmem "$p1"
release_mapping
expect_match "mapping after unbind" "$seen" '^sigbus '
events=$(cat $holder/events)
echo "$events"
expect_eq "dm holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "dm holder event" "$events" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $((s0 * 512))) len=$(printf '%#x' $((s1 * 512))) flags=0x80"
expect_fs_told "removal" "$(printf '%#x' $((s0 * 512)))" "$(printf '%#x' $((s1 * 512)))" 0x80
expect_per_page "removal" 0
expect_eq "xfs told once" "$(xfs_said 'about to be removed' | grep -c .)" 1
umount /mnt 2>/dev/null
