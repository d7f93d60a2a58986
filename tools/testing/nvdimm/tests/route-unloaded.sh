#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# After mfroute is loaded and unloaded, upstream behaviour is back: a
# poisoned DAX page of xfs is told to xfs once and delivers SIGBUS, and
# unbinding the pmem tells xfs once through kill_dax() of the whole
# device and faults the mapping.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run rmmod mfroute
pmem_fs xfs
make_file /mnt/other 4
want=$(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") ))
witness_start
expect_eq "poisoned page" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "poison" "$(printf '%#x' $want)" 0x1000 0x23
expect_mf_actions "poison" 1
expect_per_page "poison" 0

hold_mapping /mnt/other
dmesg -c >/dev/null
witness_start
unbind_pmem "$pmem"
release_mapping
expect_match "mapping after unbind" "$seen" '^sigbus '
expect_fs_told "removal" 0x0 0xffffffffffffffff 0x80
expect_eq "xfs told once" "$(xfs_said 'about to be removed' | grep -c .)" 1
expect_eq "no mfroute involvement" "$(dmesg | grep -c 'mfroute')" 0
umount /mnt
