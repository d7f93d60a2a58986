#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hardware poison that reaches memory_failure() without the NFIT
# machine-check notifier (firmware-first reporting) stays bad for the I/O
# path, as the notifier's does.  On QEMU's NVDIMM with xfs: one page of a
# file reported as hardware poison (the inject file's "hw", no MF_* flag)
# reaches xfs, which signals the process mapping it (early kill: nobody
# touched the page); the sector is then in the pmem's
# badblocks list and in "ndctl list --media-errors", pread() of it fails
# with EIO, a new DAX fault on it raises SIGBUS, its neighbour reads fine.
# Then 256 more pages reported one by one: the list holds one merged
# range, not 256 (no per-page revalidation), and nothing is lost.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
pmem_fs xfs
pfn=$(pfn_of /mnt/data 3)
sector=$(( (pfn * 4096 - $(data_start "$pmem")) / 512 ))
echo 1 >/proc/sys/vm/memory_failure_early_kill
hold_mapping /mnt/data
witness_start
echo "$pfn 1 hw" >$mf_inject || fail "hardware poison"
release_mapping
expect_fs_told "hardware poison" "$(printf '%#x' $((sector * 512)))" 0x1000 0x0
expect_per_page "hardware poison" 0
expect_match "process mapping it" "$seen" '^sigbus code=BUS_MCEERR_AO page=3 '
echo 0 >/proc/sys/vm/memory_failure_early_kill
wait_for 5 grep -q . /sys/block/$pmem/badblocks
expect_eq "badblocks" "$(cat /sys/block/$pmem/badblocks)" "$sector 8"
for i in $(seq 50); do
	ndctl list -n "$ns" --media-errors | tr -d ' \n' | grep -q "\"offset\":$sector" && break
	sleep 0.2
done
expect_match "ndctl --media-errors" "$(ndctl list -n "$ns" --media-errors | tr -d ' \n')" \
	"\"offset\":$sector,\"length\":8"
expect_match "pread of the page" "$(xfs_io -c 'pread 12288 4096' /mnt/data 2>&1)" \
	'Input/output error'
expect_match "pread of its neighbour" "$(xfs_io -c 'pread 8192 4096' /mnt/data 2>&1)" \
	'read 4096/4096 bytes'
expect_match "new DAX fault on it" "$(dax-probe touch /mnt/data 3)" '^sigbus '

# A storm, page by page, right after the file's first 256 pages.
make_file /mnt/storm 2
first=$(pfn_of /mnt/storm 0)
expect_eq "storm pages contiguous" $(( $(pfn_of /mnt/storm 255) - first )) 255
i=0
witness_start
while [ $i -lt 256 ]; do
	echo "$((first + i)) 1 hw" >$mf_inject || fail "storm page $i"
	i=$((i + 1))
done
s0=$(( (first * 4096 - $(data_start "$pmem")) / 512 ))
expect_eq "storm: xfs calls" "$(witness_count fs_notify)" 256
expect_eq "storm: xfs told of each page, once, in order" "$(witness_fs)" \
	"$(seq 0 255 | while read -r i; do
		printf 'offset=%#x len=0x1000 flags=0x0\n' $(( (s0 + i * 8) * 512 ))
	done)"
expect_per_page "storm" 0
# Records hold at most 512 sectors: 2048 merged sectors are 4 of them.
storm=$(awk -v s=$s0 '$1 >= s && $1 < s + 2048 { n++; t += $2 } END { print n + 0, t + 0 }' \
	/sys/block/$pmem/badblocks)
expect_eq "storm merged in badblocks (records, sectors)" "$storm" "4 2048"
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
umount /mnt 2>/dev/null
