#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Repairs are routed like failures: on nfit_test, a dm-linear device
# starting 1 MiB into the pmem, with xfs on it and the sample holder on
# it; 8 blocks found bad under a file reach xfs (its kprobe) and the
# holder at their dm offset, nothing per page; rewriting them through the
# pmem's block device clears the poison, and the holder is told once, at
# the same dm offset, that they are good again.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
nfit_namespace
size=$(sectors "$pmem")
dm_create over "0 $((size - 2048)) linear /dev/$pmem 2048"
mount_xfs_dax "/dev/$dm" /mnt
make_file /mnt/data 1
# The file's first block, in sectors of the dm device.
dmsec=$(xfs_io -c "fiemap" /mnt/data | sed -n 's/^[[:space:]]*0: \[0\.\.[0-9]*\]: \([0-9]*\)\.\..*/\1/p')
[ -n "$dmsec" ] || fail "no extent for /mnt/data"
block=$((dmsec + 2048))
hold_device "$dm"
witness_holder_probe
want=$((dmsec * 512))
witness_start
inject_scrubbed "$ns" "$block" 8
wait_for 20 witnessed holder_told
wait_for 20 witnessed fs_done
expect_eq "failure at the dm offset" "$(cat $holder/events)" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $want) len=0x1000 flags=0x0"
expect_fs_told "failure" "$(printf '%#x' $want)" 0x1000 0x0
expect_eq "xfs took it" "$(witness_args fs_done)" "ret=0"
expect_mf_actions "failure" 0
expect_per_page "failure" 0
run xfs_io -d -c "pwrite -S 0 $((block * 512)) 4096" "/dev/$pmem"
expect_eq "badblocks after the rewrite" "$(cat /sys/block/$pmem/badblocks)" ""
wait_for 20 witnessed holder_repaired
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 2
expect_eq "repair at the dm offset" "$(echo "$events" | tail -n 1)" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $want) len=0x1000 repaired"
echo 1 >$holder/unregister
run umount /mnt
run dmsetup remove over
