#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What the router knows of a device lives and dies with it.  xfs on pmem0
# with a file; one page under it fails (ranged inject of one page): told,
# in the ledger and in sysfs.  The namespace is disabled: the device
# leaves the ledger and /sys/kernel/mfroute/devices.  Enabled again (same
# physical range, new dax_device, possibly at the same address), a new xfs
# and the same page failing again: xfs is told again, the new ledger
# counts one event and one delivered range, nothing absorbed.  (Version 1
# kept the ledger by dax_device address: a new namespace at that address
# had its failures absorbed, and nobody was told.)
. /lib/mfroute-test-lib.sh

run modprobe mfroute
pmem_fs xfs
pfn=$(pfn_of /mnt/data 2)
off=$(printf '%#x' $(( pfn * 4096 - $(data_start "$pmem") )))
witness_start
run sh -c "echo '$pfn 1' >$mf_inject"
expect_fs_told "the first time" "$off" 0x1000 0x20
expect_per_page "the first time" 0
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096
[ -d "/sys/kernel/mfroute/devices/$pmem" ] || fail "no sysfs directory for $pmem"
run umount /mnt

run ndctl disable-namespace "$ns"
expect_eq "gone from the ledger" "$(grep -c "^$pmem " $ledger)" 0
[ -e "/sys/kernel/mfroute/devices/$pmem" ] && fail "sysfs directory of $pmem outlived it"
run ndctl enable-namespace "$ns"
pmem=$(ndctl list -n "$ns" | sed -n 's/.*"blockdev":"\(pmem[0-9]*\)".*/\1/p')
[ -b "/dev/$pmem" ] || fail "no block device after enable"
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
witness_start
run sh -c "echo '$pfn 1' >$mf_inject"
expect_fs_told "again, on the new device" "$off" 0x1000 0x20
expect_eq "xfs took it" "$(witness fs_done | sed 's/.* ret=//')" 0
expect_per_page "again" 0
expect_eq "new ledger events" "$(ledger_field "$pmem" events)" 1
expect_eq "new ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096
expect_eq "new ledger absorbed" "$(ledger_field "$pmem" absorbed)" 0/0
run umount /mnt
