#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xfs smaller than its pmem (mkfs -d size=512m on 1 GiB): a failure in the
# tail past the filesystem, and the whole-device removal, must not make
# xfs look up allocation groups that do not exist (6.12 dereferences a
# NULL perag there; fixed by the series).
. /lib/mfroute-test-lib.sh

run modprobe mfroute
fsdax_namespace region0
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=1,reflink=0 \
	-d size=512m "/dev/$pmem" || fail "mkfs.xfs"
mount -o dax "/dev/$pmem" /mnt || fail "mount"
make_file /mnt/data 4

# A page 768 MiB in: past the filesystem.
tail_pfn=$(( $(data_start "$pmem") / 4096 + 768 * 256 ))
if echo "$tail_pfn 1" >$mf_inject 2>/dev/null; then
	fail "failure past the filesystem accepted"
fi
pass "failure past the filesystem refused by xfs"

dmesg -c >/dev/null
unbind_pmem "$pmem"
expect_eq "xfs told once" "$(dmesg | grep -c 'about to be removed')" 1
umount /mnt 2>/dev/null
