# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for mfroute guest tests (sourced by guest scripts as
# /lib/mfroute-test-lib.sh).  Every helper fails the test on error: tests
# run with "set -e" semantics of their own choosing, helpers never rely on it.

# fail MSG...: report and end the test with failure.
fail() {
	echo "FAIL: $*"
	exit 1
}

# pass MSG...: report one satisfied expectation.
pass() {
	echo "PASS: $*"
}

# expect_eq WHAT GOT WANT: compare two strings.
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1: $2"
	else
		fail "$1: got '$2', want '$3'"
	fi
}

# expect_match WHAT GOT REGEX: match a string against an extended regex.
expect_match() {
	if echo "$2" | grep -Eq -- "$3"; then
		pass "$1: $2"
	else
		fail "$1: got '$2', want /$3/"
	fi
}

# run CMD...: run a command, failing the test if it fails.
run() {
	"$@" || fail "command failed ($?): $*"
}

# fsdax_namespace REGION: turn the region's first namespace into fsdax (or
# create one), setting $ns (e.g. namespace0.0) and $pmem (e.g. pmem0).
fsdax_namespace() {
	local made
	ns=$(ndctl list -r "$1" -N | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -n 1)
	# What create-namespace prints is the namespace it made: under TCG
	# each "ndctl list" takes most of a second.
	if [ -n "$ns" ]; then
		made=$(ndctl create-namespace -f -e "$ns" -m fsdax --no-autolabel) ||
			fail "ndctl create-namespace -e $ns -m fsdax"
	else
		made=$(ndctl create-namespace -r "$1" -m fsdax) ||
			fail "ndctl create-namespace -r $1 -m fsdax"
	fi
	ns=$(echo "$made" | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -n 1)
	pmem=$(echo "$made" | sed -n 's/.*"blockdev":"\(pmem[0-9]*\)".*/\1/p' | head -n 1)
	[ -b "/dev/$pmem" ] || fail "no block device for region $1"
}

# devdax_namespace REGION [ALIGN]: turn the region's first namespace into
# device-dax (of ALIGN, e.g. 4k, or ndctl's default), setting $ns and
# $daxdev (e.g. dax0.0, /dev/$daxdev).
devdax_namespace() {
	run modprobe dax_pmem
	run modprobe device_dax
	ns=$(ndctl list -r "$1" -N | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -n 1)
	ndctl create-namespace -f -e "$ns" -m devdax ${2:+-a "$2"} --no-autolabel >/dev/null ||
		fail "ndctl create-namespace -e $ns -m devdax ${2:+-a $2}"
	devdax_chardev "$1"
}

# devdax_chardev REGION: set $daxdev to the character device (e.g. dax0.0)
# of the region's device-dax namespace, enabled.
devdax_chardev() {
	daxdev=$(ndctl list -r "$1" -N | sed -n 's/.*"chardev":"\(dax[0-9.]*\)".*/\1/p' | head -n 1)
	[ -c "/dev/$daxdev" ] || fail "no device-dax character device for region $1"
}

# mount_xfs_dax DEV DIR: make an rmapbt xfs on DEV and mount it with DAX.
mount_xfs_dax() {
	# The fstests variables lift mkfs.xfs's 300 MB minimum: nfit_test
	# regions are 32 and 64 MiB.
	TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m rmapbt=1,reflink=0 "$1" || fail "mkfs.xfs $1"
	mkdir -p "$2"
	mount -o dax "$1" "$2" || fail "mount -o dax $1 $2"
}

# mount_ext4_dax DEV DIR: make an ext4 on DEV and mount it with DAX.
mount_ext4_dax() {
	mkfs.ext4 -q -F -b 4096 "$1" || fail "mkfs.ext4 $1"
	mkdir -p "$2"
	mount -o dax "$1" "$2" || fail "mount -o dax $1 $2"
}

# make_file PATH MIB: write a file of MIB MiB of non-zero data.
make_file() {
	dd if=/dev/urandom of="$1" bs=1M count="$2" conv=fsync 2>/dev/null ||
		fail "write $1"
}

# pmem_fs FS: fsdax_namespace region0, FS (xfs or ext4) on it mounted with
# DAX at /mnt, and a 4 MiB /mnt/data.
pmem_fs() {
	fsdax_namespace region0
	"mount_$1_dax" "/dev/$pmem" /mnt
	make_file /mnt/data 4
}

# unbind_pmem DEV: unbind the driver of pmem block device DEV, as a hot
# removal would, even while it is mounted ("ndctl disable-namespace"
# refuses a mounted namespace).
unbind_pmem() {
	local dev
	dev=$(basename "$(readlink "/sys/block/$1/device")")
	echo "$dev" >/sys/bus/nd/drivers/nd_pmem/unbind || fail "unbind $dev"
}

# Sample holder and ledger helpers.
holder=/sys/kernel/debug/mfroute_holder
ledger=/sys/kernel/debug/mfroute/ledger

# hold_device DEV: register the sample holder on all of block device DEV.
hold_device() {
	echo "$(cat "/sys/class/block/$1/dev") 0 $(blockdev --getsize64 "/dev/$1")" \
		>$holder/register || fail "sample holder registration on $1"
}

# ledger_field DEV FIELD: print FIELD=value of DEV's ledger line.
ledger_field() {
	grep "^$1 " $ledger | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# holder_settle: wait until the holders were told of everything routed so
# far (reading the sample holder's events does: mfroute_holder_flush()).
holder_settle() {
	cat $holder/events >/dev/null || fail "read the sample holder's events"
}

# holder_calls: calls the sample holder received, including those it could
# not record.
holder_calls() {
	awk -F= '/^lost=/ { lost = $2; next } { n++ } END { print n + lost }' \
		$holder/events
}

# data_start DEV: physical address of byte 0 of fsdax pmem block device DEV.
data_start() {
	printf '%d' "$(cat "/sys/block/$1/device/resource")"
}

# Benchmark helpers.
# field OUT NAME: the value after NAME in mf-bench's "NAME VALUE ..." output.
field() { echo "$1" | tr ' ' '\n' | sed -n "/^$2\$/{n;p}"; }

# largest_extent FILE DEV: set $ext to the first whole pfn of the largest
# extent of FILE (xfs) on pmem block device DEV, $ext_pages to the whole
# pages in it after that one.
largest_extent() {
	set -- "$2" $(xfs_io -c fiemap "$1" |
		sed -n 's/^[[:space:]]*[0-9]*: \[[0-9.]*\]: \([0-9]*\)\.\.\([0-9]*\).*/\1 \2/p' |
		awk '{ n = $2 - $1 + 1; if (n > best) { best = n; s = $1 } } END { print s, best }')
	[ -n "${3:-}" ] || fail "no extent found on $1"
	ext=$(( ($(data_start "$1") + $2 * 512 + 4095) / 4096 ))
	ext_pages=$(( $3 / 8 - 1 ))
}

# warm_up PFN: 64 single-page failures from PFN, every other page, not
# timed.  Under TCG the first calls after a module is loaded or removed
# run code QEMU must translate again (the module's, and the kernel text
# the load or removal patches); on hardware that costs nothing worth
# counting.
warm_up() {
	local out
	out=$(mf-bench corrupt "$1" 64 2)
	[ "$(field "$out" errors)" = 0 ] || fail "warm-up: $out"
}

# pfn_of FILE PAGE: the pfn behind page PAGE of FILE, in decimal.
pfn_of() {
	printf '%d' "$(dax-probe pfn "$1" "$2" | sed -n 's/^pfn //p')"
}

# dm_create NAME TABLE: create mapped device NAME from TABLE and set $dm
# to its kernel name (dm-N).
dm_create() {
	echo "$2" | dmsetup create "$1" 2>/dev/null || fail "dmsetup create $1"
	dm=dm-$(dmsetup info -c --noheadings -o minor "$1" | tr -d ' ')
	[ -b "/dev/$dm" ] || fail "no /dev/$dm for $1"
}

# sectors DEV: size of block device DEV in 512-byte sectors.
sectors() {
	blockdev --getsz "/dev/$1"
}

# file_on PMEM FILE...: print the first FILE whose page 0 lies on PMEM.
file_on() {
	local pmem=$1 lo hi f p
	shift
	lo=$(( $(data_start "$pmem") / 4096 ))
	hi=$(( lo + $(blockdev --getsize64 "/dev/$pmem") / 4096 ))
	for f in "$@"; do
		p=$(pfn_of "$f" 0)
		if [ "$p" -ge "$lo" ] && [ "$p" -lt "$hi" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

# contiguous FILE N: set $run_pfn to the pfn of page 0 of FILE, whose
# first N pages must be contiguous in the pmem (one extent).
contiguous() {
	run_pfn=$(pfn_of "$1" 0)
	[ "$(pfn_of "$1" $(($2 - 1)))" -eq $((run_pfn + $2 - 1)) ] ||
		fail "the first $2 pages of $1 are not contiguous"
}

# small_files DIR N: N one-line files in DIR, 100 a subdirectory: a
# filesystem that takes a while to walk.
small_files() {
	local i=0
	while [ $i -lt "$2" ]; do
		[ $((i % 100)) -eq 0 ] && mkdir -p "$1/d$((i / 100))"
		echo $i >"$1/d$((i / 100))/f$i"
		i=$((i + 1))
	done
	sync
}

# spread_files DIR N: N 4 MiB files in N directories, which xfs spreads
# over its allocation groups.
spread_files() {
	local i=0
	while [ $i -lt "$2" ]; do
		mkdir -p "$1/d$i"
		make_file "$1/d$i/f" 4
		i=$((i + 1))
	done
}

# two_pmems [REGION REGION]: fsdax namespaces on two regions (region0 and
# region1 unless named), setting $p0 and $p1 (block devices) and $s0 and
# $s1 (their sizes in sectors).
two_pmems() {
	fsdax_namespace "${1:-region0}"
	p0=$pmem
	fsdax_namespace "${2:-region1}"
	p1=$pmem
	s0=$(sectors "$p0")
	s1=$(sectors "$p1")
}

# halve_pmem DEV: split pmem DEV in two partitions, DEVp1 from 1 MiB to the
# middle and DEVp2 from there to the end (1 MiB aligned), and wait for them.
halve_pmem() {
	local half i
	half=$(( $(sectors "$1") / 2 / 2048 * 2048 ))
	printf 'start=2048, size=%d\nstart=%d\n' $((half - 2048)) "$half" |
		sfdisk -q "/dev/$1" || fail "sfdisk $1"
	for i in $(seq 50); do [ -b "/dev/${1}p2" ] && return 0; sleep 0.1; done
	fail "no /dev/${1}p2"
}

# concat_pmems NAME [REGION REGION]: two_pmems, then dm-linear NAME
# concatenating them.
concat_pmems() {
	two_pmems ${2:-} ${3:-}
	dm_create "$1" "$(printf '0 %s linear /dev/%s 0\n%s %s linear /dev/%s 0\n' \
		"$s0" "$p0" "$s0" "$s1" "$p1")"
}

# concat_xfs NAME DIR [REGION REGION]: concat_pmems NAME, an xfs on it
# mounted with DAX at DIR holding spread_files DIR 8, and $f set to the
# first of those files whose page 0 lies on $p1 (the second pmem).
concat_xfs() {
	concat_pmems "$1" ${3:-} ${4:-}
	mount_xfs_dax "/dev/mapper/$1" "$2"
	spread_files "$2" 8
	f=$(file_on "$p1" "$2"/d*/f) || fail "no file on $p1 in $2"
}

# stripe_pmems NAME CHUNK [REGION REGION]: two_pmems, then dm-striped NAME
# over them with CHUNK-sector chunks, setting $width (sectors per member).
stripe_pmems() {
	two_pmems ${3:-} ${4:-}
	width=$(( s0 / $2 * $2 ))
	[ $(( s1 / $2 * $2 )) -lt "$width" ] && width=$(( s1 / $2 * $2 ))
	dm_create "$1" "0 $((2 * width)) striped 2 $2 /dev/$p0 0 /dev/$p1 0"
}

# hold_mapping FILE: map FILE in a background dax-probe that touches it
# again once release_mapping is called.
hold_mapping() {
	rm -f /tmp/go /tmp/holder.out
	dax-probe hold "$1" /tmp/go >/tmp/holder.out &
	probe=$!
	for i in $(seq 100); do grep -q holding /tmp/holder.out && return; sleep 0.1; done
	fail "dax-probe did not map $1"
}

# release_mapping: let the held mapping be touched; set $seen to what it
# saw.  (Not from a subshell: only this shell can wait for the probe.)
release_mapping() {
	touch /tmp/go
	wait $probe
	seen=$(tail -n 1 /tmp/holder.out)
}

# keep_mapping FILE read|write [TAG]: map FILE in a background dax-probe
# that reads (or writes) every page of it every 2 ms until it gets a
# SIGBUS or stop_keeping is called; returns once it made its first round.
keep_mapping() {
	start_keeper "${3:-k}" keep "$1" "$2"
}

# start_keeper TAG MODE ARGS...: run "dax-probe MODE ARGS... /tmp/TAG.stop"
# in the background, output in /tmp/TAG.out, and wait for its first round.
start_keeper() {
	local tag=$1 file=$3
	shift
	rm -f "/tmp/$tag.stop" "/tmp/$tag.out"
	dax-probe "$@" "/tmp/$tag.stop" >"/tmp/$tag.out" &
	eval "keeper_$tag=\$!"
	for i in $(seq 100); do grep -q keeping "/tmp/$tag.out" && return; sleep 0.1; done
	fail "dax-probe did not map $file"
}

# stop_keeping [TAG]: stop the dax-probe of keep_mapping (if it is still
# going) and set $seen to how it ended: "sigbus ... rounds=N" or "stopped
# rounds=N".  (Not from a subshell: only this shell can wait for it.)
stop_keeping() {
	local tag=${1:-k} pid
	touch "/tmp/$tag.stop"
	eval "pid=\$keeper_$tag"
	wait "$pid"
	seen=$(tail -n 1 "/tmp/$tag.out")
}

# expect_revoked WHAT: the dax-probe of keep_mapping that kept using its
# mapping through a removal ended with a SIGBUS (the mapping was revoked:
# its next fault failed, BUS_ADRERR, or xfs signalled it as it unmapped
# it, BUS_MCEERR_AO), after some rounds.
expect_revoked() {
	stop_keeping "${2:-k}"
	expect_match "$1: the process using its mapping throughout" "$seen" \
		'^sigbus code=BUS_(ADRERR|MCEERR_AO) .* rounds=[1-9][0-9]*$'
}

# persist_mapping FILE [TAG]: map FILE in a background dax-probe that
# reads every page of it every 2 ms, on through each SIGBUS, until
# expect_gone is called; returns once it made its first round.
persist_mapping() {
	start_keeper "${2:-p}" persist "$1"
}

# expect_gone WHAT [TAG]: the dax-probe of persist_mapping was signalled
# during a removal, mapped the file again afterwards (the race: a fault
# between the filesystem's unmapping and its shutdown), and found no
# mapping left once the removal was over: its last read got a SIGBUS.
expect_gone() {
	stop_keeping "${2:-p}"
	echo "$1: $seen"
	expect_match "$1: signalled, then mapped again" "$seen" \
		' sigbus=[1-9][0-9]* refaulted=[1-9][0-9]* '
	expect_match "$1: nothing mapped after the removal" "$seen" ' last=sigbus$'
}

# make_fragmented FILE EXTENTS: write FILE (xfs) as EXTENTS one-block
# extents, a block apart: as many reverse-map records to walk.
make_fragmented() {
	xfs_io -f -c "pwrite -q -b 1m 0 $(($2 * 8))k" -c fsync "$1" ||
		fail "write $1"
	seq 0 $(($2 - 1)) | awk '{ printf "fpunch %dk 4k\n", $1 * 8 + 4 }' |
		xfs_io "$1" || fail "punch $1"
	expect_eq "$1: extents" "$(xfs_io -c 'fiemap' "$1" | grep -vc ' hole$\|:$')" "$2"
}

# expect_not_revoked WHAT: as upstream for a filesystem nobody tells, the
# dax-probe of keep_mapping went on using its mapping through a removal.
expect_not_revoked() {
	stop_keeping "${2:-k}"
	expect_match "$1: the process using its mapping throughout" "$seen" \
		'^stopped rounds=[1-9][0-9]*$'
}

# monitor_ready PID: the "mfroute monitor" of PID has its trace instance
# with mfroute's events on, so that it records what happens from now on.
monitor_ready() {
	[ "$(cat "$tracing/instances/mfroute-monitor.$1/events/mfroute/enable" 2>/dev/null)" = 1 ]
}

# start_monitors N SECONDS: two "mfroute monitor"s, in JSON into
# /tmp/monitor.json and in words into /tmp/monitor.txt, each stopping
# after N records or SECONDS, and wait until both record.
start_monitors() {
	mfroute monitor --json --count "$1" --timeout "$2" --log /tmp/monitor.json &
	monitor_json=$!
	mfroute monitor --human --count "$1" --timeout "$2" --log /tmp/monitor.txt &
	monitor_human=$!
	wait_for 20 monitor_ready $monitor_json
	wait_for 20 monitor_ready $monitor_human
}

# wait_monitors: wait for the monitors of start_monitors to stop, and show
# what they printed.
wait_monitors() {
	wait $monitor_json || fail "mfroute monitor --json exited $?"
	wait $monitor_human || fail "mfroute monitor --human exited $?"
	cat /tmp/monitor.json /tmp/monitor.txt
}

# ndctl_place PMEM: set $region and $ns to the region and namespace that
# "ndctl list" shows behind block device PMEM.
ndctl_place() {
	local r
	region=
	for r in $(ndctl list -R | sed -n 's/.*"dev":"\(region[0-9]*\)".*/\1/p'); do
		ndctl list -r "$r" -N | grep -q "\"blockdev\":\"$1\"" && region=$r
	done
	[ -n "$region" ] || fail "ndctl lists no region for $1"
	ns=$(ndctl list -r "$region" -N | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p')
}

# nfit_namespace: an fsdax namespace on nfit_test.0's largest pmem region,
# setting $ns and $pmem.  ("ndctl inject-error --block" counts 512-byte
# blocks from the start of its data area, sector 0 of $pmem.)
nfit_namespace() {
	local region best=0 size r
	for r in $(ndctl list -R -t pmem -b nfit_test.0 | sed -n 's/.*"dev":"\(region[0-9]*\)".*/\1/p'); do
		size=$(cat /sys/bus/nd/devices/$r/size)
		[ "$size" -gt "$best" ] && best=$size && region=$r
	done
	[ -n "$region" ] || fail "no pmem region on nfit_test.0"
	fsdax_namespace "$region"
}

# nfit_xfs [MIB]: nfit_namespace, an xfs on it mounted with DAX at /mnt,
# and a MIB MiB (1 unless given) /mnt/data.
nfit_xfs() {
	nfit_namespace
	mount_xfs_dax "/dev/$pmem" /mnt
	make_file /mnt/data "${1:-1}"
}

# Kernel problems and leaks (used by the guest init around every script).

# kmsg_capture_start: copy every kernel message to /tmp/.kmsg as it is
# logged, whatever console log level a script sets ("dmesg -n 1").
kmsg_capture_start() {
	(
		while :; do
			cat /dev/kmsg
			# cat ends on EPIPE when the log overran it: say so.
			echo "mfroute-init: /dev/kmsg reader restarted"
			sleep 0.1
		done
	) >/tmp/.kmsg 2>&1 &
}

# harness_error MSG...: the harness itself could not check something: the
# host fails the boot on this line, whatever the script said.
harness_error() {
	echo "MFROUTE-HARNESS-ERROR: $*"
}

# kmsg_capture_report: print, prefixed "MFROUTE-KMSG: ", every captured
# line that names a kernel problem (/lib/mfroute-kernel-problems).
# The copy is complete once a line logged last has reached it.
kmsg_capture_report() {
	local mark i rc
	mark="mfroute-init: end of the kernel log copy $$.$(date +%s)"
	echo "$mark" >/dev/kmsg
	for i in $(seq 100); do
		grep -qF "$mark" /tmp/.kmsg 2>/dev/null && break
		sleep 0.1
	done
	if ! grep -qF "$mark" /tmp/.kmsg 2>/dev/null; then
		harness_error "the copy of /dev/kmsg did not catch up in 10 s"
		return 1
	fi
	if ! grep -v -e '^#' -e '^$' /lib/mfroute-kernel-problems >/tmp/.kpat; then
		harness_error "no kernel-problems patterns"
		return 1
	fi
	grep -E -f /tmp/.kpat /tmp/.kmsg >/tmp/.kprob
	rc=$?
	if [ $rc -gt 1 ]; then
		harness_error "grep of the kernel log copy failed ($rc)"
		return 1
	fi
	sed 's/^/MFROUTE-KMSG: /' /tmp/.kprob
}

# uptime_cs: the time since boot in hundredths of a second.
uptime_cs() {
	local up cs
	read -r up _ </proc/uptime
	cs=${up#*.}
	echo $(( ${up%.*} * 100 + ${cs#0} ))
}

# kmemleak_scan: scan for leaks and print what kmemleak suspects.  An
# object is reported when two scans in a row find it unreferenced, the
# second starting at least 5 s after it was allocated.  What the test
# allocated, it allocated before the first scan began: the second scan
# waits only for what the first did not take of those 5 s (under TCG a
# scan takes 4 to 11 s, so usually not at all).  kmemleak that is off, or
# turned itself off (it does on an internal error), is a harness error:
# the boot would otherwise pass unchecked.
kmemleak_scan() {
	local start k=/sys/kernel/debug/kmemleak
	# In hundredths of a second: kmemleak reports only objects older
	# than 5 s, and whole seconds of date(1) could make the wait 5.0 s;
	# 5.2 s leaves the jiffies kmemleak counts in room to differ.
	start=$(uptime_cs)
	if ! [ -w $k ] || ! echo scan 2>/dev/null >$k; then
		harness_error "kmemleak is not active: no leak scan"
		return 1
	fi
	echo "mfroute-init: first leak scan done" >/dev/kmsg
	while [ $(( $(uptime_cs) - start )) -lt 520 ]; do sleep 0.1; done
	if ! echo scan 2>/dev/null >$k || ! cat $k; then
		harness_error "kmemleak stopped during the scan"
		return 1
	fi
}

# Witnesses: what the kernel itself did with a failure, counted with
# tracepoints and kprobe events rather than taken from mfroute's word.
#
#   fs_notify      xfs_dax_notify_failure(): the filesystem was told
#                  (offset and length in its dax_device, MF_* flags, and
#                  the xfs_mount it was told as)
#   fs_done        its return (ret=0: taken)
#   generic_kill   dax_lock_folio(): the per-page path's generic handling
#                  of one fsdax page (mf_generic_kill_procs())
#   memory_failure_event  ras:memory_failure_event: memory_failure()'s
#                  action for one page (its "recovery action" line)
tracing=/sys/kernel/tracing

# witness_start: clear the trace and start counting.  Each witness is
# checked to be on: a witness that is off would count 0 whatever happened.
witness_start() {
	local e
	echo 0 >$tracing/tracing_on || fail "tracing_on"
	if ! grep -q '^p:mfrtest/fs_notify ' $tracing/kprobe_events; then
		echo 'p:mfrtest/fs_notify xfs_dax_notify_failure offset=%dx:x64 len=%cx:x64 flags=%r8:x32 mount=%si:x64' \
			>>$tracing/kprobe_events || fail "kprobe on xfs_dax_notify_failure"
		echo 'r:mfrtest/fs_done xfs_dax_notify_failure ret=$retval:s32' \
			>>$tracing/kprobe_events || fail "kretprobe on xfs_dax_notify_failure"
		echo 'p:mfrtest/generic_kill dax_lock_folio' \
			>>$tracing/kprobe_events || fail "kprobe on dax_lock_folio"
	fi
	for e in $tracing/events/mfrtest/*/enable $tracing/events/ras/memory_failure_event/enable; do
		echo 1 >"$e" || fail "enable witness $e"
		[ "$(cat "$e")" = 1 ] || fail "witness $e is not on"
	done
	for e in fs_notify fs_done generic_kill; do
		[ -e $tracing/events/mfrtest/$e ] || fail "no witness $e"
	done
	echo >$tracing/trace || fail "clear the trace"
	echo 1 >$tracing/tracing_on || fail "tracing_on"
}

# witness_mce_start: witness_start, with the kernel's machine-check records
# (mce:mce_record, read with "witness mce_record") counted too.
witness_mce_start() {
	local e=$tracing/events/mce/mce_record/enable
	echo 1 >$e || fail "enable mce:mce_record"
	[ "$(cat $e)" = 1 ] || fail "witness mce:mce_record is not on"
	witness_start
}

# witness_probe DEFINITION: add a kprobe event to the mfrtest group (as
# "p:mfrtest/NAME SYMBOL FETCHARGS", or "r:..."), unless it is there, for
# witness_start to turn on.  The symbol's module must be loaded.
witness_probe() {
	local name=${1#*/}
	name=${name%% *}
	grep -q "^[pr]:mfrtest/$name " $tracing/kprobe_events ||
		echo "$1" >>$tracing/kprobe_events || fail "kprobe $1"
}

# witness_holder_probe: count what the sample holder's callbacks were
# called with, as holder_told events: dev (the kernel's dev_t, MAJOR << 20
# | MINOR), offset, len, flags; repairs as holder_repaired.
witness_holder_probe() {
	witness_probe 'p:mfrtest/holder_told sample_notify_failure dev=%si:u32 offset=%dx:x64 len=%cx:x64 flags=%r8:x32'
	witness_probe 'p:mfrtest/holder_repaired sample_notify_repair dev=%si:u32 offset=%dx:x64 len=%cx:x64'
}

# witness_reprobe_probe: count the router's rounds of asking the drivers
# for poison nobody took (reprobe: after a holder registers, or a
# filesystem mounts) and pmem's route work finishing (route_done).
witness_reprobe_probe() {
	witness_probe 'p:mfrtest/reprobe mfroute_rs_reprobe'
	witness_probe 'r:mfrtest/route_done pmem_route_work'
}

# reprobe_mark: count the router's rounds from here on (reprobed): rounds
# asked for before (a registration's, say) no longer count.
reprobe_mark() {
	echo mfrtest-mark >$tracing/trace_marker || fail "trace_marker"
}

# reprobed N: since witness_start (or the last reprobe_mark), the router
# asked N times, and pmem's route work ran to its end after the last time.
reprobed() {
	witness_timeline reprobe route_done tracing_mark_write | awk -v n="$1" '
		$1 == "tracing_mark_write" { asked = 0; done = 0 }
		$1 == "reprobe" { asked++; done = 0 } $1 == "route_done" { done = 1 }
		END { exit !(asked >= n && done) }'
}

# wait_reprobed N: wait (up to 30 s) until reprobed N.
wait_reprobed() {
	wait_for 30 reprobed "$1"
}

# witness_bytes EVENT: the len= fields of EVENT's records (fs_notify,
# holder_told) since witness_start, added up.
witness_bytes() {
	local t=0 l
	for l in $(witness "$1" | sed -n 's/.* len=\(0x[0-9a-f]*\).*/\1/p'); do
		t=$((t + l))
	done
	echo $t
}

# told_bytes EVENT BYTES: witness_bytes EVENT is at least BYTES.
told_bytes() {
	[ "$(witness_bytes "$1")" -ge "$2" ]
}

# kdev DEV: the kernel's dev_t of block device DEV, as holder_told has it.
kdev() {
	local mm
	mm=$(cat "/sys/class/block/$1/dev")
	echo $(( (${mm%%:*} << 20) | ${mm#*:} ))
}

# witness EVENT: print the trace records of EVENT (fs_notify, generic_kill,
# memory_failure_event) since witness_start, one per line, fields only.
witness() {
	sed -n "s/^.* $1: //p" $tracing/trace
}

# witness_timeline EVENT...: the trace records of the EVENTs since
# witness_start, in the order they happened, one per line as "EVENT
# FIELDS" (the probe's location left out).
witness_timeline() {
	local pat
	pat=$(echo "$@" | sed 's/ /|/g')
	sed -n -E "s/^.* ($pat): (\([^)]*\) ?)?/\1 /p" $tracing/trace
}

# witnessed EVENT [N]: at least N (1) EVENT records since witness_start.
witnessed() {
	[ "$(witness_count "$1")" -ge "${2:-1}" ]
}

# witness_count EVENT: the number of EVENT records since witness_start.
witness_count() {
	witness "$1" | grep -c .
}

# witness_args EVENT: the records of EVENT since witness_start, one per
# line, with only the probe's fields (its location left out).
witness_args() {
	witness "$1" | sed 's/^([^)]*) //'
}

# witness_fs: what the filesystem was told since witness_start, one line
# per notification, "offset=0x... len=0x... flags=0x..." (the mount left
# out).
witness_fs() {
	witness_args fs_notify | sed 's/ mount=.*//'
}

# expect_fs_told WHAT OFFSET LEN FLAGS: the filesystem was told exactly
# once since witness_start, of LEN bytes at OFFSET (hex) with FLAGS.
expect_fs_told() {
	expect_eq "$1: filesystem notifications" "$(witness_count fs_notify)" 1
	expect_eq "$1: what the filesystem was told" "$(witness_fs)" \
		"offset=$2 len=$3 flags=$4"
}

# expect_per_page WHAT N: the generic per-page path handled N fsdax pages
# since witness_start (mf_generic_kill_procs(), seen at dax_lock_folio():
# unmap and signal page by page, what a page nobody takes gets).
expect_per_page() {
	expect_eq "$1: generic per-page handling" "$(witness_count generic_kill)" "$2"
}

# expect_mf_actions WHAT N: memory_failure() recorded N actions since
# witness_start (ras:memory_failure_event, one per "recovery action" line:
# what rasdaemon sees), whoever handled the page.
expect_mf_actions() {
	expect_eq "$1: memory_failure() actions" "$(witness_count memory_failure_event)" "$2"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail
# the test if it does not within SECONDS.  Tests wait for what they then
# assert, never for a fixed delay.
wait_for() {
	local secs=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $((secs * 10)) ] && fail "waited ${secs}s for: $*"
		sleep 0.1
	done
}

# expect_refused WHAT FILE REQUEST ERROR: writing REQUEST to FILE fails
# with ERROR (the strerror text, e.g. "Invalid argument").
expect_refused() {
	local out
	if out=$( (echo "$3" >"$2") 2>&1); then
		fail "$1: '$3' accepted"
	fi
	expect_match "$1: '$3' refused" "$out" "$4\$"
}

# xfs_said PATTERN: the xfs lines logged since the last "dmesg -c" that
# match PATTERN (extended regex).
xfs_said() {
	dmesg | grep -E "XFS \([a-z0-9-]+\): .*$1"
}

# Shutdown messages xfs prints (xfs_do_force_shutdown): for metadata lost
# to poison, and for a device going away.
xfs_corrupt_ondisk='Corruption of on-disk metadata \(0x[0-9a-f]+\) detected at .*Shutting down filesystem'

# Helpers for the race, fallback, error, fault-injection and soak tests.

# The test-only ranged injection file (CONFIG_MFROUTE_INJECT).
mf_inject=/sys/kernel/debug/mfroute/inject

# answer FILE REQUEST: write REQUEST to FILE and print what the kernel
# answered: "ok", or the error text of the failed write (strerror, e.g.
# "Device or resource busy").  Never fails the test by itself.
answer() {
	local out
	if out=$( (echo "$2" >"$1") 2>&1); then
		echo ok
	else
		echo "${out##*: }"
	fi
}

# per_page_busy: the answer of the per-page path for an fsdax page that
# no process or file maps (mf_generic_kill_procs(): -EBUSY).
per_page_busy='Device or resource busy'

# inject_during_churn N PFN0: report N ranged failures of 4 pages each
# (PFN0, PFN0 + 4, ...) through the inject file while a background loop
# changes the stack and counts its changes in /tmp/gen; set $overlapped to
# the failures during which /tmp/gen changed and $busy to those the
# per-page path answered EBUSY.  Any other answer fails the test.  Ends
# by creating /tmp/stop, which the background loop must watch.
inject_during_churn() {
	local i=0 g0 g1 a
	overlapped=0 busy=0
	while [ $i -lt "$1" ]; do
		read -r g0 </tmp/gen
		a=$(answer $mf_inject "$(($2 + i * 4)) 4")
		read -r g1 </tmp/gen
		case $a in
		ok) ;;
		"$per_page_busy") busy=$((busy + 1)) ;;
		*) touch /tmp/stop; fail "injection $i answered '$a'" ;;
		esac
		[ "$g0" = "$g1" ] || overlapped=$((overlapped + 1))
		i=$((i + 1))
	done
	touch /tmp/stop
}

# ledger_failed DEV: DEV's failed (delivered) ranges, "0xOFF+0xLEN" one per
# line, as the ledger lists them.
ledger_failed() {
	awk -v dev="$1" '/^[^ ]/ { cur = $1 } /^  failed / && cur == dev { print $2 }' $ledger
}

# ledger_bytes DEV FIELD: the bytes of a "ranges/bytes" ledger counter.
ledger_bytes() {
	ledger_field "$1" "$2" | sed 's|.*/||'
}

# expect_ledgers_ok: every device line of the ledger says check=ok.
expect_ledgers_ok() {
	local bad
	bad=$(awk '/ events=/ && !/ check=ok$/' $ledger)
	expect_eq "every ledger balances" "$bad" ""
}

# holder_events_of DEV: the sample holder's events for block device DEV.
holder_events_of() {
	grep "^dev=$(cat "/sys/class/block/$1/dev") " $holder/events
}

# rand_seed SEED: start the test's pseudo-random sequence at SEED (a
# number; the seed is printed, and kept in $rand_seed_used, so that a
# failing run can be replayed).
rand_seed() {
	rand_seed_used=$1
	rand_state=$(( $1 % 2147483648 ))
	echo "random seed: $1"
}

# rand N: set $r to the next pseudo-random number in [0, N), N < 2^24 (a
# 31-bit linear congruential generator, high bits used).  Call it as a
# plain command, not in $(...): the state lives in this shell.
rand() {
	rand_state=$(( (rand_state * 1103515245 + 12345) % 2147483648 ))
	r=$(( (rand_state / 128) % $1 ))
}

# module_text MOD: set $text_start and $text_end (hex) to the bounds of
# loaded module MOD's core text: from its .text section to the first of
# its sections above it that is not text (/sys/module/MOD/sections; the
# base and size /proc/modules gives span its data too, and the module's
# allocations need not be contiguous).
module_text() {
	local d=/sys/module/$1/sections s
	[ -r "$d/.text" ] || fail "module $1 not loaded"
	text_start=$(cat "$d/.text")
	text_end=$(for s in "$d"/.[!.]* "$d"/*; do echo "$(cat "$s") ${s##*/}"; done | sort |
		awk -v t="$text_start" '$1 == t { on = 1; next }
			on && $2 !~ /^\.(text|exit\.text)/ { print $1; exit }')
	[ -n "$text_end" ] || fail "no section of $1 above its text"
}

# failslab_arm: make failslab fail, once failslab_set 100 turns it on,
# every allocation of mfroute's own and nothing else (the knobs are
# explained in route-failslab.sh), and count them: failslab_failed then
# prints how many were failed since.  failslab_set 0 turns it off.
failslab_arm() {
	local fs=/sys/kernel/debug/failslab
	module_text mfroute
	symbol_range memory_failure_range
	echo "mfroute text $text_start..$text_end; memory_failure_range $sym_start..$sym_end"
	echo 0 >$fs/probability || fail "failslab probability"
	echo "$text_start" >$fs/require-start || fail "failslab require-start"
	echo "$text_end" >$fs/require-end || fail "failslab require-end"
	echo "$sym_start" >$fs/reject-start || fail "failslab reject-start"
	echo "$sym_end" >$fs/reject-end || fail "failslab reject-end"
	echo 8 >$fs/stacktrace-depth || fail "failslab stacktrace-depth"
	echo N >$fs/ignore-gfp-wait || fail "failslab ignore-gfp-wait"
	echo 1 >$fs/verbose || fail "failslab verbose"
	echo 1000000000 >$fs/times || fail "failslab times"
}

# failslab_set PERCENT: the probability that failslab_arm's allocations
# fail.
failslab_set() {
	echo "$1" >/sys/kernel/debug/failslab/probability || fail "failslab probability $1"
}

# failslab_failed: allocations failslab failed since failslab_arm.
failslab_failed() {
	echo $(( 1000000000 - $(cat /sys/kernel/debug/failslab/times) ))
}

# symbol_range SYMBOL: set $sym_start and $sym_end (hex) to the bounds of
# a kernel function, from /proc/kallsyms (its end: the next symbol).
symbol_range() {
	local a
	a=$(awk -v s="$1" '$3 == s && $2 ~ /^[tT]$/ { print $1; exit }' /proc/kallsyms)
	[ -n "$a" ] || fail "no symbol $1"
	sym_start=0x$a
	# Fixed-width hex: string order is numeric order.
	sym_end=0x$(awk -v s="$a" '{ x = $1 "" } x > s && (b == "" || x < b) { b = x }
		END { print b }' /proc/kallsyms)
}

# bump FILE: add one to the counter in FILE (created at 0), atomically
# for readers (rename).
bump() {
	local n=0
	[ -e "$1" ] && read -r n <"$1"
	echo $((n + 1)) >"$1.tmp" && mv "$1.tmp" "$1"
}

# counter FILE: print the counter in FILE (0 if absent).
counter() {
	local n=0
	[ -e "$1" ] && read -r n <"$1"
	echo "$n"
}

# witness_pfn_span: summarise the pfns of the memory_failure_event records
# since witness_start as "first=F last=L distinct=D total=T" (decimal):
# the per-page path acted on exactly pfns F..L, once each, when
# D = T = L - F + 1.
witness_pfn_span() {
	witness memory_failure_event | sed -n 's/^pfn 0x\([0-9a-f]*\): .*/\1/p' |
		while read -r x; do echo $((0x$x)); done | sort -n |
		awk 'NR == 1 { f = $1 } NR == 1 || $1 != p { d++ } { p = $1; t++ }
			END { printf "first=%d last=%d distinct=%d total=%d\n", f, p, d, t }'
}

# expect_lines WHAT GOT WANT: compare two multi-line texts; on a match
# report only the number of lines, else the first differing lines (diff,
# "-" wanted, "+" got) and fail.
expect_lines() {
	if [ "$2" = "$3" ]; then
		pass "$1: $(echo "$2" | grep -c .) lines"
	else
		echo "$3" >/tmp/.want
		echo "$2" >/tmp/.got
		diff /tmp/.want /tmp/.got | sed -n '3,22p'
		fail "$1: differs (- wanted, + got)"
	fi
}

# witness_fs_pfns BASE: the pfns (decimal, one per line, in order told)
# of the pages the filesystem was told of since witness_start, for a
# filesystem directly on a pmem whose byte 0 is pfn BASE.
witness_fs_pfns() {
	witness fs_notify | sed -n 's/.*offset=\(0x[0-9a-f]*\) len=\(0x[0-9a-f]*\) .*/\1 \2/p' |
		while read -r o l; do
			o=$(( $1 + o / 4096 )) l=$(( l / 4096 ))
			while [ "$l" -gt 0 ]; do
				echo $o
				o=$((o + 1)) l=$((l - 1))
			done
		done
}

# inject_scrubbed NS BLOCK COUNT: inject COUNT 512-byte media errors at
# BLOCK of nfit_test namespace NS, then have the platform find them in one
# address range scrub, as a scrub after a reboot would (injecting with
# notification scrubs once per injected chunk, and the kernel then learns
# of one range in pieces).  A scrub still going (the one nfit starts when
# a region appears) is waited for first: running while ndctl injects
# block by block, it would find part of the range, and the kernel would
# learn of it in two pieces.
inject_scrubbed() {
	ndctl wait-scrub nfit_test.0 >/dev/null 2>&1 || fail "ndctl wait-scrub before injecting"
	ndctl inject-error --no-notify --block="$2" --count="$3" "$1" >/dev/null ||
		fail "ndctl inject-error $1 $2+$3"
	ndctl start-scrub nfit_test.0 >/dev/null 2>&1 || fail "ndctl start-scrub"
	ndctl wait-scrub nfit_test.0 >/dev/null 2>&1 || fail "ndctl wait-scrub"
}

# inject_mce ADDR KIND [CPU]: have QEMU raise an x86 machine check on CPU
# (0) for physical address ADDR, as the hardware reports one: KIND srao
# (action optional: a patrol scrub found it), srar (action required:
# the task running on CPU consumed it) or fatal (the processor context
# is corrupt: the kernel panics).  The test's header must say
# "# machine-checks: yes" (qemu.sh's mce-relay.py raises it).  Returns
# once QEMU has raised it; Linux handles an action-optional one later,
# from a work item.
inject_mce() {
	local ans
	[ -c /dev/ttyS1 ] || fail "inject_mce: no /dev/ttyS1 (no '# machine-checks: yes'?)"
	stty -F /dev/ttyS1 raw -echo || fail "inject_mce: stty /dev/ttyS1"
	exec 9<>/dev/ttyS1
	printf 'mce %d %x %s\n' "${3:-0}" "$1" "$2" >&9
	read -r -t 30 ans <&9 || ans="no answer in 30 s"
	exec 9>&-
	[ "$ans" = ok ] || fail "inject_mce $1 $2: $ans"
}

# hw_corrupted_kib: the kernel's count of poisoned memory (HardwareCorrupted
# in /proc/meminfo, kept by memory_failure() per page), in KiB.
hw_corrupted_kib() {
	sed -n 's/^HardwareCorrupted: *\([0-9]*\) kB$/\1/p' /proc/meminfo
}

# hw_corrupted_reached KIB: HardwareCorrupted is at least KIB.
hw_corrupted_reached() {
	[ "$(hw_corrupted_kib)" -ge "$1" ]
}

# queue_burst PFN NR: queue NR action-optional failures of the device pages
# from PFN with memory_failure_queue(), from one CPU faster than its work
# can drain them, as a firmware-first platform reports a patrol scrub's
# findings (mfroute_mf_queue_test.ko), and wait until the kernel handled
# every page it did not drop.  Sets burst_dropped (the queue's "buffer
# overflow" lines), burst_handled (pages added to HardwareCorrupted),
# burst_actions (ras:memory_failure_event records), burst_fs_calls and
# burst_fs_bytes (xfs's probe) and burst_cs (hundredths of a second from
# the request to the last page handled).  The kernel log goes to the
# console only from level 1 meanwhile: one line per dropped page is more
# than a serial console takes in time.
burst_queue=/sys/kernel/debug/mfroute_mf_queue_test/queue
queue_burst() {
	local kib0 t0 want
	[ -e $burst_queue ] || run modprobe mfroute_mf_queue_test
	kib0=$(hw_corrupted_kib)
	witness_start
	dmesg -c >/dev/null
	dmesg -n 1
	t0=$(uptime_cs)
	echo "$1 $2" >$burst_queue || fail "queue $2 failures from pfn $1"
	burst_dropped=$(dmesg | grep -c 'buffer overflow when queuing memory failure')
	want=$(( kib0 + ($2 - burst_dropped) * 4 ))
	wait_for 300 hw_corrupted_reached $want
	burst_cs=$(( $(uptime_cs) - t0 ))
	dmesg -n 7
	burst_handled=$(( ($(hw_corrupted_kib) - kib0) / 4 ))
	burst_actions=$(witness_count memory_failure_event)
	burst_fs_calls=$(witness_count fs_notify)
	burst_fs_bytes=$(witness_bytes fs_notify)
}
