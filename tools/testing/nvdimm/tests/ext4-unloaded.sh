#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ext4 -o dax after mfroute is loaded and unloaded: poison takes the
# upstream per-page path (generic handling of the one page, one
# memory_failure() action, SIGBUS), and nothing of mfroute is left in the
# way.  (Unbinding under a live mapping is route-ext4's: the series makes
# ext4 revoke its mappings, loaded or not.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run rmmod mfroute
pmem_fs ext4
dmesg -c >/dev/null
witness_start
expect_eq "poisoned page" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_mf_actions "poison" 1
expect_per_page "poison" 1
expect_eq "no mfroute involvement" "$(dmesg | grep -c mfroute)" 0
expect_eq "poisoned page reads back" "$(dax-probe touch /mnt/data 3)" ok
run umount /mnt
