#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh BINARY: the command's installation, checked as a packager
# would ("make check" runs it on the host): install.sh into a scratch
# DESTDIR and deb.sh, then every installed file is where a distribution
# looks for it and works there: the manual pages render without a groff
# warning, bash completes the commands and options, the unit starts
# the installed binary, and the package holds the same files with the
# crate's version.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
check() { # WHAT COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAILED: $what"
		failed=1
	fi
}

dest=$work/root
"$here/install.sh" "$bin" "$dest" /usr/local || { echo "FAILED: install.sh"; exit 1; }
files=(bin/mfroute share/man/man8/mfroute.8.gz share/man/man8/mfroute-monitor.8.gz
	share/man/man8/mfroute-stack.8.gz share/man/man8/mfroute-status.8.gz
	share/man/man8/mfroute-log.8.gz
	share/bash-completion/completions/mfroute share/zsh/vendor-completions/_mfroute
	share/fish/vendor_completions.d/mfroute.fish lib/systemd/system/mfroute-monitor.service)
for f in "${files[@]}"; do
	check "installed /usr/local/$f" test -s "$dest/usr/local/$f"
done
check "nothing else installed" test "$(cd "$dest/usr/local" && find . -type f | sort)" = \
	"$(printf './%s\n' "${files[@]}" | sort)"
for page in "$dest"/usr/local/share/man/man8/*.8.gz; do
	check "$(basename "$page") renders without warnings" test -z \
		"$(zcat "$page" | groff -man -Tutf8 -ww -z 2>&1)"
done
check "mfroute(8) names the commands" grep -q 'mfroute\\-status(8)' \
	<(zcat "$dest/usr/local/share/man/man8/mfroute.8.gz")
check "mfroute-status(8) has --resolve" grep -q 'resolve' \
	<(zcat "$dest/usr/local/share/man/man8/mfroute-status.8.gz")
# complete_words LINE: what bash would offer after LINE (words so far).
complete_words() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_mfroute mfroute "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		echo "${COMPREPLY[@]}"
	' sh "$dest/usr/local/share/bash-completion/completions/mfroute" "$@"
}
check "bash completes the commands" test "$(complete_words mfroute '' | tr ' ' '\n' |
	grep -E '^(log|monitor|stack|status)$' | sort | tr '\n' ' ')" = "log monitor stack status "
check "bash completes status options" grep -qw -- --resolve <(complete_words mfroute status --)
check "the unit starts the installed binary" grep -qx \
	'ExecStart=/usr/local/bin/mfroute monitor --store /var/lib/mfroute/events.jsonl' \
	"$dest/usr/local/lib/systemd/system/mfroute-monitor.service"
check "the installed binary runs" "$dest/usr/local/bin/mfroute" --version

deb=$("$here/deb.sh" "$bin" "$work") || { echo "FAILED: deb.sh"; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../Cargo.toml" | head -n 1)
check "package version is the crate's ($version)" test "$(dpkg-deb -f "$deb" Version)" = "$version"
check "package depends on libc6" grep -q '^libc6 (>= [0-9.]*)' <(dpkg-deb -f "$deb" Depends)
listed=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort)
check "package holds the files under /usr" test "$listed" = \
	"$(printf './usr/%s\n' "${files[@]}" | sort)"
check "package files are root's" test -z "$(dpkg-deb -c "$deb" | awk '$2 != "root/root"')"
exit $failed
