#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xfs on dm-striped over pmem0 and pmem1, 64 KiB chunks.  A poisoned page
# of a file on member 1 reaches xfs and the dm holder once, at its place
# in the right dm chunk, with the flags of madvise, and no generic
# per-page handling runs.  A ranged failure of 8 consecutive chunks of
# member 1 reaches each of them as 8 calls, one per dm chunk (they are
# not contiguous in the dm device), and nothing goes per page.
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
witness_start
expect_eq "process sees" "$(dax-probe poison "$f" 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
expect_fs_told "page" "$(printf '%#x' $want)" 0x1000 0x23
expect_mf_actions "page" 1
expect_per_page "page" 0
expect_eq "holder event in the right chunk" "$(cat $holder/events)" \
	"dev=$majmin offset=$(printf '%#x' $want) len=0x1000 flags=0x23"

# 8 chunks of member 1 from its chunk 4000 on: dm chunks 8001, 8003, ...
pfn=$(( $(data_start "$p1") / 4096 + 4000 * 16 ))
witness_start
echo "$pfn 128" >$mf_inject
events=$(tail -n +2 $holder/events)
echo "$events"
expect_eq "holder calls for 8 chunks" "$(echo "$events" | grep -c .)" 8
expect_eq "first chunk" "$(echo "$events" | head -n 1)" \
	"dev=$majmin offset=$(printf '%#x' $(( 8001 * 65536 ))) len=0x10000 flags=0x20"
expect_eq "last chunk" "$(echo "$events" | tail -n 1)" \
	"dev=$majmin offset=$(printf '%#x' $(( 8015 * 65536 ))) len=0x10000 flags=0x20"
told=$(witness_fs)
echo "$told"
expect_eq "xfs calls for 8 chunks" "$(echo "$told" | grep -c .)" 8
expect_match "xfs told of the first chunk" "$(echo "$told" | head -n 1)" \
	"offset=$(printf '%#x' $(( 8001 * 65536 ))) len=0x10000 flags=0x20$"
expect_mf_actions "ranged" 1
expect_per_page "ranged" 0
expect_eq "dm ledger check" "$(ledger_field "$dm" check)" ok
umount /mnt
