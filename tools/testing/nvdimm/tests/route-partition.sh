#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# As route-xfs-poison, on a partition starting 8 MiB into the pmem: xfs,
# whose dax holder is the whole disk, is told once of the page at its
# offset in the disk (it subtracts its partition start itself), no
# generic per-page handling runs, the process gets SIGBUS, and the holder
# registered on the partition hears of the page at its partition-relative
# offset, with the flags of madvise.  Then a range across the partition's
# end: xfs is told of its part, the rest goes per page.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
echo 'start=16384, size=1048576' | sfdisk -q "/dev/$pmem" || fail "sfdisk"
part=${pmem}p1
for i in $(seq 50); do [ -b "/dev/$part" ] && break; sleep 0.1; done
mount_xfs_dax "/dev/$part" /mnt
make_file /mnt/data 4
hold_device "$part"

part_start=$(( $(cat /sys/class/block/$part/start) * 512 ))
expect_eq "partition start" "$part_start" 8388608
disk_off=$(( $(pfn_of /mnt/data 5) * 4096 - $(data_start "$pmem") ))
witness_start
expect_eq "process sees" "$(dax-probe poison /mnt/data 5)" \
	"sigbus code=BUS_MCEERR_AR page=5 offset=0x5000"
expect_fs_told "poison" "$(printf '%#x' $disk_off)" 0x1000 0x23
expect_mf_actions "poison" 1
expect_per_page "poison" 0
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 1
expect_eq "holder event (partition-relative)" "$events" \
	"dev=$(cat /sys/class/block/$part/dev) offset=$(printf '%#x' $((disk_off - part_start))) len=0x1000 flags=0x23"
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok

# A range of 4 pages across the partition's end, with no holder
# registered (so the dax core could tell xfs itself): xfs is told of its
# 2 pages only, and the 2 beyond, which nobody holds, go per page (whose
# generic handling answers EBUSY for a page no file maps, as upstream).
echo 1 >$holder/unregister
part_end=$((part_start + $(blockdev --getsize64 "/dev/$part")))
first=$(( ($(data_start "$pmem") + part_end - 8192) / 4096 ))
witness_start
expect_eq "inject across the partition's end" "$(answer $mf_inject "$first 4")" \
	"Device or resource busy"
expect_fs_told "across the end" "$(printf '%#x' $((part_end - 8192)))" 0x2000 0x20
expect_per_page "across the end" 2
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
run umount /mnt
