#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Upstream baseline on QEMU's emulated NVDIMM, mfroute not loaded: xfs
# (rmapbt) mounted with DAX on an fsdax namespace, a file mapped, one page
# poisoned with madvise(MADV_HWPOISON).  memory_failure() takes the
# dev_pagemap path: xfs is told once, of that page, with the flags of
# madvise (MF_COUNT_INCREASED | MF_ACTION_REQUIRED | MF_SW_SIMULATED),
# the generic per-page handling does not run, memory_failure() logs one
# action, and the process gets SIGBUS BUS_MCEERR_AR at the poisoned page.
# The routing tests hold mfroute to the same witnesses.
. /lib/mfroute-test-lib.sh

pmem_fs xfs
want=$(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") ))
witness_start
out=$(dax-probe poison /mnt/data 3)
expect_eq "process sees" "$out" "sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "poison" "$(printf '%#x' $want)" 0x1000 0x23
expect_mf_actions "poison" 1
expect_per_page "poison" 0
expect_match "recovery line" "$(dmesg | grep 'Memory failure:' | tail -n 1)" \
	'Memory failure: 0x[0-9a-f]+: recovery action for dax page: Recovered'
run umount /mnt
