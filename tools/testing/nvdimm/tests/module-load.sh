#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mfroute and its sample holder load, show themselves (version line,
# debugfs, the ledger_spares parameter), and unload cleanly,
# twice, with lockdep watching.
. /lib/mfroute-test-lib.sh

for round in 1 2; do
	run modprobe mfroute
	run modprobe mfroute_holder
	expect_match "round $round: mfroute in lsmod" "$(lsmod | grep -o '^mfroute ')" '^mfroute'
	expect_match "round $round: version line" \
		"$(dmesg | grep 'mfroute: version' | tail -n 1)" 'mfroute: version [0-9]+\.[0-9]+\.[0-9]+ loaded'
	[ -d /sys/kernel/debug/mfroute ] || fail "no /sys/kernel/debug/mfroute"
	expect_eq "round $round: debugfs is root-only" \
		"$(stat -c %a /sys/kernel/debug)" 700
	# The documented parameter (Kconfig, design.rst): its default, and
	# root may change it.
	expect_eq "round $round: ledger_spares" \
		"$(cat /sys/module/mfroute/parameters/ledger_spares)" 16
	expect_eq "round $round: ledger_spares mode" \
		"$(stat -c %a /sys/module/mfroute/parameters/ledger_spares)" 644
	run rmmod mfroute_holder
	run rmmod mfroute
	[ ! -e /sys/kernel/debug/mfroute ] || fail "debugfs directory left behind"
	expect_match "round $round: unload line" "$(dmesg | tail -n 3)" 'mfroute: unloaded'
done
expect_match "lockdep still on" "$(grep 'debug_locks:' /proc/lockdep_stats)" 'debug_locks: +1'
