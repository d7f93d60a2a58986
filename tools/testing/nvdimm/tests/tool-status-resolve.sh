#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G
# machine-checks: yes
#
# "mfroute status --resolve": which files are damaged now, for someone
# who was not watching when the failures came.  status names what each
# failed range of a pmem (mfroute's own list) and each range of its
# badblocks that mfroute did not keep holds now, with a next step per
# owner, and where the media is (as ndctl list names it):
#   - xfs with reverse mapping and reflink on a dm-striped volume over
#     pmem0 and pmem1, pages poisoned by processes mapping them (each gets
#     its SIGBUS): a file's page (GETFSMAP: the file, its offset), a page
#     shared by a file and its reflinked copy (both owners, shared); then
#     the volume's superblock, reported failed as a range: xfs shuts down
#     (its own log line), and status says so for the shared page and
#     names the checker;
#   - on pmem2's two partitions, xfs without reverse mapping and ext4,
#     neither of which takes a ranged report: a machine check (action
#     optional) on a page of a file in each goes the per-page way, and
#     the NFIT notifier records it in pmem2's badblocks (the kernel's
#     ras event and the badblocks file say so); status finds the files by
#     FIEMAP.
. /lib/mfroute-test-lib.sh

run modprobe mfroute

# damage DEV: "mfroute status --resolve --json DEV", on one line.
damage() {
	mfroute status --resolve --json "$1" >/tmp/status.json ||
		fail "mfroute status --resolve $1"
	sed -e 's/^ *//' -e 's/": /":/' /tmp/status.json | tr -d '\n'
}

# offset_of FILE PAGE PMEM: the byte offset in PMEM of page PAGE of FILE.
offset_of() {
	echo $(( $(pfn_of "$1" "$2") * 4096 - $(data_start "$3") ))
}

# which_pmem FILE PAGE: the pmem (of $p0 $p1) holding page PAGE of FILE.
which_pmem() {
	local p pfn lo
	pfn=$(pfn_of "$1" "$2")
	for p in $p0 $p1; do
		lo=$(( $(data_start "$p") / 4096 ))
		[ "$pfn" -ge "$lo" ] && [ "$pfn" -lt $((lo + $(blockdev --getsize64 "/dev/$p") / 4096)) ] &&
			echo "$p" && return 0
	done
	return 1
}

# poison_resolve FILE PAGE: poison page PAGE of FILE from a process that
# maps it (expecting its SIGBUS), setting $pm (the pmem under it), $off
# (its byte offset there) and $out (damage of $pm afterwards).
poison_resolve() {
	pm=$(which_pmem "$1" "$2") || fail "$1 page $2 on no pmem"
	off=$(offset_of "$1" "$2" "$pm")
	expect_eq "$1: process sees" "$(dax-probe poison "$1" "$2")" \
		"sigbus code=BUS_MCEERR_AR page=$2 offset=$(printf '%#x' $(($2 * 4096)))"
	out=$(damage "$pm")
	echo "$out"
}

# 1. xfs (rmapbt, reflink) on dm-striped.
stripe_pmems stripe 256
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=1,reflink=1 /dev/mapper/stripe ||
	fail "mkfs.xfs"
mkdir -p /mnt/s
mount -o dax /dev/mapper/stripe /mnt/s || fail "mount -o dax"
make_file /mnt/s/plain 1
make_file /mnt/s/orig 1
run xfs_io -f -c "reflink /mnt/s/orig" /mnt/s/copy

poison_resolve /mnt/s/plain 3
expect_match "plain: the range, on $dm with xfs" "$out" \
	"\"offset\":$off,\"len\":4096,\"hits\":\\[{\"status\":\"ok\",\"message\":null,\"blockdev\":\"$dm\",.*\"fstype\":\"xfs\","
expect_match "plain: the file, by GETFSMAP" "$out" \
	"\"type\":\"file\",\"inode\":[0-9]*,\"path\":\"/mnt/s/plain\",\"file_offset_bytes\":12288,\"unwritten\":false,\"shared\":false}\\],\"advice\":\\[\"restore /mnt/s/plain bytes 0x3000\\.\\.0x3fff from a backup; writing those bytes again clears the poison\"\\]"
ndctl_place "$pm"
expect_match "plain: where the media is, as ndctl lists it" "$out" \
	"\"place\":{\"namespace\":\"$ns\",\"region\":\"$region\",\"dimms\":\\[{\"dev\":\"nmem"

poison_resolve /mnt/s/orig 1
for f in orig copy; do
	expect_match "shared: owner /mnt/s/$f" "$out" \
		"\"offset\":$off,.*\"path\":\"/mnt/s/$f\",\"file_offset_bytes\":4096,\"unwritten\":false,\"shared\":true}"
done
expect_match "shared: advice" "$out" \
	"the blocks are shared, so every file sharing them lost the same bytes"
words=$(mfroute status --resolve "$pm")
echo "$words"
expect_match "in words: the file" "$words" "/mnt/s/plain bytes 0x3000\\.\\.0x3fff \\(inode [0-9]*\\)"
expect_match "in words: next step" "$words" \
	"next: restore /mnt/s/plain bytes 0x3000\\.\\.0x3fff from a backup"

dmesg -c >/dev/null
expect_refused "superblock poison" $mf_inject "$(( $(data_start "$p0") / 4096 )) 1" \
	'Structure needs cleaning'
said=$(xfs_said 'Shutting down')
echo "$said"
expect_match "xfs shut down" "$said" "XFS \\($dm\\): $xfs_corrupt_ondisk"
out=$(damage "$pm")
echo "$out"
# The superblock's range is not in mfroute's list (xfs failed it:
# counted, not remembered); the file's page before it is.
expect_match "shut down: said, with the checker" "$out" \
	"\"offset\":$off,\"len\":4096,\"hits\":\\[{\"status\":\"fs_shutdown\",.*\"blockdev\":\"$dm\",.*\"owners\":\\[\\],\"advice\":\\[\"the filesystem shut down: unmount /mnt/s and run xfs_repair -n /dev/$dm to see the damage, then xfs_repair /dev/$dm;"
umount /mnt/s 2>/dev/null
run dmsetup remove stripe

# 2. xfs without rmapbt and ext4, on the partitions of pmem2.
fsdax_namespace region2
p2=$pmem
halve_pmem "$p2"
TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=0,reflink=0 "/dev/${p2}p1" ||
	fail "mkfs.xfs ${p2}p1"
mkdir -p /mnt/x /mnt/e
mount -o dax "/dev/${p2}p1" /mnt/x || fail "mount ${p2}p1"
mount_ext4_dax "/dev/${p2}p2" /mnt/e
make_file /mnt/x/f 1
mkdir -p /mnt/e/d
make_file /mnt/e/d/g 1
xoff=$(offset_of /mnt/x/f 2 "$p2")
eoff=$(offset_of /mnt/e/d/g 2 "$p2")
for f in /mnt/x/f /mnt/e/d/g; do
	addr=$(( $(pfn_of $f 2) * 4096 ))
	witness_mce_start
	inject_mce $addr srao
	wait_for 20 witnessed memory_failure_event
	expect_match "$f: ras event for the page" "$(witness memory_failure_event)" \
		"^pfn $(printf '%#x' $((addr / 4096))): "
	sector=$(( ($addr - $(data_start "$p2")) / 512 ))
	wait_for 10 grep -q "^$sector 8\$" /sys/block/$p2/badblocks
done
cat /sys/block/$p2/badblocks
out=$(damage "$p2")
echo "$out"
expect_match "mfroute kept neither" "$out" "\"failed\":\\[\\],\"badblocks\":\\[{"
expect_match "no rmapbt: the file, by FIEMAP" "$out" \
	"\"offset\":$xoff,\"len\":4096,\"hits\":\\[{\"status\":\"ok\",\"message\":null,\"blockdev\":\"${p2}p1\",\"maj_min\":\"[0-9:]*\",\"mount\":\"/mnt/x\",\"fstype\":\"xfs\",.*\"path\":\"/mnt/x/f\",\"file_offset_bytes\":8192,"
expect_match "ext4: the file, by FIEMAP" "$out" \
	"\"offset\":$eoff,\"len\":4096,\"hits\":\\[{\"status\":\"ok\",\"message\":null,\"blockdev\":\"${p2}p2\",\"maj_min\":\"[0-9:]*\",\"mount\":\"/mnt/e\",\"fstype\":\"ext4\",.*\"path\":\"/mnt/e/d/g\",\"file_offset_bytes\":8192,"
words=$(mfroute status --resolve "$p2")
echo "$words"
expect_match "in words: bad blocks" "$words" "bad blocks .*, not failed in mfroute"
run umount /mnt/x
run umount /mnt/e
