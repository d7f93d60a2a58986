#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A removal is never recorded as poison.  xfs (rmapbt, DAX) on pmem with a
# 4 MiB file and the sample holder on the pmem; 32 pages under the file
# are announced about to be removed ("PFN 32 pre_remove" to the inject
# file, memory_failure_range() with MF_MEM_PRE_REMOVE):
#
#   - the write succeeds; the sample holder is told once, of the range at
#     its pmem offset, with the removal flag (0x80; the inject file also
#     sets MF_SW_SIMULATED, so 0xa0 is what it gives); xfs is told once,
#     the same, and does what upstream xfs does on any pre-remove: logs
#     "about to be removed" and shuts down as for a forced unmount;
#     nothing goes per page;
#   - afterwards nothing is recorded as failed: the ledger lists no failed
#     range (it counts one pre-remove), the pmem's badblocks and
#     "ndctl list --media-errors" are empty; xfs unmounts and mounts again,
#     the pages read back through the file and a new DAX fault on them
#     works;
#   - a later poison of a page in that range (inject file, one page) is
#     delivered, not absorbed: the holder and xfs are told of that page
#     with flags 0x20, the ledger lists it as failed and absorbed nothing.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs xfs
hold_device "$pmem"
majmin=$(cat /sys/class/block/$pmem/dev)
pfn=$(pfn_of /mnt/data 16)
expect_eq "pages 16..47 contiguous" $(( $(pfn_of /mnt/data 47) - pfn )) 31
off=$(( pfn * 4096 - $(data_start "$pmem") ))

dmesg -c >/dev/null
witness_start
expect_eq "removal announcement" "$(answer $mf_inject "$pfn 32 pre_remove")" ok
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_match "holder told of the removal" "$events" \
	"^dev=$majmin offset=$(printf '%#x' $off) len=0x20000 flags=0x[8a]0\$"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 1
expect_match "what the filesystem was told" "$(witness_fs)" \
	"offset=$(printf '%#x' $off) len=0x20000 flags=0x[8a]0\$"
expect_eq "xfs: about to be removed" "$(xfs_said 'about to be removed' | grep -c .)" 1
expect_eq "xfs: forced unmount" "$(xfs_said 'User initiated shutdown' | grep -c .)" 1
expect_mf_actions "removal" 0
expect_per_page "removal" 0

cat $ledger
expect_eq "ledger: nothing failed" "$(ledger_failed "$pmem")" ""
expect_eq "ledger pre_remove" "$(ledger_field "$pmem" pre_remove)" 1
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 0/0
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
expect_eq "badblocks" "$(cat /sys/block/$pmem/badblocks)" ""
expect_eq "ndctl media errors" \
	"$(ndctl list -n "$ns" --media-errors | grep -c -e badblock -e '"offset"')" 0
run umount /mnt
mount -o dax "/dev/$pmem" /mnt || fail "mount xfs again"
expect_match "file page reads back" "$(xfs_io -c 'pread 81920 4096' /mnt/data 2>&1 | head -n 1)" \
	'read 4096/4096 bytes'
expect_eq "new DAX fault on it" "$(dax-probe touch /mnt/data 20)" ok

witness_start
expect_eq "later poison of page 20" "$(answer $mf_inject "$((pfn + 4)) 1")" ok
off20=$(printf '%#x' $((off + 4 * 4096)))
events=$(tail -n +2 $holder/events)
echo "$events"
expect_eq "holder told of the poison" "$events" \
	"dev=$majmin offset=$off20 len=0x1000 flags=0x20"
expect_fs_told "poison" "$off20" 0x1000 0x20
expect_mf_actions "poison" 1
expect_per_page "poison" 0
cat $ledger
expect_eq "ledger: the page failed" "$(ledger_failed "$pmem")" "$off20+0x1000"
expect_eq "ledger absorbed" "$(ledger_field "$pmem" absorbed)" 0/0
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
run umount /mnt
echo 1 >$holder/unregister
