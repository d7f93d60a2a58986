#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# nvdimms: 4G 1G
# timeout: 600
#
# A memory failure that reaches a pmem after its release made it dead
# must not touch the dax_device, which the release then puts (and, with
# nothing else holding it, frees).  memory_failure_range() hands a range
# to the pagemap's owner a GiB at a time, under mf_mutex, and keeps the
# pagemap, and so the pmem_device, across the chunks: a namespace can be
# released between two chunks.
#
# pmem0 (4 GiB), nothing on it, nobody holding it: one ranged failure A
# of N pages ending at a GiB boundary, the next GiB and one page (three
# chunks).  Chunk 1's pages nobody takes: the router hands them back and
# they get the generic handling page by page, long enough to unbind pmem0
# meanwhile, and to start failure B, N pages of pmem1, which waits for
# mf_mutex.  Once chunk 1 is over, B takes mf_mutex before A's chunk 2 or
# chunk 3 (a mutex waiter that was passed over is handed the lock next),
# and holds it while its own pages get the generic handling: the release
# of pmem0 has time to make it dead and put its dax_device before A's
# next chunk.
#
# Read from kprobes, per process: pmem's ->memory_failure() and its
# return, and the calls into the dax core that would touch the
# dax_device (dax_route_failure(), dax_holder_notify_failure()).  Proven:
# a chunk of A came after the release made pmem0 dead (answered -ENXIO
# having called nothing); no chunk of A called dax_holder_notify_failure()
# but after dax_route_failure() declined it (as upstream, without a
# router); no KASAN report (the dax_device was freed seconds before).
# (No twin with mfroute unloaded: the ranged entry is reached through
# mfroute's inject file only; upstream has no ranged failure, and the
# same window for one page is too narrow to aim at.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
witness_probe 'p:mfrtest/pmem_mf pmem_pagemap_memory_failure pfn=%si:u64 nr=%dx:u64'
witness_probe 'r:mfrtest/pmem_mf_done pmem_pagemap_memory_failure ret=$retval:s32'
witness_probe 'p:mfrtest/generic memory_failure_pagemap_generic'
witness_probe 'p:mfrtest/dax_route dax_route_failure'
witness_probe 'p:mfrtest/dax_notify dax_holder_notify_failure'
two_pmems
dev=$(basename "$(readlink "/sys/block/$p0/device")")
gib=262144 # pages
n=65536
ds=$(( $(data_start "$p0") / 4096 ))
end=$(( ds + s0 / 8 ))
b1=$(( (ds + n + gib - 1) / gib * gib ))
b2=$((b1 + gib))
[ $((b2 + 1)) -le "$end" ] || fail "no two GiB boundaries $n pages into $p0"
bpfn=$(( $(data_start "$p1") / 4096 ))

witness_start
# Those with a record a page would overflow the trace.
for e in ras/memory_failure_event mfrtest/generic_kill; do
	echo 0 >$tracing/events/$e/enable || fail "$e off"
done
dmesg -n 1
(echo "$((b1 - n)) $((n + gib + 1))" >$mf_inject) 2>/tmp/a.err &
a=$!
wait_for 120 witnessed generic
(echo "$dev" >/sys/bus/nd/drivers/nd_pmem/unbind) &
unb=$!
(echo "$bpfn $n" >$mf_inject) 2>/tmp/b.err &
b=$!
wait $a
a_rc=$?
wait $b
b_rc=$?
wait $unb || fail "unbind $dev"
dmesg -n 7
echo "A: rc=$a_rc $(cat /tmp/a.err); B: rc=$b_rc $(cat /tmp/b.err)"

# The records of process A, in order, with chunk numbers.
sed -n -E "s/^ *.*-$a +\\[[0-9]+\\].* (pmem_mf|pmem_mf_done|dax_route|dax_notify): (\\([^)]*\\) ?)?/\\1 /p" \
	$tracing/trace | sed -e 's/ *$//' -e "s/^pmem_mf pfn=$((b1 - n)) nr=$n$/chunk 1/" \
	-e "s/^pmem_mf pfn=$b1 nr=$gib$/chunk 2/" -e "s/^pmem_mf pfn=$b2 nr=1$/chunk 3/" \
	>/tmp/a.timeline
cat /tmp/a.timeline
expect_eq "A: chunk 1, its pages handed back and busy" \
	"$(sed -n '1,3p' /tmp/a.timeline | tr '\n' ' ')" "chunk 1 dax_route pmem_mf_done ret=-16 "
expect_eq "A: three chunks" "$(grep -c '^chunk' /tmp/a.timeline)" 3
# Per chunk: what it called, and its answer.
awk '/^chunk/ { if (c) print c; c = $2 ":"; next } { c = c " " $0 } END { print c }' \
	/tmp/a.timeline | sed 's/ pmem_mf_done / /' >/tmp/a.chunks
cat /tmp/a.chunks
expect_match "A: a chunk after the release made pmem0 dead, answered at once" \
	"$(cat /tmp/a.chunks)" '^[23]: ret=-6$'
expect_eq "A: dax_holder_notify_failure() but after dax_route_failure()" \
	"$(grep -c '^[0-9]*: dax_notify' /tmp/a.chunks)" 0
