#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Platform poison routed before anyone touches it: on nfit_test, 64 blocks
# injected under xfs (rmapbt) metadata ("ndctl inject-error", which scrubs)
# reach the sample holder as one call covering them, and xfs shuts down as
# corrupt on disk, with no CPU access to the range.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
nfit_namespace
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 1
hold_device "$pmem"
dmesg -c >/dev/null

# The data area's first 64 sectors: superblock and AG 0 headers.
run ndctl inject-error --block=0 --count=64 "$ns"
for i in $(seq 50); do [ -s $holder/events ] && break; sleep 0.1; done
cat /sys/block/$pmem/badblocks
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_match "one call covering the 64 blocks" "$events" \
	"^dev=$(cat /sys/class/block/$pmem/dev) offset=0x0 len=0x8000 "
log=$(dmesg)
echo "$log" | grep -E 'XFS|mfroute'
expect_match "xfs shut down" "$log" 'XFS \(pmem[0-9]+\): .*(Corruption of on-disk metadata|shut.*down)'
expect_eq "no per-page handling" "$(echo "$log" | grep -c 'Memory failure')" 0
umount /mnt 2>/dev/null
