#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demonstration behind "make run": xfs with DAX on a dm-linear
# concatenation of two emulated NVDIMMs, "mfroute monitor" following the
# module's tracepoints.  One page under a file on the second NVDIMM is
# poisoned while a process maps it; then 1 MiB under another file fails
# at once.  The monitor says, for each, the pmem range, the dm range, the
# file and offset, and what xfs did; the process says what it saw.
. /lib/mfroute-test-lib.sh

say() { printf '\n=== %s\n' "$*"; }

# monitor_lines FILE N: wait (10 s at most) until FILE has N lines.
monitor_lines() {
	local i
	for i in $(seq 100); do
		[ "$(grep -c . "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

say "Loading mfroute and its sample holder"
run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
echo "mfroute $(cat /sys/kernel/mfroute/version) loaded"

say "xfs (rmapbt, DAX) on dm-linear over two pmem namespaces"
concat_pmems concat
mount_xfs_dax /dev/mapper/concat /mnt
spread_files /mnt 8
hold_device "$dm"
echo "the sample holder module holds all of $dm"
mfroute stack "$p1" || fail "mfroute stack"

mfroute monitor --human --log /tmp/monitor.txt &
monitor=$!
sleep 1

f=$(file_on "$p1" /mnt/d*/f) || fail "no file on $p1"
say "A process maps $f (on $p1) and its page 0 is poisoned (madvise(MADV_HWPOISON))"
out=$(dax-probe poison "$f" 0)
echo "the process saw: $out"
case $out in
"sigbus code=BUS_MCEERR_AR page=0 "*) ;;
*) fail "unexpected: $out" ;;
esac
monitor_lines /tmp/monitor.txt 3 || fail "the monitor said too little"
echo "mfroute monitor said:"
sed 's/^/  /' /tmp/monitor.txt

g=$(file_on "$p1" /mnt/d*/f | grep -v "^$f\$" | head -n 1)
[ -n "$g" ] || g=$f
say "1 MiB (256 pages) under $g fails at once (a platform's ranged report)"
before=$(grep -c . /tmp/monitor.txt)
echo "$(pfn_of "$g" 0) 256" >$mf_inject || fail "ranged inject"
monitor_lines /tmp/monitor.txt $((before + 3)) || fail "the monitor said too little"
echo "mfroute monitor said (one line per holder for the whole MiB):"
tail -n +$((before + 1)) /tmp/monitor.txt | sed 's/^/  /'
echo "the sample holder was told:"
sed 's/^/  /' $holder/events

kill -INT $monitor
wait $monitor

say "mfroute status"
mfroute status || fail "mfroute status"

say "Result: 257 failed pages, $(holder_calls) calls to the holder module; the process got SIGBUS"
umount /mnt
