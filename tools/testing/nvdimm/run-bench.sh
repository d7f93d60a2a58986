#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": run each benchmark script in bench/ (or those named) in its
# own guest boot and print its figures.  Benchmarks print numbers; they
# assert nothing about time.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu.sh"

mkdir -p "$cache/logs"
make_payload "$here"
rc=0
for f in "$here"/bench/*.sh; do
	name=$(basename "$f" .sh)
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	log=$cache/logs/bench-$name.log
	tmo=$(sed -n 's/^# timeout: *//p' "$f" | head -n 1)
	nvd=$(sed -n 's/^# nvdimms: *//p' "$f" | head -n 1)
	echo "== $name (QEMU $accel; log: $log)"
	# SANITIZER=none has no kmemleak to scan after the benchmark.
	# shellcheck disable=SC2086
	MFROUTE_APPEND="${PAGES:+mfrtest_env=PAGES=$PAGES }$([ "${SANITIZER:-}" = none ] &&
		echo mfrtest_env=MFROUTE_LEAKS=unchecked)" \
		boot_guest "$log" "${tmo:-1800}" nvdimm "bench/$name.sh" ${nvd:-4G 4G}
	sed -n '/^MFROUTE-BENCH/,/^MFROUTE-END/p' "$log" |
		grep -v -e '^MFROUTE-END' -e '^MFROUTE-KMSG' -e '^\[ *[0-9]*\.[0-9]*\] '
	grep -q '^MFROUTE-END rc=0' "$log" || { echo "$name failed; see $log"; rc=1; }
	problems=$(kernel_problems "$log")
	case $? in
	0) printf '%s: kernel problem in the log (see %s):\n%s\n' "$name" "$log" "$problems"; rc=1 ;;
	1) ;;
	*) echo "$name: the kernel-problems check failed"; rc=1 ;;
	esac
done
exit $rc
