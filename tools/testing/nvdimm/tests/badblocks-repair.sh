#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Repair: on nfit_test, 8 blocks injected under a mounted xfs are routed
# to the holder and the ledger; rewriting them through the block device
# clears the poison (nfit_test implements the clear-error command), and
# the holder is told, once, that the range is good again; the ledger
# counts the repair and forgets the range.  ("ndctl clear-errors" would
# disable and re-create the namespace, and with it the device the holder
# registered on.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
nfit_xfs
hold_device "$pmem"
witness_holder_probe
witness_start
inject_scrubbed "$ns" 256 8
wait_for 20 witnessed holder_told
wait_for 20 witnessed fs_done
expect_fs_told "injected blocks" 0x20000 0x1000 0x0
expect_mf_actions "injected blocks" 0
expect_per_page "injected blocks" 0
run umount /mnt
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096

run xfs_io -d -c "pwrite -S 0 131072 4096" "/dev/$pmem"
expect_eq "badblocks after the rewrite" "$(cat /sys/block/$pmem/badblocks)" ""
wait_for 20 witnessed holder_repaired
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 2
expect_eq "failure call" "$(echo "$events" | head -n 1)" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=0x20000 len=0x1000 flags=0x0"
expect_eq "repair call" "$(echo "$events" | tail -n 1)" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=0x20000 len=0x1000 repaired"
cat $ledger
expect_eq "ledger repaired" "$(ledger_field "$pmem" repaired)" 1/4096
expect_eq "range forgotten" "$(grep -c '^  failed' $ledger)" 0
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
