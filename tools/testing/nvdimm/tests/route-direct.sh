#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The common case, xfs directly on a pmem with nobody else to tell: the
# dax core tells xfs itself (the router's ->direct() and ->settle()), so
# xfs handles the failure with the same callers below it as without the
# router, dax_route_failure() added, and no frame of mfroute's.  The
# witness is ftrace's stack trace of xfs_dax_notify_failure()'s return, taken for
# one page poisoned with the module loaded, loaded with a holder
# registered on the device (then the router tells xfs from its pass),
# unloaded, and loaded again.  Each time the process gets its SIGBUS and xfs is told once,
# of that page.  The router logs nothing of its own about a page the dax
# core told xfs of and xfs took, one line (rate-limited) about the page
# its pass routed.
. /lib/mfroute-test-lib.sh

# callers: the functions below xfs_dax_notify_failure() in the last stack
# trace taken as it returned (under the return probe's trampoline), up to
# pmem's ->memory_failure(), one line each.  (Taken at its entry, the
# stack stops at the probe's breakpoint.)
callers() {
	awk '/<stack trace>/ { n = 0; next }
		/^ => / { sub(/^ => /, ""); sub(/[+ ].*/, ""); s[++n] = $0; next }
		END {
			for (i = n; i > 0 && s[i] !~ /trampoline$/; i--)
				;
			for (i++; i <= n && s[i] != "pmem_pagemap_memory_failure"; i++)
				print s[i]
		}' $tracing/trace
}

# router_lines: the router's log lines about poison since the ring buffer
# was last cleared (dmesg -c).
router_lines() {
	dmesg | grep -c 'mfroute: [a-z0-9]*: poison \['
}

# poison_page PAGE WHAT: poison PAGE of /mnt/data with madvise() and
# check what the process and xfs saw, with the stack trace on.
poison_page() {
	local want
	want=$(( $(pfn_of /mnt/data "$1") * 4096 - $(data_start "$pmem") ))
	witness_start
	echo stacktrace >$tracing/events/mfrtest/fs_done/trigger ||
		fail "stack trace trigger on fs_notify"
	expect_eq "$2: process sees" "$(dax-probe poison /mnt/data "$1")" \
		"sigbus code=BUS_MCEERR_AR page=$1 offset=$(printf '%#x' $(($1 * 4096)))"
	expect_fs_told "$2" "$(printf '%#x' $want)" 0x1000 0x23
	expect_per_page "$2" 0
	expect_mf_actions "$2" 1
	echo '!stacktrace' >$tracing/events/mfrtest/fs_done/trigger ||
		fail "stack trace trigger off"
	echo "$2: xfs_dax_notify_failure() called by:"
	callers | sed 's/^/    /'
	callers | grep -q . || fail "$2: no stack trace of xfs's call"
}

run modprobe mfroute
pmem_fs xfs

dmesg -c >/dev/null
poison_page 3 "loaded"
# xfs took it: the kernel's recovery line says so, and the router adds
# none of its own, as without mfroute.
expect_eq "loaded: the router's log lines" "$(router_lines)" 0
direct=$(callers)
expect_eq "loaded: mfroute frames below xfs" "$(echo "$direct" | grep -c mfroute)" 0
expect_eq "loaded: the dax core calls xfs" \
	"$(echo "$direct" | grep -cx dax_route_failure)" 1
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok

run modprobe mfroute_holder
hold_device "$pmem"
dmesg -c >/dev/null
poison_page 1 "holder registered"
expect_eq "holder registered: the router's log lines" "$(router_lines)" 1
# The router tells xfs from its pass when a holder is to hear too.
[ "$(callers | grep -c mfroute)" -gt 0 ] ||
	fail "holder registered: xfs was not told from the router's pass"
expect_eq "holder calls" "$(grep -c . $holder/events)" 1
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" 2/8192
echo 1 >$holder/unregister
run rmmod mfroute_holder
run rmmod mfroute

poison_page 2 "unloaded"
expect_eq "loaded, less dax_route_failure(), against unloaded" \
	"$(echo "$direct" | grep -vx dax_route_failure)" "$(callers)"

# Loaded again: the new router finds the device afresh (the dax_device
# keeps no pointer of the router unloaded, whose state is freed: KASAN
# would report a read of it) and the dax core tells xfs again.
run modprobe mfroute
dmesg -c >/dev/null
poison_page 4 "reloaded"
expect_eq "reloaded: the router's log lines" "$(router_lines)" 0
expect_eq "reloaded: callers as loaded" "$(callers)" "$direct"
expect_eq "reloaded: ledger delivered" "$(ledger_field "$pmem" delivered)" 1/4096
run umount /mnt
