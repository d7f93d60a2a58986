#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
# machine-checks: yes
#
# A real machine check, raised by QEMU as a patrol scrub reports one
# (action optional), on a page of a file on xfs over a dm-linear
# concatenation of pmem0 and pmem1, while a process maps the file (early
# kill): the kernel's machine-check handler logs it, the NFIT notifier
# records it in the bus's badrange list (the pmem's badblocks have it),
# and memory_failure() gets the page without MF_SW_SIMULATED.  mfroute
# tells xfs, through the dm device, once, at the dm offset, with no flags;
# the process gets SIGBUS BUS_MCEERR_AO for the page; the generic
# per-page path does not run; "mfroute monitor" shows the event with no
# "simulated" flag.
#
# The badblocks of pmem1 hold the page; the kernel is tainted (machine
# check), which turns lockdep off for the rest of the boot.
#
# Upstream, first, with mfroute unloaded, on the two other pmems: nobody
# tells the xfs on dm; the generic per-page path handles the page and
# signals the process; the badblocks hold the page, as the NFIT notifier
# recorded it.
. /lib/mfroute-test-lib.sh

# srao_on_file FILE PAGE: raise an action-optional machine check on page
# PAGE of FILE while a process maps it; set $seen to what it saw.
srao_on_file() {
	local addr
	addr=$(( $(pfn_of "$1" "$2") * 4096 ))
	hold_mapping "$1"
	witness_mce_start
	dmesg -c >/dev/null
	inject_mce $addr srao
	wait_for 20 witnessed memory_failure_event
	release_mapping
	expect_eq "machine checks recorded" "$(witness_count mce_record)" 1
	expect_match "the machine check: bank 1, scrub, at the page" "$(witness mce_record)" \
		"MC1: bd000000000000c0, .*ADDR: $(printf '%016x' $addr), MISC: 000000000000008c,"
	expect_match "memory_failure() reached" "$(dmesg | grep 'Memory failure: .*recovery action')" \
		"Memory failure: $(printf '%#x' $((addr / 4096))): recovery action for dax page: Recovered"
	expect_match "ras event for the page" "$(witness memory_failure_event)" \
		"^pfn $(printf '%#x' $((addr / 4096))): "
}

echo 1 >/proc/sys/vm/memory_failure_early_kill
run modprobe dm-mod
concat_xfs upstream /mnt/u region2 region3
sector=$(( ($(pfn_of "$f" 0) * 4096 - $(data_start "$p1")) / 512 ))
srao_on_file "$f" 0
expect_match "unloaded: process sees" "$seen" '^sigbus code=BUS_MCEERR_AO page=0 '
expect_eq "unloaded: filesystem notifications" "$(witness_count fs_notify)" 0
expect_per_page "unloaded: machine check" 1
# The NFIT notifier's record: the page the machine check named (its MISC
# says the address is valid down to bit 12).
wait_for 10 grep -q . /sys/block/$p1/badblocks
expect_eq "unloaded: badblocks of $p1" "$(cat /sys/block/$p1/badblocks)" "$sector 8"
run umount /mnt/u
run dmsetup remove upstream

run modprobe mfroute
concat_xfs concat /mnt
pmem_off=$(( $(pfn_of "$f" 0) * 4096 - $(data_start "$p1") ))
want=$(( s0 * 512 + pmem_off ))
mfroute monitor --json --count 2 --timeout 60 --log /tmp/monitor.json &
monitor=$!
wait_for 10 monitor_ready $monitor
srao_on_file "$f" 0
expect_match "process sees" "$seen" '^sigbus code=BUS_MCEERR_AO page=0 '
expect_fs_told "machine check" "$(printf '%#x' $want)" 0x1000 0x0
expect_per_page "machine check" 0
wait $monitor || fail "mfroute monitor exited $?"
cat /tmp/monitor.json
ev=$(grep '"event":"mfroute_event"' /tmp/monitor.json)
expect_match "monitor: pmem range" "$ev" \
	"\"blockdev\":\"$p1\",\"offset_bytes\":$pmem_off,\"len_bytes\":4096,"
expect_match "monitor: flags" "$ev" "\"flags_raw\":0,"
expect_match "monitor: origin" "$ev" "\"origin\":\"memory_failure\""
# The same page: the notifier's, and the one pmem records for hardware
# poison the router saw, merged.
wait_for 10 grep -q . /sys/block/$p1/badblocks
expect_eq "badblocks of $p1" "$(cat /sys/block/$p1/badblocks)" "$((pmem_off / 512)) 8"
run umount /mnt
