#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make series-check": is the hook series bisectable and does it build in
# every configuration its code has a branch for?
#
#   1. Every prefix: the series applied one patch at a time to a pristine
#      tree, the kernel and its modules built after each (incrementally,
#      with ccache), mfroute left out (it needs the whole series).
#   2. The whole series, and mfroute, in a configuration matrix:
#      MEMORY_FAILURE=n, FS_DAX=n, BLK_DEV_DM=n, BLK_DEV_DM=m (mfroute a
#      module too, as Kconfig requires), mfroute built in (=y), and
#      mfroute as a module; nfit_test's modules against the last.
#   3. Debian's own 6.12 configuration (linux-config-6.12), limited to the
#      directories the series touches: a whole distribution kernel does
#      not fit in the time of a check.
#   4. checkpatch --strict on every patch; the reports design.rst
#      explains, listed in patches/checkpatch-explained, do not fail it.
#
# The matrix builds lean kernels (tinyconfig plus what the option under
# test needs, no sanitizers), each in its own build directory under
# $CACHE/series-check, so that none of them disturbs the test kernel.
# Prints one line per build and a summary; exits non-zero on any failure.
#
# Usage: KMAKE_ARGS="..." series-check.sh REPO CACHE
set -u
repo=${1:?usage: series-check.sh REPO CACHE}
cache=${2:?usage: series-check.sh REPO CACHE}
: "${KMAKE_ARGS:?run from make series-check}"
jobs=${JOBS:-3}
work=$cache/series-check
tarball=/usr/src/linux-source-6.12.tar.xz
log=$work/logs
mkdir -p "$work" "$log"
patches=$(sed -e '/^#/d' -e '/^$/d' "$repo/patches/series")
fails=0
results=()

say() { # NAME OK DETAIL
	local s=ok
	[ "$2" = 1 ] || { s=FAILED; fails=$((fails + 1)); }
	results+=("$s  $1${3:+  ($3)}")
	echo "  $s  $1${3:+  ($3)}"
}

# kmake TREE BUILD ARGS...: the kernel's make for one tree and build dir.
kmake() {
	local tree=$1 build=$2
	shift 2
	eval make -C "$tree" O="$build" "$KMAKE_ARGS" -j"$jobs" '"$@"'
}

# fresh NAME: a pristine tree at $work/NAME/linux.
fresh() {
	rm -rf "$work/$1"
	mkdir -p "$work/$1/linux" "$work/$1/build"
	tar -C "$work/$1/linux" --strip-components=1 -xf "$tarball"
}

# lean BUILD FRAGMENT...: tinyconfig plus the test bed's base and storage
# options, without the sanitizers, plus the given options.
lean() {
	local build=$1 tree=$2
	shift 2
	sed -n '1,/^# The sanitizer kernel/p' "$repo/tools/testing/nvdimm/config" |
		grep '^CONFIG_' >"$build/fragment.base"
	cp "$build/fragment.base" "$build/fragment"
	printf '%s\n' "$@" >>"$build/fragment"
	kmake "$tree" "$build" -s tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" \
		"$build/fragment" >/dev/null
	kmake "$tree" "$build" -s olddefconfig >/dev/null
	local opt
	for opt in "$@"; do
		case $opt in
		*=n) ! grep -q "^${opt%%=*}=" "$build/.config" ;;
		*) grep -qx "$opt" "$build/.config" ;;
		esac || { echo "option $opt did not stick" >>"$build/config.err"; return 1; }
	done
	# The base options stuck too (pmem, DAX, dm, the filesystems), but
	# for those the options under test set, and when an option under test
	# turns something off (what depends on it goes with it).
	case " $* " in *=n\ *) return 0 ;; esac
	while read -r opt; do
		case " $* " in *" ${opt%%=*}="*) continue ;; esac
		case $opt in
		*=n) ! grep -q "^${opt%%=*}=" "$build/.config" ;;
		*) grep -qx "$opt" "$build/.config" ;;
		esac || { echo "base option $opt did not stick" >>"$build/config.err"; return 1; }
	done <"$build/fragment.base"
}

echo "== 1. every prefix of the series builds"
fresh prefix
tree=$work/prefix/linux build=$work/prefix/build
lean "$build" "$tree" CONFIG_MFROUTE=n || say "prefix config" 0
k=0
for p in $patches; do
	k=$((k + 1))
	patch -d "$tree" -p1 -s --no-backup-if-mismatch <"$repo/patches/$p"
	if kmake "$tree" "$build" -s bzImage modules >"$log/prefix-$k.log" 2>&1; then
		say "prefix $k: $p" 1
	else
		say "prefix $k: $p" 0 "$log/prefix-$k.log"
	fi
done

echo "== 2. the whole series, and mfroute, in a configuration matrix"
fresh matrix
tree=$work/matrix/linux
for p in $patches; do
	patch -d "$tree" -p1 -s --no-backup-if-mismatch <"$repo/patches/$p"
done
printf 'source "drivers/mfroute/Kconfig"\n' >>"$tree/drivers/Kconfig"
printf 'obj-y += mfroute/\n' >>"$tree/drivers/Makefile"
ln -sfn "$repo" "$tree/drivers/mfroute"
matrix() { # NAME OPTION...
	local name=$1 build=$work/matrix/build-$1
	shift
	rm -rf "$build"
	mkdir -p "$build"
	if ! lean "$build" "$tree" "$@"; then
		say "$name: $*" 0 "$(cat "$build/config.err")"
	elif kmake "$tree" "$build" -s bzImage modules >"$log/matrix-$name.log" 2>&1; then
		say "$name: $*" 1
	else
		say "$name: $*" 0 "$log/matrix-$name.log"
	fi
}
matrix no-memory-failure CONFIG_MEMORY_FAILURE=n CONFIG_MFROUTE=n
matrix no-fs-dax CONFIG_FS_DAX=n CONFIG_MFROUTE=n
matrix no-dm CONFIG_BLK_DEV_DM=n CONFIG_MFROUTE=m
# mfroute calls into dm: with dm a module, Kconfig keeps mfroute one too.
matrix dm-module CONFIG_BLK_DEV_DM=m CONFIG_MFROUTE=m
matrix mfroute-builtin CONFIG_BLK_DEV_DM=y CONFIG_MFROUTE=y
matrix mfroute-module CONFIG_BLK_DEV_DM=y CONFIG_MFROUTE=m
# nfit_test, whose status buffer the series changes, against that build.
if kmake "$tree" "$work/matrix/build-mfroute-module" -s \
	M="$tree/tools/testing/nvdimm" modules >"$log/nfit-test.log" 2>&1; then
	say "nfit_test modules (tools/testing/nvdimm)" 1
else
	say "nfit_test modules (tools/testing/nvdimm)" 0 "$log/nfit-test.log"
fi

echo "== 3. Debian's configuration, the directories the series touches"
if ! dpkg-query -W -f='${Status}\n' linux-config-6.12 2>/dev/null | grep -q 'ok installed'; then
	echo "  APT     linux-config-6.12"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		linux-config-6.12 >/dev/null
fi
debconf=$(ls /usr/src/linux-config-6.12/config.amd64_none_amd64.xz 2>/dev/null)
if [ -z "$debconf" ]; then
	say "debian config" 0 "linux-config-6.12 not installed"
else
	build=$work/matrix/build-debian
	rm -rf "$build"
	mkdir -p "$build"
	xz -dc "$debconf" >"$build/.config"
	# What the series changes, and every user of the interfaces it
	# changes (dax holders: ext2, erofs, fuse; dm targets).
	dirs="mm/memory-failure.o fs/dax.o block/badblocks.o drivers/dax/
		drivers/nvdimm/ drivers/md/ fs/xfs/ fs/ext4/ fs/ext2/ fs/erofs/ fs/fuse/"
	if kmake "$tree" "$build" -s olddefconfig >"$log/debian.log" 2>&1 &&
	   kmake "$tree" "$build" -s prepare >>"$log/debian.log" 2>&1 &&
	   kmake "$tree" "$build" -s $dirs >>"$log/debian.log" 2>&1; then
		say "debian config: $(echo $dirs)" 1
	else
		say "debian config: $(echo $dirs)" 0 "$log/debian.log"
	fi
fi

# explained PATCH REPORT: patches/checkpatch-explained lists checkpatch's
# REPORT (its first line) for PATCH, as one design.rst explains.
explained() {
	local glob ere
	while IFS='	' read -r glob ere; do
		case $glob in '#'* | '') continue ;; esac
		# shellcheck disable=SC2254
		case $1 in $glob) echo "$2" | grep -Eq -- "$ere" && return 0 ;; esac
	done <"$repo/patches/checkpatch-explained"
	return 1
}

echo "== 4. checkpatch --strict"
for p in $patches; do
	out=$("$tree/scripts/checkpatch.pl" --strict --no-tree -q "$repo/patches/$p" 2>&1)
	n=0 k=0
	while read -r report; do
		[ -n "$report" ] || continue
		if explained "$p" "$report"; then k=$((k + 1)); else n=$((n + 1)); fi
	done <<<"$(echo "$out" | grep '^\(ERROR\|WARNING\|CHECK\):')"
	if [ "$n" = 0 ]; then
		say "checkpatch: $p" 1 "$([ "$k" = 0 ] || echo "$k explained in design.rst")"
	else
		echo "$out" >"$log/checkpatch-${p%.patch}.log"
		say "checkpatch: $p" 0 "$n reports: $log/checkpatch-${p%.patch}.log"
	fi
done

echo
printf '%s\n' "${results[@]}"
echo "$(( ${#results[@]} - fails )) ok, $fails failed"
[ $fails -eq 0 ]
