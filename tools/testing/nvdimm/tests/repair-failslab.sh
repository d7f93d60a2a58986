#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
# timeout: 300
#
# A repair the router cannot record exactly loses no later failure.  On
# nfit_test, the first three pages of a file on xfs are found bad; xfs is told of
# them in one call, and so is the sample holder.  The middle page is
# rewritten through the block device (nfit_test clears the poison: a
# repair), while failslab fails every allocation of mfroute: neither the
# ledger nor the holder's record of what it was told can split the range
# to take the middle page out.  Then the middle page goes bad again.
# Proven, by xfs's own probe and the holder's callback:
#   - the repair was routed (dax_route_repair returned), and failslab
#     failed allocations of mfroute meanwhile;
#   - the new poison is told to xfs, once, at the middle page, and to the
#     holder: it is not absorbed by a range the repair should have cut.
# (Version 2 left the whole range in the ledger and in the holder's record
# when the repair could not be recorded: the new poison was absorbed, and
# neither xfs nor the holder was told.)
. /lib/mfroute-test-lib.sh

# No spare ledger nodes kept ahead: failslab must reach the allocation
# a failure or a repair makes (src/store.rs).
run modprobe mfroute ledger_spares=0
run modprobe mfroute_holder
nfit_xfs
# The first extent of the file: its sector and last sector in the file.
set -- $(xfs_io -c "fiemap" /mnt/data |
	sed -n 's/^[[:space:]]*0: \[0\.\.\([0-9]*\)\]: \([0-9]*\)\.\..*/\2 \1/p')
[ -n "${1:-}" ] && [ "$2" -ge 24 ] || fail "no 12 KiB extent for /mnt/data: $*"
block=$1
off=$((block * 512))
hold_device "$pmem"
majmin=$(cat /sys/class/block/$pmem/dev)
witness_holder_probe
witness_probe 'r:mfrtest/repair_done dax_route_repair'

witness_start
inject_scrubbed "$ns" $block 24
wait_for 20 witnessed holder_told
wait_for 20 witnessed fs_done
expect_fs_told "three bad pages" "$(printf '%#x' $off)" 0x3000 0x0
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/12288
run umount /mnt

failslab_arm
witness_start
failslab_set 100
run xfs_io -d -c "pwrite -S 0 $((off + 4096)) 4096" "/dev/$pmem"
wait_for 20 witnessed repair_done
failslab_set 0
forced=$(failslab_failed)
echo "allocations failed: $forced"
expect_match "failslab failed allocations of mfroute" "$forced" '^[1-9][0-9]*$'
expect_eq "badblocks after the rewrite" "$(cat /sys/block/$pmem/badblocks)" \
	"$block 8
$((block + 16)) 8"
cat $ledger

run mount -o dax "/dev/$pmem" /mnt
witness_start
inject_scrubbed "$ns" $((block + 8)) 8
wait_for 20 witnessed holder_told
wait_for 20 witnessed fs_done
expect_fs_told "the middle page, bad again" "$(printf '%#x' $((off + 4096)))" 0x1000 0x0
expect_eq "the holder's last word" "$(cat $holder/events | tail -n 1)" \
	"dev=$majmin offset=$(printf '%#x' $((off + 4096))) len=0x1000 flags=0x0"
cat $ledger
expect_ledgers_ok
run umount /mnt
