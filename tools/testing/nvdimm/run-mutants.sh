#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make mutants": replay each deliberate bug in mutants/ against the built
# kernel and check that the tests named for it catch it.
#
# A mutant is a unified diff, paths relative to the kernel tree (the
# module's own files are drivers/mfroute/...), after header lines:
#
#   # mutant: what the bug is, in one line
#   # catch: TEST...      guest tests and self-tests (names as for
#                         run-tests.sh: route-absorb, selftest/NAME), or
#                         host:route, host:tool for the host cargo tests
#
# For each one, in turn: apply it to a copy of this repository that the
# kernel tree points at for the run (the checkout itself is never
# touched), rebuild what it changed, run its tests with the copy's
# harness (so that a mutant of run-tests.sh, lib.sh or the guest's init
# is replayed too), revert it.  It is
# *caught* when at least one of its tests fails, and *survives* when all
# of them pass - a survivor is a missing test.  A mutant that does not
# apply or does not build is an error in the mutant.  The table at the
# end says which test caught each one.
#
# Usage: run-mutants.sh ['GLOB...']  (MUTANTS='GLOB...' from make)
# Environment, from the Makefile: KMAKE, CACHE, JOBS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
: "${KMAKE:?run from make mutants}"
cache=${CACHE:?run from make mutants}
tree=$cache/linux
build=$cache/build
glob=${1:-*}
work=$cache/mutants
marker=$build/.mfroute-mutant
table=$work/table
mkdir -p "$work"

mutants=()
set -f
patterns=($glob)
set +f
for g in "${patterns[@]}"; do
	for f in "$here"/mutants/$g.patch; do
		[ -e "$f" ] && mutants+=("$f")
	done
done
if [ ${#mutants[@]} -eq 0 ]; then
	echo "run-mutants: no mutant matches '$glob' (see tools/testing/nvdimm/mutants/)" >&2
	exit 2
fi

# The copy of the repository the tree builds the module from during the
# run, with the same mtimes, so that only what a mutant changes rebuilds.
# It takes the place of the tree's drivers/mfroute link, as a directory:
# patch(1) does not follow a symbolic link in a path it is given.
copy=$tree/drivers/mfroute
rm -rf "$copy"
mkdir -p "$copy"
(cd "$repo" && git ls-files -z | cpio -0 -pdm --quiet "$copy")

applied=
unapply() {
	if [ -n "$applied" ]; then
		patch -d "$tree" -p1 -R -s --no-backup-if-mismatch <"$applied" >/dev/null
		applied=
	fi
}
restore() {
	unapply
	rm -rf "$copy"
	ln -sfn "$repo" "$copy"
	# The checkout's files are older than what the copy last built, and
	# would not rebuild: build the module from them afresh.
	rm -rf "$build/drivers/mfroute"
}
# An interrupted run leaves the marker: prepare-tree.sh then starts from
# pristine sources again, whatever was left applied.
trap 'restore; exit 130' INT TERM

# build TOUCHED-PATHS: rebuild the kernel, the nfit_test modules when a
# wrapped driver changed, the command when it changed (into a target
# directory of its own), and the initramfs.
build() {
	local target=$CARGO_TARGET_DIR
	eval "$KMAKE" -s -j"$JOBS" bzImage modules >"$work/build.log" 2>&1 || return 1
	eval "$KMAKE" -s INSTALL_MOD_PATH="$cache/mods" INSTALL_MOD_STRIP=1 \
		modules_install >/dev/null 2>>"$work/build.log" || return 1
	if echo "$1" | grep -qE '^(drivers/(nvdimm|dax|acpi/nfit)|tools/testing/nvdimm)/'; then
		eval "$KMAKE" -s -j"$JOBS" M="$tree/tools/testing/nvdimm" modules \
			>>"$work/build.log" 2>&1 || return 1
		rm -rf "$cache/mods-nfit"
		eval "$KMAKE" -s M="$tree/tools/testing/nvdimm" INSTALL_MOD_PATH="$cache/mods-nfit" \
			INSTALL_MOD_STRIP=1 INSTALL_MOD_DIR=nfit_test modules_install \
			>/dev/null 2>>"$work/build.log" || return 1
	fi
	if echo "$1" | grep -q '^drivers/mfroute/tools/mfroute/'; then
		target=$work/tool-target
		CARGO_TARGET_DIR=$target cargo build --release --locked --quiet \
			--manifest-path "$copy/tools/mfroute/Cargo.toml" \
			>>"$work/build.log" 2>&1 || return 1
	fi
	CARGO_TARGET_DIR=$target "$copy/tools/testing/nvdimm/mkinitramfs.sh" "$cache" \
		>>"$work/build.log" 2>&1
}

# host TEST: run a host cargo test against the copy, in a target directory
# of its own (the checkout's stays as it is).
host() {
	local CARGO_TARGET_DIR=$work/cargo-target
	export CARGO_TARGET_DIR
	case $1 in
	host:route) (cd "$copy/src/route" && cargo test --quiet) ;;
	host:tool) (cd "$copy/tools/mfroute" && cargo test --quiet --locked) ;;
	*) return 2 ;;
	esac >"$work/host.log" 2>&1
}

: >"$table"
caught=0 survived=0 broken=0
for m in "${mutants[@]}"; do
	name=$(basename "$m" .patch)
	what=$(sed -n 's/^# mutant: *//p' "$m" | head -n 1)
	tests=$(sed -n 's/^# catch: *//p' "$m" | head -n 1)
	echo "== $name: $what"
	touched=$(sed -n 's|^+++ b/||p' "$m" | cut -f1)
	if [ -z "$tests" ] || ! patch -d "$tree" -p1 --dry-run -s <"$m" >/dev/null; then
		echo "   does not apply, or names no test"
		echo "$name|ERROR: does not apply or names no test|$what" >>"$table"
		broken=$((broken + 1))
		continue
	fi
	echo "$name" >"$marker"
	patch -d "$tree" -p1 -s --no-backup-if-mismatch <"$m" >/dev/null
	applied=$m
	if ! build "$touched"; then
		echo "   does not build (see $work/build.log)"
		echo "$name|ERROR: does not build|$what" >>"$table"
		broken=$((broken + 1))
		unapply
		continue
	fi
	by=
	guest=()
	for t in $tests; do
		case $t in
		host:*) host "$t" || by="$by $t" ;;
		*) guest+=("$t") ;;
		esac
	done
	if [ ${#guest[@]} -gt 0 ]; then
		"$copy/tools/testing/nvdimm/run-tests.sh" --guest-only "${guest[@]}" \
			>"$work/$name.tap" 2>&1
		if [ $? -eq 2 ]; then
			# A test it names does not exist (in the index: the copy
			# is what git ls-files lists).
			sed 's/^/   /' "$work/$name.tap"
			echo "$name|ERROR: names a test that does not exist|$what" >>"$table"
			broken=$((broken + 1))
			unapply
			continue
		fi
		by="$by $(sed -n -e 's/^not ok [0-9]* - guest: \([^ ]*\).*/\1/p' \
			-e 's|^not ok [0-9]* - harness self-test: \([^ ]*\) is caught.*|selftest/\1|p' \
			"$work/$name.tap" | tr '\n' ' ')"
		rm -rf "$work/$name.logs"
		cp -a "$cache/logs" "$work/$name.logs" 2>/dev/null
	fi
	by=$(echo $by)
	if [ -n "$by" ]; then
		echo "   caught by: $by"
		echo "$name|caught by $by|$what" >>"$table"
		caught=$((caught + 1))
	else
		echo "   SURVIVED: $tests all passed"
		echo "$name|SURVIVED ($tests)|$what" >>"$table"
		survived=$((survived + 1))
	fi
	unapply
done

# Back to the checkout, and to a build of it.
restore
echo "== restoring the build of $repo"
build "drivers/nvdimm/" || echo "run-mutants: rebuild after the run failed; make kernel will redo it" >&2
rm -f "$marker"

echo
echo "mutant|result|bug"
cat "$table"
echo "$caught caught, $survived survived, $broken broken"
[ $survived -eq 0 ] && [ $broken -eq 0 ]
