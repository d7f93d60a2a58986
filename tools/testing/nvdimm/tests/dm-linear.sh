#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
#
# xfs on a dm-linear concatenation of pmem0 and pmem1: a page of a file
# whose data lies on pmem1 is poisoned.  xfs, told through the dm device,
# is told once, at the dm offset (pmem0's size plus the page's offset in
# pmem1), with the flags of madvise; the generic per-page handling does
# not run; the process gets SIGBUS (xfs found the owner).  The sample
# holder on the dm device gets one call at the same offset.  Removing the
# mapped device afterwards is clean.  Upstream, shown first with mfroute
# unloaded on the two other pmems: dm tells nobody, xfs is not told, and
# only the generic per-page path acts on the page (and kills).
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
concat_xfs upstream /mnt/u region2 region3
witness_start
expect_eq "unloaded: process sees" "$(dax-probe poison "$f" 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_mf_actions "unloaded: poison" 1
expect_per_page "unloaded: poison" 1
run umount /mnt/u
run dmsetup remove upstream

run modprobe mfroute
run modprobe mfroute_holder
concat_xfs concat /mnt
hold_device "$dm"

want=$(( s0 * 512 + $(pfn_of "$f" 0) * 4096 - $(data_start "$p1") ))
witness_start
expect_eq "process sees" "$(dax-probe poison "$f" 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
expect_fs_told "poison" "$(printf '%#x' $want)" 0x1000 0x23
expect_mf_actions "poison" 1
expect_per_page "poison" 0
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "holder event at dm offset" "$events" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $want) len=0x1000 flags=0x23"
cat $ledger
expect_eq "dm ledger delivered" "$(ledger_field "$dm" delivered)" 1/4096
expect_eq "dm ledger check" "$(ledger_field "$dm" check)" ok
run umount /mnt

# Removing the mapped device announces it through kill_dax(); the router
# forgets the device once it is gone.
echo 1 >$holder/unregister
dmsetup remove concat || fail "dmsetup remove"
expect_eq "dm device forgotten" "$(grep -c "^$dm " $ledger)" 0
