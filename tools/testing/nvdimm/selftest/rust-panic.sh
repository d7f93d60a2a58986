#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: panicked at
#
# Harness self-test: a Rust module that panics when it is loaded.  The
# script itself succeeds; the harness must fail the boot on the report
# alone.
. /lib/mfroute-test-lib.sh

# In a subshell: the panic (a BUG()) kills the loading process.
(modprobe mfroute_panic_test)
exit 0
