#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A failed MiB of a device-dax instance, reported as one range, is told
# to each process that maps it once, not once per page; the holder
# registered on the instance is told of it.
#
# Then a MiB of it queued page by page with memory_failure_queue(), as a
# firmware-first platform reports a patrol scrub's findings
# (queue_burst), faster than the queue's work drains it: upstream, the
# kernel handles the kfifo's 16 pages and signals the process 16 times,
# the other 240 dropped; with the module, it drops none and signals the
# process once for the MiB, and the holder is told once.
#
# region0's namespace as device-dax of 4 KiB pages, so that each page is
# mapped on its own, as upstream's one signal per page needs.  A process
# asks to be signalled early of failures of its pages
# (PR_MCE_KILL_EARLY), maps the first 64 MiB, reads it all, and counts
# the SIGBUSes it gets.
#
# Upstream first, the module unloaded: the MiB at 8 MiB fails page by
# page (hwpoison-inject's corrupt-pfn, 256 times); the kernel sends the
# process 256 SIGBUSes (signal:signal_generate, mm's "Sending SIGBUS"
# lines) and records 256 memory_failure() actions
# (ras:memory_failure_event).
#
# Then with the module, the sample holder registered on the first 64 MiB:
# the MiB at 16 MiB fails as one range (the inject file); the kernel sends
# the process one SIGBUS, BUS_MCEERR_AO, at the first page of that MiB,
# and records one action; the holder is told once, of that MiB; "mfroute
# monitor" shows the failure of the instance, with the namespace and
# region ndctl lists for it, and "mfroute stack" the instance.
. /lib/mfroute-test-lib.sh

export DAX_PROBE_BYTES=$((64 << 20))
mib=256

devdax_namespace region0 4k
base=$(( $(cat "/sys/bus/dax/devices/$daxdev/resource") >> 12 ))
expect_eq "pfn of page 4096 as the process maps it" \
	"$(dax-probe pfn "/dev/$daxdev" 4096)" "$(printf 'pfn %#x' $((base + 4096)))"

echo 'sig == 7' >$tracing/events/signal/signal_generate/filter ||
	fail "filter signal:signal_generate"
echo 1 >$tracing/events/signal/signal_generate/enable ||
	fail "enable signal:signal_generate"

# sent PID: the SIGBUSes the kernel sent PID since witness_start.
sent() {
	witness signal_generate | grep -c " pid=$1 "
}

# said PID: mm's "Sending SIGBUS" lines for PID since the last dmesg -c.
said() {
	dmesg | grep -c "Sending SIGBUS to dax-probe:$1 "
}

# Upstream: page by page.
run modprobe hwpoison-inject
start_keeper u count "/dev/$daxdev"
dmesg -c >/dev/null
witness_start
first=$((base + 2048))
for pfn in $(seq $first $((first + mib - 1))); do
	echo $pfn >/sys/kernel/debug/hwpoison/corrupt-pfn ||
		fail "corrupt-pfn $pfn"
done
stop_keeping u
echo "unloaded: $seen"
expect_eq "unloaded: SIGBUSes sent, one per page" "$(sent $keeper_u)" $mib
expect_eq "unloaded: mm's lines, one per page" "$(said $keeper_u)" $mib
expect_mf_actions "unloaded" $mib
expect_match "unloaded: the process was signalled" "$seen" \
	'^signals=[1-9][0-9]* code=BUS_MCEERR_AO '
run rmmod hwpoison-inject

# queued NAME PFN: queue the MiB from PFN (queue_burst) under keeper NAME.
queued() {
	start_keeper "$1" count "/dev/$daxdev"
	queue_burst "$2" $mib
	stop_keeping "$1"
	echo "queued, $1: dropped=$burst_dropped handled=$burst_handled $seen"
}
queued uq $((base + 8192))
expect_eq "unloaded queue: the kfifo's 16 handled, the rest dropped" \
	"$burst_handled $burst_dropped" "16 $((mib - 16))"
expect_eq "unloaded queue: SIGBUSes sent, one per page handled" "$(sent $keeper_uq)" 16

# With the module: one range.
run modprobe mfroute
run modprobe mfroute_holder
echo "/dev/$daxdev 0 $DAX_PROBE_BYTES" >$holder/register ||
	fail "register on /dev/$daxdev"
majmin=$(cat "/sys/bus/dax/devices/$daxdev/dev")
stack=$(mfroute stack "/dev/$daxdev") || fail "mfroute stack /dev/$daxdev"
echo "$stack"
expect_match "stack: the instance, tracked once a holder is on it" \
	"$(echo "$stack" | head -n 1)" \
	"^$daxdev \\($majmin\\): device-dax instance dax[0-9.]+, .*; mfroute tracks it\$"
start_keeper r count "/dev/$daxdev"
mfroute monitor --json --count 10 --timeout 10 --log /tmp/monitor.json &
monitor=$!
wait_for 20 monitor_ready $monitor
dmesg -c >/dev/null
witness_start
expect_eq "ranged failure" "$(answer $mf_inject "$((base + 4096)) $mib")" ok
stop_keeping r
wait $monitor || fail "mfroute monitor exited $?"
cat /tmp/monitor.json
ev=$(grep '"event":"mfroute_event"' /tmp/monitor.json)
expect_match "monitor: the failure, of the instance" "$ev" \
	"\"maj_min\":\"$majmin\",\"blockdev\":\"dax$majmin\",\"offset_bytes\":16777216,\"len_bytes\":1048576,"
expect_match "monitor: its namespace and region, as ndctl has them" "$ev" \
	"\"namespace\":\"$ns\",\"region\":\"region0\""
echo "loaded: $seen"
expect_eq "one SIGBUS sent" "$(sent $keeper_r)" 1
expect_eq "mm's lines: one" "$(said $keeper_r)" 1
expect_mf_actions "loaded" 1
expect_eq "the process saw one signal, at the MiB's first page" "$seen" \
	"signals=1 code=BUS_MCEERR_AO page=4096 offset=0x1000000"
holder_settle
expect_eq "the holder was told of the MiB" "$(grep "^dev=$majmin " $holder/events)" \
	"dev=$majmin offset=0x1000000 len=0x100000 flags=0x20"
expect_eq "the router's line names the instance" \
	"$(dmesg | grep -c "mfroute: dax$majmin: poison \[0x1000000, +0x100000): 0 filesystem calls, 1048576 bytes left to the driver")" 1
expect_ledgers_ok

queued rq $((base + 6144))
expect_eq "queue: nothing dropped, every page handled" \
	"$burst_handled $burst_dropped" "$mib 0"
expect_eq "queue: one SIGBUS sent" "$(sent $keeper_rq)" 1
expect_eq "queue: the process saw one signal, at the MiB's first page" "$seen" \
	"signals=1 code=BUS_MCEERR_AO page=6144 offset=0x1800000"
holder_settle
expect_eq "queue: the holder was told of the MiB, as hardware poison" \
	"$(grep "^dev=$majmin " $holder/events | tail -n 1)" \
	"dev=$majmin offset=0x1800000 len=0x100000 flags=0x0"
expect_ledgers_ok

echo 1 >$holder/unregister || fail "unregister"
echo 0 >$tracing/events/signal/signal_generate/enable
run rmmod mfroute_holder
run rmmod mfroute
