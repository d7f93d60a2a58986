#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# leaks: unchecked
# expect: ^no-end: 
#
# Harness self-test: the guest powers off in the middle of the test, as a
# crash that takes the guest down before the test's end would: the script
# never reports how it ended.  The harness must fail the boot for the
# missing end marker alone.
sync
poweroff -f
sleep 30
