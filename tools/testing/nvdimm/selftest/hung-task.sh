#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: INFO: task .* blocked for more than
#
# Harness self-test: a task sleeping uninterruptibly for 20 s, with the
# hung-task timeout lowered to 4 s, as a deadlock on a device mutex or a
# completion (which lockdep does not see) would.  The script itself
# succeeds; the harness must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
echo 4 >/proc/sys/kernel/hung_task_timeout_secs
echo "hang 20" >/sys/kernel/debug/mfroute_detector_test/trigger &
sleep 14
exit 0
