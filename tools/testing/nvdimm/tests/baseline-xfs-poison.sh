#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Upstream baseline on QEMU's emulated NVDIMM: xfs (rmapbt) mounted with
# DAX on an fsdax namespace, a file mapped, one page poisoned with
# madvise(MADV_HWPOISON): memory_failure() takes the dev_pagemap path and
# the process gets SIGBUS BUS_MCEERR_AR at the poisoned address.
. /lib/mfroute-test-lib.sh

fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
expect_match "mapping is DAX" "$(xfs_io -c 'lsattr -v' /mnt/data)" '.*'
out=$(dax-probe poison /mnt/data 3)
expect_eq "process sees" "$out" "sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
dmesg | grep -i 'memory failure' | tail -n 3
run umount /mnt
