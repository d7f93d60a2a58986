#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
#
# ext4 -o dax on a dm-linear concatenation of two pmems, with a process
# that keeps reading, and one that keeps writing, a file on pmem1 every
# 2 ms while pmem1 is unbound: mfroute tells the ext4 on the dm device
# (its dax holder) of the removal of exactly the range pmem1 backs; ext4
# shuts down and revokes its mappings, both processes end with a SIGBUS,
# the unbind finishes and umount is clean.
#
# Upstream, the same with mfroute unloaded on the two other pmems: nobody
# tells the ext4 on dm, and both processes go on using memory that is no
# longer the namespace's (that filesystem is left mounted: unmounting it
# would oops on the removed memmap, as upstream does).
. /lib/mfroute-test-lib.sh

# files_on PMEM: fill the first pmem with a preallocated file (ext4's
# flexible block groups keep small files together, at the start), then
# write two files, which land on PMEM: set $a and $b to them.
files_on() {
	fallocate -l $((1100 * 1048576)) $mnt/filler || fail "fallocate $mnt/filler"
	make_file $mnt/a 4
	make_file $mnt/b 4
	file_on "$1" $mnt/a >/dev/null && file_on "$1" $mnt/b >/dev/null ||
		fail "$mnt/a and $mnt/b not on $1"
	a=$mnt/a b=$mnt/b
}

run modprobe dm-mod
concat_pmems upstream region2 region3
mnt=/mnt/u
mount_ext4_dax /dev/mapper/upstream $mnt
files_on "$p1"
keep_mapping "$a" read r
keep_mapping "$b" write w
unbind_pmem "$p1"
pass "unloaded: unbind finished"
expect_not_revoked "unloaded: reader" r
expect_not_revoked "unloaded: writer" w

run modprobe mfroute
concat_pmems concat
mnt=/mnt
mount_ext4_dax /dev/mapper/concat $mnt
files_on "$p1"
keep_mapping "$a" read r
keep_mapping "$b" write w
dmesg -c >/dev/null
unbind_pmem "$p1"
pass "unbind finished"
expect_revoked "reader" r
expect_revoked "writer" w
expect_match "ext4 told" "$(dmesg)" "EXT4-fs \\($dm\\): DAX device is about to be removed"
run umount /mnt
