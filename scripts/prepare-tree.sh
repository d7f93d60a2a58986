#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the patched kernel tree and its configured build directory.
#
# The tree is extracted from Debian's linux-source-6.12 tarball, the patch
# series in patches/ is applied, and this repository is linked in as
# drivers/mfroute.  Everything is keyed by the kernel version, the toolchain
# versions, the series and the config fragment: when the key changes, the
# tree and the build directory are thrown away and made again from pristine
# source, so a stale patched tree is never reused.  Paths stay the same
# across keys so that ccache still hits after a rebuild.
#
# Usage: KMAKE="make -C TREE O=BUILD ..." prepare-tree.sh REPO CACHE
set -eu
: "${KMAKE:?KMAKE must hold the kernel make command line}"

repo=${1:?usage: prepare-tree.sh REPO CACHE}
cache=${2:?usage: prepare-tree.sh REPO CACHE}
tree=$cache/linux
build=$cache/build
tarball=/usr/src/linux-source-6.12.tar.xz
bindgen=$cache/bindgen/bin/bindgen

key=$( {
	dpkg-query -W -f='${Version}\n' linux-source-6.12
	/usr/bin/rustc --version
	"$bindgen" --version
	clang-19 --version | head -n 1
	ld.lld-19 --version
	cat "$repo/patches/series"
	sed -e '/^#/d' -e '/^$/d' "$repo/patches/series" |
		while read -r p; do cat "$repo/patches/$p"; done
	cat "$repo/tools/testing/nvdimm/config" "$0"
	echo "${SANITIZER:-kasan}"
	cat "$repo/tools/testing/nvdimm/config-${SANITIZER:-kasan}" 2>/dev/null
} | sha256sum | cut -c1-16)

# A mutant run (tools/testing/nvdimm/run-mutants.sh) that was interrupted
# may have left a deliberate bug applied: start from pristine sources.
if [ -e "$build/.mfroute-mutant" ]; then
	echo "  MUTANT  $(cat "$build/.mfroute-mutant") was left applied: rebuilding the tree"
	rm -f "$build/.mfroute-key" "$build/.mfroute-mutant"
fi

if [ "$(cat "$build/.mfroute-key" 2>/dev/null)" != "$key" ]; then
	echo "  TREE    $key (pristine $tarball)"
	rm -rf "$tree" "$build"
	mkdir -p "$tree" "$build"
	tar -C "$tree" --strip-components=1 -xf "$tarball"
	sed -e '/^#/d' -e '/^$/d' "$repo/patches/series" | while read -r p; do
		echo "  PATCH   $p"
		patch -d "$tree" -p1 -s --no-backup-if-mismatch <"$repo/patches/$p"
	done
	# Link the module in-tree.
	printf 'source "drivers/mfroute/Kconfig"\n' >>"$tree/drivers/Kconfig"
	printf 'obj-y += mfroute/\n' >>"$tree/drivers/Makefile"
	ln -sfn "$repo" "$tree/drivers/mfroute"

	# The fragment, with the sanitizer's own options over it (the last
	# word on an option wins, as merge_config.sh has it).
	frag=$build/fragment.config
	cat "$repo/tools/testing/nvdimm/config" >"$frag"
	extra=$repo/tools/testing/nvdimm/config-${SANITIZER:-kasan}
	[ -e "$extra" ] && cat "$extra" >>"$frag"
	echo "  CONFIG  tinyconfig + tools/testing/nvdimm/config${SANITIZER:+ (${SANITIZER})}"
	eval "$KMAKE" -s tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$build" \
		"$build/.config" "$frag" >/dev/null
	eval "$KMAKE" -s olddefconfig >/dev/null
	# Fail loudly on any option that did not stick.
	bad=$(grep '^CONFIG_' "$frag" | tac | awk -F= '!seen[$1]++' |
		while IFS= read -r line; do
			opt=${line%%=*}
			case $line in
			*=n) grep -q "^$opt=" "$build/.config" && echo "$line" ;;
			*) grep -qx "$line" "$build/.config" || echo "$line" ;;
			esac
		done)
	if [ -n "$bad" ]; then
		echo "config options that did not stick (missing dependency?):" >&2
		echo "$bad" >&2
		exit 1
	fi
	echo "$key" >"$build/.mfroute-key"
fi

# A fresh clone lives at a new path: always point the tree at this one
# (replacing the copy an interrupted mutant run may have left there).
[ -L "$tree/drivers/mfroute" ] || rm -rf "$tree/drivers/mfroute"
ln -sfn "$repo" "$tree/drivers/mfroute"
