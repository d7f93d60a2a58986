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
nfit_namespace
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 1
hold_device "$pmem"
inject_scrubbed "$ns" 256 8
for i in $(seq 50); do [ -s $holder/events ] && break; sleep 0.1; done
run umount /mnt
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096

run xfs_io -d -c "pwrite -S 0 131072 4096" "/dev/$pmem"
expect_eq "badblocks after the rewrite" "$(cat /sys/block/$pmem/badblocks)" ""
for i in $(seq 50); do grep -q repaired $holder/events && break; sleep 0.1; done
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
