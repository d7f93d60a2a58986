#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G
#
# dm-log-writes is translated as it maps: its data device one to one, and
# a bio keeps its sector (it does not subtract where the target starts in
# the table, as dm-linear does).  "lw": a dm-linear target over the first
# MiB of pmem0's first partition, then a log-writes target whose data
# device is pmem1 (its log: pmem0's second partition), so that the
# log-writes target starts 1 MiB into the table and mapped-device sector
# S is sector S of pmem1.  xfs (rmapbt, DAX) on lw with a file; a page of
# the file past the first MiB (on pmem1) is poisoned with madvise(MADV_HWPOISON): the process
# gets SIGBUS; xfs is told once, at the page's lw offset, which is its
# pmem1 offset (xfs's own fiemap of the file says the same), flags 0x23;
# nothing per page.
. /lib/mfroute-test-lib.sh

run modprobe dm-mod
run modprobe dm-log-writes
run modprobe mfroute
two_pmems
halve_pmem "$p0"
dm_create lw "$(printf '0 2048 linear /dev/%sp1 0\n2048 %s log-writes /dev/%s /dev/%sp2\n' \
	"$p0" $((s1 - 2048)) "$p1" "$p0")"
mount_xfs_dax /dev/mapper/lw /mnt
make_file /mnt/data 4
# A page of the file on the log-writes target: its sector in lw (xfs's
# fiemap of the one extent) and on pmem1.
expect_eq "/mnt/data: extents" "$(xfs_io -c 'fiemap' /mnt/data | grep -vc ' hole$\|:$')" 1
sec=$(xfs_io -c "fiemap" /mnt/data | sed -n 's/^[[:space:]]*0: \[0\.\.[0-9]*\]: \([0-9]*\)\.\..*/\1/p')
page=16
[ "$sec" -lt 2048 ] && page=$(( (2048 - sec + 7) / 8 + 16 ))
want=$(( (sec + page * 8) * 512 ))
expect_eq "page $page: its pmem1 offset is its lw offset" \
	$(( $(pfn_of /mnt/data $page) * 4096 - $(data_start "$p1") )) "$want"
witness_start
expect_eq "process sees" "$(dax-probe poison /mnt/data $page)" \
	"sigbus code=BUS_MCEERR_AR page=$page offset=$(printf '%#x' $((page * 4096)))"
expect_fs_told "poison" "$(printf '%#x' "$want")" 0x1000 0x23
expect_per_page "poison" 0
run umount /mnt
run dmsetup remove lw
