#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 400
#
# No fixed capacity in the dm walk (version 1 stopped at 16 targets, 16
# stripes and 4 levels, and fell back to per-page beyond).  With the
# sample holder on every mapped device, one page failing (ranged inject of
# one page) reaches each at its own offset, once:
#
#  - an LVM-like device of 40 linear segments of 8 MiB, alternately from
#    pmem0 and pmem1;
#  - six dm-linear devices stacked, each starting 1 MiB into the one
#    below: every level is told, 1 MiB less at each;
#  - dm-striped over 32 members (dm-linear slices of 16 MiB of pmem0 and
#    pmem1), 64 KiB chunks: member chunk c of member i is target chunk
#    32c + i.
#
# The page is under a file of the xfs on the top device, which is told of
# it once (its kprobe: at the page's offset in the top device, flags
# 0x20) and takes it; nothing goes per page.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
two_pmems
b0=$(( $(data_start "$p0") / 4096 ))
b1=$(( $(data_start "$p1") / 4096 ))

# file_page FILE: set $pfn to the pfn of page 1 of FILE, $pm to 0 or 1 for
# the pmem it is on and $off to its byte offset in that pmem.
file_page() {
	pfn=$(pfn_of "$1" 1)
	if [ "$pfn" -ge "$b1" ]; then pm=1 off=$(( (pfn - b1) * 4096 ))
	else pm=0 off=$(( (pfn - b0) * 4096 )); fi
}

# expect_told DM OFFSET: since the last inject, the holder of DM was told
# once, of 4 KiB at OFFSET.
expect_told() {
	expect_eq "$1 told" "$(tail -n +$((mark + 1)) $holder/events |
		grep "^dev=$(cat "/sys/class/block/$1/dev") ")" \
		"dev=$(cat "/sys/class/block/$1/dev") offset=$(printf '%#x' "$2") len=0x1000 flags=0x20"
}

# inject PFN TOP-OFFSET: one page fails; the xfs on the top device is told
# of it at TOP-OFFSET, and nothing goes per page.
inject() {
	mark=$(grep -c . $holder/events)
	witness_start
	run sh -c "echo '$1 1' >$mf_inject"
	expect_fs_told "pfn $1" "$(printf '%#x' "$2")" 0x1000 0x20
	expect_per_page "pfn $1" 0
}

# 40 segments.
seg=16384
table=
for k in $(seq 0 39); do
	if [ $((k % 2)) -eq 0 ]; then m=$p0; else m=$p1; fi
	table="$table$((k * seg)) $seg linear /dev/$m $((k / 2 * seg))
"
done
dm_create segs "$table"
segs=$dm
mount_xfs_dax /dev/mapper/segs /mnt
make_file /mnt/f 4
hold_device "$segs"
file_page /mnt/f
top=$(( (2 * (off / (seg * 512)) + pm) * seg * 512 + off % (seg * 512) ))
inject "$pfn" $top
expect_told "$segs" $top
run umount /mnt
echo 1 >$holder/unregister
run dmsetup remove segs

# Six levels.
below=$p0
size=$(( 512 * 2048 ))
levels=
for k in 1 2 3 4 5 6; do
	size=$(( size - 2048 ))
	dm_create "lvl$k" "0 $size linear /dev/$below 2048"
	below=$dm
	levels="$levels $dm"
	hold_device "$dm"
done
mount_xfs_dax "/dev/$below" /mnt
make_file /mnt/f 4
file_page /mnt/f
inject "$pfn" $(( off - 6 * 1048576 ))
k=0
for d in $levels; do
	k=$((k + 1))
	expect_told "$d" $(( off - k * 1048576 ))
done
expect_eq "holder calls" "$(tail -n +$((mark + 1)) $holder/events | grep -c .)" 6
run umount /mnt
echo 1 >$holder/unregister
for k in 6 5 4 3 2 1; do run dmsetup remove "lvl$k"; done

# 32 stripes.
slice=32768
members=
for i in $(seq 0 31); do
	if [ $((i % 2)) -eq 0 ]; then m=$p0; else m=$p1; fi
	dm_create "s$i" "0 $slice linear /dev/$m $((i / 2 * slice))"
	members="$members /dev/$dm 0"
done
dm_create wide "0 $((32 * slice)) striped 32 128$members"
wide=$dm
mount_xfs_dax /dev/mapper/wide /mnt
make_file /mnt/f 4
hold_device "$wide"
file_page /mnt/f
i=$(( 2 * (off / (slice * 512)) + pm ))
m=$(( off % (slice * 512) ))
top=$(( (m / 65536 * 32 + i) * 65536 + m % 65536 ))
inject "$pfn" $top
expect_told "$wide" $top
run umount /mnt
echo 1 >$holder/unregister
run dmsetup remove wide
for i in $(seq 0 31); do run dmsetup remove "s$i"; done
expect_ledgers_ok
