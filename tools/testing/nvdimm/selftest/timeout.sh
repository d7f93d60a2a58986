#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 45
# leaks: unchecked
# expect: ^timeout: 
# also: ^(no-end|qemu): 
#
# Harness self-test: a test script that never ends.  The harness must stop
# the guest at the test's timeout and fail the boot for it.
sleep 600
