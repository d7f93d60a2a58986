#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mfroute monitor" names the file behind a failure left to the per-page
# path: ext4 -o dax (which takes no ranged reports) on a dm-linear
# concatenation of pmem0 and pmem1, page 2 of a file on pmem1 poisoned
# while a process maps it.  ext4, told on the dm device, declines, and the
# per-page path signals the process, as upstream does; the monitor's
# fallback record carries what the range hit above pmem1, translated
# through the dm table as the module translates: the dm device, ext4,
# the file's path and file offset 8192 (by FIEMAP), and its line in words
# names the file.  Unloaded, the same poisoning of page 3 signals the
# process the same way.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
concat_pmems concat
mkfs.ext4 -q -F -b 4096 /dev/mapper/concat || fail "mkfs.ext4"
mkdir -p /mnt
mount -o dax /dev/mapper/concat /mnt || fail "mount -o dax"
# Fill pmem0's share (unwritten extents) so that the file lands on pmem1.
run xfs_io -f -c "falloc 0 $((s0 * 512))" /mnt/fill
mkdir -p /mnt/d
make_file /mnt/d/f 1
f=$(file_on "$p1" /mnt/d/f) || fail "no file on $p1"
echo "file on $p1: $f"

start_monitors 3 20
expect_match "process sees" "$(dax-probe poison "$f" 2)" "^sigbus code=BUS_MCEERR_AR page=2 "
wait_monitors
fb=$(grep '"event":"mfroute_fallback"' /tmp/monitor.json)
expect_match "fallback on $p1" "$fb" "\"blockdev\":\"$p1\",.*\"reason\":\"holder_declined\""
expect_match "fallback: what it hit on $dm" "$fb" \
	"\"hits\":\\[\\{\"status\":\"ok\",\"message\":null,\"blockdev\":\"$dm\",.*\"fstype\":\"ext4\","
expect_match "fallback: the file" "$fb" "\"path\":\"$f\",\"file_offset_bytes\":8192,"
expect_match "in words" "$(grep 'per-page handling' /tmp/monitor.txt)" "$dm: $f bytes 0x2000\\.\\.0x2fff"

run rmmod mfroute
expect_match "unloaded: process sees" "$(dax-probe poison "$f" 3)" "^sigbus code=BUS_MCEERR_AR page=3 "
run umount /mnt
