#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Memory failures racing the unbinding of their pmem must not deadlock:
# memory_failure() holds mf_mutex and a reference on the pagemap, and
# unbinding holds the device locks and waits for that reference, so the
# failure path must take no device lock.  xfs on a QEMU pmem, a file
# mapped, a loop poisoning pages of it - software (hwpoison-inject) and
# hardware (the inject file's "hw") - while the pmem is unbound: the
# unbind and the loop both finish, and the hung-task detector (30 s)
# reports nothing.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe hwpoison-inject
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 8
first=$(pfn_of /mnt/data 0)
hold_mapping /mnt/data
rm -f /tmp/poisoner.done
(
	i=0
	while [ $i -lt 200 ]; do
		echo $((first + i)) >/sys/kernel/debug/hwpoison/corrupt-pfn 2>/dev/null
		echo "$((first + 1024 + i)) 1 hw" >$mf_inject 2>/dev/null
		i=$((i + 1))
		[ $i = 12 ] && touch /tmp/poisoner.started
	done
	touch /tmp/poisoner.done
) &
poisoner=$!
for i in $(seq 200); do [ -e /tmp/poisoner.started ] && break; sleep 0.1; done
[ -e /tmp/poisoner.started ] || fail "the poisoning loop did not start"
unbind_pmem "$pmem"
pass "unbind finished"
for i in $(seq 600); do [ -e /tmp/poisoner.done ] && break; sleep 0.1; done
[ -e /tmp/poisoner.done ] || fail "the poisoning loop is stuck"
wait $poisoner
pass "the poisoning loop finished"
release_mapping
expect_match "mapping after unbind" "$seen" '^sigbus '
umount /mnt 2>/dev/null
