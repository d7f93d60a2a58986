#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: page dumped because: VM_WARN_ON_ONCE_PAGE
#
# Harness self-test: a DEBUG_VM check on a page fails (without DEBUG_VM
# the check compiles to nothing).  The script itself succeeds; the harness
# must fail the boot on the report alone.
. /lib/mfroute-test-lib.sh

run modprobe mfroute_detector_test
run sh -c 'echo debug-vm >/sys/kernel/debug/mfroute_detector_test/trigger'
exit 0
