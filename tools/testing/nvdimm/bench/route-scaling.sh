#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 4G 4G 1G
# timeout: 3600
#
# Benchmark, not a test: what one event costs as the router's state grows.
# Two 4 GiB emulated NVDIMMs, each with xfs (rmapbt, DAX) and a 3 GiB
# preallocated file; every failure is reported in the file's largest
# extent, where xfs takes it (unwritten data: nothing to kill, no
# shutdown).
#
#   L  the ledger of pmem0 holds N = 10, 1,000, 100,000 disjoint failed
#      ranges (one page every other page); then 1,000 new one-page events
#      (delivered: one xfs call each) and up to 1,000 repeats of failed
#      pages (absorbed: no call) are timed, and the slab memory the ledger took
#      is printed.
#   H  N = 1, 100, 10,000 holders registered on pmem1 (the sample holder,
#      side by side, sharing the device equally); 1,000 one-page events,
#      each inside one registration, are timed (one holder call and one
#      xfs call each); then once more with a registration of the whole
#      device beside the 10,000 (two holder calls each).
#   D  N = 0, 1, 100, 1,000 mapped devices that have nothing to do with
#      the failing pmem (dm-linear, 4 KiB each, over a third pmem); 1,000
#      one-page events on pmem1 (xfs directly on it) are timed: dm is
#      asked only for the users of the failing pmem, never for every
#      mapped device.
#   U  a single-page memory_failure() (hwpoison-inject's corrupt-pfn) on
#      pmem1's file, with the module loaded, loaded with ledger_spares=0
#      and unloaded, in 12 alternating rounds of 128 distinct pages each,
#      each timed after a warm-up of 64 pages, on the guest's second CPU:
#      upstream tells xfs directly on a pmem too, so the difference is what
#      the router costs the common case.
#
# Per-event cost should grow like log N (rbtree lookups), not like N.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe hwpoison-inject
run modprobe mfroute
run modprobe mfroute_holder
# The regions by size: the 1 GiB one for D, the 4 GiB ones for the rest.
set -- $(for r in /sys/bus/nd/devices/region*; do
	echo "$(cat "$r/size") $(basename "$r")"
done | sort -n | awk '{ print $2 }')
small=$1
two_pmems "$2" "$3"
mkdir -p /mnt/a /mnt/b
mount_xfs_dax "/dev/$p0" /mnt/a
mount_xfs_dax "/dev/$p1" /mnt/b
# big_extent MOUNT: preallocate MOUNT/big and set $ext (pfn of the start
# of its largest extent) and $ext_pages (its length in pages).
big_extent() {
	local dev
	run xfs_io -f -c "falloc 0 3g" "$1/big"
	dev=$(awk -v m="$1" '$2 == m { sub("/dev/", "", $1); print $1 }' /proc/mounts)
	largest_extent "$1/big" "$dev"
	echo "$dev: largest extent of the file: $ext_pages pages from pfn $ext"
}
big_extent /mnt/a
b0=$ext
[ "$ext_pages" -ge 215000 ] || fail "extent of $ext_pages pages: too short"
big_extent /mnt/b
b1=$ext
[ "$ext_pages" -ge 94608 ] || fail "extent of $ext_pages pages: too short"
# Keep memory_failure()'s lines off the slow serial console; the guest
# init's copy of /dev/kmsg still sees every line for the check.
dmesg -n 1

us_per() { echo "$1 $2" | awk '{ printf "%.1f", $1 / $2 / 1000 }'; }
slab_kb() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }

echo "MFROUTE-BENCH route-scaling"
printf '%-10s %14s %16s %16s %14s\n' "ledger N" "ranges now" "new us/event" \
	"repeat us/event" "slab KiB"
have=0
slab0=$(slab_kb)
for n in 10 1000 100000; do
	out=$(mf-bench inject $((b0 + 2 * have)) $((n - have)) 2)
	[ "$(field "$out" errors)" = 0 ] || fail "filling the ledger: $out"
	have=$n
	new=$(mf-bench inject $((b0 + 2 * 100000 + 2 * 1000 * ${#n})) 1000 2)
	r=$(( n < 1000 ? n : 1000 ))
	rep=$(mf-bench inject $((b0 + 2 * (n - r))) "$r" 2)
	ranges=$(ledger_field "$p0" delivered | cut -d/ -f1)
	printf '%-10s %14s %16s %16s %14s\n' "$n" "$ranges" \
		"$(us_per "$(field "$new" elapsed_ns)" 1000)" \
		"$(us_per "$(field "$rep" elapsed_ns)" "$r")" "$(( $(slab_kb) - slab0 ))"
done
expect_ledgers_ok

printf '\n%-10s %16s %14s\n' "holders N" "us/event" "holder calls"
dev1=$(cat "/sys/class/block/$p1/dev")
size1=$(blockdev --getsize64 "/dev/$p1")
round=0
# holder_round LABEL: time 1,000 pages 256 KiB apart, each round 8 KiB
# further (never absorbed, never adjacent; each inside one of the side by
# side registrations), and print them as LABEL.
holder_round() {
	local before out
	before=$(holder_calls)
	round=$((round + 1))
	out=$(mf-bench inject $((b1 + 2 * round)) 1000 64)
	printf '%-10s %16s %14s\n' "$1" "$(us_per "$(field "$out" elapsed_ns)" 1000)" \
		"$(( $(holder_calls) - before ))"
}
for n in 1 100 10000; do
	echo 1 >$holder/unregister
	out=$(mf-bench register "$dev1" "$n" $(( size1 / n / 4096 * 4096 )))
	[ "$(field "$out" errors)" = 0 ] || fail "registering $n holders: $out"
	holder_round "$n"
done
# And one registration of the whole device beside the 10,000: a lookup
# must not visit every short registration within its length.
out=$(mf-bench register "$dev1" 1 "$size1")
[ "$(field "$out" errors)" = 0 ] || fail "registering the whole device: $out"
holder_round "10000+1"
echo 1 >$holder/unregister
expect_ledgers_ok

# D: pfns from b1 + 70,000, 2,000 a round, every other page.
fsdax_namespace "$small"
p2=$pmem
printf '\n%-10s %16s\n' "dm N" "us/event"
made=0
round=0
for n in 0 1 100 1000; do
	while [ $made -lt $n ]; do
		echo "0 8 linear /dev/$p2 $((made * 8))" | dmsetup create "unrelated$made" ||
			fail "dmsetup create unrelated$made"
		made=$((made + 1))
	done
	expect_eq "mapped devices" "$(dmsetup ls | grep -c '^unrelated')" $n
	out=$(mf-bench inject $((b1 + 70000 + 2000 * round)) 1000 2)
	[ "$(field "$out" errors)" = 0 ] || fail "events with $n mapped devices: $out"
	printf '%-10s %16s\n' "$n" "$(us_per "$(field "$out" elapsed_ns)" 1000)"
	round=$((round + 1))
done
run dmsetup remove_all
expect_ledgers_ok

# U: pfns from b1 + 80,000, 768 a round, every other page: loaded,
# loaded keeping no spare ledger nodes (ledger_spares=0: every new range
# allocates its node in memory_failure()), and unloaded.  Each is timed
# after lib.sh's warm_up (from b1 + 90,000, 384 a round): the first 128
# pages after a load took 1.5 times as long as the next 128
# (bench/single-page-profile.sh).  Rounds vary a lot under TCG, either
# way: three figures are printed, the ratio of the totals, the median of
# the rounds' ratios and the ratio of the modes' medians.
printf '\n%-10s %16s %16s %16s\n' "round" "loaded us/page" "spares=0 us/page" \
	"unloaded us/page"
loaded_ns=0 nospare_ns=0 unloaded_ns=0 ratios= los= uns=
# median: the median of the numbers on standard input.
median() {
	sort -n | awk '{ r[NR] = $1 } END { printf "%.4f", (r[int((NR + 1) / 2)] + r[int(NR / 2) + 1]) / 2 }'
}
for round in 0 1 2 3 4 5 6 7 8 9 10 11; do
	at=$((b1 + 80000 + 768 * round))
	warm=$((b1 + 90000 + 384 * round))
	warm_up $warm
	lo=$(taskset -c 1 mf-bench corrupt $at 128 2)
	[ "$(field "$lo" errors)" = 0 ] || fail "loaded round $round: $lo"
	run rmmod mfroute_holder
	run rmmod mfroute
	run modprobe mfroute ledger_spares=0
	warm_up $((warm + 128))
	ns=$(taskset -c 1 mf-bench corrupt $((at + 256)) 128 2)
	[ "$(field "$ns" errors)" = 0 ] || fail "ledger_spares=0 round $round: $ns"
	run rmmod mfroute
	warm_up $((warm + 256))
	un=$(taskset -c 1 mf-bench corrupt $((at + 512)) 128 2)
	[ "$(field "$un" errors)" = 0 ] || fail "unloaded round $round: $un"
	run modprobe mfroute
	run modprobe mfroute_holder
	printf '%-10s %16s %16s %16s\n' "$round" "$(us_per "$(field "$lo" elapsed_ns)" 128)" \
		"$(us_per "$(field "$ns" elapsed_ns)" 128)" "$(us_per "$(field "$un" elapsed_ns)" 128)"
	loaded_ns=$((loaded_ns + $(field "$lo" elapsed_ns)))
	nospare_ns=$((nospare_ns + $(field "$ns" elapsed_ns)))
	unloaded_ns=$((unloaded_ns + $(field "$un" elapsed_ns)))
	ratios="$ratios $(field "$lo" elapsed_ns)/$(field "$un" elapsed_ns)"
	los="$los $(field "$lo" elapsed_ns)" uns="$uns $(field "$un" elapsed_ns)"
done
printf '%-10s %16s %16s %16s\n' "all" "$(us_per $loaded_ns 1536)" "$(us_per $nospare_ns 1536)" \
	"$(us_per $unloaded_ns 1536)"
lo_med=$(echo "$los" | tr ' ' '\n' | grep . | median)
un_med=$(echo "$uns" | tr ' ' '\n' | grep . | median)
echo "loaded/unloaded: $(echo "$loaded_ns $unloaded_ns" | awk '{ printf "%.3f", $1 / $2 }')" \
	"(median of the rounds' ratios: $(echo "$ratios" | tr ' ' '\n' |
		awk -F/ 'NF == 2 { printf "%.4f\n", $1 / $2 }' | median | awk '{ printf "%.3f", $1 }');" \
	"ratio of the medians: $(echo "$lo_med $un_med" | awk '{ printf "%.3f", $1 / $2 }'))"
echo "spares=0/unloaded: $(echo "$nospare_ns $unloaded_ns" | awk '{ printf "%.3f", $1 / $2 }')"
umount /mnt/a
umount /mnt/b
