#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
# timeout: 400
#
# Writes that clear poison, racing the disabling of their namespace, must
# not leave work behind that runs on the freed device: on nfit_test, 8
# blocks injected, then rewritten through the block device in a loop (each
# write clears poison) while the namespace is disabled.  No KASAN report,
# with mfroute unloaded (no work is ever queued) and loaded (the work is
# disabled before the device goes).
. /lib/mfroute-test-lib.sh

nfit_namespace
for state in unloaded loaded; do
	if [ $state = loaded ]; then run modprobe mfroute; fi
	run ndctl inject-error --block=256 --count=8 "$ns"
	rm -f /tmp/stop
	(
		while [ ! -e /tmp/stop ]; do
			xfs_io -d -c "pwrite -S 0 131072 4096" "/dev/$pmem" >/dev/null 2>&1
		done
	) &
	writer=$!
	sleep 1
	run ndctl disable-namespace "$ns"
	touch /tmp/stop
	wait $writer
	pass "$state: namespace disabled under rewrites"
	run ndctl enable-namespace "$ns"
	for i in $(seq 50); do [ -b "/dev/$pmem" ] && break; sleep 0.1; done
done
