#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run mfroute's tests: the host-side `cargo test` of the routing core, then
# every guest test, each in a fresh boot so that one test's crash cannot
# hide or poison another's result, then the harness self-test.  Prints TAP
# and ends with "N passed, N failed" (", N skipped" when tests listed in
# known-failures ran); exits non-zero when anything failed.
#
# Usage: run-tests.sh [--guest-only] [TEST...]
#   TEST is a test name or glob ("baseline-*", "selftest/*"); default: all.
#   A TEST that matches nothing is an error.
#   EXTRA_TESTS=/abs/dir also runs every top-level *.sh of that directory
#   (copied into the guest with everything beside it) in an NVDIMM boot.
#
# A guest test is a shell script under tests/, run by the guest's sh from
# its own directory; it passes when it exits 0 and the kernel log shows
# none of the problems listed in kernel-problems (KASAN, KFENCE, kmemleak,
# hung task, lockdep, WARN, BUG, oops, Rust panic...).  Header lines choose
# the boot:  "# boot: nfit", "# nvdimms: 1G 1G" (sizes), "# timeout: 300";
# "# leaks: unchecked" skips the leak scan (self-tests of other detectors,
# which fail their boot anyway); "# machine-checks: yes" lets the test
# raise x86 machine checks (lib.sh's inject_mce, qemu.sh's MFROUTE_MCE);
# "# cpus: 2" gives the guest two CPUs instead of one.  Under TCG a
# second vCPU costs a test about a tenth of its time, two guests sharing
# the host's two cores: only the tests whose sides must run at once (the
# races, the per-CPU queue, the monitor outrun by the kernel) and the one
# that raises a machine check on CPU 1 ask for it.
#
# A test named in known-failures still runs, but is reported as
# "not ok ... # TODO known failure: REASON" and counted as skipped.
#
# The harness self-test (selftest/*.sh) makes the kernel commit each kind
# of problem on purpose; it passes when the check above fails that boot
# with a report matching the script's "# expect: REGEX" line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$here/qemu.sh"

guest_only=
[ "${1:-}" = --guest-only ] && { guest_only=1; shift; }
extra=${EXTRA_TESTS:-}
if [ -n "$extra" ] && [ ! -d "$extra" ]; then
	echo "EXTRA_TESTS=$extra: not a directory" >&2
	exit 2
fi
logs=$cache/logs
rm -rf "$logs"
mkdir -p "$logs"

# Select tests (guest paths "tests/NAME.sh", "selftest/NAME.sh"): all of
# them, or those matching a pattern; every pattern must match something.
all=()
for f in "$here"/tests/*.sh; do all+=("tests/$(basename "$f")"); done
for f in "$here"/selftest/*.sh; do all+=("selftest/$(basename "$f")"); done
tests=()
if [ $# -eq 0 ]; then
	tests=("${all[@]}")
else
	for pat in "$@"; do
		hit=
		for t in "${all[@]}"; do
			name=${t%.sh}
			name=${name#tests/}
			# shellcheck disable=SC2053
			if [[ $name == $pat || $name.sh == $pat ]]; then
				hit=1
				[[ " ${tests[*]} " == *" $t "* ]] || tests+=("$t")
			fi
		done
		if [ -z "$hit" ]; then
			echo "run-tests: no test matches '$pat' (see tools/testing/nvdimm/tests/)" >&2
			exit 2
		fi
	done
fi
if [ -n "$extra" ]; then
	for f in "$extra"/*.sh; do
		[ -e "$f" ] && tests+=("extra/$(basename "$f")")
	done
fi

# known-failures: "NAME REASON..." per line.
declare -A known
while read -r kname kreason; do
	case $kname in '' | '#'*) continue ;; esac
	known[$kname]=$kreason
done <"$here/known-failures"

total=${#tests[@]}
# The four host checks.
[ -z "$guest_only" ] && total=$((total + 4))
passed=0
failed=0
skipped=0
failures=()
n=0
echo "TAP version 13"
echo "1..$total"

result() { # NAME OK LOG [KNOWN-REASON]
	n=$((n + 1))
	if [ -n "${4:-}" ]; then
		skipped=$((skipped + 1))
		if [ "$2" = 1 ]; then
			echo "not ok $n - $1 # TODO known failure, but it passed: remove it from known-failures"
		else
			echo "not ok $n - $1 # TODO known failure: $4"
		fi
	elif [ "$2" = 1 ]; then
		passed=$((passed + 1))
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "not ok $n - $1"
		echo "  # log: $3"
		tail -n 60 "$3" | sed 's/^/  # /'
	fi
}

if [ -z "$guest_only" ]; then
	log=$logs/host-cargo-test.log
	ok=0
	(cd "$repo/src/route" && cargo test --quiet) >"$log" 2>&1 && ok=1
	result "host: cargo test (src/route)" $ok "$log"
	log=$logs/host-cargo-test-tool.log
	ok=0
	(cd "$repo/tools/mfroute" && cargo test --quiet --locked) >"$log" 2>&1 && ok=1
	result "host: cargo test (tools/mfroute)" $ok "$log"
	# The module with the kernel's rustfmt settings, the crates with
	# their own.
	log=$logs/host-rustfmt.log
	ok=0
	{ rustfmt --edition 2021 --config-path "$cache/linux/.rustfmt.toml" \
		--check "$repo/src/mfroute.rs" &&
		(cd "$repo/src/route" && cargo fmt --check) &&
		(cd "$repo/tools/mfroute" && cargo fmt --check); } >"$log" 2>&1 && ok=1
	result "host: rustfmt --check" $ok "$log"
	# The command installed, and packaged, as a distribution would.
	log=$logs/host-install-tool.log
	ok=0
	"$repo/tools/mfroute/packaging/check.sh" "${CARGO_TARGET_DIR:?run from make}/release/mfroute" \
		>"$log" 2>&1 && ok=1
	result "host: install-tool and deb" $ok "$log"
fi

# One guest test: boot it and write its verdict to $logs/NAME.verdict as
# "KIND OK" (KIND: test or selftest), leaving the console in $logs/NAME.log.
# Every reason to fail the boot is one line of $logs/NAME.reasons, "WHAT:
# DETAIL" (timeout, qemu, exit, no-end, harness, kernel): a boot passes
# when there are none.
run_guest() { # TEST
	local t=$1 src name log boot tmo nvd leaks mce cpus qrc ok problems prc want also kind=test
	local reasons end started=$SECONDS
	if [[ $t == extra/* ]]; then src=$extra/${t#extra/}; else src=$here/$t; fi
	name=${t%.sh}
	log=$logs/${name//\//-}.log
	reasons=$log.reasons
	: >"$reasons"
	boot=$(sed -n 's/^# boot: *//p' "$src" | head -n 1)
	tmo=$(sed -n 's/^# timeout: *//p' "$src" | head -n 1)
	nvd=$(sed -n 's/^# nvdimms: *//p' "$src" | head -n 1)
	leaks=$(sed -n 's/^# leaks: *//p' "$src" | head -n 1)
	mce=$(sed -n 's/^# machine-checks: *//p' "$src" | head -n 1)
	cpus=$(sed -n 's/^# cpus: *//p' "$src" | head -n 1)
	# shellcheck disable=SC2086
	GUEST_CPUS=${cpus:-1} MFROUTE_MCE=$([ "$mce" = yes ] && echo 1) \
	MFROUTE_APPEND="${MFROUTE_APPEND:-}${leaks:+ mfrtest_env=MFROUTE_LEAKS=$leaks}" \
		boot_guest "$log" "${tmo:-240}" "${boot:-nvdimm}" "$t" ${nvd:-1G 1G}
	qrc=$?
	# QEMU exits 0 when the guest powers off; 124 is timeout(1)'s own
	# status, anything else a QEMU that was killed or failed.
	if [ $qrc -eq 124 ]; then
		echo "timeout: timed out after ${tmo:-240}s" >>"$reasons"
	elif [ $qrc -ne 0 ]; then
		echo "qemu: exited with status $qrc" >>"$reasons"
	fi
	end=$(sed -n 's/^MFROUTE-END rc=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$end" ]; then
		echo "no-end: the guest never printed MFROUTE-END" >>"$reasons"
	elif [ "$end" != 0 ]; then
		echo "exit: the test script exited with status $end" >>"$reasons"
	fi
	grep '^MFROUTE-HARNESS-ERROR: ' "$log" | sed 's/^MFROUTE-HARNESS-ERROR: /harness: /' >>"$reasons"
	problems=$(kernel_problems "$log")
	prc=$?
	if [ $prc -eq 0 ]; then
		echo "$problems" | sed 's/^/kernel: /' >>"$reasons"
	elif [ $prc -ne 1 ]; then
		echo "harness: the kernel-problems check itself failed (grep status $prc)" >>"$reasons"
	fi
	if [ -s "$reasons" ]; then
		sed 's/^/mfroute-runner: /' "$reasons" >>"$log"
	fi
	ok=1
	[ -s "$reasons" ] && ok=0
	if [[ $t == selftest/* ]]; then
		# The harness must fail the boot for the expected reason ("#
		# expect: REGEX"); a reason that is not the kernel's report (a
		# failed script, a timeout) must match it or "# also: REGEX".
		kind=selftest
		want=$(sed -n 's/^# expect: *//p' "$src" | head -n 1)
		also=$(sed -n 's/^# also: *//p' "$src" | head -n 1)
		ok=0
		if [ -n "$want" ] && grep -Eq -- "$want" "$reasons" &&
		   ! grep -v '^kernel: ' "$reasons" | grep -Ev -- "$want${also:+|$also}" | grep -q .; then
			ok=1
		else
			echo "mfroute-runner: self-test wanted the boot failed for /$want/${also:+ (and /$also/)} only" >>"$log"
		fi
	fi
	echo "$kind $ok $((SECONDS - started))" >"$log.verdict"
}

# Report, in order, the tests whose verdicts are in, from index $next on;
# with "all", also those that never wrote one (a runner that died), as
# failed.
next=0
report_ready() {
	local t name log kind ok secs
	while [ $next -lt ${#tests[@]} ]; do
		t=${tests[$next]}
		name=${t%.sh}
		log=$logs/${name//\//-}.log
		if [ -e "$log.verdict" ]; then
			read -r kind ok secs <"$log.verdict"
			rm -f "$log.verdict"
		elif [ "${1:-}" = all ]; then
			kind=test ok=0 secs=
			[[ $t == selftest/* ]] && kind=selftest
			echo "mfroute-runner: no verdict: the runner of this test died" >>"$log"
		else
			return 0
		fi
		if [ "$kind" = selftest ]; then
			result "harness self-test: ${name#selftest/} is caught" "${ok:-0}" "$log"
		else
			result "guest: ${name#tests/}" "${ok:-0}" "$log" "${known[${name#tests/}]:-}"
		fi
		[ -n "$secs" ] && echo "  # ${secs}s"
		next=$((next + 1))
	done
}

# Boots run $GUEST_JOBS at a time (default 2): most of a TCG boot keeps one
# host CPU busy, so two in parallel use both.  Results print in order.
make_payload "$here" "$extra"
running=0
for t in "${tests[@]}"; do
	if [ $running -ge "${GUEST_JOBS:-2}" ]; then
		wait -n
		running=$((running - 1))
		report_ready
	fi
	run_guest "$t" &
	running=$((running + 1))
done
wait
report_ready all

if [ $n -ne "$total" ]; then
	echo "# the plan was $total tests, $n reported"
	failed=$((failed + total - n))
fi
if [ $failed -gt 0 ]; then
	echo "# failed: ${failures[*]}"
fi
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
