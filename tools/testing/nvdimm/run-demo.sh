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
MFROUTE_APPEND=quiet boot_guest "$log" 240 nvdimm tests/demo.sh 1G 1G
sed -n '/^MFROUTE-BEGIN/,/^MFROUTE-END/p' "$log" | grep -v '^MFROUTE-'
if grep -q '^MFROUTE-END rc=0' "$log" && ! kernel_problems "$log" >/dev/null; then
	echo "Demo finished: mfroute loaded, poison delivered SIGBUS."
else
	echo "Demo FAILED; see $log" >&2
	exit 1
fi
