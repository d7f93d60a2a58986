#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
#
# A range rewritten while its hardware poison is being routed is not
# recorded as bad (series bug 3).  pmem notes a range as handed over
# before it routes it, and a write to it then reports it repaired; the
# route work handles repairs before it records the rest in the bus's
# badrange list, and must leave the repaired part out, or the next probe
# makes reads of good media fail.
#
# xfs on region0's pmem, a file of 2,000 one-block extents; the range
# under it reported as hardware poison (the inject file's "hw"), so that
# xfs walks 2,000 extents.  A process maps the file's first page and
# asks to be signalled early: xfs signals it as it handles the first
# extent, and its handler rewrites that page through the block device
# (O_DIRECT) at once, while xfs goes on with the others.  The block
# layer's own record of the write (block:block_bio_queue) comes between
# xfs being told and xfs returning.  Once the route work ran, the page
# reads back what was written, xfs was not told of it again (as poison
# the badblocks list has and nobody was handed), the bus's badrange list
# (the region's badblocks) has the rest of the range, not that page;
# after the namespace is disabled and enabled (a new probe
# reads the bus's list), the page reads back what was written and the
# page after it fails with EIO.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_fragmented /mnt/frag 2000
pfn0=$(pfn_of /mnt/frag 0)
pfn1=$(pfn_of /mnt/frag $((2 * 1999)))
pages=$((pfn1 - pfn0 + 1))
s0=$(( (pfn0 * 4096 - $(data_start "$pmem")) / 512 ))
echo "range: pfn $pfn0, $pages pages, sector $s0"

dax-probe rewrite /mnt/frag "/dev/$pmem" $((s0 * 512)) >/tmp/rewrite.out &
rewriter=$!
wait_for 20 grep -q ready /tmp/rewrite.out
bio=$tracing/events/block/block_bio_queue
echo "sector == $s0" >$bio/filter || fail "filter block:block_bio_queue"
echo 1 >$bio/enable || fail "enable block:block_bio_queue"
witness_reprobe_probe
witness_start
echo "$pfn0 $pages hw" >$mf_inject || fail "hardware poison of the range"
wait $rewriter
expect_eq "the process rewrote its page when signalled" "$(tail -n 1 /tmp/rewrite.out)" rewrote
expect_eq "xfs told once, of the range" "$(witness_fs)" \
	"$(printf 'offset=%#x len=%#x flags=0x0' $((s0 * 512)) $((pages * 4096)))"
expect_eq "the rewrite reached pmem while xfs was being told" \
	"$(witness_timeline fs_notify block_bio_queue fs_done | cut -d' ' -f1 | tr '\n' ' ')" \
	"fs_notify block_bio_queue fs_done "
echo 0 >$bio/enable
wait_for 30 witnessed route_done
expect_match "the rewritten page reads back at once" \
	"$(xfs_io -d -c "pread -v $((s0 * 512)) 512" "/dev/$pmem" | head -n 1)" \
	' 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a '
expect_eq "xfs not told of it again" "$(witness_count fs_notify)" 1

# The bus's list, as the region's badblocks show it (sectors from the
# region's start).
r0=$(( (pfn0 * 4096 - $(cat /sys/bus/nd/devices/region0/resource)) / 512 ))
covered() {
	awk -v x="$1" '$1 <= x && x < $1 + $2 { found = 1 } END { exit !found }' \
		/sys/bus/nd/devices/region0/badblocks
}
cat /sys/bus/nd/devices/region0/badblocks
covered $((r0 + 8)) || fail "the rest of the range is not in the bus's list"
pass "the rest of the range is in the bus's list"
! covered $r0 || fail "the rewritten page is in the bus's list"
pass "the rewritten page is not in the bus's list"

umount /mnt || fail "umount"
run ndctl disable-namespace "$ns"
run ndctl enable-namespace "$ns"
expect_match "after a new probe, the rewritten page reads back" \
	"$(xfs_io -d -c "pread -v $((s0 * 512)) 512" "/dev/$pmem" | head -n 1)" \
	' 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a '
expect_match "and the page after it fails" \
	"$(xfs_io -d -c "pread $((s0 * 512 + 4096)) 4096" "/dev/$pmem" 2>&1)" \
	'Input/output error'
