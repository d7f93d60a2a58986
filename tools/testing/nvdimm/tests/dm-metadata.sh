#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
#
# Poison under xfs metadata through dm: the first page of pmem0, which
# dm-linear maps to the start of the dm device (superblock, AG 0 headers).
# xfs, told once through the dm device at offset 0, shuts down for
# corrupt on-disk metadata (not any shutdown: a removal is "User
# initiated"), without any CPU access to the range, and nothing goes per
# page.  Upstream on dm, shown first with mfroute unloaded on the two
# other pmems (hwpoison-inject's corrupt-pfn on that page): xfs is not
# told and stays writable; the generic per-page path finds no file mapping
# the page and fails it (EBUSY), as for any page nobody maps.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe hwpoison-inject
concat_pmems upstream region2 region3
mount_xfs_dax /dev/mapper/upstream /mnt/u
make_file /mnt/u/data 1
witness_start
expect_refused "unloaded: metadata poison" /sys/kernel/debug/hwpoison/corrupt-pfn \
	"$(( $(data_start "$p0") / 4096 ))" "$per_page_busy"
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "unloaded: metadata poison" 1
expect_eq "unloaded: memory_failure() action" "$(witness memory_failure_event | sed 's/.*: //')" Failed
run touch /mnt/u/still-writable
run umount /mnt/u
run dmsetup remove upstream

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
expect_mf_actions "metadata poison" 1
expect_per_page "metadata poison" 0
said=$(xfs_said 'Shutting down')
echo "$said"
expect_match "xfs shut down for on-disk corruption" "$said" \
	"XFS \\($dm\\): $xfs_corrupt_ondisk"
if touch /mnt/new 2>/dev/null; then
	fail "filesystem still writable"
fi
pass "filesystem refuses writes"
umount /mnt 2>/dev/null
