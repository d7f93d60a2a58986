#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every filesystem hears of every failure under it, once, however many
# came before.  pmem0 is split in two partitions: xfs directly on p1
# (its dax holder is the whole disk) and xfs on a dm-linear device over
# p2.  17 disjoint pages, alternately under a file of each filesystem, are
# reported failed one event each (ranged inject of one page).  Each page is
# taken (ret=0) exactly once, by the filesystem it belongs to, at its
# offset in that filesystem's dax_device (the disk for p1, the dm device
# for p2), length and flags; the xfs on p1 holds only p1's range of the
# disk, and is not asked of p2's pages (if it were, it would answer
# ENXIO); nothing goes per page.  Version 1 answered -EOPNOTSUPP both
# for "per page" and for "declined", and after its 16-range ledger filled
# up the disk's xfs was told twice and the dm one no more.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe mfroute
fsdax_namespace region0
halve_pmem "$pmem"
mount_xfs_dax "/dev/${pmem}p1" /mnt/a
dm_create lin "0 $(sectors "${pmem}p2") linear /dev/${pmem}p2 0"
mount_xfs_dax /dev/mapper/lin /mnt/b
make_file /mnt/a/data 4
make_file /mnt/b/data 4
p2_off=$(( $(cat "/sys/class/block/${pmem}p2/start") * 512 ))
base=$(data_start "$pmem")

witness_start
want=
for i in $(seq 0 16); do
	page=$(( i / 2 * 2 ))
	if [ $((i % 2)) -eq 0 ]; then f=/mnt/a/data; else f=/mnt/b/data; fi
	pfn=$(pfn_of "$f" "$page")
	off=$(( pfn * 4096 - base ))
	[ "$f" = /mnt/b/data ] && off=$(( off - p2_off ))
	want="$want$(printf 'offset=%#x len=0x1000 flags=0x20 ret=0' "$off")
"
	run sh -c "echo '$pfn 1' >$mf_inject"
done
told=$(awk '/ fs_notify: / { sub(/.* offset=/, "offset="); sub(/ mount=.*/, ""); what = $0 }
	/ fs_done: / { sub(/.* ret=/, ""); print what " ret=" $1 }' $tracing/trace)
echo "$told"
expect_lines "pages taken, once each, by their filesystem" \
	"$(echo "$told" | grep ' ret=0$' | sort)" "$(printf '%s' "$want" | sort)"
expect_eq "other answers" "$(echo "$told" | grep -vc " ret=0$")" 0
expect_mf_actions "17 events" 17
expect_per_page "17 events" 0
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 17/$((17 * 4096))
run umount /mnt/b
run umount /mnt/a
run dmsetup remove lin
