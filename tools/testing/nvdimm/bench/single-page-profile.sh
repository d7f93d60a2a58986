#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 4G 4G
# timeout: 900
#
# Benchmark, not a test: where a single-page memory_failure() on xfs
# directly on pmem spends its time, with mfroute loaded and unloaded, in
# one boot (route-scaling's "U" rounds say how much; this says where).
# Rounds of 128 pages of a preallocated file (hwpoison-inject's
# corrupt-pfn, through mf-bench), loaded, unloaded, loaded, unloaded;
# for each, kprobe events count the calls a page makes (mutex_lock, or
# mutex_lock_nested on a lockdep kernel; kmalloc; printk; queue_work_on;
# ___ratelimit) and time, from entry to return, the functions on the path:
# memory_failure(), pmem's ->memory_failure(), dax_route_failure() (the
# router, when loaded: it calls the holder itself),
# dax_holder_notify_failure() and xfs_dax_notify_failure().  The probes
# cost time of their own (a few µs a hit under TCG): compare rounds, not
# these times with route-scaling's.
. /lib/mfroute-test-lib.sh

run modprobe hwpoison-inject
run modprobe mfroute
two_pmems
mkdir -p /mnt/b
mount_xfs_dax "/dev/$p1" /mnt/b
run xfs_io -f -c "falloc 0 1g" /mnt/b/big
largest_extent /mnt/b/big "$p1"
[ "$ext_pages" -ge 5000 ] || fail "no extent of 5,000 pages: $ext_pages"
first=$ext
# memory_failure()'s lines off the slow serial console.
dmesg -n 1

t=/sys/kernel/tracing
timed="memory_failure pmem_pagemap_memory_failure dax_route_failure
	dax_holder_notify_failure xfs_dax_notify_failure"
for f in $timed; do
	echo "p:prof/${f}_in $f" >>$t/kprobe_events || fail "kprobe on $f"
	echo "r:prof/${f}_out $f" >>$t/kprobe_events || fail "kretprobe on $f"
done
for f in mutex_lock mutex_lock_nested __kmalloc_noprof vprintk_emit \
	queue_work_on ___ratelimit; do
	# mutex_lock is a macro for mutex_lock_nested under lockdep.
	echo "p:prof/$f $f" >>$t/kprobe_events 2>/dev/null
done
echo 16384 >$t/buffer_size_kb

echo "MFROUTE-BENCH single-page-profile: 128 pages a round, per page"
# profile LABEL PFN: one round of 128 pages from PFN, every other page.
profile() {
	local out
	echo 0 >$t/tracing_on
	echo >$t/trace
	echo 1 >$t/events/prof/enable
	echo 1 >$t/tracing_on
	out=$(mf-bench corrupt "$2" 128 2)
	echo 0 >$t/tracing_on
	echo 0 >$t/events/prof/enable
	[ "$(field "$out" errors)" = 0 ] || fail "$1: $out"
	grep -v '^#' $t/trace | awk -v label="$1" -v ns="$(field "$out" elapsed_ns)" '
	{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) {
				us = substr($i, 1, length($i) - 1) * 1e6
				ev = $(i + 1)
				break
			}
		sub(":$", "", ev)
		if (ev ~ /_in$/) { f = ev; sub("_in$", "", f); start[f] = us; next }
		if (ev ~ /_out$/) {
			f = ev; sub("_out$", "", f)
			if (f in start) { total[f] += us - start[f]; n[f]++ }
			next
		}
		calls[ev]++
	}
	END {
		printf "%-10s %-28s %10.1f\n", label, "us/page (mf-bench)", ns / 128 / 1000
		for (f in total)
			printf "%-10s %-28s %10.1f\n", label, "us in " f, total[f] / n[f]
		for (e in calls)
			printf "%-10s %-28s %10.2f\n", label, "calls of " e, calls[e] / 128
	}' | sort
}
profile "loaded" "$first"
profile "loaded" $((first + 500))
run rmmod mfroute
profile "unloaded" $((first + 1000))
profile "unloaded" $((first + 1500))
run modprobe mfroute
warm_up $((first + 2000))
profile "loaded" $((first + 2500))
run rmmod mfroute
warm_up $((first + 3000))
profile "unloaded" $((first + 3500))
umount /mnt/b
