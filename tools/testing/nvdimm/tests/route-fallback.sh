#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fallback: a range that no filesystem with holder operations takes goes
# to the per-page path for exactly its pages, and registered holders are
# still told once.  ext4 -o dax registers no dax holder operations.  A
# background process maps a 4 MiB file (early kill on); 64 pages under it
# are reported failed at once through the inject file:
#
#   - the sample holder, registered on the pmem, is told once, of the
#     whole range, at its pmem offset, flags 0x20 (MF_SW_SIMULATED);
#   - no filesystem is told (there is no xfs);
#   - the per-page path handles exactly those 64 pages: one
#     memory_failure() action per pfn of the range (and none for any other
#     pfn), one generic fsdax handling per mapped page;
#   - the write succeeds (every page was handled) and the mapping process
#     gets SIGBUS inside the range;
#   - the ledger counts the range once as fallback (1 range, 262144
#     bytes: the per-page repeats the router itself asked for are not new
#     failures), lists no failed range (nothing was delivered) and
#     balances.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs ext4
hold_device "$pmem"
pfn=$(pfn_of /mnt/data 0)
expect_eq "first 64 pages contiguous" $(( $(pfn_of /mnt/data 63) - pfn )) 63
off=$(( pfn * 4096 - $(data_start "$pmem") ))

echo 1 >/proc/sys/vm/memory_failure_early_kill
hold_mapping /mnt/data
witness_start
expect_eq "ranged injection" "$(answer $mf_inject "$pfn 64")" ok
release_mapping
expect_match "mapping process" "$seen" \
	'^sigbus code=BUS_MCEERR_A[OR] page=([0-9]|[1-5][0-9]|6[0-3]) '

events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "holder event" "$events" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=$(printf '%#x' $off) len=0x40000 flags=0x20"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 0
expect_mf_actions "fallback" 64
expect_eq "per-page actions: the range's pfns, once each" "$(witness_pfn_span)" \
	"first=$pfn last=$((pfn + 63)) distinct=64 total=64"
expect_per_page "fallback" 64

cat $ledger
expect_eq "ledger fallback" "$(ledger_field "$pmem" fallback)" 1/262144
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 0/0
expect_eq "no failed range recorded" "$(ledger_failed "$pmem")" ""
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
run umount /mnt
echo 1 >$holder/unregister
