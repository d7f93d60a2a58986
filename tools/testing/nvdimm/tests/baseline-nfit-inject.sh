#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot: nfit
#
# Upstream baseline on nfit_test: buses and regions are listed, an fsdax
# namespace is created and mounted, and a range injected with
# "ndctl inject-error" is reported back by "ndctl list --media-errors":
# the ranged-poison source that mfroute routes.
. /lib/mfroute-test-lib.sh

expect_match "nfit_test buses" "$(ndctl list -B | grep -c '"provider":"nfit_test')" '^[1-9]'
expect_match "pmem regions" "$(ndctl list -R -t pmem | grep -c '"dev":"region')" '^[1-9]'

region=$(ndctl list -R -t pmem -b nfit_test.0 | sed -n 's/.*"dev":"\(region[0-9]*\)".*/\1/p' | head -n 1)
[ -n "$region" ] || fail "no pmem region on nfit_test.0"
fsdax_namespace "$region"
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 1
run umount /mnt

run ndctl inject-error --block=128 --count=64 "$ns"
errs=$(ndctl list -n "$ns" --media-errors)
echo "$errs"
expect_match "injected range reported" "$(echo "$errs" | tr -d ' \n')" '"offset":128,"length":64'
