#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# nvdimms: 4G 4G
# timeout: 1800
#
# Benchmark, not a test: ranged routing against the per-page path, in one
# guest boot, on two 4 GiB emulated NVDIMMs with xfs (rmapbt) and a mapped
# file on each.
#
#   A  mfroute: one ranged poison event over pmem0's whole data range
#      (inject file), delivered to the sample holder and to xfs
#   B  mfroute: unbind of pmem0, one pre-remove call per holder
#   C  upstream (mfroute unloaded): memory_failure() page by page over
#      PAGES pages of pmem1 (default 65536 = 256 MiB), extrapolated to the
#      whole data range; each page is one xfs notify_failure() call
. /lib/mfroute-test-lib.sh

pages_c=${PAGES:-65536}
ms() { echo "$1" | awk '{ printf "%.1f", $0 / 1000000 }'; }

run modprobe mfroute
run modprobe mfroute_holder
run modprobe hwpoison-inject

fsdax_namespace region0
p0=$pmem
mkdir -p /mnt/a /mnt/b
mount_xfs_dax "/dev/$p0" /mnt/a
make_file /mnt/a/data 64
hold_device "$p0"
dax-probe hold /mnt/a/data /tmp/never >/dev/null &
bytes=$(blockdev --getsize64 "/dev/$p0")
pages=$((bytes / 4096))
pfn=$(( $(data_start "$p0") / 4096 ))
sleep 1

out=$(mf-bench time sh -c "echo $pfn $pages >/sys/kernel/debug/mfroute/inject")
a_ns=$(field "$out" elapsed_ns)
a_calls=$(ledger_field "$p0" holder_calls)
a_sample=$(holder_calls)

# The device leaves the ledger when it dies: count B's calls in the trace.
echo 1 >$tracing/events/mfroute/mfroute_deliver/enable
echo >$tracing/trace
out=$(mf-bench time sh -c "echo $(basename "$(readlink /sys/block/$p0/device)") >/sys/bus/nd/drivers/nd_pmem/unbind")
b_ns=$(field "$out" elapsed_ns)
b_calls=$(grep -c ' mfroute_deliver: ' $tracing/trace)
echo 0 >$tracing/events/mfroute/mfroute_deliver/enable
umount /mnt/a 2>/dev/null
echo 1 >$holder/unregister
run rmmod mfroute_holder
run rmmod mfroute

fsdax_namespace region1
p1=$pmem
mount_xfs_dax "/dev/$p1" /mnt/b
make_file /mnt/b/data 64
dax-probe hold /mnt/b/data /tmp/never >/dev/null &
pfn1=$(( $(data_start "$p1") / 4096 ))
pages1=$(( $(blockdev --getsize64 "/dev/$p1") / 4096 ))
[ "$pages_c" -le "$pages1" ] || pages_c=$pages1
sleep 1
# Keep the per-page path's line per page off the slow serial console;
# the guest init's copy of /dev/kmsg still sees every line for the check.
dmesg -n 1
out=$(mf-bench corrupt "$pfn1" "$pages_c")
c_ns=$(field "$out" elapsed_ns)
c_full_ns=$(echo "$c_ns $pages1 $pages_c" | awk '{ printf "%.0f", $1 * $2 / $3 }')

echo "MFROUTE-BENCH pmem-4g: $pages pages ($bytes bytes) per device"
printf '%-44s %12s %14s\n' "path" "callbacks" "wall ms"
printf '%-44s %12s %14s\n' "A mfroute ranged poison, whole device" "$a_calls" "$(ms "$a_ns")"
printf '%-44s %12s %14s\n' "B mfroute pre-remove (unbind)" "$b_calls" "$(ms "$b_ns")"
printf '%-44s %12s %14s\n' "C per-page memory_failure(), $pages_c pages" "$pages_c" "$(ms "$c_ns")"
printf '%-44s %12s %14s\n' "C extrapolated to $pages1 pages" "$pages1" "$(ms "$c_full_ns")"
echo "sample holder calls in A: $a_sample (one per contiguous range)"
echo "callback ratio C/A: $(echo "$pages1 $a_calls" | awk '{ printf "%.0f", $1 / $2 }')x," \
	"wall-time ratio C/A: $(echo "$c_full_ns $a_ns" | awk '{ printf "%.1f", $1 / $2 }')x"
