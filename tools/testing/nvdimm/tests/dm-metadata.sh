#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Poison under xfs metadata through dm: the first page of pmem0, which
# dm-linear maps to the start of the dm device (superblock, AG 0 headers).
# xfs, told through the dm device, shuts down as corrupt on disk, without
# any CPU access to the range.  Upstream on dm: silence.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
concat_pmems concat
mount_xfs_dax /dev/mapper/concat /mnt
make_file /mnt/data 1
dmesg -c >/dev/null

# xfs answers the router with -EFSCORRUPTED: the write reports it.
echo "$(( $(data_start "$p0") / 4096 )) 1" >/sys/kernel/debug/mfroute/inject 2>/dev/null
log=$(dmesg)
echo "$log"
expect_match "xfs shut down" "$log" 'XFS \(dm-[0-9]+\): .*(Corruption of on-disk metadata|shut.*down)'
if touch /mnt/new 2>/dev/null; then
	fail "filesystem still writable"
fi
pass "filesystem refuses writes"
umount /mnt
