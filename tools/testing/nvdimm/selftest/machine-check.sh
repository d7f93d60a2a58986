#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# machine-checks: yes
# leaks: unchecked
# expect: Kernel panic - not syncing: Fatal machine check
# also: ^(no-end|qemu): 
#
# Harness self-test: a machine check QEMU raises on the guest's request
# reaches the guest's kernel.  One that says the processor context is
# corrupt cannot be recovered from: the kernel's handler logs it and
# panics, and the harness must fail the boot for that panic (the guest
# never gets to its end).  The recoverable kinds are the guest tests'
# (mce-srao-xfs-dm and the others check the kernel's mce_record).
. /lib/mfroute-test-lib.sh

inject_mce 0x1000000 fatal
sleep 10
exit 0
