#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's base initramfs: busybox, the storage tools the tests
# drive (ndctl, daxctl, dmsetup, mkfs.xfs, xfs_io, mkfs.ext4, sfdisk) with
# their shared libraries, kmod, every built module, the project's static
# test helpers and the guest init.  Tests travel in a second archive that
# run-tests.sh appends per boot, so this one only changes with the build.
#
# Usage: mkinitramfs.sh CACHE
set -eu

cache=${1:?usage: mkinitramfs.sh CACHE}
here=$(cd "$(dirname "$0")" && pwd)
root=$cache/initramfs/root
out=$cache/initramfs/base.cpio
kver=$(cat "$cache/build/include/config/kernel.release")

rm -rf "$root"
mkdir -p "$root"
cd "$root"
mkdir -p bin sbin usr/bin usr/sbin lib lib64 etc proc sys dev tmp mnt run \
	var/tmp root lib/modules lib/modules-nfit

cp /bin/busybox bin/busybox
for applet in $(bin/busybox --list); do
	[ -e "bin/$applet" ] || ln -s busybox "bin/$applet"
done

# Copy the shared libraries program $1 needs.
copy_libs() {
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' |
		while read -r lib; do
			[ -e ".$lib" ] || install -D -m 0755 "$lib" ".$lib"
		done
}

# Copy a dynamically linked program and the libraries it needs.
copy_prog() {
	src=$(command -v "$1")
	install -D -m 0755 "$src" ".$src"
	copy_libs "$src"
}

for prog in kmod ndctl daxctl dmsetup mkfs.xfs xfs_io xfs_repair mkfs.ext4 sfdisk; do
	copy_prog "$prog"
done
for tool in modprobe insmod rmmod lsmod depmod modinfo; do
	rm -f "bin/$tool"
	ln -sf "$(command -v kmod)" "sbin/$tool"
done
# mkfs.xfs reads its defaults from here.
if [ -d /usr/share/xfsprogs ]; then cp -a --parents /usr/share/xfsprogs .; fi

# In-tree modules, and a second tree where nfit_test's wrapped builds of
# libnvdimm, nd_pmem, nfit and dax take the place of the in-tree ones; the
# guest init bind-mounts it over the first for nfit_test boots.
cp -a "$cache/mods/lib/modules/$kver" lib/modules/
depmod -b "$root" "$kver"
nfit=$cache/initramfs/nfit-stage
rm -rf "$nfit"
mkdir -p "$nfit/lib/modules"
cp -a "$cache/mods/lib/modules/$kver" "$nfit/lib/modules/"
cp -a "$cache/mods-nfit/lib/modules/$kver/nfit_test" "$nfit/lib/modules/$kver/"
find "$nfit/lib/modules/$kver/nfit_test" -name '*.ko' | while read -r m; do
	find "$nfit/lib/modules/$kver/kernel" -name "$(basename "$m")" -delete
done
depmod -b "$nfit" "$kver"
mv "$nfit/lib/modules/$kver" lib/modules-nfit/

# The project's small static test helpers.
mkdir -p "$cache/helpers"
for c in "$here"/helpers/*.c; do
	bin=$cache/helpers/$(basename "$c" .c)
	[ "$bin" -nt "$c" ] || gcc -static -O2 -Wall -Werror -o "$bin" "$c"
done
install -m 0755 "$cache/helpers/"* usr/bin/
# The mfroute command ("make tool"), installed as "make install-tool"
# installs it: tests run its systemd unit's ExecStart line.
tool=${CARGO_TARGET_DIR:?run from make}/release/mfroute
"$here/../../mfroute/packaging/install.sh" "$tool" "$PWD" /usr
copy_libs "$tool"
install -m 0755 "$here/init" init
install -m 0644 "$here/lib.sh" lib/mfroute-test-lib.sh
install -m 0644 "$here/kernel-problems" lib/mfroute-kernel-problems

find . | cpio -o -H newc --quiet >"$out"
echo "  CPIO    $out ($(du -m "$out" | cut -f1) MiB)"
