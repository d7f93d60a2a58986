#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G
# machine-checks: yes
#
# dm-writecache in pmem mode, its cache on a 64 MiB partition of a pmem
# and its origin on a second partition, is told of machine checks on its
# cache before it reads the failed blocks (patch 0023: it holds the
# cache's range of the dax_device).  Block A is written and written back
# (its cache block is free again, with A's old bytes), blocks B and C are
# written and committed but not written back (dirty).  QEMU raises an
# action-optional machine check (a patrol scrub's) on A's old cache block
# and one on B's:
#
#   - dm-writecache is told of each page once, at its offset in the
#     pmem, with no flags (its own kprobe), and says so in the log;
#   - A reads back its data (from the origin), C reads back from the
#     cache, B's read fails with EIO: its only copy is gone, and older
#     data is not returned in its place;
#   - the status line counts two blocks out of use, one of them lost,
#     and the free count is one lower (A's old block left the freelist);
#     the error indicator stays 0;
#   - the volume keeps working: a new block D is written and read back;
#     "flush" succeeds and writes C back to the origin; B still fails;
#   - suspend and resume keep all of it;
#   - writing B again stores it in a working block: it reads back, the
#     lost count goes to 0, and the failed block does not return to the
#     freelist;
#   - a machine check on the superblock sets the error indicator,
#     and writes then fail, as a machine check reading it would;
#   - a new table on the cache is refused: pmem's badblocks hold the
#     failed pages, and dax_direct_access() refuses them.
#
# Four phases in one boot, on three pmems (the last reuses the first's):
#
#   1. lockdep: before any machine check turns lockdep off (a machine
#      check taints the kernel), the handler runs on software poison
#      (hwpoison-inject) of a free and a dirty block, through a suspend,
#      a resume and a rewrite;
#   2. upstream: without patch 0023 nobody tells dm-writecache.  Played
#      by another holder taking the cache's range first
#      (mfroute_dax_holder_test), so that dm-writecache cannot hold it,
#      says so, and does what the upstream target does: the machine check
#      on B's block is told to that holder only; the kernel has unmapped
#      the failed page (set_mce_nospec()), so dm-writecache's read of B
#      faults in copy_mc_to_kernel() as a consumed machine check would,
#      it sets its error state, and from then on every write to the
#      volume fails;
#   3. the scenario above with mfroute unloaded (pmem tells its dax
#      holders directly), and
#   4. loaded (the router tells them); neither sends a page per page.
. /lib/mfroute-test-lib.sh

# block_byte DEV BLOCK: read 4 KiB block BLOCK of DEV with O_DIRECT and
# print the byte it is filled with (e.g. 42), "mixed", or "EIO".
block_byte() {
	local out
	out=$(xfs_io -d -c "pread -v $(($2 * 4096)) 4096" "$1" 2>&1)
	case $out in
	*"Input/output error"*) echo EIO; return ;;
	esac
	out=$(echo "$out" | awk '$1 ~ /^[0-9a-f]+:$/ { for (i = 2; i <= 17; i++) print $i }' |
		sort -u)
	case $out in
	??) echo "$out" ;;
	*) echo mixed ;;
	esac
}

# write_block DEV BLOCK BYTE: fill block BLOCK of DEV with BYTE (O_DIRECT),
# then fsync it (a flush: dm-writecache commits).
write_block() {
	xfs_io -d -c "pwrite -q -S 0x$3 $(($2 * 4096)) 4096" -c fsync "$1" ||
		fail "write block $2 of $1"
}

# expect_write_fails WHAT BLOCK: writing block BLOCK of the volume fails
# with EIO.
expect_write_fails() {
	if xfs_io -d -c "pwrite -q -S 0x45 $(($2 * 4096)) 4096" $dev 2>&1 |
		grep -q "Input/output error"; then
		pass "$1: a write fails"
	else
		fail "$1: a write succeeded"
	fi
}

# wc_status N: field N of the target's status line (1: error indicator,
# 3: free blocks, 15: blocks out of use, 16: lost, 17: metadata failures).
wc_status() {
	dmsetup status wc | awk -v n="$1" '{ print $(3 + n) }'
}

# mce_block BLOCK: a machine check on the page of cache block BLOCK,
# waited for until memory_failure() handled it.
mce_block() {
	local n
	n=$(witness_count memory_failure_event)
	inject_mce $((cache_phys + meta + $1 * 4096)) srao
	wait_for 20 witnessed memory_failure_event $((n + 1))
}

# wc_partitions REGION: an fsdax namespace of REGION ($pmem) split in
# two 64 MiB partitions, the cache (p1, from 1 MiB) and the origin (p2);
# the cache's superblock zeroed, so that a new cache is made on it.
wc_partitions() {
	fsdax_namespace "$1"
	printf 'start=2048, size=131072\nstart=133120, size=131072\n' |
		sfdisk -q "/dev/$pmem" || fail "sfdisk $pmem"
	wait_for 10 test -b "/dev/${pmem}p2"
	write_block "/dev/${pmem}p1" 0 00
}

# wc_create: the writecache target "wc" in pmem mode on those; sets
# $wc_table, $dev, $wc_dev (its MAJ:MIN, as its log lines name it),
# $cache_phys (the physical address of the cache) and $meta (the size of
# its metadata).
wc_create() {
	wc_table="0 131072 writecache p /dev/${pmem}p2 /dev/${pmem}p1 4096 0"
	dm_create wc "$wc_table"
	wc_dev=$(cat /sys/class/block/$dm/dev)
	dev=/dev/mapper/wc
	cache_phys=$(( $(data_start "$pmem") + 2048 * 512 ))
	meta=$(( (64 + 16 * $(wc_status 2) + 4095) / 4096 * 4096 ))
}

# upstream_case REGION
upstream_case() {
	local daxh=/sys/kernel/debug/mfroute_dax_holder_test
	wc_partitions "$1"
	run modprobe mfroute_dax_holder_test
	witness_probe 'p:mfrtest/dax_told dax_holder_test_notify_failure offset=%dx:x64 len=%cx:x64 flags=%r8:x32'
	cat /sys/class/block/${pmem}p1/dev >$daxh/hold || fail "hold ${pmem}p1"
	dmesg -c >/dev/null
	wc_create
	expect_match "upstream: dm-writecache cannot hold the cache" \
		"$(dmesg | grep 'writecache: ')" "${pmem}p1: cannot hold the cache's range"
	write_block $dev 0 41
	run dmsetup message wc 0 flush
	write_block $dev 1 42
	write_block $dev 2 43
	witness_mce_start
	mce_block 1
	expect_eq "upstream: dm-writecache told" "$(witness_count wc_told)" 0
	expect_eq "upstream: the other holder told" "$(witness_args dax_told)" \
		"$(printf 'offset=%#x len=0x1000 flags=0x0' $((2048 * 512 + meta + 4096)))"
	expect_eq "upstream: error indicator before the read" "$(wc_status 1)" 0
	expect_eq "upstream: B's read" "$(block_byte $dev 1)" EIO
	expect_match "upstream: what it said" "$(dmesg | grep 'writecache: ' | tail -n 1)" \
		"hardware memory error when reading data"
	expect_eq "upstream: error indicator" "$(wc_status 1)" 1
	expect_write_fails "upstream: after the failed read" 3
	run dmsetup remove wc
	echo 1 >$daxh/release || fail "release the holder"
	run rmmod mfroute_dax_holder_test
}

# lockdep_case REGION: the handler with lockdep still watching (the first
# machine check taints the kernel, which turns lockdep off): software
# poison (hwpoison-inject) on a free block and on a dirty one, a suspend
# and resume, and a rewrite, with the module unloaded.
lockdep_case() {
	local p
	wc_partitions "$1"
	wc_create
	write_block $dev 0 41
	run dmsetup message wc 0 flush
	write_block $dev 1 42
	run modprobe hwpoison_inject
	witness_start
	for p in 0 1; do
		echo $(( (cache_phys + meta) / 4096 + p )) >/sys/kernel/debug/hwpoison/corrupt-pfn ||
			fail "corrupt-pfn of cache block $p"
	done
	expect_eq "lockdep: dm-writecache told" "$(witness_count wc_told)" 2
	expect_eq "lockdep: B fails" "$(block_byte $dev 1)" EIO
	run dmsetup suspend wc
	run dmsetup resume wc
	expect_eq "lockdep: counts after a resume" \
		"$(wc_status 15) $(wc_status 16) $(wc_status 17)" "2 1 0"
	write_block $dev 1 62
	expect_eq "lockdep: B rewritten" "$(block_byte $dev 1)" 62
	run dmsetup remove wc
	expect_eq "lockdep: still on" "$(awk '/debug_locks:/ { print $2 }' /proc/lockdep_stats)" 1
}

# one_case STATE REGION
one_case() {
	local s=$1 free0 a_off b_off
	wc_partitions "$2"
	wc_create

	write_block $dev 0 41
	run dmsetup message wc 0 flush
	write_block $dev 1 42
	write_block $dev 2 43
	# The freelist hands out blocks in order: A had cache block 0 (free
	# again), B has 1, C has 2.  Read from the pmem itself, to be sure.
	expect_eq "$s: A's old cache block" "$(block_byte /dev/${pmem}p1 $((meta / 4096)))" 41
	expect_eq "$s: B's cache block" "$(block_byte /dev/${pmem}p1 $((meta / 4096 + 1)))" 42
	expect_eq "$s: C's cache block" "$(block_byte /dev/${pmem}p1 $((meta / 4096 + 2)))" 43
	expect_eq "$s: B is not written back" "$(block_byte /dev/${pmem}p2 1)" 00
	free0=$(wc_status 3)

	witness_mce_start
	dmesg -c >/dev/null
	mce_block 0
	mce_block 1
	a_off=$(printf '%#x' $((2048 * 512 + meta)))
	b_off=$(printf '%#x' $((2048 * 512 + meta + 4096)))
	expect_eq "$s: machine checks recorded" "$(witness_count mce_record)" 2
	expect_eq "$s: dm-writecache told" "$(witness_args wc_told)" \
		"$(printf 'offset=%s len=0x1000 flags=0x0\noffset=%s len=0x1000 flags=0x0' \
			"$a_off" "$b_off")"
	expect_eq "$s: what it said" "$(dmesg | grep -o 'writecache: .*')" \
		"$(printf 'writecache: %s: cache blocks 0-0 failed: 1 more out of use, 0 more lost\nwritecache: %s: cache blocks 1-1 failed: 1 more out of use, 1 more lost' \
			"$wc_dev" "$wc_dev")"
	expect_mf_actions "$s: machine checks" 2

	expect_eq "$s: A reads back" "$(block_byte $dev 0)" 41
	expect_eq "$s: B fails" "$(block_byte $dev 1)" EIO
	expect_eq "$s: C reads back" "$(block_byte $dev 2)" 43
	expect_eq "$s: error indicator" "$(wc_status 1)" 0
	expect_eq "$s: blocks out of use, lost, metadata" \
		"$(wc_status 15) $(wc_status 16) $(wc_status 17)" "2 1 0"
	expect_eq "$s: free blocks" "$(wc_status 3)" $((free0 - 1))

	write_block $dev 3 44
	expect_eq "$s: D reads back" "$(block_byte $dev 3)" 44
	run dmsetup message wc 0 flush
	expect_eq "$s: nothing under writeback" "$(wc_status 4)" 0
	expect_eq "$s: C written back" "$(block_byte /dev/${pmem}p2 2)" 43
	expect_eq "$s: B after the flush" "$(block_byte $dev 1)" EIO

	run dmsetup suspend wc
	run dmsetup resume wc
	expect_eq "$s: B after a resume" "$(block_byte $dev 1)" EIO
	expect_eq "$s: counts after a resume" \
		"$(wc_status 15) $(wc_status 16) $(wc_status 17)" "2 1 0"
	free0=$(wc_status 3)

	write_block $dev 1 62
	expect_eq "$s: B rewritten" "$(block_byte $dev 1)" 62
	expect_eq "$s: lost after the rewrite" "$(wc_status 16)" 0
	# B's new block came off the freelist; its failed one did not go back.
	expect_eq "$s: free blocks after the rewrite" "$(wc_status 3)" $((free0 - 1))
	expect_eq "$s: error indicator at the end" "$(wc_status 1)" 0

	inject_mce "$cache_phys" srao
	wait_for 20 witnessed memory_failure_event 3
	expect_eq "$s: metadata: error indicator" "$(wc_status 1)" 1
	expect_eq "$s: metadata failures" "$(wc_status 17)" 1
	expect_write_fails "$s: after a metadata failure" 4
	run dmsetup remove wc
	if echo "$wc_table" | dmsetup create wc2 2>/dev/null; then
		fail "$s: a new table mapped the failed cache"
	fi
	expect_match "$s: a new table refused" "$(dmesg | grep 'writecache: ' | tail -n 1)" \
		"Unable to map persistent memory for cache"
	dmsetup remove wc2 2>/dev/null
}

run modprobe dm-mod
run modprobe dm-writecache
witness_probe 'p:mfrtest/wc_told writecache_notify_failure offset=%dx:x64 len=%cx:x64 flags=%r8:x32'
lockdep_case region0
upstream_case region2
one_case unloaded region1
expect_per_page "unloaded" 0
run modprobe mfroute
one_case loaded region0
expect_per_page "loaded" 0
