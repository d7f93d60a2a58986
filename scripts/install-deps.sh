#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing mfroute needs, idempotently: Debian
# packages (kernel source, the kernel's Rust toolchain, QEMU, the storage
# tools that go into the guest) and bindgen-cli from crates.io.
#
# Usage: install-deps.sh CACHE_DIR
set -eu

cache=${1:?usage: install-deps.sh CACHE_DIR}
rust_ver=1.85.0+dfsg3-1~deb12u3
bindgen_ver=0.69.5

pkgs="linux-source-6.12 clang-19 lld-19 llvm-19 libclang-19-dev gcc make bc
	flex bison libelf-dev libssl-dev cpio kmod ccache qemu-system-x86 busybox-static ndctl daxctl
	dmsetup xfsprogs e2fsprogs fdisk xz-utils lz4 python3 binutils groff-base"

missing=
for p in $pkgs rustc-web rust-web-src libstd-rust-web-dev rust-web-clippy; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "  APT     $missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# The kernel's minimum rustc for 6.12 is met by 1.85, which is known to
	# build it; 1.96 also does, so fall back to the candidate if the pin is
	# ever dropped from the archive.
	rust="rustc-web=$rust_ver rust-web-src=$rust_ver libstd-rust-web-dev=$rust_ver"
	rust="$rust rust-web-clippy=$rust_ver"
	apt-get install -y -qq --no-install-recommends --allow-downgrades \
		$pkgs $rust >/dev/null ||
	apt-get install -y -qq --no-install-recommends \
		$pkgs rustc-web rust-web-src libstd-rust-web-dev rust-web-clippy >/dev/null
fi

# cargo (host tests, bindgen, the mfroute command) and rustfmt (make
# check's format check) come from the machine's rustup toolchain; Debian's
# rustfmt-web does not match the kernel's rustc.  Say so rather than fail
# later.
for tool in cargo rustfmt cargo-fmt; do
	command -v "$tool" >/dev/null || {
		echo "install-deps: $tool not found: install a rustup toolchain with rustfmt (rustup component add rustfmt)" >&2
		exit 1
	}
done

# Debian's bindgen is too old for 6.12; build the pinned one once.
if ! "$cache/bindgen/bin/bindgen" --version 2>/dev/null | grep -q "$bindgen_ver"; then
	echo "  CARGO   bindgen-cli $bindgen_ver"
	cargo install --quiet --locked --root "$cache/bindgen" \
		bindgen-cli --version "$bindgen_ver"
fi
