#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Tables reloaded while failures are routed.  A dm-linear device "flip" of
# L sectors over pmem0 flips between two overlapping layouts, A (pmem0
# from sector 0) and B (pmem0 from sector S = L/2 + 8), with
# "dmsetup reload" + "dmsetup resume" in a loop, while 100 ranged
# failures of 4 pages each (inject file) hit adjacent pmem0 ranges inside
# the overlap [S, L), which both layouts map.  The sample holder, slowed
# to 1 ms per callback to widen the windows, is registered on pmem0 and
# on flip.  No filesystem: every range also takes the per-page path.
#
# What each side did is read from kprobes, in one trace: dm_swap_table()
# entered and returned (the flipper's swaps: B, A, B, ... in turn), and
# the sample holder's callback called (which device, offset, length,
# flags).  Proven:
#   - every reload and resume succeeded, and every injection answered
#     either "ok" or EBUSY (the per-page answer for pages nobody maps);
#   - the race happened: the number of injections during which a table
#     swap completed is > 0, and so is the number of swaps;
#   - pmem0's holder was told of every injection exactly once, at its
#     offset, length and flags (0x20);
#   - flip's holder was told of every injection, each time as a whole
#     range under layout A (offset p) or B (offset p - S*512), flags 0x20
#     (S*512 is not a multiple of the 16 KiB stride, so an A offset is
#     never a B offset and a torn translation shows), and the last time
#     under the table live when it was told (or one being swapped in
#     then): a translation found stale is delivered again under the new
#     table, never left as the last word;
#   - nothing lost: exactly the 400 injected pfns got one per-page
#     memory_failure() action each; every ledger balances; no splat.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
L=$(( $(sectors "$pmem") / 2 / 4096 * 4096 ))
S=$(( L / 2 + 8 ))
shift_bytes=$(( S * 512 ))
[ $(( shift_bytes % 16384 )) -ne 0 ] || fail "layouts shifted by a multiple of the stride"
table_a="0 $L linear /dev/$pmem 0"
table_b="0 $L linear /dev/$pmem $S"
dm_create flip "$table_a"
flip=$dm
hold_device "$pmem"
hold_device "$flip"
echo 1 >$holder/delay || fail "slow the sample holder down"
witness_holder_probe
witness_probe 'p:mfrtest/dm_swap dm_swap_table'
witness_probe 'r:mfrtest/dm_swapped dm_swap_table'
flip_dev=$(kdev "$flip")

n=100
p0=$(( shift_bytes + 1048576 ))	# pmem0 byte offset of range 0
base=$(( $(data_start "$pmem") / 4096 ))
pfn0=$(( base + p0 / 4096 ))
[ $(( (p0 + n * 16384) / 512 )) -le "$L" ] || fail "ranges past layout A"

# The flipper: swap tables until told to stop, counting completed swaps
# in /tmp/gen and every failed command in /tmp/flip.err.
rm -f /tmp/stop /tmp/flip.err
echo 0 >/tmp/gen
(
	set_table() {
		echo "$1" | dmsetup reload flip 2>/dev/null ||
			echo "reload ($2) failed: $?" >>/tmp/flip.err
		dmsetup resume flip 2>/dev/null ||
			echo "resume ($2) failed: $?" >>/tmp/flip.err
		bump /tmp/gen
	}
	while [ ! -e /tmp/stop ]; do
		set_table "$table_b" B
		set_table "$table_a" A
	done
) &
flipper=$!
for i in $(seq 100); do [ "$(counter /tmp/gen)" -gt 0 ] && break; sleep 0.1; done

witness_start
inject_during_churn "$n" "$pfn0"
wait $flipper
echo "table swaps: $(counter /tmp/gen); injections answered EBUSY: $busy"
expect_eq "every reload and resume succeeded" "$(cat /tmp/flip.err 2>/dev/null)" ""
expect_match "injections during a table swap" "$overlapped" '^[1-9][0-9]*$'

# pmem0's holder: each injection once, at its offset.
want=$(i=0; while [ $i -lt $n ]; do
	printf 'dev=%s offset=%#x len=0x4000 flags=0x20\n' \
		"$(cat /sys/class/block/$pmem/dev)" $((p0 + i * 16384))
	i=$((i + 1)); done)
got=$(holder_events_of "$pmem")
expect_eq "pmem0's holder events" "$(echo "$got" | grep -c .)" $n
expect_lines "pmem0's holder: each injection once, at its offset" \
	"$(echo "$got" | sort)" "$(echo "$want" | sort)"

# flip's holder, from the trace: swaps since witness_start alternate B,
# A, B, ... (the flipper starts with B over the initial A); a delivery is
# "live" when its offset is the injection's under the table live at its
# time, or under either one while a swap is in progress.
witness_timeline dm_swap dm_swapped holder_told >/tmp/timeline
verdict=$(awk -v dev="$flip_dev" -v p0="$p0" -v sh="$shift_bytes" -v n="$n" '
	$1 == "dm_swap" { swapping = 1; next }
	$1 == "dm_swapped" { swapping = 0; swaps++; next }
	$1 != "holder_told" { next }
	{
		for (k = 2; k <= NF; k++) { split($k, kv, "="); f[kv[1]] = kv[2] }
		if (f["dev"] != dev) next
		o = f["offset"] + 0; l = f["len"] + 0
		live = (swaps % 2) ? "B" : "A"
		if ((o - p0) % 16384 == 0 && o >= p0) { i = (o - p0) / 16384; t = "A" }
		else if ((o - p0 + sh) % 16384 == 0 && o >= p0 - sh) { i = (o - p0 + sh) / 16384; t = "B" }
		else { bad++; if (bad <= 10) print "bad offset " f["offset"] > "/dev/stderr"; next }
		if (i >= n || l != 16384 || f["flags"] != "0x20") {
			bad++; if (bad <= 10) print "bad event " $0 > "/dev/stderr"; next
		}
		told[i]++; tables[t]++
		last[i] = (t == live || swapping) ? "live" : "stale"
		if (t != live && !swapping) stale++
	}
	END {
		for (i = 0; i < n; i++) {
			if (!told[i]) { untold++; if (untold <= 10) print "injection " i " never told" > "/dev/stderr" }
			else if (last[i] != "live") { lastbad++; print "injection " i " last told stale" > "/dev/stderr" }
		}
		printf "swaps=%d A=%d B=%d stale=%d bad=%d untold=%d last_stale=%d\n", swaps, tables["A"], tables["B"], stale, bad, untold, lastbad
	}' /tmp/timeline)
echo "flip's holder: $verdict"
expect_match "table swaps seen by the trace" "$verdict" '^swaps=[1-9]'
expect_match "flip's holder: every event a whole translated injection, every injection told, last under the live table" \
	"$verdict" ' bad=0 untold=0 last_stale=0$'

expect_eq "per-page actions: the injected pfns, once each" "$(witness_pfn_span)" \
	"first=$pfn0 last=$((pfn0 + 4 * n - 1)) distinct=$((4 * n)) total=$((4 * n))"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 0
cat $ledger
expect_ledgers_ok
echo 0 >$holder/delay
echo 1 >$holder/unregister
dmsetup remove flip 2>/dev/null || fail "dmsetup remove flip"
