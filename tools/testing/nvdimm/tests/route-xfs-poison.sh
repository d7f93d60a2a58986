#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xfs (rmapbt) on pmem with mfroute and the sample holder: one page of a
# DAX-mapped file poisoned with madvise(MADV_HWPOISON).  What upstream
# does stays as it was (baseline-xfs-poison): xfs told once, of that page,
# flags 0x23; no generic per-page handling; one memory_failure() action;
# SIGBUS at that address.  On top, the sample holder gets exactly one call
# at the page's pmem offset with the same flags, and the ledger counts one
# delivered range.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs xfs
hold_device "$pmem"

want=$(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") ))
witness_start
expect_eq "process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "poison" "$(printf '%#x' $want)" 0x1000 0x23
expect_mf_actions "poison" 1
expect_per_page "poison" 0
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "holder event" "$events" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=$(printf '%#x' $want) len=0x1000 flags=0x23"
cat $ledger
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
run umount /mnt
echo 1 >$holder/unregister
run rmmod mfroute_holder
run rmmod mfroute
