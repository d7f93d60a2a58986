#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A holder on a device-dax instance, and the router asking a device-dax
# dax_device for its poison.  device-dax's dax_devices have no
# operations; once the router knows one, every new holder makes it ask
# every device it knows for the poison nobody took (dax_report_poison()),
# which once followed the NULL operations (series bug 2).
#
# Upstream first, the module unloaded: region0's namespace as device-dax,
# a process reading all of its first 4 MiB every 2 ms, the namespace
# disabled: the process gets a SIGBUS (the mapping was revoked).
#
# Then with the module: the sample holder registers twice on
# /dev/daxX.Y, for its first page and for [2 MiB, 4 MiB): the dax core's
# dax_report_poison() is called (a kprobe counts it) after each, and
# nothing oopses.  A process maps it as above; the namespace is disabled:
# each holder is told once, of exactly its range, MF_MEM_PRE_REMOVE,
# before kill_dax() returned; the process gets a SIGBUS as upstream; the
# holders unregister cleanly once the device is gone.
. /lib/mfroute-test-lib.sh

export DAX_PROBE_BYTES=$((4 << 20))

devdax_namespace region0
keep_mapping "/dev/$daxdev" read u
run ndctl disable-namespace "$ns"
expect_revoked "unloaded: reader of /dev/$daxdev" u
run ndctl enable-namespace "$ns"

run modprobe mfroute
run modprobe mfroute_holder
devdax_chardev region0
majmin=$(cat "/sys/bus/dax/devices/$daxdev/dev")
witness_holder_probe
witness_probe 'p:mfrtest/report_poison dax_report_poison dax=%di:x64'
witness_probe 'r:mfrtest/killed kill_dax'
dmesg -c >/dev/null
witness_start
echo "/dev/$daxdev 0 4096" >$holder/register || fail "register on /dev/$daxdev"
wait_for 30 witnessed report_poison 1
echo "/dev/$daxdev $((2 << 20)) $((2 << 20))" >$holder/register ||
	fail "register [2 MiB, 4 MiB) of /dev/$daxdev"
wait_for 30 witnessed report_poison 2
expect_eq "registrations logged" "$(dmesg | grep -c "dax$majmin: holder registered")" 2
expect_refused "a regular file" $holder/register "/init 0 4096" \
	"Inappropriate ioctl for device"

keep_mapping "/dev/$daxdev" read r
run ndctl disable-namespace "$ns"
expect_revoked "reader of /dev/$daxdev" r
events=$(cat $holder/events)
echo "$events"
expect_eq "holders told of the removal" "$events" \
	"dev=$majmin offset=0x0 len=0x1000 flags=0x80
dev=$majmin offset=0x200000 len=0x200000 flags=0x80"
expect_eq "holders told before kill_dax() returned" \
	"$(witness_timeline holder_told killed | awk '$1 == "killed" { exit } $1 == "holder_told" { n++ } END { print n + 0 }')" 2
echo 1 >$holder/unregister || fail "unregister"
run rmmod mfroute_holder
run rmmod mfroute
