#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# memory_failure_range() through mfroute's test-only inject file: 64 pages
# under a mapped xfs (rmapbt) file are reported as one range.  xfs hears
# of it once (one "ranged failure" line, no per-page handling), finds the
# owner through its rmap and signals the early-kill process mapping it.
# Malformed, empty, wrapping and non-pmem requests get EINVAL and a log
# line, and poison nothing.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
inject=/sys/kernel/debug/mfroute/inject
expect_eq "inject file is root write-only" "$(stat -c %a $inject)" 200

fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
pfn0=$(dax-probe pfn /mnt/data 0 | sed -n 's/^pfn //p')
pfn63=$(dax-probe pfn /mnt/data 63 | sed -n 's/^pfn //p')
expect_eq "first 64 pages physically contiguous" $((pfn63 - pfn0)) 63

echo 1 >/proc/sys/vm/memory_failure_early_kill
dax-probe hold /mnt/data /tmp/go >/tmp/holder.out &
holder=$!
for i in $(seq 100); do grep -q holding /tmp/holder.out && break; sleep 0.1; done
dmesg -c >/dev/null

echo "$((pfn0)) 64" >$inject || fail "ranged injection failed"
touch /tmp/go
wait $holder
expect_match "holder process" "$(tail -n 1 /tmp/holder.out)" \
	'^sigbus code=BUS_MCEERR_AO page=([0-9]|[1-5][0-9]|6[0-3]) '
log=$(dmesg)
echo "$log" | grep -E 'ranged failure|inject:'
expect_eq "ranged failure lines" "$(echo "$log" | grep -c 'ranged failure: recovered')" 1
expect_eq "per-page dax recovery lines" "$(echo "$log" | grep -c 'recovery action for dax page')" 0

# Bad requests: EINVAL, a log line, nothing poisoned, ledger unchanged.
dmesg -c >/dev/null
before=$(cat /sys/kernel/debug/mfroute/ledger)
for req in "$((pfn0)) 0" "18446744073709551615 2" "1 1" "$((pfn0))" "x y" \
	"$((pfn0)) 1 sideways"; do
	if echo "$req" >$inject 2>/dev/null; then
		fail "request '$req' accepted"
	fi
	pass "request '$req' refused"
done
expect_eq "rejections logged" "$(dmesg | grep -c 'mfroute: inject: ')" 6
expect_eq "nothing handled" "$(dmesg | grep -c 'Memory failure')" 0
expect_eq "ledger unchanged" "$(cat /sys/kernel/debug/mfroute/ledger)" "$before"
run umount /mnt
run rmmod mfroute
