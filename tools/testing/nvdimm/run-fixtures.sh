#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make tool-fixtures": boot the test kernel, run fixtures/trace.sh (real
# mfroute records from a guest), write them to the command's
# tests/data/trace_recorded.txt, and bless the outputs the host tests
# derive from it (review the diff).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu.sh"

tool=$here/../../mfroute
mkdir -p "$cache/logs"
make_payload "$here"
log=$cache/logs/fixtures-trace.log
echo "== fixtures/trace (QEMU $accel; log: $log)"
boot_guest "$log" 600 nvdimm fixtures/trace.sh 1G 1G 1G
grep -q '^MFROUTE-END rc=0' "$log" || { echo "fixtures/trace failed; see $log"; exit 1; }
if problems=$(kernel_problems "$log"); then
	printf 'kernel problem in the log (see %s):\n%s\n' "$log" "$problems"
	exit 1
fi
out=$tool/tests/data/trace_recorded.txt
{
	echo "# Recorded by \"make tool-fixtures\" (tools/testing/nvdimm/fixtures/trace.sh)"
	echo "# from the test kernel, $(date -u +%Y-%m-%d); do not edit."
	sed -n '/^MFROUTE-FIXTURE-BEGIN/,/^MFROUTE-FIXTURE-END/p' "$log" |
		sed -e '1d' -e '$d' | tr -d '\r'
} >"$out"
echo "$(grep -c ': mfroute_' "$out") records in $out"
cd "$tool" && MFROUTE_BLESS=1 cargo test --quiet --locked --test golden recorded
