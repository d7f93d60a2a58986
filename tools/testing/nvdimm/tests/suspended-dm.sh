#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
# timeout: 300
#
# A memory failure under a suspended mapped device does not wait for its
# resume with mf_mutex held.  xfs on a dm-linear concatenation of two
# pmems, its buffers dropped so that telling it needs I/O, then the
# device suspended without freezing the filesystem (dmsetup suspend
# --nolockfs: its I/O waits for the resume), and a page of a file on
# pmem1 poisoned with madvise.  Proven:
#   - the poisoning returned while the device was still suspended, the
#     process got SIGBUS, and the page took the generic per-page path,
#     as upstream (xfs is not told yet);
#   - meanwhile another memory failure, on an xfs directly on a third
#     pmem, is handled (xfs told, SIGBUS): mf_mutex is free;
#   - after the resume, the xfs on the dm device is told of the page once,
#     at its dm offset (mfroute's deferred delivery);
#   - with mfroute unloaded, as upstream, the same under a dm-linear over
#     the fourth pmem: generic handling, and xfs is never told.
# (Version 2 told xfs at once, under mf_mutex: its reverse-map read waited
# for the resume, and the hung-task detector fired after 30 s.)
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
concat_xfs concat /mnt
want=$(( s0 * 512 + $(pfn_of "$f" 0) * 4096 - $(data_start "$p1") ))
fsdax_namespace region2
other=$pmem
mount_xfs_dax "/dev/$other" /mnt/o
make_file /mnt/o/data 4
# xfs's buffers go (its reverse map must be read again to tell it); the
# file's own inode and extents are read back, so that the process can
# open it while the device is suspended.
sync
echo 3 >/proc/sys/vm/drop_caches
expect_eq "warm the file" "$(dax-probe touch "$f" 0)" ok
run dmsetup suspend --nolockfs concat
witness_start
expect_eq "process sees" "$(dax-probe poison "$f" 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
expect_match "returned while suspended" "$(dmsetup info concat)" 'State: *SUSPENDED'
expect_eq "xfs on dm not told while suspended" "$(witness_count fs_notify)" 0
expect_per_page "while suspended" 1
witness_start
expect_eq "meanwhile, poison on the other xfs" "$(dax-probe poison /mnt/o/data 1)" \
	"sigbus code=BUS_MCEERR_AR page=1 offset=0x1000"
expect_eq "meanwhile, the other xfs told" "$(witness_count fs_notify)" 1
witness_start
run dmsetup resume concat
wait_for 30 witnessed fs_done
expect_fs_told "after the resume" "$(printf '%#x' $want)" 0x1000 0x23
expect_eq "xfs's answer" "$(witness fs_done | sed 's/.* ret=//')" 0
run umount /mnt/o
run umount /mnt
run dmsetup remove concat

run rmmod mfroute
fsdax_namespace region3
dm_create upstream "0 $(sectors "$pmem") linear /dev/$pmem 0"
mount_xfs_dax /dev/mapper/upstream /mnt/u
make_file /mnt/u/data 4
sync
echo 3 >/proc/sys/vm/drop_caches
expect_eq "unloaded: warm the file" "$(dax-probe touch /mnt/u/data 0)" ok
run dmsetup suspend --nolockfs upstream
witness_start
expect_eq "unloaded: process sees" "$(dax-probe poison /mnt/u/data 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
expect_per_page "unloaded: while suspended" 1
run dmsetup resume upstream
expect_eq "unloaded: xfs never told" "$(witness_count fs_notify)" 0
run umount /mnt/u
run dmsetup remove upstream
