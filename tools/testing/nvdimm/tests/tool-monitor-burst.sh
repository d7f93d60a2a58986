#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# timeout: 900
#
# The monitor's service loses nothing in a burst that outruns its
# resolution.  The systemd unit's ExecStart line runs as a service
# (standard output as the journal, the store in /var/lib/mfroute), while
# 1,000 single-page failures under a file on ext4 -o dax are reported
# one after another through the inject file.  Each failure gives three
# records: the event, the delivery to ext4 (which declines) and the
# per-page fallback, the same range of the same device, resolved with
# one FIEMAP walk of a filesystem of 50 files (the fallback gets the
# answer the monitor found for the delivery), which is slow.  The
# instance's trace buffer is cut to 8 KiB a CPU.  When the burst ends,
# more records are still to be printed than that buffer could hold (its
# bytes over the smallest record's size, from the events' format files):
# the monitor read them into its memory, so the kernel overwrote and
# dropped none (the instance's "overrun" and "dropped events" stay 0).
# The kernel's own ras:memory_failure_event counts the 1,000 pages its
# per-page path handled.  Then the log has every failure in words, with
# its wall-clock time and where its media is, and every fallback naming
# the file; the store has every record, each event with its wall-clock
# time, namespace, region and DIMM.  After the service is started again
# and stopped, "mfroute log --since" shows the 1,000 failures, and the
# summary counts them.
. /lib/mfroute-test-lib.sh

N=1000
FILES=50
run modprobe mfroute
fsdax_namespace region0
mount_ext4_dax "/dev/$pmem" /mnt
make_file /mnt/burst 8
ndctl_place "$pmem"
dimm=$(ndctl list -r "$region" -D | sed -n 's/.*"dev":"\(nmem[0-9]*\)".*/\1/p' | head -n 1)
[ -n "$dimm" ] || fail "ndctl lists no DIMM for $region"
contiguous /mnt/burst $N
pfn0=$run_pfn
off0=$(( pfn0 * 4096 - $(data_start "$pmem") ))
small_files /mnt $FILES

unit=/usr/lib/systemd/system/mfroute-monitor.service
exec_start=$(sed -n 's/^ExecStart=//p' $unit)
store=/var/lib/mfroute/events.jsonl
rm -rf /var/lib/mfroute
t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
$exec_start >/tmp/journal.txt 2>&1 &
service=$!
wait_for 10 monitor_ready $service
inst=$tracing/instances/mfroute-monitor.$service
echo 8 >$inst/buffer_size_kb || fail "buffer_size_kb"
kb=$(cat $inst/buffer_size_kb)
cpus=$(ls -d $inst/per_cpu/cpu* | grep -c .)
# The smallest record: the fixed part of any of the three events, and
# the ring buffer's 4-byte header.
least=$(for e in mfroute_event mfroute_deliver mfroute_fallback; do
	sed -n 's/.*offset:\([0-9]*\);.*size:\([0-9]*\);.*/\1 \2/p' \
		$tracing/events/mfroute/$e/format |
		awk '$1 + $2 > end { end = $1 + $2 } END { print end }'
done | sort -n | head -n 1)
holds=$(( cpus * kb * 1024 / (least + 4) ))
echo "the instance's buffer: $kb KiB on each of $cpus CPUs, at most $holds records of $((least + 4)) bytes"

echo 0 >$tracing/tracing_on
echo 1 >$tracing/events/ras/memory_failure_event/enable || fail "enable ras:memory_failure_event"
echo >$tracing/trace
echo 1 >$tracing/tracing_on
# Not answer, which forks twice a failure and made the burst take two
# minutes: the shell writes itself and reads back the error, if any.
i=0 refused=0
while [ $i -lt $N ]; do
	if ! echo "$((pfn0 + i)) 1" 2>/tmp/answer >$mf_inject; then
		read -r a </tmp/answer
		[ "${a##*: }" = "$per_page_busy" ] || refused=$((refused + 1))
	fi
	i=$((i + 1))
done
printed=$(grep -c '^\[' /tmp/journal.txt)
echo "burst over: $printed of $((3 * N)) records printed"
expect_eq "failures the inject file refused" $refused 0
expect_eq "pages the kernel's per-page path handled (ras:memory_failure_event)" \
	"$(witness_count memory_failure_event)" $N
[ $((3 * N - printed)) -gt $holds ] ||
	fail "the burst did not outrun the monitor: $printed of $((3 * N)) printed as it ended"
pass "the burst outran the monitor: $((3 * N - printed)) records behind, more than the $holds its buffer holds"

# All printed, or records lost (the monitor warns at once).
burst_printed() {
	[ "$(grep -c '^\[' /tmp/journal.txt)" -ge $((3 * N)) ] ||
		grep -q '^mfroute: warning' /tmp/journal.txt
}
wait_for 600 burst_printed
cat $inst/per_cpu/cpu*/stats
expect_eq "records the kernel overwrote" \
	"$(sed -n 's/^overrun: //p' $inst/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s }')" 0
expect_eq "records the kernel dropped" \
	"$(sed -n 's/^dropped events: //p' $inst/per_cpu/cpu*/stats | awk '{ s += $1 } END { print s }')" 0
run kill -TERM $service
wait $service || fail "the service exited $?"
head -n 6 /tmp/journal.txt
tail -n 3 /tmp/journal.txt
expect_eq "journal: warnings" "$(grep -c -e '^warning' -e '^mfroute:' /tmp/journal.txt)" 0
expect_eq "journal: failures, each page once, with its time and where the media is" \
	"$(grep "^\[20[0-9-]*T[0-9:.]*+00:00\] #[0-9]* $pmem: .* failed (poison.* — on $ns in $region (DIMM $dimm" /tmp/journal.txt |
		sed -n "s/.* $pmem: 4 KiB at byte \\(0x[0-9a-f]*\\) failed .*/\\1/p" | sort -u | grep -c .)" $N
expect_eq "journal: fallbacks naming the file" \
	"$(grep "left to the kernel's per-page handling: .* — $pmem: /mnt/burst bytes .*, ext4 on /mnt\$" /tmp/journal.txt | grep -c .)" $N

expect_eq "store: records" "$(grep -c . $store)" $((3 * N))
expect_eq "store: events with their time, namespace, region and DIMM" \
	"$(grep -c "^{\"timestamp\":\"20[0-9-]*T[0-9:.]*+00:00\",.*\"event\":\"mfroute_event\",.*\"namespace\":\"$ns\",\"region\":\"$region\",\"dimms\":\\[{\"dev\":\"$dimm\"" $store)" $N
expect_eq "store: each page once" \
	"$(grep '"event":"mfroute_event"' $store | sed -n 's/.*"offset_bytes":\([0-9]*\),.*/\1/p' | sort -u | grep -c .)" $N
expect_match "store: the first fallback, page 0 of the file" \
	"$(grep '"event":"mfroute_fallback"' $store | head -n 1)" \
	"\"offset_bytes\":$off0,\"len_bytes\":4096,.*\"path\":\"/mnt/burst\",\"file_offset_bytes\":0,"

# The service again, for as long as it takes to start: the history
# survives it.
$exec_start >/tmp/journal2.txt 2>&1 &
service=$!
wait_for 10 monitor_ready $service
run kill -TERM $service
wait $service || fail "the service exited $?"
expect_eq "log --since: the failures" \
	"$(mfroute log --since "$t0" --event event --json | grep -c "\"namespace\":\"$ns\"")" $N
summary=$(mfroute log --summary)
echo "$summary"
expect_match "log summary" "$summary" "^$pmem: $N failure events, $((N * 4)) KiB .*(memory_failure $N)"
expect_match "log summary: the file" "$summary" "files hit: /mnt/burst\$"
run umount /mnt
