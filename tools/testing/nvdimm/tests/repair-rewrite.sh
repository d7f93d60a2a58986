#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Poison on QEMU's NVDIMM, then rewritten: page 3 of an xfs file is
# poisoned with madvise(MADV_HWPOISON) (software poison, which the media
# does not keep); the holder hears of it and the ledger keeps it failed.
# Rewriting the page through the block device reads back what was written,
# the holder is told once that the range is good again, and the ledger
# counts the repair and forgets the range, so a later failure there is
# delivered again.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
pmem_fs xfs
hold_device "$pmem"
off=$(( $(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem") ))
majmin=$(cat /sys/class/block/$pmem/dev)
witness_holder_probe
witness_start
expect_eq "process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_fs_told "poison" "$(printf '%#x' $off)" 0x1000 0x23
expect_per_page "poison" 0
expect_eq "ledger keeps it" "$(grep '^  failed' $ledger)" \
	"  failed $(printf '%#x' $off)+0x1000"
run umount /mnt

run xfs_io -d -c "pwrite -S 0x5a $off 4096" "/dev/$pmem"
expect_match "reads back" "$(xfs_io -d -c "pread -v $off 512" "/dev/$pmem" | head -n 1)" \
	'5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a'
wait_for 20 witnessed holder_repaired
events=$(cat $holder/events)
echo "$events"
expect_eq "holder calls" "$(echo "$events" | grep -c .)" 2
expect_eq "repair call" "$(echo "$events" | tail -n 1)" \
	"dev=$majmin offset=$(printf '%#x' $off) len=0x1000 repaired"
cat $ledger
expect_eq "ledger repaired" "$(ledger_field "$pmem" repaired)" 1/4096
expect_eq "range forgotten" "$(grep -c '^  failed' $ledger)" 0
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok

# A later failure there is new again.
pfn=$(( ($(data_start "$pmem") + off) / 4096 ))
witness_start
# Nothing maps it now (xfs is unmounted): the per-page path answers EBUSY.
expect_refused "poison after the repair" $mf_inject "$pfn 1" "$per_page_busy"
expect_eq "told again after the repair" "$(grep -c . $holder/events)" 3
expect_eq "told the holder, not absorbed" "$(witness_args holder_told)" \
	"dev=$(kdev "$pmem") offset=$(printf '%#x' $off) len=0x1000 flags=0x20"
