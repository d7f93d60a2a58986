#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memory_failure_range() through mfroute's test-only inject file: 64 pages
# under a mapped xfs (rmapbt) file are reported as one range.  xfs is told
# once, of the whole 256 KiB, with MF_SW_SIMULATED; nothing goes per page;
# memory_failure()'s record of it is one memory_failure_event and one
# "recovery action for 64 dax pages" line for the range; xfs finds the
# owner through its rmap and signals the early-kill process mapping it.
# Malformed, empty, wrapping and non-pmem requests fail with EINVAL and
# a log line, and poison nothing.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
inject=$mf_inject
expect_eq "inject file is root write-only" "$(stat -c %a $inject)" 200

pmem_fs xfs
pfn0=$(pfn_of /mnt/data 0)
expect_eq "first 64 pages physically contiguous" $(( $(pfn_of /mnt/data 63) - pfn0 )) 63
off0=$(( pfn0 * 4096 - $(data_start "$pmem") ))

echo 1 >/proc/sys/vm/memory_failure_early_kill
hold_mapping /mnt/data
dmesg -c >/dev/null
witness_start
echo "$pfn0 64" >$inject || fail "ranged injection failed"
release_mapping
expect_match "holder process" "$seen" \
	'^sigbus code=BUS_MCEERR_AO page=([0-9]|[1-5][0-9]|6[0-3]) '
expect_fs_told "ranged" "$(printf '%#x' $off0)" 0x40000 0x20
expect_mf_actions "ranged" 1
expect_per_page "ranged" 0
log=$(dmesg)
echo "$log" | grep -E 'recovery action|inject:'
expect_eq "one recovery line for the range" \
	"$(echo "$log" | grep -c "$(printf '%#x-%#x' $pfn0 $((pfn0 + 63))): recovery action for 64 dax pages: Recovered")" 1

# Bad requests: EINVAL, a log line, nothing poisoned, ledger unchanged.
dmesg -c >/dev/null
witness_start
before=$(cat $ledger)
for req in "$pfn0 0" "18446744073709551615 2" "1 1" "$pfn0" "x y" \
	"$pfn0 1 sideways" "$pfn0 1 pre_remove extra"; do
	expect_refused "bad request" $inject "$req" 'Invalid argument'
done
expect_eq "rejections logged" "$(dmesg | grep -c 'mfroute: inject: ')" 7
expect_eq "nothing handled" "$(dmesg | grep -c 'Memory failure')" 0
expect_eq "filesystem not told" "$(witness_count fs_notify)" 0
expect_eq "ledger unchanged" "$(cat $ledger)" "$before"
run umount /mnt
run rmmod mfroute
