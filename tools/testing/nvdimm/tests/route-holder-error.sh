#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A holder that fails is told again; the filesystem, which took the range,
# is not.  xfs (rmapbt, DAX) on pmem with a 4 MiB file, and the sample
# holder registered on the pmem with its "fail" knob set to 5, so that its
# notify_failure() records the event and returns -EIO.
#
# 1. A process maps the file and poisons its page 3 with
#    madvise(MADV_HWPOISON): it gets SIGBUS; xfs is told once, of that
#    page, flags 0x23, and takes it; no generic per-page handling; one
#    memory_failure() action; the sample holder is called once (same
#    offset and flags) and fails: the ledger counts one holder error, and
#    lists the page failed (xfs took it).
# 2. "fail" cleared, a new process poisons the same page again: it gets
#    SIGBUS and memory_failure() records its action, as upstream when the
#    filesystem is told again; xfs, which took the page, is not told again
#    (absorbed); the holder, which failed it, is told again (a second
#    event, same offset and flags) and takes it now: no new error.
# 3. Once more: nobody is told (the holder took it too).
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
expect_mf_actions "1" 1
expect_per_page "1" 0
expect_eq "1: holder called (and failed)" "$(cat $holder/events)" "$want_event"
cat $ledger
expect_eq "1: holder errors" "$(ledger_field "$pmem" holder_errors)" 1
expect_eq "1: holders registered" "$(ledger_field "$pmem" holders)" 1
expect_eq "1: page recorded failed (xfs took it)" "$(ledger_failed "$pmem")" "$off+0x1000"
expect_eq "1: ledger check" "$(ledger_field "$pmem" check)" ok

echo 0 >$holder/fail || fail "clear the holder's fail knob"
witness_start
expect_eq "2: new process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_eq "2: xfs not told again" "$(witness_count fs_notify)" 0
expect_mf_actions "2" 1
expect_per_page "2" 0
events=$(cat $holder/events)
echo "$events"
expect_eq "2: holder told again" "$events" "$(printf '%s\n%s' "$want_event" "$want_event")"
cat $ledger
expect_eq "2: holder errors" "$(ledger_field "$pmem" holder_errors)" 1
expect_eq "2: ledger check" "$(ledger_field "$pmem" check)" ok

witness_start
expect_eq "3: new process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_eq "3: xfs not told again" "$(witness_count fs_notify)" 0
expect_eq "3: holder not told again" "$(grep -c . $holder/events)" 2
run umount /mnt
echo 1 >$holder/unregister
