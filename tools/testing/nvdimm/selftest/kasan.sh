#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: BUG: KASAN: slab-use-after-free
#
# Harness self-test: a use-after-free of a slab object, for KASAN.  The script itself
# succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
# In a subshell: a BUG() or an oops kills the writer.
(echo "kasan" >/sys/kernel/debug/mfroute_detector_test/trigger)
exit 0
