#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Software-injected poison stays bad once routed: on QEMU's NVDIMM, a page
# of an xfs file poisoned with madvise(MADV_HWPOISON) delivers SIGBUS; the
# range is then in the pmem's badblocks ("ndctl list --media-errors"),
# pread() of it fails with EIO and a new DAX fault on it raises SIGBUS,
# as after a real machine check.  Upstream, the page reads back fine.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 4
sector=$(( ($(pfn_of /mnt/data 3) * 4096 - $(data_start "$pmem")) / 512 ))

expect_eq "process sees" "$(dax-probe poison /mnt/data 3)" \
	"sigbus code=BUS_MCEERR_AR page=3 offset=0x3000"
expect_eq "badblocks" "$(cat /sys/block/$pmem/badblocks)" "$sector 8"
expect_match "ndctl --media-errors" "$(ndctl list -n "$ns" --media-errors | tr -d ' \n')" \
	"\"offset\":$sector,\"length\":8"
expect_match "pread of the page" "$(xfs_io -c 'pread 12288 4096' /mnt/data 2>&1)" \
	'Input/output error'
expect_match "pread of its neighbour" "$(xfs_io -c 'pread 8192 4096' /mnt/data 2>&1)" \
	'read 4096/4096 bytes'
expect_match "new DAX fault on it" "$(dax-probe touch /mnt/data 3)" '^sigbus '
