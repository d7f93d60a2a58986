#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Software-injected poison stays what it is upstream: nothing recorded,
# the media fine.  On QEMU's NVDIMM, xfs (rmapbt, reflink) on pmem, page 3
# of a file poisoned with madvise(MADV_HWPOISON): the process gets SIGBUS;
# the pmem's badblocks list and "ndctl list --media-errors" stay empty;
# the page reads back; a copy of the file can be mapped and poisoned again
# (madvise() succeeds and kills again); and after umount, xfs_repair -n
# reads the whole filesystem.  The same with mfroute loaded and unloaded.
. /lib/mfroute-test-lib.sh

fsdax_namespace region0
for state in loaded unloaded; do
	if [ $state = loaded ]; then run modprobe mfroute; fi
	TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=1,reflink=1 \
		"/dev/$pmem" || fail "mkfs.xfs"
	mount -o dax "/dev/$pmem" /mnt || fail "mount"
	make_file /mnt/data 4
	off=$(printf '%#x' $(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") )))
	witness_start
	expect_eq "$state: process sees" "$(dax-probe poison /mnt/data 3)" \
		"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
	expect_fs_told "$state: poison" "$off" 0x1000 0x23
	expect_per_page "$state: poison" 0
	expect_eq "$state: badblocks" "$(cat /sys/block/$pmem/badblocks)" ""
	expect_eq "$state: media errors" \
		"$(ndctl list -n "$ns" --media-errors | grep -c badblock)" 0
	expect_match "$state: page reads back" \
		"$(xfs_io -c 'pread 12288 4096' /mnt/data 2>&1)" 'read 4096/4096 bytes'
	run cp /mnt/data /mnt/copy
	expect_eq "$state: the copy poisoned again" "$(dax-probe poison /mnt/copy 3)" \
		"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
	run umount /mnt
	xfs_repair -n "/dev/$pmem" >/tmp/repair.out 2>&1 ||
		fail "$state: xfs_repair -n: $(tail -n 3 /tmp/repair.out)"
	pass "$state: xfs_repair -n reads the filesystem"
	if [ $state = loaded ]; then run rmmod mfroute; fi
done
