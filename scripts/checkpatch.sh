#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl over the hook series and mfroute's C.
#
# Usage: checkpatch.sh TREE REPO
set -eu
tree=${1:?usage: checkpatch.sh TREE REPO}
repo=${2:?usage: checkpatch.sh TREE REPO}
cp="$tree/scripts/checkpatch.pl --no-tree --quiet"
rc=0
for p in "$repo"/patches/*.patch; do
	$cp "$p" || rc=1
done
# shellcheck disable=SC2086
$cp -f "$repo"/src/*.c "$repo"/src/*.h "$repo"/include/*.h \
	"$repo"/samples/*.c || rc=1
[ $rc -eq 0 ] && echo "checkpatch: clean"
exit $rc
