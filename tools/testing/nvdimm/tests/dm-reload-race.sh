#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# timeout: 600
#
# Tables reloaded while failures are routed.  A dm-linear device "flip" of
# L sectors over pmem0 flips between two overlapping layouts, A (pmem0
# from sector 0) and B (pmem0 from sector S = L/2 + 8), with
# "dmsetup reload" + "dmsetup resume" in a loop, while 100 ranged
# failures of 4 pages each (inject file) hit adjacent pmem0 ranges inside
# the overlap [S, L), which both layouts map.  The sample holder, slowed
# to 1 ms per callback, is registered on pmem0 and on flip; it is told
# from mfroute's notify work, after the routing.  A test dax holder
# (mfroute_dax_holder_test) holds flip as a filesystem would: it is told
# inside the routing, between the walk of flip's table and the check that
# the table is still live, and takes 50 ms to answer, as a filesystem's
# reverse-map walk would (it declines, -EOPNOTSUPP, so the ranges still
# take the per-page path): that is the window a reload hits.
#
# What each side did is read from kprobes, in one trace: dm_swap_table()
# entered and returned (the flipper's swaps, the table each makes live
# marked by the flipper), and the holders' callbacks (which device,
# offset, length, flags).  Proven:
#   - every reload and resume succeeded, and every injection answered
#     either "ok" or EBUSY (the per-page answer for pages nobody maps);
#   - the race happened: the number of injections during which a table
#     swap completed is > 0, and so is the number of swaps;
#   - pmem0's holder was told of every injection exactly once, at its
#     offset, length and flags (0x20);
#   - flip's holders, each, were told of every injection, each time as a
#     whole range under layout A (offset p) or B (offset p - S*512), flags 0x20
#     (S*512 is not a multiple of the 16 KiB stride, so an A offset is
#     never a B offset and a torn translation shows), and the last time
#     under the table live when it was told (or one being swapped in
#     then): a translation found stale is delivered again under the new
#     table, never left as the last word; and the dax holder was told
#     under a table that was swapped while it answered (the race
#     happened in the window), and each time told again after (the
#     translation was found stale and redone);
#   - nothing lost: exactly the 400 injected pfns got one per-page
#     memory_failure() action each; every ledger balances; no splat.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
run modprobe mfroute_dax_holder_test
daxh=/sys/kernel/debug/mfroute_dax_holder_test
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
echo "$(cat /sys/class/block/$flip/dev)" >$daxh/hold || fail "dax holder on flip"
echo 50 >$daxh/delay || fail "slow the dax holder down"
echo 95 >$daxh/answer || fail "the dax holder declines"
witness_holder_probe
witness_probe 'p:mfrtest/dax_told dax_holder_test_notify_failure offset=%dx:x64 len=%cx:x64 flags=%r8:x32'
witness_probe 'r:mfrtest/dax_done dax_holder_test_notify_failure'
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
		# Which table the next swap makes live, for the timeline.
		echo "mfrtest-table $2" >$tracing/trace_marker
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

# flip's holders, from the trace: swaps alternate the two tables, and the
# flipper marks the trace with the table its next resume makes live: the
# first mark after witness_start names the table of the swap after it,
# which gives every swap's table (and the one live before the first).  A
# delivery is "live" when its offset is the injection's under the table
# live at its time, or under either one while a swap is in progress.
# "raced": deliveries during which a swap completed (the holder's call
# and return, dax_told and dax_done, around a dm_swapped).
witness_timeline dm_swap dm_swapped holder_told dax_told dax_done tracing_mark_write >/tmp/timeline
cat >/tmp/stale.awk <<'AWK'
NR == FNR {
	if ($1 == "dm_swapped") s++
	if ($1 == "tracing_mark_write" && $2 == "mfrtest-table" && !mark) {
		mark = $3; at = s
	}
	next
}
FNR == 1 {
	if (!mark) { print "no table mark in the trace" > "/dev/stderr"; exit 1 }
	other = (mark == "A") ? "B" : "A"
	# Swap at + 1 made mark live: swap k made mark live when k - at is
	# odd, the other table when it is even (k = 0: before any).
	live = ((at % 2) == 1) ? mark : other
}
$1 == "dm_swap" { swapping = 1; next }
$1 == "dm_swapped" {
	swapping = 0; swaps++; live = (((swaps - at) % 2) == 1) ? mark : other
	if (answering) swapped = 1
	next
}
$1 == "dax_done" { if (swapped) { raced++; retell[cur] = 1 }; answering = 0; next }
$1 != ev { next }
{
	delete f
	for (k = 2; k <= NF; k++) { split($k, kv, "="); f[kv[1]] = kv[2] }
	if (dev != "" && f["dev"] != dev) next
	if (ev == "dax_told") { answering = 1; swapped = 0 }
	o = f["offset"] + 0; l = f["len"] + 0
	if ((o - p0) % 16384 == 0 && o >= p0) { i = (o - p0) / 16384; t = "A" }
	else if ((o - p0 + sh) % 16384 == 0 && o >= p0 - sh) { i = (o - p0 + sh) / 16384; t = "B" }
	else { bad++; if (bad <= 10) print ev ": bad offset " f["offset"] > "/dev/stderr"; next }
	if (i >= n || l != 16384 || f["flags"] != "0x20") {
		bad++; if (bad <= 10) print ev ": bad event " $0 > "/dev/stderr"; next
	}
	told[i]++; tables[t]++; cur = i; retell[i] = 0
	last[i] = (t == live || swapping) ? "live" : "stale"
	if (t != live && !swapping) stale++
}
END {
	for (i = 0; i < n; i++) {
		if (retell[i]) { unretold++; print ev ": injection " i " not told again after its table was swapped" > "/dev/stderr" }
		if (!told[i]) { untold++; if (untold <= 10) print ev ": injection " i " never told" > "/dev/stderr" }
		else if (last[i] != "live") { lastbad++; print ev ": injection " i " last told stale" > "/dev/stderr" }
	}
	printf "swaps=%d raced=%d unretold=%d A=%d B=%d stale=%d bad=%d untold=%d last_stale=%d\n", swaps, raced, unretold, tables["A"], tables["B"], stale, bad, untold, lastbad
}
AWK
verdict() { # EVENT [DEV]
	awk -v ev="$1" -v dev="${2:-}" -v p0="$p0" -v sh="$shift_bytes" -v n="$n" \
		-f /tmp/stale.awk /tmp/timeline /tmp/timeline
}
v=$(verdict holder_told "$flip_dev")
echo "flip's sample holder: $v"
expect_match "table swaps seen by the trace" "$v" '^swaps=[1-9]'
expect_match "flip's sample holder: every event a whole translated injection, every injection told, last under the live table" \
	"$v" ' bad=0 untold=0 last_stale=0$'
v=$(verdict dax_told)
echo "flip's dax holder: $v"
expect_match "flip's dax holder: a table swapped while it answered, and told again" "$v" ' raced=[1-9][0-9]* unretold=0 '
expect_match "flip's dax holder: every event a whole translated injection, every injection told, last under the live table" \
	"$v" ' bad=0 untold=0 last_stale=0$'

expect_eq "per-page actions: the injected pfns, once each" "$(witness_pfn_span)" \
	"first=$pfn0 last=$((pfn0 + 4 * n - 1)) distinct=$((4 * n)) total=$((4 * n))"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 0
cat $ledger
expect_ledgers_ok
echo 0 >$holder/delay
echo 1 >$holder/unregister
echo 1 >$daxh/release
dmsetup remove flip 2>/dev/null || fail "dmsetup remove flip"
