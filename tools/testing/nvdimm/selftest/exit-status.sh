#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: ^exit: .*status 3$
#
# Harness self-test: a test script that fails (exits 3) on a clean kernel.
# The harness must fail the boot for the exit status alone.
exit 3
