#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Platform poison under file data of a partition (nfit_test): 64 injected
# blocks under a file reach xfs once, at their offset in the disk, and the
# holder of the partition once, at the partition-relative offset, both
# with no MF_* flags, nothing per page; the ledger counts one delivered
# range; injecting the same blocks again reaches nobody, even once the
# router asked pmem again for what nobody took.  Poison outside the
# partition, held by nobody, reaches the holder that registers over it
# later.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
nfit_namespace
echo 'start=8192, size=65536' | sfdisk -q "/dev/$pmem" || fail "sfdisk"
part=${pmem}p1
wait_for 5 test -b "/dev/$part"
mount_xfs_dax "/dev/$part" /mnt
make_file /mnt/data 4
hold_device "$part"
witness_holder_probe
witness_reprobe_probe

# The file's first extent, in 512-byte blocks of the partition.
fsblock=$(xfs_io -c "fiemap" /mnt/data | sed -n 's/^[[:space:]]*0: \[0\.\.[0-9]*\]: \([0-9]*\)\.\..*/\1/p')
[ -n "$fsblock" ] || fail "no extent for /mnt/data"
block=$(( 8192 + fsblock ))

# holder_calls_at_least N: the sample holder has been called N times.
holder_calls_at_least() {
	[ "$(grep -c . $holder/events)" -ge "$1" ]
}
witness_start
inject_scrubbed "$ns" "$block" 64
wait_for 20 witnessed fs_done
wait_for 20 witnessed holder_told
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "partition-relative offset" "$events" \
	"dev=$(cat /sys/class/block/$part/dev) offset=$(printf '%#x' $((fsblock * 512))) len=0x8000 flags=0x0"
expect_fs_told "injected range" "$(printf '%#x' $((block * 512)))" 0x8000 0x0
expect_mf_actions "injected range" 0
expect_per_page "injected range" 0
cat $ledger
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/32768

# Again: the scrub finds them, pmem's route work runs, and nobody hears
# of them; a holder registering then (the router asks again, three
# rounds) does not change that.
witness_start
inject_scrubbed "$ns" "$block" 64
echo "$(cat /sys/class/block/$pmem/dev) 0 4096" >$holder/register ||
	fail "second sample holder registration"
wait_reprobed 3
expect_eq "holder calls after the same injection again" "$(grep -c . $holder/events)" 1
expect_eq "xfs calls after the same injection again" "$(witness_count fs_notify)" 0

# Poison nobody holds (between the partition table and the partition)
# is kept untaken; a holder registering over it later is told of it:
# its registration makes the router ask pmem again.
witness_start
inject_scrubbed "$ns" 4096 8
wait_for 20 witnessed route_done
expect_eq "holder calls for poison nobody holds" "$(grep -c . $holder/events)" 1
echo "$(cat /sys/class/block/$pmem/dev) $((4096 * 512)) 4096" >$holder/register ||
	fail "third sample holder registration"
wait_for 20 holder_calls_at_least 2
expect_eq "the holder that appeared, told" "$(tail -n 1 $holder/events)" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=0x200000 len=0x1000 flags=0x0"
expect_eq "xfs calls for poison outside its partition" "$(witness_count fs_notify)" 0
expect_per_page "poison outside the partition" 0
umount /mnt 2>/dev/null
