#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mfroute monitor" on ext4 -o dax, which takes no ranged reports: the
# sample holder on the pmem, 4 pages under a file reported failed at once
# (ranged inject).  The monitor's records: the event (origin range), one
# delivery to the holder resolved with FIEMAP to the file's path and file
# offset, and the per-page fallback of the same 16 KiB with its reason.
# In words, the holder's line names the file.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs ext4
hold_device "$pmem"
pfn=$(pfn_of /mnt/data 8)
[ "$(pfn_of /mnt/data 11)" -eq $((pfn + 3)) ] || fail "pages 8..11 of /mnt/data not contiguous"
off=$(( pfn * 4096 - $(data_start "$pmem") ))

mfroute monitor --json --count 3 --timeout 60 --log /tmp/monitor.json &
monitor=$!
mfroute monitor --human --count 3 --timeout 60 --log /tmp/monitor.txt &
human=$!
sleep 2
answer $mf_inject "$pfn 4" >/dev/null
wait $monitor || fail "mfroute monitor --json exited $?"
wait $human || fail "mfroute monitor --human exited $?"
cat /tmp/monitor.json /tmp/monitor.txt
expect_match "event" "$(grep '"event":"mfroute_event"' /tmp/monitor.json)" \
	"\"offset\":$off,\"len\":16384,.*\"origin\":\"range\""
d=$(grep '"event":"mfroute_deliver"' /tmp/monitor.json)
expect_match "holder told" "$d" \
	"\"kind\":\"holder\",\"dev\":\"[0-9:]*\",\"name\":\"$pmem\",\"sector\":$((off / 512)),\"nr_sectors\":32,"
expect_match "holder: the file by FIEMAP" "$d" "\"path\":\"/mnt/data\",\"file_offset\":32768,"
expect_match "fallback" "$(grep '"event":"mfroute_fallback"' /tmp/monitor.json)" \
	"\"offset\":$off,\"len\":16384,"
expect_match "in words" "$(grep 'holder' /tmp/monitor.txt)" "/mnt/data"
run umount /mnt
