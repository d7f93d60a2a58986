#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
#
# Unbinding pmem1 under xfs on a dm-linear concatenation of two pmems,
# while one process keeps reading, and another keeps writing, files on
# pmem1 every 2 ms: xfs is told once, through the dm device, that
# exactly the dm range pmem1 backs is about to be removed
# (MF_MEM_PRE_REMOVE); the dm device's holder gets the same single call;
# no per-page handling runs; xfs shuts down and revokes its mappings, so
# both processes end with a SIGBUS; umount is clean.
#
# Upstream, the same with mfroute unloaded on the two other pmems: dm
# tells nobody - xfs is not told, and both processes go on using memory
# that is no longer the namespace's (that filesystem is left mounted:
# unmounting it would oops on the removed memmap, as upstream does).
. /lib/mfroute-test-lib.sh

# busy_files FILE...: a reader on the first, a writer on the second.
busy_files() {
	keep_mapping "$1" read r
	keep_mapping "$2" write w
}

run modprobe dm-mod
concat_xfs upstream /mnt/u region2 region3
set -- $(for f in /mnt/u/d*/f; do file_on "$p1" "$f"; done)
[ $# -ge 2 ] || fail "unloaded: fewer than two files on $p1"
busy_files "$1" "$2"
witness_start
unbind_pmem "$p1"
pass "unloaded: unbind finished"
expect_not_revoked "unloaded: reader" r
expect_not_revoked "unloaded: writer" w
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0

run modprobe mfroute
run modprobe mfroute_holder
concat_xfs concat /mnt
hold_device "$dm"
set -- $(for f in /mnt/d*/f; do file_on "$p1" "$f"; done)
[ $# -ge 2 ] || fail "fewer than two files on $p1"
busy_files "$1" "$2"
witness_holder_probe
witness_probe 'r:mfrtest/killed kill_dax'
dmesg -c >/dev/null
witness_start
unbind_pmem "$p1"
pass "unbind finished"
expect_revoked "reader" r
expect_revoked "writer" w
events=$(cat $holder/events)
echo "$events"
# The holder was told before kill_dax() returned: the device went away
# only after its holders heard of it.
expect_eq "holder told before the removal returned" \
	"$(witness_timeline holder_told killed | awk '$1 == "killed" { exit } $1 == "holder_told" { n++ } END { print n + 0 }')" 1
expect_eq "dm holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "dm holder event" "$events" \
	"dev=$(cat /sys/class/block/$dm/dev) offset=$(printf '%#x' $((s0 * 512))) len=$(printf '%#x' $((s1 * 512))) flags=0x80"
expect_fs_told "removal" "$(printf '%#x' $((s0 * 512)))" "$(printf '%#x' $((s1 * 512)))" 0x80
expect_mf_actions "removal" 0
expect_per_page "removal" 0
expect_eq "xfs told once" "$(xfs_said 'about to be removed' | grep -c .)" 1
run umount /mnt
