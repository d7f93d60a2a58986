#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 1G 1G 1G 1G
# timeout: 1800
#
# Benchmark, not a test: xfs (rmapbt) on dm-striped over four 1 GiB
# emulated NVDIMMs (2 MiB chunks), a mapped file, the sample holder on the
# dm device, in one guest boot.
#
#   A  mfroute: ranged poison of all of member 2 (inject file): one call
#      per dm chunk it backs, per holder
#   B  mfroute: unbind of member 0: one covering pre-remove call per
#      holder of the dm device
#   C  upstream (mfroute unloaded): memory_failure() page by page over all
#      of member 3; dm tells no holder, every page is handled alone
. /lib/mfroute-test-lib.sh

ms() { echo "$1" | awk '{ printf "%.1f", $0 / 1000000 }'; }
# deliveries: the holder calls traced since the last call (mfroute_deliver
# records; the ledger counts calls on the failing device, and forgets a
# device when it dies).
deliveries() {
	grep -c ' mfroute_deliver: ' $tracing/trace
	echo >$tracing/trace
}

run modprobe dm-mod
run modprobe mfroute
run modprobe mfroute_holder
run modprobe hwpoison-inject
set --
for r in region0 region1 region2 region3; do
	fsdax_namespace $r
	set -- "$@" "$pmem"
done
chunk=4096
width=$(( $(sectors "$1") / chunk * chunk ))
for m in "$@"; do
	w=$(( $(sectors "$m") / chunk * chunk ))
	[ "$w" -lt "$width" ] && width=$w
done
dm_create stripe "0 $((4 * width)) striped 4 $chunk /dev/$1 0 /dev/$2 0 /dev/$3 0 /dev/$4 0"
mount_xfs_dax /dev/mapper/stripe /mnt
make_file /mnt/data 64
dax-probe hold /mnt/data /tmp/never >/dev/null &
hold_device "$dm"
pages=$(( width * 512 / 4096 ))
sleep 1
echo 1 >$tracing/events/mfroute/mfroute_deliver/enable
echo >$tracing/trace

out=$(mf-bench time sh -c "echo $(( $(data_start "$3") / 4096 )) $pages >/sys/kernel/debug/mfroute/inject")
a_ns=$(field "$out" elapsed_ns)
a_calls=$(deliveries)
a_sample=$(holder_calls)

out=$(mf-bench time sh -c "echo $(basename "$(readlink /sys/block/$1/device)") >/sys/bus/nd/drivers/nd_pmem/unbind")
b_ns=$(field "$out" elapsed_ns)
b_calls=$(deliveries)
b_sample=$(( $(holder_calls) - a_sample ))

umount /mnt 2>/dev/null
echo 1 >$holder/unregister
run rmmod mfroute_holder
run rmmod mfroute
# Keep the per-page path's line per page off the slow serial console;
# the guest init's copy of /dev/kmsg still sees every line for the check.
dmesg -n 1
out=$(mf-bench corrupt $(( $(data_start "$4") / 4096 )) "$pages")
c_ns=$(field "$out" elapsed_ns)

echo "MFROUTE-BENCH dm-striped-4x1g: 4 members, 2 MiB chunks, $pages pages per member"
printf '%-48s %10s %10s %12s\n' "path" "dm holder" "all" "wall ms"
printf '%-48s %10s %10s %12s\n' "A mfroute ranged poison, whole member" "$a_sample" "$a_calls" "$(ms "$a_ns")"
printf '%-48s %10s %10s %12s\n' "B mfroute member unbind (pre-remove)" "$b_sample" "$b_calls" "$(ms "$b_ns")"
printf '%-48s %10s %10s %12s\n' "C per-page memory_failure(), whole member" 0 "$pages" "$(ms "$c_ns")"
echo "A: one call per dm chunk per holder ($((width / chunk)) chunks); C: $pages memory_failure() calls, none reaching a dm holder"
echo "wall-time ratio C/A: $(echo "$c_ns $a_ns" | awk '{ printf "%.1f", $1 / $2 }')x, C/B: $(echo "$c_ns $b_ns" | awk '{ printf "%.1f", $1 / $2 }')x"
