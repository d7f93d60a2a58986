#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run mfroute's tests: the host-side `cargo test` of the routing core, then
# every guest test, each in a fresh boot so that one test's crash cannot
# hide or poison another's result.  Prints TAP and ends with
# "N passed, N failed"; exits non-zero when anything failed.
#
# Usage: run-tests.sh [--guest-only] [TEST...]
#   TEST is a test name or glob (e.g. "baseline-*"); default: all.
#   EXTRA_TESTS=/abs/dir also runs every top-level *.sh of that directory
#   (copied into the guest with everything beside it) in an NVDIMM boot.
#
# A guest test is a shell script under tests/, run by the guest's sh from
# its own directory; it passes when it exits 0 and the kernel log shows no
# warning, BUG, oops, lockdep or KASAN report.  Header lines choose the
# boot:  "# boot: nfit", "# nvdimms: 1G 1G" (sizes), "# timeout: 300".
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

# Select tests: [name]=guest path.
tests=()
for f in "$here"/tests/*.sh; do
	name=$(basename "$f" .sh)
	if [ $# -gt 0 ]; then
		keep=
		for pat in "$@"; do
			# shellcheck disable=SC2053
			[[ $name == $pat || $name.sh == $pat ]] && keep=1
		done
		[ -n "$keep" ] || continue
	fi
	tests+=("tests/$name.sh")
done
if [ -n "$extra" ]; then
	for f in "$extra"/*.sh; do
		[ -e "$f" ] && tests+=("extra/$(basename "$f")")
	done
fi

total=${#tests[@]}
[ -z "$guest_only" ] && total=$((total + 1))
passed=0
failed=0
failures=()
n=0
echo "TAP version 13"
echo "1..$total"

result() { # NAME OK LOG
	n=$((n + 1))
	if [ "$2" = 1 ]; then
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
fi

make_payload "$here" "$extra"
for t in "${tests[@]}"; do
	if [[ $t == tests/* ]]; then src=$here/$t; else src=$extra/${t#extra/}; fi
	name=${t%.sh}
	log=$logs/${name//\//-}.log
	boot=$(sed -n 's/^# boot: *//p' "$src" | head -n 1)
	tmo=$(sed -n 's/^# timeout: *//p' "$src" | head -n 1)
	nvd=$(sed -n 's/^# nvdimms: *//p' "$src" | head -n 1)
	# shellcheck disable=SC2086
	boot_guest "$log" "${tmo:-240}" "${boot:-nvdimm}" "$t" ${nvd:-1G 1G}
	qrc=$?
	ok=1
	if [ $qrc -eq 124 ]; then
		echo "mfroute-runner: timed out after ${tmo:-240}s" >>"$log"; ok=0
	fi
	grep -q '^MFROUTE-END rc=0' "$log" || ok=0
	if problems=$(kernel_problems "$log"); then
		printf 'mfroute-runner: kernel problem:\n%s\n' "$problems" >>"$log"
		ok=0
	fi
	result "guest: $name" $ok "$log"
done

if [ $failed -gt 0 ]; then
	echo "# failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
