#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# After mfroute is loaded and unloaded, upstream behaviour is back: a
# poisoned DAX page of xfs delivers SIGBUS, and unbinding the pmem tells
# xfs once through kill_dax() and faults the mapping.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run rmmod mfroute
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
make_file /mnt/other 4
expect_eq "poisoned page" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"

hold_mapping /mnt/other
dmesg -c >/dev/null
unbind_pmem "$pmem"
release_mapping
expect_match "mapping after unbind" "$seen" '^sigbus '
log=$(dmesg)
expect_eq "xfs told once" "$(echo "$log" | grep -c 'about to be removed')" 1
expect_eq "no mfroute involvement" "$(echo "$log" | grep -c 'mfroute')" 0
umount /mnt
