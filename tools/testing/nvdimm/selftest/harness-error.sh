#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# expect: ^harness: kmemleak is not active
#
# Harness self-test: kmemleak turned off during the test (as it turns
# itself off on an internal error).  The boot's leak scan cannot run, and
# the harness must fail the boot for that alone rather than pass it
# unchecked.
echo off >/sys/kernel/debug/kmemleak || exit 1
exit 0
