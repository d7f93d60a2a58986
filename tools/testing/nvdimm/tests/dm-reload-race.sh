#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 400
#
# Tables reloaded while failures are routed: a dm-linear device flips
# between two layouts of pmem0 (first half, second half) while ranged
# failures hit both halves.  No splat; every page is accounted for by the
# ledgers, delivered or left to the per-page path.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
half=$(( $(sectors "$pmem") / 2 / 8 * 8 ))
dm_create flip "0 $half linear /dev/$pmem 0"
hold_device "$dm"

(
	i=0
	while [ $i -lt 40 ]; do
		echo "0 $half linear /dev/$pmem $half" | dmsetup reload flip 2>/dev/null
		dmsetup resume flip 2>/dev/null
		echo "0 $half linear /dev/$pmem 0" | dmsetup reload flip 2>/dev/null
		dmsetup resume flip 2>/dev/null
		i=$((i + 1))
	done
) &
flipper=$!
base=$(( $(data_start "$pmem") / 4096 ))
i=0
while [ $i -lt 100 ]; do
	# Alternate halves; each range is new.
	echo "$(( base + (i % 2) * half / 8 + i * 4 )) 4" \
		>/sys/kernel/debug/mfroute/inject 2>/dev/null
	i=$((i + 1))
done
wait $flipper
cat $ledger
for dev in $(awk '/events=/ { print $1 }' $ledger); do
	expect_eq "$dev ledger check" "$(ledger_field "$dev" check)" ok
done
expect_match "events seen" "$(grep -o 'events=[0-9]*' $ledger | head -n 1)" 'events=[1-9]'
