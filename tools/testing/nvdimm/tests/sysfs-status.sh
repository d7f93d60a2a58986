#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The counters an administrator reads without debugfs.  xfs (rmapbt, DAX)
# on pmem with a 4 MiB file and the sample holder: one page poisoned with
# madvise, then 16 pages reported at once (ranged inject), then the first
# page again.  /sys/kernel/mfroute/devices/PMEM/stat says what the debugfs
# ledger says (events, delivered, absorbed, fallback, errors, repaired,
# holder calls), failed lists the failed ranges in sectors, dev is the
# disk's; "mfroute status --json" reports the same numbers, and refuses an
# unknown device with a non-zero exit and one line saying so.  Disabling
# the namespace removes the device's directory, unloading the module the
# whole tree.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
expect_eq "version" "$(cat /sys/kernel/mfroute/version)" "0.2.0"
pmem_fs xfs
hold_device "$pmem"
d=/sys/kernel/mfroute/devices/$pmem
[ -d "$d" ] || fail "no $d after a holder registered"
expect_eq "dev" "$(cat "$d/dev")" "$(cat "/sys/class/block/$pmem/dev")"

ds=$(data_start "$pmem")
off1=$(( $(pfn_of /mnt/data 1) * 4096 - ds ))
pfn=$(pfn_of /mnt/data 16)
witness_start
expect_match "poison" "$(dax-probe poison /mnt/data 1)" "^sigbus "
run sh -c "echo '$pfn 16' >$mf_inject"
expect_match "poison again" "$(dax-probe poison /mnt/data 1)" "^sigbus "
# xfs was told of the page (madvise: action required, simulated) and of
# the 16 pages (simulated); the repeat was absorbed.
expect_eq "filesystem notifications" "$(witness_count fs_notify)" 2
expect_eq "what xfs was told" "$(witness_fs)" \
	"$(printf 'offset=%#x len=0x1000 flags=0x23\noffset=%#x len=0x10000 flags=0x20' \
		$off1 $((pfn * 4096 - ds)))"
expect_per_page "three events" 0
holder_settle
cat $ledger
cat "$d/stat"
set -- $(cat "$d/stat")
expect_eq "stat numbers" "$#" 12
expect_eq "stat events" "$1" "$(ledger_field "$pmem" events)"
expect_eq "stat delivered" "$2/$3" "$(ledger_field "$pmem" delivered)"
expect_eq "stat absorbed" "$4/$5" "$(ledger_field "$pmem" absorbed)"
expect_eq "stat fallback" "$6/$7" "$(ledger_field "$pmem" fallback)"
expect_eq "stat errors" "$8/$9" "$(ledger_field "$pmem" errors)"
expect_eq "stat repaired" "${10}/${11}" "$(ledger_field "$pmem" repaired)"
expect_eq "stat holder calls" "${12}" "$(ledger_field "$pmem" holder_calls)"
expect_eq "events" "$1" 3
expect_eq "absorbed" "$4/$5" 1/4096
expect_eq "delivered bytes" "$3" $((17 * 4096))
want=$(ledger_failed "$pmem" | while IFS=+ read -r off len; do
	echo "$((off / 512)) $((len / 512))"
done)
expect_eq "failed, in sectors" "$(cat "$d/failed")" "$want"

status=$(mfroute status --json "$pmem") || fail "mfroute status --json $pmem"
echo "$status"
expect_match "status: delivered bytes" "$status" "\"delivered_bytes\": ?$3,?$"
expect_match "status: holder calls" "$status" "\"holder_calls\": ?${12},?$"
mfroute status "$pmem" || fail "mfroute status $pmem"
if out=$(mfroute status nosuch 2>&1); then
	fail "mfroute status of an unknown device succeeded: $out"
fi
echo "$out"
expect_match "unknown device named" "$out" "nosuch"

run umount /mnt
echo 1 >$holder/unregister
run ndctl disable-namespace "$ns"
[ -e "$d" ] && fail "$d still there after the namespace was disabled"
run rmmod mfroute_holder
run rmmod mfroute
[ -e /sys/kernel/mfroute ] && fail "/sys/kernel/mfroute still there after unload"
if out=$(mfroute status 2>&1); then
	fail "mfroute status without the module succeeded: $out"
fi
expect_match "not loaded said" "$out" "not loaded"
exit 0
