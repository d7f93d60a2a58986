#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Absorption: one ranged injection of 256 pages under an xfs file, then the
# same 256 pfns poisoned one by one through hwpoison-inject.  The holder is
# called once; every per-page event is answered from the ledger.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
run modprobe hwpoison-inject
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
hold_device "$pmem"
pfn=$(pfn_of /mnt/data 0)
expect_eq "first 256 pages contiguous" $(( $(pfn_of /mnt/data 255) - pfn )) 255

echo "$pfn 256" >/sys/kernel/debug/mfroute/inject || fail "ranged injection"
expect_eq "holder calls after ranged event" "$(grep -c . $holder/events)" 1
expect_match "ranged event" "$(cat $holder/events)" " len=0x100000 "

i=0
while [ $i -lt 256 ]; do
	echo $((pfn + i)) >/sys/kernel/debug/hwpoison/corrupt-pfn 2>/dev/null
	i=$((i + 1))
done
cat $ledger
expect_eq "holder calls after 256 per-page events" "$(grep -c . $holder/events)" 1
expect_eq "ledger absorbed" "$(ledger_field "$pmem" absorbed)" 256/1048576
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/1048576
expect_eq "ledger events" "$(ledger_field "$pmem" events)" 257
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
