# SPDX-License-Identifier: GPL-2.0
#
# Boot helpers shared by run-tests.sh, run-demo.sh and run-bench.sh
# (sourced, bash).
#
# boot_guest LOG TIMEOUT BOOT RUN NVDIMMS...: boot the built kernel with the
# base initramfs plus $payload appended, run RUN in the guest, write the
# console to LOG.  BOOT is "nvdimm" or "nfit"; each NVDIMMS word is the
# size of one emulated NVDIMM (nvdimm boots only), backed by a fresh sparse
# file so that no boot sees another's data.  The guest has GUEST_CPUS
# CPUs (default 2) and GUEST_MEM of memory (default 1G).  Returns QEMU's
# status (124 on timeout).
#
# With MFROUTE_MCE=1 the guest can ask for machine checks: QEMU gets a
# monitor socket and a second serial port (the guest's ttyS1), and
# mce-relay.py, between the two, raises each one the guest asks for on
# ttyS1; its lines end the console log.  The CPU then reports Intel's
# vendor: Linux grades a recoverable machine check by Intel's rules,
# which keep an action-optional error recoverable in any context (by
# AMD's, "max"'s vendor under TCG, one that hits the kernel panics).

cache=${MFROUTE_CACHE:-$HOME/.cache/mfroute}
bzimage=$cache/build/arch/x86/boot/bzImage
base_cpio=$cache/initramfs/base.cpio
nvdimm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# /dev/kvm on these machines is a nested paravirtual KVM (kvm_pvm) that
# cannot boot a guest; use TCG there and KVM wherever it really works.
if [ -w /dev/kvm ] && [ ! -e /sys/module/kvm_pvm ]; then
	accel="-accel kvm -cpu host"
else
	accel="-accel tcg,thread=multi -cpu max"
fi

boot_guest() {
	local log=$1 timeout=$2 boot=$3 run=$4
	shift 4
	local dir args=() mce=() i=0 size initrd relay= cpu=$accel
	dir=$(mktemp -d "$cache/boot.XXXXXX")
	initrd=$dir/initrd.cpio
	cat "$base_cpio" "$payload" >"$initrd"
	if [ "$boot" = nvdimm ]; then
		for size in "$@"; do
			truncate -s "$size" "$dir/nvdimm$i.img"
			args+=(-object "memory-backend-file,id=mem$i,share=on,mem-path=$dir/nvdimm$i.img,size=$size"
			       -device "nvdimm,memdev=mem$i,id=nv$i")
			i=$((i + 1))
		done
	fi
	if [ "${MFROUTE_MCE:-}" = 1 ]; then
		[ "${accel#*-cpu max}" != "$accel" ] && cpu="$accel,vendor=GenuineIntel"
		# After -serial stdio: serial ports are numbered in order.
		mce=(-monitor "unix:$dir/mon.sock,server=on,wait=off"
		     -serial "unix:$dir/req.sock,server=on,wait=off")
		python3 "$nvdimm_dir/mce-relay.py" "$dir" 2>"$dir/mce.log.err" &
		relay=$!
	else
		mce=(-monitor none)
	fi
	# A large log buffer, so that the guest's copy of /dev/kmsg keeps up.
	# Every boot pays for the ACPI namespace under TCG: no default devices
	# (NIC, VGA, floppy, CD-ROM), no PCI hotplug slots, and only as many
	# memory slots as there are NVDIMMs take seconds off it.
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$timeout" qemu-system-x86_64 \
		-machine pc,nvdimm=on $cpu -smp ${GUEST_CPUS:-2} -nodefaults \
		-global PIIX4_PM.acpi-root-pci-hotplug=off \
		-global PIIX4_PM.acpi-pci-hotplug-with-bridge-support=off \
		-m ${GUEST_MEM:-1G},slots=$((i > 0 ? i : 1)),maxmem=64G "${args[@]}" \
		-kernel "$bzimage" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 log_buf_len=8M mfrtest_boot=$boot mfrtest_run=$run ${MFROUTE_APPEND:-}" \
		-display none -serial stdio "${mce[@]}" -no-reboot \
		</dev/null >"$log" 2>&1
	local rc=$?
	if [ -n "$relay" ]; then
		kill "$relay" 2>/dev/null
		wait "$relay" 2>/dev/null
		cat "$dir/mce.log" "$dir/mce.log.err" >>"$log" 2>/dev/null
	fi
	rm -rf "$dir"
	return $rc
}

# Make $payload: an initramfs fragment with the repo's guest tests under
# /tests, the harness self-test under /selftest, its benchmarks under
# /bench and, when given, an extra directory of tests under /extra.
make_payload() {
	local here=$1 extra=${2:-} stage
	stage=$(mktemp -d "$cache/payload.XXXXXX")
	# Its "." becomes the guest's "/": searchable by every user, not
	# mktemp's 0700.
	chmod 0755 "$stage"
	mkdir -p "$stage/tests" "$stage/extra" "$stage/bench" "$stage/selftest" "$stage/fixtures"
	cp -a "$here/tests/." "$stage/tests/"
	cp -a "$here/demo.sh" "$stage/tests/"
	cp -a "$here/bench/." "$stage/bench/"
	cp -a "$here/fixtures/." "$stage/fixtures/"
	cp -a "$here"/selftest/*.sh "$stage/selftest/"
	[ -n "$extra" ] && cp -a "$extra/." "$stage/extra/"
	payload=$cache/payload.cpio
	(cd "$stage" && find . | cpio -o -H newc --quiet >"$payload")
	rm -rf "$stage"
}

# kernel_problems LOG: print the lines of LOG that fail a boot (patterns in
# kernel-problems).  Status 0 when there are some, 1 when there are none,
# 2 when the check itself failed (no patterns, an unreadable log): a
# caller must never read that as "no problem".
kernel_problems() {
	local pats
	pats=$(grep -v -e '^#' -e '^$' "$nvdimm_dir/kernel-problems") || return 2
	[ -r "$1" ] || return 2
	grep -E -e "$pats" "$1"
}
