#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mfroute" without root.  xfs (DAX) on pmem0, a dm-linear device over
# pmem1.  As user 65534 with no capability: "monitor" refuses, exit
# status 3, naming the capabilities it needs; "stack" shows the stack,
# and for the dm device that its table could not be read, and why;
# "status" works (sysfs).  As user 65534 with CAP_DAC_OVERRIDE and
# CAP_SYS_ADMIN only (ambient, as a unit's AmbientCapabilities= gives
# them): "monitor" follows a failure a process hits (its SIGBUS) and
# names the file by GETFSMAP, and "stack" reads the table (CAP_SYS_ADMIN
# for the ioctl, CAP_DAC_OVERRIDE for /dev/mapper/control).
. /lib/mfroute-test-lib.sh

run modprobe mfroute
two_pmems
mount_xfs_dax "/dev/$p0" /mnt
make_file /mnt/data 1
dm_create lin "0 $s1 linear /dev/$p1 0"

expect_eq "no capability: what the user has" \
	"$(run-as 65534 -- sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)" 0000000000000000
if run-as 65534 -- mfroute monitor --timeout 1 >/tmp/out 2>/tmp/err; then
	fail "no capability: monitor ran"
else
	rc=$?
fi
cat /tmp/err
expect_eq "no capability: monitor's exit status" "$rc" 3
expect_match "no capability: monitor says why" "$(head -n 1 /tmp/err)" \
	"^mfroute: .*/sys/kernel/tracing/.*: Permission denied"
expect_match "no capability: and what it needs" "$(tail -n 1 /tmp/err)" \
	"^hint: run it as root, or with the capabilities CAP_DAC_OVERRIDE \\(tracefs\\) and CAP_SYS_ADMIN"
out=$(run-as 65534 -- mfroute stack "$p1") || fail "no capability: stack exited $?"
echo "$out"
expect_match "no capability: stack shows $dm" "$out" "device-mapper $dm \"lin\""
expect_match "no capability: and what it could not read" "$out" \
	"table not read: device-mapper tables need CAP_SYS_ADMIN and access to /dev/mapper/control \\(run it as root\\): Permission denied"
run run-as 65534 -- mfroute status

run-as 65534 dac_override sys_admin -- \
	mfroute monitor --json --count 2 --timeout 60 --log /tmp/caps.json &
monitor=$!
wait_for 10 monitor_ready $monitor
expect_eq "process sees" "$(dax-probe poison /mnt/data 1)" \
	"sigbus code=BUS_MCEERR_AR page=1 offset=0x1000"
wait $monitor || fail "with capabilities: monitor exited $?"
cat /tmp/caps.json
expect_match "with capabilities: the file, by GETFSMAP" \
	"$(grep '"event":"mfroute_deliver"' /tmp/caps.json)" \
	"\"status\":\"ok\",\"message\":null,.*\"path\":\"/mnt/data\",\"file_offset_bytes\":4096,"
expect_eq "with capabilities: the log is the user's" "$(stat -c %u /tmp/caps.json)" 65534
out=$(run-as 65534 dac_override sys_admin -- mfroute stack "$p1") ||
	fail "with capabilities: stack exited $?"
echo "$out"
expect_match "with capabilities: stack reads the table" "$out" \
	"$dm \"lin\".*: failures are translated up to it"
run umount /mnt
run dmsetup remove lin
