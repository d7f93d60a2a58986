#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DAX mappings of every filesystem on a dying pmem are revoked, each by
# its own filesystem.  The pmem is split in two partitions: xfs on p1 and
# ext4 -o dax on p2, each holding its own range of the dax_device (one
# holder per partition: upstream, the second mount lost DAX).  A process
# on each keeps reading a file of it every 2 ms, and one on ext4 keeps
# writing, throughout the unbind of the pmem: xfs is told of the removal
# once (its kprobe), ext4 is told, both shut down and revoke their
# mappings, and every process ends with a SIGBUS; both umounts are clean.
# The same with mfroute unloaded, on a second pmem: the dax core tells
# both holders itself.
. /lib/mfroute-test-lib.sh

# removal STATE REGION
removal() {
	fsdax_namespace "$2"
	halve_pmem "$pmem"
	mount_xfs_dax "/dev/${pmem}p1" /mnt/a
	mount_ext4_dax "/dev/${pmem}p2" /mnt/b
	make_file /mnt/a/data 4
	make_file /mnt/b/data 4
	make_file /mnt/b/more 4
	expect_eq "$1: xfs file on DAX" "$(file_on "$pmem" /mnt/a/data)" /mnt/a/data
	expect_eq "$1: ext4 file on DAX" "$(file_on "$pmem" /mnt/b/data)" /mnt/b/data
	keep_mapping /mnt/a/data read x
	keep_mapping /mnt/b/data read r
	keep_mapping /mnt/b/more write w
	dmesg -c >/dev/null
	witness_start
	unbind_pmem "$pmem"
	pass "$1: unbind finished"
	expect_revoked "$1: xfs reader" x
	expect_revoked "$1: ext4 reader" r
	expect_revoked "$1: ext4 writer" w
	expect_fs_told "$1: removal" 0x0 0xffffffffffffffff 0x80
	expect_match "$1: ext4 told" "$(dmesg)" \
		"EXT4-fs \\(${pmem}p2\\): DAX device is about to be removed"
	run umount /mnt/b
	run umount /mnt/a
}

run modprobe mfroute
removal loaded region0
run rmmod mfroute
removal unloaded region1
