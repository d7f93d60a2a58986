#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
# timeout: 300
#
# Poison found while nothing is mounted is told to the filesystem that
# mounts later, once: on nfit_test, 64 blocks under a file of an
# unmounted xfs are found by a scrub (nobody takes them: they are kept as
# untaken); mounting the filesystem makes the router ask for them again,
# and xfs is told of the range exactly once, in its own bytes, without a
# CPU touching it.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
nfit_namespace
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
fsblock=$(xfs_io -c "fiemap" /mnt/data | sed -n 's/^[[:space:]]*0: \[0\.\.[0-9]*\]: \([0-9]*\)\.\..*/\1/p')
[ -n "$fsblock" ] || fail "no extent for /mnt/data"
run umount /mnt

witness_reprobe_probe
witness_start
inject_scrubbed "$ns" "$fsblock" 64
# pmem's route work handed the range over (to nobody).
wait_for 20 witnessed route_done
expect_eq "xfs told while unmounted" "$(witness_count fs_notify)" 0
mount -o dax "/dev/$pmem" /mnt || fail "mount"
# The router asks again 1, 3 and 5 s after a new user appeared: after the
# three rounds, xfs was told once.
wait_reprobed 3
witness fs_notify
witness fs_done
# Asked before xfs was ready, it answers -EIO and is asked again.
expect_eq "xfs took it" "$(witness fs_done | grep -c 'ret=0$')" 1
expect_eq "what xfs was told" "$(witness_fs | sort -u)" \
	"offset=$(printf '%#x' $((fsblock * 512))) len=0x8000 flags=0x0"
expect_mf_actions "injected range" 0
expect_per_page "injected range" 0
umount /mnt 2>/dev/null
