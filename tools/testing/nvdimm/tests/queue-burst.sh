#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# nvdimms: 1G 1G
# timeout: 600
#
# The firmware-first queue drops nothing the router can take.  A platform
# that reports poison through GHES hands each page to
# memory_failure_queue(), whose per-CPU kfifo holds 16 until its work runs.
# 10,000 action-optional failures of the pages of a file on xfs (DAX) are
# queued from one CPU with preemption off, faster than the work drains
# them (mfroute_mf_queue_test.ko), as a patrol scrub of a failed DIMM
# reports them.
#
# Upstream first, with mfroute unloaded, on pmem1: the queue keeps 16 and
# drops the rest, one "buffer overflow" line each; HardwareCorrupted and
# ras:memory_failure_event count the 16 handled, and xfs's probe sees one
# call per page for them.
#
# With mfroute loaded, on pmem0: nothing is dropped, HardwareCorrupted
# counts all 10,000 pages, and xfs is told of all of them as one range
# (one per GiB of physical memory it spans), with no flags, at the file's
# place in the pmem; nothing goes per page, and pmem's badblocks list
# holds every sector.
#
# Then 100 more, with every allocation memory_failure_queue() makes
# failed (failslab): each page goes to the kfifo, as upstream, which
# keeps 16 and drops 84 with a line each; none is lost silently.
#
# Last, the module is unloaded while a burst it asked for is being
# routed: a dax holder on pmem0 (mfroute_dax_holder_test, holding it as
# a filesystem would) takes 2 s to answer.  rmmod starts while the holder
# is inside the call (the timeline of their probes shows it) and returns
# only after; every page of the burst is handled, and a burst after the
# unload takes upstream's path: the kfifo's 16 handled, each told to the
# holder directly, the rest dropped.
. /lib/mfroute-test-lib.sh

nr=10000

# big_file DIR: a 48 MiB file in DIR whose first $nr pages are contiguous;
# sets $file and $run_pfn.
big_file() {
	file=$1/big
	make_file "$file" 48
	contiguous "$file" $((nr + 100))
}

# all_bad SECTOR N: pmem0's badblocks list holds the N sectors from SECTOR.
all_bad() {
	[ "$(awk -v s="$1" -v n="$2" '$1 >= s && $1 < s + n { t += $2 }
		END { print t + 0 }' "/sys/block/$p0/badblocks")" = "$2" ]
}

fsdax_namespace region1
p1=$pmem
mount_xfs_dax "/dev/$p1" /mnt/u
big_file /mnt/u
queue_burst $run_pfn $nr
echo "upstream: dropped=$burst_dropped handled=$burst_handled actions=$burst_actions xfs_calls=$burst_fs_calls"
expect_eq "unloaded: every page dropped or handled" $((burst_dropped + burst_handled)) $nr
expect_eq "unloaded: the kfifo's 16 handled, the rest dropped" $burst_handled 16
expect_eq "unloaded: one action a page" $burst_actions $burst_handled
expect_eq "unloaded: xfs told page by page" "$burst_fs_calls $burst_fs_bytes" \
	"$burst_handled $((burst_handled * 4096))"
run umount /mnt/u

run modprobe mfroute
fsdax_namespace region0
p0=$pmem
mount_xfs_dax "/dev/$p0" /mnt
big_file /mnt
off=$(( run_pfn * 4096 - $(data_start "$p0") ))
# memory_failure_range() hands a range over a GiB (of pfns) at a time.
chunks=$(( (run_pfn % 262144 + nr + 262143) / 262144 ))
queue_burst $run_pfn $nr
echo "mfroute: dropped=$burst_dropped handled=$burst_handled actions=$burst_actions xfs_calls=$burst_fs_calls"
expect_eq "nothing dropped" $burst_dropped 0
expect_eq "every page handled" $burst_handled $nr
expect_eq "one action per range" $burst_actions $chunks
expect_eq "xfs told in ranges" "$burst_fs_calls $burst_fs_bytes" "$chunks $((nr * 4096))"
expect_eq "xfs told where the file is" \
	"$(witness_fs | head -n 1 | sed 's/ len=.*//')" "$(printf 'offset=%#x' $off)"
expect_eq "xfs told with no flags" "$(witness_fs | grep -vc ' flags=0x0$')" 0
expect_per_page "burst" 0
wait_for 30 all_bad $((off / 512)) $((nr * 8))
expect_ledgers_ok

fs=/sys/kernel/debug/failslab
symbol_range memory_failure_queue
echo 0 >$fs/probability || fail "failslab probability"
echo "$sym_start" >$fs/require-start || fail "failslab require-start"
echo "$sym_end" >$fs/require-end || fail "failslab require-end"
echo 0 >$fs/reject-start || fail "failslab reject-start"
echo 0 >$fs/reject-end || fail "failslab reject-end"
echo 8 >$fs/stacktrace-depth || fail "failslab stacktrace-depth"
echo 0 >$fs/verbose || fail "failslab verbose"
echo 1000000000 >$fs/times || fail "failslab times"
echo 100 >$fs/probability || fail "failslab probability"
queue_burst $((run_pfn + nr)) 100
echo 0 >$fs/probability
echo "no memory: dropped=$burst_dropped handled=$burst_handled xfs_calls=$burst_fs_calls"
expect_eq "no memory: every allocation failed" $((1000000000 - $(cat $fs/times))) 100
expect_eq "no memory: the kfifo's 16 handled, the rest dropped" \
	"$burst_handled $burst_dropped" "16 84"
expect_eq "no memory: xfs told page by page" "$burst_fs_calls $burst_fs_bytes" \
	"16 $((16 * 4096))"
run umount /mnt

run modprobe mfroute_dax_holder_test
daxh=/sys/kernel/debug/mfroute_dax_holder_test
echo "$(cat /sys/class/block/$p0/dev)" >$daxh/hold || fail "dax holder on $p0"
echo 2000 >$daxh/delay || fail "slow the dax holder down"
witness_probe 'p:mfrtest/dax_told dax_holder_test_notify_failure offset=%dx:x64 len=%cx:x64 flags=%r8:x32'
witness_probe 'r:mfrtest/dax_done dax_holder_test_notify_failure'
witness_probe 'p:mfrtest/unregister dax_unregister_failure_router'
witness_probe 'r:mfrtest/unregistered dax_unregister_failure_router'
pfn=$((run_pfn + nr + 100))
n=1000
kib0=$(hw_corrupted_kib)
witness_start
echo "$pfn $n" >$burst_queue || fail "queue $n failures from pfn $pfn"
wait_for 30 witnessed dax_told
rmmod mfroute &
unloader=$!
wait_for 30 witnessed unregister
wait $unloader || fail "rmmod mfroute during the routing"
expect_eq "unloading: rmmod entered while the holder was being told" \
	"$(witness_timeline dax_told dax_done unregister unregistered | cut -d' ' -f1 | tr '\n' ' ')" \
	"dax_told unregister dax_done unregistered "
expect_eq "unloading: the holder told of the burst once" "$(witness_args dax_told)" \
	"$(printf 'offset=%#x len=%#x flags=0x0' $((pfn * 4096 - $(data_start "$p0"))) $((n * 4096)))"
expect_eq "unloading: the module is gone" "$(grep -c '^mfroute ' /proc/modules)" 0
wait_for 30 hw_corrupted_reached $((kib0 + n * 4))
echo 0 >$daxh/delay || fail "the dax holder at full speed"
queue_burst $((pfn + n)) 100
echo "unloaded again: dropped=$burst_dropped handled=$burst_handled dax_told=$(witness_count dax_told)"
expect_eq "unloaded again: the kfifo's 16 handled, the rest dropped" \
	"$burst_handled $burst_dropped" "16 84"
expect_eq "unloaded again: the holder told page by page" "$(witness_count dax_told)" 16
echo 1 >$daxh/release || fail "release the dax holder"
