#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# timeout: 600
#
# Mapped devices created and removed while failures are routed.  A
# background loop creates a dm-linear device "lin" over all of pmem0 and
# removes it again, over and over ("dmsetup create", "dmsetup remove"),
# while 100 ranged failures of 4 pages each (inject file) hit adjacent
# pmem0 ranges; the sample holder, slowed to 1 ms per callback, is
# registered on pmem0 itself.  Each routing walks up to lin when it
# exists, so walks and deliveries race lin's creation, its removal
# (kill_dax(), the pre-remove announcement) and its dax_device being
# freed.  No filesystem: every range also takes the per-page path.
#
# Proven:
#   - every create and remove succeeded, and every injection answered
#     "ok" or EBUSY (the per-page answer for pages nobody maps);
#   - the race happened: the number of injections during which a create
#     or remove completed is > 0;
#   - pmem0's holder was told of every injection exactly once, at its
#     offset, length and flags (0x20);
#   - nothing lost: exactly the 400 injected pfns got one per-page
#     memory_failure() action each; every ledger balances; no splat
#     (KASAN, lockdep, hung task: the walk holding a dying mapped device).
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
table="0 $(sectors "$pmem") linear /dev/$pmem 0"
hold_device "$pmem"
majmin=$(cat /sys/class/block/$pmem/dev)
echo 1 >$holder/delay || fail "slow the sample holder down"

n=100
p0=$(( 64 * 1048576 ))	# pmem0 byte offset of range 0
pfn0=$(( $(data_start "$pmem") / 4096 + p0 / 4096 ))

rm -f /tmp/stop /tmp/dm.err
echo 0 >/tmp/gen
(
	while [ ! -e /tmp/stop ]; do
		echo "$table" | dmsetup create lin 2>/dev/null ||
			echo "create failed: $?" >>/tmp/dm.err
		bump /tmp/gen
		dmsetup remove lin 2>/dev/null ||
			echo "remove failed: $?" >>/tmp/dm.err
		bump /tmp/gen
	done
) &
churn=$!
for i in $(seq 100); do [ "$(counter /tmp/gen)" -gt 0 ] && break; sleep 0.1; done

witness_start
inject_during_churn "$n" "$pfn0"
wait $churn
echo "creates and removes: $(counter /tmp/gen); injections answered EBUSY: $busy"
expect_eq "every create and remove succeeded" "$(cat /tmp/dm.err 2>/dev/null)" ""
expect_match "injections during a create or remove" "$overlapped" '^[1-9][0-9]*$'

want=$(i=0; while [ $i -lt $n ]; do
	printf 'dev=%s offset=%#x len=0x4000 flags=0x20\n' "$majmin" $((p0 + i * 16384))
	i=$((i + 1)); done)
got=$(cat $holder/events)
expect_eq "holder events" "$(echo "$got" | grep -c .)" $n
expect_lines "holder: each injection once, at its offset" "$(echo "$got" | sort)" \
	"$(echo "$want" | sort)"
expect_eq "per-page actions: the injected pfns, once each" "$(witness_pfn_span)" \
	"first=$pfn0 last=$((pfn0 + 4 * n - 1)) distinct=$((4 * n)) total=$((4 * n))"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 0
cat $ledger
expect_ledgers_ok
echo 0 >$holder/delay
echo 1 >$holder/unregister
dmsetup remove lin 2>/dev/null
true
