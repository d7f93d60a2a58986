#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two xfs on the two partitions of one pmem, both mounted with -o dax:
# each holds its own range of the dax_device (upstream 6.12 gave the
# dax_device one holder, and the second mount lost DAX).  Both files are
# DAX-mapped (their pages are pmem pages).  A page of each is poisoned
# with madvise(MADV_HWPOISON): each xfs is told of its own page only,
# once, at its offset in the disk (its kprobe, with the mount it was
# called for), nothing goes per page, and each process gets SIGBUS at its
# page.  The same with mfroute loaded (it routes both) and unloaded (the
# dax core tells the holder of the page), on two pmems.
. /lib/mfroute-test-lib.sh

# poison_each STATE REGION
poison_each() {
	local part mnt off mounts=
	fsdax_namespace "$2"
	halve_pmem "$pmem"
	for part in 1 2; do
		mount_xfs_dax "/dev/${pmem}p$part" "/mnt/$part"
		make_file "/mnt/$part/data" 4
		expect_eq "$1: p$part file on DAX" "$(file_on "$pmem" "/mnt/$part/data")" \
			"/mnt/$part/data"
	done
	for part in 1 2; do
		mnt=/mnt/$part
		off=$(( $(pfn_of $mnt/data 2) * 4096 - $(data_start "$pmem") ))
		witness_start
		expect_eq "$1: p$part process sees" "$(dax-probe poison $mnt/data 2)" \
			"sigbus code=BUS_MCEERR_AR page=2 offset=0x2000"
		expect_fs_told "$1: p$part poison" "$(printf '%#x' $off)" 0x1000 0x23
		mounts="$mounts $(witness fs_notify | sed -n 's/.* mount=//p')"
		expect_per_page "$1: p$part poison" 0
		expect_mf_actions "$1: p$part poison" 1
	done
	set -- "$1" $mounts
	[ $# = 3 ] && [ "$2" != "$3" ] || fail "$1: the two xfs told as mounts '$2' and '$3'"
	pass "$1: each xfs told as its own mount"
	run umount /mnt/1
	run umount /mnt/2
}

run modprobe mfroute
poison_each loaded region0
run rmmod mfroute
poison_each unloaded region1
