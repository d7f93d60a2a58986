#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Platform poison the router could not take in for want of memory is not
# forgotten: on nfit_test, 16 blocks under a file of an xfs, unmounted
# for the while, are found by a scrub while every allocation of mfroute's
# own fails.  The pmem is known to the router (the sample holder is
# registered on all of it), which answers that nobody took the range,
# having no memory to list the holders or to hand the range back (the
# per-page path would handle it, had a CPU touched it; nothing did):
# neither xfs nor the holder is told.  With allocations working again,
# the xfs mounted again and a new registration make the router ask pmem
# for what nobody took: xfs and the holder are told of the range once
# each, in their own bytes, with no MF_* flags and nothing per page.
# (With xfs mounted, the router no longer needs memory to tell it of a
# range it knows nothing of.)
. /lib/mfroute-test-lib.sh

# No spare ledger nodes kept ahead: failslab must reach the allocation
# a failure or a repair makes (src/store.rs).
run modprobe mfroute ledger_spares=0
run modprobe mfroute_holder
nfit_namespace
witness_reprobe_probe
witness_start
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 1
fsblock=$(xfs_io -c "fiemap" /mnt/data | sed -n 's/^[[:space:]]*0: \[0\.\.[0-9]*\]: \([0-9]*\)\.\..*/\1/p')
[ -n "$fsblock" ] || fail "no extent for /mnt/data"
# The mount's rounds of asking (1, 3 and 5 s after it) are over: none
# asks pmem, which no failure or registration made known to the router.
wait_for 30 witnessed reprobe 3
# The sample holder on all of the pmem makes it known, and its own
# rounds of asking are over too.
witness_holder_probe
witness_start
hold_device "$pmem"
wait_reprobed 3
failslab_arm
run umount /mnt

witness_start
failslab_set 100
inject_scrubbed "$ns" "$fsblock" 16
wait_for 20 witnessed route_done
failslab_set 0
failed=$(failslab_failed)
echo "allocations failed: $failed"
expect_match "failslab failed allocations of mfroute" "$failed" '^[1-9][0-9]*$'
expect_eq "xfs told while allocations failed" "$(witness_count fs_notify)" 0
expect_eq "holder told while allocations failed" "$(witness_count holder_told)" 0
cat $ledger

# xfs mounted again, and a second registration, of the first page only,
# make the router ask again.
run mount -o dax "/dev/$pmem" /mnt
echo "$(cat /sys/class/block/$pmem/dev) 0 4096" >$holder/register ||
	fail "second sample holder registration"
wait_reprobed 1
wait_for 20 witnessed fs_done
wait_for 20 witnessed holder_told
witness fs_done
offset=$(printf '%#x' $((fsblock * 512)))
expect_fs_told "range found without memory" "$offset" 0x2000 0x0
expect_eq "xfs took it" "$(witness fs_done | grep -c 'ret=0$')" 1
expect_eq "sample holder told" "$(cat $holder/events)" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=$offset len=0x2000 flags=0x0"
expect_mf_actions "range found without memory" 0
expect_per_page "range found without memory" 0
cat $ledger
expect_ledgers_ok
umount /mnt 2>/dev/null
