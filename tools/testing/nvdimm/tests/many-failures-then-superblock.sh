#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# No ledger cap: xfs on a dm-linear concatenation of pmem0 and pmem1; 64
# scattered pages of one file fail, one event each (ranged inject of one
# page), then the page under the superblock (pmem0's first page, dm
# offset 0).  xfs is told of each, once, and shuts down for corrupt
# on-disk metadata at the last (the write of which fails with EUCLEAN,
# xfs's answer); nothing goes per page; the ledger holds the 64 ranges
# and counts the superblock page as a holder error.  (Version 1 remembered 16 ranges per device and sent
# everything after to the per-page path, where dm-backed xfs never heard
# of the superblock.)
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
concat_pmems concat
mount_xfs_dax /dev/mapper/concat /mnt
make_file /mnt/data 4
dmesg -c >/dev/null
# The dm offset of a pfn of pmem0 or pmem1 (the file may span both).
b0=$(( $(data_start "$p0") / 4096 )) b1=$(( $(data_start "$p1") / 4096 ))
dm_off() {
	if [ "$1" -ge "$b1" ]; then echo $(( (s0 * 512) + ($1 - b1) * 4096 ))
	else echo $(( ($1 - b0) * 4096 )); fi
}
witness_start
want=
for i in $(seq 0 63); do
	pfn=$(pfn_of /mnt/data $((i * 2 + 1)))
	want="$want$(printf 'offset=%#x len=0x1000 flags=0x20' "$(dm_off $pfn)")
"
	run sh -c "echo '$pfn 1' >$mf_inject"
done
expect_lines "64 pages told, each once, at its dm offset" "$(witness_fs)" \
	"$(printf '%s' "$want")"
expect_eq "xfs took each" "$(witness fs_done | grep -c ' ret=0$')" 64
expect_eq "xfs still up" "$(xfs_said 'Shutting down' | grep -c .)" 0
# xfs answers EUCLEAN (corrupt metadata), which the write returns, as
# memory_failure() would.
expect_eq "superblock page" "$(answer $mf_inject "$(( $(data_start "$p0") / 4096 )) 1")" \
	"Structure needs cleaning"
expect_eq "superblock told" "$(witness_fs | tail -n 1)" \
	"offset=0x0 len=0x1000 flags=0x20"
expect_mf_actions "65 events" 65
expect_per_page "65 events" 0
expect_eq "xfs shut down for corrupt metadata" "$(xfs_said "$xfs_corrupt_ondisk" | grep -c .)" 1
r0=$(ledger_field "$p0" delivered) r1=$(ledger_field "$p1" delivered)
# pmem1 is not in the ledger if no failure reached it.
r1=${r1:-0/0}
expect_eq "ledger ranges delivered" $(( ${r0%/*} + ${r1%/*} )) 64
expect_eq "ledger bytes delivered" $(( ${r0#*/} + ${r1#*/} )) $((64 * 4096))
# Not a success: not remembered, a new failure there is told again.
expect_eq "ledger errors" "$(ledger_field "$p0" errors)" 1/4096
expect_ledgers_ok
umount /mnt 2>/dev/null
exit 0
