#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Ranges of a TiB or more in pmem's badblocks lists (series bug 6): the
# badblocks API counts sectors in an int, and pmem once passed its
# sector_t lengths whole, so a range of 2^31 sectors or more was
# truncated.  No guest here holds a TiB of emulated NVDIMM (its memmap
# alone would be 16 GiB), so the arithmetic is tested by the series' KUnit
# suite (drivers/nvdimm/pmem_test.c), against the pmem module in use:
# clearing 2 TiB clears the marks in it, past the first TiB too, and not
# the one after it; setting 2 TiB and 4 KiB says the list could not hold
# it.  What is read is KUnit's own report, in the kernel log.
. /lib/mfroute-test-lib.sh

dmesg -c >/dev/null
run modprobe pmem_test
report=$(dmesg | sed -n 's/^\[[ 0-9.]*\] *//p' | grep -E 'pmem_b')
echo "$report"
expect_eq "KUnit: clearing 2 TiB" \
	"$(echo "$report" | grep -E '^(not )?ok [0-9]+ pmem_bb_clear_long$')" \
	"ok 1 pmem_bb_clear_long"
expect_eq "KUnit: setting 2 TiB and 4 KiB" \
	"$(echo "$report" | grep -E '^(not )?ok [0-9]+ pmem_bb_set_long$')" \
	"ok 2 pmem_bb_set_long"
expect_eq "KUnit: the suite" \
	"$(echo "$report" | grep -E '^# pmem_badblocks: pass:')" \
	"# pmem_badblocks: pass:2 fail:0 skip:0 total:2"
run rmmod pmem_test
