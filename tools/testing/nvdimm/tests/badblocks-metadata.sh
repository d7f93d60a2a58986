#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Platform poison routed before anyone touches it: on nfit_test, 64 blocks
# injected under xfs (rmapbt) metadata (injected, then found by one address range scrub)
# reach xfs and the sample holder once each, as one range covering them
# with no MF_* flags (nobody consumed it), and xfs shuts down for corrupt
# on-disk metadata, with no CPU access to the range and nothing per page;
# a holder registered afterwards does not make xfs hear of it again.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
nfit_xfs
hold_device "$pmem"
witness_holder_probe
witness_reprobe_probe
dmesg -c >/dev/null
witness_start

# The data area's first 64 sectors: superblock and AG 0 headers.
inject_scrubbed "$ns" 0 64
wait_for 20 witnessed fs_done
wait_for 20 witnessed holder_told
# A holder appearing makes the router ask pmem for poison nobody took
# (at once, then twice more, 2 s apart): xfs took this range, shutting
# down for it, so neither xfs nor the new registration is told of it
# again - checked once all three rounds of this registration were handed
# over (the first registration's rounds do not count).
reprobe_mark
echo "$(cat /sys/class/block/$pmem/dev) 0 4096" >$holder/register ||
	fail "second sample holder registration"
wait_reprobed 3
cat /sys/block/$pmem/badblocks
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "one call covering the 64 blocks" "$events" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=0x0 len=0x8000 flags=0x0"
expect_fs_told "injected range" 0x0 0x8000 0x0
expect_mf_actions "injected range" 0
expect_per_page "injected range" 0
said=$(xfs_said 'Shutting down')
echo "$said"
expect_match "xfs shut down for on-disk corruption" "$said" "$xfs_corrupt_ondisk"
umount /mnt 2>/dev/null
