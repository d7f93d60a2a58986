#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# boot: nfit
# timeout: 600
#
# A write that clears routed poison, racing the unbinding of its
# namespace, must not leave work behind that runs on the freed device:
# with mfroute loaded, such a write notes the repair and queues pmem's
# route work to report it (100 ms later, in a batch), and the release of
# the device must cancel it, or wait for it, before the device is freed.
# On nfit_test, each round injects 8 blocks of poison (with notification:
# the platform finds them, pmem routes them), rewrites them through the
# block device (the write clears them) and unbinds the namespace at once,
# from one process (helpers/write-then-unbind.c).
#
# What happened is read from kprobes: dax_route_failure() returning
# DAX_FAILURE_ROUTED (1; it is called without a router too, and then
# returns NOT_ROUTED), pmem's route work running, pmem_release_disk(),
# and what disable_delayed_work_sync() returned there (true: a work was
# pending, and was cancelled), and the rewrite queueing the route work
# (queue_delayed_work_on() from the writing process, 100 ms: the repair's
# batching delay).  Proven, in up to 8 rounds:
#   - every rewrite succeeded, after its poison was routed;
#   - in some round the route work was pending when the device was
#     released, queued by the rewrite's repair after the work that routed
#     the poison had finished and the scrub was over: the race happened,
#     for the repair, and the release cancelled it;
#   - no KASAN report (a work running on the freed device would be one);
#   - with mfroute unloaded, as upstream: nothing is routed, and the route
#     work never runs.
. /lib/mfroute-test-lib.sh

nfit_namespace
witness_probe 'r:mfrtest/routed dax_route_failure verdict=$retval:u32'
echo 'verdict == 1' >$tracing/events/mfrtest/routed/filter || fail "filter routed"
witness_probe 'p:mfrtest/route_work pmem_route_work'
witness_probe 'r:mfrtest/route_done pmem_route_work'
witness_probe 'r:mfrtest/disabled disable_delayed_work_sync ret=$retval:u8'
witness_probe 'p:mfrtest/queued queue_delayed_work_on delay=%cx:u64'
echo 'delay == 25' >$tracing/events/mfrtest/queued/filter || fail "filter queued"
dev=$(basename "$(readlink "/sys/block/$pmem/device")")

# routed_and_done: the route work that routed the poison has finished.
routed_and_done() {
	witness_timeline routed route_done | awk '$1 == "routed" { r = 1 }
		$1 == "route_done" && r { d = 1 } END { exit !d }'
}

# round STATE: poison, rewrite it and unbind at once; sets $r_raced (the
# release cancelled a pending route work) and $r_repair (the rewrite
# queued one, after the mark).
round() {
	witness_start
	run ndctl inject-error --block=256 --count=8 "$ns"
	if [ "$1" = loaded ]; then
		wait_for 30 witnessed routed
		run ndctl wait-scrub nfit_test.0
		wait_for 10 routed_and_done
	fi
	echo mfrtest-write >$tracing/trace_marker || fail "trace_marker"
	out=$(write-then-unbind "/dev/$pmem" 131072 4096 \
		/sys/bus/nd/drivers/nd_pmem/unbind "$dev" 2>&1)
	expect_eq "$1: rewrite, then unbind" "$out" "wrote 4096 unbound $dev"
	r_raced=$(grep -c 'pmem_release_disk+.* <- disable_delayed_work_sync) ret=1' \
		$tracing/trace)
	r_repair=$(sed -n '/tracing_mark_write: mfrtest-write/,$p' $tracing/trace |
		grep -c '^ *write-then-unb.* queued: ')
	echo "$dev" >/sys/bus/nd/drivers/nd_pmem/bind || fail "$1: bind $dev"
	wait_for 10 test -b "/dev/$pmem"
}

round unloaded
expect_eq "unloaded: poison routed" "$(witness_count routed)" 0
expect_eq "unloaded: route work runs" "$(witness_count route_work)" 0
expect_eq "unloaded: a work pending at the release" "$r_raced" 0
expect_eq "unloaded: the rewrite queued a repair" "$r_repair" 0

run modprobe mfroute
raced=0 k=0
while [ $k -lt 8 ] && [ "$raced" = 0 ]; do
	k=$((k + 1))
	round loaded
	echo "round $k: a route work pending at the release: $r_raced," \
		"queued by the rewrite: $r_repair"
	raced=$r_raced
done
expect_eq "a route work pending at the release, cancelled" "$raced" 1
expect_eq "that work queued by the rewrite's repair" "$r_repair" 1
