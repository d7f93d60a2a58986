#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# A holder that sleeps in its callback holds up nobody but the failure it
# is being told of (memory_failure() callers wait on mf_mutex, as upstream).
# The sample holder on pmem0 sleeps 5 s per call ("delay"); one page of
# pmem0 fails (ranged inject, in the background).  While it sleeps, the
# router answers: the debugfs ledger and the sysfs counters are read, and
# a holder is registered on pmem1 and the counters of pmem1 appear - all
# before the callback returns.  Unregistering then waits for the callback
# in progress: when it returns, the holder has recorded the event.
# (Version 1 called holders under its global mutex: every one of these
# waited for the sleeping holder.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
two_pmems
hold_device "$p0"
echo 5000 >$holder/delay
pfn=$(( $(data_start "$p0") / 4096 + 100 ))
(echo "$pfn 1" >$mf_inject) 2>/dev/null &
slow=$!
for i in $(seq 50); do grep -q "^$p0 " $ledger 2>/dev/null && break; sleep 0.1; done
sleep 1
kill -0 $slow 2>/dev/null || fail "the slow callback was not in progress"
run cat $ledger >/dev/null
run cat "/sys/kernel/mfroute/devices/$p0/stat" >/dev/null
hold_device "$p1"
[ -d "/sys/kernel/mfroute/devices/$p1" ] || fail "no sysfs directory for $p1"
if kill -0 $slow 2>/dev/null; then
	pass "ledger, counters and a registration went by the sleeping holder"
else
	fail "the slow callback ended before the others were done: they waited for it"
fi
echo 1 >$holder/unregister
expect_eq "event recorded when unregister returned" "$(holder_events_of "$p0" | grep -c .)" 1
wait $slow
echo 0 >$holder/delay
expect_ledgers_ok
