#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make run": boot the patched kernel on two emulated NVDIMMs and run
# demo.sh, showing what it says and the kernel lines that matter.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu.sh"

make_payload "$here"
log=$cache/logs/demo.log
mkdir -p "$cache/logs"
echo "Booting QEMU ($accel) with two 1 GiB emulated NVDIMMs; full log: $log"
boot_guest "$log" 240 nvdimm tests/demo.sh 1G 1G
# The console carries the kernel log too (nothing is hidden from the
# check below); show the demo's own lines.
sed -n '/^MFROUTE-BEGIN/,/^MFROUTE-END/p' "$log" |
	grep -v -e '^MFROUTE-' -e '^\[ *[0-9]*\.[0-9]*\] '
problems=$(kernel_problems "$log")
case $? in
0) printf 'Kernel problem during the demo:\n%s\n' "$problems" >&2 ;;
1) problems= ;;
*) problems="the kernel-problems check failed"; echo "$problems" >&2 ;;
esac
if [ -n "$problems" ]; then
	echo "Demo FAILED; see $log" >&2
	exit 1
fi
if grep -q '^MFROUTE-END rc=0' "$log"; then
	echo "Demo finished: mfroute loaded, poison delivered SIGBUS."
else
	echo "Demo FAILED; see $log" >&2
	exit 1
fi
