#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G
# timeout: 900
#
# Benchmark, not a test: the firmware-first queue under a burst, in one
# guest boot.  PAGES (default 10000) action-optional failures of the pages
# of a file on xfs (DAX) are queued with memory_failure_queue() from one
# CPU with preemption off (mfroute_mf_queue_test.ko), as GHES hands on a
# patrol scrub's findings, first with mfroute unloaded (pmem1), then
# loaded (pmem0).  Dropped: the queue's "buffer overflow" lines.
# Delivered: pages memory_failure() handled (HardwareCorrupted).  xfs
# calls: xfs's probe.  Wall time: from the request to the last page
# handled.
. /lib/mfroute-test-lib.sh

nr=${PAGES:-10000}
# burst DEV DIR: a file in DIR on DEV whose first $nr pages are contiguous,
# and the burst over them.
burst() {
	mount_xfs_dax "/dev/$1" "$2"
	make_file "$2/big" $(( (nr * 4096 + 1048575) / 1048576 + 1 ))
	contiguous "$2/big" $nr
	queue_burst $run_pfn $nr
	printf '%-24s %9s %10s %9s %10s\n' "$3" $burst_dropped $burst_handled \
		$burst_fs_calls "$((burst_cs * 10))"
	run umount "$2"
}

echo "MFROUTE-BENCH queue-burst: $nr failures queued from one CPU"
printf '%-24s %9s %10s %9s %10s\n' "" dropped delivered "xfs calls" "wall ms"
fsdax_namespace region1
burst "$pmem" /mnt/u "upstream (unloaded)"
up="$burst_dropped $burst_fs_calls"
run modprobe mfroute
fsdax_namespace region0
burst "$pmem" /mnt "mfroute"
echo "delivered: mfroute $burst_handled of $nr, upstream $((nr - ${up%% *})) of $nr;" \
	"xfs calls per delivered page: mfroute $burst_fs_calls/$burst_handled," \
	"upstream ${up#* }/$((nr - ${up%% *}))"
