#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: ^exit: .*status 1$
#
# Harness self-test: an expectation that is not met.  lib.sh's expect_eq
# must end the test there, with a failing status, and the harness must
# fail the boot for it; every guest test rests on this.
. /lib/mfroute-test-lib.sh

expect_eq "one is two" 1 2
echo "still running after an expectation that was not met"
exit 0
