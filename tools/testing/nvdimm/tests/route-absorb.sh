#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Absorption: one ranged injection of 256 pages under an xfs file, then the
# same 256 pfns poisoned one by one through hwpoison-inject.  xfs and the
# sample holder are told once, of the range; every per-page repeat is
# answered from the ledger without a holder call or the generic per-page
# handling, yet looks to the caller as upstream (where xfs is told again):
# the write succeeds and memory_failure() logs its action for each page
# (its "recovery action" line and ras event), and a process touching an
# absorbed page gets its SIGBUS.  "mfroute monitor" reads the kernel's 256
# absorb records, and the reason each gives.  A range reaching into one
# delivered before is told of its new part only.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
run modprobe hwpoison-inject
pmem_fs xfs
hold_device "$pmem"
pfn=$(pfn_of /mnt/data 0)
expect_eq "first 256 pages contiguous" $(( $(pfn_of /mnt/data 255) - pfn )) 255
off=$(( pfn * 4096 - $(data_start "$pmem") ))

witness_start
echo "$pfn 256" >$mf_inject || fail "ranged injection"
expect_eq "holder calls after ranged event" "$(grep -c . $holder/events)" 1
expect_eq "ranged event" "$(cat $holder/events)" \
	"dev=$(cat /sys/class/block/$pmem/dev) offset=$(printf '%#x' $off) len=0x100000 flags=0x20"
expect_fs_told "ranged" "$(printf '%#x' $off)" 0x100000 0x20
expect_mf_actions "ranged" 1

witness_start
echo 1 >$tracing/events/mfroute/mfroute_absorb/enable || fail "enable mfroute_absorb"
i=0
while [ $i -lt 256 ]; do
	echo $((pfn + i)) >/sys/kernel/debug/hwpoison/corrupt-pfn ||
		fail "corrupt-pfn $((pfn + i))"
	i=$((i + 1))
done
cat $ledger
expect_eq "holder calls after 256 per-page events" "$(grep -c . $holder/events)" 1
expect_eq "filesystem notifications for the repeats" "$(witness_count fs_notify)" 0
expect_mf_actions "repeats" 256
expect_per_page "repeats" 0
expect_eq "recovered" "$(witness memory_failure_event | grep -c 'dax page: Recovered')" 256
expect_eq "ledger absorbed" "$(ledger_field "$pmem" absorbed)" 256/1048576
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/1048576
expect_eq "ledger events" "$(ledger_field "$pmem" events)" 257
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
# The kernel's own absorb lines, as the command reads them: each says why.
echo 0 >$tracing/events/mfroute/mfroute_absorb/enable
absorbs=$(grep ' mfroute_absorb: ' $tracing/trace | mfroute monitor --json --no-resolve --from -) ||
	fail "mfroute monitor --from the trace"
expect_eq "absorb records read by mfroute monitor, with their reason" \
	"$(echo "$absorbs" | grep -c '"event":"mfroute_absorb",.*"len_bytes":4096,"reason":"delivered_before"}$')" 256

# A process touching a page absorbed into the range is still signalled,
# as upstream signals it when xfs is told again: madvise(MADV_HWPOISON)
# is a failure "action required" for the accessing task.
witness_start
expect_eq "a process touching an absorbed page" "$(dax-probe poison /mnt/data 7)" \
	"sigbus code=BUS_MCEERR_AR page=7 offset=0x7000"
expect_eq "filesystem notifications for it" "$(witness_count fs_notify)" 0
expect_mf_actions "absorbed touch" 1
expect_eq "holder calls after the touch" "$(grep -c . $holder/events)" 1

# A range reaching from below into one delivered before: xfs is told of
# its new head only, and the rest is absorbed (the ledger finds the
# delivered range above the new range's start).
expect_eq "pages 290-315 contiguous" \
	$(( $(pfn_of /mnt/data 315) - $(pfn_of /mnt/data 290) )) 25
witness_start
echo "$((pfn + 300)) 16" >$mf_inject || fail "ranged injection at page 300"
expect_fs_told "range at page 300" "$(printf '%#x' $((off + 300 * 4096)))" 0x10000 0x20
witness_start
echo "$((pfn + 290)) 20" >$mf_inject || fail "ranged injection from page 290"
expect_fs_told "range from page 290 into it" \
	"$(printf '%#x' $((off + 290 * 4096)))" 0xa000 0x20
expect_eq "ledger check at the end" "$(ledger_field "$pmem" check)" ok
