#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: UBSAN: array-index-out-of-bounds
#
# Harness self-test: an array indexed one past its end (the access itself
# stays inside its object, so only UBSAN sees it).  The script itself
# succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
run sh -c 'echo ubsan-bounds >/sys/kernel/debug/mfroute_detector_test/trigger'
exit 0
