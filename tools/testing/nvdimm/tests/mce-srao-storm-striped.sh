#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
# machine-checks: yes
# timeout: 600
#
# A storm of 500 real machine checks (action optional, as a patrol scrub
# reports them), one per page, over the pages of a file that dm-striped
# (64 KiB chunks) puts on its member pmem0, xfs on top: none is lost.
# Each page reaches xfs once, at its place in the dm device, with no
# flags, and nothing goes per page: xfs's probe sees the 500 dm offsets
# the stripe layout gives, ras:memory_failure_event one action a page.
#
# Upstream, first, with mfroute unloaded, on the two other pmems: xfs is
# told of none, and the generic per-page path handles all 500 pages.
#
# The machine checks come in rounds of 25, each waited for: the kernel
# keeps machine-check records in a small pool until its work item hands
# them on, and drops what does not fit ("MCE records pool full!"), with or
# without mfroute.
. /lib/mfroute-test-lib.sh

chunk=128
pages=500

# storm FILE: set $addrs to the physical addresses of the first $pages
# pages of FILE on $p0 and $offs to their byte offsets in the dm device,
# then raise an action-optional machine check on each.
storm() {
	local base lo hi i=0 n=0 pfn a m
	base=$(data_start "$p0")
	lo=$((base / 4096))
	hi=$((lo + $(blockdev --getsize64 "/dev/$p0") / 4096))
	dax-probe pfns "$1" 4095 >/tmp/pfns || fail "dax-probe pfns $1"
	addrs= offs=
	while read -r pfn && [ $n -lt $pages ]; do
		pfn=$((pfn))
		if [ $pfn -ge $lo ] && [ $pfn -lt $hi ]; then
			a=$((pfn * 4096))
			m=$(( (a - base) / 512 ))
			addrs="$addrs $a"
			offs="$offs $(( (m / chunk * 2 * chunk + m % chunk) * 512 ))"
			n=$((n + 1))
		fi
	done </tmp/pfns
	[ $n -eq $pages ] || fail "only $n pages of $1 on $p0"
	witness_mce_start
	for a in $addrs; do
		inject_mce $a srao
		i=$((i + 1))
		[ $((i % 25)) -eq 0 ] && wait_for 60 witnessed memory_failure_event $i
	done
	wait_for 60 witnessed memory_failure_event $pages
	expect_eq "machine checks recorded" "$(witness_count mce_record)" $pages
	expect_eq "memory_failure() actions, one a page" \
		"$(witness memory_failure_event | sed -n 's/^pfn \(0x[0-9a-f]*\): .*/\1/p' | sort -u | grep -c .)" $pages
	if dmesg | grep -q 'MCE records pool full'; then fail "machine checks dropped"; fi
}

run modprobe dm-mod
stripe_pmems upstream $chunk region2 region3
mount_xfs_dax /dev/mapper/upstream /mnt/u
make_file /mnt/u/big 16
storm /mnt/u/big
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "unloaded: storm" $pages
run umount /mnt/u
run dmsetup remove upstream

run modprobe mfroute
stripe_pmems stripe $chunk
mount_xfs_dax /dev/mapper/stripe /mnt
make_file /mnt/big 16
storm /mnt/big
expect_per_page "storm" 0
expect_lines "xfs told of each page once, at its dm offset" \
	"$(witness_fs | sort)" \
	"$(for o in $offs; do printf 'offset=%#x len=0x1000 flags=0x0\n' "$o"; done | sort)"
expect_eq "ledger check" "$(ledger_field "$p0" check)" ok
run umount /mnt
