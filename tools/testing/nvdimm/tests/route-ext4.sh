#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ext4 -o dax has no dax holder operations.  With mfroute, poison takes
# the per-page path exactly as upstream (ext4-unloaded): generic handling
# of the one page, one memory_failure() action, SIGBUS.  Unbinding the
# pmem under a live mapping revokes it, so the next access faults instead
# of reading memory that is no longer the namespace's, and umount is clean
# (upstream leaves the mapping readable and the umount oopses on the
# removed memmap).
. /lib/mfroute-test-lib.sh

run modprobe mfroute
pmem_fs ext4
make_file /mnt/other 4
witness_start
expect_eq "poisoned page" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_per_page "poison" 1
expect_eq "generic per-page handling" "$(witness_count generic_kill)" 1

hold_mapping /mnt/other
dmesg -c >/dev/null
unbind_pmem "$pmem"
release_mapping
expect_match "mapping after unbind" "$seen" '^sigbus '
log=$(dmesg)
echo "$log" | grep mfroute
expect_match "mappings revoked" "$log" "mfroute: $pmem: DAX mappings of [1-9][0-9]* inodes revoked"
run umount /mnt
