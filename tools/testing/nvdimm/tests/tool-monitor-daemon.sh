#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mfroute monitor" as a daemon.  It survives a log rotation as
# logrotate does it:
# the log is moved aside, then the monitor gets SIGHUP.  xfs (DAX) on
# pmem, the monitor logging JSON; a page of a file is poisoned by a
# process that maps it (its SIGBUS says it happened), the log is moved,
# SIGHUP, a page of a second file is poisoned.  The moved log holds the
# records of the first page only (its event, its delivery to xfs), the
# new log those of the second,
# the monitor is still running after the SIGHUP, and SIGTERM then stops
# it, exit status 0, its trace instance removed.  And a monitor killed
# with SIGKILL leaves its trace instance behind, which the next monitor
# to start removes, leaving that of a monitor still running; the
# systemd unit's ExecStart line runs as a service, twice, and "mfroute
# log" shows the failures of both runs from its history; eight monitors
# started at once each keep their own.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
pmem_fs xfs
off0=$(( $(pfn_of /mnt/data 0) * 4096 - $(data_start "$pmem") ))
make_file /mnt/other 1
off1=$(( $(pfn_of /mnt/other 0) * 4096 - $(data_start "$pmem") ))

rm -f /tmp/m.json /tmp/m.json.1
mfroute monitor --json --no-resolve --log /tmp/m.json &
monitor=$!
wait_for 10 monitor_ready $monitor
expect_eq "process sees the first page" "$(dax-probe poison /mnt/data 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
wait_for 10 grep -q '"kind":"filesystem"' /tmp/m.json

run mv /tmp/m.json /tmp/m.json.1
run kill -HUP $monitor
expect_eq "process sees the second page" "$(dax-probe poison /mnt/other 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
wait_for 10 grep -q '"kind":"filesystem"' /tmp/m.json
expect_eq "monitor still running after SIGHUP" "$(kill -0 $monitor && echo yes)" yes
run kill -TERM $monitor
wait $monitor || fail "mfroute monitor exited $?"

echo "moved:"; cat /tmp/m.json.1
echo "new:"; cat /tmp/m.json
for f in /tmp/m.json.1:$off0 /tmp/m.json:$off1; do
	log=${f%:*} off=${f#*:}
	expect_eq "$log: records" "$(grep -c . "$log")" 2
	expect_match "$log: the event" "$(grep '"event":"mfroute_event"' "$log")" \
		"\"blockdev\":\"$pmem\",\"offset_bytes\":$off,\"len_bytes\":4096,"
	expect_match "$log: the delivery to xfs" \
		"$(grep '"event":"mfroute_deliver"' "$log")" \
		"\"blockdev\":\"$pmem\",\"sector\":$((off / 512)),\"nr_sectors\":8,"
done
expect_eq "trace instance removed" \
	"$(ls -d $tracing/instances/mfroute-monitor.* 2>/dev/null)" ""

mfroute monitor --no-resolve --log /tmp/live.txt &
live=$!
wait_for 10 monitor_ready $live
expect_eq "poll wakes at the first record (buffer_percent)" \
	"$(cat $tracing/instances/mfroute-monitor.$live/buffer_percent)" 0
mfroute monitor --no-resolve --log /tmp/killed.txt &
killed=$!
wait_for 10 monitor_ready $killed
kill -KILL $killed
wait $killed
expect_eq "instance left by SIGKILL" \
	"$(ls -d $tracing/instances/mfroute-monitor.$killed 2>/dev/null)" \
	"$tracing/instances/mfroute-monitor.$killed"
mfroute monitor --no-resolve --timeout 1 --log /tmp/next.txt 2>/tmp/next.err ||
	fail "the next monitor exited $?"
cat /tmp/next.err
expect_eq "the next monitor says so" "$(cat /tmp/next.err)" \
	"mfroute: removed the trace instance mfroute-monitor.$killed, left by a monitor that is gone"
expect_eq "instances left: the running monitor's" \
	"$(ls -d $tracing/instances/mfroute-monitor.* 2>/dev/null)" \
	"$tracing/instances/mfroute-monitor.$live"
run kill -TERM $live
wait $live || fail "the running monitor exited $?"

# The systemd unit's service, as systemd would start it: its ExecStart
# line, standard output as the journal, /var/lib/mfroute its state
# directory.  A failure is logged in words, "systemctl reload" (its
# ExecReload, SIGHUP) does not stop it, and SIGTERM (systemctl stop)
# does, exit status 0.  Started again, it logs a second failure.  "mfroute
# log" then shows both from the history, with wall-clock times, the
# namespace, region and DIMM, and the files hit: --since before the first
# run, both; --since between the runs, the second only.
unit=/usr/lib/systemd/system/mfroute-monitor.service
exec_start=$(sed -n 's/^ExecStart=//p' $unit)
expect_eq "the unit's service" "$exec_start" \
	"/usr/bin/mfroute monitor --store /var/lib/mfroute/events.jsonl"
rm -rf /var/lib/mfroute
make_file /mnt/unit 1
make_file /mnt/unit2 1
unit_off=$(( $(pfn_of /mnt/unit2 0) * 4096 - $(data_start "$pmem") ))
t0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
# service_poison FILE: run the service, poison page 0 of FILE while it
# runs, wait for its line, stop it.
service_poison() {
	$exec_start >/tmp/journal.txt 2>&1 &
	service=$!
	wait_for 10 monitor_ready $service
	run kill -HUP $service
	expect_eq "service: process sees $1" "$(dax-probe poison "$1" 0)" \
		"sigbus code=BUS_MCEERR_AR page=0 offset=0"
	wait_for 10 grep -q "$1 bytes 0x0\\.\\.0xfff .* told to xfs on /mnt" /tmp/journal.txt
	expect_eq "service still running after reload" "$(kill -0 $service && echo yes)" yes
	run kill -TERM $service
	wait $service || fail "the service exited $?"
	cat /tmp/journal.txt
}
service_poison /mnt/unit
sleep 1
t1=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
service_poison /mnt/unit2
cat /var/lib/mfroute/events.jsonl
events=$(mfroute log --since "$t0" --event event --json) || fail "mfroute log exited $?"
expect_eq "log since the first run: both failures" "$(echo "$events" | grep -c .)" 2
expect_eq "log: each with its time, namespace, region and DIMM" \
	"$(echo "$events" | grep -c '^{"timestamp":"20[0-9-]*T[0-9:.]*+00:00",.*"namespace":"namespace0.0","region":"region0","dimms":\[{"dev":"nmem0"')" 2
second=$(mfroute log --since "$t1" --event event --json)
expect_eq "log since between the runs: one failure" "$(echo "$second" | grep -c .)" 1
expect_match "log since between the runs: the second" "$second" "\"offset_bytes\":$unit_off,"
words=$(mfroute log --since "$t0" --dev /dev/$pmem)
echo "$words"
for f in /mnt/unit /mnt/unit2; do
	expect_match "log in words: $f" "$words" \
		"^\\[20[0-9-]*T[0-9:.]*\\+00:00\\] #[0-9]+ .* — $pmem: $f bytes 0x0\\.\\.0xfff \\(inode [0-9]+\\) told to xfs on /mnt: ok"
done
summary=$(mfroute log --summary)
echo "$summary"
expect_match "log summary" "$summary" "^$pmem: 2 failure events, 8 KiB \\(memory_failure 2\\)"
expect_match "log summary: the files" "$summary" "files hit: /mnt/unit, /mnt/unit2\$"

# Eight monitors started at once: none takes another's instance for one
# a monitor left (each finds the others' made, events not yet on, while
# it starts), and each records the failure that follows.
make_file /mnt/many 1
off2=$(( $(pfn_of /mnt/many 0) * 4096 - $(data_start "$pmem") ))
many=
for i in 1 2 3 4 5 6 7 8; do
	mfroute monitor --json --no-resolve --event mfroute_event --count 1 \
		--timeout 60 --log /tmp/many.$i 2>/tmp/many.$i.err &
	many="$many $!"
done
for m in $many; do
	wait_for 20 monitor_ready $m
done
expect_eq "process sees the page" "$(dax-probe poison /mnt/many 0)" \
	"sigbus code=BUS_MCEERR_AR page=0 offset=0"
i=0
for m in $many; do
	i=$((i + 1))
	wait $m || fail "monitor $i of 8 exited $?"
	cat /tmp/many.$i.err
	expect_match "monitor $i of 8 recorded the failure" "$(cat /tmp/many.$i)" \
		"\"blockdev\":\"$pmem\",\"offset_bytes\":$off2,\"len_bytes\":4096,"
	expect_eq "monitor $i of 8 removed no instance" "$(cat /tmp/many.$i.err)" ""
done
expect_eq "no instance left" \
	"$(ls -d $tracing/instances/mfroute-monitor.* 2>/dev/null)" ""
run umount /mnt
