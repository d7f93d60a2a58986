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
#
# The mount is held at its external log, on a suspended dm device, until
# the router's first ask (1 s after xfs took the dax_device) has reached
# xfs: xfs answers -EIO, "not ready" (its own log line says so), the
# poison stays untaken, and a later ask, after the mount, tells it.
. /lib/mfroute-test-lib.sh

# asked_after_not_ready N: the router asked N times since xfs first
# answered, and pmem's route work ran to its end after the last time.
asked_after_not_ready() {
	witness_timeline reprobe route_done fs_done | awk -v n="$1" '
		$1 == "fs_done" { seen = 1 }
		seen && $1 == "reprobe" { asked++; done = 0 }
		$1 == "route_done" { done = 1 }
		END { exit !(asked >= n && done) }'
}

run modprobe dm-mod
run modprobe mfroute
nfit_namespace
logpmem=$(cd /sys/block && ls -d pmem* | grep -vx "$pmem" | head -n 1)
[ -n "$logpmem" ] || fail "no second pmem for the log"
dm_create xlog "0 $(sectors "$logpmem") linear /dev/$logpmem 0"
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=1,reflink=0 \
	-l logdev=/dev/mapper/xlog "/dev/$pmem" || fail "mkfs.xfs with an external log"
mkdir -p /mnt
run mount -o dax,logdev=/dev/mapper/xlog "/dev/$pmem" /mnt
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

dmesg -c >/dev/null
run dmsetup suspend xlog
mount -o dax,logdev=/dev/mapper/xlog "/dev/$pmem" /mnt &
mounting=$!
wait_for 20 witnessed fs_done
expect_match "xfs asked while mounting, not ready (-EIO)" \
	"$(witness fs_done | grep -c 'ret=-5$')" '^[1-9][0-9]*$'
expect_match "xfs says it is not ready" \
	"$(dmesg | grep -c 'filesystem is not ready for notify_failure')" '^[1-9][0-9]*$'
expect_eq "xfs took nothing while mounting" "$(witness fs_done | grep -c 'ret=0$')" 0
run dmsetup resume xlog
wait $mounting || fail "mount"
# The router asks 1, 3 and 5 s after a new user appeared: once it asked
# twice more after xfs was first not ready, xfs took it once, after the
# mount (the 3 s round may still find the mount finishing).
wait_for 30 asked_after_not_ready 2
witness fs_notify
witness fs_done
expect_eq "xfs took it" "$(witness fs_done | grep -c 'ret=0$')" 1
expect_eq "what xfs was told" "$(witness_fs | sort -u)" \
	"offset=$(printf '%#x' $((fsblock * 512))) len=0x8000 flags=0x0"
expect_mf_actions "injected range" 0
expect_per_page "injected range" 0
run umount /mnt
run dmsetup remove xlog
