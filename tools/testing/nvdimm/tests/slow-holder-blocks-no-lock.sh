#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# A holder that sleeps in its callback holds up no memory failure and no
# lock: registered holders are told from mfroute's notify work, outside
# mf_mutex and every router lock.  The sample holder on pmem0 sleeps 5 s
# per call; one page of pmem0 fails (ranged inject).  What happened is read
# from kprobes on the holder's callback (entered, returned).  Proven:
#   - the injection returned while the callback was still sleeping;
#   - while it sleeps: a page of a file of the xfs on pmem1 is poisoned
#     (madvise: memory_failure() under mf_mutex, xfs told, the process
#     gets SIGBUS), the debugfs ledger and the sysfs counters are read, a
#     holder registers on pmem1 - all before the callback returns;
#   - unregistering the holder waits for the callback in progress: when it
#     returns, the callback has returned and the holder recorded the event.
# (Version 2 called holders under mf_mutex: the memory failure on pmem1
# waited 5 s for the sleeping holder of pmem0.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
two_pmems
mount_xfs_dax "/dev/$p1" /mnt
make_file /mnt/data 4
hold_device "$p0"
echo 5000 >$holder/delay
witness_holder_probe
witness_probe 'r:mfrtest/holder_done sample_notify_failure ret=$retval:s32'
witness_start
pfn=$(( $(data_start "$p0") / 4096 + 100 ))
# Nothing maps the page: the per-page path answers EBUSY, as upstream.
expect_refused "the slow holder's failure" $mf_inject "$pfn 1" "$per_page_busy"
wait_for 30 witnessed holder_told
expect_eq "the injection returned before the callback did" "$(witness_count holder_done)" 0
expect_eq "meanwhile, poison on pmem1's xfs" "$(dax-probe poison /mnt/data 2)" \
	"sigbus code=BUS_MCEERR_AR page=2 offset=0x2000"
expect_eq "meanwhile, xfs told" "$(witness_count fs_notify)" 1
run cat $ledger >/dev/null
run cat "/sys/kernel/mfroute/devices/$p0/stat" >/dev/null
hold_device "$p1"
[ -d "/sys/kernel/mfroute/devices/$p1" ] || fail "no sysfs directory for $p1"
expect_eq "all of it before the callback returned" "$(witness_count holder_done)" 0
echo 1 >$holder/unregister
expect_eq "the callback returned when unregister did" "$(witness_count holder_done)" 1
expect_eq "event recorded when unregister returned" "$(holder_events_of "$p0" | grep -c .)" 1
echo 0 >$holder/delay
expect_ledgers_ok
run umount /mnt
