# SPDX-License-Identifier: GPL-2.0
#
# mfroute: everything from a fresh machine to a tested kernel.
#
#   make run     build everything, boot QEMU on emulated pmem, show mfroute
#                loaded and a poisoned page delivering SIGBUS
#   make check   build everything, run the host tests and every guest test;
#                ends with "N passed, N failed" and fails if anything failed
#
# Other targets: deps, tree, kernel, nfit, tool, install-tool, deb,
# initramfs, host-test, guest-test, bench, tool-fixtures, mutants,
# mutants-host, checkpatch, series-check, clean.  Variables: DESTDIR and PREFIX (/usr) for
# install-tool,
# SANITIZER (kasan, the default, kcsan, or none for bench), CACHE (default ~/.cache/mfroute, or
# $MFROUTE_CACHE), TESTS (guest test names or globs), EXTRA_TESTS (a
# directory of extra guest tests), CLIPPY=1 (kernel build with clippy),
# BENCH (benchmark names), PAGES (pages of the per-page benchmark path),
# MUTANTS (globs of tools/testing/nvdimm/mutants/ names, space-separated).
#
# The Linux kernel's own make lives in $(CACHE)/linux; this Makefile is
# only ever the driver around it.

REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE ?= $(or $(MFROUTE_CACHE),$(HOME)/.cache/mfroute)
# The test kernel's sanitizer: kasan (the default), or kcsan (data races;
# they exclude each other), each built and tested in a cache of its own;
# or none, a kernel without sanitizers for "make bench" only.
SANITIZER ?= kasan
ifneq ($(filter kcsan none,$(SANITIZER)),)
override CACHE := $(CACHE)/$(SANITIZER)
else ifneq ($(SANITIZER),kasan)
$(error SANITIZER=$(SANITIZER): want kasan, kcsan or none)
endif
ifeq ($(SANITIZER),none)
ifneq ($(filter check guest-test mutants run tool-fixtures,$(MAKECMDGOALS)),)
$(error SANITIZER=none is for "make bench": the tests need the sanitizers)
endif
endif
export SANITIZER
TREE := $(CACHE)/linux
BUILD := $(CACHE)/build
NVDIMM := $(REPO)/tools/testing/nvdimm
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))

# The whole kernel is built with LLVM 19, the LLVM of rustc 1.85: KASAN
# with Rust needs clang.  The rustup toolchain first on PATH has no
# rust-src: use Debian's rustc.
KMAKE := $(MAKE) -C $(TREE) O=$(BUILD) ARCH=x86_64 LLVM=-19 CC="ccache clang-19" \
	RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
	BINDGEN=$(CACHE)/bindgen/bin/bindgen \
	$(if $(CLIPPY),CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver)

export CCACHE_DIR := $(CACHE)/ccache
# bindgen's libclang: the same LLVM as clang and rustc.
export LIBCLANG_PATH := /usr/lib/llvm-19/lib
# One target directory per checkout: cargo shares artifacts between copies
# of a path package, and the tests find their data at the path they were
# built from.
export CARGO_TARGET_DIR := $(CACHE)/cargo-target/$(subst /,_,$(REPO))
export MFROUTE_CACHE := $(CACHE)

.PHONY: all deps tree kernel nfit tool install-tool deb initramfs host-test \
	guest-test check run bench tool-fixtures mutants mutants-host checkpatch \
	series-check clean

all: initramfs

deps:
	@$(REPO)/scripts/install-deps.sh $(CACHE)

tree: deps
	@KMAKE='$(KMAKE)' $(REPO)/scripts/prepare-tree.sh $(REPO) $(CACHE)

kernel: tree
	@+$(KMAKE) -s -j$(JOBS) bzImage modules
	@+$(KMAKE) -s INSTALL_MOD_PATH=$(CACHE)/mods INSTALL_MOD_STRIP=1 \
		modules_install >/dev/null

# nfit_test's wrapped libnvdimm/nd_pmem/nfit/dax builds, kept apart from
# the in-tree modules: the guest swaps them in for nfit_test boots.
nfit: kernel
	@+$(KMAKE) -s -j$(JOBS) M=$(TREE)/tools/testing/nvdimm modules
	@rm -rf $(CACHE)/mods-nfit
	@+$(KMAKE) -s M=$(TREE)/tools/testing/nvdimm INSTALL_MOD_PATH=$(CACHE)/mods-nfit \
		INSTALL_MOD_STRIP=1 INSTALL_MOD_DIR=nfit_test modules_install 2>&1 | \
		grep -v "depmod: WARNING: could not open modules\." || true

# The mfroute command (tools/mfroute), built on the host for the guest.
tool: deps
	@cargo build --release --locked --quiet \
		--manifest-path $(REPO)/tools/mfroute/Cargo.toml

# The command as a distribution installs it: binary, manual pages,
# completions, systemd unit (tools/mfroute/packaging).
PREFIX ?= /usr
install-tool: tool
	@$(REPO)/tools/mfroute/packaging/install.sh $(CARGO_TARGET_DIR)/release/mfroute \
		'$(DESTDIR)' $(PREFIX)

# The Debian package of the command, into the cache; prints its path.
deb: tool
	@$(REPO)/tools/mfroute/packaging/deb.sh $(CARGO_TARGET_DIR)/release/mfroute $(CACHE)

initramfs: nfit tool
	@$(NVDIMM)/mkinitramfs.sh $(CACHE)

host-test: deps
	cd $(REPO)/src/route && cargo test --quiet
	cd $(REPO)/tools/mfroute && cargo test --quiet --locked

guest-test: initramfs
	@$(NVDIMM)/run-tests.sh --guest-only $(TESTS)

check: initramfs
	@$(NVDIMM)/run-tests.sh $(TESTS)

run: initramfs
	@$(NVDIMM)/run-demo.sh

bench: initramfs
	@PAGES=$(PAGES) $(NVDIMM)/run-bench.sh $(BENCH)

# Records mfroute's tracepoints in a guest into the command's
# tests/data/trace_recorded.txt and blesses what its host tests derive
# from it: commit both after reading the diff.
tool-fixtures: initramfs
	@$(NVDIMM)/run-fixtures.sh

# Each deliberate bug in tools/testing/nvdimm/mutants/, built and tested in
# turn: long, so not part of check.
mutants: initramfs
	+@KMAKE='$(KMAKE)' CACHE=$(CACHE) JOBS=$(JOBS) $(NVDIMM)/run-mutants.sh '$(or $(MUTANTS),*)'

checkpatch: tree
	@$(REPO)/scripts/checkpatch.sh $(TREE) $(REPO)

# cargo-mutants over the host crates (the routing core and the command):
# every mutant must be caught by their tests, or be named in
# Documentation/mfroute/testing.rst with why it cannot be.
# cargo-mutants builds each mutant in a copy of its own, in parallel: the
# shared CARGO_TARGET_DIR would mix them up.
mutants-host: deps
	@$(CACHE)/cargo-mutants/bin/cargo-mutants mutants --version >/dev/null 2>&1 || \
		{ echo "  CARGO   cargo-mutants"; cargo install --quiet --locked \
			--root $(CACHE)/cargo-mutants cargo-mutants; }
	@mkdir -p $(CACHE)/mutants-host
	cd $(REPO)/src/route && env -u CARGO_TARGET_DIR \
		$(CACHE)/cargo-mutants/bin/cargo-mutants mutants \
		--no-shuffle -j2 -o $(CACHE)/mutants-host/route
	cd $(REPO)/tools/mfroute && env -u CARGO_TARGET_DIR \
		$(CACHE)/cargo-mutants/bin/cargo-mutants mutants \
		--no-shuffle -j2 -o $(CACHE)/mutants-host/tool

# Every prefix of the hook series, a configuration matrix and Debian's
# configuration: long, so not part of check.
series-check: deps
	+@KMAKE_ARGS='ARCH=x86_64 LLVM=-19 CC="ccache clang-19" RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc BINDGEN=$(CACHE)/bindgen/bin/bindgen' \
		JOBS=$(JOBS) $(REPO)/scripts/series-check.sh $(REPO) $(CACHE)

clean:
	rm -rf $(BUILD) $(TREE) $(CACHE)/mods $(CACHE)/mods-nfit $(CACHE)/initramfs
