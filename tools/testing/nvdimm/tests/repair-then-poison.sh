#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# A repair and new poison at the same place never leave holders believing
# good media that is bad again: on nfit_test, 8 blocks found bad are told;
# they are rewritten (poison cleared) and found bad again right away.
# The repair happened (dax_route_repair() was called for them, its kprobe
# says), and then the new poison was handed over; the holder's last word
# on them is a failure, never "repaired", and the pmem still lists them
# bad.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
nfit_namespace
hold_device "$pmem"
majmin=$(cat /sys/class/block/$pmem/dev)
witness_holder_probe
witness_probe 'p:mfrtest/repair dax_route_repair off=%si:x64 len=%dx:x64'
witness_start
inject_scrubbed "$ns" 512 8
wait_for 20 witnessed holder_told
run xfs_io -d -c "pwrite -S 0 $((512 * 512)) 4096" "/dev/$pmem"
wait_for 20 witnessed repair
expect_eq "the repair reported" "$(witness_args repair)" "off=0x40000 len=0x1000"
inject_scrubbed "$ns" 512 8
wait_for 20 witnessed holder_told 2
events=$(cat $holder/events)
echo "$events"
expect_eq "last word on the blocks" "$(echo "$events" | tail -n 1)" \
	"dev=$majmin offset=0x40000 len=0x1000 flags=0x0"
expect_match "still bad" "$(cat /sys/block/$pmem/badblocks)" '^512 8'
cat $ledger
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
