#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbinding pmem1 under xfs on a dm-linear concatenation with a file on
# pmem1 mapped: the dm device's holders get one pre-remove call covering
# exactly the dm range pmem1 backs, xfs is told once, and the mapping
# faults on its next access.  Upstream, dm tells nobody.
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
unbind_pmem "$p1"
release_mapping
expect_match "mapping after unbind" "$seen" '^sigbus '
events=$(cat $holder/events)
echo "$events"
expect_eq "dm holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "dm holder event" "$events" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $((s0 * 512))) len=$(printf '%#x' $((s1 * 512))) flags=0x80"
log=$(dmesg)
echo "$log" | grep -E 'mfroute|XFS'
expect_eq "xfs told once" "$(echo "$log" | grep -c 'about to be removed')" 1
umount /mnt 2>/dev/null
