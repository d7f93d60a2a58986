#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
#
# A device-dax namespace disabled and enabled over and over while xfs is
# mounted and unmounted on another pmem, with the router asking every
# device it knows for its poison at each mount (series bug 2: device-dax
# dax_devices have no operations).
#
# region0's namespace as device-dax, the sample holder registered on its
# first page after each enable (the router then knows the instance until
# it dies), cycled in the background; xfs on region1 mounted and
# unmounted 30 times meanwhile.  Each mount makes the router ask: the
# dax core's dax_report_poison() is called for device-dax instances
# (kprobe), some of them between the disables of their cycle.  Nothing
# oopses (the harness fails the boot on any report), every cycle and
# every mount succeeded, and the holders unregister cleanly.
# timeout: 420
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
devdax_namespace region0
dax_ns=$ns
fsdax_namespace region1
mount_xfs_dax "/dev/$pmem" /mnt
umount /mnt

witness_probe 'p:mfrtest/report_poison dax_report_poison dax=%di:x64'
witness_probe 'p:mfrtest/kill kill_dax dax=%di:x64'
witness_reprobe_probe
witness_start

rm -f /tmp/stop /tmp/cycles /tmp/cycle.err
(
	i=0
	while [ ! -e /tmp/stop ]; do
		if ! ndctl disable-namespace "$dax_ns" >/dev/null 2>&1 ||
		   ! ndctl enable-namespace "$dax_ns" >/dev/null 2>&1; then
			echo "cycle $i: ndctl failed" >/tmp/cycle.err
			break
		fi
		devdax_chardev region0
		echo "/dev/$daxdev 0 4096" >$holder/register 2>>/tmp/cycle.err
		i=$((i + 1))
		echo $i >/tmp/cycles
	done
) &
cycler=$!

# Each mount asks the router for a reprobe a second later, which a
# mount within that second puts off: mount every 1.2 s.
mounts=0
while [ $mounts -lt 30 ]; do
	mount -o dax "/dev/$pmem" /mnt || fail "mount $mounts"
	sleep 0.6
	umount /mnt || fail "umount $mounts"
	sleep 0.6
	mounts=$((mounts + 1))
done
touch /tmp/stop
wait $cycler

expect_eq "the cycles' errors" "$(cat /tmp/cycle.err 2>/dev/null)" ""
cycles=$(cat /tmp/cycles)
echo "cycles: $cycles, mounts: $mounts, reprobes: $(witness_count reprobe)"
expect_match "namespace cycles done meanwhile" "$cycles" '^([5-9]|[1-9][0-9]+)$'
expect_eq "mounts done" $mounts 30

# The race: the router's reprobes ran between the disables, and the dax
# core was asked for the poison of device-dax instances (those disabled
# in the run).
killed=$(witness kill | sed -n 's/.*dax=\(0x[0-9a-f]*\).*/\1/p' | sort -u)
seen=$(witness_timeline kill report_poison reprobe | awk -v killed="$killed" '
	BEGIN { n = split(killed, k, "\n"); for (i = 1; i <= n; i++) devdax[k[i]] = 1 }
	{ match($0, /dax=0x[0-9a-f]+/); d = substr($0, RSTART + 4, RLENGTH - 4) }
	$1 == "kill" { kills++; between += pending; pending = 0 }
	$1 == "reprobe" && kills { pending++ }
	$1 == "report_poison" && (d in devdax) { asked++ }
	END { print between + 0, asked + 0 }')
echo "reprobes between disables, device-dax instances asked: $seen"
expect_match "reprobes between disables, device-dax instances asked" "$seen" \
	'^([5-9]|[1-9][0-9]+) ([5-9]|[1-9][0-9]+)$'

echo 1 >$holder/unregister || fail "unregister"
run rmmod mfroute_holder
run rmmod mfroute
