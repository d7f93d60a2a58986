#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Holder errors: only a full success is recorded as delivered.  xfs
# (rmapbt, DAX) on pmem with a 4 MiB file, and the sample holder
# registered on the pmem with its "fail" knob set to 5, so that its
# notify_failure() records the event and returns -EIO.
#
# 1. A process maps the file and poisons its page 3 with
#    madvise(MADV_HWPOISON): it gets SIGBUS; xfs is told once, of that
#    page, flags 0x23; no generic per-page handling; one memory_failure()
#    action; the sample holder is called once (same offset and flags).
#    Its error is counted in the ledger (errors 1 range, 4096 bytes), and
#    the page is not listed as failed: a delivery that failed is not a
#    delivery, and must not absorb the next failure there.
# 2. "fail" cleared, a new process maps the file and poisons the same page
#    again: it gets SIGBUS, and since nothing absorbed it, xfs is told
#    again and the holder is told again (a second event, same offset and
#    flags), one memory_failure() action.  Now the page is listed failed,
#    no new error is counted, and the ledger balances.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs xfs
hold_device "$pmem"
majmin=$(cat /sys/class/block/$pmem/dev)
off=$(printf '%#x' $(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") )))
want_event="dev=$majmin offset=$off len=0x1000 flags=0x23"

echo 5 >$holder/fail || fail "set the holder's fail knob"
witness_start
expect_eq "1: process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "1" "$off" 0x1000 0x23
expect_per_page "1" 1
expect_eq "1: generic per-page handling" "$(witness_count generic_kill)" 0
expect_eq "1: holder called (and failed)" "$(cat $holder/events)" "$want_event"
cat $ledger
expect_eq "1: ledger errors" "$(ledger_field "$pmem" errors)" 1/4096
expect_eq "1: failed delivery not recorded as delivered" "$(ledger_failed "$pmem")" ""
expect_eq "1: ledger check" "$(ledger_field "$pmem" check)" ok

echo 0 >$holder/fail || fail "clear the holder's fail knob"
witness_start
expect_eq "2: new process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "2" "$off" 0x1000 0x23
expect_per_page "2" 1
expect_eq "2: generic per-page handling" "$(witness_count generic_kill)" 0
events=$(cat $holder/events)
echo "$events"
expect_eq "2: holder told again" "$events" "$(printf '%s\n%s' "$want_event" "$want_event")"
cat $ledger
expect_eq "2: ledger errors" "$(ledger_field "$pmem" errors)" 1/4096
expect_eq "2: page recorded failed" "$(ledger_failed "$pmem")" "$off+0x1000"
expect_eq "2: ledger check" "$(ledger_field "$pmem" check)" ok
run umount /mnt
echo 1 >$holder/unregister
