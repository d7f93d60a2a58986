#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: BUG: soft lockup
#
# Harness self-test: a CPU spinning in the kernel for 12 s without
# scheduling, with the watchdog threshold lowered to 2 s (a soft lockup is
# reported after twice that).  The script itself succeeds; the harness must
# fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
echo 2 >/proc/sys/kernel/watchdog_thresh || fail "watchdog_thresh"
run sh -c 'echo "softlockup 12" >/sys/kernel/debug/mfroute_detector_test/trigger'
exit 0
