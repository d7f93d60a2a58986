#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: kernel BUG at
#
# Harness self-test: a BUG().  The script itself
# succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
# In a subshell: a BUG() or an oops kills the writer.
(echo "bug" >/sys/kernel/debug/mfroute_detector_test/trigger)
exit 0
