#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# nvdimms: 1G 1G 1G 1G
# machine-checks: yes
#
# A real action-required machine check: a process spinning on a read of
# page 3 of its mapped file, on xfs over a dm-linear concatenation of
# pmem0 and pmem1, consumes poison there (QEMU raises the machine check
# on its CPU while that CPU runs user code).  The process gets SIGBUS
# BUS_MCEERR_AR for page 3; mfroute tells xfs once, at the dm offset, with
# MF_ACTION_REQUIRED (0x2, what the kernel's kill_me_maybe() passes); nothing
# goes per page.  The NFIT driver's machine-check notifier also lists the
# page bad, from a work item, and pmem routes what it lists: when that
# work runs before the task returns to user mode (a race in the kernel,
# seen once in a few runs), xfs is told from there, once, with no flag,
# and the consumption that follows is absorbed.  Which came first is read
# from kprobes on memory_failure() and xfs.
#
# Upstream, first, with mfroute unloaded, on the two other pmems: the
# process gets the same signal, from the generic per-page path, and xfs
# is told nothing.
. /lib/mfroute-test-lib.sh

# srar_on_file FILE PAGE: have a process on CPU 1 spin reading page PAGE
# of FILE, and raise an action-required machine check for that page
# there; set $seen to what the process saw.
srar_on_file() {
	local addr spin i
	addr=$(( $(pfn_of "$1" "$2") * 4096 ))
	rm -f /tmp/spin.out
	taskset -c 1 dax-probe spin "$1" "$2" >/tmp/spin.out &
	spin=$!
	wait_for 10 grep -q spinning /tmp/spin.out
	witness_probe 'p:mfrtest/mf_entry memory_failure'
	witness_mce_start
	inject_mce $addr srar 1
	for i in $(seq 100); do kill -0 $spin 2>/dev/null || break; sleep 0.1; done
	if kill -0 $spin 2>/dev/null; then
		kill $spin
		fail "the spinning reader was not stopped by the machine check"
	fi
	wait $spin
	seen=$(tail -n 1 /tmp/spin.out)
	expect_eq "machine checks recorded" "$(witness_count mce_record)" 1
	expect_match "the machine check: a data load on CPU 1, at the page" \
		"$(witness mce_record)" \
		"^CPU: 1, .* MC1: bd80000000000134, .*ADDR: $(printf '%016x' $addr), MISC: 000000000000008c,"
	expect_match "in user mode" "$(witness mce_record)" "RIP: 33:<"
	expect_eq "memory_failure() actions" "$(witness_count memory_failure_event)" 1
}

run modprobe dm-mod
concat_xfs upstream /mnt/u region2 region3
srar_on_file "$f" 3
expect_eq "unloaded: process sees" "$seen" "sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "unloaded: machine check" 1
run umount /mnt/u
run dmsetup remove upstream

run modprobe mfroute
concat_xfs concat /mnt
want=$(( s0 * 512 + $(pfn_of "$f" 3) * 4096 - $(data_start "$p1") ))
srar_on_file "$f" 3
expect_eq "process sees" "$seen" "sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
if [ "$(witness_timeline fs_notify mf_entry | head -n 1 | cut -d' ' -f1)" = mf_entry ]; then
	expect_fs_told "machine check" "$(printf '%#x' $want)" 0x1000 0x2
else
	echo "the notifier's work told xfs before the task consumed the page"
	expect_fs_told "machine check, listed bad first" "$(printf '%#x' $want)" 0x1000 0x0
fi
expect_per_page "machine check" 0
run umount /mnt
