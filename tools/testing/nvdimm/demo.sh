#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demonstration behind "make run": load mfroute and its sample holder,
# put xfs with DAX on an emulated NVDIMM, map a file, poison one of its
# pages, then report 256 pages failing at once.
. /lib/mfroute-test-lib.sh

say() { printf '\n=== %s\n' "$*"; }

say "Loading mfroute and the sample holder"
run modprobe mfroute
run modprobe mfroute_holder
dmesg | grep 'mfroute: version' | tail -n 1

say "Creating an fsdax namespace on the emulated NVDIMM, xfs with DAX on it"
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
grep " /mnt " /proc/mounts
hold_device "$pmem"
echo "sample holder registered on $pmem"

say "Mapping /mnt/data and poisoning its page 3 with madvise(MADV_HWPOISON)"
out=$(dax-probe poison /mnt/data 3)
echo "the mapping process saw: $out"
echo "the sample holder was told: $(cat $holder/events)"
case $out in
"sigbus code=BUS_MCEERR_AR page=3 "*) ;;
*) say "Result: unexpected: $out"; exit 1 ;;
esac

say "Reporting 256 pages (1 MiB) under the file as failed, at once"
pfn=$(pfn_of /mnt/data 256)
echo "$pfn 256" >/sys/kernel/debug/mfroute/inject
echo "the sample holder was told: $(tail -n 1 $holder/events)"
echo "holder calls: $(holder_calls) for 257 failed pages"
echo "ledger:"
sed 's/^/  /' $ledger

say "Result: poison delivered SIGBUS; 257 failed pages cost $(holder_calls) calls to the holder"
