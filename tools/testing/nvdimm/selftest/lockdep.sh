#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: possible circular locking dependency
#
# Harness self-test: two mutexes taken in both orders, for lockdep.  The script itself
# succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
# In a subshell: a BUG() or an oops kills the writer.
(echo "lockdep" >/sys/kernel/debug/mfroute_detector_test/trigger)
exit 0
