#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demonstration behind "make run": load mfroute, put xfs with DAX on
# an emulated NVDIMM, map a file and poison one of its pages.
. /lib/mfroute-test-lib.sh

say() { printf '\n=== %s\n' "$*"; }

say "Loading mfroute"
run modprobe mfroute
dmesg | grep 'mfroute:' | tail -n 1
ls -d /sys/kernel/debug/mfroute

say "Creating an fsdax namespace on the emulated NVDIMM, xfs with DAX on it"
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
grep " /mnt " /proc/mounts

say "Mapping /mnt/data and poisoning its page 3 with madvise(MADV_HWPOISON)"
out=$(dax-probe poison /mnt/data 3)
echo "the mapping process saw: $out"
case $out in
"sigbus code=BUS_MCEERR_AR page=3 "*)
	say "Result: the poisoned page delivered SIGBUS (BUS_MCEERR_AR) to the process" ;;
*)
	say "Result: unexpected: $out"; exit 1 ;;
esac
