#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwpoison_filter() keeps a range's pages out of the generic handling
# once, not twice.  ext4 -o dax on pmem (no holder takes poison: every
# page gets the generic per-page handling), hwpoison-inject's filter on
# and set to a device major nothing has, so every page is filtered out.
# A ranged failure of 4 pages of a mapped file (inject file): each page
# reaches the generic handling once (dax_lock_folio(), its kprobe: 4
# calls, not 8 - the series once sent a range whose pages were all
# filtered through memory_failure() a second time), none is acted on
# (no memory_failure() action), and the write succeeds.  Upstream page by
# page, with mfroute unloaded: madvise(MADV_HWPOISON) on 4 more pages,
# each reaching the generic handling once, none acted on, and each read
# back by the process.  (hwpoison-inject's corrupt-pfn, with its filter
# on, leaves pages that are not on an LRU alone before memory_failure().)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe hwpoison-inject
hw=/sys/kernel/debug/hwpoison
pmem_fs ext4
hold_mapping /mnt/data
echo 4095 >$hw/corrupt-filter-dev-major || fail "filter major"
echo 1 >$hw/corrupt-filter-enable || fail "filter on"
pfn=$(pfn_of /mnt/data 4)
[ "$(pfn_of /mnt/data 11)" -eq $((pfn + 7)) ] || fail "pages 4..11 not contiguous"

witness_start
expect_eq "ranged failure of filtered pages" "$(answer $mf_inject "$pfn 4")" ok
expect_per_page "ranged" 4
expect_mf_actions "ranged" 0

run rmmod mfroute
witness_start
for i in 8 9 10 11; do
	expect_eq "unloaded: filtered page $i" "$(dax-probe poison /mnt/data $i)" ok
done
expect_per_page "unloaded" 4
expect_mf_actions "unloaded" 0
echo 0 >$hw/corrupt-filter-enable
release_mapping
expect_eq "the mapping, untouched" "$seen" ok
run umount /mnt
