#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DAX mappings of every filesystem on a dying pmem are revoked, whoever
# holds its dax_device.  pmem0 is split in two partitions: xfs on p1 (the
# disk's dax holder, told of the removal) and ext4 -o dax on p2 (no holder
# operations) with a file mapped by a process.  Unbinding pmem0: xfs is
# told of the removal once, and the ext4 mapping is revoked, so the next
# access faults instead of reading memory that is no longer the
# namespace's; both umounts are clean.  (Version 1 revoked mappings only
# when nobody held the dax_device: the process read on, and umount oopsed
# in dax_disassociate_entry() on the removed memmap.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
fsdax_namespace region0
halve_pmem "$pmem"
mount_xfs_dax "/dev/${pmem}p1" /mnt/a
mount_ext4_dax "/dev/${pmem}p2" /mnt/b
make_file /mnt/a/data 4
make_file /mnt/b/data 4

hold_mapping /mnt/b/data
dmesg -c >/dev/null
witness_start
unbind_pmem "$pmem"
release_mapping
expect_match "ext4 mapping after unbind" "$seen" '^sigbus '
expect_fs_told "removal" 0x0 0xffffffffffffffff 0x80
log=$(dmesg)
echo "$log" | grep -e mfroute -e XFS
expect_match "ext4 mappings revoked" "$log" "mfroute: $pmem: DAX mappings of [1-9][0-9]* inodes revoked"
run umount /mnt/b
run umount /mnt/a
