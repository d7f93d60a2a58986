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
# Proven:
#   - every reload and resume succeeded, and every injection answered
#     either "ok" or EBUSY (the per-page answer for pages nobody maps);
#   - the race happened: the number of injections during which a table
#     swap completed is > 0;
#   - pmem0's holder was told of every injection exactly once, at its
#     offset, length and flags (0x20);
#   - every event flip's holder received is a whole injected range
#     translated under layout A (offset p) or under layout B (offset
#     p - S*512), flags 0x20, no injection twice, so at most 100 events.
#     S*512 is not a multiple of the 16 KiB stride, so an A offset is
#     never a B offset and a torn or stale translation shows;
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

# flip's holder: whole ranges under A or B, each injection at most once.
used=' ' na=0 nb=0 bad=0
for e in $(holder_events_of "$flip" | sed 's/^dev=[0-9:]* offset=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) flags=\(0x[0-9a-f]*\)$/\1,\2,\3/'); do
	o=$(( ${e%%,*} )) rest=${e#*,}
	l=$(( ${rest%%,*} )) f=${rest#*,}
	i=
	if [ $(( (o - p0) % 16384 )) -eq 0 ] && [ $o -ge $p0 ]; then
		i=$(( (o - p0) / 16384 )) na=$((na + 1))
	elif [ $(( (o - p0 + shift_bytes) % 16384 )) -eq 0 ] && [ $o -ge $((p0 - shift_bytes)) ]; then
		i=$(( (o - p0 + shift_bytes) / 16384 )) nb=$((nb + 1))
	fi
	if [ -z "$i" ] || [ "$i" -ge $n ] || [ $l -ne 16384 ] || [ "$f" != 0x20 ]; then
		[ $bad -lt 10 ] && echo "bad event: offset=$(printf '%#x' $o) len=$(printf '%#x' $l) flags=$f"
		bad=$((bad + 1))
		continue
	fi
	case $used in *" $i "*)
		[ $bad -lt 10 ] && echo "injection $i told twice"
		bad=$((bad + 1)) ;;
	esac
	used="$used$i "
done
echo "flip's holder: $na events under layout A, $nb under layout B"
expect_eq "flip's holder: events that are no whole translated injection" $bad 0
expect_match "flip's holder: events <= injections" "$((na + nb))" \
	"^([0-9]|[1-9][0-9]|100)\$"

expect_eq "per-page actions: the injected pfns, once each" "$(witness_pfn_span)" \
	"first=$pfn0 last=$((pfn0 + 4 * n - 1)) distinct=$((4 * n)) total=$((4 * n))"
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 0
cat $ledger
expect_ledgers_ok
echo 0 >$holder/delay
echo 1 >$holder/unregister
dmsetup remove flip 2>/dev/null || fail "dmsetup remove flip"
