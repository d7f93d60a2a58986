#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Poison under xfs metadata through dm: the first page of pmem0, which
# dm-linear maps to the start of the dm device (superblock, AG 0 headers).
# xfs, told once through the dm device at offset 0, shuts down for
# corrupt on-disk metadata (not any shutdown: a removal is "User
# initiated"), without any CPU access to the range, and nothing goes per
# page.  Upstream on dm: silence.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
concat_pmems concat
mount_xfs_dax /dev/mapper/concat /mnt
make_file /mnt/data 1
dmesg -c >/dev/null

witness_start
# xfs answers -EFSCORRUPTED, which the write reports.
expect_refused "metadata poison" $mf_inject \
	"$(( $(data_start "$p0") / 4096 )) 1" 'Structure needs cleaning'
expect_fs_told "metadata poison" 0x0 0x1000 0x20
expect_per_page "metadata poison" 0
expect_eq "generic per-page handling" "$(witness_count generic_kill)" 0
said=$(xfs_said 'Shutting down')
echo "$said"
expect_match "xfs shut down for on-disk corruption" "$said" \
	"XFS \\($dm\\): $xfs_corrupt_ondisk"
if touch /mnt/new 2>/dev/null; then
	fail "filesystem still writable"
fi
pass "filesystem refuses writes"
umount /mnt
