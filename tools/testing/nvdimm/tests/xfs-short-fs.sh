#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xfs smaller than its pmem (mkfs -d size=512m on 1 GiB): a failure in the
# tail past the filesystem, and the whole-device removal, must not make
# xfs look up allocation groups that do not exist (6.12 dereferences a
# NULL perag there; fixed by the series).  Witnesses: xfs's kprobe says it
# was told of the tail page and answered -ENXIO (not its area), so the
# page took the generic per-page path, whose answer for a page nobody
# maps is EBUSY; and xfs is told of the removal once.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
fsdax_namespace region0
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=1,reflink=0 \
	-d size=512m "/dev/$pmem" || fail "mkfs.xfs"
mount -o dax "/dev/$pmem" /mnt || fail "mount"
make_file /mnt/data 4

# A page 768 MiB in: past the filesystem.
tail_pfn=$(( $(data_start "$pmem") / 4096 + 768 * 256 ))
witness_start
expect_refused "failure past the filesystem" $mf_inject "$tail_pfn 1" "$per_page_busy"
expect_fs_told "tail page" "$(printf '%#x' $((768 * 1048576)))" 0x1000 0x20
expect_eq "xfs's answer" "$(witness fs_done | sed 's/.* ret=//')" -6
expect_per_page "tail page" 1

dmesg -c >/dev/null
witness_start
unbind_pmem "$pmem"
expect_eq "xfs told once" "$(xfs_said 'about to be removed' | grep -c .)" 1
expect_fs_told "removal" 0x0 0xffffffffffffffff 0x80
run umount /mnt
