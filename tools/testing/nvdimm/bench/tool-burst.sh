#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G
# timeout: 5400
#
# Benchmark, not a test: the monitor's service (the systemd unit's
# ExecStart line, storing its records) through a burst of 10,000
# single-page failures under a file on ext4 -o dax, reported one after
# another through the inject file, in two rounds:
#
#   plain      the service with --no-resolve added: what reading,
#              printing and storing cost;
#   resolving  the service as installed: each failure's delivery to ext4
#              and its per-page fallback resolved (one FIEMAP walk of a
#              filesystem of 50 files a failure, the fallback answered
#              from the delivery's).
#
# Printed for each: the burst's wall time, the records printed when it
# ended, the time until the last was printed, records a second, the
# records the kernel overwrote or dropped in the instance (8 KiB a CPU),
# the records in the store and the monitor's peak memory (VmHWM).
. /lib/mfroute-test-lib.sh

N=${N:-10000}
FILES=50
run modprobe mfroute
fsdax_namespace region0
mount_ext4_dax "/dev/$pmem" /mnt
make_file /mnt/burst $(( (N * 4096 + 1048575) / 1048576 + 1 ))
contiguous /mnt/burst $N
pfn0=$run_pfn
small_files /mnt $FILES
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/mfroute-monitor.service)
store=/var/lib/mfroute/events.jsonl

now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# round NAME FIRST-PFN EXTRA-ARGS...
round() {
	local name=$1 first=$2 t0 t1 t2 printed total i
	shift 2
	rm -rf /var/lib/mfroute
	$exec_start "$@" >/tmp/journal.$name 2>&1 &
	service=$!
	wait_for 10 monitor_ready $service
	inst=$tracing/instances/mfroute-monitor.$service
	echo 8 >$inst/buffer_size_kb || fail "buffer_size_kb"
	t0=$(now_ms)
	i=0
	while [ $i -lt $N ]; do
		answer $mf_inject "$((first + i)) 1" >/dev/null
		i=$((i + 1))
	done
	t1=$(now_ms)
	printed=$(grep -c '^\[' /tmp/journal.$name)
	total=$((3 * N))
	# Until all are printed, or the monitor warns of records lost.
	while [ "$(grep -c '^\[' /tmp/journal.$name)" -lt $total ] &&
		! grep -q '^mfroute: warning' /tmp/journal.$name; do
		sleep 1
	done
	t2=$(now_ms)
	hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' /proc/$service/status)
	overrun=$(sed -n 's/^overrun: //p' $inst/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s }')
	dropped=$(sed -n 's/^dropped events: //p' $inst/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s }')
	kill -TERM $service
	wait $service || fail "$name: the service exited $?"
	echo "$name: $N failures in $((t1 - t0)) ms; $printed of $total records printed as the burst ended; all $((t2 - t0)) ms after it began ($((total * 1000 / (t2 - t0))) records/s); overwritten $overrun, dropped $dropped; store $(grep -c . $store) records; peak memory $hwm"
}

echo MFROUTE-BENCH
round plain $pfn0 --no-resolve
# The same pages are poisoned now: the second round takes the next ones.
make_file /mnt/burst2 $(( (N * 4096 + 1048575) / 1048576 + 1 ))
contiguous /mnt/burst2 $N
pfn1=$run_pfn
round resolving $pfn1
run umount /mnt
