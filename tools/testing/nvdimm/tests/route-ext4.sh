#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ext4 -o dax on pmem.  Poison takes the per-page path exactly as
# upstream: generic handling of the one page, one memory_failure()
# action, SIGBUS.  A removal revokes every DAX mapping, whatever the
# processes do meanwhile: one process reads every page of a file every
# 2 ms and another writes every page of a second file, throughout the
# unbind of the pmem; ext4 is told of the removal (it holds the
# dax_device), shuts down and revokes its mappings, and both processes
# end with a SIGBUS; the unbind finishes and umount is clean.  (Upstream
# 6.12 tells ext4 nothing: the mappings stay usable on the removed memory
# and the umount oopses in dax_disassociate_entry().)  The same, with
# mfroute unloaded, on a second pmem: the revocation is ext4's own.
. /lib/mfroute-test-lib.sh

# removal STATE REGION: the removal under two busy mappings.
removal() {
	fsdax_namespace "$2"
	mount_ext4_dax "/dev/$pmem" /mnt
	make_file /mnt/a 4
	make_file /mnt/b 4
	keep_mapping /mnt/a read r
	keep_mapping /mnt/b write w
	dmesg -c >/dev/null
	unbind_pmem "$pmem"
	pass "$1: unbind finished"
	expect_revoked "$1: reader" r
	expect_revoked "$1: writer" w
	expect_match "$1: ext4 told" "$(dmesg)" \
		"EXT4-fs \\($pmem\\): DAX device is about to be removed"
	run umount /mnt
}

run modprobe mfroute
pmem_fs ext4
witness_start
expect_eq "poisoned page" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_mf_actions "poison" 1
expect_per_page "poison" 1
run umount /mnt
removal loaded region0
run rmmod mfroute
removal unloaded region1
