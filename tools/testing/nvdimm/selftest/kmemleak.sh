#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# expect: unreferenced object
#
# Harness self-test: a leaked allocation, found by the kmemleak scan the guest init runs after every script.  The script itself
# succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
# In a subshell: a BUG() or an oops kills the writer.
(echo "leak" >/sys/kernel/debug/mfroute_detector_test/trigger)
exit 0
