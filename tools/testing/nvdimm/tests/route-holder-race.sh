#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Holders registering and unregistering while ranged failures are routed:
# no splat (lockdep watching), no callback after unregister (the sample
# would touch freed state), and the ledger still accounts for every page.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 8
pfn=$(pfn_of /mnt/data 0)
expect_eq "first 2048 pages contiguous" $(( $(pfn_of /mnt/data 2047) - pfn )) 2047
spec="$(cat /sys/class/block/$pmem/dev) 0 $(blockdev --getsize64 "/dev/$pmem")"

(
	i=0
	while [ $i -lt 200 ]; do
		echo "$spec" >$holder/register
		echo 1 >$holder/unregister
		i=$((i + 1))
	done
) &
churn=$!
i=0
while [ $i -lt 200 ]; do
	# Adjacent 8-page ranges: each one new, all merging in the ledger.
	echo "$((pfn + i * 8)) 8" >/sys/kernel/debug/mfroute/inject ||
		fail "injection $i"
	i=$((i + 1))
done
wait $churn
cat $ledger
expect_eq "ledger events" "$(ledger_field "$pmem" events)" 200
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 200/6553600
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
expect_eq "one merged failed range" "$(grep -c '^  failed' $ledger)" 1
