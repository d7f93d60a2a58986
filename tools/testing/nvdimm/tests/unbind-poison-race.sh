#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# timeout: 300
#
# Memory failures racing the unbinding of their pmem must not deadlock:
# memory_failure() holds mf_mutex and a reference on the pagemap, and
# unbinding holds the device locks and waits for that reference, so the
# failure path must take no device lock.  xfs on a QEMU pmem, a file
# mapped, a loop poisoning pages of it - software (hwpoison-inject) and
# hardware (the inject file's "hw") - while the pmem is unbound, and a
# process that keeps reading another file of it throughout.
#
# What happened is read from kprobes: each memory_failure() and
# memory_failure_range() call and return, and pmem_release_disk() (the
# unbind's teardown of the pmem).  Proven:
#   - the unbind and the loop both finish (the hung-task detector, at
#     30 s, reports nothing);
#   - the race happened: some failures were in progress when the release
#     began or came while it ran;
#   - every injection was answered: before the unbind as upstream answers
#     (0, or EBUSY for a page of the file nobody maps), once xfs shut down
#     for the removal EIO (xfs's own answer, passed on as upstream passes
#     it on), after it ENXIO or EINVAL (the pages are gone), nothing else;
#   - the reading process ends with a SIGBUS (its file was never poisoned:
#     the signal is the revocation's), and umount is clean.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe hwpoison-inject
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 8
make_file /mnt/other 4
first=$(pfn_of /mnt/data 0)
# The pages poisoned are first..first+1223: all of them /mnt/data's.
expect_eq "/mnt/data: extents" "$(xfs_io -c 'fiemap' /mnt/data | grep -vc ' hole$\|:$')" 1
expect_eq "/mnt/data: pages 0..1223 contiguous" $(( $(pfn_of /mnt/data 1223) - first )) 1223
witness_probe 'p:mfrtest/mf memory_failure pfn=%di:u64'
witness_probe 'r:mfrtest/mf_done memory_failure ret=$retval:s32'
witness_probe 'p:mfrtest/mfr memory_failure_range pfn=%di:u64'
witness_probe 'r:mfrtest/mfr_done memory_failure_range ret=$retval:s32'
witness_probe 'p:mfrtest/release pmem_release_disk'
witness_probe 'r:mfrtest/release_done pmem_release_disk'
keep_mapping /mnt/other read
witness_start
rm -f /tmp/poisoner.done /tmp/answers
(
	i=0
	while [ $i -lt 200 ]; do
		answer /sys/kernel/debug/hwpoison/corrupt-pfn $((first + i)) >>/tmp/answers
		answer $mf_inject "$((first + 1024 + i)) 1 hw" >>/tmp/answers
		i=$((i + 1))
		[ $i = 12 ] && touch /tmp/poisoner.started
	done
	touch /tmp/poisoner.done
) &
poisoner=$!
wait_for 20 test -e /tmp/poisoner.started
unbind_pmem "$pmem"
pass "unbind finished"
wait_for 60 test -e /tmp/poisoner.done
wait $poisoner
pass "the poisoning loop finished"

witness_timeline mf mf_done mfr mfr_done release release_done >/tmp/timeline
raced=$(awk '$1 == "mf" || $1 == "mfr" { busy++ } $1 == "mf_done" || $1 == "mfr_done" { busy-- }
	$1 == "release" { at = busy; on = 1 } $1 == "release_done" { on = 0 }
	($1 == "mf" || $1 == "mfr") && on { during++ }
	END { print at + during }' /tmp/timeline)
echo "failures in progress at, or arriving during, the release: $raced"
expect_match "failures raced the release" "$raced" '^[1-9][0-9]*$'
expect_eq "every injection answered" "$(grep -c . /tmp/answers)" 400
expect_eq "answers other than ok, EBUSY, EIO, ENXIO, EINVAL" \
	"$(grep -v -e '^ok$' -e "^$per_page_busy\$" -e '^Input/output error$' \
		-e '^No such device or address$' -e '^Invalid argument$' /tmp/answers |
		sort | uniq -c)" ""
stop_keeping
expect_match "the reader after unbind" "$seen" '^sigbus '
run umount /mnt
