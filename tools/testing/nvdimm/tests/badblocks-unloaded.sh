#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Without mfroute, an injection behaves as upstream: the badblocks list
# records it, nobody is told (xfs included), xfs stays up.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run rmmod mfroute
nfit_xfs
dmesg -c >/dev/null
witness_start
inject_scrubbed "$ns" 0 64
wait_for 10 grep -q '^0 64' /sys/block/$pmem/badblocks
expect_match "badblocks recorded" "$(cat /sys/block/$pmem/badblocks)" '^0 64'
expect_eq "xfs not told" "$(witness_count fs_notify)" 0
expect_eq "xfs still up" "$(xfs_said 'Shutting down' | grep -c .)" 0
run touch /mnt/still-writable
umount /mnt
