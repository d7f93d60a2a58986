#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Poison in an fsdax namespace's metadata area: the pfns between the
# namespace's physical start (/sys/bus/nd/devices/namespaceX.Y/resource)
# and its data start (the pfn device's resource, which is also
# /sys/block/pmemN/device/resource).  They hold the pfn info block and the
# memmap (map=dev); they belong to the device pagemap but are no data
# page, no block of the pmem disk, and nobody can be told of them as an
# offset.  memory_failure() says so itself (memory_failure_dev_pagemap():
# not pgmap_pfn_valid() -> -ENXIO, action "dax page: Failed").
#
# With xfs mounted on the pmem:
#
#   1. mfroute not loaded: hwpoison-inject's corrupt-pfn on a metadata pfn
#      answers ENXIO, memory_failure() logs one failed action for it, no
#      filesystem call, no generic per-page handling, no badblocks.  This
#      is upstream, recorded for comparison.
#   2. mfroute loaded, the sample holder on the pmem: the same, exactly
#      (same answer, same action text for its pfn), and no holder call,
#      no ledger event: the router never sees metadata pfns.
#   3. The inject file (memory_failure_range()) on metadata pfns: what a
#      platform reporting a bad range there would get, which is the
#      per-page answer, not EINVAL.  The inject file accepts any range of
#      an fsdax device pagemap (its metadata included: a platform's bad
#      range can cover it); memory_failure_range() hands a range that is
#      not all data pages to memory_failure() page by page.  So: ENXIO,
#      one failed action per page (1 page, then 4 pages ending at the
#      last metadata page: exactly those pfns), no holder or filesystem
#      call, no ledger event, no badblocks.
. /lib/mfroute-test-lib.sh

run modprobe hwpoison-inject
pmem_fs xfs
corrupt=/sys/kernel/debug/hwpoison/corrupt-pfn
first=$(( $(printf '%d' "$(cat /sys/bus/nd/devices/$ns/resource)") / 4096 ))
data=$(( $(data_start "$pmem") / 4096 ))
echo "$ns: metadata pfns $(printf '%#x' $first)..$(printf '%#x' $((data - 1)))"
[ $((data - first)) -ge 64 ] || fail "metadata area of $((data - first)) pages"

# failed_action PFN: the action memory_failure() logs for a metadata pfn.
failed_action() {
	printf 'pfn %#x: recovery action for dax page: Failed' "$1"
}

# 1. Upstream.
m1=$((first + 1))
witness_start
upstream=$(answer $corrupt $m1)
expect_eq "unloaded: corrupt-pfn answer" "$upstream" 'No such device or address'
expect_eq "unloaded: memory_failure() action" "$(witness memory_failure_event)" \
	"$(failed_action $m1)"
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "unloaded" 0
expect_eq "unloaded: badblocks" "$(cat /sys/block/$pmem/badblocks)" ""

# 2. The same with mfroute.
run modprobe mfroute
run modprobe mfroute_holder
hold_device "$pmem"
m2=$(( (first + data) / 2 ))
witness_start
expect_eq "loaded: corrupt-pfn answer, as unloaded" "$(answer $corrupt $m2)" "$upstream"
expect_eq "loaded: memory_failure() action, as upstream" \
	"$(witness memory_failure_event)" "$(failed_action $m2)"
expect_eq "loaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "loaded" 0
expect_eq "loaded: holder calls" "$(holder_calls)" 0
expect_eq "loaded: ledger events" "$(ledger_field "$pmem" events)" 0
expect_eq "loaded: badblocks" "$(cat /sys/block/$pmem/badblocks)" ""

# 3. The inject file: the per-page answer.
m3=$((m2 + 8))
witness_start
expect_eq "inject 1 metadata page" "$(answer $mf_inject "$m3 1")" \
	'No such device or address'
expect_eq "inject 1: memory_failure() action" "$(witness memory_failure_event)" \
	"$(failed_action $m3)"
witness_start
expect_eq "inject 4 metadata pages" "$(answer $mf_inject "$((data - 4)) 4")" \
	'No such device or address'
expect_eq "inject 4: one failed action per page" "$(witness_pfn_span)" \
	"first=$((data - 4)) last=$((data - 1)) distinct=4 total=4"
expect_eq "inject 4: all failed" "$(witness memory_failure_event | grep -c 'dax page: Failed$')" 4
expect_eq "inject: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "inject" 0
expect_eq "inject: holder calls" "$(holder_calls)" 0
cat $ledger
expect_eq "inject: ledger events" "$(ledger_field "$pmem" events)" 0
expect_eq "inject: badblocks" "$(cat /sys/block/$pmem/badblocks)" ""
expect_eq "xfs still reads its file" "$(dax-probe touch /mnt/data 0)" ok
run umount /mnt
echo 1 >$holder/unregister
