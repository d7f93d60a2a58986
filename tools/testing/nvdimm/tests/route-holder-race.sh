#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cpus: 2
# timeout: 600
#
# Holders registering and unregistering while ranged failures are routed.
# xfs (rmapbt, DAX) on pmem with an 8 MiB file; a background loop
# registers the sample holder on the whole pmem and unregisters it, over
# and over, while 200 adjacent 8-page ranges under the file are reported
# failed (inject file).  The holder sleeps 1 ms per callback, so that
# unregistering often has to wait for a callback in flight.
#
# Proven:
#   - every registration and unregistration succeeded, every injection
#     succeeded (xfs took each range);
#   - the race happened: the number of injections during which a
#     registration or unregistration completed is > 0;
#   - every event the holder received is one injected range, whole, at
#     its pmem offset, flags 0x20, no injection twice (so at most 200);
#   - the holder did its part of the race, read from kprobes in one
#     trace (its registration called and returning, its unregistration called and
#     returning, each memory_failure_range() call and return, the holder's
#     callback): injections routed while the holder was registered
#     throughout were told to it (some: a holder unregistered before the
#     notify work got to it is not), none more than once, none routed
#     while it was not registered, and none after its unregistration
#     returned;
#   - xfs was told of each range exactly once, at its offset, and nothing
#     went per page;
#   - the ledger counts 200 events, 200 delivered ranges merged into one
#     failed range, and balances; no callback after unregister (KASAN
#     would see the freed registration), no splat.
. /lib/mfroute-test-lib.sh

run modprobe mfroute
run modprobe mfroute_holder
fsdax_namespace region0
mount_xfs_dax "/dev/$pmem" /mnt
make_file /mnt/data 8
pfn=$(pfn_of /mnt/data 0)
expect_eq "first 1600 pages contiguous" $(( $(pfn_of /mnt/data 1599) - pfn )) 1599
off0=$(( pfn * 4096 - $(data_start "$pmem") ))
majmin=$(cat /sys/class/block/$pmem/dev)
spec="$majmin 0 $(blockdev --getsize64 "/dev/$pmem")"
echo 1 >$holder/delay || fail "slow the sample holder down"
witness_holder_probe
witness_probe 'p:mfrtest/reg mfroute_holder_register'
witness_probe 'r:mfrtest/reg_done mfroute_holder_register ret=$retval:x64'
witness_probe 'p:mfrtest/unreg mfroute_holder_unregister'
witness_probe 'r:mfrtest/unreg_done mfroute_holder_unregister'
witness_probe 'p:mfrtest/mf_begin memory_failure_range pfn=%di:u64'
witness_probe 'r:mfrtest/mf_end memory_failure_range ret=$retval:s32'
hdev=$(kdev "$pmem")

rm -f /tmp/stop /tmp/churn.err
echo 0 >/tmp/gen
(
	while [ ! -e /tmp/stop ]; do
		echo "$spec" >$holder/register || echo "register failed" >>/tmp/churn.err
		bump /tmp/gen
		echo 1 >$holder/unregister || echo "unregister failed" >>/tmp/churn.err
		bump /tmp/gen
	done
) 2>/dev/null &
churn=$!
for i in $(seq 100); do [ "$(counter /tmp/gen)" -gt 0 ] && break; sleep 0.1; done

n=200
witness_start
i=0 overlapped=0
while [ $i -lt $n ]; do
	read -r g0 </tmp/gen
	a=$(answer $mf_inject "$((pfn + i * 8)) 8")
	read -r g1 </tmp/gen
	[ "$a" = ok ] || { touch /tmp/stop; fail "injection $i answered '$a'"; }
	[ "$g0" = "$g1" ] || overlapped=$((overlapped + 1))
	i=$((i + 1))
done
touch /tmp/stop
wait $churn
echo "registrations and unregistrations: $(counter /tmp/gen)"
expect_eq "every registration and unregistration succeeded" "$(cat /tmp/churn.err 2>/dev/null)" ""
expect_match "injections during a (un)registration" "$overlapped" '^[1-9][0-9]*$'

# Each event: a whole injected range, at most once each.
used=' ' good=0 bad=0
for o in $(sed -n "s/^dev=$majmin offset=\(0x[0-9a-f]*\) len=0x8000 flags=0x20\$/\1/p" $holder/events); do
	d=$(( o - off0 ))
	i=$(( d / 32768 ))
	if [ $d -lt 0 ] || [ $((d % 32768)) -ne 0 ] || [ $i -ge $n ]; then
		echo "bad event offset $o"; bad=$((bad + 1)); continue
	fi
	case $used in *" $i "*) echo "injection $i told twice"; bad=$((bad + 1)); continue ;; esac
	used="$used$i " good=$((good + 1))
done
all=$(holder_calls)
echo "holder events: $all ($good valid)"
expect_eq "holder events that are no whole injected range" $((all - good + bad)) 0
expect_match "holder events <= injections" "$good" '^([0-9]|[1-9][0-9]|1[0-9][0-9]|200)$'

# Each injection's window, against the holder's registered time: the
# router queues a note for the holders registered when it routes, and the
# notify work delivers it later, unless the holder unregistered meanwhile.
# A registration is live in the router before its call returns, and an
# unregistration takes it out somewhere inside its call: an injection
# that begins during either call has no known state.
witness_timeline reg reg_done unreg unreg_done mf_begin mf_end holder_told >/tmp/timeline
verdict=$(awk -v dev="$hdev" -v off0="$off0" '
	$1 == "reg" { busy = 1; changed = 1; known = 1; gone = 0; next }
	$1 == "reg_done" { if ($2 !~ /ret=0xfffffffffffff/) reg = 1; busy = 0; changed = 1; next }
	$1 == "unreg" { busy = 1; reg = 0; changed = 1; known = 1; next }
	$1 == "unreg_done" { busy = 0; gone = 1; next }
	$1 == "mf_begin" { changed = !known || busy; was = reg; next }
	$1 == "mf_end" {
		k++
		if (!changed && was) held[k - 1] = 1
		else if (!changed) free[k - 1] = 1
		next
	}
	$1 == "holder_told" && $2 == "dev=" dev {
		split($3, o, "="); i = (o[2] - off0) / 32768
		told[i]++
		if (gone) { wrong++; print "told after unregister returned: injection " i > "/dev/stderr" }
	}
	END {
		for (i = 0; i < k; i++) {
			if (told[i] > 1) { wrong++; print "injection " i " told " told[i] " times" > "/dev/stderr" }
			if (free[i]) { nfree++; if (told[i]) { wrong++; print "injection " i " told, routed while unregistered" > "/dev/stderr" } }
			if (held[i]) { nheld++; if (told[i]) heldtold++ }
		}
		printf "held=%d told=%d free=%d wrong=%d\n", nheld, heldtold, nfree, wrong
	}' /tmp/timeline)
echo "injections by the holder's state: $verdict"
expect_match "the holder was told of what it held, and only of that" "$verdict" \
	'^held=[1-9][0-9]* told=[1-9][0-9]* free=[1-9][0-9]* wrong=0$'

told=$(witness_fs)
expect_lines "xfs told of each range once" "$(echo "$told" | sort)" \
	"$(i=0; while [ $i -lt $n ]; do printf 'offset=%#x len=0x8000 flags=0x20\n' $((off0 + i * 32768)); i=$((i + 1)); done | sort)"
expect_mf_actions "ranged" 200
expect_per_page "ranged" 0
cat $ledger
expect_eq "ledger events" "$(ledger_field "$pmem" events)" $n
expect_eq "ledger delivered" "$(ledger_field "$pmem" delivered)" $n/$((n * 32768))
expect_eq "one merged failed range" "$(ledger_failed "$pmem")" \
	"$(printf '%#x+%#x' $off0 $((n * 32768)))"
expect_eq "ledger check" "$(ledger_field "$pmem" check)" ok
echo 0 >$holder/delay
run umount /mnt
