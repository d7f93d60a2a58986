#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Allocation failures on the routing path lose nothing.  xfs (rmapbt, DAX)
# on pmem with four 4 MiB files, each mapped by a background process
# (early kill on), and the sample holder registered on the pmem.  Then
# failslab is restricted to mfroute's own allocations and made to fail
# every one of them:
#
#   require-start/-end  mfroute's text (/sys/module/mfroute/sections)
#   stacktrace-depth 8  mfroute's frame within 8 frames of the allocation:
#                       its own allocations, not those of the filesystem,
#                       mm or kmemleak it calls into (which are deeper)
#   reject-start/-end   memory_failure_range()'s text: the inject file is
#                       mfroute's too, and what memory_failure_range() and
#                       the pmem driver below it allocate is not the
#                       router's
#   probability 100, ignore-gfp-wait N, verbose 1, times 1000000000 (as
#   good as -1, and what is left says how many allocations were failed:
#   failures of __GFP_NOWARN allocations are not logged)
#
# and a seeded random storm hits the files: 48 ranged failures (inject
# file, 1-16 pages, disjoint: 8-page gaps at least) and 48 per-page
# failures (hwpoison-inject corrupt-pfn, anywhere in the files, some of
# them inside ranges already delivered).  With failslab off again:
#
#   - failslab did fail allocations of mfroute (a ledger with no fixed
#     capacity allocates for new ranges; if none was failed, the storm
#     proved nothing);
#   - every injection answered "ok" (file pages: xfs or the per-page
#     path handles them; an absorbed repeat answers as upstream);
#   - nothing was lost: every page of every ranged failure was told to
#     xfs or handled by the per-page path (one memory_failure() action),
#     and every per-page failure logged its memory_failure() action;
#   - the ledger balances (check=ok) and shows what the failed
#     allocations cost: deliveries it could not remember (relayed: a
#     repeat there is told again) and holders it could not tell (holder
#     errors); a pass needs no memory to route a range it knows nothing
#     of;
#   - every mapping process got SIGBUS;
#   - no splat, no leak (kmemleak scans at the end).
. /lib/mfroute-test-lib.sh

# No spare ledger nodes kept ahead: failslab must reach the allocation
# a failure or a repair makes (src/store.rs).
run modprobe mfroute ledger_spares=0
run modprobe mfroute_holder
run modprobe hwpoison-inject
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
base=$(( $(data_start "$pmem") / 4096 ))
echo 1 >/proc/sys/vm/memory_failure_early_kill
rm -f /tmp/go
k=0
while [ $k -lt 4 ]; do
	make_file /mnt/f$k 4
	eval "pfn$k=$(pfn_of /mnt/f$k 0)"
	eval "p=\$pfn$k"
	expect_eq "file $k contiguous" $(( $(pfn_of /mnt/f$k 1023) - p )) 1023
	dax-probe hold /mnt/f$k /tmp/go >/tmp/h$k.out &
	eval "probe$k=$!"
	k=$((k + 1))
done
for k in 0 1 2 3; do
	for i in $(seq 100); do grep -q holding /tmp/h$k.out && break; sleep 0.1; done
	grep -q holding /tmp/h$k.out || fail "dax-probe did not map /mnt/f$k"
done
hold_device "$pmem"

failslab_arm
corrupt=/sys/kernel/debug/hwpoison/corrupt-pfn

rand_seed "${SEED:-$(date +%s)}"
rm -f /tmp/ranged /tmp/answers
witness_start
failslab_set 100
k=0 next0=0 next1=0 next2=0 next3=0
while [ $k -lt 96 ]; do
	f=$((k % 4))
	eval "p=\$pfn$f next=\$next$f"
	if [ $((k / 4 % 2)) -eq 0 ]; then
		# Ranged: 1-16 pages, after an 8-page gap at least.
		rand 16; n=$((r + 1))
		rand 24; first=$((next + 8 + r))
		[ $((first + n)) -le 1024 ] || first=$next n=0
		if [ $n -gt 0 ]; then
			echo "ranged $((p + first)) $n $(answer $mf_inject "$((p + first)) $n")" >>/tmp/answers
			seq $((p + first)) $((p + first + n - 1)) >>/tmp/ranged
			eval "next$f=$((first + n))"
		fi
	else
		rand 1024
		echo "page $((p + r)) $(answer $corrupt $((p + r)))" >>/tmp/answers
	fi
	k=$((k + 1))
done
failslab_set 0
forced=$(failslab_failed)
touch /tmp/go
for k in 0 1 2 3; do
	eval "wait \$probe$k"
done

echo "allocations failed: $forced"
expect_match "failslab failed allocations of mfroute" "$forced" '^[1-9][0-9]*$'
expect_eq "injections not answered ok" "$(grep -v ' ok$' /tmp/answers)" ""
echo "ranged failures: $(grep -c '^ranged' /tmp/answers) ($(grep -c . /tmp/ranged) pages)," \
	"per-page failures: $(grep -c '^page' /tmp/answers)"
witness_fs_pfns "$base" >/tmp/told
witness memory_failure_event | sed -n 's/^pfn 0x\([0-9a-f]*\): .*/\1/p' |
	while read -r x; do echo $((0x$x)); done >/tmp/perpage
lost=$(awk 'FILENAME != "/tmp/ranged" { seen[$1] = 1; next } !seen[$1]' \
	/tmp/told /tmp/perpage /tmp/ranged | head -n 10)
expect_eq "ranged pages neither told to xfs nor handled per page" "$lost" ""
expect_eq "per-page failures without their memory_failure() action" \
	"$(sed -n 's/^page \([0-9]*\) .*/\1/p' /tmp/answers | sort | uniq -c |
		awk 'NR == FNR { n[$2] = $1; next } { m[$1]++ }
			END { for (p in n) if (m[p] < n[p]) print p }' - /tmp/perpage)" ""
cat $ledger
expect_ledgers_ok
expect_match "ledger relayed" "$(ledger_field "$pmem" relayed)" '^[1-9][0-9]*/[1-9][0-9]*$'
expect_match "holder errors" "$(ledger_field "$pmem" holder_errors)" '^[1-9][0-9]*$'
for k in 0 1 2 3; do
	expect_match "mapping process $k" "$(tail -n 1 /tmp/h$k.out)" '^sigbus code=BUS_MCEERR_A[OR] '
done
echo 1 >$holder/unregister
run umount /mnt
