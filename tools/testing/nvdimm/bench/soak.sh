#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
# timeout: 10800
#
# Soak: random ranged and per-page failures over every kind of stack, in
# one boot, with everything accounted for.  Benchmark-style (figures on
# MFROUTE-BENCH lines), but it asserts the accounting and fails the boot
# when a page is lost; tests/soak-short.sh runs it shorter in make check.
#
# Four 1 GiB fsdax namespaces:
#
#   pmem0                          xfs                          (pmem)
#   pmem1p1 (first half of pmem1)  xfs                          (partition)
#   lin = pmem1p2 + half of pmem2  xfs                          (dm-linear)
#   stripe = rest of pmem2 +       xfs                          (dm-striped,
#            half of pmem3                                       64 KiB chunks)
#   top = linear on mid = linear   xfs                          (nested)
#         on the rest of pmem3
#
# Each xfs (rmapbt, DAX) holds one file of SOAK_FILE_MB MiB; the pfns
# behind the files are the targets (the filesystems' metadata is never
# hit, so no filesystem shuts down).  The sample holder is registered on
# every pmem and every mapped device.  A seeded generator (SEED, printed)
# then makes SOAK_INJECTIONS failures: 3 in 4 ranged (inject file,
# 1..SOAK_MAX_PAGES pages at a random place of a random file's pfns,
# overlapping earlier ones at random), 1 in 4 per-page (hwpoison-inject
# corrupt-pfn).  Asserted afterwards:
#
#   - every injection answered "ok": every page is a page of a file
#     whose xfs, directly or through the stacks, takes it (nothing has to
#     fall back; the per-page path would answer EBUSY for these pages,
#     which no process maps), and an absorbed repeat answers as upstream
#     does;
#   - nothing lost: on each pmem, the ledger's delivered + absorbed +
#     fallback bytes equal the bytes injected there, and every ledger
#     balances (check=ok);
#   - what xfs itself saw (its kprobe): every notification a whole page
#     range, none overlapping another told to the same filesystem (nobody
#     is told twice of a byte), and in all exactly the bytes delivered
#     (the ledgers' delivered bytes of the pmems): every delivered byte
#     reached a filesystem, once;
#   - and each xfs was told exactly the pages injected under it, at their
#     offsets in its own dax_device, computed here from the stacks'
#     geometry (partition start, linear offsets, stripe chunks), not from
#     mfroute's word; nothing went per page (dax_lock_folio());
#   - holder calls equal the ranges delivered: for each device, the sample
#     holder registered on it was called once per new part routed there,
#     i.e. delivered + fallback ranges of its ledger (absorbed parts cost
#     no call); in total too (the sample keeps the first 4096 events, so
#     with more only the total is checked);
#   - no sanitizer report (the harness fails the boot on any).
#
# Figures: injections, pages, holder calls, disjoint failed ranges, wall
# time of the injection loop.
. /lib/mfroute-test-lib.sh

n_inj=${SOAK_INJECTIONS:-10000}
max_pages=${SOAK_MAX_PAGES:-64}
file_mb=${SOAK_FILE_MB:-32}
name=${SOAK_NAME:-soak}

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
run modprobe hwpoison-inject
for r in 0 1 2 3; do
	fsdax_namespace region$r
	eval "pm$r=\$pmem"
done

# pmem1: two partitions, 2 MiB aligned.
s1=$(sectors "$pm1")
half1=$(( s1 / 2 / 4096 * 4096 ))
printf 'start=4096, size=%s\nstart=%s, size=%s\n' $((half1 - 4096)) "$half1" \
	$(( (s1 - half1) / 4096 * 4096 )) | sfdisk -q "/dev/$pm1" || fail "sfdisk $pm1"
for i in $(seq 50); do [ -b "/dev/${pm1}p2" ] && break; sleep 0.1; done
[ -b "/dev/${pm1}p2" ] || fail "no ${pm1}p2"
sp2=$(sectors "${pm1}p2")
half2=$(( $(sectors "$pm2") / 2 / 4096 * 4096 ))
half3=$(( $(sectors "$pm3") / 2 / 4096 * 4096 ))
dm_create lin "$(printf '0 %s linear /dev/%sp2 0\n%s %s linear /dev/%s 0\n' \
	"$sp2" "$pm1" "$sp2" "$half2" "$pm2")"
dm_lin=$dm
w=$(( ($(sectors "$pm2") - half2) / 128 * 128 ))
[ $(( half3 / 128 * 128 )) -lt $w ] && w=$(( half3 / 128 * 128 ))
dm_create stripe "0 $((2 * w)) striped 2 128 /dev/$pm2 $half2 /dev/$pm3 0"
dm_stripe=$dm
rest3=$(( $(sectors "$pm3") - half3 ))
dm_create mid "0 $rest3 linear /dev/$pm3 $half3"
dm_mid=$dm
dm_create top "0 $((rest3 - 2048)) linear /dev/mapper/mid 2048"
dm_top=$dm

mount_xfs_dax "/dev/$pm0" /mnt/a
mount_xfs_dax "/dev/${pm1}p1" /mnt/b
mount_xfs_dax /dev/mapper/lin /mnt/c
mount_xfs_dax /dev/mapper/stripe /mnt/d
mount_xfs_dax /dev/mapper/top /mnt/e
for m in a b c d e; do
	xfs_io -f -c "pwrite -q -b 1m 0 ${file_mb}m" -c fsync /mnt/$m/data ||
		fail "write /mnt/$m/data"
done

# pmem_of PFN: the pmem whose data area holds PFN.
pmem_of() {
	local p lo hi
	for p in "$pm0" "$pm1" "$pm2" "$pm3"; do
		lo=$(( $(data_start "$p") / 4096 ))
		hi=$(( lo + $(blockdev --getsize64 "/dev/$p") / 4096 ))
		if [ "$1" -ge "$lo" ] && [ "$1" -lt "$hi" ]; then
			echo "$p"
			return
		fi
	done
	fail "pfn $1 on no pmem"
}

# Target windows: pfn ranges behind the files, each on one pmem.
pages=$(( file_mb * 256 ))
nw=0
# Where its xfs is told of a page of each target: xfs is told offsets in
# its dax_device (a partition's xfs, pmem offsets; a mapped device's xfs,
# offsets in the mapped device).  For a linear target, page PFN is told
# as page PFN - BASE; for a member of the stripe set, by the chunk
# arithmetic (in the check below).
pg() { echo $(( $1 / 4096 )); }
ds0=$(pg "$(data_start "$pm0")") ds1=$(pg "$(data_start "$pm1")")
ds2=$(pg "$(data_start "$pm2")") ds3=$(pg "$(data_start "$pm3")")
p2s=$(( $(cat "/sys/class/block/${pm1}p2/start") / 8 ))
window() { # NAME PFN PAGES
	local p base
	p=$(pmem_of "$2")
	case $1 in
	a) base=$ds0 ;;
	b) base=$ds1 ;;
	c) if [ "$p" = "$pm1" ]; then base=$((ds1 + p2s)); else base=$((ds2 - sp2 / 8)); fi ;;
	e) base=$((ds3 + half3 / 8 + 2048 / 8)) ;;
	d*) if [ "$p" = "$pm2" ]; then base="s0 $((ds2 + half2 / 8))"; else base="s1 $ds3"; fi ;;
	esac
	eval "w_name$nw=$1 w_pfn$nw=$2 w_n$nw=$3 w_pmem$nw=$p w_base$nw=\"$base\""
	echo "target $nw: $1, pfns $(printf '%#x' "$2")+$3 on $p"
	nw=$((nw + 1))
}
for m in a b c e; do
	p=$(pfn_of /mnt/$m/data 0)
	expect_eq "/mnt/$m/data contiguous" $(( $(pfn_of /mnt/$m/data $((pages - 1))) - p )) \
		$((pages - 1))
	window "$m" "$p" $pages
done
# On the stripe set the file alternates members every 64 KiB chunk (16
# pages; both members' stripe areas start chunk-aligned): each member
# holds a contiguous part of it, from its first page there to its last.
chunk_off() { echo $(( ($1 - $(data_start "$(pmem_of "$1")") / 4096) % 16 )); }
pa=$(pfn_of /mnt/d/data 0)
pb=$(pfn_of /mnt/d/data $((16 - $(chunk_off "$pa"))))
la=$(pfn_of /mnt/d/data $((pages - 1)))
lb=$(pfn_of /mnt/d/data $((pages - 2 - $(chunk_off "$la"))))
if [ "$(pmem_of "$la")" != "$(pmem_of "$pa")" ]; then
	x=$la la=$lb lb=$x
fi
expect_match "/mnt/d/data on two members, contiguous on each" \
	"$(pmem_of "$pa") $(pmem_of "$la") $(pmem_of "$pb") $(pmem_of "$lb") $((la - pa + 1 + lb - pb + 1))" \
	"^($pm2 $pm2 $pm3 $pm3|$pm3 $pm3 $pm2 $pm2) $pages\$"
window d0 "$pa" $((la - pa + 1))
window d1 "$pb" $((lb - pb + 1))

for p in "$pm0" "$pm1" "$pm2" "$pm3" "$dm_lin" "$dm_stripe" "$dm_mid" "$dm_top"; do
	hold_device "$p"
done
for p in "$pm0" "$pm1" "$pm2" "$pm3"; do
	eval "inj_$p=0"
done

corrupt=/sys/kernel/debug/hwpoison/corrupt-pfn
# Room for a record of every notification (the trace is per CPU).
echo 32768 >$tracing/buffer_size_kb || fail "trace buffer size"
witness_start
rand_seed "${SEED:-$(date +%s)}"
rm -f /tmp/bad-answers /tmp/injected
ranged=0 perpage=0 inj_pages=0
read -r t0 _ </proc/uptime
k=0
while [ $k -lt "$n_inj" ]; do
	rand $nw; i=$r
	eval "pfn=\$w_pfn$i wn=\$w_n$i p=\$w_pmem$i wname=\$w_name$i wbase=\$w_base$i"
	rand 4
	if [ $r -lt 3 ]; then
		rand "$max_pages"; n=$((r + 1))
		rand $((wn - n + 1)); first=$((pfn + r))
		a=$(answer $mf_inject "$first $n")
		ranged=$((ranged + 1))
	else
		n=1
		rand "$wn"; first=$((pfn + r))
		a=$(answer $corrupt "$first")
		perpage=$((perpage + 1))
	fi
	[ "$a" = ok ] || echo "$k: $first+$n: $a" >>/tmp/bad-answers
	echo "${wname%[01]} $wbase $first $n" >>/tmp/injected
	eval "inj_$p=\$((inj_$p + n * 4096))"
	inj_pages=$((inj_pages + n))
	k=$((k + 1))
done
read -r t1 _ </proc/uptime

# Figures first, so that a failing soak still reports them.
failed_ranges=0
for p in "$pm0" "$pm1" "$pm2" "$pm3" "$dm_lin" "$dm_stripe" "$dm_mid" "$dm_top"; do
	failed_ranges=$((failed_ranges + $(ledger_failed "$p" | grep -c .)))
done
all_calls=$(holder_calls)
echo "MFROUTE-BENCH $name: $n_inj injections over $nw targets on 4 pmems, seed $rand_seed_used"
echo "injections: $n_inj ($ranged ranged of 1..$max_pages pages, $perpage per-page)"
echo "pages injected: $inj_pages"
echo "holder calls: $all_calls (sample holder, 8 registrations)"
echo "disjoint failed ranges in the ledgers: $failed_ranges"
echo "wall time of the injections: $(echo "$t0 $t1" | awk '{ printf "%.1f s", $2 - $1 }')" \
	"($(echo "$t0 $t1 $n_inj" | awk '{ printf "%.2f", ($2 - $1) * 1000 / $3 }') ms per injection)"
grep -v '^  failed ' $ledger

expect_eq "injections not answered ok" "$(head -n 10 /tmp/bad-answers 2>/dev/null)" ""
expect_ledgers_ok
delivered=0
for p in "$pm0" "$pm1" "$pm2" "$pm3"; do
	delivered=$((delivered + $(ledger_bytes "$p" delivered)))
done
fs=$(witness fs_notify | sed -n 's/.*offset=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) flags=0x[0-9a-f]* mount=\(0x[0-9a-f]*\).*/\3 \1 \2/p' |
	while read -r m o l; do echo "$m $((o)) $((l))"; done | sort -k1,1 -k2,2n |
	awk '{ if ($2 % 4096 || $3 % 4096 || $3 == 0) bad++
		if ($1 == m && $2 < end) overlap++
		if ($1 != m || $2 + $3 > end) end = $2 + $3
		m = $1; bytes += $3; n++ }
		END { printf "%d %d %d %d\n", n, bytes, bad + 0, overlap + 0 }')
set -- $fs
echo "xfs told: $1 notifications, $2 bytes"
expect_eq "xfs: notifications not whole pages" "$3" 0
expect_eq "xfs: bytes told twice to one filesystem" "$4" 0
expect_eq "xfs: bytes told = bytes delivered" "$2" "$delivered"
# Each xfs was told exactly the pages injected under it, at their offsets:
# per filesystem, the merged ranges told (by the xfs_mount the kprobe
# names) against the merged ranges injected (by target), compared as
# sets of lines, one line a filesystem.
merged() { # lines "FS PAGE" -> one line a filesystem: "start+pages,..."
	sort -k1,1 -k2,2n -u | awk '
		function out() { if (fs != "") print fs, list s "+" (e - s) }
		$1 != fs { out(); fs = $1; list = ""; s = $2; e = $2 + 1; next }
		$2 == e { e++; next }
		{ list = list s "+" (e - s) ","; s = $2; e = $2 + 1 }
		END { out() }' | cut -d' ' -f2 | sort
}
want=$(awk '{ n = $NF; first = $(NF - 1)
	for (q = first; q < first + n; q++) {
		if ($2 == "s0" || $2 == "s1") {
			mq = q - $3; k = int(mq / 16) * 2 + ($2 == "s1")
			print $1, k * 16 + mq % 16
		} else
			print $1, q - $2
	} }' /tmp/injected | merged)
got=$(witness fs_notify | sed -n 's/.*offset=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) flags=0x[0-9a-f]* mount=\(0x[0-9a-f]*\).*/\3 \1 \2/p' |
	while read -r m o l; do echo "$m $((o / 4096)) $((l / 4096))"; done |
	awk '{ for (i = 0; i < $3; i++) print $1, $2 + i }' | merged)
if [ "$got" != "$want" ]; then
	echo "told:"; echo "$got"; echo "injected:"; echo "$want"
	fail "xfs: some filesystem was not told exactly the pages injected under it"
fi
pass "xfs: each told exactly the pages injected under it, $(echo "$want" | grep -c .) filesystems"
expect_per_page "soak" 0
for p in "$pm0" "$pm1" "$pm2" "$pm3"; do
	eval "inj=\$inj_$p"
	got=$(( $(ledger_bytes "$p" delivered) + $(ledger_bytes "$p" absorbed) +
		$(ledger_bytes "$p" fallback) ))
	expect_eq "$p: delivered + absorbed + fallback bytes = injected bytes" "$got" "$inj"
done
want_calls=0
for p in "$pm0" "$pm1" "$pm2" "$pm3" "$dm_lin" "$dm_stripe" "$dm_mid" "$dm_top"; do
	d=$(ledger_field "$p" delivered) f=$(ledger_field "$p" fallback)
	want=$(( ${d%/*} + ${f%/*} + 0 ))
	want_calls=$((want_calls + want))
	if [ "$(grep -c '^lost=' $holder/events)" = 0 ]; then
		expect_eq "$p: holder calls = delivered + fallback ranges" \
			"$(holder_events_of "$p" | grep -c .)" "$want"
	fi
done
expect_eq "holder calls, all devices = delivered + fallback ranges" "$all_calls" "$want_calls"
for m in a b c d e; do umount /mnt/$m || fail "umount /mnt/$m"; done
echo 1 >$holder/unregister
