#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: UBSAN: shift-out-of-bounds
#
# Harness self-test: an int shifted by more than its width.  The script
# itself succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
run sh -c 'echo ubsan-shift >/sys/kernel/debug/mfroute_detector_test/trigger'
exit 0
