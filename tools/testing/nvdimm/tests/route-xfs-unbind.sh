#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbinding a pmem under mounted xfs with a mapped file: xfs is told once,
# as upstream, that the whole device (0, U64_MAX) is about to be removed;
# the sample holder gets one call covering its registration, flags
# MF_MEM_PRE_REMOVE, and its call (slowed to 5 s) ends before the removal
# goes on; no per-page memory_failure() handling.  A process that
# keeps reading the file's mapping every 2 ms, and one that keeps writing
# another, throughout the unbind both end with a SIGBUS (xfs shuts down
# and revokes its mappings), and umount is clean.  A process that goes on
# reading through its SIGBUS maps the file again while xfs walks the
# rest of its reverse map, and finds nothing mapped once the unbind is
# over: xfs revoked, after its shutdown, what was faulted back in.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs xfs
hold_device "$pmem"
size=$(blockdev --getsize64 "/dev/$pmem")
majmin=$(cat /sys/class/block/$pmem/dev)

make_file /mnt/other 4
# Reverse-map records to walk after the mapped files': time for the
# process that goes on through its SIGBUS to map /mnt/data again
# before xfs shuts down.
make_fragmented /mnt/frag 4096
keep_mapping /mnt/data read r
keep_mapping /mnt/other write w
persist_mapping /mnt/data p
witness_holder_probe
witness_probe 'r:mfrtest/holder_done sample_notify_failure'
witness_probe 'r:mfrtest/killed kill_dax'
# A holder that takes its time is still waited for.  15 s a call: longer
# than xfs takes for its part of the removal, which runs meanwhile (with
# 5 s, a removal that does not wait went unseen once: xfs's part, with
# the keepers and 4096 reverse-map records, took longer), and short of
# the hung-task detector's 30 s.
echo 15000 >$holder/delay || fail "holder delay"
dmesg -c >/dev/null
witness_start
unbind_pmem "$pmem"
expect_revoked "reader" r
expect_revoked "writer" w
expect_gone "reader going on through its SIGBUS" p
events=$(cat $holder/events)
echo "$events"
# The holder's call had returned before kill_dax() did: the device went
# away only after its holders heard of it.
expect_eq "holder's call done before the removal returned" \
	"$(witness_timeline holder_done killed | awk '$1 == "killed" { exit } $1 == "holder_done" { n++ } END { print n + 0 }')" 1
expect_eq "sample holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "sample holder event" "$events" \
	"dev=$majmin offset=0x0 len=$(printf '%#x' "$size") flags=0x80"
expect_fs_told "removal" 0x0 0xffffffffffffffff 0x80
expect_mf_actions "removal" 0
expect_per_page "removal" 0
expect_eq "xfs told once" "$(xfs_said 'about to be removed' | grep -c .)" 1
run umount /mnt
