#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mfroute monitor" on ext4 -o dax, which takes no ranged reports: the
# sample holder on the pmem, 4 pages under a file reported failed at once
# (ranged inject).  The monitor's records: the event (origin range), the
# delivery to ext4 (it holds the dax_device, and declines poison:
# EOPNOTSUPP), one delivery to the holder resolved with FIEMAP to the
# file's path and file offset, and the per-page fallback of the same
# 16 KiB with its reason.
# In words, the holder's line names the file.  The per-page path handles
# the 4 pages as upstream does: the two that were mapped once (the test
# looked up their pfns) are recovered, the two never mapped have no DAX
# entry to find their file by and fail (EBUSY, the inject file's answer),
# as hwpoison-inject's corrupt-pfn shows for 4 more pages of the file
# with mfroute unloaded.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs ext4
hold_device "$pmem"
pfn=$(pfn_of /mnt/data 8)
[ "$(pfn_of /mnt/data 11)" -eq $((pfn + 3)) ] || fail "pages 8..11 of /mnt/data not contiguous"
off=$(( pfn * 4096 - $(data_start "$pmem") ))

start_monitors 4 60
witness_start
expect_eq "the inject file's answer" "$(answer $mf_inject "$pfn 4")" "$per_page_busy"
expect_per_page "4 pages" 4
expect_eq "per-page outcomes" "$(witness memory_failure_event | sed 's/.*: //' | tr '\n' ' ')" \
	"Recovered Failed Failed Recovered "
wait_monitors
expect_match "event" "$(grep '"event":"mfroute_event"' /tmp/monitor.json)" \
	"\"offset_bytes\":$off,\"len_bytes\":16384,.*\"origin\":\"range\""
expect_match "ext4 told, and declined" \
	"$(grep '"event":"mfroute_deliver".*"kind":"filesystem"' /tmp/monitor.json)" \
	"\"blockdev\":\"$pmem\",\"sector\":$((off / 512)),\"nr_sectors\":32,.*\"result\":-95,\"error\":\"EOPNOTSUPP\""
d=$(grep '"event":"mfroute_deliver".*"kind":"holder"' /tmp/monitor.json)
expect_match "holder told" "$d" \
	"\"kind\":\"holder\",\"maj_min\":\"[0-9:]*\",\"blockdev\":\"$pmem\",\"sector\":$((off / 512)),\"nr_sectors\":32,"
expect_match "holder: the file by FIEMAP" "$d" "\"path\":\"/mnt/data\",\"file_offset_bytes\":32768,"
expect_match "fallback" "$(grep '"event":"mfroute_fallback"' /tmp/monitor.json)" \
	"\"offset_bytes\":$off,\"len_bytes\":16384,"
expect_match "in words" "$(grep 'holder' /tmp/monitor.txt)" "/mnt/data"

# Upstream, the same 4-page pattern (pages 12 and 15 mapped once, 13 and
# 14 never), page by page through hwpoison-inject with mfroute unloaded.
run modprobe hwpoison-inject
pfn=$(pfn_of /mnt/data 12)
[ "$(pfn_of /mnt/data 15)" -eq $((pfn + 3)) ] || fail "pages 12..15 of /mnt/data not contiguous"
echo 1 >$holder/unregister
run rmmod mfroute_holder
run rmmod mfroute
witness_start
for i in 0 1 2 3; do
	answer /sys/kernel/debug/hwpoison/corrupt-pfn $((pfn + i)) >/dev/null
done
expect_per_page "unloaded: 4 pages" 4
expect_eq "unloaded: per-page outcomes" "$(witness memory_failure_event | sed 's/.*: //' | tr '\n' ' ')" \
	"Recovered Failed Failed Recovered "
run umount /mnt
