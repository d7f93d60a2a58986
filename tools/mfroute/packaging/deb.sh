#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh BINARY OUTDIR: build the Debian package of the mfroute command
# from the built binary ("make deb"): install.sh into a staging tree under
# /usr, a control file whose version is the crate's and whose libc6
# dependency is the newest glibc symbol version the binary uses, then
# dpkg-deb.  Prints the package's path.
set -eu
bin=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../Cargo.toml" | head -n 1)
arch=$(dpkg --print-architecture)
stage=$out/mfroute-deb
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
"$here/install.sh" "$bin" "$stage" /usr
glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
deps="libc6 (>= $glibc)"
if objdump -p "$bin" | grep -q 'NEEDED *libgcc_s'; then
	deps="$deps, libgcc-s1"
fi
cat >"$stage/DEBIAN/control" <<CONTROL
Package: mfroute
Version: $version
Architecture: $arch
Maintainer: mfroute developers <mfroute@localhost>
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Depends: $deps
Section: admin
Priority: optional
Description: follow, explain and count persistent-memory failures
 mfroute is a kernel module that reports persistent-memory failures as
 byte ranges and routes them up the storage stack (pmem, partitions,
 device-mapper) to the filesystem or other holder on top.  This package
 holds its command: "mfroute monitor" follows the failures and names the
 file or metadata each one hit, "mfroute stack" shows the stack above
 each pmem namespace, "mfroute status --resolve" says which files are
 damaged now.  The systemd unit mfroute-monitor logs every failure to
 the journal.
CONTROL
deb=$out/mfroute_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
rm -rf "$stage"
echo "$deb"
