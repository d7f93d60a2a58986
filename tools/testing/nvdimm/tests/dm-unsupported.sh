#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unsupported dm targets: only an unsupported target that overlaps the
# failed range causes a fallback, and only for its part.  pmem0 is split
# in two mapped devices: "lin", dm-linear over its first half, with xfs
# (rmapbt, DAX) and a file, and "flaky", dm-flakey over its second half
# (always up; the router cannot translate through flakey), with nothing on
# it.  The sample holder is registered on lin and on pmem0.
#
#   1. A page of the file on lin is poisoned with madvise(MADV_HWPOISON):
#      xfs is told once, at its lin offset, flags 0x23; no generic per-page
#      handling, one memory_failure() action; SIGBUS; lin's and pmem0's
#      holders told once.  flaky maps other pmem0 pages: it does not stop
#      the routing to lin.
#   2. One page in flaky's half is reported failed (inject file): that
#      page, and only it, takes the per-page path (one action, one generic
#      handling; nothing maps it, so the answer is EBUSY); no filesystem
#      call, lin's holder is not told, pmem0's holder is told once.
#   3. A range of 4 pages across the boundary (2 on lin, 2 on flaky): xfs
#      and lin's holder are told once of lin's 2 pages (the end of lin:
#      free space for xfs), pmem0's holder once of all 4, and exactly
#      flaky's 2 pages go per page (answer EBUSY).
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe dm-flakey
run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
total=$(sectors "$pmem")
half=$(( total / 2 / 4096 * 4096 ))
dm_create lin "0 $half linear /dev/$pmem 0"
lin=$dm
dm_create flaky "0 $((total - half)) flakey /dev/$pmem $half 1 0"
mount_xfs_dax /dev/mapper/lin /mnt
make_file /mnt/data 4
hold_device "$lin"
hold_device "$pmem"
lin_dev=$(cat /sys/class/block/$lin/dev)
pmem_dev=$(cat /sys/class/block/$pmem/dev)
base=$(( $(data_start "$pmem") / 4096 ))

# 1. A file page on lin (lin maps pmem0 from 0: same offsets).
off=$(printf '%#x' $(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") )))
witness_start
expect_eq "1: process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "1: lin page" "$off" 0x1000 0x23
expect_mf_actions "1: lin page" 1
expect_per_page "1" 0
events=$(cat $holder/events)
echo "$events"
expect_eq "1: holder calls" "$(echo "$events" | grep -c .)" 2
expect_eq "1: lin's holder" "$(holder_events_of "$lin")" \
	"dev=$lin_dev offset=$off len=0x1000 flags=0x23"
expect_eq "1: pmem0's holder" "$(holder_events_of "$pmem")" \
	"dev=$pmem_dev offset=$off len=0x1000 flags=0x23"

# 2. One page of flaky's half, 1 MiB into it.
pfn=$(( base + half / 8 + 256 ))
before=$(grep -c . $holder/events)
witness_start
expect_eq "2: answer (per-page path, nobody maps it)" "$(answer $mf_inject "$pfn 1")" \
	"$per_page_busy"
expect_eq "2: per-page actions: that page" "$(witness_pfn_span)" \
	"first=$pfn last=$pfn distinct=1 total=1"
expect_per_page "2" 1
expect_eq "2: filesystem notifications" "$(witness_count fs_notify)" 0
events=$(tail -n +$((before + 1)) $holder/events)
echo "$events"
expect_eq "2: only pmem0's holder told" "$events" \
	"dev=$pmem_dev offset=$(printf '%#x' $((half * 512 + 256 * 4096))) len=0x1000 flags=0x20"

# 3. Across the boundary.
pfn=$(( base + half / 8 - 2 ))
before=$(grep -c . $holder/events)
witness_start
expect_eq "3: answer (flaky's pages per page)" "$(answer $mf_inject "$pfn 4")" \
	"$per_page_busy"
expect_fs_told "3: lin's part" "$(printf '%#x' $((half * 512 - 8192)))" 0x2000 0x20
# memory_failure()'s records: one for the range's part xfs took (at its
# first page), one per page of flaky's.
expect_eq "3: memory_failure() records: the range, then flaky's 2 pages" "$(witness_pfn_span)" \
	"first=$pfn last=$((pfn + 3)) distinct=3 total=3"
expect_per_page "3" 2
events=$(tail -n +$((before + 1)) $holder/events)
echo "$events"
expect_eq "3: holder calls" "$(echo "$events" | grep -c .)" 2
expect_match "3: lin's holder, its part" "$events" \
	"^dev=$lin_dev offset=$(printf '%#x' $((half * 512 - 8192))) len=0x2000 flags=0x20\$"
expect_match "3: pmem0's holder, all 4 pages" "$events" \
	"^dev=$pmem_dev offset=$(printf '%#x' $((half * 512 - 8192))) len=0x4000 flags=0x20\$"
cat $ledger
expect_ledgers_ok
run umount /mnt
echo 1 >$holder/unregister
dmsetup remove lin 2>/dev/null || fail "dmsetup remove lin"
dmsetup remove flaky 2>/dev/null || fail "dmsetup remove flaky"
