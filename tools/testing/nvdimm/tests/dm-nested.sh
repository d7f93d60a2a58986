#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dm-linear on dm-striped: a page of member 1 of the stripe set reaches the
# holders of both mapped devices at the right offsets, translated through
# both tables (stripe chunk, then the top table's 1 MiB offset), with the
# flags of the ranged report (MF_SW_SIMULATED).  No filesystem is mounted,
# so the page also takes the per-page path, once.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
stripe_pmems stripe 128
lower=$dm
dm_create top "0 $((2 * width - 2048)) linear /dev/mapper/stripe 2048"
hold_device "$dm"
hold_device "$lower"

# Member 1, chunk 100, 4 KiB in: stripe chunk 201; top starts 1 MiB in.
pfn=$(( $(data_start "$p1") / 4096 + 100 * 16 + 1 ))
want_lower=$(( 201 * 65536 + 4096 ))
want_top=$(( want_lower - 2048 * 512 ))
witness_start
# Nothing maps the page: the per-page path answers EBUSY, as upstream.
expect_refused "unmapped page" $mf_inject "$pfn 1" \
	'Device or resource busy'
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 2
expect_match "stripe device" "$events" \
	"dev=$(cat /sys/class/block/$lower/dev) offset=$(printf '%#x' $want_lower) len=0x1000 flags=0x20"
expect_match "top device" "$events" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $want_top) len=0x1000 flags=0x20"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 0
expect_mf_actions "unclaimed page" 1
expect_per_page "unclaimed page" 1
expect_eq "top ledger check" "$(ledger_field "$dm" check)" ok
