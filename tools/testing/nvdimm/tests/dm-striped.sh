#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xfs on dm-striped over pmem0 and pmem1, 64 KiB chunks.  A poisoned page
# of a file on member 1 reaches the dm holder at its place in the right
# dm chunk; a ranged failure of 8 consecutive chunks of member 1 reaches
# it as 8 calls, one per dm chunk (they are not contiguous in the dm
# device), not one per page.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
stripe_pmems stripe 128
mount_xfs_dax /dev/mapper/stripe /mnt
spread_files /mnt 4
hold_device "$dm"
majmin=$(cat /sys/class/block/$dm/dev)

f=$(file_on "$p1" /mnt/d*/f) || fail "no file on $p1"
m=$(( $(pfn_of "$f" 0) * 4096 - $(data_start "$p1") ))
want=$(( (m / 65536 * 2 + 1) * 65536 + m % 65536 ))
expect_eq "process sees" "$(dax-probe poison "$f" 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
expect_match "holder event in the right chunk" "$(cat $holder/events)" \
	"^dev=$majmin offset=$(printf '%#x' $want) len=0x1000 "

# 8 chunks of member 1 from its chunk 4000 on: dm chunks 8001, 8003, ...
pfn=$(( $(data_start "$p1") / 4096 + 4000 * 16 ))
echo "$pfn 128" >/sys/kernel/debug/mfroute/inject
events=$(cat $holder/events | tail -n +2)
echo "$events"
expect_eq "calls for 8 chunks" "$(echo "$events" | grep -c .)" 8
expect_match "first chunk" "$(echo "$events" | head -n 1)" \
	"offset=$(printf '%#x' $(( 8001 * 65536 ))) len=0x10000 "
expect_match "last chunk" "$(echo "$events" | tail -n 1)" \
	"offset=$(printf '%#x' $(( 8015 * 65536 ))) len=0x10000 "
expect_eq "dm ledger check" "$(ledger_field "$dm" check)" ok
umount /mnt
